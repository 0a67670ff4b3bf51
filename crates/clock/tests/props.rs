//! Property tests of the calendar and period arithmetic.

#![allow(clippy::unwrap_used)]

use casereview_clock::{Calendar, Direction, Period, Unit};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

fn date_in(first: i32, last: i32) -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(first, 1, 1).unwrap();
    let span = (NaiveDate::from_ymd_opt(last, 12, 31).unwrap() - start).num_days() as u64;
    (0..=span).prop_map(move |i| start + Days::new(i))
}

fn is_bank_holiday(date: NaiveDate) -> bool {
    casereview_clock::bank_holidays(date.year()).unwrap().iter().any(|h| h.date == date)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap().pred_opt().unwrap().day()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    // Up to 300 working days (about 14 months) from a date in 2038 stays inside the
    // calendar, which ends with 2040.
    fn adding_working_days_lands_on_a_working_day(date in date_in(1990, 2038), n in 1u32..300) {
        let cal = Calendar::england_and_wales();
        let due = cal.add_working_days(date, n).unwrap();
        prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun));
        prop_assert!(!is_bank_holiday(due), "{} is a bank holiday", due);
        prop_assert!(due > date);
        // Exactly n working days lie after `date` up to and including `due`.
        prop_assert_eq!(cal.working_days_between(date, due).unwrap(), i64::from(n));
    }

    #[test]
    fn more_working_days_never_give_an_earlier_date(
        date in date_in(1990, 2039),
        a in 0u32..200,
        b in 0u32..200,
    ) {
        let cal = Calendar::england_and_wales();
        let (lo, hi) = (a.min(b), a.max(b));
        let x = cal.add_working_days(date, lo).unwrap();
        let y = cal.add_working_days(date, hi).unwrap();
        prop_assert!(x <= y);
        if lo < hi {
            prop_assert!(x < y);
        }
    }

    #[test]
    fn subtracting_undoes_adding_from_a_working_day(date in date_in(1991, 2039), n in 0u32..200) {
        let cal = Calendar::england_and_wales();
        prop_assume!(cal.is_working_day(date).unwrap());
        let there = cal.add_working_days(date, n).unwrap();
        prop_assert_eq!(cal.sub_working_days(there, n).unwrap(), date);
        let back = cal.sub_working_days(date, n).unwrap();
        prop_assert!(n == 0 || cal.is_working_day(back).unwrap());
    }

    #[test]
    fn working_weeks_are_five_working_days(date in date_in(1990, 2039), n in 0u32..30) {
        let cal = Calendar::england_and_wales();
        let weeks = Period::new(n, Unit::WorkingWeeks).apply_date(date, Direction::After, &cal).unwrap();
        prop_assert_eq!(weeks, cal.add_working_days(date, 5 * n).unwrap());
    }

    #[test]
    fn months_keep_the_day_or_take_the_last(date in date_in(1990, 2040), n in 0u32..48) {
        let cal = Calendar::england_and_wales();
        let later = Period::new(n, Unit::Months).apply_date(date, Direction::After, &cal).unwrap();
        let months = date.year() * 12 + date.month0() as i32 + n as i32;
        prop_assert_eq!(later.year(), months / 12);
        prop_assert_eq!(later.month0() as i32, months % 12);
        let last = days_in_month(later.year(), later.month());
        prop_assert_eq!(later.day(), date.day().min(last));
        // Going back the same months never overshoots the start.
        let back = Period::new(n, Unit::Months).apply_date(later, Direction::Before, &cal).unwrap();
        prop_assert!(back <= date);
        prop_assert_eq!(back.year() * 12 + back.month0() as i32, date.year() * 12 + date.month0() as i32);
    }

    #[test]
    fn month_periods_never_fail_or_go_backwards(date in date_in(1990, 2040), n in 0u32..24) {
        let cal = Calendar::england_and_wales();
        for unit in [Unit::Days, Unit::Weeks, Unit::Months, Unit::Years] {
            let after = Period::new(n, unit).apply_date(date, Direction::After, &cal).unwrap();
            let before = Period::new(n, unit).apply_date(date, Direction::Before, &cal).unwrap();
            prop_assert!(before <= date && date <= after);
        }
    }

    #[test]
    fn period_text_round_trips(n in 0u32..10_000, u in 0usize..7) {
        let unit = [Unit::Hours, Unit::Days, Unit::WorkingDays, Unit::Weeks, Unit::WorkingWeeks, Unit::Months, Unit::Years][u];
        let p = Period::new(n, unit);
        prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
    }
}

#[test]
fn leap_days_and_month_ends() {
    let cal = Calendar::england_and_wales();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let m = |n| Period::new(n, Unit::Months);
    assert_eq!(m(1).apply_date(d("2024-01-31"), Direction::After, &cal).unwrap(), d("2024-02-29"));
    assert_eq!(m(1).apply_date(d("2100-01-31"), Direction::After, &cal).unwrap(), d("2100-02-28"));
    assert_eq!(m(12).apply_date(d("2024-02-29"), Direction::After, &cal).unwrap(), d("2025-02-28"));
    assert_eq!(m(48).apply_date(d("2024-02-29"), Direction::After, &cal).unwrap(), d("2028-02-29"));
    assert_eq!(m(1).apply_date(d("2024-03-31"), Direction::After, &cal).unwrap(), d("2024-04-30"));
    assert_eq!(m(6).apply_date(d("2023-08-31"), Direction::After, &cal).unwrap(), d("2024-02-29"));
    assert_eq!(m(1).apply_date(d("2024-03-30"), Direction::Before, &cal).unwrap(), d("2024-02-29"));
}
