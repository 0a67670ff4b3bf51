//! The JSON API against the real application on both backends: the flow of a review,
//! every kind of bad input the foundation names, idempotency and optimistic concurrency.
#![allow(clippy::unwrap_used)]

mod common;

/// A change that makes a valid referral invalid.
type Mutation = Box<dyn Fn(&mut serde_json::Value)>;

use casereview_core::Role;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_review_moves_through_its_life_on_both_backends() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair, Role::PanelMember]).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let panel = app.api(app.email(Role::PanelChair)).await;
        let chair = app.api(app.email(Role::BoardChair)).await;

        let (s, v) = admin.get(&format!("/api/v1/reviews/{id}")).await;
        assert_eq!(s, 200, "{backend:?} {v}");
        assert_eq!(v["review"]["state"], "referred");
        assert_eq!(v["review"]["reference"], "TSCP-2026-001");
        assert_eq!(v["criteria"]["verdict"], "must_hold_review", "death with abuse or neglect");
        assert!(
            v["deadlines"].as_array().unwrap().iter().any(|d| d["status"] != "not_started"),
            "the clock runs from notification: {}",
            v["deadlines"]
        );

        // A decision before a recommendation is refused, naming what is missing.
        let (s, v) = chair
            .post(
                &format!("/api/v1/reviews/{id}/decision"),
                &json!({"kind": "serious_case_review", "issues_of_significance": "x", "signed_by": "C", "decided_on": "2026-06-10"}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("'referred'"), "{v}");

        let (s, v) =
            admin.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "secure_records", "on": "2026-06-03"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["review"]["state"], "records_secured");

        // Two organisations are not a quorum; nothing is stored.
        let mut two = meeting_json("conduct_serious_case_review");
        two["attendees"].as_array_mut().unwrap().pop();
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &two).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "attendees");
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("not quorate"));
        let (_, v) = panel.get(&format!("/api/v1/reviews/{id}/screening-meetings")).await;
        assert_eq!(v.as_array().unwrap().len(), 0);

        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &meeting_json("conduct_serious_case_review")).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["review"]["state"], "screening");

        // The recommendation must be the majority view.
        let rec = |opt: &str| json!({"option": opt, "reasons": "Criteria met", "legal_advice_sought": "no", "signed_by": "P", "signed_on": "2026-06-06"});
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/recommendation"), &rec("lessons_learned_review")).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "option");
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/recommendation"), &rec("conduct_serious_case_review")).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["review"]["state"], "recommended");

        // Only the board chair decides.
        let dec = json!({"kind": "serious_case_review", "issues_of_significance": "Information sharing", "proposed_overview_author": "M Lowe", "signed_by": "Chair", "decided_on": "2026-06-08"});
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/decision"), &dec).await;
        assert_eq!(s, 403, "{v}");
        let (s, v) = chair.post(&format!("/api/v1/reviews/{id}/decision"), &dec).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["review"]["state"], "scoping");
        assert_eq!(v["review"]["kind"], "serious_case_review");

        for (who, action, state) in [
            (&panel, "commission_imrs", "imrs"),
            (&admin, "compile_chronology", "chronology"),
            (&panel, "start_overview", "overview_drafting"),
            (&panel, "submit_to_board", "awaiting_adoption"),
            (&chair, "adopt", "adopted"),
            (&admin, "publish", "published"),
            (&admin, "start_monitoring", "monitoring"),
            (&chair, "conclude", "concluded"),
        ] {
            let (s, v) = who
                .post(
                    &format!("/api/v1/reviews/{id}/transitions"),
                    &json!({"action": action, "on": "2026-06-12", "department_informed_on": "2026-06-12"}),
                )
                .await;
            assert_eq!(s, 200, "{action}: {v}");
            assert_eq!(v["review"]["state"], state);
        }
        let (_, v) = admin.get(&format!("/api/v1/reviews/{id}/transitions")).await;
        assert_eq!(v.as_array().unwrap().len(), 13, "refer + 12 steps");
        assert!(v[0]["at"].is_string());
        let (_, v) = admin.get("/api/v1/audit/verify").await;
        assert_eq!(v["intact"], true, "{v}");
        let (_, v) = admin.get(&format!("/api/v1/audit?subject=review:{id}")).await;
        assert!(v.as_array().unwrap().len() >= 14, "every change is audited: {v}");
        // Concluded: nothing more can happen.
        let (s, _) = chair.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "conclude"})).await;
        assert_eq!(s, 422);
    }
}

#[tokio::test]
async fn no_further_action_closes_and_rescinds() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair]).await;
        let panel = app.api(app.email(Role::PanelChair)).await;
        let chair = app.api(app.email(Role::BoardChair)).await;
        panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &meeting_json("no_further_action")).await;
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/recommendation"), &json!({"option": "no_further_action", "reasons": "Not met", "legal_advice_sought": "yes", "signed_by": "P", "signed_on": "2026-06-06"})).await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = chair
            .post(
                &format!("/api/v1/reviews/{id}/decision"),
                &json!({"kind": "no_further_action", "signed_by": "Chair", "decided_on": "2026-06-07"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["review"]["state"], "closed_no_further_action");
        let last = v["history"].as_array().unwrap().last().unwrap().clone();
        assert!(last["note"].as_str().unwrap().contains("rescinded"), "{last}");
        assert!(v["next_deadline"].is_null());
    }
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_stores_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let cases: Vec<(&str, Mutation, &str)> = vec![
            ("impossible date", Box::new(|r| r["child"]["date_of_birth"] = json!("2023-02-30")), "child.date_of_birth"),
            ("death before birth", Box::new(|r| r["child"]["date_of_death"] = json!("2023-01-01")), "child.date_of_death"),
            ("no child name", Box::new(|r| r["child"]["name"] = json!("")), "child.name"),
            ("unknown agency", Box::new(|r| r["agencies_involved"][0]["agency"] = json!("CIAU")), "agencies_involved[0].agency"),
            ("bad family row", Box::new(|r| r["family"][0]["relationship"] = json!(" ")), "family[0].relationship"),
            ("incident before the clock's years", Box::new(|r| r["incident_date"] = json!("1985-03-01")), "incident_date"),
        ];
        for (what, mutate, field) in cases {
            let mut body = referral_json("Child B");
            mutate(&mut body);
            let (s, v) = admin.post("/api/v1/referrals", &body).await;
            assert_eq!(s, 422, "{what}: {v}");
            assert!(v["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{what}: {v}");
        }
        // Malformed JSON names the position; non-UTF-8 and oversized bodies are refused.
        let (s, t) = admin.raw(reqwest::Method::POST, "/api/v1/referrals", "application/json", b"{\"child\": ".to_vec()).await;
        assert_eq!(s, 400, "{t}");
        assert!(t.contains("line 1 column"), "{t}");
        let (s, t) = admin.raw(reqwest::Method::POST, "/api/v1/referrals", "application/json", vec![b'"', 0xff, 0xfe, b'"']).await;
        assert_eq!(s, 400, "{t}");
        assert!(t.contains("UTF-8"));
        let (s, t) = admin.raw(reqwest::Method::POST, "/api/v1/referrals", "application/json", vec![b' '; 2 * 1024 * 1024]).await;
        assert_eq!(s, 413, "{t}");
        assert!(t.contains("\"field\":\"body\""), "{t}");
        let (_, v) = admin.get("/api/v1/reviews").await;
        assert_eq!(v.as_array().unwrap().len(), 0, "nothing was stored");
        // A transition with an impossible date.
        let id = app.review_with_members(&[]).await;
        let (s, v) =
            admin.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "secure_records", "on": "2026-02-30"})).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "on");
        let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "fly"})).await;
        assert_eq!(s, 400, "{v}");
        assert_eq!(v["errors"][0]["field"], "action");
    }
}

#[tokio::test]
async fn double_submission_makes_one_referral() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let send = || async {
            let r = admin
                .client
                .post(format!("{}/api/v1/referrals", app.base))
                .bearer_auth(admin.token.as_ref().unwrap())
                .header("Idempotency-Key", "form-123")
                .json(&referral_json("Child D"))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<serde_json::Value>().await.unwrap())
        };
        let ((s1, v1), (s2, v2)) = tokio::join!(send(), send());
        let mut statuses = [s1, s2];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "{v1} {v2}");
        assert_eq!(v1["review"]["id"], v2["review"]["id"]);
        let (_, list) = admin.get("/api/v1/reviews").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        // Someone else's key is not theirs to reuse: refused, not answered with the review.
        let other = app.api(app.email(Role::PanelMember)).await;
        let r = other
            .client
            .post(format!("{}/api/v1/referrals", app.base))
            .bearer_auth(other.token.as_ref().unwrap())
            .header("Idempotency-Key", "form-123")
            .json(&referral_json("Child E"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], "Idempotency-Key");
    }
}

#[tokio::test]
async fn a_stale_save_is_refused_with_what_changed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair]).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let panel = app.api(app.email(Role::PanelChair)).await;
        let mut mine = referral_json("Child T");
        mine["carer_at_time"] = json!("Father");
        let mut theirs = referral_json("Child T");
        theirs["child"]["home_address"] = json!("2 Other Street");
        let (s, v) = admin.put(&format!("/api/v1/reviews/{id}/referral"), &json!({"version": 1, "referral": theirs})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["review"]["version"], 2);
        let (s, v) = panel.put(&format!("/api/v1/reviews/{id}/referral"), &json!({"version": 1, "referral": mine})).await;
        assert_eq!(s, 409, "{v}");
        assert_eq!(v["changed"], json!(["child.home_address"]));
        assert_eq!(v["current_version"], 2);
        let (_, v) = admin.get(&format!("/api/v1/reviews/{id}")).await;
        assert_eq!(v["review"]["referral"]["carer_at_time"], "Mother", "nothing was overwritten");
        assert_eq!(v["review"]["referral"]["child"]["home_address"], "2 Other Street");
        // A stale transition is refused too.
        let (s, _) = admin.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": "secure_records", "version": 1})).await;
        assert_eq!(s, 409);
    }
}

#[tokio::test]
async fn errors_are_problem_json_and_openapi_describes_every_route() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = reqwest::get(app.url("/api/v1/reviews")).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/me",
        "/reviews",
        "/referrals",
        "/reviews/{id}",
        "/reviews/{id}/referral",
        "/reviews/{id}/screening-meetings",
        "/reviews/{id}/recommendation",
        "/reviews/{id}/decision",
        "/reviews/{id}/transitions",
        "/reviews/{id}/criteria",
        "/reviews/{id}/members",
        "/audit",
        "/audit/verify",
        "/deadlines",
        "/reviews/{id}/deadlines",
        "/reviews/{id}/deadlines/{step}/extensions",
        "/reviews/{id}/deadlines/{step}/waiver",
        "/calendar-feed",
        "/reviews/{id}/events",
        "/reviews/{id}/scoping",
        "/reviews/{id}/family-involvement",
        "/reviews/{id}/joint-review",
        "/reviews/{id}/ofsted-notification",
        "/reviews/{id}/proceedings",
        "/reviews/{id}/proceedings/{rid}",
        "/reviews/{id}/meetings",
        "/reviews/{id}/meetings/{rid}",
        "/reviews/{id}/notifications",
        "/reviews/{id}/notifications/{rid}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from openapi.json");
    }
    let bad = app.anonymous_api();
    let r = bad.client.get(app.url("/api/v1/reviews")).bearer_auth("cr_wrong").send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn criteria_answers_are_saved_and_change_the_advice() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.api(app.email(Role::PartnershipAdmin)).await;
    let mut body = referral_json("Child C");
    body["child"]["date_of_death"] = json!("");
    body["triggers"] = json!({"interagency_concerns": true});
    let (s, v) = admin.post("/api/v1/referrals", &body).await;
    assert_eq!(s, 201, "{v}");
    let id = v["review"]["id"].as_i64().unwrap();
    assert_eq!(v["criteria"]["verdict"], "should_consider");
    let (s, v) = admin.put(&format!("/api/v1/reviews/{id}/criteria"), &json!({"answers": {"risk_not_recognised": true, "range_of_agencies": true, "protocols_need_change": true, "died_in_custody": false}})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["advice"]["yes_answers"], 3);
    let (s, v) = admin.put(&format!("/api/v1/reviews/{id}/criteria"), &json!({"answers": {"invented": true}})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "answers.invented");
}
