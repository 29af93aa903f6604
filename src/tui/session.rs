//! The terminal while the review runs: raw mode, the alternate screen,
//! bracketed paste and a hidden cursor; and putting all of it back on every
//! way out (return, error, panic, a terminating signal) and around a
//! suspend and resume.

use std::io::{self, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{cursor, event, execute, terminal};
use ratatui::{DefaultTerminal, Terminal};

/// Whether recert holds the terminal (read by the panic hook and the signal thread).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// The terminal, taken for as long as this lives.
pub struct Session {
    terminal: DefaultTerminal,
}

impl Session {
    pub fn start() -> io::Result<Session> {
        PANIC_HOOK.call_once(|| {
            let next = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                leave();
                next(info);
            }));
        });
        super::signals::listen()?;
        // Whatever part of taking the terminal worked is undone on failure.
        let terminal = enter().and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match terminal {
            Ok(terminal) => Ok(Session { terminal }),
            Err(err) => {
                leave();
                Err(err)
            }
        }
    }

    pub fn terminal(&mut self) -> &mut DefaultTerminal {
        &mut self.terminal
    }

    /// SIGTSTP: gives the terminal back to the shell, stops the whole job
    /// (as Ctrl-Z would: a wrapper script stops too, so the shell takes
    /// over), and once continued (`fg`) takes it again and redraws everything.
    pub fn suspend(&mut self) -> io::Result<()> {
        leave();
        rustix::process::kill_current_process_group(rustix::process::Signal::STOP)?;
        self.resume()
    }

    /// After SIGCONT: the shell may have reset the terminal while we were
    /// stopped, so take it again from scratch and redraw all of it.
    pub fn resume(&mut self) -> io::Result<()> {
        leave();
        enter()?;
        super::signals::take_resumed();
        self.terminal.clear()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        leave();
    }
}

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        stdout(),
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste,
        cursor::Hide
    )
}

/// Whether recert holds the terminal now.
pub fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Puts the terminal back as the shell had it. Safe to call more than once
/// and from the panic hook or the signal thread; errors are ignored, since
/// after SIGHUP there is no terminal left to restore.
pub fn leave() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        stdout(),
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}
