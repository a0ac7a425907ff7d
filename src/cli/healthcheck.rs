//! `dutyduck healthcheck [--url URL]`: asks a running server's `/healthz` and turns the answer
//! into an exit code, for Docker's `HEALTHCHECK`, a systemd timer or a script. It needs no data
//! dir and no shell, so it works in a scratch image.

use super::output::outln;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde::Deserialize;

#[derive(Args)]
pub struct HealthcheckArgs {
    /// The server's URL, e.g. https://dutyduck.example.com (`/healthz` is added) [default:
    /// http:// and the --listen address, 0.0.0.0 and [::] meaning this machine].
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The address the server listens on (the same variable as `serve --listen`), used
    /// without --url.
    #[arg(long, env = "DUTYDUCK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// How long to wait for the answer, connection included.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

/// `/healthz`'s body: `{"status", "problems": [{"code", "message"}]}`.
#[derive(Deserialize)]
struct Health {
    #[serde(default)]
    problems: Vec<Problem>,
}

#[derive(Deserialize)]
struct Problem {
    code: String,
    message: String,
}

/// 0 when `/healthz` answers 200; 1 (with the reasons on stderr) for any other answer, no
/// answer in time, or no server at all.
pub fn main(args: HealthcheckArgs) -> ExitCode {
    let url = healthz_url(args.url.as_deref(), &args.listen);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("unhealthy: cannot start the HTTP client: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(ask(&url, args.timeout)) {
        Ok(()) => {
            outln!("healthy: {url} answered 200");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("unhealthy: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn ask(url: &str, timeout: Duration) -> Result<(), String> {
    let client = crate::outbound::client_builder()
        .timeout(timeout)
        // A health check is about this server, never about a proxy from the environment.
        .no_proxy()
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    let unreachable = |e: reqwest::Error| match e.is_timeout() {
        true => format!(
            "{url} did not answer within {}",
            humantime::format_duration(timeout)
        ),
        false => format!("cannot reach {url}: {}", crate::outbound::root_cause(&e)),
    };
    let resp = client.get(url).send().await.map_err(unreachable)?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(unreachable)?;
    if status.is_success() {
        return Ok(());
    }
    let mut why = format!("{url} answered {status}");
    match serde_json::from_slice::<Health>(&body) {
        Ok(health) => {
            for p in health.problems {
                why.push_str(&format!("\n  {}: {}", p.code, p.message));
            }
        }
        Err(_) => {
            let start: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            if !start.trim().is_empty() {
                why.push_str(&format!("\n  {}", start.trim()));
            }
        }
    }
    Err(why)
}

/// `--url` with `/healthz` added, or `http://` and the listen address; an address that listens
/// everywhere is asked on the loopback of its family.
fn healthz_url(url: Option<&str>, listen: &str) -> String {
    if let Some(url) = url {
        let base = url.trim().trim_end_matches('/');
        return match base.ends_with("/healthz") {
            true => base.to_owned(),
            false => format!("{base}/healthz"),
        };
    }
    let host = match listen.trim().parse::<SocketAddr>() {
        Ok(addr) => SocketAddr::new(
            match addr.ip() {
                IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
                ip => ip,
            },
            addr.port(),
        )
        .to_string(),
        // A host name and port, as `serve` accepts.
        Err(_) => listen.trim().to_owned(),
    };
    format!("http://{host}/healthz")
}

#[cfg(test)]
mod tests {
    use super::healthz_url;

    #[test]
    fn the_url_comes_from_url_or_from_the_listen_address() {
        let cases = [
            (None, "127.0.0.1:8080", "http://127.0.0.1:8080/healthz"),
            (None, "0.0.0.0:9000", "http://127.0.0.1:9000/healthz"),
            (None, "[::]:8080", "http://[::1]:8080/healthz"),
            (None, "[::1]:8080", "http://[::1]:8080/healthz"),
            (None, "localhost:8080", "http://localhost:8080/healthz"),
            (
                Some("https://duck.example.com/"),
                "",
                "https://duck.example.com/healthz",
            ),
            (
                Some("http://10.0.0.2:8080/healthz"),
                "",
                "http://10.0.0.2:8080/healthz",
            ),
        ];
        for (url, listen, expected) in cases {
            assert_eq!(healthz_url(url, listen), expected, "{url:?} {listen:?}");
        }
    }
}
