//! `dutyduck probe --server URL`: runs this binary as a remote probe of a server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

const AFTER_HELP: &str = "\
The probe runs the checks its server assigns to it (monitors whose locations select one of the
probe's labels), from the network it runs in, on the server's schedule, and reports them. It keeps
no database: results wait in --buffer-dir until the server has them, so a server restart or a
network outage loses nothing (up to --buffer-max-results, the oldest dropped past it); they are
sent oldest first when the server is back. Results older than their monitor's interval when they
arrive are kept as late and do not count for the monitor's status.

Register the probe on the server first: `dutyduck probes add --name eu-west --label
region=eu-west` (instance-wide, on the server's VM), or in the dashboard for an organization.
Either shows its token (ddp_…) once.

Environment:
  DUTYDUCK_PROBE_TOKEN  the probe's token (or --token-file); never on the command line, so it
                        does not show in ps
The token lets the probe fetch its assignments and post results, nothing else.

SIGTERM or Ctrl-C stops it after the checks under way end; their results stay in the buffer for
the next start. Exit status: 0 once stopped, 1 when the buffer dir cannot be used, 2 for a usage
error.";

#[derive(Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ProbeArgs {
    /// The server's URL, e.g. https://dutyduck.example.com.
    #[arg(long, env = "DUTYDUCK_SERVER", value_name = "URL", value_parser = parse_server)]
    server: url::Url,
    /// A file holding the probe's token (instead of DUTYDUCK_PROBE_TOKEN).
    #[arg(long, env = "DUTYDUCK_PROBE_TOKEN_FILE", value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Where results wait until the server has them (created if missing).
    #[arg(
        long,
        env = "DUTYDUCK_PROBE_BUFFER_DIR",
        value_name = "DIR",
        default_value = "./probe-buffer"
    )]
    buffer_dir: PathBuf,
    /// The most results the buffer keeps; past it the oldest are dropped (and counted in the log).
    #[arg(long, env = "DUTYDUCK_PROBE_BUFFER_MAX_RESULTS", value_name = "N", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    buffer_max_results: u64,
    /// The most checks running at once.
    #[arg(long, env = "DUTYDUCK_PROBE_CONCURRENCY", value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    concurrency: u64,
    /// `probe` never opens a data dir: this hidden copy keeps the global flag out of its help.
    #[arg(id = "data_dir", long = "data-dir", hide = true)]
    _data_dir: Option<PathBuf>,
}

fn parse_server(raw: &str) -> Result<url::Url, String> {
    match url::Url::parse(raw.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(u),
        _ => Err(format!(
            "{raw:?} is not an http:// or https:// URL, e.g. https://dutyduck.example.com"
        )),
    }
}

/// The token from the environment (never a flag: it would show in `ps`) or the file; Err says
/// how to give one.
fn token(args: &ProbeArgs) -> Result<String, String> {
    let from_env = std::env::var("DUTYDUCK_PROBE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    let token = match (&from_env, &args.token_file) {
        (Some(token), _) => token.trim().to_owned(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read --token-file {}: {e}", path.display()))?
            .trim()
            .to_owned(),
        (None, None) => {
            return Err(
                "no probe token: set DUTYDUCK_PROBE_TOKEN or give --token-file PATH \
                        (the ddp_… token shown by `dutyduck probes add` on the server)"
                    .into(),
            );
        }
    };
    if !token.starts_with("ddp_") || token.contains(char::is_whitespace) {
        return Err(
            "the probe token should look like ddp_…: the one shown by `dutyduck probes \
                    add` (an API token does not work here)"
                .into(),
        );
    }
    Ok(token)
}

pub fn main(args: ProbeArgs) -> ExitCode {
    let token = match token(&args) {
        Ok(token) => token,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let config = crate::probes::agent::Config {
        server: args.server,
        token,
        buffer_dir: args.buffer_dir,
        buffer_max_results: usize::try_from(args.buffer_max_results).unwrap_or(usize::MAX),
        concurrency: usize::try_from(args.concurrency).unwrap_or(64),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let stop = crate::server::shutdown_signal().map_err(|e| e.to_string())?;
        crate::probes::agent::run(config, crate::clock::Clock::system(), stop).await
    });
    // Its worker threads end before the process does: exiting while they still run (a check
    // or a send aborted at the stop, dropping its state) can crash the exit itself, which a
    // supervisor would see as a failure although every result is in the buffer.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
