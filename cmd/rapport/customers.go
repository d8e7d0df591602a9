package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

const customersUsage = `usage:
  rapport customers import [-config FILE] [-map field=column,...] FILE.csv
  rapport customers sync   [-config FILE] [-follow]

import reads a CRM export (CSV with a header) into the customers table; sync reads the compacted topic
customers.topic (default crm.customers: key = customer id, JSON value, null value = deleted; see
identity.CustomerRecord) from its start. Both need pii.key: e-mails and phones are stored only as keyed
hashes. Fields for -map: id, name, email, phone, city, region, country, handles, website, consent,
segment, lifetime_value (email, phone, handles and website may hold several values separated by ';')`

func customersCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(customersUsage)
	}
	switch args[0] {
	case "import":
		return customersImport(ctx, os.Stdout, os.Stderr, args[1:])
	case "sync":
		return customersSync(ctx, os.Stdout, os.Stderr, args[1:])
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", args[0], customersUsage)
	}
}

// openCustomers loads the configuration, the hasher and a migrated ClickHouse connection.
func openCustomers(ctx context.Context, cfgPath string) (*config.Config, *pii.Hasher, driver.Conn, error) {
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	h, err := pii.New([]byte(cfg.PII.Key))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pii.key: must be at least 16 bytes (set pii.key, pii.key_file or RAPPORT_PII_KEY)")
	}
	conn, err := clickhouse.Open(ctx, connConfig(cfg), *cfg.ClickHouse.Migrate)
	if err != nil {
		return nil, nil, nil, err
	}
	if *cfg.ClickHouse.Migrate {
		if _, err := clickhouse.Migrate(ctx, conn, nil); err != nil {
			_ = conn.Close()
			return nil, nil, nil, err
		}
	}
	return cfg, h, conn, nil
}

const customerBatch = 10000

func customersImport(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("customers import", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file")
	mapping := fs.String("map", "", "field=column pairs, comma-separated, for columns not named like the field (id defaults to customer_id)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(customersUsage)
	}
	m, err := identity.ParseCSVMapping(*mapping)
	if err != nil {
		return fmt.Errorf("-map: %w", err)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, h, conn, err := openCustomers(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	now := time.Now()
	// One version for the whole import: a later import of the same customer replaces this one.
	version := uint64(now.UnixMilli())
	var batch []identity.Customer
	flush := func() error {
		if err := clickhouse.WriteCustomers(ctx, conn, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	n, bad, err := identity.ReadCustomersCSV(f, m, h, version, now, func(c identity.Customer) error {
		batch = append(batch, c)
		if len(batch) >= customerBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("importing %s: %w", fs.Arg(0), err)
	}
	for _, b := range bad {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Arg(0), b)
	}
	if err := json.NewEncoder(stdout).Encode(map[string]any{"file": fs.Arg(0), "imported": n, "rejected": len(bad)}); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d rows rejected (listed above); the other %d were imported", len(bad), n)
	}
	return nil
}

// customersSync reads the customers topic from its start up to its end when the command started (or on,
// with -follow) and stores every record. The version of a customer is the record's timestamp in
// milliseconds, so a re-read writes the same rows and a later record wins.
func customersSync(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("customers sync", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file")
	follow := fs.Bool("follow", false, "keep reading new records until interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, h, conn, err := openCustomers(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	st, err := syncCustomers(ctx, cfg.Kafka.Brokers, cfg.Customers.Topic, *follow, h, func(ctx context.Context, cs []identity.Customer) error {
		return clickhouse.WriteCustomers(ctx, conn, cs)
	}, stderr)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"topic": cfg.Customers.Topic, "records": st.records,
		"upserts": st.upserts, "deletes": st.deletes, "rejected": st.rejected})
}

type syncStats struct{ records, upserts, deletes, rejected int }

func syncCustomers(ctx context.Context, brokers []string, topic string, follow bool, h *pii.Hasher,
	write func(context.Context, []identity.Customer) error, stderr io.Writer) (syncStats, error) {
	var st syncStats
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return st, fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	// The end of every partition now: without -follow, the sync stops there.
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		return st, fmt.Errorf("listing the end of %s: %w", topic, err)
	}
	remaining := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil && o.Offset > 0 {
			remaining[o.Partition] = o.Offset
		}
	})
	if terr := ends.Error(); terr != nil {
		return st, fmt.Errorf("listing the end of %s: %w", topic, terr)
	}
	var batch []identity.Customer
	for follow || len(remaining) > 0 {
		pollCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		fetches := cl.PollRecords(pollCtx, customerBatch)
		cancel()
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				return st, fmt.Errorf("reading %s partition %d: %w", fe.Topic, fe.Partition, fe.Err)
			}
		}
		fetches.EachRecord(func(r *kgo.Record) {
			st.records++
			if end, ok := remaining[r.Partition]; ok && r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
			key := string(r.Key)
			version := uint64(r.Timestamp.UnixMilli())
			if key == "" {
				st.rejected++
				fmt.Fprintf(stderr, "%s/%d@%d: record without a key (the key is the customer id)\n", r.Topic, r.Partition, r.Offset)
				return
			}
			if r.Value == nil {
				st.deletes++
				batch = append(batch, identity.Customer{ID: key, Deleted: true, Version: version, UpdatedAt: r.Timestamp})
				return
			}
			rec, err := identity.DecodeCustomerRecord(key, r.Value)
			if err == nil {
				var c identity.Customer
				if c, err = identity.NewCustomer(h, rec, version, r.Timestamp); err == nil {
					st.upserts++
					batch = append(batch, c)
					return
				}
			}
			st.rejected++
			fmt.Fprintf(stderr, "%s/%d@%d customer %q: %v\n", r.Topic, r.Partition, r.Offset, key, err)
		})
		if len(batch) > 0 {
			if err := write(ctx, batch); err != nil {
				return st, err
			}
			batch = batch[:0]
		}
	}
	return st, nil
}
