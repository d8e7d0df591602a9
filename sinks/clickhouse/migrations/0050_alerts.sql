-- Negative-sentiment spike alerts. alert_id is deterministic (scope and the window that fired), so a replay
-- that fires the same alert again replaces it. state is firing or resolved. Drivers explain the alert.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id        String,
    scope           String,
    brand           String,
    product         String,
    network         String,
    severity        String,
    state           String,
    started_at      DateTime,
    fired_at        DateTime,
    resolved_at     DateTime,
    negative        UInt32,
    total           UInt32,
    negative_share  Float32,
    baseline_share  Float32,
    score           Float32,
    summary         String,
    top_post_uids   Array(UInt64),
    top_phrases     Array(String),
    top_authors     Array(String),
    top_networks    Array(String),
    version         UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id;
