package kpi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
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
		err     error
	)
	if need[Mentions] || need[Opinions] || need[NetSentiment] || need[NegativeShare] || need[InfluencerSentiment] ||
		need[NPSProxy] || need[ShareOfVoice] || need[EngagementRate] || need[ResponseRate] || need[FirstResponseMedian] ||
		need[FirstResponseP90] || need[UnresolvedComplaints] || need[TrustIndex] || need[AverageRating] || need[DuplicateShare] {
		hourly, err = e.hourly(ctx, q, nb, need[FirstResponseMedian] || need[FirstResponseP90])
		if err != nil {
			return nil, err
		}
	}
	if need[ShareOfVoice] {
		if market, err = e.market(ctx, q, nb); err != nil {
			return nil, err
		}
	}
	if need[LoyaltyIndex] || need[ChurnRiskCustomers] {
		if loyalty, err = e.loyalty(ctx, q, nb); err != nil {
			return nil, err
		}
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
	responses                                                 []uint64
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
// no language or segment is asked for, else kpi_hourly — with the expression of a row's time in Unix
// seconds and the range condition (and its arguments).
func (q *Query) source() (table, ts, cond string, args []any) {
	day := int64(24 * time.Hour / time.Second)
	from, to := q.From.Unix(), q.To.Unix()
	if q.Lang == "" && q.Segment == "" && from%day == 0 && to%day == 0 && q.step()%day == 0 {
		return "kpi_daily", "toInt64(toUInt32(day)) * 86400", "day >= toDate(?) AND day < toDate(?)",
			[]any{q.From.UTC().Format("2006-01-02"), q.To.UTC().Format("2006-01-02")}
	}
	return "kpi_hourly", "toInt64(toUInt32(hour))", "hour >= toDateTime(?) AND hour < toDateTime(?)", []any{uint32(from), uint32(to)}
}

func (e *Engine) hourly(ctx context.Context, q Query, nb int, withResponses bool) ([]hourlySums, error) {
	responses := "emptyArrayUInt64()"
	if withResponses {
		responses = "groupArrayArray(responses)"
	}
	table, ts, cond, condArgs := q.source()
	extra, extraArgs := q.filters()
	sql := `SELECT intDiv(` + ts + ` - ?, ?) AS b,
		sum(mentions), sum(opinions), sum(duplicates), sum(spam), sum(scored), sum(positive), sum(negative),
		sum(sentiment_sum), sum(influence_weight), sum(influence_sentiment), sum(promoters), sum(detractors), sum(nps_base),
		sum(engagement_posts), sum(engagements), sum(followers), sum(inbound), sum(answered), sum(answered_1h),
		sum(complaints), sum(complaints_answered), sum(rating_sum), sum(rating_n), ` + responses + `
	FROM ` + table + ` FINAL
	WHERE brand = ? AND product = ? AND ` + cond + extra + `
	GROUP BY b`
	args := append([]any{q.From.Unix(), q.step(), q.Brand, q.Product}, condArgs...)
	args = append(args, extraArgs...)
	rows, err := e.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("querying kpi_hourly: %w", err)
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
			&h.complaints, &h.complaintsDone, &h.ratingSum, &h.ratingN, &h.responses); err != nil {
			return nil, fmt.Errorf("reading kpi_hourly: %w", err)
		}
		out[clampBucket(b, nb)] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading kpi_hourly: %w", err)
	}
	return out, nil
}

// market returns, per bucket, the opinions mentioning any catalogue brand, counted once per brand.
func (e *Engine) market(ctx context.Context, q Query, nb int) ([]float64, error) {
	table, ts, cond, condArgs := q.source()
	extra, extraArgs := q.filters()
	sql := `SELECT intDiv(` + ts + ` - ?, ?) AS b, sum(opinions)
	FROM ` + table + ` FINAL
	WHERE product = '' AND ` + cond + extra + `
	GROUP BY b`
	args := append([]any{q.From.Unix(), q.step()}, condArgs...)
	args = append(args, extraArgs...)
	rows, err := e.conn.Query(ctx, sql, args...)
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
		qt := 0.5
		if name == FirstResponseP90 {
			qt = 0.9
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

// customerScores is the per-customer loyalty computation over kpi_customer_daily (version 1). Arguments:
// from, step, to (Unix seconds), brand, from day, to day. Columns: b, customer_id, segment, the components,
// score and risk.
const customerScores = `
SELECT b, customer_id, segment, rec, freq, adv, unres, ch, pos, neg, last_post,
	greatest(0, least(100, 0.35 * rec + 0.30 * freq + 0.35 * adv - 15 * least(unres, 2) - 30 * least(ch, 2))) AS score,
	ch > 0 OR (unres > 0 AND neg > pos) AS risk
FROM (
	SELECT b, customer_id, last_segment AS segment, unres, ch, pos, neg, last_post,
		if(lp = toDateTime(0), 0, 100 * exp(-greatest(0, toFloat64(bend) - toFloat64(toUInt32(lp))) / 2592000)) AS rec,
		100 * least(1, pdays * 30 / greatest(1, (bend - bstart) / 86400) / 4) AS freq,
		100 * least(1, (recs + 0.5 * praises) / 2) AS adv
	FROM (
		SELECT greatest(toInt64(0), intDiv(toInt64(toUInt32(toDateTime(day))) - ?, ?)) AS b, customer_id,
			? + b * ? AS bstart, least(?, bstart + ?) AS bend,
			anyLast(segment) AS last_segment,
			max(last_positive_at) AS lp, max(last_post_at) AS last_post,
			uniqExactIf(day, positive + recommend + praise + purchase > 0) AS pdays,
			sum(recommend) AS recs, sum(praise) AS praises,
			toInt64(sum(complaints)) - toInt64(sum(complaints_answered)) AS unres, sum(churn) AS ch,
			sum(positive) AS pos, sum(negative) AS neg
		FROM kpi_customer_daily FINAL
		WHERE brand = ? AND day >= toDate(toDateTime(?)) AND day < toDate(toDateTime(?))%s
		GROUP BY b, customer_id
		HAVING sum(posts) > 0
	)
)`

func (q *Query) customerArgs() (string, []any) {
	from, to, step := q.From.Unix(), q.To.Unix(), q.step()
	// Days are whole: a range ending mid-day includes that day.
	toDay := to
	if t := q.To.UTC(); t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 {
		toDay = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC).Unix()
	}
	extra := ""
	args := []any{int64(from), step, from, step, to, step, q.Brand, uint32(from), uint32(toDay)}
	if q.Segment != "" {
		extra = " AND segment = ?"
		args = append(args, q.Segment)
	}
	return fmt.Sprintf(customerScores, extra), args
}

func (e *Engine) loyalty(ctx context.Context, q Query, nb int) ([]loyaltySums, error) {
	inner, args := q.customerArgs()
	sql := `SELECT b, count(), avg(rec), avg(freq), avg(adv), avg(score), avg(unres > 0), avg(ch > 0), sum(risk)
	FROM (` + inner + `) GROUP BY b`
	rows, err := e.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("querying kpi_customer_daily: %w", err)
	}
	defer rows.Close()
	out := make([]loyaltySums, nb)
	for rows.Next() {
		var (
			b    int64
			l    loyaltySums
			risk uint64
		)
		if err := rows.Scan(&b, &l.customers, &l.recency, &l.frequency, &l.advocacy, &l.score, &l.unresolvedShare, &l.churnShare, &risk); err != nil {
			return nil, fmt.Errorf("reading kpi_customer_daily: %w", err)
		}
		l.atRisk = risk
		l.unresolvedShare *= 100
		l.churnShare *= 100
		out[clampBucket(b, nb)] = l
	}
	return out, rows.Err()
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
	inner, args := q.customerArgs()
	sql := `SELECT customer_id, segment, score, rec, freq, adv, unres, ch, pos, neg, last_post FROM (` + inner + `)
	WHERE risk ORDER BY ch DESC, unres DESC, score ASC, customer_id LIMIT ` + fmt.Sprint(limit)
	rows, err := e.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("querying churn risk: %w", err)
	}
	defer rows.Close()
	var out []Customer
	for rows.Next() {
		c := Customer{AtRisk: true}
		if err := rows.Scan(&c.ID, &c.Segment, &c.Score, &c.Recency, &c.Frequency, &c.Advocacy, &c.UnresolvedComplaints,
			&c.ChurnSignals, &c.Positive, &c.Negative, &c.LastPostAt); err != nil {
			return nil, fmt.Errorf("reading churn risk: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
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
