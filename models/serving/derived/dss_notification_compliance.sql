-- § 566.223 compliance over encounters: the share of the people law enforcement met who were notified to DSS
-- within 1 and within 3 days, and who have no DSS notification on record; for minors, the same for the
-- juvenile office (NULL for adults, to whom that duty does not apply); and the share of notifications that
-- found their encounter (linkage coverage).
SELECT
    *,
    share(dss_within_1_day, encounters) AS share_dss_within_1_day,
    share(dss_within_3_days, encounters) AS share_dss_within_3_days,
    share(dss_never_notified, encounters) AS share_dss_never_notified,
    CASE WHEN person_group IN ('minor') THEN share(juvenile_within_1_day, encounters) END AS share_juvenile_within_1_day,
    CASE WHEN person_group IN ('minor') THEN share(juvenile_within_3_days, encounters) END AS share_juvenile_within_3_days,
    CASE WHEN person_group IN ('minor') THEN share(juvenile_never_notified, encounters) END AS share_juvenile_never_notified,
    share(notifications_linked, notifications_on_record) AS notification_link_share
FROM dss_notification_compliance
ORDER BY year, person_group
