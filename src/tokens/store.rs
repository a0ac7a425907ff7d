//! Queries on `api_tokens`. The secret itself is never stored, only its SHA-256 digest.

use rusqlite::{Connection, OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::Serialize;

use crate::accounts::roles::{Permission, Role};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, TokenId, UserId};
use crate::store::time::{from_db, opt_from_db, to_db};

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: TokenId,
    pub organization_id: OrgId,
    pub user_id: UserId,
    pub label: String,
    /// Empty: everything the user's current role allows.
    pub scopes: Vec<Permission>,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// What authentication needs to know about a token id.
pub struct StoredCredential {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub secret_digest: Vec<u8>,
    pub expires_at: Timestamp,
    pub scopes: Vec<Permission>,
    /// The user's current role in the token's organization; None if no longer a member.
    pub role: Option<Role>,
}

pub struct NewToken<'a> {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub label: &'a str,
    pub secret_digest: &'a [u8],
    pub scopes: &'a [Permission],
    pub expires_at: Timestamp,
}

fn scopes_to_db(scopes: &[Permission]) -> String {
    serde_json::to_string(scopes).expect("permissions serialize")
}

/// Unreadable scopes can only come from a newer binary; failing is safer than guessing, since
/// an empty list would widen the token.
fn scopes_from_db(index: usize, text: &str) -> rusqlite::Result<Vec<Permission>> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

const COLUMNS: &str =
    "id, organization_id, user_id, label, scopes, expires_at, created_at, last_used_at";

fn token_from_row(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    let scopes: String = r.get(4)?;
    Ok(ApiToken {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        user_id: r.get(2)?,
        label: r.get(3)?,
        scopes: scopes_from_db(4, &scopes)?,
        expires_at: from_db(r.get(5)?),
        created_at: from_db(r.get(6)?),
        last_used_at: opt_from_db(r.get(7)?),
    })
}

pub fn insert(conn: &Connection, new: &NewToken<'_>, now: Timestamp) -> Result<ApiToken> {
    let id = TokenId::generate();
    conn.execute(
        "INSERT INTO api_tokens (id, organization_id, user_id, label, secret_digest, scopes, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            new.org_id,
            new.user_id,
            new.label,
            new.secret_digest,
            scopes_to_db(new.scopes),
            to_db(now),
            to_db(new.expires_at)
        ],
    )?;
    get(conn, id)?.ok_or_else(|| Error::internal("token vanished after insert"))
}

pub fn get(conn: &Connection, id: TokenId) -> Result<Option<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], token_from_row).optional()?)
}

pub fn credential(conn: &Connection, id: TokenId) -> Result<Option<StoredCredential>> {
    Ok(conn
        .prepare_cached("SELECT t.user_id, t.organization_id, t.secret_digest, t.expires_at, t.scopes, m.role
             FROM api_tokens t
             LEFT JOIN memberships m ON m.user_id = t.user_id AND m.organization_id = t.organization_id
             WHERE t.id = ?1")?
        .query_row(
            [id],
            |r| {
                let scopes: String = r.get(4)?;
                let role: Option<String> = r.get(5)?;
                Ok(StoredCredential {
                    user_id: r.get(0)?,
                    org_id: r.get(1)?,
                    secret_digest: r.get(2)?,
                    expires_at: from_db(r.get(3)?),
                    scopes: scopes_from_db(4, &scopes)?,
                    role: role.as_deref().and_then(Role::parse),
                })
            },
        )
        .optional()?)
}

/// The tokens of one user in one organization, newest first, expired ones included.
pub fn list_for_user(conn: &Connection, user: UserId, org: OrgId) -> Result<Vec<ApiToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = ?1 AND organization_id = ?2 ORDER BY created_at DESC, id DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![user, org], token_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every token, or those of one user (CLI), with the owner's e-mail.
pub fn list_all(conn: &Connection, user: Option<UserId>) -> Result<Vec<(ApiToken, String)>> {
    let sql = format!(
        "SELECT {}, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.created_at DESC, t.id DESC",
        COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([user], |r| Ok((token_from_row(r)?, r.get(8)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes a token of `user`; false if there is none (or it belongs to someone else).
pub fn delete_own(conn: &Connection, id: TokenId, user: UserId) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM api_tokens WHERE id = ?1 AND user_id = ?2",
        params![id, user],
    )? == 1)
}

/// Deletes `user`'s tokens of `org`: a member removed from an organization keeps none there, so
/// being invited back later does not bring old tokens back to life.
pub fn delete_for_member(conn: &Connection, user: UserId, org: OrgId) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM api_tokens WHERE user_id = ?1 AND organization_id = ?2",
        params![user, org],
    )?)
}

/// Deletes any token (offline admin revoke).
pub fn delete(conn: &Connection, id: TokenId) -> Result<bool> {
    Ok(conn.execute("DELETE FROM api_tokens WHERE id = ?1", [id])? == 1)
}

/// Stores batched "last used" times; a later time never goes backwards.
pub fn record_last_used(conn: &Connection, uses: &[(TokenId, Timestamp)]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), ?2) WHERE id = ?1",
    )?;
    for (id, at) in uses {
        stmt.execute(params![id, to_db(*at)])?;
    }
    Ok(())
}

/// A freshly created token with its secret key: the only time the secret exists outside the
/// caller's hands.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    pub id: TokenId,
    /// 64 lowercase hex characters. Shown once; only its digest is stored.
    pub secret_key: String,
    pub label: String,
    pub expires_at: Timestamp,
    pub scopes: Vec<Permission>,
}

/// Generates a secret and stores the token. Label, expiry and scopes are validated by the caller
/// (see `domain`).
pub fn issue(
    conn: &Connection,
    org_id: OrgId,
    user_id: UserId,
    label: &str,
    scopes: &[Permission],
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<Issued> {
    let secret = crate::secret::generate();
    let digest = crate::secret::digest(&secret);
    let new = NewToken {
        org_id,
        user_id,
        label,
        secret_digest: &digest,
        scopes,
        expires_at,
    };
    let token = insert(conn, &new, now)?;
    Ok(Issued {
        id: token.id,
        secret_key: hex::encode(secret),
        label: token.label,
        expires_at: token.expires_at,
        scopes: token.scopes,
    })
}
