//! Toxic combinations and outliers over a campaign's computed items, in
//! memory, before they are inserted (PRODUCT.md §11): no query per item.
//! A person's grants are grouped by sorting (the outliers are found in
//! `outliers`); the items that gain a signal get their reason, control and
//! recommendation again.

use color_eyre::eyre::Result;
use foldhash::{HashMap, HashMapExt};

use std::sync::{Mutex, PoisonError};

use super::compute::{Arena, Computed, NO_HOLDER, Pending};
use super::freeze::ItemContext;
use super::grant_names::{Names, RuleSide};
use super::outliers::{Outliers, outliers};
use super::peers::{Other, SodRule, sod_reason};
use super::resolve::LinkRecord;
use super::rules::Rules;
use super::signals::{certify_reason, recommend};
use crate::model::{Decision, Signal, SignalSet};
use crate::workspace::readers;

/// Two items of one person that a `[[sod]]` rule forbids together, by
/// their index among the computed items (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Conflict {
    pub a: u32,
    pub b: u32,
    pub rule: u16,
}

/// What the pass found.
#[derive(Default)]
pub(super) struct Findings {
    pub conflicts: Vec<Conflict>,
}

/// Finds the toxic combinations and outliers among `computed`'s items and
/// adds their signals, reasons, control and recommendation.
pub(super) fn apply(
    conn: &rusqlite::Connection,
    computed: &mut Computed,
    context: &ItemContext<'_>,
    controls: &[&str],
) -> Result<Findings> {
    let rules = context.rules;
    let peers = &rules.peers;
    let (conflicts, outliers) = find(conn, computed, context);
    let (conflicts, accounts) = conflicts?;
    let sod = pairs_by_item(&conflicts);
    // By item, possibly most items.
    let Outliers { by_item, sentences } = outliers?;
    // Outlier sentences go to the items as they are written, not copied
    // into each item's reasons here: most items may be outliers.
    let first_sentence = u32::try_from(computed.appended.len())?;
    computed.appended.extend(sentences);
    let Computed {
        pending,
        texts,
        links,
        names,
        appended,
        ..
    } = computed;
    let mut whys = Whys::new();
    // The items whose reasons or recommendation change, one by one: those
    // in a toxic combination, and the outliers when that signal revokes.
    // Every other outlier is filed in place on two threads. (Outliers off:
    // `by_item` is empty.)
    let one_by_one = if by_item.is_empty() || rules.revoke.contains(Signal::Outlier) {
        touched(&sod, &by_item)
    } else {
        let paired = touched(&sod, &[]);
        let filing = Filing {
            by_item: &by_item,
            first_sentence,
            rules,
            controls,
        };
        filing.file(pending, &paired, (texts, &mut whys));
        paired
    };
    let mut reasons = String::new();
    for index in one_by_one {
        let item = pending[index as usize];
        let mut new = SignalSet::EMPTY;
        let mut sod_sentence = None;
        if let Some(pairs) = sod.get(&index) {
            let accounts = (&accounts, links.as_slice());
            let others = others(&item, pairs, pending, accounts, names, &peers.sod);
            sod_sentence = Some(serde_json::to_string(&sod_reason(&others))?);
            new.insert(Signal::SodConflict);
        }
        let outlier_sentence = by_item
            .get(index as usize)
            .and_then(|sentence| sentence.checked_sub(1))
            .map(|sentence| {
                new.insert(Signal::Outlier);
                first_sentence + sentence
            });
        let signals = SignalSet::from_bits(item.signals | new.bits());
        let mut updated = item;
        updated.signals = signals.bits();
        updated.subject.signals = signals;
        updated.control =
            control_index(controls, rules.control_for(&updated.subject)).unwrap_or(item.control);
        if new.intersects(rules.revoke) || sod_sentence.is_some() {
            // The new signals come last in `Signal` order: their sentences
            // are appended to the stored JSON list.
            let outlier = outlier_sentence.map(|s| appended[s as usize].as_str());
            let added = [sod_sentence.as_deref(), outlier];
            append_reasons(
                texts.get(item.reasons),
                added.into_iter().flatten(),
                &mut reasons,
            );
            updated.reasons = texts.push(&reasons);
        } else if let Some(sentence) = outlier_sentence {
            updated.appended = sentence + 1;
        }
        if new.intersects(rules.revoke) {
            let all: Vec<String> = serde_json::from_str(&reasons)?;
            let (recommendation, why) = recommend(signals, &all, rules);
            updated.revoke = recommendation == Decision::Revoke;
            updated.why = texts.push(&why);
            updated.carry_over = false;
        } else if !item.revoke && (!item.carry_over || new.intersects(rules.justify)) {
            // Still certify; the signals to confirm are more. A carried-over
            // certification stands only while no new signal asks why.
            // Most items share a few signal sets: each sentence is stored once.
            updated.why = *whys
                .entry(signals.bits())
                .or_insert_with(|| texts.push(&certify_reason(signals, rules)));
            updated.carry_over = false;
        }
        pending[index as usize] = updated;
    }
    Ok(Findings { conflicts })
}

/// (rule, other item) by item of the toxic combinations; few.
fn pairs_by_item(conflicts: &[Conflict]) -> HashMap<u32, Vec<(u16, u32)>> {
    let mut sod: HashMap<u32, Vec<(u16, u32)>> = HashMap::new();
    for conflict in conflicts {
        sod.entry(conflict.a)
            .or_default()
            .push((conflict.rule, conflict.b));
        sod.entry(conflict.b)
            .or_default()
            .push((conflict.rule, conflict.a));
    }
    sod
}

/// The other grants `item` forms a toxic combination with (`pairs`: rule,
/// other item), for its sentence; the account holding one is named when
/// it is not the item's own, as the export wrote it.
fn others<'a>(
    item: &Pending,
    pairs: &[(u16, u32)],
    pending: &[Pending],
    (accounts, links): (&'a Accounts, &'a [LinkRecord]),
    names: &'a Names,
    rules: &'a [SodRule],
) -> Vec<Other<'a>> {
    pairs
        .iter()
        .map(|&(rule, other)| {
            let other = &pending[other as usize];
            let account = (other.link != item.link).then(|| {
                accounts.get(&other.grant_row).map_or(
                    links[other.link as usize].account_key.as_str(),
                    String::as_str,
                )
            });
            Other {
                rule: &rules[usize::from(rule)],
                grant: names.label(other.name),
                account,
            }
        })
        .collect()
}

/// The outliers whose signal asks for no revocation, outside toxic
/// combinations: most outliers, perhaps most items.
struct Filing<'a> {
    /// By item: 1 + the index of its sentence among those found, or 0.
    by_item: &'a [u32],
    /// Where the sentences found start in [`Computed::appended`].
    first_sentence: u32,
    rules: &'a Rules,
    controls: &'a [&'a str],
}

/// A certification's reason by set of signals, where it is in the texts.
type Whys = HashMap<u32, (u32, u32)>;

impl Filing<'_> {
    /// Gives each outlier not in `paired` (sorted) its signal, control,
    /// shared sentence and certification reason, in place: the items are
    /// cut in two halves, the second filed on another thread. Threads add
    /// a reason to `texts` (and `whys`) under a lock, taken only for a set
    /// of signals they have not met.
    fn file(
        &self,
        pending: &mut [Pending],
        paired: &[u32],
        (texts, whys): (&mut Arena, &mut Whys),
    ) {
        let middle = pending.len() / 2;
        let (first, second) = pending.split_at_mut(middle);
        let split = paired.partition_point(|&index| (index as usize) < middle);
        let shared = Mutex::new((texts, whys));
        std::thread::scope(|threads| {
            let later =
                threads.spawn(|| self.file_part((second, middle), &paired[split..], &shared));
            self.file_part((first, 0), &paired[..split], &shared);
            later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        });
    }

    /// [`Filing::file`] of the items from `start` on.
    fn file_part(
        &self,
        (items, start): (&mut [Pending], usize),
        paired: &[u32],
        shared: &Mutex<(&mut Arena, &mut Whys)>,
    ) {
        let rules = self.rules;
        let mut known = Whys::new();
        let mut paired = paired.iter().peekable();
        let found = &self.by_item[start..start + items.len()];
        for ((item, &sentence), index) in items.iter_mut().zip(found).zip(start..) {
            while paired.next_if(|&&p| (p as usize) < index).is_some() {}
            let in_pair = paired.next_if(|&&p| p as usize == index).is_some();
            if sentence == 0 || in_pair {
                continue;
            }
            let signals = SignalSet::from_bits(item.signals | Signal::Outlier.bit());
            item.signals = signals.bits();
            item.subject.signals = signals;
            let control = rules.control_for(&item.subject);
            item.control = control_index(self.controls, control).unwrap_or(item.control);
            item.appended = self.first_sentence + sentence;
            if !item.revoke && (!item.carry_over || rules.justify.contains(Signal::Outlier)) {
                // Still certify; the signals to confirm are more. A
                // carried-over certification stands only while no new
                // signal asks why.
                item.why = *known.entry(signals.bits()).or_insert_with(|| {
                    let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    let (texts, whys) = &mut *guard;
                    *whys
                        .entry(signals.bits())
                        .or_insert_with(|| texts.push(&certify_reason(signals, rules)))
                });
                item.carry_over = false;
            }
        }
    }
}

/// The toxic combinations with the accounts they name, found on another
/// thread through a connection of its own while this one finds the
/// outliers (both only read the items).
fn find(
    conn: &rusqlite::Connection,
    computed: &Computed,
    context: &ItemContext<'_>,
) -> (Result<(Vec<Conflict>, Accounts)>, Result<Outliers>) {
    let peers = &context.rules.peers;
    let outliers = || {
        if peers.outlier.enabled {
            outliers(computed, context)
        } else {
            Ok(Outliers::default())
        }
    };
    if peers.sod.is_empty() {
        return (Ok(Default::default()), outliers());
    }
    readers::alongside(
        conn,
        |reader| {
            let conflicts = sod_pairs(computed);
            let accounts = holder_keys(reader, computed, &conflicts)?;
            Ok((conflicts, accounts))
        },
        outliers,
    )
}

/// Where `control` is among the campaign's `controls`.
fn control_index(controls: &[&str], control: &str) -> Option<u16> {
    controls
        .iter()
        .position(|c| *c == control)
        .and_then(|p| u16::try_from(p).ok())
}

/// The items that gain a signal, in item order: those in a toxic
/// combination (few) merged into the outliers (possibly most items).
fn touched(sod: &HashMap<u32, Vec<(u16, u32)>>, outliers: &[u32]) -> Vec<u32> {
    let mut in_pairs: Vec<u32> = sod.keys().copied().collect();
    in_pairs.sort_unstable();
    let mut in_pairs = in_pairs.into_iter().peekable();
    let mut touched = Vec::new();
    for (index, sentence) in (0_u32..).zip(outliers) {
        while let Some(item) = in_pairs.next_if(|item| *item < index) {
            touched.push(item);
        }
        let paired = in_pairs.next_if_eq(&index).is_some();
        if paired || *sentence != 0 {
            touched.push(index);
        }
    }
    touched.extend(in_pairs);
    touched
}

/// Writes into `out` the JSON list `stored` with `added` (JSON strings)
/// appended. item_view does the same for a shared sentence (migration
/// 0016): the two must agree.
fn append_reasons<'a>(stored: &str, added: impl IntoIterator<Item = &'a str>, out: &mut String) {
    out.clear();
    out.push_str(stored.trim_end().trim_end_matches(']'));
    for reason in added {
        if out.trim_end().len() > 1 {
            out.push(',');
        }
        out.push_str(reason);
    }
    out.push(']');
}

/// The holder key as the export wrote it, by grant row.
type Accounts = HashMap<i64, String>;

/// The holder key of each grant in a conflict, read in a few queries of
/// many ids (a conflict's sentence names the account).
fn holder_keys(
    conn: &rusqlite::Connection,
    computed: &Computed,
    conflicts: &[Conflict],
) -> Result<Accounts> {
    let pending = &computed.pending;
    // Only a grant held through another account than its pair's is named.
    let mut rows: Vec<i64> = conflicts
        .iter()
        .filter(|c| pending[c.a as usize].link != pending[c.b as usize].link)
        .flat_map(|c| [c.a, c.b])
        .map(|index| pending[index as usize].grant_row)
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut keys = HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut select = conn.prepare(&format!(
            "SELECT id, trim(identity_ref) FROM grants WHERE id IN ({marks})"
        ))?;
        let found = select.query_map(rusqlite::params_from_iter(chunk), |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        for pair in found {
            let (id, key) = pair?;
            keys.insert(id, key);
        }
    }
    Ok(keys)
}

/// Every pair of one holder's items that a rule forbids together.
fn sod_pairs(computed: &Computed) -> Vec<Conflict> {
    let names = &computed.names;
    // (holder, grant, item) of the items that match a side of a rule.
    let mut candidates: Vec<(u32, u32, u32)> = computed
        .pending
        .iter()
        .zip(0_u32..)
        .filter(|(item, _)| item.holder != NO_HOLDER && !names.sides(item.name).is_empty())
        .map(|(item, index)| (item.holder, item.name, index))
        .collect();
    candidates.sort_unstable();
    let mut pairs = Vec::new();
    // A combination takes two grants: a holder of one has none.
    for run in candidates
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|run| run.len() > 1)
    {
        for &(_, a_name, a) in run {
            for side in names.sides(a_name).iter().filter(|side| side.a) {
                for &(_, b_name, b) in run {
                    let on_b = |other: &RuleSide| other.rule == side.rule && other.b;
                    // A grant matching both sides is no combination with itself.
                    if a_name != b_name && names.sides(b_name).iter().any(on_b) {
                        pairs.push(Conflict {
                            a: a.min(b),
                            b: a.max(b),
                            rule: side.rule,
                        });
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use foldhash::{HashMap, HashMapExt};

    use super::{Conflict, Filing, Whys, append_reasons, sod_pairs, touched};
    use crate::campaign::compute::NO_HOLDER;
    use crate::campaign::signals::certify_reason;
    use crate::campaign::test_company::Company;
    use crate::model::{Signal, SignalSet};

    /// Filing outliers in place on two threads gives each one, and only
    /// those outside a toxic combination, the signal, the control its
    /// subject now goes to, its sentence and the certification reason of
    /// its signals, each reason stored once.
    #[test]
    fn outliers_are_filed_in_place_and_pairs_left_alone() {
        let company = Company::demo();
        let context = company.context();
        let controls = company.controls();
        let mut computed = company.compute(1);
        let before = computed.pending.clone();
        let items = before.len();
        // Every third item an outlier (sentence 1 or 2); a few in pairs.
        let by_item: Vec<u32> = (0..items)
            .map(|i| {
                if i % 3 == 0 {
                    1 + u32::from(i % 2 == 0)
                } else {
                    0
                }
            })
            .collect();
        let paired = [0_u32, 3, 4, 900, u32::try_from(items - 1).expect("items")];
        let filing = Filing {
            by_item: &by_item,
            first_sentence: 10,
            rules: context.rules,
            controls: &controls,
        };
        let mut whys = Whys::new();
        filing.file(
            &mut computed.pending,
            &paired,
            (&mut computed.texts, &mut whys),
        );
        let rules = context.rules;
        let mut reasons = HashMap::new();
        for (index, (old, new)) in before.iter().zip(&computed.pending).enumerate() {
            let filed =
                by_item[index] != 0 && !paired.contains(&u32::try_from(index).expect("index"));
            if !filed {
                assert_eq!(new.signals, old.signals, "item {index} untouched");
                assert_eq!(
                    (new.appended, new.why, new.control),
                    (old.appended, old.why, old.control)
                );
                continue;
            }
            let signals = SignalSet::from_bits(old.signals | Signal::Outlier.bit());
            assert_eq!(new.signals, signals.bits(), "item {index}");
            assert_eq!(new.subject.signals, signals);
            assert_eq!(
                controls[usize::from(new.control)],
                rules.control_for(&new.subject)
            );
            assert_eq!(new.appended, 10 + by_item[index], "item {index}");
            assert_eq!(new.revoke, old.revoke);
            if old.revoke {
                assert_eq!(new.why, old.why);
            } else {
                let reason = computed.texts.get(new.why);
                assert_eq!(reason, certify_reason(signals, rules), "item {index}");
                assert!(!new.carry_over);
                // One stored reason per set of signals.
                assert_eq!(*reasons.entry(signals.bits()).or_insert(new.why), new.why);
            }
        }
        assert!(reasons.len() > 1, "{reasons:?}");
        assert_eq!(whys.len(), reasons.len());
    }

    /// The toxic combinations are every pair of one holder's items, of two
    /// grants, one matching a side of a rule and the other its other side.
    #[test]
    fn conflicts_are_every_pair_a_rule_forbids() {
        let company = Company::demo();
        let computed = company.compute(1);
        let (names, pending) = (&computed.names, &computed.pending);
        let rules = company.context().rules.peers.sod.len();
        let mut expected = Vec::new();
        for (a, x) in (0_u32..).zip(pending) {
            for (b, y) in (0_u32..).zip(pending) {
                if x.holder == NO_HOLDER || x.holder != y.holder || x.name == y.name {
                    continue;
                }
                for rule in 0..u16::try_from(rules).expect("rules") {
                    let on = |name: u32, a_side: bool| {
                        names
                            .sides(name)
                            .iter()
                            .any(|s| s.rule == rule && if a_side { s.a } else { s.b })
                    };
                    if on(x.name, true) && on(y.name, false) {
                        expected.push(Conflict {
                            a: a.min(b),
                            b: a.max(b),
                            rule,
                        });
                    }
                }
            }
        }
        expected.sort_unstable();
        expected.dedup();
        assert!(!expected.is_empty(), "the demo's toxic combination");
        assert_eq!(sod_pairs(&computed), expected);
    }

    #[test]
    fn touched_items_merge_conflicts_into_outliers_in_item_order() {
        let mut sod = HashMap::new();
        for item in [7_u32, 3, 4, 12] {
            sod.insert(item, vec![(0_u16, 0_u32)]);
        }
        let outliers = [0, 1, 0, 0, 2, 0, 0, 0, 1];
        assert_eq!(touched(&sod, &outliers), [1, 3, 4, 7, 8, 12]);
        assert_eq!(touched(&sod, &[]), [3, 4, 7, 12], "outliers off");
        assert_eq!(touched(&HashMap::new(), &outliers), [1, 4, 8]);
    }

    /// A shared sentence is not in the item's row: item_view appends it
    /// (migration 0016) exactly as `append_reasons` would have.
    #[test]
    fn item_view_appends_a_shared_sentence_as_the_pass_would() {
        let ws = crate::tui::fixture::workspace();
        let sentence =
            serde_json::to_string("held by 1 of 6 peers under manager \"Ţepeş\"").expect("json");
        ws.conn
            .execute(
                "INSERT INTO campaign_texts (id, campaign_id, text) VALUES (1, 1, ?1)",
                [&sentence],
            )
            .expect("text");
        ws.conn
            .execute("UPDATE items SET appended_text = 1 WHERE id IN (1, 7)", [])
            .expect("point at it");
        for item in [1_i64, 7, 2] {
            let (stored, shared, shown): (String, Option<i64>, String) = ws
                .conn
                .query_row(
                    "SELECT it.reasons, it.appended_text, iv.reasons FROM items it
                     JOIN item_view iv ON iv.item_id = it.id WHERE it.id = ?1",
                    [item],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .expect("item");
            let mut expected = stored.clone();
            if shared.is_some() {
                append_reasons(&stored, [sentence.as_str()], &mut expected);
            }
            assert_eq!(shown, expected, "item {item}");
        }
    }

    #[test]
    fn sentences_are_appended_to_the_stored_list() {
        let mut out = String::new();
        let sentence = "held by 1 of 5 peers in department \"R&D\"";
        let json = serde_json::to_string(sentence).expect("json");
        append_reasons("[]", [json.as_str()], &mut out);
        assert_eq!(out, r#"["held by 1 of 5 peers in department \"R&D\""]"#);
        append_reasons(
            r#"["privileged entitlement on erp"]"#,
            [json.as_str()],
            &mut out,
        );
        let list: Vec<String> = serde_json::from_str(&out).expect("a JSON list");
        assert_eq!(list, ["privileged entitlement on erp", sentence]);
    }
}
