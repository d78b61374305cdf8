ALTER TABLE cases DROP COLUMN resolved_by, DROP COLUMN resolution_note_enc;
