//! Recommendations and action plans of a review (001 §2.4.10-2.4.36, §2.5; 002 "Agreeing
//! Improvement Action"): the recommendations with the SMART check of each part, adoption by
//! the board chair, the composite plan and each agency's, and each action's progress with
//! evidence, the agency head's sign-up and the board's sign-off. Pages and `/api/v1`.
//!
//! Who: the board manager, panel chair and overview author draft recommendations (and plan
//! actions, as may the agency's own author and head); the board chair adopts; an agency's
//! author and head update its actions; its head signs up; the board manager or chair signs
//! off. Every route checks the review's membership first (404 otherwise).

use crate::access::{self, Need};
use crate::auth::{ApiUser, Authenticated, PageUser};
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
use casereview_core::recommendations::{
    self as rec, PlanAction, Rag, Recommendation, RecommendationPart, RecommendationStatus, SmartFinding,
};
use casereview_core::{FieldErrors, Role};
use casereview_sheets::{Table, TableCell};
use casereview_store::{ActionRecord, ActionUpdateRecord, Agency, NewEvidence, ReportRecommendation, ReviewRecord, User};
use serde::Deserialize;
use serde_json::json;

/// The largest evidence file: `CASEREVIEW_MAX_EVIDENCE_BYTES` if set, else 10 MB.
pub fn max_evidence_bytes() -> usize {
    std::env::var("CASEREVIEW_MAX_EVIDENCE_BYTES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(rec::DEFAULT_MAX_EVIDENCE_BYTES)
}

/// Room for the form's other fields around the file, so an oversized file still reaches
/// the domain check and gets its clear message rather than a bare 413.
const FORM_MARGIN: usize = 1024 * 1024;

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/recommendations", get(api_recommendations).post(api_create))
        .route("/reviews/{id}/recommendations/{rid}", get(api_recommendation).put(api_update))
        .route("/reviews/{id}/recommendations/{rid}/adopt", post(api_adopt))
        .route("/reviews/{id}/action-plan", get(api_plan))
        .route("/recommendation-parts/{pid}/actions", post(api_add_action))
        .route("/actions/{aid}", get(api_action))
        .route("/actions/{aid}/updates", post(api_update_action))
        .route("/actions/{aid}/sign-up", post(api_sign_up))
        .route("/actions/{aid}/sign-off", post(api_sign_off))
}

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/recommendations", get(recommendations_page).post(create_page))
        .route("/reviews/{id}/recommendations/new", get(new_page))
        .route("/reviews/{id}/recommendations/carry-imrs", post(carry_page))
        .route("/recommendations/{rid}/edit", get(edit_page))
        .route("/recommendations/{rid}", post(update_page))
        .route("/recommendations/{rid}/adopt", post(adopt_page))
        .route("/reviews/{id}/action-plan", get(plan_page).post(add_action_page))
        .route("/reviews/{id}/action-plan/agency/{aid}", get(agency_plan_page))
        .route("/reviews/{id}/action-plan.csv", get(plan_csv))
        .route("/actions/{aid}", get(action_page))
        .route("/actions/{aid}/updates", post(update_action_page).layer(DefaultBodyLimit::max(max_evidence_bytes() + FORM_MARGIN)))
        .route("/actions/{aid}/sign-up", post(sign_up_page))
        .route("/actions/{aid}/sign-off", post(sign_off_page))
        .route("/evidence/{eid}", get(evidence_download))
}

// ---------------------------------------------------------------- rules of the routes

fn forbid(user: &User, what: &str) -> WebError {
    WebError::Forbidden(format!("A {} may not {what}", user.role.title().to_lowercase()))
}

fn require_draft(user: &User) -> Result<(), WebError> {
    if rec::may_draft(user.role) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager, the panel chair or the overview author may draft recommendations".into()))
    }
}

/// Planning an action for a part: the drafters, or the author or head of the part's agency.
fn may_plan(user: &User, agency_id: Option<i64>) -> bool {
    rec::may_draft(user.role)
        || (matches!(user.role, Role::AgencyAuthor | Role::AgencyHead) && agency_id.is_some() && user.agency_id == agency_id)
}

/// A recommendation of a review the caller may see.
async fn recommendation_for(
    state: &SharedState,
    user: &User,
    rid: i64,
    need: Need,
) -> Result<(ReportRecommendation, ReviewRecord), WebError> {
    let r = state.store.report_recommendation(rid).await?;
    let review = access::review_for(state, user, r.review_id, need).await?;
    Ok((r, review))
}

/// An action of a review the caller may see.
async fn action_for(state: &SharedState, user: &User, aid: i64) -> Result<(ActionRecord, ReviewRecord), WebError> {
    let a = state.store.plan_action(aid).await?;
    let review = access::review_for(state, user, a.review_id, Need::See).await?;
    Ok((a, review))
}

/// An agency id given as `?agency=` must be one of the partnership's.
fn agency_in(agencies: &[Agency], id: Option<i64>) -> Result<Option<&Agency>, WebError> {
    match id {
        None => Ok(None),
        Some(i) => agencies
            .iter()
            .find(|a| a.id == i)
            .map(Some)
            .ok_or_else(|| WebError::Invalid(FieldErrors::single("agency", format!("There is no agency {i} in this partnership")))),
    }
}

/// The SMART findings of a recommendation as JSON, each with its part's label.
fn smart_json(r: &ReportRecommendation) -> Vec<serde_json::Value> {
    rec::smart_check(&r.as_domain())
        .into_iter()
        .map(|f| {
            let label = r.parts.get(f.part).map(|p| p.label.clone()).unwrap_or_default();
            json!({"part": label, "field": format!("parts[{}].{}", f.part, f.field), "rule": f.rule, "message": f.message})
        })
        .collect()
}

fn recommendation_json(r: &ReportRecommendation) -> serde_json::Value {
    let mut v = json!(r);
    v["smart"] = json!(smart_json(r));
    v
}

// ---------------------------------------------------------------- API

async fn api_recommendations(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let list: Vec<serde_json::Value> = state.store.report_recommendations(id).await?.iter().map(recommendation_json).collect();
    Ok(Json(list).into_response())
}

async fn api_recommendation(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, rid)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (r, _) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    if r.review_id != id {
        return Err(WebError::NotFound.into());
    }
    Ok(Json(recommendation_json(&r)).into_response())
}

async fn api_create(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    require_draft(&a.user)?;
    let input: Recommendation = json_body(&body)?;
    let r = state.store.create_recommendation(&a.user.actor(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(recommendation_json(&r))).into_response())
}

async fn api_update(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path((id, rid)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let (r, _) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    if r.review_id != id {
        return Err(WebError::NotFound.into());
    }
    require_draft(&a.user)?;
    let input: Recommendation = json_body(&body)?;
    let r = state.store.update_recommendation(&a.user.actor(), rid, &input).await?;
    Ok(Json(recommendation_json(&r)).into_response())
}

async fn api_adopt(State(state): State<SharedState>, ApiUser(a): ApiUser, Path((id, rid)): Path<(i64, i64)>) -> Result<Response, ApiError> {
    let (r, _) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    if r.review_id != id {
        return Err(WebError::NotFound.into());
    }
    if !rec::may_adopt(a.user.role) {
        return Err(WebError::Forbidden("Only the board chair adopts recommendations".into()).into());
    }
    let r = state.store.adopt_recommendation(&a.user.actor(), rid).await?;
    Ok(Json(recommendation_json(&r)).into_response())
}

#[derive(Debug, Deserialize, Default)]
struct AgencyQuery {
    #[serde(default, deserialize_with = "empty_is_none")]
    agency: Option<i64>,
}

/// `?agency=` (empty) means the composite plan; anything not a number is refused by axum.
fn empty_is_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

async fn api_plan(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, ApiError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let agencies = state.store.agencies(r.summary.partnership_id).await?;
    let agency = agency_in(&agencies, q.agency)?;
    let actions = state.store.action_plan(id, agency.map(|x| x.id)).await?;
    Ok(Json(json!({"review_id": id, "reference": r.summary.reference, "agency": agency.map(|x| &x.name), "actions": plan_json(&actions, state.today())}))
        .into_response())
}

fn plan_json(actions: &[ActionRecord], today: chrono::NaiveDate) -> Vec<serde_json::Value> {
    actions
        .iter()
        .map(|x| {
            let mut v = json!(x);
            v["overdue"] = json!(x.is_overdue(today));
            v
        })
        .collect()
}

async fn api_add_action(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(pid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: PlanAction = json_body(&body)?;
    let x = add_action(&state, &a.user, pid, &input).await?;
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

/// Finds the part, checks the caller may plan for it, and adds the action.
async fn add_action(state: &SharedState, user: &User, pid: i64, input: &PlanAction) -> Result<ActionRecord, WebError> {
    let review_id = state.store.part_review(pid).await?;
    access::review_for(state, user, review_id, Need::See).await?;
    let part_agency = state
        .store
        .report_recommendations(review_id)
        .await?
        .into_iter()
        .flat_map(|r| r.parts)
        .find(|p| p.id == pid)
        .and_then(|p| p.agency_id);
    if !may_plan(user, part_agency) {
        return Err(forbid(user, "plan actions for this agency"));
    }
    Ok(state.store.add_action(&user.actor(), pid, input).await?)
}

async fn api_action(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(aid): Path<i64>) -> Result<Response, ApiError> {
    let (x, _) = action_for(&state, &a.user, aid).await?;
    let updates = state.store.action_updates(aid).await?;
    let mut v = json!(x);
    v["overdue"] = json!(x.is_overdue(state.today()));
    v["updates"] = json!(updates);
    Ok(Json(v).into_response())
}

#[derive(Debug, Deserialize)]
struct UpdateInput {
    rag: String,
    #[serde(default)]
    note: String,
}

fn parse_rag(s: &str) -> Result<Rag, WebError> {
    if s.trim().is_empty() {
        return Err(WebError::Invalid(FieldErrors::single("rag", "Choose the assessment: red, amber, green or completed")));
    }
    s.parse().map_err(|m: String| WebError::Invalid(FieldErrors::single("rag", m)))
}

/// Checks the caller may update the action, then records the update.
async fn update_action(
    state: &SharedState,
    user: &User,
    aid: i64,
    rag: &str,
    note: &str,
    evidence: &[NewEvidence],
) -> Result<ActionUpdateRecord, WebError> {
    let (x, _) = action_for(state, user, aid).await?;
    if !rec::may_update(user.role, user.agency_id == Some(x.agency_id)) {
        return Err(WebError::Forbidden(format!("Only {}'s authors and head, or the board manager, may update this action", x.agency)));
    }
    let rag = parse_rag(rag)?;
    Ok(state.store.add_action_update(&user.actor(), aid, rag, note, evidence, max_evidence_bytes()).await?)
}

async fn api_update_action(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(aid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: UpdateInput = json_body(&body)?;
    let u = update_action(&state, &a.user, aid, &input.rag, &input.note, &[]).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

async fn sign_up(state: &SharedState, user: &User, aid: i64) -> Result<ActionRecord, WebError> {
    let (x, _) = action_for(state, user, aid).await?;
    if !rec::may_sign_up(user.role, user.agency_id == Some(x.agency_id)) {
        return Err(WebError::Forbidden(format!("Only the agency head of {} may sign up to this action", x.agency)));
    }
    Ok(state.store.sign_up_action(&user.actor(), aid).await?)
}

async fn sign_off(state: &SharedState, user: &User, aid: i64) -> Result<ActionRecord, WebError> {
    action_for(state, user, aid).await?;
    if !rec::may_sign_off(user.role) {
        return Err(WebError::Forbidden("Only the board manager or the board chair may sign off an action".into()));
    }
    Ok(state.store.sign_off_action(&user.actor(), aid).await?)
}

async fn api_sign_up(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(aid): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(sign_up(&state, &a.user, aid).await?).into_response())
}

async fn api_sign_off(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(aid): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(sign_off(&state, &a.user, aid).await?).into_response())
}

// ---------------------------------------------------------------- pages: recommendations

/// A part as the list shows it, with its SMART findings.
struct PartView {
    index: usize,
    label: String,
    task: String,
    agency: String,
    addressee: String,
    measure: String,
    due: String,
    findings: Vec<SmartFinding>,
}

struct RecView {
    id: i64,
    number: i64,
    draft: bool,
    status: &'static str,
    source: String,
    text: String,
    adopted: String,
    parts: Vec<PartView>,
}

fn rec_view(r: &ReportRecommendation) -> RecView {
    let findings = rec::smart_check(&r.as_domain());
    RecView {
        id: r.id,
        number: r.number,
        draft: r.status == RecommendationStatus::Draft,
        status: r.status.title(),
        source: match &r.source_agency {
            Some(a) => format!("{}: {a}", r.source.title()),
            None => r.source.title().to_string(),
        },
        text: r.text.clone(),
        adopted: match (&r.adopted_by, r.adopted_at) {
            (Some(b), Some(at)) => format!("Adopted by {b} on {}", at.format("%d/%m/%Y")),
            _ => String::new(),
        },
        parts: r
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| PartView {
                index: i,
                label: p.label.clone(),
                task: p.task.clone(),
                agency: p.agency.clone(),
                addressee: [p.addressee_name.as_str(), p.addressee_position.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                measure: p.measure.clone(),
                due: p.due_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                findings: findings.iter().filter(|f| f.part == i).cloned().collect(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "recommendations.html")]
struct RecommendationsPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    recs: Vec<RecView>,
    may_draft: bool,
    may_adopt: bool,
    flash: Option<&'static str>,
}

async fn render_recommendations(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    status: StatusCode,
    errors: FieldErrors,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let recs = state.store.report_recommendations(id).await?;
    let page = RecommendationsPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference,
        recs: recs.iter().map(rec_view).collect(),
        may_draft: rec::may_draft(a.user.role),
        may_adopt: rec::may_adopt(a.user.role),
        flash,
    };
    Ok(pages::render(status, &page))
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn flash_for(done: &str) -> Option<&'static str> {
    match done {
        "saved" => Some("The recommendation is saved as a draft"),
        "deleted" => Some("The draft recommendation is deleted"),
        "adopted" => Some("The recommendation is adopted"),
        "carried" => Some("The signed-off IMRs' recommendations are carried in as drafts"),
        "action" => Some("The action is added to the plan"),
        "updated" => Some("The progress update is recorded"),
        "signed_up" => Some("You have signed up to the action"),
        "signed_off" => Some("The action is signed off"),
        _ => None,
    }
}

async fn recommendations_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    render_recommendations(&state, &a, id, StatusCode::OK, FieldErrors::new(), flash_for(&q.done)).await
}

/// The form's rows as typed (dates kept as text so a mistyped one comes back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PartForm {
    task: String,
    agency: String,
    addressee_name: String,
    addressee_position: String,
    measure: String,
    due_on: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RecForm {
    text: String,
    parts: Vec<PartForm>,
}

impl RecForm {
    fn from_record(r: &ReportRecommendation) -> RecForm {
        RecForm {
            text: r.text.clone(),
            parts: r
                .parts
                .iter()
                .map(|p| PartForm {
                    task: p.task.clone(),
                    agency: p.agency.clone(),
                    addressee_name: p.addressee_name.clone(),
                    addressee_position: p.addressee_position.clone(),
                    measure: p.measure.clone(),
                    due_on: p.due_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// The domain's recommendation; blank rows are dropped, dates parsed (errors name the row).
    fn to_domain(&self) -> Result<Recommendation, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut parts = Vec::new();
        let rows = self.parts.iter().filter(|p| {
            ![&p.task, &p.agency, &p.addressee_name, &p.addressee_position, &p.measure, &p.due_on].iter().all(|v| v.trim().is_empty())
        });
        for (i, p) in rows.enumerate() {
            let due_on = casereview_core::text::optional_date(&mut e, &format!("parts[{i}].due_on"), "the date", &p.due_on);
            parts.push(RecommendationPart {
                task: p.task.clone(),
                agency: p.agency.clone(),
                addressee_name: p.addressee_name.clone(),
                addressee_position: p.addressee_position.clone(),
                measure: p.measure.clone(),
                due_on,
            });
        }
        e.into_result(Recommendation { text: self.text.clone(), parts })
    }

    /// Only the non-blank rows, so error indexes match the rows shown again.
    fn compacted(mut self) -> RecForm {
        self.parts.retain(|p| {
            ![&p.task, &p.agency, &p.addressee_name, &p.addressee_position, &p.measure, &p.due_on].iter().all(|v| v.trim().is_empty())
        });
        self
    }
}

#[derive(Template)]
#[template(path = "recommendation_edit.html")]
struct EditPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    /// `None` for a new recommendation.
    rid: Option<i64>,
    number: String,
    form: RecForm,
    agencies: Vec<String>,
    findings: Vec<(String, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn render_edit(
    state: &SharedState,
    a: &Authenticated,
    review: &ReviewRecord,
    rid: Option<i64>,
    number: String,
    mut f: RecForm,
    status: StatusCode,
    errors: FieldErrors,
    extra_rows: usize,
) -> Result<Response, PageError> {
    let agencies = state.store.agencies(review.summary.partnership_id).await?.into_iter().map(|x| x.name).collect();
    let findings = match f.to_domain() {
        Ok(d) => rec::smart_check(&d)
            .into_iter()
            .map(|x| {
                (form::field_key(&format!("parts[{}].{}", x.part, x.field)), format!("Part {}: {}", rec::part_letter(x.part), x.message))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let want = (f.parts.len() + extra_rows).clamp(1, rec::MAX_PARTS);
    while f.parts.len() < want {
        f.parts.push(PartForm::default());
    }
    let page = EditPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: review.summary.id,
        reference: review.summary.reference.clone(),
        rid,
        number,
        form: f,
        agencies,
        findings,
    };
    Ok(pages::render(status, &page))
}

async fn new_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    require_draft(&a.user)?;
    render_edit(&state, &a, &r, None, String::new(), RecForm::default(), StatusCode::OK, FieldErrors::new(), 2).await
}

async fn edit_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(rid): Path<i64>) -> Result<Response, PageError> {
    let (r, review) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    require_draft(&a.user)?;
    if r.status != RecommendationStatus::Draft {
        return Err(WebError::Unprocessable(format!("Recommendation {} has been adopted: its parts are fixed", r.number)).into());
    }
    render_edit(&state, &a, &review, Some(rid), r.number.to_string(), RecForm::from_record(&r), StatusCode::OK, FieldErrors::new(), 1).await
}

fn parse_rec_form(pairs: &[(String, String)]) -> Result<RecForm, WebError> {
    form::from_json(form::to_json(pairs, &[]))
}

async fn create_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let review = access::review_for(&state, &a.user, id, Need::See).await?;
    require_draft(&a.user)?;
    let f = parse_rec_form(&pairs)?.compacted();
    if form::get(&pairs, "add") == "part" {
        return render_edit(&state, &a, &review, None, String::new(), f, StatusCode::OK, FieldErrors::new(), 1).await;
    }
    let result = match f.to_domain() {
        Ok(d) => state.store.create_recommendation(&a.user.actor(), id, &d).await.map_err(WebError::from),
        Err(e) => Err(WebError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/recommendations?done=saved")).into_response()),
        Err(WebError::Invalid(e)) => render_edit(&state, &a, &review, None, String::new(), f, StatusCode::UNPROCESSABLE_ENTITY, e, 0).await,
        Err(e) => Err(e.into()),
    }
}

async fn update_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(rid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (r, review) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    require_draft(&a.user)?;
    let id = r.review_id;
    if form::get(&pairs, "delete") == "yes" {
        return match state.store.delete_draft_recommendation(&a.user.actor(), rid).await {
            Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/recommendations?done=deleted")).into_response()),
            Err(casereview_store::StoreError::Invalid(e)) => {
                render_recommendations(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await
            }
            Err(e) => Err(e.into()),
        };
    }
    let f = parse_rec_form(&pairs)?.compacted();
    let number = r.number.to_string();
    if form::get(&pairs, "add") == "part" {
        return render_edit(&state, &a, &review, Some(rid), number, f, StatusCode::OK, FieldErrors::new(), 1).await;
    }
    let result = match f.to_domain() {
        Ok(d) => state.store.update_recommendation(&a.user.actor(), rid, &d).await.map_err(WebError::from),
        Err(e) => Err(WebError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/recommendations?done=saved#rec-{rid}")).into_response()),
        Err(WebError::Invalid(e)) => render_edit(&state, &a, &review, Some(rid), number, f, StatusCode::UNPROCESSABLE_ENTITY, e, 0).await,
        Err(e) => Err(e.into()),
    }
}

async fn adopt_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(rid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (r, _) = recommendation_for(&state, &a.user, rid, Need::See).await?;
    if !rec::may_adopt(a.user.role) {
        return Err(WebError::Forbidden("Only the board chair adopts recommendations".into()).into());
    }
    let id = r.review_id;
    match state.store.adopt_recommendation(&a.user.actor(), rid).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/recommendations?done=adopted#rec-{rid}")).into_response()),
        Err(casereview_store::StoreError::Invalid(e)) => {
            // The list shows each part's fields with ids `rec-{rid}-parts-{i}-{field}`.
            let e = FieldErrors(
                e.0.into_iter()
                    .map(|x| casereview_core::FieldError { field: format!("rec-{rid}-{}", form::field_key(&x.field)), message: x.message })
                    .collect(),
            );
            render_recommendations(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn carry_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    require_draft(&a.user)?;
    state.store.carry_imr_recommendations(&a.user.actor(), id).await?;
    Ok(Redirect::to(&format!("/reviews/{id}/recommendations?done=carried")).into_response())
}

// ---------------------------------------------------------------- pages: the plan

struct ActionRow {
    id: i64,
    part_label: String,
    task: String,
    agency: String,
    action: String,
    by_whom: String,
    outcome: String,
    monitoring: String,
    due: String,
    overdue: bool,
    rag: Rag,
    signed_up: String,
}

fn action_row(x: &ActionRecord, today: chrono::NaiveDate) -> ActionRow {
    ActionRow {
        id: x.id,
        part_label: x.part_label.clone(),
        task: x.recommendation_task.clone(),
        agency: x.agency.clone(),
        action: x.action.clone(),
        by_whom: x.by_whom.clone(),
        outcome: x.intended_outcome.clone(),
        monitoring: x.monitoring.clone(),
        due: x.due_on.format("%d/%m/%Y").to_string(),
        overdue: x.is_overdue(today),
        rag: x.rag,
        signed_up: match (&x.signed_up_by, x.signed_up_at) {
            (Some(b), Some(at)) => format!("{b}, {}", at.format("%d/%m/%Y")),
            _ => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "action_plan.html")]
struct PlanPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    agency: Option<Agency>,
    agencies: Vec<Agency>,
    rows: Vec<ActionRow>,
    counts: Vec<(Rag, usize)>,
    /// Adopted parts the caller may plan for: (part id, label and agency).
    parts: Vec<(i64, String)>,
    typed: PlanForm,
    flash: Option<&'static str>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    part_id: String,
    action: String,
    by_whom: String,
    intended_outcome: String,
    monitoring: String,
    due_on: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_plan(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    agency_id: Option<i64>,
    status: StatusCode,
    errors: FieldErrors,
    typed: PlanForm,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let agencies = state.store.agencies(r.summary.partnership_id).await?;
    let agency = agency_in(&agencies, agency_id)?.cloned();
    let actions = state.store.action_plan(id, agency.as_ref().map(|x| x.id)).await?;
    let today = state.today();
    let counts = Rag::ALL.iter().map(|g| (*g, actions.iter().filter(|x| x.rag == *g).count())).collect();
    let parts = state
        .store
        .report_recommendations(id)
        .await?
        .into_iter()
        .filter(|x| x.status == RecommendationStatus::Adopted)
        .flat_map(|x| x.parts)
        .filter(|p| may_plan(&a.user, p.agency_id))
        .map(|p| {
            let short: String = p.task.chars().take(80).collect();
            (p.id, format!("{} ({}): {short}", p.label, p.agency))
        })
        .collect();
    let page = PlanPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference,
        agency,
        agencies,
        rows: actions.iter().map(|x| action_row(x, today)).collect(),
        counts,
        parts,
        typed,
        flash,
    };
    Ok(pages::render(status, &page))
}

#[derive(Debug, Deserialize, Default)]
struct PlanQuery {
    #[serde(default, deserialize_with = "empty_is_none")]
    agency: Option<i64>,
    #[serde(default)]
    done: String,
}

async fn plan_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    render_plan(&state, &a, id, q.agency, StatusCode::OK, FieldErrors::new(), PlanForm::default(), flash_for(&q.done)).await
}

async fn agency_plan_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    render_plan(&state, &a, id, Some(aid), StatusCode::OK, FieldErrors::new(), PlanForm::default(), None).await
}

async fn add_action_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    let f: PlanForm = form::from_json(form::to_json(&pairs, &[]))?;
    let mut e = FieldErrors::new();
    let due_on = casereview_core::text::required_date(&mut e, "due_on", "the date the action is due", &f.due_on);
    let input = PlanAction {
        action: f.action.clone(),
        by_whom: f.by_whom.clone(),
        intended_outcome: f.intended_outcome.clone(),
        monitoring: f.monitoring.clone(),
        due_on,
    };
    for x in input.validate().0 {
        if e.get(&x.field).is_none() {
            e.0.push(x);
        }
    }
    let pid: Option<i64> = f.part_id.trim().parse().ok();
    if pid.is_none() {
        e.push("part_id", "Choose the recommendation the action serves");
    }
    let result = match (pid, e.is_empty()) {
        (Some(pid), true) => {
            // The part must be of this review: otherwise it is not found.
            if state.store.part_review(pid).await? != id {
                return Err(WebError::NotFound.into());
            }
            add_action(&state, &a.user, pid, &input).await
        }
        _ => Err(WebError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/action-plan?done=action")).into_response()),
        Err(WebError::Invalid(e)) => render_plan(&state, &a, id, None, StatusCode::UNPROCESSABLE_ENTITY, e, f, None).await,
        Err(e) => Err(e.into()),
    }
}

/// The plan as CSV with the template's columns; text is neutralised against formulas.
async fn plan_csv(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, PageError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let agencies = state.store.agencies(r.summary.partnership_id).await?;
    let agency = agency_in(&agencies, q.agency)?;
    let actions = state.store.action_plan(id, agency.map(|x| x.id)).await?;
    let headers = [
        "Recommendation",
        "Part",
        "Agency",
        "Action",
        "By whom",
        "Intended outcome",
        "Monitoring",
        "Due",
        "Assessment",
        "Signed up by",
        "Signed off by",
    ];
    let text = |s: &str| TableCell::Text(s.to_string());
    let table = Table {
        title: format!("{} action plan", r.summary.reference),
        sheet_name: "Action plan".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: actions
            .iter()
            .map(|x| {
                vec![
                    text(&x.recommendation_task),
                    text(&x.part_label),
                    text(&x.agency),
                    text(&x.action),
                    text(&x.by_whom),
                    text(&x.intended_outcome),
                    text(&x.monitoring),
                    TableCell::Date(x.due_on),
                    text(x.rag.word()),
                    text(x.signed_up_by.as_deref().unwrap_or("")),
                    text(x.signed_off_by.as_deref().unwrap_or("")),
                ]
            })
            .collect(),
        column_widths: vec![],
    };
    let name = match agency {
        Some(ag) => format!("{}-action-plan-{}.csv", r.summary.reference, ag.id),
        None => format!("{}-action-plan.csv", r.summary.reference),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", name.replace(['"', '\\', '\r', '\n'], "_"))),
        ],
        casereview_sheets::to_csv(&table),
    )
        .into_response())
}

// ---------------------------------------------------------------- pages: one action

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    nav: pages::Nav,
    errors: FieldErrors,
    reference: String,
    x: ActionRecord,
    overdue: bool,
    updates: Vec<ActionUpdateRecord>,
    may_update: bool,
    may_sign_up: bool,
    may_sign_off: bool,
    rags: Vec<Rag>,
    typed_rag: String,
    typed_note: String,
    max_mb: usize,
    flash: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
async fn render_action(
    state: &SharedState,
    a: &Authenticated,
    aid: i64,
    status: StatusCode,
    errors: FieldErrors,
    typed_rag: String,
    typed_note: String,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let (x, r) = action_for(state, &a.user, aid).await?;
    let same = a.user.agency_id == Some(x.agency_id);
    let page = ActionPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        reference: r.summary.reference,
        overdue: x.is_overdue(state.today()),
        updates: state.store.action_updates(aid).await?.into_iter().rev().collect(),
        may_update: rec::may_update(a.user.role, same) && x.rag != Rag::SignedOff,
        may_sign_up: rec::may_sign_up(a.user.role, same) && x.signed_up_by.is_none(),
        may_sign_off: rec::may_sign_off(a.user.role) && x.rag == Rag::Completed,
        rags: Rag::UPDATABLE.to_vec(),
        typed_rag: if typed_rag.is_empty() { x.rag.as_str().to_string() } else { typed_rag },
        typed_note,
        max_mb: max_evidence_bytes() / (1024 * 1024),
        flash,
        x,
    };
    Ok(pages::render(status, &page))
}

async fn action_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(aid): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    render_action(&state, &a, aid, StatusCode::OK, FieldErrors::new(), String::new(), String::new(), flash_for(&q.done)).await
}

async fn update_action_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(aid): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut rag, mut note, mut files) = (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| {
        WebError::Invalid(FieldErrors::single(
            "evidence",
            format!("The upload could not be read: evidence files may be at most {} MB", max_evidence_bytes() / (1024 * 1024)),
        ))
    })? {
        match field.name().unwrap_or_default() {
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            "rag" => rag = field.text().await.unwrap_or_default(),
            "note" => note = field.text().await.unwrap_or_default(),
            "evidence" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| WebError::TooLarge(max_evidence_bytes()))?;
                // A file input left empty still sends a part with no name and no bytes.
                if !(name.is_empty() && bytes.is_empty()) {
                    files.push(NewEvidence { file_name: name, bytes: bytes.to_vec() });
                }
            }
            _ => {}
        }
    }
    a.check_csrf(&csrf)?;
    match update_action(&state, &a.user, aid, &rag, &note, &files).await {
        Ok(_) => Ok(Redirect::to(&format!("/actions/{aid}?done=updated")).into_response()),
        Err(WebError::Invalid(e)) => render_action(&state, &a, aid, StatusCode::UNPROCESSABLE_ENTITY, e, rag, note, None).await,
        Err(e) => Err(e.into()),
    }
}

async fn sign_up_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(aid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    step_page(&state, &a, aid, &body, Step::SignUp).await
}

async fn sign_off_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(aid): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    step_page(&state, &a, aid, &body, Step::SignOff).await
}

/// A one-button step on an action's page.
#[derive(Clone, Copy)]
enum Step {
    SignUp,
    SignOff,
}

/// Takes the step from its form (CSRF checked): back to the action with what was done, or
/// the action's page again with why not.
async fn step_page(state: &SharedState, a: &Authenticated, aid: i64, body: &[u8], step: Step) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let (result, done) = match step {
        Step::SignUp => (sign_up(state, &a.user, aid).await.map(|_| ()), "signed_up"),
        Step::SignOff => (sign_off(state, &a.user, aid).await.map(|_| ()), "signed_off"),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/actions/{aid}?done={done}")).into_response()),
        Err(WebError::Invalid(e)) => {
            render_action(state, a, aid, StatusCode::UNPROCESSABLE_ENTITY, e, String::new(), String::new(), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An evidence file: a confidential read, audited; sent as an attachment, never inline.
async fn evidence_download(State(state): State<SharedState>, PageUser(a): PageUser, Path(eid): Path<i64>) -> Result<Response, PageError> {
    let review_id = state.store.evidence_review(eid).await?;
    access::review_for(&state, &a.user, review_id, Need::See).await?;
    let f = state.store.read_evidence(&a.user.actor(), eid).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.meta.media_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", f.meta.file_name.replace(['"', '\\', '\r', '\n'], "_"))),
        ],
        f.content,
    )
        .into_response())
}
