package entities

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/features"
)

func TestStage(t *testing.T) {
	c, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s := New(c.Recognizer(), reg)
	posts := []*post.Post{
		{ID: "1", Text: "my Acme Pulse 3 keeps disconnecting @acmesupport"},
		{ID: "2", Text: "nothing to see here"},
		{ID: "3", Action: post.ActionDelete},
		{ID: "4", Title: "Zentro or Acme?", Text: "thinking about it #Fluxbank"},
	}
	// The stage reads the tags the features stage extracts.
	posts, _ = features.Stage{}.Process(context.Background(), posts)
	out, err := s.Process(context.Background(), posts)
	if err != nil || len(out) != 4 {
		t.Fatalf("got %d posts, %v", len(out), err)
	}
	want := [][]string{{"acme", "acme/pulse-3"}, nil, nil, {"fluxbank", "zentro", "acme"}}
	for i, p := range out {
		var got []string
		for _, e := range p.Entities {
			got = append(got, e.ID)
		}
		if len(got) != len(want[i]) {
			t.Fatalf("post %s: got %v; want %v", p.ID, got, want[i])
		}
		for k := range got {
			if got[k] != want[i][k] {
				t.Fatalf("post %s: got %v; want %v", p.ID, got, want[i])
			}
		}
	}
	if e := out[0].Entities[1]; e.Start != 3 || e.End != 15 || e.Matched != "Acme Pulse 3" {
		t.Errorf("span: %+v", e)
	}
	if e := out[3].Entities[1]; e.Start != -1 || !e.Competitor {
		t.Errorf("title entity: %+v", e)
	}
	if got := counter(t, s.mentions.WithLabelValues("brand")); got != 4 {
		t.Errorf("brand mentions: got %v; want 4", got)
	}
	if got := counter(t, s.posts); got != 2 {
		t.Errorf("posts with entities: got %v; want 2", got)
	}
}

func TestEmptyCatalogue(t *testing.T) {
	s := New(nil, nil)
	p := &post.Post{Text: "Acme"}
	if _, err := s.Process(context.Background(), []*post.Post{p}); err != nil || p.Entities != nil {
		t.Fatalf("got %v, %v", p.Entities, err)
	}
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
