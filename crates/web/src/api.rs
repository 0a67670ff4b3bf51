//! The JSON API under `/api/v1`, described by `openapi.json` (served at
//! `/api/v1/openapi.json`). Request bodies use the same shapes as the domain's `*Input`
//! types, so the API and the pages share one validation; errors are problem+json naming
//! the field at fault.

use crate::access::{self, Need};
use crate::auth::ApiUser;
use crate::deadlines;
use crate::error::{ApiError, WebError};
use crate::form::{json_body, LimitedBody};
use crate::SharedState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use casereview_core::criteria::{self, Answers, CriteriaSet};
use casereview_core::lifecycle::{self, Action};
use casereview_core::referral::ReferralInput;
use casereview_core::screening::{DecisionInput, RecommendationInput, ScreeningMeetingInput};
use serde::Deserialize;
use serde_json::{json, Value};

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/reviews", get(list_reviews))
        .route("/referrals", post(create_referral))
        .route("/reviews/{id}", get(get_review))
        .route("/reviews/{id}/referral", put(update_referral))
        .route("/reviews/{id}/screening-meetings", get(list_meetings).post(create_meeting))
        .route("/reviews/{id}/recommendation", get(get_recommendation).post(create_recommendation))
        .route("/reviews/{id}/decision", get(get_decision).post(create_decision))
        .route("/reviews/{id}/transitions", get(history).post(transition))
        .route("/reviews/{id}/criteria", get(get_criteria).put(put_criteria))
        .route("/reviews/{id}/members", get(members).post(add_member))
        .route("/audit", get(audit))
        .route("/audit/verify", get(verify_audit))
        .fallback(|| async { ApiError(WebError::NotFound) })
}

type ApiResult = Result<Response, ApiError>;

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn me(ApiUser(a): ApiUser) -> ApiResult {
    Ok(Json(json!({ "id": a.user.id, "email": a.user.email, "name": a.user.name, "role": a.user.role, "partnership_id": a.user.partnership_id })).into_response())
}

async fn list_reviews(State(state): State<SharedState>, ApiUser(a): ApiUser) -> ApiResult {
    let p = state.store.partnership(a.user.partnership_id).await?;
    let reviews = state.store.reviews_for(&a.user).await?;
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let clock = deadlines::clock_for(&state.store, &p).await?;
    let all = deadlines::for_reviews(&state.store, &clock, &ids, state.today()).await?;
    let out: Vec<Value> = reviews
        .into_iter()
        .map(|r| {
            let mut v = json!(r);
            v["next_deadline"] = json!(deadlines::next(r.state, all.get(&r.id).map(Vec::as_slice).unwrap_or_default()));
            v
        })
        .collect();
    Ok(Json(out).into_response())
}

/// The whole review: record, history, screening, recommendation, decision, criteria
/// advice, deadlines, members and the actions the caller may take now.
async fn review_json(state: &SharedState, a: &crate::auth::Authenticated, id: i64) -> Result<Value, WebError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let store = &state.store;
    let p = store.partnership(r.summary.partnership_id).await?;
    let clock = deadlines::clock_for(store, &p).await?;
    let all = deadlines::for_reviews(store, &clock, &[id], state.today()).await?.remove(&id).unwrap_or_default();
    let advice = criteria::advise(CriteriaSet::for_ruleset(&p.ruleset), &r.referral, &r.criteria_answers);
    let actions: Vec<&str> = lifecycle::available(r.summary.state, a.user.role).iter().map(|t| t.action.as_str()).collect();
    let members: Vec<Value> = store.members(id).await?.into_iter().map(|u| json!({"id": u.id, "name": u.name, "role": u.role})).collect();
    Ok(json!({
        "review": r,
        "ruleset": p.ruleset,
        "next_deadline": deadlines::next(r.summary.state, &all),
        "deadlines": all,
        "criteria": advice,
        "screening_meetings": store.screening_meetings(id).await?,
        "recommendation": store.recommendation(id).await?,
        "decision": store.decision(id).await?,
        "history": store.history(id).await?,
        "members": members,
        "available_actions": actions,
    }))
}

async fn get_review(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    let body = review_json(&state, &a, id).await?;
    // The referral holds the child's and family's details: a confidential read.
    state.store.record_audit(&a.user.actor(), "review.read", &format!("review:{id}"), serde_json::json!({"via": "api"})).await?;
    Ok(Json(body).into_response())
}

async fn create_referral(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    headers: HeaderMap,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::require_referrer(&a.user)?;
    let input: ReferralInput = json_body(&body)?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return Err(WebError::BadRequest {
            field: "Idempotency-Key".into(),
            message: "The Idempotency-Key header must be 200 characters or fewer".into(),
        }
        .into());
    }
    let o = state.store.create_referral(&a.user.actor(), &input, state.today(), key).await?;
    let body = review_json(&state, &a, o.review_id).await?;
    let status = if o.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, [(header::LOCATION, format!("/api/v1/reviews/{}", o.review_id))], Json(body)).into_response())
}

#[derive(Deserialize)]
struct ReferralUpdate {
    version: i64,
    referral: ReferralInput,
}

async fn update_referral(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::EditReferral).await?;
    let u: ReferralUpdate = json_body(&body)?;
    state.store.update_referral(&a.user.actor(), id, u.version, &u.referral, state.today()).await?;
    Ok(Json(review_json(&state, &a, id).await?).into_response())
}

/// A lifecycle step's body: the step's own fields plus the version the caller saw.
#[derive(Deserialize)]
struct Versioned<T> {
    #[serde(default)]
    version: Option<i64>,
    #[serde(flatten)]
    input: T,
}

async fn list_meetings(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.screening_meetings(id).await?).into_response())
}

async fn create_meeting(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::RecordScreeningMeeting)?;
    let v: Versioned<ScreeningMeetingInput> = json_body(&body)?;
    state.store.record_screening_meeting(&a.user.actor(), id, &v.input, state.today(), v.version).await?;
    Ok((StatusCode::CREATED, Json(review_json(&state, &a, id).await?)).into_response())
}

async fn get_recommendation(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.recommendation(id).await?).into_response())
}

async fn create_recommendation(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Recommend)?;
    let v: Versioned<RecommendationInput> = json_body(&body)?;
    state.store.record_recommendation(&a.user.actor(), id, &v.input, state.today(), v.version).await?;
    Ok((StatusCode::CREATED, Json(review_json(&state, &a, id).await?)).into_response())
}

async fn get_decision(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.decision(id).await?).into_response())
}

async fn create_decision(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Decide)?;
    let v: Versioned<DecisionInput> = json_body(&body)?;
    state.store.record_decision(&a.user.actor(), id, &v.input, state.today(), v.version).await?;
    Ok((StatusCode::CREATED, Json(review_json(&state, &a, id).await?)).into_response())
}

async fn history(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.history(id).await?).into_response())
}

#[derive(Deserialize)]
struct TransitionBody {
    action: String,
    #[serde(default)]
    note: String,
    /// The date the step happened (defaults to today).
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    version: Option<i64>,
    /// Concluding: the date the department was informed (002).
    #[serde(default)]
    department_informed_on: Option<String>,
}

async fn transition(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::Act).await?;
    let t: TransitionBody = json_body(&body)?;
    let action: Action = t.action.parse().map_err(|m| WebError::BadRequest { field: "action".into(), message: m })?;
    let on = match t.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => state.today(),
        Some(v) => casereview_core::text::parse_date(v)
            .map_err(|m| WebError::Invalid(casereview_core::FieldErrors::single("on", format!("The date {m}"))))?,
    };
    if on > state.today() {
        return Err(WebError::Invalid(casereview_core::FieldErrors::single("on", "The date must be today or in the past")).into());
    }
    let mut range = casereview_core::FieldErrors::new();
    casereview_core::text::clock_range(&mut range, "on", "the date", Some(on));
    if !range.is_empty() {
        return Err(WebError::Invalid(range).into());
    }
    match (action, t.department_informed_on.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Action::Conclude, Some(v)) => {
            let informed = casereview_core::text::parse_date(v).map_err(|m| {
                WebError::Invalid(casereview_core::FieldErrors::single(
                    "department_informed_on",
                    format!("The date the department was informed {m}"),
                ))
            })?;
            state.store.conclude(&a.user.actor(), id, &t.note, on, informed, t.version).await?
        }
        _ => state.store.transition(&a.user.actor(), id, action, &t.note, on, t.version).await?,
    };
    Ok(Json(review_json(&state, &a, id).await?).into_response())
}

async fn get_criteria(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let p = state.store.partnership(r.summary.partnership_id).await?;
    let questions: Vec<Value> = criteria::QUESTIONS
        .iter()
        .map(|(qid, text)| json!({"id": qid, "question": text, "answer": r.criteria_answers.get(*qid)}))
        .collect();
    Ok(Json(
        json!({"advice": criteria::advise(CriteriaSet::for_ruleset(&p.ruleset), &r.referral, &r.criteria_answers), "questions": questions}),
    )
    .into_response())
}

#[derive(Deserialize)]
struct CriteriaBody {
    answers: Answers,
}

async fn put_criteria(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::AnswerCriteria).await?;
    let c: CriteriaBody = json_body(&body)?;
    state.store.save_criteria_answers(&a.user.actor(), id, &c.answers).await?;
    get_criteria(State(state), ApiUser(a), Path(id)).await
}

async fn members(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let m: Vec<Value> =
        state.store.members(id).await?.into_iter().map(|u| json!({"id": u.id, "name": u.name, "email": u.email, "role": u.role})).collect();
    Ok(Json(m).into_response())
}

#[derive(Deserialize)]
struct MemberBody {
    user_id: i64,
    /// The board chair's reason for overriding an independence rule, if one refuses.
    #[serde(default)]
    override_reason: String,
}

async fn add_member(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> ApiResult {
    let r = access::review_for(&state, &a.user, id, Need::ManageMembers).await?;
    let m: MemberBody = json_body(&body)?;
    crate::imr_routes::check_member_independence(&state, &a.user, &r, m.user_id, &m.override_reason).await?;
    state.store.add_member(&a.user.actor(), id, m.user_id).await?;
    members(State(state), ApiUser(a), Path(id)).await
}

#[derive(Deserialize)]
struct AuditParams {
    subject: Option<String>,
    limit: Option<i64>,
    before: Option<i64>,
}

async fn audit(State(state): State<SharedState>, ApiUser(a): ApiUser, Query(q): Query<AuditParams>) -> ApiResult {
    access::require_admin(&a.user)?;
    let events = state
        .store
        .audit_events(&casereview_store::AuditQuery {
            partnership_id: Some(a.user.partnership_id),
            subject: q.subject,
            limit: q.limit.unwrap_or(100),
            before: q.before,
        })
        .await?;
    Ok(Json(events).into_response())
}

async fn verify_audit(State(state): State<SharedState>, ApiUser(a): ApiUser) -> ApiResult {
    access::require_admin(&a.user)?;
    Ok(match state.store.verify_audit().await {
        // The chain spans every partnership, so its length is not shown to one of them.
        Ok(_) => Json(json!({"intact": true})).into_response(),
        Err(casereview_store::VerifyError::Chain(e)) => Json(json!({"intact": false, "error": e.to_string()})).into_response(),
        Err(casereview_store::VerifyError::Store(e)) => return Err(e.into()),
    })
}
