//! The rules of API tokens: labels, the one-year expiry limit, and which scopes a caller may grant.

use chrono::{DateTime, FixedOffset, Months, NaiveDate};

use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission;
use crate::clock::Timestamp;
use crate::error::{Error, Result};

pub fn check_label(label: &str) -> Result<String> {
    crate::limits::required_line("label", label, crate::limits::LABEL)
}

/// The last calendar day a token created at `now` may expire on, as seen in `offset`:
/// the same day next year (29 February maps to 28 February).
pub fn last_allowed_day(now: Timestamp, offset: FixedOffset) -> NaiveDate {
    let today = now.with_timezone(&offset).date_naive();
    today.checked_add_months(Months::new(12)).unwrap_or(today)
}

/// An expiry must be in the future and at most one year ahead. "One year" is judged by calendar
/// day in the expiry's own UTC offset, so "the same day next year" picked in a date picker is
/// accepted whatever the time of day or the user's time zone, and one day more is refused.
/// `field` names the input as the caller typed it: `expiresAt` in the API, `--expires-in` or
/// `--expires-at` on the command line.
pub fn check_expiry(
    field: &str,
    now: Timestamp,
    expires_at: DateTime<FixedOffset>,
) -> Result<Timestamp> {
    if expires_at <= now {
        return Err(Error::bad_request(
            "invalid_expiry",
            format!("{field} must be in the future"),
        ));
    }
    let limit = last_allowed_day(now, *expires_at.offset());
    if expires_at.date_naive() > limit {
        return Err(Error::bad_request(
            "invalid_expiry",
            format!("{field} must be at most one year ahead: on or before {limit}"),
        ));
    }
    Ok(expires_at.to_utc())
}

/// The scopes a new token gets. Each requested scope must be one the caller holds (else 403).
/// No scopes means "everything the user can do" — except when the caller is itself a scoped
/// token, which cannot mint a token wider than itself: the new one inherits its scopes.
pub fn grantable_scopes(requested: &[Permission], caller: &Principal) -> Result<Vec<Permission>> {
    if let Some(missing) = requested.iter().find(|p| !caller.can(**p)) {
        return Err(Error::forbidden(format!(
            "you cannot grant the {} scope: you do not hold that permission",
            missing.as_str()
        )));
    }
    let mut scopes = if requested.is_empty() {
        caller.scopes.clone()
    } else {
        requested.to_vec()
    };
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::principal::Credential;
    use crate::accounts::roles::Role;
    use crate::ids::{OrgId, TokenId, UserId};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn expiry_table() {
        let now = at("2026-11-28T21:30:00Z").to_utc();
        let cases = [
            ("2026-11-28T21:29:59Z", Err("in the future")),
            ("2026-11-28T21:30:00Z", Err("in the future")),
            ("2026-11-29T00:00:00Z", Ok(())),
            ("2027-11-28T00:00:00Z", Ok(())),
            ("2027-11-28T23:59:59Z", Ok(())),
            ("2027-11-29T00:00:00Z", Err("on or before 2027-11-28")),
            // In Tokyo it is already 29 November 2026, so 29 November 2027 is "same day next year".
            ("2027-11-29T23:59:59+09:00", Ok(())),
            ("2027-11-30T00:00:00+09:00", Err("on or before 2027-11-29")),
            // In Los Angeles it is still 28 November.
            ("2027-11-28T23:59:59-08:00", Ok(())),
            ("2027-11-29T00:00:00-08:00", Err("at most one year ahead")),
        ];
        for (expiry, expected) in cases {
            match (check_expiry("expiresAt", now, at(expiry)), expected) {
                (Ok(_), Ok(())) => {}
                (Err(e), Err(fragment)) => {
                    assert!(e.message.contains(fragment), "{expiry}: {}", e.message)
                }
                (got, _) => panic!("{expiry}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn leap_day_maps_to_the_28th() {
        let now = at("2028-02-29T12:00:00Z").to_utc();
        assert_eq!(
            last_allowed_day(now, FixedOffset::east_opt(0).unwrap()).to_string(),
            "2029-02-28"
        );
    }

    #[test]
    fn labels() {
        assert_eq!(check_label("  ci deploys ").unwrap(), "ci deploys");
        assert!(check_label("").is_err());
        assert!(check_label("   ").is_err());
        assert!(check_label(&"x".repeat(100)).is_ok());
        assert!(check_label(&"é".repeat(101)).is_err());
        assert!(check_label("a\u{0}b").is_err());
    }

    #[test]
    fn scope_table() {
        use Permission::*;
        let caller = |role, scopes: Vec<Permission>| Principal {
            user_id: UserId::generate(),
            org_id: OrgId::generate(),
            role,
            scopes,
            credential: Credential::Token {
                id: TokenId::generate(),
            },
        };
        let cases: [(
            Role,
            Vec<Permission>,
            Vec<Permission>,
            Result<Vec<Permission>, ()>,
        ); 6] = [
            (Role::Owner, vec![], vec![], Ok(vec![])),
            (
                Role::Editor,
                vec![],
                vec![WriteTasks, ReadTasks, ReadTasks],
                Ok(vec![WriteTasks, ReadTasks]),
            ),
            (Role::Reporter, vec![], vec![WriteTasks], Err(())),
            (Role::Owner, vec![ReadTasks], vec![], Ok(vec![ReadTasks])),
            (Role::Owner, vec![ReadTasks], vec![WriteTasks], Err(())),
            (
                Role::Owner,
                vec![ReadTasks, ReadIncidents],
                vec![ReadIncidents],
                Ok(vec![ReadIncidents]),
            ),
        ];
        for (role, held, requested, expected) in cases {
            let got = grantable_scopes(&requested, &caller(role, held.clone())).map_err(|e| {
                assert_eq!(e.kind, crate::error::Kind::Forbidden);
            });
            let mut expected = expected;
            if let Ok(v) = &mut expected {
                v.sort();
            }
            assert_eq!(
                got, expected,
                "{role} holding {held:?} granting {requested:?}"
            );
        }
    }
}
