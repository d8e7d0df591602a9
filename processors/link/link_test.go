package link

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/post"
)

type fakeStore struct {
	dir      *identity.Directory
	rows     []identity.Link // every row written
	loadErr  error
	loads    int
	opalHash string
}

// states returns the latest row per pair, as customer_links FINAL does.
func (f *fakeStore) states() []identity.Link {
	latest := map[pair]identity.Link{}
	for _, l := range f.rows {
		k := pair{l.Network, l.AuthorID, l.CustomerID}
		if old, ok := latest[k]; !ok || l.Version >= old.Version {
			latest[k] = l
		}
	}
	var out []identity.Link
	for _, l := range latest {
		out = append(out, l)
	}
	return out
}

func (f *fakeStore) stage(cache int) *Stage {
	return New(func(context.Context) (*identity.Directory, []identity.Link, error) {
		f.loads++
		if f.loadErr != nil {
			return nil, nil, f.loadErr
		}
		return f.dir, f.states(), nil
	}, func(_ context.Context, ls []identity.Link) error {
		f.rows = append(f.rows, ls...)
		return nil
	}, time.Hour, cache, nil)
}

func newStore(t *testing.T) *fakeStore {
	t.Helper()
	h, err := pii.New([]byte("link-stage-test-key-0123"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []identity.Customer
	for i, r := range []identity.CustomerRecord{
		{ID: "c1", Name: "Zed Quill", Handles: []string{"x:zedq"}, Consent: true},
		{ID: "c2", Name: "Opal Wren", Emails: []string{"opal@example.org"}, Consent: true},
		{ID: "c3", Name: "Ivo Lark", Handles: []string{"x:ivo"}, Consent: false},
	} {
		c, err := identity.NewCustomer(h, r, uint64(i+1), time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	d, err := identity.NewDirectory(cs, h, identity.MatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeStore{dir: d}
	f.opalHash = h.Email("opal@example.org")
	return f
}

func xPost(id, authorID, handle string, at time.Time) *post.Post {
	return &post.Post{Network: post.NetworkX, ID: id, Author: post.Author{ID: authorID, Handle: handle, DisplayName: handle}, CreatedAt: at}
}

func run(t *testing.T, s *Stage, posts ...*post.Post) {
	t.Helper()
	out, err := s.Process(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(posts) {
		t.Fatalf("the stage must pass every post on: got %d of %d", len(out), len(posts))
	}
}

func TestLinksAreWrittenOnceAndReplaysChangeNothing(t *testing.T) {
	f := newStore(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := f.stage(100)
	p := xPost("1", "a1", "zedq", at)
	run(t, s, p, xPost("2", "a1", "zedq", at.Add(time.Minute)))
	if len(f.rows) != 1 || f.rows[0].Status != identity.StatusAuto || f.rows[0].CustomerID != "c1" || f.rows[0].Evidence[0] != "handle confirmed" {
		t.Fatalf("rows: got %+v; want one automatic link to c1 by confirmed handle", f.rows)
	}
	if f.rows[0].Version != identity.LinkVersion(false, at) {
		t.Errorf("version: got %d; want the post's content time", f.rows[0].Version)
	}
	// The same post again in this process, and after a restart: nothing new.
	run(t, s, p)
	run(t, f.stage(100), p)
	if len(f.rows) != 1 {
		t.Fatalf("a replay wrote again: %+v", f.rows)
	}
	// Customers without consent are never linked; brand accounts and deletes are not looked up.
	noConsent := xPost("3", "a3", "ivo", at)
	brand := xPost("5", "a5", "zedq", at)
	brand.Author.Brand = true
	run(t, s, noConsent, brand, &post.Post{Action: post.ActionDelete, Network: post.NetworkX, ID: "4", Author: post.Author{ID: "a1"}})
	if len(f.rows) != 1 {
		t.Fatalf("unexpected rows: %+v", f.rows[1:])
	}
}

func TestRejectedPairsStayRejected(t *testing.T) {
	f := newStore(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.rows = append(f.rows, identity.Link{Network: "x", AuthorID: "a2", CustomerID: "c2", Status: identity.StatusRejected,
		DecidedBy: "alice", Version: identity.LinkVersion(true, at)})
	s := f.stage(100)
	p := xPost("10", "a2", "someone", at.Add(time.Hour))
	p.PII.Emails = []string{f.opalHash}
	run(t, s, p)
	if len(f.rows) != 1 {
		t.Fatalf("a rejected pair was written again: %+v", f.rows[1:])
	}
	// Another author with the same e-mail is still linked.
	q := xPost("11", "a9", "other", at.Add(time.Hour))
	q.PII.Emails = []string{f.opalHash}
	run(t, s, q)
	if len(f.rows) != 2 || f.rows[1].AuthorID != "a9" || f.rows[1].Status != identity.StatusAuto {
		t.Fatalf("rows: got %+v; want a9 linked to c2", f.rows)
	}
}

func TestLoadFailures(t *testing.T) {
	f := newStore(t)
	f.loadErr = errors.New("clickhouse down")
	s := f.stage(100)
	if _, err := s.Process(context.Background(), []*post.Post{xPost("1", "a1", "zedq", time.Now())}); err == nil {
		t.Fatal("the first load failing must stop the stage")
	}
	f.loadErr = nil
	run(t, s, xPost("1", "a1", "zedq", time.Now()))
	// A later failure keeps the directory.
	f.loadErr = errors.New("clickhouse down")
	s.loadedAt = s.loadedAt.Add(-2 * time.Hour)
	run(t, s, xPost("2", "a2", "zedq", time.Now()))
	if len(f.rows) != 2 {
		t.Errorf("rows: got %d; want 2 (lookups go on with the last directory)", len(f.rows))
	}
}

func TestCacheIsBounded(t *testing.T) {
	f := newStore(t)
	s := f.stage(10)
	for i := range 1000 {
		run(t, s, xPost(fmt.Sprint(i), fmt.Sprintf("a%d", i), "nobody", time.Now()))
		if n := len(s.cur) + len(s.prev); n > 10 {
			t.Fatalf("cache holds %d authors; want at most 10", n)
		}
	}
}

func TestConsentWithdrawnDropsLinks(t *testing.T) {
	f := newStore(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := f.stage(100)
	clock := at
	s.now = func() time.Time { return clock }
	run(t, s, xPost("1", "a1", "zedq", at))
	if len(f.rows) != 1 || f.rows[0].Status != identity.StatusAuto {
		t.Fatalf("rows: %+v", f.rows)
	}
	// c1 withdraws consent: the next directory no longer lets it be linked.
	h, _ := pii.New([]byte("link-stage-test-key-0123"))
	c, _ := identity.NewCustomer(h, identity.CustomerRecord{ID: "c1", Name: "Zed Quill", Handles: []string{"x:zedq"}}, 9, at)
	d, err := identity.NewDirectory([]identity.Customer{c}, h, identity.MatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.dir = d
	clock = at.Add(2 * time.Hour)
	run(t, s, xPost("2", "a1", "zedq", at.Add(time.Minute)))
	if len(f.rows) != 2 || f.rows[1].Status != identity.StatusDropped || f.rows[1].Version <= f.rows[0].Version {
		t.Fatalf("rows: got %+v; want the link dropped with a higher version", f.rows)
	}
	// Reloading again writes nothing more.
	clock = at.Add(4 * time.Hour)
	run(t, s, xPost("3", "a1", "zedq", at.Add(2*time.Minute)))
	if len(f.rows) != 2 {
		t.Errorf("a dropped link was written again: %+v", f.rows[2:])
	}
}

func TestChangedProfileDropsTheLink(t *testing.T) {
	f := newStore(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := f.stage(100)
	run(t, s, xPost("1", "a1", "zedq", at))
	// The author changes handle: the confirmed handle no longer matches.
	run(t, s, xPost("2", "a1", "someoneelse", at.Add(time.Hour)))
	if len(f.rows) != 2 || f.rows[1].Status != identity.StatusDropped || f.rows[1].Version <= f.rows[0].Version {
		t.Fatalf("rows: got %+v; want the link dropped", f.rows)
	}
	// An older post read late (the old handle) does not bring the link back over the newer decision.
	run(t, s, xPost("0", "a1", "zedq", at.Add(-time.Hour)))
	if len(f.rows) != 2 {
		t.Errorf("an older post overruled a newer decision: %+v", f.rows[2:])
	}
}
