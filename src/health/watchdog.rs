//! The watchdog: every few seconds it looks at the server (`health::observe`), and while there
//! are problems it keeps an "episode". One that lasts opens an instance incident in every
//! organization (so people are notified through their channels) and resolves it once the
//! problems are gone. When the database itself was failing, nothing could be written during the
//! episode: the incident is then opened, saying what happened and for how long, and resolved as
//! soon as the database stores changes again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Duration, SecondsFormat};
use rusqlite::Connection;
use serde_json::json;
use tokio::sync::watch;

use super::{Problem, assess, observe};
use crate::app::App;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::incidents::model::{IncidentStatus, Priority, SourceType};
use crate::incidents::store::{self as incidents, NewIncident};
use crate::store::time::to_db;

/// How often the watchdog looks.
pub const EVERY: Duration = Duration::seconds(5);
/// Problems shorter than this (a backup holding the database lock for a few seconds) are shown
/// by `/healthz` but open no incident.
pub const INCIDENT_AFTER: Duration = Duration::seconds(30);
/// The source of the instance incident: declared by dutyduck itself, one per organization.
pub const SOURCE_ID: &str = "dutyduck-instance";

#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Idle,
    /// Problems seen since `since` (until `ended`, once they are gone), no incident yet.
    Pending {
        since: Timestamp,
        ended: Option<Timestamp>,
    },
    /// The incident is open.
    Open {
        since: Timestamp,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    Open,
    /// Open and resolve at once: the episode is over but was never recorded.
    OpenAndResolve,
    Resolve,
}

/// What to do at `now`, and the state once that action succeeded.
pub fn decide(state: &State, problems: bool, now: Timestamp) -> (Action, State) {
    match (state.clone(), problems) {
        (State::Idle, false) => (Action::None, State::Idle),
        (State::Idle, true) => (
            Action::None,
            State::Pending {
                since: now,
                ended: None,
            },
        ),
        (State::Pending { since, ended }, true) => {
            // Back before it was recorded: the same episode goes on.
            let _ = ended;
            match now - since >= INCIDENT_AFTER {
                true => (Action::Open, State::Open { since }),
                false => (Action::None, State::Pending { since, ended: None }),
            }
        }
        (State::Pending { since, ended }, false) => {
            let ended = ended.unwrap_or(now);
            match ended - since >= INCIDENT_AFTER {
                true => (Action::OpenAndResolve, State::Idle),
                false => (Action::None, State::Idle),
            }
        }
        (State::Open { since }, true) => (Action::None, State::Open { since }),
        (State::Open { .. }, false) => (Action::Resolve, State::Idle),
    }
}

/// The watchdog's own figures, for `/metrics`: whether it runs, and whether an episode is on.
#[derive(Default)]
pub struct Watchdog {
    looks: AtomicU64,
    state: Mutex<Option<State>>,
}

impl Watchdog {
    /// How many times it has looked since start.
    pub fn looks(&self) -> u64 {
        self.looks.load(Ordering::Relaxed)
    }

    /// Whether the instance incident is open.
    pub fn incident_open(&self) -> bool {
        matches!(
            *self.state.lock().expect("watchdog lock"),
            Some(State::Open { .. })
        )
    }
}

/// Runs until `stopped`; looks every `EVERY` on the app clock.
pub async fn run(app: Arc<App>, mut stopped: watch::Receiver<bool>) {
    let mut state = State::Idle;
    // Every problem seen during the episode, by code: the incident says all that went wrong.
    let mut seen: BTreeMap<&'static str, Problem> = BTreeMap::new();
    loop {
        let now = app.clock.now();
        if app.store.write_health().failing() {
            // Nothing else may be writing: learn ourselves when the database works again.
            let _ = app.store.write(move |c| probe(c, now)).await;
        }
        let problems = assess(&observe(&app, now).await, now);
        for p in &problems {
            seen.entry(p.code).or_insert_with(|| p.clone());
        }
        let (action, next) = decide(&state, !problems.is_empty(), now);
        if state == State::Idle && next != State::Idle {
            for p in &problems {
                log::error!("not keeping watch: {}", p.message);
            }
        }
        let since = match &state {
            State::Pending { since, .. } | State::Open { since } => *since,
            State::Idle => now,
        };
        let done = match action {
            Action::None => Ok(()),
            Action::Open | Action::OpenAndResolve | Action::Resolve => {
                let text = describe(&seen, since, now, action);
                app.store
                    .write(move |c| record(c, action, &text, now))
                    .await
            }
        };
        state = match done {
            Ok(()) => next,
            Err(e) => {
                log::warn!("could not record the instance incident ({e}); trying again");
                // Remember when the problems ended, for the incident written later.
                match (state, problems.is_empty()) {
                    (State::Pending { since, ended }, true) => State::Pending {
                        since,
                        ended: ended.or(Some(now)),
                    },
                    (other, _) => other,
                }
            }
        };
        *app.watchdog.state.lock().expect("watchdog lock") = Some(state.clone());
        app.watchdog.looks.fetch_add(1, Ordering::Relaxed);
        if state == State::Idle {
            if !seen.is_empty() && problems.is_empty() {
                log::info!("keeping watch again: every problem is gone");
            }
            seen.clear();
        }
        tokio::select! {
            _ = app.clock.sleep_until(now + EVERY) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

fn probe(conn: &Connection, now: Timestamp) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO instance_probe (id, written_at) VALUES (1, ?1)")?
        .execute([to_db(now)])?;
    Ok(())
}

fn describe(
    seen: &BTreeMap<&'static str, Problem>,
    since: Timestamp,
    now: Timestamp,
    action: Action,
) -> String {
    let at = |t: Timestamp| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let what: Vec<&str> = seen.values().map(|p| p.message.as_str()).collect();
    let when = match action {
        Action::OpenAndResolve => format!("From {} to {}", at(since), at(now)),
        _ => format!("Since {}", at(since)),
    };
    format!("{when}: {}.", what.join("; "))
}

/// Opens and/or resolves the instance incident of every organization.
fn record(conn: &Connection, action: Action, text: &str, now: Timestamp) -> Result<()> {
    let cause = json!({"causeType": "Manual", "description": text});
    for org in crate::accounts::store::organization_ids(conn)? {
        let open = incidents::open_for_source(conn, org, SourceType::Manual, SOURCE_ID)?;
        let id = match (open, action) {
            (Some((id, ..)), _) => id,
            (None, Action::Resolve) => continue,
            (None, _) => incidents::insert(
                conn,
                &NewIncident {
                    org_id: org,
                    source_type: SourceType::Manual,
                    source_id: Some(SOURCE_ID),
                    title: "dutyduck is not keeping watch",
                    status: IncidentStatus::Ongoing,
                    priority: Priority::Critical,
                    cause: Some(&cause),
                    metadata: &BTreeMap::new(),
                    created_by: None,
                },
                now,
            )?,
        };
        if matches!(action, Action::OpenAndResolve | Action::Resolve) {
            incidents::set_status(conn, id, IncidentStatus::Resolved, None, now)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_open_and_resolve_the_instance_incident() {
        let t0 = crate::store::time::from_db(1_800_000_000_000);
        let s = |secs| t0 + Duration::seconds(secs);
        let pending = |since, ended| State::Pending { since, ended };
        let rows = [
            // (state, problems now, now, action, next state)
            (State::Idle, false, s(0), Action::None, State::Idle),
            (State::Idle, true, s(0), Action::None, pending(s(0), None)),
            (
                pending(s(0), None),
                true,
                s(29),
                Action::None,
                pending(s(0), None),
            ),
            (
                pending(s(0), None),
                true,
                s(30),
                Action::Open,
                State::Open { since: s(0) },
            ),
            // A blip: gone before it lasted, nothing recorded.
            (pending(s(0), None), false, s(10), Action::None, State::Idle),
            // The database was down for the whole episode: recorded once it is back.
            (
                pending(s(0), None),
                false,
                s(40),
                Action::OpenAndResolve,
                State::Idle,
            ),
            (
                pending(s(0), Some(s(35))),
                false,
                s(90),
                Action::OpenAndResolve,
                State::Idle,
            ),
            (
                State::Open { since: s(0) },
                true,
                s(99),
                Action::None,
                State::Open { since: s(0) },
            ),
            (
                State::Open { since: s(0) },
                false,
                s(99),
                Action::Resolve,
                State::Idle,
            ),
        ];
        for (state, problems, now, action, next) in rows {
            assert_eq!(
                decide(&state, problems, now),
                (action, next.clone()),
                "{state:?} with problems={problems} at {now}"
            );
        }
    }
}
