//! Period arithmetic: the one place that says how a period is counted.
//!
//! A period is written `"<count> <unit>"` (`"72 hours"`, `"5 working days"`, `"1 month"`,
//! `"17 working weeks"`); units may be singular or plural. A step counts its period
//! `after` its trigger (the usual "within N … of X") or `before` it ("at least one week
//! before publication", "10 days before the board meets"): a `before` deadline is the period
//! subtracted from the trigger.
//!
//! | unit | after X | before X |
//! |---|---|---|
//! | hours | X + N hours, an instant | X − N hours |
//! | days | X + N calendar days | X − N days |
//! | working days | the Nth working day after X; X itself never counts, even when it is a working day | the Nth working day before X |
//! | weeks | X + 7N calendar days | X − 7N days |
//! | working weeks | N × 5 working days ("17 working weeks" = 85 working days) | likewise, backwards |
//! | months | the same day-of-month N months later, or that month's last day when it has none (31 Jan 2024 + 1 month = 29 Feb 2024) | likewise, earlier |
//! | years | 12N months (29 Feb 2024 + 1 year = 28 Feb 2025) | likewise, earlier |
//!
//! A count of 0 means "on the day" (`"0 days"` after notification = the notification day).
//!
//! Working days exclude Saturdays, Sundays, England and Wales bank holidays (one-off days
//! included) and any closure days of the partnership's [`Calendar`]. Only working-day units
//! consult the calendar, so only they fail outside 1990..=2040.
//!
//! Days, weeks and months are not moved off weekends or holidays: the seeds say "within 14
//! days" and "within one month", and a deadline falling on a Sunday is still that Sunday.
//!
//! Triggers and due times: an event is known by its date or by its date and time
//! ([`EventTime`]). Hours count from the instant and give a [`Due::DateTime`]. When only the
//! date is known, an hour period is taken to start at the end of that day (the most the
//! seed allows, since the event may have happened late), so "72 hours after 1 March" is due
//! on 4 March as a [`Due::Date`]; the basis text says so. Every other unit counts from the
//! event's date (its local date when it carries a time and offset) and gives a date.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize, Serializer};

use crate::calendar::Calendar;
use crate::error::{ClockError, Result};

/// The unit of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hours,
    Days,
    WorkingDays,
    Weeks,
    WorkingWeeks,
    Months,
    Years,
}

impl Unit {
    fn name(self, count: u32) -> &'static str {
        let one = count == 1;
        match self {
            Unit::Hours if one => "hour",
            Unit::Hours => "hours",
            Unit::Days if one => "day",
            Unit::Days => "days",
            Unit::WorkingDays if one => "working day",
            Unit::WorkingDays => "working days",
            Unit::Weeks if one => "week",
            Unit::Weeks => "weeks",
            Unit::WorkingWeeks if one => "working week",
            Unit::WorkingWeeks => "working weeks",
            Unit::Months if one => "month",
            Unit::Months => "months",
            Unit::Years if one => "year",
            Unit::Years => "years",
        }
    }
}

/// A length of time such as "5 working days"; parse one with [`str::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub count: u32,
    pub unit: Unit,
}

impl Period {
    pub const fn new(count: u32, unit: Unit) -> Self {
        Period { count, unit }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.count, self.unit.name(self.count))
    }
}

impl FromStr for Period {
    type Err = ClockError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |reason: &str| ClockError::InvalidPeriod { text: text.to_string(), reason: reason.to_string() };
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let (count, unit_words) = match words.split_first() {
            Some((count, rest)) if !rest.is_empty() => (count, rest.join(" ")),
            _ => return Err(bad("expected \"<count> <unit>\", e.g. \"5 working days\"")),
        };
        let count: u32 = count.parse().map_err(|_| bad("the count must be a whole number of at least 0"))?;
        let unit = match unit_words.as_str() {
            "hour" | "hours" => Unit::Hours,
            "day" | "days" => Unit::Days,
            "working day" | "working days" => Unit::WorkingDays,
            "week" | "weeks" => Unit::Weeks,
            "working week" | "working weeks" => Unit::WorkingWeeks,
            "month" | "months" => Unit::Months,
            "year" | "years" => Unit::Years,
            _ => return Err(bad("unknown unit; use hours, days, working days, weeks, working weeks, months or years")),
        };
        Ok(Period { count, unit })
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether a deadline falls after its trigger or before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    After,
    Before,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::After => "after",
            Direction::Before => "before",
        })
    }
}

/// When an event happened: its date, or its date and time (with the offset it was given in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventTime {
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
}

impl EventTime {
    /// The calendar date of the event, local to the offset it was recorded with.
    pub fn date(&self) -> NaiveDate {
        match self {
            EventTime::Date(d) => *d,
            EventTime::DateTime(t) => t.date_naive(),
        }
    }

    /// Parses `YYYY-MM-DD` or an RFC 3339 date-time; the error says what is wrong.
    pub fn parse(value: &str) -> std::result::Result<EventTime, String> {
        let value = value.trim();
        if value.len() == 10 {
            return match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(d) => Ok(EventTime::Date(d)),
                Err(_) if looks_like_date(value) => Err("no such day in the calendar".to_string()),
                Err(_) => Err("expected a date as YYYY-MM-DD".to_string()),
            };
        }
        // `get` rather than slicing: the value may not be ASCII.
        let head = value.get(..10).filter(|h| looks_like_date(h));
        match DateTime::parse_from_rfc3339(value) {
            Ok(t) => Ok(EventTime::DateTime(t)),
            Err(_) if head.is_some() => {
                if head.and_then(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").ok()).is_none() {
                    Err("no such day in the calendar".to_string())
                } else {
                    Err("expected an RFC 3339 date-time with an offset, e.g. 2024-03-01T14:30:00Z or 2024-06-01T09:00:00+01:00".to_string())
                }
            }
            Err(_) => Err("expected YYYY-MM-DD or an RFC 3339 date-time such as 2024-03-01T14:30:00Z".to_string()),
        }
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventTime::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            EventTime::DateTime(t) => f.write_str(&t.to_rfc3339()),
        }
    }
}

// Serialized as its text form, the same one `EventTime::parse` reads.
impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        EventTime::parse(&text).map_err(|reason| serde::de::Error::custom(format!("{text:?}: {reason}")))
    }
}

impl From<NaiveDate> for EventTime {
    fn from(d: NaiveDate) -> Self {
        EventTime::Date(d)
    }
}

impl From<DateTime<FixedOffset>> for EventTime {
    fn from(t: DateTime<FixedOffset>) -> Self {
        EventTime::DateTime(t)
    }
}

/// When a step is due: a date for most steps, an instant for hour-based ones.
///
/// Serialized (serde) as a plain string: `"2025-01-13"` or `"2024-12-01T21:30:00+00:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
}

impl Due {
    /// The due date (the local date of an instant).
    pub fn date(&self) -> NaiveDate {
        match self {
            Due::Date(d) => *d,
            Due::DateTime(t) => t.date_naive(),
        }
    }
}

impl From<Due> for EventTime {
    fn from(d: Due) -> Self {
        match d {
            Due::Date(d) => EventTime::Date(d),
            Due::DateTime(t) => EventTime::DateTime(t),
        }
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        EventTime::from(*self).fmt(f)
    }
}

// A plain string, `YYYY-MM-DD` or RFC 3339 as `Display` writes it, read back the same way.
impl Serialize for Due {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Due {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match EventTime::deserialize(d)? {
            EventTime::Date(d) => Due::Date(d),
            EventTime::DateTime(t) => Due::DateTime(t),
        })
    }
}

fn out_of_range(what: String) -> ClockError {
    ClockError::OutOfRange { what }
}

impl Period {
    /// The deadline this period gives from `from`, in `direction`.
    pub fn apply(&self, from: EventTime, direction: Direction, calendar: &Calendar) -> Result<Due> {
        if self.unit == Unit::Hours {
            let hours = TimeDelta::hours(i64::from(self.count));
            return match from {
                EventTime::DateTime(t) => {
                    let due = match direction {
                        Direction::After => t.checked_add_signed(hours),
                        Direction::Before => t.checked_sub_signed(hours),
                    };
                    due.map(Due::DateTime).ok_or_else(|| out_of_range(format!("{self} {direction} {t}")))
                }
                // Date only: the period runs from the end of the day after, the start before.
                EventTime::Date(d) => {
                    let days = Days::new(u64::from(self.count.div_ceil(24)));
                    let due = match direction {
                        Direction::After => d.checked_add_days(days),
                        Direction::Before => d.checked_sub_days(days),
                    };
                    due.map(Due::Date).ok_or_else(|| out_of_range(format!("{self} {direction} {d}")))
                }
            };
        }
        self.apply_date(from.date(), direction, calendar).map(Due::Date)
    }

    /// The deadline date this period gives from the date `from` (hours round up to days).
    pub fn apply_date(&self, from: NaiveDate, direction: Direction, calendar: &Calendar) -> Result<NaiveDate> {
        let n = self.count;
        let calendar_days = |days: u64| {
            match direction {
                Direction::After => from.checked_add_days(Days::new(days)),
                Direction::Before => from.checked_sub_days(Days::new(days)),
            }
            .ok_or_else(|| out_of_range(format!("{self} {direction} {from}")))
        };
        let months = |months: u32| {
            match direction {
                Direction::After => from.checked_add_months(Months::new(months)),
                Direction::Before => from.checked_sub_months(Months::new(months)),
            }
            .ok_or_else(|| out_of_range(format!("{self} {direction} {from}")))
        };
        let working = |days: u32| match direction {
            Direction::After => calendar.add_working_days(from, days),
            Direction::Before => calendar.sub_working_days(from, days),
        };
        match self.unit {
            Unit::Hours => calendar_days(u64::from(n.div_ceil(24))),
            Unit::Days => calendar_days(u64::from(n)),
            Unit::Weeks => calendar_days(7 * u64::from(n)),
            Unit::WorkingDays => working(n),
            Unit::WorkingWeeks => working(n.saturating_mul(5)),
            Unit::Months => months(n),
            Unit::Years => months(n.saturating_mul(12)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_periods() {
        for s in ["72 hours", "5 working days", "1 month", "14 days", "17 working weeks", "1 working week", "8 weeks", "2 years", "0 days"]
        {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p(" 1   Working  Days ").to_string(), "1 working day");
        for bad in ["", "5", "five days", "-1 days", "3 fortnights", "1.5 months"] {
            let err = bad.parse::<Period>().unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn month_ends_clamp() {
        let cal = Calendar::england_and_wales();
        let m = p("1 month");
        assert_eq!(m.apply_date(d(2024, 1, 31), Direction::After, &cal).unwrap(), d(2024, 2, 29));
        assert_eq!(m.apply_date(d(2023, 1, 31), Direction::After, &cal).unwrap(), d(2023, 2, 28));
        assert_eq!(m.apply_date(d(2024, 3, 31), Direction::Before, &cal).unwrap(), d(2024, 2, 29));
        assert_eq!(p("1 year").apply_date(d(2024, 2, 29), Direction::After, &cal).unwrap(), d(2025, 2, 28));
    }

    #[test]
    fn hours_from_instant_and_from_date() {
        let cal = Calendar::england_and_wales();
        let t = DateTime::parse_from_rfc3339("2024-03-29T22:15:00+00:00").unwrap();
        let due = p("72 hours").apply(t.into(), Direction::After, &cal).unwrap();
        assert_eq!(due.to_string(), "2024-04-01T22:15:00+00:00");
        let due = p("72 hours").apply(d(2024, 3, 1).into(), Direction::After, &cal).unwrap();
        assert_eq!(due, Due::Date(d(2024, 3, 4)));
    }

    #[test]
    fn due_serializes_as_a_plain_string() {
        let date = Due::Date(d(2025, 1, 13));
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2025-01-13\"");
        let t = DateTime::parse_from_rfc3339("2024-12-01T21:30:00+00:00").unwrap();
        let instant = Due::DateTime(t);
        assert_eq!(serde_json::to_string(&instant).unwrap(), "\"2024-12-01T21:30:00+00:00\"");
        let offset = Due::DateTime(DateTime::parse_from_rfc3339("2024-06-01T09:00:00+01:00").unwrap());
        assert_eq!(serde_json::to_value(offset).unwrap(), serde_json::Value::String("2024-06-01T09:00:00+01:00".into()));
        // Inside a struct or an Option it stays a string (null when absent).
        assert_eq!(serde_json::to_string(&[Some(date), None]).unwrap(), "[\"2025-01-13\",null]");
        for due in [date, instant, offset] {
            let back: Due = serde_json::from_str(&serde_json::to_string(&due).unwrap()).unwrap();
            assert_eq!(back, due);
        }
        assert!(serde_json::from_str::<Due>("\"2025-02-30\"").is_err());
    }

    #[test]
    fn event_time_parse_errors() {
        assert_eq!(EventTime::parse("2023-02-30").unwrap_err(), "no such day in the calendar");
        assert!(EventTime::parse("2023-02-30T10:00:00Z").unwrap_err().contains("no such day"));
        assert!(EventTime::parse("2023-02-03T10:00:00").unwrap_err().contains("offset"));
        assert!(EventTime::parse("03/02/2023").is_err());
        let t: EventTime = serde_json::from_str("\"2024-06-01T00:30:00+01:00\"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2024-06-01T00:30:00+01:00\"");
        assert!(serde_json::from_str::<EventTime>("\"2024-02-30\"").is_err());
        assert_eq!(EventTime::parse("2024-06-01T00:30:00+01:00").unwrap().date(), d(2024, 6, 1));
    }
}
