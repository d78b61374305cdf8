//! Account and phone-change bodies (R19).

use realname_domain::identifiers::Phone;
use serde::Deserialize;

use crate::error::{ApiError, FieldError};

use super::Fields;

/// `POST /v1/accounts`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegisterAccount)]
pub struct RegisterAccountBody {
    /// A mainland mobile number (SPEC §5), bound to the account (R19).
    #[schema(required, value_type = String, pattern = r"^(?:\+?86|0086)?1[3-9][0-9]{9}$", example = "13812345678")]
    phone: Option<String>,
}

impl RegisterAccountBody {
    /// The phone to bind.
    ///
    /// # Errors
    /// 422 for a missing or invalid phone.
    pub fn into_phone(self) -> Result<Phone, ApiError> {
        let mut fields = Fields::default();
        let phone = fields
            .required("phone", self.phone.as_deref())
            .and_then(|p| fields.identifier("phone", Phone::parse(p)));
        fields.finish(phone)
    }
}

/// `POST /v1/accounts/{id}/phone-changes/{change_id}/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ConfirmCode)]
pub struct ConfirmBody {
    /// The 6-digit code sent by SMS.
    #[schema(required, value_type = String, pattern = r"^[0-9]{6}$", example = "123456")]
    code: Option<String>,
}

impl ConfirmBody {
    /// The code: 6 digits.
    ///
    /// # Errors
    /// 422 for a missing or malformed code.
    pub fn into_code(self) -> Result<String, ApiError> {
        let mut fields = Fields::default();
        let code = fields
            .required("code", self.code.as_deref())
            .map(str::to_owned);
        let code = code.filter(|c| {
            let ok = c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                fields.0.push(FieldError::new(
                    "code",
                    "invalid_format",
                    "The code is 6 digits.",
                ));
            }
            ok
        });
        fields.finish(code)
    }
}
