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

/// Calls `f` with each content word of `text`, normalised (see the module rules), reusing
/// one buffer.
fn for_each_token(text: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() || w.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        buf.clear();
        if w.is_ascii() {
            buf.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            for c in w.chars() {
                buf.extend(c.to_lowercase());
            }
        }
        if buf.chars().nth(1).is_none() || STOP_WORDS.binary_search(&buf.as_str()).is_ok() {
            continue;
        }
        if buf.len() > 3 && buf.ends_with('s') && !buf.ends_with("ss") {
            buf.pop();
        }
        f(buf);
    }
}

/// The content words of an event text, sorted and without duplicates.
pub fn event_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, &mut String::new(), |w| out.push(w.to_string()));
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

/// Finds the discrepancies of an integrated chronology. The result is sorted by the first
/// day involved (a gap's `from`), then the position of the first entry, kind and id.
pub fn detect(integrated: &Integrated, options: &DiscrepancyOptions) -> Vec<Discrepancy> {
    let entries: Vec<&ChronologyEntry> = integrated.entries.iter().map(|e| &e.entry).collect();
    let mut found: Vec<(usize, Discrepancy)> = Vec::new();
    similar_pairs(&entries, options, &mut found);
    gaps(&entries, options, &mut found);
    let first_day = |p: usize, d: &Discrepancy| d.from.or_else(|| entries.get(p).map(|e| e.date.earliest()));
    found.sort_by(|(pa, a), (pb, b)| {
        first_day(*pa, a).cmp(&first_day(*pb, b)).then(pa.cmp(pb)).then(a.kind.cmp(&b.kind)).then_with(|| a.id.cmp(&b.id))
    });
    found.dedup_by(|(_, a), (_, b)| a.id == b.id);
    found.into_iter().map(|(_, d)| d).collect()
}

/// A small fast hash for short words (no hash-flooding concern: the words come from the
/// board's own files and only cost time).
#[derive(Clone, Copy, Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

impl std::hash::BuildHasher for Fx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

/// A candidate for pairing: an entry with a day date and enough words.
struct Cand {
    /// Position in the integrated chronology.
    pos: usize,
    /// Day number (days since the common era).
    day: i32,
    agency: u32,
    /// Range of its word ranks in the flat word vector, rarest first.
    words: std::ops::Range<usize>,
}

/// One entry in the word index: enough of the candidate to filter without looking it up.
#[derive(Clone, Copy)]
struct Posting {
    cand: u32,
    /// Where the word sits in the candidate's rarest-first list.
    pos: u16,
    len: u16,
    agency: u32,
    day: i32,
    /// One bit per word (rank mod 64): a cheap upper bound on words shared.
    sig: u64,
}

fn signature(words: &[u32]) -> u64 {
    words.iter().fold(0u64, |s, w| s | 1u64 << (w & 63))
}

fn similar_pairs(entries: &[&ChronologyEntry], options: &DiscrepancyOptions, found: &mut Vec<(usize, Discrepancy)>) {
    use chrono::Datelike;
    // Intern words and agencies; keep the candidates (day dates, enough words).
    let mut ids: HashMap<String, u32, Fx> = HashMap::with_hasher(Fx(0));
    let mut agency_ids: HashMap<&str, u32, Fx> = HashMap::with_hasher(Fx(0));
    let mut flat: Vec<u32> = Vec::new();
    let mut cands: Vec<Cand> = Vec::new();
    let mut buf = String::new();
    let mut one: Vec<u32> = Vec::new();
    for (pos, e) in entries.iter().enumerate() {
        if !e.date.is_day() {
            continue;
        }
        one.clear();
        for_each_token(&e.event, &mut buf, |w| {
            let id = match ids.get(w) {
                Some(id) => *id,
                None => {
                    let n = ids.len() as u32;
                    ids.insert(w.to_string(), n);
                    n
                }
            };
            one.push(id);
        });
        one.sort_unstable();
        one.dedup();
        if one.len() < options.min_tokens.max(1) {
            continue;
        }
        let n = agency_ids.len() as u32;
        let agency = *agency_ids.entry(e.agency.as_str()).or_insert(n);
        let start = flat.len();
        flat.extend_from_slice(&one);
        cands.push(Cand { pos, day: e.date.earliest().num_days_from_ce(), agency, words: start..flat.len() });
    }
    // Rank words rarest first (ties by id): one global order, so prefixes and merges agree.
    let mut freq = vec![0u32; ids.len()];
    for &w in &flat {
        freq[w as usize] += 1;
    }
    let mut by_rarity: Vec<u32> = (0..ids.len() as u32).collect();
    by_rarity.sort_unstable_by_key(|&w| (freq[w as usize], w));
    let mut rank = vec![0u32; ids.len()];
    for (r, &w) in by_rarity.iter().enumerate() {
        rank[w as usize] = r as u32;
    }
    for c in &cands {
        let ws = &mut flat[c.words.clone()];
        for w in ws.iter_mut() {
            *w = rank[*w as usize];
        }
        ws.sort_unstable();
    }
    let t = options.similarity.clamp(0.0, 1.0);
    let prefix_len = |n: usize| -> usize {
        if t <= 0.0 {
            return n;
        }
        let need = (t * n as f64 - 1e-9).ceil() as usize;
        (n + 1).saturating_sub(need).clamp(1, n)
    };
    let window = i32::try_from(options.window_days.clamp(0, i64::from(i32::MAX / 2))).unwrap_or(0);

    let mut index: Vec<VecDeque<Posting>> = vec![VecDeque::new(); ids.len()];
    let overlap_factor = t / (1.0 + t);
    let mut stamp: Vec<u32> = vec![u32::MAX; cands.len()];
    let mut pairs: Vec<(usize, usize, bool)> = Vec::new(); // (earlier cand, later cand, same day)
                                                           // Per candidate, per other agency: the best partner so far.
    let mut best: Vec<Vec<(u32, Best)>> = vec![Vec::new(); cands.len()];
    for (c, cand) in cands.iter().enumerate() {
        let toks = &flat[cand.words.clone()];
        let lo = cand.day - window;
        let p = prefix_len(toks.len());
        let nx = toks.len();
        let (min_len, max_len) = if t > 0.0 {
            ((t * toks.len() as f64 - 1e-9).ceil() as usize, (toks.len() as f64 / t + 1e-9) as usize)
        } else {
            (0, usize::MAX)
        };
        for (i, &tok) in toks[..p].iter().enumerate() {
            let list = &mut index[tok as usize];
            while list.front().is_some_and(|f| f.day < lo) {
                list.pop_front();
            }
            for y in list.iter() {
                let ny = y.len as usize;
                if y.agency == cand.agency || ny < min_len || ny > max_len {
                    continue;
                }
                let o = y.cand as usize;
                if stamp[o] == c as u32 {
                    continue;
                }
                stamp[o] = c as u32;
                // Positional filter: x[i] = y[j] is the first word they share (rarer words
                // of either would sit in both prefixes and have been met first), so they
                // share at most 1 + min(words after i, words after j).
                let need = overlap_factor * (nx + ny) as f64 - 1e-9;
                let bound = 1 + (nx - i - 1).min(ny - y.pos as usize - 1);
                if (bound as f64) < need {
                    continue;
                }
                // Words of x whose bit is missing from y's signature are certainly not shared.
                let possible: u32 = toks.iter().map(|w| ((y.sig >> (w & 63)) & 1) as u32).sum();
                if f64::from(possible) < need {
                    continue;
                }
                let other = &cands[o];
                if jaccard(&flat[other.words.clone()], toks) + 1e-12 < t {
                    continue;
                }
                let same_day = other.day == cand.day;
                let distance = i64::from(cand.day - other.day);
                pairs.push((o, c, same_day));
                for (me, them, their_agency) in [(o, c, cand.agency), (c, o, other.agency)] {
                    let list = &mut best[me];
                    match list.iter_mut().find(|(a, _)| *a == their_agency) {
                        None => list.push((their_agency, Best { same_day, distance, other: them })),
                        Some((_, b)) => {
                            b.same_day |= same_day;
                            if (distance, cands[them].pos) < (b.distance, cands[b.other].pos) {
                                b.distance = distance;
                                b.other = them;
                            }
                        }
                    }
                }
            }
        }
        let len = u16::try_from(nx).unwrap_or(u16::MAX);
        let sig = signature(toks);
        for (j, &tok) in toks[..p].iter().enumerate() {
            index[tok as usize].push_back(Posting { cand: c as u32, pos: j as u16, len, agency: cand.agency, day: cand.day, sig });
        }
    }
    let best_of = |me: usize, agency: u32| best[me].iter().find(|(a, _)| *a == agency).map(|(_, b)| *b);

    for (a, b, same_day) in pairs {
        let (ea, eb) = (entries[cands[a].pos], entries[cands[b].pos]);
        let first = cands[a].pos.min(cands[b].pos);
        if same_day {
            let sources = vec![ea.source.clone(), eb.source.clone()];
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
        let ba = best_of(a, cands[b].agency);
        let bb = best_of(b, cands[a].agency);
        let mutual = matches!((ba, bb), (Some(x), Some(y)) if !x.same_day && !y.same_day && x.other == b && y.other == a);
        if !mutual {
            continue;
        }
        let sources = vec![ea.source.clone(), eb.source.clone()];
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
