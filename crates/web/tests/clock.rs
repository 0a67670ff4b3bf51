//! The statutory clock in the running application, on both backends: the deadlines
//! list and its filters, extensions (reason, later date, the right person; history kept),
//! waivers, the private calendar feed, and reminder emails sent once through a real SMTP
//! server started by the test.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use casereview_core::referral::ReferralInput;
use casereview_core::Role;
use casereview_web::mail::{MailConfig, Mailer};
use casereview_web::{reminders, AppState};
use chrono::NaiveDate;
use common::*;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// A review notified on 1 May 2026 (so on "today", 15 June, its chair's decision of
/// 1 June is overdue), with the panel chair and an agency head as members.
async fn overdue_review(app: &TestApp) -> i64 {
    let (admin, _) = app.state.store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
    let mut body = referral_json("Child Z");
    body["child"]["date_of_death"] = json!("2026-04-28");
    body["incident_date"] = json!("2026-04-28");
    body["signed_on"] = json!("2026-04-30");
    body["key_events"][0]["date"] = json!("2026-04-01");
    let input: ReferralInput = serde_json::from_value(body).unwrap();
    let o = app.state.store.create_referral(&admin.actor(), &input, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(), None).await.unwrap();
    for r in [Role::PanelChair, Role::AgencyHead] {
        let uid = app.user_id(app.email(r)).await;
        app.state.store.add_member(&admin.actor(), o.review_id, uid).await.unwrap();
    }
    o.review_id
}

#[tokio::test]
async fn deadlines_list_filters_and_refuses_bad_filters() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = overdue_review(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let (s, v) = admin.get("/api/v1/deadlines?status=overdue").await;
        assert_eq!(s, 200, "{v}");
        let rows = v.as_array().unwrap();
        assert!(rows.iter().any(|d| d["step"] == "chair_decision" && d["due"] == "2026-06-01" && d["review_id"] == id), "{v}");
        assert!(rows.iter().all(|d| d["status"] == "overdue"));
        let (_, v) = admin.get("/api/v1/deadlines?status=overdue&role=panel_chair").await;
        assert!(v.as_array().unwrap().iter().all(|d| d["role"] == "panel_chair"));
        let (_, v) = admin.get("/api/v1/deadlines?due_before=2026-05-02").await;
        assert!(v.as_array().unwrap().iter().all(|d| d["due"].as_str().unwrap() < "2026-05-02"), "{v}");
        for (q, field) in [("status=late", "status"), ("due_before=2026-02-30", "due_before"), ("role=wizard", "role")] {
            let (s, v) = admin.get(&format!("/api/v1/deadlines?{q}")).await;
            assert_eq!(s, 422, "{q}: {v}");
            assert_eq!(v["errors"][0]["field"], field, "{q}");
        }
        // Someone who is not on the review sees none of its deadlines.
        let outsider = app.api(&app.outsider).await;
        let (_, v) = outsider.get("/api/v1/deadlines").await;
        assert_eq!(v.as_array().unwrap().len(), 0);
        // The dashboard shows the next deadline.
        let b = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (_, page) = b.get("/").await;
        assert!(page.contains("Overdue"), "dashboard shows overdue");
        let (s, page) = b.get("/deadlines?status=overdue").await;
        assert_eq!(s, 200);
        assert!(page.contains("01/06/2026"));
    }
}

#[tokio::test]
async fn extensions_need_a_reason_a_later_date_and_the_right_person() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = overdue_review(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let url = format!("/api/v1/reviews/{id}/deadlines/chair_decision/extensions");
        let good = json!({"new_due": "2026-07-01", "agreed_by_role": "board_chair", "agreed_by_name": "Graham Eliot", "reason": "Awaiting the coroner's initial findings"});
        let cases = [
            ("reason", json!({"reason": ""})),
            ("new_due", json!({"new_due": "2026-05-20"})),
            ("new_due", json!({"new_due": "2026-02-30"})),
            ("agreed_by_role", json!({"agreed_by_role": "panel_chair"})),
            ("agreed_by_name", json!({"agreed_by_name": " "})),
        ];
        for (field, change) in cases {
            let mut body = good.clone();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, v) = admin.post(&url, &body).await;
            assert_eq!(s, 422, "{field}: {v}");
            assert!(v["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {v}");
        }
        let (_, v) = admin.get(&format!("/api/v1/reviews/{id}/deadlines")).await;
        let d = v.as_array().unwrap().iter().find(|d| d["step"] == "chair_decision").unwrap().clone();
        assert_eq!(d["due"], "2026-06-01", "nothing changed: {d}");
        // Only the business unit and the board chair record extensions.
        let panel = app.api(app.email(Role::PanelChair)).await;
        let (s, _) = panel.post(&url, &good).await;
        assert_eq!(s, 403);
        let (s, v) = admin.post(&url, &good).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["due"], "2026-07-01");
        assert_eq!(v["original_due"], "2026-06-01", "the original date stays visible");
        assert_eq!(v["status"], "upcoming");
        assert_eq!(v["extensions"][0]["reason"], "Awaiting the coroner's initial findings");
        // A second extension must be later than the first.
        let mut again = good.clone();
        again["new_due"] = json!("2026-06-20");
        let (s, _) = admin.post(&url, &again).await;
        assert_eq!(s, 422);
        let (_, v) = admin.get(&format!("/api/v1/audit?subject=review:{id}")).await;
        assert!(v.as_array().unwrap().iter().any(|e| e["action"] == "deadline.extend"));
        // A waiver needs a reason and ends the step.
        let wurl = format!("/api/v1/reviews/{id}/deadlines/media_liaison/waiver");
        let (s, v) = admin.post(&wurl, &json!({"reason": ""})).await;
        assert_eq!(s, 422, "{v}");
        let (s, v) = admin.post(&wurl, &json!({"reason": "No media interest"})).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["status"], "waived");
        // The extension page works without JavaScript.
        let b = app.browser(app.email(Role::BoardChair)).await;
        let (s, page) = b.get(&format!("/reviews/{id}/deadlines/chair_decision/extend")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Earlier extensions"));
        let (s, page, _) = b
            .post(
                &format!("/reviews/{id}/deadlines/chair_decision/extend"),
                &[("new_due", "01/08/2026"), ("agreed_by_role", "board_chair"), ("agreed_by_name", "Graham"), ("reason", "")],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#reason\""));
    }
}

#[tokio::test]
async fn the_calendar_feed_is_private_valid_and_names_no_child() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        overdue_review(&app).await;
        let chair = app.api(app.email(Role::PanelChair)).await;
        let (s, v) = chair.post("/api/v1/calendar-feed", &json!({})).await;
        assert_eq!(s, 201, "{v}");
        let url = v["url"].as_str().unwrap().to_string();
        assert!(url.ends_with(".ics"));
        let path = &url[url.find("/calendar/").unwrap()..];
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        let body = r.text().await.unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\n") && body.ends_with("END:VCALENDAR\r\n"));
        let unfolded = body.replace("\r\n ", "");
        let events = unfolded.matches("BEGIN:VEVENT").count();
        assert_eq!(events, unfolded.matches("END:VEVENT").count());
        assert!(events >= 1, "the panel chair's open deadlines: {body}");
        assert!(unfolded.contains("SUMMARY:TSCP-2026-001: "));
        assert!(unfolded.contains("DTSTART;VALUE=DATE:20260601"), "the chair's decision, due 1 June");
        assert!(!unfolded.contains("Child Z"), "the feed leaves the system: no child's name");
        for line in body.split("\r\n") {
            assert!(line.len() <= 75, "folded: {line}");
        }
        // A new link replaces the old one.
        let (_, v2) = chair.post("/api/v1/calendar-feed", &json!({})).await;
        assert_ne!(v2["url"], v["url"]);
        assert_eq!(reqwest::get(app.url(path)).await.unwrap().status(), 404);
        assert_eq!(reqwest::get(app.url("/calendar/not-a-token.ics")).await.unwrap().status(), 404);
    }
}

#[tokio::test]
async fn reminders_are_sent_once_even_across_restarts() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = overdue_review(&app).await;
        let smtp = smtp::TestSmtp::start().await;
        let cfg = MailConfig::from_url(&format!("smtp://{}?from=casereview@testshire.example", smtp.addr)).unwrap();
        let mailer = Mailer::new(cfg).unwrap();
        let r = reminders::run_once(&app.state, &mailer, "https://casereview.testshire.example").await.unwrap();
        assert!(r.sent >= 3, "{r:?}");
        assert_eq!(r.failed, 0);
        let got = smtp.wait_for(r.sent, Duration::from_secs(10)).await;
        assert_eq!(got.len(), r.sent);
        let panel_chair = app.email(Role::PanelChair).to_string();
        let to_chair: Vec<_> = got.iter().filter(|m| m.to.contains(&panel_chair)).collect();
        assert!(
            to_chair.iter().any(|m| decoded(m).contains("Decision whether a review should take place")),
            "the panel chair is told of the decision step"
        );
        assert!(got.iter().any(|m| decoded(m).contains("escalated to you")), "overdue steps are escalated to the panel chair");
        for m in &got {
            assert!(!decoded(m).contains("Child Z"), "no child's name in email");
            assert!(decoded(m).contains(&format!("https://casereview.testshire.example/reviews/{id}")));
        }
        // Run again, and again after a "restart" with a new application state on the same
        // database: nothing more is sent.
        let again = reminders::run_once(&app.state, &mailer, "https://x").await.unwrap();
        assert_eq!(again.sent, 0, "{again:?}");
        assert_eq!(again.already_sent, r.sent);
        let restarted = AppState { store: reopen(&app).await, config: app.state.config.clone() };
        let after = reminders::run_once(&restarted, &mailer, "https://x").await.unwrap();
        assert_eq!(after.sent, 0);
        assert_eq!(smtp.messages().await.len(), r.sent);
        let _ = Arc::strong_count(&app.state);
    }
}

#[tokio::test]
async fn a_failed_send_is_retried_later() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    overdue_review(&app).await;
    // Nothing listens on this port: every send fails and is released.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let mailer = Mailer::new(MailConfig::from_url(&format!("smtp://127.0.0.1:{port}?from=casereview@testshire.example")).unwrap()).unwrap();
    let r = reminders::run_once(&app.state, &mailer, "https://x").await.unwrap();
    assert_eq!(r.sent, 0);
    assert!(r.failed >= 3);
    let smtp = smtp::TestSmtp::start().await;
    let mailer = Mailer::new(MailConfig::from_url(&format!("smtp://{}?from=casereview@testshire.example", smtp.addr)).unwrap()).unwrap();
    let r2 = reminders::run_once(&app.state, &mailer, "https://x").await.unwrap();
    assert_eq!(r2.sent, r.failed, "everything that failed is sent on the next run");
}

/// The message text with quoted-printable soft line breaks and escapes undone.
fn decoded(m: &smtp::Received) -> String {
    let t = m.text().replace("=\r\n", "");
    let mut out = Vec::new();
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The same database opened afresh, as after a restart.
async fn reopen(app: &TestApp) -> casereview_store::Store {
    match app.backend {
        Backend::Sqlite => {
            // The SQLite file lives in the test's temporary folder; a second pool on it is
            // a second process's view of the same data.
            let path = app.data_dir().unwrap();
            casereview_store::Store::open_sqlite(&path).await.unwrap()
        }
        Backend::Postgres => casereview_store::Store::open_postgres(app.database_url.as_deref().unwrap()).await.unwrap(),
    }
}

#[tokio::test]
async fn a_step_of_the_timetable_is_recorded_as_done() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = overdue_review(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let url = format!("/api/v1/reviews/{id}/events");
        let (_, v) = admin.get(&format!("/api/v1/reviews/{id}/deadlines")).await;
        let step = v.as_array().unwrap().iter().find(|d| d["step"] == "inform_regulator").unwrap().clone();
        assert_eq!(step["status"], "overdue");
        assert_eq!(step["done_event"], "regulator_notified");
        for (body, field) in [
            (json!({"event": "decision", "on": "2026-05-02"}), "event"),
            (json!({"event": "tea_break", "on": "2026-05-02"}), "event"),
            (json!({"event": "regulator_notified", "on": "2026-07-01"}), "on"),
            (json!({"event": "regulator_notified", "on": "2026-02-30"}), "on"),
        ] {
            let (s, v) = admin.post(&url, &body).await;
            assert_eq!(s, 422, "{body}: {v}");
            assert_eq!(v["errors"][0]["field"], field, "{body}: {v}");
        }
        let member = app.api(app.email(Role::AgencyHead)).await;
        let (s, _) = member.post(&url, &json!({"event": "regulator_notified", "on": "2026-05-05"})).await;
        assert_eq!(s, 403, "an agency head does not run the timetable");
        let (s, v) = admin.post(&url, &json!({"event": "regulator_notified", "on": "2026-05-05"})).await;
        assert_eq!(s, 201, "{v}");
        let d = v.as_array().unwrap().iter().find(|d| d["step"] == "inform_regulator").unwrap().clone();
        assert_eq!(d["status"], "met");
        assert_eq!(d["met_on"], "2026-05-05");
        // The page does the same for the panel chair.
        let b = app.browser(app.email(Role::PanelChair)).await;
        let (s, page) = b.get(&format!("/reviews/{id}/deadlines/media_liaison/done")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Record as done"));
        let (s, _, loc) = b.post(&format!("/reviews/{id}/deadlines/media_liaison/done"), &[("on", "02/05/2026")]).await;
        assert_eq!(s, 303, "{loc:?}");
        let (_, v) = admin.get(&format!("/api/v1/reviews/{id}/deadlines")).await;
        assert_eq!(v.as_array().unwrap().iter().find(|d| d["step"] == "media_liaison").unwrap()["status"], "met");
    }
}
