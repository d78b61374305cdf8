DROP INDEX subjects_recheck_due;
ALTER TABLE subjects
    DROP COLUMN next_check_at,
    DROP COLUMN last_checked_at,
    DROP COLUMN check_failures,
    DROP COLUMN lease_owner,
    DROP COLUMN lease_until;
