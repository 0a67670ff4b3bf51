//! The pages through a real HTTP client with a cookie session: the referral form with its
//! error summary and repeatable rows, a double-submitted form, escaping of what people
//! type, the screening-to-decision flow, conflicts, sign-in and the security headers.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::Role;
use common::*;
use serde_json::json;

fn referral_form<'a>(key: &'a str, child: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("submission_key", key),
        ("referrer-name", "Sam Referrer"),
        ("referrer-position", "Health Visitor"),
        ("referrer-agency", "Health"),
        ("referrer-contact", "01632 960001"),
        ("referrer-line_manager_aware", "yes"),
        ("child-name", child),
        ("child-date_of_birth", "01/02/2025"),
        ("child-disability", "no"),
        ("child-special_educational_needs", "no"),
        ("child-child_protection_plan", "no"),
        ("family-0-name", "Father F"),
        ("family-0-relationship", "Father"),
        ("family_disability", "no"),
        ("family_child_protection_plan", "no"),
        ("agencies_involved-0-agency", "Police"),
        ("agencies_involved-0-still_involved", "yes"),
        ("triggers-serious_harm", "true"),
        ("triggers-abuse_or_neglect_suspected", "true"),
        ("where_child_was", "At home"),
        ("carer_at_time", "Father"),
        ("incident_date", "10/06/2026"),
        ("incident_details", "Fractured skull"),
        ("key_events-0-date", "01/06/2026"),
        ("key_events-0-event", "A&E attendance"),
        ("signed_by", "Sam Referrer"),
        ("signed_on", "11/06/2026"),
    ]
}

#[tokio::test]
async fn the_referral_form_keeps_input_shows_errors_and_submits_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let b = app.browser(app.email(Role::AgencyAuthor)).await;
        let (s, page) = b.get("/referrals/new").await;
        assert_eq!(s, 200);
        let key = hidden(&page, "submission_key").unwrap();
        assert!(page.contains("1.3 Family details"));

        // Missing child name and an impossible date: the error summary links to each field,
        // and what was typed is still there.
        let mut fields = referral_form(&key, "");
        fields.retain(|(k, _)| *k != "child-date_of_birth");
        fields.push(("child-date_of_birth", "30/02/2023"));
        let (s, page, _) = b.post("/referrals/new", &fields).await;
        assert_eq!(s, 422);
        assert!(page.contains("There is a problem"));
        assert!(page.contains("href=\"#child-name\""), "the summary links to the field");
        assert!(page.contains("id=\"child-name\""));
        assert!(page.contains("href=\"#child-date_of_birth\""));
        assert!(page.contains("value=\"30/02/2023\""), "typed value kept");
        assert!(page.contains("Fractured skull"), "other answers kept");

        // Add another person without losing anything.
        let mut fields = referral_form(&key, "Child P");
        fields.push(("add", "family"));
        let (s, page, _) = b.post("/referrals/new", &fields).await;
        assert_eq!(s, 200);
        assert!(page.contains("Person 2"));
        assert!(page.contains("value=\"Father F\""));
        assert!(!page.contains("There is a problem"));

        // Submit, then submit the same form again: one referral.
        let (s, _, loc) = b.post("/referrals/new", &referral_form(&key, "Child P")).await;
        assert_eq!(s, 303);
        let loc = loc.unwrap();
        assert!(loc.starts_with("/reviews/"), "{loc}");
        let (s, _, loc2) = b.post("/referrals/new", &referral_form(&key, "Child P")).await;
        assert_eq!(s, 303);
        assert_eq!(loc2.unwrap(), loc);
        let (s, page) = b.get(&loc).await;
        assert_eq!(s, 200);
        assert!(page.contains("The referral is recorded"));
        // Opening the review is a confidential read, recorded in the audit log.
        let (events, _) = (
            app.state
                .store
                .audit_events(&casereview_store::AuditQuery {
                    subject: Some(loc.trim_start_matches("/reviews/").split('?').next().map(|id| format!("review:{id}")).unwrap()),
                    ..Default::default()
                })
                .await
                .unwrap(),
            (),
        );
        assert!(events.iter().any(|e| e.action == "review.read" && e.actor == app.email(Role::AgencyAuthor)), "the read is audited");
        assert!(page.contains("Child P"));
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let (_, list) = admin.get("/api/v1/reviews").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        // The referrer is a member and sees it on their dashboard.
        let (_, home) = b.get("/").await;
        assert!(home.contains("Child P"));
    }
}

#[tokio::test]
async fn markup_typed_into_fields_is_shown_as_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.api(app.email(Role::PartnershipAdmin)).await;
    let payload = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&";
    let mut body = referral_json(payload);
    body["incident_details"] = json!(payload);
    body["family"][0]["name"] = json!(payload);
    body["key_events"][0]["event"] = json!(payload);
    body["other_matters"] = json!(payload);
    body["referrer"]["name"] = json!(payload);
    let (s, v) = admin.post("/api/v1/referrals", &body).await;
    assert_eq!(s, 201, "{v}");
    let id = v["review"]["id"].as_i64().unwrap();
    let b = app.browser(app.email(Role::PartnershipAdmin)).await;
    // The audit log keeps the reference, never the child's name (it cannot be erased).
    let (s, page) = b.get("/audit").await;
    assert_eq!(s, 200);
    assert!(!page.contains("alert(") && !page.contains("alert&#"), "no name or typed text in the log");
    for path in ["/".to_string(), format!("/reviews/{id}"), format!("/reviews/{id}/referral/edit")] {
        let (s, page) = b.get(&path).await;
        assert_eq!(s, 200, "{path}");
        assert!(!page.contains("<script>alert"), "{path} shows raw script");
        assert!(!page.contains("<img src=x"), "{path} shows raw markup");
        assert!(
            page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;") || page.contains("&lt;script"),
            "{path} should show the text escaped"
        );
    }
}

#[tokio::test]
async fn screening_recommendation_and_decision_through_the_pages() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair]).await;
        let panel = app.browser(app.email(Role::PanelChair)).await;
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, page) = panel.get(&format!("/reviews/{id}/screening-meetings/new")).await;
        assert_eq!(s, 200);
        let version = hidden(&page, "version").unwrap();
        let base = vec![
            ("version", version.as_str()),
            ("held_on", "05/06/2026"),
            ("chair", "Ruth"),
            ("attendees-0-name", "A"),
            ("attendees-0-organisation", "Police"),
            ("attendees-0-vote", "conduct_serious_case_review"),
            ("attendees-1-name", "B"),
            ("attendees-1-organisation", "Health"),
            ("attendees-1-vote", "conduct_serious_case_review"),
        ];
        let (s, page, _) = panel.post(&format!("/reviews/{id}/screening-meetings/new"), &base).await;
        assert_eq!(s, 422);
        assert!(page.contains("not quorate"), "two organisations");
        let mut quorate = base.clone();
        quorate.extend([
            ("attendees-2-name", "C"),
            ("attendees-2-organisation", "Education"),
            ("attendees-2-vote", "conduct_serious_case_review"),
        ]);
        let (s, _, loc) = panel.post(&format!("/reviews/{id}/screening-meetings/new"), &quorate).await;
        assert_eq!(s, 303, "{loc:?}");
        // The board chair cannot record the panel's recommendation.
        let (s, _) = chair.get(&format!("/reviews/{id}/recommendation")).await;
        assert_eq!(s, 403);
        let (_, page) = panel.get(&format!("/reviews/{id}/recommendation")).await;
        let version = hidden(&page, "version").unwrap();
        let (s, _, _) = panel
            .post(
                &format!("/reviews/{id}/recommendation"),
                &[
                    ("version", &version),
                    ("option", "conduct_serious_case_review"),
                    ("reasons", "Criteria met"),
                    ("legal_advice_sought", "no"),
                    ("signed_by", "Ruth"),
                    ("signed_on", "06/06/2026"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = chair.get(&format!("/reviews/{id}/decision")).await;
        let version = hidden(&page, "version").unwrap();
        assert!(page.contains("value=\"serious_case_review\" checked"), "the recommended decision is offered first");
        let (s, page, _) = chair
            .post(
                &format!("/reviews/{id}/decision"),
                &[("version", &version), ("kind", "serious_case_review"), ("signed_by", "Chair"), ("decided_on", "07/06/2026")],
            )
            .await;
        assert_eq!(s, 422, "issues of significance are required");
        assert!(page.contains("href=\"#issues_of_significance\""));
        let (s, _, _) = chair
            .post(
                &format!("/reviews/{id}/decision"),
                &[
                    ("version", &version),
                    ("kind", "serious_case_review"),
                    ("issues_of_significance", "Information sharing"),
                    ("signed_by", "Chair"),
                    ("decided_on", "07/06/2026"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = chair.get(&format!("/reviews/{id}")).await;
        assert!(page.contains("Scoping"));
        assert!(page.contains("Serious Case Review"));
        // A button pressed on a stale page is refused with what changed.
        let (s, page, _) = panel
            .post(&format!("/reviews/{id}/transitions"), &[("version", "1"), ("action", "commission_imrs"), ("on", "08/06/2026")])
            .await;
        assert_eq!(s, 409);
        assert!(page.contains("Someone else changed this review"));
    }
}

#[tokio::test]
async fn sign_in_sign_out_and_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/sign-in"));
    let r = client.get(app.url("/sign-in")).send().await.unwrap();
    for h in ["content-security-policy", "x-frame-options", "x-content-type-options"] {
        assert!(r.headers().contains_key(h), "{h}");
    }
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let page = r.text().await.unwrap();
    let csrf = hidden(&page, "csrf_token").unwrap();
    let r = client
        .post(app.url("/sign-in"))
        .form(&[("email", app.email(Role::PanelMember)), ("password", "wrong password!"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Enter a correct email address and password"));
    // Without the sign-in form's token, even the right password is refused.
    let other = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = other
        .post(app.url("/sign-in"))
        .form(&[("email", app.email(Role::PanelMember)), ("password", PASSWORD), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let b = app.browser(app.email(Role::PanelMember)).await;
    let (s, _) = b.get("/").await;
    assert_eq!(s, 200);
    let (s, _, loc) = b.post("/sign-out", &[]).await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/sign-in"));
    let (s, _) = b.get("/").await;
    assert_eq!(s, 303, "the session ended");
    // Assets are served from the binary.
    let r = reqwest::get(app.url("/assets/govuk-frontend.min.css")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    let r = reqwest::get(app.url("/assets/fonts/bold-b542beb274-v2.woff2")).await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_browsers_keep_to_https() {
    use tower::ServiceExt;
    let (store, _dir, _) = fresh_store(Backend::Sqlite).await;
    let state = std::sync::Arc::new(casereview_web::AppState {
        store,
        config: casereview_web::Config { secure_cookies: true, today: Some(today()), ..Default::default() },
    });
    let app = casereview_web::router(state);
    let r = app.oneshot(axum::http::Request::get("/sign-in").body(axum::body::Body::empty()).unwrap()).await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}
