ALTER TABLE applications DROP COLUMN review_context_enc;
