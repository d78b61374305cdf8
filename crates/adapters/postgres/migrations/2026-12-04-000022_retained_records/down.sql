DROP INDEX applications_subject_kept;
DROP INDEX cases_message_kept;
DELETE FROM cases WHERE message_enc IS NULL;
ALTER TABLE cases ALTER COLUMN message_enc SET NOT NULL;
DROP INDEX identity_proofs_kept;
ALTER TABLE identity_proofs DROP CONSTRAINT identity_proofs_subject_until_redacted, DROP COLUMN redacted_at;
DELETE FROM identity_proofs WHERE subject_enc IS NULL OR secret_enc IS NULL;
ALTER TABLE identity_proofs ALTER COLUMN subject_enc SET NOT NULL, ALTER COLUMN secret_enc SET NOT NULL;
