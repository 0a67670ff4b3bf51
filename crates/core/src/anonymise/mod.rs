//! Anonymisation of a review's published documents (issue 6): the known-entity register
//! built from the case ([`CaseFile`] → [`Register`], with one consistent pseudonym per
//! entity), detection of identifying details in text ([`detect`]: known entities with their
//! variants, identifier patterns, and person names the register does not know), and the
//! anonymised text ([`anonymise`]). Pure: no I/O, no model download; the name lists the
//! unknown-name detector uses are compiled into the build.

use serde::{Deserialize, Serialize};

pub mod known;
pub mod names;
pub mod patterns;
pub mod register;

pub use register::{PlanEntry, Register};

/// What the case file says about the people, places, dates and identifiers of a review.
/// This is the `CASE.json` format of `casereview anonymise` (see the README).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub people: Vec<CasePerson>,
    #[serde(default)]
    pub places: Vec<CasePlace>,
    #[serde(default)]
    pub dates: Vec<CaseDate>,
    #[serde(default)]
    pub identifiers: Vec<CaseIdentifier>,
}

/// Why a case file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseFileError {
    #[error("the case file is empty")]
    Empty,
    /// The JSON is malformed or does not fit the format; `path` names the field
    /// ("people[2].names") when the fault is inside one.
    #[error("{}line {line}, column {column}: {message}", if path.is_empty() || path == "." { String::new() } else { format!("{path}: ") })]
    Syntax { path: String, line: usize, column: usize, message: String },
    /// The JSON fits the format but a value is wrong (empty names, bad dates, ...).
    #[error(transparent)]
    Invalid(#[from] crate::FieldErrors),
}

impl CaseFile {
    /// Reads a `CASE.json` (unknown fields refused), naming the field at fault.
    pub fn from_json(json: &str) -> Result<CaseFile, CaseFileError> {
        if json.trim().is_empty() {
            return Err(CaseFileError::Empty);
        }
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // serde_json appends " at line L column C" to its message; it is said once.
            let message = inner.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
            CaseFileError::Syntax { path, line: inner.line(), column: inner.column(), message }
        })
    }

    /// Whether the case file lists nothing at all.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.places.is_empty() && self.dates.is_empty() && self.identifiers.is_empty()
    }

    /// Reads a case file and builds its register; a case file that lists nothing is
    /// refused (it is almost certainly the wrong file).
    pub fn register_from_json(json: &str) -> Result<Register, CaseFileError> {
        let case = CaseFile::from_json(json)?;
        if case.is_empty() {
            return Err(CaseFileError::Invalid(crate::FieldErrors::single(
                "people",
                "The case file names no one and nothing: list the people, places, dates or identifiers to anonymise",
            )));
        }
        Ok(Register::from_case(&case)?)
    }
}

/// A person: the child, a family member, a significant other, a professional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePerson {
    /// Full names as written in the records ("Jade Louise Smith"); the first is the main one.
    pub names: Vec<String>,
    /// Nicknames and other names ("Jadey", "JJ").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The person's role in the case: "child", "mother", "father", "sibling", "grandmother",
    /// "mother's partner", "health visitor", "social worker", "gp", "police officer", ...
    #[serde(default)]
    pub role: String,
    /// The pseudonym to print; proposed from the role when absent ("Child A", "Mother",
    /// "Health Visitor 1").
    #[serde(default)]
    pub pseudonym: Option<String>,
}

/// A place: an address, postcode, school or nursery, GP practice, hospital or other place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePlace {
    pub name: String,
    /// "address", "postcode", "school", "nursery", "gp_practice", "hospital", "place".
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub pseudonym: Option<String>,
}

/// A date that identifies (a date of birth or of death).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDate {
    /// YYYY-MM-DD.
    pub date: String,
    /// "date_of_birth", "date_of_death", or another label.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub pseudonym: Option<String>,
}

/// An identifier: phone number, NHS number, email, case or court reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseIdentifier {
    pub value: String,
    /// "phone", "nhs_number", "email", "case_reference", "court_reference", "other".
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub pseudonym: Option<String>,
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A person in the register.
    Person,
    /// A person name the register does not know.
    UnknownName,
    Address,
    Postcode,
    /// A school, nursery, GP practice, hospital or other named place.
    Place,
    Date,
    Phone,
    NhsNumber,
    Email,
    /// A case, court or other reference number.
    Reference,
}

/// One identifying mention found in a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Byte offsets into the text (`start..end`), on character boundaries.
    pub start: usize,
    pub end: usize,
    /// The text found (`&text[start..end]`).
    pub text: String,
    pub category: Category,
    /// The register entity it matches (its index key, e.g. "person:0", "place:2"), if any.
    pub entity: Option<String>,
    /// The rule or detector that found it, e.g. "known:exact", "known:surname",
    /// "known:initials", "known:edit_distance", "known:phonetic", "pattern:postcode",
    /// "names:gazetteer+context".
    pub detector: String,
    /// 0.0 to 1.0.
    pub confidence: f32,
    /// What the text becomes ("Child J", "Mother's", "[postcode]").
    pub replacement: String,
}

/// The anonymised text and what was replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anonymised {
    pub text: String,
    pub findings: Vec<Finding>,
}

/// Every identifying mention in `text`, non-overlapping, in order: known entities first
/// (they are the most certain), then patterns, then unknown names not inside either.
pub fn detect(text: &str, register: &Register) -> Vec<Finding> {
    let mut found = known::detect(text, register);
    found.extend(patterns::detect(text, register));
    let taken: Vec<std::ops::Range<usize>> = found.iter().map(|f| f.start..f.end).collect();
    found.extend(names::detect(text, &taken));
    resolve_overlaps(found)
}

/// Chooses, of overlapping findings, the set that covers the most of the text (so no part
/// of a longer mention is left behind for a shorter one), and among equal covers the one
/// with the most confidence, known entities before patterns before unknown names; returns
/// them sorted by start. Weighted interval scheduling: O(n log n).
pub fn resolve_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.retain(|f| f.start < f.end);
    if found.len() < 2 {
        return found;
    }
    found.sort_by(|a, b| a.end.cmp(&b.end).then(a.start.cmp(&b.start)));
    // Weight: (bytes covered, score) compared in that order.
    let score = |f: &Finding| {
        let rank = if f.detector.starts_with("known:") {
            2.0
        } else if f.detector.starts_with("pattern:") {
            1.0
        } else {
            0.0
        };
        f64::from(f.confidence) + rank * 0.001
    };
    let n = found.len();
    // best[i]: the best total over the first i findings; take[i]: whether finding i-1 is in it.
    let mut best: Vec<(usize, f64)> = vec![(0, 0.0); n + 1];
    let mut take = vec![false; n + 1];
    let mut prev = vec![0usize; n + 1];
    for i in 1..=n {
        let f = &found[i - 1];
        // The findings ending at or before this one's start: found[..p].
        let p = found[..i - 1].partition_point(|g| g.end <= f.start);
        let with = (best[p].0 + (f.end - f.start), best[p].1 + score(f));
        let without = best[i - 1];
        if with.0 > without.0 || (with.0 == without.0 && with.1 > without.1) {
            best[i] = with;
            take[i] = true;
            prev[i] = p;
        } else {
            best[i] = without;
        }
    }
    let mut keep = Vec::new();
    let mut i = n;
    while i > 0 {
        if take[i] {
            keep.push(i - 1);
            i = prev[i];
        } else {
            i -= 1;
        }
    }
    keep.reverse();
    let mut slots: Vec<Option<Finding>> = found.into_iter().map(Some).collect();
    keep.into_iter().filter_map(|k| slots.get_mut(k).and_then(Option::take)).collect()
}

/// `text` with each finding replaced by its replacement (findings must not overlap).
pub fn apply(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end > text.len() || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(&f.replacement);
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Detects and replaces in one go.
pub fn anonymise(text: &str, register: &Register) -> Anonymised {
    let findings = detect(text, register);
    Anonymised { text: apply(text, &findings), findings }
}
