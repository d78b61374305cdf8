-- API.md Idempotency-Key: a key is held under a lease, so a request that dies leaves it to a
-- retry once the lease ends; answers are fenced by the lease and sealed (a webhook endpoint's
-- answer carries its secret). Bodies stored before this migration stay readable in `body`.
ALTER TABLE idempotency_keys
    ADD COLUMN record uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN lease uuid,
    ADD COLUMN leased_until timestamptz,
    ADD COLUMN sealed_body bytea;
