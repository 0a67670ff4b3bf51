//! Meetings of a review (issue 9 item 1; 001 §2.2.1, §2.3.8, §2.4.2, §3.1.12-3.1.15, App.
//! XIII): their kinds, who was invited and who came (by organisation), the quorum where the
//! rules set one, the papers and the date each was circulated, minutes, decisions, actions
//! arising and dissent. How far ahead papers must go out is data ([`PaperRules`], Medway's
//! figures by default), so a partnership's ruleset can change it.

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The meetings the seeds describe, in the order a review holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    ScreeningPanel,
    Scoping,
    AuthorsBriefing,
    ImrPresentation,
    PanelAnalysis,
    DraftAgreement,
    BoardAdoption,
    PractitionersDebrief,
    PractitionerBriefing,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 9] = [
        MeetingKind::ScreeningPanel,
        MeetingKind::Scoping,
        MeetingKind::AuthorsBriefing,
        MeetingKind::ImrPresentation,
        MeetingKind::PanelAnalysis,
        MeetingKind::DraftAgreement,
        MeetingKind::BoardAdoption,
        MeetingKind::PractitionersDebrief,
        MeetingKind::PractitionerBriefing,
    ];

    pub fn title(self) -> &'static str {
        match self {
            MeetingKind::ScreeningPanel => "Screening panel",
            MeetingKind::Scoping => "Scoping meeting (first overview panel meeting)",
            MeetingKind::AuthorsBriefing => "Briefing of IMR authors",
            MeetingKind::ImrPresentation => "IMR presentation day",
            MeetingKind::PanelAnalysis => "Panel analysis meeting",
            MeetingKind::DraftAgreement => "Meeting to agree the draft overview report",
            MeetingKind::BoardAdoption => "Board meeting to adopt the report",
            MeetingKind::PractitionersDebrief => "Practitioners' debrief",
            MeetingKind::PractitionerBriefing => "Practitioner briefing",
        }
    }

    /// Where the seeds describe it.
    pub fn source(self) -> &'static str {
        match self {
            MeetingKind::ScreeningPanel => "001 §2.2.1; 000 §5",
            MeetingKind::Scoping => "001 §2.3.7-2.3.8, App. XIII",
            MeetingKind::AuthorsBriefing => "001 §2.3.8 iv, App. XIII",
            MeetingKind::ImrPresentation => "001 §2.4.2, App. XIII",
            MeetingKind::PanelAnalysis => "001 App. XIII (second panel meeting)",
            MeetingKind::DraftAgreement => "001 App. XIII",
            MeetingKind::BoardAdoption => "000 §11.1; 001 App. XIII",
            MeetingKind::PractitionersDebrief => "001 §3.1.12-3.1.14",
            MeetingKind::PractitionerBriefing => "001 §3.1.15",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::ScreeningPanel => "screening_panel",
            MeetingKind::Scoping => "scoping",
            MeetingKind::AuthorsBriefing => "authors_briefing",
            MeetingKind::ImrPresentation => "imr_presentation",
            MeetingKind::PanelAnalysis => "panel_analysis",
            MeetingKind::DraftAgreement => "draft_agreement",
            MeetingKind::BoardAdoption => "board_adoption",
            MeetingKind::PractitionersDebrief => "practitioners_debrief",
            MeetingKind::PractitionerBriefing => "practitioner_briefing",
        }
    }

    pub fn parse(s: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Papers of a practitioners' debrief are read at the meeting and handed back (001
    /// §3.1.14): in casereview they are read in the browser only, never downloaded.
    pub fn papers_handed_back(self) -> bool {
        self == MeetingKind::PractitionersDebrief
    }

    /// Meetings of the review panel, at each of which the family's involvement is reviewed
    /// (001 §2.3.13).
    pub fn is_panel_meeting(self) -> bool {
        matches!(self, MeetingKind::Scoping | MeetingKind::ImrPresentation | MeetingKind::PanelAnalysis | MeetingKind::DraftAgreement)
    }
}

/// How many days before a meeting its papers must be circulated, and the quorum, per kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperRules {
    /// (kind, calendar days before the meeting).
    pub lead_days: Vec<(MeetingKind, u32)>,
    /// (kind, partner organisations that must attend).
    pub quorum: Vec<(MeetingKind, usize)>,
}

impl Default for PaperRules {
    /// Medway's rules: agency reports at least one week before the IMR meeting (001
    /// §2.4.2), the draft report ten days before the board meets (001 App. XIII), three
    /// partner organisations at a screening panel (001 §2.2.1).
    fn default() -> Self {
        PaperRules {
            lead_days: vec![(MeetingKind::ImrPresentation, 7), (MeetingKind::BoardAdoption, 10)],
            quorum: vec![(MeetingKind::ScreeningPanel, 3)],
        }
    }
}

impl PaperRules {
    pub fn lead_days(&self, kind: MeetingKind) -> Option<u32> {
        self.lead_days.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d)
    }

    pub fn quorum(&self, kind: MeetingKind) -> Option<usize> {
        self.quorum.iter().find(|(k, _)| *k == kind).map(|(_, n)| *n)
    }
}

/// Someone invited, by name and organisation; `attended` once the meeting has happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub name: String,
    #[serde(default)]
    pub email: String,
    pub organisation: String,
    /// The organisation is a partner of the board (counts towards a quorum).
    #[serde(default)]
    pub partner: bool,
    #[serde(default)]
    pub attended: bool,
}

/// A paper for the meeting and the date it went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub title: String,
    #[serde(default)]
    pub circulated_on: Option<NaiveDate>,
    /// The stored file, when the paper was uploaded (the store's id of it).
    #[serde(default)]
    pub file: Option<i64>,
}

/// An action arising, with its owner and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionArising {
    pub action: String,
    pub owner: String,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// A member's dissent from a decision, minuted (001 §2.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dissent {
    pub member: String,
    pub organisation: String,
    pub view: String,
}

/// One meeting of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub kind: MeetingKind,
    pub date: Option<NaiveDate>,
    /// "10:00" or empty.
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub invitees: Vec<Invitee>,
    /// The agenda, for the invitees.
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub papers: Vec<Paper>,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub actions: Vec<ActionArising>,
    #[serde(default)]
    pub dissent: Vec<Dissent>,
}

/// Whether a meeting that needs a quorum had one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Quorum {
    NotRequired,
    Met { organisations: Vec<String>, required: usize },
    NotMet { organisations: Vec<String>, required: usize },
}

impl Meeting {
    /// Errors that stop the meeting being saved (each naming its field).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let Some(date) = self.date else {
            e.push("date", "Enter the date of the meeting");
            return Err(e);
        };
        if !self.time.is_empty() && chrono::NaiveTime::parse_from_str(&self.time, "%H:%M").is_err() {
            e.push("time", "Enter the time as hours and minutes, for example 14:30");
        }
        for (i, p) in self.papers.iter().enumerate() {
            if p.title.trim().is_empty() {
                e.push(format!("papers[{i}].title"), "Enter the paper's title");
            }
            if p.circulated_on.is_some_and(|c| c > date) {
                e.push(format!("papers[{i}].circulated_on"), "A paper cannot be circulated after the meeting it is for");
            }
        }
        for (i, x) in self.invitees.iter().enumerate() {
            if x.name.trim().is_empty() {
                e.push(format!("invitees[{i}].name"), "Enter the invitee's name");
            }
            if x.organisation.trim().is_empty() {
                e.push(format!("invitees[{i}].organisation"), "Enter the invitee's organisation");
            }
            if !x.email.is_empty() && !x.email.contains('@') {
                e.push(format!("invitees[{i}].email"), "Enter an email address in the correct format, like name@example.org");
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            if a.action.trim().is_empty() {
                e.push(format!("actions[{i}].action"), "Describe the action");
            }
            if a.owner.trim().is_empty() {
                e.push(format!("actions[{i}].owner"), "Say who will do the action");
            }
        }
        for (i, d) in self.dissent.iter().enumerate() {
            if d.view.trim().is_empty() {
                e.push(format!("dissent[{i}].view"), "Record the dissenting view");
            }
        }
        e.into_result(())
    }

    /// Whether the person with this email is invited (the agenda and papers are theirs to read).
    pub fn invites(&self, email: &str) -> bool {
        !email.is_empty() && self.invitees.iter().any(|x| x.email.trim().eq_ignore_ascii_case(email.trim()))
    }

    /// Warnings that do not stop saving: papers circulated later than the rules allow.
    pub fn warnings(&self, rules: &PaperRules) -> Vec<String> {
        let (Some(date), Some(days)) = (self.date, rules.lead_days(self.kind)) else { return Vec::new() };
        let latest = date - chrono::Duration::days(i64::from(days));
        self.papers
            .iter()
            .filter_map(|p| match p.circulated_on {
                Some(c) if c > latest => Some(format!(
                    "\"{}\" was circulated on {}, {} days before the meeting: the rules ask for at least {days} ({})",
                    p.title.trim(),
                    c.format("%-d %B %Y"),
                    (date - c).num_days(),
                    self.kind.source()
                )),
                None => Some(format!(
                    "\"{}\" has not been circulated: it should go out by {} ({})",
                    p.title.trim(),
                    latest.format("%-d %B %Y"),
                    self.kind.source()
                )),
                _ => None,
            })
            .collect()
    }

    /// The partner organisations represented, against the quorum the rules set.
    pub fn quorum(&self, rules: &PaperRules) -> Quorum {
        let Some(required) = rules.quorum(self.kind) else { return Quorum::NotRequired };
        let organisations: Vec<String> = self
            .invitees
            .iter()
            .filter(|x| x.attended && x.partner)
            .map(|x| x.organisation.trim().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if organisations.len() >= required {
            Quorum::Met { organisations, required }
        } else {
            Quorum::NotMet { organisations, required }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn meeting(kind: MeetingKind) -> Meeting {
        Meeting {
            kind,
            date: Some(d("2026-05-20")),
            time: "10:00".into(),
            place: "Gun Wharf".into(),
            invitees: vec![],
            agenda: String::new(),
            papers: vec![],
            minutes: String::new(),
            decisions: vec![],
            actions: vec![],
            dissent: vec![],
        }
    }

    fn invitee(org: &str, partner: bool, attended: bool) -> Invitee {
        Invitee { name: format!("Rep of {org}"), email: String::new(), organisation: org.into(), partner, attended }
    }

    #[test]
    fn kinds_round_trip() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
        }
        assert!(MeetingKind::PractitionersDebrief.papers_handed_back());
        assert!(!MeetingKind::BoardAdoption.papers_handed_back());
    }

    #[test]
    fn a_meeting_needs_a_date_and_papers_before_it() {
        let mut m = meeting(MeetingKind::PanelAnalysis);
        m.date = None;
        assert_eq!(m.validate().err().map(|e| e.0[0].field.clone()), Some("date".into()));
        let mut m = meeting(MeetingKind::PanelAnalysis);
        m.papers = vec![Paper { title: "Chronology".into(), circulated_on: Some(d("2026-05-21")), file: None }];
        m.time = "25:99".into();
        let fields: Vec<String> = m.validate().err().map(|e| e.0.into_iter().map(|e| e.field).collect()).unwrap_or_default();
        assert_eq!(fields, vec!["time", "papers[0].circulated_on"]);
    }

    #[test]
    fn late_papers_are_warned_by_kind() {
        let rules = PaperRules::default();
        // (kind, circulated, warned)
        let cases: &[(MeetingKind, Option<&str>, bool)] = &[
            (MeetingKind::ImrPresentation, Some("2026-05-13"), false),
            (MeetingKind::ImrPresentation, Some("2026-05-14"), true),
            (MeetingKind::ImrPresentation, None, true),
            (MeetingKind::BoardAdoption, Some("2026-05-10"), false),
            (MeetingKind::BoardAdoption, Some("2026-05-11"), true),
            (MeetingKind::PanelAnalysis, Some("2026-05-19"), false),
        ];
        for (kind, circulated, warned) in cases {
            let mut m = meeting(*kind);
            m.papers = vec![Paper { title: "Agency reports".into(), circulated_on: circulated.map(d), file: None }];
            assert_eq!(!m.warnings(&rules).is_empty(), *warned, "{kind:?} {circulated:?}");
        }
        let mut m = meeting(MeetingKind::ImrPresentation);
        m.papers = vec![Paper { title: "Agency reports".into(), circulated_on: Some(d("2026-05-16")), file: None }];
        assert_eq!(
            m.warnings(&rules),
            vec!["\"Agency reports\" was circulated on 16 May 2026, 4 days before the meeting: the rules ask for at least 7 (001 §2.4.2, App. XIII)"]
        );
    }

    #[test]
    fn quorum_counts_distinct_partner_organisations_that_attended() {
        let rules = PaperRules::default();
        let mut m = meeting(MeetingKind::ScreeningPanel);
        m.invitees = vec![
            invitee("Police", true, true),
            invitee("Police", true, true),
            invitee("Health", true, true),
            invitee("Housing association", false, true),
            invitee("Education", true, false),
        ];
        assert!(matches!(m.quorum(&rules), Quorum::NotMet { ref organisations, required: 3 } if organisations.len() == 2));
        m.invitees[4].attended = true;
        assert!(matches!(m.quorum(&rules), Quorum::Met { .. }));
        assert_eq!(meeting(MeetingKind::PanelAnalysis).quorum(&rules), Quorum::NotRequired);
    }
}
