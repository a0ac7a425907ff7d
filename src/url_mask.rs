//! Credentials in URLs (`https://user:pass@host/`, `?token=…`): who may see them, and the URL
//! as everyone else sees it, with its credentials replaced by `(hidden)`. Used by monitors
//! (their URL), incidents (the URL in a monitor incident's metadata) and notifications, which
//! leave the server and so always carry the masked URL.

use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::WriteHttpMonitors;

pub const HIDDEN: &str = "(hidden)";

/// Whether `me` sees a monitor's secrets: only if they may change the monitor.
pub fn sees_secrets(me: &Principal) -> bool {
    me.can(WriteHttpMonitors)
}

pub fn url_for(me: &Principal, url: String) -> String {
    if sees_secrets(me) {
        url
    } else {
        mask_url(&url)
    }
}

/// The URL with its user info and the values of secret-looking query parameters (and fragment
/// parameters, as OAuth puts tokens there) replaced by `(hidden)`. Anything else is kept as
/// written. Text that does not parse as a URL is hidden whole.
pub fn mask_url(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return HIDDEN.to_owned();
    };
    let authority_start = url.scheme().len() + "://".len();
    let mut out = raw.to_owned();
    // Work from the end, so earlier offsets stay valid.
    if let Some(fragment_at) = raw.find('#') {
        out.replace_range(fragment_at + 1.., &mask_params(&raw[fragment_at + 1..]));
    }
    let end_of_query = raw.find('#').unwrap_or(raw.len());
    if let Some(query_at) = raw[..end_of_query].find('?') {
        out.replace_range(
            query_at + 1..end_of_query,
            &mask_params(&raw[query_at + 1..end_of_query]),
        );
    }
    if (!url.username().is_empty() || url.password().is_some())
        && let Some(at) = raw[..raw[authority_start..]
            .find(['/', '?', '#'])
            .map_or(raw.len(), |i| authority_start + i)]
            .rfind('@')
    {
        out.replace_range(authority_start..at, HIDDEN);
    }
    out
}

/// `a=1&token=x` → `a=1&token=(hidden)`.
fn mask_params(params: &str) -> String {
    params
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}={HIDDEN}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Parameter names that usually carry a credential, case-insensitively, ignoring `-`, `_` and
/// `.`: `token`, `access_token`, `api-key`, `X-Amz-Signature`, `pwd`, `auth`… Hiding a harmless
/// parameter from readers costs little; showing a password costs much.
fn is_secret_name(name: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    let name: String = decoded
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    const CONTAINS: [&str; 8] = [
        "token",
        "secret",
        "passw",
        "signature",
        "credential",
        "auth",
        "session",
        "apikey",
    ];
    const ENDS_WITH: [&str; 4] = ["key", "pass", "pwd", "sig"];
    CONTAINS.iter().any(|c| name.contains(c)) || ENDS_WITH.iter().any(|e| name.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_url_table() {
        let cases = [
            ("https://example.com/health", "https://example.com/health"),
            (
                "https://example.com/health?page=2&lang=fr",
                "https://example.com/health?page=2&lang=fr",
            ),
            (
                "http://admin:hunter2@127.0.0.1:9/health?token=QSECRET",
                "http://(hidden)@127.0.0.1:9/health?token=(hidden)",
            ),
            (
                "https://token@git.example.com/x",
                "https://(hidden)@git.example.com/x",
            ),
            (
                "https://a.example/p?x=1&API_KEY=k&Access-Token=t&sig=s&pwd=p&y",
                "https://a.example/p?x=1&API_KEY=(hidden)&Access-Token=(hidden)&sig=(hidden)&pwd=(hidden)&y",
            ),
            (
                "https://s3.example/o?X-Amz-Signature=abc&X-Amz-Credential=c&X-Amz-Date=d",
                "https://s3.example/o?X-Amz-Signature=(hidden)&X-Amz-Credential=(hidden)&X-Amz-Date=d",
            ),
            (
                "https://a.example/cb#access_token=t&state=s",
                "https://a.example/cb#access_token=(hidden)&state=s",
            ),
            (
                "https://u:p@a.example/?secret=1#password=2",
                "https://(hidden)@a.example/?secret=(hidden)#password=(hidden)",
            ),
            // An @ in the path is not user info.
            ("https://a.example/@team?q=1", "https://a.example/@team?q=1"),
            ("not a url", HIDDEN),
        ];
        for (raw, masked) in cases {
            assert_eq!(mask_url(raw), masked, "{raw}");
        }
    }

    #[test]
    fn secret_names_table() {
        for name in [
            "token",
            "TOKEN",
            "key",
            "secret",
            "password",
            "pass",
            "pwd",
            "auth",
            "signature",
            "sig",
            "api_key",
            "apikey",
            "access_token",
            "client_secret",
            "x-api-key",
            "sessionid",
            "api%5Fkey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["page", "q", "lang", "status", "id", "format", "region"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
