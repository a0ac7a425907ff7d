//! Renderings kept in memory, so a spike of visitors costs one read per page and change: per
//! slug, the page and its snapshot, and each rendering (HTML, JSON, Atom × language) made once
//! on demand. An entry is dropped when its organization changes (`store.changes()`, drained at
//! each lookup: no task to run or stop) and rebuilt after `MAX_AGE` anyway, so response times
//! and bars, which change without a mark, stay fresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::Duration;

use super::render::{self, Lang};
use super::store::{self, Stored};
use super::view::{self, Snapshot};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::store::Store;

/// How long a rendering is served before it is rebuilt, whatever changed.
pub const MAX_AGE_SECS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Json,
    Atom,
}

/// A rendering and its ETag.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

pub struct Entry {
    pub page: Stored,
    pub snapshot: Snapshot,
    built_at: Timestamp,
    renders: Mutex<HashMap<(Format, Lang), Rendered>>,
}

impl Entry {
    pub fn render(&self, format: Format, lang: Lang) -> Rendered {
        let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
        renders
            .entry((format, lang))
            .or_insert_with(|| {
                let body: Bytes = match format {
                    Format::Html => {
                        render::html::page(&self.snapshot, lang, render::html::Mode::Public).into()
                    }
                    Format::Json => serde_json::to_vec(&render::json::page(&self.snapshot, lang))
                        .expect("JSON values serialize")
                        .into(),
                    Format::Atom => render::atom::feed(&self.snapshot, lang).into(),
                };
                let digest = crate::secret::digest(&body);
                Rendered {
                    etag: format!("\"{}\"", hex::encode(&digest[..12])),
                    body,
                }
            })
            .clone()
    }
}

/// Which changes have been seen: per organization, and every one at once when the receiver
/// lagged. An entry read before a change of its organization is not kept.
#[derive(Default, Clone, PartialEq)]
struct Seen {
    lagged: u64,
    orgs: HashMap<OrgId, u64>,
}

#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    seen: Mutex<Seen>,
    changes: Mutex<Option<tokio::sync::broadcast::Receiver<crate::store::signals::Changed>>>,
    /// One build at a time per slug: a spike after a change waits for one read, not one each.
    building: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Cache {
    /// Applies the changes committed since the last call: drops the entries they make stale.
    fn drain(&self, store: &Store) {
        use tokio::sync::broadcast::error::TryRecvError;
        let mut changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        let rx = changes.get_or_insert_with(|| store.changes());
        let mut dropped: Vec<OrgId> = Vec::new();
        let mut lagged = false;
        loop {
            match rx.try_recv() {
                Ok(change) => dropped.push(change.org),
                Err(TryRecvError::Lagged(_)) => lagged = true,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        drop(changes);
        if dropped.is_empty() && !lagged {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if lagged {
            seen.lagged += 1;
            entries.clear();
        }
        for org in dropped {
            *seen.orgs.entry(org).or_default() += 1;
            entries.retain(|_, e| e.page.organization_id != org);
        }
    }

    /// The page at `slug` with its snapshot at most `MAX_AGE_SECS` old and not older than the
    /// last change of its organization; None if no page has that slug.
    pub async fn get(
        &self,
        store: &Store,
        slug: &str,
        now: Timestamp,
    ) -> Result<Option<Arc<Entry>>> {
        self.drain(store);
        let fresh = |e: &Arc<Entry>| {
            now - e.built_at < Duration::seconds(MAX_AGE_SECS) && e.built_at <= now
        };
        let cached = || {
            self.entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(slug)
                .filter(|e| fresh(e))
                .cloned()
        };
        if let Some(e) = cached() {
            return Ok(Some(e));
        }
        let turn = self
            .building
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(slug.to_owned())
            .or_default()
            .clone();
        let built = {
            let _turn = turn.lock().await;
            // Built by the request before us while we waited?
            self.drain(store);
            match cached() {
                Some(e) => Ok(Some(e)),
                None => self.build(store, slug, now).await,
            }
        };
        // Forget the turn once no one waits on it: slugs asked for are not kept forever.
        let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if Arc::strong_count(&turn) <= 2 {
            building.remove(slug);
        }
        built
    }

    /// Reads the page and its snapshot; keeps it unless its organization changed meanwhile.
    async fn build(&self, store: &Store, slug: &str, now: Timestamp) -> Result<Option<Arc<Entry>>> {
        let before = self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let wanted = slug.to_owned();
        let built = store
            .read(move |c| {
                let Some(page) = store::by_slug(c, &wanted)? else {
                    return Ok(None);
                };
                let snapshot =
                    view::build(c, page.organization_id, Some(page.id), &page.settings, now)?;
                Ok(Some((page, snapshot)))
            })
            .await?;
        let Some((page, snapshot)) = built else {
            return Ok(None);
        };
        let entry = Arc::new(Entry {
            page,
            snapshot,
            built_at: now,
            renders: Mutex::default(),
        });
        self.drain(store);
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let org = entry.page.organization_id;
        if seen.lagged == before.lagged && seen.orgs.get(&org) == before.orgs.get(&org) {
            self.entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(slug.to_owned(), entry.clone());
        }
        Ok(Some(entry))
    }
}
