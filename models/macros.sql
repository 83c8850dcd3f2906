-- Functions every model may use. Run on each connection before the models (temporary: nothing here
-- is stored in the warehouse). The keys behind lantern_rekey are set as variables by the pipeline.

-- HMAC-SHA256 of an agency's linkage key under the task force's own secret (RFC 2104, with the padded
-- key pre-XORed into lantern_ipad / lantern_opad), so agency keys never travel past staging while the
-- same situation still links across agencies.
CREATE OR REPLACE TEMP MACRO lantern_rekey(agency_key) AS
    sha256(unhex(getvariable('lantern_opad')) || unhex(sha256(unhex(getvariable('lantern_ipad')) || encode(agency_key))));

CREATE OR REPLACE TEMP MACRO month_start(d) AS CAST(date_trunc('month', d) AS DATE);
CREATE OR REPLACE TEMP MACRO quarter_start(d) AS CAST(date_trunc('quarter', d) AS DATE);
CREATE OR REPLACE TEMP MACRO quarter_label(d) AS strftime(d, '%Y') || 'Q' || CAST(quarter(d) AS VARCHAR);

-- The month window a partitioned model is being rebuilt for (set per run by the pipeline); with no
-- window set, every date is in it, so the same SQL also builds the whole table.
CREATE OR REPLACE TEMP MACRO in_partition(d) AS
    d >= coalesce(getvariable('partition_start'), DATE '1900-01-01')
    AND d < coalesce(getvariable('partition_end'), DATE '2200-01-01');

-- How a county name is compared (docs/public-context.md, "FBI file: counties and regions"), applied to a
-- public file's names and the reference county names alike: upper case; every character not a letter,
-- digit or space dropped; the word COUNTY dropped; SAINTE -> STE, SAINT -> ST, DE KALB -> DEKALB; spaces collapsed.
CREATE OR REPLACE TEMP MACRO county_key(name) AS
    trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(upper(name), '[^A-Z0-9 ]', '', 'g'),
        '\bCOUNTY\b', '', 'g'), '\bSAINTE\b', 'STE', 'g'), '\bSAINT\b', 'ST', 'g'),
        '\bDE KALB\b', 'DEKALB', 'g'), '\s+', ' ', 'g'));

-- Cross-agency linkage (docs/linkage.md). Two agencies' records are the same person when the Dice coefficient of
-- their linkage tokens reaches this threshold, chosen on the synthetic generator's truth (`make bench`, BENCHMARKS.md);
-- a run may set the variable linkage_match_threshold to measure another (the bench's sweep does).
CREATE OR REPLACE TEMP MACRO linkage_match_threshold() AS
    coalesce(getvariable('linkage_match_threshold'), 0.80);
-- A blocking key shared by more agency situations than this (a trafficker's phone in a ring, a common name in a
-- common birth year at national scale) proposes no pairs by itself: the other keys still do.
CREATE OR REPLACE TEMP MACRO linkage_max_block() AS 400;
-- Two sparse tokens (a first name, a sex and a county) can agree fully and still say little: a pair must also
-- share this many set bits (about a name and a birth year's worth) to link.
CREATE OR REPLACE TEMP MACRO linkage_min_common_bits() AS
    coalesce(getvariable('linkage_min_common_bits'), 80);
