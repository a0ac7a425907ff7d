//! `tasks`, through `tasks` (the entry's `id` is the task id).

use rusqlite::Connection;
use serde_json::Value;

use super::Section;
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, typed};
use crate::error::{Error, Result};
use crate::ids::OrgId;
use crate::notify::escalation::store::chosen;
use crate::tasks::lifecycle;
use crate::tasks::model::Task;
use crate::tasks::settings::TaskInput;
use crate::tasks::store::{self, Filter};
use crate::tasks::upsert;

pub const SECTION: Section = Section {
    name: "tasks",
    order_by: "id",
    export,
    create,
    update,
    delete,
    finish: None,
    secrets,
};

/// The ping key: whoever has it reports for the task, so a reader of the document must not.
const PING_KEY: &str = "pingKey";

fn secrets(e: &Entry) -> Vec<String> {
    match e.body.get(PING_KEY) {
        Some(Value::String(_)) => vec![PING_KEY.to_owned()],
        _ => Vec::new(),
    }
}

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    let all = Filter {
        limit: u32::MAX,
        ..Filter::default()
    };
    let mut out = Vec::new();
    for t in store::list(c, org, &all)?.items {
        let mut body = pick::<TaskInput>(&t)?;
        let policy = chosen(c, org, "task", &t.id)?;
        body.insert(
            "escalationPolicy".into(),
            serde_json::to_value(policy).map_err(Error::internal)?,
        );
        let entry = Entry::new(t.id, body);
        out.push(Raw {
            secrets: secrets(&entry),
            entry,
        });
    }
    Ok(out)
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    let mut body = e.body.clone();
    body.insert("id".into(), Value::String(e.id.clone()));
    upsert::create(c, org, typed(&body)?, now).map(drop)
}

fn stored(c: &Connection, org: OrgId, id: &str) -> Result<Task> {
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("task"))
}

fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    upsert::update(c, &stored(c, org, &e.id)?, typed(&e.body)?, now).map(drop)
}

fn delete(c: &Connection, org: OrgId, id: &str, now: Timestamp) -> Result<()> {
    lifecycle::delete(c, &stored(c, org, id)?, now)
}
