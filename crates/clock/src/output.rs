//! Text for the command line: the binary crate parses arguments and prints these strings.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::Datelike;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::error::{ClockError, Result};
use crate::period::EventTime;
use crate::ruleset::{Ruleset, StepKind};

/// How output is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A JSON array of objects, for programs.
    Json,
    /// Aligned columns, for people.
    #[default]
    Table,
}

impl FromStr for Format {
    type Err = ClockError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "table" | "text" => Ok(Format::Table),
            _ => Err(ClockError::Output(format!("unknown format {s:?}; use json or table"))),
        }
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| ClockError::Output(e.to_string()))
}

// Left-aligned columns separated by two spaces; the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<&str> = cells.collect();
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[derive(Serialize)]
struct DayOut<'a> {
    date: String,
    weekday: String,
    name: &'a str,
}

/// The bank holidays of England and Wales in `year`.
pub fn calendar_output(year: i32, format: Format) -> Result<String> {
    calendar_output_with(&Calendar::england_and_wales(), year, format)
}

/// The days off of `year` in `calendar`: bank holidays and the partnership's closure days.
pub fn calendar_output_with(calendar: &Calendar, year: i32, format: Format) -> Result<String> {
    let days = calendar.days_off(year)?;
    let rows: Vec<DayOut> = days
        .iter()
        .map(|d| DayOut { date: d.date.format("%Y-%m-%d").to_string(), weekday: d.date.weekday().to_string(), name: &d.name })
        .collect();
    match format {
        Format::Json => json(&rows),
        Format::Table => Ok(table(
            &["DATE", "DAY", "NAME"],
            &rows.iter().map(|r| vec![r.date.clone(), r.weekday.clone(), r.name.to_string()]).collect::<Vec<_>>(),
        )),
    }
}

/// Splits a command-line argument `EVENT=DATE` into its name and value.
pub fn parse_event_arg(arg: &str) -> Result<(String, String)> {
    match arg.split_once('=') {
        Some((event, value)) if !event.trim().is_empty() && !value.trim().is_empty() => {
            Ok((event.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(ClockError::MalformedArgument { arg: arg.to_string() }),
    }
}

/// Parses one event's value (`YYYY-MM-DD` or RFC 3339); the error names event and value.
pub fn parse_event_time(event: &str, value: &str) -> Result<EventTime> {
    EventTime::parse(value).map_err(|reason| ClockError::InvalidEventTime { event: event.to_string(), value: value.to_string(), reason })
}

/// Checks names against the ruleset and parses values; the same event twice must agree.
pub fn parse_events<E, V>(ruleset: &Ruleset, events: &[(E, V)]) -> Result<BTreeMap<String, EventTime>>
where
    E: AsRef<str>,
    V: AsRef<str>,
{
    let mut out = BTreeMap::new();
    for (event, value) in events {
        let (event, value) = (event.as_ref(), value.as_ref());
        ruleset.check_event(event)?;
        let time = parse_event_time(event, value)?;
        if let Some(first) = out.insert(event.to_string(), time) {
            if first != time {
                return Err(ClockError::DuplicateEvent { name: event.to_string(), first: first.to_string(), second: time.to_string() });
            }
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct DeadlineOut<'a> {
    step: &'a str,
    title: &'a str,
    due: String,
    basis: &'a str,
    source: &'a str,
    role: &'a str,
    met: Option<String>,
    projected: bool,
    kind: StepKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_by: Option<&'a str>,
    /// Why an unmet step no longer applies, e.g. "review closed: concluded on 2025-06-30".
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<String>,
}

/// Every step of the named ruleset whose trigger is known, with its due date.
pub fn clock_output<E, V>(ruleset_name: &str, events: &[(E, V)], format: Format) -> Result<String>
where
    E: AsRef<str>,
    V: AsRef<str>,
{
    let ruleset = Ruleset::load(ruleset_name)?;
    let events = parse_events(&ruleset, events)?;
    clock_output_with(&ruleset, &events, &Calendar::england_and_wales(), format)
}

/// As [`clock_output`], for a loaded (possibly overridden) ruleset and a partnership calendar.
pub fn clock_output_with(ruleset: &Ruleset, events: &BTreeMap<String, EventTime>, calendar: &Calendar, format: Format) -> Result<String> {
    let deadlines = ruleset.compute(events, calendar)?;
    let rows: Vec<DeadlineOut> = deadlines
        .iter()
        .filter_map(|d| {
            let due = d.due?;
            Some(DeadlineOut {
                step: &d.step,
                title: &d.title,
                due: due.to_string(),
                basis: &d.basis,
                source: &d.source,
                role: d.role.as_str(),
                met: d.met.map(|m| m.format("%Y-%m-%d").to_string()),
                projected: d.projected,
                kind: d.kind,
                extension_by: d.extension_by.map(|r| r.as_str()),
                closed: d.closed.as_ref().map(|c| c.reason()),
            })
        })
        .collect();
    match format {
        Format::Json => json(&rows),
        Format::Table => Ok(table(
            &["DUE", "STEP", "ROLE", "MET", "BASIS", "SOURCE"],
            &rows
                .iter()
                .map(|r| {
                    vec![
                        r.due.clone(),
                        r.step.to_string(),
                        r.role.to_string(),
                        match (&r.met, &r.closed) {
                            (Some(met), _) => met.clone(),
                            (None, Some(_)) => "closed".to_string(),
                            (None, None) => "-".to_string(),
                        },
                        r.basis.to_string(),
                        r.source.to_string(),
                    ]
                })
                .collect::<Vec<_>>(),
        )),
    }
}

#[derive(Serialize)]
struct EventOut<'a> {
    name: &'a str,
    description: &'a str,
    lifecycle: bool,
    /// Steps this event starts.
    triggers: Vec<&'a str>,
    /// Steps this event satisfies.
    meets: Vec<&'a str>,
    /// True when the event closes the review: open steps it does not start end with it.
    closes_review: bool,
    /// Steps whose obligation this event ends without meeting them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    closes: Vec<&'a str>,
}

/// The events the named ruleset accepts, with the steps each one starts or meets.
pub fn list_events_output(ruleset_name: &str, format: Format) -> Result<String> {
    let ruleset = Ruleset::load(ruleset_name)?;
    let rows: Vec<EventOut> = ruleset
        .events()
        .iter()
        .map(|e| EventOut {
            name: &e.name,
            description: &e.description,
            lifecycle: e.lifecycle,
            triggers: ruleset.steps().iter().filter(|s| s.trigger.contains(&e.name)).map(|s| s.id.as_str()).collect(),
            meets: ruleset.steps().iter().filter(|s| s.met_by.contains(&e.name)).map(|s| s.id.as_str()).collect(),
            closes_review: ruleset.closed_by().contains(&e.name),
            closes: ruleset.steps().iter().filter(|s| s.closed_by.contains(&e.name)).map(|s| s.id.as_str()).collect(),
        })
        .collect();
    match format {
        Format::Json => json(&rows),
        // One row per event, with the steps it starts and meets on indented lines below:
        // step lists are too long for columns.
        Format::Table => {
            let header = table(
                &["EVENT", "KIND", "DESCRIPTION"],
                &rows
                    .iter()
                    .map(|r| {
                        let kind = if r.lifecycle { "lifecycle" } else { "extra" };
                        vec![r.name.to_string(), kind.to_string(), r.description.to_string()]
                    })
                    .collect::<Vec<_>>(),
            );
            let mut out = String::new();
            let mut lines = header.lines();
            if let Some(first) = lines.next() {
                out.push_str(first);
                out.push('\n');
            }
            for (line, r) in lines.zip(&rows) {
                out.push_str(line);
                out.push('\n');
                if !r.triggers.is_empty() {
                    out.push_str(&format!("    starts: {}\n", r.triggers.join(", ")));
                }
                if !r.meets.is_empty() {
                    out.push_str(&format!("    meets:  {}\n", r.meets.join(", ")));
                }
                if r.closes_review {
                    out.push_str("    closes: the review (every open step it does not start)\n");
                }
                if !r.closes.is_empty() {
                    out.push_str(&format!("    closes: {}\n", r.closes.join(", ")));
                }
            }
            Ok(out)
        }
    }
}

#[derive(Serialize)]
struct RulesetOut<'a> {
    name: &'a str,
    title: String,
    source: String,
    steps: usize,
}

/// The embedded rulesets with their titles.
pub fn list_rulesets_output(format: Format) -> Result<String> {
    let mut rows = Vec::new();
    for name in Ruleset::names() {
        let r = Ruleset::load(name)?;
        rows.push(RulesetOut { name, title: r.title().to_string(), source: r.source().to_string(), steps: r.steps().len() });
    }
    match format {
        Format::Json => json(&rows),
        Format::Table => Ok(table(
            &["RULESET", "SEED", "STEPS", "TITLE"],
            &rows.iter().map(|r| vec![r.name.to_string(), r.source.clone(), r.steps.to_string(), r.title.clone()]).collect::<Vec<_>>(),
        )),
    }
}
