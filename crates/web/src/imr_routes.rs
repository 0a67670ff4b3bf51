//! Individual Management Reviews of a review: commissioning, appointing authors under the
//! independence rules (with the board chair's recorded override), the practitioners
//! involved, each IMR's life and its report sections. Reading an IMR's report is a
//! confidential read and is audited; an agency's author and head see only their agency's.

use crate::access::{self, Need};
use crate::auth::{ApiUser, Authenticated, PageUser};
use crate::deadlines;
use crate::error::{ApiError, WebError};
use crate::form::{self, json_body, LimitedBody};
use crate::pages::{self, PageError};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use casereview_core::imr::{self, Appointment, Candidate, ImrAction, ImrCaller, Practitioner};
use casereview_core::{FieldErrors, ReviewState, Role};
use casereview_store::{ImrChange, ImrRecord, ReviewRecord, User};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/imrs", get(api_list).post(api_commission))
        .route("/reviews/{id}/practitioners", get(api_practitioners).post(api_add_practitioner))
        .route("/imrs/{imr}", get(api_imr))
        .route("/imrs/{imr}/steps", post(api_step))
        .route("/imrs/{imr}/sections", put(api_sections))
}

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/imrs", get(imrs_page).post(commission_page))
        .route("/reviews/{id}/practitioners", post(add_practitioner_page))
        .route("/imrs/{imr}", get(imr_page).post(imr_page_post))
}

/// Who coordinates IMRs for the panel.
fn require_coordinator(user: &User) -> Result<(), WebError> {
    if matches!(user.role, Role::PartnershipAdmin | Role::PanelChair) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the board manager or the panel chair may do this".into()))
    }
}

/// The caller's agency name, if they have one.
async fn agency_of(state: &SharedState, user: &User) -> Result<Option<String>, WebError> {
    access::agency_name(state, user).await
}

/// Agency authors and heads see only their own agency's IMR (the panel circulates them).
fn agency_bound(user: &User) -> bool {
    matches!(user.role, Role::AgencyAuthor | Role::AgencyHead)
}

/// The IMRs the caller may see on a review.
async fn visible_imrs(state: &SharedState, user: &User, review_id: i64) -> Result<Vec<ImrRecord>, WebError> {
    let all = state.store.imrs(review_id).await?;
    if !agency_bound(user) {
        return Ok(all);
    }
    let mine = agency_of(state, user).await?;
    Ok(all
        .into_iter()
        .filter(|i| mine.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&i.agency)) || i.author_user_id == Some(user.id))
        .collect())
}

/// One IMR the caller may see, with its review.
async fn imr_for(state: &SharedState, user: &User, imr_id: i64) -> Result<(ImrRecord, ReviewRecord), WebError> {
    let i = state.store.imr(imr_id).await?;
    let r = access::review_for(state, user, i.review_id, Need::See).await?;
    if !visible_imrs(state, user, i.review_id).await?.iter().any(|x| x.id == imr_id) {
        return Err(WebError::NotFound);
    }
    Ok((i, r))
}

/// Agencies involved in the case: those the referral names and those asked for an IMR.
fn involved_agencies(r: &ReviewRecord, imrs: &[ImrRecord]) -> Vec<String> {
    let mut v: Vec<String> = r.referral.agencies_involved.iter().map(|a| a.agency.clone()).collect();
    v.push(r.referral.referrer.agency.clone());
    v.extend(imrs.iter().map(|i| i.agency.clone()));
    v.sort();
    v.dedup();
    v
}

/// Checks an appointment against the independence rules. Problems refuse it unless the
/// board chair overrides them with a reason, which is recorded and audited.
pub async fn check_independence(
    state: &SharedState,
    actor: &User,
    r: &ReviewRecord,
    appointment: &Appointment,
    candidate: &Candidate,
    override_reason: &str,
) -> Result<(), WebError> {
    let practitioners = state.store.practitioners(r.summary.id).await?;
    let imrs = state.store.imrs(r.summary.id).await?;
    let problems = imr::independence_problems(appointment, candidate, &practitioners, &involved_agencies(r, &imrs));
    if problems.is_empty() {
        return Ok(());
    }
    if actor.role == Role::BoardChair && !override_reason.trim().is_empty() {
        state
            .store
            .record_independence_override(&actor.actor(), r.summary.id, &appointment.title(), &candidate.name, &problems, override_reason)
            .await?;
        return Ok(());
    }
    let mut e = FieldErrors::new();
    for p in problems {
        e.push("author", format!("{p}. Only the board chair may override this, giving the reason."));
    }
    Err(WebError::Invalid(e))
}

/// Making someone a panel chair, panel member or overview author of a review appoints
/// them, so the independence rules apply (an unknown user is left to the store's check).
pub async fn check_member_independence(
    state: &SharedState,
    actor: &User,
    r: &ReviewRecord,
    user_id: i64,
    override_reason: &str,
) -> Result<(), WebError> {
    let Ok(u) = state.store.user(user_id).await else { return Ok(()) };
    if u.partnership_id != actor.partnership_id {
        return Ok(());
    }
    let appointment = match u.role {
        Role::OverviewAuthor => Appointment::OverviewAuthor,
        Role::PanelChair => Appointment::PanelChair,
        Role::PanelMember => Appointment::PanelMember,
        _ => return Ok(()),
    };
    check_independence(state, actor, r, &appointment, &candidate_of(state, &u).await?, override_reason).await.map_err(|e| match e {
        WebError::Invalid(f) => WebError::Invalid(casereview_core::FieldErrors(
            f.0.into_iter().map(|x| casereview_core::FieldError { field: "user_id".into(), message: x.message }).collect(),
        )),
        other => other,
    })
}

/// A user as a candidate for an appointment.
pub async fn candidate_of(state: &SharedState, u: &User) -> Result<Candidate, WebError> {
    Ok(Candidate { name: u.name.clone(), agency: agency_of(state, u).await?, board_staff: u.role == Role::PartnershipAdmin })
}

/// The default due date of IMRs: the ruleset's `imrs_due` step for this review if it is
/// known, else none (the panel sets it, as in Oxfordshire's procedure).
async fn default_due(state: &SharedState, r: &ReviewRecord) -> Result<Option<NaiveDate>, WebError> {
    let p = state.store.partnership(r.summary.partnership_id).await?;
    let clock = deadlines::clock_for(&state.store, &p).await?;
    let all = deadlines::for_reviews(&state.store, &clock, &[r.summary.id], state.today()).await?;
    Ok(all.get(&r.summary.id).and_then(|v| v.iter().find(|d| d.step == "imrs_due")).and_then(|d| d.due_date))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct CommissionInput {
    agencies: Vec<String>,
    due_on: String,
}

/// Checks and records IMR requests; the error names the field.
async fn commission(state: &SharedState, user: &User, r: &ReviewRecord, input: &CommissionInput) -> Result<usize, WebError> {
    require_coordinator(user)?;
    if !matches!(r.summary.state, ReviewState::Scoping | ReviewState::Imrs | ReviewState::Chronology) {
        return Err(WebError::Unprocessable(format!(
            "IMRs are commissioned once the chair has decided on a review that uses them; this review is '{}'",
            r.summary.state.title()
        )));
    }
    if !r.summary.kind.is_some_and(|k| k.uses_imrs()) {
        return Err(WebError::Unprocessable("This kind of review does not commission Individual Management Reviews".into()));
    }
    let directory = state.store.agency_directory(r.summary.partnership_id).await?;
    let mut e = FieldErrors::new();
    let mut agencies = Vec::new();
    for (i, a) in input.agencies.iter().enumerate().filter(|(_, a)| !a.trim().is_empty()) {
        match directory.get(&a.trim().to_lowercase()) {
            Some((name, _)) => agencies.push(name.clone()),
            None => e.push(format!("agencies[{i}]"), format!("'{}' is not an agency of this partnership", a.trim())),
        }
    }
    if agencies.is_empty() && e.is_empty() {
        e.push("agencies", "Choose the agencies asked for an IMR");
    }
    let due = match input.due_on.trim() {
        "" => match default_due(state, r).await? {
            Some(d) => Some(d),
            None => {
                e.push("due_on", "Enter the date the IMRs are due: the ruleset leaves it to the panel");
                None
            }
        },
        v => casereview_core::text::optional_date(&mut e, "due_on", "the due date", v),
    };
    casereview_core::text::clock_range(&mut e, "due_on", "the due date", due);
    if !e.is_empty() {
        return Err(WebError::Invalid(e));
    }
    let due = due.ok_or_else(|| WebError::Invalid(FieldErrors::single("due_on", "Enter the due date")))?;
    Ok(state.store.commission_imrs(&user.actor(), r.summary.id, &agencies, state.today(), due).await?)
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct StepInput {
    action: String,
    author_user_id: Option<i64>,
    author_name: String,
    override_reason: String,
    on: String,
    version: Option<i64>,
}

/// Checks and takes a step of one IMR (appointing an author runs the independence check).
async fn step(state: &SharedState, user: &User, imr_id: i64, input: &StepInput) -> Result<ImrRecord, WebError> {
    let (i, r) = imr_for(state, user, imr_id).await?;
    let action: ImrAction = input.action.trim().parse().map_err(|m: String| WebError::Invalid(FieldErrors::single("action", m)))?;
    let mine = agency_of(state, user).await?;
    let caller = ImrCaller {
        role: Some(user.role),
        is_author: i.author_user_id == Some(user.id),
        same_agency: mine.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&i.agency)),
    };
    // Who may take the step is checked before anything else is looked at.
    imr::apply(i.status, action, caller).map_err(|m| {
        if m.starts_with("only") {
            WebError::Forbidden(m)
        } else {
            WebError::Unprocessable(m)
        }
    })?;
    let mut change = ImrChange::default();
    if action == ImrAction::AppointAuthor {
        let candidate = match input.author_user_id {
            Some(uid) => {
                let u = state
                    .store
                    .user(uid)
                    .await
                    .map_err(|_| WebError::Invalid(FieldErrors::single("author", "Choose an author from the list")))?;
                if u.partnership_id != user.partnership_id {
                    return Err(WebError::Invalid(FieldErrors::single("author", "Choose an author from the list")));
                }
                change.author = Some((Some(u.id), u.name.clone()));
                candidate_of(state, &u).await?
            }
            None => {
                let name = input.author_name.trim();
                if name.is_empty() {
                    return Err(WebError::Invalid(FieldErrors::single("author", "Choose the author, or enter their name")));
                }
                change.author = Some((None, name.to_string()));
                Candidate { name: name.to_string(), agency: Some(i.agency.clone()), board_staff: false }
            }
        };
        check_independence(state, user, &r, &Appointment::ImrAuthor { agency: i.agency.clone() }, &candidate, &input.override_reason)
            .await?;
        if let Some((Some(uid), _)) = &change.author {
            state.store.add_member(&user.actor(), r.summary.id, *uid).await?;
        }
    }
    if !input.on.trim().is_empty() {
        change.on = Some(
            casereview_core::text::parse_date(input.on.trim())
                .map_err(|m| WebError::Invalid(FieldErrors::single("on", format!("The date {m}"))))?,
        );
    }
    Ok(state.store.imr_step(&user.actor(), imr_id, action, caller, &change, input.version).await?)
}

fn imr_json(i: &ImrRecord, today: NaiveDate, with_sections: bool) -> serde_json::Value {
    let mut v = json!(i);
    v["late"] = json!(i.status.is_late(i.due_on, today));
    if !with_sections {
        if let Some(o) = v.as_object_mut() {
            o.remove("sections");
        }
    }
    v
}

async fn api_list(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let today = state.today();
    let list: Vec<serde_json::Value> = visible_imrs(&state, &a.user, id).await?.iter().map(|i| imr_json(i, today, false)).collect();
    Ok(Json(list).into_response())
}

async fn api_commission(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let input: CommissionInput = json_body(&body)?;
    commission(&state, &a.user, &r, &input).await?;
    api_list(State(state), ApiUser(a), Path(id)).await.map(|r| (StatusCode::CREATED, r).into_response())
}

async fn api_imr(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(imr_id): Path<i64>) -> Result<Response, ApiError> {
    let (i, _) = imr_for(&state, &a.user, imr_id).await?;
    // The report is a confidential paper: every read is recorded.
    state
        .store
        .record_audit(
            &a.user.actor(),
            "imr.read",
            &format!("review:{}", i.review_id),
            json!({"imr": i.id, "agency": i.agency, "via": "api"}),
        )
        .await?;
    Ok(Json(imr_json(&i, state.today(), true)).into_response())
}

async fn api_step(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(imr_id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let input: StepInput = json_body(&body)?;
    let i = step(&state, &a.user, imr_id, &input).await?;
    Ok(Json(imr_json(&i, state.today(), false)).into_response())
}

#[derive(Debug, Deserialize)]
struct SectionsInput {
    version: i64,
    sections: BTreeMap<String, String>,
}

fn require_author(user: &User, i: &ImrRecord) -> Result<(), WebError> {
    if i.author_user_id == Some(user.id) {
        Ok(())
    } else {
        Err(WebError::Forbidden("Only the appointed author writes the IMR".into()))
    }
}

async fn api_sections(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(imr_id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let (i, _) = imr_for(&state, &a.user, imr_id).await?;
    require_author(&a.user, &i)?;
    let input: SectionsInput = json_body(&body)?;
    let i = state.store.save_imr_sections(&a.user.actor(), imr_id, input.version, &input.sections).await?;
    Ok(Json(imr_json(&i, state.today(), true)).into_response())
}

async fn api_practitioners(State(state): State<SharedState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    access::review_for(&state, &a.user, id, Need::See).await?;
    Ok(Json(state.store.practitioners(id).await?).into_response())
}

async fn add_practitioner(state: &SharedState, user: &User, id: i64, p: &Practitioner) -> Result<(), WebError> {
    let r = access::review_for(state, user, id, Need::See).await?;
    require_coordinator(user)?;
    let directory = state.store.agency_directory(r.summary.partnership_id).await?;
    let agency = directory.get(&p.agency.trim().to_lowercase()).map(|(n, _)| n.clone()).ok_or_else(|| {
        WebError::Invalid(FieldErrors::single("agency", format!("'{}' is not an agency of this partnership", p.agency.trim())))
    })?;
    Ok(state.store.add_practitioner(&user.actor(), id, &Practitioner { agency, ..p.clone() }).await?)
}

async fn api_add_practitioner(
    State(state): State<SharedState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let p: Practitioner = json_body(&body)?;
    add_practitioner(&state, &a.user, id, &p).await?;
    Ok((StatusCode::CREATED, Json(state.store.practitioners(id).await?)).into_response())
}

// ---------------------------------------------------------------- pages

struct ImrRow {
    id: i64,
    agency: String,
    author: String,
    status: &'static str,
    late: bool,
    due: String,
}

#[derive(Template)]
#[template(path = "imrs.html")]
struct ImrsPage {
    nav: pages::Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    rows: Vec<ImrRow>,
    practitioners: Vec<Practitioner>,
    may_coordinate: bool,
    can_commission: bool,
    agencies: Vec<(String, bool)>,
    due_on: String,
    flash: Option<&'static str>,
}

async fn render_imrs(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    status: StatusCode,
    errors: FieldErrors,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let today = state.today();
    let imrs = visible_imrs(state, &a.user, id).await?;
    let may_coordinate = matches!(a.user.role, Role::PartnershipAdmin | Role::PanelChair);
    let can_commission = may_coordinate
        && matches!(r.summary.state, ReviewState::Scoping | ReviewState::Imrs | ReviewState::Chronology)
        && r.summary.kind.is_some_and(|k| k.uses_imrs());
    let involved = involved_agencies(&r, &[]);
    let agencies = state
        .store
        .agencies(r.summary.partnership_id)
        .await?
        .into_iter()
        .filter(|x| !imrs.iter().any(|i| i.agency == x.name))
        .map(|x| {
            let on = involved.contains(&x.name);
            (x.name, on)
        })
        .collect();
    let due_on = default_due(state, &r).await?.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
    let page = ImrsPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        review_id: id,
        reference: r.summary.reference.clone(),
        rows: imrs
            .iter()
            .map(|i| ImrRow {
                id: i.id,
                agency: i.agency.clone(),
                author: i.author_name.clone(),
                status: i.status.title(),
                late: i.status.is_late(i.due_on, today),
                due: i.due_on.format("%d/%m/%Y").to_string(),
            })
            .collect(),
        practitioners: state.store.practitioners(id).await?,
        may_coordinate,
        can_commission,
        agencies,
        due_on,
        flash,
    };
    Ok(pages::render(status, &page))
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn imrs_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let flash = (!q.done.is_empty()).then_some("The IMRs are requested");
    render_imrs(&state, &a, id, StatusCode::OK, FieldErrors::new(), flash).await
}

async fn commission_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let input = CommissionInput {
        agencies: pairs.iter().filter(|(k, _)| k == "agencies").map(|(_, v)| v.clone()).collect(),
        due_on: form::get(&pairs, "due_on").to_string(),
    };
    match commission(&state, &a.user, &r, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/imrs?done=1")).into_response()),
        Err(WebError::Invalid(e)) => render_imrs(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await,
        Err(e) => Err(e.into()),
    }
}

async fn add_practitioner_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let p = Practitioner {
        name: form::get(&pairs, "name").to_string(),
        agency: form::get(&pairs, "agency").to_string(),
        role: form::get(&pairs, "role").to_string(),
        line_manager: form::get(&pairs, "line_manager").to_string(),
    };
    match add_practitioner(&state, &a.user, id, &p).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}/imrs#practitioners")).into_response()),
        Err(WebError::Invalid(e)) => render_imrs(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "imr.html")]
struct ImrPage {
    nav: pages::Nav,
    errors: FieldErrors,
    i: ImrRecord,
    reference: String,
    late: bool,
    sections: Vec<(&'static str, &'static str, &'static str, String)>,
    may_edit: bool,
    actions: Vec<(&'static str, &'static str)>,
    authors: Vec<(i64, String)>,
    is_board_chair: bool,
}

async fn render_imr(
    state: &SharedState,
    a: &Authenticated,
    imr_id: i64,
    status: StatusCode,
    errors: FieldErrors,
    typed: Option<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let (i, r) = imr_for(state, &a.user, imr_id).await?;
    state
        .store
        .record_audit(
            &a.user.actor(),
            "imr.read",
            &format!("review:{}", i.review_id),
            json!({"imr": i.id, "agency": i.agency, "via": "page"}),
        )
        .await?;
    let mine = agency_of(state, &a.user).await?;
    let caller = ImrCaller {
        role: Some(a.user.role),
        is_author: i.author_user_id == Some(a.user.id),
        same_agency: mine.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&i.agency)),
    };
    let actions = [
        (ImrAction::AppointAuthor, "appoint_author", "Appoint the author"),
        (ImrAction::Start, "start", "Start writing"),
        (ImrAction::Submit, "submit", "Submit to the agency head"),
        (ImrAction::Return, "return", "Return to the author"),
        (ImrAction::SignOff, "sign_off", "Sign off"),
    ]
    .into_iter()
    .filter(|(act, _, _)| imr::apply(i.status, *act, caller).is_ok())
    .map(|(_, k, t)| (k, t))
    .collect();
    let typed = typed.unwrap_or_else(|| i.sections.clone());
    let sections =
        imr::SECTIONS.iter().map(|(id, title, hint)| (*id, *title, *hint, typed.get(*id).cloned().unwrap_or_default())).collect();
    let authors = state
        .store
        .users(r.summary.partnership_id)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::AgencyAuthor)
        .map(|u| (u.id, u.name))
        .collect();
    let page = ImrPage {
        nav: pages::nav(state, a).await?,
        errors: form::keyed(&errors),
        late: i.status.is_late(i.due_on, state.today()),
        reference: r.summary.reference,
        sections,
        may_edit: caller.is_author
            && matches!(i.status, casereview_core::imr::ImrStatus::AuthorAppointed | casereview_core::imr::ImrStatus::InProgress),
        actions,
        authors,
        is_board_chair: a.user.role == Role::BoardChair,
        i,
    };
    Ok(pages::render(status, &page))
}

async fn imr_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(imr_id): Path<i64>) -> Result<Response, PageError> {
    render_imr(&state, &a, imr_id, StatusCode::OK, FieldErrors::new(), None).await
}

async fn imr_page_post(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(imr_id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, PageError> {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let version = form::get(&pairs, "version").parse::<i64>().ok();
    if form::get(&pairs, "save") == "sections" {
        let (i, _) = imr_for(&state, &a.user, imr_id).await?;
        require_author(&a.user, &i)?;
        let sections: BTreeMap<String, String> =
            imr::SECTIONS.iter().map(|(id, _, _)| (id.to_string(), form::get(&pairs, &format!("section-{id}")).to_string())).collect();
        return match state.store.save_imr_sections(&a.user.actor(), imr_id, version.unwrap_or(0), &sections).await {
            Ok(_) => Ok(Redirect::to(&format!("/imrs/{imr_id}?saved=1")).into_response()),
            Err(casereview_store::StoreError::Invalid(e)) => {
                render_imr(&state, &a, imr_id, StatusCode::UNPROCESSABLE_ENTITY, e, Some(sections)).await
            }
            Err(e) => Err(e.into()),
        };
    }
    let input = StepInput {
        action: form::get(&pairs, "action").to_string(),
        author_user_id: form::get(&pairs, "author_user_id").parse().ok(),
        author_name: form::get(&pairs, "author_name").to_string(),
        override_reason: form::get(&pairs, "override_reason").to_string(),
        on: String::new(),
        version,
    };
    match step(&state, &a.user, imr_id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/imrs/{imr_id}")).into_response()),
        Err(WebError::Invalid(e)) => render_imr(&state, &a, imr_id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await,
        Err(e) => Err(e.into()),
    }
}
