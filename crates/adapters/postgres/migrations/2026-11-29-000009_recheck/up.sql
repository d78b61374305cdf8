-- R17: each enterprise's place in the re-check cycle, and the claim that keeps replicas apart.
ALTER TABLE subjects
    ADD COLUMN next_check_at TIMESTAMPTZ,
    ADD COLUMN last_checked_at TIMESTAMPTZ,
    ADD COLUMN check_failures INT NOT NULL DEFAULT 0,
    ADD COLUMN lease_owner TEXT,
    ADD COLUMN lease_until TIMESTAMPTZ;

CREATE INDEX subjects_recheck_due ON subjects (next_check_at NULLS FIRST)
    WHERE subject_type = 'enterprise';
