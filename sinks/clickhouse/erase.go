package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/influence"
)

// Erasure says what an erasure removed.
type Erasure struct {
	Network  string
	AuthorID string
	Posts    uint64 // distinct posts of the author that were stored
	Rows     uint64 // rows deleted (versions and repeats included)
}

// Erase removes every stored post of one author (network and network user id) and records the erasure, so
// that the pipeline drops the author's posts from then on. It records the erasure, waits settle (at least
// the pipelines' erasure refresh interval plus their flush interval, so that no post of the author is still
// on its way), deletes, and waits until ClickHouse has applied the deletion.
func Erase(ctx context.Context, conn driver.Conn, network, authorID string, settle time.Duration) (Erasure, error) {
	e := Erasure{Network: network, AuthorID: authorID}
	if network == "" || authorID == "" {
		return e, fmt.Errorf("erasing: network and author id are both required")
	}
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(post_id) FROM posts WHERE network = ? AND author_id = ?",
		network, authorID).Scan(&e.Rows, &e.Posts); err != nil {
		return e, fmt.Errorf("counting the author's posts: %w", err)
	}
	// Record first: from this moment the pipeline stops storing the author's posts, so nothing arrives
	// between the deletion and the record.
	b, err := conn.PrepareBatch(ctx, "INSERT INTO erasures (network, author_id, erased_at, rows)")
	if err != nil {
		return e, fmt.Errorf("recording erasure: %w", err)
	}
	if err := b.Append(network, authorID, time.Now(), e.Rows); err != nil {
		_ = b.Abort()
		return e, fmt.Errorf("recording erasure: %w", err)
	}
	if err := b.Send(); err != nil {
		return e, fmt.Errorf("recording erasure: %w", err)
	}
	select {
	case <-ctx.Done():
		return e, ctx.Err()
	case <-time.After(settle):
	}
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(post_id) FROM posts WHERE network = ? AND author_id = ?",
		network, authorID).Scan(&e.Rows, &e.Posts); err != nil {
		return e, fmt.Errorf("counting the author's posts: %w", err)
	}
	if e.Rows == 0 {
		return e, nil
	}
	if err := conn.Exec(ctx, "ALTER TABLE posts DELETE WHERE network = ? AND author_id = ?", network, authorID); err != nil {
		return e, fmt.Errorf("deleting the author's posts: %w", err)
	}
	if err := conn.Exec(ctx, "ALTER TABLE kpi_posts DELETE WHERE network = ? AND author_id = ?", network, authorID); err != nil {
		return e, fmt.Errorf("deleting the author's posts from kpi_posts: %w", err)
	}
	// The influence job's copy of the posts and its per-day tables hold the author's id and handle; after
	// the deletion its next run recomputes every day (an epoch watermark), since the author's posts were
	// also what other authors' replies and mentions resolved to.
	for _, d := range []struct{ table, where string }{
		{"influence_posts", "network = ? AND author_id = ?"},
		{"influence_day_authors", "network = ? AND author_id = ?"},
		{"influence_day_handles", "network = ? AND author_id = ?"},
		{"influence_handles", "network = ? AND author_id = ?"},
		{"influence_day_links", "network = ? AND (src = ? OR dst = ?)"},
	} {
		args := []any{network, authorID}
		if d.table == "influence_day_links" {
			args = append(args, authorID)
		}
		if err := conn.Exec(ctx, "ALTER TABLE "+d.table+" DELETE WHERE "+d.where, args...); err != nil {
			return e, fmt.Errorf("deleting the author's rows from %s: %w", d.table, err)
		}
	}
	if err := influence.Invalidate(ctx, conn); err != nil {
		return e, fmt.Errorf("resetting the influence watermark: %w", err)
	}
	// The deletion is a mutation that ClickHouse applies in the background; wait until none is pending.
	for {
		var pending uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table IN ('posts', 'kpi_posts', 'influence_posts', 'influence_day_authors', 'influence_day_handles', 'influence_handles', 'influence_day_links') AND is_done = 0").
			Scan(&pending); err != nil {
			return e, fmt.Errorf("waiting for the deletion: %w", err)
		}
		if pending == 0 {
			return e, nil
		}
		select {
		case <-ctx.Done():
			return e, fmt.Errorf("waiting for the deletion: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ErasedAuthors returns the erased authors as network → set of author ids.
func ErasedAuthors(ctx context.Context, conn driver.Conn) (map[string]map[string]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT network, author_id FROM erasures")
	if err != nil {
		return nil, fmt.Errorf("reading erasures: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var network, author string
		if err := rows.Scan(&network, &author); err != nil {
			return nil, fmt.Errorf("reading erasures: %w", err)
		}
		if out[network] == nil {
			out[network] = map[string]bool{}
		}
		out[network][author] = true
	}
	return out, rows.Err()
}
