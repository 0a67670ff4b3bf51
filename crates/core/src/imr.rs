//! Individual Management Reviews (000 §8; 001 §2.3.36-2.3.46, App. III-IV; 002): the report's
//! sections, the life of one agency's IMR, and the independence rules for the people
//! appointed to a review (DOMAIN.md step 6).

use crate::role::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The sections of the IMR report (001 App. IV): id, title, what it should contain.
pub const SECTIONS: [(&str, &str, &str); 8] = [
    ("reason", "1.1 Reason for the review", "Why this agency is reviewing its involvement."),
    ("terms_of_reference", "1.2 Terms of reference", "The terms of reference the panel set."),
    (
        "context",
        "1.3 Contextual information",
        "Workload, staff turnover, supervision, organisational change, resources, training and other context that bore on decisions.",
    ),
    (
        "methodology",
        "1.4 Methodology",
        "How the review was done: documents seen, interviews and dates, information not available and why, how staff were kept informed, whether there was enough time.",
    ),
    ("family_composition", "2.1 Family composition and genogram", "Who is in the family and household."),
    (
        "family_background",
        "2.2 Summary of family background and circumstances",
        "Relevant history of the child, family and significant others, in narrative form.",
    ),
    (
        "analysis",
        "3 Analysis of involvement",
        "Events, decisions and actions; how agencies worked together; whether practice followed policy; when the child's wishes and feelings were sought; what could be improved.",
    ),
    (
        "recommendations",
        "4 Recommendations",
        "SMART recommendations for the agency and for inter-agency practice: what, by whom, by when, the outcome, and how it will be checked.",
    ),
];

/// Where an agency's IMR stands. "Late" is not a state: it is an open IMR past its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImrStatus {
    Requested,
    AuthorAppointed,
    InProgress,
    Submitted,
    SignedOff,
}

impl ImrStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImrStatus::Requested => "requested",
            ImrStatus::AuthorAppointed => "author_appointed",
            ImrStatus::InProgress => "in_progress",
            ImrStatus::Submitted => "submitted",
            ImrStatus::SignedOff => "signed_off",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ImrStatus::Requested => "Requested",
            ImrStatus::AuthorAppointed => "Author appointed",
            ImrStatus::InProgress => "In progress",
            ImrStatus::Submitted => "Submitted",
            ImrStatus::SignedOff => "Signed off",
        }
    }

    /// Open IMRs can be late; submitted ones wait on the agency head, not the author.
    pub fn is_late(self, due: NaiveDate, today: NaiveDate) -> bool {
        matches!(self, ImrStatus::Requested | ImrStatus::AuthorAppointed | ImrStatus::InProgress) && today > due
    }
}

impl fmt::Display for ImrStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImrStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [ImrStatus::Requested, ImrStatus::AuthorAppointed, ImrStatus::InProgress, ImrStatus::Submitted, ImrStatus::SignedOff]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown IMR status '{s}'"))
    }
}

/// Something done to an IMR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImrAction {
    AppointAuthor,
    Start,
    Submit,
    /// The agency head sends it back to the author.
    Return,
    SignOff,
}

impl FromStr for ImrAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "appoint_author" => ImrAction::AppointAuthor,
            "start" => ImrAction::Start,
            "submit" => ImrAction::Submit,
            "return" => ImrAction::Return,
            "sign_off" => ImrAction::SignOff,
            _ => return Err(format!("unknown IMR action '{s}'; expected appoint_author, start, submit, return or sign_off")),
        })
    }
}

/// How the caller stands to this IMR, beyond their role.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImrCaller {
    pub role: Option<Role>,
    /// The caller is the appointed author.
    pub is_author: bool,
    /// The caller belongs to the agency whose IMR it is.
    pub same_agency: bool,
}

/// The IMR's life as a table: (action, from, to, who may). The agency's service director
/// (agency head) appoints the author and signs off (002; 001 §2.3.38); the author writes.
pub fn apply(status: ImrStatus, action: ImrAction, caller: ImrCaller) -> Result<ImrStatus, String> {
    use ImrAction as A;
    use ImrStatus as S;
    let coordinator = matches!(caller.role, Some(Role::PartnershipAdmin | Role::PanelChair));
    // The board chair may appoint too, being the one who can override an independence rule.
    let chair = caller.role == Some(Role::BoardChair);
    let head = caller.role == Some(Role::AgencyHead) && caller.same_agency;
    let (from, to, allowed, who): (&[S], S, bool, &str) = match action {
        A::AppointAuthor => (
            &[S::Requested, S::AuthorAppointed],
            S::AuthorAppointed,
            coordinator || head || chair,
            "the agency head, the board manager, the panel chair or the board chair",
        ),
        A::Start => (&[S::AuthorAppointed], S::InProgress, caller.is_author || coordinator, "the appointed author"),
        A::Submit => (&[S::InProgress], S::Submitted, caller.is_author, "the appointed author"),
        A::Return => (&[S::Submitted], S::InProgress, head, "the agency head"),
        A::SignOff => (&[S::Submitted], S::SignedOff, head, "the head of the agency whose IMR it is"),
    };
    if !allowed {
        return Err(format!("only {who} may do this"));
    }
    if !from.contains(&status) {
        return Err(format!("the IMR is '{}': this cannot be done now", status.title()));
    }
    Ok(to)
}

/// A practitioner involved with the child or family, as the review knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practitioner {
    pub name: String,
    pub agency: String,
    pub role: String,
    /// Their line manager's name, when known.
    #[serde(default)]
    pub line_manager: String,
}

/// The appointment being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Appointment {
    ImrAuthor { agency: String },
    OverviewAuthor,
    PanelChair,
    PanelMember,
}

impl Appointment {
    pub fn title(&self) -> String {
        match self {
            Appointment::ImrAuthor { agency } => format!("IMR author for {agency}"),
            Appointment::OverviewAuthor => "overview author".into(),
            Appointment::PanelChair => "panel chair".into(),
            Appointment::PanelMember => "panel member".into(),
        }
    }
}

/// The person proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub agency: Option<String>,
    /// Works for the board's business unit.
    pub board_staff: bool,
}

/// A name compared without titles, case, punctuation or extra spaces.
pub fn normalise_name(name: &str) -> String {
    const TITLES: [&str; 9] = ["dr", "mr", "mrs", "ms", "miss", "prof", "di", "dci", "ds"];
    name.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !TITLES.contains(w)).collect::<Vec<_>>().join(" ")
}

/// Why the candidate is not independent enough for the appointment, or nothing. The rules
/// (DOMAIN.md step 6; 001 §2.3.23-2.3.31; 002): an IMR author must not have been directly
/// concerned with the child or family, nor be the line manager of a practitioner involved;
/// the overview author and panel chair must be independent of the board and of every agency
/// involved; a panel member must have had no direct involvement.
pub fn independence_problems(
    appointment: &Appointment,
    candidate: &Candidate,
    practitioners: &[Practitioner],
    involved_agencies: &[String],
) -> Vec<String> {
    let who = normalise_name(&candidate.name);
    let mut out = Vec::new();
    let involved: Vec<&Practitioner> = practitioners.iter().filter(|p| normalise_name(&p.name) == who).collect();
    let manages: Vec<&Practitioner> =
        practitioners.iter().filter(|p| !p.line_manager.trim().is_empty() && normalise_name(&p.line_manager) == who).collect();
    let direct = |out: &mut Vec<String>| {
        for p in &involved {
            out.push(format!("{} was directly involved with the child or family ({}, {})", candidate.name, p.role, p.agency));
        }
    };
    match appointment {
        Appointment::ImrAuthor { .. } => {
            direct(&mut out);
            for p in &manages {
                out.push(format!(
                    "{} is the line manager of {}, a practitioner involved ({}, {})",
                    candidate.name, p.name, p.role, p.agency
                ));
            }
        }
        Appointment::OverviewAuthor | Appointment::PanelChair => {
            if candidate.board_staff {
                out.push(format!("{} works for the board, and the {} must be independent of it", candidate.name, appointment.title()));
            }
            if let Some(a) = &candidate.agency {
                if involved_agencies.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                    out.push(format!(
                        "{} belongs to {}, an agency involved in the case, and the {} must be independent of them",
                        candidate.name,
                        a,
                        appointment.title()
                    ));
                }
            }
            direct(&mut out);
        }
        Appointment::PanelMember => direct(&mut out),
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn practitioners() -> Vec<Practitioner> {
        vec![
            Practitioner {
                name: "Jo Bloggs".into(),
                agency: "Health".into(),
                role: "Health Visitor".into(),
                line_manager: "Dr. Ann Smith".into(),
            },
            Practitioner {
                name: "Sam Lee".into(),
                agency: "Children's Social Care".into(),
                role: "Social Worker".into(),
                line_manager: String::new(),
            },
        ]
    }

    #[test]
    fn independence_table() {
        let agencies = vec!["Health".to_string(), "Children's Social Care".to_string()];
        let c = |name: &str, agency: Option<&str>, staff: bool| Candidate {
            name: name.into(),
            agency: agency.map(str::to_string),
            board_staff: staff,
        };
        let imr = Appointment::ImrAuthor { agency: "Health".into() };
        let cases: Vec<(Appointment, Candidate, usize, &str)> = vec![
            (imr.clone(), c("jo  BLOGGS", Some("Health"), false), 1, "directly involved"),
            (imr.clone(), c("Ann Smith", Some("Health"), false), 1, "line manager of Jo Bloggs"),
            (imr.clone(), c("Pat Green", Some("Health"), false), 0, ""),
            (Appointment::OverviewAuthor, c("Margaret Lowe", None, false), 0, ""),
            (Appointment::OverviewAuthor, c("Priya Shah", None, true), 1, "works for the board"),
            (Appointment::PanelChair, c("Chris Hill", Some("health"), false), 1, "agency involved"),
            (Appointment::PanelChair, c("Chris Hill", Some("Police"), false), 0, ""),
            (Appointment::PanelMember, c("Sam Lee", Some("Children's Social Care"), false), 1, "directly involved"),
            (Appointment::PanelMember, c("Ann Smith", Some("Health"), false), 0, ""),
        ];
        for (a, cand, n, needle) in cases {
            let p = independence_problems(&a, &cand, &practitioners(), &agencies);
            assert_eq!(p.len(), n, "{a:?} {cand:?}: {p:?}");
            if n > 0 {
                assert!(p[0].contains(needle), "{p:?}");
            }
        }
    }

    #[test]
    fn imr_life() {
        let head = ImrCaller { role: Some(Role::AgencyHead), is_author: false, same_agency: true };
        let other_head = ImrCaller { role: Some(Role::AgencyHead), is_author: false, same_agency: false };
        let author = ImrCaller { role: Some(Role::AgencyAuthor), is_author: true, same_agency: true };
        let admin = ImrCaller { role: Some(Role::PartnershipAdmin), ..Default::default() };
        let mut s = ImrStatus::Requested;
        assert!(apply(s, ImrAction::AppointAuthor, other_head).unwrap_err().contains("agency head"));
        s = apply(s, ImrAction::AppointAuthor, head).unwrap();
        assert!(apply(s, ImrAction::Submit, author).unwrap_err().contains("cannot be done now"));
        s = apply(s, ImrAction::Start, author).unwrap();
        assert!(apply(s, ImrAction::Submit, admin).is_err(), "only the author submits");
        s = apply(s, ImrAction::Submit, author).unwrap();
        s = apply(s, ImrAction::Return, head).unwrap();
        assert_eq!(s, ImrStatus::InProgress);
        s = apply(s, ImrAction::Submit, author).unwrap();
        assert!(apply(s, ImrAction::SignOff, other_head).is_err());
        assert_eq!(apply(s, ImrAction::SignOff, head).unwrap(), ImrStatus::SignedOff);
        let due = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert!(ImrStatus::InProgress.is_late(due, due.succ_opt().unwrap()));
        assert!(!ImrStatus::Submitted.is_late(due, due.succ_opt().unwrap()));
        assert!(!ImrStatus::InProgress.is_late(due, due));
    }
}
