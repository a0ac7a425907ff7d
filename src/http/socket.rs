//! The listening socket and what the process allows it: a deep accept queue, the
//! file-descriptor limit raised at start (and the connection cap it allows), and the socket
//! wrapper that tells the registry what each read brought.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::connections::Tracked;

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

/// The socket, telling the registry how many bytes each read brought.
pub struct Metered {
    pub stream: TcpStream,
    pub tracked: Arc<Tracked>,
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
