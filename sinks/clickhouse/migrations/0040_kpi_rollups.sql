-- KPI rollups (package kpi). Both tables are recomputed, never incremented: the KPI refresher rebuilds every
-- hour (day) touched by newly ingested posts from the deduplicated posts and inserts the whole hour again
-- with a higher version; keys of the hour that no longer have posts get a zero row. ReplacingMergeTree keeps
-- the latest computation per key, so a replayed post, inserted twice into posts, changes no number here.
-- Read with FINAL.

-- Per hour, brand, product ('' = the whole brand), network, language and customer segment ('' = author not
-- linked to a customer). Only posts that mention a catalogue entity contribute. See docs/KPIS.md for how each
-- column is counted.
CREATE TABLE IF NOT EXISTS kpi_hourly (
    hour                 DateTime,
    brand                String,
    product              String,
    network              String,
    lang                 String,
    segment              String,
    competitor           UInt8,
    mentions             UInt64,
    opinions             UInt64,
    duplicates           UInt64,
    spam                 UInt64,
    scored               UInt64,
    positive             UInt64,
    negative             UInt64,
    sentiment_sum        Float64,
    influence_weight     Float64,
    influence_sentiment  Float64,
    promoters            UInt64,
    detractors           UInt64,
    nps_base             UInt64,
    engagement_posts     UInt64,
    engagements          Int64,
    followers            Int64,
    inbound              UInt64,
    answered             UInt64,
    answered_1h          UInt64,
    responses            Array(UInt64),
    complaints           UInt64,
    complaints_answered  UInt64,
    recommend            UInt64,
    praise               UInt64,
    purchase             UInt64,
    questions            UInt64,
    churn                UInt64,
    rating_sum           Int64,
    rating_n             UInt64,
    version              UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (brand, product, hour, network, lang, segment);

-- Per linked customer, brand and day: what the customer said about the brand. Authors are linked through
-- customer_links (status auto or confirmed; the most probable customer when several).
CREATE TABLE IF NOT EXISTS kpi_customer_daily (
    day                  Date,
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
    last_positive_at     DateTime,
    last_post_at         DateTime,
    version              UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (brand, day, customer_id);

-- Where the refresher got to: the highest posts.ingested_at (and customer_links.updated_at) it has folded
-- into the rollups. One row per name; the latest wins.
CREATE TABLE IF NOT EXISTS kpi_refresh_state (
    name        String,
    watermark   DateTime,
    version     UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;

-- Per day, brand, product and network: kpi_hourly summed over hours, languages and segments, recomputed
-- from kpi_hourly for every day the refresher touches. Long-range queries without a language or segment
-- filter read this table.
CREATE TABLE IF NOT EXISTS kpi_daily (
    day                  Date,
    brand                String,
    product              String,
    network              String,
    competitor           UInt8,
    mentions             UInt64,
    opinions             UInt64,
    duplicates           UInt64,
    spam                 UInt64,
    scored               UInt64,
    positive             UInt64,
    negative             UInt64,
    sentiment_sum        Float64,
    influence_weight     Float64,
    influence_sentiment  Float64,
    promoters            UInt64,
    detractors           UInt64,
    nps_base             UInt64,
    engagement_posts     UInt64,
    engagements          Int64,
    followers            Int64,
    inbound              UInt64,
    answered             UInt64,
    answered_1h          UInt64,
    responses            Array(UInt64),
    complaints           UInt64,
    complaints_answered  UInt64,
    recommend            UInt64,
    praise               UInt64,
    purchase             UInt64,
    questions            UInt64,
    churn                UInt64,
    rating_sum           Int64,
    rating_n             UInt64,
    version              UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (brand, product, day, network);
