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
