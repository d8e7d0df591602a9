-- Canonical posts, one row per network post. Rows are identified by (network, post_id); a replay inserts the
-- same row again and ReplacingMergeTree keeps one, the highest version, when parts merge. version is the
-- content time (an edit wins over the original; a replay ties with itself), and a deletion at the source is
-- a tombstone row (deleted = 1) with the highest possible version, so it wins over every copy of the post
-- in any order. Queries read with FINAL and WHERE deleted = 0.
--
-- The table is deliberately not partitioned by time: FINAL collapses rows only within a partition, and a
-- tombstone or an edit does not always know the creation time of the post it replaces.
CREATE TABLE IF NOT EXISTS posts (
    uid                UInt64,
    network            String,
    post_id            String,
    schema_version     UInt16,
    kind               String,
    deleted            UInt8,
    author_id          String,
    author_handle      String,
    author_name        String,
    author_bio         String,
    author_location    String,
    author_url         String,
    author_followers   Int64,
    author_following   Int64,
    author_verified    UInt8,
    author_bot         UInt8,
    author_brand       UInt8,
    author_created_at  DateTime,
    title              String,
    text               String,
    lang               String,
    created_at         DateTime,
    edited_at          DateTime,
    ingested_at        DateTime,
    reply_to_id        String,
    reply_to_author_id String,
    quote_of_id        String,
    repost_of_id       String,
    conversation_id    String,
    likes              Int64,
    reposts            Int64,
    replies            Int64,
    quotes             Int64,
    views              Int64,
    url                String,
    rating             Int8,
    hashtags           Array(String),
    mentions           Array(String),
    cashtags           Array(String),
    emoji              Array(String),
    urls               Array(String),
    sentiment_scored   UInt8,
    sentiment          Float32,
    sentiment_label    Int8,
    sentiment_model    String,
    sentiment_drivers  Array(String),
    src_topic          String,
    src_partition      Int32,
    src_offset         Int64,
    version            UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (network, post_id)
