-- SPEC §6: webhook subscriptions, with the last feed event each has queued, and one delivery
-- row per endpoint and event (so a redelivery keeps the event id and is never queued twice).
CREATE TABLE webhook_endpoints (
    id           UUID PRIMARY KEY,
    url          TEXT NOT NULL,
    event_types  TEXT[] NOT NULL,
    secret_enc   BYTEA NOT NULL,
    cursor_event UUID,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id),
    event_id        UUID NOT NULL REFERENCES events (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error      TEXT,
    last_attempt_at TIMESTAMPTZ,
    queued_at       TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (endpoint_id, queued_at DESC);
