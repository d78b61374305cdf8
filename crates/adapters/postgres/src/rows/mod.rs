//! Row structs per purpose, and their conversion to and from domain values, one module per
//! aggregate. Personal data is sealed here on the way in and opened on the way out (SPEC §4).

use std::sync::Arc;

use realname_domain::identifiers::{EnterpriseName, PersonName, Phone, Uscc};
use realname_domain::{
    DocumentType, EnterpriseSubject, PersonalDocument, PersonalSubject, Region, Subject,
};
use realname_ports::StoreError;
use serde::{Deserialize, Serialize};

use crate::crypto::{Aad, Keyring};

mod accounts_rows;
mod applications_rows;
mod phones_rows;

pub(crate) use accounts_rows::{AccountRow, AccountWrite};
pub(crate) use applications_rows::{ApplicationRow, next_action, next_action_json};
pub(crate) use phones_rows::PhoneChangeRow;

/// The plaintext of a sealed subject.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum SealedSubject {
    Personal {
        document_type: String,
        number: String,
        name: String,
        region: String,
    },
    Enterprise {
        name: String,
        uscc: String,
        region: String,
        legal_person_name: Option<String>,
    },
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("stored {what} is not valid"))
}

/// Seals and opens personal data, and converts rows.
#[derive(Debug, Clone)]
pub(crate) struct Codec {
    keys: Arc<Keyring>,
}
impl Codec {
    pub(crate) fn new(keys: Arc<Keyring>) -> Self {
        Self { keys }
    }

    /// The subject key of a subject (SPEC §4).
    pub(crate) fn subject_key(&self, subject: &Subject) -> Vec<u8> {
        self.keyed_subject_material(&subject.key_material())
    }

    /// The subject key of normalised key material (`Subject::key_material`).
    pub(crate) fn keyed_subject_material(&self, material: &str) -> Vec<u8> {
        self.keys.keyed_hash("subject", material)
    }

    /// The phone key of a number (SPEC §4): the 11 digits.
    pub(crate) fn phone_key(&self, phone: &Phone) -> Vec<u8> {
        self.keys.keyed_hash("phone", phone.as_str())
    }

    fn seal_subject(&self, subject: &Subject, aad: &Aad<'_>) -> Vec<u8> {
        let plain = match subject {
            Subject::Personal(p) => SealedSubject::Personal {
                document_type: p.document.kind().as_str().to_owned(),
                number: p.document.number().to_owned(),
                name: p.name.as_str().to_owned(),
                region: p.region.as_str().to_owned(),
            },
            Subject::Enterprise(e) => SealedSubject::Enterprise {
                name: e.name.as_str().to_owned(),
                uscc: e.uscc.as_str().to_owned(),
                region: e.region.as_str().to_owned(),
                legal_person_name: e.legal_person_name.as_ref().map(|n| n.as_str().to_owned()),
            },
        };
        let bytes = serde_json::to_vec(&plain).unwrap_or_default();
        self.keys.seal(&bytes, aad)
    }

    fn open_subject(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<Subject, StoreError> {
        let bytes = self
            .keys
            .open(sealed, aad)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let plain: SealedSubject =
            serde_json::from_slice(&bytes).map_err(|_| corrupt("subject"))?;
        Ok(match plain {
            SealedSubject::Personal {
                document_type,
                number,
                name,
                region,
            } => {
                let kind =
                    DocumentType::parse(&document_type).ok_or_else(|| corrupt("document type"))?;
                Subject::Personal(PersonalSubject {
                    document: PersonalDocument::parse(kind, &number, chrono::NaiveDate::MAX)
                        .map_err(|_| corrupt("document"))?,
                    name: PersonName::parse(&name).map_err(|_| corrupt("name"))?,
                    region: Region::parse(&region).ok_or_else(|| corrupt("region"))?,
                })
            }
            SealedSubject::Enterprise {
                name,
                uscc,
                region,
                legal_person_name,
            } => Subject::Enterprise(EnterpriseSubject {
                name: EnterpriseName::parse(&name).map_err(|_| corrupt("enterprise name"))?,
                uscc: Uscc::parse(&uscc).map_err(|_| corrupt("uscc"))?,
                region: Region::parse(&region).ok_or_else(|| corrupt("region"))?,
                legal_person_name: legal_person_name
                    .map(|n| PersonName::parse(&n).map_err(|_| corrupt("legal person")))
                    .transpose()?,
            }),
        })
    }

    pub(crate) fn seal_subject_for(&self, subject: &Subject, aad: &Aad<'_>) -> Vec<u8> {
        self.seal_subject(subject, aad)
    }

    pub(crate) fn open_subject_for(
        &self,
        sealed: &[u8],
        aad: &Aad<'_>,
    ) -> Result<Subject, StoreError> {
        self.open_subject(sealed, aad)
    }

    pub(crate) fn seal_bytes(&self, plain: &[u8], aad: &Aad<'_>) -> Vec<u8> {
        self.keys.seal(plain, aad)
    }

    pub(crate) fn open_bytes(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<Vec<u8>, StoreError> {
        self.keys
            .open(sealed, aad)
            .map_err(|e| StoreError::Unknown(e.into()))
    }
}
