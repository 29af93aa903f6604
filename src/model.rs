//! Domain types shared by import, campaigns, the TUI and evidence; no I/O here.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

/// A value that is not one of a closed set of names: from a file, an
/// option or the workspace. Says what was found and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not {article} {what}; expected one of {expected}")]
pub struct UnknownValue {
    /// What the value should be, e.g. "signal".
    pub what: &'static str,
    article: &'static str,
    pub found: String,
    pub expected: String,
}

/// Defines a closed set of lower-case names with parsing and display, so every
/// enum that appears in CSV files, options and the database spells its values
/// one way: `FromStr` and clap's `ValueEnum` for input, `ToSql`/`FromSql` for
/// the workspace, where an unknown stored value is an error, never a default.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident ($what:literal) { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// What a value of this type is, for messages.
            pub const WHAT: &'static str = $what;

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a value case-insensitively, ignoring surrounding whitespace.
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text))
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }

            fn unknown(found: &str) -> UnknownValue {
                UnknownValue {
                    what: $what,
                    article: if $what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                    found: found.to_owned(),
                    expected: Self::expected(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, UnknownValue> {
                Self::parse(text).ok_or_else(|| Self::unknown(text))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::Borrowed(
                    rusqlite::types::ValueRef::Text(self.as_str().as_bytes()),
                ))
            }
        }

        impl rusqlite::types::FromSql for $name {
            /// Exactly as recert writes it; anything else means the workspace
            /// was edited or written by another program, so it is refused.
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| rusqlite::types::FromSqlError::Other(Box::new(Self::unknown(text))))
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }
    };
}

named_enum!(
    /// What kind of holder an identity is; everything but `Human` and
    /// `External` is a non-human identity (NHI). `Resource` (a room or
    /// resource mailbox) and `BreakGlass` (an emergency account) are only
    /// recognised from what exports say (identity correlation), never
    /// imported as a kind: identities files take the first six.
    IdentityKind ("identity kind") {
        Human => "human",
        Service => "service",
        Workload => "workload",
        Bot => "bot",
        Shared => "shared",
        External => "external",
        Resource => "resource",
        BreakGlass => "break-glass",
    }
);

impl IdentityKind {
    /// The kinds an identities file may name (the workspace stores these).
    pub const IMPORTABLE: &'static [IdentityKind] = &[
        IdentityKind::Human,
        IdentityKind::Service,
        IdentityKind::Workload,
        IdentityKind::Bot,
        IdentityKind::Shared,
        IdentityKind::External,
    ];

    /// Non-human identities are reviewed by their owner, not a manager.
    pub fn is_non_human(self) -> bool {
        !matches!(self, IdentityKind::Human | IdentityKind::External)
    }

    /// [`IdentityKind::parse`], limited to the kinds an identities file may name.
    pub fn parse_importable(text: &str) -> Option<IdentityKind> {
        IdentityKind::parse(text).filter(|kind| IdentityKind::IMPORTABLE.contains(kind))
    }

    /// The kinds an identities file may name, for error messages.
    pub fn expected_importable() -> String {
        IdentityKind::IMPORTABLE
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

named_enum!(
    IdentityStatus ("identity status") {
        Active => "active",
        Disabled => "disabled",
        Terminated => "terminated",
    }
);

named_enum!(
    /// The type of a grant; the credential types are reviewed under 5.17.
    GrantType ("grant type") {
        Role => "role",
        Group => "group",
        Permission => "permission",
        Account => "account",
        ApiKey => "api_key",
        Secret => "secret",
        Certificate => "certificate",
        SshKey => "ssh_key",
        Password => "password",
    }
);

impl GrantType {
    pub fn is_credential(self) -> bool {
        matches!(
            self,
            GrantType::ApiKey
                | GrantType::Secret
                | GrantType::Certificate
                | GrantType::SshKey
                | GrantType::Password
        )
    }
}

named_enum!(
    Criticality ("criticality") {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

named_enum!(
    /// A reviewer's verdict on one item.
    Decision ("decision") {
        Certify => "certify",
        Revoke => "revoke",
    }
);

named_enum!(
    /// What a decision event does: decide, withdraw the current decision, or
    /// (format-2 campaigns) hand the item to another reviewer.
    DecisionAction ("decision action") {
        Certify => "certify",
        Revoke => "revoke",
        Undo => "undo",
        Reassign => "reassign",
    }
);

impl DecisionAction {
    /// The decision this action records; `None` for an undo or a reassignment.
    pub fn decision(self) -> Option<Decision> {
        match self {
            DecisionAction::Certify => Some(Decision::Certify),
            DecisionAction::Revoke => Some(Decision::Revoke),
            DecisionAction::Undo | DecisionAction::Reassign => None,
        }
    }
}

named_enum!(
    /// How a decision came about (evidence format 2, `decision_basis`): a
    /// reviewer decided it; `recert close` decided an item nobody had decided
    /// by the deadline; or a reviewer accepted a recommendation carried over
    /// from the baseline campaign's decision on the unchanged grant.
    DecisionBasis ("decision basis") {
        Reviewer => "reviewer",
        CloseOut => "close-out",
        CarryOver => "carry-over",
    }
);

named_enum!(
    /// How an item's grant compares with the baseline campaign's (PRODUCT.md
    /// §7): not in the baseline, the same grant with the same privilege and
    /// type, the same grant otherwise changed, or revoked in the baseline
    /// and here again.
    Delta ("delta") {
        New => "new",
        Unchanged => "unchanged",
        Changed => "changed",
        Regranted => "regranted",
    }
);

impl From<Decision> for DecisionAction {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Certify => DecisionAction::Certify,
            Decision::Revoke => DecisionAction::Revoke,
        }
    }
}

named_enum!(
    /// A risk signal on a review item. The order here is the order signals
    /// are listed everywhere (evidence, JSON, the TUI) and their bit position
    /// in stored masks, so new signals are only ever appended: a campaign
    /// signed off before a signal existed keeps its masks and its evidence.
    Signal ("signal") {
        Orphaned => "orphaned",
        Terminated => "terminated",
        Dormant => "dormant",
        Unrotated => "unrotated",
        Privileged => "privileged",
        NoOwner => "no-owner",
        Expired => "expired",
        New => "new",
        // Identity correlation (PRODUCT.md §6).
        Unmatched => "unmatched",
        Guest => "guest",
        PendingInvite => "pending-invite",
        NoMfa => "no-mfa",
        Secondary => "secondary",
        DeniedBefore => "denied-before",
        BreakGlass => "break-glass",
        // The quarterly cycle (§7).
        Regranted => "regranted",
        RevokedNotRemoved => "revoked-not-removed",
        ExceptionExpired => "exception-expired",
        // Toxic combinations and outliers (§11).
        SodConflict => "sod-conflict",
        Outlier => "outlier",
    }
);

impl Signal {
    /// How many signals there are: the length of per-signal count arrays.
    pub const COUNT: usize = Signal::ALL.len();

    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Every signal but `new` is a risk: certifying it needs a justification.
    pub fn is_risk(self) -> bool {
        self != Signal::New
    }
}

/// A set of signals stored as a bit mask, iterated in canonical order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SignalSet(u32);

impl SignalSet {
    pub const EMPTY: SignalSet = SignalSet(0);

    pub fn from_bits(bits: u32) -> Self {
        SignalSet(bits)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn insert(&mut self, signal: Signal) {
        self.0 |= signal.bit();
    }

    pub fn contains(self, signal: Signal) -> bool {
        self.0 & signal.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersects(self, other: SignalSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    /// The signal names joined by `;`, as the evidence file writes them.
    pub fn joined(self) -> String {
        self.iter()
            .map(Signal::as_str)
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl FromIterator<Signal> for SignalSet {
    fn from_iter<T: IntoIterator<Item = Signal>>(iter: T) -> Self {
        let mut set = SignalSet::EMPTY;
        for signal in iter {
            set.insert(signal);
        }
        set
    }
}

/// A date or a date-time from an export. Date-only values stay date-only so
/// they are shown as the source wrote them; both compare by UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum When {
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl When {
    pub fn date(self) -> NaiveDate {
        match self {
            When::Date(date) => date,
            When::DateTime(at) => at.date_naive(),
        }
    }

    /// Parses the normalised text this type writes (and any ISO 8601 value).
    /// The two stored shapes are read byte by byte first: campaign creation
    /// parses four dates per grant, and chrono's pattern parser dominated that.
    pub fn parse_stored(text: &str) -> Option<When> {
        if let Some(when) = When::parse_canonical(text) {
            return Some(when);
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(When::Date(date));
        }
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| When::DateTime(at.with_timezone(&Utc)))
    }
}

impl When {
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` exactly as `When` writes them,
    /// read byte by byte; `None` for any other shape (parse it with chrono).
    pub fn parse_canonical(text: &str) -> Option<When> {
        parse_canonical_bytes(text.as_bytes())
    }
}

fn parse_canonical_bytes(bytes: &[u8]) -> Option<When> {
    fn number(bytes: &[u8]) -> Option<u32> {
        bytes.iter().try_fold(0_u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    }
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(number(&bytes[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(&bytes[5..7])?, number(&bytes[8..10])?)?;
    match bytes.len() {
        10 => Some(When::Date(date)),
        20 if bytes[10] == b'T' && bytes[13] == b':' && bytes[16] == b':' && bytes[19] == b'Z' => {
            let time = chrono::NaiveTime::from_hms_opt(
                number(&bytes[11..13])?,
                number(&bytes[14..16])?,
                number(&bytes[17..19])?,
            )?;
            Some(When::DateTime(date.and_time(time).and_utc()))
        }
        _ => None,
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

impl When {
    /// The stored text, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`, written
    /// digit by digit on the stack: an import writes three or four dates per
    /// grant, and `format!` machinery (let alone chrono's strftime, which
    /// re-parses its pattern on every call) showed up in its profile.
    pub fn stored(self) -> StoredWhen {
        use chrono::{Datelike, Timelike};
        let mut text = StoredWhen {
            bytes: *b"0000-00-00T00:00:00Z",
            len: 10,
        };
        let date = self.date();
        // Years outside 0..=9999 cannot come from an ISO 8601 cell.
        let year = u32::try_from(date.year()).unwrap_or(0).min(9999);
        text.put(0, year / 100);
        text.put(2, year % 100);
        text.put(5, date.month());
        text.put(8, date.day());
        if let When::DateTime(at) = self {
            text.put(11, at.hour());
            text.put(14, at.minute());
            text.put(17, at.second());
            text.len = 20;
        }
        text
    }
}

/// A `When`'s stored text without a heap allocation (see [`When::stored`]).
#[derive(Clone, Copy)]
pub struct StoredWhen {
    bytes: [u8; 20],
    len: u8,
}

impl StoredWhen {
    /// Writes `value` (0..=99) as two digits at `at`.
    fn put(&mut self, at: usize, value: u32) {
        // Both digits are below 10, so the casts cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = |n: u32| b'0' + (n % 10) as u8;
        self.bytes[at] = digit(value / 10);
        self.bytes[at + 1] = digit(value);
    }
}

impl std::ops::Deref for StoredWhen {
    type Target = str;

    fn deref(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl rusqlite::ToSql for StoredWhen {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(&self.bytes[..usize::from(self.len)]),
        ))
    }
}

/// Extra columns of an imported row, kept in file order.
pub type Attributes = Vec<(String, String)>;

/// One row of an identities export, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub identity_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub manager_id: Option<String>,
    pub owner_id: Option<String>,
    pub termination_date: Option<When>,
    pub last_login_at: Option<When>,
    pub attributes: Attributes,
}

impl Identity {
    /// An active human with nothing else known: the defaults of the format.
    pub fn new(identity_id: impl Into<String>) -> Self {
        Identity {
            identity_id: identity_id.into(),
            display_name: None,
            email: None,
            department: None,
            kind: IdentityKind::Human,
            status: IdentityStatus::Active,
            manager_id: None,
            owner_id: None,
            termination_date: None,
            last_login_at: None,
            attributes: Vec::new(),
        }
    }
}

/// One row of an entitlements export: who holds what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The holder as the file names it: identity_id, email or login.
    pub identity_ref: String,
    pub system: String,
    pub entitlement: String,
    pub grant_type: GrantType,
    pub privileged: bool,
    pub granted_at: Option<When>,
    pub last_used_at: Option<When>,
    pub last_rotated_at: Option<When>,
    pub expires_at: Option<When>,
    pub attributes: Attributes,
}

impl Grant {
    /// A non-privileged role with no dates: the defaults of the format.
    pub fn new(
        identity_ref: impl Into<String>,
        system: impl Into<String>,
        entitlement: impl Into<String>,
    ) -> Self {
        Grant {
            identity_ref: identity_ref.into(),
            system: system.into(),
            entitlement: entitlement.into(),
            grant_type: GrantType::Role,
            privileged: false,
            granted_at: None,
            last_used_at: None,
            last_rotated_at: None,
            expires_at: None,
            attributes: Vec::new(),
        }
    }
}

/// One row of a systems export: who owns an application and how critical it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub system: String,
    pub owner_id: Option<String>,
    pub criticality: Option<Criticality>,
    pub attributes: Attributes,
}

/// What an import file contributes to the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Identities,
    Entitlements,
    Systems,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Identities => "identities",
            RecordKind::Entitlements => "entitlements",
            RecordKind::Systems => "systems",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_case_insensitively_and_trimmed() {
        assert_eq!(
            IdentityKind::parse(" Service "),
            Some(IdentityKind::Service)
        );
        assert_eq!(GrantType::parse("API_KEY"), Some(GrantType::ApiKey));
        assert_eq!(Signal::parse("no-owner"), Some(Signal::NoOwner));
        assert_eq!(IdentityStatus::parse("leaver"), None);
    }

    #[test]
    fn an_unknown_value_names_itself_and_what_is_expected() {
        let err = "leaver".parse::<IdentityStatus>().expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "\"leaver\" is not an identity status; expected one of active, disabled, terminated"
        );
        assert_eq!(" Revoke ".parse::<Decision>(), Ok(Decision::Revoke));
    }

    #[test]
    fn stored_values_round_trip_and_unknown_ones_are_refused() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let read = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, Option<Decision>>(0));
        let stored: String = conn
            .query_row("SELECT ?1", [Decision::Revoke], |row| row.get(0))
            .expect("to sql");
        assert_eq!(stored, "revoke");
        assert_eq!(
            read("SELECT 'certify'").expect("known"),
            Some(Decision::Certify)
        );
        assert_eq!(read("SELECT NULL").expect("null"), None);
        // recert writes lower case only: anything else was written by someone else.
        for unknown in ["'Certify'", "'maybe'", "''", "1"] {
            let sql = format!("SELECT {unknown}");
            assert!(read(&sql).is_err(), "{unknown} was read as a decision");
        }
    }

    #[test]
    fn signal_set_lists_signals_in_canonical_order() {
        let set: SignalSet = [Signal::New, Signal::Orphaned, Signal::Dormant]
            .into_iter()
            .collect();
        assert_eq!(set.joined(), "orphaned;dormant;new");
        assert!(set.contains(Signal::Dormant));
        assert!(!set.contains(Signal::Expired));
    }

    #[test]
    fn stored_values_parse_back_exactly() {
        for text in ["2026-08-31", "2026-08-31T08:00:00Z", "2024-02-29T23:59:59Z"] {
            assert_eq!(
                When::parse_stored(text).map(|w| w.to_string()).as_deref(),
                Some(text)
            );
        }
        assert_eq!(When::parse_stored("2026-02-30"), None);
        assert_eq!(When::parse_stored("2026-08-31T25:00:00Z"), None);
    }

    #[test]
    fn when_keeps_date_only_values_date_only() {
        let date = When::parse_stored("2026-08-31").expect("date");
        assert_eq!(date.to_string(), "2026-08-31");
        let at = When::parse_stored("2026-08-31T10:00:00+02:00").expect("date-time");
        assert_eq!(at.to_string(), "2026-08-31T08:00:00Z");
    }

    #[test]
    fn stored_text_matches_chrono_formatting() {
        let dates = [
            "0001-01-01",
            "0999-12-31",
            "2024-02-29",
            "2026-11-30",
            "9999-12-31",
        ];
        for date in dates {
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
            assert_eq!(&*When::Date(day).stored(), date);
            for (h, m, s) in [(0, 0, 0), (9, 5, 7), (23, 59, 59)] {
                let at = day.and_hms_opt(h, m, s).expect("time").and_utc();
                let expected = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                assert_eq!(&*When::DateTime(at).stored(), expected);
                assert_eq!(When::DateTime(at).to_string(), expected);
            }
        }
    }

    #[test]
    fn credential_types_are_the_five_secret_kinds() {
        let credentials: Vec<_> = GrantType::ALL
            .iter()
            .filter(|t| t.is_credential())
            .map(|t| t.as_str())
            .collect();
        assert_eq!(
            credentials,
            ["api_key", "secret", "certificate", "ssh_key", "password"]
        );
    }
}
