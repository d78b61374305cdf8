//! Database administration: creating the database, running the embedded migrations under an
//! advisory lock, and cloning per-test databases from a template.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The versions of the embedded migrations, oldest first.
#[must_use]
pub fn embedded_versions() -> Vec<String> {
    diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

/// The advisory lock key that serialises migrations across replicas.
const MIGRATION_LOCK: i64 = 0x7265_616c_6e61_6d65; // "realname"

/// `url` with its database name replaced by `database`.
///
/// # Errors
/// When the URL has no database path.
pub fn with_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map(|i| i + 3).unwrap_or(0);
    let Some(slash) = base[authority..].find('/').map(|i| authority + i) else {
        anyhow::bail!("the database URL has no database name");
    };
    let mut out = format!("{}/{database}", &base[..slash]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// The database name in `url`.
///
/// # Errors
/// When the URL has no database path.
pub fn database_name(url: &str) -> anyhow::Result<String> {
    let base = url.split('?').next().unwrap_or(url);
    let name = base.rsplit('/').next().unwrap_or_default();
    anyhow::ensure!(
        !name.is_empty() && !name.contains('@'),
        "the database URL has no database name"
    );
    Ok(name.to_owned())
}

fn quoted_identifier(name: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        !name.is_empty()
            && name.len() < 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database names may hold only letters, digits and underscores"
    );
    Ok(format!("\"{name}\""))
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Creates the database named in `url` if it does not exist, connecting to `postgres`.
///
/// # Errors
/// When the server cannot be reached or refuses.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let name = database_name(url)?;
    let mut admin = AsyncPgConnection::establish(&with_database(url, "postgres")?).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(&mut admin)
            .await?;
    if !found.exists {
        let created = admin
            .batch_execute(&format!("CREATE DATABASE {}", quoted_identifier(&name)?))
            .await;
        // Another replica may have created it meanwhile: 42P04 duplicate_database.
        if let Err(e) = created {
            let raced = e.to_string().contains("already exists");
            anyhow::ensure!(raced, e);
        }
        tracing::info!(database = %name, "database created");
    }
    Ok(())
}

/// Runs the pending migrations under a session-level advisory lock held on a dedicated
/// connection (never a pooled one), so that replicas starting together don't collide.
///
/// # Errors
/// When a migration fails; the lock is released with the connection.
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        SimpleConnection::batch_execute(
            &mut conn,
            &format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"),
        )?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|done| done.len())
            .map_err(|e| anyhow::anyhow!(e));
        SimpleConnection::batch_execute(
            &mut conn,
            &format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"),
        )?;
        let applied = applied?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        Ok(applied)
    })
    .await?
}

/// Creates `database` as a copy of `template` (both on the server of `url`), replacing any
/// leftover of the same name.
///
/// # Errors
/// When the server refuses.
pub async fn clone_database(url: &str, template: &str, database: &str) -> anyhow::Result<()> {
    let mut admin = AsyncPgConnection::establish(&with_database(url, "postgres")?).await?;
    let (template, database) = (quoted_identifier(template)?, quoted_identifier(database)?);
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {database} TEMPLATE {template}"))
        .await?;
    Ok(())
}

/// Drops `database` on the server of `url`.
///
/// # Errors
/// When the server refuses.
pub async fn drop_database(url: &str, database: &str) -> anyhow::Result<()> {
    let mut admin = AsyncPgConnection::establish(&with_database(url, "postgres")?).await?;
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted_identifier(database)?
        ))
        .await?;
    Ok(())
}

/// Runs `body` while holding a session-level advisory lock on a dedicated connection to the
/// `postgres` database of `url`'s server: a cross-process mutex for test set-up.
///
/// # Errors
/// When the lock cannot be taken, or `body` fails.
pub async fn with_server_lock<T, F>(url: &str, key: i64, body: F) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut admin = AsyncPgConnection::establish(&with_database(url, "postgres")?).await?;
    admin
        .batch_execute(&format!("SELECT pg_advisory_lock({key})"))
        .await?;
    let result = body.await;
    admin
        .batch_execute(&format!("SELECT pg_advisory_unlock({key})"))
        .await?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        let url = "postgres://postgres@127.0.0.1:5432/realname?sslmode=disable";
        assert_eq!(
            with_database(url, "postgres").unwrap(),
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
        );
        assert_eq!(database_name(url).unwrap(), "realname");
    }

    #[test]
    fn a_url_without_a_database_is_refused() {
        assert!(with_database("postgres://postgres@127.0.0.1:5432", "x").is_err());
    }

    #[test]
    fn names_with_quotes_are_refused() {
        assert!(quoted_identifier("a\"; DROP").is_err());
    }
}
