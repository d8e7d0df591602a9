package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// printSummary prints the headline numbers of what the pipeline stored, read back from ClickHouse with
// FINAL so that redelivered posts count once. wantUnique, when positive, is the number of distinct posts the
// producer generated and did not delete; the summary says whether ClickHouse shows exactly those.
func printSummary(ctx context.Context, w io.Writer, conn driver.Conn, wantUnique int64) error {
	var (
		total, authors, replies, reposts uint64
		minT, maxT                       time.Time
		avgEng                           float64
	)
	err := conn.QueryRow(ctx, `SELECT count(), uniqExact(network, author_id), countIf(kind = 'reply'), countIf(kind = 'repost'),
		min(created_at), max(created_at), avg(likes + reposts + replies + quotes)
		FROM posts FINAL WHERE deleted = 0`).Scan(&total, &authors, &replies, &reposts, &minT, &maxT, &avgEng)
	if err != nil {
		return fmt.Errorf("reading summary: %w", err)
	}
	fmt.Fprintln(w, "\n── What ClickHouse holds now ─────────────────────────────────────────")
	fmt.Fprintf(w, "posts (each network post once)     %s", thousands(int64(total)))
	if wantUnique > 0 {
		if int64(total) == wantUnique {
			fmt.Fprintf(w, "   = the %s distinct posts generated and not deleted: none lost, none doubled\n", thousands(wantUnique))
		} else {
			fmt.Fprintf(w, "   ≠ %s distinct posts generated and not deleted\n", thousands(wantUnique))
		}
	} else {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "distinct authors                   %s\n", thousands(int64(authors)))
	if total > 0 {
		fmt.Fprintf(w, "replies / reposts                  %.1f%% / %.1f%%\n", pct(replies, total), pct(reposts, total))
	}
	fmt.Fprintf(w, "mean engagement per post           %.1f (likes + reposts + replies + quotes)\n", avgEng)
	fmt.Fprintf(w, "event time covered                 %s → %s\n", minT.UTC().Format("2006-01-02 15:04"), maxT.UTC().Format("2006-01-02 15:04"))

	// Two-way engagement: customer posts the brands' own accounts answered, and how fast.
	var (
		answered, brandPosts uint64
		medianRT, p90RT      float64
	)
	if err := conn.QueryRow(ctx, `SELECT countIf(author_brand = 1) FROM posts FINAL WHERE deleted = 0`).Scan(&brandPosts); err != nil {
		return fmt.Errorf("reading brand posts: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(), toFloat64(quantileExact(0.5)(answered_at - created_at)), toFloat64(quantileExact(0.9)(answered_at - created_at))
		FROM (
			SELECT network, reply_to_id AS post_id, min(created_at) AS answered_at
			FROM posts FINAL WHERE deleted = 0 AND author_brand = 1 AND reply_to_id != ''
			GROUP BY network, reply_to_id
		) ANY INNER JOIN (
			SELECT network, post_id, created_at FROM posts FINAL WHERE deleted = 0 AND author_brand = 0
		) USING (network, post_id)`).Scan(&answered, &medianRT, &p90RT); err != nil {
		return fmt.Errorf("reading response times: %w", err)
	}
	fmt.Fprintf(w, "posts by brand accounts             %s; customer posts they answered %s\n", thousands(int64(brandPosts)), thousands(int64(answered)))
	if answered > 0 {
		fmt.Fprintf(w, "first response time                median %s, p90 %s (event time)\n",
			time.Duration(medianRT*float64(time.Second)).Round(time.Second), time.Duration(p90RT*float64(time.Second)).Round(time.Second))
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nnetwork\tposts\tauthors\tmean engagement\ttop language\tscored\tnet sentiment")
	rows, err := conn.Query(ctx, `SELECT network, count(), uniqExact(author_id), avg(likes + reposts + replies + quotes),
		topK(1)(lang), sum(sentiment_scored), sumIf(sentiment_label, sentiment_scored = 1)
		FROM posts FINAL WHERE deleted = 0 GROUP BY network ORDER BY count() DESC`)
	if err != nil {
		return fmt.Errorf("reading per-network summary: %w", err)
	}
	for rows.Next() {
		var (
			network   string
			n, a      uint64
			eng       float64
			topLangs  []string
			firstLang = "-"
			scored    uint64
			net       int64
		)
		if err := rows.Scan(&network, &n, &a, &eng, &topLangs, &scored, &net); err != nil {
			return fmt.Errorf("reading per-network summary: %w", err)
		}
		if len(topLangs) > 0 && topLangs[0] != "" {
			firstLang = topLangs[0]
		}
		netSentiment := "-"
		if scored > 0 {
			netSentiment = fmt.Sprintf("%+.1f", 100*float64(net)/float64(scored))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%.0f%%\t%s\n", network, thousands(int64(n)), thousands(int64(a)), eng, firstLang,
			pct(scored, n), netSentiment)
	}
	rows.Close()
	_ = tw.Flush()
	fmt.Fprintln(w, "net sentiment = 100 × (positive − negative) / scored posts; posts in languages the model does not support are not scored")

	for _, q := range []struct{ title, column string }{{"top hashtags", "hashtags"}, {"most mentioned accounts", "mentions"}} {
		rows, err := conn.Query(ctx, `SELECT item, count() AS c FROM posts FINAL ARRAY JOIN `+q.column+` AS item WHERE deleted = 0
			GROUP BY item ORDER BY c DESC, item LIMIT 6`)
		if err != nil {
			return fmt.Errorf("reading %s: %w", q.title, err)
		}
		var parts []string
		for rows.Next() {
			var (
				item string
				c    uint64
			)
			if err := rows.Scan(&item, &c); err != nil {
				return fmt.Errorf("reading %s: %w", q.title, err)
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", item, thousands(int64(c))))
		}
		rows.Close()
		fmt.Fprintf(w, "\n%-34s %s", q.title, strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	return printKPIHeadline(ctx, w, conn)
}

func pct(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
