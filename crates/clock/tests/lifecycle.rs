//! Reviews recorded with lifecycle events only (what the foundation records today): the
//! steps those events necessarily meet come out met, steps only a finer event can meet stay
//! open while the review runs, and a closed or concluded review shows nothing overdue.
//!
//! Bank holidays met: 29 Mar and 1 Apr 2024 (Easter), 6 and 27 May 2024, 25 and 28 Mar
//! 2016 (Easter).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use casereview_clock::{clock_output_with, list_events_output, Calendar, Deadline, EventTime, Format, Ruleset, Status};
use chrono::NaiveDate;
use serde_json::Value;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn events(list: &[(&str, &str)]) -> BTreeMap<String, EventTime> {
    list.iter().map(|(e, v)| (e.to_string(), EventTime::parse(v).unwrap())).collect()
}

fn compute(ruleset: &str, list: &[(&str, &str)]) -> Vec<Deadline> {
    Ruleset::load(ruleset).unwrap().compute(&events(list), &Calendar::england_and_wales()).unwrap()
}

fn statuses(deadlines: &[Deadline], today: NaiveDate) -> BTreeMap<String, Status> {
    let cal = Calendar::england_and_wales();
    deadlines.iter().map(|x| (x.step.clone(), x.status(today, 5, &cal).unwrap())).collect()
}

fn day_after(date: &str) -> NaiveDate {
    d(date).succ_opt().unwrap()
}

/// Expected status of one step, written compactly for the tables below.
#[derive(Debug, Clone, Copy)]
enum Want {
    Met(&'static str),
    /// Waived because the review was closed by this event on this date.
    Closed(&'static str, &'static str),
    /// Waived because this step's own closing event happened on this date.
    Lapsed(&'static str, &'static str),
    NotStarted,
    Upcoming,
    Overdue,
}

impl Want {
    fn status(self) -> Status {
        match self {
            Want::Met(on) => Status::Met(d(on)),
            Want::Closed(event, on) => Status::Waived(format!("review closed: {event} on {on}")),
            Want::Lapsed(event, on) => Status::Waived(format!("no longer required: {event} on {on}")),
            Want::NotStarted => Status::NotStarted,
            Want::Upcoming => Status::Upcoming,
            Want::Overdue => Status::Overdue,
        }
    }
}

fn check_table(ruleset: &str, deadlines: &[Deadline], today: NaiveDate, want: &[(&str, Want)]) {
    let got = statuses(deadlines, today);
    assert_eq!(got.len(), want.len(), "{ruleset}: the table must list every step");
    for (step, w) in want {
        assert_eq!(got.get(*step), Some(&w.status()), "{ruleset} step {step} on {today}");
    }
}

fn overdue(deadlines: &[Deadline], today: NaiveDate) -> Vec<String> {
    statuses(deadlines, today).into_iter().filter(|(_, s)| *s == Status::Overdue).map(|(step, _)| step).collect()
}

/// A Medway serious case review through every lifecycle event, in order, in 2024-25.
const MEDWAY_WALK: &[(&str, &str)] = &[
    ("incident", "2024-01-08"),
    ("notification", "2024-01-09"),
    ("records_secured", "2024-01-10"),
    ("screening_meeting", "2024-01-12"),
    ("recommendation", "2024-01-15"),
    ("decision", "2024-01-22"),
    ("scoping_complete", "2024-01-26"),
    ("imrs_commissioned", "2024-01-29"),
    ("chronology_compiled", "2024-03-08"),
    ("overview_drafting_started", "2024-03-18"),
    ("draft_to_board", "2024-05-03"),
    ("adoption", "2024-05-15"),
    ("publication", "2024-06-12"),
    ("monitoring_started", "2024-06-20"),
    ("concluded", "2025-06-30"),
];

/// (a) Checked the day after `concluded`: every step the lifecycle events necessarily meet
/// is met on the right date, the steps only finer events can meet are closed with the
/// review, and nothing is overdue.
#[test]
fn medway_lifecycle_walk_ends_with_nothing_overdue() {
    use Want::*;
    let out = compute("medway-2008", MEDWAY_WALK);
    let closed = Closed("concluded", "2025-06-30");
    check_table(
        "medway-2008",
        &out,
        day_after("2025-06-30"),
        &[
            ("referral", Met("2024-01-09")),
            ("inform_agency_heads", Want::Met("2024-01-10")), // letter 1 went to the chief executives
            ("media_liaison", closed),
            ("core_panel_meets", Met("2024-01-12")),
            ("secure_records", Met("2024-01-10")),
            ("inform_regulator", closed),
            ("chair_decision", Met("2024-01-22")),
            ("appoint_imr_authors", Met("2024-01-29")),
            ("first_panel_meeting", closed),
            ("imr_authors_briefing", closed),
            // The chronology is compiled from the IMRs.
            ("imrs_due", Met("2024-03-08")),
            ("composite_chronology", Met("2024-03-08")),
            ("circulate_chronology", closed),
            ("second_panel_meeting", closed),
            ("reports_before_meeting", closed),
            // Written once it went to the board.
            ("draft_overview_report", Met("2024-05-03")),
            ("panel_agrees_draft", closed),
            ("draft_to_board", Met("2024-05-03")),
            ("extraordinary_board_meeting", Met("2024-05-15")),
            // Monitoring the action plan needs the action plans.
            ("action_plans", Met("2024-06-20")),
            ("copies_to_regulator", closed),
            ("conclusions_shared", closed),
            ("review_complete", Met("2024-05-15")),
            ("single_agency_update", Met("2025-06-30")),
            ("quarterly_progress", Met("2025-06-30")),
            ("outcomes_review", Met("2025-06-30")),
        ],
    );
    assert!(overdue(&out, day_after("2025-06-30")).is_empty());
    let closure = out.iter().find(|x| x.step == "inform_regulator").unwrap().closed.clone().unwrap();
    assert_eq!(closure.event, "concluded");
    assert!(closure.review_closed);
    assert!(out.iter().filter(|x| x.met.is_some()).all(|x| x.closed.is_none()));
}

/// (a, continued) The day after each lifecycle event of the walk, a step is overdue only
/// while nothing recorded so far can meet it; on the day after monitoring started, what is
/// still overdue is exactly the steps that wait on a finer event.
#[test]
fn medway_lifecycle_walk_overdue_only_waits_on_finer_events() {
    let ruleset = Ruleset::load("medway-2008").unwrap();
    let lifecycle: Vec<&str> = ruleset.events().iter().filter(|e| e.lifecycle).map(|e| e.name.as_str()).collect();
    for n in 1..=MEDWAY_WALK.len() {
        let walk = &MEDWAY_WALK[..n];
        let (last, on) = walk[n - 1];
        let out = compute("medway-2008", walk);
        for step in overdue(&out, day_after(on)) {
            let met_by = &ruleset.step(&step).unwrap().met_by;
            assert!(
                !walk.iter().any(|(e, _)| met_by.iter().any(|m| m == e)),
                "{step} is overdue after {last} though a recorded event meets it"
            );
        }
        // Nothing lifecycle-met is overdue once the walk is past its meeting event.
        for step in overdue(&out, day_after(on)) {
            let met_by = &ruleset.step(&step).unwrap().met_by;
            let lifecycle_met = met_by.iter().any(|m| lifecycle.contains(&m.as_str()));
            let later = MEDWAY_WALK[n..].iter().any(|(e, _)| met_by.iter().any(|m| m == e));
            assert!(!lifecycle_met || later, "{step} after {last}: lifecycle-met but no later event meets it");
        }
    }
    let out = compute("medway-2008", &MEDWAY_WALK[..14]);
    assert_eq!(
        overdue(&out, day_after("2024-06-20")),
        [
            "circulate_chronology",
            "copies_to_regulator",
            "first_panel_meeting",
            "imr_authors_briefing",
            "inform_regulator",
            "media_liaison",
            "panel_agrees_draft",
            "reports_before_meeting",
            "second_panel_meeting",
        ]
    );
    // The finer events still meet their steps when they are recorded.
    let mut walk = MEDWAY_WALK[..14].to_vec();
    walk.push(("second_panel_meeting", "2024-03-21"));
    walk.push(("imrs_received", "2024-02-28"));
    let out = compute("medway-2008", &walk);
    let by = |s: &str| out.iter().find(|x| x.step == s).unwrap();
    assert_eq!(by("second_panel_meeting").met, Some(d("2024-03-21")));
    assert_eq!(by("first_panel_meeting").met, Some(d("2024-03-21")));
    // Earliest of imrs_received and chronology_compiled.
    assert_eq!(by("imrs_due").met, Some(d("2024-02-28")));
}

/// (b) Birmingham, the chair decides on no review: the 14 days to tell the national panel
/// run (that step is started by the decision), everything that needs a review to happen
/// is closed, and the 12-month minimum online is not a deadline to close.
#[test]
fn birmingham_no_review_closes_all_but_the_national_panel_notice() {
    use Want::*;
    let walk = [
        ("notification", "2016-03-01"),
        ("records_secured", "2016-03-01"),
        ("screening_meeting", "2016-03-10"),
        ("recommendation", "2016-03-14"),
        ("decision_no_review", "2016-03-21"),
    ];
    let out = compute("birmingham-2015", &walk);
    let closed = Closed("decision_no_review", "2016-03-21");
    // On Tue 22 Mar 2016 the notice is due Mon 4 Apr: five working days on (Easter
    // between) is Thu 31 Mar, so it is upcoming, not due soon.
    check_table(
        "birmingham-2015",
        &out,
        day_after("2016-03-21"),
        &[
            ("secure_records", Met("2016-03-01")),
            ("chair_decision", Met("2016-03-21")),
            ("notify_national_panel", Upcoming),
            ("imrs_due", closed),
            ("review_complete", closed),
            ("report_to_national_panel", closed),
            ("keep_online", NotStarted),
            ("quarterly_progress", closed),
        ],
    );
    let notice = out.iter().find(|x| x.step == "notify_national_panel").unwrap();
    assert_eq!(notice.due.unwrap().to_string(), "2016-04-04");
    assert!(notice.closed.is_none());
    // Still open, so it can go overdue...
    assert_eq!(statuses(&out, d("2016-04-05"))["notify_national_panel"], Status::Overdue);
    assert_eq!(overdue(&out, d("2016-04-05")), ["notify_national_panel"]);
    // ...and is met by its own event.
    let mut notified = walk.to_vec();
    notified.push(("national_panel_notified", "2016-03-30"));
    let out = compute("birmingham-2015", &notified);
    assert_eq!(statuses(&out, d("2016-04-05"))["notify_national_panel"], Status::Met(d("2016-03-30")));
    assert!(overdue(&out, d("2016-04-05")).is_empty());
}

/// (c) Oxfordshire through to conclusion: nothing overdue. The monthly updates lapse when
/// the report goes to the board; until then, with no progress report recorded, they are
/// overdue as they should be.
#[test]
fn oxfordshire_concluded_shows_nothing_overdue() {
    use Want::*;
    let walk = [
        ("incident", "2009-01-02"),
        ("notification", "2009-01-05"),
        ("records_secured", "2009-01-09"),
        ("screening_meeting", "2009-01-20"),
        ("recommendation", "2009-01-22"),
        ("decision", "2009-01-30"),
        ("scoping_complete", "2009-02-06"),
        ("imrs_commissioned", "2009-02-09"),
        ("chronology_compiled", "2009-04-03"),
        ("overview_drafting_started", "2009-04-14"),
        ("draft_to_board", "2009-05-22"),
        ("adoption", "2009-06-10"),
        ("publication", "2009-07-01"),
        ("monitoring_started", "2009-07-15"),
        ("concluded", "2010-03-31"),
    ];
    let lapsed = Lapsed("draft_to_board", "2009-05-22");
    let table = [
        ("secure_records_letter", Met("2009-01-09")),
        ("chair_decision", Met("2009-01-30")),
        ("monthly_update", lapsed),
        // Adopted after the four months (30 May): met late, not overdue.
        ("review_complete", Met("2009-06-10")),
    ];
    let out = compute("oxfordshire-2008", &walk);
    check_table("oxfordshire-2008", &out, day_after("2010-03-31"), &table);
    // From the report going to the board onwards, on the day after each event.
    for n in 11..=walk.len() {
        let out = compute("oxfordshire-2008", &walk[..n]);
        let today = day_after(walk[n - 1].1);
        assert!(overdue(&out, today).is_empty(), "after {}", walk[n - 1].0);
    }
    let drafting = compute("oxfordshire-2008", &walk[..10]);
    check_table(
        "oxfordshire-2008",
        &drafting,
        day_after("2009-04-14"),
        &[
            ("secure_records_letter", Met("2009-01-09")),
            ("chair_decision", Met("2009-01-30")),
            ("monthly_update", Overdue),
            ("review_complete", Upcoming),
        ],
    );
}

/// The same design in the other rulesets and in the command-line output.
#[test]
fn closure_in_national_ruleset_and_output() {
    let out = compute("national-2010", &[("notification", "2011-01-04"), ("decision_no_review", "2011-01-20")]);
    assert_eq!(
        statuses(&out, d("2012-01-01"))["review_complete"],
        Status::Waived("review closed: decision_no_review on 2011-01-20".into())
    );

    let ruleset = Ruleset::load("oxfordshire-2008").unwrap();
    let recorded = events(&[("notification", "2009-01-05"), ("decision", "2009-01-30"), ("concluded", "2009-03-02")]);
    let cal = Calendar::england_and_wales();
    let json = clock_output_with(&ruleset, &recorded, &cal, Format::Json).unwrap();
    let rows: Value = serde_json::from_str(&json).unwrap();
    let row = |step: &str| rows.as_array().unwrap().iter().find(|r| r["step"] == step).unwrap().clone();
    assert_eq!(row("review_complete")["closed"], "review closed: concluded on 2009-03-02");
    assert_eq!(row("review_complete")["due"], "2009-05-30");
    assert!(row("chair_decision").get("closed").is_none());
    let table = clock_output_with(&ruleset, &recorded, &cal, Format::Table).unwrap();
    assert!(table.lines().any(|l| l.contains("review_complete") && l.contains("closed")), "{table}");

    let listing: Value = serde_json::from_str(&list_events_output("oxfordshire-2008", Format::Json).unwrap()).unwrap();
    let event = |name: &str| listing.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap().clone();
    assert_eq!(event("concluded")["closes_review"], true);
    assert_eq!(event("decision_no_review")["closes_review"], true);
    assert_eq!(event("adoption")["closes_review"], false);
    assert_eq!(event("draft_to_board")["closes"], serde_json::json!(["monthly_update"]));
    let text = list_events_output("birmingham-2015", Format::Table).unwrap();
    assert!(text.contains("    closes: the review"), "{text}");
}
