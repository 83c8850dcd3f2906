-- National hotline state statistics (public), one row per state and year: the latest file's figures win
-- (a republished table repeats and may revise earlier years). Shares are percentages (2.15 = 2.15%).
SELECT
    h.state,
    h.year,
    h.signals_received AS signals,
    h.pct_of_total_signals AS pct_signals,
    h.cases_identified AS cases,
    h.pct_of_total_cases AS pct_cases,
    lower(trim(h.state)) = lower(d.state_name) AS is_deployment_state,
    h._file_name AS source_file
FROM raw.context_national_hotline_state_statistics AS h
CROSS JOIN reference.context_deployment_state AS d
QUALIFY row_number() OVER (PARTITION BY lower(trim(h.state)), h.year ORDER BY h._loaded_at DESC, h._file_name DESC) = 1
