package influence

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The per-day path (migration 0032). Load reads every post of the window with FINAL and resolves mentions
// against every post ever stored; on months of posts that is the heaviest read of the system. Days keeps, per
// UTC day, the day's author aggregates, edges and handle holders in tables of their own, recomputes only the
// days that changed since its last run, and assembles the window from the stored days plus the (at most two)
// partial days at the window's edges, which it reads from influence_posts directly. Its authors and links are
// those Load returns for the same window (TestDaysMatchLoad), up to the rounding of the engagement sums.
//
// Why the result is the same: every input of Load is a sum or an arg-max over the window's posts, and each
// post belongs to exactly one day.
//   - posts and engagement are sums; a day stores its engagement decayed to the day's end, and the window
//     multiplies it by 2^-((window end − day end)/half-life), which is the same decay factor split in two;
//   - handle and followers are those of the author's latest post: the arg-max over days of each day's arg-max;
//   - an edge's weight counts posts, each once, and each post lies in one day, so the window's weight is the
//     sum of the days' weights;
//   - a mention resolves to the handle's latest holder over all stored posts: the arg-max over all days of
//     each day's holder (influence_day_handles, kept for every day, rolled up in influence_handles).
//
// What makes a stored day stale, and how a run finds it (days touched since the watermark, less Slack):
//   - a post of the day was inserted, edited or deleted: the days of every stored version of the posts
//     ingested since (posts is looked up by primary key, so a tombstone finds the day of the post it deletes);
//   - a post the day refers to appeared or was deleted (its author resolves differently): influence_targets
//     kind 1 gives the days that refer to it;
//   - a handle the day mentions changed holder: the holders of the handles of the touched posts are
//     recomputed, and influence_targets kind 2 gives the days that mention a handle whose holder changed;
//   - the day has no computation with the configured half-life (first run, a longer window, a new half-life,
//     or its month was dropped by retain, which marks its days with half-life 0).
//
// What bounds a statement's memory: days are recomputed ChunkDays at a time, and the handle holders are
// rolled up in parts of about HandlesPerQuery handles (by network and by a hash of the handle), so neither
// grows with the history.

// DaysConfig tunes the per-day path. Zero values take the documented defaults.
type DaysConfig struct {
	// Slack is how far behind the stored watermark a run looks for newly ingested posts: a post is stamped
	// ingested_at when it is read from Kafka and reaches ClickHouse up to a flush interval, or a retry
	// backoff, later. Default 1h.
	Slack time.Duration
	// ChunkDays is the most days recomputed by one statement; default 4.
	ChunkDays int
	// HandlesPerQuery is about the most handles whose holders one statement rolls up: a run that looks at
	// more (every handle of the history on the first run or a rebuild) splits them, by network and by a
	// hash of the handle, into as many statements as needed, so that a statement's memory does not grow
	// with the history.
	// Default 200,000.
	HandlesPerQuery int
	// Retain is how long before the window's first whole day the per-day authors and edges are kept at
	// least: a run drops the months of influence_day_authors and influence_day_links that end before the
	// window's first whole day less Retain (so at most Retain plus a month is kept beyond the window).
	// Default 7 days.
	Retain time.Duration
}

func (c *DaysConfig) setDefaults() {
	if c.Slack <= 0 {
		c.Slack = time.Hour
	}
	if c.ChunkDays <= 0 {
		c.ChunkDays = 4
	}
	if c.HandlesPerQuery <= 0 {
		c.HandlesPerQuery = 200_000
	}
	if c.Retain <= 0 {
		c.Retain = 7 * 24 * time.Hour
	}
}

// DaysStats says what one run of the per-day path did.
type DaysStats struct {
	Rebuild     bool      // no watermark was stored: every day was recomputed
	HandleDays  int       // days whose handle holders were recomputed
	GraphDays   int       // days of the window whose authors and edges were recomputed
	Holders     int       // handles whose holder changed
	HandleParts int       // statements the handle holders were rolled up in (by network and a hash of the handle)
	Dropped     []string  // the partitions (months) of old days' authors and edges dropped, as table:YYYYMM
	Watermark   time.Time // the newest ingested_at folded in
	Refresh     time.Duration
	ReadWindow  time.Duration
	WindowDays  int // whole days of the window read from the stored days
	PartialDays int // partial days at the window's edges read from influence_posts
}

const day = 86400

// dayOf is the UTC day of a unix time, as the unix time of its start.
func dayOf(t int64) int64 { return t - ((t%day)+day)%day }

// interactionsSQL is Interactions over a posts row.
var interactionsSQL = fmt.Sprintf("(likes * %d + reposts * %d + replies * %d + quotes * %d)", LikeWeight, RepostWeight, ReplyWeight, QuoteWeight)

// Day filters (what goes after WHERE on influence_posts): the rows of the listed days, or of a time range.
func daysFilter(days []int64) string {
	return "day IN (" + joinInts(days) + ")"
}

func rangesFilter(rs [][2]int64) string {
	days := map[int64]bool{}
	var parts []string
	for _, r := range rs {
		for d := dayOf(r[0]); d < r[1]; d += day {
			days[d] = true
		}
		parts = append(parts, fmt.Sprintf("created_at >= toDateTime(%d) AND created_at < toDateTime(%d)", r[0], r[1]))
	}
	list := make([]int64, 0, len(days))
	for d := range days {
		list = append(list, d)
	}
	slices.Sort(list)
	return "day IN (" + joinInts(list) + ") AND (" + strings.Join(parts, " OR ") + ")"
}

// quote is s as a ClickHouse string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func joinInts(v []int64) string {
	var sb strings.Builder
	for i, x := range v {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("toDateTime(" + strconv.FormatInt(x, 10) + ")")
	}
	return sb.String()
}

// livePosts is the current state of the posts that match filter: the latest version of each, without the
// posts deleted at their source (a tombstone may lie on another day, the epoch's for a deletion that did not
// carry the creation time, so the deleted posts are looked up in the whole table).
func livePosts(filter, cols string) string {
	return `(SELECT ` + cols + ` FROM influence_posts FINAL
    WHERE ` + filter + ` AND deleted = 0
      AND (network, post_id) NOT IN (SELECT network, post_id FROM influence_posts WHERE deleted = 1))`
}

// dayAuthorsSQL aggregates the authors of the posts matching filter per day: engagement decays to ref, the
// unix time given as an SQL expression (the day's end for stored days, the window's end for partial days).
func dayAuthorsSQL(filter, ref string, halfLife int64) string {
	return `SELECT day, network, author_id, argMax(author_handle, created_at) AS handle,
       argMax(author_followers, created_at) AS followers, max(created_at) AS latest,
       sum(` + interactionsSQL + ` * exp2(-(` + ref + ` - toUInt32(created_at)) / ` + strconv.FormatInt(halfLife, 10) + `)) AS engagement,
       count() AS posts
FROM ` + livePosts(filter, "day, network, author_id, author_handle, author_followers, created_at, likes, reposts, replies, quotes") + `
WHERE author_id != ''
GROUP BY day, network, author_id`
}

// dayLinksSQL aggregates the edges of the posts matching filter per day, as linksQuery does for a window:
// referenced posts are looked up in posts by primary key, mentions in influence_handles.
func dayLinksSQL(filter string) string {
	p := livePosts(filter, "day, network, uid, author_id, reply_to_author_id, reply_to_id, quote_of_id, repost_of_id, mentions")
	return `SELECT day, network, src, dst, toUInt64(uniqExact(uid)) AS posts
FROM (
    SELECT day, network, uid, author_id AS src, reply_to_author_id AS dst
    FROM ` + p + `
    WHERE reply_to_author_id != ''

    UNION ALL

    SELECT day, network, uid, src, dst
    FROM (
        SELECT day, network, uid, author_id AS src,
               arrayJoin(arrayFilter(x -> x != '', [if(reply_to_author_id = '', reply_to_id, ''), quote_of_id, repost_of_id])) AS ref_id
        FROM ` + p + `
        WHERE reply_to_author_id = '' AND reply_to_id != '' OR quote_of_id != '' OR repost_of_id != ''
    ) ALL INNER JOIN (
        SELECT network, post_id AS ref_id, author_id AS dst
        FROM posts FINAL
        WHERE deleted = 0 AND author_id != '' AND (network, post_id) IN (
            SELECT network, arrayJoin(arrayFilter(x -> x != '', [reply_to_id, quote_of_id, repost_of_id]))
            FROM influence_posts
            WHERE ` + filter + `)
    ) USING (network, ref_id)

    UNION ALL

    SELECT day, network, uid, src, dst
    FROM (
        SELECT day, network, uid, author_id AS src, arrayJoin(mentions) AS handle
        FROM ` + p + `
        WHERE notEmpty(mentions)
    ) ALL INNER JOIN (
        SELECT network, handle, author_id AS dst
        FROM influence_handles FINAL
        WHERE author_id != '' AND (network, handle) IN (
            SELECT network, arrayJoin(mentions) FROM influence_posts WHERE ` + filter + `)
    ) USING (network, handle)
)
WHERE src != '' AND dst != '' AND src != dst
GROUP BY day, network, src, dst`
}

// dayHandlesSQL gives per day and lower-case handle the author of the day's latest post with it.
func dayHandlesSQL(filter string) string {
	return `SELECT network, lower(author_handle) AS handle, day, argMax(author_id, created_at) AS holder, max(created_at) AS latest
FROM ` + livePosts(filter, "day, network, author_handle, author_id, created_at") + `
WHERE author_handle != '' AND author_id != ''
GROUP BY network, handle, day`
}

// markers is the version of each day's latest computation of a kind.
func markers(kind string) string {
	return `(SELECT day, max(version) FROM influence_days WHERE kind = '` + kind + `' GROUP BY day)`
}

// changedHoldersSQL gives, for each handle that matches filter (what goes after WHERE on the network and
// handle of influence_day_handles and influence_handles), its latest holder over all days (empty when no
// day's current computation has the handle) where it differs from the holder stored in influence_handles. One
// aggregation over both tables, each read once, with no join and no set of the handles.
func changedHoldersSQL(filter string) string {
	return `SELECT network, handle, argMaxIf(author_id, latest, current = 1) AS holder, anyIf(author_id, current = 2) AS old_author
FROM (
    SELECT network, handle, author_id, latest, toUInt8((day, version) IN ` + markers("h") + `) AS current
    FROM influence_day_handles FINAL
    WHERE ` + filter + `

    UNION ALL

    SELECT network, handle, author_id, toDateTime(0) AS latest, toUInt8(2) AS current
    FROM influence_handles FINAL
    WHERE ` + filter + `
)
GROUP BY network, handle
HAVING holder != old_author`
}

// Days maintains the per-day tables over conn and assembles windows from them.
type Days struct {
	conn driver.Conn
	cfg  DaysConfig
	now  func() time.Time
}

// NewDays returns the per-day path over conn.
func NewDays(conn driver.Conn, cfg DaysConfig) *Days {
	cfg.setDefaults()
	return &Days{conn: conn, cfg: cfg, now: time.Now}
}

// Load brings the stored days up to date (Refresh) and returns the window's authors and links, with the
// meaning Load gives them.
func (d *Days) Load(ctx context.Context, w Window) ([]Author, []Link, DaysStats, error) {
	st, err := d.Refresh(ctx, w)
	if err != nil {
		return nil, nil, st, err
	}
	start := time.Now()
	authors, links, err := d.read(ctx, w, &st)
	st.ReadWindow = time.Since(start)
	return authors, links, st, err
}

// Refresh recomputes the stored days that changed since the last run (every day when no watermark is
// stored) and the whole days of w that have no computation with w's half-life, stores the watermark, and
// drops the months of authors and edges older than w's first whole day less the configured Retain.
func (d *Days) Refresh(ctx context.Context, w Window) (DaysStats, error) {
	var st DaysStats
	if err := w.Validate(); err != nil {
		return st, err
	}
	start := time.Now()
	halfLife := int64(w.HalfLife.Seconds())
	if halfLife < 1 {
		return st, fmt.Errorf("influence window: half-life must be at least 1s for the per-day path, got %s", w.HalfLife)
	}
	// The watermark is read before anything else: what is ingested while the run goes on is looked at again
	// by the next run.
	var newMark time.Time
	if err := d.conn.QueryRow(ctx, "SELECT max(ingested_at) FROM influence_posts").Scan(&newMark); err != nil {
		return st, fmt.Errorf("reading the influence watermark: %w", err)
	}
	var n uint64
	var mark time.Time
	if err := d.conn.QueryRow(ctx, "SELECT count(), argMax(watermark, version) FROM influence_state WHERE name = 'posts'").Scan(&n, &mark); err != nil {
		return st, fmt.Errorf("reading influence_state: %w", err)
	}
	st.Rebuild = n == 0 || mark.Unix() <= 0
	version := uint64(d.now().UnixNano())
	lo, hi := w.From.Unix(), w.To.Unix()
	firstFull, endFull := dayOf(lo+day-1), dayOf(hi) // whole days of the window: [firstFull, endFull)

	// 1. The days whose handles are recomputed: all of them on a rebuild, else the days of the touched posts.
	since := max(mark.Add(-d.cfg.Slack).Unix(), 0)
	touched := fmt.Sprintf("SELECT network, post_id FROM influence_posts WHERE ingested_at >= toDateTime(%d)", since)
	var handleDays []int64
	var nHandles uint64 // at least the distinct handles whose holders step 2 rolls up
	var err error
	if st.Rebuild {
		handleDays, _, err = d.dayList(ctx, "SELECT toUInt64(day), toUInt64(0) FROM influence_posts GROUP BY day")
	} else {
		// A handle may be counted on several days: the sum can only overestimate.
		handleDays, nHandles, err = d.dayList(ctx, `SELECT toUInt64(intDiv(toUInt32(created_at), 86400) * 86400) AS d, uniq(network, lower(author_handle))
FROM posts WHERE (network, post_id) IN (`+touched+`) GROUP BY d`)
	}
	if err != nil {
		return st, err
	}
	if err := d.inChunks(ctx, handleDays, func(days []int64) error {
		return d.exec(ctx, "recomputing influence_day_handles", `INSERT INTO influence_day_handles (network, handle, day, author_id, latest, version)
SELECT network, handle, day, holder, latest, `+strconv.FormatUint(version, 10)+` FROM (`+dayHandlesSQL(daysFilter(days))+`)`)
	}); err != nil {
		return st, err
	}
	if err := d.mark(ctx, "h", handleDays, version, 0); err != nil {
		return st, err
	}
	st.HandleDays = len(handleDays)

	// 2. The holders of the handles of the touched posts (of every handle on a rebuild): a row for each
	// handle whose holder changed. The handles are split into parts of about HandlesPerQuery, each rolled up
	// by a statement of its own, whose memory is its part's aggregation states: on a rebuild by network (the
	// first column of both tables' keys, so that a part reads its network's rows only) and then by a hash of
	// the handle; else, when the touched posts have that many handles, by the hash.
	type group struct {
		filter  string
		handles uint64 // an estimate (uniq), off by a few per cent at most
	}
	var groups []group
	if st.Rebuild {
		rows, err := d.conn.Query(ctx, `SELECT network, uniq(handle) FROM (
    SELECT network, handle FROM influence_day_handles UNION ALL SELECT network, handle FROM influence_handles)
GROUP BY network ORDER BY network`)
		if err != nil {
			return st, fmt.Errorf("counting the handles: %w", err)
		}
		for rows.Next() {
			var network string
			var n uint64
			if err := rows.Scan(&network, &n); err != nil {
				_ = rows.Close()
				return st, fmt.Errorf("counting the handles: %w", err)
			}
			groups = append(groups, group{"network = " + quote(network), n})
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return st, fmt.Errorf("counting the handles: %w", err)
		}
	} else {
		groups = append(groups, group{"(network, handle) IN (SELECT network, lower(author_handle) FROM posts WHERE (network, post_id) IN (" + touched + ") AND author_handle != '')", nHandles})
	}
	parts := 0
	for _, g := range groups {
		n := max(1, int((g.handles+uint64(d.cfg.HandlesPerQuery)-1)/uint64(d.cfg.HandlesPerQuery)))
		for i := range n {
			filter := g.filter
			if n > 1 {
				filter += fmt.Sprintf(" AND cityHash64(network, handle) %% %d = %d", n, i)
			}
			if err := d.exec(ctx, "updating influence_handles", `INSERT INTO influence_handles (network, handle, author_id, version)
SELECT network, handle, holder, `+strconv.FormatUint(version, 10)+` FROM (`+changedHoldersSQL(filter)+`)`); err != nil {
				return st, err
			}
		}
		parts += n
	}
	st.HandleParts = parts
	var holders uint64
	if err := d.conn.QueryRow(ctx, "SELECT count() FROM influence_handles WHERE version = ?", version).Scan(&holders); err != nil {
		return st, fmt.Errorf("counting changed handle holders: %w", err)
	}
	st.Holders = int(holders)

	// 3. The whole days of the window to recompute: those without a computation of this half-life, the
	// touched ones, those that refer to a post that appeared or was deleted, and those that mention a handle
	// whose holder changed.
	graph := map[int64]bool{}
	if firstFull < endFull {
		valid := map[int64]bool{}
		rows, err := d.conn.Query(ctx, fmt.Sprintf(`SELECT toUInt32(day), argMax(half_life, version) FROM influence_days
WHERE kind = 'g' AND day >= toDateTime(%d) AND day < toDateTime(%d) GROUP BY day`, firstFull, endFull))
		if err != nil {
			return st, fmt.Errorf("reading influence_days: %w", err)
		}
		for rows.Next() {
			var dd, hl uint32
			if err := rows.Scan(&dd, &hl); err != nil {
				_ = rows.Close()
				return st, fmt.Errorf("reading influence_days: %w", err)
			}
			valid[int64(dd)] = int64(hl) == halfLife
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return st, fmt.Errorf("reading influence_days: %w", err)
		}
		for dd := firstFull; dd < endFull; dd += day {
			if st.Rebuild || !valid[dd] {
				graph[dd] = true
			}
		}
		for _, dd := range handleDays {
			if dd >= firstFull && dd < endFull {
				graph[dd] = true
			}
		}
		if !st.Rebuild {
			inWindow := fmt.Sprintf(" AND day >= toDateTime(%d) AND day < toDateTime(%d)", firstFull, endFull)
			appeared := fmt.Sprintf(`SELECT network, post_id FROM posts WHERE (network, post_id) IN (%s)
GROUP BY network, post_id HAVING min(ingested_at) >= toDateTime(%d) OR max(deleted) = 1`, touched, since)
			for _, q := range []string{
				`SELECT DISTINCT toUInt64(day), toUInt64(0) FROM influence_targets WHERE kind = 1 AND (network, target) IN (` + appeared + `)` + inWindow,
				`SELECT DISTINCT toUInt64(day), toUInt64(0) FROM influence_targets WHERE kind = 2 AND (network, target) IN (
    SELECT network, handle FROM influence_handles WHERE version = ` + strconv.FormatUint(version, 10) + `)` + inWindow,
			} {
				ds, _, err := d.dayList(ctx, q)
				if err != nil {
					return st, err
				}
				for _, dd := range ds {
					graph[dd] = true
				}
			}
		}
	}
	graphDays := make([]int64, 0, len(graph))
	for dd := range graph {
		graphDays = append(graphDays, dd)
	}
	slices.Sort(graphDays)
	v := strconv.FormatUint(version, 10)
	if err := d.inChunks(ctx, graphDays, func(days []int64) error {
		f := daysFilter(days)
		if err := d.exec(ctx, "recomputing influence_day_authors", `INSERT INTO influence_day_authors (day, network, author_id, handle, followers, latest, engagement, posts, version)
SELECT day, network, author_id, handle, followers, latest, engagement, posts, `+v+` FROM (`+dayAuthorsSQL(f, "(toUInt32(day) + 86400)", halfLife)+`)`); err != nil {
			return err
		}
		return d.exec(ctx, "recomputing influence_day_links", `INSERT INTO influence_day_links (day, network, src, dst, posts, version)
SELECT day, network, src, dst, posts, `+v+` FROM (`+dayLinksSQL(f)+`)`)
	}); err != nil {
		return st, err
	}
	if err := d.mark(ctx, "g", graphDays, version, uint32(halfLife)); err != nil {
		return st, err
	}
	st.GraphDays = len(graphDays)

	// 4. The watermark, last: a run that failed half-way is repeated from the same watermark.
	b, err := d.conn.PrepareBatch(ctx, "INSERT INTO influence_state (name, watermark, version)")
	if err != nil {
		return st, fmt.Errorf("saving influence_state: %w", err)
	}
	if newMark.Unix() <= 0 {
		newMark = time.Unix(1, 0) // nothing stored yet: still not a rebuild next time
	}
	if err := b.Append("posts", newMark, version); err != nil {
		_ = b.Abort()
		return st, fmt.Errorf("saving influence_state: %w", err)
	}
	if err := b.Send(); err != nil {
		return st, fmt.Errorf("saving influence_state: %w", err)
	}
	st.Watermark = newMark

	// 5. Retention: the months of authors and edges that ended before the window's first whole day less
	// Retain.
	if err := d.retain(ctx, firstFull-int64(d.cfg.Retain/time.Second), version, &st); err != nil {
		return st, err
	}
	st.Refresh = time.Since(start)
	return st, nil
}

// retainedTables are the per-day tables of the window's days, partitioned by toYYYYMM(day), that retain
// drops old months of. influence_day_handles is kept for every day (a mention resolves to the handle's
// latest holder over all stored posts), as are the markers of influence_days (one row per day and kind).
var retainedTables = []string{"influence_day_authors", "influence_day_links"}

// retain drops the partitions (months) of retainedTables that end at or before keep, the unix time of the
// oldest day to keep. Dropping a partition is cheap on every ClickHouse version (no TTL on 18.16, and a
// DELETE mutation would rewrite the parts). The dropped days first get a marker of kind 'g' with half-life
// 0, which no window has, so that a later, longer window recomputes them instead of reading no rows.
func (d *Days) retain(ctx context.Context, keep int64, version uint64, st *DaysStats) error {
	t := time.Unix(keep, 0).UTC()
	keepMonth := t.Year()*100 + int(t.Month())
	rows, err := d.conn.Query(ctx, `SELECT DISTINCT table, partition FROM system.parts
WHERE database = currentDatabase() AND active AND table IN ('`+strings.Join(retainedTables, "', '")+`')`)
	if err != nil {
		return fmt.Errorf("listing the influence partitions: %w", err)
	}
	type part struct {
		table string
		month int
	}
	var old []part
	for rows.Next() {
		var table, partition string
		if err := rows.Scan(&table, &partition); err != nil {
			_ = rows.Close()
			return fmt.Errorf("listing the influence partitions: %w", err)
		}
		m, err := strconv.Atoi(strings.Trim(partition, "'"))
		if err != nil {
			_ = rows.Close()
			return fmt.Errorf("influence partition %s of %s is not a month: %w", partition, table, err)
		}
		if m < keepMonth {
			old = append(old, part{table, m})
		}
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing the influence partitions: %w", err)
	}
	if len(old) == 0 {
		return nil
	}
	monthStart := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Unix()
	days, _, err := d.dayList(ctx, fmt.Sprintf(`SELECT toUInt64(day), toUInt64(0) FROM influence_days
WHERE kind = 'g' AND day < toDateTime(%d) GROUP BY day HAVING argMax(half_life, version) != 0`, monthStart))
	if err != nil {
		return err
	}
	if err := d.mark(ctx, "g", days, version, 0); err != nil {
		return err
	}
	slices.SortFunc(old, func(a, b part) int { return cmp.Or(strings.Compare(a.table, b.table), cmp.Compare(a.month, b.month)) })
	for _, p := range old {
		if err := d.exec(ctx, "dropping old influence days", fmt.Sprintf("ALTER TABLE %s DROP PARTITION %d", p.table, p.month)); err != nil {
			return err
		}
		st.Dropped = append(st.Dropped, fmt.Sprintf("%s:%d", p.table, p.month))
	}
	return nil
}

// Invalidate makes the next run recompute every day (after an erasure, or to repair the tables).
func Invalidate(ctx context.Context, conn driver.Conn) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO influence_state (name, watermark, version)")
	if err != nil {
		return fmt.Errorf("invalidating influence_state: %w", err)
	}
	if err := b.Append("posts", time.Unix(0, 0), uint64(time.Now().UnixNano())); err != nil {
		_ = b.Abort()
		return fmt.Errorf("invalidating influence_state: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("invalidating influence_state: %w", err)
	}
	return nil
}

// read assembles the window: the stored whole days (rows of each day's latest computation) and the partial
// days at the edges, computed from influence_posts.
func (d *Days) read(ctx context.Context, w Window, st *DaysStats) ([]Author, []Link, error) {
	lo, hi := w.From.Unix(), w.To.Unix()
	halfLife := int64(w.HalfLife.Seconds())
	firstFull, endFull := dayOf(lo+day-1), dayOf(hi)
	var partial [][2]int64
	if firstFull >= endFull {
		partial = append(partial, [2]int64{lo, hi})
	} else {
		if lo < firstFull {
			partial = append(partial, [2]int64{lo, firstFull})
		}
		if endFull < hi {
			partial = append(partial, [2]int64{endFull, hi})
		}
		st.WindowDays = int((endFull - firstFull) / day)
	}
	for _, r := range partial {
		st.PartialDays += int((dayOf(r[1]-1)-dayOf(r[0]))/day) + 1
	}
	to, hl := strconv.FormatInt(hi, 10), strconv.FormatInt(halfLife, 10)
	stored := fmt.Sprintf("day >= toDateTime(%d) AND day < toDateTime(%d)", firstFull, max(firstFull, endFull))
	authorParts := []string{`SELECT network, author_id, handle, followers, latest,
       engagement * exp2(-(` + to + ` - (toUInt32(day) + 86400)) / ` + hl + `) AS engagement, posts
FROM influence_day_authors FINAL
WHERE ` + stored + ` AND (day, version) IN ` + markers("g")}
	linkParts := []string{`SELECT network, src, dst, posts FROM influence_day_links FINAL
WHERE ` + stored + ` AND (day, version) IN ` + markers("g")}
	if len(partial) > 0 {
		f := rangesFilter(partial)
		authorParts = append(authorParts, `SELECT network, author_id, handle, followers, latest, engagement, posts FROM (`+dayAuthorsSQL(f, to, halfLife)+`)`)
		linkParts = append(linkParts, `SELECT network, src, dst, posts FROM (`+dayLinksSQL(f)+`)`)
	}
	authorsSQL := `SELECT network, author_id, argMax(handle, latest), argMax(followers, latest), sum(engagement), sum(posts)
FROM (` + strings.Join(authorParts, "\nUNION ALL\n") + `)
GROUP BY network, author_id`
	linksSQL := `SELECT network, src, dst, toFloat64(sum(posts))
FROM (` + strings.Join(linkParts, "\nUNION ALL\n") + `)
GROUP BY network, src, dst`
	return scanInputs(ctx, d.conn, authorsSQL, nil, linksSQL, nil)
}

func (d *Days) exec(ctx context.Context, what, sql string) error {
	if err := d.conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// dayList runs sql, which returns rows of a day (UInt64) and a count (UInt64), and gives the days, sorted,
// and the sum of the counts.
func (d *Days) dayList(ctx context.Context, sql string) ([]int64, uint64, error) {
	rows, err := d.conn.Query(ctx, sql)
	if err != nil {
		return nil, 0, fmt.Errorf("finding influence days to recompute: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []int64
	var sum uint64
	for rows.Next() {
		var v, n uint64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, 0, fmt.Errorf("finding influence days to recompute: %w", err)
		}
		out = append(out, int64(v))
		sum += n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("finding influence days to recompute: %w", err)
	}
	slices.Sort(out)
	return out, sum, nil
}

func (d *Days) inChunks(ctx context.Context, days []int64, f func([]int64) error) error {
	for len(days) > 0 {
		n := min(len(days), d.cfg.ChunkDays)
		if err := f(days[:n]); err != nil {
			return err
		}
		days = days[n:]
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// mark records that days were computed with version: their rows of that version are the current ones.
func (d *Days) mark(ctx context.Context, kind string, days []int64, version uint64, halfLife uint32) error {
	if len(days) == 0 {
		return nil
	}
	b, err := d.conn.PrepareBatch(ctx, "INSERT INTO influence_days (kind, day, version, half_life, computed_at)")
	if err != nil {
		return fmt.Errorf("writing influence_days: %w", err)
	}
	at := d.now().UTC().Truncate(time.Second)
	for _, dd := range days {
		if err := b.Append(kind, time.Unix(dd, 0), version, halfLife, at); err != nil {
			_ = b.Abort()
			return fmt.Errorf("writing influence_days: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("writing influence_days: %w", err)
	}
	return nil
}
