DROP TRIGGER accounts_capability_changed ON accounts;
DROP FUNCTION notify_account_changed();
