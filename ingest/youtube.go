package ingest

import (
	"strings"

	"github.com/rapport-dev/rapport/post"
)

// YouTubeNormalizer reads YouTube Data API v3 comment resources as commentThreads.list and comments.list
// return them, one resource per record:
//
//   - a youtube#commentThread becomes one post, its top-level comment. The replies the thread carries are a
//     sample chosen by YouTube, not all of them, so they are not unpacked here: fetch them with
//     comments.list(parentId=...) and send each as its own record. Engagement.Replies is the thread's
//     totalReplyCount.
//   - a youtube#comment is a single comment: a reply when snippet.parentId is set (YouTube threads are one
//     level deep, so the parent is always a top-level comment), else a top-level comment.
//
// Like a Reddit comment, every YouTube comment is a reply: a top-level comment replies to its video
// (Refs.ReplyToID is the video id and ReplyToAuthorID the video's channel), a reply to its parent comment.
// Refs.ConversationID is the video id, shared by the whole thread. The text is textOriginal when the API
// returns it, else textDisplay rendered from HTML (textDisplay is HTML under the default textFormat=html). A
// comment whose updatedAt is later than publishedAt was edited; EditedAt says when. YouTube does not report
// an author's followers; those stay unknown (-1).
type YouTubeNormalizer struct{}

// Network implements Normalizer.
func (YouTubeNormalizer) Network() post.Network { return post.NetworkYouTube }

type youtubeResource struct {
	Kind    string          `json:"kind"`
	ID      string          `json:"id"`
	Snippet *youtubeSnippet `json:"snippet"`
}

// youtubeSnippet holds the members of a commentThread snippet and of a comment snippet: the two resources
// share the envelope and differ only in which members are set.
type youtubeSnippet struct {
	// commentThread
	TopLevelComment *youtubeResource `json:"topLevelComment"`
	TotalReplyCount int64            `json:"totalReplyCount"`

	// both
	ChannelID string `json:"channelId"`
	VideoID   string `json:"videoId"`

	// comment
	AuthorDisplayName string `json:"authorDisplayName"`
	AuthorChannelURL  string `json:"authorChannelUrl"`
	AuthorChannelID   *struct {
		Value string `json:"value"`
	} `json:"authorChannelId"`
	TextDisplay  string `json:"textDisplay"`
	TextOriginal string `json:"textOriginal"`
	ParentID     string `json:"parentId"`
	LikeCount    int64  `json:"likeCount"`
	PublishedAt  string `json:"publishedAt"`
	UpdatedAt    string `json:"updatedAt"`
}

// Normalize implements Normalizer.
func (YouTubeNormalizer) Normalize(raw []byte, p *post.Post) error {
	var r youtubeResource
	if err := unmarshal(raw, &r); err != nil {
		return err
	}
	switch r.Kind {
	case "youtube#commentThread":
		if r.Snippet == nil {
			return reject(ReasonMissingField, "snippet")
		}
		top := r.Snippet.TopLevelComment
		if top == nil {
			return reject(ReasonMissingField, "snippet.topLevelComment")
		}
		if top.Kind != "" && top.Kind != "youtube#comment" {
			return reject(ReasonUnsupported, "snippet.topLevelComment.kind %q (want youtube#comment)", top.Kind)
		}
		if err := youtubeComment(top, "snippet.topLevelComment.", p); err != nil {
			return err
		}
		if p.Refs.ConversationID == "" && r.Snippet.VideoID != "" {
			// The top-level comment left its video out; the thread names it.
			p.Refs.ConversationID = r.Snippet.VideoID
			p.Refs.ReplyToID = r.Snippet.VideoID
			p.Refs.ReplyToAuthorID = r.Snippet.ChannelID
		}
		p.Engagement.Replies = r.Snippet.TotalReplyCount
		p.URL = youtubeURL(p.Refs.ConversationID, p.ID)
		return nil
	case "youtube#comment":
		if err := youtubeComment(&r, "", p); err != nil {
			return err
		}
		p.URL = youtubeURL(p.Refs.ConversationID, p.ID)
		return nil
	case "":
		return reject(ReasonMissingField, "kind")
	default:
		return reject(ReasonUnsupported, "kind %q (want youtube#commentThread or youtube#comment)", r.Kind)
	}
}

// youtubeComment fills p from the comment resource c; prefix names c's place in the payload for reject
// details.
func youtubeComment(c *youtubeResource, prefix string, p *post.Post) error {
	if c.ID == "" {
		return reject(ReasonMissingField, "%sid", prefix)
	}
	s := c.Snippet
	if s == nil {
		return reject(ReasonMissingField, "%ssnippet", prefix)
	}
	if s.AuthorChannelID == nil || s.AuthorChannelID.Value == "" {
		return reject(ReasonMissingField, "%ssnippet.authorChannelId.value", prefix)
	}
	created, err := parseTime(prefix+"snippet.publishedAt", s.PublishedAt)
	if err != nil {
		return err
	}
	p.ID = c.ID
	p.CreatedAt = created
	if updated := optionalTime(s.UpdatedAt); updated.After(created) {
		p.EditedAt = updated
	}
	p.Text = s.TextOriginal
	if p.Text == "" {
		p.Text = htmlToText(s.TextDisplay)
	}
	p.Refs.ConversationID = s.VideoID
	if s.ParentID != "" {
		p.Refs.ReplyToID = s.ParentID
	} else if s.VideoID != "" {
		p.Refs.ReplyToID = s.VideoID
		p.Refs.ReplyToAuthorID = s.ChannelID
	}
	p.Engagement.Likes = s.LikeCount
	p.Author = post.Author{
		ID:         s.AuthorChannelID.Value,
		ProfileURL: s.AuthorChannelURL,
		Followers:  -1,
		Following:  -1,
	}
	// Since YouTube introduced handles, authorDisplayName is the "@handle" for most channels; older or
	// handle-less channels still show a free-form name.
	if h, ok := strings.CutPrefix(s.AuthorDisplayName, "@"); ok {
		p.Author.Handle = h
	} else {
		p.Author.DisplayName = s.AuthorDisplayName
	}
	return nil
}

// youtubeURL links a comment on its video; YouTube's watch page highlights the comment named by "lc".
func youtubeURL(videoID, commentID string) string {
	if videoID == "" {
		return ""
	}
	return "https://www.youtube.com/watch?v=" + videoID + "&lc=" + commentID
}
