//! The documents of a review on the pages: which documents can be written now, the
//! editor of each (its template's sections), versions and their differences, comments
//! anchored to sections, circulation, approval under the seeds' rules, and publication.
//! Every view of a draft is marked DRAFT and STRICTLY CONFIDENTIAL, names the person it
//! was shown to, and is audited.

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use casereview_core::documents::{approval_problems, ApprovalFacts, DocumentKind, DocumentStatus};
use casereview_core::{FieldErrors, Role};
use casereview_store::{DocumentComment, DocumentRecord, DocumentVersion, ReviewRecord, StoreError, User};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/documents", get(list_page))
        .route("/reviews/{id}/documents/{kind}", get(document_page).post(save))
        .route("/reviews/{id}/documents/{kind}/status", post(status))
        .route("/reviews/{id}/documents/{kind}/comments", post(comment))
        .route("/reviews/{id}/documents/{kind}/comments/{cid}/resolve", post(resolve))
        .route("/reviews/{id}/documents/{kind}/download", get(download))
        .route("/reviews/{id}/copies/{cid}/destroyed", post(copy_destroyed))
}

/// Who writes each document.
fn may_edit(kind: DocumentKind, role: Role) -> bool {
    match kind {
        DocumentKind::TermsOfReference => matches!(role, Role::PartnershipAdmin | Role::PanelChair),
        DocumentKind::OverviewReport | DocumentKind::ExecutiveSummary => matches!(role, Role::OverviewAuthor | Role::PartnershipAdmin),
        DocumentKind::OfstedNotification => role == Role::PartnershipAdmin,
    }
}

/// Agency staff read a draft only once it is circulated to them for comment (001 §2.3.31).
fn may_read(doc: Option<&DocumentRecord>, role: Role) -> bool {
    !matches!(role, Role::AgencyAuthor | Role::AgencyHead) || doc.is_some_and(|d| d.status != DocumentStatus::Draft)
}

fn parse_kind(kind: &str) -> Result<DocumentKind, WebError> {
    kind.parse().map_err(|_| WebError::NotFound)
}

struct Row {
    kind: &'static str,
    title: &'static str,
    source: &'static str,
    status: String,
    version: i64,
    unavailable: Option<String>,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage {
    nav: pages::Nav,
    review_id: i64,
    reference: String,
    rows: Vec<Row>,
}

async fn list_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let docs = state.store.documents(id).await?;
    let rows = DocumentKind::ALL
        .iter()
        .map(|k| {
            let d = docs.iter().find(|d| d.kind == *k);
            Row {
                kind: k.as_str(),
                title: k.title(),
                source: k.source(),
                status: d.map(|d| format!("{:?}", d.status).to_lowercase()).unwrap_or_else(|| "not started".into()),
                version: d.map(|d| d.version).unwrap_or(0),
                unavailable: k.available(r.summary.state, r.summary.kind).err(),
            }
        })
        .collect();
    Ok(pages::render(StatusCode::OK, &ListPage { nav: pages::nav(&state, &a).await?, review_id: id, reference: r.summary.reference, rows }))
}

struct SectionView {
    id: &'static str,
    title: &'static str,
    hint: &'static str,
    text: String,
    /// The text formatted: escaped by `markup::to_html`, so shown as it is.
    html: String,
    comments: Vec<DocumentComment>,
}

struct DiffView {
    from: i64,
    to: i64,
    /// Per section title: lines with a marker: ' ' same, '+' added, '-' removed.
    sections: Vec<(&'static str, Vec<(char, String)>)>,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    kind: &'static str,
    title: &'static str,
    source: &'static str,
    status: String,
    is_draft: bool,
    version: i64,
    prepared_for: String,
    sections: Vec<SectionView>,
    editable: bool,
    may_comment: bool,
    may_resolve: bool,
    actions: Vec<(&'static str, &'static str)>,
    needs_signature: bool,
    problems: Vec<String>,
    /// (version, saved by, saved at, "marked for destruction on …" or empty).
    versions: Vec<(i64, String, String, String)>,
    diff: Option<DiffView>,
    signed: Option<String>,
    /// Draft copies handed out and not yet recorded as destroyed (001 §2.4.24).
    outstanding: Vec<CopyView>,
    /// Whether the board manager may record a draft copy's destruction now (after approval).
    may_record_destroyed: bool,
    /// Publication of a report or summary: national panel, date, holds, removal.
    publication: Option<crate::publication_routes::PublicationView>,
}

struct CopyView {
    id: i64,
    line: String,
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// The lines of a section's change, marked for the page: ' ' same, '+' added, '-' removed.
fn diff_lines(old: &str, new: &str) -> Vec<(char, String)> {
    use casereview_core::textdiff::{self, Kind};
    textdiff::diff_lines(old, new)
        .into_iter()
        .map(|l| {
            let mark = match l.kind {
                Kind::Same => ' ',
                Kind::Added => '+',
                Kind::Removed => '-',
            };
            (mark, l.text)
        })
        .collect()
}

/// A section's text as safe HTML: the Markdown subset of `casereview_core::markup`, with
/// `{{field}}` placeholders filled from what the system knows of the review.
fn section_html(text: &str, r: &ReviewRecord, partnership: &str) -> String {
    use casereview_core::markup;
    let fill = |name: &str| -> Option<String> {
        Some(match name {
            "review.reference" => r.summary.reference.clone(),
            "review.kind" => r.summary.kind.map(|k| k.title().to_string()).unwrap_or_default(),
            "partnership.name" => partnership.to_string(),
            "child.name" => r.referral.child.name.clone(),
            "child.date_of_birth" => r.referral.child.date_of_birth.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            "incident.date" => r.referral.incident_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            _ => return None,
        })
    };
    match markup::parse(text, &markup::Limits::default()) {
        Ok(doc) => markup::to_html(&doc, &fill),
        Err(e) => format!("<p class=\"govuk-error-message\">{}</p>", markup::escape_html(&e.to_string())),
    }
}

/// The names of the review's panel members other than the chair, which the executive
/// summary must not print (003 §3.10).
async fn panel_member_names(state: &SharedState, id: i64) -> Result<Vec<String>, WebError> {
    Ok(state.store.members(id).await?.into_iter().filter(|u| u.role == Role::PanelMember).map(|u| u.name).collect())
}

/// What a re-shown page carries besides errors: the sections as typed, and the versions
/// to compare.
#[derive(Default)]
struct Extra {
    typed: Option<BTreeMap<String, String>>,
    q: DiffQuery,
}

async fn render_doc(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    kind: DocumentKind,
    status: StatusCode,
    errors: FieldErrors,
    extra: Extra,
) -> Result<Response, PageError> {
    let id = r.summary.id;
    let doc = state.store.document(id, kind).await?;
    if !may_read(doc.as_ref(), a.user.role) {
        return Err(WebError::NotFound.into());
    }
    if doc.is_none() {
        if let Err(why) = kind.available(r.summary.state, r.summary.kind) {
            return Err(WebError::Unprocessable(format!("The {} cannot be written yet: {why}", kind.title().to_lowercase())).into());
        }
    }
    state
        .store
        .record_audit(
            &a.user.actor(),
            "document.read",
            &format!("review:{id}"),
            json!({"document": kind.as_str(), "version": doc.as_ref().map(|d| d.version)}),
        )
        .await?;
    let comments = match &doc {
        Some(d) => state.store.document_comments(d.id).await?,
        None => Vec::new(),
    };
    let Extra { typed, q } = extra;
    let partnership = state.store.partnership(r.summary.partnership_id).await?.name;
    let current = typed.or_else(|| doc.as_ref().map(|d| d.sections.clone())).unwrap_or_default();
    let sections = kind
        .sections()
        .iter()
        .map(|(sid, title, hint)| SectionView {
            id: sid,
            title,
            hint,
            html: section_html(current.get(*sid).map(String::as_str).unwrap_or(""), r, &partnership),
            text: current.get(*sid).cloned().unwrap_or_default(),
            comments: comments.iter().filter(|c| c.section == *sid).cloned().collect(),
        })
        .collect();
    let doc_status = doc.as_ref().map(|d| d.status).unwrap_or(DocumentStatus::Draft);
    let versions: Vec<DocumentVersion> = match &doc {
        Some(d) => state.store.document_versions(d.id).await?,
        None => Vec::new(),
    };
    let diff = match (q.from, q.to) {
        (Some(f), Some(t)) => {
            let get = |v: i64| versions.iter().find(|x| x.version == v).map(|x| x.sections.clone());
            match (get(f), get(t)) {
                (Some(a), Some(b)) => Some(DiffView {
                    from: f,
                    to: t,
                    sections: kind
                        .sections()
                        .iter()
                        .map(|(sid, title, _)| {
                            (
                                *title,
                                diff_lines(a.get(*sid).map(String::as_str).unwrap_or(""), b.get(*sid).map(String::as_str).unwrap_or("")),
                            )
                        })
                        .filter(|(_, lines)| lines.iter().any(|(m, _)| *m != ' '))
                        .collect(),
                }),
                _ => None,
            }
        }
        _ => None,
    };
    let role = a.user.role;
    let editor = may_edit(kind, role);
    let mut actions = Vec::new();
    if doc.is_some() {
        match doc_status {
            DocumentStatus::Draft if editor => actions.push(("circulated", "Circulate for comment")),
            DocumentStatus::Circulated if editor => actions.push(("draft", "Take back to draft")),
            _ => {}
        }
        let amendment = doc.as_ref().is_some_and(|d| d.approved_version.is_some());
        if doc_status.is_draft() && role == kind.approver_of(amendment) {
            actions.push(("approved", if amendment { "Agree the amendment" } else { "Approve this version" }));
        }
        if doc_status == DocumentStatus::Approved && kind.amendable_by() == Some(role) {
            actions.push(("draft", "Reopen for amendment"));
        }
        if doc_status == DocumentStatus::Approved && kind.publishable() && matches!(role, Role::BoardChair | Role::PartnershipAdmin) {
            actions.push(("published", "Record publication"));
        }
    }
    let problems = if doc_status.is_draft() && doc.is_some() {
        let names = panel_member_names(state, id).await?;
        let facts = ApprovalFacts {
            sections: current.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            signed_by: "signature given when approving",
            signed_on: Some(state.today()),
            family_involved: false,
            panel_member_names: names.iter().map(String::as_str).collect(),
        };
        approval_problems(kind, &facts)
    } else {
        Vec::new()
    };
    let outstanding = match &doc {
        Some(d) if matches!(role, Role::PartnershipAdmin | Role::BoardChair | Role::PanelChair) || editor => state
            .store
            .document_copies(id)
            .await?
            .into_iter()
            .filter(|c| c.document_id == Some(d.id) && c.draft && c.destroyed_at.is_none())
            .map(|c| CopyView {
                id: c.id,
                line: format!(
                    "Version {} ({}), made for {} on {}",
                    c.version.unwrap_or(0),
                    c.format.to_uppercase(),
                    c.made_for,
                    c.made_at.format("%d/%m/%Y %H:%M")
                ),
            })
            .collect(),
        _ => Vec::new(),
    };
    let page = DocPage {
        nav: pages::nav(state, a).await?,
        publication: crate::publication_routes::publication_view(state, &a.user, id, doc.as_ref()).await?,
        outstanding,
        may_record_destroyed: role == Role::PartnershipAdmin && !doc_status.is_draft(),
        errors: form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference.clone(),
        kind: kind.as_str(),
        title: kind.title(),
        source: kind.source(),
        status: format!("{doc_status:?}").to_lowercase(),
        is_draft: doc_status.is_draft(),
        version: doc.as_ref().map(|d| d.version).unwrap_or(0),
        prepared_for: format!("{} ({})", a.user.name, a.user.role.title()),
        sections,
        editable: editor && doc_status == DocumentStatus::Draft,
        may_comment: doc_status == DocumentStatus::Circulated,
        may_resolve: editor,
        actions,
        needs_signature: kind == DocumentKind::OverviewReport,
        problems,
        versions: versions
            .iter()
            .rev()
            .map(|v| {
                (
                    v.version,
                    v.saved_by.clone(),
                    v.saved_at.format("%d/%m/%Y %H:%M").to_string(),
                    v.destroy_marked_on.map(|d| format!("draft marked for destruction on {}", d.format("%d/%m/%Y"))).unwrap_or_default(),
                )
            })
            .collect(),
        diff,
        signed: doc.as_ref().and_then(|d| d.signed_on.map(|on| format!("{}, {}", d.signed_by, on.format("%d/%m/%Y")))),
    };
    Ok(pages::render(status, &page))
}

/// The document page again with errors (a publication form refused).
pub(crate) async fn render_with_errors(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    kind: DocumentKind,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    render_doc(state, a, r, kind, StatusCode::UNPROCESSABLE_ENTITY, errors, Extra::default()).await
}

async fn document_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    Query(q): Query<DiffQuery>,
) -> Result<Response, PageError> {
    let kind = parse_kind(&kind)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    render_doc(&state, &a, &r, kind, StatusCode::OK, FieldErrors::new(), Extra { typed: None, q }).await
}

fn check_user(user: &User, kind: DocumentKind) -> Result<(), WebError> {
    if may_edit(kind, user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("A {} does not write the {}", user.role.title().to_lowercase(), kind.title().to_lowercase())))
    }
}

async fn save(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let kind = parse_kind(&kind)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_user(&a.user, kind)?;
    if let Err(why) = kind.available(r.summary.state, r.summary.kind) {
        if state.store.document(id, kind).await?.is_none() {
            return Err(WebError::Unprocessable(why).into());
        }
    }
    let version = form::get(&pairs, "version").parse::<i64>().unwrap_or(0);
    let sections: BTreeMap<String, String> =
        kind.sections().iter().map(|(sid, _, _)| (sid.to_string(), form::get(&pairs, &format!("section-{sid}")).to_string())).collect();
    match state.store.save_document(&a.user.actor(), id, kind, version, &sections).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}?saved=1", kind.as_str())).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra { typed: Some(sections), q: DiffQuery::default() })
                .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn status(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let kind = parse_kind(&kind)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let doc = state.store.document(id, kind).await?.ok_or(WebError::NotFound)?;
    let version = form::get(&pairs, "version").parse::<i64>().unwrap_or(0);
    let to = match form::get(&pairs, "to") {
        "circulated" => DocumentStatus::Circulated,
        "draft" => DocumentStatus::Draft,
        "approved" => DocumentStatus::Approved,
        "published" => DocumentStatus::Published,
        _ => return Err(WebError::BadRequest { field: "to".into(), message: "Choose what to do".into() }.into()),
    };
    let mut signed = None;
    let mut note = String::new();
    match to {
        DocumentStatus::Draft if doc.status == DocumentStatus::Approved => {
            // 002: an amendment of agreed terms of reference must be agreed by the board chair.
            if kind.amendable_by() != Some(a.user.role) {
                return Err(WebError::Forbidden(match kind.amendable_by() {
                    Some(r) => format!(
                        "Only the {} reopens the approved {} for amendment (002)",
                        r.title().to_lowercase(),
                        kind.title().to_lowercase()
                    ),
                    None => format!("The approved {} is final", kind.title().to_lowercase()),
                })
                .into());
            }
            note = form::get(&pairs, "reason").trim().to_string();
            if note.is_empty() {
                let e = FieldErrors::single("reason", "Say why the terms of reference are amended");
                return render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await;
            }
        }
        DocumentStatus::Circulated | DocumentStatus::Draft => check_user(&a.user, kind)?,
        DocumentStatus::Approved => {
            let approver = kind.approver_of(doc.approved_version.is_some());
            if a.user.role != approver {
                return Err(WebError::Forbidden(format!(
                    "The {} is approved by the {}{}",
                    kind.title().to_lowercase(),
                    approver.title().to_lowercase(),
                    if doc.approved_version.is_some() { " (an amendment after approval, 002)" } else { "" }
                ))
                .into());
            }
            let mut e = FieldErrors::new();
            let on = casereview_core::text::optional_date(&mut e, "signed_on", "the date signed", form::get(&pairs, "signed_on"));
            let by = form::get(&pairs, "signed_by").trim().to_string();
            let names = panel_member_names(&state, id).await?;
            let facts = ApprovalFacts {
                sections: doc.sections.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
                signed_by: if kind == DocumentKind::OverviewReport { &by } else { "n/a" },
                signed_on: if kind == DocumentKind::OverviewReport { on } else { Some(state.today()) },
                family_involved: false,
                panel_member_names: names.iter().map(String::as_str).collect(),
            };
            for p in approval_problems(kind, &facts) {
                e.push(if p.contains("signed") { "signed_by" } else { "approval" }, p);
            }
            if !e.is_empty() {
                return render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await;
            }
            signed = on.map(|d| (by, d));
        }
        DocumentStatus::Published => {
            if !(kind.publishable() && matches!(a.user.role, Role::BoardChair | Role::PartnershipAdmin)) {
                return Err(WebError::Forbidden(
                    "Only the board chair or the board manager records publication of a report or summary".into(),
                )
                .into());
            }
            // The publication gate (issue 6): the check runs on exactly the text to be
            // published; anything unresolved blocks it, and that text is what is kept.
            let outcome = crate::anonymisation_routes::gate_for(&state.store, &r, &doc).await?;
            if !outcome.may_publish() {
                let n = outcome.unresolved.len();
                let e = FieldErrors::single(
                    "approval",
                    format!(
                        "The anonymisation check has {n} unresolved finding{}: decide each on the anonymisation page, or the chair of the board overrides it with a reason, before publication",
                        if n == 1 { "" } else { "s" }
                    ),
                );
                return render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await;
            }
            return match state.store.publish_document(&a.user.actor(), doc.id, version, &outcome.published, state.today()).await {
                Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}", kind.as_str())).into_response()),
                Err(StoreError::Invalid(e)) => {
                    render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await
                }
                Err(e) => Err(e.into()),
            };
        }
    }
    let signed_ref = signed.as_ref().map(|(b, d)| (b.as_str(), *d));
    match state.store.set_document_status(&a.user.actor(), doc.id, to, version, signed_ref, &note).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}", kind.as_str())).into_response()),
        Err(StoreError::Invalid(e)) => render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn comment(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let kind = parse_kind(&kind)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let doc = state.store.document(id, kind).await?.ok_or(WebError::NotFound)?;
    if doc.status != DocumentStatus::Circulated || !may_read(Some(&doc), a.user.role) {
        return Err(WebError::Forbidden("Comments are made on a draft circulated for comment".into()).into());
    }
    match state
        .store
        .add_document_comment(&a.user.actor(), doc.id, doc.version, form::get(&pairs, "section"), form::get(&pairs, "body"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}", kind.as_str())).into_response()),
        Err(StoreError::Invalid(e)) => render_doc(&state, &a, &r, kind, StatusCode::UNPROCESSABLE_ENTITY, e, Extra::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn resolve(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind, cid)): Path<(i64, String, i64)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let kind = parse_kind(&kind)?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    check_user(&a.user, kind)?;
    let doc = state.store.document(id, kind).await?.ok_or(WebError::NotFound)?;
    if !state.store.document_comments(doc.id).await?.iter().any(|c| c.id == cid) {
        return Err(WebError::NotFound.into());
    }
    state.store.resolve_document_comment(&a.user.actor(), cid).await?;
    Ok(Redirect::to(&format!("/reviews/{id}/documents/{}", kind.as_str())).into_response())
}

#[derive(Deserialize)]
struct DownloadQuery {
    format: Option<String>,
}

/// A PDF or DOCX copy of the document for the person asking: marked DRAFT and STRICTLY
/// CONFIDENTIAL until approval, printed with their name, and recorded as a copy.
async fn download(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, PageError> {
    let kind = parse_kind(&kind)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let doc = state.store.document(id, kind).await?;
    if !may_read(doc.as_ref(), a.user.role) {
        return Err(WebError::NotFound.into());
    }
    let format =
        q.format.as_deref().unwrap_or("pdf").parse().map_err(|m: String| WebError::BadRequest { field: "format".into(), message: m })?;
    let made_for = format!("{} ({})", a.user.name, a.user.role.title());
    let file = crate::renderings::render(
        &state.store,
        &a.user.actor(),
        &r,
        crate::renderings::Product::Document(kind),
        state.today(),
        &crate::renderings::Request { format, made_for, to: None, event: String::new() },
    )
    .await?;
    Ok(crate::renderings::attachment(file))
}

/// The board manager records that a draft copy came back and was destroyed (001 §2.4.24).
async fn copy_destroyed(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, cid)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    if a.user.role != Role::PartnershipAdmin {
        return Err(WebError::Forbidden("The board manager records the destruction of draft copies".into()).into());
    }
    let copy = state.store.document_copies(id).await?.into_iter().find(|c| c.id == cid).ok_or(WebError::NotFound)?;
    state.store.record_copy_destroyed(&a.user.actor(), id, cid).await?;
    let back = match copy.document_id {
        Some(_) => format!("/reviews/{id}/documents/{}", copy.what),
        None => format!("/reviews/{id}/documents"),
    };
    Ok(Redirect::to(&back).into_response())
}
