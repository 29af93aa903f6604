//! Recording decisions as appended, hash-chained events, after checking the
//! rules every decision must follow (PRODUCT.md §4).

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::lookup::{Campaign, CampaignState};
use crate::actor::Actor;
use crate::model::{DecisionAction, Signal, SignalSet};

/// The hash that starts every campaign's decision chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One decision to apply to a set of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRequest<'a> {
    pub items: &'a [i64],
    pub action: DecisionAction,
    pub justification: Option<&'a str>,
}

/// Why a decision was refused; nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    SignedOff {
        campaign: String,
    },
    UnknownItem {
        item: i64,
        campaign: String,
    },
    OwnAccess {
        item: i64,
        reviewer: String,
    },
    RevokeNeedsJustification {
        items: Vec<i64>,
    },
    RiskNeedsJustification {
        items: Vec<i64>,
        signals: SignalSet,
    },
    /// A text field holds U+001F, the byte that separates fields in every
    /// hash recert computes: such an event could be re-split unnoticed.
    Separator {
        field: &'static str,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SignedOff { campaign } => write!(
                f,
                "campaign {campaign:?} is signed off and locked; decisions can no longer change"
            ),
            Refusal::UnknownItem { item, campaign } => {
                write!(
                    f,
                    "item {item} is not in campaign {campaign:?}; list its items with `recert items`"
                )
            }
            Refusal::OwnAccess { item, reviewer } => write!(
                f,
                "item {item} is {reviewer}'s own access; a reviewer never decides on their own access (ask another reviewer)"
            ),
            Refusal::RevokeNeedsJustification { items } => write!(
                f,
                "rule: every revoke needs a justification; add --justification TEXT (items {})",
                list(items)
            ),
            Refusal::Separator { field } => write!(
                f,
                "the {field} holds the control character U+001F, which recert's hash chains use to separate fields; remove it and try again"
            ),
            Refusal::RiskNeedsJustification { items, signals } => write!(
                f,
                "rule: certifying an item with risk signals ({}) needs a justification; add --justification TEXT (items {})",
                signals
                    .iter()
                    .map(Signal::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                list(items)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

fn list(items: &[i64]) -> String {
    const SHOWN: usize = 10;
    let shown = items
        .iter()
        .take(SHOWN)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{shown} and {more} more"),
        _ => shown,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("recording the decision: {0}")]
    Database(#[from] rusqlite::Error),
}

/// Checks and records one decision on every item of `request` in a single
/// immediate transaction: all items are decided, or none. Returns once the
/// events are durably committed.
pub fn record_decisions(
    conn: &mut Connection,
    campaign: &Campaign,
    request: &DecisionRequest<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<usize, DecideError> {
    for (field, text) in [
        ("justification", request.justification.unwrap_or("")),
        ("reviewer name", actor.reviewer.as_str()),
        ("OS user name", actor.os_user.as_str()),
        ("host name", actor.host.as_str()),
    ] {
        if text.contains('\u{1f}') {
            return Err(Refusal::Separator { field }.into());
        }
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read the state inside the write lock: another process may have signed off.
    let signed_off: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = ?1)",
        [campaign.id],
        |row| row.get(0),
    )?;
    if signed_off || campaign.state == CampaignState::SignedOff {
        return Err(Refusal::SignedOff {
            campaign: campaign.name.clone(),
        }
        .into());
    }
    check(&tx, campaign, request, actor)?;
    let decided_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut prev_hash: String = tx
        .query_row(
            "SELECT event_hash FROM decision_events WHERE campaign_id = ?1 ORDER BY id DESC LIMIT 1",
            [campaign.id],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_owned());
    let mut next_id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM decision_events",
        [],
        |row| row.get(0),
    )?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO decision_events (id, campaign_id, item_id, action, justification, reviewer,
                 os_user, host, decided_at, prev_hash, event_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for &item in request.items {
            let event = DecisionEvent {
                id: next_id,
                campaign_id: campaign.id,
                item_id: item,
                action: request.action,
                justification: request.justification.map(str::to_owned),
                reviewer: actor.reviewer.clone(),
                os_user: actor.os_user.clone(),
                host: actor.host.clone(),
                decided_at: decided_at.clone(),
                prev_hash: prev_hash.clone(),
            };
            let event_hash = event.hash();
            // Positional parameters: binding by name looks each name up
            // again for every event of a bulk decision.
            insert.execute(rusqlite::params![
                event.id,
                event.campaign_id,
                event.item_id,
                event.action.as_str(),
                event.justification,
                event.reviewer,
                event.os_user,
                event.host,
                event.decided_at,
                event.prev_hash,
                event_hash,
            ])?;
            prev_hash = event_hash;
            next_id += 1;
        }
    }
    tx.commit()?;
    Ok(request.items.len())
}

/// The rules of PRODUCT.md §4, checked for every item before anything is written.
fn check(
    conn: &Connection,
    campaign: &Campaign,
    request: &DecisionRequest<'_>,
    actor: &Actor,
) -> Result<(), DecideError> {
    let justified = request
        .justification
        .is_some_and(|text| !text.trim().is_empty());
    let reviewer = actor.reviewer.trim().to_ascii_lowercase();
    let mut unjustified_revokes = Vec::new();
    let mut unjustified_risks = Vec::new();
    let mut risk_signals = SignalSet::EMPTY;
    let mut lookup = conn.prepare_cached(
        "SELECT it.signal_mask, coalesce(i.identity_id, g.identity_ref), i.email
         FROM items it JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         WHERE it.id = ?1 AND it.campaign_id = ?2",
    )?;
    for &item in request.items {
        let Some((mask, holder, email)) = lookup
            .query_row((item, campaign.id), |row| {
                Ok((
                    row.get::<_, u32>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })
            .optional()?
        else {
            return Err(Refusal::UnknownItem {
                item,
                campaign: campaign.name.clone(),
            }
            .into());
        };
        let own = holder.trim().eq_ignore_ascii_case(&reviewer)
            || email.is_some_and(|e| e.trim().eq_ignore_ascii_case(&reviewer));
        if own {
            return Err(Refusal::OwnAccess {
                item,
                reviewer: actor.reviewer.clone(),
            }
            .into());
        }
        if justified {
            continue;
        }
        let needing = SignalSet::from_bits(mask & campaign.justify.bits());
        match request.action {
            DecisionAction::Revoke => unjustified_revokes.push(item),
            DecisionAction::Certify if !needing.is_empty() => {
                unjustified_risks.push(item);
                risk_signals = SignalSet::from_bits(risk_signals.bits() | needing.bits());
            }
            _ => {}
        }
    }
    if !unjustified_revokes.is_empty() {
        return Err(Refusal::RevokeNeedsJustification {
            items: unjustified_revokes,
        }
        .into());
    }
    if !unjustified_risks.is_empty() {
        return Err(Refusal::RiskNeedsJustification {
            items: unjustified_risks,
            signals: risk_signals,
        }
        .into());
    }
    Ok(())
}

/// One appended decision event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecisionEvent {
    pub id: i64,
    pub campaign_id: i64,
    pub item_id: i64,
    pub action: DecisionAction,
    pub justification: Option<String>,
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
    pub decided_at: String,
    pub prev_hash: String,
}

impl DecisionEvent {
    /// SHA-256 over the previous hash and every field, each preceded by 0x1F,
    /// so that changing, removing or reordering an event breaks the chain.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        for field in [
            self.id.to_string().as_str(),
            &self.campaign_id.to_string(),
            &self.item_id.to_string(),
            self.action.as_str(),
            self.justification.as_deref().unwrap_or(""),
            &self.reviewer,
            &self.os_user,
            &self.host,
            &self.decided_at,
        ] {
            hasher.update([0x1F]);
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// Every event of one item, oldest first (the detail pane's history).
pub fn history(conn: &Connection, item: i64) -> rusqlite::Result<Vec<DecisionEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, campaign_id, item_id, action, justification, reviewer, os_user, host,
                decided_at, prev_hash
         FROM decision_events WHERE item_id = ?1 ORDER BY id",
    )?;
    let events = statement
        .query_map([item], event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(events)
}

/// Maps a `decision_events` row selected in `history`'s column order.
pub fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionEvent> {
    let action: String = row.get(3)?;
    Ok(DecisionEvent {
        id: row.get(0)?,
        campaign_id: row.get(1)?,
        item_id: row.get(2)?,
        action: DecisionAction::parse(&action).unwrap_or(DecisionAction::Undo),
        justification: row.get(4)?,
        reviewer: row.get(5)?,
        os_user: row.get(6)?,
        host: row.get(7)?,
        decided_at: row.get(8)?,
        prev_hash: row.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::find_campaign;
    use crate::workspace::Workspace;
    use chrono::TimeZone;

    /// A campaign with three items held by E1 (plain), E2 (dormant) and E3,
    /// built with raw SQL so these tests need nothing but the schema.
    fn workspace() -> Workspace {
        let ws = Workspace::open_in_memory().expect("workspace");
        ws.conn
            .execute_batch(&format!(
                "INSERT INTO imports VALUES (1, '2026-11-01T00:00:00Z', 'u', 'h');
                 INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                     VALUES (1, 1, 'identities', 'canonical', 'identities', 'i.csv', '{h}', 3),
                            (2, 1, 'entitlements', 'canonical', 'entitlements', 'e.csv', '{h}', 3);
                 INSERT INTO identities (id, snapshot_id, line, identity_id, email, kind, status)
                     VALUES (1, 1, 2, 'E1', 'one@x.example', 'human', 'active'),
                            (2, 1, 3, 'E2', NULL, 'human', 'active'),
                            (3, 1, 4, 'E3', NULL, 'human', 'active');
                 INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged)
                     VALUES (1, 2, 2, 'E1', 'app', 'user', 'role', 0),
                            (2, 2, 3, 'E2', 'app', 'user', 'role', 0),
                            (3, 2, 4, 'E3', 'app', 'user', 'role', 0);
                 INSERT INTO campaigns (id, name, as_of, justify_mask, rules, created_at, created_by)
                     VALUES (1, 'Q4', '2026-11-30', {justify}, '{{}}', '2026-11-30T00:00:00Z', 'u');
                 INSERT INTO items (id, campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
                     recommendation, recommendation_reason, assigned_reviewer)
                     VALUES (1, 1, '5.18', 1, 1, 0, '[]', 'certify', 'no risk', 'M1'),
                            (2, 1, '5.18', 2, 2, {dormant}, '[\"last used 200 days ago\"]', 'revoke', 'dormant', 'M1'),
                            (3, 1, '5.18', 3, 3, 0, '[]', 'certify', 'no risk', 'M1');",
                h = "a".repeat(64),
                justify = Signal::ALL.iter().filter(|s| s.is_risk()).fold(0, |m, s| m | s.bit()),
                dormant = Signal::Dormant.bit(),
            ))
            .expect("fixture");
        ws
    }

    fn decide(
        ws: &mut Workspace,
        items: &[i64],
        action: DecisionAction,
        why: Option<&str>,
        who: &str,
    ) -> Result<usize, DecideError> {
        let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("time");
        record_decisions(
            &mut ws.conn,
            &campaign,
            &DecisionRequest {
                items,
                action,
                justification: why,
            },
            &Actor::fixed(who),
            now,
        )
    }

    fn current(ws: &Workspace, item: i64) -> Option<String> {
        ws.conn
            .query_row(
                "SELECT decision FROM item_view WHERE item_id = ?1",
                [item],
                |row| row.get(0),
            )
            .expect("item")
    }

    #[test]
    fn latest_event_is_the_current_decision_and_undo_clears_it() {
        let mut ws = workspace();
        decide(&mut ws, &[1], DecisionAction::Certify, None, "M1").expect("certify");
        assert_eq!(current(&ws, 1).as_deref(), Some("certify"));
        decide(
            &mut ws,
            &[1],
            DecisionAction::Revoke,
            Some("moved team"),
            "M1",
        )
        .expect("revoke");
        assert_eq!(current(&ws, 1).as_deref(), Some("revoke"));
        decide(&mut ws, &[1], DecisionAction::Undo, None, "M1").expect("undo");
        assert_eq!(current(&ws, 1), None);
        assert_eq!(history(&ws.conn, 1).expect("history").len(), 3);
    }

    #[test]
    fn revoke_without_justification_is_refused_naming_the_rule() {
        let mut ws = workspace();
        let err = decide(&mut ws, &[1, 3], DecisionAction::Revoke, Some("  "), "M1")
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "rule: every revoke needs a justification; add --justification TEXT (items 1, 3)"
        );
        assert_eq!(current(&ws, 1), None);
    }

    #[test]
    fn certifying_a_risk_needs_a_justification_but_a_clean_item_does_not() {
        let mut ws = workspace();
        let err =
            decide(&mut ws, &[1, 2], DecisionAction::Certify, None, "M1").expect_err("refused");
        assert!(err.to_string().contains("risk signals (dormant)"), "{err}");
        assert_eq!(current(&ws, 1), None, "all or nothing");
        decide(
            &mut ws,
            &[1, 2],
            DecisionAction::Certify,
            Some("still on call"),
            "M1",
        )
        .expect("justified");
        assert_eq!(current(&ws, 2).as_deref(), Some("certify"));
    }

    #[test]
    fn own_access_is_refused_by_id_or_email() {
        let mut ws = workspace();
        for who in ["E1", "ONE@x.example"] {
            let err = decide(&mut ws, &[1], DecisionAction::Certify, None, who).expect_err("own");
            assert!(
                matches!(
                    err,
                    DecideError::Refused(Refusal::OwnAccess { item: 1, .. })
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_items_and_signed_off_campaigns_are_refused() {
        let mut ws = workspace();
        let err = decide(&mut ws, &[99], DecisionAction::Certify, None, "M1").expect_err("unknown");
        assert!(matches!(
            err,
            DecideError::Refused(Refusal::UnknownItem { item: 99, .. })
        ));
        ws.conn
            .execute(
                "INSERT INTO signoffs VALUES (1, 'M1', 'u', 'h', '2026-12-02T00:00:00Z', 'done', ?1)",
                [GENESIS_HASH],
            )
            .expect("sign off");
        let err = decide(&mut ws, &[1], DecisionAction::Certify, None, "M1").expect_err("locked");
        assert!(matches!(
            err,
            DecideError::Refused(Refusal::SignedOff { .. })
        ));
    }

    #[test]
    fn events_are_chained_and_append_only() {
        let mut ws = workspace();
        decide(&mut ws, &[1, 3], DecisionAction::Certify, None, "M1").expect("certify");
        let events = history(&ws.conn, 3).expect("history");
        let first = &history(&ws.conn, 1).expect("history")[0];
        assert_eq!(first.prev_hash, GENESIS_HASH);
        assert_eq!(events[0].prev_hash, first.hash());
        let tamper = ws
            .conn
            .execute("UPDATE decision_events SET action = 'revoke'", []);
        assert!(tamper.is_err(), "updates are refused by a trigger");
    }
}
