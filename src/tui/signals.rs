//! Signals while recert holds the terminal. SIGTERM, SIGHUP, SIGINT and
//! SIGQUIT end the review, SIGTSTP suspends it and SIGCONT redraws it. One
//! thread receives them and raises flags the event loop reads between
//! events (it never waits on input longer than a tick), so the terminal is
//! restored by the thread that draws. Should the loop be busy in a long
//! query, the thread restores the terminal itself after a grace period and
//! ends the process: every decision shown as saved is already committed.
//! Outside the review every signal does what it always does.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
use signal_hook::iterator::Signals;
use signal_hook::low_level::emulate_default_handler;

use super::session;

/// How long the event loop has to notice a terminating signal before the
/// signal thread restores the terminal and exits on its own.
const GRACE: Duration = Duration::from_secs(3);

static STARTED: OnceLock<()> = OnceLock::new();
static QUIT: AtomicI32 = AtomicI32::new(0);
static SUSPEND: AtomicBool = AtomicBool::new(false);
static RESUMED: AtomicBool = AtomicBool::new(false);

/// Starts listening, once per process.
pub fn listen() -> io::Result<()> {
    if STARTED.get().is_some() {
        return Ok(());
    }
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT])?;
    std::thread::Builder::new()
        .name("recert-signals".to_owned())
        .spawn(move || {
            for signal in signals.forever() {
                receive(signal);
            }
        })?;
    let _ = STARTED.set(());
    Ok(())
}

fn receive(signal: i32) {
    match signal {
        SIGCONT => RESUMED.store(true, Ordering::SeqCst),
        _ if !session::is_active() => {
            // Not in the review: behave as if recert had never asked.
            let _ = emulate_default_handler(signal);
        }
        SIGTSTP => SUSPEND.store(true, Ordering::SeqCst),
        _ => {
            QUIT.store(signal, Ordering::SeqCst);
            std::thread::sleep(GRACE);
            if session::is_active() {
                session::leave();
                eprintln!(
                    "recert: the review ended on signal {signal}; every decision shown as saved is in the workspace"
                );
                std::process::exit(128 + signal);
            }
        }
    }
}

/// The terminating signal received, if any.
pub fn quit() -> Option<i32> {
    match QUIT.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Whether a SIGTSTP asks to suspend (once).
pub fn take_suspend() -> bool {
    SUSPEND.swap(false, Ordering::SeqCst)
}

/// Whether the process was continued since the last look (once).
pub fn take_resumed() -> bool {
    RESUMED.swap(false, Ordering::SeqCst)
}

/// A signal's name for messages.
pub fn name(signal: i32) -> String {
    match signal {
        SIGTERM => "SIGTERM".to_owned(),
        SIGHUP => "SIGHUP".to_owned(),
        SIGINT => "SIGINT".to_owned(),
        SIGQUIT => "SIGQUIT".to_owned(),
        other => format!("signal {other}"),
    }
}
