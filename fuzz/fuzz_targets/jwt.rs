//! The JWT claims path (API.md roles): any token string, and any claims object signed with the
//! shared key, is either refused as 401 or yields a principal whose claims passed every check.
#![no_main]

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use libfuzzer_sys::fuzz_target;
use realname_http::{AuthSettings, Authenticator};
use secrecy::SecretString;

const KEY: &str = "fuzz-signing-key-of-at-least-32-bytes!";

fn authenticator() -> Authenticator {
    Authenticator::new(AuthSettings {
        issuer: "https://auth.fuzz".into(),
        audience: "realname".into(),
        signing_key: SecretString::from(KEY.to_owned()),
        public_keys: Default::default(),
        max_ttl_secs: 86_400,
    })
}

fuzz_target!(|input: (&str, &[u8])| {
    let (token, claims) = input;
    let auth = authenticator();
    if let Err(e) = auth.verify(token) {
        assert_eq!(e.code().status().as_u16(), 401);
    }
    // A claims object the fuzzer shapes, under a true signature: only the claim checks stand
    // between it and a principal.
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(claims) else {
        return;
    };
    let Ok(signed) = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(KEY.as_bytes()),
    ) else {
        return;
    };
    match auth.verify(&signed) {
        Ok(_) => {
            let int = |k: &str| claims.get(k).and_then(serde_json::Value::as_i64);
            let (exp, iat) = (int("exp").expect("exp"), int("iat").expect("iat"));
            assert!(exp.checked_sub(iat).is_some_and(|ttl| ttl <= 86_400));
            assert_eq!(
                claims.get("iss").and_then(|v| v.as_str()),
                Some("https://auth.fuzz")
            );
        }
        Err(e) => assert_eq!(e.code().status().as_u16(), 401),
    }
});
