DROP TABLE phone_changes;
DROP INDEX accounts_subs_of_root;
ALTER TABLE accounts DROP COLUMN closed_at;
