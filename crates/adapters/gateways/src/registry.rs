//! Business registry gateways: an HTTP JSON client and its sandbox twin.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use realname_domain::enterprise::{RegistryRecord, RegistryStatus};
use realname_domain::identifiers::Uscc;
use realname_ports::{BusinessRegistry, GatewayError};
use serde::Deserialize;

/// The registry snapshot shipped for sandbox mode.
pub const SANDBOX_SNAPSHOT: &str = include_str!("../sandbox/registry.csv");

enum Entry {
    Record(RegistryRecord),
    Timeout,
}

/// The sandbox registry: a snapshot file, CSV with the header
/// `uscc,name,status,legal_representative`. The status `timeout` makes every lookup of that
/// USCC time out, to exercise that outcome.
pub struct SandboxRegistry {
    entries: HashMap<String, Entry>,
}

impl std::fmt::Debug for SandboxRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxRegistry")
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl SandboxRegistry {
    /// Parses a snapshot.
    ///
    /// # Errors
    /// A line without four fields, or a missing header.
    pub fn from_csv(text: &str) -> anyhow::Result<Self> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let header = lines.next().unwrap_or_default();
        anyhow::ensure!(
            header == "uscc,name,status,legal_representative",
            "unexpected registry snapshot header"
        );
        let mut entries = HashMap::new();
        for (n, line) in lines.enumerate() {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [uscc, name, status, legal] = fields[..] else {
                anyhow::bail!(
                    "registry snapshot line {} has {} fields, not 4",
                    n + 2,
                    fields.len()
                );
            };
            let entry = match status {
                "timeout" => Entry::Timeout,
                _ => Entry::Record(RegistryRecord {
                    name: name.to_owned(),
                    status: parse_status(status),
                    legal_representative: legal.to_owned(),
                }),
            };
            entries.insert(uscc.to_ascii_uppercase(), entry);
        }
        Ok(Self { entries })
    }
}

fn parse_status(status: &str) -> RegistryStatus {
    match status {
        "active" => RegistryStatus::Active,
        "deregistered" => RegistryStatus::Deregistered,
        other => RegistryStatus::Other(other.to_owned()),
    }
}

#[async_trait]
impl BusinessRegistry for SandboxRegistry {
    async fn lookup(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        match self.entries.get(uscc.as_str()) {
            None => Ok(None),
            Some(Entry::Timeout) => Err(GatewayError::Timeout),
            Some(Entry::Record(record)) => Ok(Some(record.clone())),
        }
    }
}

/// Settings of the HTTP registry client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// The registry API's base URL; `GET {base_url}/v1/enterprises/{uscc}`.
    pub base_url: String,
    /// The whole request's timeout, in milliseconds.
    pub timeout_ms: u64,
    /// A snapshot file replacing the built-in sandbox snapshot (sandbox mode only).
    pub sandbox_snapshot: Option<String>,
}

/// The registry's JSON answer.
#[derive(Deserialize)]
struct RegistryBody {
    name: String,
    status: String,
    legal_representative: String,
}

/// The HTTP JSON registry client: `GET {base_url}/v1/enterprises/{uscc}` answers 200 with
/// `{name, status, legal_representative}` or 404 for an unknown USCC. Anything else, and a
/// timeout, is a gateway error, never "not found".
#[derive(Debug, Clone)]
pub struct HttpRegistry {
    client: reqwest::Client,
    base_url: String,
}

impl HttpRegistry {
    /// A client for these settings.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: &RegistrySettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .build()?;
        Ok(Self {
            client,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
        })
    }
}

#[async_trait]
impl BusinessRegistry for HttpRegistry {
    async fn lookup(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        crate::metered("registry", self.ask(uscc), crate::is_timeout).await
    }
}

impl HttpRegistry {
    async fn ask(&self, uscc: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        let url = format!("{}/v1/enterprises/{}", self.base_url, uscc.as_str());
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(crate::transport_error)?;
        match response.status().as_u16() {
            404 => Ok(None),
            200 => {
                let body: RegistryBody = response.json().await.map_err(crate::transport_error)?;
                Ok(Some(RegistryRecord {
                    name: body.name,
                    status: parse_status(&body.status),
                    legal_representative: body.legal_representative,
                }))
            }
            status => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "registry answered {status}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uscc(raw: &str) -> Uscc {
        Uscc::parse(raw).unwrap()
    }

    #[tokio::test]
    async fn the_built_in_snapshot_answers_found_not_found_and_timeout() {
        let registry = SandboxRegistry::from_csv(SANDBOX_SNAPSHOT).unwrap();
        let found = registry
            .lookup(&uscc("91110000600037341L"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.status, found.legal_representative.as_str()),
            (RegistryStatus::Active, "王五")
        );
        assert_eq!(
            registry.lookup(&uscc("91330100MA2CC0004B")).await.unwrap(),
            None
        );
        assert!(matches!(
            registry.lookup(&uscc("91440300MA5DD0002W")).await,
            Err(GatewayError::Timeout)
        ));
        let gone = registry
            .lookup(&uscc("91310000MA1FL0001R"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gone.status, RegistryStatus::Deregistered);
    }

    #[test]
    fn a_malformed_snapshot_is_refused() {
        assert!(SandboxRegistry::from_csv("uscc,name\n").is_err());
        assert!(SandboxRegistry::from_csv("uscc,name,status,legal_representative\nX,Y\n").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_registry_is_an_error_never_not_found() {
        let registry = HttpRegistry::new(&RegistrySettings {
            base_url: "http://127.0.0.1:9".into(),
            timeout_ms: 500,
            sandbox_snapshot: None,
        })
        .unwrap();
        let error = registry
            .lookup(&uscc("91110000600037341L"))
            .await
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("91110000600037341L"), "{shown}");
    }
}
