package sentiment

import (
	"context"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func TestStageScoresSupportedLanguagesOnly(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := NewStage(a, "", nil)
	posts := []*post.Post{
		{Lang: "en", Text: "I absolutely love this phone, the camera is amazing!"},
		{Lang: "en", Text: "Worst support ever. Still broken after three weeks."},
		{Lang: "de", Text: "Ich liebe dieses Handy"},
		{Lang: "", Text: "no language known"},
		{Lang: "en", Action: post.ActionDelete},
	}
	if _, err := s.Process(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
	if p := posts[0].Sentiment; p == nil || p.Label != 1 || p.Score <= 0 || len(p.Drivers) == 0 || p.Model != ModelVersion {
		t.Errorf("positive English post: got %+v; want label 1, positive score, drivers and model %s", p, ModelVersion)
	}
	if p := posts[1].Sentiment; p == nil || p.Label != -1 || p.Score >= 0 {
		t.Errorf("negative English post: got %+v; want label -1 and a negative score", p)
	}
	for i := 2; i < len(posts); i++ {
		if posts[i].Sentiment != nil {
			t.Errorf("post %d (lang %q, action %v): got sentiment %+v; want unscored", i, posts[i].Lang, posts[i].Action, posts[i].Sentiment)
		}
	}
	// With an assumed language, posts without one are scored.
	s = NewStage(a, "en", nil)
	p := &post.Post{Text: "great service, thanks!"}
	if _, err := s.Process(context.Background(), []*post.Post{p}); err != nil {
		t.Fatal(err)
	}
	if p.Sentiment == nil {
		t.Error("post without language under assumeUnknown=en: got unscored; want scored")
	}
}
