DROP INDEX sub_account_invitations_by_root;
DROP INDEX sub_account_invitations_by_account;
ALTER TABLE sub_account_invitations
    DROP CONSTRAINT sub_account_invitations_status_check,
    ADD CONSTRAINT sub_account_invitations_status_check CHECK (status IN ('pending', 'accepted'));
