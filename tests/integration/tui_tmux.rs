//! The real `recert review` in a real terminal (tmux at 80x24): decide with
//! justifications through key presses, quit, and check what was saved and
//! that the terminal left the alternate screen; pastes, typed-ahead input,
//! and signals that end or suspend the review.

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
        self.flag("#{alternate_on}")
    }

    fn cursor_visible(&self) -> bool {
        self.flag("#{cursor_flag}")
    }

    fn flag(&self, format: &str) -> bool {
        let out = self.run(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Pastes `text` as a terminal does: between bracketed-paste markers
    /// when the program asked for them and `bracketed`, else as typed keys.
    fn paste(&self, text: &str, bracketed: bool) {
        let file = std::env::temp_dir().join(format!("{}-paste", self.socket));
        std::fs::write(&file, text).expect("paste file");
        let path = file.to_string_lossy().into_owned();
        self.run(&["load-buffer", "-b", "p", &path]);
        let mut args = vec!["paste-buffer", "-b", "p", "-t", "t"];
        if bracketed {
            args.push("-p");
        }
        self.run(&args);
        let _ = std::fs::remove_file(file);
    }

    /// The process id of the recert the pane runs (below its shell, and
    /// perhaps a wrapping `sh -c`).
    fn recert_pid(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
        let mut parent = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        for _ in 0..3 {
            let children = Command::new("ps")
                .args(["-o", "pid=,comm=", "--ppid", &parent])
                .output()
                .expect("ps runs");
            let children = String::from_utf8_lossy(&children.stdout).into_owned();
            let mut rows = children.lines().map(str::split_whitespace);
            let Some(mut row) = rows.next() else { break };
            let (Some(pid), Some(command)) = (row.next(), row.next()) else {
                break;
            };
            if command == "recert" {
                return pid.to_owned();
            }
            pid.clone_into(&mut parent);
        }
        panic!("no recert process under the pane");
    }

    /// Sends `signal` to the recert the pane runs.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.recert_pid()])
            .status()
            .expect("kill runs");
        assert!(status.success());
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
    scratch.known_reviewers(&["auditor"]);
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
    // The first control, 5.16, is all risk: both decisions ask for a
    // justification, and certifying against the revoke recommendation for y.
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.keys(&["c"]);
    tmux.wait_for("Certify against the recommendation");
    tmux.keys(&["Enter"]);
    tmux.wait_for("y confirms");
    tmux.keys(&["y"]);
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
    scratch.known_reviewers(&["auditor"]);
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

/// A workspace with the sample company and the campaign "Q4".
fn sample_campaign() -> Scratch {
    let scratch = Scratch::new();
    scratch.import(&["identities.csv", "entitlements.csv", "systems.csv"].map(sample));
    scratch.known_reviewers(&["auditor"]);
    scratch
        .recert()
        .args(["campaign", "create", "--name", "Q4", "--period", "2026-Q4"])
        .args(["--as-of", "2026-11-30", "--due", "2026-12-31"])
        .assert()
        .success();
    scratch
}

/// Opens the review of Q4 in tmux, at the overview, as one shell job
/// that prints recert's exit status when it ends.
fn review(scratch: &Scratch) -> Tmux {
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "sh -c 'NO_COLOR=1 RECERT_WORKSPACE=\"{}\" \"{}\" review Q4 --reviewer auditor; echo \"exit status $?\"'",
        scratch.workspace().display(),
        binary.display()
    ));
    tmux.wait_for("All items");
    tmux
}

fn justifications(scratch: &Scratch) -> Vec<String> {
    let items = scratch
        .recert()
        .args(["items", "Q4", "--json"])
        .output()
        .expect("items");
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).expect("json");
    items
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|item| item["justification"].as_str().map(str::to_owned))
        .collect()
}

/// Issue #18 item 2: with bracketed paste, a multi-line paste on the table
/// decides nothing, and in a prompt it is one line of text that only a
/// typed Enter saves.
#[test]
fn a_paste_decides_nothing_and_is_one_line_in_a_prompt() {
    let scratch = sample_campaign();
    let tmux = review(&scratch);
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.paste("r\nleft the company\ny\nc\ny\n", true);
    tmux.keys(&["?"]);
    tmux.wait_for("Keys (j/k scroll");
    tmux.keys(&["Escape"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.keys(&["r"]);
    tmux.wait_for("Justification: revoke item");
    tmux.paste("Left in March.\r\nNo handover needed.\n", true);
    let screen = tmux.wait_for("Left in March. No handover needed.");
    assert!(!screen.contains("Saved"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved: revoked 1 item");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    assert_eq!(
        justifications(&scratch),
        ["Left in March. No handover needed."]
    );
}

/// Issue #18 item 3: over a kilobyte typed ahead is read at once (the
/// Enter at its end saves without waiting for another key), and Esc typed
/// ahead after text cancels instead of saving.
#[test]
fn typed_ahead_text_is_read_at_once_and_esc_always_cancels() {
    let scratch = sample_campaign();
    let tmux = review(&scratch);
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.keys(&["r"]);
    tmux.wait_for("Justification: revoke item");
    tmux.paste(&format!("{}\n", "y".repeat(1500)), false);
    tmux.wait_for("Saved: revoked 1 item");
    tmux.keys(&["r"]);
    tmux.wait_for("Justification: revoke item");
    tmux.paste(&"z".repeat(1500), false);
    tmux.keys(&["Escape", "Enter"]);
    tmux.wait_for("cancelled; nothing was saved");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    assert_eq!(justifications(&scratch), ["y".repeat(1500)]);
}

/// Issue #18 item 13: a terminating signal gives the terminal back (main
/// screen, cursor shown) and says that the saved decisions are kept.
#[test]
fn terminating_signals_restore_the_terminal() {
    let scratch = sample_campaign();
    for signal in ["TERM", "HUP", "INT", "QUIT"] {
        let tmux = review(&scratch);
        assert!(tmux.alternate_screen());
        tmux.signal(signal);
        let screen = tmux.wait_for("exit status 1");
        assert!(
            screen.contains(&format!("the review ended on SIG{signal}")),
            "{signal}: {screen}"
        );
        assert!(
            !tmux.alternate_screen(),
            "{signal}: still in the alternate screen"
        );
        assert!(tmux.cursor_visible(), "{signal}: the cursor stays hidden");
        assert!(!screen.contains("All items"), "{signal}: {screen}");
    }
}

/// Issue #18 item 13: SIGTSTP gives the terminal back to the shell, and
/// `fg` redraws the review as it was.
#[test]
fn suspend_and_resume_redraw_the_review() {
    let scratch = sample_campaign();
    let tmux = review(&scratch);
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    tmux.signal("TSTP");
    tmux.wait_for("Stopped");
    assert!(
        !tmux.alternate_screen(),
        "suspended in the alternate screen"
    );
    assert!(tmux.cursor_visible());
    tmux.keys(&["fg", "Enter"]);
    tmux.wait_for("5.16 Identity management · 0/");
    assert!(tmux.alternate_screen());
    let screen = tmux.wait_for("? help");
    assert!(!screen.contains("Stopped"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    assert!(!tmux.alternate_screen());
}

/// Opens the review of the finishing company's Q4 as `reviewer`.
fn review_as(scratch: &Scratch, reviewer: &str) -> Tmux {
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "sh -c 'NO_COLOR=1 RECERT_WORKSPACE=\"{}\" \"{}\" review Q4 --reviewer {reviewer}; echo \"exit status $?\"'",
        scratch.workspace().display(),
        binary.display()
    ));
    tmux.wait_for("All items");
    tmux
}

/// Issue #14 in a real terminal: a first review of privileged access waits
/// for a second, different reviewer, who agrees in their own review; R
/// reassigns an item after resolving the name (an unknown one is refused
/// on screen), and the history shows it.
#[test]
fn reassign_and_a_second_review_in_the_terminal() {
    let scratch = Scratch::new();
    crate::finishing::company(&scratch, true, "2099-12-31");
    let first = crate::finishing::id(&scratch, "E0429", "prod");
    let other = crate::finishing::id(&scratch, "E2", "prod");

    // Olu (O1), the system owner, makes the first review of E0429's admin access.
    let tmux = review_as(&scratch, "olu@x.example");
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("8.2 Privileged access rights · 0/3 decided");
    tmux.keys(&["c"]);
    tmux.wait_for("Justification: certify item");
    tmux.text("on-call administrator");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 awaits a second review by a different reviewer");
    tmux.wait_for("◐ await 2nd");
    tmux.wait_for("8.2 Privileged access rights · 0/3 decided");
    // The cursor went on to E2's item; back on the first, c is refused.
    tmux.keys(&["k", "c"]);
    tmux.wait_for(&format!(
        "your first review of item {first} needs a second, different reviewer"
    ));
    // E2's item goes to Mia: an unknown name first, then her e-mail.
    tmux.keys(&["j", "R"]);
    tmux.wait_for(&format!("Reassign item #{other}"));
    tmux.text("mai");
    tmux.keys(&["Enter"]);
    tmux.wait_for("reviewer \"mai\" is not known");
    tmux.keys(&["Escape", "R"]);
    tmux.wait_for("To whom?");
    tmux.text("mia@x.example");
    tmux.keys(&["Enter"]);
    tmux.wait_for("to Mia Manager (M1)");
    tmux.text("Olu is on holiday");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved: reassigned 1 item to Mia Manager (M1)");
    // The history, at the end of the detail pane.
    tmux.keys(&["Tab", "G"]);
    tmux.wait_for("reassign to M1 by O1: Olu is on");
    tmux.keys(&["Tab", "q", "q"]);
    tmux.wait_for("exit status 0");
    drop(tmux);
    assert_eq!(
        crate::finishing::item(&scratch, "E2", "prod")["assigned_reviewer"],
        "M1"
    );

    // Mia (M1) makes the second review and agrees: decided.
    let tmux = review_as(&scratch, "M1");
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("8.2 Privileged access rights · 0/3 decided");
    tmux.keys(&["Tab", "G"]);
    tmux.wait_for("certify by O1 (first review): on-call");
    tmux.wait_for("awaiting a second review: the first review says certify (O1)");
    tmux.keys(&["Tab", "c"]);
    tmux.wait_for("Justification: certify item");
    tmux.text("agreed: on-call rota");
    tmux.keys(&["Enter"]);
    tmux.wait_for("8.2 Privileged access rights · 1/3 decided");
    tmux.keys(&["k", "Tab", "G"]);
    tmux.wait_for("certify by M1 (second review)");
    tmux.keys(&["Tab"]);
    tmux.keys(&["q", "q"]);
    tmux.wait_for("exit status 0");
    let decided = crate::finishing::item(&scratch, "E0429", "prod");
    assert_eq!(decided["item_id"].to_string(), first);
    assert_eq!(decided["decision"], "certify");
    assert_eq!(decided["first_review_by"], "O1");
    assert_eq!(decided["justification"], "agreed: on-call rota");
}

/// An unknown reviewer is refused before the review takes the terminal.
#[test]
fn the_review_refuses_an_unknown_reviewer_before_taking_the_terminal() {
    let scratch = sample_campaign();
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "RECERT_WORKSPACE='{}' '{}' review Q4 --reviewer audtior; echo \"exit status $?\"",
        scratch.workspace().display(),
        binary.display()
    ));
    // The terminal wraps the message at 80 columns.
    let screen = tmux.wait_for("exit status 1").replace('\n', "");
    assert!(
        screen.contains("reviewer \"audtior\" is not known"),
        "{screen}"
    );
    assert!(screen.contains("Did you mean auditor?"), "{screen}");
    assert!(!tmux.alternate_screen());
}

/// Issue #12: from the demo's overview, `l` lists the accounts no person
/// matches; a suggestion is accepted with Enter and a reason, and `recert
/// links` then shows the manual link. The detail pane of the leaver's item
/// names her account, how it was linked and her earlier review.
#[test]
fn the_demo_links_a_suggested_account_from_the_accounts_screen() {
    let scratch = Scratch::new();
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let tmux = Tmux::start(&format!(
        "NO_COLOR=1 RECERT_WORKSPACE='{}' '{}' demo --reviewer E0335; echo \"exit status $?\"",
        scratch.workspace().display(),
        binary.display()
    ));
    tmux.wait_for("All items");
    // The first item of 5.16 (after 5.3, the toxic combination) is the
    // leaver Sakura Yamamoto's, by her HR id.
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for("Account    E0412 · linked by its identity id");
    tmux.keys(&["Tab", "C-d"]);
    tmux.wait_for("Reviewed   Approve by Ren Yamamoto 2026-05-14");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("Accounts without a person · 24 unlinked · 1 ambiguous");
    assert!(
        screen.contains(
            "Links change later campaigns only; this one keeps the links it was created with."
        ),
        "{screen}"
    );
    tmux.keys(&["/"]);
    tmux.text("hvogel");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Suggested  > 0.9 Hannah Vogel (E0136): same display name");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Link hvogel@northwind.example to Hannah Vogel (E0136)");
    tmux.text("Made by IT for Hannah, ticket 8812");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Linked hvogel@northwind.example to Hannah Vogel (E0136)");
    tmux.wait_for("23 unlinked");
    tmux.keys(&["Escape"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    let out = scratch
        .recert()
        .args(["links", "--json"])
        .output()
        .expect("links");
    let accounts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let hvogel = accounts
        .as_array()
        .expect("array")
        .iter()
        .find(|a| a["account"] == "hvogel@northwind.example")
        .expect("the account");
    assert_eq!(hvogel["person_id"], "E0136");
    assert_eq!(hvogel["link_basis"], "manual");
    let note = hvogel["note"].as_str().expect("note");
    assert!(
        note.starts_with("linked by E0335 on ")
            && note.ends_with("Made by IT for Hannah, ticket 8812"),
        "{note}"
    );
}

/// A reviewer on a jump host without a workspace reviews a packet in the
/// TUI (`recert review FILE`): the decision lands in the packet, and once
/// the packet is sealed the review shows the refusal instead of saving.
#[test]
fn a_reviewer_reviews_a_packet_in_the_terminal() {
    let owner = Scratch::new();
    crate::finishing::company(&owner, false, "2026-12-15");
    let machine = tempfile::tempdir().expect("machine");
    let packet = machine.path().join("m1.packet");
    owner
        .recert()
        .args(["packet", "create", "Q4", "--reviewer", "M1", "-o"])
        .arg(&packet)
        .assert()
        .success();
    let binary = assert_cmd::cargo::cargo_bin("recert");
    let open = format!(
        "cd '{}' && NO_COLOR=1 RECERT_WORKSPACE='{}' '{}' review m1.packet; echo \"exit status $?\"",
        machine.path().display(),
        machine.path().join("no-workspace.db").display(),
        binary.display()
    );
    let tmux = Tmux::start(&open);
    tmux.wait_for("All items");
    tmux.wait_for("packet 1 · Q4");
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.18 Access rights · 0/2");
    tmux.keys(&["c"]);
    tmux.wait_for("Saved: certified 1 item");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
    assert!(
        !machine.path().join("no-workspace.db").exists(),
        "reviewing a packet needs no workspace"
    );
    let decided = owner
        .recert()
        .args(["status", "--json", "--packet"])
        .arg(&packet)
        .output()
        .expect("status");
    let decided: serde_json::Value = serde_json::from_slice(&decided.stdout).expect("json");
    assert_eq!(decided["certified"], 1, "{decided}");
    owner
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(machine.path().join("keys"))
        .assert()
        .success();
    owner
        .recert()
        .args(["packet", "seal"])
        .arg(&packet)
        .arg("--key")
        .arg(machine.path().join("keys/recert.key"))
        .assert()
        .success();
    drop(tmux);
    let tmux = Tmux::start(&open.replace("review m1.packet", "review --packet m1.packet"));
    tmux.wait_for("All items");
    tmux.wait_for("PACKET 1 SEALED, read only");
    tmux.keys(&["Enter"]);
    tmux.wait_for("5.18 Access rights · 1/2");
    tmux.keys(&["j", "r"]);
    tmux.wait_for("Justification: revoke item");
    tmux.text("dormant since January");
    tmux.keys(&["Enter"]);
    tmux.wait_for("sealed");
    tmux.keys(&["q"]);
    tmux.wait_for("All items");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
}

/// README "Performance": on a signed-off campaign the first frame comes
/// before the remediation count, which the overview then shows.
#[test]
fn a_signed_off_campaign_shows_its_remediation_after_the_first_frame() {
    let scratch = sample_campaign();
    let ids = scratch.undecided_ids("Q4");
    scratch
        .recert()
        .args(["decide", "Q4", "--accept", "--justification", "checked"])
        .args(["--reviewer", "auditor"])
        .args(&ids)
        .assert()
        .success();
    scratch
        .recert()
        .args(["signoff", "Q4", "--reviewer", "auditor"])
        .assert()
        .success();
    let tmux = review(&scratch);
    let screen = tmux.wait_for("Remediation ");
    assert!(screen.contains("pending"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("exit status 0");
}
