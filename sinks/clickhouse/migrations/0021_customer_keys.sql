-- Matching keys of CRM customers that the customers table has no column for: the keyed hashes of the name
-- keys of their e-mail local parts (identity/pii LocalKeys: compared with authors' handles without keeping
-- local parts in clear) and their own web addresses, normalized. One row per customer version, written
-- together with the customers row of the same version. Read with FINAL.
CREATE TABLE IF NOT EXISTS customer_keys (
    customer_id       String,
    email_local_hmacs Array(String),
    websites          Array(String),
    version           UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY customer_id;
