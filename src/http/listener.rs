//! Our own accept loop, in place of `warp::serve`: it admits each connection to the
//! `connections::Registry` (caps overall and per address), serves it with hyper's HTTP/1.1
//! connection (its own head limits set just above ours), and watches it: a head that takes
//! longer than the header timeout, or a keep-alive connection idle past the idle timeout, is
//! closed. Graceful shutdown lets requests in progress finish.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use warp::Filter;
use warp::reply::Response;

use super::connections::{Refused, Registry, Tracked};
use super::limits::Limits;
use super::socket::Metered;

/// The client's address, put into every request's extensions for `Request::remote`.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// Put in a response's extensions by a handler whose body lasts (server-sent events): the
/// connection is then `Streaming`, with no idle timeout, and closed at once at shutdown.
#[derive(Clone, Copy, Debug)]
pub struct Streaming;

/// Pause after an accept error such as EMFILE, so the loop waits for descriptors to free up
/// instead of spinning on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Closed connections whose task has not ended yet hold their descriptors: past this many, the
/// accept loop lets them end before taking more, so a burst of new connections at the cap
/// cannot run the process out of descriptors (the fd reserve covers this many).
const MAX_STILL_CLOSING: usize = 64;
/// At most one warning per this period for each kind of repeated event.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Serves `filter` on `listener` until `stopped` turns true, then lets requests in progress
/// finish and returns once every connection is closed.
pub async fn serve<F>(
    listener: TcpListener,
    filter: F,
    limits: Limits,
    max_connections: usize,
    mut stopped: watch::Receiver<bool>,
) where
    F: Filter<Extract = (Response,), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    log::info!(
        "connections: at most {max_connections} at once, {} per client address",
        limits.max_connections_per_address
    );
    let registry = Registry::new(limits.clone(), max_connections);
    let http1 = Arc::new(http1_builder(&limits));
    let limits = Arc::new(limits);
    let service = TowerToHyperService::new(warp::service(filter));
    let stopping = stopped.clone();
    let mut connections = JoinSet::new();
    let mut refusals = Throttled::default();
    let mut accept_errors = Throttled::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => match registry.admit(addr) {
                    Ok(tracked) => {
                        let connection = connection(
                            stream,
                            tracked,
                            service.clone(),
                            http1.clone(),
                            limits.clone(),
                            stopping.clone(),
                        );
                        connections.spawn(connection);
                        while registry.still_closing() > MAX_STILL_CLOSING {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                    Err(why) => refusals.warn(|n| match why {
                        Refused::PerAddress => format!(
                            "closed {n} new connection(s), e.g. from {}: over {} per address",
                            addr.ip(),
                            limits.max_connections_per_address
                        ),
                        Refused::AllBusy => format!(
                            "closed {n} new connection(s): {max_connections} connections \
                             all have a request in progress"
                        ),
                    }),
                },
                Err(e) if is_connection_error(&e) => {}
                Err(e) => {
                    accept_errors.warn(|n| format!("{n} accept error(s), e.g. {e}; pausing briefly"));
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(done) = connections.join_next() => {
                if let Err(e) = done {
                    log::error!("a connection task failed: {e}");
                }
            }
            () = stop_requested(&mut stopped) => break,
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// hyper's HTTP/1.1 server settings. hyper's own head limits sit just above ours (see
/// `Limits::hyper_max_head_bytes`); its header timeout is off because the watch in
/// `connection` covers it, from the connection's first moment rather than its first byte.
fn http1_builder(limits: &Limits) -> hyper::server::conn::http1::Builder {
    let mut http1 = hyper::server::conn::http1::Builder::new();
    let head = limits.hyper_max_head_bytes();
    http1
        .header_read_timeout(None)
        .max_headers(limits.hyper_max_headers())
        .max_header_size(head)
        // The read buffer never needs to be larger than a head (bodies stream through it).
        .max_buf_size(head.max(8 * 1024) + 1024);
    http1
}

/// Serves one connection, closing it when its phase outlasts its timeout, when the registry
/// needs room, or (once requests in progress are done) at shutdown.
async fn connection<S>(
    stream: TcpStream,
    tracked: Tracked,
    service: S,
    http1: Arc<hyper::server::conn::http1::Builder>,
    limits: Arc<Limits>,
    mut stopped: watch::Receiver<bool>,
) where
    S: hyper::service::Service<
            hyper::Request<Incoming>,
            Response = Response,
            Error = std::convert::Infallible,
        > + Send
        + 'static,
    S::Future: Send + 'static,
{
    let tracked = Arc::new(tracked);
    let conn = tracked.conn.clone();
    let io = TokioIo::new(Metered {
        stream,
        tracked: tracked.clone(),
    });
    let service = Tracking {
        inner: service,
        tracked,
    };
    let served = http1.serve_connection(io, service);
    tokio::pin!(served);
    let mut draining = false;
    loop {
        let deadline = conn.deadline(&limits);
        tokio::select! {
            result = served.as_mut() => {
                if let Err(e) = result {
                    log::debug!("connection from {}: {e}", conn.addr);
                }
                return;
            }
            // A stream would hold a graceful shutdown forever: it is closed instead.
            () = conn.wake.notified() => if conn.closing() || (draining && streaming(&conn)) {
                return;
            },
            () = sleep_until(deadline), if deadline.is_some() => {
                if conn.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    log::debug!("closing {}: {:?} for too long", conn.addr, conn.phase());
                    return;
                }
            }
            () = stop_requested(&mut stopped), if !draining => {
                if streaming(&conn) {
                    return;
                }
                draining = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
}

fn streaming(conn: &super::connections::Conn) -> bool {
    conn.phase() == super::connections::Phase::Streaming
}

async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// Accept errors that concern one connection only (it was reset before we took it).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// A warning logged at most once per `WARN_EVERY`, with how many times it happened.
#[derive(Default)]
struct Throttled {
    last: Option<Instant>,
    count: u64,
}

impl Throttled {
    fn warn(&mut self, message: impl FnOnce(u64) -> String) {
        self.count += 1;
        if self.last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
            log::warn!("{}", message(self.count));
            self.last = Some(Instant::now());
            self.count = 0;
        }
    }
}

/// The router's service, marking when each request starts and its response is ready, and
/// giving the request its client's address.
struct Tracking<S> {
    inner: S,
    tracked: Arc<Tracked>,
}

impl<S> hyper::service::Service<hyper::Request<Incoming>> for Tracking<S>
where
    S: hyper::service::Service<hyper::Request<Incoming>, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn call(&self, mut req: hyper::Request<Incoming>) -> Self::Future {
        self.tracked.request_started();
        req.extensions_mut().insert(Peer(self.tracked.conn.addr));
        let response = self.inner.call(req);
        let tracked = self.tracked.clone();
        Box::pin(async move {
            let response = response.await;
            match &response {
                Ok(r) if r.extensions().get::<Streaming>().is_some() => tracked.streaming(),
                _ => tracked.response_ready(),
            }
            response
        })
    }
}
