//! A review's chronologies in the application: upload an agency's file, see its problems
//! before anything is saved, confirm it (all rows, or only the valid ones when the user
//! chooses), read the integrated timeline with filters, resolve discrepancies, and export
//! it. Agency authors and heads work with their own agency's chronology only; every read
//! and export of the chronology is audited.

use crate::access::{self, Need};
use crate::auth::{ApiUser, Authenticated, PageUser};
use crate::chronology;
use crate::error::{ApiError, WebError};
use crate::form::{self, json_body, LimitedBody};
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casereview_core::chronology::discrepancy::{Discrepancy, DiscrepancyOptions};
use casereview_core::chronology::import::{ImportOptions, ImportProblem, Severity};
use casereview_core::chronology::merge::{Integrated, IntegratedEntry};
use casereview_core::{FieldErrors, Role};
use casereview_store::{Resolution, ReviewRecord, Upload, User};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// Largest chronology file accepted (the reader's own limit).
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/chronology", get(api_chronology))
        .route("/reviews/{id}/chronology/uploads", post(api_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT + 4096)))
        .route("/chronology/uploads/{upload}", get(api_get_upload))
        .route("/chronology/uploads/{upload}/confirm", post(api_confirm))
        .route("/reviews/{id}/chronology/discrepancies/{did}", post(api_resolve))
}

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/chronology", get(timeline_page))
        .route("/reviews/{id}/chronology/upload", post(upload_page).layer(DefaultBodyLimit::max(UPLOAD_LIMIT + 64 * 1024)))
        .route("/chronology/uploads/{upload}", get(preview_page).post(preview_post))
        .route("/reviews/{id}/chronology/discrepancies/{did}", post(resolve_page))
        .route("/reviews/{id}/chronology/export.{ext}", get(export))
}

/// Agency authors and heads are bound to their own agency's chronology.
async fn own_agency(state: &SharedState, user: &User) -> Result<Option<String>, WebError> {
    if !matches!(user.role, Role::AgencyAuthor | Role::AgencyHead) {
        return Ok(None);
    }
    if user.agency_id.is_none() {
        return Err(WebError::Forbidden("Your account has no agency: ask the board manager to set it".into()));
    }
    Ok(Some(access::agency_name(state, user).await?.ok_or(WebError::NotFound)?))
}

fn may_upload(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::OverviewAuthor | Role::AgencyAuthor | Role::AgencyHead)
}

fn may_resolve(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::OverviewAuthor)
}

/// Imports one file for a review; the agency is the uploader's own, or the one chosen.
async fn import_upload(
    state: &SharedState,
    user: &User,
    r: &ReviewRecord,
    file_name: &str,
    bytes: Vec<u8>,
    agency: &str,
    day_01_means_month: bool,
) -> Result<i64, WebError> {
    if !may_upload(user.role) {
        return Err(WebError::Forbidden("You may not upload chronologies".into()));
    }
    let directory = state.store.agency_directory(r.summary.partnership_id).await?;
    let agency = match own_agency(state, user).await? {
        Some(a) => a,
        None => directory.get(&agency.trim().to_lowercase()).map(|(n, _)| n.clone()).ok_or_else(|| {
            WebError::Invalid(FieldErrors::single(
                "agency",
                if agency.trim().is_empty() {
                    "Choose the agency whose chronology this is".to_string()
                } else {
                    format!("'{}' is not an agency of this partnership", agency.trim())
                },
            ))
        })?,
    };
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or("chronology").trim().chars().take(200).collect::<String>();
    if name.is_empty() || bytes.is_empty() {
        return Err(WebError::Invalid(FieldErrors::single("file", "Choose the chronology file (.xlsx or .csv)")));
    }
    let options = ImportOptions {
        day_01_means_month,
        century_pivot: u32::try_from(state.today().year() % 100).unwrap_or(26),
        default_agency: Some(agency.clone()),
        aliases: BTreeMap::new(),
    };
    let mut result = chronology::import_files(&[(name.clone(), bytes)], &directory, &options, &casereview_sheets::Limits::default());
    // An agency-bound uploader sends their own agency's record only.
    for e in &result.entries {
        if !e.agency.eq_ignore_ascii_case(&agency) {
            result.problems.push(ImportProblem {
                file: e.source.file.clone(),
                sheet: e.source.sheet.clone(),
                row: e.source.row,
                column: None,
                value: e.agency.clone(),
                reason: format!("this row is for {}, but the file is {agency}'s chronology", e.agency),
                severity: Severity::Error,
            });
        }
    }
    result.entries.retain(|e| e.agency.eq_ignore_ascii_case(&agency));
    Ok(state.store.add_chronology_upload(&user.actor(), r.summary.id, &name, &agency, &result.entries, &result.problems).await?)
}

/// An upload the caller may see (uploads of other agencies are hidden from agency staff).
async fn upload_for(state: &SharedState, user: &User, id: i64) -> Result<(Upload, ReviewRecord), WebError> {
    let u = state.store.chronology_upload(id).await?;
    let r = access::review_for(state, user, u.review_id, Need::See).await?;
    if let Some(a) = own_agency(state, user).await? {
        if !a.eq_ignore_ascii_case(&u.agency) {
            return Err(WebError::NotFound);
        }
    }
    Ok((u, r))
}

/// The integrated chronology the caller may see, with discrepancies and resolutions.
async fn integrated_for(
    state: &SharedState,
    user: &User,
    r: &ReviewRecord,
) -> Result<(Integrated, Vec<Discrepancy>, Vec<Resolution>), WebError> {
    let agency = own_agency(state, user).await?;
    let entries = state.store.chronology_entries(r.summary.id, agency.as_deref()).await?;
    let (i, d) = chronology::integrate(entries, &DiscrepancyOptions::default());
    Ok((i, d, state.store.resolutions(r.summary.id).await?))
}

async fn api_chronology(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let (i, d, res) = integrated_for(&state, &a.user, &r).await?;
    // Only the resolutions of discrepancies the caller can see (agency staff see their own).
    let res: Vec<Resolution> = res.into_iter().filter(|x| d.iter().any(|y| y.id == x.discrepancy_id)).collect();
    state.store.record_audit(&a.user.actor(), "chronology.read", &format!("review:{id}"), json!({"via": "api"})).await?;
    let mut v = chronology::to_json(&i, &d);
    v["resolutions"] = json!(res);
    Ok(Json(v).into_response())
}

#[derive(Deserialize, Default)]
struct UploadQuery {
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    day_01_means_month: bool,
}

async fn api_upload(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let uid = import_upload(&state, &a.user, &r, &q.file_name, body.to_vec(), &q.agency, q.day_01_means_month).await?;
    let u = state.store.chronology_upload(uid).await?;
    Ok((StatusCode::CREATED, Json(upload_json(&u))).into_response())
}

fn upload_json(u: &Upload) -> serde_json::Value {
    let errors = u.problems.iter().filter(|p| p.severity == Severity::Error).count();
    json!({"id": u.id, "review_id": u.review_id, "file_name": u.file_name, "agency": u.agency, "status": u.status, "entries": u.entries.len(), "errors": errors, "warnings": u.problems.len() - errors, "problems": u.problems})
}

async fn api_get_upload(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(uid): Path<i64>) -> Result<Response, ApiError> {
    let (u, _) = upload_for(&state, &a.user, uid).await?;
    Ok(Json(upload_json(&u)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmInput {
    valid_only: bool,
}

async fn api_confirm(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(uid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let (_, _) = upload_for(&state, &a.user, uid).await?;
    if !may_upload(a.user.role) {
        return Err(WebError::Forbidden("You may not save chronologies".into()).into());
    }
    let c: ConfirmInput = if body.is_empty() { ConfirmInput::default() } else { json_body(&body)? };
    state.store.confirm_chronology_upload(&a.user.actor(), uid, c.valid_only).await?;
    Ok(Json(upload_json(&state.store.chronology_upload(uid).await?)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResolveInput {
    resolution: String,
    note: String,
}

async fn resolve(state: &SharedState, user: &User, id: i64, did: &str, input: &ResolveInput) -> Result<(), WebError> {
    let r = access::review_for(state, user, id, Need::See).await?;
    if !may_resolve(user.role) {
        return Err(WebError::Forbidden("Only the overview author, the panel chair or the board manager resolves discrepancies".into()));
    }
    let (_, found, _) = integrated_for(state, user, &r).await?;
    let d = found.iter().find(|d| d.id == did).ok_or(WebError::NotFound)?;
    let allowed = input.resolution == "note" || d.entries.iter().any(|s| s.to_string() == input.resolution);
    if !input.resolution.is_empty() && !allowed {
        return Err(WebError::Invalid(FieldErrors::single("resolution", "Choose one of the accounts involved, or a note")));
    }
    Ok(state.store.resolve_discrepancy(&user.actor(), id, did, &input.resolution, &input.note).await?)
}

async fn api_resolve(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, did)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: ResolveInput = json_body(&body)?;
    resolve(&state, &a.user, id, &did, &input).await?;
    Ok((StatusCode::CREATED, Json(state.store.resolutions(id).await?)).into_response())
}

// ---------------------------------------------------------------- pages

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    seen: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

struct DiscrepancyView {
    d: Discrepancy,
    resolved: Option<Resolution>,
    choices: Vec<String>,
}

#[derive(Template)]
#[template(path = "chronology.html")]
struct TimelinePage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    rows: Vec<IntegratedEntry>,
    total: usize,
    discrepancies: Vec<DiscrepancyView>,
    seen: Vec<(String, usize, usize, usize, usize)>,
    uploads: Vec<Upload>,
    agencies: Vec<String>,
    bound_agency: Option<String>,
    may_upload: bool,
    may_resolve: bool,
    f_agency: String,
    f_person: String,
    f_seen: String,
    f_from: String,
    f_to: String,
}

async fn render_timeline(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    f: Filters,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let (i, found, res) = integrated_for(state, &a.user, &r).await?;
    state.store.record_audit(&a.user.actor(), "chronology.read", &format!("review:{id}"), json!({"via": "page"})).await?;
    let mut fe = FieldErrors::new();
    let from = casereview_core::text::optional_date(&mut fe, "from", "the first date", &f.from);
    let to = casereview_core::text::optional_date(&mut fe, "to", "the last date", &f.to);
    let person = f.person.trim().to_lowercase();
    let rows: Vec<IntegratedEntry> = i
        .entries
        .iter()
        .filter(|ie| {
            let e = &ie.entry;
            (f.agency.is_empty() || e.agency == f.agency)
                && (person.is_empty() || e.subject.to_lowercase().contains(&person) || e.professional.to_lowercase().contains(&person))
                && match f.seen.as_str() {
                    "yes" => e.child_seen == Some(true),
                    "no" => e.child_seen == Some(false),
                    "unknown" => e.child_seen.is_none(),
                    _ => true,
                }
                && from.is_none_or(|d| e.date.latest() >= d)
                && to.is_none_or(|d| e.date.earliest() <= d)
        })
        .cloned()
        .collect();
    let bound = own_agency(state, &a.user).await?;
    let discrepancies = found
        .into_iter()
        .map(|d| DiscrepancyView {
            resolved: res.iter().rev().find(|x| x.discrepancy_id == d.id).cloned(),
            choices: d.entries.iter().map(|s| s.to_string()).collect(),
            d,
        })
        .collect();
    let mut all_errors = errors;
    all_errors.0.extend(fe.0);
    let page = TimelinePage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&all_errors),
        review_id: id,
        reference: r.summary.reference.clone(),
        total: i.entries.len(),
        rows,
        discrepancies,
        seen: i.seen_by_agency.iter().map(|(k, c)| (k.clone(), c.seen, c.not_seen, c.unknown, c.wishes_and_feelings)).collect(),
        uploads: state
            .store
            .chronology_uploads(id)
            .await?
            .into_iter()
            .filter(|u| bound.as_deref().is_none_or(|b| b.eq_ignore_ascii_case(&u.agency)))
            .collect(),
        agencies: state.store.agencies(r.summary.partnership_id).await?.into_iter().map(|x| x.name).collect(),
        bound_agency: bound,
        may_upload: may_upload(a.user.role),
        may_resolve: may_resolve(a.user.role),
        f_agency: f.agency,
        f_person: f.person,
        f_seen: f.seen,
        f_from: f.from,
        f_to: f.to,
    };
    Ok(pages::render(status, &page))
}

async fn timeline_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(f): Query<Filters>,
) -> Result<Response, PageError> {
    render_timeline(&state, &a, id, f, StatusCode::OK, FieldErrors::new()).await
}

async fn upload_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut agency, mut day01, mut file) = (String::new(), String::new(), false, None);
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| WebError::BadRequest { field: "file".into(), message: "The upload could not be read: try again".into() })?
    {
        match field.name().unwrap_or_default() {
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            "agency" => agency = field.text().await.unwrap_or_default(),
            "day_01_means_month" => day01 = true,
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| WebError::TooLarge(UPLOAD_LIMIT))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    a.check_csrf(&csrf)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let (name, bytes) = file.unwrap_or_default();
    match import_upload(&state, &a.user, &r, &name, bytes, &agency, day01).await {
        Ok(uid) => Ok(Redirect::to(&format!("/chronology/uploads/{uid}")).into_response()),
        Err(WebError::Invalid(e)) => render_timeline(&state, &a, id, Filters::default(), StatusCode::UNPROCESSABLE_ENTITY, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "chronology_upload.html")]
struct PreviewPage {
    nav: pages::Nav,
    errors: FieldErrors,
    u: Upload,
    reference: String,
    error_count: usize,
    sample: Vec<casereview_core::chronology::entry::ChronologyEntry>,
}

async fn render_preview(
    state: &SharedState,
    a: &Authenticated,
    uid: i64,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let (u, r) = upload_for(state, &a.user, uid).await?;
    let error_count = u.problems.iter().filter(|p| p.severity == Severity::Error).count();
    let sample = u.entries.iter().take(20).cloned().collect();
    let page = PreviewPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        reference: r.summary.reference,
        error_count,
        sample,
        u,
    };
    Ok(pages::render(status, &page))
}

async fn preview_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(uid): Path<i64>) -> Result<Response, PageError> {
    render_preview(&state, &a, uid, StatusCode::OK, FieldErrors::new()).await
}

async fn preview_post(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(uid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (u, _) = upload_for(&state, &a.user, uid).await?;
    if !may_upload(a.user.role) {
        return Err(WebError::Forbidden("You may not save chronologies".into()).into());
    }
    let result = match form::get(&pairs, "choice") {
        "save" => state.store.confirm_chronology_upload(&a.user.actor(), uid, false).await.map(|_| ()),
        "save_valid" => state.store.confirm_chronology_upload(&a.user.actor(), uid, true).await.map(|_| ()),
        "discard" => state.store.discard_chronology_upload(&a.user.actor(), uid).await,
        _ => {
            return render_preview(
                &state,
                &a,
                uid,
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single("choice", "Choose what to do with the file"),
            )
            .await
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{}/chronology", u.review_id)).into_response()),
        Err(casereview_store::StoreError::Invalid(e)) => render_preview(&state, &a, uid, StatusCode::UNPROCESSABLE_ENTITY, e).await,
        Err(e) => Err(e.into()),
    }
}

async fn resolve_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, did)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let input = ResolveInput { resolution: form::get(&pairs, "resolution").to_string(), note: form::get(&pairs, "note").to_string() };
    match resolve(&state, &a.user, id, &did, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/chronology#discrepancies")).into_response()),
        Err(WebError::Invalid(e)) => render_timeline(&state, &a, id, Filters::default(), StatusCode::UNPROCESSABLE_ENTITY, e).await,
        Err(e) => Err(e.into()),
    }
}

async fn export(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, ext)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let (i, _, _) = integrated_for(&state, &a.user, &r).await?;
    let title = format!("{}: integrated chronology. STRICTLY CONFIDENTIAL, prepared for {}", r.summary.reference, a.user.name);
    let table = chronology::chronology_table(&title, &i);
    let (body, mime) = match ext.as_str() {
        "xlsx" => (
            casereview_sheets::to_xlsx(&table).map_err(|e| WebError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "csv" => (casereview_sheets::to_csv(&table).into_bytes(), "text/csv; charset=utf-8"),
        _ => return Err(WebError::NotFound.into()),
    };
    state.store.record_audit(&a.user.actor(), "chronology.export", &format!("review:{id}"), json!({"format": ext})).await?;
    let disposition = format!("attachment; filename=\"{}-chronology.{ext}\"", r.summary.reference);
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}
