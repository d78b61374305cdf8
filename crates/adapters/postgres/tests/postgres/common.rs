//! Doubles shared by the PostgreSQL adapter's tests.

#![allow(dead_code, clippy::unwrap_used)]

use async_trait::async_trait;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use realname_domain::NextAction;
use realname_domain::enterprise::{RegistryRecord, RegistryStatus};
use realname_domain::identifiers::Uscc;
use realname_ports::{
    BusinessRegistry, GatewayError, ProviderGateway, ProviderSession, SessionRequest,
};

/// A provider that opens WeChat QR sessions named `wechat_<application id>`.
pub struct QrProvider;

#[async_trait]
impl ProviderGateway for QrProvider {
    async fn start_session(
        &self,
        request: &SessionRequest,
    ) -> Result<ProviderSession, GatewayError> {
        Ok(ProviderSession {
            session_ref: format!("wechat_{}", request.application_id.as_uuid().simple()),
            next_action: NextAction::ScanQr {
                qr_url: "https://qr.test/x".into(),
                expires_at: request.expires_at,
            },
            provider_token: None,
        })
    }
}

/// The registered name every enterprise has in [`ActiveRegistry`].
pub const ENTERPRISE: &str = "北京示例科技有限公司";

/// A registry that knows every enterprise as active, with 王五 as legal representative.
pub struct ActiveRegistry;

#[async_trait]
impl BusinessRegistry for ActiveRegistry {
    async fn lookup(&self, _: &Uscc) -> Result<Option<RegistryRecord>, GatewayError> {
        Ok(Some(RegistryRecord {
            name: ENTERPRISE.into(),
            status: RegistryStatus::Active,
            legal_representative: "王五".into(),
        }))
    }
}

/// A connection outside the pool, for reading raw tables.
pub async fn raw(url: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(url).await.unwrap()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `SELECT count(*) AS n …`.
pub async fn count(url: &str, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(&mut raw(url).await)
        .await
        .unwrap()
        .n
}

/// Runs one statement outside the pool.
pub async fn exec(url: &str, sql: &str) {
    diesel::sql_query(sql)
        .execute(&mut raw(url).await)
        .await
        .unwrap();
}
