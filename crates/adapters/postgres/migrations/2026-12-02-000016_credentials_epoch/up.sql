-- R14: holder tokens issued before an account's last recovery or freeze are revoked. The epoch is
-- one of the capability facts, so a change of it evicts the account from every replica's cache.
ALTER TABLE accounts ADD COLUMN credentials_epoch timestamptz;

DROP TRIGGER accounts_capability_changed ON accounts;
CREATE TRIGGER accounts_capability_changed
    AFTER UPDATE OF state, status, agreement_expires_at, revocation_pending_at, root_id, inherits,
                    credentials_epoch
    ON accounts
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.agreement_expires_at IS DISTINCT FROM NEW.agreement_expires_at
          OR OLD.revocation_pending_at IS DISTINCT FROM NEW.revocation_pending_at
          OR OLD.root_id IS DISTINCT FROM NEW.root_id
          OR OLD.inherits IS DISTINCT FROM NEW.inherits
          OR OLD.credentials_epoch IS DISTINCT FROM NEW.credentials_epoch)
    EXECUTE FUNCTION notify_account_changed();
