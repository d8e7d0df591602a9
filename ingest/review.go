package ingest

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-dev/rapport/post"
)

// ReviewNormalizer reads one review with a star rating, in the neutral shape below that review-site
// connectors (Trustpilot, Google Business Profile, app stores, ...) write. Member names are exact; members
// not listed are ignored.
//
//	{
//	  "id":           "8f2c1a",                    // required: the site's review id
//	  "source":       "trustpilot",                // the site; "site" is accepted too
//	  "rating":       4,                           // required: whole stars 1-5, a number or a string ("4")
//	  "title":        "Fast support",              // a title or a text is required
//	  "text":         "Sorted in ten minutes.",    // "body" is accepted too
//	  "created_at":   "2026-01-05T10:00:00Z",      // required: RFC 3339 or "+0000" form; "published_at" too
//	  "updated_at":   "2026-01-06T08:00:00Z",      // the latest edit, when later than created_at
//	  "language":     "en",
//	  "url":          "https://...",
//	  "likes":        3,                           // "helpful" votes
//	  "author":       {"id": "...", "name": "...", "location": "...", "profile_url": "...", "review_count": 12},
//	  "reply":        {"text": "...", "created_at": "..."}   // the business's answer: not part of the post
//	}
//
// The post id is "<source>:<id>" when the source is given, so two sites' reviews with the same id stay
// distinct posts; without a source it is the id alone. A review is an original post with Rating set.
type ReviewNormalizer struct{}

// Network implements Normalizer.
func (ReviewNormalizer) Network() post.Network { return post.NetworkReview }

type review struct {
	ID          string         `json:"id"`
	Source      string         `json:"source"`
	Site        string         `json:"site"`
	Rating      jsontext.Value `json:"rating"`
	Title       string         `json:"title"`
	Text        string         `json:"text"`
	Body        string         `json:"body"`
	CreatedAt   string         `json:"created_at"`
	PublishedAt string         `json:"published_at"`
	UpdatedAt   string         `json:"updated_at"`
	Language    string         `json:"language"`
	URL         string         `json:"url"`
	Likes       int64          `json:"likes"`
	Author      *struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Location   string `json:"location"`
		ProfileURL string `json:"profile_url"`
	} `json:"author"`
}

// Normalize implements Normalizer.
func (ReviewNormalizer) Normalize(raw []byte, p *post.Post) error {
	var r review
	if err := unmarshal(raw, &r); err != nil {
		return err
	}
	if r.ID == "" {
		return reject(ReasonMissingField, "id")
	}
	rating, err := parseRating("rating", r.Rating)
	if err != nil {
		return err
	}
	text := r.Text
	if text == "" {
		text = r.Body
	}
	if text == "" && r.Title == "" {
		return reject(ReasonMissingField, "text, body or title")
	}
	createdField, createdValue := "created_at", r.CreatedAt
	if createdValue == "" && r.PublishedAt != "" {
		createdField, createdValue = "published_at", r.PublishedAt
	}
	created, err := parseGraphTime(createdField, createdValue)
	if err != nil {
		return err
	}
	source := r.Source
	if source == "" {
		source = r.Site
	}
	p.ID = r.ID
	if source != "" {
		p.ID = strings.ToLower(source) + ":" + r.ID
	}
	p.Rating = rating
	p.Title = r.Title
	p.Text = text
	p.CreatedAt = created
	if updated, ok := parseOffsetTime(r.UpdatedAt); ok && updated.After(created) {
		p.EditedAt = updated
	}
	p.Lang = r.Language
	p.URL = r.URL
	p.Engagement.Likes = r.Likes
	p.Author = post.Author{Followers: -1, Following: -1}
	if a := r.Author; a != nil {
		p.Author.ID = a.ID
		p.Author.DisplayName = a.Name
		p.Author.Location = a.Location
		p.Author.ProfileURL = a.ProfileURL
	}
	return nil
}

// parseRating reads a star rating of field: a JSON number or a string holding one, a whole number of stars
// from 1 to 5 ("4", 4, 4.0). Absent or null is missing; any other JSON kind is the wrong type.
func parseRating(field string, v jsontext.Value) (int8, error) {
	var s string
	switch v.Kind() {
	case 0, 'n':
		return 0, reject(ReasonMissingField, "%s", field)
	case '0':
		s = string(v)
	case '"':
		if err := unmarshal(v, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, reject(ReasonMissingField, "%s", field)
		}
		// Decimal numbers only: strconv also reads "NaN", "Inf", hexadecimal and underscores.
		if strings.Trim(s, "0123456789.+-eE") != "" {
			return 0, reject(ReasonInvalidValue, "%s: %.40q is not a whole star rating from 1 to 5", field, s)
		}
	default:
		return 0, reject(ReasonWrongType, "field %s: got JSON %s, want a number or a string", field, v.Kind())
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 1 || f > 5 {
		return 0, reject(ReasonInvalidValue, "%s: %.40s is not a whole star rating from 1 to 5", field, v)
	}
	return int8(f), nil
}
