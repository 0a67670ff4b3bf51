//! Bank holidays of England and Wales, computed by rule, and the working-day calendar.
//!
//! The rules are those of the Banking and Financial Dealings Act 1971 as proclaimed each
//! year, with every one-off move and extra day between [`FIRST_YEAR`] and [`LAST_YEAR`].
//! Outside that range a proclamation may differ from the rule (and future ones are not
//! known), so every function returns [`ClockError::OutOfRange`] instead of guessing.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::{ClockError, Result};

/// First year whose bank holidays are known.
pub const FIRST_YEAR: i32 = 1990;
/// Last year whose bank holidays are known.
pub const LAST_YEAR: i32 = 2040;

/// A day off: a bank holiday, or a partnership's closure day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

fn check_year(year: i32) -> Result<()> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(ClockError::OutOfRange { what: format!("year {year}") })
    }
}

fn check_date(date: NaiveDate) -> Result<()> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(ClockError::OutOfRange { what: format!("date {date}") })
    }
}

/// Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Result<NaiveDate> {
    check_year(year)?;
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

// Every caller passes a date it has computed to exist; the error branch is unreachable in
// 1990..=2040 but is reported rather than unwrapped.
fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| ClockError::OutOfRange { what: format!("date {year:04}-{month:02}-{day:02}") })
}

fn first_weekday(year: i32, month: u32, weekday: Weekday) -> Result<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, 1).ok_or_else(|| ClockError::OutOfRange { what: format!("year {year}") })
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Result<NaiveDate> {
    let last_day = match month {
        5 | 8 => 31,
        _ => return Err(ClockError::OutOfRange { what: format!("month {year}-{month:02}") }),
    };
    let mut d = ymd(year, month, last_day)?;
    while d.weekday() != weekday {
        d = d - Days::new(1);
    }
    Ok(d)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The bank holidays of England and Wales in `year`, in date order.
pub fn bank_holidays(year: i32) -> Result<Vec<BankHoliday>> {
    check_year(year)?;
    let mut out: Vec<(NaiveDate, &'static str)> = Vec::with_capacity(10);

    // New Year's Day, moved to the Monday when it falls at a weekend.
    let new_year = ymd(year, 1, 1)?;
    match new_year.weekday() {
        Weekday::Sat => out.push((ymd(year, 1, 3)?, "New Year's Day (substitute day)")),
        Weekday::Sun => out.push((ymd(year, 1, 2)?, "New Year's Day (substitute day)")),
        _ => out.push((new_year, "New Year's Day")),
    }

    let easter = easter_sunday(year)?;
    out.push((easter - Days::new(2), "Good Friday"));
    out.push((easter + Days::new(1), "Easter Monday"));

    // Early May: first Monday, moved for the 50th and 75th anniversaries of VE Day.
    match year {
        1995 => out.push((ymd(1995, 5, 8)?, "Early May bank holiday (VE Day)")),
        2020 => out.push((ymd(2020, 5, 8)?, "Early May bank holiday (VE Day)")),
        _ => out.push((first_weekday(year, 5, Weekday::Mon)?, "Early May bank holiday")),
    }

    // Spring: last Monday of May, moved into June for three jubilees.
    match year {
        2002 => {
            out.push((ymd(2002, 6, 3)?, "Golden Jubilee of Queen Elizabeth II"));
            out.push((ymd(2002, 6, 4)?, "Spring bank holiday"));
        }
        2012 => {
            out.push((ymd(2012, 6, 4)?, "Spring bank holiday"));
            out.push((ymd(2012, 6, 5)?, "Diamond Jubilee of Queen Elizabeth II"));
        }
        2022 => {
            out.push((ymd(2022, 6, 2)?, "Spring bank holiday"));
            out.push((ymd(2022, 6, 3)?, "Platinum Jubilee of Queen Elizabeth II"));
        }
        _ => out.push((last_weekday(year, 5, Weekday::Mon)?, "Spring bank holiday")),
    }

    out.push((last_weekday(year, 8, Weekday::Mon)?, "Summer bank holiday"));

    // Christmas and Boxing Day, with substitutes on the next weekdays not already taken.
    let christmas = ymd(year, 12, 25)?;
    match christmas.weekday() {
        Weekday::Fri => {
            out.push((christmas, "Christmas Day"));
            out.push((ymd(year, 12, 28)?, "Boxing Day (substitute day)"));
        }
        Weekday::Sat => {
            out.push((ymd(year, 12, 27)?, "Christmas Day (substitute day)"));
            out.push((ymd(year, 12, 28)?, "Boxing Day (substitute day)"));
        }
        Weekday::Sun => {
            out.push((ymd(year, 12, 26)?, "Boxing Day"));
            out.push((ymd(year, 12, 27)?, "Christmas Day (substitute day)"));
        }
        _ => {
            out.push((christmas, "Christmas Day"));
            out.push((ymd(year, 12, 26)?, "Boxing Day"));
        }
    }

    // One-off days proclaimed for national occasions.
    match year {
        1999 => out.push((ymd(1999, 12, 31)?, "Millennium Celebrations")),
        2011 => out.push((ymd(2011, 4, 29)?, "Wedding of Prince William and Catherine Middleton")),
        2022 => out.push((ymd(2022, 9, 19)?, "State Funeral of Queen Elizabeth II")),
        2023 => out.push((ymd(2023, 5, 8)?, "Coronation of King Charles III")),
        _ => {}
    }

    out.sort();
    Ok(out.into_iter().map(|(date, name)| BankHoliday { date, name: name.to_string() }).collect())
}

/// A working-day calendar: weekends, England and Wales bank holidays and, optionally, a
/// partnership's own closure days (e.g. the days between Christmas and New Year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    closures: BTreeMap<NaiveDate, String>,
    // One bit per day from 1 January FIRST_YEAR: set when the day is not a working day.
    // A bitset keeps `add_working_days` a tight loop for the benchmark's 300,000 steps.
    off: Vec<u64>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::england_and_wales()
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn day_count() -> usize {
    (last_day() - epoch()).num_days() as usize + 1
}

impl Calendar {
    /// Weekends and the bank holidays of England and Wales, without closure days.
    pub fn england_and_wales() -> Self {
        let days = day_count();
        let mut off = vec![0u64; days.div_ceil(64)];
        let start = epoch();
        for i in 0..days {
            if is_weekend(start + Days::new(i as u64)) {
                off[i / 64] |= 1 << (i % 64);
            }
        }
        for year in FIRST_YEAR..=LAST_YEAR {
            // Cannot fail inside the range; an empty year would only make days working.
            for bh in bank_holidays(year).unwrap_or_default() {
                let i = (bh.date - start).num_days() as usize;
                off[i / 64] |= 1 << (i % 64);
            }
        }
        Calendar { closures: BTreeMap::new(), off }
    }

    /// This calendar plus a partnership's closure days (each with a name).
    pub fn with_closures<I, S>(mut self, days: I) -> Result<Self>
    where
        I: IntoIterator<Item = (NaiveDate, S)>,
        S: Into<String>,
    {
        for (date, name) in days {
            self.add_closure(date, name)?;
        }
        Ok(self)
    }

    /// Adds one closure day; it stops counting as a working day.
    pub fn add_closure(&mut self, date: NaiveDate, name: impl Into<String>) -> Result<()> {
        let i = index(date)?;
        self.off[i / 64] |= 1 << (i % 64);
        self.closures.insert(date, name.into());
        Ok(())
    }

    /// The partnership's closure days, in date order.
    pub fn closures(&self) -> impl Iterator<Item = BankHoliday> + '_ {
        self.closures.iter().map(|(d, n)| BankHoliday { date: *d, name: n.clone() })
    }

    /// The England and Wales bank holidays of `year` (closure days not included).
    pub fn bank_holidays(&self, year: i32) -> Result<Vec<BankHoliday>> {
        bank_holidays(year)
    }

    /// Every weekday that is not worked in `year`: bank holidays and closure days.
    pub fn days_off(&self, year: i32) -> Result<Vec<BankHoliday>> {
        let mut all = bank_holidays(year)?;
        all.extend(self.closures().filter(|c| c.date.year() == year));
        all.sort();
        Ok(all)
    }

    /// Whether `date` is a working day: not a weekend, bank holiday or closure day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool> {
        let i = index(date)?;
        Ok(!self.is_off(i))
    }

    fn is_off(&self, i: usize) -> bool {
        self.off.get(i / 64).is_none_or(|word| word & (1 << (i % 64)) != 0)
    }

    /// The `n`th working day after `date` (`date` itself never counts; `n = 0` gives `date`).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        let mut i = index(date)?;
        let days = day_count();
        let mut left = n;
        while left > 0 {
            i += 1;
            if i >= days {
                return Err(ClockError::OutOfRange { what: format!("the date {n} working days after {date}") });
            }
            if !self.is_off(i) {
                left -= 1;
            }
        }
        Ok(epoch() + Days::new(i as u64))
    }

    /// The `n`th working day before `date` (`date` itself never counts; `n = 0` gives `date`).
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        let mut i = index(date)?;
        let mut left = n;
        while left > 0 {
            if i == 0 {
                return Err(ClockError::OutOfRange { what: format!("the date {n} working days before {date}") });
            }
            i -= 1;
            if !self.is_off(i) {
                left -= 1;
            }
        }
        Ok(epoch() + Days::new(i as u64))
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        let (a, b) = (index(from)?, index(to)?);
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let count = (lo + 1..=hi).filter(|&i| !self.is_off(i)).count() as i64;
        Ok(sign * count)
    }
}

fn index(date: NaiveDate) -> Result<usize> {
    check_date(date)?;
    Ok((date - epoch()).num_days() as usize)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024).unwrap(), d(2024, 3, 31));
        assert_eq!(easter_sunday(2011).unwrap(), d(2011, 4, 24));
        assert_eq!(easter_sunday(2038).unwrap(), d(2038, 4, 25));
        assert_eq!(easter_sunday(2008).unwrap(), d(2008, 3, 23));
    }

    #[test]
    fn out_of_range_is_an_error_naming_the_year() {
        let err = bank_holidays(2041).unwrap_err();
        assert!(err.to_string().contains("year 2041"), "{err}");
        let cal = Calendar::england_and_wales();
        let err = cal.is_working_day(d(1989, 12, 29)).unwrap_err();
        assert!(err.to_string().contains("1989-12-29"), "{err}");
        assert!(cal.add_working_days(d(2040, 12, 20), 30).is_err());
        assert!(cal.sub_working_days(d(1990, 1, 5), 10).is_err());
    }

    #[test]
    fn christmas_substitutes() {
        // 2021: Christmas on Saturday.
        let h: Vec<_> = bank_holidays(2021).unwrap().into_iter().map(|b| b.date).collect();
        assert!(h.contains(&d(2021, 12, 27)) && h.contains(&d(2021, 12, 28)));
        // 2022: Christmas on Sunday.
        let h: Vec<_> = bank_holidays(2022).unwrap().into_iter().map(|b| b.date).collect();
        assert!(h.contains(&d(2022, 12, 26)) && h.contains(&d(2022, 12, 27)));
        // 2020: Boxing Day on Saturday.
        let h: Vec<_> = bank_holidays(2020).unwrap().into_iter().map(|b| b.date).collect();
        assert!(h.contains(&d(2020, 12, 25)) && h.contains(&d(2020, 12, 28)));
    }

    #[test]
    fn closures_stop_being_working_days() {
        let cal = Calendar::england_and_wales().with_closures([(d(2024, 12, 27), "Office closed")]).unwrap();
        assert!(!cal.is_working_day(d(2024, 12, 27)).unwrap());
        assert_eq!(cal.add_working_days(d(2024, 12, 24), 1).unwrap(), d(2024, 12, 30));
        assert_eq!(cal.days_off(2024).unwrap().len(), 9);
    }

    #[test]
    fn working_days_between_counts_after_from() {
        let cal = Calendar::england_and_wales();
        // Fri 20 Dec 2024 -> Fri 3 Jan 2025: 23, 24, 27, 30, 31 Dec, 2, 3 Jan.
        assert_eq!(cal.working_days_between(d(2024, 12, 20), d(2025, 1, 3)).unwrap(), 7);
        assert_eq!(cal.working_days_between(d(2025, 1, 3), d(2024, 12, 20)).unwrap(), -7);
    }
}
