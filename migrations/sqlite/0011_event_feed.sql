-- The event feed for other services (ports/event_feed.h, the Redis Stream paygate:events): while the feed
-- is enabled, every outbox event is queued here in the command that writes it; a relay claims the queue in
-- order, appends to the feed and removes what it appended. The queue stays as short as the feed is behind.
CREATE TABLE event_feed_settings (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
);
INSERT INTO event_feed_settings (id, enabled) VALUES (1, 0);

CREATE TABLE event_feed (
  seq        INTEGER PRIMARY KEY,  -- the order events were written in
  event_id   TEXT NOT NULL UNIQUE,
  due_at_ms  INTEGER NOT NULL DEFAULT 0,  -- a claim pushes it ahead by its lease
  claimed_by TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER outbox_events_to_feed AFTER INSERT ON outbox_events
  WHEN (SELECT enabled FROM event_feed_settings WHERE id = 1) = 1
BEGIN
  INSERT INTO event_feed (event_id) VALUES (NEW.event_id);
END;
