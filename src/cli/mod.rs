//! The command line: `serve`, and the offline admin commands that work directly on the data dir.

mod auth_proxy;
mod backup;
mod config;
mod footprint;
mod healthcheck;
mod import;
mod limits;
mod output;
mod probe;
mod probes;
mod push;
mod restore;
mod run;
mod token;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};

#[derive(Parser)]
#[command(
    name = "dutyduck",
    version = env!("DUTYDUCK_VERSION"),
    about = "Uptime, scheduled-job and incident monitoring in one self-hosted binary",
    long_about = "Uptime, scheduled-job and incident monitoring in one self-hosted binary.\n\n\
        Start the server with `dutyduck serve`. The admin commands (user, token, backup) work directly \
        on the data dir, whether the server runs or not; their changes apply to the server's next request. \
        `restore` needs the server stopped; `healthcheck` asks a running server."
)]
pub struct Cli {
    /// Directory holding dutyduck.db; created by `serve` on first start.
    #[arg(
        long,
        global = true,
        env = "DUTYDUCK_DATA_DIR",
        default_value = "./dutyduck-data"
    )]
    pub data_dir: PathBuf,

    /// How much the server and the admin commands log (RUST_LOG, if set, takes precedence).
    #[arg(long, global = true, default_value = "info",
          value_parser = ["error", "warn", "info", "debug", "trace"])]
    pub log_level: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server: REST API at the root, dashboard under /dashboard.
    Serve {
        /// Address and port to listen on (use 0.0.0.0:8080 to accept connections from other hosts).
        #[arg(long, env = "DUTYDUCK_LISTEN", default_value = "127.0.0.1:8080", value_name = "HOST:PORT",
              value_parser = parse_listen)]
        listen: String,
        /// How long every single check result is kept; hourly and daily rollups (uptime,
        /// charts) are kept 400 and 800 days.
        /// At least a day: the 24 h chart reads raw results.
        #[arg(long, env = "DUTYDUCK_RAW_RETENTION", default_value = "7d", value_parser = parse_raw_retention)]
        raw_retention: std::time::Duration,
        /// How long task runs (with their output excerpts) and ping log messages are kept.
        #[arg(long, env = "DUTYDUCK_RUN_RETENTION", default_value = "90d", value_parser = humantime::parse_duration)]
        run_retention: std::time::Duration,
        /// How long audit log entries (who changed what, sign-ins) are kept.
        #[arg(long, env = "DUTYDUCK_AUDIT_RETENTION", default_value = "400d", value_parser = humantime::parse_duration)]
        audit_retention: std::time::Duration,
        /// The address users reach the dashboard at (e.g. https://status.example.com), for the
        /// links in notifications. Without it, messages carry no link.
        #[arg(long, env = "DUTYDUCK_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// SMTP relay for e-mail notifications: smtp://host:25 (plain),
        /// smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://user:pass@host:465 (TLS).
        /// Prefer the environment variable: it keeps the password out of `ps`.
        #[arg(
            long,
            env = "DUTYDUCK_SMTP_URL",
            requires = "smtp_from",
            hide_env_values = true
        )]
        smtp_url: Option<String>,
        /// Sender of e-mail notifications, e.g. "dutyduck <alerts@example.com>".
        #[arg(long, env = "DUTYDUCK_SMTP_FROM", requires = "smtp_url")]
        smtp_from: Option<String>,
        /// A reverse proxy (address or CIDR, repeat the flag or separate with commas) whose
        /// X-Forwarded-For or Forwarded header names the client; used by the login throttle.
        /// Without it the client is the socket peer and those headers are ignored.
        #[arg(long = "trusted-proxy", env = "DUTYDUCK_TRUSTED_PROXY", value_delimiter = ',', value_name = "CIDR",
              value_parser = crate::http::client_addr::TrustedProxies::parse_one)]
        trusted_proxies: Vec<ipnet::IpNet>,
        /// Require `Authorization: Bearer <token>` on /metrics (default: open, server-wide
        /// counts only). Prefer the environment variable: it keeps the token out of `ps`.
        #[arg(long, env = "DUTYDUCK_METRICS_TOKEN", hide_env_values = true, value_parser = parse_metrics_token)]
        metrics_token: Option<String>,
        /// Origins whose pages may call the API with token headers: * (any, the default) or a
        /// comma-separated list like https://tool.example.com. The dashboard and login never
        /// answer other origins, and session cookies are never accepted from them.
        #[arg(long, env = "DUTYDUCK_CORS_ORIGINS", default_value = "*", value_parser = crate::http::cors::CorsOrigins::parse)]
        cors_origins: crate::http::cors::CorsOrigins,
        #[command(flatten)]
        limits: limits::LimitArgs,
        #[command(flatten)]
        backups: backup::ScheduleArgs,
        /// How long an invitation's link works (7d, 48h); resending one makes a new link.
        #[arg(long, env = "DUTYDUCK_INVITATION_EXPIRY", default_value = "7d", value_parser = humantime::parse_duration)]
        invitation_expiry: std::time::Duration,
        /// Who may create an account: open (anyone signs up and gets an organization of their
        /// own), invite (no sign-up; invitations may create accounts) or closed (invitations add
        /// existing accounts only; new ones come from `dutyduck user create`).
        #[arg(long, env = "DUTYDUCK_SIGNUP", value_enum, default_value_t = Default::default())]
        signup: crate::accounts::signup::SignupPolicy,
        #[command(flatten)]
        auth_proxy: auth_proxy::AuthProxyArgs,
        #[command(flatten)]
        push: Box<push::PushArgs>,
        #[command(flatten)]
        footprint: footprint::FootprintArgs,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage API access tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Manage remote probes: add, list, remove, token (instance-wide ones are changed only here).
    #[command(subcommand)]
    Probes(probes::ProbesCommand),
    /// Write a consistent copy of the database, also while the server runs.
    Backup(backup::BackupArgs),
    /// Replace the database with a backup (the server must be stopped; the old file is kept).
    Restore(restore::RestoreArgs),
    /// Bring another tool's setup (Uptime Kuma, Healthchecks) into an organization.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Print an organization's monitors, tasks, channels, escalation policies, maintenance
    /// windows and status pages as one YAML (or JSON) document; secrets as ${NAME} references.
    Export(config::ExportArgs),
    /// Apply a document (from `export`, or written by hand) in one transaction, printing the plan
    /// (create / update / delete, field by field). Works on the data dir of a stopped server; a
    /// running one takes it through PUT /config (and POST /config/plan for a dry run).
    Apply(config::ApplyArgs),
    /// Run a command (a cron job) and report it to a server as a run of a task.
    Run(run::RunArgs),
    /// Ask a running server's /healthz whether it keeps watch: exit 0 when healthy, 1 otherwise
    /// (for Docker's HEALTHCHECK, systemd or a script).
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Run as a remote probe of a server: check what it assigns from this machine's network.
    Probe(probe::ProbeArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log_level);
    // reqwest is built without a default crypto provider; ring is the one compiled in.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match run(cli) {
        Ok(code) => code,
        // `Error::internal` has logged the detail just above, and its message, "see the server
        // log", would send the user of an offline command looking for a log that does not exist.
        Err(e) if e.is_internal() => {
            eprintln!("error: an unexpected failure (details above); please report it as a bug");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        // The wrapper exits with its command's code, not just success or failure.
        Command::Run(args) => return Ok(ExitCode::from(run::main(args))),
        Command::Healthcheck(args) => return Ok(healthcheck::main(args)),
        Command::Probe(args) => return Ok(probe::main(args)),
        Command::Serve {
            listen,
            raw_retention,
            run_retention,
            audit_retention,
            public_url,
            smtp_url,
            smtp_from,
            trusted_proxies,
            metrics_token,
            cors_origins,
            limits,
            backups,
            invitation_expiry,
            signup,
            auth_proxy,
            push,
            footprint,
        } => {
            let auth_proxy = auth_proxy.settings(&trusted_proxies);
            let runtime = footprint.runtime().map_err(Error::internal)?;
            let smtp = smtp_url
                .zip(smtp_from)
                .map(|(url, from)| crate::notify::send::SmtpSettings { url, from });
            let config = crate::server::Config {
                raw_retention,
                run_retention,
                audit_retention,
                public_url,
                smtp,
                trusted_proxies: crate::http::client_addr::TrustedProxies::new(trusted_proxies),
                metrics_token,
                auth_proxy,
                cors_origins,
                limits: limits.limits(),
                backups: backups.schedule(&cli.data_dir),
                invitation_expiry,
                signup,
                store: footprint.store(),
                ..push.config(crate::server::Config::new(listen, cli.data_dir))
            };
            runtime.block_on(crate::server::serve_until_signal(config))
        }
        Command::User(command) => user::run(&cli.data_dir, command),
        Command::Token(command) => token::run(&cli.data_dir, command),
        Command::Probes(command) => probes::run(&cli.data_dir, command),
        Command::Backup(args) => backup::run(&cli.data_dir, args),
        Command::Restore(args) => restore::run(&cli.data_dir, args),
        Command::Import(command) => import::run(&cli.data_dir, command),
        Command::Export(args) => config::export(&cli.data_dir, args),
        Command::Apply(args) => config::apply(&cli.data_dir, args),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// `host:port`, checked before anything starts: `8080` or `:8090` would otherwise fail later
/// with a resolver's message that does not say what form is expected.
/// `--raw-retention`: a duration of a day or more (the 24 h chart reads raw results; a shorter
/// retention would cut it without saying so).
fn parse_raw_retention(raw: &str) -> std::result::Result<std::time::Duration, String> {
    let duration = humantime::parse_duration(raw).map_err(|e| format!("{raw:?}: {e}"))?;
    if duration < std::time::Duration::from_secs(86_400) {
        return Err(format!(
            "{raw:?} is shorter than a day: the 24 h chart reads raw results (e.g. 1d, 7d, 30d)"
        ));
    }
    Ok(duration)
}

fn parse_listen(raw: &str) -> std::result::Result<String, String> {
    let expected = "expected HOST:PORT, e.g. 127.0.0.1:8080 (this machine only), \
                    0.0.0.0:8080 (all IPv4 interfaces) or [::]:8080";
    let Some((host, port)) = raw.rsplit_once(':') else {
        return Err(format!("{raw:?} has no host; {expected}"));
    };
    if port.parse::<u16>().is_err() {
        return Err(format!(
            "{port:?} is not a port number (0 to 65535); {expected}"
        ));
    }
    if host.is_empty() {
        return Err(format!("{raw:?} has no host; {expected}"));
    }
    if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
        return Err(format!(
            "{raw:?}: an IPv6 address goes in brackets, like [::1]:8080"
        ));
    }
    Ok(raw.to_owned())
}

/// An absolute http(s) URL, without a trailing slash.
fn parse_public_url(raw: &str) -> std::result::Result<String, String> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(format!("{raw:?} is not an http:// or https:// URL")),
    }
}

/// A token worth the name: a short one could be guessed (there is no throttle on /metrics).
fn parse_metrics_token(raw: &str) -> std::result::Result<String, String> {
    let token = raw.trim();
    if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("use at least 16 printable ASCII characters without spaces, e.g. from `openssl rand -hex 32`".into());
    }
    Ok(token.to_owned())
}

fn init_logging(level: &str) {
    let env = env_logger::Env::default()
        .default_filter_or(format!("{level},warp=warn,hyper=warn,refinery_core=warn"));
    env_logger::Builder::from_env(env)
        .format_target(false)
        .init();
}

/// Runs `f` in one immediate transaction on the data dir's database.
fn in_transaction<T>(
    data_dir: &std::path::Path,
    create: crate::store::Create,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let mut conn = crate::store::open_migrated(data_dir, create)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Runs `f` in one read transaction on a read-only connection: for the commands that only read,
/// so they also work on a read-only data dir.
fn in_read_transaction<T>(
    data_dir: &std::path::Path,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let conn = crate::store::open_for_reading(data_dir)?;
    let tx = conn.unchecked_transaction()?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}
