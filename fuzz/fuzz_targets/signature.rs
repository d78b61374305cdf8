//! The `Signature` header (API.md, SPEC §4): no header or body panics the check, and only a MAC
//! under the provider's secret over `t.body`, within the tolerance, is accepted.
#![no_main]

use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use realname_domain::ProviderName;
use realname_http::{ProviderSecrets, SignatureSettings};
use secrecy::SecretString;
use sha2::Sha256;

const NOW: i64 = 1_790_000_000;
const SECRET: &str = "whsec_fuzz_wechat";

fn settings() -> SignatureSettings {
    let secret = |s: &str| SecretString::from(s.to_owned());
    SignatureSettings {
        secrets: ProviderSecrets {
            wechat: secret(&format!("{SECRET},whsec_fuzz_rotated")),
            qq: secret("whsec_fuzz_qq"),
            wechat_mp: secret("whsec_fuzz_mp"),
            face: secret("whsec_fuzz_face"),
            payments: secret("whsec_fuzz_payments"),
        },
        tolerance_secs: 300,
    }
}

fuzz_target!(|input: (&str, &[u8], bool)| {
    let (header, body, signed) = input;
    let settings = settings();
    let accepted = settings
        .verify(ProviderName::Wechat, Some(header), body, NOW)
        .is_ok();
    if accepted {
        // An accepted header must carry a timestamp within the tolerance and a true MAC.
        let t = header
            .split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("t="))
            .and_then(|t| t.parse::<i64>().ok())
            .expect("an accepted header has a timestamp");
        assert!((NOW - t).abs() <= 300);
        let tag = |secret: &str| {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
            mac.update(format!("{t}.").as_bytes());
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        };
        let (a, b) = (tag(SECRET), tag("whsec_fuzz_rotated"));
        assert!(
            header.contains(&a) || header.contains(&b),
            "accepted without a true MAC"
        );
    }
    if signed {
        // A header the fuzzer mutates around a true signature still never panics, and the true
        // one alone is accepted.
        let true_header =
            realname_http::signature::sign(&SecretString::from(SECRET.to_owned()), NOW, body);
        assert!(
            settings
                .verify(ProviderName::Wechat, Some(&true_header), body, NOW)
                .is_ok()
        );
        let mixed = format!("{header},{true_header}");
        let _ = settings.verify(ProviderName::Wechat, Some(&mixed), body, NOW);
        let _ = settings
            .verify(ProviderName::Qq, Some(&true_header), body, NOW)
            .map(|()| panic!("a WeChat signature must fail at QQ's endpoint"));
    }
});
