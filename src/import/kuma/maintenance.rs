//! Uptime Kuma maintenance as dutyduck maintenance windows: "single" is a one-off window,
//! the recurring strategies a cron schedule with a duration in their time zone, "manual" (in
//! force until someone ends it) a one-off window from the day of the import.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, NaiveTime, TimeZone};
use serde_json::{Map, Value, json};

use super::model::Kuma;
use super::monitors::Source;
use super::rows::Row;
use crate::clock::Timestamp;
use crate::ids::OrgId;
use crate::import::{Entity, Lists, Report, origin_id, validate};

pub fn map(
    kuma: &Kuma,
    org: OrgId,
    sources: &HashMap<i64, Source>,
    today: Timestamp,
    report: &mut Report,
    lists: &mut Lists,
) {
    for row in &kuma.maintenances {
        let Some(id) = row.int("id") else { continue };
        let title = row
            .text("title")
            .unwrap_or_else(|| format!("maintenance {id}"));
        let mut notes = Vec::new();
        let entry = window(kuma, row, sources, today, &mut notes).and_then(|mut e| {
            e.insert(
                "id".into(),
                origin_id(org, &format!("uptime-kuma/maintenance/{id}"))
                    .to_string()
                    .into(),
            );
            e.insert("title".into(), title.clone().into());
            if let Some(d) = row.text("description") {
                e.insert("description".into(), d.into());
            }
            let e = Value::Object(e);
            validate::maintenance_window(&e).map(|()| e)
        });
        match entry {
            Err(why) => report.skipped(Entity::MaintenanceWindow, &title, why),
            Ok(e) => {
                let strategy = row.text("strategy").unwrap_or_default();
                report.imported(Entity::MaintenanceWindow, &title, strategy);
                for note in notes {
                    report.approximated(Entity::MaintenanceWindow, &title, note);
                }
                lists.maintenance_windows.push(e);
            }
        }
    }
}

fn window(
    kuma: &Kuma,
    row: &Row,
    sources: &HashMap<i64, Source>,
    today: Timestamp,
    notes: &mut Vec<String>,
) -> Result<Map<String, Value>, String> {
    if !row.flag("active", true) {
        return Err("paused in Uptime Kuma".into());
    }
    let mut e = Map::new();
    e.insert("selection".into(), selection(kuma, row, sources, notes)?);
    let zone = match row.text("timezone").as_deref() {
        None | Some("SAME_AS_SERVER") => {
            kuma.server_timezone.clone().unwrap_or_else(|| "UTC".into())
        }
        Some(z) => z.to_owned(),
    };
    let tz: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| format!("unknown time zone {zone:?}"))?;
    let strategy = row.text("strategy").unwrap_or_else(|| "single".into());
    match strategy.as_str() {
        "manual" => {
            let start = today;
            notes.push(format!(
                "manual (in force until ended) → one-off from {} for 365 days: end it when done",
                start.format("%Y-%m-%d")
            ));
            e.insert("startsAt".into(), json!(start));
            e.insert("endsAt".into(), json!(start + Duration::days(365)));
        }
        "single" => {
            let at = |col: &str| -> Result<Timestamp, String> {
                let text = row.text(col).ok_or(format!("it has no {col}"))?;
                let local = local_time(&text).ok_or(format!("{col} {text:?} is not a date"))?;
                tz.from_local_datetime(&local)
                    .earliest()
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .ok_or(format!("{col} {text:?} does not exist in {zone}"))
            };
            let (start, end) = (at("start_date")?, at("end_date")?);
            if end <= today {
                return Err(format!("it ended on {}", end.format("%Y-%m-%d %H:%M UTC")));
            }
            e.insert("startsAt".into(), json!(start));
            e.insert("endsAt".into(), json!(end));
        }
        "recurring-interval" | "recurring-weekday" | "recurring-day-of-month" | "cron" => {
            let (cron, minutes) = recurring(row, &strategy, notes)?;
            e.insert("cronSchedule".into(), cron.into());
            e.insert("durationMinutes".into(), minutes.into());
            e.insert("timezone".into(), zone.into());
            if strategy != "cron"
                && (row.text("start_date").is_some() || row.text("end_date").is_some())
            {
                notes.push(format!(
                    "date range {} to {} not kept: recurring windows have none in dutyduck",
                    row.text("start_date").unwrap_or_default(),
                    row.text("end_date").unwrap_or_default()
                ));
            }
        }
        other => return Err(format!("unknown strategy {other:?}")),
    }
    Ok(e)
}

/// The cron expression and duration in minutes of a recurring strategy.
fn recurring(row: &Row, strategy: &str, notes: &mut Vec<String>) -> Result<(String, i64), String> {
    let time = |col: &str| {
        row.text(col)
            .and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok())
    };
    let minutes = match (row.int("duration"), time("start_time"), time("end_time")) {
        (Some(seconds), _, _) if seconds > 0 => (seconds + 59) / 60,
        (_, Some(s), Some(e)) => ((e - s).num_minutes() + 24 * 60) % (24 * 60),
        _ => return Err("it has no duration".into()),
    };
    if minutes <= 0 {
        return Err("its duration is zero".into());
    }
    if let Some(cron) = row.text("cron") {
        return Ok((cron, minutes));
    }
    let start = time("start_time").ok_or("it has no start time")?;
    let at = format!(
        "{} {}",
        chrono::Timelike::minute(&start),
        chrono::Timelike::hour(&start)
    );
    let list = |col: &str| -> Vec<Value> {
        match row.json(col) {
            Some(Ok(Value::Array(v))) => v,
            _ => Vec::new(),
        }
    };
    let numbers = |values: Vec<Value>| -> Vec<String> {
        values
            .iter()
            .filter_map(Value::as_i64)
            .map(|n| n.to_string())
            .collect()
    };
    let cron = match strategy {
        "recurring-interval" if row.int("interval_day").unwrap_or(1) == 1 => format!("{at} * * *"),
        "recurring-interval" => return Err("every few days cannot be said in cron".into()),
        "recurring-weekday" => {
            let days = numbers(list("weekdays"));
            if days.is_empty() {
                return Err("no weekday chosen".into());
            }
            format!("{at} * * {}", days.join(","))
        }
        _ => {
            let all = list("days_of_month");
            let days = numbers(all.clone());
            if days.len() < all.len() {
                notes.push("\"last day of the month\" days dropped: cron cannot say them".into());
            }
            if days.is_empty() {
                return Err("no day of the month dutyduck can say".into());
            }
            format!("{at} {} * *", days.join(","))
        }
    };
    Ok((cron, minutes))
}

/// Its monitors, and those of the status pages it is shown on (Uptime Kuma puts every monitor
/// of such a page in maintenance).
fn selection(
    kuma: &Kuma,
    row: &Row,
    sources: &HashMap<i64, Source>,
    notes: &mut Vec<String>,
) -> Result<Value, String> {
    let id = row.int("id");
    let mut monitors: Vec<i64> = kuma
        .monitor_maintenances
        .iter()
        .filter(|(_, m)| Some(*m) == id)
        .map(|(mon, _)| *mon)
        .collect();
    for (page, _) in kuma
        .page_maintenances
        .iter()
        .filter(|(_, m)| Some(*m) == id)
    {
        let on_page = kuma
            .groups
            .iter()
            .filter(|g| g.page == Some(*page))
            .flat_map(|g| g.monitors.iter().map(|(_, m)| *m));
        let extra: Vec<i64> = on_page.filter(|m| !monitors.contains(m)).collect();
        if !extra.is_empty() {
            notes.push(format!(
                "shown on a status page: its {} other monitors named too",
                extra.len()
            ));
        }
        monitors.extend(extra);
    }
    let (mut monitor_ids, mut task_ids) = (Vec::new(), Vec::new());
    for m in expand_groups(kuma, monitors, notes) {
        match sources.get(&m) {
            Some(Source::Monitor(id)) => monitor_ids.push(id.clone()),
            Some(Source::Task(id)) => task_ids.push(id.clone()),
            None => notes.push(format!("monitor {m} not imported: not covered")),
        }
    }
    if monitor_ids.is_empty() && task_ids.is_empty() {
        return Err("it covers no imported monitor".into());
    }
    Ok(json!({"monitorIds": monitor_ids, "taskIds": task_ids}))
}

/// Kuma puts a group's children (and theirs) under its maintenance; groups are tags in
/// dutyduck, so a group is replaced by the monitors under it.
fn expand_groups(kuma: &Kuma, named: Vec<i64>, notes: &mut Vec<String>) -> Vec<i64> {
    let is_group = |id: i64| {
        kuma.monitors
            .iter()
            .any(|g| g.id == id && g.kind == "group")
    };
    let mut out: Vec<i64> = Vec::new();
    let mut stack: Vec<i64> = named.into_iter().rev().collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        // A parent loop in a hand-edited database must not loop here.
        if !seen.insert(id) {
            continue;
        }
        if is_group(id) {
            let children: Vec<i64> = kuma
                .monitors
                .iter()
                .filter(|c| c.parent == Some(id))
                .map(|c| c.id)
                .collect();
            notes.push(format!(
                "group {id} → the {} monitors in it",
                children.len()
            ));
            stack.extend(children.into_iter().rev());
        } else {
            out.push(id);
        }
    }
    out
}

/// "2026-11-01T00:00", "2026-11-01 00:00:00" and the like.
fn local_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().replace('T', " ");
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
}
