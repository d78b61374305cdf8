//! Record a payment credit (R6): match it to its application on reference and amount, then let
//! the payer name and the registry decide between approval and review.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use realname_domain::calendar::BusinessCalendar;
use realname_domain::enterprise::Evidence;
use realname_domain::{Actor, Amount, CreditReceived, NextAction, Policy};
use realname_ports::{ApplicationReader, BusinessRegistry, Clock, UnitOfWork};

use crate::AppError;
use crate::access::lock_application;
use crate::approval::{Rules, apply_verdict};
use crate::record::save_transition;
use crate::verification::Recorded;
use crate::verification::record_provider_result::{ask_registry, weigh};

/// A credit the payment platform reports.
#[derive(Debug, Clone)]
pub struct PaymentCredit {
    /// The reference the payer quoted.
    pub reference: String,
    /// The amount received.
    pub amount: Amount,
    /// The payer's name.
    pub payer_name: String,
    /// The payer's account.
    pub payer_account: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// What [`RecordPaymentCredit::new`] takes: its ports and policies, by name.
pub struct RecordPaymentCreditDeps {
    pub uow: Arc<dyn UnitOfWork>,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub calendar: Arc<BusinessCalendar>,
    pub applications: Arc<dyn ApplicationReader>,
    pub registry: Arc<dyn BusinessRegistry>,
}

/// Decides a payment application when its credit arrives.
pub struct RecordPaymentCredit {
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    calendar: Arc<BusinessCalendar>,
    applications: Arc<dyn ApplicationReader>,
    registry: Arc<dyn BusinessRegistry>,
}

impl RecordPaymentCredit {
    /// Wires the use case.
    pub fn new(deps: RecordPaymentCreditDeps) -> Self {
        let RecordPaymentCreditDeps {
            uow,
            clock,
            policy,
            calendar,
            applications,
            registry,
        } = deps;
        Self {
            uow,
            clock,
            policy,
            calendar,
            applications,
            registry,
        }
    }

    /// Records the credit. A repeated credit for an application that no longer waits for
    /// payment changes nothing.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when no payment application has this reference and amount.
    #[tracing::instrument(name = "record_payment_credit", skip_all)]
    pub async fn execute(&self, credit: &PaymentCredit) -> Result<Recorded, AppError> {
        let found = self
            .applications
            .by_session(&credit.reference)
            .await?
            .filter(|app| app.method.is_payment())
            .filter(|app| match &app.next_action {
                Some(NextAction::Pay {
                    amount: Some(expected),
                    ..
                }) => *expected == credit.amount,
                _ => credit.amount.0 > 0,
            })
            .ok_or(AppError::NotFound("payment application"))?;
        if !found.awaits_applicant() {
            return Ok(Recorded {
                application: found,
                duplicate: true,
            });
        }
        let registry = ask_registry(self.registry.as_ref(), &found).await;
        let now = self.clock.now();
        let mut tx = self.uow.begin().await?;
        let mut account = tx
            .account_for_update(found.account_id)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        let mut application = lock_application(tx.as_mut(), found.id).await?;
        if !application.awaits_applicant() {
            return Ok(Recorded {
                application,
                duplicate: true,
            });
        }
        let before = application.status;
        application
            .review_context
            .registry_answered(registry.as_ref(), now);
        application.review_context.payment_credit = Some(Box::new(CreditReceived {
            amount: credit.amount,
            payer_name: credit.payer_name.clone(),
            payer_account: credit.payer_account.clone(),
            received_at: credit.received_at,
        }));
        let verdict = weigh(
            &application,
            &registry,
            &Evidence::Payment {
                payer_name: &credit.payer_name,
            },
        );
        apply_verdict(
            tx.as_mut(),
            Rules {
                policy: &self.policy,
                calendar: &self.calendar,
            },
            &Actor::Provider,
            &mut account,
            &mut application,
            verdict,
            now,
        )
        .await?;
        save_transition(tx.as_mut(), &Actor::Provider, &application, before, now).await?;
        tx.commit().await?;
        tracing::info!(application.id = %application.id, status = application.status.as_str(), "payment credit recorded");
        Ok(Recorded {
            application,
            duplicate: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use realname_domain::enterprise::{RegistryRecord, RegistryStatus};
    use realname_domain::{Application, ApplicationStatus, Method};
    use realname_ports::{MockApplicationReader, MockBusinessRegistry, MockTransaction};

    use super::*;
    use crate::testing::{
        ENTERPRISE_NAME, VALID_USCC, account_with_id, clock, enterprise_application,
        enterprise_slots, expect_recorded, now, unit_of_work,
    };

    fn remittance() -> Application {
        let mut app = enterprise_application(Method::CorporateRemittance, VALID_USCC);
        app.session_ref = Some("RN0001".into());
        app.next_action = Some(NextAction::Pay {
            reference: "RN0001".into(),
            amount: Some(Amount(37)),
            payee_account: None,
            expires_at: now() + chrono::Duration::days(7),
        });
        app
    }

    fn credit(amount: i64, payer: &str) -> PaymentCredit {
        PaymentCredit {
            reference: "RN0001".into(),
            amount: Amount(amount),
            payer_name: payer.into(),
            payer_account: "6222000000000000".into(),
            received_at: now(),
        }
    }

    fn use_case(app: Application, txs: Vec<MockTransaction>) -> RecordPaymentCredit {
        let mut reader = MockApplicationReader::new();
        reader
            .expect_by_session()
            .returning(move |_| Ok(Some(app.clone())));
        let mut registry = MockBusinessRegistry::new();
        registry.expect_lookup().returning(|_| {
            Ok(Some(RegistryRecord {
                name: ENTERPRISE_NAME.into(),
                status: RegistryStatus::Active,
                legal_representative: "王五".into(),
            }))
        });
        RecordPaymentCredit::new(RecordPaymentCreditDeps {
            uow: unit_of_work(txs),
            clock: clock(),
            policy: Arc::new(Policy::default()),
            calendar: Arc::default(),
            applications: Arc::new(reader),
            registry: Arc::new(registry),
        })
    }

    fn locking(app: &Application) -> MockTransaction {
        let mut tx = MockTransaction::new();
        let account = account_with_id(app.account_id);
        let copy = app.clone();
        tx.expect_account_for_update()
            .returning(move |_| Ok(Some(account.clone())));
        tx.expect_application_for_update()
            .returning(move |_| Ok(Some(copy.clone())));
        tx.expect_save_application().times(1).returning(|_| Ok(()));
        tx
    }

    #[tokio::test]
    async fn a_credit_from_the_registered_name_approves_automatically() {
        let app = remittance();
        let mut tx = locking(&app);
        tx.expect_lock_subject()
            .returning(|_, _| Ok(enterprise_slots(0)));
        tx.expect_save_account().times(1).returning(|_| Ok(()));
        expect_recorded(&mut tx, 2);

        let recorded = use_case(app, vec![tx])
            .execute(&credit(37, ENTERPRISE_NAME))
            .await
            .unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::Approved);
    }

    #[tokio::test]
    async fn a_credit_from_another_name_goes_to_review() {
        let app = remittance();
        let mut tx = locking(&app);
        tx.expect_lock_subject().never();
        expect_recorded(&mut tx, 1);

        let recorded = use_case(app, vec![tx])
            .execute(&credit(37, "某某贸易有限公司"))
            .await
            .unwrap();

        assert_eq!(recorded.application.status, ApplicationStatus::InReview);
        assert_eq!(
            recorded.application.review_reason,
            Some(realname_domain::enterprise::ReviewReason::PaymentNameMismatch)
        );
    }

    #[tokio::test]
    async fn a_credit_of_another_amount_matches_nothing() {
        let err = use_case(remittance(), vec![])
            .execute(&credit(38, ENTERPRISE_NAME))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)));
    }
}
