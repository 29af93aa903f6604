//! Outliers (PRODUCT.md §11): the items whose grant few of the holder's
//! peers hold, over a campaign's computed items, in memory. Each person is
//! compared in one group (their manager's team when it is big enough, else
//! their department); the group's holdings are bucketed together, then each
//! bucket is sorted and judged on its own, the buckets split over two
//! threads. One sort of every holding took three times as long.

use color_eyre::eyre::Result;
use foldhash::{HashMap, HashMapExt};

use super::compute::{Computed, NO_HOLDER, Pending};
use super::freeze::ItemContext;
use super::peers::{Group, is_outlier, outlier_reason};
use crate::identity::IdentityRow;
use crate::identity::keys::fold;

/// Department group keys, apart from managers' row indices.
const DEPARTMENT: u32 = 1 << 31;

/// A holding that counts towards its group without an item judged there.
const JUST_COUNTED: u32 = u32::MAX;

/// A person in no group of comparison.
const NO_GROUP: u32 = u32::MAX;

/// The items whose grant few of the holder's peers hold, with their
/// sentence; the items of one group whose grants as many others hold share
/// theirs.
#[derive(Default)]
pub(super) struct Outliers {
    /// By item: 1 + the index of its sentence, or 0 (not an outlier).
    pub by_item: Vec<u32>,
    /// Each as a JSON string, written once for all the items it is
    /// appended to.
    pub sentences: Vec<String>,
}

/// The groups of comparison: their members' number and name, and each
/// person's.
struct Groups<'a> {
    /// By group: its key (a manager's row index, or `DEPARTMENT` | a
    /// department's id).
    keys: Vec<u32>,
    /// By person: the group they are compared in, or [`NO_GROUP`].
    own: Vec<u32>,
    /// By person: their department's group, or [`NO_GROUP`] (none, or too
    /// small to compare in).
    department: Vec<u32>,
    manager_size: HashMap<u32, u32>,
    department_names: Vec<&'a str>,
    department_size: Vec<u32>,
}

impl<'a> Groups<'a> {
    /// Each person's group: their manager's team when it has at least
    /// `min_peers` peers besides them, else their department when that has.
    /// Peers are the active human persons.
    fn of(context: &ItemContext<'a>) -> Groups<'a> {
        let rules = context.rules.peers.outlier;
        let resolver = context.resolver;
        let persons = resolver.persons();
        let peer = |row: &IdentityRow| !row.kind.is_non_human() && row.is_active_on(context.as_of);
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
        let mut groups = Groups {
            keys: Vec::new(),
            own: vec![NO_GROUP; persons.len()],
            department: vec![NO_GROUP; persons.len()],
            manager_size,
            department_names,
            department_size,
        };
        let mut slots: HashMap<u32, u32> = HashMap::new();
        let mut slot = |key: u32, keys: &mut Vec<u32>| {
            *slots.entry(key).or_insert_with(|| {
                keys.push(key);
                u32::try_from(keys.len() - 1).unwrap_or(u32::MAX)
            })
        };
        for (index, row) in (0_u32..).zip(persons) {
            if !peer(row) {
                continue;
            }
            let department = department_of[index as usize];
            let department = (department != NO_HOLDER
                && enough(groups.department_size[department as usize]))
            .then_some(DEPARTMENT | department);
            let manager = resolver
                .manager_of(index)
                .filter(|m| enough(groups.manager_size.get(m).copied().unwrap_or(0)));
            if let Some(key) = manager.or(department) {
                groups.own[index as usize] = slot(key, &mut groups.keys);
            }
            if let Some(key) = department {
                groups.department[index as usize] = slot(key, &mut groups.keys);
            }
        }
        groups
    }

    /// The members' number and the name of the group with `key`.
    fn size_of(&self, key: u32) -> (u32, Group<'a>) {
        if key & DEPARTMENT == 0 {
            let size = self.manager_size.get(&key).copied().unwrap_or(0);
            (size, Group::Manager(""))
        } else {
            let department = (key & !DEPARTMENT) as usize;
            (
                self.department_size[department],
                Group::Department(self.department_names[department]),
            )
        }
    }
}

/// What a group's members hold, one entry per item: (grant, holder, item
/// judged here or [`JUST_COUNTED`]), the entries of each group together.
struct Buckets {
    entries: Vec<(u32, u32, u32)>,
    /// By group: where its entries start; one more at the end.
    starts: Vec<usize>,
}

impl Buckets {
    /// The holdings of every group. A department someone is compared in
    /// also counts the holdings of its members compared in their team.
    fn of(computed: &Computed, groups: &Groups<'_>) -> Buckets {
        let persons = groups.own.len();
        // A credential (an API key, an SSH key, a password) is its holder's
        // own: no peer holds the same one, so peers say nothing about it.
        let compared = |item: &Pending| {
            !item.subject.grant_type.is_credential()
                && item.holder != NO_HOLDER
                && (item.holder as usize) < persons
                && groups.own[item.holder as usize] != NO_GROUP
        };
        // (holder, grant, item) of the compared items: a tenth of the size
        // of the items the later passes would otherwise read again.
        let held: Vec<(u32, u32, u32)> = computed
            .pending
            .iter()
            .zip(0_u32..)
            .filter(|(item, _)| compared(item))
            .map(|(item, index)| (item.holder, item.name, index))
            .collect();
        let mut judged = vec![false; groups.keys.len()];
        for &(holder, _, _) in &held {
            judged[groups.own[holder as usize] as usize] = true;
        }
        // The department a holding is also counted in.
        let also = |holder: u32| {
            let department = groups.department[holder as usize];
            (department != NO_GROUP
                && judged[department as usize]
                && department != groups.own[holder as usize])
                .then_some(department)
        };
        let mut starts = vec![0_usize; groups.keys.len() + 1];
        for &(holder, _, _) in &held {
            starts[groups.own[holder as usize] as usize + 1] += 1;
            if let Some(department) = also(holder) {
                starts[department as usize + 1] += 1;
            }
        }
        for group in 1..starts.len() {
            starts[group] += starts[group - 1];
        }
        let mut next = starts.clone();
        let mut entries = vec![(0, 0, 0); starts.last().copied().unwrap_or(0)];
        let mut put = |group: u32, entry: (u32, u32, u32)| {
            let slot = &mut next[group as usize];
            entries[*slot] = entry;
            *slot += 1;
        };
        for &(holder, name, index) in &held {
            put(groups.own[holder as usize], (name, holder, index));
            if let Some(department) = also(holder) {
                put(department, (name, holder, JUST_COUNTED));
            }
        }
        Buckets { entries, starts }
    }
}

/// The items whose grant few of the holder's peers hold, with their sentence.
pub(super) fn outliers(computed: &Computed, context: &ItemContext<'_>) -> Result<Outliers> {
    outliers_in_parts(computed, context, 2)
}

/// [`outliers`], the groups judged in `parts` of about as many entries
/// each, all but the first on threads of their own.
fn outliers_in_parts(
    computed: &Computed,
    context: &ItemContext<'_>,
    parts: usize,
) -> Result<Outliers> {
    let groups = Groups::of(context);
    let Buckets {
        mut entries,
        starts,
    } = Buckets::of(computed, &groups);
    // The first group of each part, and the end.
    let total = entries.len();
    let mut cuts: Vec<usize> = (0..parts)
        .map(|part| starts.partition_point(|&start| start < total * part / parts))
        .collect();
    cuts.push(starts.len() - 1);
    let mut rest = entries.as_mut_slice();
    let mut slices = Vec::with_capacity(parts);
    for bounds in cuts.windows(2) {
        let (part, later) = rest.split_at_mut(starts[bounds[1]] - starts[bounds[0]]);
        slices.push((part, &starts[bounds[0]..=bounds[1]], bounds[0]));
        rest = later;
    }
    let judged: Vec<Result<Judged>> = std::thread::scope(|threads| {
        let mut slices = slices.into_iter();
        let first = slices.next();
        let others: Vec<_> = slices
            .map(|(part, starts, group)| {
                let groups = &groups;
                threads.spawn(move || judge(part, (starts, group), groups, context))
            })
            .collect();
        let mut judged = Vec::with_capacity(parts);
        if let Some((part, starts, group)) = first {
            judged.push(judge(part, (starts, group), &groups, context));
        }
        for other in others {
            judged.push(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        judged
    });
    let mut found = Outliers {
        by_item: vec![0; computed.pending.len()],
        sentences: Vec::new(),
    };
    for part in judged {
        let (sentences, marks) = part?;
        let first = u32::try_from(found.sentences.len())?;
        for (index, sentence) in marks {
            found.by_item[index as usize] = first + sentence + 1;
        }
        found.sentences.extend(sentences);
    }
    Ok(found)
}

/// What [`judge`] found in some groups' buckets: the sentences, and the
/// items they go to as (item, index of the sentence).
type Judged = (Vec<String>, Vec<(u32, u32)>);

/// Sorts each group's bucket so each grant is one run of holders and
/// judges the runs: an outlier's items get the group's sentence for as
/// many others holding the grant. `entries` are the buckets of the groups
/// from `first` on, which start at `starts` less the first's start.
fn judge(
    entries: &mut [(u32, u32, u32)],
    (starts, first): (&[usize], usize),
    groups: &Groups<'_>,
    context: &ItemContext<'_>,
) -> Result<Judged> {
    let rules = context.rules.peers.outlier;
    let mut sentences = Vec::new();
    let mut marks = Vec::new();
    let offset = starts.first().copied().unwrap_or(0);
    // The group's sentences by how many others hold the grant: with random
    // access most of a group's grants are outliers held by one or two.
    let mut by_others: HashMap<u32, u32> = HashMap::new();
    for (group, bounds) in (first..).zip(starts.windows(2)) {
        let bucket = &mut entries[bounds[0] - offset..bounds[1] - offset];
        if bucket.is_empty() {
            continue;
        }
        // One key of grant and holder: the item does not matter to the order.
        bucket
            .sort_unstable_by_key(|&(name, holder, _)| (u64::from(name) << 32) | u64::from(holder));
        by_others.clear();
        let key = groups.keys[group];
        let (size, label) = groups.size_of(key);
        let peers = size.saturating_sub(1);
        let mut manager = None;
        for run in bucket.chunk_by(|x, y| x.0 == y.0) {
            let mut holders = 0_u32;
            let mut last = None;
            for &(_, holder, _) in run {
                if last != Some(holder) {
                    holders += 1;
                    last = Some(holder);
                }
            }
            let others = holders.saturating_sub(1);
            if !is_outlier(others, peers, &rules) {
                continue;
            }
            let sentence = if let Some(&sentence) = by_others.get(&others) {
                sentence
            } else {
                let reason = match label {
                    Group::Manager(_) => {
                        let manager =
                            manager.get_or_insert_with(|| context.resolver.row(key).label());
                        outlier_reason(others, peers, Group::Manager(manager))
                    }
                    department @ Group::Department(_) => outlier_reason(others, peers, department),
                };
                let sentence = u32::try_from(sentences.len())?;
                sentences.push(serde_json::to_string(&reason)?);
                by_others.insert(others, sentence);
                sentence
            };
            for &(_, _, index) in run.iter().filter(|e| e.2 != JUST_COUNTED) {
                marks.push((index, sentence));
            }
        }
    }
    Ok((sentences, marks))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::campaign::test_company::Company;

    /// The outliers with their sentence: (item, sentence).
    fn flagged(found: &Outliers) -> Vec<(usize, &str)> {
        found
            .by_item
            .iter()
            .enumerate()
            .filter_map(|(item, &s)| {
                Some((item, found.sentences[s.checked_sub(1)? as usize].as_str()))
            })
            .collect()
    }

    /// Counts, for each item, the holders of its grant among the members
    /// of the holder's group one by one, and checks the buckets judged in
    /// any number of parts find the same outliers with the same sentences.
    #[test]
    fn outliers_are_what_counting_each_groups_holders_one_by_one_gives() {
        let company = Company::demo();
        let context = company.context();
        let rules = context.rules.peers.outlier;
        assert!(rules.enabled, "the demo's rules turn outliers on");
        let computed = company.compute(1);
        let groups = Groups::of(&context);
        let persons = u32::try_from(groups.own.len()).expect("persons");
        let compared = |item: &Pending| {
            !item.subject.grant_type.is_credential()
                && item.holder < persons
                && groups.own[item.holder as usize] != NO_GROUP
        };
        let mut expected: Vec<Option<String>> = vec![None; computed.pending.len()];
        let mut kinds = HashSet::new();
        for (item, slot) in computed.pending.iter().zip(&mut expected) {
            if !compared(item) {
                continue;
            }
            let group = groups.own[item.holder as usize];
            let key = groups.keys[group as usize];
            // A department counts every member; a team those compared in it.
            let member = |person: u32| {
                let department = key & DEPARTMENT != 0;
                groups.own[person as usize] == group
                    || (department && groups.department[person as usize] == group)
            };
            let holders: HashSet<u32> = computed
                .pending
                .iter()
                .filter(|other| compared(other) && other.name == item.name && member(other.holder))
                .map(|other| other.holder)
                .collect();
            let (size, label) = groups.size_of(key);
            let others = u32::try_from(holders.len() - 1).expect("holders");
            if is_outlier(others, size - 1, &rules) {
                let reason = match label {
                    Group::Manager(_) => {
                        let manager = context.resolver.row(key).label();
                        outlier_reason(others, size - 1, Group::Manager(&manager))
                    }
                    department @ Group::Department(_) => {
                        outlier_reason(others, size - 1, department)
                    }
                };
                kinds.insert(matches!(label, Group::Manager(_)));
                *slot = Some(serde_json::to_string(&reason).expect("json"));
            }
        }
        let expected: Vec<(usize, &str)> = expected
            .iter()
            .enumerate()
            .filter_map(|(item, sentence)| Some((item, sentence.as_deref()?)))
            .collect();
        assert!(
            expected.len() >= 5 && expected.len() < computed.pending.len() / 4,
            "a few outliers: {}",
            expected.len()
        );
        assert_eq!(kinds.len(), 2, "under managers and in departments");
        for parts in [1, 2, 3, 7] {
            let found = outliers_in_parts(&computed, &context, parts).expect("outliers");
            assert_eq!(flagged(&found), expected, "in {parts} parts");
        }
    }
}
