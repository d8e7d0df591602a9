-- The CRM customer directory. E-mail addresses and phone numbers are stored only as keyed hashes
-- (identity/pii). handles are confirmed social handles written network:handle. A customer deleted in the
-- CRM is a row with deleted = 1 and a higher version. Read with FINAL.
CREATE TABLE IF NOT EXISTS customers (
    customer_id    String,
    name           String,
    email_hmacs    Array(String),
    phone_hmacs    Array(String),
    city           String,
    region         String,
    country        String,
    handles        Array(String),
    consent        UInt8,
    segment        String,
    lifetime_value Float64,
    deleted        UInt8,
    version        UInt64,
    updated_at     DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY customer_id;

-- Links between social authors and CRM customers, versioned: every decision (automatic link, review, an
-- analyst's confirmation or rejection, an unlink) is a new row with a higher version, and the latest row per
-- pair is the pair's state. status is auto, review, confirmed or rejected. Read with FINAL.
CREATE TABLE IF NOT EXISTS customer_links (
    network      String,
    author_id    String,
    customer_id  String,
    status       String,
    probability  Float32,
    evidence     Array(String),
    decided_by   String,
    version      UInt64,
    updated_at   DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY (network, author_id, customer_id);
