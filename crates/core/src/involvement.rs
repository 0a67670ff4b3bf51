//! Family involvement in a review (issue 9 item 3; 000 §6, 001 §2.3.11-2.3.22): who the
//! family is (not only those with parental responsibility, 001 §2.3.15), for each member the
//! options of involvement chosen (the eight of 001 §2.3.19), the limiting factors the panel
//! considered (001 §2.3.17), who facilitates, and the reason when someone is not involved,
//! which the overview report must give (001 §2.3.14). The panel keeps it under review at
//! every meeting (001 §2.3.13), so each record carries the date it was last reviewed.

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The options of 001 §2.3.19, in the seed's order; more than one may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvolvementOption {
    Support,
    ToldAgenciesWillInvestigate,
    InformedOfReview,
    ProgressUpdates,
    PerspectiveRequested,
    ContributesViews,
    ExecutiveSummaryShared,
    PartialReportShared,
}

impl InvolvementOption {
    pub const ALL: [InvolvementOption; 8] = [
        InvolvementOption::Support,
        InvolvementOption::ToldAgenciesWillInvestigate,
        InvolvementOption::InformedOfReview,
        InvolvementOption::ProgressUpdates,
        InvolvementOption::PerspectiveRequested,
        InvolvementOption::ContributesViews,
        InvolvementOption::ExecutiveSummaryShared,
        InvolvementOption::PartialReportShared,
    ];

    /// The option's number in 001 §2.3.19.
    pub fn number(self) -> u8 {
        match self {
            InvolvementOption::Support => 1,
            InvolvementOption::ToldAgenciesWillInvestigate => 2,
            InvolvementOption::InformedOfReview => 3,
            InvolvementOption::ProgressUpdates => 4,
            InvolvementOption::PerspectiveRequested => 5,
            InvolvementOption::ContributesViews => 6,
            InvolvementOption::ExecutiveSummaryShared => 7,
            InvolvementOption::PartialReportShared => 8,
        }
    }

    /// The seed's wording.
    pub fn text(self) -> &'static str {
        match self {
            InvolvementOption::Support => "Provide support to the family from agencies as appropriate or requested from the start",
            InvolvementOption::ToldAgenciesWillInvestigate => "Tell the family that the agencies will investigate what has happened",
            InvolvementOption::InformedOfReview => {
                "Inform the family that a review is to be undertaken and explain the purpose and process"
            }
            InvolvementOption::ProgressUpdates => "Return to the family at intervals to inform them of progress",
            InvolvementOption::PerspectiveRequested => "Request information from the family on their perspective of what has happened",
            InvolvementOption::ContributesViews => "Provide opportunity for the family to contribute written or verbal views to the review",
            InvolvementOption::ExecutiveSummaryShared => "Share content of executive summary with the family",
            InvolvementOption::PartialReportShared => "Partial report to be shared with the family",
        }
    }

    /// The last four options carry the greatest risk of litigation (001 §2.3.19).
    pub fn litigation_risk(self) -> bool {
        self.number() >= 5
    }

    /// Options 7 and 8 make progress reports to the agencies' insurers and the CPS mandatory.
    pub fn needs_insurer_and_cps_updates(self) -> bool {
        self.number() >= 7
    }

    /// The family member gives information to the panel (consulted), which a suspect or a
    /// witness in an open criminal process must not do (001 §2.3.17).
    pub fn consults_member(self) -> bool {
        matches!(self, InvolvementOption::PerspectiveRequested | InvolvementOption::ContributesViews)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InvolvementOption::Support => "support",
            InvolvementOption::ToldAgenciesWillInvestigate => "told_agencies_will_investigate",
            InvolvementOption::InformedOfReview => "informed_of_review",
            InvolvementOption::ProgressUpdates => "progress_updates",
            InvolvementOption::PerspectiveRequested => "perspective_requested",
            InvolvementOption::ContributesViews => "contributes_views",
            InvolvementOption::ExecutiveSummaryShared => "executive_summary_shared",
            InvolvementOption::PartialReportShared => "partial_report_shared",
        }
    }

    pub fn parse(s: &str) -> Option<InvolvementOption> {
        InvolvementOption::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// The checklist of limiting factors of 001 §2.3.17, considered at the panel's first meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitingFactor {
    /// The member may be responsible for the abuse, or is a witness, while a criminal
    /// investigation or prosecution is open.
    SuspectOrWitness,
    /// Reason to believe the member has allegiance to a suspect or perpetrator.
    AllegianceToSuspect,
    /// Involvement could complicate Children Act proceedings or put children at risk.
    ChildrenActProceedings,
    /// The member has made, intimated or may have a claim against an agency.
    Claim,
    /// Anger or distress would make a positive response exceptionally difficult.
    Distress,
    /// Professionals' information sharing presents difficulties: a risk assessment is needed.
    RiskAssessment,
    /// Confidentiality is harder to keep as more people are included.
    Confidentiality,
}

impl LimitingFactor {
    pub const ALL: [LimitingFactor; 7] = [
        LimitingFactor::SuspectOrWitness,
        LimitingFactor::AllegianceToSuspect,
        LimitingFactor::ChildrenActProceedings,
        LimitingFactor::Claim,
        LimitingFactor::Distress,
        LimitingFactor::RiskAssessment,
        LimitingFactor::Confidentiality,
    ];

    pub fn text(self) -> &'static str {
        match self {
            LimitingFactor::SuspectOrWitness => {
                "A criminal investigation or prosecution is open and the member may be responsible for the abuse or is a witness"
            }
            LimitingFactor::AllegianceToSuspect => "There is reason to believe the member may have allegiance to a suspect or perpetrator",
            LimitingFactor::ChildrenActProceedings => {
                "Involvement is likely to complicate Children Act proceedings or put children at risk"
            }
            LimitingFactor::Claim => "The member has made or intimated a claim, or may have a claim, against one or more agencies",
            LimitingFactor::Distress => "Anger or distress would make it exceptionally difficult for the member to respond positively",
            LimitingFactor::RiskAssessment => "Sharing information with the member presents difficulties: a risk assessment is needed",
            LimitingFactor::Confidentiality => "Preserving confidentiality becomes harder as more people are included",
        }
    }

    /// Factors that rule out consulting the member while the criminal process is open
    /// (001 §2.3.17: "should not be consulted or give information directly to the Panel").
    pub fn bars_consultation(self) -> bool {
        matches!(self, LimitingFactor::SuspectOrWitness | LimitingFactor::AllegianceToSuspect)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LimitingFactor::SuspectOrWitness => "suspect_or_witness",
            LimitingFactor::AllegianceToSuspect => "allegiance_to_suspect",
            LimitingFactor::ChildrenActProceedings => "children_act_proceedings",
            LimitingFactor::Claim => "claim",
            LimitingFactor::Distress => "distress",
            LimitingFactor::RiskAssessment => "risk_assessment",
            LimitingFactor::Confidentiality => "confidentiality",
        }
    }

    pub fn parse(s: &str) -> Option<LimitingFactor> {
        LimitingFactor::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// How far one family member takes part, as the panel last decided it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberInvolvement {
    /// The member's name as the review holds it (never published: the overview text uses
    /// `relationship`).
    pub name: String,
    /// Relationship to the child ("mother", "step-father", "foster carer", "maternal aunt").
    pub relationship: String,
    #[serde(default)]
    pub parental_responsibility: bool,
    /// Empty means the member is not involved, and `reason` must say why.
    #[serde(default)]
    pub options: BTreeSet<InvolvementOption>,
    #[serde(default)]
    pub factors: BTreeSet<LimitingFactor>,
    /// Who facilitates the member's involvement (a person or an agency).
    #[serde(default)]
    pub facilitator: String,
    /// Why the member is not involved, or why involvement is limited (goes into the report).
    #[serde(default)]
    pub reason: String,
    /// Progress reports to the agencies' insurers and the CPS are being made (mandatory with
    /// options 7 and 8).
    #[serde(default)]
    pub insurers_and_cps_updated: bool,
    /// The panel meeting at which this was last considered.
    #[serde(default)]
    pub reviewed_on: Option<NaiveDate>,
}

impl MemberInvolvement {
    /// Whether the member takes part in the review at all (support alone is not taking part).
    pub fn involved(&self) -> bool {
        self.options.iter().any(|o| *o != InvolvementOption::Support)
    }

    /// The problems with this member's record; field names are `members[i].field`.
    pub fn check(&self, i: usize, errors: &mut FieldErrors) {
        let f = |name: &str| format!("members[{i}].{name}");
        if self.name.trim().is_empty() {
            errors.push(f("name"), "Enter the family member's name");
        }
        if self.relationship.trim().is_empty() {
            errors.push(f("relationship"), "Enter the family member's relationship to the child");
        }
        if !self.involved() && self.reason.trim().is_empty() {
            errors
                .push(f("reason"), "Give the reason this family member is not involved: the overview report must record it (001 §2.3.14)");
        }
        if self.involved() && self.facilitator.trim().is_empty() {
            errors.push(f("facilitator"), "Say who will facilitate this family member's involvement (001 §2.3.11)");
        }
        if self.options.iter().any(|o| o.needs_insurer_and_cps_updates()) && !self.insurers_and_cps_updated {
            errors.push(
                f("insurers_and_cps_updated"),
                "Sharing the executive summary or part of the report needs progress reports to the agencies' insurers and the CPS (001 §2.3.19, options 7 and 8)",
            );
        }
        if let Some(factor) = self.factors.iter().find(|x| x.bars_consultation()) {
            if let Some(option) = self.options.iter().find(|o| o.consults_member()) {
                errors.push(
                    f("options"),
                    format!(
                        "Option {} consults this family member, but \"{}\" is ticked: they should not give information to the panel until the criminal process is concluded (001 §2.3.17)",
                        option.number(),
                        factor.text()
                    ),
                );
            }
        }
    }
}

/// The family's involvement in one review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FamilyInvolvement {
    pub members: Vec<MemberInvolvement>,
    /// What ongoing support the family may need at the end of the review (001 §2.3.21).
    #[serde(default)]
    pub ongoing_support: String,
}

impl FamilyInvolvement {
    /// Every problem, each naming its field; nothing is saved unless this is empty.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut seen = BTreeSet::new();
        for (i, m) in self.members.iter().enumerate() {
            m.check(i, &mut errors);
            let key = (m.name.trim().to_lowercase(), m.relationship.trim().to_lowercase());
            if !m.name.trim().is_empty() && !seen.insert(key) {
                errors.push(format!("members[{i}].name"), "This family member is listed twice");
            }
        }
        errors.into_result(())
    }

    /// Members whose involvement was not considered at or since `meeting` (each panel
    /// meeting reviews it, 001 §2.3.13).
    pub fn not_reviewed_since(&self, meeting: NaiveDate) -> Vec<&MemberInvolvement> {
        self.members.iter().filter(|m| m.reviewed_on.is_none_or(|d| d < meeting)).collect()
    }

    /// The paragraph the overview report carries: who took part and how, and the reasons
    /// for anyone not involved (001 §2.3.14). Members are named by relationship only.
    pub fn report_text(&self) -> String {
        if self.members.is_empty() {
            return "The panel has not yet recorded the family's involvement in the review.".to_string();
        }
        let mut out = String::new();
        for m in &self.members {
            let who = capitalised(m.relationship.trim());
            if m.involved() {
                let opts: Vec<String> =
                    m.options.iter().filter(|o| **o != InvolvementOption::Support).map(|o| lower_first(o.text())).collect();
                out.push_str(&format!("- {who}: the panel agreed to {}.", join_and(&opts)));
                if !m.reason.trim().is_empty() {
                    out.push_str(&format!(" Involvement was limited: {}", sentence(m.reason.trim())));
                }
            } else {
                out.push_str(&format!("- {who} was not involved in the review: {}", sentence(m.reason.trim())));
            }
            out.push('\n');
        }
        if !self.ongoing_support.trim().is_empty() {
            out.push_str(&format!("\nOngoing support for the family: {}\n", sentence(self.ongoing_support.trim())));
        }
        out
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
}

fn sentence(s: &str) -> String {
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}; and {last}", rest.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvolvementOption as O;
    use LimitingFactor as L;

    fn member(options: &[O], factors: &[L]) -> MemberInvolvement {
        MemberInvolvement {
            name: "Jane Smith".into(),
            relationship: "mother".into(),
            parental_responsibility: true,
            options: options.iter().copied().collect(),
            factors: factors.iter().copied().collect(),
            facilitator: "Family liaison officer".into(),
            reason: String::new(),
            insurers_and_cps_updated: false,
            reviewed_on: None,
        }
    }

    fn fields(f: &FamilyInvolvement) -> Vec<String> {
        f.validate().err().map(|e| e.0.into_iter().map(|e| e.field).collect()).unwrap_or_default()
    }

    #[test]
    fn options_are_the_eight_of_the_seed_in_order() {
        let numbers: Vec<u8> = O::ALL.iter().map(|o| o.number()).collect();
        assert_eq!(numbers, (1..=8).collect::<Vec<u8>>());
        for o in O::ALL {
            assert_eq!(O::parse(o.as_str()), Some(o));
        }
        for l in L::ALL {
            assert_eq!(L::parse(l.as_str()), Some(l));
        }
        assert_eq!(O::ALL.iter().filter(|o| o.litigation_risk()).count(), 4);
    }

    #[test]
    fn rules_table() {
        // (options, factors, reason, facilitator, insurers updated, fields in error)
        type Case = (&'static [O], &'static [L], &'static str, &'static str, bool, &'static [&'static str]);
        let cases: &[Case] = &[
            (&[O::InformedOfReview, O::ContributesViews], &[], "", "FLO", false, &[]),
            (&[], &[], "", "", false, &["members[0].reason"]),
            (&[O::Support], &[], "", "", false, &["members[0].reason"]),
            (&[O::Support], &[], "Charged with the child's murder.", "", false, &[]),
            (&[O::InformedOfReview], &[], "", "", false, &["members[0].facilitator"]),
            (&[O::ExecutiveSummaryShared], &[], "", "FLO", false, &["members[0].insurers_and_cps_updated"]),
            (&[O::PartialReportShared], &[], "", "FLO", true, &[]),
            (&[O::PerspectiveRequested], &[L::SuspectOrWitness], "", "FLO", false, &["members[0].options"]),
            (&[O::InformedOfReview, O::ProgressUpdates], &[L::SuspectOrWitness], "", "FLO", false, &[]),
            (&[O::ContributesViews], &[L::Distress, L::Claim], "", "FLO", false, &[]),
        ];
        for (options, factors, reason, facilitator, updated, want) in cases {
            let mut m = member(options, factors);
            m.reason = reason.to_string();
            m.facilitator = facilitator.to_string();
            m.insurers_and_cps_updated = *updated;
            let f = FamilyInvolvement { members: vec![m], ongoing_support: String::new() };
            assert_eq!(fields(&f), want.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{options:?} {factors:?} {reason:?}");
        }
    }

    #[test]
    fn names_and_duplicates_are_checked() {
        let mut blank = member(&[O::InformedOfReview], &[]);
        blank.name = " ".into();
        blank.relationship = String::new();
        let twice = FamilyInvolvement {
            members: vec![member(&[O::InformedOfReview], &[]), member(&[O::ProgressUpdates], &[])],
            ..Default::default()
        };
        assert_eq!(fields(&twice), vec!["members[1].name"]);
        let f = FamilyInvolvement { members: vec![blank], ..Default::default() };
        assert_eq!(fields(&f), vec!["members[0].name", "members[0].relationship"]);
    }

    #[test]
    fn report_names_relationships_and_gives_reasons() {
        let mut father = member(&[], &[L::SuspectOrWitness]);
        father.name = "John Smith".into();
        father.relationship = "father".into();
        father.reason = "he is awaiting trial".into();
        let f = FamilyInvolvement {
            members: vec![member(&[O::InformedOfReview, O::ContributesViews], &[]), father],
            ongoing_support: "bereavement counselling through the GP".into(),
        };
        let text = f.report_text();
        assert!(text.contains("- Mother: the panel agreed to inform the family"), "{text}");
        assert!(text.contains("; and provide opportunity for the family to contribute"), "{text}");
        assert!(text.contains("- Father was not involved in the review: he is awaiting trial."), "{text}");
        assert!(text.contains("bereavement counselling through the GP."), "{text}");
        assert!(!text.contains("Smith"), "names stay out of the report text: {text}");
    }

    #[test]
    fn members_not_reviewed_since_a_meeting() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut a = member(&[O::InformedOfReview], &[]);
        a.reviewed_on = d("2026-03-01");
        let mut b = member(&[O::InformedOfReview], &[]);
        b.name = "B".into();
        b.reviewed_on = d("2026-04-10");
        let mut c = member(&[O::InformedOfReview], &[]);
        c.name = "C".into();
        let f = FamilyInvolvement { members: vec![a, b, c], ..Default::default() };
        let due: Vec<&str> = f.not_reviewed_since(d("2026-04-01").unwrap_or_default()).iter().map(|m| m.name.as_str()).collect();
        assert_eq!(due, vec!["Jane Smith", "C"]);
    }
}
