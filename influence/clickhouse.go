package influence

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The queries below stay in the SQL that ClickHouse 18.16 and current releases both accept: explicit join
// strictness, USING joins, positional parameters, DateTime arithmetic through toUInt32.

// authorsQuery aggregates the authors of the window. Parameters: window end (unix seconds), half-life
// (seconds), window start, window end.
var authorsQuery = `
SELECT network, author_id,
       argMax(author_handle, created_at) AS handle,
       argMax(author_followers, created_at) AS followers,
       sum(` + interactionsSQL + ` * exp2(-(? - toUInt32(created_at)) / ?)) AS engagement,
       count() AS posts
FROM posts FINAL
WHERE deleted = 0 AND author_id != '' AND created_at >= toDateTime(?) AND created_at < toDateTime(?)
GROUP BY network, author_id`

// linksQuery aggregates the interaction graph of the window: for each post in it, the authors it answers
// (reply_to_author_id, or the author of reply_to_id), quotes, reposts or mentions (by lower-case handle,
// the handle's latest holder), each counted once per post; self interactions are dropped. Parameters: the
// window start and end, four times.
const linksQuery = `
SELECT network, src, dst, toFloat64(uniqExact(uid)) AS w
FROM (
    SELECT network, uid, author_id AS src, reply_to_author_id AS dst
    FROM posts FINAL
    WHERE deleted = 0 AND reply_to_author_id != '' AND created_at >= toDateTime(?) AND created_at < toDateTime(?)

    UNION ALL

    SELECT network, uid, src, dst
    FROM (
        SELECT network, uid, author_id AS src,
               arrayJoin(arrayFilter(x -> x != '', [if(reply_to_author_id = '', reply_to_id, ''), quote_of_id, repost_of_id])) AS ref_id
        FROM posts FINAL
        WHERE deleted = 0 AND created_at >= toDateTime(?) AND created_at < toDateTime(?)
          AND (reply_to_author_id = '' AND reply_to_id != '' OR quote_of_id != '' OR repost_of_id != '')
    ) ALL INNER JOIN (
        SELECT network, post_id AS ref_id, author_id AS dst
        FROM posts FINAL
        WHERE deleted = 0 AND author_id != '' AND post_id IN (
            SELECT arrayJoin(arrayFilter(x -> x != '', [reply_to_id, quote_of_id, repost_of_id]))
            FROM posts
            WHERE created_at >= toDateTime(?) AND created_at < toDateTime(?))
    ) USING (network, ref_id)

    UNION ALL

    SELECT network, uid, src, dst
    FROM (
        SELECT network, uid, author_id AS src, arrayJoin(mentions) AS handle
        FROM posts FINAL
        WHERE deleted = 0 AND notEmpty(mentions) AND created_at >= toDateTime(?) AND created_at < toDateTime(?)
    ) ALL INNER JOIN (
        SELECT network, lower(author_handle) AS handle, argMax(author_id, created_at) AS dst
        FROM posts FINAL
        WHERE deleted = 0 AND author_handle != '' AND author_id != ''
        GROUP BY network, handle
    ) USING (network, handle)
)
WHERE src != '' AND dst != '' AND src != dst
GROUP BY network, src, dst`

// Load aggregates the computation's inputs from the posts table (read FROM posts FINAL WHERE deleted = 0)
// for the window.
func Load(ctx context.Context, conn driver.Conn, w Window) ([]Author, []Link, error) {
	if err := w.Validate(); err != nil {
		return nil, nil, err
	}
	from, to := w.From.Unix(), w.To.Unix()
	return scanInputs(ctx, conn, authorsQuery, []any{to, w.HalfLife.Seconds(), from, to}, linksQuery, []any{from, to, from, to, from, to, from, to})
}

// scanInputs runs an authors query (network, author id, handle, followers, engagement, posts) and a links
// query (network, from, to, weight) and reads their rows.
func scanInputs(ctx context.Context, conn driver.Conn, authorsSQL string, authorsArgs []any, linksSQL string, linksArgs []any) ([]Author, []Link, error) {
	rows, err := conn.Query(ctx, authorsSQL, authorsArgs...)
	if err != nil {
		return nil, nil, fmt.Errorf("querying influence authors: %w", err)
	}
	var authors []Author
	for rows.Next() {
		var a Author
		var posts uint64
		if err := rows.Scan(&a.Network, &a.ID, &a.Handle, &a.Followers, &a.Engagement, &posts); err != nil {
			_ = rows.Close()
			return nil, nil, fmt.Errorf("reading influence authors: %w", err)
		}
		a.Posts = int64(posts)
		authors = append(authors, a)
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return nil, nil, fmt.Errorf("reading influence authors: %w", err)
	}
	_ = rows.Close()

	rows, err = conn.Query(ctx, linksSQL, linksArgs...)
	if err != nil {
		return nil, nil, fmt.Errorf("querying influence graph: %w", err)
	}
	defer func() { _ = rows.Close() }()
	// Interning keeps one copy of each network and author id however many edges name it: a graph has several
	// times more edges than authors.
	ids := make(map[string]string, len(authors))
	for i := range authors {
		a := &authors[i]
		a.Network = intern(ids, a.Network)
		a.ID = intern(ids, a.ID)
	}
	var links []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.Network, &l.From, &l.To, &l.Weight); err != nil {
			return nil, nil, fmt.Errorf("reading influence graph: %w", err)
		}
		l.Network, l.From, l.To = intern(ids, l.Network), intern(ids, l.From), intern(ids, l.To)
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading influence graph: %w", err)
	}
	return authors, links, nil
}

func intern(ids map[string]string, s string) string {
	if v, ok := ids[s]; ok {
		return v
	}
	ids[s] = s
	return s
}

// WriteBatchRows is how many author_influence rows go into one insert.
const WriteBatchRows = 50000

// Write stores a computation: one author_influence row per scored author (in inserts of WriteBatchRows) and
// one influence_networks row per network. Rows carry computedAt and a version of its milliseconds, so the
// latest computation wins and writing the same computation twice changes nothing.
func Write(ctx context.Context, conn driver.Conn, res *Result, w Window, computedAt time.Time) error {
	version := uint64(computedAt.UnixMilli())
	at := computedAt.UTC().Truncate(time.Second)
	for lo := 0; lo < len(res.Scores); lo += WriteBatchRows {
		hi := min(lo+WriteBatchRows, len(res.Scores))
		b, err := conn.PrepareBatch(ctx, "INSERT INTO author_influence (network, author_id, handle, score, audience, engagement, centrality, followers, computed_at, version)")
		if err != nil {
			return fmt.Errorf("writing author influence: %w", err)
		}
		for _, s := range res.Scores[lo:hi] {
			if err := b.Append(s.Network, s.AuthorID, s.Handle, float32(s.Score), float32(s.Audience), float32(s.Engagement),
				float32(s.Centrality), s.Followers, at, version); err != nil {
				_ = b.Abort()
				return fmt.Errorf("writing author influence: %w", err)
			}
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("writing author influence: %w", err)
		}
	}
	if len(res.Networks) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO influence_networks (network, followers_ref, authors, weight_audience, weight_engagement, weight_centrality, window_start, window_end, computed_at, version)")
	if err != nil {
		return fmt.Errorf("writing influence networks: %w", err)
	}
	for _, n := range res.Networks {
		if err := b.Append(n.Network, n.FollowersRef, uint64(n.Authors), float32(n.Weights.Audience), float32(n.Weights.Engagement),
			float32(n.Weights.Centrality), w.From.UTC().Truncate(time.Second), w.To.UTC().Truncate(time.Second), at, version); err != nil {
			_ = b.Abort()
			return fmt.Errorf("writing influence networks: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("writing influence networks: %w", err)
	}
	return nil
}

// Stored is one author's latest stored score.
type Stored struct {
	Network  string
	AuthorID string
	Score    float32
	Version  uint64
}

// Snapshot is what the pipeline stage loads: author scores and network references stored after a version.
type Snapshot struct {
	Authors  []Stored
	Networks []NetworkRef
	Version  uint64 // highest version seen (the argument, when nothing newer was stored)
}

// LoadStored returns the author scores and network references stored with a version above after (0: all).
// Calling it again with the returned Version fetches only what later computations wrote.
func LoadStored(ctx context.Context, conn driver.Conn, after uint64) (*Snapshot, error) {
	snap := &Snapshot{Version: after}
	rows, err := conn.Query(ctx, "SELECT network, author_id, score, version FROM author_influence FINAL WHERE version > ?", after)
	if err != nil {
		return nil, fmt.Errorf("loading author influence: %w", err)
	}
	for rows.Next() {
		var s Stored
		if err := rows.Scan(&s.Network, &s.AuthorID, &s.Score, &s.Version); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("loading author influence: %w", err)
		}
		snap.Version = max(snap.Version, s.Version)
		snap.Authors = append(snap.Authors, s)
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return nil, fmt.Errorf("loading author influence: %w", err)
	}
	_ = rows.Close()
	rows, err = conn.Query(ctx, `SELECT network, followers_ref, authors, weight_audience, weight_engagement, weight_centrality, version
FROM influence_networks FINAL WHERE version > ?`, after)
	if err != nil {
		return nil, fmt.Errorf("loading influence networks: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var n NetworkRef
		var authors, version uint64
		var wa, we, wc float32
		if err := rows.Scan(&n.Network, &n.FollowersRef, &authors, &wa, &we, &wc, &version); err != nil {
			return nil, fmt.Errorf("loading influence networks: %w", err)
		}
		n.Authors = int(authors)
		n.Weights = Weights{Audience: float64(wa), Engagement: float64(we), Centrality: float64(wc)}
		snap.Version = max(snap.Version, version)
		snap.Networks = append(snap.Networks, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading influence networks: %w", err)
	}
	return snap, nil
}

// LastComputed returns when the latest stored computation ran (zero when none has).
func LastComputed(ctx context.Context, conn driver.Conn) (time.Time, error) {
	var v uint64
	if err := conn.QueryRow(ctx, "SELECT max(version) FROM influence_networks").Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("reading the last influence computation: %w", err)
	}
	if v == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(int64(v)).UTC(), nil
}
