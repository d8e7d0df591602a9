package features

import (
	"context"
	"reflect"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func TestExtract(t *testing.T) {
	f := func(text string, hashtags, mentions, urls []string) {
		t.Helper()
		got := Extract(text)
		h, m, u := got.Hashtags, got.Mentions, got.URLs
		if !reflect.DeepEqual(h, hashtags) {
			t.Errorf("Extract(%q) hashtags: got %q; want %q", text, h, hashtags)
		}
		if !reflect.DeepEqual(m, mentions) {
			t.Errorf("Extract(%q) mentions: got %q; want %q", text, m, mentions)
		}
		if !reflect.DeepEqual(u, urls) {
			t.Errorf("Extract(%q) urls: got %q; want %q", text, u, urls)
		}
	}
	f("", nil, nil, nil)
	f("plain text, nothing else", nil, nil, nil)
	f("Love my new #AcmePhone! @AcmeSupport thanks", []string{"acmephone"}, []string{"acmesupport"}, nil)
	f("#a #A #a", []string{"a"}, nil, nil)
	f("mail me: jo@example.com or C# is fine", nil, nil, nil)
	f("#2024 is not a tag but #año is", []string{"año"}, nil, nil)
	f("hi @alice@mastodon.social.", nil, []string{"alice@mastodon.social"}, nil)
	f("see https://example.com/x?y=1). and http://a.b", nil, nil, []string{"https://example.com/x?y=1", "http://a.b"})
	f("(https://ex.am/ple), #tag…", []string{"tag"}, nil, []string{"https://ex.am/ple"})
	f("no url: https:// alone; lone # and @ signs", nil, nil, nil)
	f("日本語 #東京 @user_1", []string{"東京"}, []string{"user_1"}, nil)
}

func TestExtractCashtags(t *testing.T) {
	f := func(text string, want ...string) {
		t.Helper()
		if got := Extract(text).Cashtags; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Extract(%q) cashtags: got %q; want %q", text, got, want)
		}
	}
	f("$AAPL up, $aapl again and $BRK.B too", "AAPL", "BRK.B")
	f("it costs $5 or $5.99")
	f("$TOOLONGX is not a ticker, US$ neither")
	f("($ACME) rallies; $zen.", "ACME", "ZEN")
	f("price$ABC is glued")
}

func TestExtractEmoji(t *testing.T) {
	f := func(text string, want ...string) {
		t.Helper()
		if got := Extract(text).Emoji; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Extract(%q) emoji: got %q; want %q", text, got, want)
		}
	}
	f("love it 😍😍 and 🔥", "😍", "🔥")
	f("thumbs 👍🏽 family 👨‍👩‍👧 flag 🇧🇷 heart ❤️", "👍🏽", "👨\u200d👩\u200d👧", "🇧🇷", "❤️")
	f("no emoji — just “quotes” and … 中文")
	f("☕️ time", "☕️")
}

func TestStageProcessKeepsEveryPost(t *testing.T) {
	posts := []*post.Post{{Text: "#x"}, {Text: "no features"}}
	got, err := Stage{}.Process(context.Background(), posts)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Process returned %d posts; want 2", len(got))
	}
	if len(got[0].Hashtags) != 1 || got[0].Hashtags[0] != "x" {
		t.Errorf("first post hashtags: got %q; want [x]", got[0].Hashtags)
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"#a @b https://c", "@@##", "http://", "\xff#\xfe@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Extract(s)
		h, m := got.Hashtags, got.Mentions
		for _, tag := range got.Cashtags {
			if tag == "" {
				t.Fatalf("empty cashtag from %q", s)
			}
		}
		for _, tag := range h {
			if tag == "" {
				t.Fatalf("empty hashtag from %q", s)
			}
		}
		for _, who := range m {
			if who == "" {
				t.Fatalf("empty mention from %q", s)
			}
		}
	})
}
