//! Probe silence: a probe heard from once and not for 3 minutes opens an incident in its
//! organization (in every organization for an instance-wide probe), resolved once it is heard
//! from again. A probe never heard from is waiting (registered, not started yet): no incident.
//! The quorum of its monitors needs nothing from here: a silent probe has no fresh result, so
//! they are evaluated on their remaining locations.

use std::sync::Arc;

use chrono::{Duration, SecondsFormat};
use rusqlite::Connection;
use tokio::sync::watch;

use super::model::{ProbeStatus, StoredProbe, status};
use super::store;
use crate::app::App;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::model::{Cause, IncidentStatus, Priority, SourceType};
use crate::incidents::report::{self, Effect, Report};

/// How often the watch looks.
pub const EVERY: Duration = Duration::seconds(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    Open,
    Resolve,
}

/// What a probe's status at a look does to its incident in one organization.
pub fn decide(status: ProbeStatus, open: bool) -> Action {
    match (status, open) {
        (ProbeStatus::Silent, false) => Action::Open,
        (ProbeStatus::Up | ProbeStatus::Waiting, true) => Action::Resolve,
        _ => Action::None,
    }
}

/// The incident's source id: dutyduck declares it for the probe.
pub fn source_id(probe: &StoredProbe) -> String {
    format!("probe:{}", probe.id)
}

/// Runs until `stopped`; looks every `EVERY` on the app clock.
pub async fn run(app: Arc<App>, mut stopped: watch::Receiver<bool>) {
    loop {
        let now = app.clock.now();
        if let Err(e) = look(&app, now).await {
            log::warn!("could not record probes' silences ({e}); trying again");
        }
        tokio::select! {
            _ = app.clock.sleep_until(now + EVERY) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// Reads what to do, and writes only when something changes (a look is most often nothing).
async fn look(app: &App, now: Timestamp) -> Result<()> {
    let todo = app.store.read(move |c| plan(c, now)).await?;
    if todo.is_empty() {
        return Ok(());
    }
    app.store.write(move |c| carry_out(c, &todo, now)).await
}

/// Carries out a plan read before this write, as each probe stands now: a probe removed since
/// is left alone (its removal resolved its incidents), and one heard from since is no longer
/// silent (no incident opens for it).
fn carry_out(conn: &Connection, todo: &Todo, now: Timestamp) -> Result<()> {
    for (planned, org, _) in todo {
        let Some(probe) = store::get(conn, planned.id)? else {
            continue;
        };
        // `record` changes nothing when the incident is already as this asks.
        let action = match status(probe.last_seen_at, now) {
            ProbeStatus::Silent => Action::Open,
            ProbeStatus::Up | ProbeStatus::Waiting => Action::Resolve,
        };
        record(conn, &probe, *org, action, now)?;
    }
    Ok(())
}

fn organizations(conn: &Connection, probe: &StoredProbe) -> Result<Vec<OrgId>> {
    match probe.organization_id {
        Some(org) => Ok(vec![org]),
        None => crate::accounts::store::organization_ids(conn),
    }
}

type Todo = Vec<(StoredProbe, OrgId, Action)>;

fn plan(conn: &Connection, now: Timestamp) -> Result<Todo> {
    let mut todo = Vec::new();
    for probe in store::list_all(conn)? {
        let status = status(probe.last_seen_at, now);
        let source = source_id(&probe);
        for org in organizations(conn, &probe)? {
            let open = Report::about(org, SourceType::Manual, &source).open(conn)?;
            let action = decide(status, open.is_some());
            if action != Action::None {
                todo.push((probe.clone(), org, action));
            }
        }
    }
    Ok(todo)
}

fn describe(probe: &StoredProbe) -> String {
    let labels = super::model::labels_text(&probe.labels, ", ");
    let seen = probe.last_seen_at.map_or("never".to_owned(), |t| {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    });
    format!(
        "Probe {} (labels: {}) has not reported since {seen}. Its monitors are evaluated on their remaining locations until it reports again.",
        probe.name,
        if labels.is_empty() { "none" } else { &labels }
    )
}

/// Opens or resolves `probe`'s incident in `org`, as read again in this write.
pub fn record(
    conn: &Connection,
    probe: &StoredProbe,
    org: OrgId,
    action: Action,
    now: Timestamp,
) -> Result<()> {
    let source = source_id(probe);
    let title = format!("Probe {} silent for 3 min", probe.name);
    let cause = Cause::Manual {
        description: describe(probe),
    };
    let report = Report {
        title: &title,
        priority: Priority::Major,
        cause: Some(&cause),
        ..Report::about(org, SourceType::Manual, &source)
    };
    let open = report.open(conn)?;
    let effect = match (action, &open) {
        (Action::Open, None) => Effect::Open(IncidentStatus::Ongoing),
        (Action::Resolve, Some(_)) => Effect::Resolve,
        _ => return Ok(()),
    };
    report::apply(conn, &report, open.as_ref(), &[effect], now)?;
    Ok(())
}

/// A probe removed: its open incidents are resolved (it will not report again to end them).
pub fn removed(conn: &Connection, probe: &StoredProbe, now: Timestamp) -> Result<()> {
    for org in organizations(conn, probe)? {
        record(conn, probe, org, Action::Resolve, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_table() {
        use ProbeStatus::*;
        let rows = [
            (Waiting, false, Action::None),
            (Up, false, Action::None),
            (Silent, false, Action::Open),
            (Silent, true, Action::None),
            (Up, true, Action::Resolve),
            (Waiting, true, Action::Resolve),
        ];
        for (status, open, action) in rows {
            assert_eq!(decide(status, open), action, "{status:?} open={open}");
        }
    }

    /// What the look planned in its read, carried out in a later write after the probe changed.
    #[test]
    fn a_plan_is_carried_out_as_the_probe_stands_in_the_write() {
        let (conn, org) = crate::store::memory_with_org();
        let t0 = crate::store::time::from_db(1_800_000_000_000);
        let now = t0 + Duration::minutes(4);
        let labels = Default::default();
        let add = |name: &str| {
            let id = crate::ids::ProbeId::generate();
            let p = store::insert(&conn, id, Some(org), name, &labels, &[0; 32], t0).unwrap();
            store::seen(&conn, id, t0, None).unwrap();
            p
        };
        let (removed, reported) = (add("removed"), add("reported"));
        let todo = plan(&conn, now).unwrap();
        assert_eq!(todo.len(), 2, "both silent when read");

        store::delete(&conn, removed.id).unwrap();
        store::seen(&conn, reported.id, now, None).unwrap();
        carry_out(&conn, &todo, now).unwrap();
        for probe in [&removed, &reported] {
            let source = source_id(probe);
            let about = Report::about(org, SourceType::Manual, &source);
            assert!(about.open(&conn).unwrap().is_none(), "{}", probe.name);
        }
    }
}
