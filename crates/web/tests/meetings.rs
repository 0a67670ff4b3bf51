//! Meetings of a review (issue 9 item 1), on both backends: a meeting needs a date and its
//! papers cannot go out after it; late papers are warned and the quorum counted; papers are
//! for invitees only, every read audited, a debrief's shown inline; invitations go to a real
//! (test) SMTP server with the iCalendar request attached.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use casereview_core::meetings::Meeting;
use casereview_core::Role;
use casereview_store::AuditQuery;
use casereview_web::mail::MailConfig;
use casereview_web::Config;
use common::*;
use std::time::Duration;

const PDF: &str = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

async fn count(app: &TestApp, id: i64, action: &str) -> usize {
    let q = AuditQuery { subject: Some(format!("review:{id}")), limit: 1000, ..Default::default() };
    app.state.store.audit_events(&q).await.unwrap().into_iter().filter(|e| e.action == action).count()
}

/// Uploads a paper as a browser's multipart form does.
async fn upload(b: &Browser, path: &str, fields: &[(&str, &str)], file: (&str, &str)) -> u16 {
    const BOUNDARY: &str = "----casereview-meeting-paper";
    let mut body = String::new();
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf_token", &b.csrf));
    for (k, v) in all {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n{}\r\n", file.0, file.1));
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    let r = b
        .client
        .post(format!("{}{}", b.base, path))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn meetings_papers_quorum_and_invitee_only_reading() {
    for backend in backends() {
        let smtp = smtp::TestSmtp::start().await;
        let mail = MailConfig::from_url(&format!("smtp://127.0.0.1:{}?from=board@testshire.example", smtp.addr.port())).unwrap();
        let app = TestApp::spawn_with(backend, Config { mail: Some(mail), ..Default::default() }).await;
        let id = app.review_with_members(&[Role::PanelChair, Role::PanelMember, Role::AgencyAuthor]).await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let list = format!("/reviews/{id}/meetings");

        let (s, page, _) = admin.post(&list, &[("kind", "imr_presentation"), ("date", "")]).await;
        assert_eq!(s, 422, "{backend:?}");
        assert!(page.contains("href=\"#date\""), "{page}");
        let (s, _, loc) =
            admin.post(&list, &[("kind", "imr_presentation"), ("date", "20/05/2026"), ("time", "10:00"), ("place", "Room 2")]).await;
        assert_eq!(s, 303);
        let path = loc.unwrap();
        let mid: i64 = path.rsplit('/').next().unwrap().parse().unwrap();

        // Invitees: the panel member (by email) and two partner organisations who attended.
        let member = app.email(Role::PanelMember).to_string();
        let (s, page, _) = admin
            .post(
                &path,
                &[
                    ("version", "1"),
                    ("kind", "imr_presentation"),
                    ("date", "20/05/2026"),
                    ("time", "10:00"),
                    ("place", "Room 2"),
                    ("invitees-0-name", "Pat Member"),
                    ("invitees-0-email", &member),
                    ("invitees-0-organisation", "Police"),
                    ("invitees-0-partner", "yes"),
                    ("invitees-0-attended", "yes"),
                    ("invitees-1-name", "Hal Health"),
                    ("invitees-1-email", "hal@health.example"),
                    ("invitees-1-organisation", "Health"),
                    ("invitees-1-partner", "yes"),
                    ("invitees-1-attended", "yes"),
                    ("invitees-2-name", ""),
                    ("decisions", "Agency reports accepted\n\nThemes agreed"),
                    ("agenda", "1. Agency reports"),
                    ("dissent-0-member", "Hal Health"),
                    ("dissent-0-organisation", "Health"),
                    ("dissent-0-view", "The GP's role is understated"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{page}");
        let saved = app.state.store.record::<Meeting>(id, mid).await.unwrap();
        assert_eq!(saved.body.invitees.len(), 2);
        assert_eq!(saved.body.decisions, vec!["Agency reports accepted", "Themes agreed"]);

        // A paper circulated after the meeting is refused; one four days before is warned.
        let papers = format!("{path}/papers");
        assert_eq!(
            upload(
                &admin,
                &papers,
                &[("version", "2"), ("title", "Agency reports"), ("circulated_on", "21/05/2026")],
                ("reports.pdf", PDF)
            )
            .await,
            422
        );
        assert_eq!(
            upload(
                &admin,
                &papers,
                &[("version", "2"), ("title", "Agency reports"), ("circulated_on", "16/05/2026")],
                ("reports.exe", "MZ")
            )
            .await,
            422
        );
        assert_eq!(count(&app, id, "meeting.paper_added").await, 0);
        assert_eq!(
            upload(
                &admin,
                &papers,
                &[("version", "2"), ("title", "Agency reports"), ("circulated_on", "16/05/2026")],
                ("reports.pdf", PDF)
            )
            .await,
            303
        );
        let (_, page) = admin.get(&path).await;
        assert!(page.contains("4 days before the meeting: the rules ask for at least 7"), "{page}");
        let pid = app.state.store.record::<Meeting>(id, mid).await.unwrap().body.papers[0].file.unwrap();

        // The invited panel member reads the paper (audited); the agency author, not invited, may not.
        let invited = app.browser(&member).await;
        let (s, ct, bytes) = invited.get_bytes(&format!("{path}/papers/{pid}")).await;
        assert_eq!((s, ct.as_str()), (200, "application/pdf"));
        assert_eq!(bytes, PDF.as_bytes());
        assert_eq!(count(&app, id, "meeting.paper_read").await, 1);
        let other = app.browser(app.email(Role::AgencyAuthor)).await;
        let (s, page) = other.get(&path).await;
        assert_eq!(s, 200);
        assert!(page.contains("for its invitees") && !page.contains("Agency reports"), "neither agenda nor papers: {page}");
        let (_, page) = invited.get(&path).await;
        assert!(page.contains("1. Agency reports"), "the agenda, for the invited: {page}");
        assert_eq!(other.get_bytes(&format!("{path}/papers/{pid}")).await.0, 403);
        assert_eq!(other.post(&path, &[("version", "3")]).await.0, 403);

        // Invitations: one email per invitee, each with the calendar request.
        let (s, _, loc) = admin.post(&format!("{path}/invitations"), &[]).await;
        assert_eq!(s, 303);
        assert!(loc.unwrap().contains("sent=2&failed=0"));
        let got = smtp.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(got.len(), 2);
        let raw = got[0].text();
        assert!(raw.contains("text/calendar") && raw.contains("invitation.ics"), "{raw}");
        assert!(raw.contains("METHOD:REQUEST") && raw.contains("DTSTART:20260520T100000"), "{raw}");
        assert_eq!(count(&app, id, "meeting.invitations_sent").await, 1);
    }
}

#[tokio::test]
async fn a_debriefs_papers_are_read_in_the_browser_and_screening_quorum_is_counted() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_with_members(&[Role::PanelChair]).await;
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let (_, _, loc) =
            chair.post(&format!("/reviews/{id}/meetings"), &[("kind", "practitioners_debrief"), ("date", "01/06/2026")]).await;
        let path = loc.unwrap();
        assert_eq!(
            upload(
                &chair,
                &format!("{path}/papers"),
                &[("version", "1"), ("title", "Overview report"), ("circulated_on", "25/05/2026")],
                ("overview.pdf", PDF)
            )
            .await,
            303
        );
        let mid: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let pid = app.state.store.record::<Meeting>(id, mid).await.unwrap().body.papers[0].file.unwrap();
        let r = chair.client.get(format!("{}{path}/papers/{pid}", chair.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-disposition"], "inline", "{backend:?}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let (_, page) = chair.get(&path).await;
        assert!(page.contains("not offered for download"));

        let (_, _, loc) = chair.post(&format!("/reviews/{id}/meetings"), &[("kind", "screening_panel"), ("date", "02/06/2026")]).await;
        let path = loc.unwrap();
        let fields = [
            ("version", "1"),
            ("date", "02/06/2026"),
            ("invitees-0-name", "A"),
            ("invitees-0-organisation", "Police"),
            ("invitees-0-partner", "yes"),
            ("invitees-0-attended", "yes"),
            ("invitees-1-name", "B"),
            ("invitees-1-organisation", "Health"),
            ("invitees-1-partner", "yes"),
            ("invitees-1-attended", "yes"),
        ];
        assert_eq!(chair.post(&path, &fields).await.0, 303);
        let (_, page) = chair.get(&path).await;
        assert!(page.contains("Not quorate") && page.contains("2 of the 3 partner organisations needed attended"), "{page}");
        // Sending without a mail relay explains why, and sends nothing.
        let (s, page, _) = chair.post(&format!("{path}/invitations"), &[]).await;
        assert_eq!(s, 422);
        assert!(page.contains("no mail relay is configured"), "{page}");
    }
}
