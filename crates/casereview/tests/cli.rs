//! The command line as a user runs it: demo loading (twice), accounts, tokens, audit
//! verification (and its failure on a tampered log), the calendar and the clock.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn casereview(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casereview"));
    c.args(args).arg("--data-dir").arg(dir).env_remove("DATABASE_URL").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test]
async fn demo_accounts_tokens_and_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = casereview(d, &["demo", "--no-serve"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("manager@northmoor.example"), "passwords printed");
    let o = casereview(d, &["demo", "--no-serve"], None);
    assert!(o.status.success());
    assert!(text(&o).contains("already loaded"));

    let store = casereview_store::Store::open_sqlite(d).await.unwrap();
    let (admin, _) = store.user_by_email("manager@northmoor.example").await.unwrap().unwrap();
    let reviews = store.reviews_for(&admin).await.unwrap();
    assert_eq!(reviews.len(), 7, "running demo twice does not duplicate");
    let states: std::collections::BTreeSet<_> = reviews.iter().map(|r| r.state.as_str()).collect();
    for s in ["referred", "records_secured", "screening", "recommended", "closed_no_further_action", "overview_drafting", "imrs"] {
        assert!(states.contains(s), "a demo review is {s}: {states:?}");
    }
    assert!(reviews.iter().any(|r| r.kind == Some(casereview_core::ReviewKind::LessonsLearnedReview)));

    let o = casereview(
        d,
        &[
            "user",
            "add",
            "--email",
            "new.author@northmoor.example",
            "--name",
            "New Author",
            "--role",
            "agency_author",
            "--agency",
            "Police",
            "--password-stdin",
        ],
        Some("a sufficiently long password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = casereview(
        d,
        &["user", "add", "--email", "x@northmoor.example", "--name", "X", "--role", "wizard", "--password-stdin"],
        Some("a sufficiently long password"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("unknown role 'wizard'"));
    let o = casereview(
        d,
        &["user", "add", "--email", "y@northmoor.example", "--name", "Y", "--role", "panel_member", "--password-stdin"],
        Some("short"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("at least 12 characters"));

    let o = casereview(d, &["token", "create", "--email", "new.author@northmoor.example"], None);
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(token.starts_with("cr_") && token.len() > 40);
    let hash = casereview_web::auth::token_hash(&token);
    assert_eq!(store.user_by_api_token(&hash).await.unwrap().unwrap().email, "new.author@northmoor.example");
    // A new password ends the user's tokens; revoking ends them too.
    let o = casereview(
        d,
        &["user", "password", "--email", "new.author@northmoor.example", "--password-stdin"],
        Some("another long enough password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(store.user_by_api_token(&hash).await.unwrap().is_none(), "the old token no longer works");
    let o = casereview(d, &["token", "create", "--email", "new.author@northmoor.example"], None);
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let o = casereview(d, &["token", "revoke", "--email", "new.author@northmoor.example"], None);
    assert!(text(&o).contains("revoked 1 API tokens"), "{}", text(&o));
    assert!(store.user_by_api_token(&casereview_web::auth::token_hash(&token)).await.unwrap().is_none());

    let o = casereview(d, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("audit log intact"));
    store.tamper_for_tests("UPDATE audit_events SET actor = 'someone else' WHERE seq = 7").await.unwrap();
    store.close().await;
    let o = casereview(d, &["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("audit event 7"), "{}", text(&o));
}

#[test]
fn calendar_and_clock_answer_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let o = casereview(dir.path(), &["calendar", "--year", "2022", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dates: Vec<&str> = v.as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
    for d in ["2022-06-02", "2022-06-03", "2022-09-19", "2022-12-26", "2022-12-27"] {
        assert!(dates.contains(&d), "{d} in {dates:?}");
    }
    assert!(!dates.contains(&"2022-05-30"), "the late-May holiday moved to 2 June");

    let o = casereview(dir.path(), &["clock", "--ruleset", "medway-2008", "--event", "decision=2024-12-04", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let steps = v.as_array().unwrap();
    assert!(steps.len() > 5);
    for s in steps {
        for k in ["step", "title", "due", "basis", "source"] {
            assert!(s.get(k).is_some(), "{k} in {s}");
        }
    }
    let o = casereview(dir.path(), &["clock", "--ruleset", "medway-2008", "--list-events"], None);
    assert!(o.status.success());
    assert!(text(&o).contains("decision"));

    for (args, needle) in [
        (vec!["clock", "--ruleset", "nowhere-1999", "--event", "decision=2024-01-01"], "nowhere-1999"),
        (vec!["clock", "--ruleset", "medway-2008", "--event", "decision=2023-02-30"], "2023-02-30"),
        (vec!["clock", "--ruleset", "medway-2008", "--event", "lunch=2023-02-01"], "lunch"),
        (vec!["calendar", "--year", "1989"], "1989"),
    ] {
        let o = casereview(dir.path(), &args, None);
        assert!(!o.status.success(), "{args:?}");
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
    }
    assert!(!dir.path().join("casereview.sqlite").exists(), "the clock needs no database");
}

#[test]
fn chronology_check_and_merge_without_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("health.csv"),
        "Health chronology\n\nDate/Time,Child/Family member,Professional,Significant Events/Incidents and if child seen,Agency\n12/03/24,Child J,HV 1,\"Home visit, child seen\",HEALTH\n31/02/2024,Child J,HV 1,Missed appointment,Health\n",
    )
    .unwrap();
    std::fs::write(
        d.join("police.csv"),
        "Date,Name,Role,Significant event,Child seen?,Agency\n13/03/2024,Child J,PC 1,\"Home visit, child seen\",No,CIAU\n",
    )
    .unwrap();
    let (h, p) = (d.join("health.csv"), d.join("police.csv"));
    let (h, p) = (h.to_str().unwrap(), p.to_str().unwrap());

    let o = casereview(d, &["chronology", "check", h], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("row 5") && text(&o).contains("31/02/2024"), "{}", text(&o));
    // All or nothing: errors stop the merge and nothing is written.
    let out = d.join("merged.json");
    let o = casereview(d, &["chronology", "merge", h, p, "--alias", "CIAU=Police", "--out", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!out.exists());
    let o = casereview(d, &["chronology", "merge", h, p, "--alias", "CIAU=Police", "--valid-only", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for e in entries {
        for k in ["date", "precision", "agency", "event", "child_seen", "source"] {
            assert!(e.get(k).is_some(), "{k} in {e}");
        }
    }
    assert_eq!(entries[1]["agency"], "Police", "CIAU normalised");
    assert_eq!(entries[0]["source"]["file"], "health.csv");
    assert!(v["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "different_dates" && x["entries"].as_array().unwrap().len() == 2));
    // xlsx needs a file, and writes the discrepancy list beside it.
    let x = d.join("merged.xlsx");
    let o = casereview(
        d,
        &["chronology", "merge", h, p, "--alias", "CIAU=Police", "--valid-only", "--format", "xlsx", "--out", x.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(&x).unwrap().starts_with(b"PK"));
    assert!(d.join("merged-discrepancies.xlsx").exists());
}

/// The executive summary of a demo review, rendered from the command line, names no panel
/// member (003 §3.10) and is marked DRAFT; a document the review is not ready for is
/// refused with the reason; a logo that is not a picture is refused and changes nothing.
#[test]
fn render_a_demo_document_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(casereview(d, &["demo", "--no-serve"], None).status.success());
    let out = d.join("summary.pdf");
    let o = casereview(
        d,
        &[
            "render",
            "--review",
            "NSCP-2026-006",
            "--document",
            "executive_summary",
            "--format",
            "pdf",
            "--out",
            out.to_str().unwrap(),
            "--for",
            "chair@northmoor.example",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("DRAFT"));
    let pdf = Command::new("pdftotext").arg(&out).arg("-").output().expect("pdftotext (poppler-utils) must be installed");
    let words = String::from_utf8_lossy(&pdf.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("The review panel") && words.contains("DRAFT") && words.contains("Graham Eliot"), "{words}");
    assert!(!words.contains("Tom Walsh"), "the demo's panel member is not named: {words}");
    assert!(words.contains("Copy made for Graham Eliot"), "{words}");

    let o = casereview(
        d,
        &["render", "--review", "NSCP-2026-007", "--document", "overview_report", "--out", d.join("x.pdf").to_str().unwrap()],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("chronology is compiled"), "{}", text(&o));
    assert!(!d.join("x.pdf").exists());

    let o = casereview(
        d,
        &[
            "render",
            "--review",
            "NSCP-2026-007",
            "--document",
            "letter-3",
            "--format",
            "docx",
            "--out",
            d.join("l3.docx").to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(d.join("l3.docx")).unwrap().starts_with(b"PK"));

    std::fs::write(d.join("logo.txt"), "not a picture").unwrap();
    let o = casereview(d, &["partnership", "logo", "--file", d.join("logo.txt").to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("not a PNG or SVG"), "{}", text(&o));
    std::fs::write(d.join("bad.svg"), "<svg xmlns='http://www.w3.org/2000/svg'><rect width='1' ").unwrap();
    let o = casereview(d, &["partnership", "logo", "--file", d.join("bad.svg").to_str().unwrap()], None);
    assert!(!o.status.success(), "a broken SVG is refused: {}", text(&o));
}
