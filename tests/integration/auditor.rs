//! For the auditor (issue #16, PRODUCT.md §10) through the real binary: a
//! reproducible sample that `scripts/sample.py` re-derives from the
//! evidence alone, the evidence pack, and the report's sections.

use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;

use crate::support::{Scratch, sample};

/// The Northwind sample data in campaign `name`, every item decided as
/// recommended by registered reviewer CISO, signed off.
pub fn signed_off(scratch: &Scratch, name: &str) {
    if !scratch.workspace().exists() {
        scratch.import(&[
            sample("identities.csv"),
            sample("entitlements.csv"),
            sample("systems.csv"),
        ]);
        scratch.known_reviewers(&["CISO"]);
    }
    scratch.campaign(
        name,
        &["--default-reviewer", "iam-team", "--baseline", "none"],
    );
    let ids = scratch.undecided_ids(name);
    scratch
        .recert()
        .args([
            "decide",
            name,
            "--accept",
            "--justification",
            "checked as recommended",
        ])
        .args(["--reviewer", "CISO"])
        .args(&ids)
        .assert()
        .success();
    scratch
        .recert()
        .args(["signoff", name, "--reviewer", "CISO"])
        .assert()
        .success();
}

pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

fn python(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new("python3")
        .args(args)
        .output()
        .expect("python3")
}

fn path(scratch: &Scratch, name: &str) -> PathBuf {
    scratch.dir.path().join(name)
}

/// `(stratum, item_id, rank_hash)` of each row of a sample addendum.
fn picked(file: &Path) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_path(file).expect("sample");
    let header = reader.headers().expect("header").clone();
    let item = header.iter().position(|c| c == "item_id").expect("item_id");
    reader
        .records()
        .map(|row| {
            let row = row.expect("row");
            (row[1].to_owned(), row[item].to_owned(), row[2].to_owned())
        })
        .collect()
}

/// A column of every row of a CSV file.
fn column(file: &Path, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(file).expect("csv");
    let at = reader
        .headers()
        .expect("header")
        .iter()
        .position(|c| c == name)
        .expect("column");
    reader
        .records()
        .map(|row| row.expect("row")[at].to_owned())
        .collect()
}

fn export(scratch: &Scratch, campaign: &str, file: &Path) {
    scratch
        .recert()
        .args(["export", campaign, "-o"])
        .arg(file)
        .assert()
        .success();
}

fn sample_to(scratch: &Scratch, campaign: &str, file: &Path, extra: &[&str]) {
    scratch
        .recert()
        .args(["sample", campaign, "-o"])
        .arg(file)
        .args(extra)
        .assert()
        .success()
        .stdout(predicate::str::contains("first prev_hash"));
}

#[test]
fn a_sample_is_reproducible_stratified_and_rederived_by_the_script() {
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let evidence = path(&scratch, "evidence.csv");
    export(&scratch, "Q4", &evidence);
    let (a, b) = (path(&scratch, "a.csv"), path(&scratch, "b.csv"));
    sample_to(&scratch, "Q4", &a, &["--size", "12", "--per", "control"]);
    sample_to(&scratch, "Q4", &b, &["--size", "12", "--per", "control"]);
    // Same seed (the evidence's last row_hash), same sample, byte for byte.
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    let rows = picked(&a);
    assert_eq!(rows.len(), 12);
    // 77, 47, 1303 and 48 items: one each, then 8 in proportion -> 2, 1, 8, 1.
    let per_stratum = |name: &str| rows.iter().filter(|r| r.0 == name).count();
    assert_eq!(
        [
            per_stratum("control:5.16"),
            per_stratum("control:5.17"),
            per_stratum("control:5.18"),
            per_stratum("control:8.2")
        ],
        [2, 1, 8, 1]
    );
    // Every row's seed is the evidence's last row_hash, and the stratum its control.
    let last = column(&evidence, "row_hash").pop().expect("rows");
    assert!(column(&a, "seed").iter().all(|seed| *seed == last));
    for (stratum, control) in column(&a, "stratum").iter().zip(column(&a, "control_id")) {
        assert_eq!(*stratum, format!("control:{control}"));
    }
    // The script agrees, from the evidence file alone, both ways.
    let check = python(&[
        script("sample.py").as_os_str(),
        evidence.as_os_str(),
        "--check".as_ref(),
        a.as_os_str(),
    ]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("sample agrees: 12 items"));
    let listed = python(&[
        script("sample.py").as_os_str(),
        evidence.as_os_str(),
        "--size".as_ref(),
        "12".as_ref(),
        "--per".as_ref(),
        "control".as_ref(),
    ]);
    let from_script: Vec<(String, String, String)> = String::from_utf8(listed.stdout)
        .expect("utf-8")
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[0].to_owned(),
                cells[1].to_owned(),
                cells[2].to_owned(),
            )
        })
        .collect();
    assert_eq!(from_script, rows);
    // The addendum is chained after the evidence: recert and the chain script say so.
    scratch
        .recert()
        .arg("verify")
        .arg(&a)
        .arg("--evidence")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "intact: sample addendum, 12 rows of campaign 1",
        ))
        .stdout(predicate::str::contains("it continues"));
    let chain = python(&[script("verify-chain.py").as_os_str(), a.as_os_str()]);
    assert!(
        String::from_utf8_lossy(&chain.stdout)
            .starts_with(&format!("chain intact: 12 rows, first prev_hash {last}")),
        "{}",
        String::from_utf8_lossy(&chain.stderr)
    );
    // A changed cell: the script and recert both notice.
    let text = std::fs::read_to_string(&a).expect("a");
    let tampered = path(&scratch, "tampered.csv");
    std::fs::write(
        &tampered,
        text.replacen("checked as recommended", "checked", 1),
    )
    .expect("w");
    let check = python(&[
        script("sample.py").as_os_str(),
        evidence.as_os_str(),
        "--check".as_ref(),
        tampered.as_os_str(),
    ]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stderr).contains("does NOT agree"));
    scratch
        .recert()
        .arg("verify")
        .arg(&tampered)
        .assert()
        .failure();
}

#[test]
fn seeds_strata_by_signal_and_other_campaigns_give_other_samples() {
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    signed_off(&scratch, "Q1");
    let grants = |file: &Path| -> Vec<String> {
        let (s, e, i) = (
            column(file, "system"),
            column(file, "entitlement"),
            column(file, "identity_id"),
        );
        s.iter()
            .zip(e)
            .zip(i)
            .map(|((s, e), i)| format!("{i} {s}:{e}"))
            .collect()
    };
    let (q4, q1) = (path(&scratch, "q4.csv"), path(&scratch, "q1.csv"));
    sample_to(&scratch, "Q4", &q4, &["--size", "20"]);
    sample_to(&scratch, "Q1", &q1, &["--size", "20"]);
    // Same grants, other evidence, other last row_hash: other grants picked.
    assert_ne!(grants(&q4), grants(&q1));
    // A seed given by hand is used as given, and changes the sample.
    let seeded = path(&scratch, "seeded.csv");
    sample_to(
        &scratch,
        "Q4",
        &seeded,
        &["--size", "20", "--seed", "audit 2026"],
    );
    assert!(column(&seeded, "seed").iter().all(|s| s == "audit 2026"));
    assert_ne!(grants(&seeded), grants(&q4));
    // Per signal: the stratum is each item's first signal, or none.
    let by_signal = path(&scratch, "signal.csv");
    sample_to(
        &scratch,
        "Q4",
        &by_signal,
        &["--size", "30", "--per", "signal"],
    );
    let strata = column(&by_signal, "stratum");
    for (stratum, signals) in strata.iter().zip(column(&by_signal, "signals")) {
        let first = signals
            .split(';')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("none");
        assert_eq!(*stratum, format!("signal:{first}"));
    }
    assert!(strata.iter().any(|s| s == "signal:none"));
    assert!(strata.iter().any(|s| s == "signal:orphaned"));
    let evidence = path(&scratch, "evidence.csv");
    export(&scratch, "Q4", &evidence);
    let check = python(&[
        script("sample.py").as_os_str(),
        evidence.as_os_str(),
        "--check".as_ref(),
        by_signal.as_os_str(),
    ]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Without -o: a listing, the strata with what each gave.
    scratch
        .recert()
        .args(["sample", "Q4", "--size", "4", "--per", "control"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "4 items of campaign 1 (Q4) in 4 strata",
        ))
        .stdout(predicate::str::contains("control:5.18: 1 of 1303"));
}

#[test]
fn sampling_is_refused_for_an_open_campaign_a_zero_size_or_a_formula_seed() {
    let scratch = Scratch::new();
    scratch.import(&[
        sample("identities.csv"),
        sample("entitlements.csv"),
        sample("systems.csv"),
    ]);
    scratch.campaign("Open", &["--default-reviewer", "iam-team"]);
    let out = path(&scratch, "s.csv");
    scratch
        .recert()
        .args(["sample", "Open", "--size", "5", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not signed off"))
        .stderr(predicate::str::contains("recert signoff 1"));
    assert!(!out.exists());
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    for (args, says) in [
        (["--size", "0", "--seed", "x"], "at least 1"),
        (["--size", "5", "--seed", "=HYPERLINK(1)"], "formula"),
    ] {
        scratch
            .recert()
            .args(["sample", "Q4", "-o"])
            .arg(&out)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
        assert!(!out.exists());
    }
}

#[test]
fn the_report_opens_with_every_certified_item_kept_despite_a_risk_signal() {
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let evidence = path(&scratch, "evidence.csv");
    export(&scratch, "Q4", &evidence);
    let report = path(&scratch, "report.html");
    scratch
        .recert()
        .args(["report", "Q4", "-o"])
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(&report).expect("report");
    let first = page.find("<h2").expect("sections");
    assert!(page[first..].starts_with("<h2 id=\"kept\">Kept despite a risk signal</h2>"));
    // Counted from the evidence alone: certified rows per risk signal.
    let mut per_signal = std::collections::BTreeMap::<String, usize>::new();
    for (decision, signals) in column(&evidence, "decision")
        .iter()
        .zip(column(&evidence, "signals"))
    {
        if decision == "certify" {
            for signal in signals.split(';').filter(|s| !s.is_empty() && *s != "new") {
                *per_signal.entry(signal.to_owned()).or_default() += 1;
            }
        }
    }
    assert!(!per_signal.is_empty());
    for (signal, n) in &per_signal {
        assert!(
            page.contains(&format!("<h3>{signal} ({n})</h3>")),
            "{signal} {n}"
        );
    }
    assert!(page.contains("checked as recommended"));
    for section in [
        "Time-boxed certifications",
        "<h2>Remediation</h2>",
        "<h2>Reviewers</h2>",
        "Median seconds per decision",
    ] {
        assert!(page.contains(section), "{section}");
    }
}

/// The first browser of these on the PATH, if any.
fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success())
        })
}

/// The report in a real browser, where the machine has one (CI installs
/// chromium): the page the browser builds keeps the exceptions first and
/// every section in order, and it prints to A4 pages.
#[test]
fn a_headless_browser_shows_the_report_in_order_and_prints_it_on_a4() {
    let Some(browser) = browser() else {
        eprintln!("skipped: no chromium on this machine (the HTML is parsed by the test above)");
        return;
    };
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let report = path(&scratch, "report.html");
    scratch
        .recert()
        .args(["report", "Q4", "-o"])
        .arg(&report)
        .assert()
        .success();
    let url = format!("file://{}", report.display());
    // --no-sandbox: CI runs as root, where chromium's sandbox refuses to
    // start; containers often have a tiny /dev/shm.
    let headless = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ];
    let dom = Command::new(browser)
        .args(headless)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run the browser");
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let mut at = 0;
    for heading in [
        "Kept despite a risk signal",
        "Time-boxed certifications",
        "Remediation",
        "Reviewers",
    ] {
        let found = dom[at..]
            .find(heading)
            .unwrap_or_else(|| panic!("{heading} missing or out of order in the browser's page"));
        at += found;
    }
    let pdf = path(&scratch, "report.pdf");
    let printed = Command::new(browser)
        .args(headless)
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(&url)
        .output()
        .expect("print with the browser");
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let pdf = std::fs::read(&pdf).expect("the PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&pdf);
    // A4 is 595 x 842 points; chromium writes the media box with decimals.
    assert!(
        text.contains("/MediaBox [0 0 594.95996 841.91998]")
            || text.contains("/MediaBox [0 0 595 842]"),
        "not A4: {}",
        text.lines()
            .find(|l| l.contains("MediaBox"))
            .unwrap_or("no media box")
    );
}
