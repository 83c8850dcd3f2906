-- Publisher-years whose standing file was only partly loaded (rows quarantined): the context panel's banner.
SELECT feed, feed_title, string_agg(CAST(year AS VARCHAR), ', ' ORDER BY year) AS years
FROM context_file_years
WHERE partial
GROUP BY feed, feed_title
ORDER BY feed
