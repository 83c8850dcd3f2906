-- The first month of the warehouse's calendar (the series' start when no release is kept yet).
SELECT min(month) FROM intermediate.int_calendar_months
