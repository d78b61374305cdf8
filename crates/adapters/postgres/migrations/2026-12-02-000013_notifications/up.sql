-- Durable notifications (R8, R14, R17, R19): written with the change that calls for them,
-- delivered by a job that claims due rows with FOR UPDATE SKIP LOCKED and a lease.
-- phone_enc holds the number to tell when it is not the account's bound phone (the old number
-- of a phone change), sealed like every phone.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts (id),
    application_id uuid,
    phone_enc bytea,
    at timestamptz,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    last_attempt_at timestamptz,
    lease_owner text,
    lease_until timestamptz,
    created_at timestamptz NOT NULL
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_by_status ON notifications (status, id DESC);
