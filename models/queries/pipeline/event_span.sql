-- First and last event date over every feed (feed_spans: feed_event_span.sql of each feed, in a UNION).
SELECT min(first), max(last) FROM ({feed_spans})
