//! The probe protocol's two routes (see `wire`): a probe's assignments, long-polled, and its
//! results. Authenticated by the probe's token only (`http::auth::probe`). Every request notes
//! when the probe was last seen and its clock skew, at most once every few seconds besides
//! results writes (`live::Live`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::DateTime;
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use warp::reply::Response;

use super::model::StoredProbe;
use super::store;
use super::wire::{
    Assignments, DEFAULT_WAIT_SECONDS, MAX_RESULTS, MAX_WAIT_SECONDS, PROBE_TIME_HEADER, ProbeSelf,
    ResultBatch,
};
use crate::error::{Error, Result};
use crate::http::auth::{self, ProbeCaller};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::monitors::locations;
use crate::monitors::remote::{Assignment, Recorded};
use crate::store::signals::{Changed, Subject};

const WHY: &str = "machine traffic of a probe, counted in its last-seen time and its results";

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Probe protocol",
        vec![
            Route::get("/probe/assignments", assignments)
                .summary("A probe's assignments, long-polled (Authorization: Bearer <probe token>)")
                .public()
                .query::<AssignmentsQuery>()
                .returns::<Assignments>(200, "The monitors this probe checks, and their version")
                .not_audited(WHY),
            Route::post("/probe/results", results)
                .summary("A probe's check results, in order (Authorization: Bearer <probe token>)")
                .public()
                .body::<ResultBatch>()
                .returns::<Recorded>(200, "What the server did with them")
                .not_audited(WHY),
        ],
    )
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentsQuery {
    /// The version the probe holds: the answer waits for another one (or `waitSeconds`).
    pub version: Option<String>,
    /// 0 to 60, default 25.
    pub wait_seconds: Option<u32>,
}

/// The probe's clock minus ours, in ms, from `X-Probe-Time`; None without the header.
fn skew(req: &Request) -> Result<Option<i64>> {
    let Some(raw) = req.headers.get(PROBE_TIME_HEADER) else {
        return Ok(None);
    };
    let sent = raw
        .to_str()
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .ok_or_else(|| {
            Error::bad_request(
                "invalid_probe_time",
                "X-Probe-Time header: expected an RFC 3339 time, e.g. 2026-12-07T08:00:00.000Z",
            )
        })?;
    Ok(Some((sent.to_utc() - req.now()).num_milliseconds()))
}

/// Notes the probe as seen, unless it was in the last few seconds. Failing to note it (a full
/// disk) does not refuse the probe its assignments.
async fn note_seen(req: &Request, probe: &StoredProbe, skew_ms: Option<i64>) {
    let (id, now) = (probe.id, req.now());
    if !req.app.probes.due(id, now) {
        return;
    }
    if let Err(e) = req.write(move |c| store::seen(c, id, now, skew_ms)).await {
        log::debug!("a probe's last-seen time was not stored: {e}");
    }
}

/// A short digest of what the probe is told (itself as registered, and its list): equal
/// answers, equal versions; a new label or a monitor's new interval is a new version.
pub fn version_of(probe: &ProbeSelf, monitors: &[Assignment]) -> String {
    let bytes = serde_json::to_vec(&(probe, monitors)).expect("assignments serialize");
    hex::encode(&Sha256::digest(&bytes)[..8])
}

/// The probe, if the token presented is still its token, and the stamp of what it may be
/// assigned (`locations::assignment_stamp`): a cheap read at every wake.
async fn current(
    req: &Request,
    id: crate::ids::ProbeId,
    digest: [u8; 32],
) -> Result<(StoredProbe, (i64, i64))> {
    req.read(move |conn| {
        // Read again at each wake: new labels change what it checks; a removed probe or a
        // replaced token (by the API, or by the CLI in another process) stops it.
        let probe = store::credential(conn, id)?
            .filter(|(_, stored)| stored.as_slice() == digest.as_slice())
            .map(|(probe, _)| probe)
            .ok_or_else(|| {
                Error::unauthorized(
                    "invalid_probe_token",
                    "probe token is invalid: it was replaced by a new one, or its probe was removed",
                )
            })?;
        let stamp = locations::assignment_stamp(conn, probe.organization_id)?;
        Ok((probe, stamp))
    })
    .await
}

/// The list a poll last read, and what it was read for.
struct Known {
    stamp: (i64, i64),
    probe: ProbeSelf,
    monitors: Vec<Assignment>,
    version: String,
}

async fn assignments(req: Request) -> Result<Response> {
    let ProbeCaller { probe, digest } = auth::probe(&req).await?;
    let skew_ms = skew(&req)?;
    let query: AssignmentsQuery = req.query()?;
    let wait = query.wait_seconds.unwrap_or(DEFAULT_WAIT_SECONDS);
    crate::limits::range("waitSeconds", wait, 0, MAX_WAIT_SECONDS)?;
    // Subscribed before the first read, so a change committed in between still wakes it.
    let mut changes = req.app.store.changes();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait.into());
    let stopped = req.app.probes.stopped();
    tokio::pin!(stopped);
    let poll = req.app.probes.poll(probe.id);
    let mut ending = false;
    let mut seen_noted = false;
    let mut known: Option<Known> = None;
    loop {
        // No reader connection is held while waiting: each wake reads anew, the whole list
        // only when the probe or the stamp of its monitors moved (a check's status change,
        // the usual wake, moves neither).
        let (probe, stamp) = current(&req, probe.id, digest).await?;
        let read_at = req.now();
        let probe_self = ProbeSelf {
            id: probe.id,
            name: probe.name.clone(),
            labels: probe.labels.clone(),
        };
        let k = match known.take() {
            Some(k) if k.stamp == stamp && k.probe == probe_self => k,
            _ => {
                let location = probe.location();
                let monitors = req
                    .read(move |conn| locations::assigned(conn, &location))
                    .await?;
                let version = version_of(&probe_self, &monitors);
                Known {
                    stamp,
                    probe: probe_self,
                    monitors,
                    version,
                }
            }
        };
        if !seen_noted {
            // After the first read: a "last seen" that moved says this poll has read what it
            // waits on (tests order their changes after it).
            note_seen(&req, &probe, skew_ms).await;
            seen_noted = true;
        }
        let same = query.version.as_deref() == Some(k.version.as_str());
        let mut wait = Wait {
            deadline,
            stopped: stopped.as_mut(),
            superseded: &poll.superseded,
        };
        if !same || ending || !changed(&mut changes, &probe, &mut wait).await {
            return Ok(reply::ok(&Assignments {
                version: k.version,
                server_time: req.now(),
                probe: k.probe,
                monitors: k.monitors,
            }));
        }
        known = Some(k);
        // Every monitor's status change wakes every poll: read again at most once a second,
        // so a storm of changes costs each probe one read a second. Ended early (the deadline,
        // a stop, a newer poll), it reads once more and answers.
        let next_read = read_at + COALESCE;
        ending = tokio::select! {
            () = req.app.clock.sleep_until(next_read) => false,
            () = wait.ended() => true,
        };
        // What changed while it waited is in the next read.
        while changes.try_recv().is_ok() {}
    }
}

/// At most one read of a waiting poll's assignments this often.
const COALESCE: chrono::Duration = chrono::Duration::seconds(1);

/// What ends a poll's wait besides a change.
struct Wait<'a, F> {
    deadline: tokio::time::Instant,
    stopped: Pin<&'a mut F>,
    superseded: &'a tokio::sync::Notify,
}

impl<F: Future<Output = ()>> Wait<'_, F> {
    /// Resolves when the deadline passes, the server stops or a newer poll of the probe
    /// starts. Once it did, the poll answers: the stop's future is never polled again.
    async fn ended(&mut self) {
        tokio::select! {
            () = tokio::time::sleep_until(self.deadline) => {}
            () = &mut self.stopped => {}
            () = self.superseded.notified() => {}
        }
    }
}

/// Waits for a committed change that may concern `probe`'s assignments (its organization's
/// monitors, every organization's for an instance-wide probe): true; false once the wait ends
/// otherwise (`Wait::ended`).
async fn changed<F: Future<Output = ()>>(
    changes: &mut broadcast::Receiver<Changed>,
    probe: &StoredProbe,
    wait: &mut Wait<'_, F>,
) -> bool {
    loop {
        let concerns = tokio::select! {
            woke = changes.recv() => match woke {
                Ok(c) => {
                    c.subject == Subject::Monitors
                        && probe.organization_id.is_none_or(|o| o == c.org)
                }
                // Fell behind: something may have changed.
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return false,
            },
            () = wait.ended() => return false,
        };
        if concerns {
            // A burst of changes (a bulk edit) is read once.
            while changes.try_recv().is_ok() {}
            return true;
        }
    }
}

async fn results(req: Request) -> Result<Response> {
    let ProbeCaller { probe, .. } = auth::probe(&req).await?;
    let skew_ms = skew(&req)?;
    let batch: ResultBatch = req.json()?;
    if batch.results.len() > MAX_RESULTS {
        return Err(Error::invalid_field(
            "results",
            format!(
                "at most {MAX_RESULTS} results per batch (got {}); send the rest in the next one",
                batch.results.len()
            ),
        ));
    }
    let now = req.now();
    let id = probe.id;
    let location = probe.location();
    let recorded = req
        .write(move |conn| {
            let recorded = locations::record_remote(conn, &location, &batch.results, now)?;
            store::seen(conn, id, now, skew_ms)?;
            Ok(recorded)
        })
        .await?;
    req.app.probes.written(id, now);
    Ok(reply::ok(&recorded))
}
