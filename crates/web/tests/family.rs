//! The family and household of a review and its genogram, on both backends: the store keeps
//! every version and refuses stale saves; the editor proposes the referral's family, names
//! the row and field of every problem without saving anything, keeps what was typed on a
//! conflict; strangers see nothing, panel members read but do not write; the SVG is
//! well-formed, labels everyone, carries its own strict policy, and its reads are audited.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::genogram::{Family, PartnerStatus, Person, Relationship, Sex};
use casereview_core::Role;
use casereview_store::{AuditQuery, StoreError};
use common::*;

/// A review with the panel chair, a panel member and the overview author on it.
async fn review(app: &TestApp) -> i64 {
    app.review_with_members(&[Role::PanelChair, Role::PanelMember, Role::OverviewAuthor]).await
}

fn family() -> Family {
    Family {
        people: vec![
            Person::new("m", "Mother's partner & <friend>", Sex::Male).household(),
            Person::new("mum", "Mother \"T\"", Sex::Female).household().aged(30),
            Person::new("c", "Child T", Sex::Unknown).household().subject(),
            Person::new("gm", "Grandmother", Sex::Female).deceased(),
        ],
        relationships: vec![
            Relationship::parent("mum", "c"),
            Relationship::parent("gm", "mum"),
            Relationship::partner("m", "mum", PartnerStatus::Cohabiting),
        ],
    }
}

async fn family_events(app: &TestApp, id: i64, action: &str) -> Vec<casereview_core::audit::AuditEvent> {
    let q = AuditQuery { subject: Some(format!("review:{id}")), limit: 1000, ..Default::default() };
    app.state.store.audit_events(&q).await.unwrap().into_iter().filter(|e| e.action == action).collect()
}

/// The editor's fields for these rows: (name, sex, born, age, household), relationships
/// (a, kind, b) by row id `p{n}`; the first person is the subject.
fn fields(people: &[(&str, &str, &str, &str, bool)], rels: &[(&str, &str, &str)], version: i64) -> Vec<(String, String)> {
    let mut f = vec![("version".to_string(), version.to_string()), ("subject".to_string(), "p1".to_string())];
    for (i, (name, sex, born, age, household)) in people.iter().enumerate() {
        f.push((format!("people-{i}-id"), format!("p{}", i + 1)));
        f.push((format!("people-{i}-name"), name.to_string()));
        f.push((format!("people-{i}-sex"), sex.to_string()));
        f.push((format!("people-{i}-born"), born.to_string()));
        f.push((format!("people-{i}-age"), age.to_string()));
        if *household {
            f.push((format!("people-{i}-household"), "true".into()));
        }
    }
    // A blank row as the page offers it, ignored.
    let n = people.len();
    f.push((format!("people-{n}-id"), format!("p{}", n + 1)));
    f.push((format!("people-{n}-sex"), "unknown".into()));
    for (j, (a, kind, b)) in rels.iter().enumerate() {
        f.push((format!("rels-{j}-a"), a.to_string()));
        f.push((format!("rels-{j}-kind"), kind.to_string()));
        f.push((format!("rels-{j}-b"), b.to_string()));
    }
    f
}

fn refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

const PEOPLE: &[(&str, &str, &str, &str, bool)] = &[
    ("Child T", "unknown", "31/01/2024", "", true),
    ("Mother T", "female", "", "29", true),
    ("Father T", "male", "02/03/1990", "", false),
];
const RELS: &[(&str, &str, &str)] = &[("p2", "parent", "p1"), ("p3", "parent", "p1"), ("p2", "partner_separated", "p3")];

#[tokio::test]
async fn the_store_keeps_every_version_and_refuses_stale_or_invalid_families() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let store = &app.state.store;
        let (chair, _) = store.user_by_email(app.email(Role::PanelChair)).await.unwrap().unwrap();
        let (author, _) = store.user_by_email(app.email(Role::OverviewAuthor)).await.unwrap().unwrap();
        assert!(store.family(id).await.unwrap().is_none());

        let rec = store.save_family(&chair.actor(), id, 0, &family()).await.unwrap();
        assert_eq!((rec.version, rec.updated_by.as_str()), (1, chair.name.as_str()));
        let read = store.family(id).await.unwrap().unwrap();
        assert_eq!((read.family.clone(), read.version), (family(), 1), "{backend:?}: read back as saved");
        assert_eq!(read.updated_at, rec.updated_at);

        let mut second = family();
        second.people[3].name = "Maternal grandmother".into();
        second.people.push(Person::new("aunt", "Aunt", Sex::Female));
        store.save_family(&author.actor(), id, 1, &second).await.unwrap();
        // Someone who opened version 1 is told who saved since and what changed.
        match store.save_family(&chair.actor(), id, 1, &family()).await {
            Err(StoreError::Conflict { yours, current, by, changed, .. }) => {
                assert_eq!((yours, current, by.as_str()), (1, 2, author.name.as_str()));
                assert_eq!(changed, ["Aunt (added)", "Maternal grandmother"]);
            }
            other => panic!("{backend:?}: expected a conflict, got {other:?}"),
        }
        // Saving over nothing with a version is stale too.
        let other = review(&app).await;
        assert!(matches!(store.save_family(&chair.actor(), other, 3, &family()).await, Err(StoreError::Conflict { current: 0, .. })));

        // A person with three biological parents: the error names them; nothing is saved.
        let mut bad = second.clone();
        bad.people.push(Person::new("x", "Uncle", Sex::Male));
        bad.people.push(Person::new("y", "Neighbour", Sex::Male));
        bad.relationships.push(Relationship::parent("x", "c"));
        bad.relationships.push(Relationship::parent("y", "c"));
        match store.save_family(&chair.actor(), id, 2, &bad).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.0[0].field, "people[2]");
                assert!(e.0[0].message.starts_with("Child T (c): has 3 biological parents"), "{}", e.0[0].message);
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        let too_many =
            Family { people: (0..61).map(|i| Person::new(&format!("p{i}"), "Someone", Sex::Unknown)).collect(), relationships: vec![] };
        match store.save_family(&chair.actor(), id, 2, &too_many).await {
            Err(StoreError::Invalid(e)) => assert!(e.0[0].message.contains("at most 60 people"), "{:?}", e.0),
            other => panic!("{backend:?}: {other:?}"),
        }

        let versions = store.family_versions(id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(versions[0].family, family(), "the first version is kept as it was");
        assert_eq!(versions[1].saved_by, author.name);
        assert_eq!(store.family(id).await.unwrap().unwrap().family, second);
        assert_eq!(family_events(&app, id, "family.save").await.len(), 2, "one audit event per save");
        // The saved versions are never changed.
        assert!(store.tamper_for_tests_raw("UPDATE family_versions SET family = '{}'").await.is_err(), "{backend:?}");
        assert_eq!(store.family_versions(id).await.unwrap()[0].family, family());
        store.verify_audit().await.unwrap();
    }
}

#[tokio::test]
async fn the_editor_proposes_the_referral_saves_and_the_review_page_shows_the_genogram() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let url = format!("/reviews/{id}/family");

        // Nothing saved: the review page says so and links to the editor.
        let (s, page) = chair.get(&format!("/reviews/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("No family and household has been recorded"), "{backend:?}");
        assert!(page.contains(&format!("href=\"/reviews/{id}/family\">Edit the family and household")));
        assert!(!page.contains("genogram.svg"));

        // The editor proposes the referral's child and family.
        let (s, page) = chair.get(&url).await;
        assert_eq!(s, 200);
        assert!(page.contains("These rows are proposals"));
        assert!(page.contains("value=\"Child T\"") && page.contains("value=\"Mother T\""), "{page}");
        assert!(page.contains("<option value=\"female\" selected>"), "a mother is proposed as female");
        assert!(page.contains("<option value=\"parent\" selected>"), "and as a parent of the child");
        assert!(page.contains("id=\"people-0-subject\" name=\"subject\" type=\"radio\" value=\"p1\" checked"), "the child is the subject");

        let f = fields(PEOPLE, RELS, 0);
        let (s, _, loc) = chair.post(&url, &refs(&f)).await;
        assert_eq!((s, loc.as_deref()), (303, Some(format!("/reviews/{id}/family?saved=1").as_str())), "{backend:?}");
        let rec = app.state.store.family(id).await.unwrap().unwrap();
        assert_eq!(rec.version, 1);
        let names: Vec<&str> = rec.family.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Child T", "Mother T", "Father T"], "the blank row is left out");
        let child = &rec.family.people[0];
        assert!(child.subject && child.in_household);
        assert_eq!(child.born, chrono::NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!((rec.family.people[1].sex, rec.family.people[1].age), (Sex::Female, Some(29)));
        assert_eq!(rec.family.relationships.len(), 3);
        assert_eq!(rec.family.relationships[2], Relationship::partner("p2", "p3", PartnerStatus::Separated));

        let (s, page) = chair.get(&format!("{url}?saved=1")).await;
        assert_eq!(s, 200);
        assert!(page.contains("The family and household are saved (version 1)"));
        assert!(page.contains("name=\"version\" value=\"1\""));

        // The review page: the picture, its text alternative and the table of people.
        let (s, page) = chair.get(&format!("/reviews/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains(&format!("<img src=\"/reviews/{id}/genogram.svg\" alt=\"Genogram of the family and household of Child T: 3 people, living in the household: Child T, Mother T.")), "{page}");
        assert!(page.contains("mother of Child T; separated from Father T"), "relationships in words");
        assert!(page.contains("daughter of Mother T") || page.contains("child of Mother T"));
        assert!(page.contains("Edit the family and household"));

        // A second save at the version opened.
        let mut f2 = fields(PEOPLE, RELS, 1);
        f2.push(("people-2-remove".into(), "true".into()));
        let (s, _, _) = chair.post(&url, &refs(&f2)).await;
        assert_eq!(s, 303);
        let rec = app.state.store.family(id).await.unwrap().unwrap();
        assert_eq!((rec.version, rec.family.people.len()), (2, 2));
        assert_eq!(rec.family.relationships, [Relationship::parent("p2", "p1")], "removing a person removes their relationships");

        // "Add another person" shows more rows and saves nothing.
        let mut f3 = fields(PEOPLE, RELS, 2);
        f3.push(("action".into(), "add_person".into()));
        let (s, page, _) = chair.post(&url, &refs(&f3)).await;
        assert_eq!(s, 200);
        assert!(page.contains("id=\"people-6-name\""), "three more blank rows");
        assert!(page.contains("value=\"Father T\""), "the typed rows stay");
        assert_eq!(app.state.store.family(id).await.unwrap().unwrap().version, 2);
    }
}

#[tokio::test]
async fn bad_input_names_the_row_and_field_keeps_what_was_typed_and_saves_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let author = app.browser(app.email(Role::OverviewAuthor)).await;
        let url = format!("/reviews/{id}/family");
        let people = [
            ("Child T", "unknown", "31/01/2024", "", true),
            ("Mother Typed", "female", "31/02/1990", "", true),
            ("Grandad", "male", "", "old", false),
            ("", "male", "", "", false),
        ];
        let rels = [("p2", "parent", "p1"), ("p2", "", "p3"), ("p3", "parent", "p3")];
        let f = fields(&people, &rels, 0);
        let (s, page, _) = author.post(&url, &refs(&f)).await;
        assert_eq!(s, 422, "{backend:?}");
        for (anchor, message) in [
            ("people-1-born", "The date of birth of person 2 must be a real date"),
            ("people-2-age", "The age of person 3 must be a whole number of years"),
            ("people-3-name", "Enter the name or label of person 4"),
            ("rels-1-kind", "Relationship 2: choose the kind of relationship"),
            ("rels-2-b", "Relationship 3: choose two different people"),
        ] {
            assert!(page.contains(&format!("<a href=\"#{anchor}\">{message}")), "{backend:?}: summary links {anchor}: {page}");
            assert!(page.contains(&format!("id=\"{anchor}\"")), "the field {anchor} exists");
        }
        assert!(
            page.contains("value=\"31/02/1990\"") && page.contains("value=\"Mother Typed\"") && page.contains("value=\"old\""),
            "typed values kept"
        );
        assert!(page.contains("<title>Error: "));
        assert!(app.state.store.family(id).await.unwrap().is_none(), "nothing saved");
        assert!(family_events(&app, id, "family.save").await.is_empty());

        // A parent of themselves through a cycle: named by the genogram's own rules.
        let rels = [("p1", "parent", "p2"), ("p2", "parent", "p1")];
        let f = fields(&PEOPLE[..2], &rels, 0);
        let (s, page, _) = author.post(&url, &refs(&f)).await;
        assert_eq!(s, 422);
        assert!(page.contains("<a href=\"#people-0-name\">Person 1 (Child T): is recorded as their own ancestor"), "{page}");

        // Too many people: a clear message, nothing saved.
        let many: Vec<(String, &str, &str, &str, bool)> = (0..61).map(|i| (format!("Person {i}"), "unknown", "", "", false)).collect();
        let many: Vec<(&str, &str, &str, &str, bool)> = many.iter().map(|(n, s, b, a, h)| (n.as_str(), *s, *b, *a, *h)).collect();
        let f = fields(&many, &[], 0);
        let (s, page, _) = author.post(&url, &refs(&f)).await;
        assert_eq!(s, 422);
        assert!(page.contains("A family can have at most 60 people; the form has 61: remove 1"), "{backend:?}");
        assert!(app.state.store.family(id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_stale_save_answers_409_and_keeps_what_was_typed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let store = &app.state.store;
        let (author, _) = store.user_by_email(app.email(Role::OverviewAuthor)).await.unwrap().unwrap();
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let url = format!("/reviews/{id}/family");
        // The chair opens the editor; the overview author saves first.
        let (_, page) = chair.get(&url).await;
        assert!(page.contains("name=\"version\" value=\"0\""));
        store.save_family(&author.actor(), id, 0, &family()).await.unwrap();
        let people = [("Child T", "unknown", "", "", true), ("Typed But Not Saved", "female", "", "", true)];
        let f = fields(&people, &[("p2", "parent", "p1")], 0);
        let (s, page, _) = chair.post(&url, &refs(&f)).await;
        assert_eq!(s, 409, "{backend:?}");
        assert!(page.contains("Someone else saved the family and household first"));
        assert!(page.contains(&format!("{} saved version 1", author.name)));
        assert!(page.contains("value=\"Typed But Not Saved\""), "typed values kept");
        assert!(page.contains("<title>Child T</title>") || page.contains("genogram.svg"), "their version is shown");
        assert_eq!(store.family(id).await.unwrap().unwrap().family, family(), "theirs is not overwritten");
        // Saving again, at the version the page now carries, replaces it.
        assert!(page.contains("name=\"version\" value=\"1\""));
        let f = fields(&people, &[("p2", "parent", "p1")], 1);
        let (s, _, _) = chair.post(&url, &refs(&f)).await;
        assert_eq!(s, 303);
        assert_eq!(store.family(id).await.unwrap().unwrap().family.people[1].name, "Typed But Not Saved");
        assert_eq!(store.family_versions(id).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn strangers_get_404_and_panel_members_read_but_do_not_write() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let store = &app.state.store;
        let (admin, _) = store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
        store.save_family(&admin.actor(), id, 0, &family()).await.unwrap();
        // (Signing in is recorded: everyone signs in first.)
        let outsider = app.browser(&app.outsider).await;
        let member = app.browser(app.email(Role::PanelMember)).await;
        let chair = app.browser(app.email(Role::PanelChair)).await;
        let before = store.verify_audit().await.unwrap();

        // Not a member of the review: nothing exists.
        for path in [format!("/reviews/{id}/family"), format!("/reviews/{id}/genogram.svg")] {
            let (s, body) = outsider.get(&path).await;
            assert_eq!(s, 404, "{backend:?}: {path}");
            assert!(!body.contains("Grandmother"));
        }
        let f = fields(PEOPLE, RELS, 1);
        let (s, _, _) = outsider.post(&format!("/reviews/{id}/family"), &refs(&f)).await;
        assert_eq!(s, 404);
        // Nobody signed in is sent to sign in.
        let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = anon.get(app.url(&format!("/reviews/{id}/genogram.svg"))).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(store.verify_audit().await.unwrap(), before, "refused calls record nothing");

        // A panel member reads the family but has no form and may not save.
        let (s, page) = member.get(&format!("/reviews/{id}/family")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Grandmother") && !page.contains("Save the family and household"), "{backend:?}");
        let (s, page) = member.get(&format!("/reviews/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("genogram.svg") && !page.contains("Edit the family and household"));
        let before = store.verify_audit().await.unwrap();
        let (s, _, _) = member.post(&format!("/reviews/{id}/family"), &refs(&f)).await;
        assert_eq!(s, 403, "{backend:?}");
        // Nor without the session's token, even an editor.
        let r = chair.client.post(app.url(&format!("/reviews/{id}/family"))).form(&refs(&f)).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(store.family(id).await.unwrap().unwrap().version, 1, "unchanged");
        assert_eq!(store.verify_audit().await.unwrap(), before);
    }
}

/// Checks that `xml` is one well-formed element (with an optional prolog and comments):
/// tags nest and close, attributes are quoted, `<` never appears in text or values and
/// every `&` starts a known entity or character reference.
fn well_formed(xml: &str) -> Result<(), String> {
    fn entities(s: &str) -> Result<(), String> {
        if s.contains('<') {
            return Err(format!("'<' in text or value: {s:?}"));
        }
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or_else(|| format!("unterminated entity in {s:?}"))?;
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix("#x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name.strip_prefix('#').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("bad entity &{name}; in {s:?}"));
            }
            rest = &after[end + 1..];
        }
        Ok(())
    }
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !stack.is_empty() || !rest.trim().is_empty() {
                return Err(format!("text outside the root or unclosed {stack:?}"));
            }
            entities(rest)?;
            break;
        };
        let text = &rest[..lt];
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root: {text:?}"));
        }
        entities(text)?;
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>").ok_or("unterminated prolog")? + 2..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->").ok_or("unterminated comment")? + 3..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or("unterminated end tag")?;
            let name = r[..end].trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            rest = &r[end + 1..];
            continue;
        }
        // A start tag: its name, then attributes name="value" until > or />.
        let r = &rest[1..];
        let name_end = r.find(|c: char| c.is_whitespace() || c == '>' || c == '/').ok_or("unterminated tag")?;
        let name = &r[..name_end];
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')) {
            return Err(format!("bad tag name {name:?}"));
        }
        let mut a = r[name_end..].trim_start();
        let self_closing = loop {
            if let Some(x) = a.strip_prefix("/>") {
                a = x;
                break true;
            }
            if let Some(x) = a.strip_prefix('>') {
                a = x;
                break false;
            }
            let eq = a.find('=').ok_or_else(|| format!("attribute without a value in <{name}>"))?;
            let attr = a[..eq].trim();
            if attr.is_empty() || !attr.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':')) {
                return Err(format!("bad attribute name {attr:?} in <{name}>"));
            }
            let v = a[eq + 1..].trim_start();
            let q = v.chars().next().filter(|c| *c == '"' || *c == '\'').ok_or_else(|| format!("unquoted {attr} in <{name}>"))?;
            let close = v[1..].find(q).ok_or_else(|| format!("unterminated {attr} in <{name}>"))?;
            entities(&v[1..1 + close])?;
            a = v[close + 2..].trim_start();
        };
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name.to_string());
        }
        rest = a;
    }
    if roots != 1 || !stack.is_empty() {
        return Err(format!("{roots} root elements, unclosed {stack:?}"));
    }
    Ok(())
}

#[test]
fn the_checker_refuses_what_is_not_well_formed() {
    assert!(well_formed("<svg a=\"1\"><g><title>A &amp; B</title></g><path d='x'/></svg>\n").is_ok());
    for bad in [
        "<svg><g></svg>",
        "<svg>A & B</svg>",
        "<svg a=1></svg>",
        "<svg></svg><svg></svg>",
        "<svg><title>a<b</title></svg>",
        "<svg a=\"<\"/>",
    ] {
        assert!(well_formed(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn the_genogram_is_well_formed_svg_naming_everyone_and_its_reads_are_audited() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let id = review(&app).await;
        let store = &app.state.store;
        let (admin, _) = store.user_by_email(app.email(Role::PartnershipAdmin)).await.unwrap().unwrap();
        let member = app.browser(app.email(Role::PanelMember)).await;
        let url = format!("/reviews/{id}/genogram.svg");
        // Nothing saved: nothing to draw.
        assert_eq!(member.get(&url).await.0, 404);
        store.save_family(&admin.actor(), id, 0, &family()).await.unwrap();

        let r = member.client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{backend:?}");
        let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(header("content-type").starts_with("image/svg+xml"), "{}", header("content-type"));
        assert_eq!(header("content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("cache-control"), "no-store");
        let svg = r.text().await.unwrap();
        well_formed(&svg).unwrap_or_else(|e| panic!("{backend:?}: not well-formed: {e}\n{svg}"));
        assert!(svg.trim_start().starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        for label in [
            "<title>Mother&apos;s partner &amp; &lt;friend&gt;</title>",
            "<title>Mother &quot;T&quot;</title>",
            "<title>Child T</title>",
            "<title>Grandmother</title>",
        ] {
            assert!(svg.contains(label), "{backend:?}: {label} missing");
        }
        assert!(!svg.contains("<friend>") && !svg.contains("<script"), "names are escaped");

        let reads = family_events(&app, id, "family.read").await;
        assert_eq!(reads.len(), 1, "{backend:?}");
        assert_eq!(reads[0].actor, app.email(Role::PanelMember));
        assert!(reads[0].details.contains("\"via\":\"genogram\"") && reads[0].details.contains("\"version\":1"), "{}", reads[0].details);
        // The editor page is a read too.
        member.get(&format!("/reviews/{id}/family")).await;
        assert_eq!(family_events(&app, id, "family.read").await.len(), 2);
        store.verify_audit().await.unwrap();
    }
}
