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

pub use register::Register;

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
    /// The pseudonym to print; proposed from the role when absent ("Child J", "Mother",
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

/// Keeps, of overlapping findings, the longer one (then the more confident, then the
/// earlier detector); returns them sorted by start.
pub fn resolve_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by(|a, b| {
        a.start.cmp(&b.start).then((b.end - b.start).cmp(&(a.end - a.start))).then(b.confidence.total_cmp(&a.confidence))
    });
    let mut out: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match out.last() {
            Some(last) if f.start < last.end => {
                let (lf, ff) = (last.end - last.start, f.end - f.start);
                if ff > lf || (ff == lf && f.confidence > last.confidence) {
                    // A longer one starting inside the kept one: keep the longer.
                    if f.end > last.end && f.start >= last.start && ff > lf {
                        out.pop();
                        out.push(f);
                    }
                }
            }
            _ => out.push(f),
        }
    }
    out
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
