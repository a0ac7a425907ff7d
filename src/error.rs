//! The one error type of dutyduck. Domain code, store queries, routes and the CLI all return it;
//! `http::reply` maps it to a status and a JSON body in exactly one place.

use std::fmt;

/// What went wrong, in terms a caller can act on. Each kind maps to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Malformed request: bad JSON, bad header syntax, bad query string (400).
    BadRequest,
    /// No credentials, or credentials that do not check out (401).
    Unauthorized,
    /// Authenticated, but the role or token scopes do not allow it (403).
    Forbidden,
    /// Unknown resource, or one of another organization (404).
    NotFound,
    /// The route exists but not with this method (405).
    MethodNotAllowed,
    /// The request conflicts with stored state, e.g. an e-mail already taken (409).
    Conflict,
    /// The request body did not arrive in time (408).
    RequestTimeout,
    /// Request body over the limit (413).
    PayloadTooLarge,
    /// URL or query string over the limit (414).
    UriTooLong,
    /// Body sent with a content type other than JSON (415).
    UnsupportedMediaType,
    /// Well-formed JSON with a missing or invalid field (422).
    Unprocessable,
    /// Too many attempts; retry later (429).
    TooManyRequests,
    /// Too many request headers, or too many bytes of them (431).
    HeaderFieldsTooLarge,
    /// A bug or an I/O failure on our side (500).
    Internal,
    /// The store is closing or unreachable (503).
    Unavailable,
    /// The disk holding the database is full (507): nothing can be stored until space is freed.
    InsufficientStorage,
    /// The resource existed but is over for good: an expired, revoked or used link (410).
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    /// Stable snake_case identifier clients can match on.
    pub code: &'static str,
    /// Human-readable explanation; never contains secrets.
    pub message: String,
    /// Seconds the client should wait before retrying (for `TooManyRequests`).
    pub retry_after_secs: Option<u64>,
    /// The methods the path accepts, as the `Allow` header lists them (for `MethodNotAllowed`).
    pub allow: Option<String>,
    /// The request field at fault (`cronSchedule`, `nested.count`), as the message starts.
    pub field: Option<String>,
}

const INTERNAL_CODE: &str = "internal";

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind,
            code,
            message: message.into(),
            retry_after_secs: None,
            allow: None,
            field: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Unauthorized, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Kind::Forbidden, "forbidden", message)
    }

    /// `what` names the resource, e.g. "API token".
    pub fn not_found(what: &str) -> Self {
        Self::new(Kind::NotFound, "not_found", format!("{what} not found"))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, code, message)
    }

    /// A field of the request is missing or invalid; the message starts with the field name.
    pub fn invalid_field(field: &str, problem: impl fmt::Display) -> Self {
        Self::new(
            Kind::Unprocessable,
            "invalid_field",
            format!("{field}: {problem}"),
        )
        .in_field(field)
    }

    /// Names the request field at fault, for callers that decide by field (the message stays).
    pub fn in_field(self, field: &str) -> Self {
        Error {
            field: Some(field.to_owned()),
            ..self
        }
    }

    pub fn too_many_requests(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Error {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(Kind::TooManyRequests, "too_many_requests", message)
        }
    }

    /// An unexpected failure. The detail is logged, the caller sees a generic message.
    pub fn internal(detail: impl fmt::Display) -> Self {
        log::error!("internal error: {detail}");
        Self::new(
            Kind::Internal,
            INTERNAL_CODE,
            "internal error; see the server log",
        )
    }

    /// Whether this is an `Error::internal`: a bug, whose detail went to the log.
    pub fn is_internal(&self) -> bool {
        self.code == INTERNAL_CODE
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(Kind::Unavailable, "unavailable", message)
    }

    /// The disk is full: an operator must free space; retrying at once will not help.
    pub fn storage_full() -> Self {
        Self::new(
            Kind::InsufficientStorage,
            "storage_full",
            "the disk holding dutyduck's database is full; nothing can be stored until space is freed",
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::unavailable("the database is busy; retry shortly")
            }
            Some(rusqlite::ErrorCode::DiskFull) => {
                log::error!("database: {e}");
                Error::storage_full()
            }
            _ => Error::internal(format!("database: {e}")),
        }
    }
}
