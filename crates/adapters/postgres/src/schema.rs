// @generated-equivalent: kept in step with migrations/ (see README, "Schema").

diesel::table! {
    phone_numbers (phone_key) {
        phone_key -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    subjects (subject_key) {
        subject_key -> Bytea,
        subject_type -> Text,
        account_limit -> Nullable<Int4>,
        created_at -> Timestamptz,
        next_check_at -> Nullable<Timestamptz>,
        last_checked_at -> Nullable<Timestamptz>,
        check_failures -> Int4,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Uuid,
        root_id -> Nullable<Uuid>,
        state -> Text,
        status -> Text,
        phone_key -> Nullable<Bytea>,
        phone_enc -> Nullable<Bytea>,
        subject_key -> Nullable<Bytea>,
        subject_type -> Nullable<Text>,
        subject_enc -> Nullable<Bytea>,
        verified_method -> Nullable<Text>,
        verified_at -> Nullable<Timestamptz>,
        last_authenticated_at -> Nullable<Timestamptz>,
        agreement_expires_at -> Nullable<Timestamptz>,
        event_sequence -> Int8,
        audit_head -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        revocation_pending_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        inherits -> Bool,
        redacted_at -> Nullable<Timestamptz>,
        credentials_epoch -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    applications (id) {
        id -> Uuid,
        account_id -> Uuid,
        purpose -> Text,
        method -> Text,
        status -> Text,
        subject_type -> Text,
        subject_key -> Bytea,
        subject_enc -> Nullable<Bytea>,
        session_ref -> Nullable<Text>,
        next_action -> Nullable<Jsonb>,
        session_expires_at -> Nullable<Timestamptz>,
        deadline -> Nullable<Timestamptz>,
        overdue -> Bool,
        failure_code -> Nullable<Text>,
        failure_holders -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
        escalated -> Bool,
        review_reason -> Nullable<Text>,
        review_note_enc -> Nullable<Bytea>,
        failure_reason -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamptz>,
        review_context_enc -> Nullable<Bytea>,
    }
}

diesel::table! {
    events (id) {
        id -> Uuid,
        account_id -> Nullable<Uuid>,
        sequence -> Nullable<Int8>,
        #[sql_name = "type"]
        event_type -> Text,
        data -> Jsonb,
        created_at -> Timestamptz,
        txid -> Int8,
        position -> Int8,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        account_id -> Uuid,
        actor -> Text,
        action -> Text,
        before -> Text,
        after -> Text,
        reason -> Nullable<Text>,
        at -> Timestamptz,
        prev_hash -> Bytea,
        hash -> Bytea,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        fingerprint -> Bytea,
        status -> Nullable<Int2>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        record -> Uuid,
        lease -> Nullable<Uuid>,
        leased_until -> Nullable<Timestamptz>,
        sealed_body -> Nullable<Bytea>,
    }
}

diesel::table! {
    quota_overrides (id) {
        id -> Int8,
        subject_key -> Bytea,
        previous_limit -> Nullable<Int4>,
        new_limit -> Int4,
        actor -> Text,
        reason -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    phone_changes (id) {
        id -> Uuid,
        account_id -> Uuid,
        phone_key -> Bytea,
        phone_enc -> Nullable<Bytea>,
        code_hash -> Bytea,
        failed_tries -> Int4,
        status -> Text,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        max_tries -> Int4,
    }
}

diesel::table! {
    sub_account_invitations (id) {
        id -> Uuid,
        root_id -> Uuid,
        account_id -> Uuid,
        status -> Text,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    identity_proofs (id) {
        id -> Uuid,
        owner -> Text,
        method -> Text,
        subject_key -> Bytea,
        subject_enc -> Nullable<Bytea>,
        secret_enc -> Nullable<Bytea>,
        status -> Text,
        session_ref -> Nullable<Text>,
        next_action -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        passed_at -> Nullable<Timestamptz>,
        redacted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    cases (id) {
        id -> Uuid,
        kind -> Text,
        opened_by -> Text,
        proof_id -> Nullable<Uuid>,
        account_ids -> Array<Uuid>,
        message_enc -> Nullable<Bytea>,
        outcome -> Nullable<Text>,
        created_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        resolved_by -> Nullable<Text>,
        resolution_note_enc -> Nullable<Bytea>,
    }
}

diesel::table! {
    pulled_sessions (session_ref) {
        session_ref -> Text,
        method -> Text,
        provider_token -> Text,
        application_id -> Nullable<Uuid>,
        proof_id -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(pulled_sessions, applications, identity_proofs);

diesel::table! {
    notifications (id) {
        id -> Uuid,
        kind -> Text,
        account_id -> Uuid,
        application_id -> Nullable<Uuid>,
        phone_enc -> Nullable<Bytea>,
        at -> Nullable<Timestamptz>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamptz>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(notifications -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(notifications, accounts);

diesel::joinable!(applications -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(applications, accounts);
diesel::joinable!(audit_log -> accounts (account_id));

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        url -> Text,
        event_types -> Array<Text>,
        secret_enc -> Bytea,
        cursor_event -> Nullable<Uuid>,
        created_at -> Timestamptz,
        disabled -> Bool,
        deleted_at -> Nullable<Timestamptz>,
        secret_rotated_at -> Nullable<Timestamptz>,
        previous_secret_enc -> Nullable<Bytea>,
        previous_secret_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (endpoint_id, event_id) {
        endpoint_id -> Uuid,
        event_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamptz>,
        queued_at -> Timestamptz,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamptz>,
    }
}
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, events, webhook_endpoints);
