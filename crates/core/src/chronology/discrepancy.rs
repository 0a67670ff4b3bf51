//! Discrepancies between agencies on the integrated chronology (001 §2.4.6: the overview
//! author identifies them as IMRs arrive), each with an id derived only from the entries
//! involved, so a resolution recorded against it survives re-imports and re-runs.
//!
//! # Rules
//!
//! * **Same event.** Two entries describe the same event when they come from *different
//!   agencies*, both dates name a day (exact or approximate; month- and year-only dates are
//!   too coarse to contradict a day), each event text has at least
//!   [`DiscrepancyOptions::min_tokens`] content words ([`event_tokens`]: lower-cased words,
//!   numbers and [`STOP_WORDS`] left out, a plural `s` dropped), and the Jaccard similarity of
//!   their word sets (shared / all) is at least [`DiscrepancyOptions::similarity`].
//! * **Different dates** ([`DiscrepancyKind::DifferentDates`]): the same event on different
//!   days at most [`DiscrepancyOptions::window_days`] apart. To report each disagreement
//!   once, an entry is paired with at most one entry of each other agency: the nearest in
//!   date (then the earlier in the chronology), and only when that choice is mutual; and
//!   not at all when the other agency also records the same event on the same day.
//! * **Child seen conflict** ([`DiscrepancyKind::ChildSeenConflict`]): the same event on
//!   the same day, one agency recording the child seen and the other not seen.
//! * **Gap** ([`DiscrepancyKind::Gap`]): more than [`DiscrepancyOptions::gap_days`] days
//!   between the latest day any entry so far could be and the earliest day the next entry
//!   could be: only periods certainly without an entry are reported (a month-only entry
//!   covers its month). With [`DiscrepancyOptions::period`], the start and the end of the
//!   period under review count as bounds too.
//!
//! Pairs are found without comparing every entry with every other: entries are visited in
//! date order with a sliding window of `window_days`, and an inverted index holds only the
//! rarest words of each event (prefix filtering: two sets with Jaccard >= t must share one
//! of their `|x| - ceil(t·|x|) + 1` rarest words), so the work grows with the number of
//! genuinely similar entries near in time, not with n².

use super::entry::{ChronologyEntry, FuzzyDate, Source};
use super::merge::Integrated;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};

/// Settings for [`detect`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscrepancyOptions {
    /// Largest distance in days between two records of the same event (default 7).
    pub window_days: i64,
    /// Least Jaccard similarity of event words for "the same event" (default 0.5).
    pub similarity: f64,
    /// Fewest content words an event needs to be compared at all (default 3).
    pub min_tokens: usize,
    /// A gap is reported when longer than this many days (default 90).
    pub gap_days: i64,
    /// The period under review (start, cut-off), when gaps at its edges should count.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

impl Default for DiscrepancyOptions {
    fn default() -> Self {
        DiscrepancyOptions { window_days: 7, similarity: 0.5, min_tokens: 3, gap_days: 90, period: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    DifferentDates,
    ChildSeenConflict,
    Gap,
}

impl DiscrepancyKind {
    pub fn slug(self) -> &'static str {
        match self {
            DiscrepancyKind::DifferentDates => "different_dates",
            DiscrepancyKind::ChildSeenConflict => "child_seen_conflict",
            DiscrepancyKind::Gap => "gap",
        }
    }
}

/// One discrepancy found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    /// `<kind>-<16 hex>` from the kind and the sorted sources (and a gap's bounds).
    pub id: String,
    pub kind: DiscrepancyKind,
    /// The entries involved, in chronology order (for a gap: the entries either side).
    pub entries: Vec<Source>,
    /// A sentence for people.
    pub detail: String,
    /// For a gap: the last day before it and the first day after it.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Words too common to say two events are the same.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "hers", "him", "his", "i", "if", "in", "into", "is", "it",
    "its", "no", "not", "of", "on", "or", "our", "she", "so", "that", "the", "their", "them", "then", "there", "they", "this", "to", "up",
    "us", "was", "we", "were", "when", "which", "who", "will", "with", "would", "you",
];

/// The content words of an event text, sorted and without duplicates.
pub fn event_tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") { w[..w.len() - 1].to_string() } else { w })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Jaccard similarity of two word sets sorted the same way.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// The id of a discrepancy: kind, sorted sources and any extra text, hashed.
pub fn discrepancy_id(kind: DiscrepancyKind, sources: &[Source], extra: &str) -> String {
    let mut s: Vec<&Source> = sources.iter().collect();
    s.sort();
    let mut h = Sha256::new();
    h.update(kind.slug().as_bytes());
    for src in s {
        h.update([0u8]);
        h.update(src.file.as_bytes());
        h.update([1u8]);
        h.update(src.sheet.as_bytes());
        h.update([1u8]);
        h.update(src.row.to_be_bytes());
    }
    h.update([2u8]);
    h.update(extra.as_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", kind.slug())
}

fn short(text: &str) -> String {
    const MAX: usize = 80;
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= MAX {
        t
    } else {
        format!("{}…", t.chars().take(MAX).collect::<String>().trim_end())
    }
}

fn approx_note(e: &ChronologyEntry) -> String {
    if matches!(e.date, FuzzyDate::Approximate(_)) {
        format!(" (the {} date is approximate)", e.agency)
    } else {
        String::new()
    }
}

/// The best partner so far of one entry within one other agency.
#[derive(Clone, Copy)]
struct Best {
    same_day: bool,
    distance: i64,
    other: usize,
}

/// Finds the discrepancies of an integrated chronology. The result is sorted by the
/// position of the first entry involved, then kind, then id.
pub fn detect(integrated: &Integrated, options: &DiscrepancyOptions) -> Vec<Discrepancy> {
    let entries: Vec<&ChronologyEntry> = integrated.entries.iter().map(|e| &e.entry).collect();
    let mut found: Vec<(usize, Discrepancy)> = Vec::new();
    similar_pairs(&entries, options, &mut found);
    gaps(&entries, options, &mut found);
    found.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then(a.kind.cmp(&b.kind)).then_with(|| a.id.cmp(&b.id)));
    found.dedup_by(|(_, a), (_, b)| a.id == b.id);
    found.into_iter().map(|(_, d)| d).collect()
}

fn similar_pairs(entries: &[&ChronologyEntry], options: &DiscrepancyOptions, found: &mut Vec<(usize, Discrepancy)>) {
    // Intern words; keep the candidates (day dates, enough words).
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut cands: Vec<(usize, Vec<u32>)> = Vec::new();
    for (pos, e) in entries.iter().enumerate() {
        if !e.date.is_day() {
            continue;
        }
        let toks = event_tokens(&e.event);
        if toks.len() < options.min_tokens.max(1) {
            continue;
        }
        let v: Vec<u32> = toks
            .into_iter()
            .map(|t| {
                let n = ids.len() as u32;
                *ids.entry(t).or_insert(n)
            })
            .collect();
        cands.push((pos, v));
    }
    let mut freq = vec![0u32; ids.len()];
    for (_, v) in &cands {
        for &t in v {
            freq[t as usize] += 1;
        }
    }
    // Rarest first, one global order (ties by id) so prefixes and merges agree.
    let order = |t: &u32| (freq[*t as usize], *t);
    for (_, v) in cands.iter_mut() {
        v.sort_by_key(order);
    }
    let t = options.similarity.clamp(0.0, 1.0);
    let prefix_len = |n: usize| -> usize {
        if t <= 0.0 {
            return n;
        }
        let need = (t * n as f64 - 1e-9).ceil() as usize;
        (n + 1).saturating_sub(need).clamp(1, n)
    };

    let day = |c: usize| entries[cands[c].0].date.earliest();
    let mut index: HashMap<u32, VecDeque<usize>> = HashMap::new();
    let mut stamp: Vec<usize> = vec![usize::MAX; cands.len()];
    let mut pairs: Vec<(usize, usize, bool)> = Vec::new(); // (earlier cand, later cand, same day)
    let mut best: HashMap<(usize, &str), Best> = HashMap::new();
    for c in 0..cands.len() {
        let (pos, ref toks) = cands[c];
        let e = entries[pos];
        let d = e.date.earliest();
        let lo = d - chrono::Duration::days(options.window_days.max(0));
        let p = prefix_len(toks.len());
        for tok in &toks[..p] {
            let Some(list) = index.get_mut(tok) else { continue };
            while list.front().is_some_and(|&f| day(f) < lo) {
                list.pop_front();
            }
            for &o in list.iter() {
                if stamp[o] == c {
                    continue;
                }
                stamp[o] = c;
                let oe = entries[cands[o].0];
                if oe.agency == e.agency {
                    continue;
                }
                if jaccard_by(&cands[o].1, toks, &order) + 1e-12 < t {
                    continue;
                }
                let od = oe.date.earliest();
                let same_day = od == d;
                let distance = (d - od).num_days();
                pairs.push((o, c, same_day));
                for (me, other, other_agency) in [(o, c, e.agency.as_str()), (c, o, oe.agency.as_str())] {
                    let b = best.entry((me, other_agency)).or_insert(Best { same_day, distance, other });
                    if same_day {
                        b.same_day = true;
                    }
                    let other_pos = cands[other].0;
                    if (distance, other_pos) < (b.distance, cands[b.other].0) {
                        b.distance = distance;
                        b.other = other;
                    }
                }
            }
        }
        for tok in &toks[..p] {
            index.entry(*tok).or_default().push_back(c);
        }
    }

    for (a, b, same_day) in pairs {
        let (ea, eb) = (entries[cands[a].0], entries[cands[b].0]);
        let sources = vec![ea.source.clone(), eb.source.clone()];
        let first = cands[a].0.min(cands[b].0);
        if same_day {
            let (seen, not_seen) = match (ea.child_seen, eb.child_seen) {
                (Some(true), Some(false)) => (ea, eb),
                (Some(false), Some(true)) => (eb, ea),
                _ => continue,
            };
            let detail = format!(
                "On {} {} records the child as seen ('{}') and {} as not seen ('{}').{}{}",
                ea.date,
                seen.agency,
                short(&seen.event),
                not_seen.agency,
                short(&not_seen.event),
                approx_note(ea),
                approx_note(eb)
            );
            found.push((
                first,
                Discrepancy {
                    id: discrepancy_id(DiscrepancyKind::ChildSeenConflict, &sources, ""),
                    kind: DiscrepancyKind::ChildSeenConflict,
                    entries: sources,
                    detail,
                    from: None,
                    to: None,
                },
            ));
            continue;
        }
        let ba = best.get(&(a, eb.agency.as_str()));
        let bb = best.get(&(b, ea.agency.as_str()));
        let mutual = matches!((ba, bb), (Some(x), Some(y)) if !x.same_day && !y.same_day && x.other == b && y.other == a);
        if !mutual {
            continue;
        }
        let days = (eb.date.earliest() - ea.date.earliest()).num_days().abs();
        let detail = format!(
            "{} records '{}' on {}; {} records a similar event ('{}') on {}, {} day{} apart.{}{}",
            ea.agency,
            short(&ea.event),
            ea.date,
            eb.agency,
            short(&eb.event),
            eb.date,
            days,
            if days == 1 { "" } else { "s" },
            approx_note(ea),
            approx_note(eb)
        );
        found.push((
            first,
            Discrepancy {
                id: discrepancy_id(DiscrepancyKind::DifferentDates, &sources, ""),
                kind: DiscrepancyKind::DifferentDates,
                entries: sources,
                detail,
                from: None,
                to: None,
            },
        ));
    }
}

/// Jaccard of two sets sorted by the same key.
fn jaccard_by<K: Ord>(a: &[u32], b: &[u32], key: &impl Fn(&u32) -> K) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len() - shared;
    if all == 0 {
        0.0
    } else {
        shared as f64 / all as f64
    }
}

fn gap(before: Option<&ChronologyEntry>, after: Option<&ChronologyEntry>, from: NaiveDate, to: NaiveDate) -> Discrepancy {
    let days = (to - from).num_days();
    let sources: Vec<Source> = before.iter().chain(after.iter()).map(|e| e.source.clone()).collect();
    let describe = |e: Option<&ChronologyEntry>, edge: &str| match e {
        Some(e) => format!("{} ({})", e.date, e.agency),
        None => edge.to_string(),
    };
    let detail = format!(
        "No entry from any agency for {days} days, between {} and {}.",
        describe(before, &format!("the start of the period under review ({})", from.format("%d/%m/%Y"))),
        describe(after, &format!("the end of the period under review ({})", to.format("%d/%m/%Y")))
    );
    let extra = format!("{from}..{to}");
    Discrepancy {
        id: discrepancy_id(DiscrepancyKind::Gap, &sources, &extra),
        kind: DiscrepancyKind::Gap,
        entries: sources,
        detail,
        from: Some(from),
        to: Some(to),
    }
}

fn gaps(entries: &[&ChronologyEntry], options: &DiscrepancyOptions, found: &mut Vec<(usize, Discrepancy)>) {
    let limit = options.gap_days.max(0);
    if let (Some((start, _)), Some(first)) = (options.period, entries.first()) {
        if (first.date.earliest() - start).num_days() > limit {
            found.push((0, gap(None, Some(first), start, first.date.earliest())));
        }
    }
    let mut reach: Option<(NaiveDate, usize)> = None; // latest possible day so far, and whose
    for (pos, e) in entries.iter().enumerate() {
        if let Some((latest, by)) = reach {
            let next = e.date.earliest();
            if (next - latest).num_days() > limit {
                found.push((by, gap(Some(entries[by]), Some(e), latest, next)));
            }
        }
        let l = e.date.latest();
        if reach.is_none_or(|(r, _)| l > r) {
            reach = Some((l, pos));
        }
    }
    if let (Some((_, end)), Some((latest, by))) = (options.period, reach) {
        if (end - latest).num_days() > limit {
            found.push((by, gap(Some(entries[by]), None, latest, end)));
        }
    }
}
