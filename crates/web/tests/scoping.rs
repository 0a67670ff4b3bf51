//! Scoping, family involvement, parallel proceedings, joint reviews and the notifications log
//! (issue 9), on both backends: bad input names its field and saves nothing; proceedings show
//! their effects and the publication hold; the notifications log times each entry against
//! the clock and refuses a notification dated before its event; the Ofsted form is checked
//! field by field and its reads are audited; the API shares the validation and refuses stale
//! versions; readers cannot write and strangers see nothing.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::Role;
use casereview_store::AuditQuery;
use common::*;
use serde_json::json;

async fn review(app: &TestApp) -> i64 {
    app.review_with_members(&[Role::PanelChair, Role::PanelMember, Role::OverviewAuthor, Role::AgencyAuthor]).await
}

async fn actions(app: &TestApp, id: i64, action: &str) -> usize {
    let q = AuditQuery { subject: Some(format!("review:{id}")), limit: 1000, ..Default::default() };
    app.state.store.audit_events(&q).await.unwrap().into_iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn proceedings_show_their_effects_and_hold_publication_until_concluded() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let path = format!("/reviews/{id}/proceedings");

        // Bad input: named fields, nothing saved, what was typed kept.
        let (s, page, _) = admin
            .post(&path, &[("kind", "prosecution"), ("status", "concluded"), ("description", "R v <Smith>"), ("started_on", "31/02/2026")])
            .await;
        assert_eq!(s, 422, "{backend:?}");
        assert!(page.contains("href=\"#started_on\""), "{page}");
        assert!(page.contains("R v &#60;Smith&#62;") || page.contains("R v &lt;Smith&gt;"), "typed text kept and escaped: {page}");
        let (s, page, _) = admin.post(&path, &[("kind", "prosecution"), ("status", "concluded"), ("description", "R v Smith")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#concluded_on\""), "{page}");
        assert_eq!(actions(&app, id, "proceeding.save").await, 0);

        let (s, _, loc) = admin
            .post(
                &path,
                &[
                    ("kind", "prosecution"),
                    ("status", "open"),
                    ("description", "R v Smith, Crown Court"),
                    ("contact", "DI Jones"),
                    ("started_on", "01/03/2026"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(loc.as_deref(), Some(format!("/reviews/{id}/proceedings?saved=1").as_str()));
        let (_, page) = admin.get(&path).await;
        assert!(page.contains("Publication is held"), "{page}");
        assert!(page.contains("Interviews of staff and witnesses are agreed with the criminal justice agencies first"));
        let (_, page) = admin.get(&format!("/reviews/{id}")).await;
        assert!(
            page.contains("Publication is held") && page.contains("Prosecution (criminal proceedings) (R v Smith, Crown Court) is open"),
            "{page}"
        );
        assert_eq!(actions(&app, id, "proceeding.save").await, 1);

        // Concluding it lifts the hold; the first version stays in the history.
        let recs = app.state.store.records::<casereview_core::proceedings::Proceeding>(id).await.unwrap();
        let rid = recs[0].id.to_string();
        let (s, _, _) = admin
            .post(
                &path,
                &[
                    ("record", &rid),
                    ("version", "1"),
                    ("kind", "prosecution"),
                    ("status", "concluded"),
                    ("description", "R v Smith, Crown Court"),
                    ("started_on", "01/03/2026"),
                    ("concluded_on", "01/06/2026"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = admin.get(&path).await;
        assert!(!page.contains("Publication is held"), "{page}");
        let versions = app.state.store.record_versions::<casereview_core::proceedings::Proceeding>(id, recs[0].id).await.unwrap();
        assert_eq!(versions.len(), 2);

        // A stale save keeps what was typed and says who saved first.
        let (s, page, _) = admin
            .post(
                &path,
                &[
                    ("record", &rid),
                    ("version", "1"),
                    ("kind", "coroners_inquest"),
                    ("status", "open"),
                    ("description", "Typed after a reload"),
                ],
            )
            .await;
        assert_eq!(s, 409);
        assert!(page.contains("Typed after a reload") && page.contains("Your changes have not been saved"), "{page}");
    }
}

#[tokio::test]
async fn notifications_are_timed_by_the_clock_and_never_dated_before_their_event() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let path = format!("/reviews/{id}/notifications");
        let (s, page, _) = chair
            .post(
                &path,
                &[("kind", "regulator"), ("to", "Ofsted"), ("what", "Decision"), ("event_on", "10/06/2026"), ("sent_on", "09/06/2026")],
            )
            .await;
        assert_eq!(s, 422, "{backend:?}");
        assert!(page.contains("cannot be sent before the event it reports"), "{page}");
        let (s, page, _) = chair.post(&path, &[("kind", "nobody"), ("to", "X"), ("what", "Y"), ("sent_on", "09/06/2026")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#kind\""));
        assert_eq!(actions(&app, id, "notification.save").await, 0);

        let (s, _, _) = chair
            .post(
                &path,
                &[
                    ("kind", "regulator"),
                    ("to", "Ofsted National Business Unit"),
                    ("what", "Serious case review possible"),
                    ("event_on", "01/06/2026"),
                    ("sent_on", "02/06/2026"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = chair.get(&path).await;
        assert!(page.contains("Ofsted National Business Unit") && page.contains("2 June 2026"), "{page}");
        assert!(page.contains("logged by"), "{page}");

        // Readers read but do not write.
        let reader = app.browser(app.email(Role::PanelMember)).await;
        let (s, page) = reader.get(&path).await;
        assert_eq!(s, 200);
        assert!(!page.contains("Log a notification"));
        let (s, _, _) = reader.post(&path, &[("kind", "coroner"), ("to", "X"), ("what", "Y"), ("sent_on", "09/06/2026")]).await;
        assert_eq!(s, 403);
        let outsider = app.browser(&app.outsider).await;
        assert_eq!(outsider.get(&path).await.0, 404);
    }
}

#[tokio::test]
async fn the_ofsted_form_is_proposed_from_the_referral_checked_and_its_reads_audited() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let path = format!("/reviews/{id}/notifications/ofsted");
        let (s, page) = admin.get(&path).await;
        assert_eq!(s, 200, "{backend:?}");
        assert!(page.contains("value=\"Child\"") && page.contains("value=\"T\""), "forenames and surname from the referral: {page}");
        assert_eq!(actions(&app, id, "ofsted_notification.read").await, 1);

        let mut fields: Vec<(&str, &str)> = vec![
            ("text-local_authority", "Northmoor"),
            ("text-notifier_name", "Pat Admin"),
            ("text-notifier_role", "Board manager"),
            ("text-notifier_telephone", "01632 960001"),
            ("text-child_last_names", "T"),
            ("text-child_forenames", "Child"),
            ("text-incident_local_authority", "Northmoor"),
            ("text-responsible_local_authority", "Northmoor"),
            ("text-case_outline", "Outline"),
            ("dates-date_notified", "02/06/2026"),
            ("dates-incident_date", "01/06/2026"),
            ("choices-cause", "Bad luck"),
        ];
        let (s, page, _) = admin.post(&path, &fields).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#ticks-reasons\"") && page.contains("href=\"#choices-cause\""), "{page}");
        assert_eq!(actions(&app, id, "ofsted_notification.save").await, 0);
        fields.pop();
        fields.push(("choices-cause", "Non-accidental injury"));
        fields.push(("ticks-reasons-1", "yes"));
        fields.push(("ticks-characteristics-0", "yes"));
        let (s, _, loc) = admin.post(&path, &fields).await;
        assert_eq!(s, 303, "{loc:?}");
        let saved = app.state.store.single_record::<casereview_core::notifications::OfstedNotification>(id).await.unwrap().unwrap();
        assert_eq!(saved.body.ticks["reasons"], vec!["Serious case review possible but not yet confirmed".to_string()]);
        assert_eq!(saved.body.ticks["characteristics"], vec!["Domestic violence".to_string()]);
        assert_eq!(saved.body.choices["cause"], "Non-accidental injury");
    }
}

#[tokio::test]
async fn family_involvement_needs_reasons_and_feeds_the_report_text() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let path = format!("/reviews/{id}/involvement");
        let (s, page) = author.get(&path).await;
        assert_eq!(s, 200, "{backend:?}");
        assert!(page.contains("value=\"Mother T\""), "proposed from the referral: {page}");
        assert_eq!(actions(&app, id, "involvement.read").await, 1);

        let (s, page, _) =
            author.post(&path, &[("version", "0"), ("members-0-name", "Mother T"), ("members-0-relationship", "mother")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#members-0-reason\""), "{page}");
        assert_eq!(actions(&app, id, "involvement.save").await, 0);

        let (s, _, _) = author
            .post(
                &path,
                &[
                    ("version", "0"),
                    ("members-0-name", "Mother T"),
                    ("members-0-relationship", "mother"),
                    ("members-0-options-informed_of_review", "yes"),
                    ("members-0-options-contributes_views", "yes"),
                    ("members-0-facilitator", "Family liaison officer"),
                    ("members-1-name", "Father T"),
                    ("members-1-relationship", "father"),
                    ("members-1-reason", "he is awaiting trial"),
                    ("members-1-factors-suspect_or_witness", "yes"),
                    ("members-2-name", ""),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = author.get(&path).await;
        assert!(page.contains("Father was not involved in the review: he is awaiting trial."), "{page}");
        let saved = app.state.store.single_record::<casereview_core::involvement::FamilyInvolvement>(id).await.unwrap().unwrap();
        assert_eq!(saved.body.members.len(), 2, "the blank row is dropped");

        // A panel meeting since: the members not reviewed at it are named.
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        assert_eq!(admin.post(&format!("/reviews/{id}/meetings"), &[("kind", "panel_analysis"), ("date", "10/06/2026")]).await.0, 303);
        let (_, page) = author.get(&path).await;
        assert!(page.contains("Not reviewed at the panel meeting of 10 June 2026") && page.contains("Mother T, Father T"), "{page}");

        let reader = app.browser(app.email(Role::AgencyAuthor)).await;
        assert_eq!(reader.post(&path, &[("version", "1")]).await.0, 403);
    }
}

#[tokio::test]
async fn scoping_and_joint_review_through_pages_and_api() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let panel = app.browser(app.email(Role::PanelChair)).await;
        let (s, page, _) = panel
            .post(&format!("/reviews/{id}/scoping"), &[("version", "0"), ("period_from", "01/02/2026"), ("period_to", "01/01/2026")])
            .await;
        assert_eq!(s, 422, "{backend:?}");
        assert!(page.contains("href=\"#period_to\""), "{page}");
        let (s, _, _) = panel
            .post(
                &format!("/reviews/{id}/scoping"),
                &[
                    ("version", "0"),
                    ("period_from", "01/01/2025"),
                    ("period_to", "01/06/2026"),
                    ("contributors", "Police\nHealth"),
                    ("answers-media", "Press office leads"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        let (_, page) = panel.get(&format!("/reviews/{id}/scoping")).await;
        assert!(page.contains("Still to settle"), "unanswered items listed: {page}");
        assert!(page.contains("Press office leads"));

        // Joint review: a lead board is required; a looked-after child's lead is the responsible authority.
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, page, _) =
            chair.post(&format!("/reviews/{id}/joint-review"), &[("version", "0"), ("other_boards", "Kent SCB"), ("lead_board", "")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("href=\"#lead_board\"") && page.contains("href=\"#basis\""), "{page}");
        let (s, page, _) = chair
            .post(
                &format!("/reviews/{id}/joint-review"),
                &[
                    ("version", "0"),
                    ("other_boards", "Kent SCB"),
                    ("lead_board", "Northmoor"),
                    ("looked_after", "yes"),
                    ("basis", "normal_residence"),
                    ("arrangement", "joint_panel"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(page.contains("responsible local authority"), "{page}");

        // The API: same validation, 409 on a stale version, reads by members only.
        let api = app.api(app.email(Role::PanelChair)).await;
        let (s, v) = api
            .post(&format!("/api/v1/reviews/{id}/proceedings"), &json!({"kind": "coroners_inquest", "status": "open", "description": ""}))
            .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "description", "{v}");
        let (s, v) = api
            .post(
                &format!("/api/v1/reviews/{id}/proceedings"),
                &json!({"kind": "coroners_inquest", "status": "open", "description": "Inquest"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let rid = v["id"].as_i64().unwrap();
        let body = json!({"version": 1, "record": {"kind": "coroners_inquest", "status": "open", "description": "Inquest, resumed"}});
        let (s, v) = api.put(&format!("/api/v1/reviews/{id}/proceedings/{rid}"), &body).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["version"], 2);
        let (s, _) = api.put(&format!("/api/v1/reviews/{id}/proceedings/{rid}"), &body).await;
        assert_eq!(s, 409);
        let (s, v) = api.get(&format!("/api/v1/reviews/{id}/scoping")).await;
        assert_eq!(s, 200);
        assert_eq!(v["body"]["answers"]["media"], "Press office leads");
        let member = app.api(app.email(Role::PanelMember)).await;
        let (s, _) = member.put(&format!("/api/v1/reviews/{id}/scoping"), &json!({"version": 1, "record": {}})).await;
        assert_eq!(s, 403);
        let outsider = app.api(&app.outsider).await;
        assert_eq!(outsider.get(&format!("/api/v1/reviews/{id}/proceedings")).await.0, 404);
        let (s, _) = api.get(&format!("/api/v1/reviews/{id}/joint-review")).await;
        assert_eq!(s, 404, "nothing saved yet");
    }
}
