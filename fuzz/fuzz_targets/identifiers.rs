//! Every identifier parser of SPEC §5 and the prefixed ids: none panics, an accepted value's
//! canonical form parses to itself, and a masked form never shows the whole value (SPEC §4).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use realname_domain::identifiers::{
    EnterpriseName, HkMacaoPermit, PersonName, Phone, ResidentId, TaiwanPermit, Uscc,
};
use realname_domain::masking::mask_identifier;
use realname_domain::subject::{DocumentType, PersonalDocument};
use realname_domain::{AccountId, ApplicationId, CaseId, ProofId};

fn canonical<T: PartialEq + std::fmt::Debug>(
    parse: impl Fn(&str) -> Option<T>,
    raw: &str,
    as_str: impl Fn(&T) -> String,
) -> Option<T> {
    let value = parse(raw)?;
    let again = parse(&as_str(&value));
    assert_eq!(
        again.as_ref(),
        Some(&value),
        "the canonical form must parse to itself"
    );
    Some(value)
}

fn masked_hides(value: &str, masked: &str) {
    if !value.is_empty() {
        assert_ne!(value, masked, "a masked form must hide something");
        assert!(masked.contains('*'));
    }
}

/// A prefixed id that parses prints a form that parses to it.
fn prefixed_id<T>(raw: &str)
where
    T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
    T::Err: std::fmt::Debug,
{
    if let Ok(id) = raw.parse::<T>() {
        assert_eq!(id.to_string().parse::<T>().ok(), Some(id));
    }
}

fuzz_target!(|input: (u16, &str)| {
    let (day, raw) = input;
    let today =
        NaiveDate::from_num_days_from_ce_opt(730_000 + i32::from(day)).unwrap_or(NaiveDate::MIN);

    if let Some(id) = canonical(
        |s| ResidentId::parse(s, today).ok(),
        raw,
        |v| v.as_str().into(),
    ) {
        masked_hides(id.as_str(), &mask_identifier(id.as_str()));
    }
    canonical(|s| HkMacaoPermit::parse(s).ok(), raw, |v| v.as_str().into());
    canonical(|s| TaiwanPermit::parse(s).ok(), raw, |v| v.as_str().into());
    canonical(|s| Uscc::parse(s).ok(), raw, |v| v.as_str().into());
    canonical(
        |s| EnterpriseName::parse(s).ok(),
        raw,
        |v| v.as_str().into(),
    );
    if let Some(phone) = canonical(|s| Phone::parse(s).ok(), raw, |v| v.as_str().into()) {
        masked_hides(phone.as_str(), &phone.masked());
    }
    if let Some(name) = canonical(|s| PersonName::parse(s).ok(), raw, |v| v.as_str().into()) {
        masked_hides(name.as_str(), &name.masked());
    }
    for kind in DocumentType::ALL {
        if let Ok(document) = PersonalDocument::parse(kind, raw, today) {
            assert_eq!(document.kind(), kind);
            masked_hides(document.number(), &mask_identifier(document.number()));
        }
    }
    prefixed_id::<AccountId>(raw);
    prefixed_id::<ApplicationId>(raw);
    prefixed_id::<ProofId>(raw);
    prefixed_id::<CaseId>(raw);
});
