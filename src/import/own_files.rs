//! Recognising the files recert itself writes (evidence and its addenda,
//! the revocation work list, the decision history, `items --csv`), which
//! are never input: read as a canonical entitlements file, an evidence
//! export would replace the current grants with one campaign's items and
//! drop the signals the next campaign needs.

use super::source::Header;

/// What recert file `header` belongs to and what to import instead, or
/// `None` for anything else. Recognised by the columns only recert writes
/// (a hash chain, item and campaign ids), not by the exact header, so the
/// evidence format 2 and every chained addendum are recognised too.
pub fn recognise(header: &Header) -> Option<String> {
    let has = |name: &str| header.has(name);
    let (what, instead) = if has("prev_hash") && has("row_hash") {
        if has("campaign_id") && has("item_id") && has("control_id") {
            (
                "recert's own evidence export (it has campaign_id, item_id, control_id, prev_hash and row_hash)",
                SOURCES,
            )
        } else {
            (
                "a hash-chained file recert wrote (it has prev_hash and row_hash: evidence or an addendum to it)",
                SOURCES,
            )
        }
    } else if has("prev_hash") && has("event_hash") {
        (
            "recert's own decision history (`recert export --history`; it has prev_hash and event_hash)",
            SOURCES,
        )
    } else if has("item_id") && (has("control_id") || has("recommendation")) {
        (
            "recert's own list of review items (`recert items --csv`; it has item_id and control_id)",
            SOURCES,
        )
    } else if has("item_id") && has("decided_by") {
        (
            "recert's own revocation work list (`recert export --revocations`; it has item_id and decided_by)",
            "import what the systems hold now, a fresh export of each system, to see which revocations were carried out",
        )
    } else {
        return None;
    };
    Some(format!(
        "is {what}, not an export to import: read as grants it would replace the current view with one campaign's review items. {instead}"
    ))
}

const SOURCES: &str = "Import the identities, entitlements and systems exports the campaign was built from (or newer ones) instead";

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn header(names: &str) -> Header {
        Header::new(names.split(',').map(str::to_owned).collect())
    }

    #[test]
    fn evidence_format_1_is_recognised() {
        let columns = crate::evidence::format::EvidenceFormat::One
            .columns()
            .join(",");
        let message = recognise(&header(&columns)).expect("recognised");
        assert!(
            message.starts_with("is recert's own evidence export"),
            "{message}"
        );
    }

    #[rstest]
    #[case::evidence_format_2(
        "campaign_id,campaign_name,period,as_of,control_id,control_title,item_id,identity_id,identity_name,identity_kind,identity_status,account,link_basis,system,entitlement,entitlement_type,privileged,signals,recommendation,prior_decision,assigned_reviewer,decision,valid_until,justification,decided_by,decided_key,decision_basis,decided_at,source_sha256,prev_hash,row_hash",
        "evidence export"
    )]
    #[case::addendum(
        "item_id,system,state,snapshot_sha256,prev_hash,row_hash",
        "hash-chained file"
    )]
    #[case::upper_case("CAMPAIGN_ID,ITEM_ID,CONTROL_ID,PREV_HASH,ROW_HASH", "evidence export")]
    #[case::history(
        "event_id,campaign_id,item_id,action,justification,reviewer,os_user,host,decided_at,prev_hash,event_hash",
        "decision history"
    )]
    #[case::revocations(
        "system,identity,entitlement,type,justification,decided_by,decided_at,item_id",
        "revocation work list"
    )]
    #[case::items_csv(
        "item_id,control_id,identity_id,identity_name,identity_kind,identity_status,system,entitlement,entitlement_type,privileged,signals,reasons,recommendation,recommendation_reason,assigned_reviewer,owner_id,last_used_at,last_rotated_at,decision,justification,decided_by,decided_at",
        "list of review items"
    )]
    fn recert_outputs_are_recognised(#[case] names: &str, #[case] what: &str) {
        let message = recognise(&header(names)).expect("recognised");
        assert!(message.contains(what), "{message}");
    }

    #[rstest]
    #[case::identities("identity_id,display_name,email,kind,status,manager_id")]
    #[case::entitlements("identity_id,system,entitlement,type,privileged,granted_at")]
    #[case::entitlements_with_a_ticket_item("identity_id,system,entitlement,item_id")]
    #[case::systems("system,owner_id,criticality")]
    fn source_exports_are_not(#[case] names: &str) {
        assert_eq!(recognise(&header(names)), None);
    }
}
