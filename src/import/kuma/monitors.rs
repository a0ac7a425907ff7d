//! Uptime Kuma monitors as dutyduck monitors (the settings every kind shares: interval,
//! retries, timeout, tags, notifications) and push monitors as tasks expecting a ping every
//! interval. Groups are not checks in dutyduck: their children carry a `group` tag instead.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::model::{Kuma, Monitor};
use crate::ids::OrgId;
use crate::import::{Entity, Lists, Report, origin_id, slug, task_ids, validate};

/// What a Kuma monitor became, for the maintenance windows and status pages naming it.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Monitor(String),
    Task(String),
}

pub fn map(
    kuma: &Kuma,
    org: OrgId,
    channels: &HashMap<i64, String>,
    report: &mut Report,
    lists: &mut Lists,
) -> HashMap<i64, Source> {
    let mut sources = HashMap::new();
    // Push monitors' task ids, chosen among them all so their order does not matter.
    let pushes: Vec<&Monitor> = kuma.monitors.iter().filter(|m| m.kind == "push").collect();
    let candidates: Vec<(String, String)> = pushes
        .iter()
        .map(|m| {
            let alt = format!("kuma-push-{}", m.id);
            (slug(&m.name, &alt), alt)
        })
        .collect();
    let push_ids: HashMap<i64, (String, String)> = pushes
        .iter()
        .map(|m| m.id)
        .zip(
            task_ids::choose(&candidates)
                .into_iter()
                .zip(candidates.iter().map(|c| c.1.clone())),
        )
        .collect();
    for m in &kuma.monitors {
        if m.kind == "group" {
            let children = kuma
                .monitors
                .iter()
                .filter(|c| c.parent == Some(m.id))
                .count();
            report.imported(
                Entity::Tag,
                &m.name,
                format!("group → tag group={:?} on its {children} monitors", m.name),
            );
            continue;
        }
        let mut notes = Vec::new();
        let mut common = Map::new();
        common.insert("name".into(), m.name.clone().into());
        common.insert(
            "metadata".into(),
            json!(super::tags::of(kuma, m, &mut notes)),
        );
        common.insert(
            "notificationChannels".into(),
            routes(kuma, m, channels, &mut notes),
        );
        if let Some(d) = m.row.text("description") {
            notes.push(format!(
                "description {d:?} not kept: dutyduck monitors have none"
            ));
        }
        let entry = if m.kind == "push" {
            push_task(m, push_ids[&m.id].0.clone(), common, &mut notes)
        } else {
            monitor(m, org, common, &mut notes)
        };
        let (entity, list) = match m.kind.as_str() {
            "push" => (Entity::Task, &mut lists.tasks),
            _ => (Entity::Monitor, &mut lists.monitors),
        };
        let checked = entry.and_then(|e| {
            let check = if entity == Entity::Task {
                validate::task
            } else {
                validate::monitor
            };
            check(&e).map(|()| e)
        });
        match checked {
            Err(why) => report.skipped(entity, &m.name, format!("{} monitor: {why}", m.kind)),
            Ok(mut e) => {
                let id = e["id"].as_str().unwrap_or_default().to_owned();
                if let Some((_, alt)) = push_ids.get(&m.id).filter(|(_, alt)| *alt != id) {
                    e[task_ids::ALT_ID] = alt.clone().into();
                }
                let how = match entity {
                    Entity::Task => format!("push monitor → task {id:?} with a period"),
                    _ => format!("{} → {}", m.kind, e["kind"].as_str().unwrap_or_default()),
                };
                report.imported(entity, &m.name, how);
                for note in notes {
                    report.approximated(entity, &m.name, note);
                }
                sources.insert(
                    m.id,
                    match entity {
                        Entity::Task => Source::Task(id),
                        _ => Source::Monitor(id),
                    },
                );
                list.push(e);
            }
        }
    }
    sources
}

fn monitor(
    m: &Monitor,
    org: OrgId,
    mut e: Map<String, Value>,
    notes: &mut Vec<String>,
) -> Result<Value, String> {
    let kind = super::kinds::map(m)?;
    notes.extend(kind.notes);
    e.insert(
        "id".into(),
        origin_id(org, &format!("uptime-kuma/monitor/{}", m.id))
            .to_string()
            .into(),
    );
    e.insert("kind".into(), kind.kind.into());
    e.extend(kind.fields);
    let interval = m.interval.clamp(5, 86_400);
    if interval != m.interval {
        notes.push(format!(
            "interval {} s → {interval} s (dutyduck's range is 5 s to a day)",
            m.interval
        ));
    }
    e.insert("intervalSeconds".into(), interval.into());
    // Uptime Kuma's own default timeout is 80 % of the interval.
    let timeout = m.timeout.unwrap_or(m.interval as f64 * 0.8);
    let ms = ((timeout * 1000.0).round() as i64).clamp(1, 60_000);
    if (ms as f64) < timeout * 1000.0 - 0.5 {
        notes.push(format!("timeout {timeout} s → 60 s, dutyduck's longest"));
    }
    e.insert("requestTimeoutMs".into(), ms.into());
    // Saturating: the database may hold any 64-bit number, and a crash is no report.
    let threshold = m.max_retries.saturating_add(1).min(10);
    if m.max_retries.saturating_add(1) > 10 {
        notes.push(format!(
            "{} retries → down after 10 failed checks, dutyduck's most",
            m.max_retries
        ));
    }
    if m.max_retries > 0 && m.retry_interval != m.interval {
        notes.push(format!(
            "retries every {} s → confirmed at the interval ({} s): dutyduck has no retry interval",
            m.retry_interval, m.interval
        ));
    }
    e.insert("downtimeConfirmationThreshold".into(), threshold.into());
    // Uptime Kuma is up again at the first successful check.
    e.insert("recoveryConfirmationThreshold".into(), 1.into());
    e.insert("isActive".into(), m.active.into());
    if m.resend_interval > 0 {
        let minutes = renotify_minutes(m);
        notes.push(format!(
            "re-notify every {} checks while down → every {minutes} min (dutyduck: 5 min to a week)",
            m.resend_interval
        ));
        e.insert("renotifyMinutes".into(), minutes.into());
    }
    Ok(Value::Object(e))
}

/// A push monitor waits for a push every `interval` seconds, then (with retries) every
/// `retry_interval` before it is down: a task with that period, the retries as its grace.
fn push_task(
    m: &Monitor,
    id: String,
    mut e: Map<String, Value>,
    notes: &mut Vec<String>,
) -> Result<Value, String> {
    // Its tags and group tag: the person who filtered by them should know they are gone.
    if let Some(Value::Object(tags)) = e.remove("metadata").filter(|t| t != &json!({})) {
        let list: Vec<String> = tags
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        notes.push(format!(
            "tags {} not kept: dutyduck tasks have no tags",
            list.join(", ")
        ));
    }
    let token = m.row.text("push_token").ok_or("it has no push token")?;
    let period = m.interval.clamp(60, 31_536_000);
    if period != m.interval {
        notes.push(format!(
            "push expected every {} s → every {period} s, dutyduck's shortest period",
            m.interval
        ));
    }
    let wait = m.retry_interval.saturating_mul(m.max_retries);
    let grace = wait.clamp(5, 31_536_000);
    if wait > grace {
        notes.push(format!(
            "retries wait {wait} s → grace {grace} s, dutyduck's longest"
        ));
    }
    e.insert("id".into(), id.into());
    e.insert("periodSeconds".into(), period.into());
    e.insert("startWindowSeconds".into(), grace.into());
    e.insert("pingKey".into(), token.into());
    if !m.active {
        notes
            .push("paused in Uptime Kuma; dutyduck tasks cannot be paused: imported active".into());
    }
    if m.resend_interval > 0 {
        let minutes = renotify_minutes(m);
        e.insert("renotifyMinutes".into(), minutes.into());
    }
    Ok(Value::Object(e))
}

/// Kuma re-notifies every `resend_interval` checks: that many intervals, in dutyduck's range
/// (5 min to a week). Saturating, as the product of two huge columns overflows.
fn renotify_minutes(m: &Monitor) -> i64 {
    (m.resend_interval
        .saturating_mul(m.interval)
        .saturating_add(59)
        / 60)
        .clamp(5, 10_080)
}

/// The channels its notifications became; none when it had none (dutyduck's null would mean
/// every channel of the organization).
fn routes(
    kuma: &Kuma,
    m: &Monitor,
    channels: &HashMap<i64, String>,
    notes: &mut Vec<String>,
) -> Value {
    let mut ids = Vec::new();
    for (_, n) in kuma
        .monitor_notifications
        .iter()
        .filter(|(mon, _)| *mon == m.id)
    {
        match channels.get(n) {
            Some(id) => ids.push(json!(id)),
            None => {
                let name = kuma
                    .notifications
                    .iter()
                    .find(|x| x.id == *n)
                    .map_or("?", |x| &x.name);
                notes.push(format!(
                    "notification {name:?} not brought (see its channel line)"
                ));
            }
        }
    }
    Value::Array(ids)
}
