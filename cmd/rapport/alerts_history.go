package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// historyColumns are the posts columns the alerting stage looks at.
const historyColumns = `network, post_id, created_at, author_handle, author_followers, author_bot, author_brand, text, url,
	sentiment_scored, sentiment_label, sentiment_drivers, entity_ids, entity_brands, entity_kinds, entity_competitor,
	entity_scored, entity_label, signal_kinds, signal_phrases, signal_entities, dup_level, spam, influence, repost_of_id`

// alertsBacktestHistory runs the streaming monitor, configured by the alerts section of the config, over
// a brand's stored posts between from and to, in event-time order, and writes one JSON line per notice.
func alertsBacktestHistory(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("alerts backtest -clickhouse", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file (alerts and clickhouse sections); default: defaults and environment")
	brand := fs.String("brand", "", "catalogue id of the brand (required)")
	fromS := fs.String("from", "", "start of the range, RFC 3339 or \"2006-01-02 15:04:05\" UTC (required)")
	toS := fs.String("to", "", "end of the range (default now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *brand == "" || *fromS == "" {
		return errors.New("-brand and -from are required")
	}
	from, err := alerting.ParseTime(*fromS)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	to := time.Now().UTC()
	if *toS != "" {
		if to, err = alerting.ParseTime(*toS); err != nil {
			return fmt.Errorf("-to: %w", err)
		}
	}
	if !to.After(from) {
		return errors.New("-to must be after -from")
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	mc, err := alertsMonitorConfig(cfg.Alerts)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(ctx, connConfig(cfg), false)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	return alertsReplayHistory(ctx, conn, mc, *brand, from, to, out)
}

// alertsReplayHistory feeds the brand's posts of [from, to) to a fresh monitor and writes its notices.
func alertsReplayHistory(ctx context.Context, conn driver.Conn, mc alerting.MonitorConfig, brand string, from, to time.Time, out io.Writer) error {
	mon, err := alerting.NewMonitor(mc)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	var obs []alerting.Observation
	n := 0
	emit := func(ns []alerting.Notice) error {
		for _, x := range ns {
			if err := enc.Encode(x); err != nil {
				return err
			}
		}
		return nil
	}
	err = storedPosts(ctx, conn, brand, from, to, func(p *post.Post) error {
		n++
		if alertsSkipped(p) {
			return nil
		}
		obs = alerting.Observations(obs[:0], p, true)
		for _, o := range obs {
			if o.Brand != brand {
				continue
			}
			ns, _ := mon.Observe(o)
			if err := emit(ns); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := emit(mon.Advance(to)); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d posts of %s from %s to %s; %d series\n", n, brand, from.Format(time.RFC3339), to.Format(time.RFC3339), mon.Series())
	return nil
}

// storedPosts streams the stored posts of [from, to) that mention brand (every post when brand is empty)
// to fn, ordered by created_at and uid, with the columns the alerting stage looks at; it returns fn's
// first error. The caller bounds the range: the server sorts all of it at once.
func storedPosts(ctx context.Context, conn driver.Conn, brand string, from, to time.Time, fn func(*post.Post) error) error {
	q := "SELECT " + historyColumns + " FROM posts FINAL WHERE deleted = 0"
	args := []any{}
	if brand != "" {
		q += " AND has(entity_brands, ?)"
		args = append(args, brand)
	}
	q += " AND created_at >= ? AND created_at < ? ORDER BY created_at, uid"
	args = append(args, from.UTC(), to.UTC())
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading posts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var (
			p                                     post.Post
			network, handle, text, url, repostOf  string
			followers                             int64
			bot, brandAcc, scored, dupLevel, spam uint8
			label                                 int8
			drivers, ids, brands, kinds           []string
			competitor, entScored                 []uint8
			entLabel                              []int8
			sigKinds, sigPhrases, sigEntities     []string
			influence                             float32
			created                               time.Time
		)
		if err := rows.Scan(&network, &p.ID, &created, &handle, &followers, &bot, &brandAcc, &text, &url,
			&scored, &label, &drivers, &ids, &brands, &kinds, &competitor, &entScored, &entLabel,
			&sigKinds, &sigPhrases, &sigEntities, &dupLevel, &spam, &influence, &repostOf); err != nil {
			return fmt.Errorf("reading posts: %w", err)
		}
		p.Network, p.CreatedAt, p.Text, p.URL, p.Influence = post.Network(network), created.UTC(), text, url, influence
		p.Author = post.Author{Handle: handle, Followers: followers, Bot: bot == 1, Brand: brandAcc == 1}
		p.Refs.RepostOfID = repostOf
		p.Dup = post.Dup{Level: post.DupLevel(dupLevel), Spam: spam == 1}
		if scored == 1 {
			p.Sentiment = &post.Sentiment{Label: label, Drivers: drivers}
		}
		for i := range ids {
			e := post.Entity{ID: ids[i], Brand: at(brands, i), Kind: post.EntityKind(at(kinds, i)),
				Competitor: atU8(competitor, i) == 1, Scored: atU8(entScored, i) == 1}
			if i < len(entLabel) {
				e.Label = entLabel[i]
			}
			p.Entities = append(p.Entities, e)
		}
		for i := range sigKinds {
			p.Signals = append(p.Signals, post.Signal{Kind: post.SignalKind(sigKinds[i]), Phrase: at(sigPhrases, i), Entity: at(sigEntities, i)})
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading posts: %w", err)
	}
	return nil
}

// alertsSkipped mirrors the stage: reposts, duplicates, spam, bots and brand accounts are not opinions.
func alertsSkipped(p *post.Post) bool {
	return p.Dup.Spam || p.Dup.Level > 0 || p.Refs.RepostOfID != "" || p.Author.Bot || p.Author.Brand
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func atU8(s []uint8, i int) uint8 {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// alertsHistoryFlag says whether backtest args ask for ClickHouse history rather than a CSV.
func alertsHistoryFlag(args []string) bool {
	for _, a := range args {
		if a == "-clickhouse" || a == "--clickhouse" {
			return true
		}
		if strings.HasPrefix(a, "-csv") || strings.HasPrefix(a, "--csv") {
			return false
		}
	}
	return false
}

// alertsStripFlag removes the -clickhouse switch.
func alertsStripFlag(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "-clickhouse" && a != "--clickhouse" {
			out = append(out, a)
		}
	}
	return out
}
