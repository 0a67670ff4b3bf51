//! Learning across reviews on the pages and the API: search (`/search`), the trends page
//! (`/learning`) with its charts and the annual lessons report, the partnership's own tags
//! (`/learning/tags`) and each review's tags and lessons (`/reviews/{id}/learning`).
//!
//! Everything shown is limited to the reviews the reader may see (the store filters in its
//! SQL). The board manager, the panel chair and the overview author tag a review; the
//! board manager adds the partnership's own tags; the board manager and the board chair,
//! who see every review, download the partnership's annual report.

use crate::access::{self, Need};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, WebError};
use crate::form::{self, LimitedBody};
use crate::learning::{self, Trends};
use crate::pages::{self, PageError};
use crate::renderings::{self, Format};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use casereview_core::learning::{Tag, MAX_LESSONS_CHARS};
use casereview_core::{FieldErrors, Role};
use casereview_store::{Scope, SearchHit, StoreError, User};
use chrono::Datelike;
use serde_json::json;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/learning", get(learning_page))
        .route("/learning/themes.svg", get(themes_svg))
        .route("/learning/annual-report.{ext}", get(annual_download))
        .route("/learning/tags", get(tags_page).post(add_tag))
        .route("/reviews/{id}/learning", get(review_learning_page).post(save_review_learning))
}

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/search", get(api_search))
        .route("/learning/trends", get(api_trends))
        .route("/learning/tags", get(api_tags))
        .route("/reviews/{id}/learning", get(api_review_learning))
}

/// Who tags a review and writes its lessons.
pub fn may_tag(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::OverviewAuthor)
}

/// Who downloads the partnership's annual report: those who see all its reviews.
fn require_report_reader(user: &User) -> Result<(), WebError> {
    if user.role.sees_all_reviews() {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or the board chair may produce the annual lessons report".into()))
    }
}

/// The values of a query string, first of each name kept; never refuses (bad UTF-8 is
/// read lossily), so an odd query cannot make a search fail.
fn query_value(raw: Option<&str>, name: &str) -> String {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- search

struct HitView {
    what: String,
    reference: String,
    link: String,
    snippet: Vec<(String, bool)>,
}

impl From<&SearchHit> for HitView {
    fn from(h: &SearchHit) -> Self {
        HitView { what: h.what(), reference: h.reference.clone(), link: h.link(), snippet: h.snippet_parts() }
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: pages::Nav,
    q: String,
    searched: bool,
    hits: Vec<HitView>,
}

async fn search_page(State(state): State<SharedState>, PageUser(a): PageUser, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let q = query_value(raw.as_deref(), "q");
    let hits = state.store.search(&Scope::of(&a.user), &q, 20).await?;
    let nav = pages::nav(&state, &a).await?;
    let page = SearchPage { nav, searched: !q.trim().is_empty(), q, hits: hits.iter().map(HitView::from).collect() };
    Ok(pages::render(StatusCode::OK, &page))
}

async fn api_search(State(state): State<SharedState>, ApiUser(a): ApiUser, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = query_value(raw.as_deref(), "q");
    let limit = query_value(raw.as_deref(), "limit").parse::<i64>().unwrap_or(20);
    let hits = state.store.search(&Scope::of(&a.user), &q, limit).await?;
    let out: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            json!({
                "review_id": h.review_id,
                "reference": h.reference,
                "source": h.source,
                "source_id": h.source_id,
                "title": h.what(),
                "snippet": h.snippet_text(),
                "link": h.link(),
            })
        })
        .collect();
    Ok(Json(json!({"query": q, "results": out})).into_response())
}

// ---------------------------------------------------------------- trends

#[derive(Template)]
#[template(path = "learning.html")]
struct LearningPage {
    nav: pages::Nav,
    t: Trends,
    may_report: bool,
    may_add_tags: bool,
    years: Vec<i32>,
    this_year: i32,
}

async fn learning_page(State(state): State<SharedState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    let t = learning::trends(&state.store, &Scope::of(&a.user), state.today()).await?;
    let this_year = state.today().year();
    let mut years: Vec<i32> = t.themes.years.clone();
    if !years.contains(&this_year) {
        years.push(this_year);
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let nav = pages::nav(&state, &a).await?;
    let page = LearningPage {
        nav,
        t,
        may_report: a.user.role.sees_all_reviews(),
        may_add_tags: a.user.role == Role::PartnershipAdmin,
        years,
        this_year,
    };
    Ok(pages::render(StatusCode::OK, &page))
}

async fn themes_svg(State(state): State<SharedState>, PageUser(a): PageUser) -> Result<Response, PageError> {
    let t = learning::trends(&state.store, &Scope::of(&a.user), state.today()).await?;
    let svg = learning::themes_chart(&t.themes, "Reviews by theme, all years");
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        svg,
    )
        .into_response())
}

async fn api_trends(State(state): State<SharedState>, ApiUser(a): ApiUser) -> Result<Response, ApiError> {
    let t = learning::trends(&state.store, &Scope::of(&a.user), state.today()).await?;
    Ok(Json(t).into_response())
}

async fn annual_download(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(ext): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let format: Format = ext.parse().map_err(|_| WebError::NotFound)?;
    require_report_reader(&a.user)?;
    let y = query_value(raw.as_deref(), "year");
    let year = match y.trim().parse::<i32>() {
        Ok(y) if (1990..=2100).contains(&y) => y,
        _ => {
            return Err(
                WebError::BadRequest { field: "year".into(), message: "Choose the year of the report, for example 2026".into() }.into()
            )
        }
    };
    let bytes = learning::render_annual(&state.store, &Scope::of(&a.user), year, format, state.today()).await.map_err(WebError::from)?;
    state
        .store
        .record_audit(
            &a.user.actor(),
            "learning.annual_report",
            &format!("partnership:{}", a.user.partnership_id),
            json!({"year": year, "format": format.extension()}),
        )
        .await?;
    Ok(renderings::attachment(renderings::RenderedFile {
        bytes,
        file_name: format!("annual-lessons-report-{year}.{}", format.extension()),
        content_type: format.content_type(),
        copy_id: 0,
        draft: false,
    }))
}

// ---------------------------------------------------------------- the partnership's tags

#[derive(Template)]
#[template(path = "learning_tags.html")]
struct TagsPage {
    nav: pages::Nav,
    tags: Vec<Tag>,
    may_add: bool,
    errors: FieldErrors,
    form_name: String,
    added: Option<String>,
}

async fn tags_view(
    state: &SharedState,
    a: &crate::auth::Authenticated,
    errors: FieldErrors,
    form_name: String,
    added: Option<String>,
) -> Result<TagsPage, WebError> {
    let tags = state.store.learning_tags(a.user.partnership_id).await?;
    let nav = pages::nav(state, a).await?;
    Ok(TagsPage { nav, tags, may_add: a.user.role == Role::PartnershipAdmin, errors, form_name, added })
}

async fn tags_page(State(state): State<SharedState>, PageUser(a): PageUser, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let added = Some(query_value(raw.as_deref(), "added")).filter(|s| !s.is_empty());
    let page = tags_view(&state, &a, FieldErrors::new(), String::new(), None).await?;
    // Only a tag that exists is announced as added.
    let added = added
        .filter(|s| page.tags.iter().any(|t| &t.slug == s))
        .and_then(|s| page.tags.iter().find(|t| t.slug == s).map(|t| t.name.clone()));
    Ok(pages::render(StatusCode::OK, &TagsPage { added, ..page }))
}

async fn add_tag(State(state): State<SharedState>, PageUser(a): PageUser, LimitedBody(body): LimitedBody) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::require_admin(&a.user)?;
    let name = form::get(&pairs, "name").to_string();
    match state.store.add_learning_tag(&a.user.actor(), &name).await {
        Ok(tag) => Ok(Redirect::to(&format!("/learning/tags?added={}", tag.slug)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = tags_view(&state, &a, errors, name, None).await?;
            Ok(pages::render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(WebError::from(e).into()),
    }
}

async fn api_tags(State(state): State<SharedState>, ApiUser(a): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(state.store.learning_tags(a.user.partnership_id).await?).into_response())
}

// ---------------------------------------------------------------- a review's tags and lessons

#[derive(Template)]
#[template(path = "review_learning.html")]
struct ReviewLearningPage {
    nav: pages::Nav,
    review_id: i64,
    reference: String,
    may_edit: bool,
    /// (tag, chosen)
    ofsted: Vec<(Tag, bool)>,
    own: Vec<(Tag, bool)>,
    lessons: String,
    errors: FieldErrors,
    saved: bool,
    max_lessons: usize,
}

async fn review_learning_view(
    state: &SharedState,
    a: &crate::auth::Authenticated,
    id: i64,
    chosen: Option<Vec<String>>,
    lessons: Option<String>,
    errors: FieldErrors,
    saved: bool,
) -> Result<ReviewLearningPage, WebError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let tags = state.store.learning_tags(a.user.partnership_id).await?;
    let chosen = match chosen {
        Some(c) => c,
        None => state.store.review_tags(id).await?,
    };
    let lessons = match lessons {
        Some(l) => l,
        None => state.store.review_lessons(id).await?.unwrap_or_default(),
    };
    let (ofsted, own): (Vec<Tag>, Vec<Tag>) = tags.into_iter().partition(|t| t.ofsted);
    let mark = |v: Vec<Tag>| v.into_iter().map(|t| (t.clone(), chosen.contains(&t.slug))).collect();
    let nav = pages::nav(state, a).await?;
    Ok(ReviewLearningPage {
        nav,
        review_id: id,
        reference: r.summary.reference,
        may_edit: may_tag(a.user.role) && !a.user.role.is_read_only(),
        ofsted: mark(ofsted),
        own: mark(own),
        lessons,
        errors,
        saved,
        max_lessons: MAX_LESSONS_CHARS,
    })
}

async fn review_learning_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let saved = query_value(raw.as_deref(), "saved") == "1";
    let page = review_learning_view(&state, &a, id, None, None, FieldErrors::new(), saved).await?;
    Ok(pages::render(StatusCode::OK, &page))
}

async fn save_review_learning(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    if !may_tag(a.user.role) {
        return Err(WebError::Forbidden(format!(
            "A {} may read a review's themes and lessons but not change them: the board manager, the panel chair or the overview author does",
            a.user.role.title().to_lowercase()
        ))
        .into());
    }
    let chosen: Vec<String> = pairs.iter().filter(|(k, _)| k == "tags").map(|(_, v)| v.clone()).collect();
    let lessons = form::get(&pairs, "lessons").to_string();
    match state.store.set_review_learning(&a.user.actor(), id, &chosen, &lessons).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/learning?saved=1")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = review_learning_view(&state, &a, id, Some(chosen), Some(lessons), errors, false).await?;
            Ok(pages::render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(WebError::from(e).into()),
    }
}

async fn api_review_learning(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let tags = state.store.learning_tags(a.user.partnership_id).await?;
    let chosen = state.store.review_tags(id).await?;
    let tags: Vec<&Tag> = tags.iter().filter(|t| chosen.contains(&t.slug)).collect();
    let lessons = state.store.review_lessons(id).await?;
    Ok(Json(json!({"review_id": id, "tags": tags, "lessons": lessons})).into_response())
}
