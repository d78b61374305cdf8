//! Running the `realname` binary against a test database.

#![allow(dead_code)]

use std::process::Command;

use base64::Engine;

/// `realname` with the test database and the test keys of `realname-test-support`.
pub fn realname(url: &str) -> Command {
    let key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_realname"));
    command
        .env("REALNAME__DATABASE__URL", url)
        .env("REALNAME__CRYPTO__DATA_KEYS", format!("test1:{key}"))
        .env("REALNAME__CRYPTO__ACTIVE_KEY", "test1")
        .env(
            "REALNAME__CRYPTO__SUBJECT_KEY",
            "test-subject-key-0123456789abcdef0123",
        );
    command
}
