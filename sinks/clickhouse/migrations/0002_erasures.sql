-- Authors whose personal data was erased on request (rapport erase). The pipeline drops their posts from
-- then on, so a replay of old Kafka records cannot bring them back.
CREATE TABLE IF NOT EXISTS erasures (
    network    String,
    author_id  String,
    erased_at  DateTime,
    rows       UInt64
) ENGINE = ReplacingMergeTree(erased_at)
ORDER BY (network, author_id)
