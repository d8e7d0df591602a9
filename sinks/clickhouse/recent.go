package clickhouse

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/post"
)

// RecentPosts returns the live posts stored from one Kafka partition (src_topic, src_partition) created at
// or after since, newest first, at most limit of them: what the dedup stage needs to warm up after a restart
// or a rebalance. Each post carries its identity, author, text, repost reference and stored duplicate status;
// its EditedAt is set so that Version() returns the stored row version exactly (created_at is stored in
// whole seconds), and Source names the partition. It reads `FROM posts FINAL WHERE deleted = 0`, scanning
// the table (it is ordered by post identity, not time), so it is meant for start-up and rebalances, not for
// every batch.
func RecentPosts(ctx context.Context, conn driver.Conn, topic string, partition int32, since time.Time, limit int) ([]*post.Post, error) {
	if limit <= 0 {
		return nil, nil
	}
	from := since.Unix()
	if from < 0 {
		from = 0
	}
	rows, err := conn.Query(ctx, `SELECT network, post_id, author_id, author_handle, author_followers, author_brand,
		author_created_at, title, text, created_at, repost_of_id, dup_level, dup_of, dup_cluster, spam, src_offset, version
		FROM posts FINAL
		WHERE deleted = 0 AND src_topic = ? AND src_partition = ? AND created_at >= toDateTime(?)`,
		topic, partition, uint32(from))
	if err != nil {
		return nil, fmt.Errorf("reading recent posts of %s/%d: %w", topic, partition, err)
	}
	defer rows.Close()
	var out []*post.Post
	for rows.Next() {
		var (
			network, id, authorID, handle, title, text, repostOf string
			followers                                            int64
			brand, level, spam                                   uint8
			authorCreated, created                               time.Time
			of, cluster, version                                 uint64
			offset                                               int64
		)
		if err := rows.Scan(&network, &id, &authorID, &handle, &followers, &brand, &authorCreated, &title, &text,
			&created, &repostOf, &level, &of, &cluster, &spam, &offset, &version); err != nil {
			return nil, fmt.Errorf("reading recent posts of %s/%d: %w", topic, partition, err)
		}
		p := &post.Post{
			SchemaVersion: post.SchemaVersion, Network: post.Network(network), ID: id, Title: title, Text: text,
			CreatedAt: created.UTC(),
			Author: post.Author{
				ID: authorID, Handle: handle, Followers: followers, Brand: brand == 1, CreatedAt: unzero(authorCreated),
			},
			Refs:   post.Refs{RepostOfID: repostOf},
			Dup:    post.Dup{Level: post.DupLevel(level), Of: of, Cluster: cluster, Spam: spam == 1},
			Source: post.Source{Topic: topic, Partition: partition, Offset: offset},
		}
		if v := time.UnixMilli(int64(version)).UTC(); version > 0 && v.After(p.CreatedAt) {
			p.EditedAt = v
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading recent posts of %s/%d: %w", topic, partition, err)
	}
	// Newest first, at most limit. Sorting here rather than with ORDER BY … LIMIT in the query: ClickHouse
	// 18.16 reserves memory for the whole limit in a sort, which exhausts its memory limit when several
	// members warm up at once after a rebalance.
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// unzero maps the stored zero date (1970-01-01, how an unknown time is written) back to the zero time.
func unzero(t time.Time) time.Time {
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t.UTC()
}
