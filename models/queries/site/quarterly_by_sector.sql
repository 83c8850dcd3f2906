SELECT quarter, quarter_label, sector_code, sector_name,
       signals, signals_suppressed, cases, cases_suppressed
FROM quarterly_by_sector
ORDER BY quarter, sector_code
