CREATE OR REPLACE FUNCTION notify_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('realname_accounts', NEW.id::text);
    RETURN NULL;
END;
$$;
DROP TABLE capability_changes;
