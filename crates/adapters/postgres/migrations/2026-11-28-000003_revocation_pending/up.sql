-- R17: the effective date of a pending revocation; R2 lifts the cooldown while one is pending.
ALTER TABLE accounts ADD COLUMN revocation_pending_at TIMESTAMPTZ;
