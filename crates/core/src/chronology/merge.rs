//! The integrated chronology (000 §10.2; 001 §2.4.6-2.4.7): every agency's entries on one
//! timeline, each keeping its source, with the occasions the child was seen and their wishes
//! and feelings sought counted per agency.
//!
//! # The order (one total order, so input order never matters)
//!
//! 1. the earliest day the date could be;
//! 2. precision: exact, then approximate, then month only, then year only (an imprecise
//!    date goes at the start of its period, after the precise entries of that day; see
//!    [`super::entry`]);
//! 3. time: timed entries first, in time order, then entries with no time. Coarser after
//!    finer, as in 2: an untimed entry may have been at any time of the day, so it is read
//!    after the entries known to be earlier in the day rather than before all of them;
//! 4. agency name;
//! 5. source: file, sheet, row;
//! 6. the remaining fields, so even identical sources give one order.
//!
//! [`IntegratedEntry::tie_note`] says in words which of rules 2-5 decided an entry's place
//! after its predecessor on the same day.

use super::entry::{long_day, ChronologyEntry};
use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One line of the integrated chronology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegratedEntry {
    pub entry: ChronologyEntry,
    /// 1-based place in the timeline.
    pub position: usize,
    /// Why this entry follows the previous one when both start on the same day and
    /// something other than the time of day decided it.
    pub tie_note: Option<String>,
}

/// Per agency: how often its entries record the child seen, not seen or neither, and
/// their wishes and feelings sought or recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenCounts {
    pub seen: usize,
    pub not_seen: usize,
    pub unknown: usize,
    pub wishes_and_feelings: usize,
}

/// The integrated chronology.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrated {
    pub entries: Vec<IntegratedEntry>,
    pub seen_by_agency: BTreeMap<String, SeenCounts>,
}

/// The order of the module rule (a total order).
pub fn compare_entries(a: &ChronologyEntry, b: &ChronologyEntry) -> Ordering {
    a.date
        .sort_key()
        .cmp(&b.date.sort_key())
        .then_with(|| time_key(a).cmp(&time_key(b)))
        .then_with(|| a.agency.cmp(&b.agency))
        .then_with(|| a.source.cmp(&b.source))
        .then_with(|| {
            (&a.event, &a.subject, &a.professional, &a.comment, a.child_seen, a.wishes_and_feelings, a.time, a.date.latest()).cmp(&(
                &b.event,
                &b.subject,
                &b.professional,
                &b.comment,
                b.child_seen,
                b.wishes_and_feelings,
                b.time,
                b.date.latest(),
            ))
        })
}

/// Timed before untimed; timed by time.
fn time_key(e: &ChronologyEntry) -> (bool, Option<chrono::NaiveTime>) {
    (e.time.is_none(), e.time)
}

/// `day` caches the long form of the last day written (most ties share one).
fn tie_note(prev: &ChronologyEntry, e: &ChronologyEntry, day: &mut Option<(NaiveDate, String)>) -> Option<String> {
    let d = e.date.earliest();
    if prev.date.earliest() != d {
        return None;
    }
    if day.as_ref().is_none_or(|(cached, _)| *cached != d) {
        *day = Some((d, long_day(d)));
    }
    let day = day.as_ref().map(|(_, s)| s.as_str()).unwrap_or_default();
    if prev.date.precision() != e.date.precision() {
        let prev_label = prev.date.precision().label();
        return Some(match e.date.placement_note() {
            Some(n) if !e.date.is_day() => format!("{n}, after the {prev_label} entries of {day}"),
            _ => format!("{} date: placed after the {prev_label} entries of {day}", e.date.precision().label()),
        });
    }
    match (prev.time, e.time) {
        (Some(_), None) => return Some(format!("no time recorded: placed after the timed entries of {day}")),
        (Some(a), Some(b)) if a != b => return None,
        _ => {}
    }
    let at = match e.time {
        Some(t) => format!("{day} {:02}:{:02}", t.hour(), t.minute()),
        None => day.to_string(),
    };
    if prev.agency != e.agency {
        Some(format!("same date as the entry above ({at}): ordered by agency name, {} before {}", prev.agency, e.agency))
    } else {
        Some(format!("same date and agency as the entry above ({at}): ordered by source file, sheet and row"))
    }
}

/// Merges entries from any number of agencies into the integrated chronology.
pub fn merge(entries: Vec<ChronologyEntry>) -> Integrated {
    // Sort positions by a cheap key first; the full comparison only settles ties.
    let keys: Vec<_> = entries.iter().map(|e| (e.date.sort_key(), time_key(e))).collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then_with(|| compare_entries(&entries[a], &entries[b])));
    let mut slots: Vec<Option<ChronologyEntry>> = entries.into_iter().map(Some).collect();

    let mut seen_by_agency: BTreeMap<String, SeenCounts> = BTreeMap::new();
    let mut day_cache = None;
    let mut out: Vec<IntegratedEntry> = Vec::with_capacity(slots.len());
    for (i, at) in order.into_iter().enumerate() {
        let Some(entry) = slots[at].take() else { continue };
        let c = match seen_by_agency.get_mut(&entry.agency) {
            Some(c) => c,
            None => seen_by_agency.entry(entry.agency.clone()).or_default(),
        };
        match entry.child_seen {
            Some(true) => c.seen += 1,
            Some(false) => c.not_seen += 1,
            None => c.unknown += 1,
        }
        if entry.wishes_and_feelings == Some(true) {
            c.wishes_and_feelings += 1;
        }
        let note = out.last().and_then(|p| tie_note(&p.entry, &entry, &mut day_cache));
        out.push(IntegratedEntry { entry, position: i + 1, tie_note: note });
    }
    Integrated { entries: out, seen_by_agency }
}
