//! `dutyduck token create | list | revoke`.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use clap::{ArgGroup, Subcommand};

use super::output::outln;
use super::{in_read_transaction, in_transaction};
use crate::accounts::principal::{Credential, Principal};
use crate::accounts::roles::Permission;
use crate::accounts::store as accounts;
use crate::error::{Error, Result};
use crate::ids::TokenId;
use crate::store::Create;
use crate::tokens::domain::{check_expiry, check_label, grantable_scopes};
use crate::tokens::store as tokens;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints its id and secret key once.
    #[command(group(ArgGroup::new("expiry").required(true).args(["expires_in", "expires_at"])))]
    Create {
        /// E-mail of the user the token acts for.
        #[arg(long)]
        user: String,
        /// What the token is for (1 to 100 characters).
        #[arg(long)]
        label: String,
        /// Lifetime, e.g. 90d, 12h (at most one year).
        // Hyphen values reach the parser, so `-5d` is refused as a negative lifetime rather than
        // taken for an unknown flag.
        #[arg(long, value_parser = parse_lifetime, allow_hyphen_values = true)]
        expires_in: Option<std::time::Duration>,
        /// Expiry date (YYYY-MM-DD, valid through that day, UTC) or RFC 3339 time; at most one year ahead.
        #[arg(long, value_parser = parse_expiry)]
        expires_at: Option<DateTime<FixedOffset>>,
        /// Limit the token to this permission (repeatable), e.g. --scope readTasks --scope writeTaskRuns.
        /// Without it the token can do everything its user can.
        #[arg(long = "scope", value_parser = parse_permission)]
        scopes: Vec<Permission>,
        /// Print {"id", "secretKey", "expiresAt"} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never their secrets).
    List {
        /// Only the tokens of this user (e-mail).
        #[arg(long)]
        user: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke (delete) a token; the server refuses it from its next request on.
    Revoke {
        /// The token id.
        id: String,
    },
}

fn parse_expiry(s: &str) -> std::result::Result<DateTime<FixedOffset>, String> {
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let end_of_day = date.and_hms_opt(23, 59, 59).expect("valid time");
        return Ok(end_of_day.and_utc().fixed_offset());
    }
    DateTime::parse_from_rfc3339(s)
        .map_err(|_| format!("{s:?} is neither a date (2027-06-30) nor an RFC 3339 time"))
}

fn parse_lifetime(s: &str) -> std::result::Result<std::time::Duration, String> {
    const EXAMPLES: &str = "e.g. 90d, 12h or 1y";
    if s.trim_start().starts_with('-') {
        return Err(format!("must be a positive duration ({EXAMPLES})"));
    }
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err(format!("must be a positive duration ({EXAMPLES})")),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{s:?} is not a duration ({e}); {EXAMPLES}")),
    }
}

fn parse_permission(s: &str) -> std::result::Result<Permission, String> {
    Permission::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        format!("unknown permission {s:?}; one of {}", names.join(", "))
    })
}

pub fn run(data_dir: &Path, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create {
            user,
            label,
            expires_in,
            expires_at,
            scopes,
            json,
        } => {
            let label = check_label(&label)?;
            let now = Utc::now();
            let (flag, expires_at) = match (expires_in, expires_at) {
                (Some(d), _) => {
                    let too_long = || Error::invalid_field("--expires-in", "is too long");
                    let d = chrono::Duration::from_std(d).map_err(|_| too_long())?;
                    let at = now.checked_add_signed(d).ok_or_else(too_long)?;
                    ("--expires-in", at.fixed_offset())
                }
                (None, Some(at)) => ("--expires-at", at),
                (None, None) => unreachable!("clap requires one of --expires-in and --expires-at"),
            };
            let expires_at = check_expiry(flag, now, expires_at)?;
            let issued = in_transaction(data_dir, Create::No, |conn| {
                let (owner, _) = accounts::user_by_email(conn, user.trim())?
                    .ok_or_else(|| Error::not_found(&format!("user {user}")))?;
                let (org_id, role) =
                    accounts::default_membership(conn, owner.id)?.ok_or_else(|| {
                        Error::forbidden(format!("{user} belongs to no organization"))
                    })?;
                let principal = Principal {
                    user_id: owner.id,
                    org_id,
                    role,
                    scopes: vec![],
                    credential: Credential::Token {
                        id: TokenId::generate(),
                    },
                };
                let scopes = grantable_scopes(&scopes, &principal)?;
                let issued =
                    tokens::issue(conn, org_id, owner.id, &label, &scopes, expires_at, now)?;
                let what = ("api_token", issued.id.to_string());
                crate::audit::by_cli(conn, Some(org_id), what, "create", &[], now)?;
                Ok(issued)
            })?;
            if json {
                let out = serde_json::json!({"id": issued.id, "secretKey": issued.secret_key, "expiresAt": issued.expires_at});
                outln!("{out}");
            } else {
                outln!(
                    "Created API token {:?} for {user}, expiring {}.",
                    issued.label,
                    issued.expires_at.to_rfc3339()
                );
                outln!("  id:         {}", issued.id);
                outln!("  secret key: {}", issued.secret_key);
                outln!("The secret key is shown only this once: store it now.");
                outln!("Use them as the X-Api-Token-Id and X-Api-Token-Secret-Key headers.");
            }
            Ok(())
        }
        TokenCommand::List { user, json } => {
            let listed = in_read_transaction(data_dir, |conn| {
                let owner = match &user {
                    None => None,
                    Some(email) => Some(
                        accounts::user_by_email(conn, email.trim())?
                            .ok_or_else(|| Error::not_found(&format!("user {email}")))?
                            .0
                            .id,
                    ),
                };
                tokens::list_all(conn, owner)
            })?;
            if json {
                let items: Vec<serde_json::Value> = listed
                    .iter()
                    .map(|(t, email)| {
                        let mut v = serde_json::to_value(t).expect("tokens serialize");
                        v["userEmail"] = email.clone().into();
                        v
                    })
                    .collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&items).map_err(Error::internal)?
                );
            } else if listed.is_empty() {
                outln!("No API tokens.");
            } else {
                let now = Utc::now();
                outln!(
                    "{:<36}  {:<28}  {:<24}  {:<20}  {:<20}  SCOPES",
                    "ID",
                    "USER",
                    "LABEL",
                    "EXPIRES",
                    "LAST USED"
                );
                for (t, email) in listed {
                    let mut expires = t.expires_at.format("%Y-%m-%d %H:%M").to_string();
                    if t.expires_at <= now {
                        expires.push_str(" (expired)");
                    }
                    let used = t.last_used_at.map_or("never".to_owned(), |u| {
                        u.format("%Y-%m-%d %H:%M").to_string()
                    });
                    let scopes = if t.scopes.is_empty() {
                        "all".to_owned()
                    } else {
                        t.scopes
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    };
                    outln!(
                        "{:<36}  {:<28}  {:<24}  {:<20}  {:<20}  {scopes}",
                        t.id,
                        email,
                        t.label,
                        expires,
                        used
                    );
                }
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let token_id: TokenId = id.trim().parse().map_err(|_| {
                Error::bad_request(
                    "invalid_token_id",
                    format!("{id:?} is not a token id (a UUID)"),
                )
            })?;
            let revoked = in_transaction(data_dir, Create::No, |conn| {
                let token = tokens::get(conn, token_id)?;
                tokens::delete(conn, token_id)?;
                if let Some(t) = &token {
                    let (org, what) = (Some(t.organization_id), ("api_token", t.id.to_string()));
                    crate::audit::by_cli(conn, org, what, "delete", &[], Utc::now())?;
                }
                Ok(token)
            })?;
            match revoked {
                Some(t) => {
                    outln!(
                        "Revoked API token {} ({:?}); it is refused from now on.",
                        t.id,
                        t.label
                    );
                    Ok(())
                }
                None => Err(Error::not_found(&format!("API token {token_id}"))),
            }
        }
    }
}
