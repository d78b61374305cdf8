ALTER TABLE phone_changes DROP COLUMN max_tries;
