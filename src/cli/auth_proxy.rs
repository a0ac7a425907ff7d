//! `serve` flags for sign-in by a reverse proxy (see `accounts::proxy`).

use crate::accounts::proxy::AuthProxy;

#[derive(clap::Args)]
pub struct AuthProxyArgs {
    /// Trust this header, holding the signed-in user's e-mail (Authelia: Remote-Email;
    /// oauth2-proxy: X-Forwarded-Email), when a request comes from a --trusted-proxy address:
    /// the proxy's users are signed in without a password or two-factor code. Only this header
    /// is believed; the proxy must set it on every request.
    #[arg(long, env = "DUTYDUCK_AUTH_PROXY_HEADER", value_name = "HEADER")]
    auth_proxy_header: Option<String>,
    /// Create the proxy's users that have no account (joined to the only organization as
    /// Reporter; refused when there are several). Default: unknown users are refused.
    #[arg(
        long,
        env = "DUTYDUCK_AUTH_PROXY_CREATE_USERS",
        requires = "auth_proxy_header"
    )]
    auth_proxy_create_users: bool,
}

impl AuthProxyArgs {
    /// The settings, or a usage error (exit 2) naming the fix: a header believed from any
    /// address would let anyone sign in as anyone.
    pub fn settings(self, trusted_proxies: &[ipnet::IpNet]) -> Option<AuthProxy> {
        let header = self.auth_proxy_header?;
        if trusted_proxies.is_empty() {
            clap::Error::raw(
                clap::error::ErrorKind::MissingRequiredArgument,
                format!(
                    "--auth-proxy-header {header} needs --trusted-proxy: the header is believed only from the proxy's address (e.g. --trusted-proxy 127.0.0.1/32), or anyone could sign in as anyone\n"
                ),
            )
            .exit();
        }
        let valid = warp::http::HeaderName::from_bytes(header.trim().as_bytes()).is_ok();
        if !valid {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--auth-proxy-header {header:?} is not a header name\n"),
            )
            .exit();
        }
        Some(AuthProxy {
            header: header.trim().to_ascii_lowercase(),
            create_users: self.auth_proxy_create_users,
        })
    }
}
