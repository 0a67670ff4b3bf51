//! One line of an agency chronology (001 Appendix V), with its date kept at the precision
//! the agency knew it.
//!
//! # Where an imprecise date is placed (the one rule)
//!
//! Every date sorts by [`FuzzyDate::sort_key`]: *(the earliest day it could be, precision
//! rank)*, with ranks `exact 0 < approximate 1 < month 2 < year 3`. So an entry known only as
//! "March 2024" is placed at the start of March 2024, *after* any entry dated exactly
//! 01/03/2024 (and after "c. 01/03/2024"), and "2024" is placed at 1 January 2024 after
//! everything else starting that day, including "January 2024". In one sentence: **an
//! imprecise date goes at the start of the period it could be in, after the more precise
//! entries that start on the same day.** [`FuzzyDate::placement_note`] says so in words
//! for each entry; the merge (`merge.rs`) adds time, agency and source to break the
//! remaining ties.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Exact,
    Approximate,
    Month,
    Year,
}

impl DatePrecision {
    /// The rank used by the sorting rule (finer first on the same starting day).
    pub fn rank(self) -> u8 {
        match self {
            DatePrecision::Exact => 0,
            DatePrecision::Approximate => 1,
            DatePrecision::Month => 2,
            DatePrecision::Year => 3,
        }
    }

    /// The word people read ("exact", "approximate", "month only", "year only").
    pub fn label(self) -> &'static str {
        match self {
            DatePrecision::Exact => "exact",
            DatePrecision::Approximate => "approximate",
            DatePrecision::Month => "month only",
            DatePrecision::Year => "year only",
        }
    }
}

/// A date at the precision it is known. Month and year variants are never widened to a
/// made-up day (the template's "enter 01 as the day" convention loses this, 001 App. VI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FuzzyDate {
    /// A known day.
    Exact(NaiveDate),
    /// Only the month: `(year, month 1-12)`.
    Month(i32, u32),
    /// Only the year.
    Year(i32),
    /// About this day ("c. 12/03/2024", "approx", "circa", "~").
    Approximate(NaiveDate),
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// The English name of a month 1-12 (clamped).
pub fn month_name(month: u32) -> &'static str {
    MONTHS[(month.clamp(1, 12) - 1) as usize]
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month.clamp(1, 12), day).unwrap_or(if year < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

impl FuzzyDate {
    pub fn precision(&self) -> DatePrecision {
        match self {
            FuzzyDate::Exact(_) => DatePrecision::Exact,
            FuzzyDate::Month(..) => DatePrecision::Month,
            FuzzyDate::Year(_) => DatePrecision::Year,
            FuzzyDate::Approximate(_) => DatePrecision::Approximate,
        }
    }

    /// The earliest day the date could be (where it is placed).
    pub fn earliest(&self) -> NaiveDate {
        match *self {
            FuzzyDate::Exact(d) | FuzzyDate::Approximate(d) => d,
            FuzzyDate::Month(y, m) => ymd(y, m, 1),
            FuzzyDate::Year(y) => ymd(y, 1, 1),
        }
    }

    /// The latest day the date could be.
    pub fn latest(&self) -> NaiveDate {
        match *self {
            FuzzyDate::Exact(d) | FuzzyDate::Approximate(d) => d,
            FuzzyDate::Month(y, m) => {
                let m = m.clamp(1, 12);
                let next = if m == 12 { ymd(y.saturating_add(1), 1, 1) } else { ymd(y, m + 1, 1) };
                next.pred_opt().unwrap_or(next)
            }
            FuzzyDate::Year(y) => ymd(y, 12, 31),
        }
    }

    /// True when the date names one day (exact or approximate).
    pub fn is_day(&self) -> bool {
        matches!(self, FuzzyDate::Exact(_) | FuzzyDate::Approximate(_))
    }

    /// The sorting key of the module rule: (earliest possible day, precision rank).
    pub fn sort_key(&self) -> (NaiveDate, u8) {
        (self.earliest(), self.precision().rank())
    }

    /// Why the entry sits where it does when its date is not exact, e.g. "month only:
    /// placed at the start of March 2024". `None` for an exact date.
    pub fn placement_note(&self) -> Option<String> {
        match *self {
            FuzzyDate::Exact(_) => None,
            FuzzyDate::Approximate(d) => Some(format!("approximate: placed on {}", long_day(d))),
            FuzzyDate::Month(y, m) => Some(format!("month only: placed at the start of {} {y}", month_name(m))),
            FuzzyDate::Year(y) => Some(format!("year only: placed at the start of {y}")),
        }
    }
}

/// "12 March 2024".
pub fn long_day(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

impl Ord for FuzzyDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for FuzzyDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for FuzzyDate {
    /// dd/mm/yyyy, "c. dd/mm/yyyy", "March 2024" or "2024".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            FuzzyDate::Exact(d) => write!(f, "{}", d.format("%d/%m/%Y")),
            FuzzyDate::Approximate(d) => write!(f, "c. {}", d.format("%d/%m/%Y")),
            FuzzyDate::Month(y, m) => write!(f, "{} {y}", month_name(m)),
            FuzzyDate::Year(y) => write!(f, "{y}"),
        }
    }
}

/// Where an entry came from: the file as the user named it, the sheet, the 1-based row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub sheet: String,
    pub row: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, sheet {}, row {}", self.file, self.sheet, self.row)
    }
}

/// One line of an agency chronology: the columns of 001 Appendix V.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChronologyEntry {
    pub date: FuzzyDate,
    pub time: Option<NaiveTime>,
    /// The child or family member concerned (as written; may be empty).
    pub subject: String,
    /// The professional, by role ("Health Visitor 1"); may be empty.
    pub professional: String,
    /// The significant event or incident.
    pub event: String,
    /// Whether the child was seen; `None` when the record does not say.
    pub child_seen: Option<bool>,
    /// Whether the child's wishes and feelings were sought or recorded; `None` when not said.
    pub wishes_and_feelings: Option<bool>,
    /// The agency, normalised to the partnership's spelling.
    pub agency: String,
    /// The IMR author's / reviewer's comment, including good practice.
    pub comment: String,
    pub source: Source,
}

impl ChronologyEntry {
    /// The date and time as people read them: "12/03/2024 14:30", "March 2024".
    pub fn when(&self) -> String {
        match self.time {
            Some(t) => format!("{} {}", self.date, t.format("%H:%M")),
            None => self.date.to_string(),
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

    #[test]
    fn imprecise_dates_sort_at_the_start_after_precise_ones() {
        let mut v = vec![
            FuzzyDate::Year(2024),
            FuzzyDate::Month(2024, 3),
            FuzzyDate::Exact(d(2024, 3, 1)),
            FuzzyDate::Approximate(d(2024, 3, 1)),
            FuzzyDate::Exact(d(2024, 2, 29)),
            FuzzyDate::Month(2024, 1),
            FuzzyDate::Exact(d(2024, 1, 1)),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                FuzzyDate::Exact(d(2024, 1, 1)),
                FuzzyDate::Month(2024, 1),
                FuzzyDate::Year(2024),
                FuzzyDate::Exact(d(2024, 2, 29)),
                FuzzyDate::Exact(d(2024, 3, 1)),
                FuzzyDate::Approximate(d(2024, 3, 1)),
                FuzzyDate::Month(2024, 3),
            ]
        );
    }

    #[test]
    fn ranges_and_notes() {
        assert_eq!(FuzzyDate::Month(2024, 2).latest(), d(2024, 2, 29));
        assert_eq!(FuzzyDate::Month(2024, 12).latest(), d(2024, 12, 31));
        assert_eq!(FuzzyDate::Year(2023).latest(), d(2023, 12, 31));
        assert_eq!(FuzzyDate::Month(2024, 3).placement_note().unwrap(), "month only: placed at the start of March 2024");
        assert_eq!(FuzzyDate::Year(2024).placement_note().unwrap(), "year only: placed at the start of 2024");
        assert_eq!(FuzzyDate::Approximate(d(2024, 3, 12)).placement_note().unwrap(), "approximate: placed on 12 March 2024");
        assert_eq!(FuzzyDate::Exact(d(2024, 3, 12)).placement_note(), None);
        assert_eq!(FuzzyDate::Approximate(d(2024, 3, 12)).to_string(), "c. 12/03/2024");
    }

    #[test]
    fn precision_serialises_snake_case() {
        assert_eq!(serde_json::to_string(&DatePrecision::Approximate).unwrap(), "\"approximate\"");
        let j = serde_json::to_string(&FuzzyDate::Month(2024, 3)).unwrap();
        assert_eq!(j, "{\"month\":[2024,3]}");
        assert_eq!(serde_json::from_str::<FuzzyDate>(&j).unwrap(), FuzzyDate::Month(2024, 3));
    }
}
