package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestComplianceEditsDeletesErasure sends edits and deletes of every network through the pipeline, erases
// one author, replays everything, and checks what queries see: an edited post once with its last text, and
// no trace of deleted posts or of the erased author.
func TestComplianceEditsDeletesErasure(t *testing.T) {
	e := newKfakeEnv(t, 2)
	conn, name := e.conn, e.namespace

	js := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tweet := func(id, author, text, created string, history ...string) []byte {
		if len(history) == 0 {
			history = []string{id}
		}
		return js(map[string]any{
			"data": map[string]any{"id": id, "author_id": author, "text": text, "created_at": created, "lang": "en",
				"edit_history_tweet_ids": history},
			"includes": map[string]any{"users": []any{map[string]any{"id": author, "username": "user" + author, "name": "User"}}},
		})
	}
	status := func(id, account, content, created, edited string) map[string]any {
		s := map[string]any{"id": id, "created_at": created, "content": content, "language": "en",
			"account": map[string]any{"id": account, "acct": "u" + account, "username": "u" + account}}
		if edited != "" {
			s["edited_at"] = edited
		}
		return s
	}
	comment := func(id, author, body string, created float64) []byte {
		return js(map[string]any{"kind": "t1", "data": map[string]any{"id": id, "author": author, "author_fullname": "t2_" + author,
			"body": body, "created_utc": created, "link_id": "t3_x", "parent_id": "t3_x", "permalink": "/r/x/" + id}})
	}
	const (
		t1     = "1790000000000000000"
		t1edit = "1790000100000000000"
		t2     = "1790000200000000000"
	)
	ns := name + "."
	records := []*kgo.Record{
		{Topic: ns + "social.raw.x", Key: []byte(t1), Value: tweet(t1, "11", "first text", "2024-05-13T10:00:00Z")},
		{Topic: ns + "social.raw.x", Key: []byte(t1), Value: tweet(t1edit, "11", "second text", "2024-05-13T10:20:00Z", t1, t1edit)},
		{Topic: ns + "social.raw.x", Key: []byte(t2), Value: tweet(t2, "12", "regret this", "2024-05-13T11:00:00Z")},
		{Topic: ns + "social.raw.x", Key: []byte(t2), Value: js(map[string]any{"data": map[string]any{"delete": map[string]any{
			"tweet": map[string]any{"id": t2, "author_id": "12"}, "event_at": "2024-05-13T12:00:00.000Z"}}})},
		{Topic: ns + "social.raw.x", Key: []byte(t1edit), Value: js(map[string]any{"data": map[string]any{"tweet_edit": map[string]any{
			"tweet": map[string]any{"id": t1edit, "author_id": "11"}, "initial_tweet_id": t1, "event_at": "2024-05-13T10:20:00.000Z"}}})},
		{Topic: ns + "social.raw.mastodon", Key: []byte("m1"), Value: js(status("m1", "9", "<p>gone soon</p>", "2024-05-13T10:00:00.000Z", ""))},
		{Topic: ns + "social.raw.mastodon", Key: []byte("m1"), Value: js(map[string]any{"event": "delete", "payload": "m1"})},
		{Topic: ns + "social.raw.mastodon", Key: []byte("m2"), Value: js(status("m2", "9", "<p>typo teh</p>", "2024-05-13T10:00:00.000Z", ""))},
		{Topic: ns + "social.raw.mastodon", Key: []byte("m2"), Value: js(map[string]any{"event": "status.update",
			"payload": string(js(status("m2", "9", "<p>typo the</p>", "2024-05-13T10:00:00.000Z", "2024-05-13T10:05:00.000Z")))})},
		{Topic: ns + "social.raw.reddit", Key: []byte("r1"), Value: comment("r1", "eraseme", "my data", 1715594400)},
		{Topic: ns + "social.raw.reddit", Key: []byte("r2"), Value: comment("r2", "eraseme", "more of my data", 1715594500)},
		{Topic: ns + "social.raw.reddit", Key: []byte("r3"), Value: comment("r3", "mod", "spam", 1715594600)},
		{Topic: ns + "social.raw.reddit", Key: []byte("r3"), Value: comment("r3", "mod", "[removed]", 1715594600)},
	}
	cl := newClient(t, e.brokers)
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), records...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	p := e.newPipeline(t, e.group)
	runUntil(t, p, int64(len(records)), time.Minute)
	if got := p.Consumer.Stats().Rejected; got != 0 {
		t.Fatalf("%d records rejected; want none", got)
	}

	ctx := context.Background()
	er, err := clickhouse.Erase(ctx, conn, "reddit", "eraseme", 0)
	if err != nil {
		t.Fatalf("Erase: %v", err)
	}
	if er.Posts != 2 {
		t.Errorf("Erase removed %d posts; want 2", er.Posts)
	}

	// A full replay must not bring anything back.
	replay := e.newPipeline(t, e.group+"_replay")
	runUntil(t, replay, int64(len(records)), time.Minute)

	visible := map[string]string{}
	rows, err := conn.Query(ctx, "SELECT network, post_id, text FROM posts FINAL WHERE deleted = 0")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var network, id, text string
		if err := rows.Scan(&network, &id, &text); err != nil {
			t.Fatal(err)
		}
		if _, dup := visible[network+"/"+id]; dup {
			t.Errorf("%s/%s visible twice", network, id)
		}
		visible[network+"/"+id] = text
	}
	rows.Close()
	want := map[string]string{"x/" + t1: "second text", "mastodon/m2": "typo the"}
	if len(visible) != len(want) {
		t.Errorf("visible posts: got %v; want %v", visible, want)
	}
	for k, text := range want {
		if visible[k] != text {
			t.Errorf("%s: got text %q; want %q (the last edit)", k, visible[k], text)
		}
	}
	var erasedRows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts WHERE author_id = 'eraseme'").Scan(&erasedRows); err != nil {
		t.Fatal(err)
	}
	if erasedRows != 0 {
		t.Errorf("%d rows of the erased author remain (any version); want 0", erasedRows)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM influence_posts WHERE author_id = 'eraseme'").Scan(&erasedRows); err != nil {
		t.Fatal(err)
	}
	if erasedRows != 0 {
		t.Errorf("%d influence_posts rows of the erased author remain; want 0", erasedRows)
	}
}
