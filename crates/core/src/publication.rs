//! The publication gate (issue 6 item 5): what a published document says, and whether it
//! may be published. Each finding of the anonymiser in the approved version is decided by
//! the overview author (replace as proposed, replace with their own words, or keep because
//! it does not identify anyone); the published text applies those decisions; then the check
//! runs again on exactly that text, and anything it still finds that the author did not
//! keep on purpose, or the board chair did not override with a reason, blocks publication.
//! Pure: the caller loads the decisions and stores the result.

use crate::anonymise::{self, Category, Finding, Register};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The author's decision on one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision", content = "replacement")]
pub enum Decision {
    /// Replace with the proposed pseudonym.
    Accept,
    /// Keep the words: they do not identify anyone (e.g. "Grace" in "by the grace of").
    Reject,
    /// Replace with these words instead.
    Edit(String),
}

/// A decision as recorded: which finding (by section and byte span in the frozen version,
/// and its text, so a decision never applies to different words), and what was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    pub section: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub decision: Decision,
}

/// A finding the board chair let through, with the reason (matched by section, words and
/// category, since offsets in the published text differ from the draft's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub section: String,
    pub text: String,
    pub category: Category,
    pub reason: String,
}

/// A finding in one section, with the decision on it if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionFinding {
    pub section: String,
    pub finding: Finding,
    pub decision: Option<Decision>,
}

/// What the gate says about a version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateOutcome {
    /// Every finding in the approved text, with its decision.
    pub findings: Vec<SectionFinding>,
    /// The text that would be published, per section.
    pub published: BTreeMap<String, String>,
    /// What blocks publication: findings without a decision, and anything the check still
    /// finds in the published text that was neither kept on purpose nor overridden.
    pub unresolved: Vec<SectionFinding>,
}

impl GateOutcome {
    pub fn may_publish(&self) -> bool {
        self.unresolved.is_empty()
    }
}

fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().map(str::to_lowercase).eq(b.split_whitespace().map(str::to_lowercase))
}

/// Runs the gate over a version's sections.
pub fn gate(sections: &BTreeMap<String, String>, register: &Register, decided: &[Decided], overrides: &[Override]) -> GateOutcome {
    let mut findings = Vec::new();
    let mut published = BTreeMap::new();
    let mut unresolved = Vec::new();
    for (section, text) in sections {
        let found = anonymise::detect(text, register);
        let mut replace: Vec<Finding> = Vec::new();
        let mut kept: Vec<&str> = Vec::new();
        for f in found {
            // The latest decision on exactly these words at exactly this place.
            let decision = decided
                .iter()
                .rev()
                .find(|d| d.section == *section && d.start == f.start && d.end == f.end && d.text == f.text)
                .map(|d| d.decision.clone());
            match &decision {
                Some(Decision::Accept) => replace.push(f.clone()),
                Some(Decision::Edit(words)) => replace.push(Finding { replacement: words.clone(), ..f.clone() }),
                Some(Decision::Reject) => kept.push(&text[f.start..f.end]),
                None => {
                    let overridden =
                        overrides.iter().any(|o| o.section == *section && o.category == f.category && same_words(&o.text, &f.text));
                    if !overridden {
                        unresolved.push(SectionFinding { section: section.clone(), finding: f.clone(), decision: None });
                    }
                }
            }
            findings.push(SectionFinding { section: section.clone(), finding: f, decision });
        }
        let out = anonymise::apply(text, &replace);
        // The check again, on exactly what would be published.
        for f in anonymise::detect(&out, register) {
            let on_purpose = kept.iter().any(|k| same_words(k, &f.text));
            let overridden = overrides.iter().any(|o| o.section == *section && o.category == f.category && same_words(&o.text, &f.text));
            let already = unresolved.iter().any(|u| u.section == *section && same_words(&u.finding.text, &f.text));
            if !on_purpose && !overridden && !already {
                unresolved.push(SectionFinding { section: section.clone(), finding: f, decision: None });
            }
        }
        published.insert(section.clone(), out);
    }
    GateOutcome { findings, published, unresolved }
}
