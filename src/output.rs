//! Writing to the terminal without ever panicking: stdout through a writer
//! that returns errors (a closed pipe ends the command quietly in `main`),
//! notes on stderr that are dropped when stderr is gone, and every
//! untrusted string cleaned of control characters first.

use std::error::Error;
use std::io::{self, Write};
use std::path::Path;

use color_eyre::eyre::Report;

use crate::text::for_display_lines;

/// Standard output, locked. Commands print through `writeln!(out, …)?`
/// instead of `println!`, which panics when the reader has gone away
/// (`recert items … | head -1`).
pub fn stdout() -> io::StdoutLock<'static> {
    io::stdout().lock()
}

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `value` as pretty JSON and a newline to stdout.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<()> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    out.flush().map_err(serde_json::Error::io)
}

/// Prints `recert: MESSAGE` on stderr, cleaned for the terminal. A failed
/// write is ignored: stderr is where failures are reported, so there is no
/// one left to tell.
pub fn note(message: &str) {
    let _ = writeln!(
        io::stderr().lock(),
        "recert: {}",
        for_display_lines(message)
    );
}

/// Prints a command's error and its causes on stderr, cleaned for the
/// terminal: error messages quote campaign names, paths and values the user
/// or an export supplied.
pub fn report_error(err: &Report) {
    let mut stderr = io::stderr().lock();
    // Each cause once: a message that already quotes its cause does not
    // repeat it below.
    let messages = crate::locking::messages(err.as_ref());
    for (index, message) in messages.iter().enumerate() {
        let lead = if index == 0 {
            "recert: "
        } else {
            "  caused by: "
        };
        let _ = writeln!(stderr, "{lead}{}", for_display_lines(message));
    }
}

/// Whether `err` comes from writing to a pipe whose reader has exited, which
/// ends a command normally (`recert items Q4 | head -1`).
pub fn is_broken_pipe(err: &Report) -> bool {
    err.chain().any(broken_pipe)
}

fn broken_pipe(err: &(dyn Error + 'static)) -> bool {
    if let Some(io) = err.downcast_ref::<io::Error>() {
        return io.kind() == io::ErrorKind::BrokenPipe;
    }
    // Neither serde_json's nor csv's error lists its io::Error as a source.
    if let Some(json) = err.downcast_ref::<serde_json::Error>() {
        return json.io_error_kind() == Some(io::ErrorKind::BrokenPipe);
    }
    if let Some(csv) = err.downcast_ref::<csv::Error>() {
        return matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe);
    }
    false
}

/// A path as it may be shown on a terminal: file names can hold escape
/// sequences like any other untrusted text.
pub fn shown(path: &Path) -> String {
    for_display_lines(&path.to_string_lossy()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use color_eyre::eyre::WrapErr;

    #[test]
    fn a_broken_pipe_is_found_through_wrappers() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        let report = Err::<(), _>(pipe)
            .wrap_err("printing the items")
            .expect_err("error");
        assert!(is_broken_pipe(&report));
        let json = serde_json::to_writer(BrokenWriter, &[1, 2]).expect_err("fails");
        assert!(is_broken_pipe(&Report::new(json)));
        let csv = csv::WriterBuilder::new()
            .buffer_capacity(1)
            .from_writer(BrokenWriter)
            .write_record(["a long enough cell"])
            .expect_err("fails");
        assert!(is_broken_pipe(&Report::new(csv)));
        let other = Report::new(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(!is_broken_pipe(&other));
    }

    struct BrokenWriter;

    impl Write for BrokenWriter {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn paths_lose_their_control_characters() {
        assert_eq!(
            shown(Path::new("/tmp/a\u{1b}]0;x\u{7}.csv")),
            "/tmp/a]0;x.csv"
        );
    }
}
