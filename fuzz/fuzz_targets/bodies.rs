//! Each request body's JSON → domain conversion, as the routes run it: `parse_json` of the
//! operation's body, then its conversion (R9). None panics, and a refusal is a problem with a
//! stable code whose text repeats nothing the body sent (SPEC §4).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use realname_http::dto::{
    AccountLimitBody, ApplicationBody, ConfirmBody, DecisionBody, PaymentCreditBody,
    ProviderEventBody, RegisterAccountBody, SubjectBody, VerdictBody, parse_json, proof_request,
    recovery_request,
};
use realname_http::error::ApiError;
use realname_http::routes::events::{AgreementBody, WebhookBody};
use realname_http::routes::identity::{
    AppealBody, FreezeBody, ProofBody, RecoveryBody, ResolutionBody,
};
use realname_http::routes::sub_accounts::AssociationBody;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// A refusal's problem names codes and fields only: no string of eight or more characters
/// from the body appears in it.
fn check_refusal(body: &[u8], error: &ApiError) {
    let shown = error.body();
    let problem = shown.to_string();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    // Our own vocabulary (the code, the title, the type, field names and codes) is not an echo:
    // a body may hold `"ion_failed"`, which `validation_failed` contains.
    let mut vocabulary = Vec::new();
    for key in ["code", "title", "type"] {
        collect(&shown[key], &mut vocabulary);
    }
    for field in shown["errors"].as_array().into_iter().flatten() {
        collect(&field["field"], &mut vocabulary);
        collect(&field["code"], &mut vocabulary);
    }
    let mut strings = Vec::new();
    collect(&value, &mut strings);
    for s in strings.iter().filter(|s| s.chars().count() >= 8) {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        let inner = &quoted[1..quoted.len() - 1];
        if vocabulary.iter().any(|word| word.contains(inner)) {
            continue;
        }
        assert!(!problem.contains(inner), "the problem repeats a value sent");
    }
}

fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn run(selector: u8, body: &[u8]) -> Result<(), ApiError> {
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_owned);
    match selector % 15 {
        0 => parse_json::<RegisterAccountBody>(body)?
            .into_phone()
            .map(drop),
        1 => parse_json::<ConfirmBody>(body)?.into_code().map(drop),
        2 => parse_json::<ApplicationBody>(body)?
            .convert(today())
            .map(drop),
        3 => parse_json::<PaymentCreditBody>(body)?.convert().map(drop),
        4 => {
            let (_, verdict) = parse_json::<ProviderEventBody>(body)?.verdict();
            verdict.convert(today()).map(drop)
        }
        5 => parse_json::<VerdictBody>(body)?.convert(today()).map(drop),
        6 => parse_json::<DecisionBody>(body)?.convert().map(drop),
        7 => parse_json::<AccountLimitBody>(body)?
            .convert("91350100M000100Y43")
            .map(drop),
        8 => {
            // The proof body as the route reads it, then its conversion.
            parse_json::<ProofBody>(body)?;
            let value: serde_json::Value = parse_json(body)?;
            let subject = value
                .get("subject")
                .and_then(|s| serde_json::from_value::<SubjectBody>(s.clone()).ok());
            proof_request(text(&value, "method").as_deref(), subject.as_ref(), today()).map(drop)
        }
        9 => {
            parse_json::<RecoveryBody>(body)?;
            let value: serde_json::Value = parse_json(body)?;
            recovery_request(text(&value, "ref"), text(&value, "phone")).map(drop)
        }
        10 => parse_json::<FreezeBody>(body).map(drop),
        11 => parse_json::<AppealBody>(body).map(drop),
        12 => parse_json::<ResolutionBody>(body).map(drop),
        13 => parse_json::<WebhookBody>(body)
            .and(parse_json::<AgreementBody>(body))
            .map(drop),
        _ => parse_json::<AssociationBody>(body).map(drop),
    }
}

fuzz_target!(|input: (u8, &[u8])| {
    let (selector, body) = input;
    if let Err(error) = run(selector, body) {
        assert!(
            error.code().status().is_client_error(),
            "a body is never a server error"
        );
        check_refusal(body, &error);
    }
});
