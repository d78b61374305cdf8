DROP INDEX events_of_account_feed;
DROP INDEX events_feed_order;
ALTER TABLE events DROP COLUMN position, DROP COLUMN txid;
