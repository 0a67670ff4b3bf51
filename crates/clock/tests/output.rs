//! The command-line output functions and the argument parser.

#![allow(clippy::unwrap_used)]

use casereview_clock::{
    calendar_output, clock_output, list_events_output, list_rulesets_output, parse_event_arg, parse_event_time, ClockError, Format, Ruleset,
};
use serde_json::Value;

#[test]
fn calendar_json_lists_date_and_name() {
    let out = calendar_output(2023, Format::Json).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let days = v.as_array().unwrap();
    assert_eq!(days.len(), 9);
    assert_eq!(days[0]["date"], "2023-01-02");
    assert_eq!(days[0]["name"], "New Year's Day (substitute day)");
    assert!(days.iter().any(|d| d["date"] == "2023-05-08" && d["name"] == "Coronation of King Charles III"));
}

#[test]
fn calendar_table_and_range_error() {
    let out = calendar_output(2022, Format::Table).unwrap();
    assert!(out.starts_with("DATE"));
    assert!(out.contains("2022-09-19  Mon  State Funeral of Queen Elizabeth II"), "{out}");
    assert_eq!(out.lines().count(), 11);
    let err = calendar_output(2041, Format::Json).unwrap_err();
    assert!(matches!(err, ClockError::OutOfRange { .. }));
    assert!(err.to_string().contains("2041"));
}

#[test]
fn clock_json_has_the_promised_fields() {
    let out = clock_output("medway-2008", &[("incident", "2024-11-28T21:30:00Z"), ("decision", "2024-12-04")], Format::Json).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    // Steps counted from notification or monitoring are left out: no trigger known.
    assert!(rows.iter().all(|r| r["step"] != "chair_decision" && r["step"] != "quarterly_progress"));
    let referral = rows.iter().find(|r| r["step"] == "referral").unwrap();
    assert_eq!(referral["due"], "2024-12-01T21:30:00+00:00");
    let imrs = rows.iter().find(|r| r["step"] == "imrs_due").unwrap();
    for key in ["step", "title", "due", "basis", "source", "role", "met", "projected"] {
        assert!(imrs.get(key).is_some(), "missing {key}");
    }
    assert_eq!(imrs["due"], "2025-01-13");
    assert_eq!(imrs["basis"], "25 working days after decision");
    assert_eq!(imrs["source"], "001 App. XIII");
    assert_eq!(imrs["role"], "agency_author");
}

#[test]
fn clock_table_is_aligned() {
    let out = clock_output("national-2010", &[("decision", "2010-08-31")], Format::Table).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("DUE "));
    assert!(lines[1].starts_with("2011-02-28  review_complete  panel_chair"));
    assert_eq!(lines[0].find("STEP"), lines[1].find("review_complete"));
}

#[test]
fn clock_errors_name_the_bad_value() {
    let err = clock_output("medway-2008", &[("decision", "2023-02-30")], Format::Json).unwrap_err().to_string();
    assert!(err.contains("2023-02-30") && err.contains("decision"), "{err}");
    assert!(err.contains("no such day"), "{err}");

    let err = clock_output("medway-2008", &[("decison", "2023-02-03")], Format::Json).unwrap_err().to_string();
    assert!(err.contains("\"decison\"") && err.contains("decision"), "{err}");

    let err = clock_output("kent-2009", &[("decision", "2023-02-03")], Format::Json).unwrap_err().to_string();
    assert!(err.contains("kent-2009") && err.contains("birmingham-2015"), "{err}");

    let err = clock_output("medway-2008", &[("decision", "2023-02-03"), ("decision", "2023-02-06")], Format::Json).unwrap_err();
    assert!(matches!(err, ClockError::DuplicateEvent { .. }), "{err}");

    let err = clock_output("national-2010", &[("decision", "2045-01-01")], Format::Json);
    // Months need no calendar, so a far date still computes; working days do not.
    assert!(err.is_ok());
    let err = clock_output("medway-2008", &[("decision", "2040-12-01")], Format::Json).unwrap_err().to_string();
    assert!(err.contains("2040-12-01") && err.contains("1990..=2040"), "{err}");
}

#[test]
fn event_arguments() {
    assert_eq!(parse_event_arg("decision=2024-12-04").unwrap(), ("decision".to_string(), "2024-12-04".to_string()));
    assert_eq!(parse_event_arg(" incident = 2024-11-28T21:30:00Z ").unwrap(), ("incident".to_string(), "2024-11-28T21:30:00Z".to_string()));
    for bad in ["decision", "=2024-01-01", "decision=", ""] {
        let err = parse_event_arg(bad).unwrap_err().to_string();
        assert!(err.contains(&format!("{bad:?}")) && err.contains("EVENT=DATE"), "{err}");
    }
    let err = parse_event_time("decision", "04/12/2024").unwrap_err().to_string();
    assert!(err.contains("04/12/2024") && err.contains("YYYY-MM-DD"), "{err}");
    let err = parse_event_time("incident", "2024-11-28T21:30").unwrap_err().to_string();
    assert!(err.contains("offset"), "{err}");
    let err = parse_event_time("decision", "2023-13-01").unwrap_err().to_string();
    assert!(err.contains("no such day"), "{err}");
}

#[test]
fn events_listing() {
    let out = list_events_output("birmingham-2015", Format::Json).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    let publication = rows.iter().find(|r| r["name"] == "publication").unwrap();
    assert_eq!(publication["lifecycle"], true);
    assert_eq!(publication["triggers"], serde_json::json!(["report_to_national_panel", "keep_online"]));
    assert!(rows.iter().any(|r| r["name"] == "sent_to_national_panel" && r["lifecycle"] == false));
    let table = list_events_output("medway-2008", Format::Table).unwrap();
    let events = Ruleset::load("medway-2008").unwrap().events().len();
    let rows = table.lines().filter(|l| !l.starts_with(' ')).count();
    assert_eq!(rows, 1 + events);
    assert!(table.contains("\n    starts: reports_before_meeting, draft_overview_report\n"), "{table}");
    let rulesets = list_rulesets_output(Format::Table).unwrap();
    assert_eq!(rulesets.lines().count(), 5);
}

#[test]
fn format_parses() {
    assert_eq!("json".parse::<Format>().unwrap(), Format::Json);
    assert_eq!("TABLE".parse::<Format>().unwrap(), Format::Table);
    assert!("xml".parse::<Format>().unwrap_err().to_string().contains("xml"));
}
