DROP TRIGGER accounts_capability_changed ON accounts;
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

ALTER TABLE accounts DROP COLUMN credentials_epoch;
