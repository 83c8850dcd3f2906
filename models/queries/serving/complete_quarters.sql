SELECT quarter FROM intermediate.int_calendar_months GROUP BY quarter HAVING count(*) = 3
