//! The life of a review (DOMAIN.md "The life of a review") as one explicit state machine.
//!
//! Everything a newcomer needs is in [`TRANSITIONS`]: for each action, the states it may
//! start from, where it leads, which roles may take it and the preconditions that must
//! hold. [`apply`] is the only way a state changes; the store records each application
//! as history and as an audit event. Later steps (IMRs, chronology, reports, action plans)
//! add content; their states are already here.

use crate::role::Role;
use crate::screening::RecommendationOption;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of review the seeds name (001 App. I Sections 2.3 and 3; 000 §5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    SeriousCaseReview,
    LessonsLearnedReview,
    MultiAgencyReview,
    SingleAgencyManagementReview,
    MultiAgencyLearningEvent,
    AlternativeProcess,
    NoFurtherAction,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 7] = [
        ReviewKind::SeriousCaseReview,
        ReviewKind::LessonsLearnedReview,
        ReviewKind::MultiAgencyReview,
        ReviewKind::SingleAgencyManagementReview,
        ReviewKind::MultiAgencyLearningEvent,
        ReviewKind::AlternativeProcess,
        ReviewKind::NoFurtherAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::SeriousCaseReview => "serious_case_review",
            ReviewKind::LessonsLearnedReview => "lessons_learned_review",
            ReviewKind::MultiAgencyReview => "multi_agency_review",
            ReviewKind::SingleAgencyManagementReview => "single_agency_management_review",
            ReviewKind::MultiAgencyLearningEvent => "multi_agency_learning_event",
            ReviewKind::AlternativeProcess => "alternative_process",
            ReviewKind::NoFurtherAction => "no_further_action",
        }
    }

    /// The wording of the forms (001 App. I Section 3.1).
    pub fn title(self) -> &'static str {
        match self {
            ReviewKind::SeriousCaseReview => "Serious Case Review",
            ReviewKind::LessonsLearnedReview => "Lessons Learned Review",
            ReviewKind::MultiAgencyReview => "Multi-Agency Review",
            ReviewKind::SingleAgencyManagementReview => "Single Agency Management Review",
            ReviewKind::MultiAgencyLearningEvent => "Multi-Agency Training / Learning Event",
            ReviewKind::AlternativeProcess => "Alternative process suggested by the nature of the case",
            ReviewKind::NoFurtherAction => "No further action",
        }
    }

    /// Kinds that commission Individual Management Reviews and build an integrated
    /// chronology; the lighter kinds go from scoping straight to their report.
    pub fn uses_imrs(self) -> bool {
        matches!(self, ReviewKind::SeriousCaseReview | ReviewKind::LessonsLearnedReview | ReviewKind::MultiAgencyReview)
    }

    /// Kinds whose summary is published (000 §12, 001 §2.4.18, 002 "Publication of Reports").
    pub fn is_published(self) -> bool {
        matches!(self, ReviewKind::SeriousCaseReview)
    }
}

impl FromStr for ReviewKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown review kind '{s}'"))
    }
}

/// Where a review is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Referral received by the board (step 1).
    Referred,
    /// Agencies asked to secure their files (step 2).
    RecordsSecured,
    /// A quorate screening panel has met (step 3).
    Screening,
    /// The panel deferred its recommendation pending information (000 §5.5 ii).
    Deferred,
    /// The panel's recommendation is with the board chair (step 3 to 4).
    Recommended,
    /// The chair decided to review: terms of reference and appointments (steps 4 to 7).
    Scoping,
    /// Individual Management Reviews commissioned and being written (step 8).
    Imrs,
    /// The integrated chronology is compiled and reconciled (step 9).
    Chronology,
    /// Overview report and executive summary in draft (step 10).
    OverviewDrafting,
    /// The draft is with the board for adoption (step 11).
    AwaitingAdoption,
    /// The board adopted the report; action plans agreed and disseminated (step 11).
    Adopted,
    /// The executive summary or report is published (step 12).
    Published,
    /// Action plan monitored to completion (step 13).
    Monitoring,
    /// Formally concluded (step 13); papers kept under the retention rules (step 14).
    Concluded,
    /// The chair decided on no further action; the file-securing instruction is rescinded.
    ClosedNoFurtherAction,
}

impl ReviewState {
    pub const ALL: [ReviewState; 15] = [
        ReviewState::Referred,
        ReviewState::RecordsSecured,
        ReviewState::Screening,
        ReviewState::Deferred,
        ReviewState::Recommended,
        ReviewState::Scoping,
        ReviewState::Imrs,
        ReviewState::Chronology,
        ReviewState::OverviewDrafting,
        ReviewState::AwaitingAdoption,
        ReviewState::Adopted,
        ReviewState::Published,
        ReviewState::Monitoring,
        ReviewState::Concluded,
        ReviewState::ClosedNoFurtherAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Referred => "referred",
            ReviewState::RecordsSecured => "records_secured",
            ReviewState::Screening => "screening",
            ReviewState::Deferred => "deferred",
            ReviewState::Recommended => "recommended",
            ReviewState::Scoping => "scoping",
            ReviewState::Imrs => "imrs",
            ReviewState::Chronology => "chronology",
            ReviewState::OverviewDrafting => "overview_drafting",
            ReviewState::AwaitingAdoption => "awaiting_adoption",
            ReviewState::Adopted => "adopted",
            ReviewState::Published => "published",
            ReviewState::Monitoring => "monitoring",
            ReviewState::Concluded => "concluded",
            ReviewState::ClosedNoFurtherAction => "closed_no_further_action",
        }
    }

    /// The label shown to people.
    pub fn title(self) -> &'static str {
        match self {
            ReviewState::Referred => "Referred",
            ReviewState::RecordsSecured => "Records secured",
            ReviewState::Screening => "Screening",
            ReviewState::Deferred => "Deferred",
            ReviewState::Recommended => "Awaiting chair's decision",
            ReviewState::Scoping => "Scoping",
            ReviewState::Imrs => "IMRs in progress",
            ReviewState::Chronology => "Integrated chronology",
            ReviewState::OverviewDrafting => "Overview report in draft",
            ReviewState::AwaitingAdoption => "Awaiting board adoption",
            ReviewState::Adopted => "Adopted",
            ReviewState::Published => "Published",
            ReviewState::Monitoring => "Monitoring action plan",
            ReviewState::Concluded => "Concluded",
            ReviewState::ClosedNoFurtherAction => "Closed: no further action",
        }
    }

    /// No transition leaves these states.
    pub fn is_terminal(self) -> bool {
        matches!(self, ReviewState::Concluded | ReviewState::ClosedNoFurtherAction)
    }
}

impl fmt::Display for ReviewState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReviewState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewState::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown review state '{s}'"))
    }
}

/// Something a person does that moves a review on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SecureRecords,
    RecordScreeningMeeting,
    Recommend,
    Decide,
    CommissionImrs,
    StartReportWithoutImrs,
    CompileChronology,
    StartOverview,
    SubmitToBoard,
    ReturnForRevision,
    Adopt,
    Publish,
    StartMonitoring,
    Conclude,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SecureRecords => "secure_records",
            Action::RecordScreeningMeeting => "record_screening_meeting",
            Action::Recommend => "recommend",
            Action::Decide => "decide",
            Action::CommissionImrs => "commission_imrs",
            Action::StartReportWithoutImrs => "start_report_without_imrs",
            Action::CompileChronology => "compile_chronology",
            Action::StartOverview => "start_overview",
            Action::SubmitToBoard => "submit_to_board",
            Action::ReturnForRevision => "return_for_revision",
            Action::Adopt => "adopt",
            Action::Publish => "publish",
            Action::StartMonitoring => "start_monitoring",
            Action::Conclude => "conclude",
        }
    }

    /// The button text.
    pub fn title(self) -> &'static str {
        transition(self).title
    }

    /// The clock event (see casereview-clock rulesets) this action records, if any.
    pub fn clock_event(self) -> Option<&'static str> {
        Some(match self {
            Action::SecureRecords => "records_secured",
            Action::RecordScreeningMeeting => "screening_meeting",
            Action::Recommend => "recommendation",
            Action::Decide => "decision",
            Action::CommissionImrs => "imrs_commissioned",
            Action::StartReportWithoutImrs => "overview_drafting_started",
            Action::CompileChronology => "chronology_compiled",
            Action::StartOverview => "overview_drafting_started",
            Action::SubmitToBoard => "draft_to_board",
            Action::ReturnForRevision => return None,
            Action::Adopt => "adoption",
            Action::Publish => "publication",
            Action::StartMonitoring => "monitoring_started",
            Action::Conclude => "concluded",
        })
    }

    /// Actions taken with their own form (meeting, recommendation, decision), not a
    /// plain button on the review page.
    pub fn has_own_form(self) -> bool {
        matches!(self, Action::RecordScreeningMeeting | Action::Recommend | Action::Decide)
    }

    pub fn all() -> impl Iterator<Item = Action> {
        TRANSITIONS.iter().map(|t| t.action)
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::all().find(|a| a.as_str() == s).ok_or_else(|| {
            let names: Vec<_> = Action::all().map(|a| a.as_str()).collect();
            format!("unknown action '{s}'; expected one of: {}", names.join(", "))
        })
    }
}

/// What must be true before an action may be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// At least the quorum of partner organisations attended a screening meeting (001 §2.2.1).
    QuorateScreeningMeeting,
    /// The panel's recommendation is recorded (a decision needs one).
    RecommendationRecorded,
    /// The chair's decision is recorded.
    DecisionRecorded,
    /// The decided kind of review commissions IMRs.
    KindUsesImrs,
    /// The decided kind of review does not commission IMRs.
    KindWithoutImrs,
    /// The decided kind of review is published.
    KindIsPublished,
    /// No publication hold (criminal proceedings, an inquest) is open (000 §7.4, §12.4).
    NoPublicationHold,
    /// Every action of the plan is completed and signed off by the board (002 "Agreeing
    /// Improvement Action").
    AllActionsSignedOff,
}

impl Precondition {
    /// The sentence shown when the precondition is not met.
    pub fn unmet_message(self) -> &'static str {
        match self {
            Precondition::QuorateScreeningMeeting => {
                "a quorate screening meeting must be recorded first: at least three partner organisations represented (001 §2.2.1)"
            }
            Precondition::RecommendationRecorded => "the screening panel's recommendation must be recorded before the chair's decision",
            Precondition::DecisionRecorded => "the board chair's decision must be recorded first",
            Precondition::KindUsesImrs => "this kind of review does not commission Individual Management Reviews",
            Precondition::KindWithoutImrs => "this kind of review commissions Individual Management Reviews first",
            Precondition::KindIsPublished => "only a Serious Case Review's summary is published",
            Precondition::AllActionsSignedOff => {
                "every action of the plan must be completed and signed off by the board before the review is concluded (002 Agreeing Improvement Action)"
            }
            Precondition::NoPublicationHold => {
                "publication is on hold until the criminal proceedings or inquest are over: the hold must be lifted first (000 §7.4, §12.4)"
            }
        }
    }
}

/// Where an action leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(ReviewState),
    /// Deferred when the panel defers, otherwise Recommended.
    ByRecommendation,
    /// Closed when the chair decides on no further action, otherwise Scoping.
    ByDecision,
}

/// One row of the lifecycle table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub action: Action,
    pub title: &'static str,
    pub from: &'static [ReviewState],
    pub to: Target,
    pub roles: &'static [Role],
    pub requires: &'static [Precondition],
    /// Where in the seeds the step comes from.
    pub source: &'static str,
}

use Precondition as P;
use ReviewState as S;
use Role as R;

/// The lifecycle. Read top to bottom, it is the life of a review.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        action: Action::SecureRecords,
        title: "Record that agencies were asked to secure files",
        from: &[S::Referred],
        to: Target::To(S::RecordsSecured),
        roles: &[R::PartnershipAdmin],
        requires: &[],
        source: "000 §4.1; 001 Letter 1",
    },
    Transition {
        action: Action::RecordScreeningMeeting,
        title: "Record a screening meeting",
        from: &[S::Referred, S::RecordsSecured, S::Screening, S::Deferred],
        to: Target::To(S::Screening),
        roles: &[R::PartnershipAdmin, R::PanelChair],
        requires: &[P::QuorateScreeningMeeting],
        source: "000 §5.1-5.4; 001 §2.2.1, App. I Section 2.1",
    },
    Transition {
        action: Action::Recommend,
        title: "Record the panel's recommendation",
        from: &[S::Screening],
        to: Target::ByRecommendation,
        roles: &[R::PanelChair],
        requires: &[P::QuorateScreeningMeeting, P::RecommendationRecorded],
        source: "000 §5.5; 001 App. I Section 2.2-2.3",
    },
    Transition {
        action: Action::Decide,
        title: "Record the chair's decision",
        from: &[S::Recommended],
        to: Target::ByDecision,
        roles: &[R::BoardChair],
        requires: &[P::RecommendationRecorded, P::DecisionRecorded],
        source: "000 §5.7-5.10; 001 App. I Section 3",
    },
    Transition {
        action: Action::CommissionImrs,
        title: "Commission Individual Management Reviews",
        from: &[S::Scoping],
        to: Target::To(S::Imrs),
        roles: &[R::PartnershipAdmin, R::PanelChair],
        requires: &[P::DecisionRecorded, P::KindUsesImrs],
        source: "000 §5.9, §8; 001 §2.3.36",
    },
    Transition {
        action: Action::StartReportWithoutImrs,
        title: "Start the report (no IMRs for this kind of review)",
        from: &[S::Scoping],
        to: Target::To(S::OverviewDrafting),
        roles: &[R::PartnershipAdmin, R::PanelChair],
        requires: &[P::DecisionRecorded, P::KindWithoutImrs],
        source: "001 §1.4 (other review options)",
    },
    Transition {
        action: Action::CompileChronology,
        title: "Record that the integrated chronology is compiled",
        from: &[S::Imrs],
        to: Target::To(S::Chronology),
        roles: &[R::PartnershipAdmin, R::PanelChair, R::OverviewAuthor],
        requires: &[],
        source: "000 §10.2; 001 §2.4.6-2.4.7, App. XIII",
    },
    Transition {
        action: Action::StartOverview,
        title: "Start the overview report",
        from: &[S::Chronology],
        to: Target::To(S::OverviewDrafting),
        roles: &[R::PartnershipAdmin, R::PanelChair, R::OverviewAuthor],
        requires: &[],
        source: "000 §10; 001 §2.4.4",
    },
    Transition {
        action: Action::SubmitToBoard,
        title: "Send the agreed draft to the board",
        from: &[S::OverviewDrafting],
        to: Target::To(S::AwaitingAdoption),
        roles: &[R::PartnershipAdmin, R::PanelChair],
        requires: &[],
        source: "000 §11.1; 001 App. XIII",
    },
    Transition {
        action: Action::ReturnForRevision,
        title: "Return the draft for revision",
        from: &[S::AwaitingAdoption],
        to: Target::To(S::OverviewDrafting),
        roles: &[R::BoardChair],
        requires: &[],
        source: "000 §11.2",
    },
    Transition {
        action: Action::Adopt,
        title: "Record the board's adoption of the report",
        from: &[S::AwaitingAdoption],
        to: Target::To(S::Adopted),
        roles: &[R::BoardChair],
        requires: &[],
        source: "000 §11; 001 §2.4.14-2.4.17",
    },
    Transition {
        action: Action::Publish,
        title: "Record publication of the executive summary",
        from: &[S::Adopted],
        to: Target::To(S::Published),
        roles: &[R::PartnershipAdmin, R::BoardChair],
        requires: &[P::KindIsPublished, P::NoPublicationHold],
        source: "000 §12; 001 §2.4.18-2.4.21; 002 Publication of Reports",
    },
    Transition {
        action: Action::StartMonitoring,
        title: "Start monitoring the action plan",
        from: &[S::Adopted, S::Published],
        to: Target::To(S::Monitoring),
        roles: &[R::PartnershipAdmin],
        requires: &[],
        source: "001 §2.5, §3.1.5",
    },
    Transition {
        action: Action::Conclude,
        title: "Conclude the review",
        from: &[S::Monitoring],
        to: Target::To(S::Concluded),
        roles: &[R::BoardChair],
        requires: &[P::AllActionsSignedOff],
        source: "001 §3.1.6; 002 Agreeing Improvement Action",
    },
];

/// The row of [`TRANSITIONS`] for an action.
pub fn transition(action: Action) -> &'static Transition {
    // Every Action has exactly one row (checked by a test), so the fallback is unreachable.
    TRANSITIONS.iter().find(|t| t.action == action).unwrap_or(&TRANSITIONS[0])
}

/// What is known about a review when an action is attempted, as far as preconditions go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFacts {
    pub quorate_screening_meeting: bool,
    pub recommendation: Option<RecommendationOption>,
    pub decision: Option<ReviewKind>,
    /// A publication hold is open on the review.
    pub publication_on_hold: bool,
    /// Actions of the plan not yet signed off.
    pub actions_not_signed_off: usize,
}

impl ReviewFacts {
    fn holds(&self, p: Precondition) -> bool {
        match p {
            P::QuorateScreeningMeeting => self.quorate_screening_meeting,
            P::RecommendationRecorded => self.recommendation.is_some(),
            P::DecisionRecorded => self.decision.is_some(),
            P::KindUsesImrs => self.decision.is_some_and(ReviewKind::uses_imrs),
            P::KindWithoutImrs => self.decision.is_some_and(|k| !k.uses_imrs()),
            P::KindIsPublished => self.decision.is_some_and(ReviewKind::is_published),
            P::NoPublicationHold => !self.publication_on_hold,
            P::AllActionsSignedOff => self.actions_not_signed_off == 0,
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("'{action}' cannot be taken while the review is '{state}'; it needs the review to be {allowed}")]
    WrongState { action: &'static str, state: &'static str, allowed: String },
    #[error("a {role} may not '{action}'; only: {allowed}")]
    RoleNotAllowed { action: &'static str, role: &'static str, allowed: String },
    #[error("'{action}' cannot be taken yet: {message}")]
    Unmet { action: &'static str, precondition: Precondition, message: &'static str },
}

/// Checks an action against the table and returns the state it leads to.
/// The order of checks is role, state, preconditions: someone who may never take the
/// action is told so first, whatever the review's state.
pub fn apply(state: ReviewState, action: Action, role: Role, facts: &ReviewFacts) -> Result<ReviewState, TransitionError> {
    let t = transition(action);
    if !t.roles.contains(&role) {
        return Err(TransitionError::RoleNotAllowed {
            action: action.as_str(),
            role: role.as_str(),
            allowed: t.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
        });
    }
    if !t.from.contains(&state) {
        return Err(TransitionError::WrongState {
            action: action.as_str(),
            state: state.as_str(),
            allowed: t.from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
        });
    }
    if let Some(p) = t.requires.iter().copied().find(|p| !facts.holds(*p)) {
        return Err(TransitionError::Unmet { action: action.as_str(), precondition: p, message: p.unmet_message() });
    }
    Ok(match t.to {
        Target::To(s) => s,
        Target::ByRecommendation => match facts.recommendation {
            Some(RecommendationOption::Defer) => S::Deferred,
            _ => S::Recommended,
        },
        Target::ByDecision => match facts.decision {
            Some(ReviewKind::NoFurtherAction) => S::ClosedNoFurtherAction,
            _ => S::Scoping,
        },
    })
}

/// The actions a role could take now from this state, ignoring preconditions (so the
/// page can offer them and explain what is missing).
pub fn available(state: ReviewState, role: Role) -> Vec<&'static Transition> {
    TRANSITIONS.iter().filter(|t| t.from.contains(&state) && t.roles.contains(&role)).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn full_facts(kind: ReviewKind, rec: RecommendationOption) -> ReviewFacts {
        ReviewFacts { quorate_screening_meeting: true, recommendation: Some(rec), decision: Some(kind), ..Default::default() }
    }

    #[test]
    fn every_action_has_exactly_one_row() {
        for t in TRANSITIONS {
            assert_eq!(TRANSITIONS.iter().filter(|u| u.action == t.action).count(), 1);
            assert_eq!(transition(t.action).action, t.action);
            assert_eq!(t.action.as_str().parse::<Action>().unwrap(), t.action);
        }
    }

    /// Every (state, action, role) triple: allowed exactly when the table says so.
    #[test]
    fn table_allows_exactly_its_rows() {
        let facts = full_facts(ReviewKind::SeriousCaseReview, RecommendationOption::ConductSeriousCaseReview);
        let mut allowed = 0;
        for state in ReviewState::ALL {
            for t in TRANSITIONS {
                for role in Role::ALL {
                    let r = apply(state, t.action, role, &facts);
                    let expect = t.from.contains(&state) && t.roles.contains(&role);
                    // With SCR facts, only StartReportWithoutImrs is blocked by a precondition.
                    let expect = expect && t.action != Action::StartReportWithoutImrs;
                    assert_eq!(r.is_ok(), expect, "{state:?} {:?} {role:?}: {r:?}", t.action);
                    if r.is_ok() {
                        allowed += 1;
                    }
                }
            }
        }
        assert!(allowed > 15);
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for state in ReviewState::ALL.into_iter().filter(|s| s.is_terminal()) {
            for role in Role::ALL {
                assert!(available(state, role).is_empty());
            }
        }
    }

    #[test]
    fn regulator_and_board_member_never_move_a_review() {
        for state in ReviewState::ALL {
            assert!(available(state, Role::Regulator).is_empty());
            assert!(available(state, Role::BoardMember).is_empty());
        }
    }

    /// The refusal table: each case names the unmet precondition or the reason.
    #[test]
    fn refusals_name_what_is_missing() {
        let none = ReviewFacts::default();
        let cases: &[(ReviewState, Action, Role, ReviewFacts, &str)] = &[
            (S::Referred, Action::RecordScreeningMeeting, R::PanelChair, none.clone(), "quorate screening meeting"),
            (
                S::Screening,
                Action::Recommend,
                R::PanelChair,
                ReviewFacts { quorate_screening_meeting: true, ..none.clone() },
                "recommendation must be recorded",
            ),
            (S::Screening, Action::Decide, R::BoardChair, none.clone(), "cannot be taken while the review is 'screening'"),
            (
                S::Recommended,
                Action::Decide,
                R::BoardChair,
                ReviewFacts { decision: Some(ReviewKind::SeriousCaseReview), ..none.clone() },
                "recommendation must be recorded before",
            ),
            (S::Recommended, Action::Decide, R::PanelChair, none.clone(), "a panel_chair may not 'decide'"),
            (
                S::Scoping,
                Action::CommissionImrs,
                R::PanelChair,
                full_facts(ReviewKind::MultiAgencyLearningEvent, RecommendationOption::MultiAgencyLearningEvent),
                "does not commission",
            ),
            (
                S::Scoping,
                Action::StartReportWithoutImrs,
                R::PanelChair,
                full_facts(ReviewKind::SeriousCaseReview, RecommendationOption::ConductSeriousCaseReview),
                "commissions Individual Management Reviews first",
            ),
            (
                S::Adopted,
                Action::Publish,
                R::BoardChair,
                full_facts(ReviewKind::LessonsLearnedReview, RecommendationOption::LessonsLearnedReview),
                "only a Serious Case Review",
            ),
            (
                S::Adopted,
                Action::Publish,
                R::PartnershipAdmin,
                ReviewFacts {
                    publication_on_hold: true,
                    ..full_facts(ReviewKind::SeriousCaseReview, RecommendationOption::ConductSeriousCaseReview)
                },
                "publication is on hold",
            ),
            (
                S::Monitoring,
                Action::Conclude,
                R::BoardChair,
                ReviewFacts {
                    actions_not_signed_off: 2,
                    ..full_facts(ReviewKind::SeriousCaseReview, RecommendationOption::ConductSeriousCaseReview)
                },
                "completed and signed off",
            ),
            (S::ClosedNoFurtherAction, Action::SecureRecords, R::PartnershipAdmin, none.clone(), "cannot be taken while"),
            (S::Referred, Action::SecureRecords, R::Regulator, none.clone(), "regulator may not"),
        ];
        for (state, action, role, facts, needle) in cases {
            let err = apply(*state, *action, *role, facts).unwrap_err().to_string();
            assert!(err.contains(needle), "{state:?} {action:?} {role:?}: {err}");
        }
    }

    #[test]
    fn recommendation_and_decision_choose_the_branch() {
        let mut f = full_facts(ReviewKind::NoFurtherAction, RecommendationOption::Defer);
        assert_eq!(apply(S::Screening, Action::Recommend, R::PanelChair, &f), Ok(S::Deferred));
        f.recommendation = Some(RecommendationOption::NoFurtherAction);
        assert_eq!(apply(S::Screening, Action::Recommend, R::PanelChair, &f), Ok(S::Recommended));
        assert_eq!(apply(S::Recommended, Action::Decide, R::BoardChair, &f), Ok(S::ClosedNoFurtherAction));
        f.decision = Some(ReviewKind::LessonsLearnedReview);
        assert_eq!(apply(S::Recommended, Action::Decide, R::BoardChair, &f), Ok(S::Scoping));
    }

    /// Walking the happy path of a Serious Case Review reaches Concluded.
    #[test]
    fn serious_case_review_walks_to_conclusion() {
        let f = full_facts(ReviewKind::SeriousCaseReview, RecommendationOption::ConductSeriousCaseReview);
        let path = [
            (Action::SecureRecords, R::PartnershipAdmin),
            (Action::RecordScreeningMeeting, R::PanelChair),
            (Action::Recommend, R::PanelChair),
            (Action::Decide, R::BoardChair),
            (Action::CommissionImrs, R::PanelChair),
            (Action::CompileChronology, R::OverviewAuthor),
            (Action::StartOverview, R::OverviewAuthor),
            (Action::SubmitToBoard, R::PanelChair),
            (Action::Adopt, R::BoardChair),
            (Action::Publish, R::PartnershipAdmin),
            (Action::StartMonitoring, R::PartnershipAdmin),
            (Action::Conclude, R::BoardChair),
        ];
        let mut s = S::Referred;
        for (a, r) in path {
            s = apply(s, a, r, &f).unwrap();
        }
        assert_eq!(s, S::Concluded);
    }
}
