-- Cross-agency linkage, step 2 (docs/linkage.md): pairs of agency situations taken to be the same person.
-- Evidence `token`: the two share a blocking key and the Dice coefficient of their linkage tokens
-- (2 |A and B| / (|A| + |B|) over the Bloom-filter bits) reaches linkage_match_threshold() and they share at
-- least linkage_min_common_bits() set bits. Evidence
-- `referral_key`: one agency's records carry the other's key forward from a referral.
WITH blocks AS (
    SELECT unit_id, unnest(string_split(linkage_blocks, '.')) AS block
    FROM intermediate.int_linkage_units
    WHERE linkage_blocks IS NOT NULL AND token_bits IS NOT NULL
),
usable AS (
    SELECT block FROM blocks GROUP BY block HAVING count(*) BETWEEN 2 AND linkage_max_block()
),
candidates AS (
    SELECT DISTINCT a.unit_id AS unit_a, b.unit_id AS unit_b
    FROM blocks AS a
    JOIN blocks AS b ON a.block = b.block AND a.unit_id < b.unit_id
    WHERE a.block IN (SELECT block FROM usable)
),
scored AS (
    SELECT
        c.unit_a,
        c.unit_b,
        2.0 * bit_count(ua.token_bits & ub.token_bits) / (ua.token_ones + ub.token_ones) AS dice,
        bit_count(ua.token_bits & ub.token_bits) AS common_bits
    FROM candidates AS c
    JOIN intermediate.int_linkage_units AS ua ON ua.unit_id = c.unit_a
    JOIN intermediate.int_linkage_units AS ub ON ub.unit_id = c.unit_b
),
carried AS (
    SELECT DISTINCT u.unit_id AS unit_a, referrer.unit_id AS unit_b
    FROM (SELECT unit_id, unnest(referral_situation_keys) AS carried_key FROM intermediate.int_linkage_units) AS u
    JOIN intermediate.int_linkage_units AS referrer ON referrer.situation_key = u.carried_key
    WHERE referrer.unit_id <> u.unit_id
)
SELECT unit_a, unit_b, dice, 'token' AS evidence
FROM scored
WHERE dice >= linkage_match_threshold() AND common_bits >= linkage_min_common_bits()
UNION ALL
SELECT unit_a, unit_b, CAST(NULL AS DOUBLE) AS dice, 'referral_key' AS evidence
FROM carried
