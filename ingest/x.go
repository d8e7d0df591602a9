package ingest

import (
	"html"

	"github.com/rapport-dev/rapport/post"
)

// XNormalizer reads X (Twitter) API v2 tweet payloads as the filtered stream and the tweet lookup endpoints
// deliver them: an envelope {"data": tweet, "includes": {"users": [...], "tweets": [...]}} requested with
// expansions=author_id,referenced_tweets.id and the tweet and user fields below.
//
// The author comes from includes.users (matched on author_id). A retweet carries the retweeted tweet's full
// text when includes.tweets has it, since the retweet's own text is truncated with an "RT @handle:" prefix.
type XNormalizer struct{}

// Network implements Normalizer.
func (XNormalizer) Network() post.Network { return post.NetworkX }

type xEnvelope struct {
	Data     *xTweet `json:"data"`
	Includes struct {
		Users  []xUser  `json:"users"`
		Tweets []xTweet `json:"tweets"`
	} `json:"includes"`
}

type xTweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	Lang             string `json:"lang"`
	ConversationID   string `json:"conversation_id"`
	InReplyToUserID  string `json:"in_reply_to_user_id"`
	ReferencedTweets []struct {
		Type string `json:"type"` // replied_to, quoted, retweeted
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	PublicMetrics struct {
		RetweetCount    int64 `json:"retweet_count"`
		ReplyCount      int64 `json:"reply_count"`
		LikeCount       int64 `json:"like_count"`
		QuoteCount      int64 `json:"quote_count"`
		ImpressionCount int64 `json:"impression_count"`
	} `json:"public_metrics"`
	EditHistoryTweetIDs []string `json:"edit_history_tweet_ids"`
}

type xUser struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	Location      string `json:"location"`
	URL           string `json:"url"`
	Verified      bool   `json:"verified"`
	CreatedAt     string `json:"created_at"`
	PublicMetrics *struct {
		FollowersCount int64 `json:"followers_count"`
		FollowingCount int64 `json:"following_count"`
	} `json:"public_metrics"`
}

// Normalize implements Normalizer.
func (XNormalizer) Normalize(raw []byte, p *post.Post) error {
	var env xEnvelope
	if err := unmarshal(raw, &env); err != nil {
		return err
	}
	t := env.Data
	if t == nil {
		return reject(ReasonMissingField, "data (not an X API v2 tweet envelope)")
	}
	if t.ID == "" {
		return reject(ReasonMissingField, "data.id")
	}
	if t.AuthorID == "" {
		return reject(ReasonMissingField, "data.author_id")
	}
	created, err := parseTime("data.created_at", t.CreatedAt)
	if err != nil {
		return err
	}
	p.ID = t.ID
	// X escapes &, < and > in tweet text as HTML entities.
	p.Text = html.UnescapeString(t.Text)
	p.Lang = xLang(t.Lang)
	p.CreatedAt = created
	p.Refs.ConversationID = t.ConversationID
	for _, ref := range t.ReferencedTweets {
		switch ref.Type {
		case "replied_to":
			p.Refs.ReplyToID = ref.ID
			p.Refs.ReplyToAuthorID = t.InReplyToUserID
		case "quoted":
			p.Refs.QuoteOfID = ref.ID
		case "retweeted":
			p.Refs.RepostOfID = ref.ID
			for i := range env.Includes.Tweets {
				if env.Includes.Tweets[i].ID == ref.ID && env.Includes.Tweets[i].Text != "" {
					p.Text = html.UnescapeString(env.Includes.Tweets[i].Text)
				}
			}
		}
	}
	m := t.PublicMetrics
	p.Engagement = post.Engagement{
		Likes: m.LikeCount, Reposts: m.RetweetCount, Replies: m.ReplyCount, Quotes: m.QuoteCount,
		Views: m.ImpressionCount,
	}
	p.Author = post.Author{ID: t.AuthorID, Followers: -1, Following: -1}
	for i := range env.Includes.Users {
		u := &env.Includes.Users[i]
		if u.ID != t.AuthorID {
			continue
		}
		p.Author.Handle = u.Username
		p.Author.DisplayName = u.Name
		p.Author.Bio = u.Description
		p.Author.Location = u.Location
		p.Author.ProfileURL = u.URL
		p.Author.Verified = u.Verified
		p.Author.CreatedAt = optionalTime(u.CreatedAt)
		if u.PublicMetrics != nil {
			p.Author.Followers = u.PublicMetrics.FollowersCount
			p.Author.Following = u.PublicMetrics.FollowingCount
		}
		break
	}
	if p.Author.Handle != "" {
		p.URL = "https://x.com/" + p.Author.Handle + "/status/" + t.ID
	} else {
		p.URL = "https://x.com/i/web/status/" + t.ID
	}
	return nil
}

// xLang maps X's language codes to BCP-47; X uses "und" for undetermined, "zxx" for no linguistic content
// and a few private codes ("qme" media only, "qht" hashtags only, ...) that carry no language.
func xLang(l string) string {
	if l == "und" || l == "zxx" || (len(l) == 3 && l[0] == 'q') {
		return ""
	}
	return l
}
