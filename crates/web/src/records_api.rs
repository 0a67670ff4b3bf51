//! The review records of issue 9 in the JSON API, one set of handlers for every kind: the
//! scoping answers, family involvement, the joint-review arrangement and the Ofsted form
//! (one per review: GET and PUT), and parallel proceedings, meetings and notifications (lists:
//! GET, POST, and GET/PUT of one). The bodies are the domain types' JSON, so the API and the
//! pages share one validation. Who may change each kind is [`Policy::editors`]; reads of the
//! kinds that name the family are audited.

use crate::access::{self, Need};
use crate::auth::{ApiUser, Authenticated};
use crate::error::{ApiError, WebError};
use crate::form::{json_body, LimitedBody};
use crate::SharedState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use casereview_core::involvement::FamilyInvolvement;
use casereview_core::meetings::Meeting;
use casereview_core::notifications::{Notification, OfstedNotification};
use casereview_core::proceedings::Proceeding;
use casereview_core::scoping::{JointReview, Scoping};
use casereview_core::Role;
use casereview_store::{Record, RecordBody};
use serde::Deserialize;
use serde_json::json;

/// Who may change a kind of record, and whether reading it is a confidential read.
pub trait Policy: RecordBody + 'static {
    fn editors() -> &'static [Role];
    /// The record names the child or the family, so every read is audited.
    fn confidential() -> bool {
        false
    }
}

const PANEL: &[Role] = &[Role::PartnershipAdmin, Role::PanelChair];
const CHAIRS: &[Role] = &[Role::PartnershipAdmin, Role::PanelChair, Role::BoardChair];

impl Policy for Scoping {
    fn editors() -> &'static [Role] {
        PANEL
    }
}
impl Policy for FamilyInvolvement {
    fn editors() -> &'static [Role] {
        &[Role::PartnershipAdmin, Role::PanelChair, Role::OverviewAuthor]
    }
    fn confidential() -> bool {
        true
    }
}
impl Policy for JointReview {
    fn editors() -> &'static [Role] {
        &[Role::PartnershipAdmin, Role::BoardChair]
    }
}
impl Policy for OfstedNotification {
    fn editors() -> &'static [Role] {
        CHAIRS
    }
    fn confidential() -> bool {
        true
    }
}
impl Policy for Proceeding {
    fn editors() -> &'static [Role] {
        CHAIRS
    }
}
impl Policy for Meeting {
    fn editors() -> &'static [Role] {
        PANEL
    }
}
impl Policy for Notification {
    fn editors() -> &'static [Role] {
        CHAIRS
    }
}

/// Refuses a role that may not change records of kind `T`.
pub fn require_editor<T: Policy>(a: &Authenticated) -> Result<(), WebError> {
    if T::editors().contains(&a.user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("A {} may not change the {}", a.user.role.title().to_lowercase(), T::KIND.replace('_', " "))))
    }
}

/// Records a confidential read of a kind that names the family.
pub async fn audit_read<T: Policy>(state: &SharedState, a: &Authenticated, review_id: i64, via: &str) -> Result<(), WebError> {
    if T::confidential() {
        state
            .store
            .record_audit(&a.user.actor(), &format!("{}.read", T::KIND), &format!("review:{review_id}"), json!({ "via": via }))
            .await?;
    }
    Ok(())
}

/// What every page form that saves a record of kind `T` starts with: the form's fields with
/// the CSRF token checked, the review (which the caller must be able to see), and the right
/// to change `T`.
pub async fn form_post<T: Policy>(
    state: &SharedState,
    a: &Authenticated,
    review_id: i64,
    body: &[u8],
) -> Result<(Vec<(String, String)>, casereview_store::ReviewRecord), WebError> {
    let pairs = crate::form::parse_pairs(body)?;
    a.check_csrf(crate::form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(state, &a.user, review_id, Need::See).await?;
    require_editor::<T>(a)?;
    Ok((pairs, r))
}

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/scoping", get(single::<Scoping>).put(put_single::<Scoping>))
        .route("/reviews/{id}/family-involvement", get(single::<FamilyInvolvement>).put(put_single::<FamilyInvolvement>))
        .route("/reviews/{id}/joint-review", get(single::<JointReview>).put(put_single::<JointReview>))
        .route("/reviews/{id}/ofsted-notification", get(single::<OfstedNotification>).put(put_single::<OfstedNotification>))
        .route("/reviews/{id}/proceedings", get(list::<Proceeding>).post(create::<Proceeding>))
        .route("/reviews/{id}/proceedings/{rid}", get(one::<Proceeding>).put(update::<Proceeding>))
        .route("/reviews/{id}/meetings", get(list::<Meeting>).post(create::<Meeting>))
        .route("/reviews/{id}/meetings/{rid}", get(one::<Meeting>).put(update::<Meeting>))
        .route("/reviews/{id}/notifications", get(list::<Notification>).post(create::<Notification>))
        .route("/reviews/{id}/notifications/{rid}", get(one::<Notification>).put(update::<Notification>))
}

type ApiResult = Result<Response, ApiError>;

/// A change to an existing record: the version it was read at, and the new body.
#[derive(Deserialize)]
struct Change<T> {
    version: i64,
    record: T,
}

async fn single<T: Policy>(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.single_record::<T>(id).await?;
    audit_read::<T>(&state, &a, id, "api").await?;
    match rec {
        Some(r) => Ok(Json(r).into_response()),
        None => Err(WebError::NotFound.into()),
    }
}

async fn put_single<T: Policy>(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    require_editor::<T>(&a)?;
    let change: Change<T> = json_body(&body)?;
    let rec: Record<T> = state.store.save_record(&a.user.actor(), id, None, change.version, &change.record, state.today()).await?;
    Ok(Json(rec).into_response())
}

async fn list<T: Policy>(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let recs = state.store.records::<T>(id).await?;
    audit_read::<T>(&state, &a, id, "api").await?;
    Ok(Json(recs).into_response())
}

async fn one<T: Policy>(State(state): State<SharedState>, ApiUser(a): ApiUser, Path((id, rid)): Path<(i64, i64)>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.record::<T>(id, rid).await?;
    audit_read::<T>(&state, &a, id, "api").await?;
    Ok(Json(rec).into_response())
}

async fn create<T: Policy>(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    require_editor::<T>(&a)?;
    let record: T = json_body(&body)?;
    let rec = state.store.save_record(&a.user.actor(), id, None, 0, &record, state.today()).await?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

async fn update<T: Policy>(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, rid)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    require_editor::<T>(&a)?;
    let change: Change<T> = json_body(&body)?;
    let rec = state.store.save_record(&a.user.actor(), id, Some(rid), change.version, &change.record, state.today()).await?;
    Ok(Json(rec).into_response())
}
