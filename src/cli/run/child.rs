//! The wrapped command: spawned with its stdout and stderr copied through as they come (and
//! their tail kept), the stop signals the wrapper receives passed on to it, and its end awaited.

use std::ffi::OsString;
use std::io;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::outcome::Tail;
use super::warn;

/// How long the output is still copied once the command has exited. Output normally ends with
/// the command; this only bounds the wait for a background process it left holding the pipes.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

pub struct Job {
    child: Child,
    copies: Vec<JoinHandle<()>>,
    tail: Arc<Mutex<Tail>>,
}

/// How the command ended, and the signals passed on to it before.
pub struct Ended {
    pub status: ExitStatus,
    pub forwarded: Vec<i32>,
}

impl Job {
    /// Starts `command` (program and arguments) with the wrapper's stdin and environment.
    pub fn spawn(command: &[OsString]) -> io::Result<Job> {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command given"))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let tail = Arc::new(Mutex::new(Tail::default()));
        let mut copies = Vec::new();
        if let Some(out) = child.stdout.take() {
            copies.push(tokio::spawn(copy(out, tokio::io::stdout(), tail.clone())));
        }
        if let Some(err) = child.stderr.take() {
            copies.push(tokio::spawn(copy(err, tokio::io::stderr(), tail.clone())));
        }
        Ok(Job {
            child,
            copies,
            tail,
        })
    }

    /// Waits for the command to end, passing on every stop signal the wrapper gets, and
    /// sending it SIGTERM if `lost` fires (the server ended the run, with --kill-on-abort).
    pub async fn supervise(
        &mut self,
        signals: &mut Option<StopSignals>,
        mut lost: oneshot::Receiver<()>,
    ) -> io::Result<Ended> {
        let mut forwarded = Vec::new();
        let mut lost_pending = true;
        loop {
            tokio::select! {
                status = self.child.wait() => return Ok(Ended { status: status?, forwarded }),
                signal = next_signal(signals) => {
                    self.kill(signal);
                    forwarded.push(signal.as_raw());
                }
                // Err: the monitor ended without losing the run; stop listening.
                message = &mut lost, if lost_pending => {
                    lost_pending = false;
                    if message.is_ok() {
                        self.kill(Signal::TERM);
                    }
                }
            }
        }
    }

    /// Sends `signal` to the command, unless it has already been reaped (its pid may then be
    /// another process's).
    fn kill(&self, signal: Signal) {
        let pid = self
            .child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        if let Some(pid) = pid
            && let Err(e) = kill_process(pid, signal)
        {
            warn(format!(
                "cannot pass signal {} to the command: {e}",
                signal.as_raw()
            ));
        }
    }

    /// The tail of the output, once both streams are closed or `OUTPUT_GRACE` has passed.
    pub async fn output(self) -> Option<String> {
        let copies = futures_util::future::join_all(self.copies);
        let _ = tokio::time::timeout(OUTPUT_GRACE, copies).await;
        self.tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .text()
    }
}

/// Copies one stream of the command to ours, chunk by chunk as it comes, keeping its tail.
/// Once our side is closed (`dutyduck run … | head -1`), the pipe from the command is closed
/// too: it then gets the SIGPIPE it would get unwrapped, instead of writing forever.
async fn copy(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    tail: Arc<Mutex<Tail>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        tail.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(chunk);
        if to.write_all(chunk).await.is_err() || to.flush().await.is_err() {
            return;
        }
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, caught so they can be passed on to the command and the
/// run reported as aborted, instead of killing the wrapper before it reports.
pub struct StopSignals {
    streams: Vec<(Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    /// Installed before the command is spawned, so that no signal falls between the two. None
    /// (after a warning) if the system refuses: the wrapper then dies of such signals as usual.
    pub fn install() -> Option<StopSignals> {
        let kinds = [
            (Signal::INT, SignalKind::interrupt()),
            (Signal::TERM, SignalKind::terminate()),
            (Signal::HUP, SignalKind::hangup()),
            (Signal::QUIT, SignalKind::quit()),
        ];
        let streams = kinds
            .into_iter()
            .map(|(s, kind)| signal(kind).map(|stream| (s, stream)))
            .collect::<io::Result<Vec<_>>>();
        match streams {
            Ok(streams) => Some(StopSignals { streams }),
            Err(e) => {
                warn(format!("cannot catch signals to pass them on: {e}"));
                None
            }
        }
    }
}

/// The next stop signal received; never, without handlers.
async fn next_signal(signals: &mut Option<StopSignals>) -> Signal {
    let Some(signals) = signals else {
        return std::future::pending().await;
    };
    let pending = signals.streams.iter_mut().map(|(s, stream)| {
        let s = *s;
        Box::pin(async move {
            // None: the runtime is shutting down; no signal will come any more.
            if stream.recv().await.is_none() {
                std::future::pending::<()>().await;
            }
            s
        })
    });
    futures_util::future::select_all(pending).await.0
}
