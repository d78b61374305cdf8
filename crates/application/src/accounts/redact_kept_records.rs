//! The rest of the R21 retention sweep: superseded subjects, identity proofs and case messages
//! kept for the retention period are redacted, a batch at a time; their subject keys, dates and
//! outcomes stay. Closed accounts are [`super::RedactClosedAccounts`]'.

use std::sync::Arc;

use realname_domain::Policy;
use realname_domain::retention::kept_long_enough;
use realname_ports::{Clock, Redactions, RetentionStore};

use crate::AppError;

/// Records looked at per kind and batch.
const BATCH: u32 = 500;

/// Redacts the records the retention period has run out for; safe on several replicas
/// (redacting twice is harmless).
pub struct RedactKeptRecords {
    store: Arc<dyn RetentionStore>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
}

impl RedactKeptRecords {
    /// Wires the use case.
    pub fn new(store: Arc<dyn RetentionStore>, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self {
            store,
            clock,
            policy,
        }
    }

    /// Redacts every due record and returns how many.
    ///
    /// # Errors
    /// Storage errors; what was redacted before stays redacted.
    #[tracing::instrument(name = "redact_kept_records", skip_all)]
    pub async fn execute(&self) -> Result<usize, AppError> {
        let mut redacted = 0;
        loop {
            let (batch, more) = self.due().await?;
            if !batch.is_empty() {
                self.store.redact(&batch, self.clock.now()).await?;
                redacted += batch.len();
            }
            // A batch with nothing due ends the sweep too: the next would find the same.
            if !more || batch.is_empty() {
                return Ok(redacted);
            }
        }
    }

    /// The next batch: what the store found, as far as the domain says it is due; and whether
    /// the store may hold more (a finder returned a full batch).
    async fn due(&self) -> Result<(Redactions, bool), AppError> {
        let now = self.clock.now();
        let retention = self.policy.retention();
        let cutoff = now - retention;
        let subjects = self.store.superseded_subjects(cutoff, BATCH).await?;
        let proofs = self.store.kept_proofs(cutoff, BATCH).await?;
        let cases = self.store.case_messages(cutoff, BATCH).await?;
        let full = |n: usize| n >= BATCH as usize;
        let more = full(subjects.len()) || full(proofs.len()) || full(cases.len());
        let batch = Redactions {
            subjects: subjects
                .into_iter()
                .filter(|(_, subject)| subject.redaction_due(now, retention))
                .map(|(id, _)| id)
                .collect(),
            proofs: proofs
                .into_iter()
                .filter(|(_, proof)| proof.redaction_due(now, retention))
                .map(|(id, _)| id)
                .collect(),
            case_messages: cases
                .into_iter()
                .filter(|(_, opened)| kept_long_enough(*opened, now, retention))
                .map(|(id, _)| id)
                .collect(),
        };
        Ok((batch, more))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use realname_domain::retention::{DecidedSubject, KeptProof};
    use realname_domain::{ApplicationId, CaseId, ProofId};
    use realname_ports::MockRetentionStore;

    use super::*;
    use crate::testing::{clock, now};

    fn subject(age_days: i64, approved: bool, still_the_accounts: bool) -> DecidedSubject {
        DecidedSubject {
            decided_at: now() - Duration::days(age_days),
            approved,
            still_the_accounts,
        }
    }

    #[tokio::test]
    async fn only_what_the_domain_calls_due_is_redacted_and_the_sweep_ends() {
        let superseded = ApplicationId::new();
        let current = ApplicationId::new();
        let young = ApplicationId::new();
        let proof = ProofId::new();
        let fresh_proof = ProofId::new();
        let case = CaseId::new();
        let mut store = MockRetentionStore::new();
        let mut first = true;
        store.expect_superseded_subjects().returning(move |_, _| {
            Ok(if std::mem::take(&mut first) {
                vec![
                    (superseded, subject(1200, true, false)),
                    (current, subject(1200, true, true)),
                    (young, subject(10, false, false)),
                ]
            } else {
                vec![]
            })
        });
        let mut first = true;
        store.expect_kept_proofs().returning(move |_, _| {
            Ok(if std::mem::take(&mut first) {
                vec![
                    (
                        proof,
                        KeptProof {
                            created_at: now() - Duration::days(1200),
                            passed_at: Some(now() - Duration::days(1199)),
                        },
                    ),
                    (
                        fresh_proof,
                        KeptProof {
                            created_at: now() - Duration::days(1200),
                            passed_at: Some(now() - Duration::days(3)),
                        },
                    ),
                ]
            } else {
                vec![]
            })
        });
        let mut first = true;
        store.expect_case_messages().returning(move |_, _| {
            Ok(if std::mem::take(&mut first) {
                vec![(case, now() - Duration::days(1096))]
            } else {
                vec![]
            })
        });
        store
            .expect_redact()
            .withf(move |r, _| {
                *r == Redactions {
                    subjects: vec![superseded],
                    proofs: vec![proof],
                    case_messages: vec![case],
                }
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let job = RedactKeptRecords::new(Arc::new(store), clock(), Arc::new(Policy::default()));
        assert_eq!(job.execute().await.unwrap(), 3);
    }
}
