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
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use warp::Filter;
use warp::reply::Response;

use super::connections::{Refused, Registry, Tracked};
use super::limits::Limits;

/// The client's address, put into every request's extensions for `Request::remote`.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// Connections the kernel queues before we accept them (capped by `net.core.somaxconn`).
/// Larger than tokio's 1024, so a burst of thousands of connects is queued rather than
/// dropped: a dropped SYN costs its client a one-second retransmit, the health checker too.
const LISTEN_BACKLOG: u32 = 4096;
/// File descriptors kept out of the connection cap: the database (a writer and one reader per
/// worker, three files each), outbound checks (up to 256 at once, plus pooled connections),
/// notifications, the listener and the standard streams.
const FD_RESERVE: u64 = 512;
/// The smallest overall cap derived from a (very low) file-descriptor limit.
const MIN_CONNECTIONS: u64 = 64;
/// Pause after an accept error such as EMFILE, so the loop waits for descriptors to free up
/// instead of spinning on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Closed connections whose task has not ended yet hold their descriptors: past this many, the
/// accept loop lets them end before taking more, so a burst of new connections at the cap
/// cannot run the process out of descriptors (the fd reserve covers this many).
const MAX_STILL_CLOSING: usize = 64;
/// At most one warning per this period for each kind of repeated event.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Binds `address` (host:port, the host possibly a name) with a deep accept queue.
pub async fn bind(address: &str) -> io::Result<TcpListener> {
    let mut last_error = None;
    for addr in tokio::net::lookup_host(address).await? {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket
            .bind(addr)
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("the address resolves to nothing")))
}

/// Raises the soft file-descriptor limit to the hard limit, logs both, and returns the
/// overall connection cap it allows.
pub fn raise_fd_limit() -> usize {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let before = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit {
        current: before.maximum,
        ..before
    };
    let soft = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => before.maximum,
        Err(e) => {
            log::warn!("cannot raise the file-descriptor limit: {e}");
            before.current
        }
    };
    let show = |v: Option<u64>| v.map_or("unlimited".to_owned(), |v| v.to_string());
    log::info!(
        "file descriptors: soft limit {} (was {}), hard limit {}",
        show(soft),
        show(before.current),
        show(before.maximum)
    );
    let cap = soft.map_or(u64::MAX, |s| {
        s.saturating_sub(FD_RESERVE).max(MIN_CONNECTIONS)
    });
    usize::try_from(cap.min(1 << 20)).unwrap_or(1 << 20)
}

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
            () = conn.wake.notified() => if conn.closing() {
                return;
            },
            () = sleep_until(deadline), if deadline.is_some() => {
                if conn.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    log::debug!("closing {}: {:?} for too long", conn.addr, conn.phase());
                    return;
                }
            }
            () = stop_requested(&mut stopped), if !draining => {
                draining = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
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

/// The socket, telling the registry how many bytes each read brought.
struct Metered {
    stream: TcpStream,
    tracked: Arc<Tracked>,
}

impl AsyncRead for Metered {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.tracked.received(buf.filled().len() - before);
        }
        polled
    }
}

impl AsyncWrite for Metered {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
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
            tracked.response_ready();
            response
        })
    }
}
