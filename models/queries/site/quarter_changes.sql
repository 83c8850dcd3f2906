-- The latest complete quarter, statewide and per region: signals and their change on the previous quarter
-- and on the same quarter a year earlier (95% exact intervals).
SELECT strftime(quarter, '%Y') || 'Q' || CAST(quarter(quarter) AS VARCHAR) AS quarter_label, area_level, area_name, signals, signals_suppressed,
       signals_qoq_change_pct, signals_qoq_change_low_pct, signals_qoq_change_high_pct, signals_qoq_p_value,
       signals_yoy_change_pct, signals_yoy_change_low_pct, signals_yoy_change_high_pct, signals_yoy_p_value,
       signals_per_100k, signals_per_100k_flag, signals_qoq_change_pct_flag, signals_yoy_change_pct_flag
FROM area_quarterly
WHERE area_level IN ('state', 'region')
  AND quarter = (SELECT max(quarter) FROM area_quarterly WHERE months_loaded = 3)
ORDER BY area_level DESC, area_name
