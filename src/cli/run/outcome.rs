//! How a wrapped command ended, as the server hears it (finish status, exit code, message) and as
//! the shell sees it (the wrapper's own exit code); and the tail of its output. Pure, so every
//! case is tested here rather than by killing processes.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use rustix::process::Signal;

/// The wrapper's exit code when the command cannot be found, as shells do.
pub const NOT_FOUND: u8 = 127;
/// The wrapper's exit code when the command exists but cannot be run, as shells do.
pub const CANNOT_RUN: u8 = 126;
/// The wrapper's exit code when it fails itself (like `env` and `timeout`).
pub const WRAPPER_FAILED: u8 = 125;

/// What the finish call reports (`POST /tasks/{id}/finish`, without the output).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// "success", "failure" or "aborted".
    pub status: &'static str,
    pub exit_code: Option<i32>,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub report: Report,
    /// What the wrapper exits with: the command's code, or 128 + the signal that killed it.
    pub exit_code: u8,
}

/// The outcome of a command that ran. `forwarded` lists the signals the wrapper received and
/// passed on: a command that then dies of one of them, or exits with 128 + it (what a script
/// that traps the signal and cleans up conventionally does), was stopped on purpose: aborted.
pub fn of_exit(status: ExitStatus, forwarded: &[i32]) -> Outcome {
    let stopped_by = |signal: i32| forwarded.contains(&signal);
    match (status.code(), status.signal()) {
        (Some(code), _) if code > 128 && stopped_by(code - 128) => Outcome {
            report: aborted(Some(code), code - 128),
            exit_code: shell_code(code),
        },
        (Some(0), _) => Outcome {
            report: Report {
                status: "success",
                exit_code: Some(0),
                error_message: None,
            },
            exit_code: 0,
        },
        (Some(code), _) => Outcome {
            report: Report {
                status: "failure",
                exit_code: Some(code),
                error_message: Some(format!("exited with code {code}")),
            },
            exit_code: shell_code(code),
        },
        (None, Some(signal)) if stopped_by(signal) => Outcome {
            report: aborted(None, signal),
            exit_code: shell_code(128 + signal),
        },
        (None, Some(signal)) => Outcome {
            // A signal is no exit code: the server takes a failure without one.
            report: Report {
                status: "failure",
                exit_code: None,
                error_message: Some(format!("killed by {}", describe(signal))),
            },
            exit_code: shell_code(128 + signal),
        },
        // `wait` reports only exits and deaths; anything else is our failure, not the job's.
        (None, None) => Outcome {
            report: Report {
                status: "failure",
                exit_code: None,
                error_message: Some(format!("ended abnormally ({status})")),
            },
            exit_code: WRAPPER_FAILED,
        },
    }
}

fn aborted(exit_code: Option<i32>, signal: i32) -> Report {
    Report {
        status: "aborted",
        exit_code,
        error_message: Some(format!(
            "stopped by {} sent to dutyduck run",
            describe(signal)
        )),
    }
}

/// The outcome of a command that could not be started: 127 when it does not exist, 126 when
/// it cannot be executed (permissions, not an executable), as shells answer.
pub fn of_spawn_error(program: &OsStr, error: &io::Error) -> Outcome {
    let (exit_code, what) = match error.kind() {
        io::ErrorKind::NotFound => (NOT_FOUND, "command not found"),
        _ => (CANNOT_RUN, "cannot run the command"),
    };
    Outcome {
        report: Report {
            status: "failure",
            exit_code: Some(i32::from(exit_code)),
            error_message: Some(format!("{what}: {} ({error})", program.to_string_lossy())),
        },
        exit_code,
    }
}

/// An exit code as a shell shows it (0–255).
fn shell_code(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(WRAPPER_FAILED)
}

/// "signal 9 (SIGKILL)", or "signal 40" for one without a portable name.
pub fn describe(signal: i32) -> String {
    match name(signal) {
        Some(name) => format!("signal {signal} (SIG{name})"),
        None => format!("signal {signal}"),
    }
}

/// The name of a common signal. Numbers differ between systems (SIGBUS is 7 on Linux, 10 on
/// macOS), hence the lookup through rustix's constants instead of a table of numbers.
fn name(signal: i32) -> Option<&'static str> {
    const NAMES: [(Signal, &str); 15] = [
        (Signal::HUP, "HUP"),
        (Signal::INT, "INT"),
        (Signal::QUIT, "QUIT"),
        (Signal::ILL, "ILL"),
        (Signal::TRAP, "TRAP"),
        (Signal::ABORT, "ABRT"),
        (Signal::BUS, "BUS"),
        (Signal::FPE, "FPE"),
        (Signal::KILL, "KILL"),
        (Signal::USR1, "USR1"),
        (Signal::SEGV, "SEGV"),
        (Signal::USR2, "USR2"),
        (Signal::PIPE, "PIPE"),
        (Signal::ALARM, "ALRM"),
        (Signal::TERM, "TERM"),
    ];
    let signal = Signal::from_named_raw(signal)?;
    NAMES.iter().find(|(s, _)| *s == signal).map(|(_, n)| *n)
}

/// How much of the output goes with the report: the server keeps 10 KB.
pub const TAIL_BYTES: usize = 10 * 1024;

/// The last `TAIL_BYTES` of the command's stdout and stderr, in the order they arrived: the end
/// of a job's output is where its errors are.
#[derive(Debug, Default)]
pub struct Tail {
    bytes: VecDeque<u8>,
}

impl Tail {
    pub fn push(&mut self, chunk: &[u8]) {
        let chunk = &chunk[chunk.len().saturating_sub(TAIL_BYTES)..];
        let overflow = (self.bytes.len() + chunk.len()).saturating_sub(TAIL_BYTES);
        self.bytes.drain(..overflow);
        self.bytes.extend(chunk);
    }

    /// The tail as text (invalid UTF-8 replaced), None when the command printed nothing. A
    /// character cut in two by the 10 KB limit is dropped rather than shown as garbage.
    pub fn text(&self) -> Option<String> {
        if self.bytes.is_empty() {
            return None;
        }
        let (front, back) = self.bytes.as_slices();
        let bytes = [front, back].concat();
        let cut = if self.bytes.len() == TAIL_BYTES {
            // UTF-8 continuation bytes are 0b10xxxxxx; a character has at most 3 of them.
            bytes
                .iter()
                .take(3)
                .take_while(|b| (**b & 0xC0) == 0x80)
                .count()
        } else {
            0
        };
        Some(String::from_utf8_lossy(&bytes[cut..]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    fn killed(signal: i32) -> ExitStatus {
        ExitStatus::from_raw(signal)
    }

    const TERM: i32 = Signal::TERM.as_raw();
    const KILL: i32 = Signal::KILL.as_raw();
    const INT: i32 = Signal::INT.as_raw();

    #[test]
    fn an_ending_becomes_a_report_and_a_shell_exit_code() {
        let rows: [(ExitStatus, &[i32], &str, Option<i32>, Option<&str>, u8); 8] = [
            (exited(0), &[], "success", Some(0), None, 0),
            (
                exited(3),
                &[],
                "failure",
                Some(3),
                Some("exited with code 3"),
                3,
            ),
            (
                killed(KILL),
                &[],
                "failure",
                None,
                Some("killed by signal 9 (SIGKILL)"),
                137,
            ),
            (
                killed(TERM),
                &[TERM],
                "aborted",
                None,
                Some("stopped by signal 15 (SIGTERM) sent to dutyduck run"),
                143,
            ),
            // A script that traps the signal and exits 128 + it was stopped too.
            (
                exited(143),
                &[TERM],
                "aborted",
                Some(143),
                Some("stopped by signal 15 (SIGTERM) sent to dutyduck run"),
                143,
            ),
            // Killed by another signal than the one passed on: a failure.
            (
                killed(KILL),
                &[TERM],
                "failure",
                None,
                Some("killed by signal 9 (SIGKILL)"),
                137,
            ),
            // A command that handles SIGINT and finishes its work reports its own result.
            (exited(0), &[INT], "success", Some(0), None, 0),
            (
                exited(1),
                &[INT],
                "failure",
                Some(1),
                Some("exited with code 1"),
                1,
            ),
        ];
        for (status, forwarded, report, code, message, exit) in rows {
            let outcome = of_exit(status, forwarded);
            assert_eq!(
                outcome,
                Outcome {
                    report: Report {
                        status: report,
                        exit_code: code,
                        error_message: message.map(str::to_owned),
                    },
                    exit_code: exit,
                },
                "{status:?} after {forwarded:?}"
            );
        }
    }

    #[test]
    fn a_command_that_cannot_start_fails_with_the_shell_codes() {
        let missing = io::Error::from(io::ErrorKind::NotFound);
        let outcome = of_spawn_error(OsStr::new("no-such-cmd"), &missing);
        assert_eq!(outcome.exit_code, 127);
        assert_eq!(outcome.report.status, "failure");
        assert_eq!(outcome.report.exit_code, Some(127));
        assert!(
            outcome
                .report
                .error_message
                .unwrap()
                .starts_with("command not found: no-such-cmd")
        );
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(of_spawn_error(OsStr::new("x"), &denied).exit_code, 126);
    }

    #[test]
    fn signals_have_their_names_where_known() {
        assert_eq!(describe(KILL), "signal 9 (SIGKILL)");
        assert_eq!(describe(Signal::HUP.as_raw()), "signal 1 (SIGHUP)");
        assert_eq!(describe(40), "signal 40");
        assert_eq!(describe(0), "signal 0");
        assert_eq!(describe(-3), "signal -3");
    }

    #[test]
    fn the_tail_keeps_the_last_bytes_in_arrival_order() {
        let mut tail = Tail::default();
        assert_eq!(tail.text(), None);
        tail.push(b"out ");
        tail.push(b"err ");
        tail.push(b"out");
        assert_eq!(tail.text().unwrap(), "out err out");

        let mut tail = Tail::default();
        tail.push(&vec![b'a'; TAIL_BYTES]);
        tail.push(b"END");
        let text = tail.text().unwrap();
        assert_eq!(text.len(), TAIL_BYTES);
        assert!(text.ends_with("aEND"));

        let mut tail = Tail::default();
        tail.push(&[b'x'; 3 * TAIL_BYTES]);
        assert_eq!(tail.text().unwrap().len(), TAIL_BYTES);
    }

    #[test]
    fn the_tail_drops_a_character_cut_by_the_limit_and_replaces_invalid_bytes() {
        let mut tail = Tail::default();
        // "é" is 2 bytes: an odd number of bytes before it puts the cut inside one.
        tail.push("é".repeat(TAIL_BYTES).as_bytes());
        tail.push(b"!");
        let text = tail.text().unwrap();
        assert!(text.starts_with('é') && text.ends_with("é!"), "{text:?}");

        let mut tail = Tail::default();
        tail.push(b"ok \xff\xfe done");
        assert_eq!(tail.text().unwrap(), "ok \u{fffd}\u{fffd} done");
    }
}
