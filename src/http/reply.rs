//! Building responses, and the one mapping from `Error` to HTTP.

use serde::Serialize;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use crate::error::{Error, Kind};
use crate::store::Page;

pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthorized => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::UriTooLong => StatusCode::URI_TOO_LONG,
        Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        Kind::HeaderFieldsTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
        Kind::Gone => StatusCode::GONE,
    }
}

/// The JSON body of every error: `{"error": {"code", "message"}}`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorDetail {
    /// Stable snake_case identifier, e.g. `invalid_field`.
    pub code: String,
    /// What is wrong, for humans.
    pub message: String,
}

/// One page of a list, with the original API's counts: all of the organization's items, and
/// those matching the filter (whatever the page).
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total_number_of_results: i64,
    pub total_number_of_filtered_results: i64,
}

impl<T: Serialize> ListPage<T> {
    /// A store's page, in the original API's shape.
    pub fn reply(page: Page<T>) -> Response {
        ok(&ListPage {
            items: page.items,
            total_number_of_results: page.total,
            total_number_of_filtered_results: page.filtered,
        })
    }
}

pub fn error(e: &Error) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: e.code.to_owned(),
            message: e.message.clone(),
        },
    };
    let mut response = json(status_of(e.kind), &body);
    if let Some(secs) = e.retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(allow) = e
        .allow
        .as_deref()
        .and_then(|a| HeaderValue::from_str(a).ok())
    {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    let bytes = serde_json::to_vec(value).expect("API types serialize");
    let mut response = Response::new(bytes.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub fn ok<T: Serialize + ?Sized>(value: &T) -> Response {
    json(StatusCode::OK, value)
}

pub fn created<T: Serialize + ?Sized>(value: &T) -> Response {
    json(StatusCode::CREATED, value)
}

pub fn no_content() -> Response {
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

pub fn text(status: StatusCode, body: &'static str) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
