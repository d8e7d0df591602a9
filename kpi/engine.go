package kpi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Query asks for KPIs of one brand (optionally one of its products) over [From, To).
type Query struct {
	KPI     string // KPI name from Catalog; ignored by Values
	Brand   string // catalogue brand id; required
	Product string // catalogue product id (brand/product); empty: the whole brand
	Network string // one network; empty: all
	Lang    string // one language; empty: all
	Segment string // one customer segment; empty: all (posts of unlinked authors included)
	From    time.Time
	To      time.Time
	// Interval is the bucket width of Series, a whole number of hours; zero means one bucket for the whole
	// range. Buckets start at From.
	Interval time.Duration
	// BusinessHours, when set, measures first-response times in business hours only.
	BusinessHours *BusinessHours
}

// Point is one KPI value for one bucket.
type Point struct {
	Time  time.Time // start of the bucket
	Value float64
	// Valid is false when the bucket has no data for this KPI (e.g. no scored opinions); Value is then 0.
	Valid bool
	// N is the sample the value rests on (opinions, inbound posts, answered posts, customers, …).
	N int64
	// Components are the parts of a composite KPI (see Definition.Components); nil for plain KPIs.
	Components map[string]float64
}

// BusinessHours is a weekly opening schedule for first-response times: time outside it does not count.
type BusinessHours struct {
	Start, End int            // opening hours [Start, End) in hours of the day, 0–24; Start < End
	Weekdays   []time.Weekday // open days; empty means Monday to Friday
	Location   *time.Location // nil means UTC
}

// Engine answers KPI queries from the rollups. It is safe for concurrent use.
type Engine struct {
	conn driver.Conn
}

// NewEngine returns an engine reading through conn (a connection to the database holding the rollups).
func NewEngine(conn driver.Conn) *Engine { return &Engine{conn: conn} }

// maxBuckets bounds the number of buckets one query may ask for.
const maxBuckets = 10000

func (q *Query) check() error {
	if strings.TrimSpace(q.Brand) == "" {
		return errors.New("kpi query: brand is required")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return fmt.Errorf("kpi query: from (%s) must be before to (%s)", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if q.Interval < 0 || q.Interval%time.Hour != 0 {
		return fmt.Errorf("kpi query: interval %s must be a whole number of hours", q.Interval)
	}
	if q.Interval > 0 && int64(q.To.Sub(q.From)/q.Interval) > maxBuckets {
		return fmt.Errorf("kpi query: %s in steps of %s is more than %d buckets", q.To.Sub(q.From), q.Interval, maxBuckets)
	}
	if b := q.BusinessHours; b != nil {
		if b.Start < 0 || b.End > 24 || b.Start >= b.End {
			return fmt.Errorf("kpi query: business hours %d–%d must satisfy 0 ≤ start < end ≤ 24", b.Start, b.End)
		}
	}
	return nil
}

// step returns the bucket width in seconds.
func (q *Query) step() int64 {
	if q.Interval > 0 {
		return int64(q.Interval / time.Second)
	}
	return q.To.Unix() - q.From.Unix()
}

func (q *Query) buckets() int {
	s := q.step()
	return int((q.To.Unix() - q.From.Unix() + s - 1) / s)
}

// Series returns q.KPI for every bucket of q, in time order, including buckets without data (Valid false).
func (e *Engine) Series(ctx context.Context, q Query) ([]Point, error) {
	if _, ok := Lookup(q.KPI); !ok {
		return nil, fmt.Errorf("kpi query: unknown KPI %q", q.KPI)
	}
	all, err := e.series(ctx, q, []string{q.KPI})
	if err != nil {
		return nil, err
	}
	return all[q.KPI], nil
}

// Value returns q.KPI over the whole range [From, To) (q.Interval is ignored).
func (e *Engine) Value(ctx context.Context, q Query) (Point, error) {
	q.Interval = 0
	s, err := e.Series(ctx, q)
	if err != nil {
		return Point{}, err
	}
	return s[0], nil
}

// Values returns several KPIs over the whole range [From, To) with as few queries as possible; names nil
// means every KPI of the catalogue.
func (e *Engine) Values(ctx context.Context, q Query, names []string) (map[string]Point, error) {
	q.Interval = 0
	all, err := e.SeriesMany(ctx, q, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Point, len(all))
	for name, s := range all {
		out[name] = s[0]
	}
	return out, nil
}

// SeriesMany returns several KPIs per bucket of q; names nil means every KPI of the catalogue.
func (e *Engine) SeriesMany(ctx context.Context, q Query, names []string) (map[string][]Point, error) {
	if names == nil {
		for _, d := range catalog {
			names = append(names, d.Name)
		}
	}
	for _, n := range names {
		if _, ok := Lookup(n); !ok {
			return nil, fmt.Errorf("kpi query: unknown KPI %q", n)
		}
	}
	return e.series(ctx, q, names)
}

func (e *Engine) series(ctx context.Context, q Query, names []string) (map[string][]Point, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	need := map[string]bool{}
	for _, n := range names {
		need[n] = true
	}
	nb := q.buckets()
	var (
		hourly  []hourlySums
		market  []float64
		loyalty []loyaltySums
	)
	// The rollup reads are independent: they run at once, and the first error cancels the others.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(read func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := read(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				cancel()
			}
		}()
	}
	if need[Mentions] || need[Opinions] || need[NetSentiment] || need[NegativeShare] || need[InfluencerSentiment] ||
		need[NPSProxy] || need[ShareOfVoice] || need[EngagementRate] || need[ResponseRate] || need[FirstResponseMedian] ||
		need[FirstResponseP90] || need[UnresolvedComplaints] || need[TrustIndex] || need[AverageRating] || need[DuplicateShare] {
		run(func() (err error) {
			hourly, err = e.hourly(ctx, q, nb, need[FirstResponseMedian] || need[FirstResponseP90])
			return err
		})
	}
	if need[ShareOfVoice] {
		run(func() (err error) {
			market, err = e.market(ctx, q, nb)
			return err
		})
	}
	if need[LoyaltyIndex] || need[ChurnRiskCustomers] {
		run(func() (err error) {
			loyalty, err = e.loyalty(ctx, q, nb)
			return err
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		// The first error is the cause; the others are usually its cancellation.
		return nil, errs[0]
	}
	out := make(map[string][]Point, len(names))
	for _, name := range names {
		pts := make([]Point, nb)
		for i := range pts {
			pts[i].Time = q.From.Add(time.Duration(int64(i)*q.step()) * time.Second).UTC()
			switch name {
			case LoyaltyIndex, ChurnRiskCustomers:
				loyalty[i].point(name, &pts[i])
			case ShareOfVoice:
				h := hourly[i]
				pts[i].N = int64(h.opinions)
				pts[i].Components = map[string]float64{"brand": float64(h.opinions), "market": market[i]}
				if market[i] > 0 {
					pts[i].Value, pts[i].Valid = 100*float64(h.opinions)/market[i], true
				}
			default:
				hourly[i].point(name, q.BusinessHours, &pts[i])
			}
		}
		out[name] = pts
	}
	return out, nil
}

// hourlySums are the summed rollup columns of one bucket.
type hourlySums struct {
	mentions, opinions, duplicates, spam                      uint64
	scored, positive, negative                                uint64
	sentimentSum, influenceWeight, influenceSentiment         float64
	promoters, detractors, npsBase                            uint64
	engagementPosts                                           uint64
	engagements, followers                                    int64
	inbound, answered, answered1h, complaints, complaintsDone uint64
	ratingSum                                                 int64
	ratingN                                                   uint64
	// responses are the packed first responses (read with business hours only); delayQuantiles the median
	// and 90th percentile of their delays in seconds over delays responses (read without).
	responses      []uint64
	delayQuantiles []uint64
	delays         uint64
}

// filters returns the WHERE conditions for q's optional dimensions and their arguments.
func (q *Query) filters() (string, []any) {
	var (
		sb   strings.Builder
		args []any
	)
	for _, f := range []struct{ col, val string }{{"network", q.Network}, {"lang", q.Lang}, {"segment", q.Segment}} {
		if f.val != "" {
			sb.WriteString(" AND " + f.col + " = ?")
			args = append(args, f.val)
		}
	}
	return sb.String(), args
}

// source returns the rollup a query reads — kpi_daily when the range and interval are whole UTC days and
// no language or segment is asked for, else kpi_hourly — with its time column, the expression of a row's time
// in Unix seconds and the range condition (and its arguments).
func (q *Query) source() (table, col, ts, cond string, args []any) {
	day := int64(24 * time.Hour / time.Second)
	from, to := q.From.Unix(), q.To.Unix()
	if q.Lang == "" && q.Segment == "" && from%day == 0 && to%day == 0 && q.step()%day == 0 {
		return "kpi_daily", "day", "toInt64(toUInt32(day)) * 86400", "day >= toDate(?) AND day < toDate(?)",
			[]any{q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)}
	}
	return "kpi_hourly", "hour", "toInt64(toUInt32(hour))", "hour >= toDateTime(?) AND hour < toDateTime(?)", []any{uint32(from), uint32(to)}
}

// rollupRows returns the FROM and WHERE clauses that read the latest computation (latestOf) of the rollup
// rows of q's range and filters satisfying keyCond (a condition on key columns; its arguments keyArgs), with
// their arguments.
func (q *Query) rollupRows(keyCond string, keyArgs []any) (table, ts, from string, args []any) {
	table, col, ts, cond, condArgs := q.source()
	extra, extraArgs := q.filters()
	where := keyCond + " AND " + cond + extra
	whereArgs := append(append(append([]any{}, keyArgs...), condArgs...), extraArgs...)
	return table, ts, "FROM " + table + " WHERE " + where + " AND " + latestOf(table, col, where), append(whereArgs, whereArgs...)
}

// Delays are packed into the low 32 bits of responses (see unpackResponse).
const delayQuantiles = "quantilesExactArray(0.5, 0.9)(arrayMap(r -> bitAnd(r, 4294967295), responses)), sum(length(responses))"

// hourly returns the summed rollup columns per bucket. With responses, the first-response delays come back
// as their median and 90th percentile, computed by ClickHouse; with business hours, as every packed response,
// measured in Go.
func (e *Engine) hourly(ctx context.Context, q Query, nb int, withResponses bool) ([]hourlySums, error) {
	responses := "emptyArrayUInt64(), emptyArrayUInt64(), toUInt64(0)"
	switch {
	case withResponses && q.BusinessHours != nil:
		responses = "groupArrayArray(responses), emptyArrayUInt64(), toUInt64(0)"
	case withResponses:
		responses = "emptyArrayUInt64(), " + delayQuantiles
	}
	_, ts, from, args := q.rollupRows("brand = ? AND product = ?", []any{q.Brand, q.Product})
	sql := `SELECT intDiv(` + ts + ` - ?, ?) AS b,
		sum(mentions), sum(opinions), sum(duplicates), sum(spam), sum(scored), sum(positive), sum(negative),
		sum(sentiment_sum), sum(influence_weight), sum(influence_sentiment), sum(promoters), sum(detractors), sum(nps_base),
		sum(engagement_posts), sum(engagements), sum(followers), sum(inbound), sum(answered), sum(answered_1h),
		sum(complaints), sum(complaints_answered), sum(rating_sum), sum(rating_n), ` + responses + `
	` + from + `
	GROUP BY b`
	rows, err := e.conn.Query(ctx, sql, append([]any{q.From.Unix(), q.step()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("querying KPI rollup: %w", err)
	}
	defer rows.Close()
	out := make([]hourlySums, nb)
	for rows.Next() {
		var (
			b int64
			h hourlySums
		)
		if err := rows.Scan(&b, &h.mentions, &h.opinions, &h.duplicates, &h.spam, &h.scored, &h.positive, &h.negative,
			&h.sentimentSum, &h.influenceWeight, &h.influenceSentiment, &h.promoters, &h.detractors, &h.npsBase,
			&h.engagementPosts, &h.engagements, &h.followers, &h.inbound, &h.answered, &h.answered1h,
			&h.complaints, &h.complaintsDone, &h.ratingSum, &h.ratingN, &h.responses, &h.delayQuantiles, &h.delays); err != nil {
			return nil, fmt.Errorf("reading KPI rollup: %w", err)
		}
		out[clampBucket(b, nb)] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading KPI rollup: %w", err)
	}
	return out, nil
}

// market returns, per bucket, the opinions mentioning any catalogue brand, counted once per brand.
func (e *Engine) market(ctx context.Context, q Query, nb int) ([]float64, error) {
	_, ts, from, args := q.rollupRows("product = ''", nil)
	sql := `SELECT intDiv(` + ts + ` - ?, ?) AS b, sum(opinions)
	` + from + `
	GROUP BY b`
	rows, err := e.conn.Query(ctx, sql, append([]any{q.From.Unix(), q.step()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("querying market volume: %w", err)
	}
	defer rows.Close()
	out := make([]float64, nb)
	for rows.Next() {
		var (
			b int64
			n uint64
		)
		if err := rows.Scan(&b, &n); err != nil {
			return nil, fmt.Errorf("reading market volume: %w", err)
		}
		out[clampBucket(b, nb)] += float64(n)
	}
	return out, rows.Err()
}

// Trust index weights (version 1).
var trustWeights = []struct {
	name   string
	weight float64
}{{"sentiment", 0.25}, {"advocacy", 0.20}, {"responsiveness", 0.20}, {"speed", 0.15}, {"resolution", 0.20}}

func (h *hourlySums) point(name string, bh *BusinessHours, p *Point) {
	ratio := func(num, den float64, n uint64) {
		p.N = int64(n)
		if den > 0 {
			p.Value, p.Valid = num/den, true
		}
	}
	switch name {
	case Mentions:
		p.Value, p.Valid, p.N = float64(h.mentions), true, int64(h.mentions)
	case Opinions:
		p.Value, p.Valid, p.N = float64(h.opinions), true, int64(h.opinions)
	case NetSentiment:
		ratio(100*(float64(h.positive)-float64(h.negative)), float64(h.scored), h.scored)
	case NegativeShare:
		ratio(100*float64(h.negative), float64(h.scored), h.scored)
	case InfluencerSentiment:
		ratio(100*h.influenceSentiment, h.influenceWeight, h.scored)
	case NPSProxy:
		ratio(100*(float64(h.promoters)-float64(h.detractors)), float64(h.npsBase), h.npsBase)
		p.Components = map[string]float64{"promoters": float64(h.promoters), "detractors": float64(h.detractors), "base": float64(h.npsBase)}
	case EngagementRate:
		ratio(100*float64(h.engagements), float64(h.followers), h.engagementPosts)
	case ResponseRate:
		ratio(100*float64(h.answered), float64(h.inbound), h.inbound)
		p.Components = map[string]float64{"inbound": float64(h.inbound), "answered": float64(h.answered)}
	case FirstResponseMedian, FirstResponseP90:
		qt, i := 0.5, 0
		if name == FirstResponseP90 {
			qt, i = 0.9, 1
		}
		if bh == nil && h.delays > 0 && len(h.delayQuantiles) == 2 {
			p.Value, p.Valid, p.N = float64(h.delayQuantiles[i]), true, int64(h.delays)
			return
		}
		if v, ok := responseQuantile(h.responses, qt, bh); ok {
			p.Value, p.Valid = v, true
		}
		p.N = int64(len(h.responses))
	case UnresolvedComplaints:
		p.Value, p.Valid, p.N = float64(h.complaints-h.complaintsDone), true, int64(h.complaints)
	case AverageRating:
		ratio(float64(h.ratingSum), float64(h.ratingN), h.ratingN)
	case DuplicateShare:
		ratio(100*float64(h.mentions-h.opinions), float64(h.mentions), h.mentions)
	case TrustIndex:
		comps := map[string]float64{}
		if h.scored > 0 {
			comps["sentiment"] = 50 + 50*(float64(h.positive)-float64(h.negative))/float64(h.scored)
		}
		if h.npsBase > 0 {
			comps["advocacy"] = 50 + 50*(float64(h.promoters)-float64(h.detractors))/float64(h.npsBase)
		}
		if h.inbound > 0 {
			comps["responsiveness"] = 100 * float64(h.answered) / float64(h.inbound)
		}
		if h.answered > 0 {
			comps["speed"] = 100 * float64(h.answered1h) / float64(h.answered)
		}
		if h.complaints > 0 {
			comps["resolution"] = 100 * float64(h.complaintsDone) / float64(h.complaints)
		}
		var sum, wsum float64
		for _, w := range trustWeights {
			if v, ok := comps[w.name]; ok {
				sum += w.weight * v
				wsum += w.weight
			}
		}
		p.Components, p.N = comps, int64(h.opinions)
		if wsum > 0 {
			p.Value, p.Valid = sum/wsum, true
		}
	}
}

// Responses are packed as asked-at (Unix seconds) << 32 | delay in seconds.
func unpackResponse(v uint64) (asked time.Time, delay time.Duration) {
	return time.Unix(int64(v>>32), 0).UTC(), time.Duration(v&0xffffffff) * time.Second
}

// responseQuantile returns the q-quantile (nearest rank, as ClickHouse's quantileExact) of the response
// delays in seconds, measured in business hours when bh is set.
func responseQuantile(responses []uint64, q float64, bh *BusinessHours) (float64, bool) {
	if len(responses) == 0 {
		return 0, false
	}
	d := make([]float64, len(responses))
	for i, r := range responses {
		asked, delay := unpackResponse(r)
		if bh != nil {
			d[i] = bh.Between(asked, asked.Add(delay)).Seconds()
		} else {
			d[i] = delay.Seconds()
		}
	}
	sort.Float64s(d)
	i := int(q * float64(len(d)))
	if i >= len(d) {
		i = len(d) - 1
	}
	return d[i], true
}

// Between returns the open time of the schedule in [from, to).
func (b *BusinessHours) Between(from, to time.Time) time.Duration {
	if !from.Before(to) {
		return 0
	}
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	open := map[time.Weekday]bool{}
	if len(b.Weekdays) == 0 {
		for d := time.Monday; d <= time.Friday; d++ {
			open[d] = true
		}
	}
	for _, d := range b.Weekdays {
		open[d] = true
	}
	var total time.Duration
	from, to = from.In(loc), to.In(loc)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	for !day.After(to) {
		if open[day.Weekday()] {
			start := time.Date(day.Year(), day.Month(), day.Day(), b.Start, 0, 0, 0, loc)
			end := time.Date(day.Year(), day.Month(), day.Day(), b.End, 0, 0, 0, loc)
			s, e := maxTime(start, from), minTime(end, to)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return total
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// loyaltySums are the customer-level aggregates of one bucket.
type loyaltySums struct {
	customers                           uint64
	recency, frequency, advocacy, score float64
	unresolvedShare, churnShare         float64
	atRisk                              uint64
}

func (l *loyaltySums) point(name string, p *Point) {
	p.N = int64(l.customers)
	if name == ChurnRiskCustomers {
		p.Value, p.Valid = float64(l.atRisk), true
		return
	}
	if l.customers == 0 {
		return
	}
	p.Value, p.Valid = l.score, true
	p.Components = map[string]float64{"recency": l.recency, "frequency": l.frequency, "advocacy": l.advocacy,
		"unresolved_complaint_share": l.unresolvedShare, "churn_signal_share": l.churnShare, "customers": float64(l.customers)}
}

// customerScores returns the per-customer loyalty computation (version 1) over the parts of a query (union, see
// customerPart.sql): columns b, the components rec, freq, adv, unres, ch, score and risk, and with detail also
// customer_id, segment, pos, neg and last_post. Arguments: from, step, to (Unix seconds), then the parts'.
//
// Customers are grouped by two 64-bit hashes of their id rather than by the id: ClickHouse groups fixed-size
// keys several times faster than strings, and two ids that collide in 128 bits are not a practical concern.
// The six counts are summed in pairs (see packed): ClickHouse 18.16 calls each aggregate function once per
// row, so the number of aggregates, not of columns, sets the cost of the grouping.
// A customer's last positive engagement is kept only when it falls on a day of the bucket: a month row can
// carry one from the days subtracted before the range (then the customer had none in the rest of that month,
// and any later part has a later one).
func customerScores(union string, detail, single bool) string {
	b, group := "b", "b, k1, k2"
	if single {
		// One bucket: grouping by the two hashes alone is faster.
		b, group = "toInt64(0) AS b", "k1, k2"
	}
	cols, aggs := "", ""
	if detail {
		cols = ", customer_id, segment, pos, neg, last_post"
		aggs = `, any(customer_id) AS customer_id, argMax(c_segment, c_last) AS segment, max(c_last) AS last_post,
			toUInt64(sum(c_positive)) AS pos, toUInt64(sum(c_negative)) AS neg`
	}
	return `
SELECT b, rec, freq, adv, unres, ch,
	greatest(0, least(100, 0.35 * rec + 0.30 * freq + 0.35 * adv - 15 * least(unres, 2) - 30 * least(ch, 2))) AS score,
	ch > 0 OR (unres > 0 AND net > 0) AS risk` + cols + `
FROM (
	SELECT b, unres, ch, net` + cols + `,
		if(toUInt32(lp) < first_day, 0, 100 * exp(-greatest(0, toFloat64(bend) - toFloat64(toUInt32(lp))) / 2592000)) AS rec,
		100 * least(1, pdays * 30 / greatest(1, (bend - bstart) / 86400) / 4) AS freq,
		100 * least(1, adv_points / 4) AS adv
	FROM (
		SELECT ` + b + `, ? + b * ? AS bstart, least(?, bstart + ?) AS bend, bstart - bstart % 86400 AS first_day,
			` + unpack("sum(c_posts_net)", "nposts", "net") + `, ` + unpack("sum(c_pdays_adv)", "pdays", "adv_points") + `,
			` + unpack("sum(c_unres_churn)", "unres", "churn") + `, toUInt64(churn) AS ch, max(c_lp) AS lp` + aggs + `
		FROM (` + union + `)
		GROUP BY ` + group + `
		HAVING nposts > 0
	)
)`
}

// packed returns the SQL of two Int64 counts in one: lo + hi · 2³². Sums of packed values are the packed sums
// (Int64 addition wraps, but exactly) as long as the total of lo stays in [0, 2³²) and that of hi in
// [−2³¹, 2³¹): counts of one customer's posts in a period. The loyalty query sums lo ≥ 0 totals (posts,
// positive days, unresolved complaints) and hi totals of either sign.
func packed(lo, hi string) string {
	return "((" + lo + ") + (" + hi + ") * toInt64(4294967296))"
}

// unpack returns the SQL that names lo and hi of a packed sum (see packed).
func unpack(sum, lo, hi string) string {
	return "bitAnd(" + sum + ", 4294967295) AS " + lo + ", intDiv(" + sum + " - " + lo + ", toInt64(4294967296)) AS " + hi
}

// customerPart is one slice of a loyalty query: the rows of kpi_customer_daily (or, when monthly, of
// kpi_customer_monthly) with days (months) in [lo, hi), added or, when subtract, subtracted.
type customerPart struct {
	monthly, subtract bool
	lo, hi            time.Time // UTC midnights; first days of months when monthly
}

// customerMonthCost is the cost of reading one month of kpi_customer_monthly, in days of kpi_customer_daily: a
// customer who posts on several days of a month has one monthly row. Only the choice of plan depends on it.
const customerMonthCost = 10

// customerParts splits the whole days of q — from the day of From up to the day of To, that one included when
// To is not a midnight — into the slices the loyalty query reads. A query with one bucket and no segment
// filter reads every whole month of the range from kpi_customer_monthly; a first month entered after its first
// day is either read day by day or, when that reads fewer rows, as the whole month minus its days before the
// range (sums, counts and positive days subtract; the latest times are checked against the range in SQL);
// the rest, day by day. Series with several buckets and segment filters (a month row holds one segment) read
// days only.
func (q *Query) customerParts() []customerPart {
	from := q.From.UTC().Truncate(24 * time.Hour)
	to := q.To.UTC()
	if t := to.Truncate(24 * time.Hour); !t.Equal(to) {
		to = t.Add(24 * time.Hour)
	}
	if q.buckets() > 1 || q.Segment != "" {
		return []customerPart{{lo: from, hi: to}}
	}
	monthOf := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
	days := func(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }
	var parts []customerPart
	cur, months := from, from // months: where the run of whole months read from kpi_customer_monthly starts
	if m := monthOf(cur); !m.Equal(cur) {
		next := m.AddDate(0, 1, 0)
		if !next.After(to) && customerMonthCost+days(m, cur) < days(cur, next) {
			parts = append(parts, customerPart{subtract: true, lo: m, hi: cur})
			months, cur = m, next
		} else {
			months = minTime(next, to)
			parts = append(parts, customerPart{lo: cur, hi: months})
			cur = months
		}
	}
	for cur.Before(to) && !cur.AddDate(0, 1, 0).After(to) {
		cur = cur.AddDate(0, 1, 0)
	}
	if cur.After(months) {
		parts = append(parts, customerPart{monthly: true, lo: months, hi: cur})
	}
	if cur.Before(to) {
		if last := len(parts) - 1; last >= 0 && !parts[last].monthly && !parts[last].subtract && parts[last].hi.Equal(cur) {
			parts[last].hi = to // the days of a first month read directly run on into the last month's
		} else {
			parts = append(parts, customerPart{lo: cur, hi: to})
		}
	}
	return parts
}

// sql returns the rows of the part's latest computations (pinned: their versions, see customerQuery) with
// their bucket b, the customer's key k1, k2 and the columns customerScores sums, negated when the part is
// subtracted, and its arguments. Zero rows are left out.
func (p customerPart) sql(q *Query, pinned []computation, detail bool) (string, []any) {
	table, col := p.table()
	neg := ""
	pdays := "toInt64(positive + recommend + praise + purchase > 0)"
	b := "least(?, greatest(0, intDiv(toInt64(toUInt32(day)) * 86400 - ?, ?)))"
	bArgs := []any{int64(q.buckets() - 1), q.From.Unix(), q.step()}
	if p.monthly {
		pdays, b, bArgs = "toInt64(positive_days)", "0", nil
	}
	lp := "last_positive_at"
	if p.subtract {
		// The subtracted days' latest times are not the range's: the month row's are checked instead.
		neg, lp = "-", "toDateTime(0)"
	}
	cols := ""
	if detail {
		last := "last_post_at"
		if p.subtract {
			last = "toDateTime(0)"
		}
		cols = `, customer_id, segment AS c_segment, ` + last + ` AS c_last, ` + neg + `toInt64(positive) AS c_positive,
		` + neg + `toInt64(negative) AS c_negative`
	}
	buckets := make([]string, len(pinned))
	versions := make([]string, len(pinned))
	for i, c := range pinned {
		buckets[i], versions[i] = strconv.FormatUint(uint64(c.bucket), 10), strconv.FormatUint(c.version, 10)
	}
	keys, keyArgs := p.keys(q)
	seg := ""
	if q.Segment != "" {
		seg = " AND segment = ?"
	}
	sql := `SELECT toInt64(` + b + `) AS b, cityHash64(customer_id) AS k1, sipHash64(customer_id) AS k2,
		` + neg + packed("toInt64(posts)", "toInt64(negative) - toInt64(positive)") + ` AS c_posts_net,
		` + neg + packed(pdays, "2 * toInt64(recommend) + toInt64(praise)") + ` AS c_pdays_adv,
		` + neg + packed("toInt64(complaints) - toInt64(complaints_answered)", "toInt64(churn)") + ` AS c_unres_churn,
		` + lp + ` AS c_lp` + cols + `
	FROM ` + table + `
	WHERE ` + keys + ` AND posts > 0` + seg + `
		AND version = transform(toUInt32(` + col + `), CAST([` + strings.Join(buckets, ", ") + `] AS Array(UInt32)),
			CAST([` + strings.Join(versions, ", ") + `] AS Array(UInt64)), toUInt64(0))`
	args := append(bArgs, keyArgs...)
	if q.Segment != "" {
		args = append(args, q.Segment)
	}
	return sql, args
}

// customerArgs returns the per-customer query (customerScores) over the parts with their pinned versions and
// its arguments; ok is false when no part has rows.
func (q *Query) customerArgs(parts []customerPart, pinned [][]computation, detail bool) (sql string, args []any, ok bool) {
	from, to, step := q.From.Unix(), q.To.Unix(), q.step()
	args = []any{from, step, to, step}
	var union []string
	for i, p := range parts {
		if len(pinned[i]) == 0 {
			continue
		}
		sql, a := p.sql(q, pinned[i], detail)
		union = append(union, sql)
		args = append(args, a...)
	}
	if len(union) == 0 {
		return "", nil, false
	}
	return customerScores(strings.Join(union, "\n\tUNION ALL\n\t"), detail, q.buckets() == 1), args, true
}

// table returns the rollup the part reads and its time column.
func (p customerPart) table() (table, col string) {
	if p.monthly {
		return "kpi_customer_monthly", "month"
	}
	return "kpi_customer_daily", "day"
}

// keys returns the part's condition on key columns (brand and time) and its arguments.
func (p customerPart) keys(q *Query) (string, []any) {
	_, col := p.table()
	return "brand = ? AND " + col + " >= toDate(?) AND " + col + " < toDate(?)",
		[]any{q.Brand, p.lo.Format(time.DateOnly), p.hi.Format(time.DateOnly)}
}

// computation is the latest computation of one day or month of a customer rollup.
type computation struct {
	bucket  uint32 // the day, or the month's first day, in days since 1970-01-01
	version uint64
}

// latestComputations returns, for each part, the latest computation of each of its days (months) that holds
// rows of q's brand, in time order: the versions a loyalty query pins (see latestOf).
func (e *Engine) latestComputations(ctx context.Context, q *Query, parts []customerPart) ([][]computation, error) {
	var (
		union []string
		args  []any
	)
	for i, p := range parts {
		table, col := p.table()
		keys, keyArgs := p.keys(q)
		union = append(union, fmt.Sprintf("SELECT toUInt8(%d) AS part, toUInt32(%s) AS bucket, max(version) AS v FROM %s WHERE %s GROUP BY bucket",
			i, col, table, keys))
		args = append(args, keyArgs...)
	}
	rows, err := e.conn.Query(ctx, strings.Join(union, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("querying customer rollup versions: %w", err)
	}
	defer rows.Close()
	out := make([][]computation, len(parts))
	for rows.Next() {
		var (
			part uint8
			c    computation
		)
		if err := rows.Scan(&part, &c.bucket, &c.version); err != nil {
			return nil, fmt.Errorf("reading customer rollup versions: %w", err)
		}
		if int(part) < len(out) {
			out[part] = append(out[part], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading customer rollup versions: %w", err)
	}
	for _, cs := range out {
		sort.Slice(cs, func(i, j int) bool { return cs[i].bucket < cs[j].bucket })
	}
	return out, nil
}

// sameComputations reports whether a and b pin the same versions.
func sameComputations(a, b [][]computation) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// pinnedAttempts bounds how often a loyalty query is run again because the rollups it read were recomputed
// while it ran.
const pinnedAttempts = 3

// customerQuery runs wrap(the per-customer query of q) over the latest computation of every day and month it
// reads, and passes its rows to scan (which must start its result afresh: it is called again when the query
// is repeated).
//
// The query runs in one thread: it groups tens of thousands of customers, and two threads each build a hash
// table of most of them and then merge the two, for no gain in CPU time — while the engine's other reads run
// beside it on a machine of few cores, one thread answers sooner (measured on ClickHouse 18.16, two cores).
//
// The versions are read first and written into the query as constants, which ClickHouse filters on several
// times faster than on an IN subquery over (bucket, version). Read again afterwards, they must not have
// changed: a newer computation arriving in between could let a merge drop the pinned rows before the query
// read them, so then the query is repeated with the newer versions. When nothing changed, the pinned rows were
// all there: a merge only drops a row for a newer version of its key.
func (e *Engine) customerQuery(ctx context.Context, q *Query, detail bool, wrap func(inner string) string, scan func(driver.Rows) error) error {
	parts := q.customerParts()
	pinned, err := e.latestComputations(ctx, q, parts)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if inner, args, ok := q.customerArgs(parts, pinned, detail); ok {
			rows, err := e.conn.Query(ctx, wrap(inner)+"\nSETTINGS max_threads = 1", args...)
			if err != nil {
				return fmt.Errorf("querying customer loyalty: %w", err)
			}
			err = scan(rows)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				return fmt.Errorf("reading customer loyalty: %w", err)
			}
		} else if err := scan(nil); err != nil {
			return err
		}
		now, err := e.latestComputations(ctx, q, parts)
		if err != nil {
			return err
		}
		if sameComputations(pinned, now) {
			return nil
		}
		if attempt == pinnedAttempts {
			return fmt.Errorf("querying customer loyalty: the rollups were recomputed during each of %d attempts", attempt)
		}
		pinned = now
	}
}

func (e *Engine) loyalty(ctx context.Context, q Query, nb int) ([]loyaltySums, error) {
	var out []loyaltySums
	wrap := func(inner string) string {
		return `SELECT b, count(), avg(rec), avg(freq), avg(adv), avg(score), avg(unres > 0), avg(ch > 0), sum(risk)
	FROM (` + inner + `) GROUP BY b`
	}
	err := e.customerQuery(ctx, &q, false, wrap, func(rows driver.Rows) error {
		out = make([]loyaltySums, nb)
		for rows != nil && rows.Next() {
			var (
				b    int64
				l    loyaltySums
				risk uint64
			)
			if err := rows.Scan(&b, &l.customers, &l.recency, &l.frequency, &l.advocacy, &l.score, &l.unresolvedShare, &l.churnShare, &risk); err != nil {
				return err
			}
			l.atRisk = risk
			l.unresolvedShare *= 100
			l.churnShare *= 100
			out[clampBucket(b, nb)] = l
		}
		return nil
	})
	return out, err
}

// Customer is one linked customer's loyalty standing with a brand over a query's range.
type Customer struct {
	ID                   string
	Segment              string
	Score                float64 // customer loyalty score 0–100
	Recency              float64 // 0–100
	Frequency            float64 // 0–100
	Advocacy             float64 // 0–100
	UnresolvedComplaints int64
	ChurnSignals         uint64
	Positive, Negative   uint64
	LastPostAt           time.Time
	AtRisk               bool
}

// ChurnRisk returns the customers at risk of churning over [q.From, q.To) (see ChurnRiskCustomers), the
// most at risk first (churn signals, then unresolved complaints, then lowest score), at most limit.
func (e *Engine) ChurnRisk(ctx context.Context, q Query, limit int) ([]Customer, error) {
	q.Interval = 0
	if err := q.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	var out []Customer
	wrap := func(inner string) string {
		return `SELECT customer_id, segment, score, rec, freq, adv, unres, ch, pos, neg, last_post FROM (` + inner + `)
	WHERE risk ORDER BY ch DESC, unres DESC, score ASC, customer_id LIMIT ` + strconv.Itoa(limit)
	}
	err := e.customerQuery(ctx, &q, true, wrap, func(rows driver.Rows) error {
		out = nil
		for rows != nil && rows.Next() {
			c := Customer{AtRisk: true}
			if err := rows.Scan(&c.ID, &c.Segment, &c.Score, &c.Recency, &c.Frequency, &c.Advocacy, &c.UnresolvedComplaints,
				&c.ChurnSignals, &c.Positive, &c.Negative, &c.LastPostAt); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("churn risk: %w", err)
	}
	return out, nil
}

// clampBucket maps a bucket number from SQL onto [0, nb): a day that starts before From belongs to the
// first bucket.
func clampBucket(b int64, nb int) int {
	if b < 0 {
		return 0
	}
	if b >= int64(nb) {
		return nb - 1
	}
	return int(b)
}
