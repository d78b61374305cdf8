-- R16: a sub-account created under its root inherits the root's verification; an associated
-- account keeps its own.
ALTER TABLE accounts ADD COLUMN inherits BOOLEAN NOT NULL DEFAULT false;

-- R16: association by consent of both sides.
CREATE TABLE sub_account_invitations (
    id         UUID PRIMARY KEY,
    root_id    UUID NOT NULL REFERENCES accounts (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX sub_account_invitations_one_pending ON sub_account_invitations (root_id, account_id)
    WHERE status = 'pending';
