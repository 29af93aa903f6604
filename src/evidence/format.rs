//! The evidence file's layouts (PRODUCT.md §5), in one place: the fields a
//! row can carry, the column order of format 1 and format 2, and which of
//! them a verifier finds by name. Signals inside a row are listed in the
//! canonical order of [`crate::model::Signal`]; addenda (remediation,
//! sample, packets) are separate chained files whose columns are listed
//! here too ([`Addendum`]).
//!
//! Format 1 is frozen: campaigns created before format 2 existed keep it, so
//! their evidence stays byte-identical and verifiable for ever.

/// One cell of an evidence row, before the two hash cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    CampaignId,
    CampaignName,
    Period,
    AsOf,
    ControlId,
    ControlTitle,
    ItemId,
    IdentityId,
    IdentityName,
    IdentityKind,
    IdentityStatus,
    Account,
    LinkBasis,
    System,
    Entitlement,
    EntitlementType,
    Privileged,
    Signals,
    Recommendation,
    PriorDecision,
    AssignedReviewer,
    Decision,
    ValidUntil,
    Justification,
    DecidedBy,
    DecidedKey,
    DecisionBasis,
    DecidedAt,
    SourceSha256,
}

impl Field {
    /// How many fields there are: the size of a row's cell buffer.
    pub const COUNT: usize = Field::SourceSha256 as usize + 1;

    /// The column name in the header.
    pub const fn name(self) -> &'static str {
        match self {
            Field::CampaignId => "campaign_id",
            Field::CampaignName => "campaign_name",
            Field::Period => "period",
            Field::AsOf => "as_of",
            Field::ControlId => "control_id",
            Field::ControlTitle => "control_title",
            Field::ItemId => "item_id",
            Field::IdentityId => "identity_id",
            Field::IdentityName => "identity_name",
            Field::IdentityKind => "identity_kind",
            Field::IdentityStatus => "identity_status",
            Field::Account => "account",
            Field::LinkBasis => "link_basis",
            Field::System => "system",
            Field::Entitlement => "entitlement",
            Field::EntitlementType => "entitlement_type",
            Field::Privileged => "privileged",
            Field::Signals => "signals",
            Field::Recommendation => "recommendation",
            Field::PriorDecision => "prior_decision",
            Field::AssignedReviewer => "assigned_reviewer",
            Field::Decision => "decision",
            Field::ValidUntil => "valid_until",
            Field::Justification => "justification",
            Field::DecidedBy => "decided_by",
            Field::DecidedKey => "decided_key",
            Field::DecisionBasis => "decision_basis",
            Field::DecidedAt => "decided_at",
            Field::SourceSha256 => "source_sha256",
        }
    }
}

/// The hash cells that end every row (and every addendum row).
pub const PREV_HASH: &str = "prev_hash";
pub const ROW_HASH: &str = "row_hash";

/// Format 1: the 23 hashed cells of campaigns created before format 2.
const FORMAT_1: [Field; 23] = [
    Field::CampaignId,
    Field::CampaignName,
    Field::Period,
    Field::AsOf,
    Field::ControlId,
    Field::ControlTitle,
    Field::ItemId,
    Field::IdentityId,
    Field::IdentityName,
    Field::IdentityKind,
    Field::IdentityStatus,
    Field::System,
    Field::Entitlement,
    Field::EntitlementType,
    Field::Privileged,
    Field::Signals,
    Field::Recommendation,
    Field::AssignedReviewer,
    Field::Decision,
    Field::Justification,
    Field::DecidedBy,
    Field::DecidedAt,
    Field::SourceSha256,
];

/// Format 2: every field, in PRODUCT.md §5's order.
const FORMAT_2: [Field; 29] = [
    Field::CampaignId,
    Field::CampaignName,
    Field::Period,
    Field::AsOf,
    Field::ControlId,
    Field::ControlTitle,
    Field::ItemId,
    Field::IdentityId,
    Field::IdentityName,
    Field::IdentityKind,
    Field::IdentityStatus,
    Field::Account,
    Field::LinkBasis,
    Field::System,
    Field::Entitlement,
    Field::EntitlementType,
    Field::Privileged,
    Field::Signals,
    Field::Recommendation,
    Field::PriorDecision,
    Field::AssignedReviewer,
    Field::Decision,
    Field::ValidUntil,
    Field::Justification,
    Field::DecidedBy,
    Field::DecidedKey,
    Field::DecisionBasis,
    Field::DecidedAt,
    Field::SourceSha256,
];

/// Which layout an evidence file has; a verifier tells them apart by the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceFormat {
    One,
    Two,
}

impl EvidenceFormat {
    pub const ALL: [EvidenceFormat; 2] = [EvidenceFormat::One, EvidenceFormat::Two];

    /// The format a campaign records (`campaigns.evidence_format`).
    pub fn of_campaign(number: u8) -> EvidenceFormat {
        if number >= 2 {
            EvidenceFormat::Two
        } else {
            EvidenceFormat::One
        }
    }

    pub fn number(self) -> u8 {
        match self {
            EvidenceFormat::One => 1,
            EvidenceFormat::Two => 2,
        }
    }

    /// The hashed cells of a row, in column order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            EvidenceFormat::One => &FORMAT_1,
            EvidenceFormat::Two => &FORMAT_2,
        }
    }

    /// The header: the fields' names, then `prev_hash` and `row_hash`.
    pub fn columns(self) -> Vec<&'static str> {
        self.fields()
            .iter()
            .map(|f| f.name())
            .chain([PREV_HASH, ROW_HASH])
            .collect()
    }

    /// How many cells a row has before `prev_hash`: the cells its hash covers.
    pub fn hashed_cells(self) -> usize {
        self.fields().len()
    }

    /// The position of `prev_hash` in a row.
    pub fn prev_hash(self) -> usize {
        self.hashed_cells()
    }

    /// The position of `row_hash` in a row.
    pub fn row_hash(self) -> usize {
        self.hashed_cells() + 1
    }

    /// The position of `field` in a row of this format, if it has it.
    pub fn position(self, field: Field) -> Option<usize> {
        self.fields().iter().position(|f| *f == field)
    }

    /// The format whose header `names` is, exactly.
    pub fn from_header<S: AsRef<str>>(names: &[S]) -> Option<EvidenceFormat> {
        EvidenceFormat::ALL.into_iter().find(|format| {
            let columns = format.columns();
            names.len() == columns.len()
                && names.iter().zip(&columns).all(|(n, c)| n.as_ref() == *c)
        })
    }

    /// The format whose header `names` comes closest to, for naming what
    /// differs in a header that matches neither: the one sharing the most
    /// columns in place.
    pub fn closest<S: AsRef<str>>(names: &[S]) -> EvidenceFormat {
        let in_place = |format: EvidenceFormat| {
            names
                .iter()
                .zip(format.columns())
                .filter(|(n, c)| n.as_ref() == *c)
                .count()
        };
        if in_place(EvidenceFormat::Two) > in_place(EvidenceFormat::One) {
            EvidenceFormat::Two
        } else {
            EvidenceFormat::One
        }
    }
}

/// An addendum (PRODUCT.md §5): a separate chained file whose first
/// `prev_hash` is the evidence file's last `row_hash`, so the signed
/// evidence is never rewritten. Each kind names its hashed columns here;
/// the two hash cells end every row as in evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addendum {
    /// Each revocation of a signed-off campaign and whether a later export
    /// showed it carried out (PRODUCT.md §7).
    Remediation,
    /// A reproducible audit sample (PRODUCT.md §10): each sampled item's
    /// evidence cells with its full context (`recert sample`).
    Sample,
    /// Each review packet merged into the campaign: who sealed it with
    /// which key, its SHA-256, what it brought and when (PRODUCT.md §9).
    Packets,
}

/// The packets addendum's hashed cells, in column order.
const PACKETS: [&str; 13] = [
    "campaign_id",
    "packet_id",
    "reviewer",
    "key_id",
    "packet_sha256",
    "items",
    "decisions",
    "skipped",
    "prefer",
    "first_event",
    "last_event",
    "issued_at",
    "merged_at",
];

/// The remediation addendum's hashed cells, in column order.
const REMEDIATION: [&str; 13] = [
    "campaign_id",
    "item_id",
    "system",
    "account",
    "entitlement",
    "decision",
    "decided_at",
    "state",
    "checked_snapshot",
    "checked_file",
    "checked_sha256",
    "checked_at",
    "days_since_signoff",
];

/// The sample addendum's columns before the evidence cells: the seed the
/// items were ranked with, the stratum and the item's rank in it.
const SAMPLE_HEAD: [&str; 3] = ["seed", "stratum", "rank_hash"];

/// The sample addendum's columns after the evidence cells: the item's row
/// in the evidence, and its context (README "Handing evidence to the
/// auditor" says what each holds).
const SAMPLE_TAIL: [&str; 8] = [
    "evidence_row_hash",
    "signal_reasons",
    "source_file",
    "source_line",
    "identity_file",
    "identity_line",
    "identity_sha256",
    "decision_events",
];

/// The sample addendum's hashed cells: [`SAMPLE_HEAD`], every format-2
/// evidence field, then [`SAMPLE_TAIL`], built from the lists above so
/// they cannot drift apart.
const SAMPLE: [&str; SAMPLE_HEAD.len() + FORMAT_2.len() + SAMPLE_TAIL.len()] = {
    let mut out = [""; SAMPLE_HEAD.len() + FORMAT_2.len() + SAMPLE_TAIL.len()];
    let mut i = 0;
    while i < SAMPLE_HEAD.len() {
        out[i] = SAMPLE_HEAD[i];
        i += 1;
    }
    let mut j = 0;
    while j < FORMAT_2.len() {
        out[i + j] = FORMAT_2[j].name();
        j += 1;
    }
    let mut k = 0;
    while k < SAMPLE_TAIL.len() {
        out[i + j + k] = SAMPLE_TAIL[k];
        k += 1;
    }
    out
};

impl Addendum {
    pub const ALL: [Addendum; 3] = [Addendum::Remediation, Addendum::Sample, Addendum::Packets];

    /// The kind as trusted comments and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Addendum::Remediation => "remediation",
            Addendum::Sample => "sample",
            Addendum::Packets => "packets",
        }
    }

    /// The hashed cells of a row, in column order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Addendum::Remediation => &REMEDIATION,
            Addendum::Sample => &SAMPLE,
            Addendum::Packets => &PACKETS,
        }
    }

    /// Where a sample row's evidence cells start (they are the format-2
    /// fields, in order).
    pub const SAMPLE_EVIDENCE_AT: usize = SAMPLE_HEAD.len();

    /// The header: the fields, then `prev_hash` and `row_hash`.
    pub fn columns(self) -> Vec<&'static str> {
        self.fields()
            .iter()
            .copied()
            .chain([PREV_HASH, ROW_HASH])
            .collect()
    }

    /// The position of a column in a row.
    pub fn position(self, name: &str) -> Option<usize> {
        self.fields().iter().position(|f| *f == name)
    }

    /// The addendum whose header `names` is, exactly.
    pub fn from_header<S: AsRef<str>>(names: &[S]) -> Option<Addendum> {
        Addendum::ALL.into_iter().find(|addendum| {
            let columns = addendum.columns();
            names.len() == columns.len()
                && names.iter().zip(&columns).all(|(n, c)| n.as_ref() == *c)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headers exactly as PRODUCT.md §5 lists them.
    #[test]
    fn the_headers_are_the_designs() {
        assert_eq!(
            EvidenceFormat::One.columns().join(","),
            "campaign_id,campaign_name,period,as_of,control_id,control_title,item_id,\
             identity_id,identity_name,identity_kind,identity_status,system,entitlement,\
             entitlement_type,privileged,signals,recommendation,assigned_reviewer,decision,\
             justification,decided_by,decided_at,source_sha256,prev_hash,row_hash"
        );
        assert_eq!(
            EvidenceFormat::Two.columns().join(","),
            "campaign_id,campaign_name,period,as_of,control_id,control_title,item_id,\
             identity_id,identity_name,identity_kind,identity_status,account,link_basis,\
             system,entitlement,entitlement_type,privileged,signals,recommendation,\
             prior_decision,assigned_reviewer,decision,valid_until,justification,\
             decided_by,decided_key,decision_basis,decided_at,source_sha256,prev_hash,row_hash"
        );
    }

    #[test]
    fn the_remediation_addendum_header_is_fixed_and_recognised() {
        let columns = Addendum::Remediation.columns();
        assert_eq!(
            columns.join(","),
            "campaign_id,item_id,system,account,entitlement,decision,decided_at,state,\
             checked_snapshot,checked_file,checked_sha256,checked_at,days_since_signoff,\
             prev_hash,row_hash"
        );
        assert_eq!(Addendum::from_header(&columns), Some(Addendum::Remediation));
        assert_eq!(EvidenceFormat::from_header(&columns), None);
        assert_eq!(Addendum::from_header(&EvidenceFormat::Two.columns()), None);
    }

    #[test]
    fn the_sample_addendum_holds_the_format_2_cells_between_its_own() {
        let columns = Addendum::Sample.columns();
        assert_eq!(&columns[..3], ["seed", "stratum", "rank_hash"]);
        let evidence =
            &columns[Addendum::SAMPLE_EVIDENCE_AT..][..EvidenceFormat::Two.hashed_cells()];
        for (column, field) in evidence.iter().zip(EvidenceFormat::Two.fields()) {
            assert_eq!(*column, field.name());
        }
        assert_eq!(
            columns[Addendum::SAMPLE_EVIDENCE_AT + EvidenceFormat::Two.hashed_cells()..].join(","),
            "evidence_row_hash,signal_reasons,source_file,source_line,identity_file,\
             identity_line,identity_sha256,decision_events,prev_hash,row_hash"
        );
        assert_eq!(Addendum::from_header(&columns), Some(Addendum::Sample));
        assert_eq!(Addendum::Sample.position("item_id"), Some(9));
        assert_eq!(Addendum::Sample.position("campaign_id"), Some(3));
    }

    #[test]
    fn the_packets_addendum_header_is_fixed_and_recognised() {
        let columns = Addendum::Packets.columns();
        assert_eq!(
            columns.join(","),
            "campaign_id,packet_id,reviewer,key_id,packet_sha256,items,decisions,skipped,\
             prefer,first_event,last_event,issued_at,merged_at,prev_hash,row_hash"
        );
        assert_eq!(Addendum::from_header(&columns), Some(Addendum::Packets));
        assert_eq!(Addendum::Packets.position("item_id"), None);
    }

    #[test]
    fn a_header_names_its_format() {
        for format in EvidenceFormat::ALL {
            assert_eq!(EvidenceFormat::from_header(&format.columns()), Some(format));
            assert_eq!(EvidenceFormat::closest(&format.columns()), format);
        }
        let mut shuffled = EvidenceFormat::Two.columns();
        shuffled.swap(0, 1);
        assert_eq!(EvidenceFormat::from_header(&shuffled), None);
        assert_eq!(EvidenceFormat::closest(&shuffled), EvidenceFormat::Two);
    }

    #[test]
    fn every_field_is_in_format_2_once_and_positions_agree() {
        assert_eq!(EvidenceFormat::Two.fields().len(), Field::COUNT);
        for format in EvidenceFormat::ALL {
            let columns = format.columns();
            assert_eq!(columns[format.prev_hash()], PREV_HASH);
            assert_eq!(columns[format.row_hash()], ROW_HASH);
            for (index, field) in format.fields().iter().enumerate() {
                assert_eq!(format.position(*field), Some(index));
            }
        }
        assert_eq!(EvidenceFormat::One.position(Field::Account), None);
    }
}
