//! The documents a review produces (issue 5): each kind with the sections of its template
//! in the seeds, when in a review's life it may be written, the life of a draft, and the
//! seeds' rules that must hold before a document is approved. Rendering (HTML, DOCX, PDF)
//! lives elsewhere; this is the shape and the rules, with no I/O.

use crate::lifecycle::{ReviewKind, ReviewState};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A kind of document, with the seed it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Scoping document and terms of reference (001 App. II, §2.3.7; 000 §5.6).
    TermsOfReference,
    /// The overview report (000 §10.2; 001 App. VII; 002).
    OverviewReport,
    /// The executive summary (001 App. VIII, §2.4.21), published anonymised.
    ExecutiveSummary,
    /// Notification of a serious childcare incident to Ofsted (001 App. IX).
    OfstedNotification,
}

/// One section of a template: id, title, what it should contain.
pub type Section = (&'static str, &'static str, &'static str);

const TERMS_OF_REFERENCE: &[Section] = &[
    ("child", "The child", "Name, date of birth, date of death or of the critical incident, home address, educational establishment, ethnic origin (filled from the referral)."),
    ("family", "Family composition and significant others", "Name, relationship to the child, date of birth, address, ethnic origin (filled from the referral)."),
    ("background", "Background information", "Taken from the referral form."),
    ("period", "Period under review", "The start and cut-off dates of the period the agencies review."),
    (
        "terms",
        "Terms of reference",
        "The issues the IMRs must address: the facts of the case; the child, the mother, the siblings, the father; information gathering, assessment and decision making; whether child protection procedures were followed; information sharing; cross-border issues; resource issues; other relevant information; learning.",
    ),
    ("contributors", "Agencies and others asked to contribute", "Who is asked for an IMR or a report, and any independent experts."),
    ("family_involvement", "Involvement of the family", "Who in the family takes part and how, or why they do not (000 §6; 001 §2.3.11-2.3.22)."),
    ("parallel", "Parallel processes", "Criminal proceedings, the coroner, other reviews, and how the review fits with them."),
    ("timetable", "Timetable", "The review's dates, from the statutory clock."),
    ("media_legal", "Media and legal advice", "How media interest is handled and what legal advice is taken."),
];

const OVERVIEW_REPORT: &[Section] = &[
    (
        "introduction",
        "1 Introduction",
        "The circumstances that led to the review, its terms of reference, the contributors and the nature of their contributions, the panel members and the author.",
    ),
    ("family_involvement", "Involvement of the family", "How the family took part, or why they did not (001 §2.3.14: required when they did not)."),
    (
        "facts",
        "2 Facts",
        "The genogram of the family and household; the integrated chronology; what was known to the agencies and professionals involved about the parents, carers, any perpetrator and the home.",
    ),
    ("analysis", "3 Analysis", "How and why events occurred, decisions were made and actions taken or not; what could have been done differently."),
    ("conclusions", "4 Conclusions and recommendations", "The lessons to be drawn and how they should be translated into action; SMART recommendations."),
    ("imr_recommendations", "Appendix: recommendations of the individual management reviews", "Each agency's recommendations, endorsed by its director."),
];

const EXECUTIVE_SUMMARY: &[Section] = &[
    (
        "introduction",
        "Introduction",
        "The child's anonymised name and age at the time; anonymised family background; the review process, purpose, scope and terms of reference; why the review was held and which criteria were met.",
    ),
    ("panel", "The review panel", "Members by position and organisation, never by name; only the board chair, the panel chair and the overview author are named (003 §3.10)."),
    ("summary", "Summary of the case", "The incident, the kind of maltreatment, who was believed responsible; the context; the key themes and lessons learnt."),
    ("conclusions", "Conclusions and recommendations", "The key recommendations with their resource implications, or the action plan."),
];

const OFSTED_NOTIFICATION: &[Section] = &[
    ("notifier", "1 Notifier details", "Local authority, name, role, telephone, date notified, linked cases."),
    ("reason", "2 Reason for notification", "Death or serious harm, and the circumstances."),
    ("child", "3 Details of the child", "Filled from the referral."),
    ("incident", "4 Details of the incident", "What happened, when and where."),
    (
        "characteristics",
        "5 Case characteristics",
        "Domestic violence, alcohol, drugs, parental mental health, neglect and the other characteristics of the form.",
    ),
    ("actions", "6 Actions taken", "The board's decision and the review to be held."),
];

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] =
        [DocumentKind::TermsOfReference, DocumentKind::OverviewReport, DocumentKind::ExecutiveSummary, DocumentKind::OfstedNotification];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::TermsOfReference => "terms_of_reference",
            DocumentKind::OverviewReport => "overview_report",
            DocumentKind::ExecutiveSummary => "executive_summary",
            DocumentKind::OfstedNotification => "ofsted_notification",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::TermsOfReference => "Scoping document and terms of reference",
            DocumentKind::OverviewReport => "Overview report",
            DocumentKind::ExecutiveSummary => "Executive summary",
            DocumentKind::OfstedNotification => "Notification of a serious childcare incident",
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            DocumentKind::TermsOfReference => "001 App. II, §2.3.7; 000 §5.6",
            DocumentKind::OverviewReport => "000 §10.2; 001 App. VII; 002",
            DocumentKind::ExecutiveSummary => "001 App. VIII, §2.4.21; 003 §3.10",
            DocumentKind::OfstedNotification => "001 App. IX",
        }
    }

    /// The sections of the template, in order.
    pub fn sections(self) -> &'static [Section] {
        match self {
            DocumentKind::TermsOfReference => TERMS_OF_REFERENCE,
            DocumentKind::OverviewReport => OVERVIEW_REPORT,
            DocumentKind::ExecutiveSummary => EXECUTIVE_SUMMARY,
            DocumentKind::OfstedNotification => OFSTED_NOTIFICATION,
        }
    }

    /// Only the summary (and, from 2015, the report) is ever published.
    pub fn publishable(self) -> bool {
        matches!(self, DocumentKind::ExecutiveSummary | DocumentKind::OverviewReport)
    }

    /// Whether the document may be written for a review in this state and of this kind;
    /// the reason when not.
    pub fn available(self, state: ReviewState, kind: Option<ReviewKind>) -> Result<(), String> {
        use ReviewState as S;
        let decided_review = kind.is_some_and(|k| k != ReviewKind::NoFurtherAction);
        let ok = match self {
            DocumentKind::OfstedNotification => !matches!(state, S::Referred) || decided_review,
            DocumentKind::TermsOfReference => decided_review && !matches!(state, S::ClosedNoFurtherAction),
            // Lighter kinds skip the chronology and start at the report; both are covered.
            DocumentKind::OverviewReport | DocumentKind::ExecutiveSummary => {
                decided_review
                    && matches!(
                        state,
                        S::Chronology
                            | S::OverviewDrafting
                            | S::AwaitingAdoption
                            | S::Adopted
                            | S::Published
                            | S::Monitoring
                            | S::Concluded
                    )
            }
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                DocumentKind::OfstedNotification => "the notification follows a referral that may lead to a review".to_string(),
                DocumentKind::TermsOfReference => {
                    "terms of reference are set once the board chair has decided to hold a review".to_string()
                }
                _ => format!(
                    "the {} is written once the integrated chronology is compiled (the review is '{}')",
                    self.title().to_lowercase(),
                    state.title()
                ),
            })
        }
    }

    /// Who approves the final version: the board adopts reports (000 §11; 001 §2.4.14);
    /// the panel chair agrees the terms of reference, with the board chair for amendments (002).
    pub fn approver(self) -> Role {
        match self {
            DocumentKind::TermsOfReference => Role::PanelChair,
            _ => Role::BoardChair,
        }
    }

    /// Who approves a version, given whether an earlier version was already approved: an
    /// amendment of the terms of reference must be agreed by the board chair (002).
    pub fn approver_of(self, amendment: bool) -> Role {
        if amendment {
            Role::BoardChair
        } else {
            self.approver()
        }
    }

    /// Whether an approved document may be reopened for amendment, and by whom. Only the
    /// terms of reference are revisited as the review learns more (002); an adopted report
    /// or summary is final.
    pub fn amendable_by(self) -> Option<Role> {
        match self {
            DocumentKind::TermsOfReference => Some(Role::BoardChair),
            _ => None,
        }
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown document '{s}'"))
    }
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Draft,
    /// Sent to named people for comment.
    Circulated,
    /// Adopted: the version is frozen.
    Approved,
    Published,
}

impl DocumentStatus {
    /// Every rendering before approval is marked DRAFT and STRICTLY CONFIDENTIAL.
    pub fn is_draft(self) -> bool {
        matches!(self, DocumentStatus::Draft | DocumentStatus::Circulated)
    }
}

/// What is known about a draft when someone asks to approve it.
#[derive(Debug, Clone, Default)]
pub struct ApprovalFacts<'a> {
    /// Section id -> text of the latest version.
    pub sections: Vec<(&'a str, &'a str)>,
    pub signed_by: &'a str,
    pub signed_on: Option<chrono::NaiveDate>,
    /// Whether the family took part in the review.
    pub family_involved: bool,
    /// Names of the panel members other than the chair (never printed in the summary).
    pub panel_member_names: Vec<&'a str>,
}

/// Why a document cannot be approved yet, under the seeds' rules; empty when it can.
pub fn approval_problems(kind: DocumentKind, f: &ApprovalFacts<'_>) -> Vec<String> {
    let section = |id: &str| f.sections.iter().find(|(s, _)| *s == id).map(|(_, t)| t.trim()).unwrap_or("");
    let mut out = Vec::new();
    for (id, title, _) in kind.sections() {
        if section(id).is_empty() && !(kind == DocumentKind::OverviewReport && *id == "family_involvement" && f.family_involved) {
            out.push(format!("The section '{title}' is empty"));
        }
    }
    if kind == DocumentKind::OverviewReport {
        if f.signed_by.trim().is_empty() || f.signed_on.is_none() {
            out.push("The overview report must be dated and signed by its author (001 §2.4.13)".to_string());
        }
        if !f.family_involved && section("family_involvement").is_empty() {
            out.push("The family was not involved: the report must record why (001 §2.3.14)".to_string());
        }
    }
    if kind == DocumentKind::ExecutiveSummary {
        let text: String = f.sections.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n").to_lowercase();
        for name in &f.panel_member_names {
            let n = name.trim().to_lowercase();
            if n.len() > 2 && text.contains(&n) {
                out.push(format!(
                    "The executive summary names the panel member {name}: list panel members by position and organisation only (003 §3.10)"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_sections_with_unique_ids() {
        for k in DocumentKind::ALL {
            let ids: Vec<_> = k.sections().iter().map(|(id, _, _)| *id).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), ids.len(), "{k:?}");
            assert_eq!(k.as_str().parse::<DocumentKind>().unwrap(), k);
        }
    }

    #[test]
    fn documents_are_available_at_the_right_time() {
        use ReviewState as S;
        let scr = Some(ReviewKind::SeriousCaseReview);
        assert!(DocumentKind::ExecutiveSummary.available(S::Referred, None).unwrap_err().contains("chronology is compiled"));
        assert!(DocumentKind::ExecutiveSummary.available(S::Scoping, scr).is_err());
        assert!(DocumentKind::ExecutiveSummary.available(S::OverviewDrafting, scr).is_ok());
        assert!(DocumentKind::TermsOfReference.available(S::Recommended, None).is_err());
        assert!(DocumentKind::TermsOfReference.available(S::Scoping, scr).is_ok());
        assert!(DocumentKind::OverviewReport.available(S::OverviewDrafting, Some(ReviewKind::MultiAgencyLearningEvent)).is_ok());
        assert!(DocumentKind::TermsOfReference.available(S::ClosedNoFurtherAction, Some(ReviewKind::NoFurtherAction)).is_err());
    }

    #[test]
    fn only_the_board_chair_amends_approved_terms_of_reference() {
        assert_eq!(DocumentKind::TermsOfReference.approver_of(false), Role::PanelChair);
        assert_eq!(DocumentKind::TermsOfReference.approver_of(true), Role::BoardChair);
        assert_eq!(DocumentKind::TermsOfReference.amendable_by(), Some(Role::BoardChair));
        assert_eq!(DocumentKind::OverviewReport.amendable_by(), None);
    }

    #[test]
    fn approval_follows_the_seeds_rules() {
        let full: Vec<(&str, &str)> = DocumentKind::OverviewReport.sections().iter().map(|(id, _, _)| (*id, "text")).collect();
        let mut f =
            ApprovalFacts { sections: full.clone(), signed_by: "", signed_on: None, family_involved: false, panel_member_names: vec![] };
        let p = approval_problems(DocumentKind::OverviewReport, &f);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("dated and signed"));
        f.signed_by = "M Lowe";
        f.signed_on = chrono::NaiveDate::from_ymd_opt(2026, 6, 1);
        f.sections.retain(|(id, _)| *id != "family_involvement");
        let p = approval_problems(DocumentKind::OverviewReport, &f);
        assert!(p.iter().any(|x| x.contains("record why")), "{p:?}");
        f.family_involved = true;
        assert!(approval_problems(DocumentKind::OverviewReport, &f).is_empty());

        let summary: Vec<(&str, &str)> = vec![
            ("introduction", "Child J, aged 2"),
            ("panel", "Detective Inspector Tom Walsh, Police"),
            ("summary", "x"),
            ("conclusions", "y"),
        ];
        let f = ApprovalFacts { sections: summary, panel_member_names: vec!["Tom Walsh"], ..Default::default() };
        let p = approval_problems(DocumentKind::ExecutiveSummary, &f);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("Tom Walsh") && p[0].contains("003 §3.10"));
    }
}
