//! What of a monitor only those who may change it see. Each kind says which of its settings are
//! secrets (`kinds::CheckKind::mask`: an HTTP monitor's header values and body); URLs carry
//! credentials too (`https://user:pass@host/`, `?token=…`), replaced here by `(hidden)`; notifications, which leave the server, always carry the masked URL. Editors get
//! the real values, so what they send back when saving is never a mask.

use crate::accounts::principal::Principal;

use super::model::Monitor;
pub use crate::url_mask::{HIDDEN, mask_url, sees_secrets, url_for};

pub fn monitor_for(me: &Principal, mut monitor: Monitor) -> Monitor {
    if !sees_secrets(me) {
        monitor.settings.kind.mask();
        monitor.target = monitor.settings.target();
    }
    monitor
}

/// SQL for the part of the `url` column that readers may search: text search on the whole URL
/// would let them find a hidden password one character at a time. The URL without its query,
/// fragment and user info (the first `@` ends it: one inside it is percent-encoded).
pub const SEARCHABLE_URL_SQL: &str = "substr(substr(substr(url, 1, instr(url || '#', '#') - 1), 1, \
     instr(url || '?', '?') - 1), instr(substr(url, 1, instr(url || '?', '?') - 1), '@') + 1)";

#[cfg(test)]
mod tests {
    use super::*;

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
}
