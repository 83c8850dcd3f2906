-- Linkage coverage of the outcome funnel: one row per case-outcome event (§ 566.223 encounters aside, which
-- have their own coverage), by year of the event, and whether its situation key links to a hotline signal.
-- The funnel follows situations from their first signal, so an event that links to none counts nowhere in it.
SELECT
    o.sending_agency,
    CAST(year(o.event_date) AS INTEGER) AS year,
    o.event_type,
    EXISTS (SELECT 1 FROM staging.stg_hotline_signals AS s WHERE s.situation_key = o.situation_key) AS linked_to_signal
FROM staging.stg_case_outcomes AS o
WHERE o.event_type <> 'victim_encountered'
