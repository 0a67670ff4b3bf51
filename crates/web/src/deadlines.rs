//! The statutory clock applied to reviews: a partnership's ruleset (with its step
//! overrides), the England and Wales calendar (with its closure days), each review's
//! recorded events, extensions and waivers, and today's date give every step's due date
//! and status.

use crate::error::WebError;
use casereview_clock::{Calendar, Due, EventTime, Period, Ruleset, Status, StepKind};
use casereview_core::{FieldErrors, ReviewState};
use casereview_store::{ClockSettings, Extension, ReviewEvent, Waiver};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One step's deadline as shown on pages and in the API.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub review_id: i64,
    pub step: String,
    pub title: String,
    /// YYYY-MM-DD, or RFC 3339 for an hour-based step; after extension, the new date.
    pub due: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// `not_started`, `upcoming`, `due_soon`, `overdue`, `met`, `waived` or `closed`.
    pub status: &'static str,
    pub basis: String,
    pub source: String,
    pub role: String,
    pub projected: bool,
    pub met_on: Option<NaiveDate>,
    /// The date the ruleset gives, when an extension moved it.
    pub original_due: Option<NaiveDate>,
    pub extensions: Vec<Extension>,
    /// Who may agree an extension (`regulator` or `board_chair`).
    pub extension_by: Option<String>,
    pub waived_reason: Option<String>,
    /// The event a person records to show the step was done (its first `met_by` event
    /// that no lifecycle step records), if there is one.
    pub done_event: Option<String>,
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

    pub fn original_display(&self) -> String {
        self.original_due.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
    }

    /// Still to be done: the ones reminders and "next deadline" are about.
    pub fn is_open(&self) -> bool {
        matches!(self.status, "upcoming" | "due_soon" | "overdue")
    }
}

fn base_calendar() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(Calendar::england_and_wales)
}

fn base_ruleset(name: &str) -> Option<&'static Ruleset> {
    static R: OnceLock<HashMap<String, Ruleset>> = OnceLock::new();
    R.get_or_init(|| Ruleset::names().iter().filter_map(|n| Ruleset::load(n).ok().map(|r| (n.to_string(), r))).collect()).get(name)
}

/// A partnership's clock: its ruleset with overrides and its calendar with closures.
#[derive(Debug, Clone)]
pub struct Clock {
    pub ruleset: Ruleset,
    pub calendar: Calendar,
    pub due_soon: u32,
}

impl Clock {
    /// The clock of a partnership. A stored override or closure the clock refuses is an
    /// error, not silently dropped.
    pub fn new(ruleset_name: &str, settings: &ClockSettings) -> Result<Clock, WebError> {
        let base = base_ruleset(ruleset_name).ok_or_else(|| WebError::Internal(format!("unknown ruleset '{ruleset_name}'")))?;
        let ruleset = if settings.overrides.is_empty() {
            base.clone()
        } else {
            let mut parsed = Vec::new();
            for (step, period) in &settings.overrides {
                let p: Period = period.parse().map_err(|e| WebError::Internal(format!("override of {step}: {e}")))?;
                parsed.push((step.clone(), p));
            }
            base.clone().with_overrides(parsed).map_err(|e| WebError::Internal(e.to_string()))?
        };
        let calendar = if settings.closures.is_empty() {
            base_calendar().clone()
        } else {
            base_calendar().clone().with_closures(settings.closures.iter().cloned()).map_err(|e| WebError::Internal(e.to_string()))?
        };
        Ok(Clock { ruleset, calendar, due_soon: u32::try_from(settings.due_soon_days).unwrap_or(5) })
    }

    /// Every deadline step of a review. Events the ruleset does not know, or dates the
    /// calendar cannot count, give no deadlines rather than wrong ones (and are logged).
    pub fn deadlines(
        &self,
        review_id: i64,
        events: &[ReviewEvent],
        extensions: &[Extension],
        waivers: &[Waiver],
        today: NaiveDate,
    ) -> Vec<DeadlineView> {
        let mut map: BTreeMap<String, EventTime> = BTreeMap::new();
        for e in events.iter().filter(|e| e.review_id == review_id) {
            // The first occurrence starts the clock ("first recorded wins").
            map.entry(e.event.clone()).or_insert(EventTime::Date(e.occurred_on));
        }
        let computed = match self.ruleset.compute(&map, &self.calendar) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(review_id, error = %e, "deadlines could not be computed");
                return Vec::new();
            }
        };
        computed
            .into_iter()
            .filter(|d| d.kind == StepKind::Deadline)
            .map(|mut d| {
                let exts: Vec<Extension> = extensions.iter().filter(|x| x.review_id == review_id && x.step == d.step).cloned().collect();
                let original_due = match (exts.last(), d.due.as_ref()) {
                    (Some(last), Some(due)) => {
                        let orig = due.date();
                        d.due = Some(Due::Date(last.new_due));
                        Some(orig)
                    }
                    _ => None,
                };
                if let Some(w) = waivers.iter().rev().find(|w| w.review_id == review_id && w.step == d.step) {
                    d = d.waive(w.reason.clone());
                }
                let status = match d.status(today, self.due_soon, &self.calendar) {
                    // Ended by the review closing or moving past it, not waived by a person.
                    Ok(Status::Waived(_)) if d.closed.is_some() && d.waived.is_none() => "closed",
                    Ok(Status::NotStarted) | Err(_) => "not_started",
                    Ok(Status::Upcoming) => "upcoming",
                    Ok(Status::DueSoon) => "due_soon",
                    Ok(Status::Overdue) => "overdue",
                    Ok(Status::Met(_)) => "met",
                    Ok(Status::Waived(_)) => "waived",
                };
                let done_event = self.done_event(&d.step);
                DeadlineView {
                    review_id,
                    due: d.due.as_ref().map(|x| x.to_string()),
                    due_date: d.due.as_ref().map(Due::date),
                    step: d.step,
                    title: d.title,
                    status,
                    basis: d.basis,
                    source: d.source,
                    role: d.role.as_str().to_string(),
                    projected: d.projected,
                    met_on: d.met,
                    original_due,
                    extensions: exts,
                    extension_by: d.extension_by.map(|r| r.as_str().to_string()),
                    waived_reason: d.waived,
                    done_event,
                }
            })
            .collect()
    }

    /// The first event meeting a step that people record by hand (not a lifecycle one).
    pub fn done_event(&self, step: &str) -> Option<String> {
        let s = self.ruleset.step(step)?;
        s.met_by.iter().find(|e| self.ruleset.events().iter().any(|d| &d.name == *e && !d.lifecycle)).cloned()
    }

    /// Whether an event may be recorded by hand in this ruleset (lifecycle events come only
    /// from the lifecycle's own steps).
    pub fn check_manual_event(&self, event: &str) -> Result<(), FieldErrors> {
        match self.ruleset.events().iter().find(|d| d.name == event) {
            Some(d) if !d.lifecycle => Ok(()),
            Some(_) => Err(FieldErrors::single("event", format!("'{event}' is recorded by its lifecycle step, not by hand"))),
            None => Err(FieldErrors::single(
                "event",
                format!(
                    "'{event}' is not an event of this ruleset; use one of: {}",
                    self.ruleset.events().iter().filter(|d| !d.lifecycle).map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// Checks an extension request against a step's current deadline: it needs a reason,
    /// a date later than the current one, and the agreement of the person the ruleset
    /// names (the regulator or the board chair, `000` §7.2, `002`). Returns the new date.
    pub fn check_extension(
        &self,
        d: &DeadlineView,
        new_due: &str,
        agreed_by_role: &str,
        agreed_by_name: &str,
        reason: &str,
    ) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
        let mut e = FieldErrors::new();
        let current = d.due_date;
        if current.is_none() {
            e.push("new_due", format!("'{}' has not started, so it has no date to extend", d.title));
        }
        if matches!(d.status, "met" | "waived" | "closed") {
            e.push("new_due", format!("'{}' is {}: only an open deadline can be extended", d.title, d.status_title().to_lowercase()));
        }
        let new = casereview_core::text::required_date(&mut e, "new_due", "the new date", new_due);
        casereview_core::text::clock_range(&mut e, "new_due", "the new date", new);
        if let (Some(n), Some(c)) = (new, current) {
            if n <= c {
                e.push("new_due", format!("The new date must be later than the current date, {}", c.format("%d/%m/%Y")));
            }
        }
        let required = d.extension_by.as_deref();
        match (agreed_by_role.trim(), required) {
            ("", _) => e.push("agreed_by_role", "Select who agreed the extension"),
            (r, Some(req)) if r != req => {
                e.push("agreed_by_role", format!("The ruleset says an extension of this step is agreed by the {}", req.replace('_', " ")))
            }
            (r, None) if r != "board_chair" && r != "regulator" => {
                e.push("agreed_by_role", "An extension is agreed by the board chair or the regulator")
            }
            _ => {}
        }
        casereview_core::text::required(
            &mut e,
            "agreed_by_name",
            "the name of the person who agreed",
            agreed_by_name,
            casereview_core::text::SHORT_MAX,
        );
        casereview_core::text::required(&mut e, "reason", "the reason for the extension", reason, casereview_core::text::LONG_MAX);
        match (new, current) {
            (Some(n), Some(c)) if e.is_empty() => Ok((n, c)),
            _ => Err(e),
        }
    }
}

/// The next deadline that still needs doing: the earliest open one.
pub fn next(state: ReviewState, all: &[DeadlineView]) -> Option<DeadlineView> {
    if state.is_terminal() {
        return None;
    }
    all.iter().filter(|d| d.is_open()).min_by_key(|d| d.due_date).cloned()
}

/// The clock of a partnership, from the store.
pub async fn clock_for(store: &casereview_store::Store, partnership: &casereview_store::Partnership) -> Result<Clock, WebError> {
    let settings = store.clock_settings(partnership.id).await?;
    Clock::new(&partnership.ruleset, &settings)
}

/// Deadlines of several reviews of one partnership, loaded in three queries.
pub async fn for_reviews(
    store: &casereview_store::Store,
    clock: &Clock,
    ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, Vec<DeadlineView>>, WebError> {
    // Grouped by review first, so the work grows with the number of events, not with
    // reviews times events.
    fn group<T: Clone>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
        let mut m: HashMap<i64, Vec<T>> = HashMap::new();
        for r in rows {
            m.entry(key(&r)).or_default().push(r);
        }
        m
    }
    let events = group(store.events_of(ids).await?, |e| e.review_id);
    let exts = group(store.extensions_of(ids).await?, |e| e.review_id);
    let waivers = group(store.waivers_of(ids).await?, |w| w.review_id);
    let none = (Vec::new(), Vec::new(), Vec::new());
    Ok(ids
        .iter()
        .map(|id| {
            let (e, x, w) = (events.get(id).unwrap_or(&none.0), exts.get(id).unwrap_or(&none.1), waivers.get(id).unwrap_or(&none.2));
            (*id, clock.deadlines(*id, e, x, w, today))
        })
        .collect())
}
