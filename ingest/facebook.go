package ingest

import (
	"time"

	"github.com/rapport-dev/rapport/post"
)

// FacebookNormalizer reads Facebook Graph API Comment nodes as GET /{comment-id} and the /{object-id}/comments
// edge return them (one comment per record), requested with
// fields=id,message,created_time,from,like_count,comment_count,parent,object,permalink_url.
//
// Like a Reddit comment, every comment is a reply: to its parent comment (parent.id) when it has one, else
// to the object commented on (object.id: the post, photo or video), which is also Refs.ConversationID. The Graph API leaves "from" out unless the commenter is a Page
// or has authorised the app, so a post without an author is kept, with an empty Author.ID: what was said
// about the brand matters even when who said it is unknown. Facebook does not report followers; those stay
// unknown (-1).
type FacebookNormalizer struct{}

// Network implements Normalizer.
func (FacebookNormalizer) Network() post.Network { return post.NetworkFacebook }

type graphRef struct {
	ID string `json:"id"`
}

type facebookComment struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	From        *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"from"`
	LikeCount    int64     `json:"like_count"`
	CommentCount int64     `json:"comment_count"`
	Parent       *graphRef `json:"parent"`
	Object       *graphRef `json:"object"`
	PermalinkURL string    `json:"permalink_url"`
}

// Normalize implements Normalizer.
func (FacebookNormalizer) Normalize(raw []byte, p *post.Post) error {
	var c facebookComment
	if err := unmarshal(raw, &c); err != nil {
		return err
	}
	if c.ID == "" {
		return reject(ReasonMissingField, "id")
	}
	created, err := parseGraphTime("created_time", c.CreatedTime)
	if err != nil {
		return err
	}
	p.ID = c.ID
	p.CreatedAt = created
	p.Text = c.Message
	p.URL = c.PermalinkURL
	if c.Object != nil {
		p.Refs.ConversationID = c.Object.ID
		p.Refs.ReplyToID = c.Object.ID
	}
	if c.Parent != nil && c.Parent.ID != "" {
		p.Refs.ReplyToID = c.Parent.ID
	}
	p.Engagement = post.Engagement{Likes: c.LikeCount, Replies: c.CommentCount}
	p.Author = post.Author{Followers: -1, Following: -1}
	if c.From != nil {
		p.Author.ID = c.From.ID
		p.Author.DisplayName = c.From.Name
	}
	return nil
}

// InstagramNormalizer reads Instagram Graph API IG Comment nodes as GET /{ig-comment-id}, the
// /{ig-media-id}/comments edge and the /{ig-comment-id}/replies edge return them (one comment per record),
// requested with fields=id,text,timestamp,username,from,like_count,parent_id,media,replies.
//
// Every comment is a reply: to its parent comment (parent_id) when it has one, else to the media commented
// on (media.id), which is also Refs.ConversationID. The author's
// id is from.id (an Instagram-scoped id) when the payload has it; username alone gives the handle. IG
// Comments have no web URL of their own and no follower counts (-1). Engagement.Replies is the number of
// replies the payload lists, and only when the replies edge is complete (no next page); otherwise zero.
type InstagramNormalizer struct{}

// Network implements Normalizer.
func (InstagramNormalizer) Network() post.Network { return post.NetworkInstagram }

type instagramComment struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
	From      *struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	LikeCount int64     `json:"like_count"`
	ParentID  string    `json:"parent_id"`
	Media     *graphRef `json:"media"`
	Replies   *struct {
		Data   []graphRef `json:"data"`
		Paging *struct {
			Next string `json:"next"`
		} `json:"paging"`
	} `json:"replies"`
}

// Normalize implements Normalizer.
func (InstagramNormalizer) Normalize(raw []byte, p *post.Post) error {
	var c instagramComment
	if err := unmarshal(raw, &c); err != nil {
		return err
	}
	if c.ID == "" {
		return reject(ReasonMissingField, "id")
	}
	created, err := parseGraphTime("timestamp", c.Timestamp)
	if err != nil {
		return err
	}
	p.ID = c.ID
	p.CreatedAt = created
	p.Text = c.Text
	if c.Media != nil {
		p.Refs.ConversationID = c.Media.ID
		p.Refs.ReplyToID = c.Media.ID
	}
	if c.ParentID != "" {
		p.Refs.ReplyToID = c.ParentID
	}
	p.Engagement.Likes = c.LikeCount
	if c.Replies != nil && (c.Replies.Paging == nil || c.Replies.Paging.Next == "") {
		p.Engagement.Replies = int64(len(c.Replies.Data))
	}
	p.Author = post.Author{Handle: c.Username, Followers: -1, Following: -1}
	if c.From != nil {
		p.Author.ID = c.From.ID
		if p.Author.Handle == "" {
			p.Author.Handle = c.From.Username
		}
	}
	return nil
}

// graphTimeLayout is the timestamp form of Meta's Graph APIs, "2026-01-05T10:00:00+0000": ISO 8601 with an
// offset without a colon, which RFC 3339 (and so time.RFC3339) does not allow. Z0700 also takes "Z".
const graphTimeLayout = "2006-01-02T15:04:05Z0700"

// parseGraphTime parses field's timestamp in RFC 3339 or in the Graph API form (graphTimeLayout), with or
// without fractional seconds.
func parseGraphTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, reject(ReasonMissingField, "%s", field)
	}
	t, ok := parseOffsetTime(s)
	if !ok {
		return time.Time{}, reject(ReasonInvalidValue, "%s: %q is not an ISO 8601 time with a zone", field, s)
	}
	if t.Unix() <= 0 {
		return time.Time{}, reject(ReasonInvalidValue, "%s: %q is not a plausible post time", field, s)
	}
	return t, nil
}

// parseOffsetTime parses s as RFC 3339 or graphTimeLayout and returns it in UTC.
func parseOffsetTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// time.Parse accepts fractional seconds after the seconds field even when the layout has none.
		if t, err = time.Parse(graphTimeLayout, s); err != nil {
			return time.Time{}, false
		}
	}
	return t.UTC(), true
}
