//! The AWS IAM credential report: IAM users and their credentials per account.
//!
//! Header VERIFIED (FORMATS.md A1): the AWS IAM User Guide, "Getting credential
//! reports for your AWS account",
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
//! (awsdocs/iam-user-guide `doc_source/id_credentials_getting-report.md`), 22 columns:
//! `user,arn,user_creation_time,password_enabled,password_last_used,
//! password_last_changed,password_next_rotation,mfa_active,access_key_1_active,
//! access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,
//! access_key_1_last_used_service,access_key_2_active,…,cert_1_active,cert_1_last_rotated,
//! cert_2_active,cert_2_last_rotated`.
//! Real reports write lowercase `true`/`false`, `N/A` where there is no such
//! credential, `no_information` for a password never used, `not_supported`
//! on the root row, and no trailing newline.
//!
//! Mapping (README "Real exports"): every row is an identity of its account,
//! `aws:<account>:<user>` (the root row `aws:<account>:root`), in the system
//! and snapshot scope `aws:<account>` taken from the ARN, so reports of several
//! accounts sit side by side. Active credentials become grants: the console
//! password (`password`), access keys (`api_key`) and signing certificates
//! (`certificate`); everything of the root user is privileged.

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::{CsvFile, Header};
use crate::model::{Grant, GrantType, Identity, IdentityKind, When};

use super::fields::{Cells, Layout, count, header_has_all};

pub const CREDENTIAL_REPORT: Format = Format {
    name: "aws-credential-report",
    title: "AWS IAM credential report (aws iam get-credential-report, or IAM console > Credential report)",
    produces: "identities (IAM users, root) + credential grants (password, api_key, certificate) per account",
    source: "aws iam generate-credential-report; aws iam get-credential-report --query Content --output text | base64 -d",
    confidence: Confidence::Verified,
    detect: |h| {
        header_has_all(
            h,
            &["user", "arn", "password_enabled", "access_key_1_active"],
        )
    },
    read,
};

/// What the report writes for "no such value" (FORMATS.md A1).
const NULLS: &[&str] = &["N/A", "no_information", "not_supported"];
const ROOT: &str = "<root_account>";

struct Columns {
    user: Option<usize>,
    arn: Option<usize>,
    created: Option<usize>,
    password_enabled: Option<usize>,
    password_last_used: Option<usize>,
    password_last_changed: Option<usize>,
    password_next_rotation: Option<usize>,
    mfa: Option<usize>,
    keys: [KeyColumns; 2],
    certs: [[Option<usize>; 2]; 2],
}

struct KeyColumns {
    active: Option<usize>,
    rotated: Option<usize>,
    used: Option<usize>,
    region: Option<usize>,
    service: Option<usize>,
}

impl Columns {
    fn of(header: &Header) -> Columns {
        let layout = Layout::of(header);
        let at = |name: &str| layout.find(&[name]);
        let key = |n: u8| KeyColumns {
            active: at(&format!("access_key_{n}_active")),
            rotated: at(&format!("access_key_{n}_last_rotated")),
            used: at(&format!("access_key_{n}_last_used_date")),
            region: at(&format!("access_key_{n}_last_used_region")),
            service: at(&format!("access_key_{n}_last_used_service")),
        };
        let cert = |n: u8| {
            [
                at(&format!("cert_{n}_active")),
                at(&format!("cert_{n}_last_rotated")),
            ]
        };
        Columns {
            user: at("user"),
            arn: at("arn"),
            created: at("user_creation_time"),
            password_enabled: at("password_enabled"),
            password_last_used: at("password_last_used"),
            password_last_changed: at("password_last_changed"),
            password_next_rotation: at("password_next_rotation"),
            mfa: at("mfa_active"),
            keys: [key(1), key(2)],
            certs: [cert(1), cert(2)],
        }
    }
}

/// What the summary says about one account of the file.
#[derive(Default)]
struct AccountNotes {
    account: String,
    users: u64,
    console_without_mfa: Vec<String>,
    root_without_mfa: bool,
    root_keys: usize,
    inactive: u64,
}

fn read(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let columns = Columns::of(&file.header);
    let mut notes: Vec<AccountNotes> = Vec::new();
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(user) = ReportUser::read(&columns, &mut cells) else {
            return;
        };
        batch.identity(row, &user.scope, &user.identity());
        for grant in &user.grants {
            batch.grant(row, &user.scope, grant);
        }
        let index = notes
            .iter()
            .position(|n| n.account == user.account)
            .unwrap_or_else(|| {
                notes.push(AccountNotes {
                    account: user.account.clone(),
                    ..AccountNotes::default()
                });
                notes.len() - 1
            });
        notes[index].add(&user);
    });
    for account in notes {
        batch.note(file, account.describe());
    }
    rows
}

/// One row of the report, read and checked.
struct ReportUser {
    name: String,
    arn: String,
    account: String,
    scope: String,
    identity_id: String,
    root: bool,
    password: bool,
    mfa: bool,
    created: Option<When>,
    password_used: Option<When>,
    grants: Vec<Grant>,
    /// Inactive keys and certificates that still carry dates.
    inactive: u64,
}

impl ReportUser {
    fn read(columns: &Columns, cells: &mut Cells<'_, '_>) -> Option<ReportUser> {
        let Some(name) = cells.raw(columns.user) else {
            cells.bad(columns.user, "", "the IAM user name (or <root_account>)");
            return None;
        };
        let arn = cells.raw(columns.arn).unwrap_or_default();
        let Some(account) = account_of(&arn) else {
            cells.bad(
                columns.arn,
                &arn,
                "an IAM ARN such as arn:aws:iam::123456789012:user/alice",
            );
            return None;
        };
        let root = name == ROOT;
        let scope = format!("aws:{account}");
        let identity_id = if root {
            format!("aws:{account}:root")
        } else {
            format!("aws:{account}:{name}")
        };
        // The root row says `not_supported`: the root user has a password
        // unless centralised root access removed it (then `false`).
        let password = if root {
            !cells.is(columns.password_enabled, "false")
        } else {
            cells.flag(columns.password_enabled).unwrap_or(false)
        };
        let mut user = ReportUser {
            mfa: cells.flag(columns.mfa).unwrap_or(false),
            created: cells.date(columns.created),
            password_used: cells.date(columns.password_last_used),
            name,
            arn,
            account,
            scope,
            identity_id,
            root,
            password,
            grants: Vec::new(),
            inactive: 0,
        };
        user.read_credentials(columns, cells);
        Some(user)
    }

    fn read_credentials(&mut self, columns: &Columns, cells: &mut Cells<'_, '_>) {
        let changed = cells.date(columns.password_last_changed);
        if self.password {
            let entitlement = if self.root {
                "root password"
            } else {
                "console password"
            };
            let mut grant = self.credential(entitlement, GrantType::Password);
            grant.granted_at = changed.or(self.created);
            grant.last_used_at = self.password_used;
            grant.last_rotated_at = changed;
            grant.attributes = vec![("mfa_active".into(), self.mfa.to_string())];
            grant.attributes.extend(
                cells.attributes(&[("password_next_rotation", columns.password_next_rotation)]),
            );
            self.grants.push(grant);
        }
        for (index, key) in columns.keys.iter().enumerate() {
            let active = cells.flag(key.active).unwrap_or(false);
            let rotated = cells.date(key.rotated);
            let last_used = cells.date(key.used);
            if !active {
                // Inactive keys keep their dates in real reports; they cannot
                // be used, so they are not access to review.
                self.inactive += u64::from(rotated.is_some());
                continue;
            }
            let mut grant =
                self.credential(&format!("access key {}", index + 1), GrantType::ApiKey);
            grant.granted_at = rotated;
            grant.last_rotated_at = rotated;
            grant.last_used_at = last_used;
            grant.attributes = cells.attributes(&[
                ("last_used_region", key.region),
                ("last_used_service", key.service),
            ]);
            self.grants.push(grant);
        }
        for (index, [active, rotated]) in columns.certs.iter().enumerate() {
            let is_active = cells.flag(*active).unwrap_or(false);
            let rotated = cells.date(*rotated);
            if !is_active {
                self.inactive += u64::from(rotated.is_some());
                continue;
            }
            let mut grant = self.credential(
                &format!("signing certificate {}", index + 1),
                GrantType::Certificate,
            );
            grant.granted_at = rotated;
            grant.last_rotated_at = rotated;
            self.grants.push(grant);
        }
    }

    /// A credential of this user; everything of the root user is privileged.
    fn credential(&self, entitlement: &str, grant_type: GrantType) -> Grant {
        Grant {
            grant_type,
            privileged: self.root,
            ..Grant::new(self.identity_id.clone(), self.scope.clone(), entitlement)
        }
    }

    fn identity(&self) -> Identity {
        let has_keys = self
            .grants
            .iter()
            .any(|g| g.grant_type != GrantType::Password);
        let mut attributes = vec![
            ("aws_account".to_owned(), self.account.clone()),
            ("arn".to_owned(), self.arn.clone()),
            ("user".to_owned(), self.name.clone()),
            ("mfa_active".to_owned(), self.mfa.to_string()),
            ("console_password".to_owned(), self.password.to_string()),
        ];
        if let Some(created) = self.created {
            attributes.push(("user_creation_time".to_owned(), created.to_string()));
        }
        Identity {
            display_name: Some(if self.root {
                format!("root user of {}", self.account)
            } else {
                self.name.clone()
            }),
            kind: kind_of(self.root, self.password, has_keys),
            last_login_at: self.password_used,
            attributes,
            ..Identity::new(self.identity_id.clone())
        }
    }
}

impl AccountNotes {
    fn add(&mut self, user: &ReportUser) {
        self.inactive += user.inactive;
        if user.root {
            self.root_without_mfa = !user.mfa;
            self.root_keys = user
                .grants
                .iter()
                .filter(|g| g.grant_type == GrantType::ApiKey)
                .count();
        } else {
            self.users += 1;
            if user.password && !user.mfa {
                self.console_without_mfa.push(user.name.clone());
            }
        }
    }

    fn describe(&self) -> String {
        let notes = self;
        let mut parts = vec![format!(
            "account {}: {}",
            notes.account,
            count(notes.users, "IAM user")
        )];
        if !notes.console_without_mfa.is_empty() {
            let shown: Vec<&str> = notes
                .console_without_mfa
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            let more = notes.console_without_mfa.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            parts.push(format!(
                "{} console users without MFA ({}{more})",
                notes.console_without_mfa.len(),
                shown.join(", ")
            ));
        }
        if notes.root_without_mfa {
            parts.push("the root user has no MFA".into());
        }
        if notes.root_keys > 0 {
            parts.push(format!(
                "the root user has {} active access keys",
                notes.root_keys
            ));
        }
        if notes.inactive > 0 {
            parts.push(format!(
                "{} inactive keys or certificates not imported",
                notes.inactive
            ));
        }
        parts.join("; ")
    }
}

/// The account id of `arn:aws:iam::<account>:user/...` or `...:root`.
fn account_of(arn: &str) -> Option<String> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(_region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

/// The root user is a shared credential nobody is named for; a user with a
/// console password is a person; a user with only keys or certificates is a
/// service user; anything else (no credentials at all) is taken as a person.
fn kind_of(root: bool, password: bool, has_keys: bool) -> IdentityKind {
    if root {
        IdentityKind::Shared
    } else if !password && has_keys {
        IdentityKind::Service
    } else {
        IdentityKind::Human
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::user("arn:aws:iam::123456789012:user/alice", Some("123456789012"))]
    #[case::path("arn:aws:iam::123456789012:user/ops/deploy-bot", Some("123456789012"))]
    #[case::root("arn:aws:iam::210987654321:root", Some("210987654321"))]
    #[case::gov("arn:aws-us-gov:iam::123456789012:user/x", Some("123456789012"))]
    #[case::short("arn:aws:iam::1234:user/x", None)]
    #[case::s3("arn:aws:s3:::bucket", None)]
    #[case::junk("alice", None)]
    fn account_comes_from_the_arn(#[case] arn: &str, #[case] account: Option<&str>) {
        assert_eq!(account_of(arn).as_deref(), account);
    }

    #[rstest]
    #[case::root(true, true, true, IdentityKind::Shared)]
    #[case::console_user(false, true, true, IdentityKind::Human)]
    #[case::keys_only(false, false, true, IdentityKind::Service)]
    #[case::nothing(false, false, false, IdentityKind::Human)]
    fn kinds(
        #[case] root: bool,
        #[case] password: bool,
        #[case] keys: bool,
        #[case] kind: IdentityKind,
    ) {
        assert_eq!(kind_of(root, password, keys), kind);
    }

    #[test]
    fn detection_needs_the_report_columns() {
        let header = Header::new(
            "user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active"
                .split(',')
                .map(str::to_owned)
                .collect(),
        );
        assert!((CREDENTIAL_REPORT.detect)(&header));
        let canonical = Header::new(vec!["identity_id".into(), "user".into(), "arn".into()]);
        assert!(!(CREDENTIAL_REPORT.detect)(&canonical));
    }
}
