//! A webhook's custom body: a method, a content type and a template whose `{{placeholders}}`
//! name fields of the documented JSON payload (`webhook::payload`, README "Webhook signatures
//! and payload"), so any service with an HTTP API can be reached without a relay in between.
//! Each value is escaped for the content type it lands in: JSON string escaping (the template
//! puts the quotes), percent-encoding for a form, XML escaping, nothing for plain text. A name
//! outside `FIELDS` is refused when the channel is saved, never discovered at sending time.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::HttpRequest;
use crate::error::{Error, Result};
use crate::limits;

/// The largest template: a request body, not a document.
pub const MAX_BODY: usize = 16_384;

/// The names a template may use: the payload's fields holding one value (a digest's list of
/// incidents and an incident's `cause`, an object, are only in the default payload).
pub const FIELDS: [&str; 21] = [
    "id",
    "event",
    "occurredAt",
    "organization.name",
    "subject",
    "text",
    "incident.id",
    "incident.title",
    "incident.status",
    "incident.priority",
    "incident.createdAt",
    "incident.resolvedAt",
    "incident.acknowledgedBy",
    "incident.url",
    "source.type",
    "source.id",
    "source.name",
    "source.url",
    "digest.count",
    "digest.url",
    "digest.titles",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Method {
    #[default]
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "PATCH")]
    Patch,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum ContentType {
    #[default]
    #[serde(rename = "application/json")]
    Json,
    #[serde(rename = "application/x-www-form-urlencoded")]
    Form,
    #[serde(rename = "text/plain")]
    Text,
    #[serde(rename = "application/xml")]
    Xml,
}

/// A custom request body, instead of the documented JSON payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// POST (the default), PUT or PATCH.
    #[serde(default)]
    pub method: Method,
    /// How the body is sent, and how each value is escaped in it.
    #[serde(default)]
    pub content_type: ContentType,
    /// The body, with `{{incident.title}}`-style placeholders naming the payload's fields:
    /// id, event, occurredAt, organization.name, subject, text, incident.id, incident.title,
    /// incident.status, incident.priority, incident.createdAt, incident.resolvedAt,
    /// incident.acknowledgedBy, incident.url, source.type, source.id, source.name, source.url,
    /// digest.count, digest.url, digest.titles. A field without a value is empty.
    #[schemars(length(max = MAX_BODY), regex(pattern = limits::MULTILINE))]
    pub body: String,
}

/// A piece of a template: text as written, or a field's value.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// The template's pieces; a refusal says what is wrong where.
fn pieces(body: &str) -> std::result::Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("has a {{ without its }}".into());
        };
        let name = after[..close].trim();
        if !FIELDS.contains(&name) {
            return Err(format!(
                "{{{{{name}}}}} is not a field of the payload; use one of: {}",
                FIELDS.join(", ")
            ));
        }
        out.push(Piece::Field(name));
        rest = &after[close + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

impl Template {
    pub fn validate(&self) -> Result<()> {
        limits::multiline("config.template.body", &self.body, MAX_BODY)?;
        pieces(&self.body).map_err(|why| Error::invalid_field("config.template.body", why))?;
        Ok(())
    }

    /// The request of a webhook with or without a template: the default payload as JSON without.
    pub fn request_or_json(template: Option<&Template>, url: &str, payload: &Value) -> HttpRequest {
        match template {
            Some(template) => template.request(url, payload),
            None => HttpRequest::post_json(url, payload),
        }
    }

    /// The request to `url` for a notification whose default payload is `payload`.
    pub fn request(&self, url: &str, payload: &Value) -> HttpRequest {
        let (method, content_type) = (self.method, self.content_type);
        HttpRequest {
            method: match method {
                Method::Post => reqwest::Method::POST,
                Method::Put => reqwest::Method::PUT,
                Method::Patch => reqwest::Method::PATCH,
            },
            url: url.to_owned(),
            content_type: match content_type {
                ContentType::Json => "application/json",
                ContentType::Form => "application/x-www-form-urlencoded",
                ContentType::Text => "text/plain; charset=utf-8",
                ContentType::Xml => "application/xml; charset=utf-8",
            },
            headers: Vec::new(),
            body: self.render(payload).into_bytes(),
        }
    }

    fn render(&self, payload: &Value) -> String {
        // Validated when saved; a template stored before a field was renamed renders as written.
        let Ok(pieces) = pieces(&self.body) else {
            return self.body.clone();
        };
        pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.to_owned(),
                Piece::Field(name) => escape(self.content_type, &value_of(payload, name)),
            })
            .collect()
    }
}

/// A field's value as text: a list is comma-separated, a missing value empty.
fn value_of(payload: &Value, name: &str) -> String {
    if name == "digest.titles" {
        let titles = payload["digest"]["incidents"]
            .as_array()
            .into_iter()
            .flatten();
        return titles
            .filter_map(|i| i["title"].as_str())
            .collect::<Vec<_>>()
            .join(", ");
    }
    let pointer = format!("/{}", name.replace('.', "/"));
    match payload.pointer(&pointer) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn escape(content_type: ContentType, value: &str) -> String {
    match content_type {
        ContentType::Json => {
            let quoted = Value::String(value.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        }
        ContentType::Form => url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        ContentType::Xml => value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;"),
        ContentType::Text => value.to_owned(),
    }
}

#[cfg(test)]
mod tests;
