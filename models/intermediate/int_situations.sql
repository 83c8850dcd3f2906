-- Cross-agency linkage, step 3 (docs/linkage.md): situations are the connected components of the linked pairs,
-- so every agency situation belongs to exactly one (a lone one, when nothing linked to it). situation_id is the
-- smallest unit id in the component: internal to the warehouse, like the keys it is made of. agencies: how
-- many agencies' records the situation joins.
WITH RECURSIVE edges AS (
    SELECT unit_a AS a, unit_b AS b FROM intermediate.int_linkage_pairs
    UNION
    SELECT unit_b, unit_a FROM intermediate.int_linkage_pairs
),
reach(unit_id, label) AS (
    SELECT unit_id, unit_id FROM intermediate.int_linkage_units
    UNION
    -- a label travels only towards larger ids: each unit ends up with its component's smallest
    SELECT e.b, r.label FROM reach AS r JOIN edges AS e ON e.a = r.unit_id WHERE r.label < e.b
),
components AS (
    SELECT unit_id, min(label) AS situation_id FROM reach GROUP BY unit_id
)
SELECT
    u.sending_agency,
    u.situation_key,
    c.situation_id,
    count(*) OVER (PARTITION BY c.situation_id) AS agency_situations,
    count(DISTINCT u.sending_agency) OVER (PARTITION BY c.situation_id) AS agencies
FROM intermediate.int_linkage_units AS u
JOIN components AS c USING (unit_id)
