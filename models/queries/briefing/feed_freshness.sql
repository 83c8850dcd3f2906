-- Every column: the row counts are declared counts (protected, with <count>_suppressed) since they are the
-- sums of agency_data_quality over agencies.
SELECT * FROM feed_freshness ORDER BY feed
