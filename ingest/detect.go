package ingest

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-dev/rapport/post"
)

// DetectNetwork tells the network of a payload from its shape, for topics that mix networks (configured as
// network "auto"). It looks at top-level member names only and returns "" when the shape is not one it
// knows.
func DetectNetwork(raw []byte) post.Network {
	var top map[string]jsontext.Value
	if err := json.Unmarshal(raw, &top); err != nil {
		return ""
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := top[n]; !ok {
				return false
			}
		}
		return true
	}
	if kind, ok := top["kind"]; ok {
		var k string
		_ = json.Unmarshal(kind, &k)
		switch k {
		case "t1", "t3":
			return post.NetworkReddit
		case "youtube#commentThread", "youtube#comment":
			return post.NetworkYouTube
		}
		return ""
	}
	switch {
	case has("data"):
		return post.NetworkX // API v2 tweet envelope or compliance event
	case has("event", "payload"), has("account", "content"):
		return post.NetworkMastodon
	case has("rating"):
		return post.NetworkReview
	case has("message", "created_time"):
		return post.NetworkFacebook
	case has("timestamp", "text"):
		return post.NetworkInstagram
	}
	return ""
}
