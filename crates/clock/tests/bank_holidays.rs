//! Every England and Wales bank holiday 2015-2030, written out as data.
//!
//! Cross-checked against the GOV.UK bank holiday lists (2015-2026 as published) and against
//! the Python `holidays` package (subdivision ENG) for every date; later years follow the
//! standing rules, so a future proclamation (another one-off day) would need adding here and
//! in the calendar.

#![allow(clippy::unwrap_used)]

use casereview_clock::{bank_holidays, Calendar};
use chrono::{Datelike, NaiveDate, Weekday};

const TABLE: &[(&str, &str)] = &[
    // 2015
    ("2015-01-01", "New Year's Day"),              // Thu
    ("2015-04-03", "Good Friday"),                 // Fri
    ("2015-04-06", "Easter Monday"),               // Mon
    ("2015-05-04", "Early May bank holiday"),      // Mon
    ("2015-05-25", "Spring bank holiday"),         // Mon
    ("2015-08-31", "Summer bank holiday"),         // Mon
    ("2015-12-25", "Christmas Day"),               // Fri
    ("2015-12-28", "Boxing Day (substitute day)"), // Mon
    // 2016
    ("2016-01-01", "New Year's Day"),                 // Fri
    ("2016-03-25", "Good Friday"),                    // Fri
    ("2016-03-28", "Easter Monday"),                  // Mon
    ("2016-05-02", "Early May bank holiday"),         // Mon
    ("2016-05-30", "Spring bank holiday"),            // Mon
    ("2016-08-29", "Summer bank holiday"),            // Mon
    ("2016-12-26", "Boxing Day"),                     // Mon
    ("2016-12-27", "Christmas Day (substitute day)"), // Tue
    // 2017
    ("2017-01-02", "New Year's Day (substitute day)"), // Mon
    ("2017-04-14", "Good Friday"),                     // Fri
    ("2017-04-17", "Easter Monday"),                   // Mon
    ("2017-05-01", "Early May bank holiday"),          // Mon
    ("2017-05-29", "Spring bank holiday"),             // Mon
    ("2017-08-28", "Summer bank holiday"),             // Mon
    ("2017-12-25", "Christmas Day"),                   // Mon
    ("2017-12-26", "Boxing Day"),                      // Tue
    // 2018
    ("2018-01-01", "New Year's Day"),         // Mon
    ("2018-03-30", "Good Friday"),            // Fri
    ("2018-04-02", "Easter Monday"),          // Mon
    ("2018-05-07", "Early May bank holiday"), // Mon
    ("2018-05-28", "Spring bank holiday"),    // Mon
    ("2018-08-27", "Summer bank holiday"),    // Mon
    ("2018-12-25", "Christmas Day"),          // Tue
    ("2018-12-26", "Boxing Day"),             // Wed
    // 2019
    ("2019-01-01", "New Year's Day"),         // Tue
    ("2019-04-19", "Good Friday"),            // Fri
    ("2019-04-22", "Easter Monday"),          // Mon
    ("2019-05-06", "Early May bank holiday"), // Mon
    ("2019-05-27", "Spring bank holiday"),    // Mon
    ("2019-08-26", "Summer bank holiday"),    // Mon
    ("2019-12-25", "Christmas Day"),          // Wed
    ("2019-12-26", "Boxing Day"),             // Thu
    // 2020
    ("2020-01-01", "New Year's Day"),                  // Wed
    ("2020-04-10", "Good Friday"),                     // Fri
    ("2020-04-13", "Easter Monday"),                   // Mon
    ("2020-05-08", "Early May bank holiday (VE Day)"), // Fri
    ("2020-05-25", "Spring bank holiday"),             // Mon
    ("2020-08-31", "Summer bank holiday"),             // Mon
    ("2020-12-25", "Christmas Day"),                   // Fri
    ("2020-12-28", "Boxing Day (substitute day)"),     // Mon
    // 2021
    ("2021-01-01", "New Year's Day"),                 // Fri
    ("2021-04-02", "Good Friday"),                    // Fri
    ("2021-04-05", "Easter Monday"),                  // Mon
    ("2021-05-03", "Early May bank holiday"),         // Mon
    ("2021-05-31", "Spring bank holiday"),            // Mon
    ("2021-08-30", "Summer bank holiday"),            // Mon
    ("2021-12-27", "Christmas Day (substitute day)"), // Mon
    ("2021-12-28", "Boxing Day (substitute day)"),    // Tue
    // 2022
    ("2022-01-03", "New Year's Day (substitute day)"),        // Mon
    ("2022-04-15", "Good Friday"),                            // Fri
    ("2022-04-18", "Easter Monday"),                          // Mon
    ("2022-05-02", "Early May bank holiday"),                 // Mon
    ("2022-06-02", "Spring bank holiday"),                    // Thu
    ("2022-06-03", "Platinum Jubilee of Queen Elizabeth II"), // Fri
    ("2022-08-29", "Summer bank holiday"),                    // Mon
    ("2022-09-19", "State Funeral of Queen Elizabeth II"),    // Mon
    ("2022-12-26", "Boxing Day"),                             // Mon
    ("2022-12-27", "Christmas Day (substitute day)"),         // Tue
    // 2023
    ("2023-01-02", "New Year's Day (substitute day)"), // Mon
    ("2023-04-07", "Good Friday"),                     // Fri
    ("2023-04-10", "Easter Monday"),                   // Mon
    ("2023-05-01", "Early May bank holiday"),          // Mon
    ("2023-05-08", "Coronation of King Charles III"),  // Mon
    ("2023-05-29", "Spring bank holiday"),             // Mon
    ("2023-08-28", "Summer bank holiday"),             // Mon
    ("2023-12-25", "Christmas Day"),                   // Mon
    ("2023-12-26", "Boxing Day"),                      // Tue
    // 2024
    ("2024-01-01", "New Year's Day"),         // Mon
    ("2024-03-29", "Good Friday"),            // Fri
    ("2024-04-01", "Easter Monday"),          // Mon
    ("2024-05-06", "Early May bank holiday"), // Mon
    ("2024-05-27", "Spring bank holiday"),    // Mon
    ("2024-08-26", "Summer bank holiday"),    // Mon
    ("2024-12-25", "Christmas Day"),          // Wed
    ("2024-12-26", "Boxing Day"),             // Thu
    // 2025
    ("2025-01-01", "New Year's Day"),         // Wed
    ("2025-04-18", "Good Friday"),            // Fri
    ("2025-04-21", "Easter Monday"),          // Mon
    ("2025-05-05", "Early May bank holiday"), // Mon
    ("2025-05-26", "Spring bank holiday"),    // Mon
    ("2025-08-25", "Summer bank holiday"),    // Mon
    ("2025-12-25", "Christmas Day"),          // Thu
    ("2025-12-26", "Boxing Day"),             // Fri
    // 2026
    ("2026-01-01", "New Year's Day"),              // Thu
    ("2026-04-03", "Good Friday"),                 // Fri
    ("2026-04-06", "Easter Monday"),               // Mon
    ("2026-05-04", "Early May bank holiday"),      // Mon
    ("2026-05-25", "Spring bank holiday"),         // Mon
    ("2026-08-31", "Summer bank holiday"),         // Mon
    ("2026-12-25", "Christmas Day"),               // Fri
    ("2026-12-28", "Boxing Day (substitute day)"), // Mon
    // 2027
    ("2027-01-01", "New Year's Day"),                 // Fri
    ("2027-03-26", "Good Friday"),                    // Fri
    ("2027-03-29", "Easter Monday"),                  // Mon
    ("2027-05-03", "Early May bank holiday"),         // Mon
    ("2027-05-31", "Spring bank holiday"),            // Mon
    ("2027-08-30", "Summer bank holiday"),            // Mon
    ("2027-12-27", "Christmas Day (substitute day)"), // Mon
    ("2027-12-28", "Boxing Day (substitute day)"),    // Tue
    // 2028
    ("2028-01-03", "New Year's Day (substitute day)"), // Mon
    ("2028-04-14", "Good Friday"),                     // Fri
    ("2028-04-17", "Easter Monday"),                   // Mon
    ("2028-05-01", "Early May bank holiday"),          // Mon
    ("2028-05-29", "Spring bank holiday"),             // Mon
    ("2028-08-28", "Summer bank holiday"),             // Mon
    ("2028-12-25", "Christmas Day"),                   // Mon
    ("2028-12-26", "Boxing Day"),                      // Tue
    // 2029
    ("2029-01-01", "New Year's Day"),         // Mon
    ("2029-03-30", "Good Friday"),            // Fri
    ("2029-04-02", "Easter Monday"),          // Mon
    ("2029-05-07", "Early May bank holiday"), // Mon
    ("2029-05-28", "Spring bank holiday"),    // Mon
    ("2029-08-27", "Summer bank holiday"),    // Mon
    ("2029-12-25", "Christmas Day"),          // Tue
    ("2029-12-26", "Boxing Day"),             // Wed
    // 2030
    ("2030-01-01", "New Year's Day"),         // Tue
    ("2030-04-19", "Good Friday"),            // Fri
    ("2030-04-22", "Easter Monday"),          // Mon
    ("2030-05-06", "Early May bank holiday"), // Mon
    ("2030-05-27", "Spring bank holiday"),    // Mon
    ("2030-08-26", "Summer bank holiday"),    // Mon
    ("2030-12-25", "Christmas Day"),          // Wed
    ("2030-12-26", "Boxing Day"),             // Thu
];

#[test]
fn every_bank_holiday_2015_to_2030() {
    let mut computed = Vec::new();
    for year in 2015..=2030 {
        for h in bank_holidays(year).unwrap() {
            computed.push((h.date.format("%Y-%m-%d").to_string(), h.name));
        }
    }
    let expected: Vec<(String, String)> = TABLE.iter().map(|(d, n)| (d.to_string(), n.to_string())).collect();
    assert_eq!(computed, expected);
}

#[test]
fn table_days_are_weekdays_and_not_working_days() {
    let cal = Calendar::england_and_wales();
    for (d, name) in TABLE {
        let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        assert!(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun), "{d} {name} falls at a weekend");
        assert!(!cal.is_working_day(date).unwrap(), "{d} {name}");
    }
}

#[test]
fn eight_a_year_except_the_extra_days() {
    for year in 2015..=2030 {
        let n = TABLE.iter().filter(|(d, _)| d.starts_with(&year.to_string())).count();
        let expected = match year {
            2022 => 10, // Platinum Jubilee, State Funeral
            2023 => 9,  // Coronation
            _ => 8,
        };
        assert_eq!(n, expected, "{year}");
    }
}

#[test]
fn one_offs_outside_the_table() {
    let dates = |y: i32| -> Vec<String> { bank_holidays(y).unwrap().into_iter().map(|h| h.date.format("%Y-%m-%d").to_string()).collect() };
    // 1995: early May moved to 8 May for VE Day.
    assert!(dates(1995).contains(&"1995-05-08".to_string()));
    assert!(!dates(1995).contains(&"1995-05-01".to_string()));
    // 1999: Millennium; 2000: New Year on a Saturday.
    assert!(dates(1999).contains(&"1999-12-31".to_string()));
    assert!(dates(2000).contains(&"2000-01-03".to_string()));
    // 2002: Golden Jubilee 3 June, spring bank holiday 4 June, none on 27 May.
    let d2002 = dates(2002);
    assert!(d2002.contains(&"2002-06-03".to_string()) && d2002.contains(&"2002-06-04".to_string()));
    assert!(!d2002.contains(&"2002-05-27".to_string()));
    // 2011: Royal Wedding.
    assert!(dates(2011).contains(&"2011-04-29".to_string()));
    // 2012: spring 4 June, Diamond Jubilee 5 June, none on 28 May.
    let d2012 = dates(2012);
    assert!(d2012.contains(&"2012-06-04".to_string()) && d2012.contains(&"2012-06-05".to_string()));
    assert!(!d2012.contains(&"2012-05-28".to_string()));
    // Range ends.
    assert_eq!(bank_holidays(1990).unwrap().len(), 8);
    assert_eq!(bank_holidays(2040).unwrap().len(), 8);
    assert!(bank_holidays(1989).is_err());
    assert!(bank_holidays(2041).is_err());
}
