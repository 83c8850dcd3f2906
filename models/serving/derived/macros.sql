-- Helpers for derived metrics. They run on a separate in-memory connection that holds only the
-- protected (suppressed) tables and the stats UDFs (models/stats), so a derived metric can only ever be
-- computed from published counts: a hidden count is NULL and everything built on it is NULL.

-- Percent change of count a against count b (equal exposure: same area, same length of period), with its
-- 95% exact interval and two-sided p-value (conditional binomial test of two Poisson counts).
CREATE OR REPLACE TEMP MACRO change_pct(a, b) AS (rate_ratio(a, 1, b, 1) - 1) * 100;
CREATE OR REPLACE TEMP MACRO change_low_pct(a, b) AS (rate_ratio_low(a, 1, b, 1) - 1) * 100;
CREATE OR REPLACE TEMP MACRO change_high_pct(a, b) AS (rate_ratio_high(a, 1, b, 1) - 1) * 100;
CREATE OR REPLACE TEMP MACRO change_p(a, b) AS rate_ratio_p(a, 1, b, 1);
CREATE OR REPLACE TEMP MACRO per_100k(count, population) AS
    CASE WHEN population > 0 THEN count * 100000.0 / population END;
CREATE OR REPLACE TEMP MACRO share(part, whole) AS CASE WHEN whole > 0 THEN part * 1.0 / whole END;
CREATE OR REPLACE TEMP MACRO quarter_label(d) AS strftime(d, '%Y') || 'Q' || CAST(quarter(d) AS VARCHAR);

-- An area table (area_quarterly, area_yearly) with the share of minors and its rates per 100,000 with 95%
-- exact Poisson intervals, and whether its period is complete (all `months` months of it loaded): what the
-- quarter and year grains share; each adds the changes between its own periods.
CREATE OR REPLACE TEMP MACRO area_rates(area_table, months) AS TABLE
    SELECT
        *,
        share(minors_in_cases, people_in_cases) AS minor_share,
        per_100k(signals, population) AS signals_per_100k,
        per_100k(poisson_ci_low(signals), population) AS signals_per_100k_low,
        per_100k(poisson_ci_high(signals), population) AS signals_per_100k_high,
        per_100k(cases, population) AS cases_per_100k,
        per_100k(poisson_ci_low(cases), population) AS cases_per_100k_low,
        per_100k(poisson_ci_high(cases), population) AS cases_per_100k_high,
        months_loaded = months AS complete
    FROM query_table(area_table);
