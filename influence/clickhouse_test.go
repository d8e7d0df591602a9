package influence_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func mk(network post.Network, id, author, handle string, followers int64, at time.Duration, likes int64) *post.Post {
	return &post.Post{
		SchemaVersion: post.SchemaVersion, Network: network, ID: id,
		Author:     post.Author{ID: author, Handle: handle, Followers: followers, Following: -1},
		Text:       "text of " + id,
		CreatedAt:  t0.Add(at),
		IngestedAt: t0.Add(at),
		Engagement: post.Engagement{Likes: likes, Reposts: likes / 3, Replies: likes / 5, Quotes: likes / 7},
	}
}

// fixturePosts is a small world on two networks: replies with and without the parent's author, quotes,
// reposts, mentions by handle (upper-case handle in the profile), a self reply, a post outside the window, a
// deleted post, and a later edit of a post.
func fixturePosts() (stored, deletes []*post.Post) {
	x := post.NetworkX
	a1 := mk(x, "1", "A", "Alice", 1000, 1*time.Hour, 30)
	b1 := mk(x, "2", "B", "bob", 50, 2*time.Hour, 3)
	reply := mk(x, "3", "B", "bob", 55, 3*time.Hour, 1) // B → A with the author id
	reply.Refs.ReplyToID, reply.Refs.ReplyToAuthorID = "1", "A"
	reply.Mentions = []string{"alice"}                            // the reply mention: the post still counts once for A
	replyNoAuthor := mk(x, "4", "C", "carol", 10, 4*time.Hour, 0) // C → A through the parent post
	replyNoAuthor.Refs.ReplyToID = "1"
	quote := mk(x, "5", "C", "carol", 12, 5*time.Hour, 2) // C → B
	quote.Refs.QuoteOfID = "2"
	repost := mk(x, "6", "D", "dan", 0, 6*time.Hour, 0) // D → A
	repost.Refs.RepostOfID = "1"
	mention := mk(x, "7", "D", "dan", 0, 7*time.Hour, 0) // D → B and D → C by handle; unknown handle ignored
	mention.Mentions = []string{"bob", "carol", "nobody"}
	self := mk(x, "8", "A", "Alice", 1200, 8*time.Hour, 10) // self reply: no edge
	self.Refs.ReplyToID, self.Refs.ReplyToAuthorID = "1", "A"
	old := mk(x, "9", "E", "eve", 5, -48*time.Hour, 100) // before the window: not an author, but its post can be referenced
	toOld := mk(x, "10", "B", "bob", 55, 9*time.Hour, 0) // B → E
	toOld.Refs.QuoteOfID = "9"
	gone := mk(x, "11", "C", "carol", 12, 10*time.Hour, 500) // deleted later: neither engagement nor edges
	gone.Refs.ReplyToID, gone.Refs.ReplyToAuthorID = "2", "B"
	del := &post.Post{SchemaVersion: post.SchemaVersion, Action: post.ActionDelete, Network: x, ID: "11",
		Author: post.Author{ID: "C"}, EditedAt: t0.Add(11 * time.Hour), IngestedAt: t0.Add(11 * time.Hour)}
	edited := mk(x, "12", "A", "Alice", 1300, 11*time.Hour, 1)
	edit := *edited
	edit.EditedAt, edit.Engagement.Likes = t0.Add(12*time.Hour), 40

	r := post.NetworkReddit
	r1 := mk(r, "t3_a", "ra", "RedA", -1, 2*time.Hour, 20)
	r2 := mk(r, "t1_b", "rb", "redb", -1, 3*time.Hour, 4)
	r2.Refs.ReplyToID = "t3_a"

	stored = []*post.Post{a1, b1, reply, replyNoAuthor, quote, repost, mention, self, old, toOld, gone, edited, &edit, r1, r2}
	return stored, []*post.Post{del}
}

func TestLoadMatchesAggregateAndWrite(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stored, deletes := fixturePosts()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 2)
	in <- &processors.Batch{Posts: stored}
	in <- &processors.Batch{Posts: deletes}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatalf("writing posts: %v", err)
	}

	win := influence.Window{From: t0, To: t0.Add(24 * time.Hour), HalfLife: 6 * time.Hour}
	authors, links, err := influence.Load(ctx, conn, win)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// The in-memory aggregation over the current state (latest versions, deleted post removed) must agree.
	var current []*post.Post
	for _, p := range stored {
		if p.ID == "11" || p.ID == "12" && p.EditedAt.IsZero() {
			continue
		}
		current = append(current, p)
	}
	wantA, wantL := influence.Aggregate(current, win)
	sortAuthors(authors)
	sortLinks(links)
	if len(authors) != len(wantA) {
		t.Fatalf("Load gave %d authors %+v; Aggregate %d %+v", len(authors), authors, len(wantA), wantA)
	}
	for i := range authors {
		g, x := authors[i], wantA[i]
		if g.Network != x.Network || g.ID != x.ID || g.Handle != x.Handle || g.Followers != x.Followers || g.Posts != x.Posts ||
			math.Abs(g.Engagement-x.Engagement) > 1e-6*math.Max(1, x.Engagement) {
			t.Errorf("author %d: Load %+v; Aggregate %+v", i, g, x)
		}
	}
	wantLinks := []influence.Link{
		{Network: "reddit", From: "rb", To: "ra", Weight: 1},
		{Network: "x", From: "B", To: "A", Weight: 1},
		{Network: "x", From: "B", To: "E", Weight: 1},
		{Network: "x", From: "C", To: "A", Weight: 1},
		{Network: "x", From: "C", To: "B", Weight: 1},
		{Network: "x", From: "D", To: "A", Weight: 1},
		{Network: "x", From: "D", To: "B", Weight: 1},
		{Network: "x", From: "D", To: "C", Weight: 1},
	}
	for name, got := range map[string][]influence.Link{"Load": links, "Aggregate": wantL} {
		if len(got) != len(wantLinks) {
			t.Fatalf("%s links: got %+v; want %+v", name, got, wantLinks)
		}
		for i := range got {
			if got[i] != wantLinks[i] {
				t.Errorf("%s link %d: got %+v; want %+v", name, i, got[i], wantLinks[i])
			}
		}
	}
	// The edit won: A's latest followers and the edited likes count.
	for _, a := range authors {
		if a.Network == "x" && a.ID == "A" && a.Followers != 1300 {
			t.Errorf("A's followers: got %d; want 1300 (from the latest post)", a.Followers)
		}
	}

	res, err := influence.Compute(authors, links, influence.Options{})
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	at := t0.Add(25 * time.Hour)
	if err := influence.Write(ctx, conn, res, win, at); err != nil {
		t.Fatalf("Write: %v", err)
	}
	// Writing the same computation again changes nothing visible.
	if err := influence.Write(ctx, conn, res, win, at); err != nil {
		t.Fatalf("Write again: %v", err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM author_influence FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(res.Scores) {
		t.Errorf("author_influence rows: got %d; want %d", n, len(res.Scores))
	}
	var score, audience float32
	var followers int64
	var computed time.Time
	if err := conn.QueryRow(ctx, "SELECT score, audience, followers, computed_at FROM author_influence FINAL WHERE network = 'x' AND author_id = 'A'").
		Scan(&score, &audience, &followers, &computed); err != nil {
		t.Fatal(err)
	}
	var want influence.Score
	for _, s := range res.Scores {
		if s.Network == "x" && s.AuthorID == "A" {
			want = s
		}
	}
	if math.Abs(float64(score)-want.Score) > 1e-4 || math.Abs(float64(audience)-want.Audience) > 1e-4 || followers != 1300 || !computed.Equal(at) {
		t.Errorf("stored A: score %v audience %v followers %d at %s; want %v %v 1300 %s", score, audience, followers, computed, want.Score, want.Audience, at)
	}

	snap, err := influence.LoadStored(ctx, conn, 0)
	if err != nil {
		t.Fatalf("LoadStored: %v", err)
	}
	if len(snap.Authors) != len(res.Scores) || len(snap.Networks) != 2 || snap.Version != uint64(at.UnixMilli()) {
		t.Errorf("LoadStored: %d authors, %d networks, version %d; want %d, 2, %d", len(snap.Authors), len(snap.Networks), snap.Version, len(res.Scores), at.UnixMilli())
	}
	again, err := influence.LoadStored(ctx, conn, snap.Version)
	if err != nil {
		t.Fatalf("LoadStored after: %v", err)
	}
	if len(again.Authors) != 0 || len(again.Networks) != 0 || again.Version != snap.Version {
		t.Errorf("LoadStored after the latest version: %+v; want nothing new", again)
	}
}
