//! Mapping files: the HR fixture end to end, and every mistake named at its line.

use super::*;
use crate::import::ImportOptions;
use crate::import::vendor::testing::{fixture, identities, import_paths};
use rstest::rstest;

use crate::import::ImportSummary;
use crate::workspace::Workspace;

/// Imports the HR fixture export through `mapping`.
fn import_hr_export(mapping: Mapping) -> Result<(Workspace, ImportSummary), String> {
    let options = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    import_paths(&[fixture("hr-export.csv")], &options)
}

#[test]
fn the_hr_fixture_maps_columns_constants_values_and_dates() {
    let mapping = Mapping::load(&fixture("hr-mapping.toml")).expect("valid mapping");
    let (ws, summary) = import_hr_export(mapping).expect("imports");
    assert_eq!(
        identities(&ws),
        [
            "0001|Ada Lovelace|ada.lovelace@northwind.example|human|active||",
            "0042|Zoë Müller|zoe.muller@northwind.example|human|active|0001|",
            "0077|Bo Worker|bo.worker@northwind.example|human|terminated|0042|",
            "0101|Li Lei|li.lei@northwind.example|human|active|0001|",
        ]
    );
    let exit: String = ws
        .conn
        .query_row(
            "SELECT termination_date FROM identities WHERE identity_id = '0077'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(exit, "2026-10-31");
    // Unmapped columns stay attributes under their own names.
    let attributes: String = ws
        .conn
        .query_row(
            "SELECT attributes FROM identities WHERE identity_id = '0001'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(attributes, "{\"Cost Centre\":\"100\"}");
    assert_eq!(summary.warnings, Vec::<String>::new());
}

#[rstest]
#[case::syntax(
    "kind = \"identities\"\n[columns]\nidentity_id = employee_id\n",
    3,
    "string values must be quoted"
)]
#[case::unknown_kind(
    "# HR\nkind = \"users\"\n",
    2,
    "kind \"users\" is not one recert reads"
)]
#[case::unknown_field(
    "kind = \"identities\"\n[columns]\nidentity_id = \"a\"\nfull_name = \"b\"\n",
    4,
    "\"full_name\" under [columns] is not a field of identities; expected one of identity_id, display_name"
)]
#[case::bad_constant(
    "kind = \"identities\"\n[constants]\n\nkind = \"robot\"\n",
    4,
    "\"robot\" is not a kind; expected one of human, service"
)]
#[case::bad_value(
    "kind = \"identities\"\n[values.status]\n\"Active\" = \"active\"\n\"Leaver\" = \"gone\"\n",
    4,
    "\"gone\" is not a status"
)]
#[case::bad_date_layout(
    "kind = \"identities\"\n[dates]\nformats = [\"%Q\"]\n",
    3,
    "is not a date layout"
)]
#[case::both(
    "kind = \"identities\"\n[columns]\nkind = \"Type\"\n[constants]\nkind = \"human\"\n",
    5,
    "both under [columns] and [constants]"
)]
#[case::unknown_table(
    "kind = \"identities\"\n[colums]\nidentity_id = \"a\"\n",
    2,
    "unknown field `colums`"
)]
#[case::missing_kind("[columns]\nidentity_id = \"a\"\n", 1, "missing field `kind`")]
#[case::separator_in_a_constant(
    "kind = \"entitlements\"\n[columns]\nidentity_id = \"a\"\nentitlement = \"b\"\n[constants]\nsystem = \"pay\\u001Froll\"\n",
    6,
    "holds the control character U+001F"
)]
#[case::separator_in_a_translation(
    "kind = \"identities\"\n[values.department]\n\"Fin\" = \"Fin\\u001Fance\"\n",
    3,
    "holds the control character U+001F"
)]
fn bad_mappings_name_their_line(#[case] text: &str, #[case] line: usize, #[case] message: &str) {
    let err = Mapping::parse("hr.toml", text).expect_err("refused");
    assert_eq!(err.line, line, "{err}");
    assert!(
        err.to_string().starts_with(&format!("hr.toml:{line}: ")),
        "{err}"
    );
    assert!(err.message.contains(message), "{err}");
}

#[test]
fn a_mapped_column_the_file_lacks_names_the_mapping_line() {
    let mapping = Mapping::parse(
        "hr.toml",
        "kind = \"identities\"\n[columns]\nidentity_id = \"Personnel Number\"\n",
    )
    .expect("valid");
    let err = import_hr_export(mapping).err().expect("refused");
    assert!(
        err.contains("hr-export.csv:1: has no column \"Personnel Number\", which hr.toml:3 maps to identity_id; the header has: Personnel No, Full Name"),
        "{err}"
    );
}

#[test]
fn a_required_field_neither_mapped_nor_present_is_named() {
    let mapping = Mapping::parse("sys.toml", "kind = \"entitlements\"\n[columns]\nidentity_id = \"Personnel No\"\n[constants]\nsystem = \"payroll\"\n").expect("valid");
    let err = import_hr_export(mapping).err().expect("refused");
    assert!(err.contains("has no entitlement column and sys.toml maps none: add entitlement = \"<header in the file>\" under [columns]"), "{err}");
}

#[test]
fn a_value_outside_the_translation_is_reported_at_its_cell() {
    let mapping = Mapping::parse(
        "hr.toml",
        "kind = \"identities\"\n[columns]\nidentity_id = \"Personnel No\"\nstatus = \"Employment Status\"\n[values.status]\n\"Active\" = \"active\"\n",
    )
    .expect("valid");
    let err = import_hr_export(mapping).err().expect("refused");
    assert!(err.contains("hr-export.csv:4: column 5 (Employment Status): found \"Leaver\", expected one of active, disabled, terminated"), "{err}");
}

#[test]
fn a_value_translated_to_empty_is_read_as_unknown() {
    let mapping = Mapping::parse(
        "hr.toml",
        "kind = \"identities\"\n[columns]\nidentity_id = \"Personnel No\"\nstatus = \"Employment Status\"\n[values.status]\n\"Active\" = \"active\"\n\"On Leave\" = \"\"\n\"Leaver\" = \"terminated\"\n",
    )
    .expect("valid");
    let (ws, _) = import_hr_export(mapping).expect("imports");
    // Unknown status falls back to the default, active.
    assert_eq!(identities(&ws)[3], "0101|||human|active||");
}
