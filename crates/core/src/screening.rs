//! The screening panel meeting, its recommendation and the board chair's decision
//! (000 §5; 001 §2.2 and App. I Sections 2 and 3).

use crate::error::FieldErrors;
use crate::lifecycle::ReviewKind;
use crate::text::{self, LONG_MAX, SHORT_MAX};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// What the panel may recommend: 000 §5.5 (i-iv) and the alternatives of 001 App. I 2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationOption {
    ConductSeriousCaseReview,
    Defer,
    RequireImrs,
    SmallerScaleAudit,
    LessonsLearnedReview,
    MultiAgencyReview,
    SingleAgencyManagementReview,
    MultiAgencyLearningEvent,
    AlternativeProcess,
    NoFurtherAction,
}

impl RecommendationOption {
    pub const ALL: [RecommendationOption; 10] = [
        Self::ConductSeriousCaseReview,
        Self::Defer,
        Self::RequireImrs,
        Self::SmallerScaleAudit,
        Self::LessonsLearnedReview,
        Self::MultiAgencyReview,
        Self::SingleAgencyManagementReview,
        Self::MultiAgencyLearningEvent,
        Self::AlternativeProcess,
        Self::NoFurtherAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConductSeriousCaseReview => "conduct_serious_case_review",
            Self::Defer => "defer",
            Self::RequireImrs => "require_imrs",
            Self::SmallerScaleAudit => "smaller_scale_audit",
            Self::LessonsLearnedReview => "lessons_learned_review",
            Self::MultiAgencyReview => "multi_agency_review",
            Self::SingleAgencyManagementReview => "single_agency_management_review",
            Self::MultiAgencyLearningEvent => "multi_agency_learning_event",
            Self::AlternativeProcess => "alternative_process",
            Self::NoFurtherAction => "no_further_action",
        }
    }

    /// The wording of the seeds.
    pub fn title(self) -> &'static str {
        match self {
            Self::ConductSeriousCaseReview => "Conduct a Serious Case Review",
            Self::Defer => "Defer a decision until more information is available (e.g. coroner's report)",
            Self::RequireImrs => "Require agencies to undertake Individual Management Reviews within set timescales",
            Self::SmallerScaleAudit => "Undertake a smaller-scale audit of the case within a set timescale",
            Self::LessonsLearnedReview => "A Lessons Learned Review",
            Self::MultiAgencyReview => "A Multi-Agency Review",
            Self::SingleAgencyManagementReview => "A Single Agency Management Review",
            Self::MultiAgencyLearningEvent => "A Multi-Agency Training / Learning Event",
            Self::AlternativeProcess => "Alternative process suggested by the nature of the case",
            Self::NoFurtherAction => "No action",
        }
    }

    /// The seed section the option comes from.
    pub fn source(self) -> &'static str {
        match self {
            Self::ConductSeriousCaseReview | Self::Defer | Self::RequireImrs | Self::SmallerScaleAudit => "000 §5.5",
            _ => "001 App. I Section 2.3",
        }
    }

    /// The decision that naturally follows, offered first on the chair's form.
    pub fn suggested_decision(self) -> Option<ReviewKind> {
        Some(match self {
            Self::ConductSeriousCaseReview | Self::RequireImrs => ReviewKind::SeriousCaseReview,
            Self::LessonsLearnedReview => ReviewKind::LessonsLearnedReview,
            Self::MultiAgencyReview => ReviewKind::MultiAgencyReview,
            Self::SingleAgencyManagementReview | Self::SmallerScaleAudit => ReviewKind::SingleAgencyManagementReview,
            Self::MultiAgencyLearningEvent => ReviewKind::MultiAgencyLearningEvent,
            Self::AlternativeProcess => ReviewKind::AlternativeProcess,
            Self::NoFurtherAction => ReviewKind::NoFurtherAction,
            Self::Defer => return None,
        })
    }
}

impl FromStr for RecommendationOption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown recommendation '{s}'"))
    }
}

/// A person at the meeting and the organisation they represent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub name: String,
    pub organisation: String,
    /// Their vote, if the panel voted.
    #[serde(default)]
    pub vote: Option<RecommendationOption>,
}

/// A screening panel meeting as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningMeeting {
    pub held_on: NaiveDate,
    pub chair: String,
    pub attendees: Vec<Attendee>,
    /// Dissent minuted (001 §2.2.1).
    #[serde(default)]
    pub dissent: String,
    /// The chair's casting vote, used only when the votes are tied.
    #[serde(default)]
    pub casting_vote: Option<RecommendationOption>,
    #[serde(default)]
    pub minutes: String,
}

/// A screening meeting as typed into the form or API (strings, unchecked).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ScreeningMeetingInput {
    pub held_on: String,
    pub chair: String,
    pub attendees: Vec<AttendeeInput>,
    pub dissent: String,
    pub casting_vote: String,
    pub minutes: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AttendeeInput {
    pub name: String,
    pub organisation: String,
    pub vote: String,
}

/// The panel's collective view from the votes (majority; chair's casting vote on a tie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteOutcome {
    NoVotes,
    Majority(RecommendationOption),
    CastingVote(RecommendationOption),
    /// Tied and no casting vote recorded.
    Tied(Vec<RecommendationOption>),
}

impl ScreeningMeeting {
    /// The distinct partner organisations represented (the quorum counts organisations,
    /// not people).
    pub fn partner_organisations(&self, partners: &BTreeSet<String>) -> BTreeSet<String> {
        self.attendees.iter().filter(|a| partners.contains(&a.organisation)).map(|a| a.organisation.clone()).collect()
    }

    pub fn is_quorate(&self, partners: &BTreeSet<String>, quorum: usize) -> bool {
        self.partner_organisations(partners).len() >= quorum
    }

    /// Tally of the votes cast.
    pub fn outcome(&self) -> VoteOutcome {
        let mut tally: BTreeMap<RecommendationOption, usize> = BTreeMap::new();
        for v in self.attendees.iter().filter_map(|a| a.vote) {
            *tally.entry(v).or_default() += 1;
        }
        let Some(max) = tally.values().copied().max() else {
            return VoteOutcome::NoVotes;
        };
        let top: Vec<_> = tally.iter().filter(|(_, n)| **n == max).map(|(o, _)| *o).collect();
        match (top.as_slice(), self.casting_vote) {
            ([only], _) => VoteOutcome::Majority(*only),
            (_, Some(c)) if top.contains(&c) => VoteOutcome::CastingVote(c),
            _ => VoteOutcome::Tied(top),
        }
    }
}

impl ScreeningMeetingInput {
    /// Checks the meeting: a real date not in the future, a chair, attendees from known
    /// organisations, and the quorum of partner organisations (001 §2.2.1).
    /// `organisations` maps every known agency name (any case) to (canonical name, is partner).
    pub fn validate(
        &self,
        today: NaiveDate,
        organisations: &crate::AgencyDirectory,
        quorum: usize,
    ) -> Result<ScreeningMeeting, FieldErrors> {
        let mut e = FieldErrors::new();
        let held_on = text::required_date(&mut e, "held_on", "the date of the meeting", &self.held_on);
        text::clock_range(&mut e, "held_on", "the date of the meeting", held_on);
        if let Some(d) = held_on {
            if d > today {
                e.push("held_on", "The date of the meeting must be today or in the past");
            }
        }
        let chair = text::required(&mut e, "chair", "the name of the chair", &self.chair, SHORT_MAX);
        let mut attendees = Vec::new();
        for (i, a) in self.attendees.iter().enumerate() {
            if a.name.trim().is_empty() && a.organisation.trim().is_empty() && a.vote.trim().is_empty() {
                continue; // an empty row of the repeatable list
            }
            let name = text::required(&mut e, &format!("attendees[{i}].name"), "the attendee's name", &a.name, SHORT_MAX);
            let organisation = match organisations.get(&a.organisation.trim().to_lowercase()) {
                Some((canonical, _)) => canonical.clone(),
                None => {
                    e.push(
                        format!("attendees[{i}].organisation"),
                        if a.organisation.trim().is_empty() {
                            "Select the organisation the attendee represents".to_string()
                        } else {
                            format!("'{}' is not an agency of this partnership", a.organisation.trim())
                        },
                    );
                    String::new()
                }
            };
            let vote = parse_option(&mut e, &format!("attendees[{i}].vote"), &a.vote);
            attendees.push(Attendee { name, organisation, vote });
        }
        if attendees.is_empty() {
            e.push("attendees", "Enter the people who attended and the organisations they represent");
        }
        let casting_vote = parse_option(&mut e, "casting_vote", &self.casting_vote);
        let meeting = ScreeningMeeting {
            held_on: held_on.unwrap_or_default(),
            chair,
            attendees,
            dissent: text::optional(&mut e, "dissent", "dissent", &self.dissent, LONG_MAX),
            casting_vote,
            minutes: text::optional(&mut e, "minutes", "the minutes", &self.minutes, LONG_MAX),
        };
        if e.is_empty() {
            let partners: BTreeSet<String> = organisations.values().filter(|(_, p)| *p).map(|(n, _)| n.clone()).collect();
            let present = meeting.partner_organisations(&partners);
            if present.len() < quorum {
                e.push(
                    "attendees",
                    format!(
                        "The meeting is not quorate: at least {quorum} partner organisations must be represented (001 §2.2.1); {} {} represented",
                        present.len(),
                        if present.len() == 1 { "was" } else { "were" }
                    ),
                );
            }
            if let VoteOutcome::Tied(opts) = meeting.outcome() {
                e.push(
                    "casting_vote",
                    format!(
                        "The votes are tied between {}: record the chair's casting vote for one of them",
                        opts.iter().map(|o| o.title()).collect::<Vec<_>>().join(" and ")
                    ),
                );
            }
        }
        e.into_result(meeting)
    }
}

fn parse_option(e: &mut FieldErrors, field: &str, v: &str) -> Option<RecommendationOption> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(o) => Some(o),
        Err(msg) => {
            e.push(field, msg);
            None
        }
    }
}

/// The panel's recommendation to the chair (001 App. I Section 2.2-2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub option: RecommendationOption,
    pub reasons: String,
    pub panel_members_consulted: String,
    pub legal_advice_sought: bool,
    pub signed_by: String,
    pub signed_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RecommendationInput {
    pub option: String,
    pub reasons: String,
    pub panel_members_consulted: String,
    /// "yes" / "no" (form radios) or true/false.
    pub legal_advice_sought: String,
    pub signed_by: String,
    pub signed_on: String,
}

impl RecommendationInput {
    /// Checks the recommendation against the latest screening meeting: it must follow the
    /// meeting and agree with its majority view (or the chair's casting vote).
    pub fn validate(&self, today: NaiveDate, meeting: Option<&ScreeningMeeting>) -> Result<Recommendation, FieldErrors> {
        let mut e = FieldErrors::new();
        let option = if self.option.trim().is_empty() {
            e.push("option", "Select the panel's recommendation");
            None
        } else {
            parse_option(&mut e, "option", &self.option)
        };
        let reasons = text::required(&mut e, "reasons", "the reasons of the panel", &self.reasons, LONG_MAX);
        let consulted = text::optional(&mut e, "panel_members_consulted", "the members consulted", &self.panel_members_consulted, LONG_MAX);
        let legal = yes_no(&mut e, "legal_advice_sought", "whether legal advice was sought", &self.legal_advice_sought);
        let signed_by = text::required(&mut e, "signed_by", "the name of the person signing", &self.signed_by, SHORT_MAX);
        let signed_on = text::required_date(&mut e, "signed_on", "the date signed", &self.signed_on);
        text::clock_range(&mut e, "signed_on", "the date signed", signed_on);
        match meeting {
            None => e.push("option", "A quorate screening meeting must be recorded before the recommendation"),
            Some(m) => {
                if let Some(d) = signed_on {
                    if d < m.held_on {
                        e.push(
                            "signed_on",
                            format!("The recommendation cannot be signed before the screening meeting of {}", m.held_on.format("%d/%m/%Y")),
                        );
                    }
                }
                let agreed = match m.outcome() {
                    VoteOutcome::Majority(o) | VoteOutcome::CastingVote(o) => Some(o),
                    _ => None,
                };
                if let (Some(o), Some(a)) = (option, agreed) {
                    if o != a {
                        e.push(
                            "option",
                            format!(
                                "The recommendation must be the majority view of the meeting of {}: '{}'",
                                m.held_on.format("%d/%m/%Y"),
                                a.title()
                            ),
                        );
                    }
                }
            }
        }
        if let Some(d) = signed_on {
            if d > today {
                e.push("signed_on", "The date signed must be today or in the past");
            }
        }
        let (Some(option), Some(legal), Some(signed_on)) = (option, legal, signed_on) else {
            return Err(e);
        };
        e.into_result(Recommendation {
            option,
            reasons,
            panel_members_consulted: consulted,
            legal_advice_sought: legal,
            signed_by,
            signed_on,
        })
    }
}

/// The board chair's decision (001 App. I Section 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: ReviewKind,
    pub issues_of_significance: String,
    pub proposed_overview_author: String,
    pub signed_by: String,
    pub decided_on: NaiveDate,
    /// Why the chair departed from the panel's recommendation, when they did.
    #[serde(default)]
    pub departure_reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionInput {
    pub kind: String,
    pub issues_of_significance: String,
    pub proposed_overview_author: String,
    pub signed_by: String,
    pub decided_on: String,
    pub departure_reason: String,
}

impl DecisionInput {
    /// A decision needs a recommendation, comes on or after it, and gives a reason when
    /// it departs from it (the chair decides; the panel advises).
    pub fn validate(&self, today: NaiveDate, recommendation: Option<&Recommendation>) -> Result<Decision, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = match self.kind.trim() {
            "" => {
                e.push("kind", "Select the decision");
                None
            }
            k => match k.parse::<ReviewKind>() {
                Ok(k) => Some(k),
                Err(m) => {
                    e.push("kind", m);
                    None
                }
            },
        };
        let issues = text::optional(&mut e, "issues_of_significance", "the issues", &self.issues_of_significance, LONG_MAX);
        let author =
            text::optional(&mut e, "proposed_overview_author", "the proposed overview author", &self.proposed_overview_author, SHORT_MAX);
        let signed_by = text::required(&mut e, "signed_by", "the name of the chair signing", &self.signed_by, SHORT_MAX);
        let decided_on = text::required_date(&mut e, "decided_on", "the date of the decision", &self.decided_on);
        text::clock_range(&mut e, "decided_on", "the date of the decision", decided_on);
        let departure = text::optional(&mut e, "departure_reason", "the reason", &self.departure_reason, LONG_MAX);
        match recommendation {
            None => e.push("kind", "The screening panel's recommendation must be recorded before the chair's decision"),
            Some(r) => {
                if let Some(d) = decided_on {
                    if d < r.signed_on {
                        e.push(
                            "decided_on",
                            format!("The decision cannot be dated before the recommendation of {}", r.signed_on.format("%d/%m/%Y")),
                        );
                    }
                }
                if let (Some(k), Some(s)) = (kind, r.option.suggested_decision()) {
                    if k != s && departure.is_empty() {
                        e.push(
                            "departure_reason",
                            format!("The panel recommended '{}': give the reason for deciding otherwise", r.option.title()),
                        );
                    }
                }
            }
        }
        if let Some(d) = decided_on {
            if d > today {
                e.push("decided_on", "The date of the decision must be today or in the past");
            }
        }
        if kind.is_some_and(|k| k != ReviewKind::NoFurtherAction) && issues.is_empty() {
            e.push("issues_of_significance", "Enter the issues of particular significance for the review");
        }
        let (Some(kind), Some(decided_on)) = (kind, decided_on) else {
            return Err(e);
        };
        e.into_result(Decision {
            kind,
            issues_of_significance: issues,
            proposed_overview_author: author,
            signed_by,
            decided_on,
            departure_reason: departure,
        })
    }
}

/// Reads a yes/no answer; anything else is an error naming the field.
pub fn yes_no(e: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" => Some(false),
        "" => {
            e.push(field, format!("Select {label}"));
            None
        }
        other => {
            e.push(field, format!("'{other}' is not yes or no"));
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn orgs() -> BTreeMap<String, (String, bool)> {
        [("Police", true), ("Children's Social Care", true), ("Health", true), ("Education", true), ("Voluntary Sector", false)]
            .into_iter()
            .map(|(n, p)| (n.to_lowercase(), (n.to_string(), p)))
            .collect()
    }

    fn att(name: &str, org: &str, vote: &str) -> AttendeeInput {
        AttendeeInput { name: name.into(), organisation: org.into(), vote: vote.into() }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn two_organisations_are_not_quorate() {
        let m = ScreeningMeetingInput {
            held_on: "2026-11-02".into(),
            chair: "A Chair".into(),
            attendees: vec![
                att("P", "police", ""),
                att("S", "Children's Social Care", ""),
                att("V", "Voluntary Sector", ""),
                att("P2", "Police", ""),
            ],
            ..Default::default()
        };
        let err = m.validate(today(), &orgs(), 3).unwrap_err();
        assert_eq!(err.0[0].field, "attendees");
        assert!(err.0[0].message.contains("2 were represented"));
    }

    #[test]
    fn votes_majority_tie_and_casting_vote() {
        let mut m = ScreeningMeetingInput {
            held_on: "2026-11-02".into(),
            chair: "A Chair".into(),
            attendees: vec![
                att("P", "Police", "conduct_serious_case_review"),
                att("S", "Children's Social Care", "lessons_learned_review"),
                att("H", "Health", "conduct_serious_case_review"),
                att("E", "Education", "lessons_learned_review"),
            ],
            dissent: "Education dissented".into(),
            ..Default::default()
        };
        let err = m.validate(today(), &orgs(), 3).unwrap_err();
        assert_eq!(err.0[0].field, "casting_vote");
        m.casting_vote = "lessons_learned_review".into();
        let ok = m.validate(today(), &orgs(), 3).unwrap();
        assert_eq!(ok.outcome(), VoteOutcome::CastingVote(RecommendationOption::LessonsLearnedReview));
        m.attendees[3].vote = "conduct_serious_case_review".into();
        let ok = m.validate(today(), &orgs(), 3).unwrap();
        assert_eq!(ok.outcome(), VoteOutcome::Majority(RecommendationOption::ConductSeriousCaseReview));
        // The recommendation must agree with the majority.
        let rec = RecommendationInput {
            option: "lessons_learned_review".into(),
            reasons: "r".into(),
            legal_advice_sought: "no".into(),
            signed_by: "A Chair".into(),
            signed_on: "2026-11-03".into(),
            ..Default::default()
        };
        let err = rec.validate(today(), Some(&ok)).unwrap_err();
        assert!(err.get("option").unwrap().contains("majority view"));
    }

    #[test]
    fn unknown_agency_and_future_dates_are_refused() {
        let m = ScreeningMeetingInput {
            held_on: "2027-01-01".into(),
            chair: "C".into(),
            attendees: vec![att("X", "CIAU", "")],
            ..Default::default()
        };
        let err = m.validate(today(), &orgs(), 3).unwrap_err();
        assert!(err.get("held_on").is_some());
        assert!(err.get("attendees[0].organisation").unwrap().contains("CIAU"));
    }

    #[test]
    fn decision_needs_recommendation_and_reason_to_depart() {
        let d = DecisionInput {
            kind: "serious_case_review".into(),
            issues_of_significance: "x".into(),
            signed_by: "Chair".into(),
            decided_on: "2026-11-10".into(),
            ..Default::default()
        };
        let err = d.validate(today(), None).unwrap_err();
        assert!(err.get("kind").unwrap().contains("recommendation must be recorded"));
        let r = Recommendation {
            option: RecommendationOption::LessonsLearnedReview,
            reasons: "r".into(),
            panel_members_consulted: String::new(),
            legal_advice_sought: false,
            signed_by: "P".into(),
            signed_on: NaiveDate::from_ymd_opt(2026, 11, 5).unwrap(),
        };
        let err = d.validate(today(), Some(&r)).unwrap_err();
        assert!(err.get("departure_reason").is_some());
        let early = DecisionInput { decided_on: "2026-11-01".into(), departure_reason: "because".into(), ..d.clone() };
        assert!(early.validate(today(), Some(&r)).unwrap_err().get("decided_on").is_some());
        let ok = DecisionInput { departure_reason: "Death of a child: the criteria are met".into(), ..d };
        assert_eq!(ok.validate(today(), Some(&r)).unwrap().kind, ReviewKind::SeriousCaseReview);
    }
}
