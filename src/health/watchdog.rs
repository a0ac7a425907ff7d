//! The watchdog: every few seconds it looks at the server (`health::observe`), and while there
//! are problems it keeps an "episode". One that lasts opens an instance incident in every
//! organization (so people are notified through their channels) and resolves it once the
//! problems are gone. When the database itself was failing, nothing could be written during the
//! episode: the incident is then opened, saying what happened and for how long, and resolved as
//! soon as the database stores changes again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{Duration, SecondsFormat};
use rusqlite::Connection;
use tokio::sync::watch;

use super::{Problem, assess, observe};
use crate::app::App;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::incidents::model::{Cause, IncidentStatus, Priority, SourceType};
use crate::incidents::report::{self, Effect, Report};
use crate::store::time::to_db;

/// How often the watchdog looks.
pub const EVERY: Duration = Duration::seconds(5);
/// Problems shorter than this (a backup holding the database lock for a few seconds) are shown
/// by `/healthz` but open no incident.
pub const INCIDENT_AFTER: Duration = Duration::seconds(30);
/// The source of the instance incident: declared by dutyduck itself, one per organization.
pub const SOURCE_ID: &str = "dutyduck-instance";

/// A problem seen at two looks a blink apart is a clock jump (a VM resumed from suspend, an NTP
/// step, a test's manual clock), not an outage: an episode must also last this long in
/// monotonic time before it opens an incident.
pub const INCIDENT_AFTER_REAL: std::time::Duration = std::time::Duration::from_secs(2);

/// When a look happened, on the app clock and on the monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub at: Timestamp,
    pub instant: Instant,
}

impl Look {
    fn since(&self, first: &Look) -> bool {
        self.at - first.at >= INCIDENT_AFTER
            && self.instant.duration_since(first.instant) >= INCIDENT_AFTER_REAL
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Idle,
    /// Problems seen from the look `first` to the look `last`, no incident yet.
    Pending {
        first: Look,
        last: Look,
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

/// What to do at the look `now`, and the state once that action succeeded. An episode counts
/// from the first look that saw problems to the last one that did: problems gone by the next
/// look lasted no longer than that, however long the gap.
pub fn decide(state: &State, problems: bool, now: Look) -> (Action, State) {
    match (state.clone(), problems) {
        (State::Idle, false) => (Action::None, State::Idle),
        (State::Idle, true) => (
            Action::None,
            State::Pending {
                first: now,
                last: now,
            },
        ),
        (State::Pending { first, .. }, true) => match now.since(&first) {
            true => (Action::Open, State::Open { since: first.at }),
            false => (Action::None, State::Pending { first, last: now }),
        },
        (State::Pending { first, last }, false) => match last.since(&first) {
            true => (Action::OpenAndResolve, State::Idle),
            false => (Action::None, State::Idle),
        },
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
        let look = Look {
            at: now,
            instant: Instant::now(),
        };
        if app.store.write_health().failing() {
            // Nothing else may be writing: learn ourselves when the database works again.
            let _ = app.store.write(move |c| probe(c, now)).await;
        }
        let problems = assess(&observe(&app, now).await, now);
        for p in &problems {
            seen.entry(p.code).or_insert_with(|| p.clone());
        }
        let (action, next) = decide(&state, !problems.is_empty(), look);
        if state == State::Idle && next != State::Idle {
            for p in &problems {
                log::error!("not keeping watch: {}", p.message);
            }
        }
        let (since, until) = match &state {
            State::Pending { first, last } => (first.at, last.at),
            State::Open { since } => (*since, now),
            State::Idle => (now, now),
        };
        let done = match action {
            Action::None => Ok(()),
            Action::Open | Action::OpenAndResolve | Action::Resolve => {
                let text = describe(&seen, since, until, action);
                app.store
                    .write(move |c| record(c, action, &text, now))
                    .await
            }
        };
        state = match done {
            Ok(()) => next,
            Err(e) => {
                log::warn!("could not record the instance incident ({e}); trying again");
                match (state, problems.is_empty()) {
                    (State::Pending { first, .. }, false) => State::Pending { first, last: look },
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
    until: Timestamp,
    action: Action,
) -> String {
    let at = |t: Timestamp| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let what: Vec<&str> = seen.values().map(|p| p.message.as_str()).collect();
    let when = match action {
        Action::OpenAndResolve => format!("From {} to {}", at(since), at(until)),
        _ => format!("Since {}", at(since)),
    };
    format!("{when}: {}.", what.join("; "))
}

/// Opens and/or resolves the instance incident of every organization.
fn record(conn: &Connection, action: Action, text: &str, now: Timestamp) -> Result<()> {
    let cause = Cause::Manual {
        description: text.to_owned(),
    };
    let steps: &[Effect] = match action {
        Action::Open => &[Effect::Open(IncidentStatus::Ongoing)],
        Action::OpenAndResolve => &[Effect::Open(IncidentStatus::Ongoing), Effect::Resolve],
        Action::Resolve => &[Effect::Resolve],
        Action::None => &[],
    };
    for org in crate::accounts::store::organization_ids(conn)? {
        let report = Report {
            title: "dutyduck is not keeping watch",
            priority: Priority::Critical,
            cause: Some(&cause),
            ..Report::about(org, SourceType::Manual, SOURCE_ID)
        };
        let open = report.open(conn)?;
        // An episode already open stays the one incident: it is not opened twice.
        let steps: Vec<Effect> = steps
            .iter()
            .copied()
            .filter(|s| open.is_none() || !matches!(s, Effect::Open(_)))
            .collect();
        report::apply(conn, &report, open.as_ref(), &steps, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_open_and_resolve_the_instance_incident() {
        let t0 = crate::store::time::from_db(1_800_000_000_000);
        let i0 = Instant::now();
        // A look `secs` after t0 on the app clock and `real` seconds after i0 in monotonic time.
        let look = |secs: i64, real: u64| Look {
            at: t0 + Duration::seconds(secs),
            instant: i0 + std::time::Duration::from_secs(real),
        };
        let pending = |first, last| State::Pending { first, last };
        let open = State::Open { since: t0 };
        let rows = [
            // (state, problems now, this look, action, next state)
            (State::Idle, false, look(0, 0), Action::None, State::Idle),
            (
                State::Idle,
                true,
                look(0, 0),
                Action::None,
                pending(look(0, 0), look(0, 0)),
            ),
            (
                pending(look(0, 0), look(0, 0)),
                true,
                look(25, 25),
                Action::None,
                pending(look(0, 0), look(25, 25)),
            ),
            (
                pending(look(0, 0), look(25, 25)),
                true,
                look(30, 30),
                Action::Open,
                open.clone(),
            ),
            // A clock jump: 30 s on the app clock but a blink in fact.
            (
                pending(look(0, 0), look(0, 0)),
                true,
                look(30, 0),
                Action::None,
                pending(look(0, 0), look(30, 0)),
            ),
            // A blip: gone at the next look, nothing recorded, however long the gap.
            (
                pending(look(0, 0), look(5, 5)),
                false,
                look(3600, 3600),
                Action::None,
                State::Idle,
            ),
            // The database was down for the whole episode: recorded once it is back.
            (
                pending(look(0, 0), look(35, 35)),
                false,
                look(40, 40),
                Action::OpenAndResolve,
                State::Idle,
            ),
            (open.clone(), true, look(99, 99), Action::None, open.clone()),
            (
                open.clone(),
                false,
                look(99, 99),
                Action::Resolve,
                State::Idle,
            ),
        ];
        for (state, problems, now, action, next) in rows {
            assert_eq!(
                decide(&state, problems, now),
                (action, next.clone()),
                "{state:?} with problems={problems} at {now:?}"
            );
        }
    }
}
