-- R16 (issue 15, item 4): the target's holder may decline an invitation and the root's holder
-- cancel it.
ALTER TABLE sub_account_invitations
    DROP CONSTRAINT sub_account_invitations_status_check,
    ADD CONSTRAINT sub_account_invitations_status_check
        CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled'));
CREATE INDEX sub_account_invitations_by_account ON sub_account_invitations (account_id, id);
CREATE INDEX sub_account_invitations_by_root ON sub_account_invitations (root_id, id);
