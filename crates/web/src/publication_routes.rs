//! Publication (issue 7 item 4; 000 §7.3-7.4, §12.4; 002 "Publication of Reports"): the
//! public list of the partnership's published reports and summaries (no sign-in, only the
//! text that passed the anonymisation gate and the review's public reference), searchable
//! and paged, each readable and downloadable as PDF or DOCX; publication holds while
//! criminal proceedings or an inquest are open; the date a copy went to the national
//! panel; removal of a publication, not before 12 months. The rules are
//! `casereview_core::publishing`; the store checks them again inside each write.

use crate::access::{self, Need};
use crate::auth::{ApiUser, Authenticated, PageUser};
use crate::error::{ApiError, WebError};
use crate::form::{self, json_body, LimitedBody};
use crate::pages::{self, PageError};
use crate::renderings::{self, Format};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::publishing::{self, HoldInput, HoldKind};
use casereview_core::{markup, FieldErrors, Role};
use casereview_store::{DocumentRecord, PublicationHold, PublishedItem, ReviewRecord, StoreError, User};
use serde::Deserialize;
use serde_json::json;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/published", get(public_list))
        .route("/published/{doc}", get(public_document))
        .route("/published/{doc}/download", get(public_download))
        .route("/reviews/{id}/publication-holds", get(holds_page).post(place_hold))
        .route("/reviews/{id}/publication-holds/{hold}/lift", post(lift_hold))
        .route("/reviews/{id}/documents/{kind}/national-panel", post(national_panel))
        .route("/reviews/{id}/documents/{kind}/withdraw", post(withdraw))
}

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/published", get(api_public_list))
        .route("/published/{doc}", get(api_public_document))
        .route("/reviews/{id}/publication-holds", get(api_holds).post(api_place_hold))
        .route("/reviews/{id}/publication-holds/{hold}/lift", post(api_lift_hold))
        .route("/reviews/{id}/documents/{kind}/publication", get(api_publication))
        .route("/reviews/{id}/documents/{kind}/national-panel", put(api_national_panel))
        .route("/reviews/{id}/documents/{kind}/withdraw", post(api_withdraw))
}

fn d(date: Option<chrono::NaiveDate>) -> String {
    date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| "not recorded".into())
}

/// The query string's pairs, decoded leniently: a search box must take any characters
/// (bad percent-encoding becomes a replacement character rather than an error).
fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or("")).unwrap_or_default()
}

fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn check_holder(user: &User) -> Result<(), WebError> {
    if publishing::may_hold(user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or the chair of the board places or lifts a publication hold".into()))
    }
}

fn check_publisher(user: &User, kind: DocumentKind) -> Result<(), WebError> {
    if !kind.publishable() {
        return Err(WebError::NotFound);
    }
    if publishing::may_publish(user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or the chair of the board records publication".into()))
    }
}

// ---------------------------------------------------------------- the public pages

struct ListRow {
    item: PublishedItem,
    published_on: String,
    available_until: String,
}

#[derive(Template)]
#[template(path = "published.html")]
struct PublicListPage {
    nav: pages::Nav,
    q: String,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    /// The query string of the search, for the paging links (already URL-encoded).
    q_encoded: String,
}

async fn public_list(State(state): State<SharedState>, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let pairs = query_pairs(raw);
    let q = query_get(&pairs, "q").trim().to_string();
    let page = query_get(&pairs, "page").trim().parse::<i64>().unwrap_or(1);
    let found = state.store.published_documents(&q, page).await?;
    let rows = found
        .items
        .into_iter()
        .map(|item| ListRow { published_on: d(item.published_on), available_until: d(item.available_until), item })
        .collect();
    let q_encoded = serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default();
    let page = PublicListPage { nav: pages::Nav::default(), q, rows, total: found.total, page: found.page, pages: found.pages, q_encoded };
    Ok(pages::render(StatusCode::OK, &page))
}

struct PublicSection {
    title: &'static str,
    /// Escaped by `markup::to_html`.
    html: String,
}

#[derive(Template)]
#[template(path = "published_document.html")]
struct PublicDocPage {
    nav: pages::Nav,
    item: PublishedItem,
    published_on: String,
    available_until: String,
    sections: Vec<PublicSection>,
    sha256: String,
}

async fn public_document(State(state): State<SharedState>, Path(doc): Path<i64>) -> Result<Response, PageError> {
    let p = state.store.published_document(doc).await?.ok_or(WebError::NotFound)?;
    let item = p.item.clone();
    let fill = |name: &str| renderings::public_fill(name, &item.reference, &item.partnership);
    let sections = item
        .kind
        .sections()
        .iter()
        .filter_map(|(sid, title, _)| {
            let text = p.sections.get(*sid).map(String::as_str).unwrap_or("").trim();
            if text.is_empty() {
                return None;
            }
            let html = match markup::parse(text, &markup::Limits::default()) {
                Ok(doc) => markup::to_html(&doc, &fill),
                Err(_) => format!("<p class=\"govuk-body\">{}</p>", markup::escape_html(text)),
            };
            Some(PublicSection { title, html })
        })
        .collect();
    let page = PublicDocPage {
        nav: pages::Nav::default(),
        published_on: d(item.published_on),
        available_until: d(item.available_until),
        item,
        sections,
        sha256: p.sha256,
    };
    Ok(pages::render(StatusCode::OK, &page))
}

async fn public_download(State(state): State<SharedState>, Path(doc): Path<i64>, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let pairs = query_pairs(raw);
    let format: Format = match query_get(&pairs, "format") {
        "" => Format::Pdf,
        f => f.parse().map_err(|m: String| WebError::BadRequest { field: "format".into(), message: m })?,
    };
    let p = state.store.published_document(doc).await?.ok_or(WebError::NotFound)?;
    let file = renderings::render_published(&state.store, &p, format).await?;
    Ok(renderings::attachment(file))
}

// ---------------------------------------------------------------- holds

struct HoldView {
    id: i64,
    kind: &'static str,
    reason: String,
    placed: String,
    lifted: Option<String>,
}

fn hold_view(h: &PublicationHold) -> HoldView {
    HoldView {
        id: h.id,
        kind: h.kind.title(),
        reason: h.reason.clone(),
        placed: format!("{}, {}", h.placed_by, h.placed_at.format("%d/%m/%Y %H:%M")),
        lifted: h.lifted_at.map(|at| {
            format!(
                "Lifted by {} on {}: {}",
                h.lifted_by.clone().unwrap_or_default(),
                at.format("%d/%m/%Y %H:%M"),
                h.lift_reason.clone().unwrap_or_default()
            )
        }),
    }
}

/// The review page's lines about open holds ("Inquest (coroner's hearing): reason").
pub async fn open_hold_lines(state: &SharedState, review_id: i64) -> Result<Vec<String>, WebError> {
    Ok(state
        .store
        .publication_holds(review_id)
        .await?
        .iter()
        .filter(|h| h.is_open())
        .map(|h| format!("{}: {} (placed by {} on {})", h.kind.title(), h.reason, h.placed_by, h.placed_at.format("%d/%m/%Y")))
        .collect())
}

#[derive(Template)]
#[template(path = "publication_holds.html")]
struct HoldsPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    holds: Vec<HoldView>,
    may_hold: bool,
    kinds: Vec<(&'static str, &'static str)>,
    typed_kind: String,
    typed_reason: String,
    /// The hold whose lift was refused, and the reason typed for it.
    lift_for: i64,
    lift_reason: String,
}

#[derive(Default)]
struct Typed {
    kind: String,
    reason: String,
    lift_for: i64,
    lift_reason: String,
}

async fn render_holds(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    errors: FieldErrors,
    typed: Typed,
) -> Result<Response, PageError> {
    let id = r.summary.id;
    let holds = state.store.publication_holds(id).await?.iter().map(hold_view).collect();
    let page = HoldsPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference.clone(),
        holds,
        may_hold: publishing::may_hold(a.user.role),
        kinds: HoldKind::ALL.iter().map(|k| (k.as_str(), k.title())).collect(),
        typed_kind: typed.kind,
        typed_reason: typed.reason,
        lift_for: typed.lift_for,
        lift_reason: typed.lift_reason,
    };
    Ok(pages::render(status, &page))
}

async fn holds_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    render_holds(&state, &a, &r, StatusCode::OK, FieldErrors::new(), Typed::default()).await
}

async fn place_hold(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_holder(&a.user)?;
    let input = HoldInput { kind: form::get(&pairs, "kind").to_string(), reason: form::get(&pairs, "reason").to_string() };
    let typed = Typed { kind: input.kind.clone(), reason: input.reason.clone(), ..Typed::default() };
    match input.validate() {
        Ok((kind, reason)) => {
            state.store.place_publication_hold(&a.user.actor(), id, kind, &reason).await?;
            Ok(Redirect::to(&format!("/reviews/{id}/publication-holds")).into_response())
        }
        Err(e) => render_holds(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, e, typed).await,
    }
}

async fn lift_hold(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, hold)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_holder(&a.user)?;
    if !state.store.publication_holds(id).await?.iter().any(|h| h.id == hold) {
        return Err(WebError::NotFound.into());
    }
    let typed = Typed { lift_for: hold, lift_reason: form::get(&pairs, "lift_reason").to_string(), ..Typed::default() };
    let result = match publishing::lift_reason(form::get(&pairs, "lift_reason")) {
        Ok(reason) => state.store.lift_publication_hold(&a.user.actor(), id, hold, &reason).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/publication-holds")).into_response()),
        Err(StoreError::Invalid(e)) => {
            // The form's box is `lift_reason`; the rule names the reason `reason`.
            let e = FieldErrors(
                e.0.into_iter()
                    .map(|x| casereview_core::FieldError {
                        field: if x.field == "reason" { "lift_reason".into() } else { x.field },
                        message: x.message,
                    })
                    .collect(),
            );
            render_holds(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, e, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- on the document page

/// The publication panel of a report or summary's page.
pub struct PublicationView {
    pub national_panel_sent_on: String,
    pub published_on: String,
    pub available_until: String,
    pub withdrawn: Option<String>,
    pub open_holds: Vec<String>,
    /// The board manager or chair, on an approved document: the panel date form.
    pub may_record_panel: bool,
    /// The board manager or chair, on a published document: the removal form.
    pub may_withdraw: bool,
    pub public_link: Option<String>,
}

/// What the document page shows about publication, for a publishable document.
pub async fn publication_view(
    state: &SharedState,
    user: &User,
    review_id: i64,
    doc: Option<&DocumentRecord>,
) -> Result<Option<PublicationView>, WebError> {
    let Some(doc) = doc.filter(|d| d.kind.publishable()) else { return Ok(None) };
    let rec = state.store.publication_record(doc.id).await?;
    let publisher = publishing::may_publish(user.role);
    let published = doc.status == DocumentStatus::Published;
    Ok(Some(PublicationView {
        national_panel_sent_on: rec.national_panel_sent_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
        published_on: if published { d(rec.published_on) } else { String::new() },
        available_until: if published { d(rec.available_until()) } else { String::new() },
        withdrawn: rec.withdrawn_on.map(|on| {
            format!(
                "An earlier publication was removed on {} by {}: {}",
                on.format("%d/%m/%Y"),
                rec.withdrawn_by.clone().unwrap_or_default(),
                rec.withdrawn_reason.clone().unwrap_or_default()
            )
        }),
        open_holds: open_hold_lines(state, review_id).await?,
        may_record_panel: publisher && doc.status == DocumentStatus::Approved,
        may_withdraw: publisher && published,
        public_link: published.then(|| format!("/published/{}", doc.id)),
    }))
}

async fn doc_of(state: &SharedState, user: &User, id: i64, kind: &str) -> Result<(ReviewRecord, DocumentKind, DocumentRecord), WebError> {
    let kind: DocumentKind = kind.parse().map_err(|_| WebError::NotFound)?;
    let r = access::review_for(state, user, id, Need::See).await?;
    check_publisher(user, kind)?;
    let doc = state.store.document(id, kind).await?.ok_or(WebError::NotFound)?;
    Ok((r, kind, doc))
}

async fn national_panel(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (r, kind, doc) = doc_of(&state, &a.user, id, &kind).await?;
    let mut e = FieldErrors::new();
    let on = casereview_core::text::required_date(
        &mut e,
        "national_panel_sent_on",
        "the date the copy went to the national panel",
        form::get(&pairs, "national_panel_sent_on"),
    );
    let result = match on {
        Some(on) if e.is_empty() => state.store.record_national_panel_date(&a.user.actor(), doc.id, on, state.today()).await,
        _ => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}#publication", kind.as_str())).into_response()),
        Err(StoreError::Invalid(e)) => crate::document_routes::render_with_errors(&state, &a, &r, kind, e).await,
        Err(e) => Err(e.into()),
    }
}

async fn withdraw(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (r, kind, doc) = doc_of(&state, &a.user, id, &kind).await?;
    match state.store.withdraw_publication(&a.user.actor(), doc.id, form::get(&pairs, "reason"), state.today()).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/documents/{}#publication", kind.as_str())).into_response()),
        Err(StoreError::Invalid(e)) => crate::document_routes::render_with_errors(&state, &a, &r, kind, e).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- API

type ApiResult = Result<Response, ApiError>;

async fn api_public_list(State(state): State<SharedState>, RawQuery(raw): RawQuery) -> ApiResult {
    let pairs = query_pairs(raw);
    let page = query_get(&pairs, "page").trim().parse::<i64>().unwrap_or(1);
    Ok(Json(state.store.published_documents(query_get(&pairs, "q").trim(), page).await?).into_response())
}

async fn api_public_document(State(state): State<SharedState>, Path(doc): Path<i64>) -> ApiResult {
    Ok(Json(state.store.published_document(doc).await?.ok_or(WebError::NotFound)?).into_response())
}

async fn api_holds(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.publication_holds(id).await?).into_response())
}

async fn api_place_hold(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    check_holder(&a.user)?;
    let input: HoldInput = json_body(&body)?;
    let (kind, reason) = input.validate().map_err(WebError::Invalid)?;
    let hold = state.store.place_publication_hold(&a.user.actor(), id, kind, &reason).await?;
    let h = state.store.publication_holds(id).await?.into_iter().find(|h| h.id == hold);
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

#[derive(Deserialize, Default)]
struct ReasonBody {
    #[serde(default)]
    reason: String,
}

async fn api_lift_hold(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, hold)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    check_holder(&a.user)?;
    if !state.store.publication_holds(id).await?.iter().any(|h| h.id == hold) {
        return Err(WebError::NotFound.into());
    }
    let b: ReasonBody = json_body(&body)?;
    let reason = publishing::lift_reason(&b.reason).map_err(WebError::Invalid)?;
    state.store.lift_publication_hold(&a.user.actor(), id, hold, &reason).await?;
    Ok(Json(state.store.publication_holds(id).await?.into_iter().find(|h| h.id == hold)).into_response())
}

async fn publication_json(state: &SharedState, doc: &DocumentRecord) -> Result<serde_json::Value, WebError> {
    let rec = state.store.publication_record(doc.id).await?;
    let doc = state.store.document(doc.review_id, doc.kind).await?.ok_or(WebError::NotFound)?;
    Ok(json!({
        "document_id": doc.id,
        "kind": doc.kind.as_str(),
        "status": format!("{:?}", doc.status).to_lowercase(),
        "national_panel_sent_on": rec.national_panel_sent_on,
        "published_on": rec.published_on,
        "available_until": rec.available_until(),
        "withdrawn_on": rec.withdrawn_on,
        "withdrawn_by": rec.withdrawn_by,
        "withdrawn_reason": rec.withdrawn_reason,
    }))
}

async fn api_publication(State(state): State<SharedState>, ApiUser(a): ApiUser, Path((id, kind)): Path<(i64, String)>) -> ApiResult {
    let kind: DocumentKind = kind.parse().map_err(|_| WebError::NotFound)?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    if !kind.publishable() {
        return Err(WebError::NotFound.into());
    }
    let doc = state.store.document(id, kind).await?.ok_or(WebError::NotFound)?;
    if matches!(a.user.role, Role::AgencyAuthor | Role::AgencyHead) && doc.status.is_draft() {
        return Err(WebError::NotFound.into());
    }
    Ok(Json(publication_json(&state, &doc).await?).into_response())
}

#[derive(Deserialize, Default)]
struct PanelBody {
    #[serde(default)]
    national_panel_sent_on: String,
}

async fn api_national_panel(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    let (_, _, doc) = doc_of(&state, &a.user, id, &kind).await?;
    let b: PanelBody = json_body(&body)?;
    let mut e = FieldErrors::new();
    let on = casereview_core::text::required_date(
        &mut e,
        "national_panel_sent_on",
        "the date the copy went to the national panel",
        &b.national_panel_sent_on,
    );
    let Some(on) = on.filter(|_| e.is_empty()) else { return Err(WebError::Invalid(e).into()) };
    state.store.record_national_panel_date(&a.user.actor(), doc.id, on, state.today()).await?;
    Ok(Json(publication_json(&state, &doc).await?).into_response())
}

async fn api_withdraw(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, kind)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    let (_, _, doc) = doc_of(&state, &a.user, id, &kind).await?;
    let b: ReasonBody = json_body(&body)?;
    state.store.withdraw_publication(&a.user.actor(), doc.id, &b.reason, state.today()).await?;
    Ok(Json(publication_json(&state, &doc).await?).into_response())
}
