//! Rulesets: the timetables of the seeds as data, and the deadlines they give a review.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::error::{ClockError, Result};
use crate::period::{Direction, Due, EventTime, Period};

const EVENTS_TOML: &str = include_str!("../rulesets/events.toml");

const RULESETS: &[(&str, &str)] = &[
    ("oxfordshire-2008", include_str!("../rulesets/oxfordshire-2008.toml")),
    ("medway-2008", include_str!("../rulesets/medway-2008.toml")),
    ("birmingham-2015", include_str!("../rulesets/birmingham-2015.toml")),
    ("national-2010", include_str!("../rulesets/national-2010.toml")),
];

const NAMES: &[&str] = &["oxfordshire-2008", "medway-2008", "birmingham-2015", "national-2010"];

/// Who is responsible for a step (or may agree its extension): the partnership's roles,
/// named in rulesets by their ids (`panel_chair`, ...).
pub use casereview_core::Role;

/// Whether a step's date is a limit to meet or a minimum to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Must be done by the due date.
    #[default]
    Deadline,
    /// Must go on at least until the due date (e.g. "online for a minimum of 12 months").
    Minimum,
}

/// An event a ruleset understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventDef {
    pub name: String,
    pub description: String,
    /// True for the lifecycle events that the foundation records for every review.
    pub lifecycle: bool,
}

/// One step of a timetable, as written in the ruleset's TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// Events that start the clock, in order of preference: the first recorded one is used.
    #[serde(with = "one_or_many")]
    pub trigger: Vec<String>,
    /// A step whose due date stands in for the trigger until the trigger is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected_from: Option<String>,
    pub period: Period,
    #[serde(default)]
    pub direction: Direction,
    pub role: Role,
    /// Seed file and section, e.g. "001 App. XIII".
    pub source: String,
    /// Events that satisfy the step; the earliest recorded one is the date it was met.
    #[serde(default, with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub met_by: Vec<String>,
    /// Events that end this step's obligation without meeting it, besides the ruleset's
    /// own `closed_by` (e.g. monthly progress updates lapse once the report reaches the
    /// board). Only for `deadline` steps.
    #[serde(default, with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub closed_by: Vec<String>,
    /// Who may agree a longer time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_by: Option<Role>,
    #[serde(default)]
    pub kind: StepKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

// A TOML field that may be one string or a list of strings.
mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        })
    }

    pub fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    lifecycle: Vec<RawEvent>,
    extra: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleset {
    name: String,
    title: String,
    source: String,
    events: Vec<String>,
    #[serde(default, with = "one_or_many")]
    closed_by: Vec<String>,
    steps: Vec<Step>,
}

/// A named timetable: its events and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruleset {
    name: String,
    title: String,
    source: String,
    events: Vec<EventDef>,
    closed_by: Vec<String>,
    steps: Vec<Step>,
    // Step indices such that every `projected_from` comes before the step projecting from it.
    order: Vec<usize>,
}

fn invalid(name: &str, reason: impl Into<String>) -> ClockError {
    ClockError::InvalidRuleset { name: name.to_string(), reason: reason.into() }
}

impl Ruleset {
    /// The names of the embedded rulesets.
    pub fn names() -> &'static [&'static str] {
        NAMES
    }

    /// Loads an embedded ruleset by name.
    pub fn load(name: &str) -> Result<Ruleset> {
        let text = RULESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ClockError::UnknownRuleset { name: name.to_string(), known: NAMES.join(", ") })?;
        Ruleset::from_toml(text)
    }

    /// Parses and checks a ruleset written in the same TOML form as the embedded ones.
    pub fn from_toml(text: &str) -> Result<Ruleset> {
        let raw: RawRuleset = toml::from_str(text).map_err(|e| invalid("(unnamed)", e.to_string()))?;
        let vocabulary: RawVocabulary = toml::from_str(EVENTS_TOML).map_err(|e| invalid("events.toml", e.to_string()))?;
        let name = raw.name.clone();

        let mut events: Vec<EventDef> =
            vocabulary.lifecycle.into_iter().map(|e| EventDef { name: e.name, description: e.description, lifecycle: true }).collect();
        for wanted in &raw.events {
            let def = vocabulary
                .extra
                .iter()
                .find(|e| &e.name == wanted)
                .ok_or_else(|| invalid(&name, format!("event {wanted:?} is not in the shared vocabulary (rulesets/events.toml)")))?;
            if events.iter().any(|e| &e.name == wanted) {
                return Err(invalid(&name, format!("event {wanted:?} listed twice")));
            }
            events.push(EventDef { name: def.name.clone(), description: def.description.clone(), lifecycle: false });
        }

        let ruleset =
            Ruleset { name, title: raw.title, source: raw.source, events, closed_by: raw.closed_by, steps: raw.steps, order: Vec::new() };
        ruleset.validated()
    }

    // Checks references and orders the steps so that projections are computed first.
    fn validated(mut self) -> Result<Ruleset> {
        let known: BTreeSet<&str> = self.events.iter().map(|e| e.name.as_str()).collect();
        for event in &self.closed_by {
            if !known.contains(event.as_str()) {
                return Err(invalid(&self.name, format!("closed_by uses event {event:?}, which the ruleset does not list")));
            }
        }
        let mut ids = BTreeSet::new();
        for step in &self.steps {
            if !ids.insert(step.id.as_str()) {
                return Err(invalid(&self.name, format!("step {:?} defined twice", step.id)));
            }
            if step.trigger.is_empty() {
                return Err(invalid(&self.name, format!("step {:?} has no trigger", step.id)));
            }
            for event in step.trigger.iter().chain(&step.met_by).chain(&step.closed_by) {
                if !known.contains(event.as_str()) {
                    return Err(invalid(&self.name, format!("step {:?} uses event {event:?}, which the ruleset does not list", step.id)));
                }
            }
            if !step.closed_by.is_empty() && step.kind != StepKind::Deadline {
                return Err(invalid(&self.name, format!("step {:?} is a minimum: closed_by applies only to deadlines", step.id)));
            }
            if let Some(event) = step.closed_by.iter().find(|e| step.trigger.contains(e) || step.met_by.contains(e)) {
                return Err(invalid(&self.name, format!("step {:?} has {event:?} in closed_by and in its trigger or met_by", step.id)));
            }
        }
        let index: BTreeMap<&str, usize> = self.steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let mut order = Vec::with_capacity(self.steps.len());
        // 0 = unvisited, 1 = on the path, 2 = placed: a depth-first topological sort.
        let mut state = vec![0u8; self.steps.len()];
        for start in 0..self.steps.len() {
            let mut i = start;
            let mut path = Vec::new();
            loop {
                if state[i] == 2 {
                    break;
                }
                if state[i] == 1 {
                    return Err(invalid(&self.name, format!("steps project from each other in a loop at {:?}", self.steps[i].id)));
                }
                state[i] = 1;
                path.push(i);
                match &self.steps[i].projected_from {
                    Some(from) => {
                        i = *index.get(from.as_str()).ok_or_else(|| {
                            invalid(&self.name, format!("step {:?} projects from unknown step {from:?}", self.steps[i].id))
                        })?;
                    }
                    None => break,
                }
            }
            for &p in path.iter().rev() {
                state[p] = 2;
                order.push(p);
            }
        }
        self.order = order;
        Ok(self)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The seed the ruleset comes from, e.g. "001".
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every event the ruleset accepts: the lifecycle events, then its own.
    pub fn events(&self) -> &[EventDef] {
        &self.events
    }

    /// The events that end the review (e.g. `decision_no_review`, `concluded`): once one is
    /// recorded, open deadline steps are closed (see [`Deadline::closed`]).
    pub fn closed_by(&self) -> &[String] {
        &self.closed_by
    }

    /// The steps in the order the seed gives them.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The step with this id, if any.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Checks that an event name is one this ruleset accepts.
    pub fn check_event(&self, name: &str) -> Result<()> {
        if self.events.iter().any(|e| e.name == name) {
            Ok(())
        } else {
            Err(ClockError::UnknownEvent {
                name: name.to_string(),
                ruleset: self.name.clone(),
                valid: self.events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
            })
        }
    }

    /// The same ruleset with some steps' periods replaced (a partnership's local timetable).
    pub fn with_overrides<I, K>(mut self, overrides: I) -> Result<Ruleset>
    where
        I: IntoIterator<Item = (K, Period)>,
        K: AsRef<str>,
    {
        for (id, period) in overrides {
            let id = id.as_ref();
            let ids = self.steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ");
            let step = self.steps.iter_mut().find(|s| s.id == id).ok_or_else(|| ClockError::UnknownStep {
                id: id.to_string(),
                ruleset: self.name.clone(),
                valid: ids,
            })?;
            step.period = period;
        }
        Ok(self)
    }

    /// Every step's deadline for a review whose recorded events are `events`.
    ///
    /// Steps whose trigger is not recorded (and cannot be projected) come back with no due
    /// date, so their status is [`Status::NotStarted`]. Results are in the ruleset's order.
    pub fn compute(&self, events: &BTreeMap<String, EventTime>, calendar: &Calendar) -> Result<Vec<Deadline>> {
        for name in events.keys() {
            self.check_event(name)?;
        }
        let mut dues: Vec<Option<Due>> = vec![None; self.steps.len()];
        let mut out: Vec<Option<Deadline>> = vec![None; self.steps.len()];
        for &i in &self.order {
            let step = &self.steps[i];
            let recorded = step.trigger.iter().find_map(|t| events.get(t).map(|time| (t, *time)));
            let (from, basis) = match recorded {
                Some((name, time)) => {
                    let mut basis = describe(step, name);
                    if step.period.unit == crate::period::Unit::Hours && matches!(time, EventTime::Date(_)) {
                        basis.push_str(" (time not recorded: counted from the end of that day)");
                    }
                    (Some(time), basis)
                }
                None => {
                    let projected = step.projected_from.as_ref().and_then(|from| {
                        let j = self.steps.iter().position(|s| &s.id == from)?;
                        dues[j].map(|d| (from, d))
                    });
                    let trigger = step.trigger.join(" or ");
                    match projected {
                        Some((from, due)) => (
                            Some(EventTime::from(due)),
                            format!("{} (not recorded; projected from step {from}, due {due})", describe(step, &trigger)),
                        ),
                        None => (None, format!("{} (not recorded)", describe(step, &trigger))),
                    }
                }
            };
            let due = from.map(|f| step.period.apply(f, step.direction, calendar)).transpose()?;
            dues[i] = due;
            let met = step.met_by.iter().filter_map(|e| events.get(e).map(EventTime::date)).min();
            let closed = match met {
                Some(_) => None,
                None => self.closure(step, recorded.map(|(_, t)| t.date()), events),
            };
            out[i] = Some(Deadline {
                step: step.id.clone(),
                title: step.title.clone(),
                due,
                basis,
                projected: recorded.is_none() && due.is_some(),
                source: step.source.clone(),
                role: step.role,
                met,
                extension_by: step.extension_by,
                kind: step.kind,
                closed,
                waived: None,
            });
        }
        Ok(out.into_iter().flatten().collect())
    }

    // The earliest recorded event that closes `step`, whose clock started on `started`
    // (None: not started). An event never closes a step it triggers, nor one whose clock
    // started after it; minimum steps are never closed.
    fn closure(&self, step: &Step, started: Option<NaiveDate>, events: &BTreeMap<String, EventTime>) -> Option<Closure> {
        if step.kind != StepKind::Deadline {
            return None;
        }
        let own = step.closed_by.iter().map(|e| (e, false));
        let review = self.closed_by.iter().map(|e| (e, true));
        own.chain(review)
            .filter(|(e, _)| !step.trigger.contains(e))
            .filter_map(|(e, review)| events.get(e).map(|t| (t.date(), e, review)))
            .filter(|(date, ..)| started.is_none_or(|s| s <= *date))
            .min_by_key(|(date, ..)| *date)
            .map(|(date, event, review_closed)| Closure { event: event.clone(), date, review_closed })
    }
}

// "25 working days after decision"; a zero period reads "on the day of notification".
fn describe(step: &Step, trigger: &str) -> String {
    if step.period.count == 0 {
        format!("on the day of {trigger}")
    } else {
        format!("{} {} {trigger}", step.period, step.direction)
    }
}

/// A step's deadline for one review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub step: String,
    pub title: String,
    /// None while the trigger is not recorded and cannot be projected.
    pub due: Option<Due>,
    /// How the due date was reached, e.g. "25 working days after decision".
    pub basis: String,
    /// True when the due date counts from another step's due date, not a recorded event.
    pub projected: bool,
    pub source: String,
    pub role: Role,
    /// The date of the earliest recorded event that satisfies the step.
    pub met: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_by: Option<Role>,
    pub kind: StepKind,
    /// For an unmet step, the recorded event that ended its obligation, if any: the review
    /// was closed (`decision_no_review`, `concluded`) or the step lapsed. A closed step is
    /// never overdue; its status is [`Status::Waived`] with [`Closure::reason`]. None when
    /// the step is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<Closure>,
    /// Why the step was waived, when it was (waivers are recorded by the store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

/// Why an unmet step no longer applies: the event that ended it and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    pub event: String,
    pub date: NaiveDate,
    /// True when the event ends the whole review (the ruleset's `closed_by`), false when it
    /// ends only this step (the step's own `closed_by`).
    pub review_closed: bool,
}

impl Closure {
    /// The reason shown as the waiver: "review closed: concluded on 2025-06-30" or
    /// "no longer required: draft_to_board on 2024-05-03".
    pub fn reason(&self) -> String {
        let what = if self.review_closed { "review closed" } else { "no longer required" };
        format!("{what}: {} on {}", self.event, self.date.format("%Y-%m-%d"))
    }
}

/// Where a step stands on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Status {
    /// The trigger has not happened (nor can it be projected).
    NotStarted,
    Upcoming,
    /// Due within the given number of working days (or due today).
    DueSoon,
    Overdue,
    /// Met on this date.
    Met(NaiveDate),
    /// Waived, with the reason: by a waiver the store recorded, or because the review was
    /// closed (or the step lapsed) before it was met ([`Deadline::closed`]).
    Waived(String),
}

impl Deadline {
    /// Marks the step as waived for this review.
    pub fn waive(mut self, reason: impl Into<String>) -> Self {
        self.waived = Some(reason.into());
        self
    }

    /// The status on `today`; "due soon" means due no later than `due_soon_working_days`
    /// working days after today. A date-time deadline counts by its date.
    ///
    /// Precedence: a waiver, then the met date, then a closure (as `Waived` with
    /// [`Closure::reason`]), then the due date.
    pub fn status(&self, today: NaiveDate, due_soon_working_days: u32, calendar: &Calendar) -> Result<Status> {
        if let Some(reason) = &self.waived {
            return Ok(Status::Waived(reason.clone()));
        }
        if let Some(met) = self.met {
            return Ok(Status::Met(met));
        }
        if let Some(closure) = &self.closed {
            return Ok(Status::Waived(closure.reason()));
        }
        let Some(due) = self.due else {
            return Ok(Status::NotStarted);
        };
        let due = due.date();
        if self.kind == StepKind::Minimum {
            return Ok(if today >= due { Status::Met(due) } else { Status::Upcoming });
        }
        if due < today {
            return Ok(Status::Overdue);
        }
        if due <= calendar.add_working_days(today, due_soon_working_days)? {
            return Ok(Status::DueSoon);
        }
        Ok(Status::Upcoming)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_ruleset_loads() {
        for name in Ruleset::names() {
            let r = Ruleset::load(name).unwrap();
            assert_eq!(r.name(), *name);
            assert!(!r.steps().is_empty());
        }
    }

    #[test]
    fn unknown_ruleset_lists_known_names() {
        let err = Ruleset::load("kent-2009").unwrap_err().to_string();
        assert!(err.contains("kent-2009") && err.contains("medway-2008"), "{err}");
    }

    #[test]
    fn loops_and_bad_references_are_rejected() {
        let looped = r#"
            name = "x"
            title = "x"
            source = "x"
            events = []
            [[steps]]
            id = "a"
            title = "a"
            trigger = "decision"
            projected_from = "b"
            period = "1 day"
            role = "board_chair"
            source = "x"
            [[steps]]
            id = "b"
            title = "b"
            trigger = "decision"
            projected_from = "a"
            period = "1 day"
            role = "board_chair"
            source = "x"
        "#;
        let err = Ruleset::from_toml(looped).unwrap_err().to_string();
        assert!(err.contains("loop"), "{err}");
        let unknown_event = r#"
            name = "x"
            title = "x"
            source = "x"
            events = []
            [[steps]]
            id = "a"
            title = "a"
            trigger = "coroner_inquest"
            period = "1 day"
            role = "board_chair"
            source = "x"
        "#;
        let err = Ruleset::from_toml(unknown_event).unwrap_err().to_string();
        assert!(err.contains("coroner_inquest"), "{err}");
    }

    const CLOSING: &str = r#"
        name = "x"
        title = "x"
        source = "x"
        events = ["progress_report"]
        closed_by = ["decision_no_review", "concluded"]
        [[steps]]
        id = "decide"
        title = "decide"
        trigger = "notification"
        period = "1 month"
        role = "board_chair"
        source = "x"
        met_by = ["decision", "decision_no_review"]
        [[steps]]
        id = "tell"
        title = "tell the panel of no review"
        trigger = "decision_no_review"
        period = "14 days"
        role = "board_chair"
        source = "x"
        [[steps]]
        id = "complete"
        title = "complete"
        trigger = "decision"
        period = "6 months"
        role = "panel_chair"
        source = "x"
        met_by = "adoption"
        [[steps]]
        id = "update"
        title = "update"
        trigger = "decision"
        period = "1 month"
        role = "panel_chair"
        source = "x"
        met_by = "progress_report"
        closed_by = "draft_to_board"
        [[steps]]
        id = "online"
        title = "online"
        trigger = "publication"
        period = "12 months"
        role = "partnership_admin"
        source = "x"
        kind = "minimum"
    "#;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn run(list: &[(&str, &str)]) -> BTreeMap<String, Deadline> {
        let events = list.iter().map(|(e, v)| (e.to_string(), EventTime::parse(v).unwrap())).collect();
        Ruleset::from_toml(CLOSING)
            .unwrap()
            .compute(&events, &Calendar::england_and_wales())
            .unwrap()
            .into_iter()
            .map(|x| (x.step.clone(), x))
            .collect()
    }

    fn status(x: &Deadline, today: &str) -> Status {
        x.status(day(today), 5, &Calendar::england_and_wales()).unwrap()
    }

    #[test]
    fn closing_events_close_open_steps_except_those_they_start() {
        let r = Ruleset::from_toml(CLOSING).unwrap();
        assert_eq!(r.closed_by(), ["decision_no_review", "concluded"]);
        let out = run(&[("notification", "2024-01-02"), ("decision_no_review", "2024-01-20")]);
        // Met outranks closed; the decision itself starts "tell", which stays open.
        assert_eq!(status(&out["decide"], "2024-06-01"), Status::Met(day("2024-01-20")));
        assert!(out["decide"].closed.is_none());
        assert_eq!(status(&out["tell"], "2024-06-01"), Status::Overdue);
        let closed = Status::Waived("review closed: decision_no_review on 2024-01-20".into());
        assert_eq!(status(&out["complete"], "2024-06-01"), closed);
        assert_eq!(status(&out["update"], "2024-06-01"), closed);
        // A minimum is never closed.
        assert!(out["online"].closed.is_none());
        assert_eq!(status(&out["online"], "2024-06-01"), Status::NotStarted);
        // A recorded waiver outranks the closure.
        assert_eq!(status(&out["complete"].clone().waive("by the board"), "2024-06-01"), Status::Waived("by the board".into()));
        // Concluding later closes "tell" too.
        let out = run(&[("notification", "2024-01-02"), ("decision_no_review", "2024-01-20"), ("concluded", "2024-02-01")]);
        let tell = out["tell"].closed.clone().unwrap();
        assert_eq!((tell.event.as_str(), tell.date, tell.review_closed), ("concluded", day("2024-02-01"), true));
    }

    #[test]
    fn a_step_started_after_the_closing_event_stays_open() {
        // No review, then a review after all: the decision's steps run from the decision.
        let out = run(&[("notification", "2024-01-02"), ("decision_no_review", "2024-01-20"), ("decision", "2024-03-01")]);
        assert!(out["complete"].closed.is_none());
        assert_eq!(status(&out["complete"], "2024-06-01"), Status::Upcoming);
        assert_eq!(status(&out["update"], "2024-06-01"), Status::Overdue);
    }

    #[test]
    fn a_step_closed_by_its_own_event_lapses() {
        let out = run(&[("decision", "2024-01-05"), ("draft_to_board", "2024-04-10")]);
        assert_eq!(status(&out["update"], "2024-03-01"), Status::Waived("no longer required: draft_to_board on 2024-04-10".into()));
        assert!(!out["update"].closed.clone().unwrap().review_closed);
        // Only that step: the completion still runs.
        assert_eq!(status(&out["complete"], "2024-06-01"), Status::Upcoming);
        let json = serde_json::to_value(&out["update"]).unwrap();
        assert_eq!(json["closed"]["event"], "draft_to_board");
        assert_eq!(json["closed"]["date"], "2024-04-10");
        assert!(serde_json::to_value(&out["complete"]).unwrap().get("closed").is_none());
    }

    #[test]
    fn bad_closed_by_is_rejected() {
        let unknown = CLOSING.replace(r#"closed_by = ["decision_no_review", "concluded"]"#, r#"closed_by = ["withdrawn"]"#);
        let err = Ruleset::from_toml(&unknown).unwrap_err().to_string();
        assert!(err.contains("withdrawn"), "{err}");
        let on_minimum = CLOSING.replace(r#"kind = "minimum""#, "kind = \"minimum\"\nclosed_by = \"concluded\"");
        let err = Ruleset::from_toml(&on_minimum).unwrap_err().to_string();
        assert!(err.contains("minimum"), "{err}");
        let overlapping = CLOSING.replace(r#"closed_by = "draft_to_board""#, r#"closed_by = "progress_report""#);
        let err = Ruleset::from_toml(&overlapping).unwrap_err().to_string();
        assert!(err.contains("progress_report"), "{err}");
    }
}
