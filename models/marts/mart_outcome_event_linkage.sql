-- Linkage coverage of the outcome funnel: one row per case-outcome event (§ 566.223 encounters aside, which
-- have their own coverage), by year of the event, and whether its situation (formed across agencies by linkage,
-- intermediate.int_situations) holds a hotline signal. The funnel follows situations from their first signal, so
-- an event that links to none counts nowhere in it.
WITH signalled AS (
    SELECT DISTINCT linked.situation_id
    FROM staging.stg_hotline_signals AS s
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
)
SELECT
    o.sending_agency,
    CAST(year(o.event_date) AS INTEGER) AS year,
    o.event_type,
    signalled.situation_id IS NOT NULL AS linked_to_signal
FROM staging.stg_case_outcomes AS o
JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
LEFT JOIN signalled USING (situation_id)
WHERE o.event_type <> 'victim_encountered'
