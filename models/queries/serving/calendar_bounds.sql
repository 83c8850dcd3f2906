SELECT min(month), max(month) FROM intermediate.int_calendar_months
