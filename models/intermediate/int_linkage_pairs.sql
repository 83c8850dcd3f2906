-- Cross-agency linkage, step 2 (docs/linkage.md): pairs of agency situations taken to be the same person.
-- Evidence `token`: the two share a blocking key and the Dice coefficient of their linkage tokens
-- (2 |A and B| / (|A| + |B|) over the Bloom-filter bits) reaches linkage_match_threshold() and they share at
-- least linkage_min_common_bits() set bits. Evidence `referral_key`: one agency's records carry the other's key
-- forward from a referral. A blocking key shared by more than linkage_max_block() agency situations proposes no
-- pairs by itself (the other keys of the same records still do).
-- Two rules from how agencies keep records: an agency's two keys are two situations by its own account, so a
-- token never links them; and a person has one situation at an agency, so an agency situation links by token only
-- to its best match (highest Dice, ties kept) among another agency's, and only when that one's best match among
-- the first agency's is it too (mutual best). False links between look-alikes chain into merged situations at
-- national scale without them.
WITH blocks AS (
    SELECT unit_id, sending_agency, token_bits, token_ones, unnest(string_split(linkage_blocks, '.')) AS block
    FROM intermediate.int_linkage_units
    WHERE linkage_blocks IS NOT NULL AND token_bits IS NOT NULL
),
usable AS (
    SELECT * FROM blocks
    WHERE block IN (SELECT block FROM blocks GROUP BY block HAVING count(*) BETWEEN 2 AND linkage_max_block())
),
scored AS (
    SELECT DISTINCT
        a.unit_id AS unit_a,
        b.unit_id AS unit_b,
        a.sending_agency AS agency_a,
        b.sending_agency AS agency_b,
        bit_count(a.token_bits & b.token_bits) AS common_bits,
        2.0 * bit_count(a.token_bits & b.token_bits) / (a.token_ones + b.token_ones) AS dice
    FROM usable AS a
    JOIN usable AS b ON a.block = b.block AND a.unit_id < b.unit_id AND a.sending_agency <> b.sending_agency
),
matched AS (
    SELECT * FROM scored
    WHERE dice >= linkage_match_threshold() AND common_bits >= linkage_min_common_bits()
),
directed AS (
    SELECT unit_a AS unit_id, agency_b AS other_agency, unit_b AS other_id, dice FROM matched
    UNION ALL
    SELECT unit_b, agency_a, unit_a, dice FROM matched
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY unit_id, other_agency ORDER BY dice DESC) AS rank_among_agency
    FROM directed
),
best AS (
    SELECT m.*
    FROM matched AS m
    JOIN ranked AS for_a ON for_a.unit_id = m.unit_a AND for_a.other_id = m.unit_b AND for_a.rank_among_agency = 1
    JOIN ranked AS for_b ON for_b.unit_id = m.unit_b AND for_b.other_id = m.unit_a AND for_b.rank_among_agency = 1
),
carried AS (
    SELECT DISTINCT u.unit_id AS unit_a, referrer.unit_id AS unit_b
    FROM (SELECT unit_id, unnest(referral_situation_keys) AS carried_key FROM intermediate.int_linkage_units) AS u
    JOIN intermediate.int_linkage_units AS referrer ON referrer.situation_key = u.carried_key
    WHERE referrer.unit_id <> u.unit_id
)
SELECT unit_a, unit_b, dice, 'token' AS evidence
FROM best
UNION ALL
SELECT unit_a, unit_b, CAST(NULL AS DOUBLE) AS dice, 'referral_key' AS evidence
FROM carried
