SELECT month, trafficking_type, trafficking_type_label,
       signals, signals_suppressed, cases, cases_suppressed
FROM monthly_statewide_by_type
ORDER BY month, trafficking_type
