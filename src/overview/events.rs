//! `GET /events`: the organization's changes as server-sent events, so the dashboard re-reads
//! what it shows only when something changed. Each event names a subject (`monitors`, `tasks`,
//! `incidents`, …), never data: the page asks the API for what it shows, under its own
//! permissions. A stream that fell behind the store's broadcast names every subject.
//!
//! The connection layer treats the response as `Streaming` (no idle timeout, closed at
//! shutdown); a comment every 15 s keeps proxies from closing it and tells us when the client
//! is gone. The stream ends after 10 minutes: the browser reconnects (after `retry`), which
//! authenticates again, so a session logged out stops hearing even subject names.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use warp::reply::Response;
use warp::sse::Event;

use crate::error::Result;
use crate::http::request::Request;
use crate::ids::OrgId;
use crate::store::signals::{Changed, Subject};

const HEARTBEAT: Duration = Duration::from_secs(15);
/// How long a browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(2);
const LIFETIME: Duration = Duration::from_secs(600);
/// Every subject, for a stream that fell behind.
const SUBJECTS: [Subject; 6] = [
    Subject::Monitors,
    Subject::Tasks,
    Subject::Incidents,
    Subject::Maintenance,
    Subject::Silences,
    Subject::StatusPages,
];

pub async fn events(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let changes = req.app.store.changes();
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(forward(changes, me.org_id, tx));
    Ok(crate::http::sse::reply(rx, "no-store"))
}

fn change(subject: Subject) -> Event {
    Event::default()
        .event("change")
        .data(format!(r#"{{"subject":"{}"}}"#, subject.as_str()))
}

/// Sends `org`'s changes to the stream until the client leaves (the body, hence `tx`'s
/// receiver, is dropped), the stream's lifetime ends or the store closes.
async fn forward(mut changes: broadcast::Receiver<Changed>, org: OrgId, tx: mpsc::Sender<Event>) {
    let hello = Event::default().retry(RETRY).comment("connected");
    if tx.send(hello).await.is_err() {
        return;
    }
    let start = tokio::time::Instant::now();
    let mut heartbeat = tokio::time::interval_at(start + HEARTBEAT, HEARTBEAT);
    let end = tokio::time::sleep_until(start + LIFETIME);
    tokio::pin!(end);
    loop {
        let events = tokio::select! {
            received = changes.recv() => match received {
                Ok(c) if c.org == org => vec![change(c.subject)],
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => SUBJECTS.into_iter().map(change).collect(),
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => vec![Event::default().comment("")],
            () = &mut end => return,
            () = tx.closed() => return,
        };
        for event in events {
            // A client that stops reading fills the channel: the stream still ends on time.
            match tokio::time::timeout_at(start + LIFETIME, tx.send(event)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return,
            }
        }
    }
}
