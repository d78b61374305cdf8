ALTER TABLE identity_proofs DROP COLUMN passed_at;
