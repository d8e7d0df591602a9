-- A copy of the posts columns the KPI refresher reads, ordered by the hour of the post, so that recomputing
-- an hour reads that hour's granules instead of every granule of posts (which is ordered by network and post
-- id). It is filled by a materialized view on posts. A replayed post lands on the same (hour, network,
-- post_id, version) row and collapses; the refresher deduplicates on read anyway (latest version per post),
-- and takes deletions from posts' tombstones, so nothing here is counted twice. The last statement backfills
-- posts stored before this migration (running it twice only inserts rows that collapse).
CREATE TABLE IF NOT EXISTS kpi_posts (
    hour               DateTime,
    network            String,
    post_id            String,
    kind               String,
    deleted            UInt8,
    author_id          String,
    author_brand       UInt8,
    author_followers   Int64,
    created_at         DateTime,
    lang               String,
    reply_to_id        String,
    reply_to_author_id String,
    likes              Int64,
    reposts            Int64,
    replies            Int64,
    quotes             Int64,
    rating             Int8,
    sentiment_scored   UInt8,
    sentiment          Float32,
    sentiment_label    Int8,
    entity_ids         Array(String),
    entity_brands      Array(String),
    entity_kinds       Array(String),
    entity_competitor  Array(UInt8),
    entity_scored      Array(UInt8),
    entity_sentiment   Array(Float32),
    entity_label       Array(Int8),
    signal_kinds       Array(String),
    signal_entities    Array(String),
    dup_level          UInt8,
    spam               UInt8,
    influence          Float32,
    version            UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, network, post_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS kpi_posts_mv TO kpi_posts AS
SELECT toStartOfHour(created_at, 'UTC') AS hour, network, post_id, kind, deleted, author_id, author_brand,
    author_followers, created_at, lang, reply_to_id, reply_to_author_id, likes, reposts, replies, quotes, rating,
    sentiment_scored, sentiment, sentiment_label, entity_ids, entity_brands, entity_kinds, entity_competitor,
    entity_scored, entity_sentiment, entity_label, signal_kinds, signal_entities, dup_level, spam, influence, version
FROM posts;

INSERT INTO kpi_posts (hour, network, post_id, kind, deleted, author_id, author_brand, author_followers, created_at,
    lang, reply_to_id, reply_to_author_id, likes, reposts, replies, quotes, rating, sentiment_scored, sentiment,
    sentiment_label, entity_ids, entity_brands, entity_kinds, entity_competitor, entity_scored, entity_sentiment,
    entity_label, signal_kinds, signal_entities, dup_level, spam, influence, version)
SELECT toStartOfHour(created_at, 'UTC'), network, post_id, kind, deleted, author_id, author_brand,
    author_followers, created_at, lang, reply_to_id, reply_to_author_id, likes, reposts, replies, quotes, rating,
    sentiment_scored, sentiment, sentiment_label, entity_ids, entity_brands, entity_kinds, entity_competitor,
    entity_scored, entity_sentiment, entity_label, signal_kinds, signal_entities, dup_level, spam, influence, version
FROM posts;
