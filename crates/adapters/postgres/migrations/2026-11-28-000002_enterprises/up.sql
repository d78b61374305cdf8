-- Enterprises (R4, R6), review (R9) and deadlines (R8).
ALTER TABLE applications
    ADD COLUMN escalated       BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN review_reason   TEXT,
    ADD COLUMN review_note_enc BYTEA,
    ADD COLUMN failure_reason  TEXT,
    ADD COLUMN lease_owner     TEXT,
    ADD COLUMN lease_until     TIMESTAMPTZ;

CREATE INDEX applications_due ON applications (deadline)
    WHERE status IN ('awaiting_action', 'processing', 'in_review') AND deadline IS NOT NULL;
CREATE INDEX applications_review_queue ON applications (overdue DESC, deadline, id)
    WHERE status = 'in_review';

-- Enterprise-wide events (enterprise.quota_changed) belong to no account and take no sequence.
ALTER TABLE events
    ALTER COLUMN account_id DROP NOT NULL,
    ALTER COLUMN sequence DROP NOT NULL,
    ADD CONSTRAINT events_sequence_with_account CHECK ((account_id IS NULL) = (sequence IS NULL));

-- R4: who set an enterprise's limit, when and why.
CREATE TABLE quota_overrides (
    id             BIGSERIAL PRIMARY KEY,
    subject_key    BYTEA NOT NULL REFERENCES subjects (subject_key),
    previous_limit INTEGER,
    new_limit      INTEGER NOT NULL CHECK (new_limit >= 0),
    actor          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX quota_overrides_of_subject ON quota_overrides (subject_key, id);
