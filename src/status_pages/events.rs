//! `/status/{slug}/events`: a server-sent event `change` each time what the page shows changes,
//! so status.js refreshes it in place. The stream wakes on every committed change of the page's
//! organization (`store.changes()`; a lagging receiver counts as a change) and every
//! `HEARTBEAT` (a comment keeps proxies from closing it; the rendering may have aged out of the
//! cache meanwhile), and compares what the page shows, its time of rendering aside. It ends
//! after `LIFETIME` (`PRIVATE_LIFETIME` for a private page; the browser reconnects), when the visitor leaves, or when the store closes.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use warp::reply::Response;
use warp::sse::Event;

use super::access::Access;
use super::public_routes::entry;
use super::view::Snapshot;
use crate::error::Result;
use crate::http::request::Request;
use crate::http::router::Route;

const HEARTBEAT: Duration = Duration::from_secs(15);
const LIFETIME: Duration = Duration::from_secs(600);
/// A private page's stream: its access (membership, share link) is checked when it opens, so it
/// ends soon and the reconnection checks again; a revoked link stops hearing within a minute.
const PRIVATE_LIFETIME: Duration = Duration::from_secs(60);
/// What the browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(5);

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages (visitors)",
        vec![
            Route::get("/status/{slug}/events", events)
                .summary("Server-sent events: `change` when what the status page shows changes")
                .public()
                .returns_empty(200, "text/event-stream"),
        ],
    )
}

/// What the page shows, whenever it was rendered.
fn shown(s: &Snapshot) -> Snapshot {
    Snapshot {
        generated_at: chrono::DateTime::UNIX_EPOCH,
        ..s.clone()
    }
}

async fn events(req: Request) -> Result<Response> {
    let (first, access) = entry(&req).await?;
    let app = req.app.clone();
    let slug = first.page.settings.slug.clone();
    let org = first.page.organization_id;
    let mut last = shown(&first.snapshot);
    drop(first);
    let mut changes = app.store.changes();
    let private = matches!(access, Access::Private { .. });
    let lifetime = if private { PRIVATE_LIFETIME } else { LIFETIME };
    let (tx, rx) = mpsc::channel::<Event>(4);
    tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        let end = start + lifetime;
        let mut beat = tokio::time::interval_at(start + HEARTBEAT, HEARTBEAT);
        if tx
            .send(Event::default().retry(RETRY).comment("hello"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let heartbeat = tokio::select! {
                change = changes.recv() => match change {
                    Ok(c) if c.org != org => continue,
                    Err(RecvError::Closed) => return,
                    Ok(_) | Err(RecvError::Lagged(_)) => false,
                },
                _ = beat.tick() => true,
                () = tokio::time::sleep_until(end) => return,
                () = tx.closed() => return,
            };
            let event = match app
                .status_pages
                .get(&app.store, &slug, app.clock.now())
                .await
            {
                Ok(Some(e)) if shown(&e.snapshot) != last => {
                    last = shown(&e.snapshot);
                    Some(Event::default().event("change").data("{}"))
                }
                // Deleted or renamed: the page at this address changed for good.
                Ok(None) => {
                    let _ = tx.send(Event::default().event("change").data("{}")).await;
                    return;
                }
                _ => None,
            };
            let event = match (event, heartbeat) {
                (Some(e), _) => e,
                (None, true) => Event::default().comment("still here"),
                (None, false) => continue,
            };
            // A client that stops reading fills the channel: the stream still ends on time.
            match tokio::time::timeout_at(end, tx.send(event)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return,
            }
        }
    });
    Ok(crate::http::sse::reply(
        rx,
        if private {
            "private, no-store"
        } else {
            "no-cache"
        },
    ))
}
