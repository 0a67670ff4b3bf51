//! Recommendations and action plans on both backends: the store's rules (drafts, adoption,
//! IMR recommendations carried in, actions, sign-up, updates kept as history, evidence
//! checks, sign-off) and the pages and API over them.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::recommendations::{PlanAction, Rag, Recommendation, RecommendationPart, RecommendationStatus, Source};
use casereview_core::Role;
use casereview_store::{Actor, NewEvidence, NewUser, StoreError};
use chrono::NaiveDate;
use common::*;
#[allow(unused_imports)]
use serde_json::json;

const MB10: usize = 10 * 1024 * 1024;

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

async fn actor(app: &TestApp, email: &str) -> Actor {
    app.state.store.user_by_email(email).await.unwrap().unwrap().0.actor()
}

async fn audit_len(app: &TestApp, review_id: i64) -> usize {
    let q =
        casereview_store::AuditQuery { partnership_id: None, subject: Some(format!("review:{review_id}")), limit: 10_000, before: None };
    app.state.store.audit_events(&q).await.unwrap().len()
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn part(task: &str, agency: &str, who: &str, measure: &str, due: Option<NaiveDate>) -> RecommendationPart {
    RecommendationPart {
        task: task.into(),
        agency: agency.into(),
        addressee_name: who.into(),
        addressee_position: "Director".into(),
        measure: measure.into(),
        due_on: due,
    }
}

fn plan_action(what: &str) -> PlanAction {
    PlanAction {
        action: what.into(),
        by_whom: "Named Doctor".into(),
        intended_outcome: "Every unexplained injury in a baby is referred".into(),
        monitoring: "Quarterly audit of 20 records".into(),
        due_on: date("2026-12-31"),
    }
}

#[tokio::test]
async fn store_recommendations_adoption_actions_and_history() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let store = &app.state.store;
        let id = app.review_with_members(&[Role::OverviewAuthor]).await;
        let author = actor(&app, app.email(Role::OverviewAuthor)).await;
        let chair = actor(&app, app.email(Role::BoardChair)).await;
        let admin = actor(&app, app.email(Role::PartnershipAdmin)).await;

        // A draft without addressee and date saves, but cannot be adopted; nothing changes.
        let draft = Recommendation {
            text: "Health should train staff".into(),
            parts: vec![
                part(
                    "Train all health visitors in bruising protocols",
                    "Health",
                    "Dr Jane Smith",
                    "90% of health visitors trained",
                    date("2027-03-31"),
                ),
                part("Audit referrals of bruised babies", "Health", "", "", None),
            ],
        };
        let r = store.create_recommendation(&author, id, &draft).await.unwrap();
        assert_eq!((r.number, r.status, r.source), (1, RecommendationStatus::Draft, Source::Overview));
        assert_eq!(r.parts.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(), ["1a", "1b"]);
        let before = audit_len(&app, id).await;
        match store.adopt_recommendation(&chair, r.id).await {
            Err(StoreError::Invalid(e)) => {
                assert!(e.get("parts[1].addressee_name").unwrap().contains("Part 1b"), "{e}");
                assert!(e.get("parts[1].due_on").is_some(), "{e}");
                assert!(e.get("parts[0].addressee_name").is_none());
            }
            other => panic!("adoption of an incomplete draft: {other:?}"),
        }
        assert_eq!(store.report_recommendation(r.id).await.unwrap().status, RecommendationStatus::Draft);
        assert_eq!(audit_len(&app, id).await, before, "a refused adoption writes nothing");
        // Only the board chair adopts.
        assert!(matches!(store.adopt_recommendation(&author, r.id).await, Err(StoreError::Invalid(_))));
        // Actions wait for adoption.
        assert!(matches!(store.add_action(&admin, r.parts[0].id, &plan_action("Run training")).await, Err(StoreError::Invalid(_))));

        // Completed, it is adopted and fixed.
        let mut fixed = draft.clone();
        fixed.parts[1] = part("Audit referrals of bruised babies", "Health", "Dr Jane Smith", "Audit of 20 records", date("2027-06-30"));
        let r = store.update_recommendation(&author, r.id, &fixed).await.unwrap();
        let r2 = store.adopt_recommendation(&chair, r.id).await.unwrap();
        assert_eq!(r2.status, RecommendationStatus::Adopted);
        assert_eq!(r2.adopted_by.as_deref(), Some(chair.name.as_str()));
        assert!(matches!(store.update_recommendation(&author, r.id, &draft).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.delete_draft_recommendation(&author, r.id).await, Err(StoreError::Invalid(_))));

        // A second, single-part recommendation is numbered 2 and shows as "2"; a draft deletes.
        let single = Recommendation {
            text: "x".into(),
            parts: vec![part("Revise the policy", "Police", "DCI Brown", "Policy published", date("2027-01-31"))],
        };
        let s = store.create_recommendation(&author, id, &single).await.unwrap();
        assert_eq!((s.number, s.parts[0].label.as_str()), (2, "2"));
        store.delete_draft_recommendation(&author, s.id).await.unwrap();
        assert_eq!(store.report_recommendations(id).await.unwrap().len(), 1);

        // Actions, agency plans and partnership-wide reads.
        let a1 = store.add_action(&admin, r2.parts[0].id, &plan_action("Run four training sessions")).await.unwrap();
        let a2 = store.add_action(&admin, r2.parts[1].id, &plan_action("Audit 20 records")).await.unwrap();
        assert_eq!((a1.part_label.as_str(), a1.agency.as_str(), a1.rag), ("1a", "Health", Rag::Green));
        assert_eq!(store.action_plan(id, None).await.unwrap().len(), 2);
        assert_eq!(store.action_plan(id, Some(a1.agency_id)).await.unwrap().len(), 2);
        let police = store.agencies(admin.partnership_id).await.unwrap().into_iter().find(|a| a.name == "Police").unwrap();
        assert!(store.action_plan(id, Some(police.id)).await.unwrap().is_empty());
        assert_eq!(store.partnership_actions(admin.partnership_id).await.unwrap().len(), 2);

        // Sign-up: only the head of the action's own agency.
        user(&app, "head@health.example", "Health Head", Role::AgencyHead, "Health").await;
        user(&app, "head@police.example", "Police Head", Role::AgencyHead, "Police").await;
        let police_head = actor(&app, "head@police.example").await;
        let health_head = actor(&app, "head@health.example").await;
        assert!(matches!(store.sign_up_action(&police_head, a1.id).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.sign_up_action(&admin, a1.id).await, Err(StoreError::Invalid(_))));
        let up = store.sign_up_action(&health_head, a1.id).await.unwrap();
        assert_eq!(up.signed_up_by.as_deref(), Some("Health Head"));
        assert!(store.sign_up_action(&health_head, a1.id).await.is_err(), "signs up once");

        // Updates are history; evidence is checked and stored with its hash.
        store.add_action_update(&health_head, a1.id, Rag::Amber, "Two sessions booked", &[], MB10).await.unwrap();
        let pdf = NewEvidence { file_name: "register.pdf".into(), bytes: b"%PDF-1.4 attendance".to_vec() };
        let u2 = store.add_action_update(&health_head, a1.id, Rag::Completed, "All four sessions held", &[pdf], MB10).await.unwrap();
        assert_eq!(u2.evidence.len(), 1);
        assert_eq!(u2.evidence[0].sha256.len(), 64);
        let hist = store.action_updates(a1.id).await.unwrap();
        assert_eq!(
            hist.iter().map(|u| (u.rag, u.note.as_str())).collect::<Vec<_>>(),
            [(Rag::Amber, "Two sessions booked"), (Rag::Completed, "All four sessions held")]
        );
        assert_eq!(store.plan_action(a1.id).await.unwrap().rag, Rag::Completed);
        let file = store.read_evidence(&admin, u2.evidence[0].id).await.unwrap();
        assert_eq!(file.content, b"%PDF-1.4 attendance");
        for (name, bytes, max) in [
            ("virus.exe", b"MZ..".to_vec(), MB10),
            ("fake.pdf", b"MZ..".to_vec(), MB10),
            ("big.pdf", [b"%PDF-".as_slice(), &[b' '; 100]].concat(), 50),
        ] {
            let ev = NewEvidence { file_name: name.into(), bytes };
            match store.add_action_update(&health_head, a2.id, Rag::Red, "Late", &[ev], max).await {
                Err(StoreError::Invalid(e)) => assert!(e.get("evidence").is_some(), "{name}: {e}"),
                other => panic!("{name} accepted: {other:?}"),
            }
        }
        assert!(store.action_updates(a2.id).await.unwrap().is_empty(), "a refused update writes nothing");
        assert_eq!(store.plan_action(a2.id).await.unwrap().rag, Rag::Green);

        // Sign-off: board only, completed only.
        assert!(store.sign_off_action(&health_head, a1.id).await.is_err());
        assert!(store.sign_off_action(&chair, a2.id).await.is_err(), "not completed");
        let off = store.sign_off_action(&chair, a1.id).await.unwrap();
        assert!(off.is_signed_off());
        assert!(store.add_action_update(&health_head, a1.id, Rag::Red, "Again", &[], MB10).await.is_err());
    }
}

#[tokio::test]
async fn signed_off_imr_recommendations_are_carried_as_drafts() {
    use casereview_core::imr::{ImrAction, ImrCaller};
    use casereview_store::ImrChange;
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let store = &app.state.store;
        let id = app.review_with_members(&[Role::OverviewAuthor]).await;
        let admin = actor(&app, app.email(Role::PartnershipAdmin)).await;
        let author = actor(&app, app.email(Role::OverviewAuthor)).await;
        store
            .commission_imrs(&admin, id, &["Health".into(), "Police".into()], date("2026-06-10").unwrap(), date("2026-07-10").unwrap())
            .await
            .unwrap();
        let imrs = store.imrs(id).await.unwrap();
        let coord = ImrCaller { role: Some(Role::PartnershipAdmin), is_author: true, same_agency: false };
        let head = ImrCaller { role: Some(Role::AgencyHead), is_author: false, same_agency: true };
        for imr in &imrs {
            let change = ImrChange { author: Some((None, "Pat".into())), on: None };
            store.imr_step(&admin, imr.id, ImrAction::AppointAuthor, coord, &change, None).await.unwrap();
            store.imr_step(&admin, imr.id, ImrAction::Start, coord, &ImrChange::default(), None).await.unwrap();
            let v = store.imr(imr.id).await.unwrap().version;
            let text = if imr.agency == "Health" {
                "1. Train all health visitors\n2. Audit 20 records quarterly"
            } else {
                "Revise the missing-child policy"
            };
            let sections = [("recommendations".to_string(), text.to_string())].into_iter().collect();
            store.save_imr_sections(&admin, imr.id, v, &sections).await.unwrap();
            store.imr_step(&admin, imr.id, ImrAction::Submit, coord, &ImrChange::default(), None).await.unwrap();
            // Only Health's IMR is signed off: Police's recommendations are not carried yet.
            if imr.agency == "Health" {
                store.imr_step(&admin, imr.id, ImrAction::SignOff, head, &ImrChange::default(), None).await.unwrap();
            }
        }
        assert_eq!(store.carry_imr_recommendations(&author, id).await.unwrap(), 2);
        assert_eq!(store.carry_imr_recommendations(&author, id).await.unwrap(), 0, "carried once");
        let recs = store.report_recommendations(id).await.unwrap();
        assert_eq!(
            recs.iter().map(|r| (r.number, r.source, r.source_agency.as_deref(), r.text.as_str())).collect::<Vec<_>>(),
            [(1, Source::Imr, Some("Health"), "Train all health visitors"), (2, Source::Imr, Some("Health"), "Audit 20 records quarterly"),]
        );
        assert!(recs.iter().all(|r| r.status == RecommendationStatus::Draft && r.parts.len() == 1 && r.parts[0].agency == "Health"));
    }
}

/// A multipart/form-data body: (name, file name, content).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    const B: &str = "----casereview-actions-test";
    let mut body = Vec::new();
    for (name, file, value) in parts {
        body.extend_from_slice(format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes()),
            None => body.extend_from_slice(b"\r\n\r\n"),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={B}"), body)
}

/// Posts an update with one evidence file through the page's form.
async fn upload(b: &Browser, aid: i64, rag: &str, note: &str, file: Option<(&str, &[u8])>) -> (u16, String) {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> =
        vec![("csrf_token", None, b.csrf.as_bytes()), ("rag", None, rag.as_bytes()), ("note", None, note.as_bytes())];
    if let Some((name, bytes)) = file {
        parts.push(("evidence", Some(name), bytes));
    }
    let (ct, body) = multipart(&parts);
    let r = b.client.post(format!("{}/actions/{aid}/updates", b.base)).header("content-type", ct).body(body).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A review with an adopted two-part recommendation (Health, Police) and one action on
/// each part; returns (review, [Health action, Police action]).
async fn adopted_plan(app: &TestApp) -> (i64, [i64; 2]) {
    let id = app.review_with_members(&[Role::OverviewAuthor, Role::Regulator, Role::AgencyAuthor]).await;
    let author = app.api(app.email(Role::OverviewAuthor)).await;
    let chair = app.api(app.email(Role::BoardChair)).await;
    let body = json!({"text": "Agencies should act on bruising in babies", "parts": [
        {"task": "Train all health visitors in the bruising protocol", "agency": "Health", "addressee_name": "Dr Jane Smith", "addressee_position": "Designated Nurse", "measure": "95% of health visitors trained", "due_on": "2027-03-31"},
        {"task": "Brief all response officers on the protocol", "agency": "Police", "addressee_name": "DCI Sam Brown", "addressee_position": "Head of Public Protection", "measure": "All officers briefed", "due_on": "2027-01-31"}
    ]});
    let (s, v) = author.post(&format!("/api/v1/reviews/{id}/recommendations"), &body).await;
    assert_eq!(s, 201, "{v}");
    let rid = v["id"].as_i64().unwrap();
    let (s, v) = chair.post(&format!("/api/v1/reviews/{id}/recommendations/{rid}/adopt"), &json!({})).await;
    assert_eq!(s, 200, "{v}");
    let mut ids = [0; 2];
    for (i, p) in v["parts"].as_array().unwrap().iter().enumerate() {
        let (s, x) = author
            .post(
                &format!("/api/v1/recommendation-parts/{}/actions", p["id"]),
                &json!({"action": format!("Action {i}"), "by_whom": "Lead", "intended_outcome": "Safer babies", "monitoring": "Quarterly audit", "due_on": "2026-12-31"}),
            )
            .await;
        assert_eq!(s, 201, "{x}");
        ids[i] = x["id"].as_i64().unwrap();
    }
    (id, ids)
}

#[tokio::test]
async fn smart_flags_shown_and_incomplete_draft_not_adopted_through_pages() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::OverviewAuthor, Role::Regulator]).await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let (s, page) = author.get(&format!("/reviews/{id}/recommendations/new")).await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("name=\"parts-0-task\""));
        // One part with two tasks, a vague verb, no measure, addressed to a team, no date.
        let (s, body, loc) = author
            .post(
                &format!("/reviews/{id}/recommendations"),
                &[
                    ("text", "Health should consider its training"),
                    ("parts-0-task", "Consider the training needs and develop a new course"),
                    ("parts-0-agency", "Health"),
                    ("parts-0-addressee_name", "Safeguarding Team"),
                    ("parts-0-measure", ""),
                    ("parts-0-due_on", ""),
                    ("parts-1-task", ""),
                ],
            )
            .await;
        assert_eq!(s, 303, "{body}");
        assert_eq!(loc.as_deref(), Some(format!("/reviews/{id}/recommendations?done=saved").as_str()));
        let (_, list) = author.get(&format!("/reviews/{id}/recommendations")).await;
        for flag in
            ["more than one task", "No measure of success", "is vague without a measure", "No date", "is a team or service, not a person"]
        {
            assert!(list.contains(flag), "SMART flag '{flag}' not shown");
        }
        assert!(list.contains(">Draft<"));
        // A bad date is refused naming the part's field, with the text kept.
        let recs = app.state.store.report_recommendations(id).await.unwrap();
        let rid = recs[0].id;
        let (s, body, _) = author
            .post(&format!("/recommendations/{rid}"), &[("text", "x"), ("parts-0-task", "Train staff"), ("parts-0-due_on", "31/02/2027")])
            .await;
        assert_eq!(s, 422);
        assert!(body.contains("href=\"#parts-0-due_on\"") && body.contains("value=\"31/02/2027\""), "{body}");

        // The board chair cannot adopt it: the error names the part and field; nothing changes.
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let before = audit_len(&app, id).await;
        let (s, body, _) = chair.post(&format!("/recommendations/{rid}/adopt"), &[]).await;
        assert_eq!(s, 422, "{body}");
        assert!(body.contains("Part 1 has no date"), "{body}");
        assert!(
            body.contains(&format!("href=\"#rec-{rid}-parts-0-due_on\"")) && body.contains(&format!("id=\"rec-{rid}-parts-0-due_on\""))
        );
        assert_eq!(audit_len(&app, id).await, before);
        assert_eq!(app.state.store.report_recommendation(rid).await.unwrap().status, RecommendationStatus::Draft);
        // Only drafters write; the regulator reads.
        let regulator = app.browser(app.email(Role::Regulator)).await;
        let (s, page) = regulator.get(&format!("/reviews/{id}/recommendations")).await;
        assert_eq!(s, 200);
        assert!(!page.contains("Add a recommendation") && !page.contains("Adopt recommendation"));
        let (s, _, _) = regulator.post(&format!("/reviews/{id}/recommendations"), &[("text", "x"), ("parts-0-task", "y")]).await;
        assert_eq!(s, 403);
        let (s, _, _) = author.post(&format!("/recommendations/{rid}/adopt"), &[]).await;
        assert_eq!(s, 403);
        // Completed, the chair adopts it.
        let (s, _, _) = author
            .post(
                &format!("/recommendations/{rid}"),
                &[
                    ("text", "x"),
                    ("parts-0-task", "Train staff"),
                    ("parts-0-agency", "Health"),
                    ("parts-0-addressee_name", "Dr Jane Smith"),
                    ("parts-0-due_on", "31/03/2027"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (s, _, _) = chair.post(&format!("/recommendations/{rid}/adopt"), &[]).await;
        assert_eq!(s, 303);
        assert_eq!(app.state.store.report_recommendation(rid).await.unwrap().status, RecommendationStatus::Adopted);
        // A non-member sees nothing.
        let outsider = app.browser(&app.outsider).await;
        assert_eq!(outsider.get(&format!("/reviews/{id}/recommendations")).await.0, 404);
    }
}

#[tokio::test]
async fn api_round_trip_plan_and_updates() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, [health, police]) = adopted_plan(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let (s, v) = admin.get(&format!("/api/v1/reviews/{id}/recommendations")).await;
        assert_eq!(s, 200);
        assert_eq!(v[0]["status"], "adopted");
        assert_eq!(v[0]["parts"][1]["label"], "1b");
        assert!(v[0]["smart"].as_array().unwrap().is_empty(), "{v}");

        // A draft without addressee/date: saved, SMART findings returned, adoption refused.
        let author = app.api(app.email(Role::OverviewAuthor)).await;
        let (s, d) = author
            .post(
                &format!("/api/v1/reviews/{id}/recommendations"),
                &json!({"text": "Review the policy", "parts": [{"task": "Review the policy", "agency": "Police"}]}),
            )
            .await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(d["number"], 2);
        let rules: Vec<&str> = d["smart"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        for r in ["no_measure", "vague_verb", "no_date", "no_addressee"] {
            assert!(rules.contains(&r), "{rules:?}");
        }
        let chair = app.api(app.email(Role::BoardChair)).await;
        let (s, e) = chair.post(&format!("/api/v1/reviews/{id}/recommendations/{}/adopt", d["id"]), &json!({})).await;
        assert_eq!(s, 422, "{e}");
        let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["parts[0].addressee_name", "parts[0].due_on"]);
        // Adopting through another review's path is not found.
        let other = app.review_with_members(&[]).await;
        assert_eq!(chair.post(&format!("/api/v1/reviews/{other}/recommendations/{}/adopt", d["id"]), &json!({})).await.0, 404);

        // The composite plan and the agency plans.
        let (s, plan) = admin.get(&format!("/api/v1/reviews/{id}/action-plan")).await;
        assert_eq!(s, 200);
        assert_eq!(plan["actions"].as_array().unwrap().len(), 2);
        let health_id = plan["actions"][0]["agency_id"].as_i64().unwrap();
        let (_, hp) = admin.get(&format!("/api/v1/reviews/{id}/action-plan?agency={health_id}")).await;
        assert_eq!(hp["agency"], "Health");
        assert_eq!(hp["actions"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect::<Vec<_>>(), [health]);
        assert_eq!(admin.get(&format!("/api/v1/reviews/{id}/action-plan?agency=999999")).await.0, 422);

        // Updates by JSON are kept as history.
        user(&app, "head@health.example", "Health Head", Role::AgencyHead, "Health").await;
        let hid = app.user_id("head@health.example").await;
        admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": hid})).await;
        let head = app.api("head@health.example").await;
        for (rag, note) in [("amber", "Course booked"), ("green", "Half trained"), ("completed", "All trained")] {
            let (s, u) = head.post(&format!("/api/v1/actions/{health}/updates"), &json!({"rag": rag, "note": note})).await;
            assert_eq!(s, 201, "{u}");
        }
        let (s, e) = head.post(&format!("/api/v1/actions/{health}/updates"), &json!({"rag": "purple", "note": "x"})).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(
            head.post(&format!("/api/v1/actions/{police}/updates"), &json!({"rag": "red", "note": "x"})).await.0,
            403,
            "another agency's action"
        );
        let (s, a) = admin.get(&format!("/api/v1/actions/{health}")).await;
        assert_eq!(s, 200);
        assert_eq!(a["rag"], "completed");
        let notes: Vec<&str> = a["updates"].as_array().unwrap().iter().map(|u| u["note"].as_str().unwrap()).collect();
        assert_eq!(notes, ["Course booked", "Half trained", "All trained"]);
        assert!(a["updates"][0]["updated_by"] == "Health Head" && a["updates"][0]["updated_at"].is_string());
        // Sign-off by the board.
        assert_eq!(head.post(&format!("/api/v1/actions/{health}/sign-off"), &json!({})).await.0, 403);
        let (s, off) = chair.post(&format!("/api/v1/actions/{health}/sign-off"), &json!({})).await;
        assert_eq!(s, 200, "{off}");
        assert_eq!(off["rag"], "signed_off");
        // Non-members: not found.
        let outsider = app.api(&app.outsider).await;
        assert_eq!(outsider.get(&format!("/api/v1/actions/{health}")).await.0, 404);
        assert_eq!(outsider.get(&format!("/api/v1/reviews/{id}/action-plan")).await.0, 404);
    }
}

#[tokio::test]
async fn only_the_agency_head_of_the_actions_agency_signs_up() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, [health, _police]) = adopted_plan(&app).await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        for (email, name, agency) in [("head@health.example", "Health Head", "Health"), ("head@police.example", "Police Head", "Police")] {
            user(&app, email, name, Role::AgencyHead, agency).await;
            let uid = app.user_id(email).await;
            admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": uid})).await;
        }
        let before = audit_len(&app, id).await;
        let police = app.api("head@police.example").await;
        let (s, e) = police.post(&format!("/api/v1/actions/{health}/sign-up"), &json!({})).await;
        assert_eq!(s, 403, "{e}");
        let police_page = app.browser("head@police.example").await;
        let (_, page) = police_page.get(&format!("/actions/{health}")).await;
        assert!(!page.contains("Sign up to this action"));
        assert_eq!(police_page.post(&format!("/actions/{health}/sign-up"), &[]).await.0, 403);
        // The demo's agency head has no agency: not theirs either.
        assert_eq!(
            app.api(app.email(Role::AgencyHead)).await.post(&format!("/api/v1/actions/{health}/sign-up"), &json!({})).await.0,
            404,
            "not a member"
        );
        assert_eq!(audit_len(&app, id).await, before);
        assert!(app.state.store.plan_action(health).await.unwrap().signed_up_by.is_none());

        let health_page = app.browser("head@health.example").await;
        let (_, page) = health_page.get(&format!("/actions/{health}")).await;
        assert!(page.contains("Sign up to this action for Health"));
        let (s, _, loc) = health_page.post(&format!("/actions/{health}/sign-up"), &[]).await;
        assert_eq!(s, 303);
        assert_eq!(loc.as_deref(), Some(format!("/actions/{health}?done=signed_up").as_str()));
        let (_, page) = health_page.get(&format!("/actions/{health}?done=signed_up")).await;
        assert!(page.contains("Health Head,") && !page.contains("Sign up to this action"));
    }
}

#[tokio::test]
async fn evidence_is_checked_kept_and_read_with_audit() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, [health, _]) = adopted_plan(&app).await;
        user(&app, "author@health.example", "Health Author", Role::AgencyAuthor, "Health").await;
        let admin = app.api(app.email(Role::PartnershipAdmin)).await;
        let uid = app.user_id("author@health.example").await;
        admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": uid})).await;
        let b = app.browser("author@health.example").await;

        let big = [b"%PDF-".as_slice(), &vec![b' '; MB10]].concat();
        let refused: [(&str, &[u8], &str); 4] = [
            ("virus.exe", b"MZ\x90\x00", "is not an allowed type of evidence"),
            ("report.pdf", b"MZ\x90\x00 not a pdf", "its contents do not match its type"),
            ("notes.txt", b"\x00\x01\x02binary", "its contents do not match its type"),
            ("huge.pdf", &big, "evidence files may be at most 10 MB"),
        ];
        for (name, bytes, why) in refused {
            let (s, page) = upload(&b, health, "amber", "Progress", Some((name, bytes))).await;
            assert_eq!(s, 422, "{name}");
            assert!(page.contains(why) && page.contains("href=\"#evidence\""), "{name}: {why}");
            assert!(page.contains(">Progress</textarea>"), "the note typed is kept");
        }
        assert!(app.state.store.action_updates(health).await.unwrap().is_empty(), "nothing saved");

        let (s, _) = upload(&b, health, "amber", "Register attached", Some(("register.pdf", b"%PDF-1.4 register"))).await;
        assert_eq!(s, 303);
        let (s, _) = upload(&b, health, "green", "Second session held", None).await;
        assert_eq!(s, 303);
        let (_, page) = b.get(&format!("/actions/{health}")).await;
        assert!(page.contains("Register attached") && page.contains("Second session held") && page.contains("register.pdf"));
        let hist = app.state.store.action_updates(health).await.unwrap();
        assert_eq!(hist.len(), 2);
        let eid = hist[0].evidence[0].id;
        let before = audit_len(&app, id).await;
        let (s, ct, bytes) = b.get_bytes(&format!("/evidence/{eid}")).await;
        assert_eq!((s, ct.as_str(), bytes.as_slice()), (200, "application/pdf", b"%PDF-1.4 register".as_slice()));
        assert_eq!(audit_len(&app, id).await, before + 1, "the read is audited");
        assert_eq!(app.browser(&app.outsider).await.get_bytes(&format!("/evidence/{eid}")).await.0, 404);
        // The regulator reads but may not update.
        let reg = app.browser(app.email(Role::Regulator)).await;
        assert_eq!(upload(&reg, health, "red", "x", None).await.0, 403);
    }
}

#[tokio::test]
async fn plan_pages_and_csv_are_safe() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (id, [health, police]) = adopted_plan(&app).await;
        let author = app.api(app.email(Role::OverviewAuthor)).await;
        // A formula typed into an action does not run in a spreadsheet.
        let parts = app.state.store.report_recommendations(id).await.unwrap()[0].parts.clone();
        let (s, _) = author
            .post(
                &format!("/api/v1/recommendation-parts/{}/actions", parts[0].id),
                &json!({"action": "=HYPERLINK(\"http://x\")", "by_whom": "<b>Lead</b>", "intended_outcome": "o", "monitoring": "m", "due_on": "2026-01-01"}),
            )
            .await;
        assert_eq!(s, 201);
        let b = app.browser(app.email(Role::Regulator)).await;
        let (s, page) = b.get(&format!("/reviews/{id}/action-plan")).await;
        assert_eq!(s, 200);
        assert!(page.contains(&format!("href=\"/actions/{health}\"")) && page.contains(&format!("href=\"/actions/{police}\"")));
        assert!((page.contains("&lt;b&gt;Lead") || page.contains("&#60;b&#62;Lead")) && !page.contains("<b>Lead</b>"), "escaped");
        assert!(page.contains("Overdue"), "due 2026-01-01 is before today 2026-06-15");
        assert!(!page.contains("Add an action"), "the regulator plans nothing");
        let health_id = app.state.store.plan_action(health).await.unwrap().agency_id;
        let (_, agency_page) = b.get(&format!("/reviews/{id}/action-plan/agency/{health_id}")).await;
        assert!(agency_page.contains("Health: action plan") && !agency_page.contains(&format!("href=\"/actions/{police}\"")));
        let (s, ct, csv) = b.get_bytes(&format!("/reviews/{id}/action-plan.csv")).await;
        assert_eq!((s, ct.as_str()), (200, "text/csv; charset=utf-8"));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(csv.lines().next().unwrap().contains("Recommendation,Part,Agency,Action,By whom,Intended outcome,Monitoring"));
        let (_, page) = app.browser(app.email(Role::OverviewAuthor)).await.get(&format!("/reviews/{id}/action-plan")).await;
        assert!(page.contains("Add an action") && page.contains("1a (Health)"));
    }
}
