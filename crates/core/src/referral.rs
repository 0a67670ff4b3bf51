//! The referral form (001 App. I Section 1; 000 §3): every field, the repeatable lists,
//! and the checks that make a stored referral always a valid one.

use crate::error::FieldErrors;
use crate::screening::yes_no;
use crate::text::{self, LONG_MAX, SHORT_MAX};
use crate::AgencyDirectory;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// 1.1 Referrer details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    pub name: String,
    pub position: String,
    pub agency: String,
    pub contact: String,
    pub line_manager: String,
    pub line_manager_aware: bool,
}

/// 1.2 Child details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub date_of_death: Option<NaiveDate>,
    pub home_address: String,
    pub ethnic_origin: String,
    pub religion: String,
    /// Special needs or disability: `None` when "No", the details when "Yes".
    pub disability: Option<String>,
    pub educational_establishment: String,
    pub special_educational_needs: Option<String>,
    pub child_protection_plan: bool,
}

/// 1.3 One family member or significant other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyMember {
    pub name: String,
    pub relationship: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address: String,
    pub legal_status: String,
    pub ethnic_origin: String,
    pub religion: String,
}

/// 1.4 One other agency involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyInvolvement {
    pub agency: String,
    pub officer: String,
    pub position: String,
    pub contact: String,
    pub still_involved: bool,
}

/// 1.5 Circumstances triggering the referral, plus the facts the 2015 criteria need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Triggers {
    /// Death of a child and abuse or neglect known or suspected to be a factor.
    pub death_abuse_or_neglect: bool,
    /// Potentially life-threatening injury, serious sexual abuse, or serious and
    /// permanent impairment of health or development through abuse or neglect.
    pub serious_harm: bool,
    /// The parent has been murdered and a homicide review is being initiated.
    pub parent_murdered: bool,
    /// The child has been killed by a parent with a mental illness.
    pub killed_by_mentally_ill_parent: bool,
    /// Concerns about inter-agency working.
    pub interagency_concerns: bool,
    /// The child died in custody or while detained under the Mental Health Act (002).
    pub died_in_custody: bool,
    /// Abuse or neglect is known or suspected (002; implied by the first box).
    pub abuse_or_neglect_suspected: bool,
}

impl Triggers {
    pub fn any(&self) -> bool {
        self.death_abuse_or_neglect
            || self.serious_harm
            || self.parent_murdered
            || self.killed_by_mentally_ill_parent
            || self.interagency_concerns
            || self.died_in_custody
    }
}

/// 1.8 One key event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEvent {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    pub event: String,
}

/// A whole referral, always valid once built by [`ReferralInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub referrer: Referrer,
    pub child: Child,
    pub family: Vec<FamilyMember>,
    /// Do any family members have special needs or a disability (details when yes).
    pub family_disability: Option<String>,
    /// Have any been subject to a child protection plan (details when yes).
    pub family_child_protection_plan: Option<String>,
    pub agencies_involved: Vec<AgencyInvolvement>,
    pub triggers: Triggers,
    /// 1.6 Where was the child at the time, who cared for them, their legal status.
    pub where_child_was: String,
    pub carer_at_time: String,
    pub legal_status_at_time: String,
    /// Date of the incident (the 72-hour clock and the statutory clock start here).
    pub incident_date: Option<NaiveDate>,
    /// 1.7 Details of the incident or concern.
    pub incident_details: String,
    pub key_events: Vec<KeyEvent>,
    /// 1.9 Other matters of relevance.
    pub other_matters: String,
    pub signed_by: String,
    pub signed_on: NaiveDate,
}

/// The referral as typed: every value a string, lists possibly with empty rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralInput {
    pub referrer: ReferrerInput,
    pub child: ChildInput,
    pub family: Vec<FamilyMemberInput>,
    pub family_disability: String,
    pub family_disability_details: String,
    pub family_child_protection_plan: String,
    pub family_child_protection_plan_details: String,
    pub agencies_involved: Vec<AgencyInvolvementInput>,
    pub triggers: Triggers,
    pub where_child_was: String,
    pub carer_at_time: String,
    pub legal_status_at_time: String,
    pub incident_date: String,
    pub incident_details: String,
    pub key_events: Vec<KeyEventInput>,
    pub other_matters: String,
    pub signed_by: String,
    pub signed_on: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferrerInput {
    pub name: String,
    pub position: String,
    pub agency: String,
    pub contact: String,
    pub line_manager: String,
    pub line_manager_aware: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildInput {
    pub name: String,
    pub date_of_birth: String,
    pub date_of_death: String,
    pub home_address: String,
    pub ethnic_origin: String,
    pub religion: String,
    pub disability: String,
    pub disability_details: String,
    pub educational_establishment: String,
    pub special_educational_needs: String,
    pub special_educational_needs_details: String,
    pub child_protection_plan: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FamilyMemberInput {
    pub name: String,
    pub relationship: String,
    pub date_of_birth: String,
    pub address: String,
    pub legal_status: String,
    pub ethnic_origin: String,
    pub religion: String,
}

impl FamilyMemberInput {
    fn is_blank(&self) -> bool {
        [&self.name, &self.relationship, &self.date_of_birth, &self.address, &self.legal_status, &self.ethnic_origin, &self.religion]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AgencyInvolvementInput {
    pub agency: String,
    pub officer: String,
    pub position: String,
    pub contact: String,
    pub still_involved: String,
}

impl AgencyInvolvementInput {
    fn is_blank(&self) -> bool {
        [&self.agency, &self.officer, &self.position, &self.contact, &self.still_involved].iter().all(|s| s.trim().is_empty())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyEventInput {
    pub date: String,
    pub time: String,
    pub event: String,
}

/// Most rows a repeatable list may hold (a guard against runaway input).
pub const MAX_ROWS: usize = 100;

impl ReferralInput {
    /// Checks every field and returns the referral, or every problem found, each naming
    /// its field. `today` is passed in so tests control the clock.
    pub fn validate(&self, today: NaiveDate, agencies: &AgencyDirectory) -> Result<Referral, FieldErrors> {
        let mut e = FieldErrors::new();
        let r = &self.referrer;
        let referrer = Referrer {
            name: text::required(&mut e, "referrer.name", "the referrer's name", &r.name, SHORT_MAX),
            position: text::required(&mut e, "referrer.position", "the referrer's position", &r.position, SHORT_MAX),
            agency: resolve_agency(&mut e, "referrer.agency", &r.agency, agencies),
            contact: text::required(&mut e, "referrer.contact", "the referrer's contact details", &r.contact, SHORT_MAX),
            line_manager: text::optional(&mut e, "referrer.line_manager", "the line manager", &r.line_manager, SHORT_MAX),
            line_manager_aware: yes_no(
                &mut e,
                "referrer.line_manager_aware",
                "whether your line manager is aware of the referral",
                &r.line_manager_aware,
            )
            .unwrap_or(false),
        };

        let c = &self.child;
        let dob = text::optional_date(&mut e, "child.date_of_birth", "the child's date of birth", &c.date_of_birth);
        let dod = text::optional_date(&mut e, "child.date_of_death", "the child's date of death", &c.date_of_death);
        if let Some(d) = dob {
            if d > today {
                e.push("child.date_of_birth", "The child's date of birth must be in the past");
            }
        }
        if let Some(d) = dod {
            if d > today {
                e.push("child.date_of_death", "The child's date of death must be today or in the past");
            }
            if dob.is_some_and(|b| d < b) {
                e.push("child.date_of_death", "The child's date of death must be on or after their date of birth");
            }
        }
        let child = Child {
            name: text::required(&mut e, "child.name", "the child's name", &c.name, SHORT_MAX),
            date_of_birth: dob,
            date_of_death: dod,
            home_address: text::optional(&mut e, "child.home_address", "the home address", &c.home_address, LONG_MAX),
            ethnic_origin: text::optional(&mut e, "child.ethnic_origin", "ethnic origin", &c.ethnic_origin, SHORT_MAX),
            religion: text::optional(&mut e, "child.religion", "religion", &c.religion, SHORT_MAX),
            disability: yes_with_details(
                &mut e,
                "child.disability",
                "whether the child has special needs or a disability",
                &c.disability,
                &c.disability_details,
            ),
            educational_establishment: text::optional(
                &mut e,
                "child.educational_establishment",
                "the educational establishment",
                &c.educational_establishment,
                SHORT_MAX,
            ),
            special_educational_needs: yes_with_details(
                &mut e,
                "child.special_educational_needs",
                "whether the child has special educational needs",
                &c.special_educational_needs,
                &c.special_educational_needs_details,
            ),
            child_protection_plan: yes_no(
                &mut e,
                "child.child_protection_plan",
                "whether the child is subject to a child protection plan",
                &c.child_protection_plan,
            )
            .unwrap_or(false),
        };

        if self.family.len() > MAX_ROWS || self.agencies_involved.len() > MAX_ROWS || self.key_events.len() > MAX_ROWS {
            e.push("family", format!("A list may hold at most {MAX_ROWS} rows"));
        }
        let mut family = Vec::new();
        for (i, m) in self.family.iter().enumerate().filter(|(_, m)| !m.is_blank()) {
            let f = |n: &str| format!("family[{i}].{n}");
            let dob = text::optional_date(&mut e, &f("date_of_birth"), "the date of birth", &m.date_of_birth);
            if dob.is_some_and(|d| d > today) {
                e.push(f("date_of_birth"), "The date of birth must be in the past");
            }
            family.push(FamilyMember {
                name: text::required(&mut e, &f("name"), "the family member's name", &m.name, SHORT_MAX),
                relationship: text::required(&mut e, &f("relationship"), "their relationship to the child", &m.relationship, SHORT_MAX),
                date_of_birth: dob,
                address: text::optional(&mut e, &f("address"), "the address", &m.address, LONG_MAX),
                legal_status: text::optional(&mut e, &f("legal_status"), "legal status", &m.legal_status, LONG_MAX),
                ethnic_origin: text::optional(&mut e, &f("ethnic_origin"), "ethnic origin", &m.ethnic_origin, SHORT_MAX),
                religion: text::optional(&mut e, &f("religion"), "religion", &m.religion, SHORT_MAX),
            });
        }

        // Checked here, not with the rest, so errors come in the order of the form.
        let family_disability = yes_with_details(
            &mut e,
            "family_disability",
            "whether any family member has special needs or a disability",
            &self.family_disability,
            &self.family_disability_details,
        );
        let family_child_protection_plan = yes_with_details(
            &mut e,
            "family_child_protection_plan",
            "whether any family member has been subject to a child protection plan",
            &self.family_child_protection_plan,
            &self.family_child_protection_plan_details,
        );

        let mut agencies_involved = Vec::new();
        for (i, a) in self.agencies_involved.iter().enumerate().filter(|(_, a)| !a.is_blank()) {
            let f = |n: &str| format!("agencies_involved[{i}].{n}");
            agencies_involved.push(AgencyInvolvement {
                agency: resolve_agency(&mut e, &f("agency"), &a.agency, agencies),
                officer: text::optional(&mut e, &f("officer"), "the officer", &a.officer, SHORT_MAX),
                position: text::optional(&mut e, &f("position"), "the position", &a.position, SHORT_MAX),
                contact: text::optional(&mut e, &f("contact"), "the contact details", &a.contact, SHORT_MAX),
                still_involved: yes_no(&mut e, &f("still_involved"), "whether they are still involved", &a.still_involved).unwrap_or(false),
            });
        }

        let mut triggers = self.triggers.clone();
        if triggers.death_abuse_or_neglect {
            triggers.abuse_or_neglect_suspected = true;
        }
        if !triggers.any() {
            e.push("triggers", "Select at least one circumstance that triggered the referral");
        }
        if triggers.death_abuse_or_neglect && dod.is_none() {
            e.push("child.date_of_death", "Enter the child's date of death: the referral says the child has died");
        }

        let incident_date = text::optional_date(&mut e, "incident_date", "the date of the incident", &self.incident_date);
        text::clock_range(&mut e, "incident_date", "the date of the incident", incident_date);
        if let Some(d) = incident_date {
            if d > today {
                e.push("incident_date", "The date of the incident must be today or in the past");
            }
        }

        let mut key_events = Vec::new();
        for (i, k) in self.key_events.iter().enumerate() {
            if k.date.trim().is_empty() && k.time.trim().is_empty() && k.event.trim().is_empty() {
                continue;
            }
            let f = |n: &str| format!("key_events[{i}].{n}");
            let date = text::required_date(&mut e, &f("date"), "the date of the event", &k.date);
            let time = match k.time.trim() {
                "" => None,
                t => match NaiveTime::parse_from_str(t, "%H:%M") {
                    Ok(t) => Some(t),
                    Err(_) => {
                        e.push(f("time"), "The time must be a 24-hour time like 14:30");
                        None
                    }
                },
            };
            let event = text::required(&mut e, &f("event"), "what happened", &k.event, LONG_MAX);
            if let Some(date) = date {
                key_events.push(KeyEvent { date, time, event });
            }
        }
        key_events.sort_by_key(|k| (k.date, k.time));

        let signed_on = text::required_date(&mut e, "signed_on", "the date signed", &self.signed_on);
        if signed_on.is_some_and(|d| d > today) {
            e.push("signed_on", "The date signed must be today or in the past");
        }

        let referral = Referral {
            referrer,
            child,
            family,
            family_disability,
            family_child_protection_plan,
            agencies_involved,
            triggers,
            where_child_was: text::required(&mut e, "where_child_was", "where the child was at the time", &self.where_child_was, LONG_MAX),
            carer_at_time: text::required(
                &mut e,
                "carer_at_time",
                "who was caring for the child at the time",
                &self.carer_at_time,
                LONG_MAX,
            ),
            legal_status_at_time: text::optional(
                &mut e,
                "legal_status_at_time",
                "the child's legal status",
                &self.legal_status_at_time,
                LONG_MAX,
            ),
            incident_date,
            incident_details: text::required(
                &mut e,
                "incident_details",
                "the details of the incident or concern",
                &self.incident_details,
                LONG_MAX,
            ),
            key_events,
            other_matters: text::optional(&mut e, "other_matters", "other matters", &self.other_matters, LONG_MAX),
            signed_by: text::required(&mut e, "signed_by", "the name of the person signing", &self.signed_by, SHORT_MAX),
            signed_on: signed_on.unwrap_or_default(),
        };
        e.into_result(referral)
    }
}

impl Referral {
    /// The form shape of a stored referral, so an edit starts from what was saved.
    pub fn to_input(&self) -> ReferralInput {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let yd = |o: &Option<String>| (if o.is_some() { "yes" } else { "no" }.to_string(), o.clone().unwrap_or_default());
        let (cd, cdd) = yd(&self.child.disability);
        let (sen, send) = yd(&self.child.special_educational_needs);
        let (fd, fdd) = yd(&self.family_disability);
        let (fcp, fcpd) = yd(&self.family_child_protection_plan);
        ReferralInput {
            referrer: ReferrerInput {
                name: self.referrer.name.clone(),
                position: self.referrer.position.clone(),
                agency: self.referrer.agency.clone(),
                contact: self.referrer.contact.clone(),
                line_manager: self.referrer.line_manager.clone(),
                line_manager_aware: yn(self.referrer.line_manager_aware),
            },
            child: ChildInput {
                name: self.child.name.clone(),
                date_of_birth: d(self.child.date_of_birth),
                date_of_death: d(self.child.date_of_death),
                home_address: self.child.home_address.clone(),
                ethnic_origin: self.child.ethnic_origin.clone(),
                religion: self.child.religion.clone(),
                disability: cd,
                disability_details: cdd,
                educational_establishment: self.child.educational_establishment.clone(),
                special_educational_needs: sen,
                special_educational_needs_details: send,
                child_protection_plan: yn(self.child.child_protection_plan),
            },
            family: self
                .family
                .iter()
                .map(|m| FamilyMemberInput {
                    name: m.name.clone(),
                    relationship: m.relationship.clone(),
                    date_of_birth: d(m.date_of_birth),
                    address: m.address.clone(),
                    legal_status: m.legal_status.clone(),
                    ethnic_origin: m.ethnic_origin.clone(),
                    religion: m.religion.clone(),
                })
                .collect(),
            family_disability: fd,
            family_disability_details: fdd,
            family_child_protection_plan: fcp,
            family_child_protection_plan_details: fcpd,
            agencies_involved: self
                .agencies_involved
                .iter()
                .map(|a| AgencyInvolvementInput {
                    agency: a.agency.clone(),
                    officer: a.officer.clone(),
                    position: a.position.clone(),
                    contact: a.contact.clone(),
                    still_involved: yn(a.still_involved),
                })
                .collect(),
            triggers: self.triggers.clone(),
            where_child_was: self.where_child_was.clone(),
            carer_at_time: self.carer_at_time.clone(),
            legal_status_at_time: self.legal_status_at_time.clone(),
            incident_date: d(self.incident_date),
            incident_details: self.incident_details.clone(),
            key_events: self
                .key_events
                .iter()
                .map(|k| KeyEventInput {
                    date: k.date.to_string(),
                    time: k.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                    event: k.event.clone(),
                })
                .collect(),
            other_matters: self.other_matters.clone(),
            signed_by: self.signed_by.clone(),
            signed_on: self.signed_on.to_string(),
        }
    }

    /// Field-by-field differences from another version, for the conflict message.
    pub fn changed_fields(&self, other: &Referral) -> Vec<String> {
        let a = serde_json::to_value(self).unwrap_or_default();
        let b = serde_json::to_value(other).unwrap_or_default();
        let mut out = Vec::new();
        diff_json("", &a, &b, &mut out);
        out
    }
}

fn diff_json(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                diff_json(&p, va, y.get(k).unwrap_or(&Value::Null), out);
            }
        }
        _ if a != b => out.push(path.to_string()),
        _ => {}
    }
}

fn resolve_agency(e: &mut FieldErrors, field: &str, value: &str, agencies: &AgencyDirectory) -> String {
    let v = value.trim();
    if v.is_empty() {
        e.push(field, "Select the agency");
        return String::new();
    }
    match agencies.get(&v.to_lowercase()) {
        Some((name, _)) => name.clone(),
        None => {
            e.push(field, format!("'{v}' is not an agency of this partnership: choose one from the list"));
            v.to_string()
        }
    }
}

/// A Yes/No question with details required when Yes ("If yes, please specify").
fn yes_with_details(e: &mut FieldErrors, field: &str, label: &str, answer: &str, details: &str) -> Option<String> {
    match yes_no(e, field, label, answer) {
        Some(true) => {
            let d = text::required(e, &format!("{field}_details"), "the details", details, LONG_MAX);
            Some(d)
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    pub fn agencies() -> AgencyDirectory {
        crate::agency_directory([("Police", true), ("Children's Social Care", true), ("Health", true), ("Education", true)])
    }

    pub fn sample() -> ReferralInput {
        ReferralInput {
            referrer: ReferrerInput {
                name: "Sam Referrer".into(),
                position: "Team manager".into(),
                agency: "POLICE".into(),
                contact: "01632 960000".into(),
                line_manager: "L M".into(),
                line_manager_aware: "yes".into(),
            },
            child: ChildInput {
                name: "Child J".into(),
                date_of_birth: "2024-01-31".into(),
                date_of_death: "2026-11-01".into(),
                disability: "no".into(),
                special_educational_needs: "no".into(),
                child_protection_plan: "yes".into(),
                ..Default::default()
            },
            family: vec![
                FamilyMemberInput { name: "Mother".into(), relationship: "Mother".into(), ..Default::default() },
                FamilyMemberInput::default(),
            ],
            family_disability: "no".into(),
            family_child_protection_plan: "no".into(),
            agencies_involved: vec![AgencyInvolvementInput { agency: "health".into(), still_involved: "no".into(), ..Default::default() }],
            triggers: Triggers { death_abuse_or_neglect: true, ..Default::default() },
            where_child_was: "At home".into(),
            carer_at_time: "Mother".into(),
            incident_date: "2026-11-01".into(),
            incident_details: "Found unresponsive".into(),
            key_events: vec![KeyEventInput { date: "2026-10-01".into(), time: "09:15".into(), event: "GP visit".into() }],
            signed_by: "Sam Referrer".into(),
            signed_on: "2026-11-02".into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_full_referral_validates_and_normalises() {
        let r = sample().validate(today(), &agencies()).unwrap();
        assert_eq!(r.referrer.agency, "Police");
        assert_eq!(r.agencies_involved[0].agency, "Health");
        assert_eq!(r.family.len(), 1, "blank rows are dropped");
        assert!(r.triggers.abuse_or_neglect_suspected);
        assert_eq!(r.to_input().validate(today(), &agencies()).unwrap(), r, "round trip");
    }

    #[test]
    fn bad_input_names_each_field() {
        let mut i = sample();
        i.child.name = " ".into();
        i.child.date_of_birth = "2023-02-30".into();
        let e = i.validate(today(), &agencies()).unwrap_err();
        assert!(e.get("child.name").is_some());
        assert!(e.get("child.date_of_birth").unwrap().contains("does not exist"));

        let mut i = sample();
        i.child.date_of_death = "2020-01-01".into();
        let e = i.validate(today(), &agencies()).unwrap_err();
        assert!(e.get("child.date_of_death").unwrap().contains("on or after their date of birth"));

        let mut i = sample();
        i.agencies_involved[0].agency = "CIAU".into();
        let e = i.validate(today(), &agencies()).unwrap_err();
        assert!(e.get("agencies_involved[0].agency").unwrap().contains("CIAU"));

        let mut i = sample();
        i.triggers = Triggers::default();
        i.family[0].relationship = String::new();
        i.key_events[0].time = "25:99".into();
        let e = i.validate(today(), &agencies()).unwrap_err();
        assert!(e.get("triggers").is_some());
        assert!(e.get("family[0].relationship").is_some());
        assert!(e.get("key_events[0].time").is_some());
    }

    #[test]
    fn changed_fields_lists_paths() {
        let a = sample().validate(today(), &agencies()).unwrap();
        let mut b = a.clone();
        b.child.home_address = "1 New Street".into();
        b.carer_at_time = "Father".into();
        assert_eq!(a.changed_fields(&b), vec!["carer_at_time".to_string(), "child.home_address".to_string()]);
    }
}
