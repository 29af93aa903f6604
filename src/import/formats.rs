//! The registry of file formats recert reads, detected from the header.

use super::batch::Batch;
use super::canonical;
use super::source::{CsvFile, Header};
use super::vendor;
use crate::text::{for_display, shell_word};

/// How sure we are of a vendor header (FORMATS.md's levels): readers match
/// columns by name and accept synonyms, so a guessed header still reads
/// when the real one differs only in spelling or order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// recert's own layout.
    Canonical,
    /// The header word for word from a vendor document or a real file.
    Verified,
    /// The vendor documents the fields; the exact header text is inferred.
    DocFields,
    /// Not documented; the reader follows the closest documented source.
    Unconfirmed,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Canonical => "canonical",
            Confidence::Verified => "verified",
            Confidence::DocFields => "doc-fields",
            Confidence::Unconfirmed => "unconfirmed",
        }
    }
}

/// A readable file layout: how to recognise it and how to read it.
pub struct Format {
    /// The name for `--format` and `recert formats`.
    pub name: &'static str,
    pub title: &'static str,
    /// What the file becomes in the workspace, in a few words.
    pub produces: &'static str,
    /// Where a reviewer gets the file.
    pub source: &'static str,
    pub confidence: Confidence,
    pub detect: fn(&Header) -> bool,
    /// Reads every row into the batch and returns how many data rows the
    /// file had; `date_formats` are extra date layouts.
    pub read: fn(&CsvFile, &mut Batch<'_>, &[String]) -> u64,
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every known format, most specific first: the canonical layouts match
/// loosely, so vendor formats are tried before them. Each vendor detector
/// needs columns no canonical file has, so canonical files are never taken
/// for a vendor export (tests/integration/formats.rs checks both ways).
pub const FORMATS: &[Format] = &[
    vendor::aws::CREDENTIAL_REPORT,
    vendor::entra::USERS,
    vendor::entra_history::ACCESS_REVIEW_HISTORY,
    vendor::okta::PASSWORD_HEALTH,
    vendor::okta::CURRENT_ASSIGNMENTS,
    vendor::github::ENTERPRISE_MEMBERS,
    vendor::github::MEMBERS,
    vendor::azure::ROLE_ASSIGNMENTS,
    vendor::google::USERS,
    canonical::ENTITLEMENTS,
    canonical::SYSTEMS,
    canonical::IDENTITIES,
];

pub fn by_name(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The first format whose detector accepts `header`. A header with an
/// `identity_id` column is recert's own layout whatever else it holds, so no
/// vendor format may take it.
pub fn detect(header: &Header) -> Option<&'static Format> {
    let canonical_only = header.has("identity_id");
    FORMATS
        .iter()
        .filter(|f| !canonical_only || f.confidence == Confidence::Canonical)
        .find(|f| (f.detect)(header))
}

/// Why a vendor export's header is ambiguous: vendor readers find columns
/// ignoring case, spaces and punctuation, so `E-Mail` and `email` would be
/// one column to them. Canonical layouts were checked ignoring case when
/// the file was opened.
pub fn ambiguous_for(format: &Format, header: &Header) -> Option<String> {
    if format.confidence == Confidence::Canonical {
        return None;
    }
    header.ambiguity(
        vendor::fields::normalise,
        &format!(
            "to the {} reader, which ignores case, spaces and punctuation",
            format.name
        ),
    )
}

/// The message for a header no format recognises: what was found, what is
/// known, and how to describe any other layout. Its lines stay apart when
/// printed (`Problem` keeps the line breaks of its message).
pub fn unknown_header_help(file: &str, header: &Header) -> String {
    // Header text is shown on a terminal: no control characters, one line.
    let shown: Vec<String> = header
        .names
        .iter()
        .take(8)
        .map(|name| for_display(name).into_owned())
        .collect();
    let more = if header.len() > 8 { ", …" } else { "" };
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
    let file = shell_word(&for_display(file)).into_owned();
    let lines = [
        format!("the header matches no known format (it has: {}{more}).", shown.join(", ")),
        format!("Known formats: {}.", names.join(", ")),
        "If the file is one of them, force it with --format NAME (`recert formats` describes each).".to_owned(),
        "For any other layout (an HR export, say), describe its columns in a mapping file.".to_owned(),
        "recert writes a starting point from the header, to check and correct:".to_owned(),
        format!("    recert mapping init {file} > mapping.toml"),
        format!("    recert import {file} --mapping {file}=mapping.toml"),
        "A mapping file looks like this (the README's \"Mapping files\" section has the whole format):".to_owned(),
        "    kind = \"identities\"    # identities | entitlements | systems".to_owned(),
        "    [columns]             # canonical field = header in your file".to_owned(),
        format!(
            "    identity_id = \"{}\"",
            shown.first().map_or("employee_id", String::as_str)
        ),
        "    [constants]".to_owned(),
        "    kind = \"human\"".to_owned(),
    ];
    lines.join("\n    ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::problems::Problems;
    use crate::import::vendor::testing::fixture;
    use rstest::rstest;

    fn header_of(name: &str) -> Header {
        let mut problems = Problems::default();
        CsvFile::open(&fixture(name), &mut problems)
            .expect("fixture opens")
            .header
    }

    #[rstest]
    #[case("aws-credential-report.csv", "aws-credential-report")]
    #[case("aws-credential-report-second-account.csv", "aws-credential-report")]
    #[case("entra-users.csv", "entra-users")]
    #[case("entra-users-doc-variant.csv", "entra-users")]
    #[case("entra-access-review-history.csv", "entra-access-review-history")]
    #[case("okta-password-health.csv", "okta-password-health")]
    #[case("okta-current-assignments.csv", "okta-current-assignments")]
    #[case("github-enterprise-members.csv", "github-enterprise-members")]
    #[case("github-members.csv", "github-members")]
    #[case("azure-role-assignments-ps51.csv", "azure-role-assignments")]
    #[case("azure-role-assignments-az.csv", "azure-role-assignments")]
    #[case("google-workspace-users.csv", "google-workspace-users")]
    fn each_fixture_is_detected_as_its_format_and_no_canonical_one(
        #[case] file: &str,
        #[case] format: &str,
    ) {
        let header = header_of(file);
        assert_eq!(detect(&header).map(|f| f.name), Some(format));
        let canonical = [
            canonical::IDENTITIES,
            canonical::ENTITLEMENTS,
            canonical::SYSTEMS,
        ];
        for loose in &canonical {
            assert!(
                !(loose.detect)(&header),
                "{file} would also pass as {}",
                loose.name
            );
        }
    }

    #[rstest]
    #[case::identities("identity_id,display_name,email,kind,status", "identities")]
    #[case::identities_with_vendor_words(
        "identity_id,user,login,arn,role,status,Login",
        "identities"
    )]
    #[case::identities_without_id("display_name,email", "identities")]
    #[case::entitlements("identity_id,system,entitlement,type,privileged", "entitlements")]
    #[case::entitlements_with_scope(
        "identity_id,system,entitlement,scope,RoleDefinitionName",
        "entitlements"
    )]
    #[case::entitlements_with_azure_columns(
        "identity_id,system,entitlement,Scope,RoleDefinitionName,ObjectType",
        "entitlements"
    )]
    #[case::identities_with_aws_columns(
        "identity_id,user,arn,password_enabled,access_key_1_active",
        "identities"
    )]
    #[case::systems("system,owner_id,criticality", "systems")]
    fn canonical_files_stay_canonical(#[case] names: &str, #[case] format: &str) {
        let header = Header::new(names.split(',').map(str::to_owned).collect());
        assert_eq!(detect(&header).map(|f| f.name), Some(format));
    }

    #[rstest]
    #[case("identities.csv", "identities")]
    #[case("entitlements.csv", "entitlements")]
    #[case("systems.csv", "systems")]
    fn the_sample_data_is_detected_as_canonical(#[case] file: &str, #[case] format: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-data")
            .join(file);
        let mut problems = Problems::default();
        let header = CsvFile::open(&path, &mut problems)
            .expect("sample opens")
            .header;
        assert_eq!(detect(&header).map(|f| f.name), Some(format));
    }

    #[test]
    fn the_hr_export_matches_nothing_and_needs_a_mapping() {
        assert!(detect(&header_of("hr-export.csv")).is_none());
    }

    #[test]
    fn names_are_unique_and_lower_case() {
        for (index, format) in FORMATS.iter().enumerate() {
            assert_eq!(format.name, format.name.to_ascii_lowercase());
            assert!(
                FORMATS[..index].iter().all(|f| f.name != format.name),
                "{} twice",
                format.name
            );
        }
    }

    #[test]
    fn the_help_lists_every_format_and_a_mapping_example() {
        let header = Header::new(vec!["Personalnummer".into(), "Name".into()]);
        let help = unknown_header_help("hr export.csv", &header);
        assert!(help.contains("(it has: Personalnummer, Name)"), "{help}");
        assert!(
            help.contains("\n        recert mapping init 'hr export.csv' > mapping.toml\n        recert import 'hr export.csv' --mapping 'hr export.csv'=mapping.toml\n"),
            "{help}"
        );
        for format in FORMATS {
            assert!(help.contains(format.name), "{help}");
        }
        assert!(help.contains("identity_id = \"Personalnummer\""), "{help}");
        assert!(help.contains("--mapping "), "{help}");
    }
}
