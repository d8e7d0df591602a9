package ingest

import (
	"github.com/rapport-dev/rapport/post"
)

// MastodonNormalizer reads Mastodon Status entities as the REST API delivers them, and streaming API events
// ({"event": "update" | "status.update" | "delete", "payload": …}): an update's payload is a Status encoded
// as a JSON string, a status.update is an edit (the Status has edited_at), and a delete's payload is the
// deleted status id. Content is HTML and is rendered to plain text. A reblog is a Status whose "reblog"
// field holds the original Status; it becomes a repost carrying the original's text.
type MastodonNormalizer struct{}

// Network implements Normalizer.
func (MastodonNormalizer) Network() post.Network { return post.NetworkMastodon }

type mastodonStatus struct {
	// Streaming API event envelope.
	Event   string `json:"event"`
	Payload string `json:"payload"`

	ID                 string           `json:"id"`
	URI                string           `json:"uri"`
	URL                string           `json:"url"`
	CreatedAt          string           `json:"created_at"`
	EditedAt           string           `json:"edited_at"`
	Content            string           `json:"content"`
	SpoilerText        string           `json:"spoiler_text"`
	Language           string           `json:"language"`
	InReplyToID        string           `json:"in_reply_to_id"`
	InReplyToAccountID string           `json:"in_reply_to_account_id"`
	RepliesCount       int64            `json:"replies_count"`
	ReblogsCount       int64            `json:"reblogs_count"`
	FavouritesCount    int64            `json:"favourites_count"`
	Reblog             *mastodonStatus  `json:"reblog"`
	Quote              *mastodonQuote   `json:"quote"`
	Account            *mastodonAccount `json:"account"`
}

// mastodonQuote is the quote object of Mastodon 4.4+ ({"state": ..., "quoted_status": Status}).
type mastodonQuote struct {
	QuotedStatus *struct {
		ID string `json:"id"`
	} `json:"quoted_status"`
}

type mastodonAccount struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	Note           string `json:"note"`
	URL            string `json:"url"`
	Bot            bool   `json:"bot"`
	CreatedAt      string `json:"created_at"`
	FollowersCount int64  `json:"followers_count"`
	FollowingCount int64  `json:"following_count"`
}

// Normalize implements Normalizer.
func (MastodonNormalizer) Normalize(raw []byte, p *post.Post) error {
	var s mastodonStatus
	if err := unmarshal(raw, &s); err != nil {
		return err
	}
	switch s.Event {
	case "":
	case "update", "status.update":
		if s.Payload == "" {
			return reject(ReasonMissingField, "payload of %s event", s.Event)
		}
		payload := s.Payload
		s = mastodonStatus{}
		if err := unmarshal([]byte(payload), &s); err != nil {
			return err
		}
	case "delete":
		if s.Payload == "" {
			return reject(ReasonMissingField, "payload of delete event")
		}
		p.Action = post.ActionDelete
		p.ID = s.Payload
		return nil
	default:
		// Notifications, filters, conversations and announcements carry no posts.
		return ErrIgnore
	}
	if s.ID == "" {
		return reject(ReasonMissingField, "id")
	}
	if s.Account == nil || s.Account.ID == "" {
		return reject(ReasonMissingField, "account.id")
	}
	created, err := parseTime("created_at", s.CreatedAt)
	if err != nil {
		return err
	}
	p.ID = s.ID
	p.CreatedAt = created
	if edited := optionalTime(s.EditedAt); edited.After(created) {
		p.EditedAt = edited
	}
	p.Lang = s.Language
	p.URL = s.URL
	if p.URL == "" {
		p.URL = s.URI
	}
	p.Text = htmlToText(s.Content)
	if s.SpoilerText != "" {
		p.Text = s.SpoilerText + "\n\n" + p.Text
	}
	p.Refs.ReplyToID = s.InReplyToID
	p.Refs.ReplyToAuthorID = s.InReplyToAccountID
	if s.Reblog != nil {
		p.Refs.RepostOfID = s.Reblog.ID
		p.Text = htmlToText(s.Reblog.Content)
		if p.Lang == "" {
			p.Lang = s.Reblog.Language
		}
	}
	if s.Quote != nil && s.Quote.QuotedStatus != nil {
		p.Refs.QuoteOfID = s.Quote.QuotedStatus.ID
	}
	p.Engagement = post.Engagement{Likes: s.FavouritesCount, Reposts: s.ReblogsCount, Replies: s.RepliesCount}
	a := s.Account
	p.Author = post.Author{
		ID:          a.ID,
		Handle:      a.Acct,
		DisplayName: a.DisplayName,
		Bio:         htmlToText(a.Note),
		ProfileURL:  a.URL,
		Bot:         a.Bot,
		Followers:   a.FollowersCount,
		Following:   a.FollowingCount,
		CreatedAt:   optionalTime(a.CreatedAt),
	}
	return nil
}
