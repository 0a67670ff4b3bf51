//! The statutory clock applied to a review: its recorded events, the partnership's
//! ruleset and today's date give each step's due date and status.

use casereview_clock::{Calendar, EventTime, Ruleset, Status, StepKind};
use casereview_core::ReviewState;
use casereview_store::ReviewEvent;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Working days before a due date that count as "due soon".
pub const DUE_SOON_WORKING_DAYS: u32 = 5;

/// One step's deadline as shown on pages and in the API.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub step: String,
    pub title: String,
    pub due: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// `not_started`, `upcoming`, `due_soon`, `overdue`, `met`, `waived` or `closed`.
    pub status: &'static str,
    pub basis: String,
    pub source: String,
    pub role: String,
    pub projected: bool,
    pub met_on: Option<NaiveDate>,
}

impl DeadlineView {
    pub fn status_title(&self) -> &'static str {
        match self.status {
            "upcoming" => "Upcoming",
            "due_soon" => "Due soon",
            "overdue" => "Overdue",
            "met" => "Met",
            "waived" => "Waived",
            "closed" => "No longer needed",
            _ => "Not started",
        }
    }

    /// GOV.UK tag colour.
    pub fn tag_class(&self) -> &'static str {
        match self.status {
            "due_soon" => "govuk-tag--yellow",
            "overdue" => "govuk-tag--red",
            "met" => "govuk-tag--green",
            "upcoming" => "govuk-tag--blue",
            _ => "govuk-tag--grey",
        }
    }

    pub fn due_display(&self) -> String {
        match (&self.due, self.due_date) {
            (Some(d), _) if d.contains('T') => d.replace('T', " ").trim_end_matches('Z').to_string(),
            (_, Some(d)) => d.format("%d/%m/%Y").to_string(),
            _ => "Not yet known".into(),
        }
    }
}

fn calendar() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(Calendar::england_and_wales)
}

fn ruleset(name: &str) -> Option<&'static Ruleset> {
    static R: OnceLock<HashMap<String, Ruleset>> = OnceLock::new();
    R.get_or_init(|| Ruleset::names().iter().filter_map(|n| Ruleset::load(n).ok().map(|r| (n.to_string(), r))).collect()).get(name)
}

/// Every step of the ruleset for a review's events. A review with events the ruleset
/// does not know, or dates the calendar cannot count, shows no deadlines rather than
/// wrong ones (the error is logged).
pub fn deadlines(ruleset_name: &str, events: &[ReviewEvent], today: NaiveDate) -> Vec<DeadlineView> {
    let Some(rules) = ruleset(ruleset_name) else {
        tracing::warn!(ruleset = ruleset_name, "unknown ruleset");
        return Vec::new();
    };
    let mut map: BTreeMap<String, EventTime> = BTreeMap::new();
    for e in events {
        // The first occurrence starts the clock ("first recorded wins").
        map.entry(e.event.clone()).or_insert(EventTime::Date(e.occurred_on));
    }
    let computed = match rules.compute(&map, calendar()) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "deadlines could not be computed");
            return Vec::new();
        }
    };
    computed
        .into_iter()
        .filter(|d| d.kind == StepKind::Deadline)
        .map(|d| {
            let status = match d.status(today, DUE_SOON_WORKING_DAYS, calendar()) {
                // Ended by the review closing or moving past it, not waived by a person.
                Ok(Status::Waived(_)) if d.closed.is_some() => "closed",
                Ok(Status::NotStarted) | Err(_) => "not_started",
                Ok(Status::Upcoming) => "upcoming",
                Ok(Status::DueSoon) => "due_soon",
                Ok(Status::Overdue) => "overdue",
                Ok(Status::Met(_)) => "met",
                Ok(Status::Waived(_)) => "waived",
            };
            let due = d
                .due
                .as_ref()
                .map(|x| serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| x.date().to_string()));
            DeadlineView {
                step: d.step,
                title: d.title,
                due,
                due_date: d.due.as_ref().map(|x| x.date()),
                status,
                basis: d.basis,
                source: d.source,
                role: d.role.as_str().to_string(),
                projected: d.projected,
                met_on: d.met,
            }
        })
        .collect()
}

/// The next deadline that still needs doing: the earliest open one.
pub fn next(state: ReviewState, all: &[DeadlineView]) -> Option<DeadlineView> {
    if state.is_terminal() {
        return None;
    }
    all.iter().filter(|d| matches!(d.status, "upcoming" | "due_soon" | "overdue")).min_by_key(|d| d.due_date).cloned()
}
