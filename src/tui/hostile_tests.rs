//! Hostile data on screen: names, systems, entitlements and justifications
//! holding escape sequences, other control characters, bidi overrides,
//! 100 kB values, emoji and combining marks never put a control character
//! into the terminal buffer, and table columns stay where the header says.

use std::fmt::Write as _;

use chrono::{NaiveDate, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use super::action::Action;
use super::app::App;
use super::driver;
use super::effects::Shell;
use crate::actor::Actor;
use crate::campaign::create::{CampaignSpec, create_campaign};
use crate::campaign::policy::Verdict;
use crate::campaign::{DecisionRequest, find_campaign, record_decisions};
use crate::import::{ImportOptions, Progress, import_files};
use crate::model::DecisionAction;
use crate::workspace::Workspace;

const HOSTILE: &[&str] = &[
    "\u{1b}]0;pwned\u{7}title",
    "\u{1b}[2J\u{1b}[Hclear",
    "\u{9b}31mred",
    "admin\u{202E}txt.exe",
    "tab\there\rcr\u{8}bs\u{7f}del\u{0}nul",
    "Zoë 👩‍💻 e\u{301} 王芳",
];

const REVIEWER: &str = "M1";

/// Imports the hostile company, creates a campaign and decides half of it
/// with hostile justifications.
fn workspace() -> Workspace {
    let dir = tempfile::tempdir().expect("tempdir");
    let quoted = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let mut identities = String::from(
        "identity_id,display_name,department,kind,status,manager_id,owner_id\nM1,Mia,IT,human,active,,\n",
    );
    let mut entitlements =
        String::from("identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n");
    for (i, value) in HOSTILE.iter().enumerate() {
        let _ = writeln!(
            identities,
            "H{i},{},{},human,active,M1,",
            quoted(value),
            quoted(value)
        );
        let _ = writeln!(identities, "S{i},{},IT,service,active,,M1", quoted(value));
        let _ = writeln!(
            entitlements,
            "H{i},{},{},role,false,2025-01-01,2026-11-20",
            quoted(value),
            quoted(value)
        );
        let _ = writeln!(
            entitlements,
            "S{i},aws,{},api_key,false,2025-01-01,2026-11-20",
            quoted(value)
        );
    }
    let huge = "\u{1b}[31m界".repeat(20_000);
    let _ = writeln!(identities, "BIG,{},IT,human,active,M1,", quoted(&huge));
    let _ = writeln!(
        entitlements,
        "BIG,{},{},role,true,2025-01-01,2026-11-20",
        quoted(&huge),
        quoted(&huge)
    );
    let files = [
        dir.path().join("identities.csv"),
        dir.path().join("entitlements.csv"),
    ];
    std::fs::write(&files[0], identities).expect("identities");
    std::fs::write(&files[1], entitlements).expect("entitlements");
    let mut ws = Workspace::open_in_memory().expect("workspace");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
        .single()
        .expect("time");
    import_files(
        &mut ws.conn,
        &files,
        &ImportOptions::default(),
        &Actor::fixed("u"),
        now,
        Progress::hidden(),
    )
    .expect("import");
    let mut spec = CampaignSpec::new("Q4 \u{1b}]0;x\u{7}\u{202E}review 👩‍💻");
    spec.as_of = NaiveDate::from_ymd_opt(2026, 11, 30);
    spec.default_reviewer = Some(REVIEWER.to_owned());
    let id = create_campaign(&mut ws.conn, &spec, &Actor::fixed("u"), now).expect("campaign");
    let campaign = find_campaign(&ws.conn, &id.to_string()).expect("campaign");
    let items: Vec<i64> = ws
        .conn
        .prepare("SELECT id FROM items WHERE campaign_id = ?1 AND id % 2 = 0")
        .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
        .expect("items");
    for (n, item) in items.iter().enumerate() {
        record_decisions(
            &mut ws.conn,
            &campaign,
            &DecisionRequest {
                items: &[*item],
                action: DecisionAction::Revoke,
                justification: Some(HOSTILE[n % HOSTILE.len()]),
                extras: crate::campaign::EventExtras::default(),
            },
            &Actor::fixed("R\u{1b}[5m"),
            now,
        )
        .expect("decide");
    }
    ws
}

/// Feeds `actions` through `update` and the real shell, then draws.
fn screen(ws: &mut Workspace, actions: &[Action], width: u16, height: u16) -> Buffer {
    let campaign = find_campaign(&ws.conn, "1").expect("campaign");
    let actor = Actor::fixed(REVIEWER);
    let mut shell = Shell::new(&mut ws.conn, campaign, &actor);
    let mut app: App = shell.app(super::theme::Theme::plain()).expect("app");
    for action in std::iter::once(Action::Resize(width, height)).chain(actions.iter().cloned()) {
        driver::act(&mut shell, &mut app, action, &mut driver::quiet);
    }
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| super::view::draw(frame, &app))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_clean(what: &str, buffer: &Buffer) {
    for (i, cell) in buffer.content().iter().enumerate() {
        let bad = cell
            .symbol()
            .chars()
            .find(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'));
        assert!(
            bad.is_none(),
            "{what}: control {bad:?} in cell {i} ({}, {}):\n{}",
            i % usize::from(buffer.area.width),
            i / usize::from(buffer.area.width),
            text(buffer)
        );
    }
}

/// Every row under a header line naming `columns` has a blank cell just
/// before each column's start: nothing spills from one column into the next.
fn assert_aligned(what: &str, buffer: &Buffer, columns: &[&str]) {
    let lines: Vec<String> = text(buffer).lines().map(str::to_owned).collect();
    let Some(header_y) = lines
        .iter()
        .position(|l| columns.iter().all(|c| l.contains(c)))
    else {
        panic!("{what}: no header with {columns:?}:\n{}", lines.join("\n"));
    };
    let y = u16::try_from(header_y).expect("row");
    let starts: Vec<u16> = columns[1..]
        .iter()
        .map(|c| {
            (0..buffer.area.width)
                .find(|&x| {
                    (x..buffer.area.width)
                        .map(|x| buffer[(x, y)].symbol())
                        .collect::<String>()
                        .starts_with(c)
                })
                .expect("column")
        })
        .collect();
    let mut rows = 0;
    for row in (y + 1)..buffer.area.height {
        let line = &lines[usize::from(row)];
        // Item rows start with the cursor and their mark box: "  [ ]", "> [x]".
        let mark_box = (line.starts_with("  [") || line.starts_with("> ["))
            && line.chars().nth(4) == Some(']');
        if !mark_box {
            continue;
        }
        rows += 1;
        for &x in &starts {
            assert_eq!(
                buffer[(x - 1, row)].symbol(),
                " ",
                "{what}: row {row} spills into the column at x={x}:\n{}",
                lines.join("\n")
            );
        }
    }
    assert!(
        rows > 0,
        "{what}: no rows under the header:\n{}",
        lines.join("\n")
    );
}

#[test]
fn no_screen_shows_a_control_character_and_columns_stay_put() {
    let mut ws = workspace();
    let controls: Vec<String> = ws
        .conn
        .prepare("SELECT DISTINCT control_id FROM items ORDER BY control_id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("controls");
    assert!(controls.len() >= 2, "{controls:?}");
    for (width, height) in [(80, 24), (120, 40)] {
        let overview = screen(&mut ws, &[], width, height);
        assert_clean("overview", &overview);
        for (index, _) in controls.iter().enumerate() {
            let down = vec![Action::Down; index];
            let open: Vec<Action> = down.iter().cloned().chain([Action::Open]).collect();
            let list = screen(&mut ws, &open, width, height);
            assert_clean("control list", &list);
            for steps in 0..4 {
                let mut keys = open.clone();
                keys.extend(std::iter::repeat_n(Action::Down, steps));
                keys.push(Action::SwitchPane);
                assert_clean("detail", &screen(&mut ws, &keys, width, height));
                keys.pop();
                keys.push(Action::Decide(Verdict::Revoke));
                keys.push(Action::Paste(
                    "\u{1b}]52;c;cGF5bG9hZA==\u{7} pasted".to_owned(),
                ));
                assert_clean(
                    "justification prompt",
                    &screen(&mut ws, &keys, width, height),
                );
            }
            let mut help = open.clone();
            help.push(Action::Help);
            assert_clean("help", &screen(&mut ws, &help, width, height));
        }
        assert_clean(
            "sign-off",
            &screen(&mut ws, &[Action::SignOff], width, height),
        );
        // The accounts screen shows each person a grant's holder is linked to.
        let every = [Action::Accounts, Action::EveryAccount];
        assert_clean("accounts", &screen(&mut ws, &every, width, height));
        for steps in 0..8 {
            let mut keys = every.to_vec();
            keys.extend(std::iter::repeat_n(Action::Down, steps));
            assert_clean("account", &screen(&mut ws, &keys, width, height));
            keys.push(Action::Unlink);
            assert_clean("unlink prompt", &screen(&mut ws, &keys, width, height));
        }
    }
}

#[test]
fn item_columns_stay_aligned_with_wide_and_combining_text() {
    let mut ws = workspace();
    for (width, height) in [(80, 24), (120, 40)] {
        for down in 0..3 {
            let mut keys = vec![Action::Down; down];
            keys.push(Action::Open);
            let list = screen(&mut ws, &keys, width, height);
            assert_aligned(
                &format!("{width}x{height} control {down}"),
                &list,
                &[
                    "Identity",
                    "Kind",
                    "System",
                    "Entitlement",
                    "Signals",
                    "Rec.",
                    "Decision",
                ],
            );
        }
    }
}
