-- SPEC §6, issue 15 item 8: endpoints can be disabled (events held), deleted (pending
-- deliveries cancelled, history kept) and have their secret rotated, with the replaced secret
-- still signing until the overlap ends.
ALTER TABLE webhook_endpoints
    ADD COLUMN disabled              BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN deleted_at            TIMESTAMPTZ,
    ADD COLUMN secret_rotated_at     TIMESTAMPTZ,
    ADD COLUMN previous_secret_enc   BYTEA,
    ADD COLUMN previous_secret_until TIMESTAMPTZ,
    ADD CONSTRAINT webhook_endpoints_previous_secret_whole
        CHECK ((previous_secret_enc IS NULL) = (previous_secret_until IS NULL));

ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_status_check,
    ADD CONSTRAINT webhook_deliveries_status_check
        CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled'));
