package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

const testPIIKey = "customers-test-key-0123456789"

// TestCustomersImportLinkAndReview runs the whole path on a real ClickHouse: CSV import with a bad row, the
// link stage linking an author, an analyst's rejection that survives later posts, and the history.
func TestCustomersImportLinkAndReview(t *testing.T) {
	conn, cc := testenv.ClickHouse(t)
	ctx := context.Background()
	t.Setenv("RAPPORT_CLICKHOUSE_ADDR", strings.Join(cc.Addr, ","))
	t.Setenv("RAPPORT_CLICKHOUSE_DATABASE", cc.Database)
	t.Setenv("RAPPORT_PII_KEY", testPIIKey)
	t.Setenv("RAPPORT_CUSTOMERS_LINK", "true")

	csvPath := filepath.Join(t.TempDir(), "crm.csv")
	if err := os.WriteFile(csvPath, []byte("id,full name,mail,handles,opt in\n"+
		"C1,Zed Quill,zed@example.com,x:zedq,yes\n"+
		"C2,Bad Mail,not-an-address,,yes\n"+
		"C3,Opal Wren,opal@example.org,,no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := customersImport(ctx, &out, &errOut, []string{"-map", "id=id,name=full name,email=mail,consent=opt in", csvPath})
	if err == nil || !strings.Contains(err.Error(), "1 rows rejected") {
		t.Errorf("import: got error %v; want one saying 1 row was rejected", err)
	}
	if !strings.Contains(errOut.String(), "line 3: emails[0]: not an e-mail address") || !strings.Contains(out.String(), `"imported":2`) {
		t.Errorf("import output: stdout %q, stderr %q", out.String(), errOut.String())
	}
	customers, err := clickhouse.LoadCustomers(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(customers) != 2 {
		t.Fatalf("customers stored: got %d; want 2", len(customers))
	}
	for _, c := range customers {
		for _, v := range append(c.EmailHMACs, c.LocalHMACs...) {
			if strings.Contains(v, "@") || strings.Contains(v, "zed") || strings.Contains(v, "opal") {
				t.Errorf("customer %s stores %q: e-mails must be stored as keyed hashes only", c.ID, v)
			}
		}
	}

	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	stages := wiring.LinkStages(cfg, conn, nil)
	if len(stages) != 1 || stages[0].Name() != "link" {
		t.Fatalf("link stages with customers.link on: got %v", stages)
	}
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	postBy := func(id string, t0 time.Time) []*post.Post {
		return []*post.Post{{Network: post.NetworkX, ID: id, CreatedAt: t0, Author: post.Author{ID: "42", Handle: "ZedQ", DisplayName: "Zed"}}}
	}
	if _, err := stages[0].Process(ctx, postBy("p1", at)); err != nil {
		t.Fatal(err)
	}
	var list bytes.Buffer
	if err := runLinks(ctx, conn, &list, "list", clickhouse.LinkFilter{Status: identity.StatusAuto}, "", at); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list.String(), `"customer_id":"C1"`) || !strings.Contains(list.String(), "handle confirmed") {
		t.Fatalf("links list: got %q; want C1 linked by its confirmed handle", list.String())
	}
	pair := clickhouse.LinkFilter{Network: "x", AuthorID: "42", CustomerID: "C1"}
	if err := runLinks(ctx, conn, &list, "reject", pair, "", at); err == nil {
		t.Error("a decision without -by or $USER must be refused")
	}
	if err := runLinks(ctx, conn, &list, "reject", pair, "alice", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A later post by the same author, in a new process (a fresh stage): the rejection stands.
	fresh := wiring.LinkStages(cfg, conn, nil)[0]
	if _, err := fresh.Process(ctx, postBy("p2", at.Add(48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	states, err := clickhouse.LinkStates(ctx, conn, pair)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].Status != identity.StatusRejected || states[0].DecidedBy != "alice" {
		t.Fatalf("state after a later post: got %+v; want rejected by alice", states)
	}
	if err := runLinks(ctx, conn, &list, "unlink", pair, "alice", at.Add(2*time.Hour)); err == nil {
		t.Error("unlinking a rejected pair must be refused")
	}
	var hist bytes.Buffer
	if err := runLinks(ctx, conn, &hist, "history", pair, "", at); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(hist.String(), "\n"); n != 2 || !strings.Contains(hist.String(), `"status":"rejected"`) {
		t.Errorf("history: got %d lines %q; want the automatic link and the rejection", n, hist.String())
	}
}

// TestCustomersSyncFromTopic reads a compacted-style topic on a real broker: upserts, a later version, a
// tombstone and a bad record.
func TestCustomersSyncFromTopic(t *testing.T) {
	brokers := testenv.Kafka(t)
	conn, _ := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := testenv.Name(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 2, 1, map[string]*string{"cleanup.policy": ptr("compact")}, topic); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = adm.DeleteTopics(context.Background(), topic) }()
	base := time.Now().Add(-time.Hour)
	recs := []*kgo.Record{
		{Key: []byte("A"), Value: []byte(`{"name":"Ann Old","emails":["ann@example.com"],"consent":true}`), Timestamp: base},
		{Key: []byte("B"), Value: []byte(`{"name":"Bob","handles":["x:bob"]}`), Timestamp: base},
		{Key: []byte("A"), Value: []byte(`{"name":"Ann New","emails":["ann@example.com"],"consent":true}`), Timestamp: base.Add(time.Minute)},
		{Key: []byte("B"), Value: nil, Timestamp: base.Add(time.Minute)},
		{Key: []byte("C"), Value: []byte(`{"name":"Cy","phones":["12"]}`), Timestamp: base},
	}
	for _, r := range recs {
		r.Topic = topic
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	h, _ := pii.New([]byte(testPIIKey))
	var errOut bytes.Buffer
	st, err := syncCustomers(ctx, brokers, topic, false, h, func(ctx context.Context, cs []identity.Customer) error {
		return clickhouse.WriteCustomers(ctx, conn, cs)
	}, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if st.records != 5 || st.deletes != 1 || st.rejected != 1 || !strings.Contains(errOut.String(), "phones[0]") {
		t.Errorf("sync: got %+v, stderr %q; want 5 records, 1 delete, 1 rejected naming phones[0]", st, errOut.String())
	}
	got, err := clickhouse.LoadCustomers(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "A" || got[0].Name != "Ann New" || got[0].EmailHMACs[0] != h.Email("ann@example.com") {
		t.Fatalf("customers after sync: got %+v; want only A, its later version", got)
	}
}

func ptr[T any](v T) *T { return &v }
