-- Trafficking-type mix (share of the sector's signals of each type) and QoQ / YoY change of signals
-- for every sector x type cell, between complete quarters only.
WITH q AS (SELECT *, months_loaded = 3 AS complete FROM industry_quarterly)
SELECT
    q.* EXCLUDE (complete),
    share(q.signals, all_types.signals) AS type_share_of_signals,
    CASE WHEN q.complete AND prev.complete THEN change_pct(q.signals, prev.signals) END AS signals_qoq_change_pct,
    CASE WHEN q.complete AND prev.complete THEN change_low_pct(q.signals, prev.signals) END AS signals_qoq_change_low_pct,
    CASE WHEN q.complete AND prev.complete THEN change_high_pct(q.signals, prev.signals) END AS signals_qoq_change_high_pct,
    CASE WHEN q.complete AND prev.complete THEN change_p(q.signals, prev.signals) END AS signals_qoq_p_value,
    CASE WHEN q.complete AND last_year.complete THEN change_pct(q.signals, last_year.signals) END AS signals_yoy_change_pct,
    CASE WHEN q.complete AND last_year.complete THEN change_low_pct(q.signals, last_year.signals) END AS signals_yoy_change_low_pct,
    CASE WHEN q.complete AND last_year.complete THEN change_high_pct(q.signals, last_year.signals) END AS signals_yoy_change_high_pct,
    CASE WHEN q.complete AND last_year.complete THEN change_p(q.signals, last_year.signals) END AS signals_yoy_p_value
FROM q
JOIN q AS all_types
    ON all_types.quarter = q.quarter AND all_types.sector_code = q.sector_code AND all_types.trafficking_type = 'all'
LEFT JOIN q AS prev
    ON prev.sector_code = q.sector_code AND prev.trafficking_type = q.trafficking_type
   AND prev.quarter = q.quarter - INTERVAL 3 MONTH
LEFT JOIN q AS last_year
    ON last_year.sector_code = q.sector_code AND last_year.trafficking_type = q.trafficking_type
   AND last_year.quarter = q.quarter - INTERVAL 12 MONTH
ORDER BY q.quarter, q.sector_code, q.trafficking_type
