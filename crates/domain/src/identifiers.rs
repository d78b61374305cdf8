//! Value objects with the identifier checks of SPEC §5. Each can only exist when valid
//! ("parse, don't validate"); `Debug` never prints the value (SPEC §4).

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::masking::{mask_identifier, mask_name, mask_phone};

/// Why an identifier was refused. The HTTP adapter turns these into field-level 422 errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Wrong length or characters.
    #[error("the format is invalid")]
    Format,
    /// The check digit or character does not match.
    #[error("the check digit does not match")]
    Checksum,
    /// Positions 7–14 of a resident ID are not a real past date.
    #[error("the birth date is not a real past date")]
    BirthDate,
    /// A residence permit without an 81/82/83 address code, or an ID card with one.
    #[error("the address code does not fit the document type")]
    AddressCode,
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";
const RESIDENCE_PERMIT_CODES: [&str; 3] = ["810000", "820000", "830000"];

/// The check character of the first 17 digits of an 18-character resident ID (SPEC §5).
#[must_use]
pub fn resident_id_check_char(first17: &[u8; 17]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    char::from(ID_CHECK[(sum % 11) as usize])
}

/// An 18-character resident ID or residence-permit number: upper case, checked, with a real
/// past birth date. Whether it is a residence permit depends on its address code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

impl ResidentId {
    /// Parses and checks a number; `today` bounds the birth date.
    ///
    /// # Errors
    /// [`IdentifierError`] when the format, date or check character is wrong.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, IdentifierError> {
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdentifierError::Format);
        }
        let last = bytes[17];
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(IdentifierError::Format);
        }
        let birth = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d")
            .map_err(|_| IdentifierError::BirthDate)?;
        if birth > today || birth.year() < 1890 {
            return Err(IdentifierError::BirthDate);
        }
        let mut first17 = [0u8; 17];
        first17.copy_from_slice(&bytes[..17]);
        if resident_id_check_char(&first17) != char::from(last) {
            return Err(IdentifierError::Checksum);
        }
        Ok(Self(value))
    }

    /// Whether the address code marks a HK/Macao/Taiwan residence permit.
    #[must_use]
    pub fn is_residence_permit(&self) -> bool {
        RESIDENCE_PERMIT_CODES.contains(&&self.0[..6])
    }

    /// The normalised number: 18 characters, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A HK/Macao travel permit: `H` or `M`, 8 digits, and an optional 2-digit issue count.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HkMacaoPermit(String);

impl HkMacaoPermit {
    /// Parses a permit number.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] when it is not `[HM]` + 8 digits + optional 2 digits.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        let well_formed = matches!(bytes.first(), Some(b'H' | b'M'))
            && matches!(bytes.len(), 9 | 11)
            && bytes[1..].iter().all(u8::is_ascii_digit);
        if well_formed {
            Ok(Self(value))
        } else {
            Err(IdentifierError::Format)
        }
    }

    /// The full number as given, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 9 characters, which stay the same across renewals (SPEC §4).
    #[must_use]
    pub fn lifelong_part(&self) -> &str {
        &self.0[..9]
    }
}

/// A Taiwan travel permit: the 8-digit lifelong number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TaiwanPermit(String);

impl TaiwanPermit {
    /// Parses a permit number.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] unless it is exactly 8 digits.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let value = raw.trim();
        if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdentifierError::Format)
        }
    }

    /// The 8 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET
        .iter()
        .position(|a| *a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character of the first 17 characters of a USCC (SPEC §5), or `None` when one of
/// them is outside the alphabet.
#[must_use]
pub fn uscc_check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (c, weight) in first17.iter().zip(USCC_WEIGHTS) {
        sum += uscc_value(*c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(USCC_ALPHABET[check as usize]))
}

/// A Unified Social Credit Code: 18 characters over the USCC alphabet. A wrong check character
/// does not stop parsing: some legally issued pilot codes fail it, so it routes the application
/// to manual review instead (R9).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Uscc {
    value: String,
    checksum_ok: bool,
}

impl Uscc {
    /// Parses a code, upper case.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] for a wrong length or a character outside the alphabet.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 || !bytes.iter().all(|b| uscc_value(*b).is_some()) {
            return Err(IdentifierError::Format);
        }
        let checksum_ok = uscc_check_char(&bytes[..17]) == Some(char::from(bytes[17]));
        Ok(Self { value, checksum_ok })
    }

    /// Whether the check character matches.
    #[must_use]
    pub const fn checksum_ok(&self) -> bool {
        self.checksum_ok
    }

    /// The 18 characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The normalised identifier the subject key hashes (SPEC §4).
    #[must_use]
    pub fn key_material(&self) -> String {
        format!("uscc:{}", self.value)
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Uscc({}, checksum_ok: {})",
            mask_identifier(&self.value),
            self.checksum_ok
        )
    }
}

/// An enterprise's registered name: 2 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnterpriseName(String);

impl EnterpriseName {
    /// Parses a name, trimming surrounding white space.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] for a wrong length or a control character.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let value = raw.trim();
        let count = value.chars().count();
        if (2..=100).contains(&count) && !value.chars().any(char::is_control) {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdentifierError::Format)
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland mobile number, normalised to its 11 digits (SPEC §5: `^(?:\+?86|0086)?1[3-9]\d{9}$`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses a number, stripping `+86`, `86` or `0086`.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] when it is not a mainland mobile number.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let raw = raw.trim();
        let national = ["+86", "0086", "86"]
            .iter()
            .find_map(|prefix| raw.strip_prefix(prefix).filter(|rest| rest.len() == 11))
            .unwrap_or(raw);
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Self(national.to_owned()))
        } else {
            Err(IdentifierError::Format)
        }
    }

    /// The 11 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked form, `138****5678`.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// A person's name: 2 to 50 characters of CJK ideographs, Latin letters, spaces and `·` (R9).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a name, trimming surrounding white space.
    ///
    /// # Errors
    /// [`IdentifierError::Format`] for a wrong length or a character outside the allowed set.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let value = raw.trim();
        let count = value.chars().count();
        let allowed = value
            .chars()
            .all(|c| is_cjk_ideograph(c) || is_latin_letter(c) || c == ' ' || c == '·');
        let has_letter = value.chars().any(|c| c != ' ' && c != '·');
        if (2..=50).contains(&count) && allowed && has_letter {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdentifierError::Format)
        }
    }

    /// The name as given, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked form, `张*`.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_name(&self.0)
    }
}

fn is_cjk_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x2F800..=0x2FA1F | 0x30000..=0x3134F)
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (matches!(c as u32, 0x00C0..=0x024F) && c != '×' && c != '÷')
}

macro_rules! redacted_debug {
    ($($name:ident => $mask:expr),* $(,)?) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mask: fn(&str) -> String = $mask;
                write!(f, "{}({})", stringify!($name), mask(&self.0))
            }
        }
    )*};
}

redacted_debug! {
    ResidentId => mask_identifier,
    HkMacaoPermit => mask_identifier,
    TaiwanPermit => mask_identifier,
    Phone => mask_phone,
    PersonName => mask_name,
}

#[cfg(test)]
mod tests;
