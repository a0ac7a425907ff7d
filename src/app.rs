//! The state shared by every request and background job.

use crate::accounts::throttle::LoginThrottle;
use std::sync::Arc;

use crate::clock::Clock;
use crate::http::client_addr::TrustedProxies;
use crate::http::cors::CorsOrigins;
use crate::monitors::scheduler::Scheduler;
use crate::notify::worker::Notifier;
use crate::store::Store;
use crate::tasks::timer::DeadlineTimer;
use crate::tokens::usage::TokenUsage;

/// Checks in flight at once; each waits at most its timeout (≤ 60 s).
const CHECK_CONCURRENCY: usize = 256;

pub struct App {
    pub store: Store,
    pub clock: Clock,
    pub login_throttle: LoginThrottle,
    /// Password reset requests and sign-ups, counted like logins but apart from them.
    pub account_throttle: LoginThrottle,
    /// `--signup`: who may create an account.
    pub signup: crate::accounts::signup::SignupPolicy,
    /// `--trusted-proxy`: whose `X-Forwarded-For` gives the client address.
    pub trusted_proxies: TrustedProxies,
    /// `--cors-origins`: which other origins' pages may call the API.
    pub cors_origins: CorsOrigins,
    /// `--auth-proxy-header`: sign-in by a trusted reverse proxy's header.
    pub auth_proxy: Option<crate::accounts::proxy::AuthProxy>,
    /// `--metrics-token`: when set, `/metrics` wants it as a bearer token.
    pub metrics_token: Option<String>,
    pub token_usage: TokenUsage,
    /// Sessions opened while the disk was full, until they can be stored.
    pub unstored_sessions: crate::accounts::sessions::Unstored,
    /// Runs monitor checks; routes tell it about schedule changes.
    pub scheduler: Arc<Scheduler>,
    /// Moves tasks through due/late/absent and declares silent runs dead.
    pub task_timer: Arc<DeadlineTimer>,
    /// Ends maintenance windows' occurrences, so sources still failing open their incidents.
    pub maintenance_timer: Arc<crate::maintenance::timer::EndTimer>,
    /// Delivers the notification outbox; sends test messages.
    pub notifier: Arc<Notifier>,
    /// Watches the watcher: its figures for `/metrics`.
    pub watchdog: Arc<crate::health::watchdog::Watchdog>,
    /// Scheduled backups (`--backup-every`) and how the last one went.
    pub backups: Arc<crate::backups::Backups>,
    /// Status pages' renderings, until their organization changes.
    pub status_pages: Arc<crate::status_pages::cache::Cache>,
    /// `--invitation-expiry`: how long an invitation's link works.
    pub invitation_expiry: std::time::Duration,
    /// Remote probes' "last seen" write throttle, and the stop signal their long polls end on.
    pub probes: Arc<crate::probes::live::Live>,
}

impl App {
    pub fn new(store: Store, clock: Clock) -> App {
        connect_features();
        App {
            store,
            clock,
            login_throttle: LoginThrottle::default(),
            account_throttle: LoginThrottle::default(),
            signup: Default::default(),
            trusted_proxies: TrustedProxies::default(),
            metrics_token: None,
            auth_proxy: None,
            cors_origins: CorsOrigins::default(),
            token_usage: TokenUsage::default(),
            unstored_sessions: Default::default(),
            scheduler: Arc::new(Scheduler::new(CHECK_CONCURRENCY)),
            task_timer: Arc::default(),
            maintenance_timer: Arc::default(),
            notifier: Arc::new(Notifier::new(None, None).expect("a client without SMTP builds")),
            watchdog: Arc::default(),
            backups: Arc::default(),
            status_pages: Arc::default(),
            invitation_expiry: crate::accounts::invitations::DEFAULT_EXPIRY,
            probes: Arc::default(),
        }
    }
}

/// Wires the features that must not know each other: monitors and tasks answer for their
/// sources, maintenance says which are quiet, incident changes reach notifications, and so does
/// a silence ended early; a bulk silence of incidents is made by silences. Every `App` goes through here (servers,
/// tests); calling it again changes nothing.
pub fn connect_features() {
    crate::incidents::source::register(&crate::monitors::source::REGISTRATION);
    crate::incidents::source::register(&crate::tasks::source::REGISTRATION);
    crate::incidents::quiet::register(crate::maintenance::quieter::quiet);
    crate::incidents::quiet::register(crate::monitors::suppression::quieter);
    crate::monitors::dependents::register(
        crate::monitors::upstreams::DependentType::Task,
        crate::tasks::source::as_dependent,
    );
    crate::incidents::changes::listen(crate::notify::outbox::incident_changed);
    crate::silences::on_end(crate::notify::hold::silence_ended);
    crate::incidents::silencer::install(crate::silences::for_incidents);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Sources → incidents → notify, one way: the only paths between these four features
    /// (`crate::<feature>` anywhere in a feature's files) are the allowed edges, so there is no
    /// cycle among them.
    #[test]
    fn features_depend_one_way() {
        const FEATURES: [&str; 10] = [
            "incidents",
            "monitors",
            "tasks",
            "notify",
            "silences",
            "maintenance",
            "status_pages",
            "badges",
            "overview",
            "probes",
        ];
        let allowed: BTreeSet<(&str, &str)> = [
            ("monitors", "incidents"),
            ("monitors", "notify"),
            ("tasks", "incidents"),
            ("tasks", "notify"),
            // A task's upstreams are monitors, stored by `monitors::upstreams`.
            ("tasks", "monitors"),
            ("notify", "incidents"),
            ("notify", "silences"),
            ("silences", "incidents"),
            // Badges read a monitor's or task's numbers through their functions, and whether
            // a maintenance window makes it quiet.
            ("badges", "monitors"),
            ("badges", "tasks"),
            ("badges", "incidents"),
            ("maintenance", "incidents"),
            // Whether a window pauses a monitor's checks.
            ("monitors", "maintenance"),
            // A task's page shows its next window.
            ("tasks", "maintenance"),
            // A status page shows its components' sources, their incidents and maintenance.
            ("status_pages", "monitors"),
            ("status_pages", "tasks"),
            ("status_pages", "incidents"),
            ("status_pages", "maintenance"),
            // A component's badge, drawn by `badges::render`.
            ("status_pages", "badges"),
            // The Overview reads each feature's counts; none of them knows it.
            ("overview", "monitors"),
            ("overview", "tasks"),
            ("overview", "incidents"),
            ("overview", "maintenance"),
            // A probe fetches the monitors assigned to it and hands their results to monitors;
            // a silent probe opens its own incident.
            ("probes", "monitors"),
            ("probes", "incidents"),
        ]
        .into();
        let mut edges = BTreeSet::new();
        for from in FEATURES {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(from);
            // Every file of the feature, sub-folders included (`monitors/kinds/http/…`).
            let mut folders = vec![dir];
            while let Some(folder) = folders.pop() {
                for entry in std::fs::read_dir(&folder).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        folders.push(path);
                        continue;
                    }
                    let text = std::fs::read_to_string(&path).unwrap();
                    for to in FEATURES {
                        if to != from && text.contains(&format!("crate::{to}")) {
                            edges.insert((from, to));
                        }
                    }
                }
            }
        }
        let unexpected: Vec<_> = edges.difference(&allowed).collect();
        assert!(
            unexpected.is_empty(),
            "edges that make a cycle: {unexpected:?}"
        );
    }
}
