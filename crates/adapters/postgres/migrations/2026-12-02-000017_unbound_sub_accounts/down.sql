ALTER TABLE accounts
    DROP CONSTRAINT accounts_no_phone_once_redacted,
    ADD CONSTRAINT accounts_phone_until_redacted CHECK ((redacted_at IS NULL) = (phone_enc IS NOT NULL));
