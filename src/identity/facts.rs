//! What exports say about an account beyond its key: the kind it really
//! is (service, bot, shared, resource, break-glass), whether it is a guest
//! or a pending invitation, and whether it signs in without MFA. Each fact
//! comes with the sentence a reviewer reads, naming where it came from.

use super::config::Correlation;
use super::keys::account_name;
use super::rows::IdentityRow;
use crate::model::{GrantType, IdentityKind};

/// What the directory rows of one account say about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFacts {
    /// A kind recognised from the export, and why.
    pub kind: Option<(IdentityKind, String)>,
    /// An external or invited account.
    pub guest: Option<String>,
    /// An invitation or activation not yet accepted.
    pub pending: Option<String>,
}

/// Reads the facts of an account from its directory rows and its name.
pub fn account_facts(config: &Correlation, key: &str, rows: &[&IdentityRow]) -> AccountFacts {
    let mut facts = AccountFacts::default();
    for row in rows {
        if facts.kind.is_none() {
            facts.kind = kind_from_row(row);
        }
        if facts.guest.is_none() {
            facts.guest = guest_from_row(row);
        }
        if facts.pending.is_none() {
            facts.pending = pending_from_row(row);
        }
    }
    if facts.kind.is_none() {
        let name = account_name(key);
        facts.kind = config.kind_by_name(name).map(|(kind, pattern)| {
            (
                kind,
                format!("{kind} account: the name {name} matches {pattern}"),
            )
        });
    }
    facts
}

/// The kind a directory row's own attributes give it.
fn kind_from_row(row: &IdentityRow) -> Option<(IdentityKind, String)> {
    if let Some(principal) = row.attribute("azure_principal_type") {
        return Some((
            row.kind,
            format!("{} account: Azure ObjectType {principal}", row.kind),
        ));
    }
    if let Some(employee_type) = row.attribute("employee_type") {
        if let Some(kind) = kind_from_words(employee_type) {
            return Some((
                kind,
                format!("{kind} account: Google Employee Type {employee_type:?}"),
            ));
        }
    }
    if let Some(unit) = row.attribute("org_unit") {
        if let Some(kind) = kind_from_words(unit) {
            return Some((kind, format!("{kind} account: Google org unit {unit}")));
        }
    }
    if let Some(arn) = row.attribute("arn") {
        // arn:aws:iam::<account>:user/<path>/<name>
        let path = arn.split_once(":user/").map_or("", |(_, rest)| rest);
        if let Some((path, _)) = path.rsplit_once('/') {
            if let Some(kind) = kind_from_words(path) {
                return Some((kind, format!("{kind} account: IAM path /{path}/")));
            }
        }
        if row.kind == IdentityKind::Service {
            return Some((
                IdentityKind::Service,
                "service account: IAM user with access keys or certificates and no console password"
                    .to_owned(),
            ));
        }
    }
    None
}

/// A kind named by words an export uses (`Service Account`, `/Rooms`,
/// `/Break Glass`), if any.
fn kind_from_words(text: &str) -> Option<IdentityKind> {
    let words: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let has = |word: &str| words.split_whitespace().any(|w| w == word);
    let squashed: String = words.split_whitespace().collect();
    if squashed.contains("breakglass") || has("emergency") {
        Some(IdentityKind::BreakGlass)
    } else if has("service") || has("services") || has("svc") || has("automation") || has("system")
    {
        Some(IdentityKind::Service)
    } else if has("room") || has("rooms") || has("resource") || has("resources") {
        Some(IdentityKind::Resource)
    } else if has("bot") || has("bots") {
        Some(IdentityKind::Bot)
    } else if has("shared") {
        Some(IdentityKind::Shared)
    } else {
        None
    }
}

fn guest_from_row(row: &IdentityRow) -> Option<String> {
    let user_type = row.attribute("user_type");
    if user_type.is_some_and(|t| t.eq_ignore_ascii_case("guest"))
        || row.identity_id.contains("#EXT#")
    {
        return Some("Entra guest account (userType Guest)".to_owned());
    }
    if row
        .attribute("creation_type")
        .is_some_and(|t| t.eq_ignore_ascii_case("invitation"))
    {
        return Some("invited account (Entra creationType Invitation)".to_owned());
    }
    (row.kind == IdentityKind::External).then(|| "external identity".to_owned())
}

fn pending_from_row(row: &IdentityRow) -> Option<String> {
    if let Some(state) = row.attribute("invitation_state") {
        if state.to_ascii_lowercase().contains("pending") {
            return Some(format!(
                "invitation not accepted (Entra invitationState {state})"
            ));
        }
    }
    if let Some(status) = row.attribute("okta_status") {
        // Whole words only: DEPROVISIONED (a removed user) holds "provisioned".
        let folded: String = status
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(
            folded.as_str(),
            "staged" | "provisioned" | "pendinguseraction"
        ) {
            return Some(format!("Okta account never activated (status {status})"));
        }
    }
    None
}

/// What one grant's own export attributes say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFacts {
    pub no_mfa: Option<String>,
    pub pending: Option<String>,
    pub guest: Option<String>,
}

/// The attributes [`grant_facts`] reads.
const GRANT_FACT_KEYS: [&str; 4] = [
    "mfa_active",
    "two_factor_auth",
    "2sv_enrolled",
    "orgs_with_pending_invites",
];

/// Whether a grant's attributes JSON may hold a fact [`grant_facts`] reads,
/// checked on the text so grants with other extra columns skip parsing it.
pub fn may_hold_grant_facts(json: &str) -> bool {
    GRANT_FACT_KEYS.iter().any(|key| json.contains(key))
}

/// Reads MFA, pending-invitation and outside-collaborator facts from a
/// grant's attributes (AWS `mfa_active` on a console password, GitHub
/// `two_factor_auth` and pending invitations, Google 2-step verification).
pub fn grant_facts(
    grant_type: GrantType,
    entitlement: &str,
    attributes: &[(String, String)],
) -> GrantFacts {
    let attribute = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let is_false = |value: Option<&str>| {
        value.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "no" | "0" | "n"))
    };
    let mut facts = GrantFacts::default();
    if grant_type == GrantType::Password && is_false(attribute("mfa_active")) {
        facts.no_mfa = Some("console password without MFA (AWS mfa_active false)".to_owned());
    } else if is_false(attribute("two_factor_auth")) {
        facts.no_mfa = Some("GitHub account without two-factor authentication".to_owned());
    } else if is_false(attribute("2sv_enrolled")) {
        facts.no_mfa = Some("Google account without 2-step verification".to_owned());
    }
    if let Some(orgs) = attribute("orgs_with_pending_invites") {
        facts.pending = Some(format!("GitHub invitation not yet accepted ({orgs})"));
    }
    let entitlement = entitlement.to_ascii_lowercase();
    if entitlement.starts_with("collaborator on ") || entitlement.contains("outside collaborator") {
        facts.guest = Some("GitHub outside collaborator".to_owned());
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IdentityStatus;

    fn row(id: &str, attributes: &[(&str, &str)]) -> IdentityRow {
        IdentityRow {
            row: 1,
            scope: "entra-id".to_owned(),
            identity_id: id.to_owned(),
            display_name: None,
            email: None,
            department: None,
            kind: IdentityKind::Human,
            status: IdentityStatus::Active,
            manager_id: None,
            owner_id: None,
            termination_date: None,
            attributes: attributes
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn google_types_and_org_units_name_kinds() {
        let config = Correlation::default();
        let room = row("boardroom@x.example", &[("org_unit", "/Resources/Rooms")]);
        let facts = account_facts(&config, "boardroom@x.example", &[&room]);
        assert_eq!(
            facts.kind.as_ref().map(|k| k.0),
            Some(IdentityKind::Resource)
        );
        assert!(facts.kind.expect("kind").1.contains("/Resources/Rooms"));
        let glass = row("bg@x.example", &[("employee_type", "Break Glass")]);
        assert_eq!(
            account_facts(&config, "bg@x.example", &[&glass])
                .kind
                .map(|k| k.0),
            Some(IdentityKind::BreakGlass)
        );
    }

    #[test]
    fn names_mark_kinds_when_the_export_says_nothing() {
        let config = Correlation::default();
        let svc = row("svc-backup@x.example", &[]);
        let facts = account_facts(&config, "svc-backup@x.example", &[&svc]);
        assert_eq!(
            facts.kind,
            Some((
                IdentityKind::Service,
                "service account: the name svc-backup@x.example matches svc-*".to_owned()
            ))
        );
        assert_eq!(account_facts(&config, "jane@x.example", &[]).kind, None);
    }

    #[test]
    fn guests_and_pending_invitations() {
        let config = Correlation::default();
        let guest = row(
            "jo_partner.example#EXT#@t.onmicrosoft.com",
            &[
                ("user_type", "Guest"),
                ("invitation_state", "PendingAcceptance"),
            ],
        );
        let facts = account_facts(&config, "jo", &[&guest]);
        assert!(facts.guest.is_some());
        assert_eq!(
            facts.pending.as_deref(),
            Some("invitation not accepted (Entra invitationState PendingAcceptance)")
        );
    }

    /// A regression: DEPROVISIONED (a user Okta removed) holds the word
    /// "provisioned" and was read as an invitation not yet accepted.
    #[test]
    fn only_okta_users_never_activated_are_pending() {
        let config = Correlation::default();
        let pending = |status: &str| {
            let okta = row("jo@x.example", &[("okta_status", status)]);
            account_facts(&config, "jo@x.example", &[&okta]).pending
        };
        for status in ["STAGED", "PROVISIONED", "Pending user action"] {
            assert!(pending(status).is_some(), "{status}");
        }
        for status in ["DEPROVISIONED", "ACTIVE", "SUSPENDED", "LOCKED_OUT"] {
            assert_eq!(pending(status), None, "{status}");
        }
    }

    #[test]
    fn grants_without_mfa() {
        let attrs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert!(
            grant_facts(
                GrantType::Password,
                "console password",
                &attrs(&[("mfa_active", "false")])
            )
            .no_mfa
            .is_some()
        );
        assert!(
            grant_facts(GrantType::ApiKey, "key", &attrs(&[("mfa_active", "false")]))
                .no_mfa
                .is_none()
        );
        assert!(
            grant_facts(
                GrantType::Role,
                "admin",
                &attrs(&[("two_factor_auth", "False")])
            )
            .no_mfa
            .is_some()
        );
        assert!(
            grant_facts(
                GrantType::Account,
                "user account",
                &attrs(&[("2sv_enrolled", "True")])
            )
            .no_mfa
            .is_none()
        );
        assert!(
            grant_facts(GrantType::Role, "collaborator on api", &[])
                .guest
                .is_some()
        );
    }
}
