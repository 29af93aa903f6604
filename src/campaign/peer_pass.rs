//! Toxic combinations and outliers over a campaign's computed items, in
//! memory, before they are inserted (PRODUCT.md §11): no query per item.
//! A person's grants are grouped by sorting, peers' holdings counted in one
//! hash map; the items that gain a signal get their reason, control and
//! recommendation again.

use color_eyre::eyre::Result;
use foldhash::{HashMap, HashMapExt};

use super::compute::{Computed, NO_HOLDER, Pending};
use super::freeze::ItemContext;
use super::peers::{Group, Other, SodRule, is_outlier, outlier_reason, sod_reason};
use super::signals::{certify_reason, recommend};
use crate::identity::IdentityRow;
use crate::identity::keys::{fold, trim};
use crate::model::{Decision, Signal, SignalSet};

/// Name ids by folded entitlement, by folded system.
type NameIds = HashMap<String, HashMap<String, u32>>;

/// Distinct `system:entitlement` names of a campaign's grants, compared
/// folded, shown (and matched by `[[sod]]` patterns, which ignore ASCII
/// case) as first written. Most are credentials, each its own name (a
/// hundred thousand of a million grants): a new name costs two small
/// allocations, and merging threads' names moves them.
#[derive(Default)]
pub(super) struct Names {
    /// A few systems, each with a map small enough to stay in cache (one map of every name
    /// made a million lookups a quarter of a second slower).
    ids: NameIds,
    labels: Vec<String>,
    system: String,
    entitlement: String,
}

impl Names {
    /// The id of the grant `entitlement` on `system`.
    pub fn id(&mut self, system: &str, entitlement: &str) -> u32 {
        fold_into(system, &mut self.system);
        fold_into(entitlement, &mut self.entitlement);
        let known = self
            .ids
            .get(self.system.as_str())
            .and_then(|names| names.get(self.entitlement.as_str()));
        if let Some(&id) = known {
            return id;
        }
        let label = format!("{}:{}", trim(system), trim(entitlement));
        add(
            (&mut self.ids, &mut self.labels),
            &self.system,
            self.entitlement.clone(),
            label,
        )
    }

    /// Adds `other`'s names; returns the ids they have here, by their id there.
    /// They are added in `other`'s order, so ids do not depend on how the
    /// maps happen to iterate.
    pub fn absorb(&mut self, other: Names) -> Vec<u32> {
        let Names { ids, labels, .. } = other;
        let mut names: Vec<(u32, u32, String)> = Vec::with_capacity(labels.len());
        let mut systems: Vec<String> = Vec::with_capacity(ids.len());
        for (index, (system, entitlements)) in (0_u32..).zip(ids) {
            systems.push(system);
            names.extend(
                entitlements
                    .into_iter()
                    .map(|(entitlement, id)| (id, index, entitlement)),
            );
        }
        names.sort_unstable_by_key(|name| name.0);
        let mut labels = labels.into_iter();
        names
            .into_iter()
            .map(|(_, system, entitlement)| {
                let label = labels.next().unwrap_or_default();
                add(
                    (&mut self.ids, &mut self.labels),
                    &systems[system as usize],
                    entitlement,
                    label,
                )
            })
            .collect()
    }

    fn label(&self, id: u32) -> &str {
        self.labels.get(id as usize).map_or("", String::as_str)
    }
}

/// The id of the name (`system`, `entitlement`, both folded) in `ids`,
/// added with its `label` if new.
fn add(
    (ids, labels): (&mut NameIds, &mut Vec<String>),
    system: &str,
    entitlement: String,
    label: String,
) -> u32 {
    let next = u32::try_from(labels.len()).unwrap_or(u32::MAX);
    if !ids.contains_key(system) {
        ids.insert(system.to_owned(), HashMap::new());
    }
    let Some(names) = ids.get_mut(system) else {
        return next;
    };
    if let Some(&id) = names.get(entitlement.as_str()) {
        return id;
    }
    names.insert(entitlement, next);
    labels.push(label);
    next
}

/// `text` trimmed and ASCII case-folded, into `out`.
fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.push_str(trim(text));
    out.make_ascii_lowercase();
}

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
    let (conflicts, outliers) = find(computed, context);
    // (rule, other item) by item; few.
    let mut sod: HashMap<u32, Vec<(u16, u32)>> = HashMap::new();
    for conflict in &conflicts {
        sod.entry(conflict.a)
            .or_default()
            .push((conflict.rule, conflict.b));
        sod.entry(conflict.b)
            .or_default()
            .push((conflict.rule, conflict.a));
    }
    // By item, possibly most items.
    let Outliers { by_item, sentences } = outliers?;
    let touched = touched(&sod, &by_item);
    let accounts = holder_keys(conn, computed, &conflicts)?;
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
    let mut reasons = String::new();
    let mut whys: HashMap<u32, (u32, u32)> = HashMap::new();
    for index in touched {
        let item = pending[index as usize];
        let mut new = SignalSet::EMPTY;
        let mut sod_sentence = None;
        if let Some(pairs) = sod.get(&index) {
            let others = pairs.iter().map(|&(rule, other)| {
                let other = &pending[other as usize];
                let account = (other.link != item.link).then(|| {
                    accounts.get(&other.grant_row).map_or(
                        links[other.link as usize].account_key.as_str(),
                        String::as_str,
                    )
                });
                Other {
                    rule: &peers.sod[usize::from(rule)],
                    grant: names.label(other.name),
                    account,
                }
            });
            sod_sentence = Some(serde_json::to_string(&sod_reason(
                &others.collect::<Vec<_>>(),
            ))?);
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

/// The toxic combinations, found on another thread while this one finds
/// the outliers (both only read the items).
fn find(computed: &Computed, context: &ItemContext<'_>) -> (Vec<Conflict>, Result<Outliers>) {
    let peers = &context.rules.peers;
    std::thread::scope(|threads| {
        let pairs =
            (!peers.sod.is_empty()).then(|| threads.spawn(|| sod_pairs(computed, &peers.sod)));
        let outliers = if peers.outlier.enabled {
            outliers(computed, context)
        } else {
            Ok(Outliers::default())
        };
        let conflicts = pairs.map_or_else(Vec::new, |pairs| {
            pairs
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (conflicts, outliers)
    })
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

/// The holder key as the export wrote it of each grant in a conflict, read
/// in a few queries of many ids (a conflict's sentence names the account).
fn holder_keys(
    conn: &rusqlite::Connection,
    computed: &Computed,
    conflicts: &[Conflict],
) -> Result<HashMap<i64, String>> {
    let mut rows: Vec<i64> = conflicts
        .iter()
        .flat_map(|c| [c.a, c.b])
        .map(|index| computed.pending[index as usize].grant_row)
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
fn sod_pairs(computed: &Computed, rules: &[SodRule]) -> Vec<Conflict> {
    // The rule sides each distinct grant matches: (rule, a, b).
    let sides: Vec<Vec<(u16, bool, bool)>> = computed
        .names
        .labels
        .iter()
        .map(|name| {
            rules
                .iter()
                .enumerate()
                .filter_map(|(rule, r)| {
                    let (a, b) = r.sides(name);
                    let rule = u16::try_from(rule).ok()?;
                    (a || b).then_some((rule, a, b))
                })
                .collect()
        })
        .collect();
    let side_of = |index: u32| {
        let name = computed.pending[index as usize].name;
        sides.get(name as usize).map_or(&[][..], Vec::as_slice)
    };
    let mut candidates: Vec<(u32, u32)> = computed
        .pending
        .iter()
        .zip(0_u32..)
        .filter(|(item, index)| item.holder != NO_HOLDER && !side_of(*index).is_empty())
        .map(|(item, index)| (item.holder, index))
        .collect();
    candidates.sort_unstable();
    let mut pairs = Vec::new();
    for run in candidates.chunk_by(|x, y| x.0 == y.0) {
        for rule in 0..u16::try_from(rules.len()).unwrap_or(u16::MAX) {
            let on = |want_a: bool| -> Vec<u32> {
                run.iter()
                    .map(|(_, index)| *index)
                    .filter(|&index| {
                        side_of(index)
                            .iter()
                            .any(|&(r, a, b)| r == rule && if want_a { a } else { b })
                    })
                    .collect()
            };
            let a = on(true);
            if a.is_empty() {
                continue;
            }
            for y in on(false) {
                for &x in &a {
                    let same =
                        computed.pending[x as usize].name == computed.pending[y as usize].name;
                    if x != y && !same {
                        pairs.push(Conflict {
                            a: x.min(y),
                            b: x.max(y),
                            rule,
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

/// Department group keys, apart from managers' row indices.
const DEPARTMENT: u32 = 1 << 31;

/// An entry that counts a holding without judging an item.
const JUST_COUNTED: u32 = u32::MAX;

/// The items whose grant few of the holder's peers hold, with their
/// sentence; the items of one group whose grants as many others hold share
/// theirs.
#[derive(Default)]
struct Outliers {
    /// By item: 1 + the index of its sentence, or 0 (not an outlier).
    by_item: Vec<u32>,
    /// Each as a JSON string, written once for all the items it is
    /// appended to.
    sentences: Vec<String>,
}

/// The items whose grant few of the holder's peers hold, with their sentence.
fn outliers(computed: &Computed, context: &ItemContext<'_>) -> Result<Outliers> {
    let rules = context.rules.peers.outlier;
    let resolver = context.resolver;
    let persons = resolver.persons();
    let persons_end = u32::try_from(resolver.person_count()).unwrap_or(u32::MAX);
    let peer = |row: &IdentityRow| !row.kind.is_non_human() && row.is_active_on(context.as_of);
    // Group sizes: persons under each manager, persons in each department.
    let mut manager_size: HashMap<u32, u32> = HashMap::new();
    let mut departments: HashMap<String, u32> = HashMap::new();
    let mut department_names: Vec<&str> = Vec::new();
    let mut department_size: Vec<u32> = Vec::new();
    let mut department_of: Vec<u32> = vec![NO_HOLDER; persons.len()];
    for (index, row) in (0_u32..).zip(persons) {
        if !peer(row) {
            continue;
        }
        if let Some(manager) = resolver.manager_of(index) {
            *manager_size.entry(manager).or_default() += 1;
        }
        if let Some(name) = row.department.as_deref().map(str::trim) {
            if !name.is_empty() {
                let next = u32::try_from(department_names.len()).unwrap_or(u32::MAX);
                let id = *departments.entry(fold(name)).or_insert_with(|| {
                    department_names.push(name);
                    department_size.push(0);
                    next
                });
                department_size[id as usize] += 1;
                department_of[index as usize] = id;
            }
        }
    }
    let enough = |size: u32| size.saturating_sub(1) >= rules.min_peers;
    // Group keys: a manager's row index, or DEPARTMENT | a department's id.
    let groups = |person: u32| -> [Option<u32>; 2] {
        let manager = resolver.manager_of(person);
        let department = department_of[person as usize];
        [
            manager,
            (department != NO_HOLDER).then_some(DEPARTMENT | department),
        ]
    };
    // The group a person is compared in: their manager's team when it is
    // big enough, else their department.
    let group_of = |person: u32| -> Option<u32> {
        let [manager, department] = groups(person);
        manager
            .filter(|m| enough(manager_size.get(m).copied().unwrap_or(0)))
            .or_else(|| department.filter(|d| enough(department_size[(d & !DEPARTMENT) as usize])))
    };
    let eligible = |holder: u32| holder < persons_end && peer(resolver.row(holder));
    // A credential (an API key, an SSH key, a password) is its holder's
    // own: no peer holds the same one, so peers say nothing about it.
    let compared =
        |item: &Pending| !item.subject.grant_type.is_credential() && eligible(item.holder);
    // Per group of comparison, what its members hold, one entry per item:
    // (group, grant, holder, item judged here or JUST_COUNTED), sorted so
    // each (group, grant) is one run. A department someone is compared in
    // also counts the holdings of its members compared in their team.
    let mut judged = vec![false; department_size.len()];
    // Each person's group, once known (persons are the first rows).
    let mut group_of_person: Vec<Option<Option<u32>>> = vec![None; persons.len()];
    let mut entries: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(computed.pending.len());
    for (item, index) in computed.pending.iter().zip(0_u32..) {
        if !compared(item) {
            continue;
        }
        let group =
            *group_of_person[item.holder as usize].get_or_insert_with(|| group_of(item.holder));
        if let Some(group) = group {
            if group & DEPARTMENT != 0 {
                judged[(group & !DEPARTMENT) as usize] = true;
            }
            entries.push((group, item.name, item.holder, index));
        }
    }
    if judged.iter().any(|j| *j) {
        for item in &computed.pending {
            if !compared(item) {
                continue;
            }
            let [_, department] = groups(item.holder);
            let own = group_of_person[item.holder as usize].flatten();
            if let Some(d) = department.filter(|d| judged[(d & !DEPARTMENT) as usize]) {
                if own != Some(d) {
                    entries.push((d, item.name, item.holder, JUST_COUNTED));
                }
            }
        }
    }
    entries.sort_unstable();
    let size_of = |group: u32| -> (u32, Group<'_>) {
        if group & DEPARTMENT == 0 {
            (
                manager_size.get(&group).copied().unwrap_or(0),
                Group::Manager(""),
            )
        } else {
            let department = (group & !DEPARTMENT) as usize;
            (
                department_size[department],
                Group::Department(department_names[department]),
            )
        }
    };
    judge(&entries, size_of, computed.pending.len(), context)
}

/// The judged items (of `items`) of each (group, grant) run of `entries`
/// that is an outlier, with their sentence.
fn judge<'a>(
    entries: &[(u32, u32, u32, u32)],
    size_of: impl Fn(u32) -> (u32, Group<'a>),
    items: usize,
    context: &ItemContext<'_>,
) -> Result<Outliers> {
    let rules = context.rules.peers.outlier;
    let mut found = Outliers {
        by_item: vec![0; items],
        sentences: Vec::new(),
    };
    let mut labels: HashMap<u32, String> = HashMap::new();
    // The sentences of the group being judged, by how many others hold the
    // grant: a group's runs are consecutive, and with random access most
    // of its grants are outliers held by one or two of its members.
    let mut group_sentences: (u32, HashMap<u32, u32>) = (u32::MAX, HashMap::new());
    for run in entries.chunk_by(|x, y| x.0 == y.0 && x.1 == y.1) {
        let group = run[0].0;
        if group_sentences.0 != group {
            group_sentences.0 = group;
            group_sentences.1.clear();
        }
        let mut holders = 0_u32;
        let mut last = None;
        for &(_, _, holder, _) in run {
            if last != Some(holder) {
                holders += 1;
                last = Some(holder);
            }
        }
        let (size, label) = size_of(group);
        let (peers, others) = (size.saturating_sub(1), holders.saturating_sub(1));
        if !is_outlier(others, peers, &rules) {
            continue;
        }
        let sentence = if let Some(&sentence) = group_sentences.1.get(&others) {
            sentence
        } else {
            let reason = match label {
                Group::Manager(_) => {
                    let manager = labels
                        .entry(group)
                        .or_insert_with(|| context.resolver.row(group).label());
                    outlier_reason(others, peers, Group::Manager(manager))
                }
                department @ Group::Department(_) => outlier_reason(others, peers, department),
            };
            let sentence = u32::try_from(found.sentences.len()).unwrap_or(u32::MAX);
            found.sentences.push(serde_json::to_string(&reason)?);
            group_sentences.1.insert(others, sentence);
            sentence
        };
        for &(_, _, _, index) in run.iter().filter(|e| e.3 != JUST_COUNTED) {
            found.by_item[index as usize] = sentence + 1;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use foldhash::{HashMap, HashMapExt};

    use super::{append_reasons, touched};

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
