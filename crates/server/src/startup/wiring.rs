//! The use cases and the HTTP state, wired from the adapters.

use std::sync::Arc;

use realname_application::accounts::{
    AssociateSubAccount, CloseAccount, ConfirmPhoneChange, CreateSubAccount, GetAccount,
    ListInvitations, ListSubAccounts, OtpDeps, RegisterAccount, RequestPhoneChange,
};
use realname_application::audit::GetAuditLog;
use realname_application::events::{
    ListEvents, SetAgreement, WebhookEndpoints, WebhookEndpointsDeps,
};
use realname_application::identity::{
    AccountRecovery, CheckCredentials, CompleteSandboxProof, FindAccounts, FreezeAccounts, GetCase,
    GetIdentityProof, ListCases, OpenAppeal, ResolveCase, StartIdentityProof,
    StartIdentityProofDeps,
};
use realname_application::real_name::{
    GetCapabilities, GetStatus, ListMethods, RefuseDeauthentication,
};
use realname_application::review::{
    DecideApplication, DecideApplicationDeps, GetEnterpriseLimit, ListReviewQueue,
    SetEnterpriseLimit,
};
use realname_application::verification::{
    CheckAttempts, CheckAttemptsDeps, CompleteSandboxApplication, CompleteSandboxApplicationDeps,
    GetApplication, ListApplications, ProviderCallback, PullProviderResult, PullProviderResultDeps,
    RecordPaymentCredit, RecordPaymentCreditDeps, RecordProviderResult, RecordProviderResultDeps,
    SubmitApplication, SubmitApplicationDeps, WithdrawApplication, WithdrawApplicationDeps,
};
use realname_http::ratelimit::RateLimits;
use realname_http::{Authenticator, HttpState, UseCases};
use realname_ports::SandboxSmsInbox;

use crate::settings::Settings;

use super::Adapters;

impl Adapters {
    /// What an HTTP worker serves with.
    pub(super) fn http_state(
        &self,
        settings: &Settings,
        rate_limits: Option<Arc<RateLimits>>,
    ) -> HttpState {
        HttpState {
            rate_limits,
            use_cases: self.use_cases(),
            auth: Authenticator::new(settings.auth.clone()),
            signatures: settings.providers.signatures(),
            holder_return_url: settings.http.holder_return_url.clone(),
            idempotency: self.store.clone(),
            readiness: self.store.clone(),
            clock: self.clock.clone(),
            sandbox: settings.sandbox.enabled,
            sandbox_sms: self
                .sandbox_sms
                .clone()
                .map(|s| s as Arc<dyn SandboxSmsInbox>),
        }
    }

    fn record_provider_result(&self) -> Arc<RecordProviderResult> {
        Arc::new(RecordProviderResult::new(RecordProviderResultDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            policy: self.policy.clone(),
            calendar: self.calendar.clone(),
            applications: self.store.clone(),
            registry: self.registry.clone(),
        }))
    }

    /// Pulls FaceID results, for the holder's return and for the poll job.
    pub(super) fn pull_provider_result(&self) -> PullProviderResult {
        PullProviderResult::new(PullProviderResultDeps {
            sessions: self.store.clone(),
            results: self.results.clone(),
            callback: Arc::new(ProviderCallback::new(
                self.record_provider_result(),
                self.store.clone(),
                self.clock.clone(),
            )),
            applications: self.store.clone(),
            uow: self.store.clone(),
            clock: self.clock.clone(),
            batch: 100,
        })
    }

    /// The ports of every use case that sends a one-time code (R19).
    fn otp_deps(&self) -> OtpDeps {
        OtpDeps {
            uow: self.store.clone(),
            clock: self.clock.clone(),
            policy: self.policy.clone(),
            sms: self.sms.clone(),
            otp: self.keys.clone(),
        }
    }

    fn use_cases(&self) -> UseCases {
        let Self {
            store,
            clock,
            policy,
            ..
        } = self;
        let record = self.record_provider_result();
        UseCases {
            register_account: RegisterAccount::new(store.clone(), clock.clone(), policy.clone()),
            get_account: GetAccount::new(store.clone()),
            get_status: GetStatus::new(store.clone(), store.clone(), policy.clone()),
            refuse_deauthentication: RefuseDeauthentication::new(store.clone()),
            get_capabilities: GetCapabilities::new(self.capabilities.clone(), clock.clone()),
            check_credentials: CheckCredentials::new(self.capabilities.clone()),
            list_methods: ListMethods::new(policy.clone()),
            submit_application: SubmitApplication::new(SubmitApplicationDeps {
                uow: store.clone(),
                clock: clock.clone(),
                policy: policy.clone(),
                provider: self.providers.clone(),
                calendar: self.calendar.clone(),
            }),
            list_applications: ListApplications::new(store.clone(), store.clone()),
            get_application: GetApplication::new(store.clone(), store.clone()),
            withdraw_application: WithdrawApplication::new(WithdrawApplicationDeps {
                uow: store.clone(),
                clock: clock.clone(),
                accounts: store.clone(),
                applications: store.clone(),
            }),
            provider_callback: ProviderCallback::new(record.clone(), store.clone(), clock.clone()),
            pull_provider_result: Arc::new(self.pull_provider_result()),
            complete_sandbox_application: CompleteSandboxApplication::new(
                CompleteSandboxApplicationDeps {
                    accounts: store.clone(),
                    applications: store.clone(),
                    sandbox: self.sandbox_providers.clone(),
                    record,
                },
            ),
            record_payment_credit: RecordPaymentCredit::new(RecordPaymentCreditDeps {
                uow: store.clone(),
                clock: clock.clone(),
                policy: policy.clone(),
                calendar: self.calendar.clone(),
                applications: store.clone(),
                registry: self.registry.clone(),
            }),
            list_review_queue: ListReviewQueue::new(store.clone()),
            decide_application: DecideApplication::new(DecideApplicationDeps {
                uow: store.clone(),
                clock: clock.clone(),
                policy: policy.clone(),
                calendar: self.calendar.clone(),
                applications: store.clone(),
                registry: self.registry.clone(),
            }),
            set_enterprise_limit: SetEnterpriseLimit::new(store.clone(), clock.clone()),
            get_enterprise_limit: GetEnterpriseLimit::new(store.clone(), policy.clone()),
            get_audit_log: GetAuditLog::new(store.clone(), store.clone()),
            close_account: CloseAccount::new(store.clone(), clock.clone()),
            request_phone_change: RequestPhoneChange::new(self.otp_deps()),
            confirm_phone_change: ConfirmPhoneChange::new(
                store.clone(),
                clock.clone(),
                policy.clone(),
                self.keys.clone(),
            ),
            create_sub_account: CreateSubAccount::new(self.otp_deps()),
            associate_sub_account: AssociateSubAccount::new(store.clone(), clock.clone()),
            list_invitations: ListInvitations::new(store.clone()),
            list_sub_accounts: ListSubAccounts::new(store.clone()),
            start_identity_proof: StartIdentityProof::new(StartIdentityProofDeps {
                uow: store.clone(),
                clock: clock.clone(),
                policy: policy.clone(),
                provider: self.providers.clone(),
            }),
            complete_sandbox_proof: CompleteSandboxProof::new(
                store.clone(),
                clock.clone(),
                policy.clone(),
            ),
            get_identity_proof: GetIdentityProof::new(store.clone(), policy.clone()),
            find_accounts: FindAccounts::new(store.clone(), clock.clone(), policy.clone()),
            account_recovery: AccountRecovery::new(self.otp_deps()),
            freeze_accounts: FreezeAccounts::new(store.clone(), clock.clone(), policy.clone()),
            open_appeal: OpenAppeal::new(store.clone(), clock.clone()),
            list_cases: ListCases::new(store.clone()),
            get_case: GetCase::new(store.clone()),
            resolve_case: ResolveCase::new(store.clone(), clock.clone()),
            list_events: ListEvents::new(store.clone()),
            set_agreement: SetAgreement::new(store.clone(), clock.clone()),
            check_attempts: CheckAttempts::new(CheckAttemptsDeps {
                uow: store.clone(),
                accounts: store.clone(),
                clock: clock.clone(),
                policy: policy.clone(),
            }),
            webhook_endpoints: WebhookEndpoints::new(WebhookEndpointsDeps {
                store: store.clone(),
                feed: store.clone(),
                clock: clock.clone(),
                allow_local: self.allow_local_webhooks,
                rotation_overlap: self.webhook_rotation_overlap,
            }),
            list_notifications: realname_application::notifications::ListNotifications::new(
                store.clone(),
            ),
        }
    }
}
