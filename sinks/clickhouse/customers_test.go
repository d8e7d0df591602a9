package clickhouse_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

func TestCustomersRoundTrip(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	at := time.Unix(1_700_000_000, 0).UTC()
	v1 := []identity.Customer{
		{ID: "c1", Name: "Jane Doe", EmailHMACs: []string{"e1"}, PhoneHMACs: []string{}, LocalHMACs: []string{"l1", "l2"}, Handles: []string{"x:jane"},
			Websites: []string{"janedoe.dev"}, City: "Leeds", Consent: true, Segment: "gold", LifetimeValue: 12.5, Version: 1, UpdatedAt: at},
		{ID: "c2", Name: "Old Name", Version: 1, UpdatedAt: at},
	}
	if err := clickhouse.WriteCustomers(ctx, conn, v1); err != nil {
		t.Fatal(err)
	}
	// c2 is deleted in a later version; c1 is written again unchanged (a replay).
	if err := clickhouse.WriteCustomers(ctx, conn, []identity.Customer{v1[0], {ID: "c2", Deleted: true, Version: 2, UpdatedAt: at}}); err != nil {
		t.Fatal(err)
	}
	got, err := clickhouse.LoadCustomers(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 1 {
		got[0].UpdatedAt = got[0].UpdatedAt.UTC()
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], v1[0]) {
		t.Fatalf("loaded %+v; want only %+v", got, v1[0])
	}
}

func TestLinksAnalystDecisionsStick(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	post := time.Unix(1_700_000_000, 0).UTC()
	auto := identity.Link{Network: "x", AuthorID: "42", CustomerID: "c1", Status: identity.StatusAuto, Probability: 0.97,
		Evidence: []string{"name exact"}, DecidedBy: identity.AutomaticDecider, Version: identity.LinkVersion(false, post), UpdatedAt: post}
	// The same automatic decision written twice (a replay) is one visible state.
	for range 2 {
		if err := clickhouse.WriteLinks(ctx, conn, []identity.Link{auto}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := clickhouse.LinkHistory(ctx, conn, clickhouse.LinkFilter{Network: "x", AuthorID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Fatalf("history after a replayed decision: got %d rows %+v; want 1", len(hist), hist)
	}
	// An analyst rejects; a later post makes the pipeline write an automatic link again: rejected stays.
	rej := auto
	rej.Status, rej.DecidedBy, rej.Version, rej.UpdatedAt = identity.StatusRejected, "alice", identity.LinkVersion(true, post.Add(time.Hour)), post.Add(time.Hour)
	later := auto
	later.Version, later.UpdatedAt = identity.LinkVersion(false, post.Add(48*time.Hour)), post.Add(48*time.Hour)
	if err := clickhouse.WriteLinks(ctx, conn, []identity.Link{rej}); err != nil {
		t.Fatal(err)
	}
	if err := clickhouse.WriteLinks(ctx, conn, []identity.Link{later}); err != nil {
		t.Fatal(err)
	}
	states, err := clickhouse.LinkStates(ctx, conn, clickhouse.LinkFilter{CustomerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].Status != identity.StatusRejected || states[0].DecidedBy != "alice" {
		t.Fatalf("state: got %+v; want rejected by alice", states)
	}
	review, err := clickhouse.LinkStates(ctx, conn, clickhouse.LinkFilter{Status: identity.StatusAuto})
	if err != nil {
		t.Fatal(err)
	}
	if len(review) != 0 {
		t.Errorf("auto filter applies to the current state: got %+v; want none", review)
	}
}
