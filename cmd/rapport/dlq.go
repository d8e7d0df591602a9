package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/wiring"
)

// dlqCmd lists dead letters, or replays them to their source topics after a fix.
func dlqCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		return errors.New("usage: rapport dlq list|replay [-config FILE] [-reason R] [-network N] [-limit N]")
	}
	return runDLQ(ctx, args[0], args[1:], os.Stdout, os.Stderr)
}

type dlqLine struct {
	DLQPartition    int32  `json:"dlq_partition"`
	DLQOffset       int64  `json:"dlq_offset"`
	Reason          string `json:"reason"`
	Detail          string `json:"detail"`
	Stage           string `json:"stage"`
	Network         string `json:"network"`
	SourceTopic     string `json:"source_topic"`
	SourcePartition int32  `json:"source_partition"`
	SourceOffset    int64  `json:"source_offset"`
	Bytes           int    `json:"bytes"`
	Preview         string `json:"preview,omitempty"`        // the first bytes, when they are text
	PreviewBase64   string `json:"preview_base64,omitempty"` // the first bytes, when they are not
	Replayed        bool   `json:"replayed,omitempty"`
}

func runDLQ(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dlq "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "YAML configuration file (brokers and dead-letter topic)")
	reason := fs.String("reason", "", "only dead letters with this reason (e.g. invalid_json)")
	network := fs.String("network", "", "only dead letters of this network")
	limit := fs.Int("limit", 0, "stop after this many matching dead letters; 0 means all")
	preview := fs.Int("preview", 160, "bytes of the original payload to show")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	security, err := wiring.KafkaSecurity(cfg)
	if err != nil {
		return err
	}
	var producer *kgo.Client
	if verb == "replay" {
		if producer, err = kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cfg.Kafka.Brokers...)}, security...)...); err != nil {
			return fmt.Errorf("creating kafka client: %w", err)
		}
		defer producer.Close()
	}
	enc := json.NewEncoder(stdout)
	matched := 0
	errStop := errors.New("limit reached")
	err = ingest.ReadDeadLetters(ctx, cfg.Kafka.Brokers, cfg.Kafka.DLQTopic, func(d ingest.DeadLetter) error {
		if (*reason != "" && string(d.Reason) != *reason) || (*network != "" && d.Network != *network) {
			return nil
		}
		line := dlqLine{
			DLQPartition: d.Partition, DLQOffset: d.Offset, Reason: string(d.Reason), Detail: d.Detail, Stage: d.Stage,
			Network: d.Network, SourceTopic: d.SourceTopic, SourcePartition: d.SourcePartition, SourceOffset: d.SourceOffset,
			Bytes: len(d.Value),
		}
		head := d.Value[:min(len(d.Value), max(*preview, 0))]
		if utf8.Valid(head) {
			line.Preview = strings.ToValidUTF8(string(head), "")
		} else {
			line.PreviewBase64 = base64.StdEncoding.EncodeToString(head)
		}
		if producer != nil {
			if err := ingest.Replay(ctx, producer, cfg.Kafka.DLQTopic, d); err != nil {
				return fmt.Errorf("replaying %s[%d]@%d: %w", cfg.Kafka.DLQTopic, d.Partition, d.Offset, err)
			}
			line.Replayed = true
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
		matched++
		if *limit > 0 && matched >= *limit {
			return errStop
		}
		return nil
	}, security...)
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	verbed := "listed"
	if verb == "replay" {
		verbed = "replayed"
	}
	fmt.Fprintf(stderr, "dlq: %s %d dead letter(s) of %s\n", verbed, matched, cfg.Kafka.DLQTopic)
	return nil
}
