-- Missouri § 566.223 linkage coverage: one row per notification law enforcement made (DSS or juvenile office),
-- by year of the encounter it names and the person's group, and whether it found its encounter (the same
-- situation (linked across agencies, intermediate.int_situations), encounter date and minor flag, in order). A notification that links to no encounter is a
-- person met whose encounter was not reported, or a key that does not link across the two feeds: the
-- compliance measure cannot see it, so its share is published beside the measure.
SELECT
    n.service,
    CAST(year(n.encounter_date) AS INTEGER) AS year,
    CASE WHEN n.minor THEN 'minor' WHEN NOT n.minor THEN 'adult' ELSE 'unknown' END AS person_group,
    e.situation_id IS NOT NULL AS linked
FROM intermediate.int_566_223_notifications AS n
LEFT JOIN intermediate.int_566_223_encounters AS e
    ON e.situation_id = n.situation_id AND e.encounter_date = n.encounter_date
   AND e.minor IS NOT DISTINCT FROM n.minor AND e.person_rank = n.person_rank
