-- R21: after the retention period a closed account's personal data is redacted; its subject key
-- stays, so find-accounts and theft investigations still see the history.
ALTER TABLE accounts
    ALTER COLUMN phone_key DROP NOT NULL,
    ALTER COLUMN phone_enc DROP NOT NULL,
    ADD COLUMN redacted_at TIMESTAMPTZ,
    ADD CONSTRAINT accounts_phone_until_redacted CHECK ((redacted_at IS NULL) = (phone_enc IS NOT NULL));
CREATE INDEX accounts_redaction_due ON accounts (closed_at) WHERE state = 'closed' AND redacted_at IS NULL;
ALTER TABLE applications ALTER COLUMN subject_enc DROP NOT NULL;
ALTER TABLE phone_changes ALTER COLUMN phone_enc DROP NOT NULL;
