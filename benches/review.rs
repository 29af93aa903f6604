//! Key handling plus render of the review TUI on a `TestBackend`, at 10,000
//! and 1,000,000 items: the campaign is paged from SQLite, so the time per
//! keystroke must not grow with the campaign. Also one decision, from the
//! call to its durable commit (`synchronous = FULL`), in the same
//! workspaces. The `query` group measures search, sort and the system
//! filter on the largest control (issue #19: the first screen within
//! 100 ms at a million items), from the key to the rendered frame, once the
//! control's index is built. Run with `cargo bench`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use recert::actor::Actor;
use recert::campaign::{
    CampaignSpec, DecisionRequest, create_campaign, find_campaign, record_decisions,
};
use recert::model::DecisionAction;
use recert::tui::headless::Headless;
use recert::workspace::Workspace;

const SIZES: [u32; 2] = [10_000, 1_000_000];
const REVIEWER: &str = "E0000001";

/// A workspace with one campaign of `items` items: the snapshots are written
/// with plain SQL (importing a million generated rows would dominate the
/// bench's run time), the campaign is created as `recert campaign create`
/// does it.
fn workspace(dir: &Path, items: u32) -> Workspace {
    let mut ws = Workspace::open(&dir.join(format!("bench-{items}.db"))).expect("workspace");
    let identities = (items / 10).max(100);
    ws.conn
        .execute_batch(&format!(
            "BEGIN;
             INSERT INTO imports VALUES (1, '2026-11-01T00:00:00Z', 'bench', 'host');
             INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (1, 1, 'identities', 'canonical', 'identities', 'identities.csv', '{h}', {identities}),
                        (2, 1, 'entitlements', 'canonical', 'entitlements', 'entitlements.csv', '{h}', {items});
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {identities})
             INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, email, department,
                     kind, status, manager_id)
                 SELECT i, 1, i + 1, printf('E%07d', i), 'Person ' || i, printf('p%d@x.example', i),
                     'Dept ' || (i % 8), CASE WHEN i % 10 = 0 THEN 'service' ELSE 'human' END,
                     CASE WHEN i % 33 = 0 THEN 'terminated' ELSE 'active' END,
                     CASE WHEN i > 1 THEN printf('E%07d', (i / 8) + 1) END
                 FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {items})
             INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type,
                     privileged, granted_at, last_used_at)
                 SELECT i, 2, i + 1, printf('E%07d', (i % {identities}) + 1), 'system-' || (i % 20),
                     'role-' || (i % 50), 'role', i % 20 = 0, '2025-01-01', '2026-10-01'
                 FROM n;
             COMMIT;",
            h = "b".repeat(64),
        ))
        .expect("bench data");
    let spec = CampaignSpec {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
        default_reviewer: Some(REVIEWER.to_owned()),
        ..CampaignSpec::new("bench")
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
        .expect("time")
        .to_utc();
    create_campaign(&mut ws.conn, &spec, &Actor::fixed("bench"), now).expect("bench campaign");
    ws
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn review(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let actor = Actor::fixed(REVIEWER);
    let mut group = c.benchmark_group("review");
    group.sample_size(30);
    for items in SIZES {
        let mut ws = workspace(dir.path(), items);
        let campaign = find_campaign(&ws.conn, "bench").expect("campaign");

        group.bench_with_input(
            BenchmarkId::new("open and first frame", items),
            &items,
            |b, _| {
                b.iter(|| {
                    let mut session =
                        Headless::open(&mut ws.conn, campaign.clone(), &actor, 80, 24)
                            .expect("open");
                    black_box(session.render().expect("render"));
                });
            },
        );

        let mut session =
            Headless::open(&mut ws.conn, campaign.clone(), &actor, 80, 24).expect("open");
        // The overview lists 5.16 first; open the largest control, 5.18.
        session.press(key(KeyCode::Char('j')));
        session.press(key(KeyCode::Enter));
        group.bench_with_input(BenchmarkId::new("j then render", items), &items, |b, _| {
            b.iter(|| {
                session.press(key(KeyCode::Char('j')));
                black_box(session.render().expect("render"));
            });
        });
        let mut last = false;
        group.bench_with_input(
            BenchmarkId::new("G or g then render", items),
            &items,
            |b, _| {
                b.iter(|| {
                    last = !last;
                    session.press(key(if last {
                        KeyCode::Char('G')
                    } else {
                        KeyCode::Char('g')
                    }));
                    black_box(session.render().expect("render"));
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("Ctrl-d then render", items),
            &items,
            |b, _| {
                b.iter(|| {
                    session.press(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL));
                    black_box(session.render().expect("render"));
                });
            },
        );
    }
    group.finish();
}

/// Search, sort and filter on the largest control, key to rendered frame.
fn query(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let actor = Actor::fixed(REVIEWER);
    let mut group = c.benchmark_group("query");
    group.sample_size(20);
    for items in SIZES {
        let mut ws = workspace(dir.path(), items);
        let campaign = find_campaign(&ws.conn, "bench").expect("campaign");
        let mut session =
            Headless::open(&mut ws.conn, campaign.clone(), &actor, 80, 24).expect("open");
        session.press(key(KeyCode::Char('j')));
        session.press(key(KeyCode::Enter));
        // Every press below re-queries the whole control: 750,000 items at 1M.
        group.bench_with_input(
            BenchmarkId::new("o then render (cycles the four sorts)", items),
            &items,
            |b, _| {
                b.iter(|| {
                    session.press(key(KeyCode::Char('o')));
                    black_box(session.render().expect("render"));
                });
            },
        );
        session.press(key(KeyCode::Char('/')));
        for typed in "person 12".chars() {
            session.press(key(KeyCode::Char(typed)));
        }
        group.bench_with_input(
            BenchmarkId::new("search: type and erase a character (two searches)", items),
            &items,
            |b, _| {
                b.iter(|| {
                    session.press(key(KeyCode::Char('3')));
                    black_box(session.render().expect("render"));
                    session.press(key(KeyCode::Backspace));
                    black_box(session.render().expect("render"));
                });
            },
        );
        // Esc drops the search and closes the prompt.
        session.press(key(KeyCode::Esc));
        session.press(key(KeyCode::Char('f')));
        session.press(key(KeyCode::Down));
        session.press(key(KeyCode::Down));
        group.bench_with_input(
            BenchmarkId::new("filter: next system then render", items),
            &items,
            |b, _| {
                b.iter(|| {
                    session.press(key(KeyCode::Right));
                    black_box(session.render().expect("render"));
                });
            },
        );
    }
    group.finish();
}

/// One certify or revoke on one item, committed to disk before it returns:
/// what the TUI waits for before it shows a decision as saved.
fn decide(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    // Not an identity, so never the holder of the item decided.
    let actor = Actor::fixed("auditor");
    let mut group = c.benchmark_group("decide");
    group.sample_size(50);
    for items in SIZES {
        let mut ws = workspace(dir.path(), items);
        let campaign = find_campaign(&ws.conn, "bench").expect("campaign");
        let mut round = 0_u32;
        group.bench_with_input(
            BenchmarkId::new("one item, durable", items),
            &items,
            |b, _| {
                b.iter(|| {
                    round += 1;
                    // Alternate so every round changes the item's decision.
                    let action = if round % 2 == 0 {
                        DecisionAction::Certify
                    } else {
                        DecisionAction::Revoke
                    };
                    let request = DecisionRequest {
                        items: &[i64::from(items / 2 + 1)],
                        action,
                        justification: Some("benchmark"),
                        extras: recert::campaign::EventExtras::default(),
                    };
                    record_decisions(
                        &mut ws.conn,
                        &campaign,
                        &request,
                        &actor,
                        chrono::Utc::now(),
                    )
                    .expect("decide");
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, review, query, decide);
criterion_main!(benches);
