-- Phone numbers, one row per number: the row that R19's per-number limit locks.
CREATE TABLE phone_numbers (
    phone_key  BYTEA PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Real-name subjects, one row per subject key: the row that R3/R4 quotas lock.
CREATE TABLE subjects (
    subject_key   BYTEA PRIMARY KEY,
    subject_type  TEXT NOT NULL CHECK (subject_type IN ('personal', 'enterprise')),
    account_limit INTEGER CHECK (account_limit >= 0),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id                    UUID PRIMARY KEY,
    root_id               UUID REFERENCES accounts (id),
    state                 TEXT NOT NULL CHECK (state IN ('active', 'frozen', 'closed')),
    status                TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'revoked')),
    phone_key             BYTEA NOT NULL REFERENCES phone_numbers (phone_key),
    phone_enc             BYTEA NOT NULL,
    subject_key           BYTEA REFERENCES subjects (subject_key),
    subject_type          TEXT,
    subject_enc           BYTEA,
    verified_method       TEXT,
    verified_at           TIMESTAMPTZ,
    last_authenticated_at TIMESTAMPTZ,
    agreement_expires_at  TIMESTAMPTZ,
    event_sequence        BIGINT NOT NULL DEFAULT 0,
    audit_head            BYTEA NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'unverified') = (subject_key IS NULL))
);
CREATE INDEX accounts_bound_to_phone ON accounts (phone_key) WHERE state <> 'closed';
CREATE INDEX accounts_holding_slots ON accounts (subject_key) WHERE status = 'verified' AND state <> 'closed';

CREATE TABLE applications (
    id                 UUID PRIMARY KEY,
    account_id         UUID NOT NULL REFERENCES accounts (id),
    purpose            TEXT NOT NULL,
    method             TEXT NOT NULL,
    status             TEXT NOT NULL,
    subject_type       TEXT NOT NULL,
    subject_key        BYTEA NOT NULL,
    subject_enc        BYTEA NOT NULL,
    session_ref        TEXT UNIQUE,
    next_action        JSONB,
    session_expires_at TIMESTAMPTZ,
    deadline           TIMESTAMPTZ,
    overdue            BOOLEAN NOT NULL DEFAULT false,
    failure_code       TEXT,
    failure_holders    JSONB,
    created_at         TIMESTAMPTZ NOT NULL,
    decided_at         TIMESTAMPTZ
);
-- SPEC §2: at most one undecided application per account, also as a last line of defence.
CREATE UNIQUE INDEX applications_one_undecided ON applications (account_id)
    WHERE status IN ('awaiting_action', 'processing', 'in_review');
CREATE INDEX applications_of_account ON applications (account_id, id DESC);
CREATE INDEX applications_stale_sessions ON applications (session_expires_at)
    WHERE status IN ('awaiting_action', 'processing', 'in_review');
CREATE INDEX applications_failures ON applications (account_id, decided_at) WHERE status = 'rejected';

-- The transactional outbox (SPEC §6).
CREATE TABLE events (
    id         UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id),
    sequence   BIGINT NOT NULL,
    type       TEXT NOT NULL,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, sequence)
);

-- R22: append-only, one hash chain per account.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    before     TEXT NOT NULL,
    after      TEXT NOT NULL,
    reason     TEXT,
    at         TIMESTAMPTZ NOT NULL,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);
CREATE INDEX audit_log_of_account ON audit_log (account_id, id);

CREATE TABLE idempotency_keys (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,
    status      SMALLINT,
    body        BYTEA,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
