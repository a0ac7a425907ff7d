//! Two-factor sign-in with an authenticator app (TOTP) and its per-organization requirement.
//! `totp.rs` the codes, `recovery.rs` the one-time recovery codes, `store.rs` the tables,
//! `routes.rs` enrolment, `login.rs` the second step of `/auth/login`, `policy.rs` the Owner's
//! requirement, enforced on sessions by `auth::by_session` through `enrolment_gate`.

pub mod login;
pub mod policy;
pub mod recovery;
pub mod routes;
pub mod store;
pub mod totp;

use crate::error::{Error, Kind, Result};

/// What a session that must enrol first may still reach: enrolment itself, the dashboard (whose
/// shell then shows the enrolment screen), and the session check.
const ALLOWED_WHILE_ENROLLING: [&str; 3] = ["/users/me/two-factor", "/auth/session", "/dashboard"];

/// Refuses every request but enrolment to a session whose organization requires two-factor
/// sign-in that its user has not turned on (`enrolment_required`).
pub fn enrolment_gate(path: &str, enrolment_required: bool) -> Result<()> {
    let allowed = ALLOWED_WHILE_ENROLLING.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if !enrolment_required || allowed {
        return Ok(());
    }
    Err(Error::new(
        Kind::Forbidden,
        "two_factor_enrolment_required",
        "your organization requires two-factor sign-in: turn it on first (POST /users/me/two-factor)",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_enrolment_passes_the_gate() {
        // (path, allowed while enrolment is required)
        let table = [
            ("/users/me/two-factor", true),
            ("/users/me/two-factor/confirm", true),
            ("/auth/session", true),
            ("/dashboard", true),
            ("/dashboard/monitors", true),
            ("/users/me", false),
            ("/users/me/two-factorx", false),
            ("/monitors", false),
            ("/api-tokens", false),
        ];
        for (path, allowed) in table {
            assert_eq!(super::enrolment_gate(path, true).is_ok(), allowed, "{path}");
            assert!(super::enrolment_gate(path, false).is_ok(), "{path}");
        }
    }
}
