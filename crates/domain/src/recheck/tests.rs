//! R17 decisions with a fixed clock.

use chrono::TimeZone;

use super::*;
use crate::identifiers::{EnterpriseName, Phone, Uscc};
use crate::method::Method;
use crate::subject::Region;

const NAME: &str = "北京示例科技有限公司";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap()
}

fn enterprise(name: &str) -> EnterpriseSubject {
    EnterpriseSubject {
        name: EnterpriseName::parse(name).unwrap(),
        uscc: Uscc::parse("91110000600037341L").unwrap(),
        region: Region::Mainland,
        legal_person_name: None,
    }
}

fn verified(pending: Option<DateTime<Utc>>) -> Account {
    let mut account = Account::register(Phone::parse("13812345678").unwrap(), now());
    account.verify(
        Subject::Enterprise(enterprise(NAME)),
        Method::WechatPublicPlatform,
        now() - Duration::days(40),
    );
    account.revocation_pending_at = pending;
    account
}

fn target(accounts: Vec<Account>) -> RecheckTarget {
    RecheckTarget {
        phase: 12_345,
        next_check_at: Some(now()),
        failures: 0,
        accounts,
    }
}

fn record(name: &str, status: RegistryStatus) -> RegistryRecord {
    RegistryRecord {
        name: name.to_owned(),
        status,
        legal_representative: "王五".to_owned(),
    }
}

#[test]
fn each_kind_of_finding_is_recognised() {
    let subject = enterprise(NAME);
    assert_eq!(
        finding(&subject, Some(&record(NAME, RegistryStatus::Active))),
        None
    );
    assert_eq!(
        finding(&subject, Some(&record(NAME, RegistryStatus::Deregistered))),
        Some(Finding::Deregistered)
    );
    assert_eq!(finding(&subject, None), Some(Finding::Incomplete));
    assert_eq!(
        finding(&subject, Some(&record("", RegistryStatus::Active))),
        Some(Finding::Incomplete)
    );
    assert_eq!(
        finding(
            &subject,
            Some(&record("上海另一家有限公司", RegistryStatus::Active))
        ),
        Some(Finding::NameMismatch)
    );
}

#[test]
fn a_finding_sends_a_notice_effective_after_the_notice_period() {
    let policy = RecheckPolicy::default();
    let account = verified(None);
    let deregistered = record(NAME, RegistryStatus::Deregistered);

    let outcome = assess(
        &target(vec![account.clone()]),
        Lookup::Answered(Some(&deregistered)),
        &policy,
        now(),
    );

    let effective_at = now() + Duration::days(15);
    assert_eq!(
        outcome.actions,
        vec![(
            account.id,
            AccountAction::Notice {
                finding: Finding::Deregistered,
                effective_at
            }
        )]
    );
    assert_eq!(
        outcome.next_check_at, effective_at,
        "re-checked at the effective date"
    );
}

#[test]
fn a_finding_that_persists_at_the_effective_date_revokes() {
    let account = verified(Some(now()));
    let outcome = assess(
        &target(vec![account.clone()]),
        Lookup::Answered(None),
        &RecheckPolicy::default(),
        now(),
    );
    assert_eq!(
        outcome.actions,
        vec![(
            account.id,
            AccountAction::Revoke {
                finding: Finding::Incomplete
            }
        )]
    );
}

#[test]
fn a_finding_before_the_effective_date_changes_nothing() {
    let effective_at = now() + Duration::days(3);
    let outcome = assess(
        &target(vec![verified(Some(effective_at))]),
        Lookup::Answered(None),
        &RecheckPolicy::default(),
        now(),
    );
    assert!(outcome.actions.is_empty());
    assert_eq!(outcome.next_check_at, effective_at);
}

#[test]
fn a_fixed_record_cancels_the_pending_revocation() {
    let account = verified(Some(now()));
    let active = record(NAME, RegistryStatus::Active);
    let outcome = assess(
        &target(vec![account.clone()]),
        Lookup::Answered(Some(&active)),
        &RecheckPolicy::default(),
        now(),
    );
    assert_eq!(outcome.actions, vec![(account.id, AccountAction::Cancel)]);
    assert_eq!(
        outcome.next_check_at,
        RecheckPolicy::default().next_due(12_345, now())
    );
}

#[test]
fn a_registry_error_never_revokes_and_backs_off() {
    let policy = RecheckPolicy::default();
    let mut due = target(vec![verified(Some(now() - Duration::days(1)))]);
    let first = assess(&due, Lookup::Failed, &policy, now());
    assert!(first.actions.is_empty());
    assert_eq!(first.failures, 1);
    assert_eq!(first.next_check_at, now() + Duration::minutes(15));

    due.failures = 3;
    let fourth = assess(&due, Lookup::Failed, &policy, now());
    assert_eq!(fourth.next_check_at, now() + Duration::minutes(120));
    due.failures = 30;
    let capped = assess(&due, Lookup::Failed, &policy, now());
    assert_eq!(capped.next_check_at, now() + Duration::hours(12));
}

#[test]
fn an_answer_resets_the_failure_count() {
    let mut due = target(vec![verified(None)]);
    due.failures = 4;
    let active = record(NAME, RegistryStatus::Active);
    let outcome = assess(
        &due,
        Lookup::Answered(Some(&active)),
        &RecheckPolicy::default(),
        now(),
    );
    assert_eq!(outcome.failures, 0);
    assert!(outcome.checked);
}

#[test]
fn revoked_and_closed_accounts_are_left_alone() {
    let mut revoked = verified(None);
    revoked.revoke().unwrap();
    let mut closed = verified(None);
    closed.close(now()).unwrap();
    let outcome = assess(
        &target(vec![revoked, closed]),
        Lookup::Answered(None),
        &RecheckPolicy::default(),
        now(),
    );
    assert!(outcome.actions.is_empty());
}

#[test]
fn due_times_recur_once_per_interval_at_the_enterprise_phase() {
    let policy = RecheckPolicy::default();
    let first = policy.next_due(987_654_321, now());
    assert!(first > now() && first <= now() + policy.interval);
    assert_eq!(policy.next_due(987_654_321, first), first + policy.interval);
    assert_eq!(
        policy.next_due(987_654_321, first - Duration::seconds(1)),
        first
    );
}

#[test]
fn due_times_are_spread_evenly_over_the_interval() {
    let policy = RecheckPolicy::default();
    let mut per_day = [0_u32; 30];
    // Enterprises verified on the same day, with phases from a well-mixed hash.
    for i in 0..30_000_u64 {
        let phase = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let due = policy.next_due(phase, now());
        let day = (due - now()).num_days();
        per_day[usize::try_from(day).unwrap()] += 1;
    }
    for (day, count) in per_day.iter().enumerate() {
        assert!((800..=1200).contains(count), "day {day}: {count}");
    }
}

#[test]
fn enrolment_schedules_without_asking() {
    let mut fresh = target(vec![verified(None)]);
    fresh.next_check_at = None;
    assert!(!needs_registry(&fresh, false));
    assert!(needs_registry(&fresh, true));
    let outcome = assess(&fresh, Lookup::NotAsked, &RecheckPolicy::default(), now());
    assert!(!outcome.checked);
    assert!(outcome.next_check_at <= now() + Duration::days(30));
}

#[test]
fn revocation_takes_purchase_but_keeps_resources_until_the_agreement_expires() {
    let mut account = verified(None);
    let lost = capabilities_lost_on_revocation(&account, now());
    assert_eq!(lost.len(), Capability::ALL.len());
    account.agreement_expires_at = Some(now() + Duration::days(90));
    let lost = capabilities_lost_on_revocation(&account, now());
    assert!(lost.contains(&Capability::Purchase));
    assert!(!lost.contains(&Capability::UseResources));
    assert!(!lost.contains(&Capability::Postpaid));
}

#[test]
fn an_action_is_applied_only_to_an_account_still_in_the_state_it_was_decided_for() {
    let effective_at = now() + Duration::days(15);
    let notice = AccountAction::Notice {
        finding: Finding::Incomplete,
        effective_at,
    };
    let revoke = AccountAction::Revoke {
        finding: Finding::Incomplete,
    };
    assert!(notice.applies_to(&verified(None), now()));
    assert!(
        !notice.applies_to(&verified(Some(effective_at)), now()),
        "noticed once"
    );
    assert!(revoke.applies_to(&verified(Some(now())), now()));
    assert!(
        !revoke.applies_to(&verified(Some(effective_at)), now()),
        "not before its date"
    );
    assert!(
        !revoke.applies_to(&verified(None), now()),
        "cancelled meanwhile"
    );
    assert!(AccountAction::Cancel.applies_to(&verified(Some(effective_at)), now()));
    assert!(!AccountAction::Cancel.applies_to(&verified(None), now()));
    let mut closed = verified(Some(now()));
    closed.close(now()).unwrap();
    assert!(!revoke.applies_to(&closed, now()));
}
