package clickhouse_test

import (
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestThreadEntities stores posts with own, inherited and no entities, deletes one, and reads them back as
// thread inheritance does: the warm-up by time and the lookup by id.
func TestThreadEntities(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(id string, min int, es ...post.Entity) *post.Post {
		p := testPost(id)
		p.CreatedAt = base.Add(time.Duration(min) * time.Minute)
		p.Entities = es
		return p
	}
	acme := post.Entity{ID: "acme", Brand: "acme", Kind: post.EntityBrand, Matched: "Acme", Start: 0, End: 4}
	zentro := post.Entity{ID: "zentro", Brand: "zentro", Kind: post.EntityBrand, Competitor: true, Start: -1, End: -1}
	del := &post.Post{SchemaVersion: post.SchemaVersion, Action: post.ActionDelete, Network: post.NetworkX, ID: "gone",
		Author: post.Author{ID: "u1"}, IngestedAt: base.Add(time.Hour), EditedAt: base.Add(time.Hour)}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{FlushInterval: 20 * time.Millisecond}, nil, nil)
	// "edited" is stored, then edited to name another brand: the edit's higher version wins.
	edited := mk("edited", 8, acme)
	edit := mk("edited", 8, zentro)
	edit.EditedAt = base.Add(30 * time.Minute)
	in := make(chan *processors.Batch, 3)
	in <- &processors.Batch{Posts: []*post.Post{
		mk("old", -120, acme), mk("own", 0, acme), mk("inherited", 5, zentro), mk("none", 6), mk("gone", 7, acme),
	}}
	in <- &processors.Batch{Posts: []*post.Post{del, edited}}
	in <- &processors.Batch{Posts: []*post.Post{edit}}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}

	got, err := clickhouse.RecentEntities(ctx, conn, base.Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []clickhouse.ThreadPost{
		{UID: post.UID(post.NetworkX, "edited"), CreatedAt: base.Add(8 * time.Minute), IDs: []string{"zentro"}, Brands: []string{"zentro"}, Kinds: []string{"brand"}, Competitor: []uint8{1}},
		{UID: post.UID(post.NetworkX, "inherited"), CreatedAt: base.Add(5 * time.Minute), IDs: []string{"zentro"}, Brands: []string{"zentro"}, Kinds: []string{"brand"}, Competitor: []uint8{1}},
		{UID: post.UID(post.NetworkX, "own"), CreatedAt: base, IDs: []string{"acme"}, Brands: []string{"acme"}, Kinds: []string{"brand"}, Competitor: []uint8{0}},
	}
	for i := range got {
		got[i].CreatedAt = got[i].CreatedAt.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RecentEntities:\n got %+v\nwant %+v", got, want)
	}
	if got, err := clickhouse.RecentEntities(ctx, conn, base.Add(-time.Hour), 1); err != nil || len(got) != 1 || got[0].UID != want[0].UID {
		t.Errorf("RecentEntities with limit 1: got %+v, %v; want the newest", got, err)
	}

	got, err = clickhouse.PostEntities(ctx, conn, "x", []string{"own", "none", "gone", "unknown", "it's'; --", "edited"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, p := range got {
		ids = append(ids, p.UID)
		if p.UID == post.UID(post.NetworkX, "edited") && !reflect.DeepEqual(p.IDs, []string{"zentro"}) {
			t.Errorf("PostEntities of an edited post: got entities %v; want the edit's [zentro]", p.IDs)
		}
	}
	wantIDs := []uint64{post.UID(post.NetworkX, "own"), post.UID(post.NetworkX, "none"), post.UID(post.NetworkX, "edited")}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	sort.Slice(wantIDs, func(i, j int) bool { return wantIDs[i] < wantIDs[j] })
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Errorf("PostEntities: got %v; want own, none and edited, once each (not the deleted or unknown ones)", ids)
	}
	if got, err := clickhouse.PostEntities(ctx, conn, "reddit", []string{"own"}); err != nil || len(got) != 0 {
		t.Errorf("another network: got %+v, %v", got, err)
	}
}
