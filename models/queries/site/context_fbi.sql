SELECT a.year, a.region, a.region_label, a.reported, a.rows_quarantined,
       a.actual_offenses, a.actual_offenses_suppressed, a.cleared, a.cleared_suppressed,
       a.clearance_rate, a.clearance_rate_flag,
       s.reported AS sex_reported, s.actual_offenses AS sex_offenses, s.actual_offenses_suppressed AS sex_offenses_suppressed,
       l.reported AS labor_reported, l.actual_offenses AS labor_offenses,
       l.actual_offenses_suppressed AS labor_offenses_suppressed
FROM context_fbi_region_yearly AS a
LEFT JOIN context_fbi_region_yearly AS s
    ON s.year = a.year AND s.region = a.region AND s.offense = 'commercial_sex_acts'
LEFT JOIN context_fbi_region_yearly AS l
    ON l.year = a.year AND l.region = a.region AND l.offense = 'involuntary_servitude'
WHERE a.offense = 'all'
ORDER BY a.year DESC, a.region = 'all' DESC, a.region = 'unallocated', a.region_label
