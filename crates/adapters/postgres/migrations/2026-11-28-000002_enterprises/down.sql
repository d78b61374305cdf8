DROP TABLE quota_overrides;
DELETE FROM events WHERE account_id IS NULL;
ALTER TABLE events
    DROP CONSTRAINT events_sequence_with_account,
    ALTER COLUMN account_id SET NOT NULL,
    ALTER COLUMN sequence SET NOT NULL;
DROP INDEX applications_review_queue;
DROP INDEX applications_due;
ALTER TABLE applications
    DROP COLUMN lease_until,
    DROP COLUMN lease_owner,
    DROP COLUMN failure_reason,
    DROP COLUMN review_note_enc,
    DROP COLUMN review_reason,
    DROP COLUMN escalated;
