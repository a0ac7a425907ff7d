//! `monitors`, through `monitors`: created and changed without their `upstreams` first, which
//! are set once every monitor of the document exists (they name each other). `isActive`
//! pauses or resumes as the monitor's own action does. Archived monitors are left alone.

use rusqlite::Connection;
use serde_json::Value;

use super::{Section, id_of};
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, secret_paths, typed};
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};
use crate::monitors::actions::{self, Action};
use crate::monitors::model::{Monitor, MonitorStatus};
use crate::monitors::settings::{MonitorInput, Settings};
use crate::monitors::store::{self, Filter};
use crate::monitors::upsert;
use crate::monitors::upstreams::{self, DependentType, UpstreamsInput};
use crate::notify::escalation::store::chosen;

pub const SECTION: Section = Section {
    name: "monitors",
    order_by: "name",
    export,
    create,
    update,
    delete,
    finish: Some(finish),
    secrets,
};

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    let all = Filter {
        limit: u32::MAX,
        ..Filter::default()
    };
    let mut out = Vec::new();
    for m in store::list(c, org, &all)?.items {
        let mut masked = m.settings.kind.clone();
        masked.mask();
        let mut secrets = Vec::new();
        let raw = serde_json::to_value(&m.settings.kind).map_err(Error::internal)?;
        let hidden = serde_json::to_value(&masked).map_err(Error::internal)?;
        secret_paths(&raw, &hidden, "", &mut secrets);
        let mut body = pick::<MonitorInput>(&m)?;
        let policy = chosen(c, org, "monitor", &m.id.to_string())?;
        body.insert(
            "escalationPolicy".into(),
            serde_json::to_value(policy).map_err(Error::internal)?,
        );
        body.insert(
            "isActive".into(),
            Value::Bool(m.status != MonitorStatus::Inactive),
        );
        out.push(Raw {
            entry: Entry::new(m.id.to_string(), body),
            secrets,
        });
    }
    Ok(out)
}

/// Where the monitor's kind masks a value, were the entry a new monitor (an entry its kind
/// refuses has none: applying it reports why).
fn secrets(e: &Entry) -> Vec<String> {
    let Ok(settings) = input(e).and_then(Settings::create) else {
        return Vec::new();
    };
    let mut masked = settings.kind.clone();
    masked.mask();
    let mut paths = Vec::new();
    if let (Ok(raw), Ok(hidden)) = (
        serde_json::to_value(&settings.kind),
        serde_json::to_value(&masked),
    ) {
        secret_paths(&raw, &hidden, "", &mut paths);
    }
    paths
}

/// The entry's body without `upstreams` (set by `finish`) as the monitor's input.
fn input(e: &Entry) -> Result<MonitorInput> {
    let mut body = e.body.clone();
    body.remove("upstreams");
    typed(&body)
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    upsert::create(c, org, id_of(&e.id)?, input(e)?, now).map(drop)
}

fn stored(c: &Connection, org: OrgId, id: MonitorId) -> Result<Monitor> {
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("monitor"))
}

fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    let current = stored(c, org, id_of(&e.id)?)?;
    let mut input = input(e)?;
    let active = input.is_active.take();
    let after = upsert::update(c, &current, input, now)?;
    if let Some(active) = active
        && active != (after.status != MonitorStatus::Inactive)
    {
        let action = if active {
            Action::Resume
        } else {
            Action::Pause
        };
        let _ = actions::perform(c, after, &action, now)?;
    }
    Ok(())
}

fn finish(c: &Connection, org: OrgId, e: &Entry, _: Timestamp) -> Result<()> {
    let Some(list) = e.body.get("upstreams") else {
        return Ok(());
    };
    let wanted: UpstreamsInput = typed(&serde_json::Map::from_iter([(
        "upstreams".to_owned(),
        list.clone(),
    )]))?;
    upstreams::apply(c, org, DependentType::Monitor, &e.id, &wanted)
}

fn delete(c: &Connection, org: OrgId, id: &str, now: Timestamp) -> Result<()> {
    let current = stored(c, org, id_of(id)?)?;
    actions::perform(c, current, &Action::Delete, now).map(drop)
}
