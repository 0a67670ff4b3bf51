//! Chronologies in the application on both backends: an agency's upload is checked and
//! previewed before anything is saved, all-or-nothing unless the user chooses the valid
//! rows, agency staff see only their agency's entries, discrepancies are resolved with an
//! audit trail, and exports are safe against formula injection.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::Role;
use casereview_store::{Actor, NewUser};
use common::*;
use serde_json::json;

async fn agency_user(app: &TestApp, email: &str, role: Role, agency: &str) {
    let (admin, _) = app.state.store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
    let u = NewUser {
        partnership_id: admin.partnership_id,
        email: email.into(),
        name: email.into(),
        role,
        agency: Some(agency.into()),
        password_hash: casereview_web::auth::hash_password(PASSWORD).unwrap(),
    };
    let u = app.state.store.create_user(&Actor::system(admin.partnership_id), &u).await.unwrap();
    let rid = 1;
    app.state.store.add_member(&admin.actor(), rid, u.id).await.unwrap();
}

const HEALTH: &str = "Testshire Health chronology\nPrepared for the SCR panel\n\nDate/Time,Child/Family member,Professional,Significant Events/Incidents and if child seen,Agency,Reviewer's comment\n12/03/24 10:15,Child T,Health Visitor 1,\"Home visit to the family, child seen asleep in cot\",HEALTH,=HYPERLINK(\"http://x\")\n03/2024,Mother,GP,Mother attended surgery with low mood,Health,\n18/03/2024,Child T,Safeguarding Nurse,Strategy discussion held with police and social care,Health,\n31/02/2024,Child T,HV1,Missed appointment,Health,\n";
const POLICE: &str = "Date,Name,Role,Significant event,Child seen?,Agency\n12/03/2024,Child T,PC 1,\"Home visit to the family, child seen asleep\",No,Police\n20/03/2024,Child T,DS 2,Strategy discussion held with health and social care,,Police\n";

async fn upload(app: &TestApp, email: &str, name: &str, body: &str) -> serde_json::Value {
    let api = app.api(email).await;
    let r = api
        .client
        .post(app.url(&format!("/api/v1/reviews/1/chronology/uploads?file_name={name}")))
        .bearer_auth(api.token.as_ref().unwrap())
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn uploads_are_checked_previewed_and_merged() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::OverviewAuthor]).await;
        assert_eq!(id, 1);
        agency_user(&app, "hv@health.example", Role::AgencyAuthor, "Health").await;
        agency_user(&app, "pc@police.example", Role::AgencyAuthor, "Police").await;

        let up = upload(&app, "hv@health.example", "health.csv", HEALTH).await;
        assert_eq!(up["status"], "pending");
        assert_eq!(up["entries"], 3);
        assert_eq!(up["errors"], 1);
        let p = &up["problems"][0];
        assert_eq!(p["row"], 8);
        assert!(p["reason"].as_str().unwrap().contains("31 February"), "{p}");
        let uid = up["id"].as_i64().unwrap();
        let hv = app.api("hv@health.example").await;
        // All or nothing: refused while a row has errors, nothing saved.
        let (s, v) = hv.post(&format!("/api/v1/chronology/uploads/{uid}/confirm"), &json!({})).await;
        assert_eq!(s, 422, "{v}");
        let (_, v) = hv.get("/api/v1/reviews/1/chronology").await;
        assert_eq!(v["entries"].as_array().unwrap().len(), 0);
        // The user chooses the valid rows.
        let (s, v) = hv.post(&format!("/api/v1/chronology/uploads/{uid}/confirm"), &json!({"valid_only": true})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "saved_valid_only");

        let up = upload(&app, "pc@police.example", "police.csv", POLICE).await;
        assert_eq!(up["errors"], 0, "{up}");
        let pc = app.api("pc@police.example").await;
        let (s, _) = pc.post(&format!("/api/v1/chronology/uploads/{}/confirm", up["id"]), &json!({})).await;
        assert_eq!(s, 200);
        // The police author cannot see Health's upload, and sees only Police entries.
        let (s, _) = pc.get(&format!("/api/v1/chronology/uploads/{uid}")).await;
        assert_eq!(s, 404);
        let (_, v) = pc.get("/api/v1/reviews/1/chronology").await;
        assert!(v["entries"].as_array().unwrap().iter().all(|e| e["agency"] == "Police"));

        // The overview author sees the whole integrated chronology and its discrepancies.
        let oa = app.api(app.email(Role::OverviewAuthor)).await;
        let (_, v) = oa.get("/api/v1/reviews/1/chronology").await;
        let entries = v["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0]["precision"], "month", "month-only entries are placed at the start of their month");
        let discs = v["discrepancies"].as_array().unwrap();
        assert!(discs.iter().any(|d| d["kind"] == "different_dates"), "{v}");
        assert!(discs.iter().any(|d| d["kind"] == "child_seen_conflict"), "Health says seen, Police says not: {v}");
        let did = discs[0]["id"].as_str().unwrap().to_string();
        let (s, v) =
            oa.post(&format!("/api/v1/reviews/1/chronology/discrepancies/{did}"), &json!({"resolution": "note", "note": ""})).await;
        assert_eq!(s, 422, "{v}");
        let (s, v) = oa
            .post(
                &format!("/api/v1/reviews/1/chronology/discrepancies/{did}"),
                &json!({"resolution": "note", "note": "The police visit was the next morning."}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, _) =
            pc.post(&format!("/api/v1/reviews/1/chronology/discrepancies/{did}"), &json!({"resolution": "note", "note": "x"})).await;
        assert_eq!(s, 403);

        // Exports: a formula typed into a cell stays text.
        let b = app.browser(app.email(Role::OverviewAuthor)).await;
        let (s, csv) = b.get("/reviews/1/chronology/export.csv").await;
        assert_eq!(s, 200);
        assert!(csv.contains("'=HYPERLINK"), "neutralised: {csv}");
        let r = b.client.get(app.url("/reviews/1/chronology/export.xlsx")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let (s, page) = b.get("/reviews/1/chronology?agency=Police").await;
        assert_eq!(s, 200);
        assert!(page.contains("2 of 5 entries"));
        let (_, log) = app.api(app.email(Role::PartnershipAdmin)).await.get("/api/v1/audit?subject=review:1").await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["chronology.upload", "chronology.save", "chronology.read", "chronology.export", "chronology.resolve"] {
            assert!(actions.contains(&a), "{a} audited: {actions:?}");
        }
    }
}
