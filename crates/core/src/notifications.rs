//! The notifications log (issue 9 item 6): every notification the seeds require, what was
//! sent, to whom, when, by whom, the date of the event it reports, its statutory deadline
//! (from the clock: each kind names the ruleset steps that time it, [`NotificationKind::clock_steps`])
//! and any receipt; and the Ofsted notification form of 001 App. IX kept as structured data
//! ([`OfstedNotification`]), not as a scanned page.

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who the seeds require the board to notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Ofsted (the regulatory authority) of a serious childcare incident and of each decision
    /// (000 §3.2, §5.8; 001 §2.2 step 10, App. IX).
    Regulator,
    /// The national panel of independent experts: decisions, and the report before publication (002).
    NationalPanel,
    /// The Strategic Health Authority (or its successor), by the PCT, of every review (000 §5.11; 001 step 10).
    StrategicHealthAuthority,
    /// The coroner, where the child died (000 §5.8).
    Coroner,
    /// The designated doctor and nurse (000 §5.8).
    DesignatedProfessionals,
    /// The agencies' chief executives or equivalent: secure files, commission IMRs, rescind (000 §4.1, §5.9-5.10).
    ChiefExecutives,
    /// The Department (DCSF, now DfE): the report, action plan and summary after adoption (000 §11.6, §12.5).
    Department,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::Regulator,
        NotificationKind::NationalPanel,
        NotificationKind::StrategicHealthAuthority,
        NotificationKind::Coroner,
        NotificationKind::DesignatedProfessionals,
        NotificationKind::ChiefExecutives,
        NotificationKind::Department,
    ];

    pub fn title(self) -> &'static str {
        match self {
            NotificationKind::Regulator => "Regulator (Ofsted)",
            NotificationKind::NationalPanel => "National panel of independent experts",
            NotificationKind::StrategicHealthAuthority => "Strategic Health Authority (or successor)",
            NotificationKind::Coroner => "Coroner",
            NotificationKind::DesignatedProfessionals => "Designated doctor and nurse",
            NotificationKind::ChiefExecutives => "Agencies' chief executives",
            NotificationKind::Department => "Department for Education",
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            NotificationKind::Regulator => "000 §3.2, §5.8; 001 App. IX",
            NotificationKind::NationalPanel => "002 (national panel)",
            NotificationKind::StrategicHealthAuthority => "000 §5.11; 001 §2.2",
            NotificationKind::Coroner => "000 §5.8",
            NotificationKind::DesignatedProfessionals => "000 §5.8",
            NotificationKind::ChiefExecutives => "000 §4.1, §5.9-5.10",
            NotificationKind::Department => "000 §11.6, §12.5",
        }
    }

    /// The ruleset steps (in any of the shipped rulesets) whose deadline times this kind of
    /// notification; the first one the review's ruleset has applies.
    pub fn clock_steps(self) -> &'static [&'static str] {
        match self {
            NotificationKind::Regulator => &["inform_regulator", "copies_to_regulator"],
            NotificationKind::NationalPanel => &["notify_national_panel", "report_to_national_panel"],
            NotificationKind::ChiefExecutives => &["inform_agency_heads", "secure_records_letter", "secure_records"],
            NotificationKind::Department => &["copies_to_regulator"],
            NotificationKind::StrategicHealthAuthority | NotificationKind::Coroner | NotificationKind::DesignatedProfessionals => &[],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Regulator => "regulator",
            NotificationKind::NationalPanel => "national_panel",
            NotificationKind::StrategicHealthAuthority => "strategic_health_authority",
            NotificationKind::Coroner => "coroner",
            NotificationKind::DesignatedProfessionals => "designated_professionals",
            NotificationKind::ChiefExecutives => "chief_executives",
            NotificationKind::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: NotificationKind,
    /// What was sent ("Decision to hold a serious case review", "Overview report, action plan").
    pub what: String,
    /// The recipient, by name or office.
    pub to: String,
    pub sent_on: Option<NaiveDate>,
    /// The date of the event the notification reports (the decision, the incident, adoption).
    pub event_on: Option<NaiveDate>,
    #[serde(default)]
    pub receipt_on: Option<NaiveDate>,
    #[serde(default)]
    pub receipt_reference: String,
}

impl Notification {
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.what.trim().is_empty() {
            e.push("what", "Say what was sent");
        }
        if self.to.trim().is_empty() {
            e.push("to", "Say who it was sent to");
        }
        match self.sent_on {
            None => e.push("sent_on", "Enter the date it was sent"),
            Some(s) if s > today => e.push("sent_on", "The date sent must be today or in the past"),
            Some(s) => {
                if self.event_on.is_some_and(|ev| s < ev) {
                    e.push("sent_on", "A notification cannot be sent before the event it reports");
                }
                if self.receipt_on.is_some_and(|r| r < s) {
                    e.push("receipt_on", "The receipt cannot be dated before the notification was sent");
                }
            }
        }
        if self.event_on.is_some_and(|ev| ev > today) {
            e.push("event_on", "The event must be today or in the past");
        }
        e.into_result(())
    }
}

/// A question of the Ofsted form with a fixed set of answers: (key, label, options).
pub type Choice = (&'static str, &'static str, &'static [&'static str]);

/// The single-answer questions of the Ofsted form (001 App. IX), as data.
pub const OFSTED_CHOICES: &[Choice] = &[
    ("gender", "Gender", &["Male", "Female"]),
    ("child_protection_register", "Is the child on the Child Protection Register?", &["Yes", "No", "Has been"]),
    ("siblings_register", "Are any siblings on the Child Protection Register?", &["Yes", "No", "Has been"]),
    ("incident_type", "Type of incident", &["Serious injury", "Death"]),
    (
        "residence",
        "Residence or placement at time of incident",
        &[
            "Living at home",
            "Living with relatives",
            "With foster carers (short term)",
            "With foster carers (long term)",
            "With foster carers (short break)",
            "Residential children's home",
            "Residential children's home (short break)",
            "Lodgings",
            "Residential school",
            "Semi-independence unit",
            "Mother and baby unit",
            "Hospital",
            "Residential family unit",
            "Not yet known",
            "Other",
        ],
    ),
    ("institution_sector", "Institution sector", &["Local authority", "Voluntary", "Private", "Not known"]),
    (
        "cause",
        "Cause of incident",
        &[
            "Natural causes",
            "Non-accidental injury",
            "Self-harm",
            "Not yet known",
            "Non-accidental death",
            "Road traffic accident (RTA)",
            "Suicide",
            "Accidental death",
            "Sudden Infant Death Syndrome",
            "Neglect",
            "Accidental injury",
            "Drug/solvent misuse",
            "Other",
        ],
    ),
    ("complex_abuse", "Is this case linked to a complex abuse investigation?", &["Yes", "No"]),
    ("criminal_proceedings", "Have criminal proceedings been instigated?", &["Yes", "No", "Possible"]),
    ("conviction", "Has there been a conviction?", &["Yes", "No"]),
    ("media_interest", "Media interest", &["National", "Local", "None", "Not known"]),
];

/// The multiple-answer questions of the Ofsted form.
pub const OFSTED_TICKS: &[Choice] = &[
    (
        "reasons",
        "Reason for notification",
        &[
            "Serious case review confirmed",
            "Serious case review possible but not yet confirmed",
            "Death of a looked-after child",
            "Death or serious harm to a child in a children's home",
            "Serious harm to a child",
            "Conduct of a member of staff",
        ],
    ),
    ("registration_category", "Category of registration", &["Physical abuse", "Sexual abuse", "Emotional abuse", "Neglect"]),
    (
        "legal_status",
        "Legal status",
        &[
            "Adoption",
            "Emergency Protection Order",
            "Police Protection Order",
            "Supervision Order",
            "Care Order",
            "Ward of Court",
            "Section 20 Accommodation",
            "Residence Order",
            "None",
            "Other",
        ],
    ),
    (
        "disability",
        "Does the child have a disability that affects any of the following?",
        &[
            "Mobility",
            "Hand function",
            "Personal care",
            "Incontinence",
            "Communication",
            "Learning",
            "Hearing",
            "Vision",
            "Behaviour",
            "Consciousness",
        ],
    ),
    (
        "characteristics",
        "Characteristics of case",
        &[
            "Domestic violence",
            "Alcohol abuse",
            "Drug abuse",
            "Parental mental health",
            "Fabricated illness",
            "Shaken baby syndrome",
            "Sexual abuse",
            "Parent in care",
            "More than one child abused",
            "Child of teenage pregnancy",
            "Parent is care leaver",
            "Serious illness",
            "Emotional abuse",
            "Recent neglect",
            "Long-standing neglect",
            "Physical abuse",
        ],
    ),
];

/// The Ofsted notification of a serious childcare incident (001 App. IX) as fields: free
/// text by key in `text` (notifier, child, family note, case outline...), dates in `dates`,
/// one answer per question of [`OFSTED_CHOICES`] in `choices`, ticks per [`OFSTED_TICKS`] in `ticks`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OfstedNotification {
    #[serde(default)]
    pub text: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub dates: std::collections::BTreeMap<String, NaiveDate>,
    #[serde(default)]
    pub choices: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub ticks: std::collections::BTreeMap<String, Vec<String>>,
}

/// The free-text fields of the form: (key, label, required).
pub const OFSTED_TEXT: &[(&str, &str, bool)] = &[
    ("local_authority", "Local authority", true),
    ("notifier_name", "Notifier's name", true),
    ("notifier_role", "Notifier's role", true),
    ("notifier_telephone", "Telephone number", true),
    ("linked_cases", "Linked cases", false),
    ("child_last_names", "Child's last name(s)", true),
    ("child_forenames", "Child's forename(s)", true),
    ("other_names", "Other names used", false),
    ("parents_names", "Parents' names", false),
    ("siblings", "Siblings' names and ages", false),
    ("family_note", "Family note: key relationships and who lives with the child", false),
    ("ethnicity", "Ethnicity", false),
    ("incident_local_authority", "Local authority where the incident took place", true),
    ("responsible_local_authority", "Responsible local authority", true),
    ("institution", "Name of institution (if accommodated)", false),
    ("case_outline", "Case outline", true),
    ("alleged_abusers", "Name(s) of alleged abuser(s)", false),
    ("persons_charged", "Name(s) of person(s) charged and relationship to child", false),
];

/// The date fields: (key, label, required).
pub const OFSTED_DATES: &[(&str, &str, bool)] = &[
    ("date_notified", "Date notified", true),
    ("child_date_of_birth", "Child's date of birth", false),
    ("incident_date", "Date of incident", true),
    ("date_of_death", "Date of death", false),
];

impl OfstedNotification {
    /// Every problem, each naming its field (`text.case_outline`, `choices.cause`, `ticks.reasons`).
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (key, label, required) in OFSTED_TEXT {
            if *required && self.text.get(*key).is_none_or(|v| v.trim().is_empty()) {
                e.push(format!("text.{key}"), format!("Enter {}", label.to_lowercase()));
            }
        }
        for key in self.text.keys() {
            if !OFSTED_TEXT.iter().any(|(k, _, _)| k == key) {
                e.push(format!("text.{key}"), "This is not a field of the Ofsted notification form");
            }
        }
        for (key, label, required) in OFSTED_DATES {
            match self.dates.get(*key) {
                None if *required => e.push(format!("dates.{key}"), format!("Enter the {}", label.to_lowercase())),
                Some(d) if *d > today => e.push(format!("dates.{key}"), "The date must be today or in the past"),
                _ => {}
            }
        }
        if let (Some(incident), Some(notified)) = (self.dates.get("incident_date"), self.dates.get("date_notified")) {
            if notified < incident {
                e.push("dates.date_notified", "Ofsted cannot be notified before the incident it reports");
            }
        }
        for (key, value) in &self.choices {
            match OFSTED_CHOICES.iter().find(|(k, _, _)| k == key) {
                None => e.push(format!("choices.{key}"), "This is not a question of the Ofsted notification form"),
                Some((_, label, options)) if !options.contains(&value.as_str()) => {
                    e.push(format!("choices.{key}"), format!("Choose one of the answers to \"{label}\""))
                }
                _ => {}
            }
        }
        for (key, values) in &self.ticks {
            match OFSTED_TICKS.iter().find(|(k, _, _)| k == key) {
                None => e.push(format!("ticks.{key}"), "This is not a question of the Ofsted notification form"),
                Some((_, label, options)) => {
                    if let Some(bad) = values.iter().find(|v| !options.contains(&v.as_str())) {
                        e.push(format!("ticks.{key}"), format!("\"{bad}\" is not an answer to \"{label}\""));
                    }
                }
            }
        }
        if self.ticks.get("reasons").is_none_or(|r| r.is_empty()) {
            e.push("ticks.reasons", "Tick at least one reason for notification");
        }
        if self.choices.get("incident_type").is_some_and(|t| t == "Death") && !self.dates.contains_key("date_of_death") {
            e.push("dates.date_of_death", "Enter the date of death");
        }
        e.into_result(())
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
    fn kinds_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn a_notification_is_not_sent_before_its_event() {
        let today = d("2026-11-23");
        let mut n = Notification {
            kind: NotificationKind::Regulator,
            what: "Decision to hold a serious case review".into(),
            to: "Ofsted National Business Unit".into(),
            sent_on: Some(d("2026-03-02")),
            event_on: Some(d("2026-03-02")),
            receipt_on: Some(d("2026-03-03")),
            receipt_reference: "NBU/123".into(),
        };
        assert!(n.validate(today).is_ok());
        n.sent_on = Some(d("2026-03-01"));
        n.receipt_on = Some(d("2026-02-28"));
        assert_eq!(n.validate(today).err().map(fields).unwrap_or_default(), vec!["sent_on", "receipt_on"]);
        n.sent_on = None;
        n.to = String::new();
        assert_eq!(n.validate(today).err().map(fields).unwrap_or_default(), vec!["to", "sent_on"]);
        n.sent_on = Some(d("2026-12-01"));
        n.to = "Ofsted".into();
        assert_eq!(n.validate(today).err().map(fields).unwrap_or_default(), vec!["sent_on"]);
    }

    fn form() -> OfstedNotification {
        let mut f = OfstedNotification::default();
        for (k, _, required) in OFSTED_TEXT {
            if *required {
                f.text.insert(k.to_string(), "x".into());
            }
        }
        f.dates.insert("date_notified".into(), d("2026-02-16"));
        f.dates.insert("incident_date".into(), d("2026-02-14"));
        f.ticks.insert("reasons".into(), vec!["Serious case review possible but not yet confirmed".into()]);
        f.choices.insert("incident_type".into(), "Serious injury".into());
        f
    }

    #[test]
    fn ofsted_form_is_checked_field_by_field() {
        let today = d("2026-11-23");
        assert!(form().validate(today).is_ok());
        let mut f = form();
        f.text.remove("case_outline");
        f.choices.insert("cause".into(), "Bad luck".into());
        f.ticks.insert("characteristics".into(), vec!["Domestic violence".into(), "Poverty".into()]);
        f.choices.insert("incident_type".into(), "Death".into());
        f.dates.insert("date_notified".into(), d("2026-02-13"));
        assert_eq!(
            f.validate(today).err().map(fields).unwrap_or_default(),
            vec!["text.case_outline", "dates.date_notified", "choices.cause", "ticks.characteristics", "dates.date_of_death"]
        );
        let mut g = form();
        g.ticks.clear();
        g.text.insert("favourite_colour".into(), "blue".into());
        assert_eq!(g.validate(today).err().map(fields).unwrap_or_default(), vec!["text.favourite_colour", "ticks.reasons"]);
    }

    #[test]
    fn characteristics_match_the_seed_list() {
        let (_, _, c) = OFSTED_TICKS.iter().find(|(k, _, _)| *k == "characteristics").copied().unwrap_or(("", "", &[]));
        assert_eq!(c.len(), 16);
        assert!(c.contains(&"Shaken baby syndrome") && c.contains(&"Parent is care leaver"));
    }
}
