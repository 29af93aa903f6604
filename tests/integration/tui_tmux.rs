//! The real `recert review` in a real terminal (tmux at 80x24): decide with
//! justifications through key presses, quit, and check what was saved and
//! that the terminal left the alternate screen.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::{Scratch, sample};

/// A tmux server of its own, killed when the test ends, even on failure.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let socket = format!("recert-test-{}-{:?}", std::process::id(), Instant::now());
        let socket: String = socket.chars().filter(char::is_ascii_alphanumeric).collect();
        let tmux = Tmux { socket };
        let started = tmux.run(&["new-session", "-d", "-s", "t", "-x", "80", "-y", "24", "sh"]);
        assert!(
            started.status.success(),
            "tmux must be installed for this test (apt-get install tmux): {}",
            String::from_utf8_lossy(&started.stderr)
        );
        tmux.run(&["set-option", "-t", "t", "status", "off"]);
        tmux.keys(&[command, "Enter"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        // The server started by the first call passes its environment on
        // to the shell that runs recert.
        Command::new("tmux")
            .env_remove(crate::support::UNSET[0])
            .env_remove(crate::support::UNSET[1])
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        self.run(&args);
    }

    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// Waits until the screen shows `text`; fails with the screen after 20 s.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited 20 s for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn alternate_screen(&self) -> bool {
        let out = self.run(&["display-message", "-p", "-t", "t", "#{alternate_on}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn review_without_a_terminal_says_what_to_use_instead() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .args(["review", "Q4"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("needs an interactive terminal"))
        .stderr(predicates::str::contains("recert decide"));
}

#[test]
fn certify_and_revoke_with_justifications_then_quit_cleanly() {
    let scratch = Scratch::new();
    scratch.import(&["identities.csv", "entitlements.csv", "systems.csv"].map(sample));
    scratch.campaign("Q4", &["--period", "2026-Q4", "--due", "2026-12-31"]);
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "NO_COLOR=1 RECERT_WORKSPACE='{}' '{}' review Q4 --reviewer auditor; echo \"exit status $?\"",
        scratch.workspace().display(),
        binary.display()
    ));
    tmux.wait_for("All items");
    assert!(
        tmux.alternate_screen(),
        "the review runs in the alternate screen"
    );
    // The first control, 5.16, is all risk: both decisions ask for a justification.
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.keys(&["c"]);
    tmux.wait_for("Justification: certify item");
    tmux.text("still needed until the handover on 15 December");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved: certified 1 item");
    tmux.keys(&["r"]);
    tmux.wait_for("Justification: revoke item");
    tmux.keys(&["Enter"]);
    tmux.wait_for("a justification is required");
    tmux.text("left the company");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved: revoked 1 item");
    let screen = tmux.wait_for("✓ certify");
    assert!(screen.contains("✗ revoke"), "{screen}");
    // A resize redraws at the new size: the wider footer has room for more keys.
    assert!(!screen.contains("s sign off"), "{screen}");
    tmux.run(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    tmux.wait_for("s sign off");
    tmux.run(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    tmux.wait_for("5.16 Identity management · 2/");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("exit status 0");
    assert!(
        !tmux.alternate_screen(),
        "the terminal is back on the main screen"
    );
    assert!(
        !screen.contains("All items"),
        "the shell is shown again:\n{screen}"
    );

    let status = scratch
        .recert()
        .args(["status", "Q4", "--json"])
        .output()
        .expect("status");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(status["decided"], 2, "{status}");
    assert_eq!(status["certified"], 1);
    assert_eq!(status["revoked"], 1);
    let items = scratch
        .recert()
        .args(["items", "Q4", "--json"])
        .output()
        .expect("items");
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).expect("json");
    let justifications: Vec<&str> = items
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|item| item["justification"].as_str())
        .collect();
    assert_eq!(
        justifications,
        [
            "still needed until the handover on 15 December",
            "left the company"
        ]
    );
}

#[test]
fn with_several_open_campaigns_a_picker_asks_which() {
    let scratch = Scratch::new();
    scratch.import(&["identities.csv", "entitlements.csv", "systems.csv"].map(sample));
    for name in ["First review", "Second review"] {
        scratch.campaign(name, &[]);
    }
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "RECERT_WORKSPACE='{}' '{}' review --reviewer auditor; echo \"exit status $?\"",
        scratch.workspace().display(),
        binary.display()
    ));
    tmux.wait_for("Choose a campaign");
    tmux.keys(&["j", "Enter"]);
    let screen = tmux.wait_for("All items");
    assert!(screen.starts_with("Second review"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    assert!(!tmux.alternate_screen());
}
