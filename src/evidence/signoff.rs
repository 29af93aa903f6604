//! Signing off a fully decided campaign: records who, when, the statement
//! and the evidence chain's final hash, which locks the campaign.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, named_params};

use super::export::{ExportError, write_evidence};
use super::keys::SigningKey;
use super::signoff_log::log_sign_off;
use crate::actor::Actor;
use crate::campaign::{Campaign, ranges};

/// A campaign's sign-off, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub campaign_id: i64,
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
    /// RFC 3339 UTC with milliseconds, as stored.
    pub signed_at: String,
    pub statement: String,
    /// `row_hash` of the last evidence row at sign-off (64 zeros when the
    /// campaign has no items).
    pub final_hash: String,
    pub items: u64,
    pub certified: u64,
    pub revoked: u64,
}

impl SignOff {
    /// `reviewer (os_user@host)`, as the evidence names people.
    pub fn signer(&self) -> String {
        format!("{} ({}@{})", self.reviewer, self.os_user, self.host)
    }
}

/// Why a sign-off was refused or failed; nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum SignOffError {
    #[error(
        "{count} item(s) are still undecided (the first is item {first_item}); decide every item before signing off"
    )]
    Undecided { count: u64, first_item: i64 },
    #[error("the campaign is already signed off; its decisions and evidence are final")]
    AlreadySignedOff,
    #[error("the sign-off statement is empty; say what you attest to, e.g. --statement TEXT")]
    EmptyStatement,
    #[error(
        "the sign-off statement or reviewer name holds the control character U+001F (unit separator), which recert's hashes put between fields; remove it"
    )]
    Separator,
    #[error("recording the sign-off")]
    Database(#[from] rusqlite::Error),
    #[error("computing the evidence chain")]
    Evidence(#[source] ExportError),
    #[error("logging the sign-off: {0}")]
    Log(String),
}

impl From<ExportError> for SignOffError {
    fn from(err: ExportError) -> Self {
        match err {
            ExportError::Database(err) => SignOffError::Database(err),
            other => SignOffError::Evidence(other),
        }
    }
}

/// Signs off `campaign` in one immediate transaction: refuses an empty
/// statement, a campaign already signed off and any undecided item, then
/// computes the evidence chain and records the sign-off with its final
/// hash, and logs it (unsigned). From then on the database refuses new
/// decision events.
pub fn sign_off(
    conn: &mut Connection,
    campaign: &Campaign,
    actor: &Actor,
    statement: &str,
    now: DateTime<Utc>,
) -> Result<SignOff, SignOffError> {
    sign_off_with_key(conn, campaign, actor, statement, None, now)
}

/// [`sign_off`], and with `key` the sign-off record is signed too, in the
/// same transaction, and its signature kept in the sign-off log.
pub fn sign_off_with_key(
    conn: &mut Connection,
    campaign: &Campaign,
    actor: &Actor,
    statement: &str,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<SignOff, SignOffError> {
    let statement = statement.trim();
    if statement.is_empty() {
        return Err(SignOffError::EmptyStatement);
    }
    if [statement, &actor.reviewer]
        .iter()
        .any(|t| t.contains('\u{1f}'))
    {
        return Err(SignOffError::Separator);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Checked inside the write lock: another reviewer may have signed off.
    if is_signed_off(&tx, campaign.id)? {
        return Err(SignOffError::AlreadySignedOff);
    }
    let (count, first_item): (u64, Option<i64>) = tx.query_row(
        &format!(
            "SELECT count(*), min(it.id) FROM items it
             LEFT JOIN current_decisions cd ON cd.item_id = it.id
             WHERE {} AND cd.item_id IS NULL",
            ranges::in_campaign(ranges::ITEMS_AS_IT, "?1")
        ),
        [campaign.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if let (1.., Some(first_item)) = (count, first_item) {
        return Err(SignOffError::Undecided { count, first_item });
    }
    let summary = write_evidence(&tx, campaign, std::io::sink())?;
    let signoff = SignOff {
        campaign_id: campaign.id,
        reviewer: actor.reviewer.clone(),
        os_user: actor.os_user.clone(),
        host: actor.host.clone(),
        signed_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        statement: statement.to_owned(),
        final_hash: summary.last_hash,
        items: summary.rows,
        certified: summary.certified,
        revoked: summary.revoked,
    };
    tx.execute(
        "INSERT INTO signoffs (campaign_id, reviewer, os_user, host, signed_at, statement, final_hash)
         VALUES (:campaign, :reviewer, :os_user, :host, :signed_at, :statement, :final_hash)",
        named_params! {
            ":campaign": signoff.campaign_id,
            ":reviewer": signoff.reviewer,
            ":os_user": signoff.os_user,
            ":host": signoff.host,
            ":signed_at": signoff.signed_at,
            ":statement": signoff.statement,
            ":final_hash": signoff.final_hash,
        },
    )?;
    log_sign_off(&tx, campaign.id, key, &signoff.signed_at)
        .map_err(|err| SignOffError::Log(format!("{err:#}")))?;
    // Its revocations are followed from here on (PRODUCT.md §7).
    crate::remediation::track_sign_off(&tx, campaign.id)?;
    // And its decisions are a later campaign's baseline.
    crate::campaign::baseline::record_sign_off(&tx, campaign.id)?;
    tx.commit()?;
    Ok(signoff)
}

fn is_signed_off(conn: &Connection, campaign: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = ?1)",
        [campaign],
        |row| row.get(0),
    )
}

/// The campaign's sign-off, if it has one, with its current decision counts.
pub fn load_sign_off(conn: &Connection, campaign: i64) -> rusqlite::Result<Option<SignOff>> {
    conn.query_row(
        "SELECT s.reviewer, s.os_user, s.host, s.signed_at, s.statement, s.final_hash,
             (SELECT count(*) FROM items WHERE campaign_id = s.campaign_id),
             (SELECT count(*) FROM current_decisions WHERE campaign_id = s.campaign_id AND decision = 'certify'),
             (SELECT count(*) FROM current_decisions WHERE campaign_id = s.campaign_id AND decision = 'revoke')
         FROM signoffs s WHERE s.campaign_id = ?1",
        [campaign],
        |row| {
            Ok(SignOff {
                campaign_id: campaign,
                reviewer: row.get(0)?,
                os_user: row.get(1)?,
                host: row.get(2)?,
                signed_at: row.get(3)?,
                statement: row.get(4)?,
                final_hash: row.get(5)?,
                items: row.get(6)?,
                certified: row.get(7)?,
                revoked: row.get(8)?,
            })
        },
    )
    .optional()
}

/// The ids of up to `limit` undecided items, lowest first, for error messages.
pub fn undecided_items(conn: &Connection, campaign: i64, limit: u32) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.id FROM items it
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE {} AND cd.item_id IS NULL ORDER BY it.id LIMIT ?2",
        ranges::in_campaign(ranges::ITEMS_AS_IT, "?1")
    ))?;
    statement
        .query_map((campaign, limit), |row| row.get(0))?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{DecideError, Refusal};
    use crate::evidence::fixture;
    use crate::model::DecisionAction;

    #[test]
    fn undecided_items_block_sign_off_and_name_the_first() {
        let mut ws = fixture::workspace();
        fixture::decide(&mut ws, &[1, 2], DecisionAction::Certify, "needed");
        let campaign = fixture::campaign(&ws);
        let err = sign_off(
            &mut ws.conn,
            &campaign,
            &Actor::fixed("CISO"),
            "done",
            fixture::at(10),
        )
        .expect_err("undecided");
        assert!(
            matches!(
                err,
                SignOffError::Undecided {
                    count: 3,
                    first_item: 3
                }
            ),
            "{err}"
        );
        assert_eq!(undecided_items(&ws.conn, 1, 2).expect("ids"), [3, 4]);
        assert_eq!(load_sign_off(&ws.conn, 1).expect("load"), None);
    }

    #[test]
    fn sign_off_records_the_final_hash_and_locks_decisions() {
        let mut ws = fixture::workspace();
        fixture::decide_all(&mut ws);
        let campaign = fixture::campaign(&ws);
        let done = sign_off(
            &mut ws.conn,
            &campaign,
            &Actor::fixed("CISO"),
            "  I attest.  ",
            fixture::at(10),
        )
        .expect("sign off");
        let summary = write_evidence(&ws.conn, &campaign, std::io::sink()).expect("export");
        assert_eq!(done.final_hash, summary.last_hash);
        assert_eq!((done.items, done.certified, done.revoked), (5, 3, 2));
        assert_eq!(done.statement, "I attest.");
        assert_eq!(done.signer(), "CISO (tester@testhost)");
        assert_eq!(load_sign_off(&ws.conn, 1).expect("load"), Some(done));

        let campaign = fixture::campaign(&ws);
        let again = sign_off(
            &mut ws.conn,
            &campaign,
            &Actor::fixed("CISO"),
            "x",
            fixture::at(11),
        );
        assert!(matches!(again, Err(SignOffError::AlreadySignedOff)));
        let decide = crate::campaign::record_decisions(
            &mut ws.conn,
            &campaign,
            &crate::campaign::DecisionRequest {
                items: &[2],
                action: DecisionAction::Undo,
                justification: None,
                extras: crate::campaign::EventExtras::default(),
            },
            &Actor::fixed("M1"),
            fixture::at(12),
        );
        assert!(matches!(
            decide,
            Err(DecideError::Refused(Refusal::SignedOff { .. }))
        ));
    }

    #[test]
    fn an_empty_statement_is_refused() {
        let mut ws = fixture::workspace();
        fixture::decide_all(&mut ws);
        let campaign = fixture::campaign(&ws);
        let err = sign_off(
            &mut ws.conn,
            &campaign,
            &Actor::fixed("CISO"),
            " \n",
            fixture::at(10),
        );
        assert!(matches!(err, Err(SignOffError::EmptyStatement)));
    }
}
