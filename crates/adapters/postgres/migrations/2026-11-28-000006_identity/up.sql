-- R14, R15: identity proofs and the cases reviewers resolve.
CREATE TABLE identity_proofs (
    id          UUID PRIMARY KEY,
    owner       TEXT NOT NULL,
    method      TEXT NOT NULL,
    subject_key BYTEA NOT NULL,
    subject_enc BYTEA NOT NULL,
    secret_enc  BYTEA NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('awaiting_action', 'passed', 'failed')),
    session_ref TEXT UNIQUE,
    next_action JSONB,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE cases (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('appeal', 'theft')),
    opened_by   TEXT NOT NULL,
    proof_id    UUID REFERENCES identity_proofs (id),
    account_ids UUID[] NOT NULL,
    message_enc BYTEA NOT NULL,
    outcome     TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ
);
CREATE INDEX cases_open ON cases (kind, created_at) WHERE outcome IS NULL;
CREATE INDEX accounts_of_subject ON accounts (subject_key) WHERE subject_key IS NOT NULL;
