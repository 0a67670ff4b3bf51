//! Parsing of user-typed values (dates, text) into checked values, recording a
//! [`FieldErrors`] entry naming the field instead of failing at the first problem.

use crate::error::FieldErrors;
use chrono::NaiveDate;

/// Longest single-line answer (names, positions, addresses).
pub const SHORT_MAX: usize = 300;
/// Longest free-text answer (incident details, reasons).
pub const LONG_MAX: usize = 20_000;

/// Trimmed text, required, at most `max` characters.
pub fn required(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(field, format!("Enter {label}"));
    } else if v.chars().count() > max {
        errors.push(field, format!("{} must be {max} characters or fewer", capitalise(label)));
    }
    v.to_string()
}

/// Trimmed text, optional, at most `max` characters.
pub fn optional(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errors.push(field, format!("{} must be {max} characters or fewer", capitalise(label)));
    }
    v.to_string()
}

/// An ISO date `YYYY-MM-DD` (also accepts `DD/MM/YYYY`, the seeds' form). Empty gives `None`.
/// Impossible dates such as 2023-02-30 are refused with a message naming the field.
pub fn optional_date(errors: &mut FieldErrors, field: &str, label: &str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match parse_date(v) {
        Ok(d) => Some(d),
        Err(msg) => {
            errors.push(field, format!("{} {msg}", capitalise(label)));
            None
        }
    }
}

/// As [`optional_date`] but an empty value is an error.
pub fn required_date(errors: &mut FieldErrors, field: &str, label: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.push(field, format!("Enter {label}"));
        return None;
    }
    optional_date(errors, field, label, value)
}

/// Parses `YYYY-MM-DD` or `DD/MM/YYYY`; the error text completes "<label> ...".
pub fn parse_date(v: &str) -> Result<NaiveDate, String> {
    let (y, m, d) = if let Some((y, rest)) = v.split_once('-') {
        let (m, d) = rest.split_once('-').ok_or("must be a date like 2024-03-27")?;
        (y, m, d)
    } else if let Some((d, rest)) = v.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or("must be a date like 27/03/2024")?;
        (y, m, d)
    } else {
        return Err("must be a date like 2024-03-27".into());
    };
    let num = |s: &str| -> Result<u32, String> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            Err("must be a date made of numbers, like 2024-03-27".into())
        } else {
            s.parse::<u32>().map_err(|_| "must be a real date".to_string())
        }
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if y.to_string().len() != 4 {
        return Err("must include a 4-digit year".into());
    }
    if !(1..=12).contains(&m) {
        return Err("must be a real date: the month must be between 1 and 12".into());
    }
    let year = i32::try_from(y).map_err(|_| "must be a real date".to_string())?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| format!("must be a real date: {v} does not exist"))
}

/// The years the statutory clock can count (England and Wales bank holidays are known
/// for these); a date the clock would count from or to must fall inside them.
pub const CLOCK_YEARS: std::ops::RangeInclusive<i32> = 1990..=2040;

/// Records an error when a date the clock counts with is outside [`CLOCK_YEARS`].
pub fn clock_range(errors: &mut FieldErrors, field: &str, label: &str, date: Option<NaiveDate>) {
    use chrono::Datelike;
    if let Some(d) = date {
        if !CLOCK_YEARS.contains(&d.year()) {
            errors.push(field, format!("{} must be between 1990 and 2040: the statutory clock counts only those years", capitalise(label)));
        }
    }
}

/// Joins the three boxes of the GOV.UK date input into `YYYY-MM-DD` text, or empty
/// when all three are empty, so the usual date rules then apply.
pub fn join_date_parts(day: &str, month: &str, year: &str) -> String {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        String::new()
    } else {
        format!("{y}-{m:0>2}-{d:0>2}")
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_refuse() {
        assert_eq!(parse_date("2024-02-29"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default()));
        assert_eq!(parse_date("29/02/2024"), parse_date("2024-02-29"));
        assert!(parse_date("2023-02-30").unwrap_err().contains("does not exist"));
        assert!(parse_date("2023-13-01").is_err());
        assert!(parse_date("23-01-01").is_err());
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2023-1a-01").is_err());
        let mut e = FieldErrors::new();
        assert_eq!(optional_date(&mut e, "child.date_of_birth", "date of birth", "2023-02-30"), None);
        assert_eq!(e.0[0].field, "child.date_of_birth");
        assert!(e.0[0].message.starts_with("Date of birth must be a real date"));
    }

    #[test]
    fn date_parts_join() {
        assert_eq!(join_date_parts("3", "4", "2024"), "2024-04-03");
        assert_eq!(join_date_parts(" ", "", ""), "");
    }
}
