-- Which public context years rest on a partial file: the file that stands for the year
-- (staging.stg_context_standing_files) had rows quarantined, so its figures differ from what the publisher
-- published. The site's Public context panel shows a banner for these years. No counts, no file names.
SELECT
    s.feed,
    CASE s.feed
        WHEN 'fbi_cde_human_trafficking' THEN 'FBI Crime Data Explorer, human-trafficking offenses'
        ELSE 'National hotline state table'
    END AS feed_title,
    CAST(s.year AS INTEGER) AS year,
    s.file_partial AS partial
FROM staging.stg_context_standing_files AS s
ORDER BY s.feed, s.year
