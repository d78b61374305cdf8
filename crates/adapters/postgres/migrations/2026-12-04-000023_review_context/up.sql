-- Issue 16, R6: what a reviewer weighs beside an application (the registry record the decision
-- used, the payment credit), sealed like personal data: it names the legal representative and
-- the payer's account.
ALTER TABLE applications ADD COLUMN review_context_enc BYTEA;
