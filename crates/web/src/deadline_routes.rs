//! Deadlines across the partnership, extensions and waivers, and each person's private
//! calendar feed: the JSON API, the pages and the `.ics` feed.

use crate::access::{self, Need};
use crate::auth::{self, ApiUser, Authenticated, PageUser};
use crate::deadlines::{self, Clock, DeadlineView};
use crate::error::{ApiError, WebError};
use crate::form::{self, json_body, LimitedBody};
use crate::ical;
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casereview_core::{FieldErrors, Role};
use casereview_store::{Extension, ReviewSummary, User};
use serde::Deserialize;
use serde_json::json;

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/deadlines", get(api_deadlines))
        .route("/reviews/{id}/deadlines", get(api_review_deadlines))
        .route("/reviews/{id}/deadlines/{step}/extensions", post(api_extend))
        .route("/reviews/{id}/deadlines/{step}/waiver", post(api_waive))
        .route("/reviews/{id}/events", post(api_record_event))
        .route("/calendar-feed", post(api_calendar_feed))
}

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/deadlines", get(deadlines_page))
        .route("/calendar-feed", post(create_feed))
        .route("/reviews/{id}/deadlines/{step}/extend", get(extend_form).post(extend))
        .route("/reviews/{id}/deadlines/{step}/done", get(done_form).post(done))
        .route("/calendar/{token}", get(feed))
}

/// Who may record an extension or waiver: the business unit (recording what was agreed)
/// and the board chair.
fn require_clock_keeper(user: &User) -> Result<(), WebError> {
    if matches!(user.role, Role::PartnershipAdmin | Role::BoardChair) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or the board chair may record extensions and waivers".into()))
    }
}

/// Who may record that a step of the timetable happened: those who run the process.
fn require_process_runner(user: &User) -> Result<(), WebError> {
    if matches!(user.role, Role::PartnershipAdmin | Role::BoardChair | Role::PanelChair) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager, the board chair or the panel chair may record steps of the timetable".into()))
    }
}

/// Checks and records an event of the ruleset on a date; the error names the field.
async fn record_manual_event(state: &SharedState, user: &User, id: i64, event: &str, on: &str) -> Result<(), WebError> {
    let (clock, _, r) = review_deadlines(state, user, id).await?;
    require_process_runner(user)?;
    if r.state.is_terminal() {
        return Err(WebError::Unprocessable("The review is closed: its timetable can no longer change".into()));
    }
    let mut e = match clock.check_manual_event(event) {
        Ok(()) => FieldErrors::new(),
        Err(e) => e,
    };
    let day = casereview_core::text::required_date(&mut e, "on", "the date it happened", on);
    casereview_core::text::clock_range(&mut e, "on", "the date it happened", day);
    if day.is_some_and(|d| d > state.today()) {
        e.push("on", "The date it happened must be today or in the past");
    }
    match day {
        Some(d) if e.is_empty() => Ok(state.store.record_event(&user.actor(), id, event, d).await?),
        _ => Err(WebError::Invalid(e)),
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct EventInput {
    event: String,
    on: String,
}

async fn api_record_event(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: EventInput = json_body(&body)?;
    record_manual_event(&state, &a.user, id, input.event.trim(), &input.on).await?;
    let (_, all, _) = review_deadlines(&state, &a.user, id).await?;
    Ok((StatusCode::CREATED, Json(all)).into_response())
}

/// Filters on the deadline list.
#[derive(Debug, Deserialize, Default)]
pub struct DeadlineFilter {
    /// One status or several separated by commas; `open` means upcoming, due soon or overdue.
    #[serde(default)]
    pub status: String,
    pub review: Option<i64>,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub due_before: String,
}

/// Every deadline of the reviews the user can see, soonest first, filtered.
async fn visible(state: &SharedState, user: &User, f: &DeadlineFilter) -> Result<Vec<(ReviewSummary, DeadlineView)>, WebError> {
    let due_before = match f.due_before.trim() {
        "" => None,
        v => Some(
            casereview_core::text::parse_date(v)
                .map_err(|m| WebError::Invalid(FieldErrors::single("due_before", format!("The date {m}"))))?,
        ),
    };
    let statuses: Vec<&str> = f.status.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    const KNOWN: [&str; 8] = ["open", "not_started", "upcoming", "due_soon", "overdue", "met", "waived", "closed"];
    if let Some(bad) = statuses.iter().find(|s| !KNOWN.contains(s)) {
        return Err(WebError::Invalid(FieldErrors::single("status", format!("'{bad}' is not a status; use one of {}", KNOWN.join(", ")))));
    }
    if !f.role.is_empty() {
        f.role.parse::<Role>().map_err(|e| WebError::Invalid(FieldErrors::single("role", e.to_string())))?;
    }
    let p = state.store.partnership(user.partnership_id).await?;
    let clock = deadlines::clock_for(&state.store, &p).await?;
    let reviews: Vec<ReviewSummary> =
        state.store.reviews_for(user).await?.into_iter().filter(|r| f.review.is_none_or(|id| r.id == id)).collect();
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let mut all = deadlines::for_reviews(&state.store, &clock, &ids, state.today()).await?;
    let mut out = Vec::new();
    for r in reviews {
        for d in all.remove(&r.id).unwrap_or_default() {
            let status_ok = statuses.is_empty() || statuses.iter().any(|s| *s == d.status || (*s == "open" && d.is_open()));
            let role_ok = f.role.is_empty() || d.role == f.role;
            let date_ok = due_before.is_none_or(|b| d.due_date.is_some_and(|x| x < b));
            if status_ok && role_ok && date_ok {
                out.push((r.clone(), d));
            }
        }
    }
    out.sort_by_key(|(r, d)| (d.due_date.is_none(), d.due_date, r.id));
    Ok(out)
}

async fn api_deadlines(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Query(f): Query<DeadlineFilter>,
) -> Result<Response, ApiError> {
    let rows = visible(&state, &a.user, &f).await?;
    let out: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(r, d)| {
            let mut v = json!(d);
            v["reference"] = json!(r.reference);
            v["review_state"] = json!(r.state);
            v
        })
        .collect();
    Ok(Json(out).into_response())
}

/// One review's deadlines (with the clock), checked for access.
async fn review_deadlines(state: &SharedState, user: &User, id: i64) -> Result<(Clock, Vec<DeadlineView>, ReviewSummary), WebError> {
    let r = access::review_for(state, user, id, Need::See).await?;
    let p = state.store.partnership(r.summary.partnership_id).await?;
    let clock = deadlines::clock_for(&state.store, &p).await?;
    let all = deadlines::for_reviews(&state.store, &clock, &[id], state.today()).await?.remove(&id).unwrap_or_default();
    Ok((clock, all, r.summary))
}

async fn api_review_deadlines(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (_, all, _) = review_deadlines(&state, &a.user, id).await?;
    Ok(Json(all).into_response())
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ExtensionInput {
    new_due: String,
    agreed_by_role: String,
    agreed_by_name: String,
    reason: String,
}

/// Checks and records an extension; the error names the field.
async fn record_extension(state: &SharedState, user: &User, id: i64, step: &str, input: &ExtensionInput) -> Result<(), WebError> {
    // Visibility first, so a review the caller cannot see answers 404 whatever their role.
    let (clock, all, _) = review_deadlines(state, user, id).await?;
    require_clock_keeper(user)?;
    let d = all.iter().find(|d| d.step == step).ok_or(WebError::NotFound)?;
    let (new_due, previous_due) =
        clock.check_extension(d, &input.new_due, &input.agreed_by_role, &input.agreed_by_name, &input.reason).map_err(WebError::Invalid)?;
    let e = Extension {
        review_id: id,
        step: step.to_string(),
        previous_due,
        new_due,
        agreed_by_role: input.agreed_by_role.trim().to_string(),
        agreed_by_name: input.agreed_by_name.trim().to_string(),
        reason: input.reason.trim().to_string(),
        recorded_by: user.name.clone(),
        recorded_at: casereview_store::now(),
    };
    state.store.add_extension(&user.actor(), &e).await?;
    Ok(())
}

async fn api_extend(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, step)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: ExtensionInput = json_body(&body)?;
    record_extension(&state, &a.user, id, &step, &input).await?;
    let (_, all, _) = review_deadlines(&state, &a.user, id).await?;
    Ok((StatusCode::CREATED, Json(all.into_iter().find(|d| d.step == step))).into_response())
}

#[derive(Debug, Deserialize)]
struct WaiverInput {
    #[serde(default)]
    reason: String,
}

async fn api_waive(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, step)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let (_, all, _) = review_deadlines(&state, &a.user, id).await?;
    require_clock_keeper(&a.user)?;
    let w: WaiverInput = json_body(&body)?;
    let d = all.iter().find(|d| d.step == step).ok_or(WebError::NotFound)?;
    let mut e = FieldErrors::new();
    let reason =
        casereview_core::text::required(&mut e, "reason", "the reason for waiving the step", &w.reason, casereview_core::text::LONG_MAX);
    if matches!(d.status, "met" | "waived" | "closed") {
        e.push("step", format!("'{}' is already {}", d.title, d.status_title().to_lowercase()));
    }
    if !e.is_empty() {
        return Err(WebError::Invalid(e).into());
    }
    state.store.add_waiver(&a.user.actor(), id, &step, &reason).await?;
    let (_, all, _) = review_deadlines(&state, &a.user, id).await?;
    Ok((StatusCode::CREATED, Json(all.into_iter().find(|d| d.step == step))).into_response())
}

/// The base URL links are built on: the configured public URL, else the Host header.
fn base_url(state: &SharedState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    format!("{}://{host}", if state.config.secure_cookies { "https" } else { "http" })
}

/// Makes a new private feed link for the user (the old one stops working).
async fn new_feed_url(state: &SharedState, user: &User, headers: &HeaderMap) -> Result<String, WebError> {
    let token = auth::new_token();
    state.store.set_calendar_feed(user, &auth::token_hash(&token)).await?;
    Ok(format!("{}/calendar/{token}.ics", base_url(state, headers)))
}

async fn api_calendar_feed(State(state): State<SharedState>, ApiUser(a): ApiUser, headers: HeaderMap) -> Result<Response, ApiError> {
    let url = new_feed_url(&state, &a.user, &headers).await?;
    Ok((StatusCode::CREATED, Json(json!({ "url": url }))).into_response())
}

/// Deadlines a person is responsible for: the business unit and board chair follow every
/// open deadline; others those of their role on reviews they are members of.
async fn my_open_deadlines(state: &SharedState, user: &User) -> Result<Vec<(ReviewSummary, DeadlineView)>, WebError> {
    let role = if user.role.sees_all_reviews() { String::new() } else { user.role.as_str().to_string() };
    visible(state, user, &DeadlineFilter { status: "open".into(), role, ..Default::default() }).await
}

async fn feed(State(state): State<SharedState>, headers: HeaderMap, Path(token): Path<String>) -> Result<Response, ApiError> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let user = state.store.user_by_calendar_feed(&auth::token_hash(token)).await?.ok_or(WebError::NotFound)?;
    let base = base_url(&state, &headers);
    let entries: Vec<ical::CalendarEntry> = my_open_deadlines(&state, &user)
        .await?
        .into_iter()
        .filter_map(|(r, d)| {
            let due = d.due_date?;
            // The feed leaves the system: it names the review by reference, never the child.
            Some(ical::CalendarEntry {
                uid: format!("review-{}-{}", r.id, d.step),
                summary: format!("{}: {}", r.reference, d.title),
                description: format!(
                    "{} ({}). Responsible: {}. Status: {}.",
                    d.basis,
                    d.source,
                    d.role.replace('_', " "),
                    d.status_title()
                ),
                due: match d.due.as_deref() {
                    Some(s) if s.contains('T') => chrono::DateTime::parse_from_rfc3339(s)
                        .map(|t| ical::Due::DateTime(t.with_timezone(&chrono::Utc)))
                        .unwrap_or(ical::Due::Date(due)),
                    _ => ical::Due::Date(due),
                },
                url: Some(format!("{base}/reviews/{}#deadlines", r.id)),
                status: d.status.to_string(),
            })
        })
        .collect();
    let body = ical::feed(&format!("casereview deadlines: {}", user.name), &entries, casereview_store::now());
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, no-store")], body).into_response())
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    nav: pages::Nav,
    partnership: String,
    rows: Vec<(String, DeadlineView)>,
    status: String,
    role: String,
    statuses: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    feed_url: Option<String>,
    has_feed: bool,
    sees_all: bool,
    role_title: &'static str,
}

#[derive(Deserialize, Default)]
struct PageFilter {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    role: String,
}

async fn render_deadlines(
    state: &SharedState,
    a: &Authenticated,
    status: String,
    role: String,
    feed_url: Option<String>,
) -> Result<Response, PageError> {
    let f = DeadlineFilter { status: status.clone(), role: role.clone(), ..Default::default() };
    let rows = visible(state, &a.user, &f).await?.into_iter().map(|(r, d)| (r.reference, d)).collect();
    let p = state.store.partnership(a.user.partnership_id).await?;
    let page = DeadlinesPage {
        nav: pages::nav(state, a).await?,
        partnership: p.name,
        rows,
        status,
        role,
        statuses: vec![
            ("open", "Open (upcoming, due soon or overdue)"),
            ("overdue", "Overdue"),
            ("due_soon", "Due soon"),
            ("upcoming", "Upcoming"),
            ("met", "Met"),
            ("waived", "Waived"),
            ("closed", "No longer needed"),
            ("", "All"),
        ],
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.title())).collect(),
        has_feed: feed_url.is_some(),
        feed_url,
        sees_all: a.user.role.sees_all_reviews(),
        role_title: a.user.role.title(),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

async fn deadlines_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Query(q): Query<PageFilter>,
) -> Result<Response, PageError> {
    render_deadlines(&state, &a, q.status.unwrap_or_else(|| "open".into()), q.role, None).await
}

async fn create_feed(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    headers: HeaderMap,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let url = new_feed_url(&state, &a.user, &headers).await?;
    render_deadlines(&state, &a, "open".into(), String::new(), Some(url)).await
}

#[derive(Template)]
#[template(path = "extension_form.html")]
struct ExtensionPage {
    nav: pages::Nav,
    errors: FieldErrors,
    d: DeadlineView,
    review_id: i64,
    reference: String,
    form_new_due: String,
    form_role: String,
    form_name: String,
    form_reason: String,
}

async fn extension_page(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    step: &str,
    status: StatusCode,
    input: ExtensionInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let (_, all, r) = review_deadlines(state, &a.user, id).await?;
    require_clock_keeper(&a.user)?;
    let d = all.into_iter().find(|d| d.step == step).ok_or(WebError::NotFound)?;
    let role = if input.agreed_by_role.is_empty() { d.extension_by.clone().unwrap_or_default() } else { input.agreed_by_role };
    let page = ExtensionPage {
        nav: pages::nav(state, a).await?,
        errors,
        d,
        review_id: id,
        reference: r.reference,
        form_new_due: input.new_due,
        form_role: role,
        form_name: input.agreed_by_name,
        form_reason: input.reason,
    };
    Ok(pages::render(status, &page))
}

async fn extend_form(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    extension_page(&state, &a, id, &step, StatusCode::OK, ExtensionInput::default(), FieldErrors::new()).await
}

async fn extend(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, step)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let input = ExtensionInput {
        new_due: form::get(&pairs, "new_due").to_string(),
        agreed_by_role: form::get(&pairs, "agreed_by_role").to_string(),
        agreed_by_name: form::get(&pairs, "agreed_by_name").to_string(),
        reason: form::get(&pairs, "reason").to_string(),
    };
    match record_extension(&state, &a.user, id, &step, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}?done=extension#deadlines")).into_response()),
        Err(WebError::Invalid(errors)) => extension_page(&state, &a, id, &step, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "done_form.html")]
struct DonePage {
    nav: pages::Nav,
    errors: FieldErrors,
    d: DeadlineView,
    review_id: i64,
    reference: String,
    form_on: String,
}

async fn done_page(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    step: &str,
    status: StatusCode,
    on: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let (_, all, r) = review_deadlines(state, &a.user, id).await?;
    require_process_runner(&a.user)?;
    let d = all.into_iter().find(|d| d.step == step && d.done_event.is_some()).ok_or(WebError::NotFound)?;
    let page = DonePage { nav: pages::nav(state, a).await?, errors, d, review_id: id, reference: r.reference, form_on: on };
    Ok(pages::render(status, &page))
}

async fn done_form(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let today = state.today().format("%d/%m/%Y").to_string();
    done_page(&state, &a, id, &step, StatusCode::OK, today, FieldErrors::new()).await
}

async fn done(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, step)): Path<(i64, String)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (clock, _, _) = review_deadlines(&state, &a.user, id).await?;
    let event = clock.done_event(&step).ok_or(WebError::NotFound)?;
    let on = form::get(&pairs, "on").to_string();
    match record_manual_event(&state, &a.user, id, &event, &on).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}?done=step_done#deadlines")).into_response()),
        Err(WebError::Invalid(errors)) => done_page(&state, &a, id, &step, StatusCode::UNPROCESSABLE_ENTITY, on, errors).await,
        Err(e) => Err(e.into()),
    }
}
