ALTER TABLE accounts DROP COLUMN revocation_pending_at;
