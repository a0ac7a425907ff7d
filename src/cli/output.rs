//! The one writer of the admin commands' standard output. `println!` panics when the reader
//! has gone away (`dutyduck token list | head -1`); here a closed pipe ends the process
//! quietly with exit code 0: the reader took what it wanted, and every command prints only
//! after its transaction is committed, so nothing is left half done.

use std::fmt;
use std::io::{self, Write};

/// `println!` for command output: `outln!("{} tokens", n)`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes one line to standard output; see the module comment for a closed pipe.
pub fn line(text: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(text).and_then(|()| out.write_all(b"\n")) {
        stop(&e);
    }
}

fn stop(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    // Ignore a failure to report the failure: stderr may be gone too.
    let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(1);
}
