//! What the handlers share: the use cases and the HTTP adapter's own collaborators.

use std::sync::Arc;

use realname_application::accounts::{
    AssociateSubAccount, CloseAccount, ConfirmPhoneChange, CreateSubAccount, GetAccount,
    ListInvitations, ListSubAccounts, RegisterAccount, RequestPhoneChange,
};
use realname_application::audit::GetAuditLog;
use realname_application::events::{ListEvents, SetAgreement, WebhookEndpoints};
use realname_application::identity::{
    AccountRecovery, CheckCredentials, CompleteSandboxProof, FindAccounts, FreezeAccounts, GetCase,
    GetIdentityProof, ListCases, OpenAppeal, ResolveCase, StartIdentityProof,
};
use realname_application::real_name::{
    GetCapabilities, GetStatus, ListMethods, RefuseDeauthentication,
};
use realname_application::review::{
    DecideApplication, GetEnterpriseLimit, ListReviewQueue, SetEnterpriseLimit,
};
use realname_application::verification::{
    CheckAttempts, CompleteSandboxApplication, GetApplication, ListApplications, ProviderCallback,
    PullProviderResult, RecordPaymentCredit, SubmitApplication, WithdrawApplication,
};
use realname_ports::{Clock, IdempotencyStore, Readiness, SandboxSmsInbox};

use crate::auth::Authenticator;
use crate::signature::SignatureSettings;

/// The use cases the routes call.
pub struct UseCases {
    /// `POST /v1/accounts`.
    pub register_account: RegisterAccount,
    /// `GET /v1/accounts/{id}`.
    pub get_account: GetAccount,
    /// `GET /v1/accounts/{id}/real-name`.
    pub get_status: GetStatus,
    /// `DELETE /v1/accounts/{id}/real-name`.
    pub refuse_deauthentication: RefuseDeauthentication,
    /// `GET /v1/accounts/{id}/capabilities`.
    pub get_capabilities: GetCapabilities,
    /// R14: every holder token, checked against its account's credential epoch.
    pub check_credentials: CheckCredentials,
    /// `GET /v1/verification-methods`.
    pub list_methods: ListMethods,
    /// `POST /v1/accounts/{id}/applications`.
    pub submit_application: SubmitApplication,
    /// `GET /v1/accounts/{id}/applications`.
    pub list_applications: ListApplications,
    /// `GET /v1/applications/{id}`.
    pub get_application: GetApplication,
    /// `POST /v1/applications/{id}/withdraw`.
    pub withdraw_application: WithdrawApplication,
    /// `POST /v1/provider-events/{provider}`.
    pub provider_callback: ProviderCallback,
    /// `GET /v1/provider-returns/faceid/{ref}`.
    pub pull_provider_result: Arc<PullProviderResult>,
    /// `POST /v1/sandbox/applications/{id}/complete`.
    pub complete_sandbox_application: CompleteSandboxApplication,
    /// `POST /v1/payment-credits`.
    pub record_payment_credit: RecordPaymentCredit,
    /// `GET /v1/review-queue`.
    pub list_review_queue: ListReviewQueue,
    /// `POST /v1/applications/{id}/decision`.
    pub decide_application: DecideApplication,
    /// `PUT /v1/enterprises/{uscc}/account-limit`.
    pub set_enterprise_limit: SetEnterpriseLimit,
    /// `GET /v1/enterprises/{uscc}/account-limit`.
    pub get_enterprise_limit: GetEnterpriseLimit,
    /// `GET /v1/accounts/{id}/audit-log`.
    pub get_audit_log: GetAuditLog,
    /// `POST /v1/accounts/{id}/close`.
    pub close_account: CloseAccount,
    /// `POST /v1/accounts/{id}/phone-changes`.
    pub request_phone_change: RequestPhoneChange,
    /// `POST /v1/accounts/{id}/phone-changes/{change_id}/confirm`.
    pub confirm_phone_change: ConfirmPhoneChange,
    /// `POST /v1/accounts/{id}/sub-accounts`.
    pub create_sub_account: CreateSubAccount,
    /// `GET /v1/accounts/{id}/sub-accounts`.
    pub list_sub_accounts: ListSubAccounts,
    /// `POST /v1/accounts/{id}/sub-account-associations` and `…/{id}/accept`.
    pub associate_sub_account: AssociateSubAccount,
    /// `GET /v1/accounts/{id}/sub-account-associations`.
    pub list_invitations: ListInvitations,
    /// `POST /v1/identity-proofs`.
    pub start_identity_proof: StartIdentityProof,
    /// `POST /v1/sandbox/identity-proofs/{id}/complete`.
    pub complete_sandbox_proof: CompleteSandboxProof,
    /// `GET /v1/identity-proofs/{id}`.
    pub get_identity_proof: GetIdentityProof,
    /// `GET /v1/identity-proofs/{id}/accounts`.
    pub find_accounts: FindAccounts,
    /// `POST /v1/identity-proofs/{id}/recoveries` and `…/confirm`.
    pub account_recovery: AccountRecovery,
    /// `POST /v1/identity-proofs/{id}/freezes`.
    pub freeze_accounts: FreezeAccounts,
    /// `POST /v1/appeals`.
    pub open_appeal: OpenAppeal,
    /// `GET /v1/cases`.
    pub list_cases: ListCases,
    /// `GET /v1/cases/{id}`.
    pub get_case: GetCase,
    /// `POST /v1/cases/{id}/resolution`.
    pub resolve_case: ResolveCase,
    /// `GET /v1/events`.
    pub list_events: ListEvents,
    /// `PUT /v1/accounts/{id}/agreement`.
    pub set_agreement: SetAgreement,
    /// R7 on its own, checked before the per-account rate limit.
    pub check_attempts: CheckAttempts,
    /// `/v1/webhook-endpoints…`.
    pub webhook_endpoints: WebhookEndpoints,
    /// `GET /v1/notifications`.
    pub list_notifications: realname_application::notifications::ListNotifications,
}

/// The shared state of the HTTP adapter.
pub struct HttpState {
    /// The use cases.
    pub use_cases: UseCases,
    /// Token checks.
    pub auth: Authenticator,
    /// Provider signature checks.
    pub signatures: SignatureSettings,
    /// `Idempotency-Key` storage.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// `/readyz`.
    pub readiness: Arc<dyn Readiness>,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// Whether the sandbox endpoints exist.
    pub sandbox: bool,
    /// The sandbox SMS inbox (`GET /v1/sandbox/sms`), in sandbox mode.
    pub sandbox_sms: Option<Arc<dyn SandboxSmsInbox>>,
    /// The rate-limit buckets, unless limits are switched off.
    pub rate_limits: Option<Arc<crate::ratelimit::RateLimits>>,
    /// `http.holder_return_url`: where the holder's browser goes after a provider's page.
    pub holder_return_url: Option<String>,
}
