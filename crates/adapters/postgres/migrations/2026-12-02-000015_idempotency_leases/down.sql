ALTER TABLE idempotency_keys
    DROP COLUMN sealed_body,
    DROP COLUMN leased_until,
    DROP COLUMN lease,
    DROP COLUMN record;
