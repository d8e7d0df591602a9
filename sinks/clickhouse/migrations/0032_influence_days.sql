-- Per-day inputs of the influence computation (package influence, days.go). The periodic job keeps, for every
-- UTC day, the authors' aggregates, the interaction graph's edges and the handles' holders of the posts created
-- that day, and assembles a window from the days instead of reading every post of the window with FINAL. A
-- day is recomputed when one of its posts is inserted, edited or deleted, when a post one of its posts refers
-- to appears or is deleted, or when a handle one of its posts mentions changes holder. A recomputation
-- inserts the day's rows with a new version and then the day's marker in influence_days; readers take a
-- day's rows of the version its latest marker names, so rows of older computations (keys that no longer
-- exist) are never read. Nothing is incremented: a replayed post only makes a day be recomputed to the same
-- rows.

-- The posts columns the job reads, ordered by the UTC day of the post, so that recomputing a day reads that
-- day's granules. Filled by a materialized view on posts; a tombstone lands on the day of its own created_at
-- (often the epoch), so readers exclude the posts that have a tombstone anywhere in the table. The last
-- statement of the file backfills posts stored before this migration (running it twice inserts rows that
-- collapse).
CREATE TABLE IF NOT EXISTS influence_posts (
    day                DateTime,
    network            String,
    post_id            String,
    uid                UInt64,
    deleted            UInt8,
    author_id          String,
    author_handle      String,
    author_followers   Int64,
    created_at         DateTime,
    ingested_at        DateTime,
    reply_to_id        String,
    reply_to_author_id String,
    quote_of_id        String,
    repost_of_id       String,
    mentions           Array(String),
    likes              Int64,
    reposts            Int64,
    replies            Int64,
    quotes             Int64,
    version            UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (day, network, post_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS influence_posts_mv TO influence_posts AS
SELECT toDateTime(intDiv(toUInt32(created_at), 86400) * 86400) AS day, network, post_id, uid, deleted, author_id,
    author_handle, author_followers, created_at, ingested_at, reply_to_id, reply_to_author_id, quote_of_id,
    repost_of_id, mentions, likes, reposts, replies, quotes, version
FROM posts;

-- Which days refer to a post (kind 1: reply_to_id, quote_of_id, repost_of_id) or mention a handle (kind 2), so
-- that the days to recompute after a post appears or a handle changes holder are found by primary key.
CREATE TABLE IF NOT EXISTS influence_targets (
    network String,
    kind    UInt8,
    target  String,
    day     DateTime
) ENGINE = ReplacingMergeTree
ORDER BY (network, kind, target, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS influence_refs_mv TO influence_targets AS
SELECT network, toUInt8(1) AS kind, target, toDateTime(intDiv(toUInt32(created_at), 86400) * 86400) AS day
FROM posts
ARRAY JOIN arrayFilter(x -> x != '', [reply_to_id, quote_of_id, repost_of_id]) AS target;

CREATE MATERIALIZED VIEW IF NOT EXISTS influence_mentions_mv TO influence_targets AS
SELECT network, toUInt8(2) AS kind, target, toDateTime(intDiv(toUInt32(created_at), 86400) * 86400) AS day
FROM posts
ARRAY JOIN mentions AS target;

-- The latest computation of each day: kind 'h' (the day's handle holders, kept for every day) or 'g' (the
-- day's authors and edges, kept for the days of the window; half_life is the engagement half-life, in
-- seconds, the authors were computed with).
CREATE TABLE IF NOT EXISTS influence_days (
    kind        String,
    day         DateTime,
    version     UInt64,
    half_life   UInt32,
    computed_at DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY (kind, day);

-- Per day and author: posts, the latest post's time, handle and follower count, and the engagement received
-- on the day's posts decayed to the end of the day (the window's decay is a factor per day).
CREATE TABLE IF NOT EXISTS influence_day_authors (
    day        DateTime,
    network    String,
    author_id  String,
    handle     String,
    followers  Int64,
    latest     DateTime,
    engagement Float64,
    posts      UInt64,
    version    UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (day, network, author_id);

-- Per day and edge: how many of the day's posts by src address dst.
CREATE TABLE IF NOT EXISTS influence_day_links (
    day     DateTime,
    network String,
    src     String,
    dst     String,
    posts   UInt64,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (day, network, src, dst);

-- Per lower-case handle and day: the author of the day's latest post with that handle, and its time.
CREATE TABLE IF NOT EXISTS influence_day_handles (
    network   String,
    handle    String,
    day       DateTime,
    author_id String,
    latest    DateTime,
    version   UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (network, handle, day);

-- The persistent handle map: each lower-case handle's latest holder over all days ('' when no stored post
-- has the handle any more). A row is written only when the holder changes. Read with FINAL.
CREATE TABLE IF NOT EXISTS influence_handles (
    network   String,
    handle    String,
    author_id String,
    version   UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (network, handle);

-- The job's watermark: the newest posts.ingested_at folded into the days (epoch: rebuild everything).
CREATE TABLE IF NOT EXISTS influence_state (
    name      String,
    watermark DateTime,
    version   UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;

INSERT INTO influence_posts (day, network, post_id, uid, deleted, author_id, author_handle, author_followers,
    created_at, ingested_at, reply_to_id, reply_to_author_id, quote_of_id, repost_of_id, mentions, likes, reposts,
    replies, quotes, version)
SELECT toDateTime(intDiv(toUInt32(created_at), 86400) * 86400), network, post_id, uid, deleted, author_id,
    author_handle, author_followers, created_at, ingested_at, reply_to_id, reply_to_author_id, quote_of_id,
    repost_of_id, mentions, likes, reposts, replies, quotes, version
FROM posts;

INSERT INTO influence_targets (network, kind, target, day)
SELECT network, toUInt8(1), target, toDateTime(intDiv(toUInt32(created_at), 86400) * 86400)
FROM posts
ARRAY JOIN arrayFilter(x -> x != '', [reply_to_id, quote_of_id, repost_of_id]) AS target;

INSERT INTO influence_targets (network, kind, target, day)
SELECT network, toUInt8(2), target, toDateTime(intDiv(toUInt32(created_at), 86400) * 86400)
FROM posts
ARRAY JOIN mentions AS target;
