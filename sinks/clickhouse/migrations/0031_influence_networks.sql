-- What each influence computation normalised with, per network: the follower count that maps to a full
-- audience component and the weights of the score. The pipeline's influence stage reads it to score authors
-- that were not scored yet from their follower count. The latest computation per network wins. Read with
-- FINAL.
CREATE TABLE IF NOT EXISTS influence_networks (
    network           String,
    followers_ref     Float64,
    authors           UInt64,
    weight_audience   Float32,
    weight_engagement Float32,
    weight_centrality Float32,
    window_start      DateTime,
    window_end        DateTime,
    computed_at       DateTime,
    version           UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY network;
