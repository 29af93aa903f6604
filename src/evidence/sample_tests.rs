use rstest::rstest;

use super::*;

/// Format-2 evidence with one row per (item_id, control, signals); the
/// hash cells are not checked by sampling, only the last one is read.
fn evidence(rows: &[(u32, &str, &str)]) -> String {
    let format = EvidenceFormat::Two;
    let mut out = format.columns().join(",") + "\n";
    for (n, (item, control, signals)) in rows.iter().enumerate() {
        let cells: Vec<String> = format
            .columns()
            .iter()
            .map(|column| match *column {
                "item_id" => item.to_string(),
                "control_id" => (*control).to_owned(),
                "signals" => (*signals).to_owned(),
                "row_hash" => format!("{n:064}"),
                _ => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn ids(sample: &Sample) -> Vec<&str> {
    sample.picked.iter().map(|p| p.item_id.as_str()).collect()
}

#[test]
fn the_rank_is_the_sha256_of_seed_then_item_id() {
    // sha256("abc") as every reference lists it: seed "ab", item "c".
    assert_eq!(
        rank("ab", "c"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[rstest]
#[case::everything_when_size_reaches_the_total(&[3, 2], 9, &[3, 2])]
#[case::one_each_then_proportional(&[10, 1, 5], 6, &[3, 1, 2])]
#[case::largest_remainder_earlier_first_on_ties(&[3, 3], 3, &[2, 1])]
#[case::fewer_seats_than_strata(&[1, 1, 8], 2, &[0, 0, 2])]
#[case::one_stratum(&[100], 7, &[7])]
#[case::proportional_to_what_is_left(&[2, 50, 2], 10, &[1, 8, 1])]
#[case::never_more_than_a_stratum_has(&[2, 50, 2], 52, &[2, 48, 2])]
fn allocation_splits_the_size(#[case] sizes: &[u64], #[case] size: u64, #[case] want: &[u64]) {
    let got = allocate(sizes, size);
    assert_eq!(got, want);
    assert_eq!(got.iter().sum::<u64>(), size.min(sizes.iter().sum()));
    assert!(got.iter().zip(sizes).all(|(g, s)| g <= s));
}

#[test]
fn the_same_seed_gives_the_same_sample_and_another_seed_another() {
    let rows: Vec<(u32, &str, &str)> = (1..=200).map(|i| (i, "5.18", "")).collect();
    let file = evidence(&rows);
    let a = derive(file.as_bytes(), "seed-a", 10, None).expect("a");
    let again = derive(file.as_bytes(), "seed-a", 10, None).expect("again");
    let b = derive(file.as_bytes(), "seed-b", 10, None).expect("b");
    assert_eq!(a, again);
    assert_eq!(a.picked.len(), 10);
    assert_ne!(ids(&a), ids(&b));
    // Ranked: the picked are the 10 lowest ranks of all 200, in rank order.
    let mut all: Vec<String> = (1..=200).map(|i| rank("seed-a", &i.to_string())).collect();
    all.sort();
    let got: Vec<&str> = a.picked.iter().map(|p| p.rank_hash.as_str()).collect();
    assert_eq!(
        got,
        all[..10].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(a.last_row_hash, format!("{:064}", 199));
}

#[test]
fn strata_are_per_control_or_per_first_signal_in_order_of_appearance() {
    let mut rows: Vec<(u32, &str, &str)> = Vec::new();
    rows.extend((1..=40).map(|i| (i, "5.16", "orphaned;dormant")));
    rows.extend((41..=42).map(|i| (i, "5.17", "unrotated")));
    rows.extend((43..=100).map(|i| (i, "5.18", "")));
    let file = evidence(&rows);
    let by_control = derive(file.as_bytes(), "s", 10, Some(Per::Control)).expect("control");
    assert_eq!(
        by_control.strata,
        [
            ("control:5.16".to_owned(), 40),
            ("control:5.17".to_owned(), 2),
            ("control:5.18".to_owned(), 58)
        ]
    );
    let counts =
        |sample: &Sample, name: &str| sample.picked.iter().filter(|p| p.stratum == name).count();
    // One each, then 7 in proportion to 39, 1 and 57: 2.8, 0.07, 4.1 -> 3, 0, 4.
    assert_eq!(counts(&by_control, "control:5.16"), 4);
    assert_eq!(counts(&by_control, "control:5.17"), 1);
    assert_eq!(counts(&by_control, "control:5.18"), 5);
    let by_signal = derive(file.as_bytes(), "s", 10, Some(Per::Signal)).expect("signal");
    let names: Vec<&str> = by_signal.strata.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["signal:orphaned", "signal:unrotated", "signal:none"]
    );
    // Each picked row carries the evidence's own cells.
    for picked in &by_signal.picked {
        let item: u32 = picked.item_id.parse().expect("id");
        let control = &picked.cells[EvidenceFormat::Two.position(Field::ControlId).expect("at")];
        assert_eq!(control == "5.16", item <= 40);
    }
}

#[rstest]
#[case::empty("")]
#[case::formula("=1+1")]
#[case::minus("-x")]
#[case::control("a\tb")]
fn seeds_a_spreadsheet_would_misread_are_refused(#[case] seed: &str) {
    assert!(check_seed(seed).is_err());
}

#[test]
fn a_hex_row_hash_is_a_good_seed() {
    assert_eq!(check_seed(&"0a".repeat(32)), Ok(()));
}
