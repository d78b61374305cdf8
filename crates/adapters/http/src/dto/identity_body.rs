//! Identity proofs and recoveries (R14, R15).

use chrono::NaiveDate;
use realname_domain::identifiers::Phone;
use realname_domain::{Method, Subject};

use crate::error::ApiError;

use super::{Fields, SubjectBody};

/// The method and subject of an identity proof (R14).
///
/// # Errors
/// 422 listing every invalid field.
pub fn proof_request(
    method: Option<&str>,
    subject: Option<&SubjectBody>,
    today: NaiveDate,
) -> Result<(Method, Subject), ApiError> {
    let mut fields = Fields::default();
    let method = fields.one_of("method", method, Method::parse);
    let subject = match subject {
        Some(s) => s.convert("subject", &mut fields, today),
        None => fields.required("subject", None).and(None),
    };
    let request = method.zip(subject);
    fields.finish(request)
}

/// The reference and number of a recovery.
///
/// # Errors
/// 422 listing every invalid field.
pub fn recovery_request(
    reference: Option<String>,
    phone: Option<String>,
) -> Result<(String, Phone), ApiError> {
    let mut fields = Fields::default();
    let reference = fields
        .required("ref", reference.as_deref())
        .map(str::to_owned);
    let phone = fields
        .required("phone", phone.as_deref())
        .and_then(|p| fields.identifier("phone", Phone::parse(p)));
    fields.finish(reference.zip(phone))
}
