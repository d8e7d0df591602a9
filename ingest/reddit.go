package ingest

import (
	"math"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// RedditNormalizer reads Reddit "thing" objects as listings return them: {"kind": "t1", "data": {...}} for a
// comment and {"kind": "t3", "data": {...}} for a submission (link or self post). Reddit does not report an
// author's followers; those stay unknown (-1). A thing whose author and text read "[deleted]" or whose text
// reads "[removed]" was deleted by its author or removed by moderators: it becomes a delete notice. An
// "edited" time becomes the edit time.
type RedditNormalizer struct{}

// Network implements Normalizer.
func (RedditNormalizer) Network() post.Network { return post.NetworkReddit }

type redditThing struct {
	Kind string      `json:"kind"`
	Data *redditData `json:"data"`
}

type redditData struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Author       string   `json:"author"`
	AuthorFull   string   `json:"author_fullname"`
	Body         string   `json:"body"`     // t1
	Title        string   `json:"title"`    // t3
	Selftext     string   `json:"selftext"` // t3
	URL          string   `json:"url"`      // t3: link target
	CreatedUTC   *float64 `json:"created_utc"`
	Subreddit    string   `json:"subreddit"`
	LinkID       string   `json:"link_id"`   // t1: t3_ fullname of the submission
	ParentID     string   `json:"parent_id"` // t1: t1_ or t3_ fullname
	Score        int64    `json:"score"`
	NumComments  int64    `json:"num_comments"`
	Permalink    string   `json:"permalink"`
	CrosspostPar string   `json:"crosspost_parent"`
	Lang         string   `json:"lang"` // not in Reddit's API; set by some collectors
	// Edited is false, or the Unix time of the last edit.
	Edited any `json:"edited"`
}

// Normalize implements Normalizer.
func (RedditNormalizer) Normalize(raw []byte, p *post.Post) error {
	var th redditThing
	if err := unmarshal(raw, &th); err != nil {
		return err
	}
	if th.Kind != "t1" && th.Kind != "t3" {
		if th.Kind == "" {
			return reject(ReasonMissingField, "kind")
		}
		return reject(ReasonUnsupported, "kind %q (want t1 comment or t3 submission)", th.Kind)
	}
	d := th.Data
	if d == nil {
		return reject(ReasonMissingField, "data")
	}
	if d.ID == "" {
		return reject(ReasonMissingField, "data.id")
	}
	if d.CreatedUTC == nil {
		return reject(ReasonMissingField, "data.created_utc")
	}
	sec := *d.CreatedUTC
	if math.IsNaN(sec) || sec < 0 || sec > 1e11 {
		return reject(ReasonInvalidValue, "data.created_utc: %v is not a plausible Unix time", sec)
	}
	whole, frac := math.Modf(sec)
	p.ID = th.Kind + "_" + d.ID
	p.CreatedAt = time.Unix(int64(whole), int64(frac*1e9)).UTC()
	p.Lang = d.Lang
	p.Engagement = post.Engagement{Likes: d.Score, Replies: d.NumComments}
	if sec, ok := d.Edited.(float64); ok && sec > 0 && sec < 1e11 {
		if edited := time.Unix(int64(sec), 0).UTC(); edited.After(p.CreatedAt) {
			p.EditedAt = edited
		}
	}
	body := d.Body
	if th.Kind == "t3" {
		body = d.Selftext
	}
	if body == "[removed]" || (body == "[deleted]" && d.Author == "[deleted]") {
		p.Action = post.ActionDelete
		p.Author.ID = strings.TrimPrefix(d.AuthorFull, "t2_")
		return nil
	}
	if th.Kind == "t1" {
		p.Text = d.Body
		p.Refs.ReplyToID = d.ParentID
		p.Refs.ConversationID = d.LinkID
	} else {
		p.Title = d.Title
		p.Text = d.Selftext
		if p.Text == "" {
			p.Text = d.Title
		}
		p.Refs.ConversationID = p.ID
		p.Refs.RepostOfID = d.CrosspostPar
	}
	if d.Permalink != "" {
		p.URL = "https://www.reddit.com" + d.Permalink
	}
	author := d.Author
	p.Author = post.Author{
		ID:        strings.TrimPrefix(d.AuthorFull, "t2_"),
		Handle:    author,
		Followers: -1,
		Following: -1,
	}
	if p.Author.ID == "" {
		// Deleted accounts have no fullname; the handle ("[deleted]") is all there is.
		p.Author.ID = author
	}
	if p.Author.ID == "" {
		return reject(ReasonMissingField, "data.author")
	}
	return nil
}
