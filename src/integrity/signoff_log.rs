//! Checking the sign-off log (schema 6): its hash chain, that every sign-off
//! is logged as it still reads and every logged sign-off still exists, and,
//! given the signer's public key, every signature.

use color_eyre::eyre::Result;
use minisign::PublicKey;
use rusqlite::Connection;

use super::{LogProblem, LogReport, ProblemKind, SignOffStatus, SignatureState};
use crate::chain::GENESIS;
use crate::evidence::signoff_log::{LogEntry, check_signature, current_record, entries};
use crate::text::for_display;

pub(super) fn check(
    conn: &Connection,
    public: Option<&PublicKey>,
    report: &mut LogReport,
) -> Result<()> {
    let log = entries(conn)?;
    check_chain(&log, report);
    let mut statement = conn.prepare("SELECT campaign_id FROM signoffs ORDER BY campaign_id")?;
    let signed_off: Vec<i64> = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for &campaign in &signed_off {
        let mine: Vec<&LogEntry> = log.iter().filter(|e| e.campaign_id == campaign).collect();
        check_campaign(conn, campaign, &mine, public, report)?;
    }
    // A logged sign-off whose row is gone: the campaign was reopened.
    let mut reported = Vec::new();
    for entry in log.iter().filter(|e| !signed_off.contains(&e.campaign_id)) {
        if reported.contains(&entry.campaign_id) {
            continue;
        }
        reported.push(entry.campaign_id);
        let who = entry.parsed().map_or_else(String::new, |r| {
            format!(
                ", by {} ({}@{}) at {}",
                for_display(&r.reviewer),
                for_display(&r.os_user),
                for_display(&r.host),
                r.signed_at
            )
        });
        report.problems.push(problem(
            ProblemKind::Reopened,
            entry.campaign_id,
            format!(
                "the campaign was signed off (sign-off log entry {}{who}) but its sign-off is gone: it was reopened outside recert",
                entry.id
            ),
        ));
    }
    Ok(())
}

fn check_chain(log: &[LogEntry], report: &mut LogReport) {
    let mut expected_id = 1_i64;
    let mut expected_prev = GENESIS.to_owned();
    for entry in log {
        if entry.id > expected_id {
            let detail = if entry.id - 1 == expected_id {
                format!("sign-off log entry {expected_id} is missing: it was deleted")
            } else {
                format!(
                    "sign-off log entries {expected_id} to {} are missing: they were deleted",
                    entry.id - 1
                )
            };
            report
                .problems
                .push(problem(ProblemKind::Deleted, entry.campaign_id, detail));
        } else if entry.prev_hash != expected_prev {
            report.problems.push(problem(
                ProblemKind::Inserted,
                entry.campaign_id,
                format!(
                    "sign-off log entry {} does not link to the entry before it: an entry was inserted, re-ordered or rewritten",
                    entry.id
                ),
            ));
        }
        if entry.computed_hash() != entry.entry_hash {
            report.problems.push(problem(
                ProblemKind::Altered,
                entry.campaign_id,
                format!(
                    "sign-off log entry {} no longer gives its entry_hash: its record or signature was changed",
                    entry.id
                ),
            ));
        }
        expected_id = entry.id.saturating_add(1);
        expected_prev.clone_from(&entry.entry_hash);
    }
}

fn check_campaign(
    conn: &Connection,
    campaign: i64,
    mine: &[&LogEntry],
    public: Option<&PublicKey>,
    report: &mut LogReport,
) -> Result<()> {
    let Some(current) = current_record(conn, campaign)? else {
        return Ok(());
    };
    if mine.is_empty() {
        report.problems.push(problem(
            ProblemKind::SignedOff,
            campaign,
            "the campaign is signed off but the sign-off log has no entry for it: the sign-off was written, or its log entry deleted, outside recert".to_owned(),
        ));
    }
    for entry in mine {
        match entry.parsed() {
            None => report.problems.push(problem(
                ProblemKind::Altered,
                campaign,
                format!(
                    "sign-off log entry {} does not hold a sign-off record recert wrote",
                    entry.id
                ),
            )),
            Some(logged) => {
                let changed = logged.differences(&current);
                if !changed.is_empty() {
                    report.problems.push(problem(
                        ProblemKind::SignedOff,
                        campaign,
                        format!(
                            "the sign-off no longer reads as logged in sign-off log entry {}: {} changed since",
                            entry.id,
                            changed.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    let signed: Vec<&&LogEntry> = mine.iter().filter(|e| e.signature.is_some()).collect();
    let latest_key = signed
        .last()
        .and_then(|e| e.signature.as_ref())
        .map(|s| s.key_id.clone());
    let state = match (public, latest_key) {
        (_, None) => {
            if public.is_some() {
                report.problems.push(problem(
                    ProblemKind::Signature,
                    campaign,
                    format!(
                        "the sign-off is not signed, so nothing outside the workspace vouches for it; sign it with: recert export {campaign} -o evidence.csv --key KEY"
                    ),
                ));
            }
            SignatureState::Unsigned
        }
        (None, Some(key_id)) => SignatureState::NotChecked { key_id },
        (Some(public), Some(key_id)) => {
            let mut good = true;
            for entry in &signed {
                if let Err(why) = check_signature(public, entry) {
                    good = false;
                    report.problems.push(problem(
                        ProblemKind::Signature,
                        campaign,
                        format!("the signature of sign-off log entry {} {why}", entry.id),
                    ));
                }
            }
            if good {
                SignatureState::Good { key_id }
            } else {
                SignatureState::Bad { key_id }
            }
        }
    };
    report.signoffs.push(SignOffStatus {
        campaign_id: campaign,
        signer: format!(
            "{} ({}@{})",
            current.reviewer, current.os_user, current.host
        ),
        signed_at: current.signed_at,
        signature: state,
    });
    Ok(())
}

fn problem(kind: ProblemKind, campaign: i64, detail: String) -> LogProblem {
    LogProblem {
        kind,
        campaign_id: Some(campaign),
        event_id: None,
        item_id: None,
        detail,
    }
}
