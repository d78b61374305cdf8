-- SPEC §6: the feed orders events by their transaction id, then insertion, and shows only
-- transactions older than every one still running, so a consumer never misses a late commit.
ALTER TABLE events
    ADD COLUMN txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    ADD COLUMN position BIGSERIAL;
CREATE UNIQUE INDEX events_feed_order ON events (txid, position);
CREATE INDEX events_of_account_feed ON events (account_id, txid, position);
