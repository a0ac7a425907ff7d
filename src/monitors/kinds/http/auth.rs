//! Credentials an HTTP monitor sends: Basic (user and password) or a Bearer token. Stored with
//! the monitor's settings like its header values, shown to those who may change the monitor
//! and hidden from the others.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::redact::HIDDEN;

// What the document states: subsets of what `validate` accepts (a user name without a colon
// or spaces at its ends; a token of visible ASCII, as tokens are).
const USERNAME_PATTERN: &str = "^[!-9;-~]([ !-9;-~]*[!-9;-~])?$";
const TOKEN_PATTERN: &str = "^[!-~]+$";

/// How the request authenticates, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum HttpAuth {
    /// `Authorization: Basic …` from a user name (no colon) and a password.
    Basic {
        #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = USERNAME_PATTERN))]
        username: String,
        #[schemars(length(max = limits::SHORT), regex(pattern = limits::LINE_OR_EMPTY))]
        password: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        #[schemars(length(min = 1, max = limits::HEADER_VALUE), regex(pattern = TOKEN_PATTERN))]
        token: String,
    },
}

impl HttpAuth {
    /// Checks what the server would refuse to send; errors name the `auth` field.
    pub fn validate(&self) -> Result<()> {
        match self {
            HttpAuth::Basic { username, password } => {
                if username.trim().is_empty() || username.contains(':') {
                    return Err(Error::invalid_field(
                        "auth",
                        "username is required and may not contain a colon",
                    ));
                }
                limits::line("auth", username, limits::LABEL)?;
                limits::line("auth", password, limits::SHORT)?;
            }
            HttpAuth::Bearer { token } => {
                if token.trim().is_empty() || !limits::is_header("Authorization", token) {
                    return Err(Error::invalid_field(
                        "auth",
                        format!(
                            "token is required and must be a valid header value (at most {} characters)",
                            limits::HEADER_VALUE
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The secret replaced by `HIDDEN`; the user name stays (it says which account is used).
    pub fn mask(&mut self) {
        match self {
            HttpAuth::Basic { password, .. } => *password = HIDDEN.into(),
            HttpAuth::Bearer { token } => *token = HIDDEN.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values the document's patterns allow are accepted.
    #[test]
    fn the_patterns_allow_only_what_validation_accepts() {
        let fits = |pattern: &str, v: &str| regex::Regex::new(pattern).unwrap().is_match(v);
        for name in ["ops", "a b", "x@y.z", ":", " a", "a:b", "é"] {
            let basic = HttpAuth::Basic {
                username: name.into(),
                password: "p".into(),
            };
            if fits(USERNAME_PATTERN, name) {
                assert!(basic.validate().is_ok(), "{name:?}");
            }
        }
        for token in ["abc.def", "a b", " ", "é", "x\n"] {
            let bearer = HttpAuth::Bearer {
                token: token.into(),
            };
            if fits(TOKEN_PATTERN, token) {
                assert!(bearer.validate().is_ok(), "{token:?}");
            }
        }
    }

    #[test]
    fn validation_table() {
        let cases = [
            (
                r#"{"kind": "basic", "username": "ops", "password": "p"}"#,
                true,
            ),
            (
                r#"{"kind": "basic", "username": "", "password": "p"}"#,
                false,
            ),
            (
                r#"{"kind": "basic", "username": "a:b", "password": "p"}"#,
                false,
            ),
            (r#"{"kind": "bearer", "token": "abc.def"}"#, true),
            (r#"{"kind": "bearer", "token": "line\nbreak"}"#, false),
            (r#"{"kind": "bearer", "token": " "}"#, false),
        ];
        for (json, valid) in cases {
            let auth: HttpAuth = serde_json::from_str(json).unwrap();
            let result = auth.validate();
            assert_eq!(result.is_ok(), valid, "{json}: {result:?}");
            if let Err(e) = result {
                assert!(e.message.starts_with("auth"), "{e:?}");
            }
        }
        assert!(serde_json::from_str::<HttpAuth>(r#"{"kind": "digest"}"#).is_err());
    }
}
