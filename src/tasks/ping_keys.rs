//! Ping keys: a task's own (random, or chosen — Healthchecks check UUIDs and Uptime Kuma push
//! tokens kept when people move), and one per organization (`task_ping_keys`, made on demand)
//! that names its tasks by id in `/ping/{orgKey}/{taskId}`. A path's first segment is looked up
//! in both tables, so a key is never in both: each is checked against the other when set.

use base64::Engine;
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::OrgId;
use crate::store::time::to_db;

/// Shortest and longest chosen key.
pub const KEY_LENGTH: (usize, usize) = (8, 128);

/// What a chosen `pingKey` may be, for the document (a UUID fits it too).
pub const KEY_PATTERN: &str = "^[A-Za-z0-9_-]{8,128}$";

/// A key as stored: a UUID (any case, with dashes) in its canonical form, lowercase, so
/// Healthchecks' URLs match whatever case a script wrote; any other key verbatim.
pub fn canonical(key: &str) -> String {
    match uuid::Uuid::try_parse(key) {
        Ok(uuid) if key.len() == 36 => uuid.hyphenated().to_string(),
        _ => key.to_owned(),
    }
}

/// A chosen `pingKey`, checked and made canonical (422 naming `pingKey`).
pub fn chosen(key: &str) -> Result<String> {
    let valid_chars = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_chars || key.len() < KEY_LENGTH.0 || key.len() > KEY_LENGTH.1 {
        return Err(Error::invalid_field(
            "pingKey",
            "must be 8 to 128 letters, digits, '-' or '_' (a UUID fits), since it is a URL segment",
        ));
    }
    Ok(canonical(key))
}

/// 409 `ping_key_taken` when `key` is another task's ping key (any task but `except`'s) or an
/// organization's.
pub fn check_free(conn: &Connection, key: &str, except: Option<(OrgId, &str)>) -> Result<()> {
    let holder = super::store::find_by_ping_key(conn, key)?;
    let other_task = holder.is_some_and(|t| except != Some((t.organization_id, t.id.as_str())));
    if other_task || org_by_key(conn, key)?.is_some() {
        // Never says whose: the key is someone's credential.
        return Err(Error::conflict(
            "ping_key_taken",
            "pingKey: this key is already in use; choose another",
        )
        .in_field("pingKey"));
    }
    Ok(())
}

/// Gives the task `key` (as chosen: checked, made canonical, free); its old URLs stop working.
pub fn set(conn: &Connection, org: OrgId, id: &str, key: &str) -> Result<()> {
    let key = chosen(key)?;
    check_free(conn, &key, Some((org, id)))?;
    super::store::set_ping_key(conn, org, id, &key)
}

/// The organization whose ping key this is.
pub fn org_by_key(conn: &Connection, key: &str) -> Result<Option<OrgId>> {
    Ok(conn
        .prepare_cached("SELECT organization_id FROM task_ping_keys WHERE ping_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// The organization's ping key, if it made one.
pub fn of_org(conn: &Connection, org: OrgId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT ping_key FROM task_ping_keys WHERE organization_id = ?1")?
        .query_row([org], |r| r.get(0))
        .optional()?)
}

/// Gives the organization a new ping key (the old slug URLs stop working).
pub fn regenerate(conn: &Connection, org: OrgId, now: Timestamp) -> Result<String> {
    // 128 random bits as 22 URL-safe characters (the form of Healthchecks' project keys);
    // a clash with a chosen task key is checked anyway, since people choose those.
    // Only a clash draws again: any other error (the database failing) would fail every draw.
    let key = loop {
        let bytes = crate::secret::generate();
        let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..16]);
        match check_free(conn, &key, None) {
            Ok(()) => break key,
            Err(e) if e.code == "ping_key_taken" => continue,
            Err(e) => return Err(e),
        }
    };
    conn.prepare_cached(
        "INSERT INTO task_ping_keys (organization_id, ping_key, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (organization_id) DO UPDATE SET ping_key = ?2, created_at = ?3",
    )?
    .execute(params![org, key, to_db(now)])?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_canonical_other_keys_verbatim() {
        let upper = "5F4C1A2B-0D3E-4F60-8A7B-9C0D1E2F3A4B";
        assert_eq!(canonical(upper), upper.to_lowercase());
        assert_eq!(chosen(upper).unwrap(), upper.to_lowercase());
        // 32 hex digits are our own random keys, kept as they are.
        let hex = "5F4C1A2B0D3E4F608A7B9C0D1E2F3A4B";
        assert_eq!(canonical(hex), hex);
        assert_eq!(chosen("Kuma_push-Token9").unwrap(), "Kuma_push-Token9");
        for bad in [
            "short",
            "has space x",
            "slash/in/it",
            "é-accented",
            &"k".repeat(129),
        ] {
            let e = chosen(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("pingKey"), "{bad}");
        }
    }

    #[test]
    fn a_database_error_is_returned_not_retried() {
        // No schema: every lookup fails, as it would on a broken database.
        let conn = Connection::open_in_memory().unwrap();
        let e = regenerate(&conn, OrgId::generate(), chrono::DateTime::UNIX_EPOCH).unwrap_err();
        assert!(e.is_internal(), "{}", e.message);
    }
}
