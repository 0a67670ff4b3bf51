//! One error type for handlers, rendered as `application/problem+json` (RFC 9457) for the
//! API and as a GOV.UK-style error page for people.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use casereview_core::FieldErrors;
use casereview_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("the form or request has errors")]
    Invalid(FieldErrors),
    #[error("{message}")]
    Conflict { message: String, changed: Vec<String>, current_version: i64 },
    /// A lifecycle rule refused the action.
    #[error("{0}")]
    Unprocessable(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{message}")]
    BadRequest { field: String, message: String },
    #[error("the form has expired or did not come from this site: go back, reload the page and try again")]
    Csrf,
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => WebError::NotFound,
            StoreError::Invalid(f) => WebError::Invalid(f),
            StoreError::Transition(t) => match t {
                casereview_core::lifecycle::TransitionError::RoleNotAllowed { .. } => WebError::Forbidden(t.to_string()),
                other => WebError::Unprocessable(other.to_string()),
            },
            StoreError::Conflict { current, ref changed, .. } => {
                WebError::Conflict { message: e.to_string(), changed: changed.clone(), current_version: current }
            }
            StoreError::Duplicate(m) => WebError::BadRequest { field: "email".into(), message: m },
            other => {
                // The detail goes to the log, never to the client.
                tracing::error!(error = %other, "store error");
                WebError::Internal(other.to_string())
            }
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Invalid(_) | WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WebError::Unauthenticated => "Not signed in",
            WebError::Forbidden(_) => "Not allowed",
            WebError::Csrf => "Form expired",
            WebError::NotFound => "Not found",
            WebError::Invalid(_) => "There is a problem with the request",
            WebError::Unprocessable(_) => "The action cannot be taken",
            WebError::Conflict { .. } => "Changed by someone else",
            WebError::TooLarge(_) => "Request too large",
            WebError::BadRequest { .. } => "Bad request",
            WebError::Internal(_) => "Something went wrong",
        }
    }

    /// The problem document.
    pub fn problem(&self) -> serde_json::Value {
        let status = self.status().as_u16();
        let detail = match self {
            WebError::Internal(_) => "The error has been logged.".to_string(),
            other => other.to_string(),
        };
        let mut p = json!({ "type": "about:blank", "title": self.title(), "status": status, "detail": detail });
        match self {
            WebError::Invalid(f) => {
                p["errors"] = json!(f.0);
                p["detail"] = json!(f.to_string());
            }
            WebError::BadRequest { field, message } => p["errors"] = json!([{ "field": field, "message": message }]),
            WebError::TooLarge(_) => p["errors"] = json!([{ "field": "body", "message": detail }]),
            WebError::Conflict { changed, current_version, .. } => {
                p["changed"] = json!(changed);
                p["current_version"] = json!(current_version);
            }
            _ => {}
        }
        p
    }
}

/// API responses: problem+json.
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.0.status(), self.0.problem().to_string()).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        if matches!(self.0, WebError::Unauthenticated) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        r
    }
}
