//! `/probes`: an organization's remote probes (Administrators and Owners register, change and
//! remove them; whoever reads monitors sees them). Instance-wide probes are listed to every
//! organization, read-only: the instance's administrator manages them with `dutyduck probes`.

use std::collections::BTreeMap;

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::model::{Probe, StoredProbe, Token, check_changeable, check_name};
use super::{silence, store};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteProbes};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::ProbeId;
use crate::store::signals::{Subject, changed};

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Probes",
        vec![
            Route::get("/probes", list)
                .summary("List the organization's probes and the instance-wide ones")
                .returns::<ProbeList>(200, "The probes, by name"),
            Route::post("/probes", create)
                .summary("Register a probe; its token is in this response only")
                .body::<CreateProbe>()
                .returns::<IssuedProbe>(201, "The probe and its token"),
            Route::get("/probes/{id}", get)
                .summary("Get a probe")
                .returns::<Probe>(200, "The probe"),
            Route::patch("/probes/{id}", update)
                .summary("Rename a probe or change its labels (not an instance-wide one)")
                .body::<UpdateProbe>()
                .returns::<Probe>(200, "The probe"),
            Route::delete("/probes/{id}", delete)
                .summary("Remove a probe; its token stops working at once")
                .returns_empty(204, "Removed"),
            Route::post("/probes/{id}/token", new_token)
                .summary("Give a probe a new token; the old one stops working at once")
                .returns::<IssuedProbe>(200, "The probe and its new token"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<ProbeId>("id").audited_as("probe"))
    .collect()
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProbeList {
    pub probes: Vec<Probe>,
}

/// A probe with its token: the only time the token exists outside its holder's hands.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedProbe {
    pub probe: Probe,
    /// `ddp_…`: run the probe with it (`DUTYDUCK_PROBE_TOKEN=… dutyduck probe --server URL`).
    /// Shown once; only its digest is stored.
    pub token: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateProbe {
    /// 1 to 100 characters, e.g. `eu-west`.
    #[schemars(length(min = 1, max = super::model::NAME), regex(pattern = crate::limits::LINE))]
    pub name: String,
    /// At most 10, e.g. `{"region": "eu-west"}`: a monitor's location `region=eu-west` selects
    /// every probe with that label.
    #[serde(default)]
    pub labels: Option<Labels>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProbe {
    #[schemars(length(min = 1, max = super::model::NAME), regex(pattern = crate::limits::LINE))]
    pub name: Option<String>,
    pub labels: Option<Labels>,
}

/// Keys `[a-z0-9][a-z0-9_.-]{0,31}`, values `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}`.
#[derive(Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(schema_with = "labels_schema")]
pub struct Labels(pub BTreeMap<String, String>);

fn labels_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["object", "null"],
        "maxProperties": crate::limits::LABELS,
        "propertyNames": {"pattern": crate::limits::LABEL_KEY_PATTERN},
        "additionalProperties": {"type": "string", "pattern": crate::limits::LABEL_VALUE_PATTERN},
    })
}

fn labels(given: Option<Labels>) -> Result<BTreeMap<String, String>> {
    let labels = given.map(|l| l.0).unwrap_or_default();
    crate::limits::labels("labels", &labels)?;
    Ok(labels)
}

/// The probe as shown, with the count of monitors it checks now.
pub fn shown(conn: &Connection, probe: StoredProbe, now: Timestamp) -> Result<Probe> {
    let monitors = crate::monitors::locations::assigned(conn, &probe.location())?.len();
    Ok(probe.shown(now, monitors))
}

/// This organization's probe (or an instance-wide one) named by the path, or 404.
async fn find(req: &Request, me: &Principal) -> Result<StoredProbe> {
    let id: ProbeId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |conn| store::visible(conn, id, org))
        .await?
        .ok_or_else(|| Error::not_found("probe"))
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let now = req.now();
    let probes = req
        .read(move |conn| {
            store::list_visible(conn, me.org_id)?
                .into_iter()
                .map(|p| shown(conn, p, now))
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    Ok(reply::ok(&ProbeList { probes }))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let probe = find(&req, &me).await?;
    let now = req.now();
    Ok(reply::ok(&req.read(move |c| shown(c, probe, now)).await?))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteProbes).await?;
    let body: CreateProbe = req.json()?;
    let name = check_name(&body.name)?;
    let labels = labels(body.labels)?;
    let now = req.now();
    let id = ProbeId::generate();
    let (token, text) = Token::generate(id);
    let probe = req
        .write(move |conn| {
            let probe = store::insert(
                conn,
                id,
                Some(me.org_id),
                &name,
                &labels,
                &token.digest(),
                now,
            )?;
            crate::audit::created(id);
            changed(me.org_id, Subject::Monitors);
            shown(conn, probe, now)
        })
        .await?;
    Ok(reply::created(&IssuedProbe { probe, token: text }))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteProbes).await?;
    let probe = find(&req, &me).await?;
    check_changeable(&probe)?;
    let body: UpdateProbe = req.json()?;
    let name = match &body.name {
        Some(n) => check_name(n)?,
        None => probe.name.clone(),
    };
    let labels = match body.labels {
        Some(l) => labels(Some(l))?,
        None => probe.labels.clone(),
    };
    let now = req.now();
    let shown_probe = req
        .write(move |conn| {
            store::update(conn, probe.id, &name, &labels)?;
            // Its labels decide which monitors it checks: its long poll re-reads them.
            changed(me.org_id, Subject::Monitors);
            let probe = store::get(conn, probe.id)?.ok_or_else(|| Error::not_found("probe"))?;
            shown(conn, probe, now)
        })
        .await?;
    Ok(reply::ok(&shown_probe))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteProbes).await?;
    let probe = find(&req, &me).await?;
    check_changeable(&probe)?;
    let now = req.now();
    let id = probe.id;
    req.write(move |conn| {
        silence::removed(conn, &probe, now)?;
        store::delete(conn, probe.id)?;
        changed(me.org_id, Subject::Monitors);
        Ok(())
    })
    .await?;
    req.app.probes.forget(id);
    Ok(reply::no_content())
}

async fn new_token(req: Request) -> Result<Response> {
    let me = req.require(WriteProbes).await?;
    let probe = find(&req, &me).await?;
    check_changeable(&probe)?;
    let (token, text) = Token::generate(probe.id);
    let now = req.now();
    let probe = req
        .write(move |conn| {
            store::set_digest(conn, probe.id, &token.digest())?;
            shown(conn, probe, now)
        })
        .await?;
    Ok(reply::ok(&IssuedProbe { probe, token: text }))
}
