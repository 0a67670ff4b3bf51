//! IMRs through the API on both backends: commissioning after the decision, appointing an
//! author under the independence rules (and the board chair's recorded override), the
//! IMR's life from request to sign-off, its sections, who may see it, and audited reads.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::Role;
use casereview_store::{Actor, NewUser};
use common::*;
use serde_json::json;

async fn user(app: &TestApp, email: &str, name: &str, role: Role, agency: &str) -> i64 {
    let (admin, _) = app.state.store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
    let hash = casereview_web::auth::hash_password(PASSWORD).unwrap();
    let u = NewUser {
        partnership_id: admin.partnership_id,
        email: email.into(),
        name: name.into(),
        role,
        agency: Some(agency.into()),
        password_hash: hash,
    };
    app.state.store.create_user(&Actor::system(admin.partnership_id), &u).await.unwrap().id
}

/// A Serious Case Review decided and in scoping, with the panel chair and board chair on it.
async fn decided_review(app: &TestApp) -> i64 {
    let id = app.review_with_members(&[Role::PanelChair]).await;
    let panel = app.api(app.email(Role::PanelChair)).await;
    let chair = app.api(app.email(Role::BoardChair)).await;
    panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &meeting_json("conduct_serious_case_review")).await;
    let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/recommendation"), &json!({"option": "conduct_serious_case_review", "reasons": "Met", "legal_advice_sought": "no", "signed_by": "P", "signed_on": "2026-06-06"})).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = chair
        .post(
            &format!("/api/v1/reviews/{id}/decision"),
            &json!({"kind": "serious_case_review", "issues_of_significance": "x", "signed_by": "C", "decided_on": "2026-06-08"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    id
}

#[tokio::test]
async fn imrs_from_request_to_sign_off_with_independence_checks() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = decided_review(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let author_id = user(&app, "hv.author@testshire.example", "Pat Green", Role::AgencyAuthor, "Health").await;
        let conflicted = user(&app, "manager@health.example", "Ann Smith", Role::AgencyAuthor, "Health").await;
        let head_id = user(&app, "head@health.example", "Health Head", Role::AgencyHead, "Health").await;
        let police_author = user(&app, "author@police.example", "Police Author", Role::AgencyAuthor, "Police").await;
        for uid in [head_id, police_author] {
            admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": uid})).await;
        }

        // Commission: agencies are checked, the due date comes from the ruleset (Medway: 25
        // working days after the decision of 8 June 2026).
        let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/imrs"), &json!({"agencies": ["CIAU"]})).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "agencies[0]");
        let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/imrs"), &json!({"agencies": ["health", "Police"]})).await;
        assert_eq!(s, 201, "{v}");
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), 2);
        let health = list.iter().find(|i| i["agency"] == "Health").unwrap();
        assert_eq!(health["status"], "requested");
        assert_eq!(health["due_on"], "2026-07-13");
        let imr = health["id"].as_i64().unwrap();

        // The practitioner list drives the independence rules.
        let (s, v) = admin
            .post(
                &format!("/api/v1/reviews/{id}/practitioners"),
                &json!({"name": "Jo Bloggs", "agency": "health", "role": "Health Visitor", "line_manager": "Ann Smith"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, v) =
            admin.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "appoint_author", "author_user_id": conflicted})).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("line manager of Jo Bloggs"), "{v}");
        // Only the board chair overrides, and the reason is recorded.
        let chair = app.api(app.email(Role::BoardChair)).await;
        let (s, v) = chair
            .post(
                &format!("/api/v1/imrs/{imr}/steps"),
                &json!({"action": "appoint_author", "author_user_id": conflicted, "override_reason": ""}),
            )
            .await;
        assert_eq!(s, 422, "an override needs its reason: {v}");
        let (s, v) = chair
            .post(
                &format!("/api/v1/imrs/{imr}/steps"),
                &json!({"action": "appoint_author", "author_user_id": conflicted, "override_reason": "The only Health author with the specialist knowledge; she did not manage Jo Bloggs at the time"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["author_name"], "Ann Smith");
        let (_, log) = admin.get(&format!("/api/v1/audit?subject=review:{id}")).await;
        assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "independence.override"));
        let (s, v) =
            admin.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "appoint_author", "author_user_id": author_id})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "author_appointed");
        assert_eq!(v["author_name"], "Pat Green");

        // The author writes and submits; the agency head signs off.
        let author = app.api("hv.author@testshire.example").await;
        let (s, v) = author.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "start"})).await;
        assert_eq!(s, 200, "{v}");
        let version = v["version"].as_i64().unwrap();
        let (s, v) = author
            .put(
                &format!("/api/v1/imrs/{imr}/sections"),
                &json!({"version": version, "sections": {"analysis": "What was known, by whom, and when.", "bogus": "x"}}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "sections.bogus");
        let (s, v) = author
            .put(
                &format!("/api/v1/imrs/{imr}/sections"),
                &json!({"version": version, "sections": {"analysis": "What was known, by whom, and when."}}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) =
            author.put(&format!("/api/v1/imrs/{imr}/sections"), &json!({"version": version, "sections": {"analysis": "stale"}})).await;
        assert_eq!(s, 409, "{v}");
        let (s, v) = author.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "sign_off"})).await;
        assert_eq!(s, 403, "{v}");
        author.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "submit"})).await;
        let head = app.api("head@health.example").await;
        let (s, v) = head.post(&format!("/api/v1/imrs/{imr}/steps"), &json!({"action": "sign_off"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "signed_off");
        assert_eq!(v["signed_off_by"], "Health Head");

        // Another agency's author sees only their own agency's IMR.
        let police = app.api("author@police.example").await;
        let (_, v) = police.get(&format!("/api/v1/reviews/{id}/imrs")).await;
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["agency"], "Police");
        let (s, _) = police.get(&format!("/api/v1/imrs/{imr}")).await;
        assert_eq!(s, 404);
        // Reading the report is audited.
        let (s, v) = head.get(&format!("/api/v1/imrs/{imr}")).await;
        assert_eq!(s, 200);
        assert_eq!(v["sections"]["analysis"], "What was known, by whom, and when.");
        let (_, log) = admin.get(&format!("/api/v1/audit?subject=review:{id}")).await;
        assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "imr.read" && e["actor"] == "head@health.example"));
    }
}

#[tokio::test]
async fn panel_appointments_follow_the_independence_rules_unless_the_chair_overrides() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = decided_review(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        // An overview author from an involved agency (the referral names Health) is refused.
        let oa = user(&app, "oa@health.example", "Olive Author", Role::OverviewAuthor, "Health").await;
        let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": oa})).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "user_id");
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("agency involved"), "{v}");
        let chair = app.api(app.email(Role::BoardChair)).await;
        let (s, v) = chair
            .post(
                &format!("/api/v1/reviews/{id}/members"),
                &json!({"user_id": oa, "override_reason": "No independent author available; she has never worked in the child's locality"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (_, log) = admin.get(&format!("/api/v1/audit?subject=review:{id}")).await;
        let o = log.as_array().unwrap().iter().find(|e| e["action"] == "independence.override").unwrap().clone();
        assert!(o["details"].as_str().unwrap().contains("never worked in the child's locality"));
    }
}
