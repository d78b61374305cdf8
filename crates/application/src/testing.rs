//! Fixtures for the use-case unit tests.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use realname_domain::identifiers::{PersonName, Phone};
use realname_domain::{
    Account, AccountId, Application, ApplicationId, ApplicationStatus, DocumentType, Method,
    NextAction, PersonalDocument, PersonalSubject, Purpose, RealNameStatus, Region, Subject,
};
use realname_ports::{MockClock, MockTransaction, MockUnitOfWork, Transaction};

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
}

pub(crate) fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    Arc::new(clock)
}

pub(crate) fn phone() -> Phone {
    Phone::parse("13812345678").unwrap()
}

pub(crate) fn person(kind: DocumentType, number: &str, region: Region) -> Subject {
    Subject::Personal(PersonalSubject {
        document: PersonalDocument::parse(kind, number, now().date_naive()).unwrap(),
        name: PersonName::parse("张三").unwrap(),
        region,
    })
}

pub(crate) fn zhang_san() -> Subject {
    person(
        DocumentType::ResidentId,
        "11010519491231002X",
        Region::Mainland,
    )
}

pub(crate) fn account() -> Account {
    Account::register(phone(), now() - Duration::days(1))
}

pub(crate) fn verified_account() -> Account {
    let mut account = account();
    account.verify(zhang_san(), Method::WechatScan, now() - Duration::hours(2));
    assert_eq!(account.status, RealNameStatus::Verified);
    account
}

pub(crate) fn pending_application(account_id: AccountId) -> Application {
    Application {
        id: ApplicationId::new(),
        account_id,
        purpose: Purpose::Verify,
        method: Method::FaceRecognition,
        subject: zhang_san(),
        status: ApplicationStatus::AwaitingAction,
        session_ref: Some("face_ses_1".to_owned()),
        next_action: Some(NextAction::FaceLiveness {
            session_url: "https://sandbox.example/face/1".to_owned(),
            expires_at: now() + Duration::minutes(20),
        }),
        deadline: None,
        overdue: false,
        escalated: false,
        review_reason: None,
        review_note: None,
        failure: None,
        created_at: now() - Duration::minutes(10),
        decided_at: None,
        review_context: Default::default(),
    }
}

pub(crate) const ENTERPRISE_NAME: &str = "北京示例科技有限公司";
pub(crate) const VALID_USCC: &str = "91110000600037341L";

pub(crate) fn enterprise(uscc: &str) -> Subject {
    Subject::Enterprise(realname_domain::EnterpriseSubject {
        name: realname_domain::identifiers::EnterpriseName::parse(ENTERPRISE_NAME).unwrap(),
        uscc: realname_domain::identifiers::Uscc::parse(uscc).unwrap(),
        region: Region::Mainland,
        legal_person_name: Some(PersonName::parse("王五").unwrap()),
    })
}

pub(crate) fn account_with_id(id: AccountId) -> Account {
    let mut account = account();
    account.id = id;
    account
}

pub(crate) fn enterprise_application(method: Method, uscc: &str) -> Application {
    let mut app = pending_application(AccountId::new());
    app.method = method;
    app.subject = enterprise(uscc);
    app.session_ref = Some("wechat_ses_1".to_owned());
    app
}

pub(crate) fn enterprise_slots(taken: usize) -> realname_domain::quota::SubjectSlots {
    realname_domain::quota::SubjectSlots {
        subject_type: realname_domain::SubjectType::Enterprise,
        limit: 10,
        holders: (0..taken)
            .map(|_| realname_domain::quota::SlotHolder {
                account_id: AccountId::new(),
                phone_masked: "138****5678".into(),
                verified_at: now(),
            })
            .collect(),
    }
}

/// A unit of work that hands out the given transactions, first to last.
pub(crate) fn unit_of_work(transactions: Vec<MockTransaction>) -> Arc<MockUnitOfWork> {
    let mut uow = MockUnitOfWork::new();
    let mut queue: Vec<MockTransaction> = transactions.into_iter().rev().collect();
    let expected = queue.len();
    uow.expect_begin().times(expected).returning(move || {
        let tx = queue
            .pop()
            .expect("more transactions begun than the test prepared");
        Ok(Box::new(tx) as Box<dyn Transaction>)
    });
    Arc::new(uow)
}

/// Expects the outbox and audit writes of one committed change, `events` of each.
pub(crate) fn expect_recorded(tx: &mut MockTransaction, events: usize) {
    tx.expect_sub_accounts_for_update()
        .returning(|_| Ok(Vec::new()));
    tx.expect_append_event()
        .times(events)
        .returning(|_, _| Ok(()));
    tx.expect_append_audit().times(events).returning(|_| Ok(()));
    tx.expect_commit().times(1).returning(|| Ok(()));
}

/// A stand-in for the keyed OTP digest: the change id's first bytes and the code, so a digest
/// differs per change and per code.
pub(crate) struct TestDigest;

impl realname_ports::OtpDigest for TestDigest {
    fn digest(&self, change: realname_domain::phone_change::PhoneChangeId, code: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(change.as_uuid().as_bytes());
        let code = code.as_bytes();
        let n = code.len().min(16);
        out[16..16 + n].copy_from_slice(&code[..n]);
        out
    }
}

pub(crate) fn otp() -> Arc<dyn realname_ports::OtpDigest> {
    Arc::new(TestDigest)
}

/// A change requested `at` whose code is `code`, digested as [`TestDigest`] does.
pub(crate) fn phone_change(
    account: realname_domain::AccountId,
    phone: Phone,
    code: &str,
    at: DateTime<Utc>,
) -> realname_domain::phone_change::PhoneChange {
    use realname_ports::OtpDigest;
    let id = realname_domain::phone_change::PhoneChangeId::new();
    realname_domain::phone_change::PhoneChange::request(
        id,
        account,
        phone,
        TestDigest.digest(id, code),
        (at, realname_domain::Policy::default().otp_rules()),
    )
}
