-- National hotline state statistics (public), one row per state and year, from the one file that stands for
-- the year (staging.stg_context_standing_files): a republished table repeats and may revise earlier years, and
-- two tables of the same years never blend state by state. Shares are percentages (2.15 = 2.15%).
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
JOIN staging.stg_context_standing_files AS s
    ON s.feed = 'national_hotline_state_statistics' AND s.year = h.year
   AND s.file_name = h._file_name AND s.file_hash = h._file_hash
CROSS JOIN reference.context_deployment_state AS d
