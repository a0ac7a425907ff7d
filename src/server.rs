//! `dutyduck serve`: open the store, start the HTTP server and the background jobs, and stop
//! them all cleanly on SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::client_addr::TrustedProxies;
use crate::http::cors::CorsOrigins;
use crate::http::limits::Limits;
use crate::monitors::history::{self, Retention};
use crate::notify::send::SmtpSettings;
use crate::notify::worker::Notifier;
use crate::store::Store;

/// How often pending "last used" times of tokens are written.
const USAGE_FLUSH_EVERY: Duration = Duration::from_secs(10);
/// In-flight requests get this long to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    /// How long every single check result is kept (rollups are kept longer).
    pub raw_retention: Duration,
    /// How long task runs (with their output) and ping log messages are kept.
    pub run_retention: Duration,
    /// How long audit log entries are kept (`--audit-retention`).
    pub audit_retention: Duration,
    /// The SMTP relay for e-mail channels.
    pub smtp: Option<SmtpSettings>,
    /// Where users reach the dashboard, for links in notifications.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: TrustedProxies,
    /// `--auth-proxy-header`: sign-in by a trusted reverse proxy's header.
    pub auth_proxy: Option<crate::accounts::proxy::AuthProxy>,
    /// When set, `/metrics` answers only with `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Which other origins' pages may call the API (token headers only).
    pub cors_origins: CorsOrigins,
    /// What one client may cost: timeouts, connection caps, request head limits.
    pub limits: Limits,
    /// `--backup-every`: scheduled backups, off when absent.
    pub backups: Option<crate::backups::Schedule>,
    /// `--invitation-expiry`: how long an invitation's link works.
    pub invitation_expiry: Duration,
    /// `--signup`: who may create an account.
    pub signup: crate::accounts::signup::SignupPolicy,
    /// `--push-service`: hosts besides the browsers' push services that web push may POST to.
    pub push_services: Vec<String>,
    /// `--vapid-subject`: the contact in web push's VAPID tokens.
    pub vapid_subject: Option<String>,
    /// `--readers`, `--db-cache`: the store's connections and their caches.
    pub store: crate::store::Sizing,
}

impl Config {
    pub fn new(listen: impl Into<String>, data_dir: PathBuf) -> Config {
        Config {
            listen: listen.into(),
            data_dir,
            raw_retention: Duration::from_secs(7 * 86_400),
            run_retention: Duration::from_secs(90 * 86_400),
            audit_retention: Duration::from_secs(400 * 86_400),
            smtp: None,
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            metrics_token: None,
            auth_proxy: None,
            cors_origins: CorsOrigins::Any,
            limits: Limits::default(),
            backups: None,
            invitation_expiry: crate::accounts::invitations::DEFAULT_EXPIRY,
            signup: Default::default(),
            push_services: Vec::new(),
            vapid_subject: None,
            store: Default::default(),
        }
    }
}

/// How often old check history is deleted.
const PURGE_EVERY: Duration = Duration::from_secs(600);

pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Opens the store, binds the listener and starts serving in the background.
pub async fn start(config: &Config, clock: Clock) -> Result<Running> {
    let (data_dir, sizing) = (config.data_dir.clone(), config.store);
    let store = tokio::task::spawn_blocking(move || Store::open_sized(&data_dir, sizing))
        .await
        .map_err(Error::internal)??;
    let listener = crate::http::socket::bind(&config.listen)
        .await
        .map_err(|e| cannot_listen(&config.listen, &e))?;
    let addr = listener.local_addr().map_err(Error::internal)?;
    let notifier = Notifier::new(config.smtp.as_ref(), config.public_url.clone())?
        .with_push(web_push(config).await?);
    let app = Arc::new(App {
        notifier: Arc::new(notifier),
        trusted_proxies: config.trusted_proxies.clone(),
        metrics_token: config.metrics_token.clone(),
        auth_proxy: config.auth_proxy.clone(),
        cors_origins: config.cors_origins.clone(),
        signup: config.signup,
        backups: Arc::new(crate::backups::Backups::new(config.backups.clone())),
        invitation_expiry: config.invitation_expiry,
        ..App::new(store, clock)
    });
    let (stop, stopped) = watch::channel(false);

    let http = {
        let limits = Limits {
            trusted_proxies: config.trusted_proxies.clone(),
            ..config.limits.clone()
        };
        let fd_cap = crate::http::socket::raise_fd_limit();
        let max_connections = limits.max_connections.unwrap_or(fd_cap);
        let filter = crate::http::filter(
            app.clone(),
            Arc::new(limits.clone()),
            crate::routes::router(),
        );
        let serve = crate::http::listener::serve(
            listener,
            filter,
            limits,
            max_connections,
            stopped.clone(),
        );
        tokio::spawn(serve)
    };
    let checks = tokio::spawn(app.scheduler.clone().run(
        app.store.clone(),
        app.clock.clone(),
        stopped.clone(),
    ));
    let deadlines = tokio::spawn(app.task_timer.clone().run(
        app.store.clone(),
        app.clock.clone(),
        stopped.clone(),
    ));
    let maintenance = tokio::spawn(app.maintenance_timer.clone().run(
        app.store.clone(),
        app.clock.clone(),
        stopped.clone(),
    ));
    let notifications = tokio::spawn(app.notifier.clone().run(
        app.store.clone(),
        app.clock.clone(),
        stopped.clone(),
    ));
    let retention = Retention {
        raw: chrono::Duration::from_std(config.raw_retention).unwrap_or(chrono::Duration::days(7)),
        ..Retention::default()
    };
    let run_retention =
        chrono::Duration::from_std(config.run_retention).unwrap_or(chrono::Duration::days(90));
    let audit_retention =
        chrono::Duration::from_std(config.audit_retention).unwrap_or(chrono::Duration::days(400));
    let purge = tokio::spawn(purge_history(
        app.clone(),
        retention,
        (run_retention, audit_retention),
        stopped.clone(),
    ));
    let watchdog = tokio::spawn(crate::health::watchdog::run(app.clone(), stopped.clone()));
    let backups = tokio::spawn(app.backups.clone().run(
        app.store.clone(),
        app.clock.clone(),
        stopped.clone(),
    ));
    app.probes.stop_on(stopped.clone());
    let probe_silence = tokio::spawn(crate::probes::silence::run(app.clone(), stopped.clone()));
    let startup_pages = tokio::spawn(crate::startup_pages::release_after_start(stopped.clone()));
    let usage = tokio::spawn(flush_token_usage(app.clone(), stopped));
    Ok(Running {
        addr,
        app,
        stop,
        tasks: vec![
            http,
            checks,
            deadlines,
            maintenance,
            notifications,
            purge,
            watchdog,
            backups,
            usage,
            probe_silence,
            startup_pages,
        ],
    })
}

/// Web push's VAPID key, made at first start and kept in the data dir (after the store opened
/// it: the data dir exists, is ours and is locked).
async fn web_push(config: &Config) -> Result<crate::notify::push::Pusher> {
    let dir = config.data_dir.clone();
    let vapid = tokio::task::spawn_blocking(move || {
        crate::notify::push::vapid::Vapid::load_or_create(&dir)
    })
    .await
    .map_err(Error::internal)?
    .map_err(Error::unavailable)?;
    let subject = crate::notify::push::vapid::subject(
        config.vapid_subject.as_deref(),
        config.public_url.as_deref(),
        config.smtp.as_ref().map(|s| s.from.as_str()),
    );
    if subject.is_none() {
        log::warn!(
            "web push: no contact for VAPID tokens, so Apple's push service refuses pushes to \
             Safari and iOS; start with --vapid-subject mailto:you@example.com (or an https \
             --public-url, or --smtp-from)"
        );
    }
    let services = crate::notify::push::services::PushServices::new(&config.push_services);
    crate::notify::push::Pusher::new(vapid, subject, services).map_err(Error::unavailable)
}

/// Why the listen address cannot be used, and what to do about it: these are set-up mistakes,
/// not bugs.
fn cannot_listen(listen: &str, e: &std::io::Error) -> Error {
    use std::io::ErrorKind;
    let message = match e.kind() {
        ErrorKind::AddrInUse => {
            format!("{listen} is already in use: stop the other server or choose another --listen")
        }
        ErrorKind::PermissionDenied => format!(
            "{listen}: permission denied; ports below 1024 need root or the \
             CAP_NET_BIND_SERVICE capability: choose a port from 1024 up or grant it"
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{listen} is not an address of this machine: choose one of its addresses, \
             127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces)"
        ),
        _ => format!("cannot listen on {listen} ({e}): check the host name in --listen"),
    };
    Error::unavailable(message)
}

impl Running {
    /// Stops accepting connections, lets in-flight requests finish (up to a grace period),
    /// writes what is pending and closes the store.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                log::warn!(
                    "some requests were still running after {SHUTDOWN_GRACE:?}; closing anyway"
                );
            }
        }
        if let Err(e) = self.app.token_usage.flush(&self.app.store).await {
            log::warn!("could not record token usage: {e}");
        }
        self.app.store.close().await;
    }
}

/// Deletes check history past its retention, old task runs and ping logs, and old sent
/// notifications, and audit log entries past theirs, in small batches so checks keep flowing.
/// Once at start (a server stopped for long catches up at once), then every `PURGE_EVERY`.
async fn purge_history(
    app: Arc<App>,
    retention: Retention,
    (run_retention, audit_retention): (chrono::Duration, chrono::Duration),
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        // One cut-off for the whole run: with a fresh one per call, results turning old while it
        // runs would keep it going.
        let now = app.clock.now();
        loop {
            match app
                .store
                .write(move |c| {
                    Ok(history::purge(c, &retention, now, 5_000)?
                        + crate::tasks::run_store::purge(c, now - run_retention, 5_000)?
                        + crate::notify::outbox::purge(c, now, 5_000)?
                        + crate::audit::store::purge(c, now - audit_retention, 5_000)?)
                })
                .await
            {
                Ok(0) => break,
                Ok(n) => log::debug!("purged {n} old records"),
                Err(e) => {
                    log::warn!("could not purge old history: {e}");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(PURGE_EVERY) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// Every few seconds: token "last used" times, and sessions opened while the disk was full.
async fn flush_token_usage(app: Arc<App>, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(USAGE_FLUSH_EVERY) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if let Err(e) = app.token_usage.flush(&app.store).await {
            log::warn!("could not record token usage: {e}");
        }
        if let Err(e) = app.unstored_sessions.store(&app.store).await {
            log::warn!("could not store the sessions opened while the disk was full: {e}");
        }
    }
}

/// Runs the server until SIGINT or SIGTERM, then stops it cleanly.
pub async fn serve_until_signal(config: Config) -> Result<()> {
    let signal = shutdown_signal()?;
    let running = start(&config, Clock::system()).await?;
    let users = running
        .app
        .store
        .read(crate::accounts::store::count_users)
        .await?;
    let first_user_hint = if users == 0 {
        format!(
            "; no user yet: open http://{}/dashboard to create the first administrator, or run \
             `dutyduck user create --data-dir {} --email you@example.com --first-name Ada \
             --last-name Lovelace --org \"My team\"`",
            running.addr,
            config.data_dir.display()
        )
    } else {
        String::new()
    };
    log::info!(
        "dutyduck {} listening on http://{} (data dir {}){first_user_hint}",
        env!("CARGO_PKG_VERSION"),
        running.addr,
        config.data_dir.display()
    );
    log::info!("{}", notifications_summary(&config));
    signal.await;
    log::info!("shutting down: finishing in-flight requests");
    running.stop().await;
    log::info!("stopped");
    Ok(())
}

/// One line on how notifications will go out, without the SMTP password.
fn notifications_summary(config: &Config) -> String {
    let email = match &config.smtp {
        Some(smtp) => match url::Url::parse(&smtp.url) {
            Ok(u) => format!(
                "e-mail via {}://{}:{} from {}",
                u.scheme(),
                u.host_str().unwrap_or("?"),
                u.port_or_known_default().unwrap_or(25),
                smtp.from
            ),
            Err(_) => "e-mail via the configured relay".to_owned(),
        },
        None => "e-mail channels off (no --smtp-url)".to_owned(),
    };
    let links = match &config.public_url {
        Some(url) => format!("links to {url}/dashboard"),
        None => "no links in messages (no --public-url)".to_owned(),
    };
    format!("notifications: {email}; {links}")
}

/// Installs the SIGINT and SIGTERM handlers now, and returns a future that resolves on either.
/// Installed before the "listening" line is logged, so a signal sent as soon as the server says
/// it is up still stops it cleanly instead of killing it.
pub(crate) fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).map_err(Error::internal)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(Error::internal)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
