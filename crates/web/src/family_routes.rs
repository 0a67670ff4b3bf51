//! The family and household of a review on the pages: the editor (people and their
//! relationships, proposed from the referral until a first save), the genogram drawn by
//! `casereview_core::genogram` as a standalone SVG, and the section of the review page
//! that shows it with a text equivalent (every person and their relationships in a table).
//!
//! The partnership's board manager, the panel chair and the overview author edit it; every
//! other member of the review may read it. Every read is audited as `family.read`.

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use casereview_core::genogram::{self, Family, PartnerStatus, Person, RelKind, Relationship, Sex};
use casereview_core::referral::Referral;
use casereview_core::{text, FieldErrors, Role};
use casereview_store::{
    FamilyRecord, ReviewRecord, StoreError, MAX_FAMILY_PEOPLE, MAX_FAMILY_RELATIONSHIPS, MAX_PERSON_AGE, MAX_PERSON_LABEL,
};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The page routes: the editor and the genogram.
pub fn page_routes() -> Router<SharedState> {
    Router::new().route("/reviews/{id}/family", get(family_page).post(save)).route("/reviews/{id}/genogram.svg", get(genogram_svg))
}

/// Who edits the family and household: the board manager, the panel chair and the
/// overview author (who draws the genogram for the overview report).
pub fn may_edit(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::OverviewAuthor)
}

/// Blank rows offered for new people and relationships.
const BLANK_ROWS: usize = 3;
/// Highest row number read from a form (beyond the limits, so too many rows can be told).
const MAX_PERSON_ROWS: usize = 2 * MAX_FAMILY_PEOPLE;
const MAX_REL_ROWS: usize = 2 * MAX_FAMILY_RELATIONSHIPS;

/// The kinds of relationship as the form offers them: "A <label> B".
const KINDS: &[(&str, &str, RelKind)] = &[
    ("parent", "is the parent of", RelKind::Parent),
    ("adoptive_parent", "is the adoptive parent of", RelKind::AdoptiveParent),
    ("foster_parent", "is the foster parent of", RelKind::FosterParent),
    ("step_parent", "is the step parent of", RelKind::StepParent),
    ("partner_married", "is the partner of (married)", RelKind::Partner { status: PartnerStatus::Married }),
    ("partner_cohabiting", "is the partner of (cohabiting)", RelKind::Partner { status: PartnerStatus::Cohabiting }),
    ("partner_separated", "is the partner of (separated)", RelKind::Partner { status: PartnerStatus::Separated }),
    ("partner_divorced", "is the partner of (divorced)", RelKind::Partner { status: PartnerStatus::Divorced }),
    ("partner_dating", "is the partner of (dating)", RelKind::Partner { status: PartnerStatus::Dating }),
];

fn kind_value(k: RelKind) -> &'static str {
    KINDS.iter().find(|(_, _, x)| *x == k).map_or("", |(v, _, _)| v)
}

fn sex_value(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Unknown => "unknown",
    }
}

// ---------------------------------------------------------------- the form as typed

/// One person's row as typed.
#[derive(Debug, Clone, Default)]
struct PersonForm {
    id: String,
    name: String,
    sex: String,
    born: String,
    age: String,
    deceased: bool,
    household: bool,
    remove: bool,
}

impl PersonForm {
    /// Nothing typed or chosen in it (the subject radio counts as chosen).
    fn is_blank(&self, subject: &str) -> bool {
        self.name.trim().is_empty()
            && self.born.trim().is_empty()
            && self.age.trim().is_empty()
            && matches!(self.sex.as_str(), "" | "unknown")
            && !self.deceased
            && !self.household
            && (self.id.is_empty() || self.id != subject)
    }
}

/// One relationship's row as typed: person `a` (by id), the kind, person `b`.
#[derive(Debug, Clone, Default)]
struct RelForm {
    a: String,
    kind: String,
    b: String,
}

impl RelForm {
    fn is_blank(&self) -> bool {
        self.a.is_empty() && self.kind.is_empty() && self.b.is_empty()
    }
}

/// The whole form as typed, rows in their order on the page.
#[derive(Debug, Clone, Default)]
struct FamilyForm {
    people: Vec<PersonForm>,
    rels: Vec<RelForm>,
    /// The id of the subject child's row.
    subject: String,
}

/// A checked family, and for each person and relationship the form row it came from.
struct Checked {
    family: Family,
    person_rows: Vec<usize>,
    rel_rows: Vec<usize>,
}

impl FamilyForm {
    fn from_family(f: &Family) -> FamilyForm {
        FamilyForm {
            people: f
                .people
                .iter()
                .map(|p| PersonForm {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    sex: sex_value(p.sex).into(),
                    born: p.born.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                    age: p.age.map(|a| a.to_string()).unwrap_or_default(),
                    deceased: p.deceased,
                    household: p.in_household,
                    remove: false,
                })
                .collect(),
            rels: f.relationships.iter().map(|r| RelForm { a: r.a.clone(), kind: kind_value(r.kind).into(), b: r.b.clone() }).collect(),
            subject: f.people.iter().find(|p| p.subject).map(|p| p.id.clone()).unwrap_or_default(),
        }
    }

    /// Reads `people-{i}-{field}`, `rels-{j}-{field}` and `subject`. Rows keep their
    /// numbers, so an error names the row the person typed into.
    fn from_pairs(pairs: &[(String, String)]) -> FamilyForm {
        let mut people: BTreeMap<usize, PersonForm> = BTreeMap::new();
        let mut rels: BTreeMap<usize, RelForm> = BTreeMap::new();
        for (k, v) in pairs {
            let mut parts = k.splitn(3, '-');
            let (Some(list), Some(Ok(i)), Some(field)) = (parts.next(), parts.next().map(str::parse::<usize>), parts.next()) else {
                continue;
            };
            match list {
                "people" if i < MAX_PERSON_ROWS => {
                    let p = people.entry(i).or_default();
                    match field {
                        "id" => p.id = v.trim().to_string(),
                        "name" => p.name = v.clone(),
                        "sex" => p.sex = v.clone(),
                        "born" => p.born = v.clone(),
                        "age" => p.age = v.clone(),
                        "deceased" => p.deceased = true,
                        "household" => p.household = true,
                        "remove" => p.remove = true,
                        _ => {}
                    }
                }
                "rels" if i < MAX_REL_ROWS => {
                    let r = rels.entry(i).or_default();
                    match field {
                        "a" => r.a = v.trim().to_string(),
                        "kind" => r.kind = v.trim().to_string(),
                        "b" => r.b = v.trim().to_string(),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let fill = |n: Option<&usize>| n.map_or(0, |n| n + 1);
        let mut form = FamilyForm {
            people: vec![PersonForm::default(); fill(people.keys().next_back())],
            rels: vec![RelForm::default(); fill(rels.keys().next_back())],
            subject: form::get(pairs, "subject").trim().to_string(),
        };
        for (i, p) in people {
            form.people[i] = p;
        }
        for (j, r) in rels {
            form.rels[j] = r;
        }
        form
    }

    /// Gives every row without an id a new one (`p1`, `p2`, ...), unused in the form.
    fn assign_ids(&mut self) {
        let used: BTreeSet<String> = self.people.iter().map(|p| p.id.clone()).collect();
        let mut next = 1usize;
        for p in self.people.iter_mut().filter(|p| p.id.is_empty()) {
            while used.contains(&format!("p{next}")) {
                next += 1;
            }
            p.id = format!("p{next}");
            next += 1;
        }
    }

    /// Appends blank rows until there are `people` and `rels` blank rows at the end, within
    /// the limits.
    fn pad(&mut self, people: usize, rels: usize) {
        let filled = self.people.iter().filter(|p| !p.remove && !p.is_blank(&self.subject)).count();
        let trailing = self.people.iter().rev().take_while(|p| p.is_blank(&self.subject)).count();
        let want = people.min(MAX_FAMILY_PEOPLE.saturating_sub(filled));
        for _ in trailing..want {
            self.people.push(PersonForm { sex: "unknown".into(), ..Default::default() });
        }
        let filled = self.rels.iter().filter(|r| !r.is_blank()).count();
        let trailing = self.rels.iter().rev().take_while(|r| r.is_blank()).count();
        let want = rels.min(MAX_FAMILY_RELATIONSHIPS.saturating_sub(filled));
        for _ in trailing..want {
            self.rels.push(RelForm::default());
        }
        self.assign_ids();
    }

    fn trailing_blanks(&self) -> (usize, usize) {
        (
            self.people.iter().rev().take_while(|p| p.is_blank(&self.subject)).count(),
            self.rels.iter().rev().take_while(|r| r.is_blank()).count(),
        )
    }

    /// The family the form describes, or every problem with it, each naming the row and
    /// the field. Blank rows are left out; removing a person removes their relationships.
    fn check(&self, today: NaiveDate) -> Result<Checked, FieldErrors> {
        let mut e = FieldErrors::new();
        let removed: BTreeSet<&str> = self.people.iter().filter(|p| p.remove && !p.id.is_empty()).map(|p| p.id.as_str()).collect();
        let mut family = Family::default();
        let mut person_rows = Vec::new();
        let mut ids = BTreeSet::new();
        for (i, p) in self.people.iter().enumerate() {
            if p.remove || p.is_blank(&self.subject) {
                continue;
            }
            let n = i + 1;
            let f = |field: &str| format!("people-{i}-{field}");
            let name = text::required(&mut e, &f("name"), &format!("the name or label of person {n}"), &p.name, MAX_PERSON_LABEL);
            let who = if name.is_empty() { format!("Person {n}") } else { format!("Person {n} ({name})") };
            let sex = match p.sex.as_str() {
                "male" => Sex::Male,
                "female" => Sex::Female,
                "" | "unknown" => Sex::Unknown,
                _ => {
                    e.push(f("sex"), format!("{who}: choose male, female or not known"));
                    Sex::Unknown
                }
            };
            let born = text::optional_date(&mut e, &f("born"), &format!("the date of birth of person {n}"), &p.born);
            if let Some(b) = born {
                if b > today + Duration::days(280) {
                    e.push(f("born"), format!("The date of birth of person {n} must be no more than 9 months from today"));
                } else if b < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
                    e.push(f("born"), format!("The date of birth of person {n} must be in 1900 or later"));
                }
            }
            let age = match p.age.trim() {
                "" => None,
                a => match a.parse::<u32>() {
                    Ok(a) if a <= MAX_PERSON_AGE => Some(a),
                    _ => {
                        e.push(f("age"), format!("The age of person {n} must be a whole number of years from 0 to {MAX_PERSON_AGE}"));
                        None
                    }
                },
            };
            if !p.born.trim().is_empty() && !p.age.trim().is_empty() {
                e.push(f("age"), format!("{who}: give the date of birth or the age, not both"));
            }
            let valid_id = !p.id.is_empty() && p.id.len() <= 40 && p.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_id || !ids.insert(p.id.clone()) {
                e.push(f("name"), format!("{who}: the form was damaged (the row's id is missing or repeated); reload the page"));
            }
            family.people.push(Person {
                id: p.id.clone(),
                name,
                sex,
                born,
                age,
                deceased: p.deceased,
                in_household: p.household,
                subject: !self.subject.is_empty() && p.id == self.subject,
            });
            person_rows.push(i);
        }
        if family.people.len() > MAX_FAMILY_PEOPLE {
            e.push(
                "people",
                format!(
                    "A family can have at most {MAX_FAMILY_PEOPLE} people; the form has {}: remove {}",
                    family.people.len(),
                    family.people.len() - MAX_FAMILY_PEOPLE
                ),
            );
        }
        let mut rel_rows = Vec::new();
        for (j, r) in self.rels.iter().enumerate() {
            if r.is_blank() || removed.contains(r.a.as_str()) || removed.contains(r.b.as_str()) {
                continue;
            }
            let n = j + 1;
            let f = |field: &str| format!("rels-{j}-{field}");
            for (field, id, which) in [("a", &r.a, "first"), ("b", &r.b, "second")] {
                if id.is_empty() {
                    e.push(f(field), format!("Relationship {n}: choose the {which} person"));
                } else if !ids.contains(id) {
                    e.push(f(field), format!("Relationship {n}: the {which} person is not in the list of people"));
                }
            }
            let kind = KINDS.iter().find(|(v, _, _)| *v == r.kind).map(|(_, _, k)| *k);
            if kind.is_none() {
                e.push(f("kind"), format!("Relationship {n}: choose the kind of relationship"));
            }
            if !r.a.is_empty() && r.a == r.b {
                e.push(f("b"), format!("Relationship {n}: choose two different people"));
            }
            if let Some(kind) = kind {
                family.relationships.push(Relationship { kind, a: r.a.clone(), b: r.b.clone() });
                rel_rows.push(j);
            }
        }
        if family.relationships.len() > MAX_FAMILY_RELATIONSHIPS {
            e.push(
                "relationships",
                format!(
                    "A family can have at most {MAX_FAMILY_RELATIONSHIPS} relationships; the form has {}: remove {}",
                    family.relationships.len(),
                    family.relationships.len() - MAX_FAMILY_RELATIONSHIPS
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        let checked = Checked { family, person_rows, rel_rows };
        match casereview_store::check_family(&checked.family) {
            Ok(()) => Ok(checked),
            Err(store_errors) => Err(checked.on_rows(&store_errors)),
        }
    }
}

impl Checked {
    /// The store's errors (`people[2]`, `relationships[4].kind`) on the form's rows, each
    /// message naming the row as the page numbers it.
    fn on_rows(&self, errors: &FieldErrors) -> FieldErrors {
        let mut out = FieldErrors::new();
        for err in &errors.0 {
            let index =
                |prefix: &str| err.field.strip_prefix(prefix).and_then(|r| r.split(']').next()).and_then(|n| n.parse::<usize>().ok());
            if let Some(row) = index("people[").and_then(|k| self.person_rows.get(k).map(|row| (k, *row))) {
                let (k, row) = row;
                let p = &self.family.people[k];
                let message = match err.message.strip_prefix(&format!("{} ({}):", p.name, p.id)) {
                    Some(rest) => format!("Person {} ({}):{rest}", row + 1, p.name),
                    None => err.message.clone(),
                };
                out.push(format!("people-{row}-name"), message);
            } else if let Some(row) = index("relationships[").and_then(|k| self.rel_rows.get(k)) {
                out.push(format!("rels-{row}-a"), format!("Relationship {}: {}", row + 1, err.message));
            } else {
                out.push("people", err.message.clone());
            }
        }
        out
    }
}

// ---------------------------------------------------------------- proposals from the referral

/// The words of a relationship that describe the person themselves: after the last
/// possessive ("mother's partner" is about the partner).
fn own_words(relationship: &str) -> Vec<String> {
    let lower = relationship.to_lowercase().replace('’', "'");
    let tail = lower.rsplit("'s ").next().unwrap_or(&lower).to_string();
    tail.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The sex a relationship word implies, if any.
fn sex_of(words: &[String]) -> Sex {
    const FEMALE: &[&str] = &[
        "mother",
        "mum",
        "mom",
        "mummy",
        "sister",
        "aunt",
        "auntie",
        "grandmother",
        "grandma",
        "gran",
        "nan",
        "nana",
        "nanna",
        "daughter",
        "niece",
        "wife",
        "girlfriend",
        "stepmother",
        "stepmum",
        "stepsister",
        "halfsister",
        "granddaughter",
        "stepdaughter",
    ];
    const MALE: &[&str] = &[
        "father",
        "dad",
        "daddy",
        "brother",
        "uncle",
        "grandfather",
        "grandad",
        "granddad",
        "grandpa",
        "son",
        "nephew",
        "husband",
        "boyfriend",
        "stepfather",
        "stepdad",
        "stepbrother",
        "halfbrother",
        "grandson",
        "stepson",
    ];
    if words.iter().any(|w| FEMALE.contains(&w.as_str())) {
        Sex::Female
    } else if words.iter().any(|w| MALE.contains(&w.as_str())) {
        Sex::Male
    } else {
        Sex::Unknown
    }
}

/// The kind of parent of the child a relationship word proposes ("mother", "step-father",
/// "foster carer"), if it names one.
fn parent_kind_of(words: &[String], possessive: bool) -> Option<RelKind> {
    if possessive {
        return None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let parent_word = ["mother", "mum", "mom", "father", "dad", "parent"].iter().any(|w| has(w));
    let step_word = ["stepmother", "stepmum", "stepfather", "stepdad", "stepparent"].iter().any(|w| has(w));
    if has("foster") && (parent_word || has("carer")) {
        Some(RelKind::FosterParent)
    } else if (has("adoptive") || has("adopted")) && parent_word {
        Some(RelKind::AdoptiveParent)
    } else if step_word || (has("step") && parent_word) {
        Some(RelKind::StepParent)
    } else if parent_word {
        Some(RelKind::Parent)
    } else {
        None
    }
}

/// A full sibling of the child ("brother", "sister", "sibling"), not a half or step one.
fn is_full_sibling(words: &[String], possessive: bool) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    !possessive && ["brother", "sister", "sibling"].iter().any(|w| has(w)) && !has("half") && !has("step")
}

fn same_address(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && !b.is_empty() && (a.starts_with(&b) || b.starts_with(&a))
}

/// The family the referral suggests: the child (the subject, in the household) and each
/// family member, their sex when the relationship word says it, in the household when
/// their address is the child's; mothers and fathers as parents of the child, and full
/// siblings as children of the same parents. Proposals only: the editor checks them.
fn proposal(referral: &Referral) -> Family {
    let child = &referral.child;
    let mut f = Family::default();
    f.people.push(Person {
        id: "p1".into(),
        name: if child.name.trim().is_empty() { "Child".into() } else { child.name.clone() },
        sex: Sex::Unknown,
        born: child.date_of_birth,
        age: None,
        deceased: child.date_of_death.is_some(),
        in_household: true,
        subject: true,
    });
    let mut siblings = Vec::new();
    let mut bio_parents = Vec::new();
    for (k, m) in referral.family.iter().take(MAX_FAMILY_PEOPLE - 1).enumerate() {
        let id = format!("p{}", k + 2);
        let possessive = m.relationship.contains("'s") || m.relationship.contains("’s");
        let words = own_words(&m.relationship);
        let name = match (m.name.trim(), m.relationship.trim()) {
            ("", "") => format!("Family member {}", k + 1),
            ("", r) => r.to_string(),
            (n, _) => n.to_string(),
        };
        f.people.push(Person {
            id: id.clone(),
            name: name.chars().take(MAX_PERSON_LABEL).collect(),
            sex: sex_of(&words),
            born: m.date_of_birth,
            age: None,
            deceased: false,
            in_household: same_address(&m.address, &child.home_address),
            subject: false,
        });
        match parent_kind_of(&words, possessive) {
            Some(RelKind::Parent) if bio_parents.len() < 2 => {
                bio_parents.push(id.clone());
                f.relationships.push(Relationship::new(RelKind::Parent, &id, "p1"));
            }
            Some(RelKind::Parent) => {}
            Some(kind) => f.relationships.push(Relationship::new(kind, &id, "p1")),
            None if is_full_sibling(&words, possessive) => siblings.push(id),
            None => {}
        }
    }
    for s in &siblings {
        for p in &bio_parents {
            f.relationships.push(Relationship::parent(p, s));
        }
    }
    f
}

// ---------------------------------------------------------------- the section of the review page

/// One person as the text equivalent of the genogram lists them.
pub struct PersonLine {
    pub name: String,
    pub sex: &'static str,
    /// "born 01/02/2020 (aged 6)", "aged 40", or empty.
    pub age: String,
    pub deceased: bool,
    pub household: bool,
    pub subject: bool,
    /// "mother of Ruby; married to Dean", or empty.
    pub relationships: String,
}

/// The "Family and household" section of the review page (and of the editor).
pub struct FamilySection {
    pub review_id: i64,
    /// The section's heading.
    pub heading: &'static str,
    /// A family has been saved.
    pub saved: bool,
    pub may_edit: bool,
    pub version: i64,
    /// "Priya Shah, 03/06/2026 14:05".
    pub updated: String,
    /// The genogram's text alternative.
    pub alt: String,
    pub people: Vec<PersonLine>,
}

fn gendered(sex: Sex, male: &str, female: &str, neutral: &str) -> String {
    match sex {
        Sex::Male => male,
        Sex::Female => female,
        Sex::Unknown => neutral,
    }
    .to_string()
}

/// Each person's relationships in words, both ways round, with siblings found from shared
/// biological parents.
fn relationship_words(f: &Family) -> Vec<Vec<String>> {
    let idx: BTreeMap<&str, usize> = f.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut out: Vec<Vec<String>> = vec![Vec::new(); f.people.len()];
    let mut bio: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); f.people.len()];
    for r in &f.relationships {
        let (Some(&a), Some(&b)) = (idx.get(r.a.as_str()), idx.get(r.b.as_str())) else { continue };
        let (pa, pb) = (&f.people[a], &f.people[b]);
        let (to_a, to_b) = match r.kind {
            RelKind::Parent => {
                bio[b].insert(a);
                (gendered(pa.sex, "father", "mother", "parent"), gendered(pb.sex, "son", "daughter", "child"))
            }
            RelKind::AdoptiveParent => (
                gendered(pa.sex, "adoptive father", "adoptive mother", "adoptive parent"),
                gendered(pb.sex, "adopted son", "adopted daughter", "adopted child"),
            ),
            RelKind::FosterParent => (
                gendered(pa.sex, "foster father", "foster mother", "foster parent"),
                gendered(pb.sex, "foster son", "foster daughter", "foster child"),
            ),
            RelKind::StepParent => {
                (gendered(pa.sex, "stepfather", "stepmother", "step parent"), gendered(pb.sex, "stepson", "stepdaughter", "stepchild"))
            }
            RelKind::Partner { status } => {
                let w = match status {
                    PartnerStatus::Married => "married to",
                    PartnerStatus::Cohabiting => "cohabiting with",
                    PartnerStatus::Separated => "separated from",
                    PartnerStatus::Divorced => "divorced from",
                    PartnerStatus::Dating => "dating",
                };
                out[a].push(format!("{w} {}", pb.name));
                out[b].push(format!("{w} {}", pa.name));
                continue;
            }
        };
        out[a].push(format!("{to_a} of {}", pb.name));
        out[b].push(format!("{to_b} of {}", pa.name));
    }
    for i in 0..f.people.len() {
        for j in 0..f.people.len() {
            if i == j || bio[i].is_empty() || bio[j].is_empty() || bio[i].is_disjoint(&bio[j]) {
                continue;
            }
            let word = if bio[i] == bio[j] {
                gendered(f.people[i].sex, "brother", "sister", "sibling")
            } else {
                gendered(f.people[i].sex, "half-brother", "half-sister", "half-sibling")
            };
            out[i].push(format!("{word} of {}", f.people[j].name));
        }
    }
    out
}

/// The section for a review: the saved family in words, and who may edit it.
pub fn section_of(review_id: i64, record: Option<&FamilyRecord>, may_edit: bool, today: NaiveDate) -> FamilySection {
    let Some(rec) = record else {
        return FamilySection {
            review_id,
            heading: "Family and household",
            saved: false,
            may_edit,
            version: 0,
            updated: String::new(),
            alt: String::new(),
            people: Vec::new(),
        };
    };
    let f = &rec.family;
    let words = relationship_words(f);
    let people: Vec<PersonLine> = f
        .people
        .iter()
        .zip(words)
        .map(|(p, rels)| {
            let age = genogram::age_label(&Person { deceased: false, ..p.clone() }, today).unwrap_or_default();
            PersonLine {
                name: p.name.clone(),
                sex: match p.sex {
                    Sex::Male => "Male",
                    Sex::Female => "Female",
                    Sex::Unknown => "Not known",
                },
                age: match p.born {
                    Some(b) if p.deceased => format!("born {}", b.format("%d/%m/%Y")),
                    Some(b) => format!("born {} ({age})", b.format("%d/%m/%Y")),
                    None => age,
                },
                deceased: p.deceased,
                household: p.in_household,
                subject: p.subject,
                relationships: rels.join("; "),
            }
        })
        .collect();
    let household: Vec<&str> = f.people.iter().filter(|p| p.in_household).map(|p| p.name.as_str()).collect();
    let subject = f.people.iter().find(|p| p.subject).map(|p| format!(" of {}", p.name)).unwrap_or_default();
    let alt = format!(
        "Genogram of the family and household{subject}: {} {}, {}. The table below the picture lists each person and their relationships.",
        f.people.len(),
        if f.people.len() == 1 { "person" } else { "people" },
        if household.is_empty() {
            "nobody recorded as living in the household".to_string()
        } else {
            format!("living in the household: {}", household.join(", "))
        }
    );
    FamilySection {
        review_id,
        heading: "Family and household",
        saved: true,
        may_edit,
        version: rec.version,
        updated: format!("{}, {}", rec.updated_by, rec.updated_at.format("%d/%m/%Y %H:%M")),
        alt,
        people,
    }
}

/// The review page's section (loaded for the page; the page's own read is audited there).
pub async fn section(state: &SharedState, r: &ReviewRecord, role: Role) -> Result<FamilySection, WebError> {
    let rec = state.store.family(r.summary.id).await?;
    Ok(section_of(r.summary.id, rec.as_ref(), may_edit(role) && !r.summary.state.is_terminal(), state.today()))
}

// ---------------------------------------------------------------- the editor

struct PersonRow {
    i: usize,
    n: usize,
    id: String,
    name: String,
    sex: String,
    born: String,
    age: String,
    deceased: bool,
    household: bool,
    subject: bool,
    remove: bool,
    /// A row added blank on this page (nothing to remove yet).
    fresh: bool,
    e_name: Option<String>,
    e_sex: Option<String>,
    e_born: Option<String>,
    e_age: Option<String>,
}

impl PersonRow {
    fn sex_is(&self, v: &str) -> bool {
        self.sex == v
    }
}

struct RelRow {
    i: usize,
    n: usize,
    a: String,
    kind: String,
    b: String,
    e_a: Option<String>,
    e_kind: Option<String>,
    e_b: Option<String>,
}

impl RelRow {
    fn a_is(&self, id: &str) -> bool {
        self.a == id
    }
    fn b_is(&self, id: &str) -> bool {
        self.b == id
    }
    fn kind_is(&self, v: &str) -> bool {
        self.kind == v
    }
}

/// Someone saved first: who, when, and what they changed.
struct ConflictView {
    by: String,
    at: String,
    current: i64,
    changed: Vec<String>,
}

#[derive(Template)]
#[template(path = "family.html")]
struct FamilyPage {
    nav: pages::Nav,
    errors: FieldErrors,
    reference: String,
    child_name: String,
    family: FamilySection,
    editable: bool,
    closed: bool,
    proposal: bool,
    flash: Option<String>,
    conflict: Option<ConflictView>,
    version: i64,
    people: Vec<PersonRow>,
    rels: Vec<RelRow>,
    /// (id, label) of the people a relationship may name.
    options: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    no_subject: bool,
    max_people: usize,
    max_rels: usize,
    room_for_people: bool,
    room_for_rels: bool,
}

/// What the editor shows besides the saved family.
struct View {
    form: FamilyForm,
    errors: FieldErrors,
    version: i64,
    proposal: bool,
    flash: Option<String>,
    conflict: Option<ConflictView>,
}

fn page(state: &SharedState, nav: pages::Nav, r: &ReviewRecord, role: Role, rec: Option<&FamilyRecord>, v: View) -> FamilyPage {
    let View { mut form, errors, version, proposal, flash, conflict } = v;
    let id = r.summary.id;
    let closed = r.summary.state.is_terminal();
    let editable = may_edit(role) && !closed;
    let err = |k: String| errors.get(&k).map(str::to_string);
    let trailing = form.trailing_blanks();
    form.pad(trailing.0.max(BLANK_ROWS), trailing.1.max(BLANK_ROWS));
    let named: Vec<(usize, &PersonForm)> = form.people.iter().enumerate().filter(|(_, p)| !p.remove && !p.name.trim().is_empty()).collect();
    let mut options: Vec<(String, String)> = named.iter().map(|(_, p)| (p.id.clone(), p.name.trim().to_string())).collect();
    for r in &form.rels {
        for sel in [&r.a, &r.b] {
            if !sel.is_empty() && !options.iter().any(|(o, _)| o == sel) {
                let label = match form.people.iter().position(|p| &p.id == sel) {
                    Some(i) => format!("Person {} (no name yet)", i + 1),
                    None => format!("Unknown person ({sel})"),
                };
                options.push((sel.clone(), label));
            }
        }
    }
    let filled_people = form.people.iter().filter(|p| !p.remove && !p.is_blank(&form.subject)).count();
    let filled_rels = form.rels.iter().filter(|r| !r.is_blank()).count();
    let people = form
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| PersonRow {
            i,
            n: i + 1,
            id: p.id.clone(),
            name: p.name.clone(),
            sex: if p.sex.is_empty() { "unknown".into() } else { p.sex.clone() },
            born: p.born.clone(),
            age: p.age.clone(),
            deceased: p.deceased,
            household: p.household,
            subject: !form.subject.is_empty() && p.id == form.subject,
            remove: p.remove,
            fresh: p.is_blank(&form.subject),
            e_name: err(format!("people-{i}-name")),
            e_sex: err(format!("people-{i}-sex")),
            e_born: err(format!("people-{i}-born")),
            e_age: err(format!("people-{i}-age")),
        })
        .collect();
    let rels = form
        .rels
        .iter()
        .enumerate()
        .map(|(i, r)| RelRow {
            i,
            n: i + 1,
            a: r.a.clone(),
            kind: r.kind.clone(),
            b: r.b.clone(),
            e_a: err(format!("rels-{i}-a")),
            e_kind: err(format!("rels-{i}-kind")),
            e_b: err(format!("rels-{i}-b")),
        })
        .collect();
    FamilyPage {
        nav,
        errors,
        reference: r.summary.reference.clone(),
        child_name: r.summary.child_name.clone(),
        // The form is on this page: the section links nowhere.
        family: FamilySection { heading: "The saved family and household", ..section_of(id, rec, false, state.today()) },
        editable,
        closed,
        proposal,
        flash,
        conflict,
        version,
        people,
        rels,
        options,
        kinds: KINDS.iter().map(|(v, l, _)| (*v, *l)).collect(),
        no_subject: form.subject.is_empty() || !form.people.iter().any(|p| p.id == form.subject),
        max_people: MAX_FAMILY_PEOPLE,
        max_rels: MAX_FAMILY_RELATIONSHIPS,
        room_for_people: filled_people < MAX_FAMILY_PEOPLE,
        room_for_rels: filled_rels < MAX_FAMILY_RELATIONSHIPS,
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<i64>,
}

async fn family_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.family(id).await?;
    state
        .store
        .record_audit(
            &a.user.actor(),
            "family.read",
            &format!("review:{id}"),
            json!({"via": "page", "version": rec.as_ref().map(|f| f.version)}),
        )
        .await?;
    let (form, proposal) = match &rec {
        Some(f) => (FamilyForm::from_family(&f.family), false),
        None => (FamilyForm::from_family(&proposal(&r.referral)), true),
    };
    let view = View {
        form,
        errors: FieldErrors::new(),
        version: rec.as_ref().map_or(0, |f| f.version),
        proposal,
        flash: q
            .saved
            .filter(|v| rec.as_ref().is_some_and(|f| f.version == *v))
            .map(|v| format!("The family and household are saved (version {v})")),
        conflict: None,
    };
    let nav = pages::nav(&state, &a).await?;
    Ok(pages::render(StatusCode::OK, &page(&state, nav, &r, a.user.role, rec.as_ref(), view)))
}

fn check_editor(a: &Authenticated) -> Result<(), WebError> {
    if may_edit(a.user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "A {} may read the family and household but not change it: the board manager, the panel chair or the overview author does",
            a.user.role.title().to_lowercase()
        )))
    }
}

async fn save(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_editor(&a)?;
    if r.summary.state.is_terminal() {
        return Err(WebError::Unprocessable("The review is closed: its family and household can no longer be changed".into()).into());
    }
    let version = form::get(&pairs, "version").parse::<i64>().map_err(|_| WebError::BadRequest {
        field: "version".into(),
        message: "The form is missing the version it was opened at: reload the page".into(),
    })?;
    let mut form = FamilyForm::from_pairs(&pairs);
    let view =
        |form: FamilyForm, errors: FieldErrors, version: i64| View { form, errors, version, proposal: false, flash: None, conflict: None };
    let action = form::get(&pairs, "action");
    if action == "add_person" || action == "add_relationship" {
        let (p, rl) = form.trailing_blanks();
        if action == "add_person" {
            form.pad(p + BLANK_ROWS, rl);
        } else {
            form.pad(p, rl + BLANK_ROWS);
        }
        return respond(&state, &a, &r, StatusCode::OK, view(form, FieldErrors::new(), version)).await;
    }
    let checked = match form.check(state.today()) {
        Ok(c) => c,
        Err(errors) => return respond(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, view(form, errors, version)).await,
    };
    match state.store.save_family(&a.user.actor(), id, version, &checked.family).await {
        Ok(rec) => Ok(Redirect::to(&format!("/reviews/{id}/family?saved={}", rec.version)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            respond(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, view(form, checked.on_rows(&errors), version)).await
        }
        Err(StoreError::Conflict { current, by, at, changed, .. }) => {
            // The typed values stay; saving again (at the current version) replaces theirs.
            let mut v = view(form, FieldErrors::new(), current);
            v.conflict = Some(ConflictView { by, at, current, changed });
            respond(&state, &a, &r, StatusCode::CONFLICT, v).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The editor shown again with what was typed.
async fn respond(state: &SharedState, a: &Authenticated, r: &ReviewRecord, status: StatusCode, view: View) -> Result<Response, PageError> {
    let rec = state.store.family(r.summary.id).await?;
    let nav = pages::nav(state, a).await?;
    Ok(pages::render(status, &page(state, nav, r, a.user.role, rec.as_ref(), view)))
}

// ---------------------------------------------------------------- the genogram

/// The genogram as a standalone SVG. It carries its own strict policy: nothing may load,
/// only its inline presentation applies, and it is never sniffed as anything else.
async fn genogram_svg(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.family(id).await?.ok_or(WebError::NotFound)?;
    let svg = genogram::svg(&rec.family, state.today())
        .map_err(|e| WebError::Internal(format!("saved family does not draw: {}", e.join("; "))))?;
    state
        .store
        .record_audit(&a.user.actor(), "family.read", &format!("review:{id}"), json!({"via": "genogram", "version": rec.version}))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn words(s: &str) -> (Vec<String>, bool) {
        (own_words(s), s.contains("'s"))
    }

    #[test]
    fn relationship_words_propose_sex_and_parenthood() {
        for (word, sex, kind) in [
            ("Mother", Sex::Female, Some(RelKind::Parent)),
            ("Birth father", Sex::Male, Some(RelKind::Parent)),
            ("Step-father", Sex::Male, Some(RelKind::StepParent)),
            ("Stepmum", Sex::Female, Some(RelKind::StepParent)),
            ("Foster carer", Sex::Unknown, Some(RelKind::FosterParent)),
            ("Adoptive mother", Sex::Female, Some(RelKind::AdoptiveParent)),
            ("Maternal grandmother", Sex::Female, None),
            ("Mother's partner", Sex::Unknown, None),
            ("Mother's boyfriend", Sex::Male, None),
            ("Half-sister", Sex::Female, None),
            ("Uncle", Sex::Male, None),
            ("Neighbour", Sex::Unknown, None),
            ("Person of interest", Sex::Unknown, None),
        ] {
            let (w, possessive) = words(word);
            assert_eq!((sex_of(&w), parent_kind_of(&w, possessive)), (sex, kind), "{word}");
        }
        let (w, p) = words("Brother");
        assert!(is_full_sibling(&w, p));
        let (w, p) = words("Half-brother");
        assert!(!is_full_sibling(&w, p));
    }

    #[test]
    fn blank_rows_are_left_out_and_errors_name_the_row() {
        let pairs: Vec<(String, String)> = [
            ("people-0-id", "p1"),
            ("people-0-name", "Child"),
            ("people-1-id", "p2"),
            ("people-1-sex", "unknown"),
            ("people-2-id", "p3"),
            ("people-2-name", "Mother"),
            ("people-2-born", "31/02/1990"),
            ("rels-0-a", "p3"),
            ("rels-0-kind", "parent"),
            ("rels-0-b", "p1"),
            ("rels-1-a", "p3"),
            ("subject", "p1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let Err(e) = FamilyForm::from_pairs(&pairs).check(today) else { panic!("a bad date must be refused") };
        let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["people-2-born", "rels-1-b", "rels-1-kind"]);
        assert!(e.0[0].message.starts_with("The date of birth of person 3"), "{}", e.0[0].message);
    }
}
