-- Cross-agency linkage, step 1 (docs/linkage.md): one row per agency situation, i.e. per sending agency and its
-- re-keyed situation key, across the three feeds, with the person's linkage token (as bits: a keyed Bloom filter
-- made on the agency's machine), its blocking keys and the keys of referring agencies carried forward by a
-- referral. An agency whose records about one situation hold different tokens (it corrected a name) is
-- represented by its most frequent one.
WITH records AS (
    SELECT 'hotline_signals' AS feed, sending_agency, situation_key, linkage_token, linkage_blocks,
           CAST(NULL AS VARCHAR) AS referral_situation_key
    FROM staging.stg_hotline_signals
    UNION ALL
    SELECT 'referrals', sending_agency, situation_key, linkage_token, linkage_blocks, referral_situation_key
    FROM staging.stg_referrals
    UNION ALL
    SELECT 'case_outcomes', sending_agency, situation_key, linkage_token, linkage_blocks, referral_situation_key
    FROM staging.stg_case_outcomes
),
units AS (
    SELECT
        sending_agency,
        situation_key,
        count(*) AS records,
        mode(linkage_token) AS linkage_token,
        mode(linkage_blocks) AS linkage_blocks,
        list(DISTINCT referral_situation_key) FILTER (WHERE referral_situation_key IS NOT NULL) AS referral_situation_keys
    FROM records
    GROUP BY sending_agency, situation_key
)
SELECT
    CAST(row_number() OVER (ORDER BY sending_agency, situation_key) AS BIGINT) AS unit_id,
    sending_agency,
    situation_key,
    records,
    CAST(from_base64(linkage_token) AS BIT) AS token_bits,
    bit_count(CAST(from_base64(linkage_token) AS BIT)) AS token_ones,
    linkage_blocks,
    referral_situation_keys
FROM units
