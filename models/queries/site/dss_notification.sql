-- § 566.223 over the people law enforcement met (adults and minors), newest year first; person group 'all' first.
SELECT year, person_group, encounters, encounters_suppressed,
       share_dss_within_1_day, share_dss_within_1_day_flag, share_dss_within_3_days, share_dss_within_3_days_flag,
       share_dss_never_notified, share_dss_never_notified_flag, median_dss_delay_days, median_dss_delay_days_flag,
       share_juvenile_within_1_day, share_juvenile_within_1_day_flag,
       share_juvenile_never_notified, share_juvenile_never_notified_flag,
       notification_link_share, notification_link_share_flag
FROM dss_notification_compliance
WHERE person_group <> 'unknown'
ORDER BY year DESC, person_group = 'all' DESC, person_group = 'minor' DESC
