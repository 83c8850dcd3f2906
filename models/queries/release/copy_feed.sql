-- An agency feed as each month's release took it in: a row counts for the release that first covered its
-- month, and only if it was loaded before that release was cut. Later rows for a released month are held
-- back (a late record would otherwise show up as the difference between two releases); so is a later
-- correction or withdrawal: the version superseded after the cut is the current one as of the cut.
CREATE TABLE released.raw.{table} AS
SELECT src.* REPLACE (CASE WHEN src._superseded_at <= win.snapshot_at THEN src._superseded_at END AS _superseded_at)
FROM {warehouse}.raw.{table} AS src
JOIN release_freeze AS win
  ON month_start(src.{event_date}) BETWEEN win.first_month AND win.last_month
WHERE src._loaded_at <= win.snapshot_at
