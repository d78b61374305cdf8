-- R21: when an account was closed.
ALTER TABLE accounts ADD COLUMN closed_at TIMESTAMPTZ;
CREATE INDEX accounts_subs_of_root ON accounts (root_id) WHERE root_id IS NOT NULL;

-- R19: phone changes confirmed by a one-time code, kept only as a hash.
CREATE TABLE phone_changes (
    id           UUID PRIMARY KEY,
    account_id   UUID NOT NULL REFERENCES accounts (id),
    phone_key    BYTEA NOT NULL,
    phone_enc    BYTEA NOT NULL,
    code_hash    BYTEA NOT NULL,
    failed_tries INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'locked', 'cancelled')),
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX phone_changes_pending ON phone_changes (account_id) WHERE status = 'pending';
