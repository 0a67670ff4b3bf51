//! Scoping a review (issue 9 items 2 and 5; 000 §2.6, §5.6; 001 §2.3.1-2.3.10, App. II, App.
//! X): the checklist of issues the panel answers before it agrees the terms of reference, the
//! period under review, and, when another board has an interest, the joint-review
//! arrangement that both chairs agree. The checklist is data ([`CHECKLIST`]); a review's
//! answers are keyed by the item's key.

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One issue of the scoping checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistItem {
    pub key: &'static str,
    pub question: &'static str,
    pub source: &'static str,
}

/// The issues of 000 §5.6 and 001 §2.3.7 (App. X i-xiv for joint reviews says the same).
pub const CHECKLIST: &[ChecklistItem] = &[
    ChecklistItem {
        key: "issues",
        question: "What are the most important issues to address in learning from this case, and how can the information best be obtained and analysed?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem { key: "author", question: "Who should be appointed as the independent author of the overview report?", source: "000 §5.6; 001 §2.3.7" },
    ChecklistItem {
        key: "panel",
        question: "Should additional members be appointed to the panel to reflect the involvement of the relevant agencies?",
        source: "000 §5.6",
    },
    ChecklistItem {
        key: "contributors",
        question: "Which organisations and professionals should contribute, and who else (an independent school, a playgroup leader, a refuge manager) should submit reports or otherwise contribute?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem {
        key: "independence",
        question: "Should any part of the review be conducted by someone independent of the agencies, or an outside expert be brought in?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem {
        key: "period",
        question: "Over what period should events be reviewed, what is the cut-off point, and what family history will help understand the recent past?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem {
        key: "family",
        question: "How should family members contribute to the review, and who will facilitate their involvement?",
        source: "000 §5.6, §6; 001 §2.3.7, §2.3.11-2.3.22",
    },
    ChecklistItem {
        key: "parallel",
        question: "Will the case give rise to parallel investigations or reviews (health investigation, suicide review, domestic homicide review, YJB or Ombudsman investigation), and how should the processes be coordinated?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem {
        key: "other_boards",
        question: "Should organisations or professionals in other LSCB areas be involved, and what are the boards' roles?",
        source: "000 §2.6, §5.6; 001 App. X",
    },
    ChecklistItem {
        key: "coroner_criminal",
        question: "How should the review take account of a coroner's inquiry and any criminal investigation or proceedings; is liaison with the coroner or the CPS needed?",
        source: "000 §5.6, §7.3-7.4; 001 §2.3.7",
    },
    ChecklistItem {
        key: "outside_links",
        question: "Who will make the link with interests outside the main statutory agencies (independent professionals, independent schools, voluntary organisations)?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem { key: "timetable", question: "When should the review start and by what date should it be completed?", source: "000 §5.6, §7.1" },
    ChecklistItem {
        key: "media",
        question: "How should public, family and media interest be handled before, during and after the review?",
        source: "000 §5.6, §11.8; 001 §2.3.7",
    },
    ChecklistItem {
        key: "legal",
        question: "Does the board need independent legal advice about any aspect of the review?",
        source: "000 §5.6; 001 §2.3.7",
    },
    ChecklistItem { key: "regulator", question: "How will the regulatory authority be kept updated?", source: "000 §5.6" },
];

/// The checklist item with a key.
pub fn item(key: &str) -> Option<&'static ChecklistItem> {
    CHECKLIST.iter().find(|i| i.key == key)
}

/// The panel's answers to the scoping checklist, and the settled facts the terms of
/// reference carry into the IMR requests and the documents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scoping {
    /// Answers by checklist key.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// Start of the period under review.
    #[serde(default)]
    pub period_from: Option<NaiveDate>,
    /// Cut-off date of the period under review.
    #[serde(default)]
    pub period_to: Option<NaiveDate>,
    /// Agencies and others asked to contribute.
    #[serde(default)]
    pub contributors: Vec<String>,
    /// Independent experts engaged, if any.
    #[serde(default)]
    pub experts: Vec<String>,
    /// Completion date agreed.
    #[serde(default)]
    pub complete_by: Option<NaiveDate>,
}

impl Scoping {
    /// Problems that stop the answers being saved at all.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for key in self.answers.keys() {
            if item(key).is_none() {
                e.push(format!("answers.{key}"), "This is not an item of the scoping checklist");
            }
        }
        if let (Some(from), Some(to)) = (self.period_from, self.period_to) {
            if to < from {
                e.push("period_to", "The cut-off date must be on or after the start of the period under review");
            }
        }
        for (i, c) in self.contributors.iter().enumerate() {
            if c.trim().is_empty() {
                e.push(format!("contributors[{i}]"), "Enter the agency or person, or remove the empty line");
            }
        }
        e.into_result(())
    }

    /// What is still missing before the terms of reference can be agreed: every item
    /// answered, the period, at least one contributor, and the completion date.
    pub fn unsettled(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        for i in CHECKLIST {
            if self.answers.get(i.key).is_none_or(|a| a.trim().is_empty()) {
                e.push(format!("answers.{}", i.key), format!("Answer: {}", i.question));
            }
        }
        if self.period_from.is_none() {
            e.push("period_from", "Enter the start of the period under review");
        }
        if self.period_to.is_none() {
            e.push("period_to", "Enter the cut-off date of the period under review");
        }
        if self.contributors.iter().all(|c| c.trim().is_empty()) {
            e.push("contributors", "List the agencies and others asked to contribute");
        }
        if self.complete_by.is_none() {
            e.push("complete_by", "Enter the date by which the review should be completed");
        }
        e
    }
}

/// How a review with more than one board is run (001 App. X para 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JointArrangement {
    /// One board conducts the review with limited input from the other.
    SingleBoardLimitedInput,
    /// The boards' panels work together as one expanded panel.
    JointPanel,
}

impl JointArrangement {
    pub fn title(self) -> &'static str {
        match self {
            JointArrangement::SingleBoardLimitedInput => "A single board's review with limited input from the other board",
            JointArrangement::JointPanel => "A joint review: the boards' panels work together as one expanded panel",
        }
    }
}

/// Why a board leads (000 §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadBasis {
    /// The area where the child normally lived.
    NormalResidence,
    /// The responsible local authority of a looked-after child.
    ResponsibleAuthority,
    /// Decided by chief executives or Ofsted when the chairs could not agree (001 App. X para 4).
    Referred,
}

/// A review shared with another board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointReview {
    /// The other board(s).
    pub other_boards: Vec<String>,
    /// The lead board's name.
    pub lead_board: String,
    pub basis: Option<LeadBasis>,
    #[serde(default)]
    pub looked_after: bool,
    pub arrangement: Option<JointArrangement>,
    /// Shared documents and membership agreed (panel membership, who writes which report).
    #[serde(default)]
    pub shared: String,
    /// Dates each chair recorded agreement.
    #[serde(default)]
    pub our_chair_agreed_on: Option<NaiveDate>,
    #[serde(default)]
    pub other_chair_agreed_on: Option<NaiveDate>,
}

impl JointReview {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.other_boards.iter().all(|b| b.trim().is_empty()) {
            e.push("other_boards", "Name the other board with an interest in the review");
        }
        if self.lead_board.trim().is_empty() {
            e.push(
                "lead_board",
                "Say which board leads: where the child normally lived, or for a looked-after child the responsible authority (000 §2.6)",
            );
        }
        match self.basis {
            None => e.push("basis", "Say why that board leads (000 §2.6)"),
            Some(LeadBasis::NormalResidence) if self.looked_after => e.push(
                "basis",
                "For a looked-after child the responsible local authority's board leads, not the board where the child lived (000 §2.6)",
            ),
            _ => {}
        }
        if self.arrangement.is_none() {
            e.push("arrangement", "Choose how the boards will work together (001 App. X para 3)");
        }
        e.into_result(())
    }

    /// Both chairs have recorded their agreement to the arrangement.
    pub fn agreed(&self) -> bool {
        self.our_chair_agreed_on.is_some() && self.other_chair_agreed_on.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn checklist_keys_are_unique_and_sourced() {
        let mut keys: Vec<&str> = CHECKLIST.iter().map(|i| i.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), CHECKLIST.len());
        assert!(CHECKLIST.iter().all(|i| i.source.contains('§') && i.question.ends_with('?')));
    }

    #[test]
    fn unsettled_lists_what_is_missing_until_everything_is_answered() {
        let mut s = Scoping::default();
        assert_eq!(s.unsettled().0.len(), CHECKLIST.len() + 4);
        for i in CHECKLIST {
            s.answers.insert(i.key.to_string(), "Agreed at the scoping meeting".into());
        }
        s.answers.insert("media".into(), "  ".into());
        s.period_from = Some(d("2024-01-01"));
        s.period_to = Some(d("2026-02-14"));
        s.contributors = vec!["Police".into(), "Health".into()];
        s.complete_by = Some(d("2026-08-14"));
        assert_eq!(fields(s.unsettled()), vec!["answers.media"]);
        s.answers.insert("media".into(), "Press office leads".into());
        assert!(s.unsettled().is_empty());
        assert!(s.validate().is_ok());
    }

    #[test]
    fn validation_names_fields() {
        let mut s = Scoping { period_from: Some(d("2026-02-01")), period_to: Some(d("2026-01-01")), ..Default::default() };
        s.answers.insert("weather".into(), "sunny".into());
        s.contributors = vec!["Police".into(), " ".into()];
        assert_eq!(s.validate().err().map(fields).unwrap_or_default(), vec!["answers.weather", "period_to", "contributors[1]"]);
    }

    #[test]
    fn joint_review_needs_a_lead_board_on_the_right_basis() {
        let mut j = JointReview {
            other_boards: vec!["Kent SCB".into()],
            lead_board: String::new(),
            basis: None,
            looked_after: false,
            arrangement: None,
            shared: String::new(),
            our_chair_agreed_on: None,
            other_chair_agreed_on: None,
        };
        assert_eq!(j.validate().err().map(fields).unwrap_or_default(), vec!["lead_board", "basis", "arrangement"]);
        j.lead_board = "Medway SCB".into();
        j.basis = Some(LeadBasis::NormalResidence);
        j.arrangement = Some(JointArrangement::JointPanel);
        assert!(j.validate().is_ok());
        j.looked_after = true;
        assert_eq!(j.validate().err().map(fields).unwrap_or_default(), vec!["basis"]);
        j.basis = Some(LeadBasis::ResponsibleAuthority);
        assert!(j.validate().is_ok());
        assert!(!j.agreed());
        j.our_chair_agreed_on = Some(d("2026-03-01"));
        j.other_chair_agreed_on = Some(d("2026-03-03"));
        assert!(j.agreed());
    }
}
