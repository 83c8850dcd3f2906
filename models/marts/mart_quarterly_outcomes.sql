-- Criminal-justice and victim outcome events per quarter x region, by the date of the event.
-- Charges are state plus federal filings; convictions are convictions at trial plus guilty pleas; visa
-- certifications are T and U visa certifications. Charges are also split state / federal; dismissals,
-- acquittals, sentences and victim services started and completed are counted by the date of the event.
SELECT
    quarter_start(event_date) AS quarter,
    region,
    count(*) FILTER (WHERE event_type = 'investigation_opened') AS investigations,
    count(*) FILTER (WHERE event_type = 'arrest') AS arrests,
    count(*) FILTER (WHERE event_type IN ('charges_filed_state', 'charges_filed_federal')) AS charges,
    count(*) FILTER (WHERE event_type IN ('disposition_conviction', 'disposition_plea')) AS convictions,
    count(*) FILTER (WHERE event_type = 'charges_filed_state') AS charges_state,
    count(*) FILTER (WHERE event_type = 'charges_filed_federal') AS charges_federal,
    count(*) FILTER (WHERE event_type = 'disposition_dismissal') AS dismissals,
    count(*) FILTER (WHERE event_type = 'disposition_acquittal') AS acquittals,
    count(*) FILTER (WHERE event_type = 'sentence') AS sentences,
    count(*) FILTER (WHERE event_type = 'services_started') AS services_started,
    count(*) FILTER (WHERE event_type = 'services_completed') AS services_completed,
    count(*) FILTER (WHERE event_type = 'compensation_claimed') AS compensation_claims,
    count(*) FILTER (WHERE event_type = 'compensation_awarded') AS compensation_awards,
    coalesce(sum(amount_usd) FILTER (WHERE event_type = 'compensation_awarded'), 0) AS compensation_awarded_usd,
    count(*) FILTER (WHERE event_type IN ('t_visa_requested', 'u_visa_requested')) AS visa_certifications_requested,
    count(*) FILTER (WHERE event_type IN ('t_visa_signed', 'u_visa_signed')) AS visa_certifications_signed,
    count(*) FILTER (WHERE event_type = 'restitution_ordered') AS restitution_orders,
    coalesce(sum(amount_usd) FILTER (WHERE event_type = 'restitution_ordered'), 0) AS restitution_ordered_usd
FROM staging.stg_case_outcomes
GROUP BY ALL
