//! Synthetic verified enterprises for the re-check benchmark and tests: enterprise `i` has a
//! valid USCC built from `i`, a name derived from that USCC (so a fake registry can answer
//! without a shared table), and accounts bound to distinct `139…` numbers. The rows go through
//! the same codec as real ones, sealed and keyed.

use std::io::{self, Write};
use std::ops::Range;

use chrono::{DateTime, Duration, Utc};
use diesel::ExpressionMethods;
use diesel_async::RunQueryDsl;
use realname_domain::identifiers::{EnterpriseName, Phone, Uscc, uscc_check_char};
use realname_domain::{Account, EnterpriseSubject, Method, Region, Subject};
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

/// Writes enterprises `range` (one account each) as three CSV streams for `COPY … FROM STDIN
/// (FORMAT csv)`: `phone_numbers (phone_key)`, `subjects (subject_key, subject_type)` and
/// `accounts (id, state, status, phone_key, phone_enc, subject_key, subject_type, subject_enc,
/// verified_method, verified_at, last_authenticated_at, created_at)`. With `unverified_every`
/// = n, every n-th account is left unverified instead.
///
/// # Errors
/// Write errors.
pub fn write_copy_csv(
    store: &PgStore,
    range: Range<u64>,
    verified_at: DateTime<Utc>,
    unverified_every: Option<u64>,
    phones: &mut dyn Write,
    subjects: &mut dyn Write,
    accounts: &mut dyn Write,
) -> io::Result<()> {
    let hex = |bytes: &Option<Vec<u8>>| {
        bytes
            .as_deref()
            .map_or_else(String::new, |b| format!("\\x{}", hex::encode(b)))
    };
    let time = |t: Option<DateTime<Utc>>| t.map_or_else(String::new, |t| t.to_rfc3339());
    for i in range {
        let mut row = seeded(store, i, 0, 1, verified_at - Duration::days(1));
        writeln!(phones, "\\x{}", hex::encode(&row.phone_key))?;
        if unverified_every.is_some_and(|n| i % n.max(1) == 0) {
            let phone = Phone::parse(&format!("139{:08}", i % 100_000_000))
                .unwrap_or_else(|_| unreachable!("a valid synthetic number"));
            row.account = store
                .codec()
                .account_write(&Account::register(phone, verified_at));
        } else {
            writeln!(subjects, "\\x{},enterprise", hex::encode(&row.subject_key))?;
        }
        let a = &row.account;
        writeln!(
            accounts,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            a.id,
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
        )?;
    }
    Ok(())
}
