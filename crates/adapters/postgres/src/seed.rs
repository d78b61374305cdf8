//! Synthetic accounts for the benchmarks and tests, written through the same codec as real
//! rows, sealed and keyed:
//! - verified enterprises for the re-check benchmark: enterprise `i` has a valid USCC built from
//!   `i`, a name derived from that USCC (so a fake registry can answer without a shared table),
//!   and accounts bound to distinct `139…` numbers;
//! - the production mix of `crates/bench/mix.sh` ([`MixKind`]): persons, enterprises,
//!   unverified accounts and inheriting sub-accounts.

use std::io::{self, Write};
use std::ops::Range;

use chrono::{DateTime, Duration, Utc};
use diesel::ExpressionMethods;
use diesel_async::RunQueryDsl;
use realname_domain::identifiers::{
    EnterpriseName, PersonName, Phone, Uscc, resident_id_check_char, uscc_check_char,
};
use realname_domain::{
    Account, DocumentType, EnterpriseSubject, Method, PersonalDocument, PersonalSubject, Region,
    Subject,
};
use realname_ports::StoreError;

use crate::error::store_error;
use crate::rows::AccountWrite;
use crate::schema::{accounts, phone_numbers, subjects};
use crate::store::PgStore;

/// The USCC of synthetic enterprise `i` (`i` below 10⁹).
#[must_use]
pub fn uscc(i: u64) -> Uscc {
    let first17 = format!("91110000{:09}", i % 1_000_000_000);
    let check = uscc_check_char(first17.as_bytes()).unwrap_or('0');
    Uscc::parse(&format!("{first17}{check}")).unwrap_or_else(|_| unreachable_uscc())
}

fn unreachable_uscc() -> Uscc {
    // Digits with their computed check character always parse; keep a valid fallback anyway.
    Uscc::parse("91110000600037341L").unwrap_or_else(|_| unreachable!("a valid literal"))
}

/// The registered name of the enterprise with this USCC.
#[must_use]
pub fn enterprise_name(uscc: &str) -> String {
    format!("示例企业{}有限公司", uscc.get(8..17).unwrap_or(uscc))
}

/// Synthetic enterprise `i`.
#[must_use]
pub fn enterprise(i: u64) -> EnterpriseSubject {
    let uscc = uscc(i);
    EnterpriseSubject {
        name: EnterpriseName::parse(&enterprise_name(uscc.as_str()))
            .unwrap_or_else(|_| unreachable!("the synthetic name is valid")),
        uscc,
        region: Region::Mainland,
        legal_person_name: None,
    }
}

/// The rows of one synthetic account.
struct Seeded {
    phone_key: Vec<u8>,
    subject_key: Vec<u8>,
    account: AccountWrite,
}

fn seeded(store: &PgStore, i: u64, j: u64, per: u64, verified_at: DateTime<Utc>) -> Seeded {
    let n = i * per + j;
    let phone = Phone::parse(&format!("139{:08}", n % 100_000_000))
        .unwrap_or_else(|_| unreachable!("a valid synthetic number"));
    let mut account = Account::register(phone.clone(), verified_at);
    let subject = Subject::Enterprise(enterprise(i));
    let codec = store.codec();
    let subject_key = codec.subject_key(&subject);
    account.verify(subject, Method::WechatPublicPlatform, verified_at);
    Seeded {
        phone_key: codec.phone_key(&phone),
        subject_key,
        account: codec.account_write(&account),
    }
}

/// Inserts enterprises `range`, each verified on `per` accounts at `verified_at` (tests).
///
/// # Errors
/// Storage errors.
pub async fn insert_verified_enterprises(
    store: &PgStore,
    range: Range<u64>,
    per: u64,
    verified_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = store.conn().await?;
    let rows: Vec<Seeded> = range
        .clone()
        .flat_map(|i| (0..per).map(move |j| (i, j)))
        .map(|(i, j)| seeded(store, i, j, per, verified_at))
        .collect();
    for chunk in rows.chunks(1000) {
        let phones: Vec<_> = chunk
            .iter()
            .map(|r| phone_numbers::phone_key.eq(r.phone_key.clone()))
            .collect();
        let subjects: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    subjects::subject_key.eq(r.subject_key.clone()),
                    subjects::subject_type.eq("enterprise"),
                )
            })
            .collect();
        let accounts: Vec<&AccountWrite> = chunk.iter().map(|r| &r.account).collect();
        diesel::insert_into(phone_numbers::table)
            .values(phones)
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        diesel::insert_into(subjects::table)
            .values(subjects)
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
        diesel::insert_into(accounts::table)
            .values(accounts)
            .execute(&mut conn)
            .await
            .map_err(store_error)?;
    }
    Ok(())
}

/// The columns of `accounts.csv`, in order, for `COPY accounts (…)`.
pub const ACCOUNT_COLUMNS: &str = "id, root_id, inherits, state, status, phone_key, phone_enc, \
subject_key, subject_type, subject_enc, verified_method, verified_at, last_authenticated_at, created_at";

/// The three CSV streams that `COPY … FROM STDIN (FORMAT csv)` loads: `phone_numbers
/// (phone_key)`, `subjects (subject_key, subject_type)` and `accounts (`[`ACCOUNT_COLUMNS`]`)`.
pub struct CopyStreams<'a> {
    pub phones: &'a mut dyn Write,
    pub subjects: &'a mut dyn Write,
    pub accounts: &'a mut dyn Write,
}

impl CopyStreams<'_> {
    /// Writes `account`'s rows: its phone, its subject when it is the first account of it, and
    /// the account itself, through the same codec as a real write.
    fn write(&mut self, store: &PgStore, account: &Account, new_subject: bool) -> io::Result<()> {
        let hex = |bytes: &Option<Vec<u8>>| {
            bytes
                .as_deref()
                .map_or_else(String::new, |b| format!("\\x{}", hex::encode(b)))
        };
        let time = |t: Option<DateTime<Utc>>| t.map_or_else(String::new, |t| t.to_rfc3339());
        let a = store.codec().account_write(account);
        if let Some(key) = &a.phone_key {
            writeln!(self.phones, "\\x{}", hex::encode(key))?;
        }
        if new_subject && let (Some(key), Some(kind)) = (&a.subject_key, a.subject_type) {
            writeln!(self.subjects, "\\x{},{kind}", hex::encode(key))?;
        }
        writeln!(
            self.accounts,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            a.id,
            a.root_id.map(|r| r.to_string()).unwrap_or_default(),
            a.inherits,
            a.state,
            a.status,
            hex(&a.phone_key),
            hex(&a.phone_enc),
            hex(&a.subject_key),
            a.subject_type.unwrap_or_default(),
            hex(&a.subject_enc),
            a.verified_method.unwrap_or_default(),
            time(a.verified_at),
            time(a.last_authenticated_at),
            a.created_at.to_rfc3339(),
        )
    }
}

fn synthetic_phone(n: u64) -> Phone {
    Phone::parse(&format!("139{:08}", n % 100_000_000))
        .unwrap_or_else(|_| unreachable!("a valid synthetic number"))
}

/// Writes enterprises `range` (one account each) as [`CopyStreams`]. With `unverified_every`
/// = n, every n-th account is left unverified instead.
///
/// # Errors
/// Write errors.
pub fn write_copy_csv(
    store: &PgStore,
    range: Range<u64>,
    verified_at: DateTime<Utc>,
    unverified_every: Option<u64>,
    out: &mut CopyStreams<'_>,
) -> io::Result<()> {
    for i in range {
        let mut account = Account::register(synthetic_phone(i), verified_at);
        let verified = unverified_every.is_none_or(|n| i % n.max(1) != 0);
        if verified {
            let at = verified_at - Duration::days(1);
            account.verify(
                Subject::Enterprise(enterprise(i)),
                Method::WechatPublicPlatform,
                at,
            );
            account.created_at = at;
        }
        out.write(store, &account, verified)?;
    }
    Ok(())
}

/// What account `i` of the production mix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MixKind {
    /// A verified person (65%): [`mix_person`]`(i)`, the only account of that person.
    Person,
    /// A verified enterprise (10%): [`enterprise`]`(i)`.
    Enterprise,
    /// An unverified root account (15%).
    Unverified,
    /// A sub-account inheriting from account `i - 1`, a person (10%, R16).
    SubAccount,
}

impl MixKind {
    /// The kind of account `i`.
    #[must_use]
    pub const fn of(i: u64) -> Self {
        match i % 20 {
            0 | 10 => Self::Enterprise,
            1..=3 => Self::Unverified,
            5 | 15 => Self::SubAccount,
            _ => Self::Person,
        }
    }

    /// Its name in the roster.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Enterprise => "enterprise",
            Self::Unverified => "unverified",
            Self::SubAccount => "sub_account",
        }
    }
}

/// The person verified on account `i` of the mix: a resident ID of Shanghai's Huangpu district
/// (310101, which no test person uses), born `i / 1000` days after 1960-01-01, named 李四.
#[must_use]
pub fn mix_person(i: u64) -> PersonalSubject {
    let born = chrono::NaiveDate::from_ymd_opt(1960, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(i / 1000)))
        .unwrap_or_default();
    let first17 = format!("310101{}{:03}", born.format("%Y%m%d"), i % 1000);
    let digits: [u8; 17] = first17
        .as_bytes()
        .try_into()
        .unwrap_or_else(|_| unreachable!("17 digits"));
    let number = format!("{first17}{}", resident_id_check_char(&digits));
    PersonalSubject {
        document: PersonalDocument::parse(
            DocumentType::ResidentId,
            &number,
            Utc::now().date_naive(),
        )
        .unwrap_or_else(|_| unreachable!("a valid synthetic resident ID")),
        name: PersonName::parse("李四").unwrap_or_else(|_| unreachable!("a valid name")),
        region: Region::Mainland,
    }
}

/// Writes accounts `range` of the production mix (see [`MixKind`]) as [`CopyStreams`], and a
/// roster, `kind,i,account id` per line, for the benchmark's drivers. `range` starts at a
/// multiple of 20 so that every sub-account's root is in it.
///
/// # Errors
/// Write errors.
pub fn write_mix_csv(
    store: &PgStore,
    range: Range<u64>,
    now: DateTime<Utc>,
    out: &mut CopyStreams<'_>,
    roster: &mut dyn Write,
) -> io::Result<()> {
    let mut previous: Option<Account> = None;
    for i in range {
        let kind = MixKind::of(i);
        let created = now - Duration::days(i64::try_from(i % 700).unwrap_or(0) + 31);
        let verified = created + Duration::hours(1);
        let account = match kind {
            MixKind::SubAccount => match &previous {
                Some(root) => Account::sub_account(root, created),
                None => Account::register(synthetic_phone(i), created),
            },
            _ => {
                let mut account = Account::register(synthetic_phone(i), created);
                let method = if i % 2 == 0 {
                    Method::FaceRecognition
                } else {
                    Method::WechatScan
                };
                match kind {
                    MixKind::Person => {
                        account.verify(Subject::Personal(mix_person(i)), method, verified);
                    }
                    MixKind::Enterprise => account.verify(
                        Subject::Enterprise(enterprise(i)),
                        Method::WechatPublicPlatform,
                        verified,
                    ),
                    MixKind::Unverified | MixKind::SubAccount => {}
                }
                account
            }
        };
        out.write(store, &account, account.verification.is_some())?;
        writeln!(roster, "{},{i},{}", kind.as_str(), account.id)?;
        previous = Some(account);
    }
    Ok(())
}
