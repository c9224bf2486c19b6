-- The event feed for other services (ports/event_feed.h, the Redis Stream paygate:events): while the feed
-- is enabled, every outbox event is queued here in the transaction that writes it; relays on any node claim
-- the queue in order (SKIP LOCKED), append to the feed and remove what they appended. The queue stays as
-- short as the feed is behind.
CREATE TABLE event_feed_settings (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  enabled BOOLEAN NOT NULL
);
INSERT INTO event_feed_settings (id, enabled) VALUES (1, FALSE);

CREATE TABLE event_feed (
  seq        BIGSERIAL PRIMARY KEY,  -- the order events were written in
  event_id   TEXT COLLATE "C" NOT NULL UNIQUE,
  due_at_ms  BIGINT NOT NULL DEFAULT 0,  -- a claim pushes it ahead by its lease
  claimed_by TEXT NOT NULL DEFAULT ''
);

CREATE FUNCTION outbox_events_to_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT enabled FROM event_feed_settings WHERE id = 1) THEN
    INSERT INTO event_feed (event_id) VALUES (NEW.event_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_events_to_feed AFTER INSERT ON outbox_events
  FOR EACH ROW EXECUTE FUNCTION outbox_events_to_feed();
