//! Suggestions for an unlinked account: persons it might belong to, each
//! with a score and the reason, for a person to accept or not. Nothing here
//! ever links an account by itself (`recert link` does, with a reason).

use foldhash::{HashMap, HashMapExt};

use super::keys::{account_name, email_parts, fold};
use super::resolver::Resolver;

/// One suggested person for an account.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// Index into the resolver's rows.
    #[serde(skip)]
    pub person: u32,
    pub person_id: String,
    pub person_name: Option<String>,
    /// 0 to 1: how strongly the evidence points at this person.
    pub score: f64,
    pub reason: String,
}

/// Persons by the names an account might be derived from.
pub struct Candidates<'r> {
    resolver: &'r Resolver,
    /// Normalised display name (`jane doe`) → persons.
    by_name: HashMap<String, Vec<u32>>,
    /// Name-derived logins (`jdoe`, `janed`, `jane.doe`, `janedoe`, `jane_doe`, `jane-doe`) → persons.
    by_login: HashMap<String, Vec<(u32, &'static str)>>,
    /// Local part of the e-mail → persons.
    by_local: HashMap<String, Vec<u32>>,
}

/// Letters and digits of a name, lower case, words single-spaced.
fn normalise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The logins a normalised name of two words or more may go by, each with
/// the pattern's name.
fn login_patterns(name: &str) -> Vec<(String, &'static str)> {
    let words: Vec<&str> = name.split(' ').collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return Vec::new();
    };
    if words.len() < 2 {
        return Vec::new();
    }
    let initial = &first[..first.chars().next().map_or(0, char::len_utf8)];
    let last_initial = &last[..last.chars().next().map_or(0, char::len_utf8)];
    vec![
        (format!("{initial}{last}"), "first initial and last name"),
        (
            format!("{first}{last_initial}"),
            "first name and last initial",
        ),
        (format!("{first}.{last}"), "first.last"),
        (format!("{first}{last}"), "first and last name"),
        (format!("{first}_{last}"), "first_last"),
        (format!("{first}-{last}"), "first-last"),
    ]
}

/// A lower-case name with the accented Latin letters of European names
/// written as their ASCII base letters (`joão simões` → `joao simoes`,
/// `łukasz` → `lukasz`); other characters are kept.
fn ascii_fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let base = match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
            'ĥ' | 'ħ' => "h",
            'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
            'ĵ' => "j",
            'ķ' => "k",
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
            'ñ' | 'ń' | 'ņ' | 'ň' => "n",
            'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
            'œ' => "oe",
            'ŕ' | 'ŗ' | 'ř' => "r",
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
            'ß' => "ss",
            'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
            'þ' => "th",
            'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
            'ŵ' => "w",
            'ý' | 'ÿ' | 'ŷ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(base);
    }
    out
}

impl<'r> Candidates<'r> {
    pub fn new(resolver: &'r Resolver) -> Candidates<'r> {
        let mut candidates = Candidates {
            resolver,
            by_name: HashMap::new(),
            by_login: HashMap::new(),
            by_local: HashMap::new(),
        };
        for (index, person) in resolver.persons().iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            if let Some(name) = person.display_name.as_deref().map(normalise) {
                // Logins are written in ASCII: `jsimoes` is João Simões's.
                let ascii = ascii_fold(&name);
                let mut logins = login_patterns(&name);
                if ascii != name {
                    logins.extend(login_patterns(&ascii));
                }
                for (login, pattern) in logins {
                    let list = candidates.by_login.entry(login).or_default();
                    if !list.iter().any(|(p, _)| *p == index) {
                        list.push((index, pattern));
                    }
                }
                candidates.by_name.entry(name).or_default().push(index);
            }
            for email in [person.email.as_deref(), Some(person.identity_id.as_str())]
                .into_iter()
                .flatten()
            {
                if let Some((local, _)) = email_parts(&fold(email)) {
                    let list = candidates.by_local.entry(local.to_owned()).or_default();
                    if !list.contains(&index) {
                        list.push(index);
                    }
                }
            }
        }
        candidates
    }

    /// Up to `limit` persons an unlinked account (folded key) may belong
    /// to, best first; `display_name` is the account's own, if known.
    pub fn for_account(
        &self,
        key: &str,
        display_name: Option<&str>,
        limit: usize,
    ) -> Vec<Candidate> {
        let mut found: Vec<(u32, f64, String)> = Vec::new();
        let mut add = |person: u32, score: f64, reason: String| match found
            .iter_mut()
            .find(|(p, _, _)| *p == person)
        {
            Some(entry) if entry.1 >= score => {}
            Some(entry) => *entry = (person, score, reason),
            None => found.push((person, score, reason)),
        };
        if let Some(name) = display_name.map(normalise).filter(|n| n.contains(' ')) {
            for &person in self.by_name.get(&name).map_or(&[][..], Vec::as_slice) {
                add(
                    person,
                    0.9,
                    format!(
                        "same display name ({})",
                        display_name.unwrap_or_default().trim()
                    ),
                );
            }
        }
        let name = account_name(key);
        let (local, domain) = match email_parts(name) {
            Some((local, domain)) => (local, Some(domain)),
            None => (name, None),
        };
        if let Some(domain) = domain {
            for &person in self.by_local.get(local).map_or(&[][..], Vec::as_slice) {
                let email = self.email_of(person);
                add(
                    person,
                    0.8,
                    format!("same local part as {email}, under another domain ({domain})"),
                );
            }
        }
        for (person, pattern) in self.by_login.get(local).map_or(&[][..], Vec::as_slice) {
            add(
                *person,
                0.6,
                format!(
                    "{local} looks like the {pattern} of {}",
                    self.name_of(*person)
                ),
            );
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
            .into_iter()
            .take(limit)
            .map(|(person, score, reason)| {
                let row = self.resolver.row(person);
                Candidate {
                    person,
                    person_id: row.identity_id.trim().to_owned(),
                    person_name: row.display_name.clone(),
                    score,
                    reason,
                }
            })
            .collect()
    }

    fn email_of(&self, person: u32) -> String {
        let row = self.resolver.row(person);
        row.email.clone().unwrap_or_else(|| row.identity_id.clone())
    }

    fn name_of(&self, person: u32) -> String {
        self.resolver.row(person).label()
    }
}

#[cfg(test)]
mod tests {
    use super::{ascii_fold, login_patterns, normalise};

    #[test]
    fn names_normalise_case_punctuation_and_spaces() {
        assert_eq!(normalise("  Doe,  JANE-Marie "), "doe jane marie");
        assert_eq!(normalise("Zoë Müller"), "zoë müller");
    }

    #[test]
    fn accented_names_fold_to_the_ascii_their_logins_use() {
        assert_eq!(ascii_fold("joão simões"), "joao simoes");
        assert_eq!(ascii_fold("łukasz wójcik"), "lukasz wojcik");
        assert_eq!(ascii_fold("björn åkesson"), "bjorn akesson");
        assert_eq!(ascii_fold("ana ţepeş"), "ana tepes");
        assert_eq!(ascii_fold("wang fang 王芳"), "wang fang 王芳");
        let logins: Vec<String> = login_patterns("joao simoes")
            .into_iter()
            .map(|(login, _)| login)
            .collect();
        assert!(logins.contains(&"jsimoes".to_owned()), "{logins:?}");
    }

    /// A regression: logins are ASCII, so `jsimoes` never matched João
    /// Simões while the patterns kept his accents.
    #[test]
    fn an_ascii_login_suggests_the_person_with_an_accented_name() {
        let ws = crate::test_support::workspace_with(&format!(
            "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (1, 1, 'identities', 'canonical', 'identities', 'hr.csv', '{h}', 2);
             INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, email, kind, status)
                 VALUES (1, 1, 2, 'E1', 'João Simões', 'joao.simoes@corp.example', 'human', 'active'),
                        (2, 1, 3, 'E2', 'Björn Åkesson', 'bjorn.akesson@corp.example', 'human', 'active');",
            h = "a".repeat(64)
        ));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let resolver =
            super::Resolver::load(&ws.conn, super::super::Correlation::default(), day, None)
                .expect("resolver");
        let candidates = super::Candidates::new(&resolver);
        let found = |key: &str| -> Vec<(String, String)> {
            candidates
                .for_account(key, None, 3)
                .into_iter()
                .map(|c| (c.person_id, c.reason))
                .collect()
        };
        assert_eq!(
            found("jsimoes"),
            [(
                "E1".to_owned(),
                "jsimoes looks like the first initial and last name of João Simões (E1)".to_owned()
            )]
        );
        assert_eq!(found("bjorna")[0].0, "E2");
    }
}
