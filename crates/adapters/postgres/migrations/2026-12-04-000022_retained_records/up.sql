-- R21: besides closed accounts, the retention sweep redacts identity proofs (subject and secret)
-- and cases' opening messages kept for the retention period. Subject keys, dates and outcomes
-- stay. Superseded applications' subjects use the existing nullable applications.subject_enc.
ALTER TABLE identity_proofs
    ALTER COLUMN subject_enc DROP NOT NULL,
    ALTER COLUMN secret_enc DROP NOT NULL,
    ADD COLUMN redacted_at TIMESTAMPTZ,
    ADD CONSTRAINT identity_proofs_subject_until_redacted
        CHECK ((redacted_at IS NULL) = (subject_enc IS NOT NULL AND secret_enc IS NOT NULL));
CREATE INDEX identity_proofs_kept ON identity_proofs (created_at)
    WHERE redacted_at IS NULL;
ALTER TABLE cases ALTER COLUMN message_enc DROP NOT NULL;
CREATE INDEX cases_message_kept ON cases (created_at) WHERE message_enc IS NOT NULL;
CREATE INDEX applications_subject_kept ON applications (decided_at)
    WHERE subject_enc IS NOT NULL AND decided_at IS NOT NULL;
