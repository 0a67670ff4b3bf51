//! The quarterly monitoring report as a download (issue 7 item 3): a review's, for anyone on
//! the review; the partnership's, for the board manager and the board chair.

use crate::access::{self, Need};
use crate::auth::PageUser;
use crate::error::WebError;
use crate::pages::PageError;
use crate::renderings::{self, Format};
use crate::SharedState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use casereview_core::Role;
use serde::Deserialize;

pub fn page_routes() -> Router<SharedState> {
    Router::new().route("/reviews/{id}/monitoring-report", get(review_report)).route("/monitoring-report", get(partnership_report))
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

fn format_of(q: &FormatQuery) -> Result<Format, WebError> {
    q.format.as_deref().unwrap_or("pdf").parse().map_err(|e: String| WebError::BadRequest { field: "format".into(), message: e })
}

async fn review_report(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, PageError> {
    let format = format_of(&q)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let made_for = format!("{} ({})", a.user.name, a.user.role.title());
    let file =
        renderings::monitoring_report(&state.store, &a.user.actor(), r.summary.partnership_id, Some(&r), state.today(), format, &made_for)
            .await
            .map_err(WebError::from)?;
    Ok(renderings::attachment(file))
}

async fn partnership_report(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Query(q): Query<FormatQuery>,
) -> Result<Response, PageError> {
    let format = format_of(&q)?;
    if !matches!(a.user.role, Role::PartnershipAdmin | Role::BoardChair) {
        return Err(
            WebError::Forbidden("Only the board manager and the board chair may print the partnership's monitoring report".into()).into()
        );
    }
    let made_for = format!("{} ({})", a.user.name, a.user.role.title());
    let file = renderings::monitoring_report(&state.store, &a.user.actor(), a.user.partnership_id, None, state.today(), format, &made_for)
        .await
        .map_err(WebError::from)?;
    state
        .store
        .record_audit(
            &a.user.actor(),
            "monitoring_report.print",
            &format!("partnership:{}", a.user.partnership_id),
            serde_json::json!({"format": format.extension()}),
        )
        .await?;
    Ok(renderings::attachment(file))
}
