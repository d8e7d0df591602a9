-- The brand and product catalogue, as loaded from the catalogue file at start, so dashboards can show names
-- and filter on competitors. One row per entity id; the latest load wins.
CREATE TABLE IF NOT EXISTS catalog_entities (
    entity_id   String,
    brand       String,
    kind        String,
    name        String,
    competitor  UInt8,
    aliases     Array(String),
    version     UInt64,
    loaded_at   DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY entity_id;
