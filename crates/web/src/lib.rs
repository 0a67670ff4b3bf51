//! casereview-web: HTTP. Server-rendered pages in the GOV.UK Design System style for
//! people ([`pages`]) and a JSON API under `/api/v1` for scripts ([`api`]), over the
//! store. It owns sign-in, sessions, CSRF, API tokens ([`auth`]) and the check on every
//! route of the caller's role and membership of the review ([`access`]).

pub mod access;
pub mod action_routes;
pub mod anonymisation_routes;
pub mod api;
mod assets;
pub mod auth;
pub mod chronology;
pub mod chronology_routes;
pub mod deadline_routes;
pub mod deadlines;
pub mod document_routes;
pub mod error;
pub mod family_routes;
pub mod form;
pub mod ical;
pub mod imr_routes;
pub mod learning;
pub mod learning_routes;
pub mod letter_routes;
pub mod mail;
pub mod meeting_routes;
pub mod monitoring_routes;
pub mod pages;
pub mod proceedings_routes;
pub mod publication_routes;
pub mod records_api;
pub mod reminders;
pub mod renderings;
pub mod scoping_routes;

use axum::http::{header, HeaderValue};
use axum::Router;
use casereview_store::Store;
use chrono::NaiveDate;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted (the referral form with many rows fits easily).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Settings of the running application.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure` (on whenever the service is reached over HTTPS).
    pub secure_cookies: bool,
    /// Fixed "today" for tests and demonstrations; `None` uses the real date.
    pub today: Option<NaiveDate>,
    /// The address people reach the service at, for links in emails and calendar feeds
    /// (otherwise taken from the request's Host header).
    pub public_url: Option<String>,
    /// The mail relay for invitations (and reminders), when one is configured.
    pub mail: Option<mail::MailConfig>,
}

/// Shared by every handler.
pub struct AppState {
    pub store: Store,
    pub config: Config,
}

impl AppState {
    /// Today's date in England (the statutory clock counts local dates).
    pub fn today(&self) -> NaiveDate {
        self.config.today.unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
}

pub type SharedState = Arc<AppState>;

/// The whole application.
pub fn router(state: SharedState) -> Router {
    let hsts = state.config.secure_cookies;
    let app = Router::new()
        .merge(pages::routes())
        .merge(deadline_routes::page_routes())
        .merge(imr_routes::page_routes())
        .merge(chronology_routes::page_routes())
        .merge(document_routes::page_routes())
        .merge(letter_routes::page_routes())
        .merge(anonymisation_routes::page_routes())
        .merge(family_routes::page_routes())
        .merge(proceedings_routes::page_routes())
        .merge(scoping_routes::page_routes())
        .merge(meeting_routes::page_routes())
        .merge(action_routes::page_routes())
        .merge(publication_routes::page_routes())
        .merge(monitoring_routes::page_routes())
        .merge(learning_routes::page_routes())
        .nest(
            "/api/v1",
            api::routes()
                .merge(deadline_routes::api_routes())
                .merge(imr_routes::api_routes())
                .merge(chronology_routes::api_routes())
                .merge(records_api::api_routes())
                .merge(action_routes::api_routes())
                .merge(publication_routes::api_routes())
                .merge(learning_routes::api_routes()),
        )
        .merge(assets::routes())
        .fallback(pages::not_found)
        // A response with its own, stricter policy keeps it (the genogram's SVG).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    // Served over HTTPS: browsers are told to keep to it.
    let app = if hsts {
        app.layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000")))
    } else {
        app
    };
    app.with_state(state)
}

/// Serves until Ctrl-C; returns the bound address through `on_bound` first (tests bind
/// port 0 and need to know where).
pub async fn serve(listener: tokio::net::TcpListener, state: SharedState) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
