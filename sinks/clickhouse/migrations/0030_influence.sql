-- Author influence 0–100 and its components, recomputed periodically. The latest computation per author
-- wins. Read with FINAL.
CREATE TABLE IF NOT EXISTS author_influence (
    network      String,
    author_id    String,
    handle       String,
    score        Float32,
    audience     Float32,
    engagement   Float32,
    centrality   Float32,
    followers    Int64,
    computed_at  DateTime,
    version      UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (network, author_id);
