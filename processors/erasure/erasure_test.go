package erasure

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

func TestStageDropsErasedAuthorsAndRefreshes(t *testing.T) {
	list := map[string]map[string]bool{"x": {"u1": true}}
	var fail bool
	loads := 0
	s := New(func(context.Context) (map[string]map[string]bool, error) {
		loads++
		if fail {
			return nil, errors.New("clickhouse down")
		}
		return list, nil
	}, time.Minute, nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	mk := func() []*post.Post {
		return []*post.Post{
			{Network: "x", ID: "1", Author: post.Author{ID: "u1"}},
			{Network: "x", ID: "2", Author: post.Author{ID: "u2"}},
			{Network: "reddit", ID: "3", Author: post.Author{ID: "u1"}},
			{Network: "x", ID: "4", Author: post.Author{ID: "u1"}, Action: post.ActionDelete},
		}
	}
	ids := func(ps []*post.Post) (out []string) {
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	f := func(want string) {
		t.Helper()
		got, err := s.Process(context.Background(), mk())
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if g := ids(got); len(g) == 0 && want != "" || len(g) > 0 && want != strings.Join(g, ",") {
			t.Errorf("kept %v; want %s", g, want)
		}
	}
	f("2,3,4") // u1 on x erased; same id on reddit is someone else; delete notices pass
	list = map[string]map[string]bool{"x": {"u1": true, "u2": true}}
	f("2,3,4") // not refreshed yet
	now = now.Add(time.Minute)
	f("3,4")
	if loads != 2 {
		t.Errorf("loads: got %d; want 2", loads)
	}
	fail = true
	now = now.Add(2 * time.Minute)
	f("3,4") // a failed reload keeps the last list
	now = now.Add(20 * time.Minute)
	if _, err := s.Process(context.Background(), mk()); err == nil {
		t.Error("Process with a list older than ten refresh intervals: got nil; want an error")
	}
}

func TestStageFirstLoadMustSucceed(t *testing.T) {
	s := New(func(context.Context) (map[string]map[string]bool, error) { return nil, errors.New("down") }, 0, nil)
	if _, err := s.Process(context.Background(), nil); err == nil {
		t.Error("Process without a first load: got nil; want an error")
	}
}
