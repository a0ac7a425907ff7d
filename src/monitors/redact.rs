//! What of a monitor only those who may change it see. Each kind says which of its settings are
//! secrets (`kinds::CheckKind::mask`: an HTTP monitor's header values and body); URLs carry
//! credentials too (`https://user:pass@host/`, `?token=…`), replaced here by `(hidden)`; notifications, which leave the server, always carry the masked URL. Editors get
//! the real values, so what they send back when saving is never a mask.

use std::collections::BTreeMap;

use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::WriteHttpMonitors;
use crate::incidents::model::{Incident, SourceType};

use super::model::Monitor;

pub const HIDDEN: &str = "(hidden)";

/// Whether `me` sees a monitor's secrets: only if they may change the monitor.
pub fn sees_secrets(me: &Principal) -> bool {
    me.can(WriteHttpMonitors)
}

pub fn monitor_for(me: &Principal, mut monitor: Monitor) -> Monitor {
    if !sees_secrets(me) {
        monitor.settings.kind.mask();
    }
    monitor
}

/// A monitor's incidents keep its URL in their metadata.
pub fn incident_for(me: &Principal, mut incident: Incident) -> Incident {
    if !sees_secrets(me)
        && matches!(
            incident.incident_source_type,
            SourceType::HttpMonitor | SourceType::TlsCertificate
        )
        && let Some(url) = incident.metadata.get_mut("url")
    {
        *url = mask_url(url);
    }
    incident
}

pub fn incidents_for(me: &Principal, incidents: Vec<Incident>) -> Vec<Incident> {
    incidents.into_iter().map(|i| incident_for(me, i)).collect()
}

/// A reader's `metadataFilter` on incidents compares `url` with the masked URL, as they see it:
/// matching the stored one would confirm a guessed password.
pub fn metadata_filter_for(
    me: &Principal,
    mut filter: BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    if !sees_secrets(me)
        && let Some(urls) = filter.get_mut("url")
    {
        // A URL without secrets is unchanged and matches; one with them can no longer match.
        urls.iter_mut().for_each(|u| *u = mask_url(u));
    }
    filter
}

pub fn url_for(me: &Principal, url: String) -> String {
    if sees_secrets(me) {
        url
    } else {
        mask_url(&url)
    }
}

/// SQL for the part of the `url` column that readers may search: text search on the whole URL
/// would let them find a hidden password one character at a time. The URL without its query,
/// fragment and user info (the first `@` ends it: one inside it is percent-encoded).
pub const SEARCHABLE_URL_SQL: &str = "substr(substr(substr(url, 1, instr(url || '#', '#') - 1), 1, \
     instr(url || '?', '?') - 1), instr(substr(url, 1, instr(url || '?', '?') - 1), '@') + 1)";

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
    fn searchable_url_table() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let cases = [
            ("https://a.example/health", "https://a.example/health"),
            (
                "http://u:p%40ss@a.example:9/health?token=x",
                "a.example:9/health",
            ),
            ("https://a.example/p#access_token=x", "https://a.example/p"),
            ("https://a.example/@team?key=x", "team"),
        ];
        for (url, searchable) in cases {
            let sql = format!("SELECT {} FROM (SELECT ?1 AS url)", SEARCHABLE_URL_SQL);
            let got: String = conn.query_row(&sql, [url], |r| r.get(0)).unwrap();
            assert_eq!(got, searchable, "{url}");
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
