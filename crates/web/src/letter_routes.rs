//! The letters of a review (001 App. XI) and its printable referral form on the pages:
//! which letters can be sent now and to whom, and a recorded PDF or DOCX copy of each, for
//! one addressee or for all of them. Letters are sent by the board's office: the board
//! manager and the chairs; the referral form is printable by anyone who may see the review.

use crate::access::{self, Need};
use crate::auth::PageUser;
use crate::error::WebError;
use crate::pages::{self, PageError};
use crate::renderings::{self, Format, Product, Request};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use casereview_core::letters::LetterKind;
use casereview_core::{FieldErrors, Role};
use serde::Deserialize;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/letters", get(letters_page))
        .route("/reviews/{id}/letters/{letter}/download", get(download_letter))
        .route("/reviews/{id}/referral/download", get(download_referral))
}

/// Longest briefing line accepted (it is printed in the letter).
const MAX_EVENT_CHARS: usize = 300;

fn may_send(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::PanelChair | Role::BoardChair)
}

fn check_sender(role: Role) -> Result<(), WebError> {
    if may_send(role) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Letters are sent by the board manager and the chairs".into()))
    }
}

#[derive(Deserialize, Default)]
struct LetterQuery {
    format: Option<String>,
    to: Option<usize>,
    #[serde(default)]
    event: String,
}

fn event_errors(event: &str) -> FieldErrors {
    let mut e = FieldErrors::new();
    if event.chars().count() > MAX_EVENT_CHARS {
        e.push("event", format!("The date, time and venue must be {MAX_EVENT_CHARS} characters or fewer"));
    }
    e
}

struct LetterRow {
    id: &'static str,
    number: u8,
    title: &'static str,
    unavailable: Option<String>,
    nobody: &'static str,
    addressees: Vec<String>,
}

#[derive(Template)]
#[template(path = "letters.html")]
struct LettersPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    event: String,
    /// `event`, percent-encoded for the download links.
    event_q: String,
    letters: Vec<LetterRow>,
}

async fn letters_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_sender(a.user.role)?;
    let errors = event_errors(&q.event);
    // What was typed is shown again even when refused; only a valid line goes into the links.
    let event = q.event.trim().to_string();
    let usable = if errors.is_empty() { event.as_str() } else { "" };
    let mut letters = Vec::new();
    for (kind, to, available) in renderings::letter_addressees(&state.store, &r, state.today()).await? {
        letters.push(LetterRow {
            id: kind.as_str(),
            number: kind.number(),
            title: kind.title(),
            unavailable: available.err(),
            nobody: kind.nobody_reason(),
            addressees: to.iter().map(|x| x.lines().join(", ")).collect(),
        });
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = LettersPage {
        nav: pages::nav(&state, &a).await?,
        errors: crate::form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference.clone(),
        event_q: serde_urlencoded::to_string([("e", usable)]).unwrap_or_default().trim_start_matches("e=").to_string(),
        event,
        letters,
    };
    Ok(pages::render(status, &page))
}

fn parse_format(q: &LetterQuery) -> Result<Format, WebError> {
    q.format.as_deref().unwrap_or("pdf").parse().map_err(|m: String| WebError::BadRequest { field: "format".into(), message: m })
}

async fn download_letter(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, letter)): Path<(i64, String)>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, PageError> {
    let kind: LetterKind = letter.parse().map_err(|_| WebError::NotFound)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    check_sender(a.user.role)?;
    let format = parse_format(&q)?;
    if let Some(e) = event_errors(&q.event).0.into_iter().next() {
        return Err(WebError::BadRequest { field: e.field, message: e.message }.into());
    }
    let made_for = format!("{} ({})", a.user.name, a.user.role.title());
    let req = Request { format, made_for, to: q.to, event: q.event.clone() };
    let file = renderings::render(&state.store, &a.user.actor(), &r, Product::Letter(kind), state.today(), &req).await?;
    Ok(renderings::attachment(file))
}

async fn download_referral(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let format = parse_format(&q)?;
    let made_for = format!("{} ({})", a.user.name, a.user.role.title());
    let req = Request { format, made_for, to: None, event: String::new() };
    let file = renderings::render(&state.store, &a.user.actor(), &r, Product::ReferralForm, state.today(), &req).await?;
    Ok(renderings::attachment(file))
}
