//! Scoring of findings against the gold labels. `benches/anonymise/metrics.py` implements the
//! same definitions (it scores casereview and Presidio alike for the side-by-side report and
//! checks that it agrees with this one):
//!
//! * A **token** is a maximal run of bytes that are ASCII letters or digits or any byte of a
//!   non-ASCII character. A gold mention's **required tokens** are its tokens, except, for
//!   places and addresses, generic words ("School", "Road", "Surgery"...), single letters and
//!   (addresses) house numbers alone.
//! * A gold mention is **covered** when every byte of every required token lies inside some
//!   finding, and, for people, no finding overlapping it has a replacement containing one of
//!   the mention's tokens of two or more characters (case-insensitive): after replacement
//!   nothing of the name survives. A mention with no required token is covered when any
//!   finding overlaps it.
//! * A document **leaks** when any gold mention is not covered; it leaks a known entity when
//!   a mention of a register entity is not covered.
//! * A finding is a **true positive** when it overlaps a gold mention; precision is true
//!   positives over findings.
//! * A **decoy** (an ordinary use of a word that is also a name) is flagged when any finding
//!   overlaps it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::gen::Gold;

/// Words of place names and addresses that identify nothing by themselves.
pub const GENERIC: &[&str] = &[
    "school",
    "primary",
    "infant",
    "infants",
    "junior",
    "academy",
    "college",
    "community",
    "nursery",
    "pre",
    "day",
    "children",
    "centre",
    "center",
    "surgery",
    "practice",
    "medical",
    "health",
    "hospital",
    "general",
    "royal",
    "infirmary",
    "maritime",
    "university",
    "trust",
    "clinic",
    "the",
    "of",
    "and",
    "at",
    "c",
    "e",
    "st",
    "catholic",
    "little",
    "acorns",
    "road",
    "rd",
    "street",
    "avenue",
    "ave",
    "close",
    "cl",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "gardens",
    "gdns",
    "crescent",
    "cres",
    "court",
    "ct",
    "terrace",
    "terr",
    "grove",
    "gr",
    "flat",
    "house",
];

/// A finding as the scorer sees it.
pub struct Pred {
    pub start: usize,
    pub end: usize,
    pub category: String,
    pub entity: Option<String>,
    pub replacement: String,
}

/// A decoy span.
pub struct DecoySpan {
    pub start: usize,
    pub end: usize,
}

fn is_token_byte(b: u8) -> bool {
    b >= 0x80 || b.is_ascii_alphanumeric()
}

fn tokens(text: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if is_token_byte(text[i]) {
            let s = i;
            while i < end && is_token_byte(text[i]) {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

fn required(text: &[u8], g: &Gold) -> Vec<(usize, usize)> {
    let all = tokens(text, g.start, g.end);
    if g.category != "place" && g.category != "address" {
        return all;
    }
    all.into_iter()
        .filter(|&(s, e)| {
            let t = String::from_utf8_lossy(&text[s..e]).to_lowercase();
            let digits = t.bytes().all(|b| b.is_ascii_digit());
            let letter = t.chars().count() == 1 && !digits;
            !(GENERIC.contains(&t.as_str()) || letter || (g.category == "address" && digits))
        })
        .collect()
}

fn words(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    tokens(b, 0, b.len()).into_iter().map(|(x, y)| String::from_utf8_lossy(&b[x..y]).to_lowercase()).collect()
}

#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub n: u64,
    pub covered: u64,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.n += 1;
        if ok {
            self.covered += 1;
        }
    }
    fn json(&self) -> Value {
        json!({"n": self.n, "covered": self.covered, "recall": ratio(self.covered, self.n)})
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    if b == 0 {
        None
    } else {
        Some(a as f64 / b as f64)
    }
}

/// Accumulates the metrics over documents.
#[derive(Default)]
pub struct Scorer {
    documents: u64,
    bytes: u64,
    leaking: u64,
    leaking_known: u64,
    all: Tally,
    known: Tally,
    unknown_names: Tally,
    unknown_other: Tally,
    by_category: BTreeMap<String, Tally>,
    by_form: BTreeMap<String, Tally>,
    findings: u64,
    true_positives: u64,
    false_by_category: BTreeMap<String, u64>,
    decoys: u64,
    decoys_flagged: u64,
    entity_n: u64,
    entity_matched: u64,
}

impl Scorer {
    /// Scores one document; returns whether it leaked.
    pub fn add(&mut self, text: &str, gold: &[Gold], preds: &[Pred], decoys: &[DecoySpan]) -> bool {
        let bytes = text.as_bytes();
        let len = bytes.len();
        self.documents += 1;
        self.bytes += len as u64;
        let mut mask = vec![false; len];
        for p in preds {
            let (s, e) = (p.start.min(len), p.end.min(len));
            if s < e {
                mask[s..e].iter_mut().for_each(|m| *m = true);
            }
        }
        let (mut leak, mut leak_known) = (false, false);
        for g in gold {
            let overlapping = || preds.iter().filter(|p| p.start < g.end && g.start < p.end);
            let req = required(bytes, g);
            let mut ok =
                if req.is_empty() { overlapping().next().is_some() } else { req.iter().all(|&(s, e)| mask[s..e].iter().all(|m| *m)) };
            if ok && (g.category == "person" || g.category == "unknown_name") {
                let name: Vec<String> =
                    tokens(bytes, g.start, g.end).iter().map(|&(s, e)| String::from_utf8_lossy(&bytes[s..e]).to_lowercase()).collect();
                let name: Vec<&String> = name.iter().filter(|t| t.chars().count() >= 2).collect();
                if overlapping().any(|p| words(&p.replacement).iter().any(|w| name.contains(&w))) {
                    ok = false;
                }
            }
            self.all.add(ok);
            if g.known {
                self.known.add(ok);
            } else if g.category == "unknown_name" {
                self.unknown_names.add(ok);
            } else {
                self.unknown_other.add(ok);
            }
            self.by_category.entry(g.category.to_string()).or_default().add(ok);
            self.by_form.entry(g.form.clone()).or_default().add(ok);
            if g.possessive {
                self.by_form.entry("(possessive)".into()).or_default().add(ok);
            }
            if g.split {
                self.by_form.entry("(split across lines)".into()).or_default().add(ok);
            }
            if !ok {
                leak = true;
                leak_known |= g.known;
            }
            if ok && g.known {
                self.entity_n += 1;
                if overlapping().any(|p| p.entity.is_some() && p.entity == g.entity) {
                    self.entity_matched += 1;
                }
            }
        }
        for p in preds {
            self.findings += 1;
            if gold.iter().any(|g| p.start < g.end && g.start < p.end) {
                self.true_positives += 1;
            } else {
                *self.false_by_category.entry(p.category.clone()).or_default() += 1;
            }
        }
        for d in decoys {
            self.decoys += 1;
            if preds.iter().any(|p| p.start < d.end && d.start < p.end) {
                self.decoys_flagged += 1;
            }
        }
        self.leaking += u64::from(leak);
        self.leaking_known += u64::from(leak_known);
        leak
    }

    pub fn json(&self) -> Value {
        let map = |m: &BTreeMap<String, Tally>| m.iter().map(|(k, v)| (k.clone(), v.json())).collect::<serde_json::Map<_, _>>();
        json!({
            "documents": self.documents,
            "bytes": self.bytes,
            "documents_leaking": self.leaking,
            "documents_leaking_known": self.leaking_known,
            "documents_without_leak": ratio(self.documents - self.leaking, self.documents),
            "documents_without_known_leak": ratio(self.documents - self.leaking_known, self.documents),
            "mentions": {
                "all": self.all.json(),
                "known": self.known.json(),
                "unknown_names": self.unknown_names.json(),
                "unknown_other": self.unknown_other.json(),
            },
            "by_category": map(&self.by_category),
            "by_form": map(&self.by_form),
            "findings": {
                "n": self.findings,
                "true_positive": self.true_positives,
                "precision": ratio(self.true_positives, self.findings),
                "false_positive_by_category": self.false_by_category,
            },
            "decoys": {"n": self.decoys, "flagged": self.decoys_flagged, "share_flagged": ratio(self.decoys_flagged, self.decoys)},
            "entity_match": {"n": self.entity_n, "matched": self.entity_matched, "share": ratio(self.entity_matched, self.entity_n)},
        })
    }
}
