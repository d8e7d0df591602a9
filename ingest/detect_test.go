package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

// TestDetectNetworkOnEveryGoldenPayload checks shape detection on the test payload of every network.
func TestDetectNetworkOnEveryGoldenPayload(t *testing.T) {
	for _, network := range []post.Network{post.NetworkX, post.NetworkMastodon, post.NetworkReddit, post.NetworkYouTube,
		post.NetworkFacebook, post.NetworkInstagram, post.NetworkReview} {
		paths, _ := filepath.Glob(filepath.Join("testdata", string(network), "*.json"))
		n := 0
		for _, path := range paths {
			if strings.HasSuffix(path, ".golden.json") {
				continue
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			n++
			if got := DetectNetwork(raw); got != network {
				t.Errorf("DetectNetwork(%s): got %q; want %q", path, got, network)
			}
		}
		if n == 0 {
			t.Errorf("no payloads for %s", network)
		}
	}
	for _, raw := range []string{`[]`, `{"foo":1}`, `not json`, `{"kind":"t5"}`} {
		if got := DetectNetwork([]byte(raw)); got != "" {
			t.Errorf("DetectNetwork(%s): got %q; want none", raw, got)
		}
	}
}
