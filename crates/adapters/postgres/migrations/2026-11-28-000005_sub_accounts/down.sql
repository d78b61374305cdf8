DROP TABLE sub_account_invitations;
ALTER TABLE accounts DROP COLUMN inherits;
