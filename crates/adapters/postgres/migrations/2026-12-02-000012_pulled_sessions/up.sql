-- Sessions whose result realname pulls from the provider (FaceID's BizToken): found by the
-- holder's return URL and by the poll job until they expire (R5). Exactly one of
-- application_id and proof_id is set.
CREATE TABLE pulled_sessions (
    session_ref text PRIMARY KEY,
    method text NOT NULL,
    provider_token text NOT NULL,
    application_id uuid REFERENCES applications (id),
    proof_id uuid REFERENCES identity_proofs (id),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((application_id IS NULL) <> (proof_id IS NULL))
);

CREATE INDEX pulled_sessions_expiry ON pulled_sessions (expires_at);
