-- Victim outcomes per year of the event: crime victims' compensation claimed and awarded (with the
-- amount awarded), T and U visa certifications requested and signed, restitution ordered (with amount).
SELECT
    years.year,
    CAST(coalesce(sum(o.compensation_claims), 0) AS BIGINT) AS compensation_claims,
    CAST(coalesce(sum(o.compensation_awards), 0) AS BIGINT) AS compensation_awards,
    CAST(coalesce(sum(o.compensation_awarded_usd), 0) AS DOUBLE) AS compensation_awarded_usd,
    CAST(coalesce(sum(o.visa_certifications_requested), 0) AS BIGINT) AS visa_certifications_requested,
    CAST(coalesce(sum(o.visa_certifications_signed), 0) AS BIGINT) AS visa_certifications_signed,
    CAST(coalesce(sum(o.restitution_orders), 0) AS BIGINT) AS restitution_orders,
    CAST(coalesce(sum(o.restitution_ordered_usd), 0) AS DOUBLE) AS restitution_ordered_usd
FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
LEFT JOIN marts.mart_quarterly_outcomes AS o ON CAST(year(o.quarter) AS INTEGER) = years.year
GROUP BY ALL
ORDER BY years.year
