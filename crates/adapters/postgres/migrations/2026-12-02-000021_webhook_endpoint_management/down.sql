UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'cancelled';
ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_status_check,
    ADD CONSTRAINT webhook_deliveries_status_check
        CHECK (status IN ('pending', 'delivered', 'failed'));
ALTER TABLE webhook_endpoints
    DROP CONSTRAINT webhook_endpoints_previous_secret_whole,
    DROP COLUMN previous_secret_until,
    DROP COLUMN previous_secret_enc,
    DROP COLUMN secret_rotated_at,
    DROP COLUMN deleted_at,
    DROP COLUMN disabled;
