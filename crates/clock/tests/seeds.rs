//! Each seed's timetable reproduced from given events. The expected dates were counted by
//! hand on a calendar (working days listed in the comments) before the code was run.
//!
//! Bank holidays met: 25-26 Dec 2024, 1 Jan 2025, 18 and 21 Apr 2025 (Easter), 5 and 26
//! May 2025, 25 and 28 Mar 2016 (Easter).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use casereview_clock::{Calendar, Deadline, Due, EventTime, Period, Ruleset, Status};
use chrono::{DateTime, NaiveDate};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn events(list: &[(&str, &str)]) -> BTreeMap<String, EventTime> {
    list.iter().map(|(e, v)| (e.to_string(), EventTime::parse(v).unwrap())).collect()
}

fn compute(ruleset: &str, list: &[(&str, &str)]) -> Vec<Deadline> {
    Ruleset::load(ruleset).unwrap().compute(&events(list), &Calendar::england_and_wales()).unwrap()
}

fn due_of(deadlines: &[Deadline], step: &str) -> Option<String> {
    deadlines.iter().find(|x| x.step == step).unwrap_or_else(|| panic!("no step {step}")).due.map(|due| due.to_string())
}

fn check(deadlines: &[Deadline], expected: &[(&str, Option<&str>)]) {
    for (step, want) in expected {
        assert_eq!(
            due_of(deadlines, step).as_deref(),
            *want,
            "step {step}: {:?}",
            deadlines.iter().find(|x| x.step == *step).map(|x| &x.basis)
        );
    }
}

/// 001 §1.11.1 and App. XIII, decision Wed 4 Dec 2024, nothing after it recorded: the
/// whole timetable projected across Christmas and New Year.
///
/// Working days after Wed 4 Dec 2024: 5 Dec = 1, 11 Dec = 5, 18 Dec = 10, 24 Dec = 14,
/// (25, 26 Dec off) 27 Dec = 15, 31 Dec = 17, (1 Jan off) 2 Jan = 18, 13 Jan = 25,
/// 27 Jan = 35, 3 Feb = 40, 17 Mar = 70, 24 Mar = 75, 7 Apr = 85 (17 working weeks).
#[test]
fn medway_app_xiii_from_a_december_decision() {
    let out = compute("medway-2008", &[("incident", "2024-11-28T21:30:00Z"), ("notification", "2024-11-29"), ("decision", "2024-12-04")]);
    assert_eq!(out.len(), 26, "every step of §1.11, App. XIII and §2.4-3.1");
    check(
        &out,
        &[
            // §1.11.1: 72 hours from the incident, as an instant.
            ("referral", Some("2024-12-01T21:30:00+00:00")),
            // App. XIII day 1 = Fri 29 Nov; "before day 5" = day 4 = Wed 4 Dec.
            ("inform_agency_heads", Some("2024-11-29")),
            ("media_liaison", Some("2024-11-29")),
            ("core_panel_meets", Some("2024-12-04")),
            ("secure_records", Some("2024-12-04")),
            ("inform_regulator", Some("2024-12-04")),
            // §1.11.1: one month from the case reaching the chair.
            ("chair_decision", Some("2024-12-29")),
            ("appoint_imr_authors", Some("2024-12-11")),
            ("first_panel_meeting", Some("2024-12-11")),
            ("imr_authors_briefing", Some("2024-12-18")),
            ("imrs_due", Some("2025-01-13")),
            ("composite_chronology", Some("2025-01-27")),
            ("circulate_chronology", Some("2025-01-27")),
            ("second_panel_meeting", Some("2025-02-03")),
            // §2.4.2: one week before the (projected) second meeting.
            ("reports_before_meeting", Some("2025-01-27")),
            // 30 working days after 3 Feb = working day 70 from the decision.
            ("draft_overview_report", Some("2025-03-17")),
            ("panel_agrees_draft", Some("2025-03-24")),
            // 10 calendar days before Mon 7 Apr.
            ("draft_to_board", Some("2025-03-28")),
            ("extraordinary_board_meeting", Some("2025-04-07")),
            ("action_plans", Some("2025-04-14")),
            ("copies_to_regulator", Some("2025-04-14")),
            ("conclusions_shared", Some("2025-06-02")),
            // §1.11.1: a further 4 months from the decision.
            ("review_complete", Some("2025-04-04")),
            ("single_agency_update", Some("2025-10-07")),
            ("quarterly_progress", None),
            ("outcomes_review", Some("2027-04-07")),
        ],
    );
    let draft = out.iter().find(|x| x.step == "draft_overview_report").unwrap();
    assert!(draft.projected);
    assert!(draft.basis.contains("projected from step second_panel_meeting"), "{}", draft.basis);
    let imrs = out.iter().find(|x| x.step == "imrs_due").unwrap();
    assert!(!imrs.projected);
    assert_eq!(imrs.basis, "25 working days after decision");
    assert_eq!(imrs.source, "001 App. XIII");
}

/// 001 App. XIII, decision Mon 17 Mar 2025, with later events recorded: spans Easter and
/// both May bank holidays, and counts from recorded events instead of projections.
///
/// Working days after Mon 17 Mar 2025: 24 Mar = 5, 31 Mar = 10, 17 Apr = 23, (18, 21 Apr
/// off) 22 Apr = 24, 23 Apr = 25, 2 May = 32, (5 May off) 8 May = 35, 15 May = 40,
/// (26 May off) 18 Jul = 85.
/// After the recorded second meeting Tue 20 May: (26 May off) 2 Jul = 30.
/// After the recorded draft Mon 30 Jun: 7 Jul = 5. After board meeting Tue 22 Jul: 29 Jul = 5.
#[test]
fn medway_app_xiii_over_easter_with_recorded_events() {
    let out = compute(
        "medway-2008",
        &[
            ("notification", "2025-03-12"),
            ("decision", "2025-03-17"),
            ("imr_briefing", "2025-03-28"),
            ("second_panel_meeting", "2025-05-20"),
            ("draft_circulated", "2025-06-30"),
            ("board_meeting", "2025-07-22"),
        ],
    );
    check(
        &out,
        &[
            ("referral", None), // no incident recorded
            ("core_panel_meets", Some("2025-03-17")),
            ("appoint_imr_authors", Some("2025-03-24")),
            ("imr_authors_briefing", Some("2025-03-31")),
            ("imrs_due", Some("2025-04-23")),
            ("composite_chronology", Some("2025-05-08")),
            ("second_panel_meeting", Some("2025-05-15")),
            ("reports_before_meeting", Some("2025-05-13")),
            ("draft_overview_report", Some("2025-07-02")),
            ("panel_agrees_draft", Some("2025-07-07")),
            // 10 days before Tue 22 Jul is a Saturday: calendar days are not moved.
            ("draft_to_board", Some("2025-07-12")),
            ("extraordinary_board_meeting", Some("2025-07-18")),
            ("action_plans", Some("2025-07-29")),
            ("conclusions_shared", Some("2025-09-16")),
            ("review_complete", Some("2025-07-17")),
            ("single_agency_update", Some("2026-01-22")),
            ("outcomes_review", Some("2027-07-22")),
        ],
    );
    let by = |s: &str| out.iter().find(|x| x.step == s).unwrap();
    assert!(!by("draft_overview_report").projected);
    assert_eq!(by("draft_overview_report").met, Some(d("2025-06-30")));
    assert_eq!(by("imr_authors_briefing").met, Some(d("2025-03-28")));
    assert_eq!(by("second_panel_meeting").met, Some(d("2025-05-20")));
    assert_eq!(by("chair_decision").met, Some(d("2025-03-17")));
    assert_eq!(by("action_plans").basis, "1 working week after board_meeting");

    // On 14 Jul 2025: the meeting of 15 May was late but happened (met); the board step
    // (due Fri 18 Jul) is within 5 working days; the draft agreement (7 Jul) is overdue.
    let cal = Calendar::england_and_wales();
    let today = d("2025-07-14");
    assert_eq!(by("second_panel_meeting").status(today, 5, &cal).unwrap(), Status::Met(d("2025-05-20")));
    assert_eq!(by("extraordinary_board_meeting").status(today, 5, &cal).unwrap(), Status::DueSoon);
    assert_eq!(by("panel_agrees_draft").status(today, 5, &cal).unwrap(), Status::Overdue);
    assert_eq!(by("conclusions_shared").status(today, 5, &cal).unwrap(), Status::Upcoming);
    assert_eq!(by("quarterly_progress").status(today, 5, &cal).unwrap(), Status::NotStarted);
    assert_eq!(
        by("panel_agrees_draft").clone().waive("panel agreed the draft by correspondence").status(today, 5, &cal).unwrap(),
        Status::Waived("panel agreed the draft by correspondence".into())
    );
}

/// 001 §1.11.1: a referral whose incident time is unknown counts 72 hours to the end of
/// the third day; one given with an offset keeps it.
#[test]
fn medway_referral_72_hours() {
    let out = compute("medway-2008", &[("incident", "2024-03-29")]);
    let referral = out.iter().find(|x| x.step == "referral").unwrap();
    assert_eq!(referral.due, Some(Due::Date(d("2024-04-01"))));
    assert!(referral.basis.contains("time not recorded"), "{}", referral.basis);

    let out = compute("medway-2008", &[("incident", "2024-10-25T23:30:00+01:00")]);
    // Clocks go back on 27 Oct: 72 real hours later is 22:30 GMT on the 28th.
    let due = out.iter().find(|x| x.step == "referral").unwrap().due.unwrap();
    let instant = DateTime::parse_from_rfc3339("2024-10-28T22:30:00Z").unwrap();
    assert_eq!(due, Due::DateTime(instant.fixed_offset()));
}

/// 000 §4.1, §5.1, §7.1 and §9.4(5): notification Fri 20 Dec 2024, decision Fri 17 Jan 2025.
/// Working days after 20 Dec: 23 = 1, 24 = 2, (25, 26 off) 27 = 3, 30 = 4, 31 = 5.
#[test]
fn oxfordshire_from_a_christmas_notification() {
    let out = compute("oxfordshire-2008", &[("notification", "2024-12-20"), ("decision", "2025-01-17")]);
    check(
        &out,
        &[
            ("secure_records_letter", Some("2024-12-31")),
            ("chair_decision", Some("2025-01-20")),
            ("monthly_update", Some("2025-02-17")),
            // 4 months from the decision is a Saturday; months are not moved.
            ("review_complete", Some("2025-05-17")),
        ],
    );
    assert_eq!(out.len(), 4);
    let complete = out.iter().find(|x| x.step == "review_complete").unwrap();
    assert_eq!(complete.extension_by.map(|r| r.as_str()), Some("regulator"));
}

/// 000 §5.1 and §7.1 at month ends and in a leap year.
#[test]
fn oxfordshire_month_ends() {
    let out = compute("oxfordshire-2008", &[("notification", "2024-01-31"), ("decision", "2023-10-31")]);
    check(&out, &[("chair_decision", Some("2024-02-29")), ("review_complete", Some("2024-02-29"))]);
}

/// 002: notification Thu 24 Mar 2016 (the day before Good Friday).
#[test]
fn birmingham_2015_timescales() {
    let out = compute("birmingham-2015", &[("notification", "2016-03-24"), ("decision_no_review", "2016-04-20")]);
    check(
        &out,
        &[
            ("secure_records", Some("2016-03-24")),
            ("chair_decision", Some("2016-04-24")),
            ("notify_national_panel", Some("2016-05-04")),
            ("imrs_due", None),
            ("review_complete", None),
        ],
    );
    let decision = out.iter().find(|x| x.step == "chair_decision").unwrap();
    assert_eq!(decision.met, Some(d("2016-04-20")));

    let out = compute(
        "birmingham-2015",
        &[
            ("decision", "2016-01-31"),
            ("imrs_commissioned", "2016-01-31"),
            ("monitoring_started", "2016-11-30"),
            ("publication", "2017-03-03"),
        ],
    );
    check(
        &out,
        &[
            ("imrs_due", Some("2016-02-29")),
            ("review_complete", Some("2016-07-31")),
            ("quarterly_progress", Some("2017-02-28")),
            ("report_to_national_panel", Some("2017-02-24")),
            ("keep_online", Some("2018-03-03")),
        ],
    );
    let cal = Calendar::england_and_wales();
    let by = |s: &str| out.iter().find(|x| x.step == s).unwrap();
    let complete = by("review_complete");
    assert_eq!(complete.extension_by.map(|r| r.as_str()), Some("board_chair"));
    // A minimum is kept, not breached: before its date it is upcoming, after it met.
    let online = by("keep_online");
    assert_eq!(online.status(d("2018-01-01"), 5, &cal).unwrap(), Status::Upcoming);
    assert_eq!(online.status(d("2018-03-05"), 5, &cal).unwrap(), Status::Met(d("2018-03-03")));
    // Report to the national panel: on 20 Feb 2017, 24 Feb is 4 working days away.
    assert_eq!(by("report_to_national_panel").status(d("2017-02-20"), 5, &cal).unwrap(), Status::DueSoon);
}

/// 003 §3.2: six months from the decision, against the four of 2008.
#[test]
fn national_six_month_rule() {
    let out = compute("national-2010", &[("decision", "2010-08-31")]);
    check(&out, &[("review_complete", Some("2011-02-28"))]);
    let out = compute("national-2010", &[("decision", "2010-03-15")]);
    check(&out, &[("review_complete", Some("2010-09-15"))]);
    let old = compute("oxfordshire-2008", &[("decision", "2010-03-15")]);
    check(&old, &[("review_complete", Some("2010-07-15"))]);
}

#[test]
fn overrides_change_periods_and_reject_unknown_steps() {
    let local = Ruleset::load("medway-2008")
        .unwrap()
        .with_overrides([
            ("imrs_due", "30 working days".parse::<Period>().unwrap()),
            ("draft_to_board", "10 working days".parse().unwrap()),
        ])
        .unwrap();
    let out = local.compute(&events(&[("decision", "2024-12-04")]), &Calendar::england_and_wales()).unwrap();
    // 25 working days was 13 Jan; five more is 20 Jan. Ten working days before 7 Apr.
    check(&out, &[("imrs_due", Some("2025-01-20")), ("draft_to_board", Some("2025-03-24"))]);
    let err = Ruleset::load("medway-2008")
        .unwrap()
        .with_overrides([("imr_due", Period::new(1, casereview_clock::Unit::Months))])
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"imr_due\"") && err.contains("imrs_due"), "{err}");
}

#[test]
fn unknown_events_are_rejected_with_the_valid_list() {
    let r = Ruleset::load("oxfordshire-2008").unwrap();
    let cal = Calendar::england_and_wales();
    let err = r.compute(&events(&[("inquest", "2024-01-01")]), &cal).unwrap_err().to_string();
    assert!(err.contains("\"inquest\"") && err.contains("notification"), "{err}");
    // In the shared vocabulary but not used by Oxfordshire.
    assert!(r.compute(&events(&[("board_meeting", "2024-01-01")]), &cal).is_err());
    // Every lifecycle event is accepted by every ruleset.
    for name in Ruleset::names() {
        let r = Ruleset::load(name).unwrap();
        let all: Vec<(&str, &str)> = [
            "incident",
            "notification",
            "records_secured",
            "screening_meeting",
            "recommendation",
            "decision",
            "decision_no_review",
            "scoping_complete",
            "imrs_commissioned",
            "chronology_compiled",
            "overview_drafting_started",
            "draft_to_board",
            "adoption",
            "publication",
            "monitoring_started",
            "concluded",
        ]
        .into_iter()
        .map(|e| (e, "2024-06-03"))
        .collect();
        r.compute(&events(&all), &cal).unwrap();
    }
}

#[test]
fn a_partnership_closure_day_moves_working_day_deadlines() {
    let cal = Calendar::england_and_wales().with_closures([(d("2024-12-27"), "Council offices closed")]).unwrap();
    let r = Ruleset::load("oxfordshire-2008").unwrap();
    let out = r.compute(&events(&[("notification", "2024-12-20")]), &cal).unwrap();
    check(&out, &[("secure_records_letter", Some("2025-01-02"))]);
}
