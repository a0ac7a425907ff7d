//! `/audit-log`: the organization's log, newest first, filtered and paged, and its export as
//! CSV or JSON (Administrators and Owners: `readAuditLog`).

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Deserialize;
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::store::{self, Filter, Record};
use crate::accounts::roles::Permission::ReadAuditLog;
use crate::error::{Error, Result};
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{TokenId, UserId};
use crate::limits;

/// The most entries one export holds (newest first): a bounded answer; narrow the filter (a
/// period) for more.
pub const EXPORT_MAX: u32 = 10_000;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Audit log",
        vec![
            Route::get("/audit-log", list)
                .summary("The organization's audit log, newest first: who changed what, when, from where")
                .query::<ListQuery>()
                .returns::<ListPage<Record>>(200, "A page of entries"),
            Route::get("/audit-log/export", export)
                .summary("The entries a filter selects (newest first, at most 10,000) as CSV or JSON")
                .query::<ExportQuery>()
                // Two content types, as the Atom feed: described in words, not as a schema.
                .returns_empty(
                    200,
                    "The entries: text/csv with a header row, or application/json (an array of the entries GET /audit-log lists)",
                ),
        ],
    )
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct FilterQuery {
    /// Entries by this user (through the dashboard or their tokens).
    pub user_id: Option<UserId>,
    /// Entries made with this API token.
    pub token_id: Option<TokenId>,
    /// `monitor`, `task`, `notification_channel`, `session`, …
    #[schemars(length(max = limits::LABEL), regex(pattern = limits::LINE_OR_EMPTY))]
    pub resource_type: Option<String>,
    #[schemars(length(max = limits::LABEL), regex(pattern = limits::LINE_OR_EMPTY))]
    pub resource_id: Option<String>,
    /// `create`, `update`, `delete`, `sign_in`, `sign_in_failed`, `acknowledge`, `bulk`, …
    #[schemars(length(max = limits::LABEL), regex(pattern = limits::LINE_OR_EMPTY))]
    pub action: Option<String>,
    /// RFC 3339; entries at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// RFC 3339; entries before.
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    pub page: Page,
    #[serde(flatten)]
    pub filter: FilterQuery,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    /// `csv` (the default) or `json`.
    #[schemars(extend("enum" = ["csv", "json"]))]
    pub format: Option<String>,
    #[serde(flatten)]
    pub filter: FilterQuery,
}

impl FilterQuery {
    fn checked(self) -> Result<Filter> {
        let text = |field: &str, v| limits::optional(field, v, limits::LABEL, limits::line);
        Ok(Filter {
            user_id: self.user_id,
            token_id: self.token_id,
            resource_type: text("resourceType", self.resource_type)?,
            resource_id: text("resourceId", self.resource_id)?,
            action: text("action", self.action)?,
            from: self.from.map(|t| t.to_utc()),
            to: self.to.map(|t| t.to_utc()),
        })
    }
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadAuditLog).await?;
    let q: ListQuery = req.query()?;
    let filter = q.filter.checked()?;
    let (offset, limit) = q.page.window(20);
    let org = me.org_id;
    let page = req
        .read(move |c| store::list(c, org, &filter, offset, limit))
        .await?;
    Ok(ListPage::reply(page))
}

async fn export(req: Request) -> Result<Response> {
    let me = req.require(ReadAuditLog).await?;
    let q: ExportQuery = req.query()?;
    let csv = match q.format.as_deref().unwrap_or("csv") {
        "csv" => true,
        "json" => false,
        other => {
            return Err(Error::invalid_field(
                "format",
                format!("{other:?} is not csv or json"),
            ));
        }
    };
    let filter = q.filter.checked()?;
    let org = me.org_id;
    let items = req
        .app
        .store
        .read_long(move |c| store::list(c, org, &filter, 0, EXPORT_MAX))
        .await?
        .items;
    if !csv {
        return Ok(attachment(reply::ok(&items), "audit-log.json"));
    }
    let mut response = Response::new(super::csv::render(&items).into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(attachment(response, "audit-log.csv"))
}

fn attachment(mut response: Response, name: &'static str) -> Response {
    let value = format!("attachment; filename=\"{name}\"");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
