package pipeline_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/ingest"
)

// TestNetworkFromHeaderAndShape reads a topic configured as "auto" that mixes networks, and a record whose
// header names its network, and checks each lands as the right network.
func TestNetworkFromHeaderAndShape(t *testing.T) {
	e := newKfakeEnv(t, 1, "social.raw.mixed")
	conn, name := e.conn, e.namespace
	mixed := name + ".social.raw.mixed"
	read := func(path string) []byte {
		b, err := os.ReadFile("../ingest/testdata/" + path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	recs := []*kgo.Record{
		{Topic: mixed, Value: read("x/original.json")},
		{Topic: mixed, Value: read("reddit/comment.json")},
		{Topic: mixed, Value: read("youtube/thread.json")},
		{Topic: mixed, Value: read("mastodon/plain.json"), Headers: []kgo.RecordHeader{{Key: ingest.HeaderNetwork, Value: []byte("mastodon")}}},
		{Topic: mixed, Value: []byte(`{"what":"is this"}`)},
	}
	cl := newClient(t, e.brokers)
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// The "mixed" suffix names no network: the topic is configured as auto.
	p := e.newPipelineWithNetworks(t, e.group, map[string]string{mixed: ingest.AutoNetwork})
	runUntil(t, p, int64(len(recs)), time.Minute)
	if got := p.Consumer.Stats().Rejected; got != 1 {
		t.Errorf("rejected %d records; want 1 (the payload of no known shape)", got)
	}
	got := map[string]uint64{}
	rows, err := conn.Query(context.Background(), "SELECT network, count() FROM posts FINAL WHERE deleted = 0 GROUP BY network")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		var c uint64
		if err := rows.Scan(&n, &c); err != nil {
			t.Fatal(err)
		}
		got[n] = c
	}
	rows.Close()
	for _, n := range []string{"x", "reddit", "youtube", "mastodon"} {
		if got[n] != 1 {
			t.Errorf("posts of %s: got %d; want 1 (all: %v)", n, got[n], got)
		}
	}
}
