//! Credentials an HTTP monitor sends: Basic (user and password) or a Bearer token. Stored with
//! the monitor's settings like its header values, shown to those who may change the monitor
//! and hidden from the others.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::redact::HIDDEN;

/// How the request authenticates, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum HttpAuth {
    /// `Authorization: Basic …` from a user name (no colon) and a password.
    Basic {
        #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
        username: String,
        #[schemars(length(max = limits::SHORT))]
        password: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        #[schemars(length(min = 1, max = limits::HEADER_VALUE))]
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
