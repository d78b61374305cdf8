-- R12, issue 17: replicas learn of capability changes from a table instead of NOTIFY. NOTIFY
-- takes a database-wide lock at commit and holds it through the commit's WAL flush, so every
-- notifying transaction (every verification, freeze, closure…) committed one at a time. A row
-- here is written like any other, so commits flush together again.
--
-- Each row carries its transaction's id. A replica polls with a snapshot: every transaction
-- below the snapshot's xmin has ended, so rows from `xmin` of the previous poll onwards are all
-- a poll can newly see (capabilities.rs).
CREATE TABLE capability_changes (
    xid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    account_id uuid NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (xid, account_id)
);

CREATE OR REPLACE FUNCTION notify_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO capability_changes (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
