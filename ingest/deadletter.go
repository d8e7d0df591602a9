package ingest

import (
	"context"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DeadLetter is one record of the dead-letter topic with its headers decoded.
type DeadLetter struct {
	Partition       int32  // of the dead-letter topic
	Offset          int64  // of the dead-letter topic
	Reason          Reason // machine-readable cause
	Detail          string
	Stage           string
	Network         string
	SourceTopic     string
	SourcePartition int32
	SourceOffset    int64
	Key             []byte
	Value           []byte // the original payload, byte for byte
	Headers         []kgo.RecordHeader
}

// ParseDeadLetter decodes the headers written by the consumer.
func ParseDeadLetter(r *kgo.Record) DeadLetter {
	d := DeadLetter{Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value}
	for _, h := range r.Headers {
		v := string(h.Value)
		switch h.Key {
		case HeaderReason:
			d.Reason = Reason(v)
		case HeaderDetail:
			d.Detail = v
		case HeaderStage:
			d.Stage = v
		case HeaderNetwork:
			d.Network = v
		case HeaderSourceTopic:
			d.SourceTopic = v
		case HeaderSourcePartition:
			p, _ := strconv.ParseInt(v, 10, 32)
			d.SourcePartition = int32(p)
		case HeaderSourceOffset:
			d.SourceOffset, _ = strconv.ParseInt(v, 10, 64)
		default:
			d.Headers = append(d.Headers, h) // the original record's own headers
		}
	}
	return d
}

// ReadDeadLetters calls fn for every record of the dead-letter topic that exists when it starts, in order
// per partition, and returns when it has read them all, ctx is done, or fn fails. It joins no group and
// commits nothing. brokers and opts configure the client (TLS, SASL).
func ReadDeadLetters(ctx context.Context, brokers []string, topic string, fn func(DeadLetter) error, opts ...kgo.Opt) error {
	adm, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	ends, err := kadm.NewClient(adm).ListEndOffsets(ctx, topic)
	adm.Close()
	if err != nil {
		return fmt.Errorf("listing end offsets of %s: %w", topic, err)
	}
	if err := ends.Error(); err != nil {
		return fmt.Errorf("listing end offsets of %s: %w", topic, err)
	}
	remaining := map[int32]int64{}
	start := map[string]map[int32]kgo.Offset{topic: {}}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			remaining[o.Partition] = o.Offset
			start[topic][o.Partition] = kgo.NewOffset().AtStart()
		}
	})
	if len(remaining) == 0 {
		return nil
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(start)}, opts...)...)
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	for len(remaining) > 0 {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return fmt.Errorf("reading %s: %w", topic, errs[0].Err)
		}
		var fnErr error
		fetches.EachRecord(func(r *kgo.Record) {
			end, ok := remaining[r.Partition]
			if fnErr != nil || !ok || r.Offset >= end {
				return
			}
			fnErr = fn(ParseDeadLetter(r))
			if r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
		})
		if fnErr != nil {
			return fnErr
		}
	}
	return nil
}

// Replay writes d's original payload back to its source topic, with its original key and headers plus
// rapport-replayed-from naming the dead letter, and waits for the broker's acknowledgement.
func Replay(ctx context.Context, cl *kgo.Client, dlqTopic string, d DeadLetter) error {
	if d.SourceTopic == "" {
		return fmt.Errorf("dead letter %s[%d]@%d has no source topic", dlqTopic, d.Partition, d.Offset)
	}
	headers := append(append([]kgo.RecordHeader(nil), d.Headers...), kgo.RecordHeader{
		Key: "rapport-replayed-from", Value: fmt.Appendf(nil, "%s/%d/%d", dlqTopic, d.Partition, d.Offset),
	})
	rec := &kgo.Record{Topic: d.SourceTopic, Key: d.Key, Value: d.Value, Headers: headers}
	return cl.ProduceSync(ctx, rec).FirstErr()
}
