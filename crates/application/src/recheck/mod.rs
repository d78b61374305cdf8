//! The scheduled enterprise re-check (R17): claims, registry calls, notices, revocations, and
//! the dry run that shows the blast radius first.

mod assess_blast_radius;
mod run_recheck;

pub use assess_blast_radius::{AssessBlastRadius, AssessBlastRadiusDeps, BlastRadius};
pub use run_recheck::{RecheckReport, RecheckSettings, RunRecheck, RunRecheckDeps};

use std::sync::Arc;

use futures::StreamExt;
use realname_domain::enterprise::RegistryRecord;
use realname_domain::recheck::{Assessment, Lookup, RecheckPolicy, needs_registry};
use realname_ports::{BusinessRegistry, GatewayError, RecheckCandidate};

/// Asks the registry about every candidate that needs it, at most `concurrency` at a time, and
/// assesses each (R17). The registry is never called inside a transaction.
pub(crate) async fn assess_all(
    registry: &Arc<dyn BusinessRegistry>,
    candidates: Vec<RecheckCandidate>,
    treat_all_as_due: bool,
    policy: &RecheckPolicy,
    now: chrono::DateTime<chrono::Utc>,
    concurrency: usize,
) -> Vec<(RecheckCandidate, Assessment)> {
    futures::stream::iter(candidates)
        .map(|candidate| async move {
            let answer = match candidate.target.enterprise() {
                Some(enterprise) if needs_registry(&candidate.target, treat_all_as_due) => {
                    Some(registry.lookup(&enterprise.uscc).await)
                }
                _ => None,
            };
            let assessment = assess_answer(&candidate, answer.as_ref(), policy, now);
            (candidate, assessment)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// Assesses one candidate from the registry's answer (`None`: not asked).
pub(crate) fn assess_answer(
    candidate: &RecheckCandidate,
    answer: Option<&Result<Option<RegistryRecord>, GatewayError>>,
    policy: &RecheckPolicy,
    now: chrono::DateTime<chrono::Utc>,
) -> Assessment {
    let lookup = match answer {
        None => Lookup::NotAsked,
        Some(Ok(record)) => Lookup::Answered(record.as_ref()),
        Some(Err(error)) => {
            tracing::warn!(error = %error, "registry unavailable; the re-check will retry");
            Lookup::Failed
        }
    };
    realname_domain::recheck::assess(&candidate.target, lookup, policy, now)
}
