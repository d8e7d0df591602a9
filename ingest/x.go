package ingest

import (
	"html"
	"strconv"
	"time"

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
	// Compliance stream events arrive in the same envelope: {"data": {"delete": {...}}}.
	Data     *xTweet `json:"data"`
	Includes struct {
		Users []xUser `json:"users"`
		// Referenced tweets: only the text of a retweeted one is used, so only id and text are decoded.
		Tweets []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"tweets"`
	} `json:"includes"`
}

type xTweet struct {
	Delete    *xCompliance `json:"delete"`
	TweetEdit *xCompliance `json:"tweet_edit"`

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

// xCompliance is a Post compliance event (delete, tweet_edit) of the X compliance stream.
type xCompliance struct {
	Tweet struct {
		ID       string `json:"id"`
		AuthorID string `json:"author_id"`
	} `json:"tweet"`
	EventAt        string   `json:"event_at"`
	InitialTweetID string   `json:"initial_tweet_id"`
	EditTweetIDs   []string `json:"edit_tweet_ids"`
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
	switch {
	case t.Delete != nil:
		if t.Delete.Tweet.ID == "" {
			return reject(ReasonMissingField, "data.delete.tweet.id")
		}
		p.Action = post.ActionDelete
		p.ID = t.Delete.Tweet.ID
		p.Author.ID = t.Delete.Tweet.AuthorID
		p.EditedAt = optionalTime(t.Delete.EventAt)
		p.CreatedAt = snowflakeTime(p.ID)
		return nil
	case t.TweetEdit != nil:
		// The edited version itself arrives as a tweet whose edit_history_tweet_ids names the original;
		// the notice adds nothing to store.
		return ErrIgnore
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
	p.CreatedAt = created
	// An edit is a new tweet id; the post keeps the identity of the original (the first id of the edit
	// history), with the original's creation time and this version's time as the edit time.
	if h := t.EditHistoryTweetIDs; len(h) > 1 && h[0] != "" && h[0] != t.ID {
		p.ID = h[0]
		p.EditedAt = created
		if orig := snowflakeTime(h[0]); !orig.IsZero() && orig.Before(created) {
			p.CreatedAt = orig
		}
	}
	// X escapes &, < and > in tweet text as HTML entities.
	p.Text = html.UnescapeString(t.Text)
	p.Lang = xLang(t.Lang)
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

// snowflakeTime returns the creation time encoded in an X snowflake id (milliseconds since the X epoch in
// the bits above 22), or the zero time for an id that is not a plausible snowflake.
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n < 1<<32 {
		return time.Time{}
	}
	const xEpochMillis = 1288834974657
	return time.UnixMilli(int64(n>>22) + xEpochMillis).UTC()
}

// xLang maps X's language codes to BCP-47; X uses "und" for undetermined, "zxx" for no linguistic content
// and a few private codes ("qme" media only, "qht" hashtags only, ...) that carry no language.
func xLang(l string) string {
	if l == "und" || l == "zxx" || (len(l) == 3 && l[0] == 'q') {
		return ""
	}
	return l
}
