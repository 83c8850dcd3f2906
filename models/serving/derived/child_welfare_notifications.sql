-- § 566.223 timeliness: the share of notifications made within 1 and within 3 days of the encounter.
SELECT
    *,
    share(notified_within_1_day, notifications) AS share_notified_within_1_day,
    share(notified_within_3_days, notifications) AS share_notified_within_3_days
FROM child_welfare_notifications
ORDER BY year
