package clickhouse

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ThreadPost is what thread inheritance needs of a stored post: its identity, creation time and entities (own
// or inherited), as the parallel arrays of the posts table.
type ThreadPost struct {
	UID        uint64
	CreatedAt  time.Time
	IDs        []string
	Brands     []string
	Kinds      []string
	Competitor []uint8
}

const threadColumns = "uid, created_at, entity_ids, entity_brands, entity_kinds, entity_competitor"

// RecentEntities returns the live posts created at or after since that have entities, newest first, at most
// limit. It reads the whole posts table through FINAL once, so it is meant for a warm-up at start.
func RecentEntities(ctx context.Context, conn driver.Conn, since time.Time, limit int) ([]ThreadPost, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := conn.Query(ctx, "SELECT "+threadColumns+` FROM posts FINAL
		WHERE deleted = 0 AND notEmpty(entity_ids) AND created_at >= ?`, clampTime(since))
	if err != nil {
		return nil, fmt.Errorf("reading recent post entities: %w", err)
	}
	out, err := scanThreadPosts(rows, "reading recent post entities")
	if err != nil {
		return nil, err
	}
	// Newest first, at most limit, sorted here: an ORDER BY … LIMIT makes ClickHouse 18.16 reserve memory for
	// the whole limit.
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PostEntities returns the live stored posts among ids on network, with or without entities. Posts not
// stored are left out. The lookup goes by the table's key (network, post_id).
//
// It runs once per batch on the entities stage's path, so it reads without FINAL, which costs ClickHouse
// several times more on this small key lookup while parts are being written, and collapses the copies of
// a post here the way ReplacingMergeTree does: the row with the highest version wins, and a post whose
// winning row is a tombstone is left out. Copies with equal versions are replays of one content version;
// of those the one read last is kept (FINAL keeps the one inserted last).
func PostEntities(ctx context.Context, conn driver.Conn, network string, ids []string) ([]ThreadPost, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, network)
	for _, id := range ids {
		args = append(args, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	const what = "looking up post entities"
	rows, err := conn.Query(ctx, "SELECT "+threadColumns+", version, deleted FROM posts WHERE network = ? AND post_id IN ("+marks+")", args...)
	if err != nil {
		return nil, fmt.Errorf("looking up the entities of %d %s posts: %w", len(ids), network, err)
	}
	defer func() { _ = rows.Close() }()
	type copyOf struct {
		post    ThreadPost
		version uint64
		deleted uint8
	}
	var (
		copies []copyOf
		at     = map[uint64]int{} // uid → index in copies
	)
	for rows.Next() {
		var c copyOf
		p := &c.post
		if err := rows.Scan(&p.UID, &p.CreatedAt, &p.IDs, &p.Brands, &p.Kinds, &p.Competitor, &c.version, &c.deleted); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if i, ok := at[p.UID]; ok {
			if c.version >= copies[i].version {
				copies[i] = c
			}
			continue
		}
		at[p.UID] = len(copies)
		copies = append(copies, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var out []ThreadPost
	for _, c := range copies {
		if c.deleted == 0 {
			out = append(out, c.post)
		}
	}
	return out, nil
}

func scanThreadPosts(rows driver.Rows, what string) ([]ThreadPost, error) {
	defer func() { _ = rows.Close() }()
	var out []ThreadPost
	for rows.Next() {
		var p ThreadPost
		if err := rows.Scan(&p.UID, &p.CreatedAt, &p.IDs, &p.Brands, &p.Kinds, &p.Competitor); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
