//! Static files: the vendored GOV.UK Frontend (CSS, JS, fonts, images) and our own small
//! additions, compiled into the binary so the service needs no files beside it.

use crate::SharedState;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

macro_rules! asset {
    ($path:literal, $mime:literal) => {
        ($path, $mime, include_bytes!(concat!("../assets/", $path)) as &[u8])
    };
}

const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("govuk/govuk-frontend.min.css", "text/css; charset=utf-8"),
    asset!("govuk/govuk-frontend.min.js", "text/javascript; charset=utf-8"),
    asset!("govuk/fonts/bold-affa96571d-v2.woff", "font/woff"),
    asset!("govuk/fonts/bold-b542beb274-v2.woff2", "font/woff2"),
    asset!("govuk/fonts/light-94a07e06a1-v2.woff2", "font/woff2"),
    asset!("govuk/fonts/light-f591b13f7d-v2.woff", "font/woff"),
    asset!("govuk/images/favicon.ico", "image/x-icon"),
    asset!("govuk/images/favicon.svg", "image/svg+xml"),
    asset!("govuk/images/govuk-crest.svg", "image/svg+xml"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("js-enabled.js", "text/javascript; charset=utf-8"),
];

pub fn routes() -> Router<SharedState> {
    Router::new().route("/assets/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>) -> Response {
    // The GOV.UK stylesheet asks for /assets/fonts/... and /assets/images/...
    let wanted = if path.starts_with("fonts/") || path.starts_with("images/") || path.starts_with("govuk-frontend") {
        format!("govuk/{path}")
    } else {
        path
    };
    match ASSETS.iter().find(|(p, _, _)| *p == wanted) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=86400")], *body).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
