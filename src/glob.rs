//! `*` wildcard patterns, matched ignoring ASCII case: account naming
//! conventions (`svc-*`) and segregation-of-duties rules
//! (`aws:111122223333:*Admin*`). No other metacharacters, so system names
//! and entitlements holding `?`, `[` or `:` match themselves.

/// Whether `text` matches `pattern`, where `*` stands for any run of
/// characters (none included) and everything else for itself, ignoring
/// ASCII case.
pub fn matches(pattern: &str, text: &str) -> bool {
    // Byte by byte, allocating nothing (toxic-combination rules match every
    // distinct grant of a campaign): `*` is ASCII and UTF-8 never hides an
    // ASCII byte inside another character, so this is the same as matching
    // characters.
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    // Most texts are rejected by their ends alone (a rule's `*:billing`
    // against a hundred thousand credentials): what comes before the first
    // `*` must begin the text, what comes after the last must end it.
    let head = pattern
        .iter()
        .position(|c| *c == b'*')
        .unwrap_or(pattern.len());
    let tail = pattern
        .iter()
        .rposition(|c| *c == b'*')
        .map_or(0, |last| pattern.len() - last - 1);
    if head == pattern.len() {
        return pattern.eq_ignore_ascii_case(text);
    }
    if text.len() < head + tail
        || !text[..head].eq_ignore_ascii_case(&pattern[..head])
        || !text[text.len() - tail..].eq_ignore_ascii_case(&pattern[pattern.len() - tail..])
    {
        return false;
    }
    // The classic greedy match with one backtrack point: linear for the
    // patterns rules hold, never exponential.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p].eq_ignore_ascii_case(&text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::matches;
    use rstest::rstest;

    #[rstest]
    #[case("svc-*", "svc-backup", true)]
    #[case("svc-*", "SVC-Backup", true)]
    #[case("svc-*", "svc-", true)]
    #[case("svc-*", "my-svc-backup", false)]
    #[case("*bot", "deploy-bot", true)]
    #[case("*bot*", "robotics", true)]
    #[case(
        "aws:111122223333:*Admin*",
        "aws:111122223333:AdministratorAccess",
        true
    )]
    #[case("aws:111122223333:*Admin*", "aws:999:AdministratorAccess", false)]
    #[case("finance:payments approver", "Finance:Payments Approver", true)]
    #[case("a?c", "abc", false)]
    #[case("", "", true)]
    #[case("*", "", true)]
    #[case("a*b*c", "aXbYbZc", true)]
    #[case("a*b*c", "aXbYbZ", false)]
    #[case("payroll:*Zoë*", "PAYROLL:team zoë", true)]
    #[case("*ë", "zoë", true)]
    #[case("*é", "zoë", false)]
    #[case("*:billing", "erp:Billing", true)]
    #[case("*:billing", "erp:billing-ro", false)]
    #[case("*:billing", "billing", false)]
    #[case("ab*ba", "aba", false)]
    #[case("ab*ba", "abba", true)]
    #[case("ab", "abc", false)]
    #[case("ab", "AB", true)]
    #[case("*", "anything", true)]
    fn wildcards(#[case] pattern: &str, #[case] text: &str, #[case] expected: bool) {
        assert_eq!(matches(pattern, text), expected, "{pattern} ~ {text}");
    }
}
