package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/sim"
)

// simTopics are the topics the simulator writes: one per network it simulates.
var simTopics = func() []string {
	var topics []string
	for _, n := range sim.Networks() {
		topics = append(topics, sim.TopicFor(n))
	}
	return topics
}()

type simFlags struct {
	seed       int64
	count      int
	rate       float64
	eventRate  float64
	duplicates float64
	malformed  float64
	authors    int
}

func (f *simFlags) register(fs *flag.FlagSet, count int) {
	fs.Int64Var(&f.seed, "seed", 1, "random seed; the same seed gives the same stream")
	fs.IntVar(&f.count, "count", count, "records to write; 0 means until interrupted")
	fs.Float64Var(&f.rate, "rate", 0, "records per second of wall time; 0 means as fast as possible")
	fs.Float64Var(&f.eventRate, "event-rate", 50, "mean posts per second of simulated event time")
	fs.Float64Var(&f.duplicates, "duplicates", 0.02, "share of records that are redeliveries of an earlier record")
	fs.Float64Var(&f.malformed, "malformed", 0, "share of records that are malformed (they must end in the dead-letter topic)")
	fs.IntVar(&f.authors, "authors", 20000, "size of the author population")
}

func (f *simFlags) generator() *sim.Generator {
	dup := f.duplicates
	if dup == 0 {
		dup = -1 // the generator reads zero as "default"; the flag's zero means none
	}
	return sim.New(sim.Config{
		Seed:          f.seed,
		EventRate:     f.eventRate,
		Authors:       f.authors,
		DuplicateRate: dup,
		MalformedRate: f.malformed,
	})
}

func simulateCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	brokers := fs.String("brokers", envOr("RAPPORT_KAFKA_BROKERS", "127.0.0.1:9092"), "comma-separated seed brokers")
	partitions := fs.Int("partitions", 6, "partitions of topics the simulator creates")
	truthPath := fs.String("truth", "", "file for the ground truth, one JSON line per record (true duplicates, author-to-person links, incidents)")
	crmPath := fs.String("crm", "", "file for a CRM export (CSV) of the simulated people, with its truth (customer_id,person) in FILE.truth.csv")
	crmOnly := fs.Bool("crm-only", false, "with -crm: write the CRM export and stop, without a broker")
	var sf simFlags
	sf.register(fs, 100000)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *crmPath != "" {
		if err := writeSimCRM(sf.generator(), *crmPath); err != nil {
			return err
		}
		if *crmOnly {
			return nil
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(*brokers, ",")...), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	if err := ensureTopics(ctx, cl, *partitions, simTopics...); err != nil {
		return err
	}
	gen := sf.generator()
	var truth *bufio.Writer
	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			return fmt.Errorf("-truth: %w", err)
		}
		defer f.Close()
		truth = bufio.NewWriterSize(f, 1<<20)
		defer func() { _ = truth.Flush() }()
		for _, inc := range gen.Incidents() {
			if err := json.NewEncoder(truth).Encode(map[string]any{"incident": inc}); err != nil {
				return fmt.Errorf("writing ground truth: %w", err)
			}
		}
	}
	var produced atomic.Int64
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		var w io.Writer
		if truth != nil {
			w = truth
		}
		done <- produceStream(ctx, cl, gen, sf.count, sf.rate, &produced, w)
	}()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			st := gen.Stats()
			fmt.Fprintf(os.Stderr, "simulate: wrote %d records in %s (%d unique posts, %d duplicates, %d malformed)\n",
				produced.Load(), time.Since(start).Round(time.Millisecond), st.Unique, st.Duplicates, st.Malformed)
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		case <-tick.C:
			n := produced.Load()
			fmt.Fprintf(os.Stderr, "simulate: %d records, %.0f/s\n", n, float64(n)/time.Since(start).Seconds())
		}
	}
}

// produceStream writes count records of gen (0: until ctx is cancelled) at rate records/s (0: unlimited)
// and waits until the broker acknowledged all of them. produced counts acknowledged records.
//
// With truth set, every record's ground truth (sim.WriteTruth) is written to it, one JSON line per record,
// in the order produced.
func produceStream(ctx context.Context, cl *kgo.Client, gen *sim.Generator, count int, rate float64, produced *atomic.Int64, truth io.Writer) error {
	var (
		failed  atomic.Pointer[error]
		start   = time.Now()
		written int
	)
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			failed.CompareAndSwap(nil, &err)
			return
		}
		produced.Add(1)
	}
	for count == 0 || written < count {
		if ctx.Err() != nil {
			break
		}
		if p := failed.Load(); p != nil {
			return fmt.Errorf("producing: %w", *p)
		}
		if rate > 0 {
			if ahead := float64(written) - rate*time.Since(start).Seconds(); ahead > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(time.Duration(ahead / rate * float64(time.Second))):
				}
				continue
			}
		}
		rec := gen.Next()
		if truth != nil {
			if err := sim.WriteTruth(truth, rec); err != nil {
				return fmt.Errorf("writing ground truth: %w", err)
			}
		}
		cl.Produce(ctx, &kgo.Record{Topic: rec.Topic, Key: rec.Key, Value: rec.Value, Timestamp: rec.EventTime}, promise)
		written++
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.Flush(flushCtx); err != nil {
		return fmt.Errorf("flushing producer: %w", err)
	}
	if p := failed.Load(); p != nil {
		return fmt.Errorf("producing: %w", *p)
	}
	return ctx.Err()
}

// ensureTopics creates the topics that do not exist yet.
func ensureTopics(ctx context.Context, cl *kgo.Client, partitions int, topics ...string) error {
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopics(ctx, int32(partitions), 1, nil, topics...)
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	for _, r := range resp {
		if r.Err != nil && !strings.Contains(r.Err.Error(), "TOPIC_ALREADY_EXISTS") {
			return fmt.Errorf("creating topic %s: %w", r.Topic, r.Err)
		}
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
