-- Public context files that stand for some year (staging.stg_context_standing_files) although rows of them
-- were quarantined: feed, file, the years it stands for, rows quarantined, rows read.
SELECT feed, file_name,
       CAST(min(year) AS VARCHAR) || CASE WHEN min(year) <> max(year) THEN '-' || CAST(max(year) AS VARCHAR) ELSE '' END AS years,
       any_value(file_rows_quarantined) AS rows_quarantined, any_value(file_rows_read) AS rows_read
FROM staging.stg_context_standing_files
WHERE file_partial
GROUP BY feed, file_name
ORDER BY feed, file_name
