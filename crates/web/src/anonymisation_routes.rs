//! Anonymisation before publication on the pages (issue 6): the case register with its
//! pseudonym plan (proposed from what the review knows, editable by the overview author),
//! the side-by-side review of a document's findings where the author accepts, rejects or
//! edits each, and the board chair's override of a finding with a reason. The publication
//! gate itself is in `document_routes` (status → published) over
//! `casereview_core::publication::gate`.

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use casereview_core::anonymise::{CaseDate, CaseFile, CasePerson, CasePlace, Category, Register};
use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::publication::{self, Decided, Decision, GateOutcome, Override};
use casereview_core::{FieldErrors, Role};
use casereview_store::{DocumentRecord, ReviewRecord, Store, StoreError};

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/anonymisation", get(register_page).post(save_register))
        .route("/reviews/{id}/documents/{kind}/anonymisation", get(findings_page))
        .route("/reviews/{id}/documents/{kind}/anonymisation/decide", post(decide))
        .route("/reviews/{id}/documents/{kind}/anonymisation/override", post(override_finding))
}

/// Who sees the real names behind the pseudonyms: the board's office and the report's author.
fn may_see(role: Role) -> bool {
    matches!(role, Role::OverviewAuthor | Role::PartnershipAdmin | Role::BoardChair | Role::PanelChair)
}

/// Who edits the register and decides findings.
fn may_decide(role: Role) -> bool {
    matches!(role, Role::OverviewAuthor | Role::PartnershipAdmin)
}

fn check(role: Role, allowed: fn(Role) -> bool, what: &str) -> Result<(), WebError> {
    if allowed(role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("A {} does not {what}", role.title().to_lowercase())))
    }
}

/// The case register proposed from what the review records: the child, the family (from
/// the referral and the genogram), the practitioners, the agencies' officers, the referrer
/// and panel members (whom a published summary never names, 003 §3.10); addresses, the
/// school, dates of birth and death. The board chair, panel chair and overview author are
/// left out: the summary names them on purpose.
pub async fn proposed_case_file(store: &Store, r: &ReviewRecord) -> Result<CaseFile, StoreError> {
    let f = &r.referral;
    let mut case = CaseFile::default();
    let mut person = |name: &str, role: &str| {
        let name = name.trim();
        if name.is_empty() || case.people.iter().any(|p| p.names.iter().any(|n| n.eq_ignore_ascii_case(name))) {
            return;
        }
        case.people.push(CasePerson { names: vec![name.to_string()], role: role.trim().to_lowercase(), ..Default::default() });
    };
    person(&f.child.name, "child");
    for m in &f.family {
        person(&m.name, &m.relationship);
    }
    if let Some(fam) = store.family(r.summary.id).await? {
        for p in &fam.family.people {
            person(&p.name, if p.subject { "child" } else { "" });
        }
    }
    for p in store.practitioners(r.summary.id).await? {
        person(&p.name, &p.role);
    }
    for a in &f.agencies_involved {
        person(&a.officer, &a.position);
    }
    person(&f.referrer.name, &f.referrer.position);
    for u in store.members(r.summary.id).await? {
        if matches!(u.role, Role::PanelMember | Role::AgencyAuthor | Role::AgencyHead) {
            person(&u.name, u.role.title());
        }
    }
    let mut place = |name: &str, kind: &str| {
        let name = name.trim();
        if !name.is_empty() && !case.places.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            case.places.push(CasePlace { name: name.to_string(), kind: kind.to_string(), pseudonym: None });
        }
    };
    place(&f.child.home_address, "address");
    for m in &f.family {
        place(&m.address, "address");
    }
    place(&f.child.educational_establishment, "school");
    let mut date = |d: Option<chrono::NaiveDate>, kind: &str| {
        if let Some(d) = d {
            case.dates.push(CaseDate { date: d.format("%Y-%m-%d").to_string(), kind: kind.to_string(), pseudonym: None });
        }
    };
    date(f.child.date_of_birth, "date_of_birth");
    date(f.child.date_of_death, "date_of_death");
    for m in &f.family {
        date(m.date_of_birth, "date_of_birth");
    }
    Ok(case)
}

/// The register in force: the author's saved one, or the proposal; with its version (0 for
/// the proposal).
pub async fn case_file_for(store: &Store, r: &ReviewRecord) -> Result<(CaseFile, i64), StoreError> {
    match store.case_register(r.summary.id).await? {
        Some(saved) => Ok((saved.case_file, saved.version)),
        None => Ok((proposed_case_file(store, r).await?, 0)),
    }
}

/// Builds the register, or says which field of the case file is wrong.
pub fn register_of(case: &CaseFile) -> Result<Register, WebError> {
    Register::from_case(case).map_err(WebError::Invalid)
}

/// The gate over the approved version of a publishable document.
pub async fn gate_for(store: &Store, r: &ReviewRecord, doc: &DocumentRecord) -> Result<GateOutcome, WebError> {
    let (case, _) = case_file_for(store, r).await?;
    let register = register_of(&case)?;
    let version = doc.approved_version.unwrap_or(doc.version);
    let sections = store
        .document_versions(doc.id)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .map(|v| v.sections)
        .unwrap_or_else(|| doc.sections.clone());
    let decided = store.finding_decisions(doc.id, version).await?;
    let overrides = store.finding_overrides(doc.id, version).await?;
    Ok(publication::gate(&sections, &register, &decided, &overrides))
}

struct PlanRow {
    label: String,
    category: String,
    pseudonym: String,
}

#[derive(Template)]
#[template(path = "anonymisation_register.html")]
struct RegisterPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    version: i64,
    editable: bool,
    json: String,
    plan: Vec<PlanRow>,
    documents: Vec<(&'static str, &'static str)>,
}

async fn render_register(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    errors: FieldErrors,
    typed: Option<String>,
) -> Result<Response, PageError> {
    let (case, version) = case_file_for(&state.store, r).await?;
    let plan = match Register::from_case(&case) {
        Ok(reg) => reg
            .plan()
            .into_iter()
            .map(|e| PlanRow {
                label: e.label,
                category: if e.kind.is_empty() { category_name(e.category) } else { e.kind.replace('_', " ") },
                pseudonym: e.pseudonym,
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    state
        .store
        .record_audit(
            &a.user.actor(),
            "anonymisation.register_read",
            &format!("review:{}", r.summary.id),
            serde_json::json!({"version": version}),
        )
        .await?;
    let page = RegisterPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        version,
        editable: may_decide(a.user.role),
        json: typed.unwrap_or_else(|| serde_json::to_string_pretty(&case).unwrap_or_default()),
        plan,
        documents: DocumentKind::ALL.iter().filter(|k| k.publishable()).map(|k| (k.as_str(), k.title())).collect(),
    };
    Ok(pages::render(status, &page))
}

async fn register_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check(a.user.role, may_see, "see the case register")?;
    render_register(&state, &a, &r, StatusCode::OK, FieldErrors::new(), None).await
}

async fn save_register(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check(a.user.role, may_decide, "edit the case register")?;
    let typed = form::get(&pairs, "case_file").to_string();
    let version = form::get(&pairs, "version").parse::<i64>().unwrap_or(0);
    let parsed: Result<CaseFile, FieldErrors> =
        CaseFile::from_json(&typed).map_err(|e| FieldErrors::single("case_file", format!("The register is not valid: {e}")));
    let result = match parsed {
        Ok(case) => match Register::from_case(&case) {
            Ok(_) => state.store.save_case_register(&a.user.actor(), id, version, &case).await.map_err(|e| match e {
                StoreError::Invalid(f) => Ok(f),
                other => Err(other),
            }),
            Err(f) => Err(Ok(FieldErrors(
                f.0.into_iter()
                    .map(|e| casereview_core::error::FieldError {
                        field: "case_file".into(),
                        message: format!("{}: {}", e.field, e.message),
                    })
                    .collect(),
            ))),
        },
        Err(f) => Err(Ok(f)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/anonymisation")).into_response()),
        Err(Ok(errors)) => render_register(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, errors, Some(typed)).await,
        Err(Err(e)) => Err(e.into()),
    }
}

/// One finding as the review screen shows it.
struct FindingRow {
    n: usize,
    section: String,
    text: String,
    category: String,
    detector: String,
    confidence: String,
    replacement: String,
    decision: String,
    unresolved: bool,
}

/// A section side by side: the approved text with the findings marked, and the text to publish.
struct SectionSide {
    title: &'static str,
    /// (text, finding number) pieces: number 0 for plain text.
    original: Vec<(String, usize)>,
    published: String,
}

#[derive(Template)]
#[template(path = "anonymisation_findings.html")]
struct FindingsPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    kind: &'static str,
    title: &'static str,
    status: String,
    version: i64,
    may_decide: bool,
    may_override: bool,
    rows: Vec<FindingRow>,
    unresolved: Vec<FindingRow>,
    sides: Vec<SectionSide>,
}

fn category_name(c: Category) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(|s| s.replace('_', " "))).unwrap_or_default()
}

async fn publishable_doc(state: &SharedState, r: &ReviewRecord, kind: &str) -> Result<(DocumentKind, DocumentRecord), WebError> {
    let kind: DocumentKind = kind.parse().map_err(|_| WebError::NotFound)?;
    if !kind.publishable() {
        return Err(WebError::NotFound);
    }
    let doc = state.store.document(r.summary.id, kind).await?.ok_or(WebError::NotFound)?;
    Ok((kind, doc))
}

async fn render_findings(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    kind: &str,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let (kind, doc) = publishable_doc(state, r, kind).await?;
    if doc.status.is_draft() {
        return Err(WebError::Unprocessable(format!(
            "The {} is checked for publication once it is approved; it is a draft now",
            kind.title().to_lowercase()
        ))
        .into());
    }
    let outcome = gate_for(&state.store, r, &doc).await?;
    state
        .store
        .record_audit(
            &a.user.actor(),
            "anonymisation.read",
            &format!("review:{}", r.summary.id),
            serde_json::json!({"document": kind.as_str()}),
        )
        .await?;
    let row = |n: usize, sf: &publication::SectionFinding, unresolved: bool| FindingRow {
        n,
        section: sf.section.clone(),
        text: sf.finding.text.clone(),
        category: category_name(sf.finding.category),
        detector: sf.finding.detector.clone(),
        confidence: format!("{:.0}%", sf.finding.confidence * 100.0),
        replacement: match &sf.decision {
            Some(Decision::Edit(w)) => w.clone(),
            _ => sf.finding.replacement.clone(),
        },
        decision: match &sf.decision {
            None => "not decided".into(),
            Some(Decision::Accept) => "replace".into(),
            Some(Decision::Reject) => "keep".into(),
            Some(Decision::Edit(_)) => "replace with other words".into(),
        },
        unresolved,
    };
    let rows: Vec<FindingRow> = outcome
        .findings
        .iter()
        .enumerate()
        .map(|(i, sf)| {
            let open = outcome
                .unresolved
                .iter()
                .any(|u| u.section == sf.section && u.finding.start == sf.finding.start && u.finding.text == sf.finding.text);
            row(i + 1, sf, open)
        })
        .collect();
    let unresolved: Vec<FindingRow> = outcome.unresolved.iter().enumerate().map(|(i, sf)| row(i + 1, sf, true)).collect();
    let version = doc.approved_version.unwrap_or(doc.version);
    let sections =
        state.store.document_versions(doc.id).await?.into_iter().find(|v| v.version == version).map(|v| v.sections).unwrap_or_default();
    let mut sides = Vec::new();
    for (sid, title, _) in kind.sections() {
        let text = sections.get(*sid).cloned().unwrap_or_default();
        let mut pieces = Vec::new();
        let mut at = 0;
        for (i, sf) in outcome.findings.iter().enumerate().filter(|(_, sf)| sf.section == *sid) {
            let f = &sf.finding;
            if f.start < at || f.end > text.len() || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
                continue;
            }
            pieces.push((text[at..f.start].to_string(), 0));
            pieces.push((text[f.start..f.end].to_string(), i + 1));
            at = f.end;
        }
        pieces.push((text[at.min(text.len())..].to_string(), 0));
        sides.push(SectionSide { title, original: pieces, published: outcome.published.get(*sid).cloned().unwrap_or_default() });
    }
    let page = FindingsPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        kind: kind.as_str(),
        title: kind.title(),
        status: format!("{:?}", doc.status).to_lowercase(),
        version,
        may_decide: may_decide(a.user.role) && doc.status == DocumentStatus::Approved,
        may_override: a.user.role == Role::BoardChair && doc.status == DocumentStatus::Approved,
        rows,
        unresolved,
        sides,
    };
    Ok(pages::render(status, &page))
}

async fn findings_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check(a.user.role, may_see, "review the anonymisation")?;
    render_findings(&state, &a, &r, &kind, StatusCode::OK, FieldErrors::new()).await
}

async fn decide(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check(a.user.role, may_decide, "decide anonymisation findings")?;
    let (k, doc) = publishable_doc(&state, &r, &kind).await?;
    if doc.status != DocumentStatus::Approved {
        return Err(WebError::Unprocessable("Findings are decided on the approved version, before publication".into()).into());
    }
    let outcome = gate_for(&state.store, &r, &doc).await?;
    let n: usize = form::get(&pairs, "finding")
        .parse()
        .map_err(|_| WebError::BadRequest { field: "finding".into(), message: "Choose a finding".into() })?;
    let sf = outcome.findings.get(n.wrapping_sub(1)).ok_or(WebError::NotFound)?;
    // The form names the finding by number and repeats its words: if the text changed in
    // between (it cannot once approved, but a stale page could), refuse rather than guess.
    if form::get(&pairs, "text") != sf.finding.text {
        return Err(WebError::Conflict {
            message: "The finding has changed since the page was shown: reload it".into(),
            changed: vec![],
            current_version: doc.version,
        }
        .into());
    }
    let decision = match form::get(&pairs, "decision") {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        "edit" => Decision::Edit(form::get(&pairs, &format!("replacement-{n}")).to_string()),
        _ => {
            return render_findings(
                &state,
                &a,
                &r,
                k.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single(format!("decision-{n}"), "Choose what to do with the words"),
            )
            .await
        }
    };
    let d = Decided { section: sf.section.clone(), start: sf.finding.start, end: sf.finding.end, text: sf.finding.text.clone(), decision };
    match state.store.decide_finding(&a.user.actor(), doc.id, doc.approved_version.unwrap_or(doc.version), &d, sf.finding.category).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}/anonymisation#finding-{n}", k.as_str())).into_response()),
        Err(StoreError::Invalid(_)) => {
            render_findings(
                &state,
                &a,
                &r,
                k.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single(format!("replacement-{n}"), "Enter the words to print instead"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn override_finding(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    if a.user.role != Role::BoardChair {
        return Err(WebError::Forbidden("Only the chair of the board overrides the anonymisation check (issue 6)".into()).into());
    }
    let (k, doc) = publishable_doc(&state, &r, &kind).await?;
    let outcome = gate_for(&state.store, &r, &doc).await?;
    let n: usize = form::get(&pairs, "unresolved")
        .parse()
        .map_err(|_| WebError::BadRequest { field: "unresolved".into(), message: "Choose a finding".into() })?;
    let sf = outcome.unresolved.get(n.wrapping_sub(1)).ok_or(WebError::NotFound)?;
    let o = Override {
        section: sf.section.clone(),
        text: sf.finding.text.clone(),
        category: sf.finding.category,
        reason: form::get(&pairs, &format!("reason-{n}")).to_string(),
    };
    match state.store.override_finding(&a.user.actor(), doc.id, doc.approved_version.unwrap_or(doc.version), &o).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}/anonymisation", k.as_str())).into_response()),
        Err(StoreError::Invalid(_)) => {
            render_findings(
                &state,
                &a,
                &r,
                k.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single(format!("reason-{n}"), "Give the reason for publishing these words"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
