package clickhouse_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// These tests run the writer against a scripted connection, so that the order in which inserts finish, and
// whether they fail, is up to the test. The real server is exercised by clickhouse_test.go.

// fakeConn is a driver.Conn whose inserts are decided by send, called on Send with the post ids of the
// insert. Only PrepareBatch is implemented: it is all the writer uses.
type fakeConn struct {
	driver.Conn
	send func(ctx context.Context, ids []string) error

	mu        sync.Mutex
	active    int        // inserts inside send now
	maxActive int        // the most ever inside send at once
	inserted  [][]string // ids of the inserts that succeeded, in the order they did
}

func (c *fakeConn) PrepareBatch(ctx context.Context, _ string, _ ...driver.PrepareBatchOption) (driver.Batch, error) {
	return &fakeBatch{ctx: ctx, conn: c}, nil
}

func (c *fakeConn) stats() (active, maxActive int, inserted [][]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active, c.maxActive, append([][]string(nil), c.inserted...)
}

type fakeBatch struct {
	driver.Batch
	ctx  context.Context
	conn *fakeConn
	ids  []string
}

func (b *fakeBatch) Append(v ...any) error {
	id, ok := v[2].(string) // uid, network, post_id, …
	if !ok {
		return fmt.Errorf("column 3: got %T; want the post id", v[2])
	}
	b.ids = append(b.ids, id)
	return nil
}

func (b *fakeBatch) Abort() error { return nil }

func (b *fakeBatch) Send() error {
	c := b.conn
	c.mu.Lock()
	c.active++
	c.maxActive = max(c.maxActive, c.active)
	c.mu.Unlock()
	err := c.send(b.ctx, b.ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	if err == nil {
		c.inserted = append(c.inserted, b.ids)
	}
	return err
}

// ackLog records acknowledgements in the order they happen.
type ackLog struct {
	mu   sync.Mutex
	acks []string
}

func (l *ackLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string{}, l.acks...)
}

// batch returns a pipeline batch named name holding one post per id, which records name in l when acked.
func (l *ackLog) batch(name string, ids ...string) *processors.Batch {
	b := &processors.Batch{Ack: func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.acks = append(l.acks, name)
	}}
	for _, id := range ids {
		b.Posts = append(b.Posts, &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: id})
	}
	return b
}

func runWriter(ctx context.Context, w *clickhouse.Writer, in <-chan *processors.Batch) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, in) }()
	return done
}

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s")
		return nil
	}
}

// waitFor polls cond until it holds, failing the test after 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// metric returns the value of the gauge or counter name in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if g := m.GetGauge(); g != nil {
			return g.GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// blockUntil returns a send that blocks the insert holding first until release is closed (or ctx ends),
// and lets every other insert through at once.
func blockUntil(first string, release <-chan struct{}) func(context.Context, []string) error {
	return func(ctx context.Context, ids []string) error {
		if ids[0] != first {
			return nil
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TestWriterAcksInOrderWhenALaterInsertFinishesFirst holds the first insert while the second one succeeds:
// the second batch must wait for the first before it is acknowledged.
func TestWriterAcksInOrderWhenALaterInsertFinishesFirst(t *testing.T) {
	release := make(chan struct{})
	conn := &fakeConn{send: blockUntil("a1", release)}
	reg := prometheus.NewRegistry()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 2, FlushInterval: time.Hour, InsertsInFlight: 2}, reg, nil)
	var l ackLog
	in := make(chan *processors.Batch)
	done := runWriter(context.Background(), w, in)

	in <- l.batch("A", "a1", "a2")
	in <- l.batch("B", "b1", "b2")
	waitFor(t, "B is inserted", func() bool { _, _, ins := conn.stats(); return len(ins) == 1 })
	time.Sleep(50 * time.Millisecond) // time for a wrong writer to acknowledge B
	if got := l.get(); len(got) != 0 {
		t.Fatalf("acknowledged %v while the insert of A was running; want nothing before A", got)
	}
	if got := metric(t, reg, "rapport_sink_inserts_in_flight"); got != 2 {
		t.Errorf("rapport_sink_inserts_in_flight: got %v; want 2 (A running, B waiting for A)", got)
	}
	if got := metric(t, reg, "rapport_sink_pending_rows"); got != 4 {
		t.Errorf("rapport_sink_pending_rows: got %v; want 4", got)
	}
	close(release)
	waitFor(t, "A and B are acknowledged", func() bool { return len(l.get()) == 2 })
	close(in)
	if err := waitRun(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := l.get(), []string{"A", "B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("acknowledged %v; want %v", got, want)
	}
	if got := metric(t, reg, "rapport_sink_pending_rows"); got != 0 {
		t.Errorf("rapport_sink_pending_rows after the drain: got %v; want 0", got)
	}
}

// TestWriterFailingInsertHoldsBackLaterAcks fails the first insert until the test lets it through: no later
// batch is acknowledged meanwhile, and the writer stops reading once InsertsInFlight inserts are
// unacknowledged and the next one is full.
func TestWriterFailingInsertHoldsBackLaterAcks(t *testing.T) {
	var failing atomic.Bool
	var attempts atomic.Int32
	failing.Store(true)
	conn := &fakeConn{send: func(_ context.Context, ids []string) error {
		if ids[0] == "a" {
			attempts.Add(1)
			if failing.Load() {
				return errors.New("table posts does not exist")
			}
		}
		return nil
	}}
	reg := prometheus.NewRegistry()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{
		BatchRows: 1, FlushInterval: time.Hour, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, InsertsInFlight: 2,
	}, reg, nil)
	var l ackLog
	in := make(chan *processors.Batch)
	done := runWriter(context.Background(), w, in)
	names := []string{"a", "b", "c", "d", "e"}
	var taken atomic.Int32
	go func() {
		for _, n := range names {
			in <- l.batch(n, n)
			taken.Add(1)
		}
		close(in)
	}()

	waitFor(t, "the insert of a failed 5 times and 3 batches are read", func() bool {
		_, _, ins := conn.stats()
		return attempts.Load() >= 5 && taken.Load() >= 3 && len(ins) >= 1
	})
	time.Sleep(50 * time.Millisecond) // time for a wrong writer to read, insert or acknowledge more
	if got := l.get(); len(got) != 0 {
		t.Fatalf("acknowledged %v while the insert of a was failing; want nothing", got)
	}
	// a retrying and b inserted take both slots; c is the next insert, full: nothing more is read.
	if got := taken.Load(); got != 3 {
		t.Errorf("writer read %d batches while a was failing; want 3 (2 in flight + 1 full insert waiting)", got)
	}
	if _, _, ins := conn.stats(); !reflect.DeepEqual(ins, [][]string{{"b"}}) {
		t.Errorf("inserted %v while a was failing; want only [b] (c must wait for a slot)", ins)
	}
	for name, want := range map[string]float64{
		"rapport_sink_retrying": 1, "rapport_sink_pending_rows": 3, "rapport_sink_inserts_in_flight": 2,
	} {
		if got := metric(t, reg, name); got != want {
			t.Errorf("%s while a was failing: got %v; want %v", name, got, want)
		}
	}

	failing.Store(false)
	if err := waitRun(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := l.get(); !reflect.DeepEqual(got, names) {
		t.Errorf("acknowledged %v; want %v", got, names)
	}
	if got := metric(t, reg, "rapport_sink_flush_errors_total"); got < 5 {
		t.Errorf("rapport_sink_flush_errors_total: got %v; want at least 5", got)
	}
	for name, want := range map[string]float64{
		"rapport_sink_retrying": 0, "rapport_sink_pending_rows": 0, "rapport_sink_inserts_in_flight": 0, "rapport_sink_rows_total": 5,
	} {
		if got := metric(t, reg, name); got != want {
			t.Errorf("%s after the drain: got %v; want %v", name, got, want)
		}
	}
}

// TestWriterGracefulCloseFlushesEverything closes the input with inserts of random duration running: every
// post is inserted exactly once, every batch acknowledged once, in order, before Run returns.
func TestWriterGracefulCloseFlushesEverything(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var delayMu sync.Mutex
	conn := &fakeConn{send: func(context.Context, []string) error {
		delayMu.Lock()
		d := time.Duration(rng.IntN(3000)) * time.Microsecond
		delayMu.Unlock()
		time.Sleep(d)
		return nil
	}}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 5, FlushInterval: time.Hour, InsertsInFlight: 3}, nil, nil)
	var l ackLog
	const n = 300
	in := make(chan *processors.Batch, n)
	var want, wantIDs []string
	for i := range n {
		name := fmt.Sprint(i)
		var ids []string
		for j := range i % 4 { // 0–3 posts; a quarter of the batches are empty (every post filtered)
			ids = append(ids, fmt.Sprintf("%d.%d", i, j))
		}
		in <- l.batch(name, ids...)
		want = append(want, name)
		wantIDs = append(wantIDs, ids...)
	}
	close(in)
	if err := waitRun(t, runWriter(context.Background(), w, in)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := l.get(); !reflect.DeepEqual(got, want) {
		t.Errorf("acknowledgements out of order or missing: got %d, first differences at %d", len(got), firstDiff(got, want))
	}
	active, maxActive, inserted := conn.stats()
	var gotIDs []string
	for _, ids := range inserted {
		gotIDs = append(gotIDs, ids...)
	}
	sort.Strings(gotIDs)
	sort.Strings(wantIDs)
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("inserted %d posts; want each of the %d exactly once", len(gotIDs), len(wantIDs))
	}
	if got := w.RowsWritten(); got != int64(len(wantIDs)) {
		t.Errorf("RowsWritten: got %d; want %d", got, len(wantIDs))
	}
	if active != 0 || maxActive > 3 {
		t.Errorf("inserts running after Run returned: %d; most at once: %d; want 0 and at most 3", active, maxActive)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWriterEmptyBatchesWaitTheirTurn checks that batches whose posts were all filtered (nothing to insert)
// are acknowledged after the batches read before them, not at once.
func TestWriterEmptyBatchesWaitTheirTurn(t *testing.T) {
	release := make(chan struct{})
	conn := &fakeConn{send: blockUntil("a", release)}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 10, FlushInterval: 10 * time.Millisecond, InsertsInFlight: 2}, nil, nil)
	var l ackLog
	in := make(chan *processors.Batch)
	done := runWriter(context.Background(), w, in)
	in <- l.batch("A", "a")
	waitFor(t, "A's insert starts", func() bool { active, _, _ := conn.stats(); return active == 1 })
	in <- l.batch("empty")
	time.Sleep(60 * time.Millisecond) // several flush intervals
	if got := l.get(); len(got) != 0 {
		t.Fatalf("acknowledged %v while A's insert was running; want nothing", got)
	}
	close(release)
	close(in)
	if err := waitRun(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := l.get(), []string{"A", "empty"}; !reflect.DeepEqual(got, want) {
		t.Errorf("acknowledged %v; want %v", got, want)
	}
}

// TestWriterCancelAcksNothingFurther aborts with one insert acknowledged, one running and a later one
// already inserted: Run returns the context's error, the later one is never acknowledged, and no insert
// is left running.
func TestWriterCancelAcksNothingFurther(t *testing.T) {
	release := make(chan struct{}) // never closed: b's insert ends only with the abort
	conn := &fakeConn{send: blockUntil("b", release)}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 1, FlushInterval: time.Hour, InsertsInFlight: 2}, nil, nil)
	var l ackLog
	in := make(chan *processors.Batch, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := runWriter(ctx, w, in)
	in <- l.batch("a", "a")
	waitFor(t, "a is acknowledged", func() bool { return len(l.get()) == 1 })
	in <- l.batch("b", "b")
	in <- l.batch("c", "c")
	waitFor(t, "c is inserted", func() bool { _, _, ins := conn.stats(); return len(ins) == 2 })
	cancel()
	if err := waitRun(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after abort: got %v; want context.Canceled", err)
	}
	if active, _, _ := conn.stats(); active != 0 {
		t.Errorf("%d inserts still running after Run returned; want 0", active)
	}
	time.Sleep(20 * time.Millisecond)
	if got, want := l.get(), []string{"a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("acknowledged %v; want only %v (b was aborted, c waits behind b)", got, want)
	}
}

// TestWriterInsertsAtMostNInFlight checks that no more than InsertsInFlight inserts run at once, and that
// as many do when the input allows it.
func TestWriterInsertsAtMostNInFlight(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			conn := &fakeConn{}
			// Each insert waits until n are running (or 20ms passed), so a writer that keeps the limit
			// reaches it and one that breaks it shows more.
			conn.send = func(context.Context, []string) error {
				for deadline := time.Now().Add(20 * time.Millisecond); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
					if active, _, _ := conn.stats(); active >= n {
						break
					}
				}
				return nil
			}
			w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 1, FlushInterval: time.Hour, InsertsInFlight: n}, nil, nil)
			var l ackLog
			in := make(chan *processors.Batch, 40)
			var want []string
			for i := range 40 {
				in <- l.batch(fmt.Sprint(i), fmt.Sprint(i))
				want = append(want, fmt.Sprint(i))
			}
			close(in)
			if err := waitRun(t, runWriter(context.Background(), w, in)); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if _, maxActive, _ := conn.stats(); maxActive != n {
				t.Errorf("most inserts running at once: got %d; want %d", maxActive, n)
			}
			if got := l.get(); !reflect.DeepEqual(got, want) {
				t.Errorf("acknowledged out of order: got %v", got)
			}
		})
	}
}
