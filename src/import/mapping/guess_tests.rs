//! `recert mapping init`: guesses that import the HR fixture, and what is
//! left for the reviewer to decide.

use super::*;
use crate::import::ImportOptions;
use crate::import::mapping::Mapping;
use crate::import::vendor::testing::{fixture, identities, import_paths};

fn open(bytes: &[u8]) -> (tempfile::TempDir, CsvFile) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("export.csv");
    std::fs::write(&path, bytes).expect("write");
    let mut problems = Problems::default();
    let file = CsvFile::open(&path, &mut problems).expect("opens");
    (dir, file)
}

fn guessed(bytes: &[u8], kind: Option<&str>) -> String {
    let (_dir, file) = open(bytes);
    mapping_for(&file, kind).expect("guessed")
}

#[test]
fn the_generated_mapping_imports_the_hr_fixture_as_the_hand_written_one_does() {
    let mut problems = Problems::default();
    let file = CsvFile::open(&fixture("hr-export.csv"), &mut problems).expect("opens");
    let text = mapping_for(&file, None).expect("guessed");
    for line in [
        "kind = \"identities\"",
        "identity_id = \"Personnel No\"",
        "display_name = \"Full Name\"",
        "email = \"E-Mail\"",
        "department = \"Org Unit\"",
        "status = \"Employment Status\"",
        "manager_id = \"Line Manager No\"",
        "termination_date = \"Exit Date\"",
        "# Not mapped, kept as attributes of each row: \"Cost Centre\"",
        "\"Active\" = \"active\"",
        "\"Leaver\" = \"terminated\"",
        "\"On Leave\" = \"active\"",
        "formats = [\"%m/%d/%Y\"]",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "{line} in\n{text}"
        );
    }
    let import = |mapping: Mapping| {
        let options = ImportOptions {
            mapping: Some(mapping),
            ..ImportOptions::default()
        };
        let (ws, _) = import_paths(&[fixture("hr-export.csv")], &options).expect("imports");
        let attributes: Vec<String> = ws
            .conn
            .prepare(
                "SELECT termination_date || '|' || attributes FROM identities ORDER BY identity_id",
            )
            .expect("select")
            .query_map([], |r| r.get::<_, Option<String>>(0))
            .expect("rows")
            .map(|r| r.expect("row").unwrap_or_default())
            .collect();
        (identities(&ws), attributes)
    };
    let generated = Mapping::parse("generated.toml", &text).expect("valid mapping");
    let written = Mapping::load(&fixture("hr-mapping.toml")).expect("valid mapping");
    assert_eq!(import(generated), import(written));
}

#[test]
fn unknown_status_words_and_unguessed_required_columns_stay_commented() {
    let text = guessed(
        b"Name,Status\nAnn,Active\nBo,Inactive\nCy,Gone fishing\n",
        None,
    );
    assert!(
        text.contains("# identity_id = \"\"    # REQUIRED and not guessed"),
        "{text}"
    );
    assert!(text.contains("\n\"Active\" = \"active\"\n"), "{text}");
    assert!(
        text.contains(
            "\n# \"Inactive\" = \"\"    # not guessed: one of active, disabled, terminated\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n# \"Gone fishing\" = \"\"    # not guessed"),
        "{text}"
    );
    // As written it parses, and the import then refuses what was not guessed.
    assert!(Mapping::parse("m.toml", &text).is_ok(), "{text}");
}

#[test]
fn ambiguous_dates_are_left_to_the_reviewer() {
    let text = guessed(b"Employee ID,Exit Date\nE1,03/04/2026\nE2,\n", None);
    assert!(
        text.contains("day and month cannot be told apart"),
        "{text}"
    );
    assert!(text.contains("formats = []"), "{text}");
    let text = guessed(b"Employee ID,Exit Date\nE1,31.03.2026\n", None);
    assert!(text.contains("formats = [\"%d.%m.%Y\"]"), "{text}");
}

#[test]
fn the_kind_is_guessed_from_the_header_or_given() {
    let grants = guessed(
        b"User Name,Application,Role,Admin\nann,payroll,viewer,No\nbo,payroll,admin,Yes\n",
        None,
    );
    for line in [
        "kind = \"entitlements\"",
        "identity_id = \"User Name\"",
        "system = \"Application\"",
        "entitlement = \"Role\"",
        "privileged = \"Admin\"",
        "\"No\" = \"false\"",
    ] {
        assert!(
            grants.lines().any(|l| l.starts_with(line)),
            "{line} in\n{grants}"
        );
    }
    let systems = guessed(b"Application,System Owner,Tier\npayroll,E1,Tier 0\n", None);
    assert!(systems.contains("kind = \"systems\""), "{systems}");
    assert!(
        systems.contains("\n\"Tier 0\" = \"critical\"\n"),
        "{systems}"
    );
    let forced = guessed(
        b"Application,System Owner\npayroll,E1\n",
        Some("entitlements"),
    );
    assert!(forced.contains("kind = \"entitlements\""), "{forced}");
    assert!(
        forced.contains("# entitlement = \"\"    # REQUIRED"),
        "{forced}"
    );
    let (_dir, file) = open(b"a,b\n1,2\n");
    assert!(mapping_for(&file, Some("users")).is_err());
}

#[test]
fn a_manager_column_is_found_by_its_role_and_never_by_a_name() {
    let text = guessed(
        b"Staff Number,Manager Name,Manager Staff Number\nE1,Ann,E0\n",
        None,
    );
    assert!(
        text.contains("manager_id = \"Manager Staff Number\""),
        "{text}"
    );
}

#[test]
fn hostile_header_names_and_values_cannot_break_the_toml() {
    let text = guessed(
        b"\"Employee\nID\",\"Status\"\"\\\"\nE1,\"x\x1b]0;\"\"\n\"\n",
        None,
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    Mapping::parse("m.toml", &text).expect("still a valid mapping");
}
