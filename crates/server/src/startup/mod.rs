//! Wiring: `Application::build(settings)` composes the adapters around the use cases, so the
//! binary and the e2e tests start the very same thing. The use cases are wired in [`wiring`],
//! the scheduled jobs in [`jobs`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use realname_gateways::{
    Bridge, Credentials, FACEID_VERSION, FaceId, HttpRegistry, HttpSms, HttpWebhookSender,
    RecordingNotifier, RoutedProviders, SANDBOX_SNAPSHOT, SandboxProviders, SandboxRegistry,
    SandboxSms, SmsProvider, SmtpSupport, TencentClient, TencentSms,
};
use realname_http::ratelimit::RateLimits;
use realname_ports::Clock;
use realname_ports::{
    BusinessRegistry, HolderNotifier, ProviderGateway, ProviderResults, SmsSender, SupportNotifier,
    WebhookSender,
};
use realname_postgres::{CachedCapabilities, DatabaseSettings, Keyring, PgStore, admin};
use realname_scheduler::Job;
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::settings::{Mode, Settings};

mod jobs;
mod wiring;

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
    metrics_port: u16,
    server: actix_web::dev::Server,
    metrics: actix_web::dev::Server,
    jobs: Vec<(Arc<dyn Job>, Duration)>,
    recording: Option<Arc<RecordingNotifier>>,
    capabilities: Arc<CachedCapabilities>,
    database_url: String,
    rate_limits: Option<Arc<RateLimits>>,
}

/// The adapters every use case is wired from.
#[derive(Clone)]
pub(crate) struct Adapters {
    store: Arc<PgStore>,
    keys: Arc<Keyring>,
    clock: Arc<dyn Clock>,
    policy: Arc<realname_domain::Policy>,
    calendar: Arc<realname_domain::calendar::BusinessCalendar>,
    sandbox_providers: Arc<SandboxProviders>,
    providers: Arc<dyn ProviderGateway>,
    results: Arc<dyn ProviderResults>,
    registry: Arc<dyn BusinessRegistry>,
    holders: Arc<dyn HolderNotifier>,
    support: Arc<dyn SupportNotifier>,
    recording: Option<Arc<RecordingNotifier>>,
    sms: Arc<dyn SmsSender>,
    sandbox_sms: Option<Arc<SandboxSms>>,
    webhook_sender: Arc<dyn WebhookSender>,
    allow_local_webhooks: bool,
    webhook_rotation_overlap: chrono::Duration,
    capabilities: Arc<CachedCapabilities>,
}

impl Adapters {
    pub(crate) async fn connect(settings: &Settings) -> anyhow::Result<Self> {
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
        let calendar = settings.policy.calendar().map_err(anyhow::Error::msg)?;
        let registry: Arc<dyn BusinessRegistry> = if settings.sandbox.enabled {
            let snapshot = match &settings.registry.sandbox_snapshot {
                Some(path) => {
                    std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?
                }
                None => SANDBOX_SNAPSHOT.to_owned(),
            };
            Arc::new(SandboxRegistry::from_csv(&snapshot)?)
        } else {
            Arc::new(HttpRegistry::new(&settings.registry)?)
        };
        let sandbox_sms = settings
            .sandbox
            .enabled
            .then(|| Arc::new(SandboxSms::default()));
        let (real_sms, real_holders): (Arc<dyn SmsSender>, Arc<dyn HolderNotifier>) =
            match settings.sms.provider {
                SmsProvider::Http => {
                    let sms = Arc::new(HttpSms::new(&settings.sms)?);
                    (sms.clone(), sms)
                }
                SmsProvider::Tencent => {
                    let sms = Arc::new(TencentSms::new(&settings.sms)?);
                    (sms.clone(), sms)
                }
            };
        let sms: Arc<dyn SmsSender> = match &sandbox_sms {
            Some(sandbox) => sandbox.clone(),
            None => real_sms,
        };
        // Notices go to the recording twin unless the service runs for real (production mode,
        // no sandbox): then holders by SMS, support by e-mail.
        let live = settings.mode == Mode::Production && !settings.sandbox.enabled;
        let recording = (!live).then(|| Arc::new(RecordingNotifier::default()));
        let (holders, support): (Arc<dyn HolderNotifier>, Arc<dyn SupportNotifier>) =
            match &recording {
                Some(twin) => (twin.clone(), twin.clone()),
                None => (real_holders, Arc::new(support_mailer(settings)?)),
            };
        let (sandbox_providers, providers, faceid) = providers(settings)?;
        let allow_local_webhooks = settings.sandbox.enabled || settings.mode == Mode::Development;
        let timeout = Duration::from_millis(settings.webhooks.timeout_ms);
        let store = Arc::new(PgStore::connect(&settings.database, keys.clone())?);
        Ok(Self {
            keys,
            capabilities: CachedCapabilities::new(store.clone(), settings.capabilities.clone()),
            store,
            sms,
            sandbox_sms,
            webhook_sender: Arc::new(HttpWebhookSender::new(timeout, !allow_local_webhooks)?),
            allow_local_webhooks,
            webhook_rotation_overlap: settings.webhooks.rotation_overlap(),
            clock: Arc::new(SystemClock),
            policy: Arc::new(settings.rules()),
            calendar: Arc::new(calendar),
            sandbox_providers,
            providers,
            results: faceid,
            registry,
            holders,
            support,
            recording,
        })
    }

    /// The same adapters over a pool of their own, whose connections run on the calling
    /// thread's runtime: an HTTP worker's queries then never hop to another thread and back
    /// (the hops were most of a verification's CPU). The capability cache stays
    /// shared. If the pool cannot be made, the shared one serves.
    fn on_this_worker(&self, database: &DatabaseSettings) -> Self {
        let mut local = self.clone();
        match PgStore::connect(database, self.keys.clone()) {
            Ok(store) => local.store = Arc::new(store),
            Err(error) => tracing::warn!(error = %error, "an HTTP worker shares the main pool"),
        }
        local
    }
}

/// The verification providers: the sandbox twin in sandbox mode; otherwise FaceID for the face
/// methods and the provider bridge for the scans. FaceID also pulls the results of its sessions.
#[allow(clippy::type_complexity)]
fn providers(
    settings: &Settings,
) -> anyhow::Result<(
    Arc<SandboxProviders>,
    Arc<dyn ProviderGateway>,
    Arc<dyn ProviderResults>,
)> {
    let sandbox = Arc::new(SandboxProviders::new(settings.sandbox.base_url.clone()));
    let public_base_url = settings.public_base_url();
    let faceid = &settings.providers.faceid;
    let client = TencentClient::new(
        &faceid.endpoint,
        "faceid",
        FACEID_VERSION,
        None,
        Credentials::new(
            faceid.secret_id.clone(),
            faceid.secret_key.expose_secret().to_owned(),
        ),
        Duration::from_millis(faceid.timeout_ms),
    )
    .context("providers.faceid.endpoint")?;
    let faceid = Arc::new(FaceId::new(
        client,
        settings.providers.faceid_rules(&public_base_url),
    ));
    if settings.sandbox.enabled {
        return Ok((sandbox.clone(), sandbox, faceid));
    }
    let scans: Arc<dyn ProviderGateway> = match settings.providers.bridge(&public_base_url) {
        Some(config) => Arc::new(Bridge::new(config)?),
        None => Arc::new(Unconfigured("providers.bridge.base_url")),
    };
    let routed = Arc::new(RoutedProviders {
        face: faceid.clone(),
        scans,
    });
    Ok((sandbox, routed, faceid))
}

/// The support desk's mailer (`notifications.support.*`).
fn support_mailer(settings: &Settings) -> anyhow::Result<SmtpSupport> {
    let support = &settings.notifications.support;
    let missing = |key: &str| anyhow::anyhow!("{key} is not set");
    SmtpSupport::new(
        support
            .smtp_url
            .as_ref()
            .ok_or_else(|| missing("notifications.support.smtp_url"))?
            .expose_secret(),
        support
            .from
            .as_deref()
            .ok_or_else(|| missing("notifications.support.from"))?,
        support
            .to
            .as_deref()
            .ok_or_else(|| missing("notifications.support.to"))?,
        Duration::from_millis(support.timeout_ms),
    )
}

/// A provider whose address is not configured (development mode only: production refuses to
/// start without it). Every session it is asked for fails, naming the key.
struct Unconfigured(&'static str);

#[async_trait::async_trait]
impl ProviderGateway for Unconfigured {
    async fn start_session(
        &self,
        _: &realname_ports::SessionRequest,
    ) -> Result<realname_ports::ProviderSession, realname_ports::GatewayError> {
        Err(realname_ports::GatewayError::Unavailable(anyhow::anyhow!(
            "{} is not set",
            self.0
        )))
    }
}

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process-wide Prometheus recorder, installed once.
fn prometheus() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        // Histograms with buckets (aggregatable across replicas, and cheap to fold samples
        // into) rather than the default summaries.
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .unwrap_or_else(|_| metrics_exporter_prometheus::PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        handle
    })
}

/// The Prometheus text renderer.
fn prometheus_text() -> Arc<dyn Fn() -> String + Send + Sync> {
    Arc::new(|| prometheus().render())
}

/// Runs `tick` every `period` until `stop`.
fn repeat(period: Duration, stop: CancellationToken, tick: impl Fn() + Send + 'static) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = every.tick() => tick(),
            }
        }
    });
}

/// A claimer id unique to this process: what leases are held under.
pub(crate) fn claimer_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "realname".to_owned());
    format!(
        "{host}-{}-{:x}",
        std::process::id(),
        SystemClock.now().timestamp_subsec_nanos()
    )
}

fn lease(settings: &Settings) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(settings.scheduler.lease_secs).unwrap_or(300))
}

impl Application {
    /// Builds the service: creates and migrates the database if configured, connects, wires
    /// every use case and binds the listener (port 0 picks a free one).
    ///
    /// # Errors
    /// When the database, the keys or the listener are not usable.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.check_mode()?;
        realname_http::Authenticator::try_new(settings.auth.clone()).map_err(anyhow::Error::msg)?;
        let adapters = Adapters::connect(&settings).await?;
        let rate_limits = RateLimits::new(&settings.rate_limit)
            .map_err(anyhow::Error::msg)
            .context("rate_limit.trusted_proxies")?
            .map(Arc::new);
        let listener = TcpListener::bind(&settings.http.listen)
            .with_context(|| format!("binding {}", settings.http.listen))?;
        let port = listener.local_addr()?.port();
        let workers = match settings.http.workers {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        };
        // database.pool_size is shared out among the HTTP workers; the jobs and the capability
        // cache keep a pool of that size of their own.
        let worker_database = DatabaseSettings {
            pool_size: settings.database.pool_size.div_ceil(workers).max(1),
            ..settings.database.clone()
        };
        let shared = adapters.clone();
        let worker_settings = settings.clone();
        let worker_rate_limits = rate_limits.clone();
        let mut server = HttpServer::new(move || {
            let state = shared
                .on_this_worker(&worker_database)
                .http_state(&worker_settings, worker_rate_limits.clone());
            let app = App::new()
                .wrap(tracing_actix_web::TracingLogger::<
                    realname_http::telemetry::RequestSpan,
                >::new())
                .wrap(actix_web::middleware::from_fn(
                    realname_http::ratelimit::limit,
                ))
                .wrap(actix_web::middleware::from_fn(
                    realname_http::metrics::track,
                ));
            realname_http::serve(app, web::Data::new(state))
        })
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)?;
        server = server.workers(workers);
        let jobs = adapters.jobs(&settings);
        let metrics_listener = TcpListener::bind(&settings.telemetry.metrics_listen)
            .with_context(|| format!("binding {}", settings.telemetry.metrics_listen))?;
        let metrics_port = metrics_listener.local_addr()?.port();
        let metrics = realname_http::metrics::server(metrics_listener, prometheus_text())?;
        Ok(Self {
            port,
            metrics_port,
            metrics,
            server: server.run(),
            jobs,
            recording: adapters.recording,
            capabilities: adapters.capabilities,
            database_url: settings.database.url.expose_secret().to_owned(),
            rate_limits,
        })
    }

    /// The bound port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// The port of the metrics listener (`telemetry.metrics_listen`).
    #[must_use]
    pub const fn metrics_port(&self) -> u16 {
        self.metrics_port
    }

    /// The notifiers' recording twin, outside production mode.
    #[must_use]
    pub fn recorded_notifications(&self) -> Option<Arc<RecordingNotifier>> {
        self.recording.clone()
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, finishes in-flight requests
    /// and the current job ticks.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let metrics = self.metrics.handle();
        let metrics_task = tokio::spawn(self.metrics);
        self.capabilities.spawn(self.database_url, shutdown.clone());
        if let Some(limits) = self.rate_limits {
            repeat(Duration::from_secs(60), shutdown.clone(), move || {
                limits.forget_idle();
            });
        }
        // Histogram samples pile up between scrapes unless drained: with nobody scraping,
        // memory would grow with every request, and draining seconds of them at once held a
        // core long enough to show in the p99 latency.
        repeat(Duration::from_secs(1), shutdown.clone(), || {
            prometheus().run_upkeep();
        });
        let jobs = realname_scheduler::spawn_all(self.jobs, &shutdown);
        let server = tokio::spawn(self.server);
        shutdown.cancelled().await;
        tracing::info!("shutting down");
        handle.stop(true).await;
        metrics.stop(true).await;
        metrics_task.await??;
        for job in jobs {
            job.await?;
        }
        server.await??;
        Ok(())
    }
}
