-- R19 (issue 14, hole 8): a sub-account has no phone until the code sent to the requested number
-- is confirmed, so an unredacted account may have none; a redacted one still has none.
ALTER TABLE accounts
    DROP CONSTRAINT accounts_phone_until_redacted,
    ADD CONSTRAINT accounts_no_phone_once_redacted CHECK (redacted_at IS NULL OR phone_enc IS NULL);
