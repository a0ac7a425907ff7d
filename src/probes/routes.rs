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

/// The probes as shown, with the count of monitors each checks now: one pass over the
/// monitors for the whole list.
pub fn shown(conn: &Connection, probes: Vec<StoredProbe>, now: Timestamp) -> Result<Vec<Probe>> {
    let places: Vec<_> = probes.iter().map(StoredProbe::location).collect();
    let counts = crate::monitors::locations::assigned_counts(conn, &places)?;
    Ok(probes
        .into_iter()
        .zip(counts)
        .map(|(p, n)| p.shown(now, n))
        .collect())
}

/// One probe as shown, read after the write that changed it (counting its monitors reads
/// every monitor: not inside the write, which would hold up every other writer).
async fn show(req: &Request, probe: StoredProbe) -> Result<Probe> {
    let now = req.now();
    let mut shown_probes = req.read(move |c| shown(c, vec![probe], now)).await?;
    shown_probes
        .pop()
        .ok_or_else(|| Error::internal("a probe shown as nothing"))
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
        .read(move |conn| shown(conn, store::list_visible(conn, me.org_id)?, now))
        .await?;
    Ok(reply::ok(&ProbeList { probes }))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let probe = find(&req, &me).await?;
    Ok(reply::ok(&show(&req, probe).await?))
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
            Ok(probe)
        })
        .await?;
    let probe = show(&req, probe).await?;
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
    let relabelled = labels != probe.labels;
    let updated = req
        .write(move |conn| {
            store::update(conn, probe.id, &name, &labels)?;
            if relabelled {
                // Its results were for the monitors its old labels selected: pages and quorums
                // stop counting them.
                crate::monitors::locations::forget(conn, &probe.id.to_string())?;
            }
            // Its labels decide which monitors it checks: its long poll re-reads them.
            changed(me.org_id, Subject::Monitors);
            store::get(conn, probe.id)?.ok_or_else(|| Error::not_found("probe"))
        })
        .await?;
    Ok(reply::ok(&show(&req, updated).await?))
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
        // Monitor pages, status pages and quorums stop counting its results.
        crate::monitors::locations::forget(conn, &probe.id.to_string())?;
        // Wakes its waiting long poll, which finds its token refused.
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
    let probe = req
        .write(move |conn| {
            store::set_digest(conn, probe.id, &token.digest())?;
            // Wakes a long poll waiting with the old token: it is refused at once.
            changed(me.org_id, Subject::Monitors);
            Ok(probe)
        })
        .await?;
    let probe = show(&req, probe).await?;
    Ok(reply::ok(&IssuedProbe { probe, token: text }))
}
