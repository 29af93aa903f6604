//! How holder keys are compared: trimmed and ASCII case-folded, e-mail
//! domains mapped through the declared aliases, and the "account name" a
//! login or an AWS IAM user is known by.

/// The form of a key used for matching: trimmed, ASCII lower case. Counts
/// in the import summary and campaign items always agree because both
/// fold keys here.
pub fn fold(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

/// Writes `fold(text)` into a reused buffer (no allocation per row).
pub fn fold_into(text: &str, buffer: &mut String) {
    buffer.clear();
    buffer.push_str(trim(text));
    buffer.make_ascii_lowercase();
}

/// `str::trim`, skipping its Unicode whitespace scan for the usual value
/// that starts and ends with a visible ASCII character (a million grants
/// are keyed per campaign).
pub fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// `(local, domain)` of an e-mail-like key (one `@`, both sides non-empty).
pub fn email_parts(key: &str) -> Option<(&str, &str)> {
    let (local, domain) = key.rsplit_once('@')?;
    (!local.is_empty() && domain.contains('.') && !domain.contains('@')).then_some((local, domain))
}

/// The name an account is known by in its own system: the user part of an
/// AWS IAM user key (`aws:111122223333:jane.doe` → `jane.doe`), else the key.
pub fn account_name(key: &str) -> &str {
    match key.strip_prefix("aws:") {
        Some(rest) => rest.split_once(':').map_or(key, |(_, user)| user),
        None => key,
    }
}

/// Whether a key looks like a directory object id (a GUID, as Entra and
/// Azure write them).
pub fn is_object_id(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Domain aliases: groups of e-mail domains that name the same mailboxes
/// (`example.org` = `example.com`), each mapped to its group's first domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainAliases {
    /// (folded domain, the canonical domain of its group).
    canonical: Vec<(String, String)>,
}

impl DomainAliases {
    pub fn new(groups: &[Vec<String>]) -> DomainAliases {
        let mut canonical = Vec::new();
        for group in groups {
            let Some(first) = group.first().map(|d| fold(d)) else {
                continue;
            };
            for domain in group {
                canonical.push((fold(domain), first.clone()));
            }
        }
        DomainAliases { canonical }
    }

    /// The canonical form of a folded e-mail: its domain replaced by its
    /// group's first domain. `None` when the key is not an e-mail.
    pub fn canonical_email(&self, folded: &str) -> Option<String> {
        let (local, domain) = email_parts(folded)?;
        let domain = self
            .canonical
            .iter()
            .find(|(alias, _)| alias == domain)
            .map_or(domain, |(_, canonical)| canonical.as_str());
        Some(format!("{local}@{domain}"))
    }
}

/// The rows of `identities` whose identity_id or e-mail, trimmed and ASCII
/// case-folded, is the SQL parameter `?2`: two look-ups through migration
/// 0011's indexes, for `... AND i.id IN (...)`. SQLite does not combine the
/// indexes for an `OR` of both columns, and reads every identity instead.
pub const ROWS_BY_FOLDED_KEY: &str = "SELECT id FROM identities WHERE lower(trim(identity_id)) = ?2
     UNION ALL
     SELECT id FROM identities WHERE lower(trim(email)) = ?2 AND email IS NOT NULL";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_into_a_buffer_is_folding() {
        let mut key = String::from("stale");
        for text in [
            " Zoë.MÜLLER@X.example ",
            "E0412",
            "",
            "\tBO@X\n",
            "\u{a0}NBSP\u{a0}",
            "É",
        ] {
            fold_into(text, &mut key);
            assert_eq!(key, fold(text));
        }
        assert_eq!(
            fold(" Zoe.Muller@Northwind.example "),
            "zoe.muller@northwind.example"
        );
    }

    #[test]
    fn aliases_map_every_domain_of_a_group_to_its_first() {
        let aliases = DomainAliases::new(&[vec![
            "Northwind.example".into(),
            "northwind-analytics.example".into(),
        ]]);
        assert_eq!(
            aliases
                .canonical_email("jane.doe@northwind-analytics.example")
                .as_deref(),
            Some("jane.doe@northwind.example")
        );
        assert_eq!(
            aliases.canonical_email("jane@other.example").as_deref(),
            Some("jane@other.example")
        );
        assert_eq!(aliases.canonical_email("E0412"), None);
    }

    #[test]
    fn account_names_strip_the_aws_account() {
        assert_eq!(account_name("aws:111122223333:jane.doe"), "jane.doe");
        assert_eq!(account_name("octocat"), "octocat");
        assert_eq!(account_name("aws:111122223333"), "aws:111122223333");
    }

    #[test]
    fn object_ids_are_guids() {
        assert!(is_object_id("1f3c2a4e-0b5d-4c6e-8f70-9a1b2c3d4e5f"));
        assert!(!is_object_id("jane@x.example"));
        assert!(!is_object_id("1f3c2a4e0b5d4c6e8f709a1b2c3d4e5f0000"));
    }

    #[test]
    fn email_parts_need_a_dotted_domain() {
        assert_eq!(email_parts("a@b.example"), Some(("a", "b.example")));
        assert_eq!(email_parts("a@localhost"), None);
        assert_eq!(email_parts("@b.example"), None);
    }
}
