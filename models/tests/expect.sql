-- Declared test `expect`: a condition every row must meet (e.g. counts non-negative, parts adding up to
-- their total). Failures: rows where it does not hold.
SELECT count(*) AS failures FROM {model} WHERE NOT coalesce(({condition}), false)
