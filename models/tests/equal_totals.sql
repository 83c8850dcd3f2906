-- Declared test `equal_totals`: a reconciliation. An aggregate of this model equals an aggregate of the model
-- it is built from (every record counted once, none lost between layers). Failures: 1 when they differ.
SELECT CASE WHEN (SELECT {expression} FROM {model}) IS NOT DISTINCT FROM (SELECT {other_expression} FROM {other})
            THEN 0 ELSE 1 END AS failures
