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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::anonymise::{CaseFile, CasePerson};

    fn register() -> Register {
        let case = CaseFile {
            people: vec![
                CasePerson { names: vec!["Tia Okafor".into()], role: "child".into(), ..Default::default() },
                CasePerson { names: vec!["Daniel Price".into()], role: "health visitor".into(), ..Default::default() },
            ],
            ..Default::default()
        };
        Register::from_case(&case).unwrap()
    }

    fn sections(text: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("summary".to_string(), text.to_string())])
    }

    #[test]
    fn nothing_is_published_until_every_finding_is_decided() {
        let reg = register();
        let s = sections("Tia Okafor was seen by Daniel Price.");
        let open = gate(&s, &reg, &[], &[]);
        assert!(!open.may_publish());
        assert_eq!(open.unresolved.len(), open.findings.len());
        let decided: Vec<Decided> = open
            .findings
            .iter()
            .map(|f| Decided {
                section: f.section.clone(),
                start: f.finding.start,
                end: f.finding.end,
                text: f.finding.text.clone(),
                decision: Decision::Accept,
            })
            .collect();
        let done = gate(&s, &reg, &decided, &[]);
        assert!(done.may_publish(), "{:?}", done.unresolved);
        let out = &done.published["summary"];
        assert!(!out.contains("Okafor") && !out.contains("Price"), "{out}");
    }

    #[test]
    fn kept_words_edited_words_and_overrides_resolve_a_finding() {
        let reg = register();
        let s = sections("Tia Okafor was seen by Daniel Price.");
        let open = gate(&s, &reg, &[], &[]);
        let child = open.findings.iter().find(|f| f.finding.text.contains("Tia")).unwrap();
        let hv = open.findings.iter().find(|f| f.finding.text.contains("Daniel")).unwrap();
        let decided = vec![
            Decided {
                section: "summary".into(),
                start: child.finding.start,
                end: child.finding.end,
                text: child.finding.text.clone(),
                decision: Decision::Edit("the child".into()),
            },
            // A decision on other words at the same place does not count.
            Decided {
                section: "summary".into(),
                start: hv.finding.start,
                end: hv.finding.end,
                text: "someone else".into(),
                decision: Decision::Accept,
            },
        ];
        let g = gate(&s, &reg, &decided, &[]);
        assert_eq!(g.unresolved.len(), 1);
        assert!(g.published["summary"].starts_with("the child was seen"));
        let o =
            Override { section: "summary".into(), text: hv.finding.text.clone(), category: hv.finding.category, reason: "agreed".into() };
        let g = gate(&s, &reg, &decided, &[o]);
        assert!(g.may_publish());
        // Kept on purpose: the words stay and the recheck does not block them.
        let keep = vec![
            Decided {
                section: "summary".into(),
                start: hv.finding.start,
                end: hv.finding.end,
                text: hv.finding.text.clone(),
                decision: Decision::Reject,
            },
            decided[0].clone(),
        ];
        let g = gate(&s, &reg, &keep, &[]);
        assert!(g.may_publish(), "{:?}", g.unresolved);
        assert!(g.published["summary"].contains("Daniel Price"));
    }
}
