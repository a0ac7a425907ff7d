//! The connections the server holds, what each is doing, and which one to close when a cap is
//! reached.
//!
//! Every connection is in one phase: `Head` (waiting for, or receiving, a request's headers),
//! `Request` (a request was handed to the router: its body is read and its handler runs) or
//! `Idle` (a response was produced; waiting for the next keep-alive request). Connections in
//! `Head` and `Idle` hold no work of ours, so they are the ones closed to make room: when the
//! overall cap is reached the server keeps accepting, and closes the connection that has been
//! idle or sending its headers the longest. A slowloris or idle-socket flood therefore cannot
//! lock out a client that sends a whole request at once: that client is always the newest.
//! Connections with a request in progress are never closed to make room (their body read is
//! bounded by the body timeout); if all of them are busy, the newcomer is closed instead.
//!
//! A fourth phase, `Streaming`, is a response that lasts (server-sent events): no timeout
//! applies to it (its body sends a heartbeat), it counts against the per-address cap like any
//! connection, and at the overall cap it is closed to make room only when no connection is
//! idle or sending its head (its client reconnects by itself). At shutdown it is closed at once
//! instead of being waited for.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::limits::Limits;

/// hyper allocates this much for a connection's read buffer as soon as bytes arrive, so a
/// head's first byte is charged this much against `max_pending_head_bytes`.
const FIRST_READ_BUFFER: usize = 8 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Phase {
    Head = 0,
    Request = 1,
    Idle = 2,
    Streaming = 3,
}

/// Why a new connection was closed at once.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    PerAddress,
    AllBusy,
}

/// One held connection. Phase changes come from the connection's own task (its socket reads
/// and its requests); `closing` and the wake-up also come from other connections' tasks.
pub struct Conn {
    pub addr: SocketAddr,
    id: u64,
    epoch: Instant,
    phase: AtomicU8,
    /// When the current phase began, in milliseconds since `epoch`.
    since_ms: AtomicU64,
    /// What this connection's unfinished head is charged against the shared budget.
    head_bytes: AtomicUsize,
    closing: AtomicBool,
    /// Woken on every phase change and when the connection must close.
    pub wake: Notify,
}

/// The registry: every held connection and the count per client address.
pub struct Registry {
    limits: Limits,
    max_connections: usize,
    epoch: Instant,
    pending_head: AtomicUsize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    conns: HashMap<u64, Arc<Conn>>,
    per_address: HashMap<IpAddr, usize>,
    /// Connections told to close whose task has not ended yet: they no longer count.
    closing: usize,
}

/// A connection admitted to the registry; leaves it when dropped.
pub struct Tracked {
    pub conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl Registry {
    pub fn new(limits: Limits, max_connections: usize) -> Arc<Registry> {
        Arc::new(Registry {
            limits,
            max_connections,
            epoch: Instant::now(),
            pending_head: AtomicUsize::new(0),
            inner: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits a new connection, closing the oldest idle or head-sending one if the overall cap
    /// is reached.
    pub fn admit(self: &Arc<Self>, addr: SocketAddr) -> Result<Tracked, Refused> {
        let mut inner = self.lock();
        let ip = addr.ip();
        let from_address = inner.per_address.get(&ip).copied().unwrap_or(0);
        if self.limits.per_address_cap_applies(ip)
            && from_address >= self.limits.max_connections_per_address
        {
            return Err(Refused::PerAddress);
        }
        if inner.conns.len() - inner.closing >= self.max_connections {
            let oldest = oldest(&inner, |phase| matches!(phase, Phase::Head | Phase::Idle))
                .or_else(|| oldest(&inner, |phase| phase == Phase::Streaming))
                .ok_or(Refused::AllBusy)?;
            self.close(&mut inner, &oldest);
        }
        inner.next_id += 1;
        let conn = Arc::new(Conn {
            addr,
            id: inner.next_id,
            epoch: self.epoch,
            phase: AtomicU8::new(Phase::Head as u8),
            since_ms: AtomicU64::new(0),
            head_bytes: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            wake: Notify::new(),
        });
        conn.enter(Phase::Head);
        inner.conns.insert(conn.id, conn.clone());
        *inner.per_address.entry(ip).or_default() += 1;
        Ok(Tracked {
            conn,
            registry: self.clone(),
        })
    }

    /// Tells a connection to close now; what its head held is released at once.
    fn close(&self, inner: &mut Inner, conn: &Conn) {
        if !conn.closing.swap(true, Ordering::AcqRel) {
            inner.closing += 1;
            self.release_head(conn);
            conn.wake.notify_one();
        }
    }

    fn release_head(&self, conn: &Conn) {
        let bytes = conn.head_bytes.swap(0, Ordering::AcqRel);
        self.pending_head.fetch_sub(bytes, Ordering::AcqRel);
    }

    /// Closes the connections whose heads have been arriving the longest until what unfinished
    /// heads hold fits the budget again.
    fn shed_heads(&self) {
        let mut inner = self.lock();
        while self.pending_head.load(Ordering::Acquire) > self.limits.max_pending_head_bytes {
            let Some(conn) = oldest(&inner, |phase| phase == Phase::Head) else {
                return;
            };
            log::debug!("closing {}: request heads use too much memory", conn.addr);
            self.close(&mut inner, &conn);
        }
    }

    /// Connections told to close whose task has not ended yet (their descriptors are still
    /// open).
    pub fn still_closing(&self) -> usize {
        self.lock().closing
    }

    #[cfg(test)]
    fn open_connections(&self) -> usize {
        let inner = self.lock();
        inner.conns.len() - inner.closing
    }
}

/// The connection, not already closing, whose phase accepted by `wanted` began first (the
/// earlier admitted on a tie).
fn oldest(inner: &Inner, wanted: impl Fn(Phase) -> bool) -> Option<Arc<Conn>> {
    inner
        .conns
        .values()
        .filter(|c| !c.closing() && wanted(c.phase()))
        .min_by_key(|c| (c.since_ms.load(Ordering::Acquire), c.id))
        .cloned()
}

impl Conn {
    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Acquire) {
            0 => Phase::Head,
            1 => Phase::Request,
            2 => Phase::Idle,
            _ => Phase::Streaming,
        }
    }

    pub fn closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    fn enter(&self, phase: Phase) {
        let since = self.epoch.elapsed().as_millis() as u64;
        self.since_ms.store(since, Ordering::Release);
        self.phase.store(phase as u8, Ordering::Release);
        self.wake.notify_one();
    }

    /// When the current phase runs out: the header timeout for `Head`, the idle timeout for
    /// `Idle`; a request in progress has its own bound (the body timeout).
    pub fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let timeout = match self.phase() {
            Phase::Head => limits.header_timeout,
            Phase::Idle => limits.idle_timeout,
            Phase::Request | Phase::Streaming => return None,
        };
        let since = Duration::from_millis(self.since_ms.load(Ordering::Acquire));
        Some(self.epoch + since + timeout)
    }
}

impl Tracked {
    /// Bytes arrived on the socket: the start of a new request's head after an idle spell, and
    /// in any case more memory held until the head is complete.
    pub fn received(&self, bytes: usize) {
        let conn = &self.conn;
        if bytes == 0 || conn.closing() {
            return;
        }
        match conn.phase() {
            Phase::Request | Phase::Streaming => return,
            Phase::Idle => conn.enter(Phase::Head),
            Phase::Head => {}
        }
        let first = conn.head_bytes.load(Ordering::Acquire) == 0;
        let charge = bytes + if first { FIRST_READ_BUFFER } else { 0 };
        // The shared count goes up first, so a concurrent release never takes it below zero.
        let registry = &self.registry;
        let pending = registry.pending_head.fetch_add(charge, Ordering::AcqRel) + charge;
        conn.head_bytes.fetch_add(charge, Ordering::AcqRel);
        if pending > registry.limits.max_pending_head_bytes {
            registry.shed_heads();
        }
    }

    /// hyper handed a complete head to the router.
    pub fn request_started(&self) {
        self.registry.release_head(&self.conn);
        self.conn.enter(Phase::Request);
    }

    /// The response is ready; the connection waits for the next request.
    pub fn response_ready(&self) {
        self.conn.enter(Phase::Idle);
    }

    /// The response is a stream that lasts until the client leaves or the server stops.
    pub fn streaming(&self) {
        self.conn.enter(Phase::Streaming);
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let mut inner = self.registry.lock();
        if inner.conns.remove(&self.conn.id).is_none() {
            return;
        }
        if self.conn.closing() {
            inner.closing -= 1;
        }
        self.registry.release_head(&self.conn);
        let ip = self.conn.addr.ip();
        if let Some(n) = inner.per_address.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                inner.per_address.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(last: u8, port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, last], port))
    }

    fn registry(max: usize, per_address: usize) -> Arc<Registry> {
        let limits = Limits {
            max_connections_per_address: per_address,
            max_pending_head_bytes: 64 * 1024,
            ..Limits::default()
        };
        Registry::new(limits, max)
    }

    #[test]
    fn the_per_address_cap_refuses_only_that_address() {
        let r = registry(100, 2);
        let _a = r.admit(addr(2, 1)).unwrap();
        let _b = r.admit(addr(2, 2)).unwrap();
        assert_eq!(r.admit(addr(2, 3)).err(), Some(Refused::PerAddress));
        assert!(r.admit(addr(1, 4)).is_ok());
    }

    #[test]
    fn at_the_cap_the_oldest_connection_without_a_request_makes_room() {
        let r = registry(2, 100);
        let busy = r.admit(addr(2, 1)).unwrap();
        busy.request_started();
        let idle = r.admit(addr(2, 2)).unwrap();
        let newcomer = r.admit(addr(1, 3)).unwrap();
        assert!(idle.conn.closing() && !busy.conn.closing() && !newcomer.conn.closing());
        assert_eq!(r.open_connections(), 2);
        newcomer.request_started();
        assert_eq!(r.admit(addr(1, 4)).err(), Some(Refused::AllBusy));
        drop(idle);
        assert_eq!(r.open_connections(), 2);
    }

    #[test]
    fn a_stream_has_no_timeout_and_makes_room_only_after_idle_connections() {
        let limits = Limits::default();
        let r = registry(3, 100);
        let stream = r.admit(addr(2, 1)).unwrap();
        stream.request_started();
        stream.streaming();
        assert_eq!(stream.conn.deadline(&limits), None, "no idle timeout");
        stream.received(100);
        assert_eq!(stream.conn.phase(), Phase::Streaming);
        let idle = r.admit(addr(2, 2)).unwrap();
        idle.request_started();
        idle.response_ready();
        let busy = r.admit(addr(2, 3)).unwrap();
        busy.request_started();
        let first = r.admit(addr(1, 4)).unwrap();
        assert!(
            idle.conn.closing() && !stream.conn.closing(),
            "the idle one goes first"
        );
        first.request_started();
        let _second = r.admit(addr(1, 5)).unwrap();
        assert!(
            stream.conn.closing(),
            "then the stream, whose client reconnects"
        );
    }

    #[test]
    fn heads_over_the_budget_close_the_oldest_head() {
        let r = registry(100, 100);
        let old = r.admit(addr(2, 1)).unwrap();
        let new = r.admit(addr(2, 2)).unwrap();
        old.received(40 * 1024);
        new.received(20 * 1024);
        assert!(old.conn.closing() && !new.conn.closing());
        new.request_started();
        assert_eq!(r.pending_head.load(Ordering::Acquire), 0);
    }
}
