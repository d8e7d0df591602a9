package kpi

import "strings"

// The refresher's SQL. It stays in the subset ClickHouse 18.16 and current releases share: one JOIN per
// SELECT (joins nest), explicit column lists, no window functions. Times are bucketed in UTC.
//
// Levels, inside out:
//  1. dedupPosts: the posts of the hours (days) being recomputed, the latest version of each
//     (network, post_id), without posts deleted at their source (any tombstone row for the key).
//  2. withReplies: the time of the first reply by a brand account to each post.
//  3. withCustomers: the customer (and segment) the author is linked to, if any.
//  4. perTarget: one row per post and target — each distinct brand the post mentions (product ''), and each
//     distinct product — with the sentiment and signals aimed at that target and the KPI flags.
//  5. the aggregation into kpi_hourly or kpi_customer_daily.

// dedupPosts selects the deduplicated live posts of kpi_posts (posts ordered by hour, migration 0041) whose
// hour satisfies the condition (%s), evaluated before deduplication: every version of a post has the same
// hour.
const dedupPosts = `
SELECT network, post_id, kind, author_id, author_brand, author_followers, created_at, lang, reply_to_id,
	reply_to_author_id, likes, reposts, replies, quotes, rating, sentiment_scored, sentiment, sentiment_label,
	entity_ids, entity_brands, entity_kinds, entity_competitor, entity_scored, entity_sentiment, entity_label,
	signal_kinds, signal_entities, dup_level, spam, influence
FROM kpi_posts
PREWHERE %s
WHERE deleted = 0 AND (network, post_id) NOT IN (SELECT network, post_id FROM posts WHERE deleted = 1){dedupextra}
ORDER BY version DESC
LIMIT 1 BY network, post_id`

const postColumns = `network, post_id, kind, author_id, author_brand, author_followers, created_at, lang, reply_to_id,
	reply_to_author_id, likes, reposts, replies, quotes, rating, sentiment_scored, sentiment, sentiment_label,
	entity_ids, entity_brands, entity_kinds, entity_competitor, entity_scored, entity_sentiment, entity_label,
	signal_kinds, signal_entities, dup_level, spam, influence`

// withReplies adds answered_at: the first reply by a brand account that was not deleted (1970 when none).
// Only replies to the posts being recomputed are read, and a reply is never older than the day its post was
// made ({lo} is that day or earlier).
const withReplies = `
SELECT ` + postColumns + `, answered_at
FROM (%s)
ANY LEFT JOIN (
	SELECT network, parent AS post_id, min(created_at) AS answered_at
	FROM (
		SELECT network, reply_to_id AS parent, created_at
		FROM kpi_posts PREWHERE hour >= toDateTime({lo}) AND author_brand = 1
		WHERE deleted = 0 AND reply_to_id != ''
			AND (network, reply_to_id) IN (SELECT network, post_id FROM kpi_posts PREWHERE {postfilter})
			AND (network, post_id) NOT IN (SELECT network, post_id FROM posts WHERE deleted = 1)
	)
	GROUP BY network, parent
) USING (network, post_id)`

// withCustomers adds linked_customer and segment (empty when the author is not linked). A link counts when its
// latest decision is auto or confirmed and its customer is not deleted; of several, the most probable. Only
// the links of the authors being recomputed are read, through the tables' primary keys; the latest version
// of each row is taken with argMax rather than FINAL, which reads the whole table on ClickHouse 18.16.
const withCustomers = `
SELECT ` + postColumns + `, answered_at, linked_customer, segment
FROM (%s)
ANY LEFT JOIN (
	SELECT network, author_id, linked_customer, segment
	FROM (
		SELECT network, author_id, argMax(customer_id, prob) AS linked_customer
		FROM (
			SELECT network, author_id, customer_id, argMax(status, version) AS st, argMax(probability, version) AS prob
			FROM customer_links
			WHERE (network, author_id) IN (SELECT network, author_id FROM kpi_posts PREWHERE {postfilter})
			GROUP BY network, author_id, customer_id
		)
		WHERE st IN ('auto', 'confirmed')
		GROUP BY network, author_id
	)
	ANY INNER JOIN (
		SELECT linked_customer, segment
		FROM (
			SELECT customer_id AS linked_customer, argMax(segment, version) AS segment, argMax(deleted, version) AS del
			FROM customers
			WHERE customer_id IN (SELECT customer_id FROM customer_links
				WHERE (network, author_id) IN (SELECT network, author_id FROM kpi_posts PREWHERE {postfilter}))
			GROUP BY linked_customer
		)
		WHERE del = 0
	) USING linked_customer
) USING (network, author_id)`

// brandParents are the posts by brand accounts that the posts being recomputed reply to (a primary-key
// lookup).
const brandParents = `SELECT network, post_id FROM posts
	WHERE (network, post_id) IN (SELECT network, reply_to_id FROM kpi_posts PREWHERE {postfilter} WHERE reply_to_id != '')
		AND author_brand = 1`

// signal returns a predicate: the post carries a signal of kind aimed at the target (or at the post as a
// whole). A signal about a product counts for its brand; a signal about the brand does not count for each of
// its products.
func signal(kind string) string {
	return `arrayExists((k, e) -> k = '` + kind + `' AND (e = '' OR (product = '' AND (e = brand OR startsWith(e, concat(brand, '/')))) OR (product != '' AND e = product)), signal_kinds, signal_entities)`
}

// perTarget is level 4; %s is level 3.
var perTarget = `
SELECT ` + postColumns + `, answered_at, linked_customer, segment,
	toStartOfHour(created_at, 'UTC') AS hour,
	toDate(created_at, 'UTC') AS day,
	t.1 AS brand,
	t.2 AS product,
	if(product = '', if(indexOf(entity_ids, brand) > 0, indexOf(entity_ids, brand), indexOf(entity_brands, brand)), indexOf(entity_ids, product)) AS idx,
	entity_competitor[idx] AS comp,
	entity_scored[idx] = 1 AS e_ok,
	e_ok OR sentiment_scored = 1 AS s_ok,
	if(e_ok, entity_label[idx], sentiment_label) AS lab,
	if(e_ok, toFloat64(entity_sentiment[idx]), toFloat64(sentiment)) AS sc,
	dup_level = 0 AND spam = 0 AS op,
	` + signal("recommend") + ` AS rec,
	` + signal("praise") + ` AS prs,
	` + signal("purchase") + ` AS purch,
	` + signal("complaint") + ` AS compl,
	` + signal("question") + ` AS quest,
	` + signal("churn") + ` AS chrn,
	rating = 5 OR (rating = 0 AND (rec OR (s_ok AND sc >= 0.5))) AS promoter,
	(rating >= 1 AND rating <= 3) OR (rating = 0 AND NOT promoter AND (compl OR chrn OR (s_ok AND lab = -1))) AS detractor,
	kind IN ('original', 'quote') OR (kind = 'reply' AND (network, reply_to_id) IN (` + brandParents + `)) AS inb,
	answered_at > toDateTime(0) AS ans,
	toUInt64(greatest(0, toInt64(toUInt32(answered_at)) - toInt64(toUInt32(created_at)))) AS delay
FROM (%s)
ARRAY JOIN arrayConcat(
	arrayMap(b -> tuple(b, ''), arrayDistinct(entity_brands)),
	arrayDistinct(arrayFilter(x -> x.2 != '', arrayMap((b, id, k) -> tuple(b, if(k = 'product', id, '')), entity_brands, entity_ids, entity_kinds)))
) AS t
WHERE author_brand = 0`

// targets returns level 4 over the posts that satisfy postFilter (a PREWHERE condition on created_at); with
// onlyLinked, only posts of authors who have a customer link (of any status) are deduplicated and joined.
func targets(postFilter string, onlyLinked bool) string {
	s := strings.Replace(dedupPosts, "%s", "{postfilter}", 1)
	s = strings.Replace(withReplies, "%s", s, 1)
	s = strings.Replace(withCustomers, "%s", s, 1)
	s = strings.Replace(perTarget, "%s", s, 1)
	extra := ""
	if onlyLinked {
		extra = " AND (network, author_id) IN (SELECT network, author_id FROM customer_links)"
	}
	return strings.NewReplacer("{postfilter}", postFilter, "{dedupextra}", extra).Replace(s)
}

// The templates below take {v} (the recomputation's version), {v0} (the version of zero rows, just below),
// {hours} and {days} (lists of Unix seconds of the hours and UTC midnights recomputed) and {lo}, {hi} (Unix
// seconds bounding them, for partition pruning).

// hourlyInsert recomputes the hours.
var hourlyInsert = `
INSERT INTO kpi_hourly (hour, brand, product, network, lang, segment, competitor, mentions, opinions, duplicates,
	spam, scored, positive, negative, sentiment_sum, influence_weight, influence_sentiment, promoters, detractors,
	nps_base, engagement_posts, engagements, followers, inbound, answered, answered_1h, responses, complaints,
	complaints_answered, recommend, praise, purchase, questions, churn, rating_sum, rating_n, version)
SELECT hour, brand, product, network, lang, segment, max(comp),
	count(), countIf(op), countIf(dup_level > 0 AND spam = 0), countIf(spam = 1),
	countIf(op AND s_ok), countIf(op AND s_ok AND lab = 1), countIf(op AND s_ok AND lab = -1),
	sumIf(sc, op AND s_ok), sumIf(1 + toFloat64(influence), op AND s_ok), sumIf((1 + toFloat64(influence)) * sc, op AND s_ok),
	countIf(op AND promoter), countIf(op AND detractor), countIf(op AND (s_ok OR rating > 0 OR rec OR compl OR chrn)),
	countIf(op AND author_followers > 0), sumIf(likes + reposts + replies + quotes, op AND author_followers > 0),
	sumIf(author_followers, op AND author_followers > 0),
	countIf(op AND inb), countIf(op AND inb AND ans), countIf(op AND inb AND ans AND delay <= 3600),
	groupArrayIf(bitShiftLeft(toUInt64(toUInt32(created_at)), 32) + delay, op AND inb AND ans),
	countIf(op AND compl), countIf(op AND compl AND ans),
	countIf(op AND rec), countIf(op AND prs), countIf(op AND purch), countIf(op AND quest), countIf(op AND chrn),
	sumIf(toInt64(rating), op AND rating > 0), countIf(op AND rating > 0),
	toUInt64({v})
FROM (` + targets("hour >= toDateTime({lo}) AND hour < toDateTime({hi}) AND toUInt32(hour) IN ({hours})", false) + `)
GROUP BY hour, brand, product, network, lang, segment`

// hourlyZeros writes an empty row for every key of the hours that the recomputation did not write: keys
// that lost all their posts are cleared.
const hourlyZeros = `
INSERT INTO kpi_hourly (hour, brand, product, network, lang, segment, version)
SELECT hour, brand, product, network, lang, segment, toUInt64({v0})
FROM kpi_hourly WHERE hour >= toDateTime({lo}) AND hour < toDateTime({hi}) AND toUInt32(hour) IN ({hours})
GROUP BY hour, brand, product, network, lang, segment
HAVING max(version) < {v}`

// dailyInsert recomputes kpi_daily for the days from kpi_hourly.
var dailyInsert = `
INSERT INTO kpi_daily (day, brand, product, network, competitor, ` + metricColumns + `, responses, version)
SELECT toDate(hour, 'UTC') AS day, brand, product, network, max(competitor), ` + sums(metricColumns) + `,
	groupArrayArray(responses), toUInt64({v})
FROM kpi_hourly FINAL
WHERE hour >= toDateTime({lo}) AND hour < toDateTime({hi}) AND intDiv(toUInt32(hour), 86400) * 86400 IN ({days})
GROUP BY day, brand, product, network`

// dailyZeros clears the keys of kpi_daily in the days that the recomputation did not write.
const dailyZeros = `
INSERT INTO kpi_daily (day, brand, product, network, version)
SELECT day, brand, product, network, toUInt64({v0})
FROM kpi_daily WHERE toUInt32(day) * 86400 IN ({days})
GROUP BY day, brand, product, network
HAVING max(version) < {v}`

// metricColumns are the additive columns shared by kpi_hourly and kpi_daily.
const metricColumns = `mentions, opinions, duplicates, spam, scored, positive, negative, sentiment_sum,
	influence_weight, influence_sentiment, promoters, detractors, nps_base, engagement_posts, engagements, followers,
	inbound, answered, answered_1h, complaints, complaints_answered, recommend, praise, purchase, questions, churn,
	rating_sum, rating_n`

// sums returns "sum(a), sum(b), …" for a column list.
func sums(cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = "sum(" + strings.TrimSpace(c) + ")"
	}
	return strings.Join(parts, ", ")
}

// customerInsert recomputes kpi_customer_daily for the days. Only posts of authors with a link (of any
// status: a superset of the linked ones) are read.
var customerInsert = `
INSERT INTO kpi_customer_daily (day, brand, customer_id, segment, posts, opinions, positive, negative, recommend,
	praise, purchase, complaints, complaints_answered, churn, last_positive_at, last_post_at, version)
SELECT day, brand, linked_customer, any(segment), count(), countIf(op), countIf(op AND s_ok AND lab = 1),
	countIf(op AND s_ok AND lab = -1), countIf(op AND rec), countIf(op AND prs), countIf(op AND purch),
	countIf(op AND compl), countIf(op AND compl AND ans), countIf(op AND chrn),
	maxIf(created_at, op AND ((s_ok AND lab = 1) OR rec OR prs OR purch)), max(created_at),
	toUInt64({v})
FROM (` + targets("hour >= toDateTime({lo}) AND hour < toDateTime({hi}) AND intDiv(toUInt32(hour), 86400) * 86400 IN ({days})", true) + `)
WHERE product = '' AND linked_customer != ''
GROUP BY day, brand, linked_customer`

const customerZeros = `
INSERT INTO kpi_customer_daily (day, brand, customer_id, version)
SELECT day, brand, customer_id, toUInt64({v0})
FROM kpi_customer_daily WHERE toUInt32(day) * 86400 IN ({days})
GROUP BY day, brand, customer_id
HAVING max(version) < {v}`

// The templates below take {v}, {v0} and {mfrom}, {mto}: the first day of the first month recomputed and the
// first day after the last month, as YYYY-MM-DD.

// customerMonthlyInsert recomputes kpi_customer_monthly for the months from the latest computation of each day
// of kpi_customer_daily (see latestOf).
var customerMonthlyInsert = `
INSERT INTO kpi_customer_monthly (month, brand, customer_id, segment, posts, opinions, positive, negative, recommend,
	praise, purchase, complaints, complaints_answered, churn, positive_days, last_positive_at, last_post_at, version)
SELECT toStartOfMonth(day) AS m, brand, customer_id, argMax(segment, last_post_at), sum(posts), sum(opinions),
	sum(positive), sum(negative), sum(recommend), sum(praise), sum(purchase), sum(complaints), sum(complaints_answered),
	sum(churn), countIf(positive + recommend + praise + purchase > 0), max(last_positive_at), max(last_post_at),
	toUInt64({v})
FROM kpi_customer_daily
WHERE day >= toDate('{mfrom}') AND day < toDate('{mto}') AND posts > 0
	AND ` + latestOf("kpi_customer_daily", "day", "day >= toDate('{mfrom}') AND day < toDate('{mto}')") + `
GROUP BY m, brand, customer_id`

// customerMonthlyZeros clears the keys of kpi_customer_monthly in the months that the recomputation did not
// write.
const customerMonthlyZeros = `
INSERT INTO kpi_customer_monthly (month, brand, customer_id, version)
SELECT month, brand, customer_id, toUInt64({v0})
FROM kpi_customer_monthly
WHERE month >= toDate('{mfrom}') AND month < toDate('{mto}')
GROUP BY month, brand, customer_id
HAVING max(version) < {v}`

// latestOf returns the condition that keeps, of the rows of a rollup table satisfying cond (a condition on key
// columns only), those of the latest computation of their time bucket (column col: hour, day or month).
//
// The refresher recomputes whole buckets: one computation inserts every key of a bucket with version v and a
// zero row with version v−1 for each key of the bucket it did not write. So the newest version among the
// bucket's rows (restricted to any set of keys) belongs to its latest computation, and its rows are exactly
// what FINAL would return for those keys, minus zero rows. Selecting them this way costs a scan of the
// version column, where FINAL merges every row in one thread (hundreds of milliseconds over millions of rows on
// ClickHouse 18.16). cond must not test non-key columns: zero rows hold defaults there, and skipping them would
// let an older computation's rows through.
func latestOf(table, col, cond string) string {
	return `(` + col + `, version) IN (SELECT ` + col + `, max(version) FROM ` + table + ` WHERE ` + cond + ` GROUP BY ` + col + `)`
}
