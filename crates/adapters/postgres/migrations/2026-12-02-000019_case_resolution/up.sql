-- R14 (issue 15, item 5): a resolution keeps its reviewer and note; the note is sealed like the
-- opener's message.
ALTER TABLE cases
    ADD COLUMN resolved_by text,
    ADD COLUMN resolution_note_enc bytea;
