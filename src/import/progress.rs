//! A progress line on stderr for large imports, only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Files smaller than this finish too fast for a progress line to help.
const LARGE_FILE: usize = 8 * 1024 * 1024;
const REFRESH: Duration = Duration::from_millis(200);

pub struct Progress {
    enabled: bool,
    last_shown: Option<Instant>,
    drawn: bool,
}

impl Progress {
    /// Shows progress only when stderr is an interactive terminal, so scripts
    /// and CI logs stay clean.
    pub fn for_stderr() -> Progress {
        Progress::new(std::io::stderr().is_terminal())
    }

    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            last_shown: None,
            drawn: false,
        }
    }

    pub fn show(&mut self, file: &str, done: usize, total: usize) {
        if !self.enabled || total < LARGE_FILE {
            return;
        }
        let now = Instant::now();
        if self.last_shown.is_some_and(|at| now - at < REFRESH) && done < total {
            return;
        }
        self.last_shown = Some(now);
        self.drawn = true;
        let percent = done.saturating_mul(100) / total.max(1);
        let filled = percent / 5;
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(20 - filled));
        let mut stderr = std::io::stderr().lock();
        // Best effort: a progress line that fails to draw must not fail the import.
        let _ = write!(stderr, "\r\x1b[2Kimporting {file} [{bar}] {percent:>3}%");
        let _ = stderr.flush();
    }

    /// Ends the progress line so the summary starts on a fresh line.
    pub fn done(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}
