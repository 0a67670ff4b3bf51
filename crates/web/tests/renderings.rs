//! Rendered copies of a review's documents, letters and referral form: real PDF files read
//! back with pdftotext, real DOCX files opened by LibreOffice headless, marked DRAFT until
//! approval and not after, naming who the copy was made for, each one recorded; the
//! executive summary never names a panel member; letters go to each addressee.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::Role;
use common::*;
use std::process::Command;

/// The text of a PDF, as `pdftotext -layout` gives it (poppler-utils; CI installs it).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Words run together across line breaks so phrases can be searched for.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_report_is_marked_draft_until_approved_and_every_copy_is_recorded() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let url = format!("/reviews/{id}/documents/overview_report");
        let fields: Vec<(String, String)> = casereview_core::documents::DocumentKind::OverviewReport
            .sections()
            .iter()
            .map(|(sid, _, _)| (format!("section-{sid}"), format!("Text of {sid} about {{{{child.name}}}}. <script>x</script>")))
            .collect();
        let mut body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        body.push(("version", "0"));
        assert_eq!(author.post(&url, &body).await.0, 303);

        // The family's genogram is drawn in the report's facts section.
        use casereview_core::genogram::{Family, PartnerStatus, Person, Relationship, Sex};
        let family = Family {
            people: vec![
                Person::new("m", "Mother", Sex::Female).aged(30).household(),
                Person::new("f", "Father", Sex::Male).aged(32),
                Person::new("c", "Child T", Sex::Female).aged(2).household().subject(),
            ],
            relationships: vec![
                Relationship::partner("m", "f", PartnerStatus::Separated),
                Relationship::parent("m", "c"),
                Relationship::parent("f", "c"),
            ],
        };
        let (admin_user, _) = app.state.store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
        app.state.store.save_family(&admin_user.actor(), id, 0, &family).await.unwrap();

        let (s, ct, pdf) = author.get_bytes(&format!("{url}/download?format=pdf")).await;
        assert_eq!(s, 200);
        assert_eq!(ct, "application/pdf");
        assert!(pdf.starts_with(b"%PDF"));
        let text = flat(&pdf_text(&pdf));
        for heading in ["Overview report", "1 Introduction", "2 Facts", "3 Analysis", "4 Conclusions and recommendations"] {
            assert!(text.contains(heading), "heading {heading} in {text}");
        }
        assert!(text.contains("DRAFT") && text.contains("STRICTLY CONFIDENTIAL"), "{text}");
        assert!(text.contains("Copy made for Test Overview author"), "names who the copy is for: {text}");
        let child = app.state.store.review(id).await.unwrap().referral.child.name;
        assert!(text.contains(&format!("Text of analysis about {child}")), "placeholder filled: {text}");
        assert!(text.contains("<script>x</script>"), "markup shown as text, never run: {text}");
        assert!(text.contains("Genogram of the family and household"), "the genogram is in the report: {text}");

        // The board chair approves; later copies carry no DRAFT marking.
        let chair = app.browser(app.email(Role::BoardChair)).await;
        let (s, _, _) = chair
            .post(
                &format!("{url}/status"),
                &[("to", "approved"), ("version", "1"), ("signed_by", "Margaret Lowe"), ("signed_on", "14/06/2026")],
            )
            .await;
        assert_eq!(s, 303);
        let (s, _, pdf) = chair.get_bytes(&format!("{url}/download?format=pdf")).await;
        assert_eq!(s, 200);
        let text = flat(&pdf_text(&pdf));
        assert!(!text.contains("DRAFT"), "no DRAFT after approval: {text}");
        assert!(text.contains("STRICTLY CONFIDENTIAL") && text.contains("Margaret Lowe"), "{text}");

        // The draft copy made before approval is now to be returned and destroyed.
        let copies = app.state.store.document_copies(id).await.unwrap();
        assert_eq!(copies.len(), 2);
        let draft = copies.iter().find(|c| c.draft).unwrap();
        assert!(!copies.iter().find(|c| c.id != draft.id).unwrap().draft);
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (_, page) = admin.get(&url).await;
        assert!(page.contains("Draft copies to be returned and destroyed"), "{page}");
        assert_eq!(author.post(&format!("/reviews/{id}/copies/{}/destroyed", draft.id), &[]).await.0, 403, "only the board manager");
        assert_eq!(admin.post(&format!("/reviews/{id}/copies/{}/destroyed", draft.id), &[]).await.0, 303);
        assert!(app.state.store.document_copies(id).await.unwrap().iter().all(|c| !c.draft || c.destroyed_at.is_some()));

        let log = app
            .state
            .store
            .audit_events(&casereview_store::AuditQuery { subject: Some(format!("review:{id}")), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "document.rendered").count(), 2, "every rendering is an audited event");
        assert!(log.iter().any(|e| e.action == "document.copy_destroyed"));

        // Strangers cannot have a copy; a bad format is refused by name.
        let stranger = app.browser(app.email(Role::BoardMember)).await;
        assert_eq!(stranger.get_bytes(&format!("{url}/download?format=pdf")).await.0, 404);
        let (s, _, body) = chair.get_bytes(&format!("{url}/download?format=odt")).await;
        assert_eq!(s, 400, "{}", String::from_utf8_lossy(&body));
    }
}

#[tokio::test]
async fn a_document_for_a_review_in_the_wrong_state_is_refused_with_the_reason() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.review_with_members(&[Role::OverviewAuthor]).await;
    let author = app.browser(app.email(Role::OverviewAuthor)).await;
    let (s, _, body) = author.get_bytes(&format!("/reviews/{id}/documents/executive_summary/download?format=pdf")).await;
    assert_eq!(s, 422);
    assert!(String::from_utf8_lossy(&body).contains("chronology is compiled"));
}

#[tokio::test]
async fn the_executive_summary_docx_opens_in_libreoffice_and_names_no_panel_member() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.review_at_chronology().await;
    let author = app.browser(app.email(Role::OverviewAuthor)).await;
    let url = format!("/reviews/{id}/documents/executive_summary");
    let body = [
        ("section-introduction", "Child T, aged 2, in {{review.reference}}."),
        ("section-panel", "As listed."),
        ("section-summary", "What happened."),
        ("section-conclusions", "1. Learn."),
        ("version", "0"),
    ];
    assert_eq!(author.post(&url, &body).await.0, 303);
    let (s, ct, docx) = author.get_bytes(&format!("{url}/download?format=docx")).await;
    assert_eq!(s, 200);
    assert!(ct.contains("wordprocessingml"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.docx");
    std::fs::write(&path, &docx).unwrap();
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}/profile", dir.path().display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&path)
        .output()
        .expect("LibreOffice (soffice) must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = flat(&pdf_text(&std::fs::read(dir.path().join("summary.pdf")).expect("LibreOffice wrote the PDF")));
    assert!(text.contains("The review panel") && text.contains("Summary of the case"), "{text}");
    assert!(text.contains("DRAFT"), "{text}");
    let panel_member = app.state.store.members(id).await.unwrap().into_iter().find(|u| u.role == Role::PanelMember).unwrap();
    assert!(!text.contains(&panel_member.name), "the panel member is not named: {text}");
    assert!(text.contains("Panel member"), "but listed by position: {text}");
}

#[tokio::test]
async fn letters_go_to_each_addressee_and_the_referral_form_prints() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = app.review_at_chronology().await;
        let admin = app.browser(app.email(Role::PartnershipAdmin)).await;
        let (s, page) = admin.get(&format!("/reviews/{id}/letters?event=14+January+2027+at+2pm")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Letter 1: Request for further information"));
        assert!(page.contains("Not now: it is sent once the board chair has decided that no review will be held"), "letter 2 is for NFA");
        let r = app.state.store.review(id).await.unwrap();
        let first_agency = r.referral.agencies_involved.first().unwrap().agency.clone();
        assert!(page.contains(&first_agency));

        let (s, _, pdf) = admin.get_bytes(&format!("/reviews/{id}/letters/letter-1/download?format=pdf&to=0")).await;
        assert_eq!(s, 200);
        let text = flat(&pdf_text(&pdf));
        assert!(text.contains("REQUEST FOR ADDITIONAL INFORMATION") || text.contains("request for additional information"), "{text}");
        assert!(text.contains(&r.referral.child.name) && text.contains(&first_agency), "{text}");
        assert!(!text.contains("DRAFT"), "a letter is not a draft: {text}");

        // Letter 4 carries the briefing's date as given.
        let (s, _, pdf) =
            admin.get_bytes(&format!("/reviews/{id}/letters/letter-4/download?format=pdf&event=14%20January%202027%20at%202pm")).await;
        let text = flat(&pdf_text(&pdf));
        assert_eq!(s, 200, "{text}");
        assert!(text.contains("14 January 2027 at 2pm"), "{text}");

        // No such addressee; a panel member does not send letters.
        assert_eq!(admin.get_bytes(&format!("/reviews/{id}/letters/letter-1/download?format=pdf&to=99")).await.0, 422);
        let member = app.browser(app.email(Role::PanelMember)).await;
        assert_eq!(member.get_bytes(&format!("/reviews/{id}/letters/letter-1/download?format=pdf")).await.0, 403);

        let (s, _, pdf) = member.get_bytes(&format!("/reviews/{id}/referral/download?format=pdf")).await;
        assert_eq!(s, 200);
        let text = flat(&pdf_text(&pdf));
        assert!(
            text.contains("Referral for a case review") && text.contains("2 The child") && text.contains(&r.referral.child.name),
            "{text}"
        );
    }
}

#[tokio::test]
async fn approved_terms_of_reference_are_amended_only_by_the_board_chair() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.review_at_chronology().await;
    let panel = app.browser(app.email(Role::PanelChair)).await;
    let url = format!("/reviews/{id}/documents/terms_of_reference");
    let fields: Vec<(String, String)> = casereview_core::documents::DocumentKind::TermsOfReference
        .sections()
        .iter()
        .map(|(sid, _, _)| (format!("section-{sid}"), format!("{sid} agreed.")))
        .collect();
    for v in ["0", "1"] {
        let mut body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        body.push(("version", v));
        assert_eq!(panel.post(&url, &body).await.0, 303);
    }
    assert_eq!(panel.post(&format!("{url}/status"), &[("to", "approved"), ("version", "2")]).await.0, 303);
    let store = &app.state.store;
    let d = store.document(id, casereview_core::documents::DocumentKind::TermsOfReference).await.unwrap().unwrap();
    let marked = |v: &[casereview_store::DocumentVersion]| v.iter().map(|x| x.destroy_marked_on.is_some()).collect::<Vec<_>>();
    assert_eq!(marked(&store.document_versions(d.id).await.unwrap()), vec![true, false], "the earlier draft is marked for destruction");
    // The panel chair cannot reopen it; the board chair can, with a reason.
    assert_eq!(panel.post(&format!("{url}/status"), &[("to", "draft"), ("version", "2"), ("reason", "x")]).await.0, 403);
    let chair = app.browser(app.email(Role::BoardChair)).await;
    let (s, page, _) = chair.post(&format!("{url}/status"), &[("to", "draft"), ("version", "2"), ("reason", "")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("Say why the terms of reference are amended"));
    let (s, _, _) =
        chair.post(&format!("{url}/status"), &[("to", "draft"), ("version", "2"), ("reason", "New information about the father")]).await;
    assert_eq!(s, 303);
    let mut body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    body.push(("version", "2"));
    assert_eq!(panel.post(&url, &body).await.0, 303);
    // The amendment is agreed by the board chair, not the panel chair.
    assert_eq!(panel.post(&format!("{url}/status"), &[("to", "approved"), ("version", "3")]).await.0, 403);
    assert_eq!(chair.post(&format!("{url}/status"), &[("to", "approved"), ("version", "3")]).await.0, 303);
    // The first approved version is kept as a record; only drafts are destroyed.
    assert_eq!(marked(&store.document_versions(d.id).await.unwrap()), vec![true, false, false]);
}

#[tokio::test]
async fn the_terms_of_reference_carry_the_agreed_scoping_involvement_and_proceedings() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.review_at_chronology().await;
    let panel = app.browser(app.email(Role::PanelChair)).await;
    let url = format!("/reviews/{id}/documents/terms_of_reference");
    assert_eq!(panel.post(&url, &[("section-terms", "The facts of the case."), ("version", "0")]).await.0, 303);
    let scoping = [
        ("version", "0"),
        ("period_from", "01/01/2025"),
        ("period_to", "14/02/2026"),
        ("experts", "Dr A. Paediatrician"),
        ("answers-media", "The council's press office leads"),
    ];
    assert_eq!(panel.post(&format!("/reviews/{id}/scoping"), &scoping).await.0, 303);
    let involvement = [
        ("version", "0"),
        ("members-0-name", "Mother T"),
        ("members-0-relationship", "mother"),
        ("members-0-reason", "she declined to take part"),
    ];
    assert_eq!(panel.post(&format!("/reviews/{id}/involvement"), &involvement).await.0, 303);
    let proceeding = [("kind", "coroners_inquest"), ("status", "open"), ("description", "Inquest opened and adjourned")];
    assert_eq!(panel.post(&format!("/reviews/{id}/proceedings"), &proceeding).await.0, 303);
    let (s, _, pdf) = panel.get_bytes(&format!("{url}/download?format=pdf")).await;
    assert_eq!(s, 200);
    let text = flat(&pdf_text(&pdf));
    for want in [
        "Cut-off date",
        "14/02/2026",
        "Dr A. Paediatrician",
        "Mother was not involved in the review: she declined to take part.",
        "Coroner's inquest: Inquest opened and adjourned",
        "The council's press office leads",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
}
