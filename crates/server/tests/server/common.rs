//! Running the `realname` binary against a test database.

use std::process::Command;
use std::time::Duration;

use base64::Engine;
use realname_domain::webhook::{EndpointUrl, WebhookEndpoint, WebhookSecret};
use realname_ports::WebhookStore;
use realname_test_support::receiver::Receiver;

/// `realname` with the test database and the test keys of `realname-test-support`.
pub fn realname(url: &str) -> Command {
    let key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_realname"));
    command
        .env("REALNAME__DATABASE__URL", url)
        .env("REALNAME__TELEMETRY__METRICS_LISTEN", "127.0.0.1:0")
        .env("REALNAME__CRYPTO__DATA_KEYS", format!("test1:{key}"))
        .env("REALNAME__CRYPTO__ACTIVE_KEY", "test1")
        .env(
            "REALNAME__CRYPTO__SUBJECT_KEY",
            "test-subject-key-0123456789abcdef0123",
        );
    command
}

/// A receiver subscribed to every event, answering each delivery after `delay`.
pub async fn subscribed_receiver(store: &realname_postgres::PgStore, delay: Duration) -> Receiver {
    let receiver = Receiver::start(delay).await;
    let secret = WebhookSecret::from_random(uuid::Uuid::new_v4().as_bytes());
    receiver.set_secret(secret.expose());
    let endpoint = WebhookEndpoint {
        id: uuid::Uuid::now_v7(),
        url: EndpointUrl::parse(&receiver.url, true).unwrap(),
        event_types: Vec::new(),
        disabled: false,
        created_at: chrono::Utc::now(),
        secret_rotated_at: None,
        previous_secret_expires_at: None,
    };
    // From the beginning: the tests' events may have committed before the subscription.
    store
        .create_endpoint(&endpoint, &secret, None)
        .await
        .unwrap();
    receiver
}
