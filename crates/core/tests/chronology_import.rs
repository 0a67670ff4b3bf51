#![allow(clippy::unwrap_used)]
//! Import of agency chronologies: dates in every accepted form, header detection, agency
//! names, child seen, and the problems reported.

use casereview_core::chronology::entry::FuzzyDate;
use casereview_core::chronology::import::{
    child_seen_in_text, classify_header, detect_header, excel_serial, import_sheet, normalise_agency, parse_date_cell, parse_date_text,
    parse_yes_no, wishes_and_feelings_in_text, ColumnKind, ImportOptions, Severity,
};
use casereview_core::chronology::sheet::{Cell, RawSheet};
use chrono::{NaiveDate, NaiveTime};
use std::collections::BTreeMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}
fn opts() -> ImportOptions {
    ImportOptions::new(26)
}
fn txt(s: &str) -> Cell {
    Cell::Text(s.into())
}

#[test]
fn date_text_table() {
    use FuzzyDate::*;
    let cases: Vec<(&str, FuzzyDate, Option<NaiveTime>)> = vec![
        ("12/03/24", Exact(d(2024, 3, 12)), None),
        ("12/03/26", Exact(d(2026, 3, 12)), None),
        ("12/03/27", Exact(d(1927, 3, 12)), None),
        ("12/03/99", Exact(d(1999, 3, 12)), None),
        ("12/03/2024", Exact(d(2024, 3, 12)), None),
        ("2/3/2024", Exact(d(2024, 3, 2)), None),
        ("12-03-2024", Exact(d(2024, 3, 12)), None),
        ("12.03.2024", Exact(d(2024, 3, 12)), None),
        ("2024-03-12", Exact(d(2024, 3, 12)), None),
        ("  29/02/2024 ", Exact(d(2024, 2, 29)), None),
        ("12 March 2024", Exact(d(2024, 3, 12)), None),
        ("12th Mar 2024", Exact(d(2024, 3, 12)), None),
        ("March 12, 2024", Exact(d(2024, 3, 12)), None),
        ("Tue 12/03/2024", Exact(d(2024, 3, 12)), None),
        ("03/2024", Month(2024, 3), None),
        ("3/2024", Month(2024, 3), None),
        ("2024-03", Month(2024, 3), None),
        ("March 2024", Month(2024, 3), None),
        ("march 2024", Month(2024, 3), None),
        ("Mar 2024", Month(2024, 3), None),
        ("Mar-24", Month(2024, 3), None),
        ("Sept 2023", Month(2023, 9), None),
        ("2024", Year(2024), None),
        ("c. 12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("c.12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("c 12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("approx 12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("Approx. 12/03/24", Approximate(d(2024, 3, 12)), None),
        ("circa 12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("~12/03/2024", Approximate(d(2024, 3, 12)), None),
        ("12/03/2024 (approx)", Approximate(d(2024, 3, 12)), None),
        ("circa March 2024", Month(2024, 3), None),
        ("c. 2023", Year(2023), None),
        ("12/03/2024 14:30", Exact(d(2024, 3, 12)), Some(t(14, 30))),
        ("12/03/2024 2:30 pm", Exact(d(2024, 3, 12)), Some(t(14, 30))),
        ("2024-03-12T09:05", Exact(d(2024, 3, 12)), Some(t(9, 5))),
        ("2024-03-12 09:05:00", Exact(d(2024, 3, 12)), Some(t(9, 5))),
        ("c. 12/03/2024 14:30", Approximate(d(2024, 3, 12)), Some(t(14, 30))),
        ("01/03/2024", Exact(d(2024, 3, 1)), None),
    ];
    for (input, want, time) in cases {
        let got = parse_date_text(input, &opts());
        assert_eq!(got, Ok((want, time)), "parsing {input:?}");
    }
}

#[test]
fn the_01_convention_is_an_option() {
    let mut o = opts();
    o.day_01_means_month = true;
    assert_eq!(parse_date_text("01/03/2024", &o), Ok((FuzzyDate::Month(2024, 3), None)));
    assert_eq!(parse_date_text("1/3/24", &o), Ok((FuzzyDate::Month(2024, 3), None)));
    assert_eq!(parse_date_text("02/03/2024", &o), Ok((FuzzyDate::Exact(d(2024, 3, 2)), None)));
    // A time means a real day.
    assert_eq!(parse_date_text("01/03/2024 10:00", &o), Ok((FuzzyDate::Exact(d(2024, 3, 1)), Some(t(10, 0)))));
    // Serials too (45352 is 01/03/2024).
    assert_eq!(parse_date_cell(&Cell::DateSerial(45352.0), &o), Ok((FuzzyDate::Month(2024, 3), None)));
    assert_eq!(parse_date_cell(&Cell::DateSerial(45352.0), &opts()), Ok((FuzzyDate::Exact(d(2024, 3, 1)), None)));
}

#[test]
fn bad_dates_are_refused_naming_the_value() {
    for (input, fragment) in [
        ("31/02/2024", "there is no 31 February 2024"),
        ("29/02/2023", "there is no 29 February 2023"),
        ("12/13/2024", "there is no month 13"),
        ("13/2024", "there is no month 13"),
        ("yesterday", "'yesterday' is not a date"),
        ("12/03", "'12/03' is not a full date"),
        ("12/03/1850", "outside 1900-2100"),
        ("12/03/2024 25:99", "not a time"),
        ("", "no date"),
    ] {
        let err = parse_date_text(input, &opts()).unwrap_err();
        assert!(err.contains(fragment), "{input:?} gave {err:?}");
    }
}

#[test]
fn excel_serials_and_the_1900_leap_year_bug() {
    assert_eq!(excel_serial(1.0), Ok((d(1900, 1, 1), None)));
    assert_eq!(excel_serial(59.0), Ok((d(1900, 2, 28), None)));
    assert!(excel_serial(60.0).unwrap_err().contains("does not exist"));
    assert_eq!(excel_serial(61.0), Ok((d(1900, 3, 1), None)));
    assert_eq!(excel_serial(45000.0), Ok((d(2023, 3, 15), None)));
    assert_eq!(excel_serial(45363.604166666664), Ok((d(2024, 3, 12), Some(t(14, 30)))));
    assert!(excel_serial(0.0).is_err());
    assert!(excel_serial(-3.0).is_err());
    assert!(excel_serial(f64::NAN).is_err());

    let o = opts();
    assert_eq!(parse_date_cell(&Cell::DateSerial(45363.0), &o), Ok((FuzzyDate::Exact(d(2024, 3, 12)), None)));
    // A number that looks like a serial, and one that looks like a year.
    assert_eq!(parse_date_cell(&Cell::Number(45000.0), &o), Ok((FuzzyDate::Exact(d(2023, 3, 15)), None)));
    assert_eq!(parse_date_cell(&Cell::Number(2024.0), &o), Ok((FuzzyDate::Year(2024), None)));
    assert_eq!(parse_date_cell(&txt("45000"), &o), Ok((FuzzyDate::Exact(d(2023, 3, 15)), None)));
    assert!(parse_date_cell(&Cell::Number(12.0), &o).unwrap_err().contains("the number 12 is not a date"));
    assert!(parse_date_cell(&Cell::Error("#REF!".into()), &o).unwrap_err().contains("#REF!"));
}

#[test]
fn headers_match_whatever_the_spelling() {
    for (h, k) in [
        ("Date", ColumnKind::Date),
        ("Date/Time", ColumnKind::Date),
        ("Date & time", ColumnKind::Date),
        ("DATE", ColumnKind::Date),
        ("Time", ColumnKind::Time),
        ("Child/family member", ColumnKind::Subject),
        ("Name of child or family member", ColumnKind::Subject),
        ("Professional", ColumnKind::Professional),
        ("Professional Eg Health Visitor/Social Worker", ColumnKind::Professional),
        ("Role", ColumnKind::Professional),
        ("Significant Events/Incidents and if child seen", ColumnKind::Event),
        ("Significant event", ColumnKind::Event),
        ("Child seen?", ColumnKind::ChildSeen),
        ("Wishes and feelings", ColumnKind::WishesAndFeelings),
        ("Child's wishes & feelings recorded?", ColumnKind::WishesAndFeelings),
        ("Agency", ColumnKind::Agency),
        ("Reviewer's comment", ColumnKind::Comment),
        ("Comments (including good practice)", ColumnKind::Comment),
        ("Management Review Officer's Comments Including good practice", ColumnKind::Comment),
    ] {
        assert_eq!(classify_header(h), Some(k), "{h}");
    }
    assert_eq!(classify_header("Notes to self"), None);
    assert_eq!(classify_header(""), None);
}

fn row(cells: &[&str]) -> Vec<Cell> {
    cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { txt(c) }).collect()
}

fn agencies() -> casereview_core::AgencyDirectory {
    casereview_core::agency_directory([("Police", true), ("Children's Social Care", true), ("Health", true), ("Education", true)])
}

/// Three title rows (one a merged title: value in the first cell only), a header with a
/// merged-cell gap and odd spellings, data, a blank row and trailing blank rows.
fn police_sheet() -> RawSheet {
    RawSheet {
        file: "police-chronology.xlsx".into(),
        name: "Chronology".into(),
        first_row: 1,
        rows: vec![
            row(&["SERIOUS CASE REVIEW – CHILD J", "", "", ""]),
            row(&["Agency chronology: Police", "", ""]),
            row(&["Prepared by IMR author, 02/05/2024"]),
            row(&[
                "Date & Time",
                "",
                "Name of child or family member",
                "Professional Eg Health Visitor/Social Worker",
                "Significant Events/Incidents and if child seen",
                "Child seen?",
                "AGENCY",
                "Comments (including good practice)",
            ]),
            vec![
                Cell::DateSerial(45363.604166666664),
                Cell::Empty,
                txt("Child J"),
                txt("PC 1"),
                txt("Domestic incident attended at family home"),
                txt("Yes - seen"),
                txt("POLICE"),
                txt("Good: DASH completed"),
            ],
            row(&["c. 20/03/24", "", "Mother", "PC 2", "Call from neighbour about shouting", "N", "CIAU", ""]),
            row(&["", "", "", "", "", "", "", ""]),
            row(&["March 2024", "", "Child J", "", "Referral to MASH", "", "", ""]),
            row(&["31/02/2024", "", "Child J", "", "Strategy discussion", "", "Police", ""]),
            row(&["02/04/2024", "", "", "", "", "", "Police", ""]),
            row(&["", "", "Child J", "", "Home visit", "", "", ""]),
            row(&["03/04/2024", "", "Child J", "", "Joint visit with social worker, child seen alone", "", "Probation", ""]),
            row(&["Date", "", "", "", "Significant event", "", "", ""]),
            row(&[]),
            row(&["", ""]),
        ],
    }
}

#[test]
fn header_below_title_rows_is_found() {
    let h = detect_header(&police_sheet()).unwrap();
    assert_eq!(h.row_index, 3);
    assert_eq!(h.columns.get(&ColumnKind::Date).map(|c| c.0), Some(0));
    assert_eq!(h.columns.get(&ColumnKind::Subject).map(|c| c.0), Some(2));
    assert_eq!(h.columns.get(&ColumnKind::Event).map(|c| c.0), Some(4));
    assert_eq!(h.columns.get(&ColumnKind::ChildSeen).map(|c| c.0), Some(5));
    assert_eq!(h.columns.get(&ColumnKind::Agency).map(|c| c.0), Some(6));
    assert_eq!(h.columns.get(&ColumnKind::Comment).map(|c| c.0), Some(7));
    assert_eq!(h.columns.get(&ColumnKind::Professional).map(|c| c.0), Some(3));
    assert!(!h.columns.contains_key(&ColumnKind::Time));
}

#[test]
fn police_sheet_imports_with_problems_where_people_find_them() {
    let mut o = opts();
    o.aliases.insert("CIAU".into(), "police".into());
    let r = import_sheet(&police_sheet(), &agencies(), &o);

    assert_eq!(r.entries.len(), 3, "{:#?}", r.problems);
    let e = &r.entries[0];
    assert_eq!(e.date, FuzzyDate::Exact(d(2024, 3, 12)));
    assert_eq!(e.time, Some(t(14, 30)));
    assert_eq!(e.subject, "Child J");
    assert_eq!(e.professional, "PC 1");
    assert_eq!(e.child_seen, Some(true));
    assert_eq!(e.agency, "Police");
    assert_eq!(e.comment, "Good: DASH completed");
    assert_eq!((e.source.file.as_str(), e.source.sheet.as_str(), e.source.row), ("police-chronology.xlsx", "Chronology", 5));

    let e = &r.entries[1];
    assert_eq!(e.date, FuzzyDate::Approximate(d(2024, 3, 20)));
    assert_eq!(e.agency, "Police", "alias CIAU -> police -> the directory's spelling");
    assert_eq!(e.child_seen, Some(false));

    // Row 8 ("March 2024", no agency) is an error below.
    let e = &r.entries[2];
    assert_eq!(e.agency, "Probation");
    assert_eq!(e.child_seen, Some(true), "child seen column empty: read from the event text");

    let p: Vec<_> = r.problems.iter().map(|p| (p.row, p.column.clone(), p.value.clone(), p.severity)).collect();
    // Row 8 has no agency and there is no default agency: it gives no entry.
    assert!(p.contains(&(8, Some("G (AGENCY)".into()), String::new(), Severity::Error)), "{p:#?}");
    // 31/02/2024 is named.
    let bad = r.problems.iter().find(|p| p.row == 9 && p.value == "31/02/2024").unwrap();
    assert_eq!(bad.column.as_deref(), Some("A (Date & Time)"));
    assert!(bad.reason.contains("no 31 February 2024"));
    assert_eq!(bad.severity, Severity::Error);
    assert_eq!(bad.file, "police-chronology.xlsx");
    assert_eq!(bad.sheet, "Chronology");
    // A date with no event; an event with no date.
    assert!(r.problems.iter().any(|p| p.row == 10 && p.reason.starts_with("no significant event")));
    assert!(r.problems.iter().any(|p| p.row == 11 && p.reason.starts_with("no date")));
    // An unknown agency is kept with a warning.
    assert!(r.problems.iter().any(|p| p.row == 12 && p.severity == Severity::Warning && p.value == "Probation"));
    // The repeated header, the blank row and trailing rows say nothing.
    assert!(r.problems.iter().all(|p| ![7, 13, 14, 15].contains(&p.row)), "{p:#?}");
}

#[test]
fn missing_required_column_is_one_problem_listing_the_headers() {
    let sheet = RawSheet {
        file: "health.csv".into(),
        name: "CSV".into(),
        first_row: 1,
        rows: vec![row(&["Date", "Child seen", "Comment"]), row(&["12/03/2024", "Y", "ok"])],
    };
    let r = import_sheet(&sheet, &agencies(), &opts());
    assert!(r.entries.is_empty());
    assert_eq!(r.problems.len(), 1);
    let p = &r.problems[0];
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(p.row, 1);
    assert!(p.reason.contains("sheet 'CSV'"), "{}", p.reason);
    assert!(p.reason.contains("Significant event"), "{}", p.reason);
    assert!(p.reason.contains("Agency"), "{}", p.reason);
    assert!(p.reason.contains("A (Date), B (Child seen), C (Comment)"), "{}", p.reason);

    let none = RawSheet { rows: vec![row(&["Just a title"]), row(&["12/03/2024", "x"])], ..sheet.clone() };
    let r = import_sheet(&none, &agencies(), &opts());
    assert_eq!(r.problems.len(), 1);
    assert!(r.problems[0].reason.contains("no header row"));

    let empty = RawSheet { rows: vec![row(&[]), row(&["", ""])], ..sheet };
    assert_eq!(import_sheet(&empty, &agencies(), &opts()), Default::default());
}

#[test]
fn default_agency_separate_time_column_and_01_convention() {
    let sheet = RawSheet {
        file: "hv.xlsx".into(),
        name: "Sheet1".into(),
        first_row: 3,
        rows: vec![
            row(&["Date", "Time", "Role", "Significant event", "Wishes and feelings"]),
            vec![txt("01/03/2024"), txt("10:15"), txt("Health Visitor 1"), txt("New birth visit"), txt("Yes")],
            vec![txt("01/04/2024"), Cell::Empty, txt("Health Visitor 1"), txt("Letter sent"), Cell::Empty],
            vec![txt("12/04/2024 09:00"), Cell::Number(0.5), txt("HV 2"), txt("Clinic; child's views recorded"), Cell::Empty],
            vec![txt("13/04/2024"), txt("teatime"), txt("HV 2"), txt("Phone call"), Cell::Empty],
        ],
    };
    let mut o = opts();
    o.day_01_means_month = true;
    o.default_agency = Some("health".into());
    let r = import_sheet(&sheet, &agencies(), &o);
    assert_eq!(r.entries.len(), 4, "{:#?}", r.problems);
    assert!(r.entries.iter().all(|e| e.agency == "Health"));
    assert_eq!(r.entries[0].date, FuzzyDate::Exact(d(2024, 3, 1)), "a time in the time column keeps the 1st a real day");
    assert_eq!(r.entries[0].time, Some(t(10, 15)));
    assert_eq!(r.entries[0].wishes_and_feelings, Some(true));
    assert_eq!(r.entries[0].source.row, 4);
    assert_eq!(r.entries[1].date, FuzzyDate::Month(2024, 4));
    assert_eq!(r.entries[2].time, Some(t(12, 0)), "the time column wins");
    assert_eq!(r.entries[2].wishes_and_feelings, Some(true));
    assert!(r.problems.iter().any(|p| p.row == 6 && p.severity == Severity::Warning && p.reason.contains("time column is used")));
    assert_eq!(r.entries[3].time, None);
    assert!(r.problems.iter().any(|p| p.row == 7 && p.value == "teatime" && p.column.as_deref() == Some("B (Time)")));
}

#[test]
fn agency_names_normalise() {
    let mut aliases = BTreeMap::new();
    aliases.insert("CIAU".to_string(), "Police".to_string());
    aliases.insert("CSC".to_string(), "children's social care".to_string());
    aliases.insert("Thames Valley  Police".to_string(), "Police".to_string());
    let a = agencies();
    assert_eq!(normalise_agency("POLICE", &a, &aliases), Ok("Police".into()));
    assert_eq!(normalise_agency("  police ", &a, &aliases), Ok("Police".into()));
    assert_eq!(normalise_agency("ciau", &a, &aliases), Ok("Police".into()));
    assert_eq!(normalise_agency("thames valley police", &a, &aliases), Ok("Police".into()));
    assert_eq!(normalise_agency("CSC", &a, &aliases), Ok("Children's Social Care".into()));
    assert_eq!(normalise_agency("children's  SOCIAL care", &a, &aliases), Ok("Children's Social Care".into()));
    assert_eq!(normalise_agency("Probation  Service", &a, &aliases), Err("Probation Service".into()));
}

#[test]
fn child_seen_from_column_and_from_text() {
    for (v, want) in [
        ("Yes", Some(true)),
        ("Y", Some(true)),
        ("yes - seen", Some(true)),
        ("Seen alone", Some(true)),
        ("No", Some(false)),
        ("N", Some(false)),
        ("Not seen", Some(false)),
        ("no - asleep", Some(false)),
        ("N/K", None),
        ("unknown", None),
    ] {
        assert_eq!(parse_yes_no(&txt(v)), Ok(want), "{v}");
    }
    assert_eq!(parse_yes_no(&Cell::Bool(true)), Ok(Some(true)));
    assert!(parse_yes_no(&txt("perhaps")).is_err());

    assert_eq!(child_seen_in_text("Home visit, child seen in bedroom"), Some(true));
    assert_eq!(child_seen_in_text("Child J seen alone at school"), Some(true));
    assert_eq!(child_seen_in_text("Home visit, child not seen (asleep)"), Some(false));
    assert_eq!(child_seen_in_text("Visit: the child was not seen"), Some(false));
    assert_eq!(child_seen_in_text("Letter sent to mother"), None);
    assert_eq!(wishes_and_feelings_in_text("Child's wishes & feelings explored"), Some(true));
    assert_eq!(wishes_and_feelings_in_text("Wishes and feelings not sought"), Some(false));
    assert_eq!(wishes_and_feelings_in_text("Case closed"), None);
}
