-- Cross-agency linkage, step 3 (docs/linkage.md): situations are the connected components of the linked pairs,
-- so every agency situation belongs to exactly one (a lone one, when nothing linked to it). situation_id is the
-- smallest unit id in the component (internal to the warehouse, like the keys it stands for), found by label
-- propagation: each round, an agency situation takes the smallest label among its linked neighbours when that is
-- smaller than its own (a recursive CTE keyed on the unit, so memory stays one row per agency situation).
-- agency_situations / agencies: how many agency situations and agencies the situation joins.
WITH RECURSIVE edges AS (
    SELECT unit_a AS a, unit_b AS b FROM intermediate.int_linkage_pairs
    UNION
    SELECT unit_b, unit_a FROM intermediate.int_linkage_pairs
),
components(unit_id, label) USING KEY (unit_id) AS (
    SELECT unit_id, unit_id FROM intermediate.int_linkage_units
    UNION
    SELECT e.b AS unit_id, min(changed.label) AS label
    FROM components AS changed
    JOIN edges AS e ON e.a = changed.unit_id
    JOIN recurring.components AS current ON current.unit_id = e.b
    GROUP BY e.b
    HAVING min(changed.label) < min(current.label)
)
SELECT
    u.sending_agency,
    u.situation_key,
    c.label AS situation_id,
    count(*) OVER (PARTITION BY c.label) AS agency_situations,
    count(DISTINCT u.sending_agency) OVER (PARTITION BY c.label) AS agencies
FROM intermediate.int_linkage_units AS u
JOIN components AS c USING (unit_id)
