-- R15: a passed proof is usable for identity.proof_ttl_secs from this moment.
ALTER TABLE identity_proofs ADD COLUMN passed_at timestamptz;
