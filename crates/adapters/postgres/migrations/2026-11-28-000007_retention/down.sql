-- Redacted rows cannot get their data back: they are removed before the columns are NOT NULL again.
DELETE FROM phone_changes WHERE phone_enc IS NULL;
DELETE FROM applications WHERE subject_enc IS NULL;
ALTER TABLE applications ALTER COLUMN subject_enc SET NOT NULL;
ALTER TABLE phone_changes ALTER COLUMN phone_enc SET NOT NULL;
DROP INDEX accounts_redaction_due;
ALTER TABLE accounts DROP CONSTRAINT accounts_phone_until_redacted;
DELETE FROM audit_log WHERE account_id IN (SELECT id FROM accounts WHERE redacted_at IS NOT NULL);
DELETE FROM events WHERE account_id IN (SELECT id FROM accounts WHERE redacted_at IS NOT NULL);
DELETE FROM applications WHERE account_id IN (SELECT id FROM accounts WHERE redacted_at IS NOT NULL);
DELETE FROM phone_changes WHERE account_id IN (SELECT id FROM accounts WHERE redacted_at IS NOT NULL);
DELETE FROM accounts WHERE redacted_at IS NOT NULL;
ALTER TABLE accounts
    DROP COLUMN redacted_at,
    ALTER COLUMN phone_enc SET NOT NULL,
    ALTER COLUMN phone_key SET NOT NULL;
