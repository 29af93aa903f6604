//! Each vendor reader on its fixture (tests/fixtures/formats): what a reviewer
//! would see in the workspace, and how bad values are refused.

use super::testing::{attributes, grants, identities, import, import_text, snapshots};

#[test]
fn aws_users_become_identities_of_their_account_with_their_active_credentials() {
    let (ws, summary) = import(&["aws-credential-report.csv"]);
    let ids = identities(&ws);
    assert_eq!(
        ids[..4],
        [
            "aws:123456789012:root|root user of 123456789012||shared|active||2026-10-02T08:11:00Z",
            "aws:123456789012:ada.lovelace@northwind.example|ada.lovelace@northwind.example||human|active||2026-11-20T07:58:40Z",
            // `no_information`: the password was never used.
            "aws:123456789012:bo.worker|bo.worker||human|active||",
            // Only an access key: a service user.
            "aws:123456789012:deploy-bot|deploy-bot||service|active||",
        ]
    );
    let all = grants(&ws);
    assert!(all.contains(&"aws:123456789012:root|aws:123456789012|root password|password|1|2019-03-01T09:00:00Z|2026-10-02T08:11:00Z|".to_owned()), "{all:#?}");
    assert!(all.contains(&"aws:123456789012:ada.lovelace@northwind.example|aws:123456789012|access key 1|api_key|0|2026-06-01T10:00:00Z|2026-11-28T09:15:00Z|2026-06-01T10:00:00Z".to_owned()), "{all:#?}");
    assert!(all.contains(&"aws:123456789012:legacy-signer|aws:123456789012|signing certificate 1|certificate|0|2018-04-04T05:00:00Z||2018-04-04T05:00:00Z".to_owned()), "{all:#?}");
    // deploy-bot's second key is inactive (though dated): not access.
    assert_eq!(all.iter().filter(|g| g.contains("deploy-bot")).count(), 1);
    assert_eq!(all.len(), 8);
    assert!(
        attributes(&ws, "identities", "aws:123456789012:bo.worker")
            .contains("\"mfa_active\":\"false\"")
    );
    assert!(
        attributes(&ws, "identities", "aws:123456789012:bo.worker")
            .contains("\"arn\":\"arn:aws:iam::123456789012:user/staff/bo.worker\"")
    );
    assert_eq!(
        snapshots(&ws),
        [
            "aws:123456789012|identities|aws-credential-report|6",
            "aws:123456789012|entitlements|aws-credential-report|8"
        ]
    );
    assert_eq!(summary.orphaned_grants, 0);
    assert!(
        summary.notes[0].contains("2 console users without MFA (bo.worker, zoë+ops=audit)"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn aws_reports_of_two_accounts_sit_side_by_side() {
    let (ws, summary) = import(&[
        "aws-credential-report.csv",
        "aws-credential-report-second-account.csv",
    ]);
    assert_eq!(summary.identities, 8);
    let root_b = grants(&ws)
        .into_iter()
        .filter(|g| g.starts_with("aws:210987654321:root|"))
        .collect::<Vec<_>>();
    // The root user's access key is privileged; its password has no last use.
    assert_eq!(
        root_b,
        [
            "aws:210987654321:root|aws:210987654321|root password|password|1|2023-07-07T07:07:07Z||",
            "aws:210987654321:root|aws:210987654321|access key 1|api_key|1|2023-07-07T08:00:00Z|2024-01-01T00:00:00Z|2023-07-07T08:00:00Z",
        ]
    );
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("account 210987654321")
                && n.contains("the root user has no MFA")
                && n.contains("1 active access key")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn aws_bad_arn_and_boolean_are_named() {
    let text = "user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active\nalice,arn:aws:s3:::bucket,2024-01-01T00:00:00+00:00,true,false,false\nbob,arn:aws:iam::123456789012:user/bob,2024-01-01T00:00:00+00:00,maybe,false,false\n";
    let err = import_text("report.csv", text).err().expect("refused");
    assert!(
        err.contains(
            "report.csv:2: column 2 (arn): found \"arn:aws:s3:::bucket\", expected an IAM ARN"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "report.csv:3: column 4 (password_enabled): found \"maybe\", expected true or false"
        ),
        "{err}"
    );
}

#[test]
fn entra_members_guests_and_disabled_users() {
    let (ws, summary) = import(&["entra-users.csv"]);
    assert_eq!(
        identities(&ws),
        [
            "ada.lovelace@northwind.example|Ada Lovelace|ada.lovelace@northwind.example|human|active||",
            "zoe.muller@northwind.example|Zoë Müller|zoe.muller@northwind.example|human|active||",
            "li.lei@northwind.example|李雷|li.lei@northwind.example|human|disabled||",
            // The guest's own address comes from the #EXT# UPN when mail is empty.
            "jane_partner.example#EXT#@northwind.onmicrosoft.com|Jane Partner|jane@partner.example|external|active||",
        ]
    );
    assert_eq!(
        grants(&ws)[3],
        "jane_partner.example#EXT#@northwind.onmicrosoft.com|entra-id|guest account|account|0|||"
    );
    // The US-locale creation date is kept, normalised; the formula cell as written.
    let zoe = attributes(&ws, "identities", "zoe.muller@northwind.example");
    assert!(
        zoe.contains("\"created\":\"2021-12-01T09:05:00Z\""),
        "{zoe}"
    );
    assert!(zoe.contains("\"job_title\":\"=3+1\""), "{zoe}");
    assert!(
        summary.notes[0].contains("1 guest account, 1 disabled account"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn entra_doc_variant_reads_the_same() {
    let (ws, _) = import(&["entra-users-doc-variant.csv"]);
    assert_eq!(
        identities(&ws)[1],
        "svc-backup@northwind.example|Backup Service||human|disabled||"
    );
    assert!(attributes(&ws, "identities", "bo.worker@northwind.example").contains("\"object_id\":\"0b1c2d3e-0000-4000-8000-000000000005\",\"user_type\":\"Member\",\"job_title\":\"Analyst\",\"office\":\"Room 1\""));
}

#[test]
fn entra_history_is_kept_as_prior_reviews_not_access() {
    let (ws, summary) = import(&["entra-access-review-history.csv"]);
    assert!(summary.snapshots.is_empty());
    assert_eq!(summary.grants, 0);
    let mut statement = ws
        .conn
        .prepare("SELECT principal_key, resource, result, decision, reviewed_at, reviewer FROM prior_reviews ORDER BY id")
        .expect("sql");
    let rows: Vec<String> = statement
        .query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [
            "zoe.muller@northwind.example|github|Approve|certify|2026-05-12T10:30:00Z|ada.lovelace@northwind.example",
            "bo.worker@northwind.example|Finance-Admins|Deny|revoke|2026-05-20T16:00:00Z|ada.lovelace@northwind.example",
            "jane_partner.example#ext#@northwind.onmicrosoft.com|Finance-Readers|Not reviewed|||",
        ]
    );
}

#[test]
fn entra_history_refuses_an_unknown_result() {
    let text = "AccessReviewId,ResourceDisplayName,PrincipalUPN,ReviewResult\nr1,github,a@x.example,Perhaps\n";
    let err = import_text("history.csv", text).err().expect("refused");
    assert!(
        err.contains(
            "history.csv:2: column 4 (ReviewResult): found \"Perhaps\", expected Approve, Deny"
        ),
        "{err}"
    );
}

#[test]
fn okta_users_statuses_nulls_and_password_source() {
    let (ws, _) = import(&["okta-password-health.csv"]);
    assert_eq!(
        identities(&ws),
        [
            "ada.lovelace@northwind.example|Ada Lovelace|ada.lovelace@northwind.example|human|active||2026-11-27T08:00:00Z",
            // `Never` logged in: no date.
            "bo.worker@northwind.example|Bo Worker|bo.worker@northwind.example|human|active||",
            "zoe.muller@northwind.example|Zoë Müller|zoe.muller@northwind.example|human|disabled||2026-03-01T09:00:00Z",
        ]
    );
    let all = grants(&ws);
    assert_eq!(
        all[0],
        "ada.lovelace@northwind.example|okta|Okta password|password|0|2021-05-10T12:00:00Z|2026-11-27T08:00:00Z|2026-08-30T10:00:00Z"
    );
    // Authenticated by Active Directory: the Okta account, not an Okta password.
    assert_eq!(
        all[2],
        "zoe.muller@northwind.example|okta|Okta account|account|0|2021-12-01T09:00:00Z|2026-03-01T09:00:00Z|"
    );
}

#[test]
fn okta_assignments_skip_unassigned_and_keep_the_app_login() {
    let (ws, summary) = import(&["okta-current-assignments.csv"]);
    let all = grants(&ws);
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[0],
        "ada.lovelace@northwind.example|Salesforce Production|assigned|account|0|2022-02-01T10:00:00Z|2026-11-20T10:00:00Z|"
    );
    assert!(
        attributes(&ws, "grants", "ada.lovelace@northwind.example")
            .contains("\"application_login\":\"ada@northwind.example\"")
    );
    assert_eq!(summary.snapshots[0].orphaned, 3);
    assert!(
        summary.notes[0].contains("1 assignment already unassigned"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn github_enterprise_roles_per_org_held_by_the_saml_identity() {
    let (ws, summary) = import(&["github-enterprise-members.csv"]);
    assert_eq!(
        grants(&ws),
        [
            "ada.lovelace@northwind.example|github:northwind|owner|role|1|||",
            "ada.lovelace@northwind.example|github:northwind-labs|member|role|0|||",
            "ada.lovelace@northwind.example|github-enterprise|enterprise owner|role|1|||",
            "zoe.muller@northwind.example|github:northwind|member|role|0|||",
            // No SAML identity or verified e-mail: held by the login.
            "octo-contractor|github:northwind|collaborator on payroll|role|0|||",
        ]
    );
    let zoe = attributes(&ws, "grants", "zoe.muller@northwind.example");
    assert!(
        zoe.contains("\"github_login\":\"zoe-m\"") && zoe.contains("\"two_factor_auth\":\"false\""),
        "{zoe}"
    );
    assert!(
        summary.notes[0].contains("1 row without a GitHub com login"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn github_members_admins_are_privileged_and_suspended_skipped() {
    let (ws, summary) = import(&["github-members.csv"]);
    assert_eq!(
        grants(&ws),
        [
            "ada.lovelace@northwind.example|github|admin|role|1|2020-01-01T10:00:00Z|2026-11-25T10:00:00Z|",
            "bo.worker@northwind.example|github|user|role|0|2021-01-01T10:00:00Z|2025-01-10T08:00:00Z|",
        ]
    );
    assert!(summary.notes[0].contains("1 suspended account not imported"));
}

#[test]
fn azure_powershell_export_with_type_line() {
    let (ws, summary) = import(&["azure-role-assignments-ps51.csv"]);
    let all = grants(&ws);
    let sub = "azure:11111111-2222-3333-4444-555555555555";
    assert_eq!(
        all[0],
        format!("ada.lovelace@northwind.example|{sub}|Owner|role|1|||")
    );
    assert_eq!(
        all[1],
        format!("zoe.muller@northwind.example|{sub}|Reader on resourceGroups/rg-payroll|role|0|||")
    );
    assert_eq!(
        all[2],
        format!(
            "5e5e0000-0000-4000-8000-00000000sp01|{sub}|Contributor on resourceGroups/rg-payroll|role|1|||"
        )
    );
    assert_eq!(
        all[6],
        "5e5e0000-0000-4000-8000-00000000sp01|azure:mg/northwind|Reader|role|0|||"
    );
    assert_eq!(
        identities(&ws)[..3],
        [
            "5e5e0000-0000-4000-8000-00000000sp01|payroll-deployer||service|active||",
            "5e5e0000-0000-4000-8000-00000000mi01|payroll-vm-identity||workload|active||",
            "6f6f0000-0000-4000-8000-0000000000g1|Finance Admins||shared|active||",
        ]
    );
    // Users link elsewhere (Entra, HR); the deleted principal stays orphaned.
    assert_eq!(summary.orphaned_grants, 3);
    assert!(
        summary.notes[0].contains("1 assignment to a deleted or unreadable principal"),
        "{:?}",
        summary.notes
    );
    assert!(
        attributes(&ws, "grants", "5e5e0000-0000-4000-8000-00000000mi01")
            .contains("\"condition\":\"@Resource")
    );
}

#[test]
fn azure_cli_fields_read_as_the_same_layout() {
    let (ws, _) = import(&["azure-role-assignments-az.csv"]);
    assert_eq!(
        grants(&ws),
        [
            "li.lei@northwind.example|azure:99999999-8888-7777-6666-555555555555|Contributor on resourceGroups/rg-data|role|1|2026-11-20T09:00:00Z||",
            "7a7a0000-0000-4000-8000-000000000001|azure:99999999-8888-7777-6666-555555555555|Storage Blob Data Contributor|role|0|2024-01-05T09:00:00Z||",
        ]
    );
}

#[test]
fn google_users_managers_suspension_and_never_signed_in() {
    let (ws, summary) = import(&["google-workspace-users.csv"]);
    assert_eq!(
        identities(&ws),
        [
            "ada.lovelace@northwind.example|Ada Lovelace|ada.lovelace@northwind.example|human|active||2026-11-27T08:15:00Z",
            "zoe.muller@northwind.example|Zoë Müller|zoe.muller@northwind.example|human|active|ada.lovelace@northwind.example|2026-06-01T12:00:00Z",
            "bo.worker@northwind.example|Bo Worker|bo.worker@northwind.example|human|disabled|zoe.muller@northwind.example|",
        ]
    );
    assert_eq!(
        grants(&ws)[2],
        "bo.worker@northwind.example|google-workspace|user account|account|0|||"
    );
    let bo = attributes(&ws, "identities", "bo.worker@northwind.example");
    assert!(
        bo.contains("\"2sv_enrolled\":\"False\"")
            && bo.contains("\"last_sign_in\":\"never\"")
            && bo.contains("\"employee_id\":\"0077\""),
        "{bo}"
    );
    assert!(!bo.contains("****"), "the password column is never kept");
    assert!(
        summary.notes[0]
            .contains("1 user never signed in; 1 active user without 2-step verification"),
        "{:?}",
        summary.notes
    );
}

#[test]
fn grants_link_to_directory_identities_across_files_ignoring_case() {
    let (_, summary) = import(&[
        "google-workspace-users.csv",
        "okta-current-assignments.csv",
        "github-enterprise-members.csv",
    ]);
    let okta = summary
        .snapshots
        .iter()
        .find(|s| s.file.ends_with("okta-current-assignments.csv"))
        .expect("okta");
    // Bo.Worker@Northwind.example matches; the contractor does not.
    assert_eq!(okta.orphaned, 1);
    let github = summary
        .snapshots
        .iter()
        .find(|s| s.file.ends_with("github-enterprise-members.csv"))
        .expect("github");
    assert_eq!(github.orphaned, 1);
}

/// Values outside each source's vocabulary are refused at their cell.
#[test]
fn unknown_vendor_values_are_named_at_their_cell() {
    let cases = [
        (
            "entra.csv",
            "userPrincipalName,userType,accountEnabled\na@x.example,Partner,True\n",
            "entra.csv:2: column 2 (userType): found \"Partner\", expected Member or Guest",
        ),
        (
            "okta.csv",
            "User,Login,Status,Last Login,Last Password Change\nA,a@x.example,RETIRED,Never,\n",
            "okta.csv:2: column 3 (Status): found \"RETIRED\", expected an Okta status",
        ),
        (
            "google.csv",
            "First Name [Required],Email Address [Required],Status [READ ONLY],Last Sign In [READ ONLY]\nA,a@x.example,Frozen,Never logged in\n",
            "google.csv:2: column 3 (Status [READ ONLY]): found \"Frozen\", expected Active, Suspended or Archived",
        ),
        (
            "azure.csv",
            "\"Scope\",\"RoleDefinitionName\",\"ObjectId\",\"ObjectType\",\"SignInName\"\n\"subscriptionz/1\",\"Owner\",\"o1\",\"User\",\"a@x.example\"\n",
            "azure.csv:2: column 1 (Scope): found \"subscriptionz/1\", expected an Azure scope",
        ),
        (
            "google-dates.csv",
            "Email Address [Required],Last Sign In [READ ONLY]\na@x.example,19/08/2021 13:25:31\n",
            "google-dates.csv:2: column 2 (Last Sign In [READ ONLY]): found \"19/08/2021 13:25:31\", expected a date such as",
        ),
    ];
    for (name, text, expected) in cases {
        let err = import_text(name, text)
            .err()
            .unwrap_or_else(|| panic!("{name} accepted"));
        assert!(err.contains(expected), "{name}: {err}");
    }
}
