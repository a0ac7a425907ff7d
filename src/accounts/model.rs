//! Users and organizations as the API shows them, and the validation of their fields.

use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Kept for compatibility with the original clients; dutyduck sends no SMS.
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: OrgId,
    /// Unique short name (a slug), used by `--org` on the command line.
    pub name: String,
    pub display_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const MAX_EMAIL: usize = 254;

/// Trims and checks an e-mail address. Uniqueness is case-insensitive (the column's collation).
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim();
    let invalid = |why: &str| Err(Error::invalid_field("email", why));
    if email.is_empty() {
        return invalid("is required");
    }
    crate::limits::line("email", email, MAX_EMAIL)?;
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(email.to_owned())
        }
        _ => invalid("is not an e-mail address (expected name@domain)"),
    }
}

/// Trims and checks a person's or organization's name.
pub fn normalize_name(field: &str, value: &str) -> Result<String> {
    crate::limits::required_line(field, value, crate::limits::LABEL)
}

/// The short name of an organization derived from its display name: "Acme Inc." → "acme-inc".
pub fn slug(display_name: &str) -> String {
    let mut slug = String::new();
    for c in display_name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "org".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let cases = [
            (" Ada@Example.com ", Some("Ada@Example.com")),
            ("root@localhost", Some("root@localhost")),
            ("", None),
            ("no-at-sign", None),
            ("two@@example.com", None),
            ("@example.com", None),
            ("ada@", None),
            ("a da@example.com", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_email(input).ok().as_deref(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn slugs() {
        for (input, expected) in [
            ("Acme Inc.", "acme-inc"),
            ("  Équipe  Ops ", "équipe-ops"),
            ("!!!", "org"),
        ] {
            assert_eq!(slug(input), expected);
        }
    }
}
