//! Wiring: `Application::build(settings)` composes the adapters around the use cases, so the
//! binary and the e2e tests start the very same thing.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use realname_application::accounts::{GetAccount, RegisterAccount};
use realname_application::real_name::{
    GetCapabilities, GetStatus, ListMethods, RefuseDeauthentication,
};
use realname_application::verification::{
    CompleteSandboxApplication, ExpireSessions, GetApplication, ListApplications,
    RecordProviderResult, SubmitApplication, WithdrawApplication,
};
use realname_gateways::SandboxProviders;
use realname_http::{Authenticator, HttpState, UseCases};
use realname_ports::Clock;
use realname_postgres::{Keyring, PgStore, admin};
use realname_scheduler::{ExpireSessionsJob, Job};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::settings::Settings;

/// The system clock, truncated to microseconds as PostgreSQL keeps time.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A built service: bound, migrated, with its jobs ready.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    jobs: Vec<(Arc<dyn Job>, Duration)>,
}

impl Application {
    /// Builds the service: creates and migrates the database if configured, connects, wires
    /// every use case and binds the listener (port 0 picks a free one).
    ///
    /// # Errors
    /// When the database, the keys or the listener are not usable.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.check_mode()?;
        let url = settings.database.url.expose_secret().to_owned();
        if settings.database.migrate_on_start {
            admin::ensure_database(&url)
                .await
                .context("creating the database")?;
            admin::migrate(&url)
                .await
                .context("migrating the database")?;
        }
        let keys = Arc::new(Keyring::new(&settings.crypto)?);
        let store = Arc::new(PgStore::connect(&settings.database, keys)?);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let policy = Arc::new(settings.policy.clone());
        let sandbox = Arc::new(SandboxProviders::new(settings.sandbox.base_url.clone()));

        let record = Arc::new(RecordProviderResult::new(
            store.clone(),
            clock.clone(),
            policy.clone(),
            store.clone(),
        ));
        let use_cases = UseCases {
            register_account: RegisterAccount::new(store.clone(), clock.clone(), policy.clone()),
            get_account: GetAccount::new(store.clone()),
            get_status: GetStatus::new(store.clone(), store.clone(), policy.clone()),
            refuse_deauthentication: RefuseDeauthentication::new(store.clone()),
            get_capabilities: GetCapabilities::new(store.clone(), clock.clone()),
            list_methods: ListMethods,
            submit_application: SubmitApplication::new(
                store.clone(),
                clock.clone(),
                policy.clone(),
                sandbox.clone(),
            ),
            list_applications: ListApplications::new(store.clone(), store.clone()),
            get_application: GetApplication::new(store.clone(), store.clone()),
            withdraw_application: WithdrawApplication::new(
                store.clone(),
                clock.clone(),
                store.clone(),
                store.clone(),
            ),
            record_provider_result: record.clone(),
            complete_sandbox_application: CompleteSandboxApplication::new(
                store.clone(),
                store.clone(),
                sandbox,
                record,
            ),
        };
        let state = web::Data::new(HttpState {
            use_cases,
            auth: Authenticator::new(settings.auth.clone()),
            signatures: settings.providers.clone(),
            idempotency: store.clone(),
            readiness: store.clone(),
            clock: clock.clone(),
            sandbox: settings.sandbox.enabled,
        });

        let listener = TcpListener::bind(&settings.http.listen)
            .with_context(|| format!("binding {}", settings.http.listen))?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(realname_http::configure(state.clone()))
        })
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)?;
        if settings.http.workers > 0 {
            server = server.workers(settings.http.workers);
        }
        let expire = ExpireSessions::new(store.clone(), clock, store, 100);
        let jobs: Vec<(Arc<dyn Job>, Duration)> = if settings.scheduler.enabled {
            let every =
                Duration::from_secs(settings.scheduler.expire_sessions_interval_secs.max(1));
            vec![(Arc::new(ExpireSessionsJob(Arc::new(expire))), every)]
        } else {
            Vec::new()
        };
        Ok(Self {
            port,
            server: server.run(),
            jobs,
        })
    }

    /// The bound port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, finishes in-flight requests
    /// and the current job ticks.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let jobs = realname_scheduler::spawn_all(self.jobs, &shutdown);
        let server = tokio::spawn(self.server);
        shutdown.cancelled().await;
        tracing::info!("shutting down");
        handle.stop(true).await;
        for job in jobs {
            job.await?;
        }
        server.await??;
        Ok(())
    }
}
