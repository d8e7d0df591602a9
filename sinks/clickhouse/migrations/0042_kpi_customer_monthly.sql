-- Per linked customer, brand and calendar month (UTC): kpi_customer_daily summed over the month's days, so that
-- the customer loyalty index over a long range reads one row per customer and month instead of one per day
-- with posts. The KPI refresher recomputes every month it touches from the latest computation of each day of
-- kpi_customer_daily (never incrementing: a replay changes nothing here), inserting the month again with a
-- higher version and zero rows for keys the month no longer has. positive_days counts the days with positive
-- engagement (a positive opinion or a recommend, praise or purchase signal); segment is the customer's segment
-- on their latest day with posts in the month.
CREATE TABLE IF NOT EXISTS kpi_customer_monthly (
    month                Date,
    brand                String,
    customer_id          String,
    segment              String,
    posts                UInt64,
    opinions             UInt64,
    positive             UInt64,
    negative             UInt64,
    recommend            UInt64,
    praise               UInt64,
    purchase             UInt64,
    complaints           UInt64,
    complaints_answered  UInt64,
    churn                UInt64,
    positive_days        UInt64,
    last_positive_at     DateTime,
    last_post_at         DateTime,
    version              UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYear(month)
ORDER BY (brand, month, customer_id);

-- Backfill the months of the days already in kpi_customer_daily, from the latest computation of each day. The
-- version is drawn once for the statement, so that a second run of this migration writes a newer copy of each
-- month instead of a second row with the same version (readers take the newest version of each month).
INSERT INTO kpi_customer_monthly (month, brand, customer_id, segment, posts, opinions, positive, negative, recommend,
    praise, purchase, complaints, complaints_answered, churn, positive_days, last_positive_at, last_post_at, version)
SELECT toStartOfMonth(day) AS m, brand, customer_id, argMax(segment, last_post_at), sum(posts), sum(opinions),
    sum(positive), sum(negative), sum(recommend), sum(praise), sum(purchase), sum(complaints), sum(complaints_answered),
    sum(churn), countIf(positive + recommend + praise + purchase > 0), max(last_positive_at), max(last_post_at),
    (SELECT toUInt64(toUInt32(now())) * 1000000000 + rand64() % 1000000000)
FROM kpi_customer_daily
WHERE posts > 0 AND (day, version) IN (SELECT day, max(version) FROM kpi_customer_daily GROUP BY day)
GROUP BY m, brand, customer_id;
