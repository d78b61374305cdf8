-- Capability caches on every replica evict an account when anything R12 reads of it changes.
-- The notification is sent at commit, in commit order, and only if the row really changed.
CREATE FUNCTION notify_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('realname_accounts', NEW.id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_capability_changed
    AFTER UPDATE OF state, status, agreement_expires_at, revocation_pending_at, root_id, inherits
    ON accounts
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.agreement_expires_at IS DISTINCT FROM NEW.agreement_expires_at
          OR OLD.revocation_pending_at IS DISTINCT FROM NEW.revocation_pending_at
          OR OLD.root_id IS DISTINCT FROM NEW.root_id
          OR OLD.inherits IS DISTINCT FROM NEW.inherits)
    EXECUTE FUNCTION notify_account_changed();
