//! Parallel proceedings (issue 9 item 4; 000 §7.3-7.4, §15; 001 §1.10, §2.3.7, §2.3.17, App. X
//! ix): criminal investigations and prosecutions, coroners' inquests, care proceedings,
//! domestic homicide reviews, disciplinary processes and other reviews that run beside a case
//! review, with their status, their contact and what they mean for the review. The effects
//! are a table ([`EFFECTS`]), not scattered conditions: an open prosecution holds publication
//! (000 §12.4) and restricts interviews (000 §7.3); an inquest holds publication (000 §7.4);
//! care proceedings limit the family's involvement (001 §2.3.17).

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of process the seeds name beside a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProceedingKind {
    CriminalInvestigation,
    Prosecution,
    CoronersInquest,
    CareProceedings,
    DomesticHomicideReview,
    /// Mental health homicide or suicide inquiry, independent health investigation (000 §5.6).
    HealthInvestigation,
    /// Youth Justice Board serious incident review or Prisons and Probation Ombudsman
    /// investigation, where a child died in custody (000 §5.6).
    CustodyInvestigation,
    Disciplinary,
    Other,
}

impl ProceedingKind {
    pub const ALL: [ProceedingKind; 9] = [
        ProceedingKind::CriminalInvestigation,
        ProceedingKind::Prosecution,
        ProceedingKind::CoronersInquest,
        ProceedingKind::CareProceedings,
        ProceedingKind::DomesticHomicideReview,
        ProceedingKind::HealthInvestigation,
        ProceedingKind::CustodyInvestigation,
        ProceedingKind::Disciplinary,
        ProceedingKind::Other,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ProceedingKind::CriminalInvestigation => "Criminal investigation",
            ProceedingKind::Prosecution => "Prosecution (criminal proceedings)",
            ProceedingKind::CoronersInquest => "Coroner's inquest",
            ProceedingKind::CareProceedings => "Care proceedings",
            ProceedingKind::DomesticHomicideReview => "Domestic homicide review",
            ProceedingKind::HealthInvestigation => "Independent health investigation or suicide review",
            ProceedingKind::CustodyInvestigation => "Youth Justice Board or Prisons and Probation Ombudsman investigation",
            ProceedingKind::Disciplinary => "Disciplinary process",
            ProceedingKind::Other => "Other proceedings or review",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProceedingKind::CriminalInvestigation => "criminal_investigation",
            ProceedingKind::Prosecution => "prosecution",
            ProceedingKind::CoronersInquest => "coroners_inquest",
            ProceedingKind::CareProceedings => "care_proceedings",
            ProceedingKind::DomesticHomicideReview => "domestic_homicide_review",
            ProceedingKind::HealthInvestigation => "health_investigation",
            ProceedingKind::CustodyInvestigation => "custody_investigation",
            ProceedingKind::Disciplinary => "disciplinary",
            ProceedingKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ProceedingKind> {
        ProceedingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a proceeding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProceedingStatus {
    /// Expected but not begun (e.g. a decision on whether to prosecute is awaited).
    Anticipated,
    Open,
    Concluded,
}

impl ProceedingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProceedingStatus::Anticipated => "anticipated",
            ProceedingStatus::Open => "open",
            ProceedingStatus::Concluded => "concluded",
        }
    }

    pub fn parse(s: &str) -> Option<ProceedingStatus> {
        [ProceedingStatus::Anticipated, ProceedingStatus::Open, ProceedingStatus::Concluded].into_iter().find(|k| k.as_str() == s)
    }

    /// Anticipated proceedings have the same effect as open ones: the seeds ask the review
    /// to take account of an outstanding decision to prosecute (000 §7.4).
    pub fn live(self) -> bool {
        self != ProceedingStatus::Concluded
    }
}

/// What a live proceeding means for the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The summary may not be published until it concludes (000 §7.4, §12.4).
    PublicationHold,
    /// Interviews of staff and witnesses are agreed with the criminal justice agencies first (000 §7.3).
    InterviewRestriction,
    /// Family members who are suspects, witnesses or parties are limited in their involvement (001 §2.3.17).
    FamilyInvolvementRestriction,
    /// Liaise with the coroner or the Crown Prosecution Service (000 §5.6; 001 App. X ix).
    LiaiseWithCoronerOrCps,
    /// Coordinate the questions with the other review so they are asked once (000 §5.6).
    CoordinateReviews,
    /// Court papers (e.g. CAFCASS files) need the court's permission (000 §4.4).
    CourtPermissionForFiles,
    /// An HR perspective is needed for staff interviews (001 App. X viii).
    HrPerspective,
}

impl Effect {
    pub fn text(self) -> &'static str {
        match self {
            Effect::PublicationHold => "Publication is held until it concludes (000 §7.4, §12.4)",
            Effect::InterviewRestriction => {
                "Interviews of staff and witnesses are agreed with the criminal justice agencies first (000 §7.3)"
            }
            Effect::FamilyInvolvementRestriction => {
                "Involvement of family members who are suspects, witnesses or parties is limited (001 §2.3.17)"
            }
            Effect::LiaiseWithCoronerOrCps => "Liaise with the coroner or the Crown Prosecution Service (000 §5.6)",
            Effect::CoordinateReviews => "Coordinate the reviews so each question is asked once (000 §5.6)",
            Effect::CourtPermissionForFiles => "Court papers such as CAFCASS files need the court's permission (000 §4.4)",
            Effect::HrPerspective => "An HR perspective is needed for staff interviews (001 App. X viii)",
        }
    }
}

/// The effects of each kind while it is live.
pub const EFFECTS: &[(ProceedingKind, &[Effect])] = &[
    (
        ProceedingKind::CriminalInvestigation,
        &[Effect::PublicationHold, Effect::InterviewRestriction, Effect::FamilyInvolvementRestriction, Effect::LiaiseWithCoronerOrCps],
    ),
    (
        ProceedingKind::Prosecution,
        &[Effect::PublicationHold, Effect::InterviewRestriction, Effect::FamilyInvolvementRestriction, Effect::LiaiseWithCoronerOrCps],
    ),
    (ProceedingKind::CoronersInquest, &[Effect::PublicationHold, Effect::LiaiseWithCoronerOrCps]),
    (ProceedingKind::CareProceedings, &[Effect::FamilyInvolvementRestriction, Effect::CourtPermissionForFiles]),
    (ProceedingKind::DomesticHomicideReview, &[Effect::CoordinateReviews]),
    (ProceedingKind::HealthInvestigation, &[Effect::CoordinateReviews]),
    (ProceedingKind::CustodyInvestigation, &[Effect::CoordinateReviews]),
    (ProceedingKind::Disciplinary, &[Effect::HrPerspective, Effect::InterviewRestriction]),
    (ProceedingKind::Other, &[]),
];

/// One proceeding beside a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proceeding {
    pub kind: ProceedingKind,
    pub status: ProceedingStatus,
    /// What it is, in the board's words ("R v Smith, Crown Court", "Inquest into the death of Child J").
    pub description: String,
    /// Who the review talks to (officer in charge, coroner's officer, DHR chair).
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    #[serde(default)]
    pub concluded_on: Option<NaiveDate>,
    /// Whether it holds publication though its kind does not (e.g. a DHR agreed to publish together).
    #[serde(default)]
    pub holds_publication: bool,
}

impl Proceeding {
    /// The effects while live; none once concluded.
    pub fn effects(&self) -> Vec<Effect> {
        if !self.status.live() {
            return Vec::new();
        }
        let mut out: Vec<Effect> = EFFECTS.iter().find(|(k, _)| *k == self.kind).map(|(_, e)| e.to_vec()).unwrap_or_default();
        if self.holds_publication && !out.contains(&Effect::PublicationHold) {
            out.push(Effect::PublicationHold);
        }
        out
    }

    /// Every problem with the record, fields named as in the form.
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.description.trim().is_empty() {
            e.push("description", "Describe the proceedings (for example \"R v Smith, Crown Court\")");
        }
        if self.status == ProceedingStatus::Concluded && self.concluded_on.is_none() {
            e.push("concluded_on", "Enter the date the proceedings concluded");
        }
        if self.status != ProceedingStatus::Concluded && self.concluded_on.is_some() {
            e.push("concluded_on", "Only concluded proceedings have a conclusion date: change the status or remove the date");
        }
        if let (Some(s), Some(c)) = (self.started_on, self.concluded_on) {
            if c < s {
                e.push("concluded_on", "The conclusion date must be on or after the start date");
            }
        }
        for (field, date) in [("started_on", self.started_on), ("concluded_on", self.concluded_on)] {
            if date.is_some_and(|d| d > today) {
                e.push(field, "The date must be today or in the past");
            }
        }
        e.into_result(())
    }
}

/// Why publication is held, one sentence per live proceeding that holds it; empty when
/// nothing holds it.
pub fn publication_holds(proceedings: &[Proceeding]) -> Vec<String> {
    proceedings
        .iter()
        .filter(|p| p.effects().contains(&Effect::PublicationHold))
        .map(|p| format!("{} ({}) is {}: {}", p.kind.title(), p.description.trim(), p.status.as_str(), Effect::PublicationHold.text()))
        .collect()
}

/// Every effect of the live proceedings, each once, in table order.
pub fn effects(proceedings: &[Proceeding]) -> Vec<Effect> {
    let mut all: Vec<Effect> = proceedings.iter().flat_map(Proceeding::effects).collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn p(kind: ProceedingKind, status: ProceedingStatus) -> Proceeding {
        Proceeding {
            kind,
            status,
            description: "R v Smith".into(),
            contact: "DI Jones".into(),
            started_on: Some(d("2026-01-10")),
            concluded_on: (status == ProceedingStatus::Concluded).then(|| d("2026-06-01")),
            holds_publication: false,
        }
    }

    #[test]
    fn every_kind_has_a_row_and_round_trips() {
        for k in ProceedingKind::ALL {
            assert!(EFFECTS.iter().any(|(x, _)| *x == k), "{k:?}");
            assert_eq!(ProceedingKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn effects_table() {
        use ProceedingKind as K;
        use ProceedingStatus as S;
        let cases: &[(K, S, bool, bool)] = &[
            // kind, status, holds publication, restricts family involvement
            (K::Prosecution, S::Open, true, true),
            (K::Prosecution, S::Anticipated, true, true),
            (K::Prosecution, S::Concluded, false, false),
            (K::CriminalInvestigation, S::Open, true, true),
            (K::CoronersInquest, S::Open, true, false),
            (K::CoronersInquest, S::Concluded, false, false),
            (K::CareProceedings, S::Open, false, true),
            (K::DomesticHomicideReview, S::Open, false, false),
            (K::Disciplinary, S::Open, false, false),
        ];
        for (k, s, hold, family) in cases {
            let e = p(*k, *s).effects();
            assert_eq!(e.contains(&Effect::PublicationHold), *hold, "{k:?} {s:?}");
            assert_eq!(e.contains(&Effect::FamilyInvolvementRestriction), *family, "{k:?} {s:?}");
        }
    }

    #[test]
    fn holds_name_the_proceedings_and_lift_when_concluded() {
        let mut dhr = p(ProceedingKind::DomesticHomicideReview, ProceedingStatus::Open);
        assert!(publication_holds(std::slice::from_ref(&dhr)).is_empty());
        dhr.holds_publication = true;
        let list =
            [p(ProceedingKind::CoronersInquest, ProceedingStatus::Open), dhr, p(ProceedingKind::Prosecution, ProceedingStatus::Concluded)];
        let holds = publication_holds(&list);
        assert_eq!(holds.len(), 2);
        assert!(holds[0].starts_with("Coroner's inquest (R v Smith) is open"), "{holds:?}");
        assert_eq!(effects(&list), vec![Effect::PublicationHold, Effect::LiaiseWithCoronerOrCps, Effect::CoordinateReviews]);
    }

    #[test]
    fn validation_names_fields() {
        let today = d("2026-11-23");
        let fields =
            |x: &Proceeding| x.validate(today).err().map(|e| e.0.into_iter().map(|e| e.field).collect::<Vec<_>>()).unwrap_or_default();
        assert!(fields(&p(ProceedingKind::Prosecution, ProceedingStatus::Open)).is_empty());
        let mut x = p(ProceedingKind::Prosecution, ProceedingStatus::Concluded);
        x.concluded_on = None;
        x.description = " ".into();
        assert_eq!(fields(&x), vec!["description", "concluded_on"]);
        let mut y = p(ProceedingKind::Prosecution, ProceedingStatus::Concluded);
        y.concluded_on = Some(d("2025-12-31"));
        assert_eq!(fields(&y), vec!["concluded_on"]);
        let mut z = p(ProceedingKind::Prosecution, ProceedingStatus::Open);
        z.started_on = Some(d("2027-01-01"));
        z.concluded_on = Some(d("2027-02-01"));
        assert_eq!(fields(&z), vec!["concluded_on", "started_on", "concluded_on"]);
    }
}
