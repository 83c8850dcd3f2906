-- Missouri § 566.223: per year of first encounter, law enforcement's notifications of the Children's
-- Division about minors, how many came within 1 and within 3 days of the encounter, and the median delay.
SELECT
    years.year,
    CAST(count(n.notification_date) AS BIGINT) AS notifications,  -- matched rows of the LEFT JOIN
    CAST(count(*) FILTER (WHERE n.delay_days <= 1) AS BIGINT) AS notified_within_1_day,
    CAST(count(*) FILTER (WHERE n.delay_days <= 3) AS BIGINT) AS notified_within_3_days,
    CAST(median(n.delay_days) AS DOUBLE) AS median_notification_delay_days
FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
LEFT JOIN marts.mart_child_welfare_notifications AS n USING (year)
GROUP BY ALL
ORDER BY years.year
