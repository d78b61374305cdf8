//! Encryption at rest (SPEC §4): AES-256-GCM with the table, column and row as associated data,
//! each ciphertext tagged with its key id; and the keyed hashes used as subject and phone keys.

use std::collections::HashMap;
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;

/// The encryption settings; every key is a secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoSettings {
    /// Data keys as `id:base64(32 bytes)`, comma-separated; old keys stay to decrypt.
    pub data_keys: SecretString,
    /// The id of the key that encrypts new data.
    pub active_key: String,
    /// The HMAC key for subject and phone keys (at least 32 bytes of text).
    pub subject_key: SecretString,
    /// The HMAC key for one-time codes (at least 32 bytes of text), apart from the subject key.
    pub otp_key: SecretString,
}

impl fmt::Debug for CryptoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoSettings")
            .field("data_keys", &"[redacted]")
            .field("active_key", &self.active_key)
            .field("subject_key", &"[redacted]")
            .field("otp_key", &"[redacted]")
            .finish()
    }
}

/// A key-ring problem found at start-up, or a ciphertext that does not open.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A data key is not `id:base64(32 bytes)`.
    #[error("data key {0:?} is not id:base64 of 32 bytes")]
    BadKey(String),
    /// The active key id names no key.
    #[error("the active key {0:?} is not among the data keys")]
    NoActiveKey(String),
    /// The subject key or the OTP key is too short.
    #[error("crypto.subject_key and crypto.otp_key must each be at least 32 bytes")]
    ShortSubjectKey,
    /// A ciphertext is damaged, names an unknown key or belongs to another row.
    #[error("a ciphertext could not be opened")]
    Open,
}

const NONCE_LEN: usize = 12;

/// The keys, ready to use.
pub struct Keyring {
    active: String,
    ciphers: HashMap<String, Aes256Gcm>,
    mac_key: SecretString,
    otp_key: SecretString,
}

impl realname_ports::OtpDigest for Keyring {
    /// HMAC-SHA256 under `crypto.otp_key` of the change id and the code.
    fn digest(&self, change: realname_domain::phone_change::PhoneChangeId, code: &str) -> [u8; 32] {
        let Ok(mut mac) =
            <Hmac<Sha256> as Mac>::new_from_slice(self.otp_key.expose_secret().as_bytes())
        else {
            return [0; 32];
        };
        mac.update(b"otp\0");
        mac.update(change.as_uuid().as_bytes());
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// Builds the key ring from settings.
    ///
    /// # Errors
    /// [`CryptoError`] for a malformed key, a missing active key or a short subject key.
    pub fn new(settings: &CryptoSettings) -> Result<Self, CryptoError> {
        let mut ciphers = HashMap::new();
        for entry in settings
            .data_keys
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (id, encoded) = entry
                .split_once(':')
                .ok_or_else(|| CryptoError::BadKey(key_id(entry)))?;
            let bytes = STANDARD
                .decode(encoded)
                .map_err(|_| CryptoError::BadKey(id.to_owned()))?;
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| CryptoError::BadKey(id.to_owned()))?;
            if id.is_empty() || id.len() > 32 {
                return Err(CryptoError::BadKey(id.to_owned()));
            }
            ciphers.insert(id.to_owned(), cipher);
        }
        if !ciphers.contains_key(&settings.active_key) {
            return Err(CryptoError::NoActiveKey(settings.active_key.clone()));
        }
        if settings.subject_key.expose_secret().len() < 32
            || settings.otp_key.expose_secret().len() < 32
        {
            return Err(CryptoError::ShortSubjectKey);
        }
        Ok(Self {
            active: settings.active_key.clone(),
            ciphers,
            mac_key: settings.subject_key.clone(),
            otp_key: settings.otp_key.clone(),
        })
    }

    /// Encrypts `plaintext` for one row's column: `len(id) ‖ id ‖ nonce ‖ ciphertext`.
    #[must_use]
    pub fn seal(&self, plaintext: &[u8], aad: &Aad<'_>) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = aad.to_string();
        let cipher = &self.ciphers[&self.active];
        // Encryption with a valid key and in-memory buffers cannot fail.
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + self.active.len() + NONCE_LEN + sealed.len());
        out.push(self.active.len() as u8);
        out.extend_from_slice(self.active.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`Keyring::seal`] produced for the same row and column.
    ///
    /// # Errors
    /// [`CryptoError::Open`] when it was tampered with, moved to another row, or its key is gone.
    pub fn open(&self, sealed: &[u8], aad: &Aad<'_>) -> Result<Vec<u8>, CryptoError> {
        let (&id_len, rest) = sealed.split_first().ok_or(CryptoError::Open)?;
        let id_len = usize::from(id_len);
        if rest.len() < id_len + NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (id, rest) = rest.split_at(id_len);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let id = std::str::from_utf8(id).map_err(|_| CryptoError::Open)?;
        let cipher = self.ciphers.get(id).ok_or(CryptoError::Open)?;
        let aad = aad.to_string();
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)
    }

    /// The keyed hash of a normalised identifier (SPEC §4), domain-separated by `purpose`.
    #[must_use]
    pub fn keyed_hash(&self, purpose: &str, material: &str) -> Vec<u8> {
        // HMAC accepts keys of any length.
        let Ok(mut mac) =
            <Hmac<Sha256> as Mac>::new_from_slice(self.mac_key.expose_secret().as_bytes())
        else {
            return Vec::new();
        };
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(material.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn key_id(entry: &str) -> String {
    entry.chars().take_while(|c| *c != ':').take(32).collect()
}

/// Associated data binding a ciphertext to its table, column and row.
#[derive(Debug, Clone, Copy)]
pub struct Aad<'a> {
    /// The table.
    pub table: &'a str,
    /// The column.
    pub column: &'a str,
    /// The row's id.
    pub row: uuid::Uuid,
}

impl fmt::Display for Aad<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}:{}", self.table, self.column, self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(keys: &str, active: &str) -> Keyring {
        Keyring::new(&CryptoSettings {
            data_keys: keys.into(),
            active_key: active.into(),
            subject_key: "0123456789abcdef0123456789abcdef".into(),
            otp_key: "otp-key-for-tests-0123456789abcdef".into(),
        })
        .unwrap()
    }

    fn k(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    fn aad(row: uuid::Uuid) -> Aad<'static> {
        Aad {
            table: "accounts",
            column: "phone_enc",
            row,
        }
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_own_row() {
        let ring = keyring(&format!("k1:{}", k(1)), "k1");
        let row = uuid::Uuid::now_v7();
        let sealed = ring.seal(b"13812345678", &aad(row));
        assert!(!sealed.windows(11).any(|w| w == b"13812345678"));
        assert_eq!(ring.open(&sealed, &aad(row)).unwrap(), b"13812345678");
        assert!(ring.open(&sealed, &aad(uuid::Uuid::now_v7())).is_err());
    }

    #[test]
    fn data_sealed_under_an_old_key_still_opens_after_rotation() {
        let old = keyring(&format!("k1:{}", k(1)), "k1");
        let row = uuid::Uuid::now_v7();
        let sealed = old.seal(b"secret", &aad(row));
        let rotated = keyring(&format!("k2:{},k1:{}", k(2), k(1)), "k2");
        assert_eq!(rotated.open(&sealed, &aad(row)).unwrap(), b"secret");
        assert_eq!(&rotated.seal(b"x", &aad(row))[1..3], b"k2");
    }

    #[test]
    fn the_keyed_hash_is_stable_and_separated_by_purpose() {
        let ring = keyring(&format!("k1:{}", k(1)), "k1");
        assert_eq!(
            ring.keyed_hash("subject", "a"),
            ring.keyed_hash("subject", "a")
        );
        assert_ne!(
            ring.keyed_hash("subject", "a"),
            ring.keyed_hash("phone", "a")
        );
    }

    #[test]
    fn debug_output_shows_no_key() {
        let settings = CryptoSettings {
            data_keys: format!("k1:{}", k(7)).into(),
            active_key: "k1".into(),
            subject_key: "0123456789abcdef0123456789abcdef".into(),
            otp_key: "otp-key-for-tests-0123456789abcdef".into(),
        };
        let shown = format!("{settings:?} {:?}", Keyring::new(&settings).unwrap());
        assert!(!shown.contains(&k(7)));
        assert!(!shown.contains("0123456789abcdef"));
    }

    #[test]
    fn a_stored_code_digest_resists_guessing_without_the_otp_key() {
        use realname_domain::phone_change::PhoneChangeId;
        use realname_ports::OtpDigest;
        use sha2::Digest;

        // The attack: with read access to the database, try all 10⁶ codes against the stored
        // digest, as the unkeyed SHA-256(id ‖ code) allowed.
        let ring = keyring(&format!("k1:{}", k(7)), "k1");
        let id = PhoneChangeId::new();
        let stored = ring.digest(id, "042137");
        let found = (0..1_000_000u32).map(|n| format!("{n:06}")).find(|code| {
            let mut hasher = sha2::Sha256::new();
            hasher.update(id.as_uuid().as_bytes());
            hasher.update(code.as_bytes());
            <[u8; 32]>::from(hasher.finalize()) == stored
        });
        assert_eq!(found, None, "no code recovered without the key");
        assert_eq!(ring.digest(id, "042137"), stored, "the digest is stable");
        assert_ne!(ring.digest(PhoneChangeId::new(), "042137"), stored);
        let other = Keyring::new(&CryptoSettings {
            data_keys: format!("k1:{}", k(7)).into(),
            active_key: "k1".into(),
            subject_key: "0123456789abcdef0123456789abcdef".into(),
            otp_key: "another-otp-key-0123456789abcdef012".into(),
        })
        .unwrap();
        assert_ne!(other.digest(id, "042137"), stored, "the key is the secret");
        let short = Keyring::new(&CryptoSettings {
            data_keys: format!("k1:{}", k(7)).into(),
            active_key: "k1".into(),
            subject_key: "0123456789abcdef0123456789abcdef".into(),
            otp_key: "short".into(),
        });
        assert!(short.is_err());
    }
}
