//! What a handler receives: the app, the matched path parameters, headers, query and body, with
//! helpers that turn bad input into precise 4xx errors.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use warp::http::{HeaderMap, Method, header};

use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission;
use crate::app::App;
use crate::error::{Error, Kind, Result};
use crate::store::filter::{Order, SortFields};

pub struct Request {
    pub app: Arc<App>,
    pub method: Method,
    pub path: String,
    pub params: Vec<(&'static str, String)>,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub remote: Option<SocketAddr>,
    /// The route's audit declaration and what its entry needs (see `crate::audit`).
    pub audit: crate::audit::Trail,
}

impl Request {
    /// A path parameter declared by the route template.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("route has no parameter {name}"))
    }

    /// A path parameter parsed as an id; a malformed one is a 400 naming it.
    pub fn param_id<T: FromStr>(&self, name: &str) -> Result<T> {
        let raw = self.param(name);
        raw.parse().map_err(|_| {
            Error::bad_request(
                "invalid_path_parameter",
                format!("{name}: {raw:?} is not a valid id"),
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The JSON body as `T`. Wrong content type → 415, malformed JSON → 400 naming the line and
    /// column, wrong shape → 422 naming the field.
    pub fn json<T: DeserializeOwned + JsonSchema>(&self) -> Result<T> {
        let content_type = self.header(header::CONTENT_TYPE.as_str()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !(essence.eq_ignore_ascii_case("application/json")
            || essence.to_ascii_lowercase().ends_with("+json"))
        {
            return Err(Error::new(
                Kind::UnsupportedMediaType,
                "unsupported_media_type",
                format!(
                    "send the body as JSON with Content-Type: application/json (got {})",
                    if content_type.is_empty() {
                        "no Content-Type"
                    } else {
                        content_type
                    }
                ),
            ));
        }
        parse_json(&self.body)
    }

    /// The query string as `T`; repeated keys make arrays (`include=up&include=down`).
    pub fn query<T: DeserializeOwned>(&self) -> Result<T> {
        serde_html_form::from_str(&self.query)
            .map_err(|e| Error::bad_request("invalid_query", format!("query string: {e}")))
    }

    /// Who is calling; 401 without valid credentials.
    pub async fn principal(&self) -> Result<Principal> {
        let principal = super::auth::authenticate(self).await?;
        self.audit.remember(&principal);
        Ok(principal)
    }

    /// Who is calling, provided they hold `permission` (else 403).
    pub async fn require(&self, permission: Permission) -> Result<Principal> {
        let principal = self.principal().await?;
        principal.require(permission)?;
        Ok(principal)
    }

    /// The client's address, through the trusted proxies (`--trusted-proxy`) only.
    pub fn client_addr(&self) -> Option<std::net::IpAddr> {
        self.app
            .trusted_proxies
            .client_addr(self.remote, &self.headers)
    }

    pub fn now(&self) -> crate::clock::Timestamp {
        self.app.clock.now()
    }

    /// `app.store.read`: runs `f` on a reader connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    {
        self.app.store.read(f).await
    }

    /// `app.store.write`: runs `f` on the single writer; returns after commit. On an audited
    /// route the audit entry is appended in the same job (see [`Request::audited`]).
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    {
        let written = self.app.store.write(self.audited(f)).await;
        if written.is_err() {
            self.audit.unrecord();
        }
        written
    }

    /// `f` followed, in the same job, by this request's audit entry (once per request, on an
    /// audited route, for an authenticated caller): what `write` runs, and what a write detached
    /// from the request (one the scheduler must hear of) hands to `app.store.write` itself.
    pub fn audited<T, F>(
        &self,
        f: F,
    ) -> impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    {
        let entry = self
            .audit
            .entry(&self.params, &self.body, self.client_addr(), self.now());
        crate::audit::appended(entry, f)
    }
}

/// `pageNumber` (from 1, default 1) and `itemsPerPage` (default 10, at most 50), as in the
/// original API.
#[derive(Debug, Clone, Copy, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(default, deserialize_with = "number_or_text")]
    pub page_number: Option<u32>,
    #[serde(default, deserialize_with = "number_or_text")]
    pub items_per_page: Option<u32>,
}

/// Query values are text, and `#[serde(flatten)]` hands them over as text even for numbers.
fn number_or_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<u32>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u32),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Raw::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{t:?} is not a whole number"))),
    }
}

impl Page {
    pub const MAX: u32 = 50;

    /// (offset, limit); page 0 counts as page 1.
    pub fn window(&self, default_size: u32) -> (u32, u32) {
        self.window_up_to(default_size, Self::MAX)
    }

    /// `window` with another largest page size.
    pub fn window_up_to(&self, default_size: u32, max: u32) -> (u32, u32) {
        let size = self.items_per_page.unwrap_or(default_size).min(max);
        let page = self.page_number.unwrap_or(1).max(1);
        ((page - 1).saturating_mul(size), size)
    }
}

/// A list that may be sorted: its sort fields and those ordered newest (or most urgent) first
/// unless `order` says otherwise. A unit type per list, naming its `Sorting` in the document.
pub trait Sortable {
    const FIELDS: &'static SortFields;
    const DESCENDING: &'static [&'static str];
}

/// `sort` and `order`, flattened into a list's query.
#[derive(Deserialize, JsonSchema)]
#[serde(bound = "")]
#[schemars(bound = "S: Sortable + JsonSchema")]
pub struct Sorting<S> {
    /// What to order by; ties by id.
    #[schemars(extend("enum" = S::FIELDS.iter().map(|(name, _)| *name).collect::<Vec<_>>()))]
    pub sort: Option<String>,
    /// asc or desc; by default dates are newest first, other fields ascending.
    #[schemars(extend("enum" = ["asc", "desc"]))]
    pub order: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    list: std::marker::PhantomData<S>,
}

impl<S: Sortable> Sorting<S> {
    /// The order asked for (see [`order`]).
    pub fn order(&self) -> Result<Order> {
        order(
            self.sort.as_deref(),
            self.order.as_deref(),
            S::FIELDS,
            S::DESCENDING,
        )
    }
}

/// A list's `sort` and `order` query parameters: `sort` one of the list's `fields` (a 422 naming
/// `sort` and the fields otherwise; absent: the list's default order), `order` asc or desc (a 422
/// naming `order` otherwise; absent: desc for the fields named in `descending`, asc for others).
pub fn order(
    sort: Option<&str>,
    order: Option<&str>,
    fields: &SortFields,
    descending: &[&str],
) -> Result<Order> {
    let sort = sort.filter(|s| !s.is_empty());
    let key = match sort {
        None => "",
        Some(given) => fields
            .iter()
            .find(|(name, _)| *name == given)
            .map(|(_, key)| *key)
            .ok_or_else(|| {
                let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                Error::invalid_field(
                    "sort",
                    format!("{given:?} is not a sort field; one of {}", names.join(", ")),
                )
            })?,
    };
    let ascending = match order.filter(|o| !o.is_empty()) {
        None => !sort.is_some_and(|s| descending.contains(&s)),
        Some("asc") => true,
        Some("desc") => false,
        Some(other) => {
            return Err(Error::invalid_field(
                "order",
                format!("{other:?} is not asc or desc"),
            ));
        }
    };
    Ok(Order { key, ascending })
}

/// The document's `metadataFilter`: a subset of the JSON that `metadata_filter` reads.
pub const METADATA_FILTER_PATTERN: &str =
    "^\\{\"items\": ?\\{(\"[a-z]{1,20}\": ?\\[(\"[a-z]{0,20}\")?\\])?\\}\\}$";

/// `metadataFilter`: a JSON string `{"items": {"key": ["v1", "v2"]}}`, as the original product's clients send it.
pub fn metadata_filter(
    raw: Option<&str>,
) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
    #[derive(serde::Deserialize)]
    struct Items {
        items: std::collections::BTreeMap<String, Vec<String>>,
    }
    crate::limits::length("metadataFilter", raw.unwrap_or(""), crate::limits::SHORT)?;
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Default::default()),
        Some(text) => serde_json::from_str::<Items>(text)
            .map(|i| i.items)
            .map_err(|e| {
                Error::bad_request(
                    "invalid_query",
                    format!(
                        "metadataFilter: expected {{\"items\": {{\"key\": [\"value\"]}}}}: {e}"
                    ),
                )
            }),
    }
}

/// A JSON body as `T`: malformed JSON (trailing bytes after the document included) → 400 naming
/// the line and column; a field `T` does not declare, or of the wrong shape → 422 naming it.
pub fn parse_json<T: DeserializeOwned + JsonSchema>(body: &[u8]) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::bad_request(
            "malformed_json",
            "the request body is empty; a JSON document is expected",
        ));
    }
    // serde would read a struct from an array, positionally; every body of this API is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Error::invalid_field(
            "body",
            "expected a JSON object, got an array",
        ));
    }
    // Read as a whole first (`from_slice` refuses anything after the document), then checked for
    // undeclared fields, then typed.
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::bad_request(
            "malformed_json",
            format!(
                "malformed JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ),
        )
    })?;
    let value = integral_floats_as_integers(value);
    super::known_fields::check::<T>(&value, "")?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        Error::invalid_field(&field, strip_position(&e.into_inner().to_string()))
    })
}

/// JSON does not tell `30.0` from `30`; neither do we, so integer fields take both.
fn integral_floats_as_integers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => items.into_iter().map(integral_floats_as_integers).collect(),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, integral_floats_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// serde_json appends " at line X column Y"; we report the position our own way.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, schemars::JsonSchema, Debug)]
    #[allow(dead_code)]
    struct Body {
        label: String,
        nested: Option<Inner>,
    }
    #[derive(serde::Deserialize, schemars::JsonSchema, Debug)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn json_errors_name_where() {
        let cases: [(&str, u16, &str); 7] = [
            ("", 400, "empty"),
            ("{\"label\": ", 400, "line 1 column 10"),
            ("{\"label\": \"a\"} xyz", 400, "trailing characters"),
            (
                "{\"label\": \"a\", \"lable\": 1}",
                422,
                "lable: unknown field",
            ),
            ("{}", 422, "body: missing field `label`"),
            ("{\"label\": 5}", 422, "label: invalid type"),
            (
                "{\"label\": \"x\", \"nested\": {\"count\": -1}}",
                422,
                "nested.count: invalid value",
            ),
        ];
        for (body, status, fragment) in cases {
            let e = parse_json::<Body>(body.as_bytes()).unwrap_err();
            assert_eq!(
                super::super::reply::status_of(e.kind).as_u16(),
                status,
                "{body}"
            );
            assert!(e.message.contains(fragment), "{body}: {}", e.message);
        }
    }
}
