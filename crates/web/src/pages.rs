//! The pages people use, server-rendered in the GOV.UK Design System style. Every page
//! works without JavaScript: repeatable rows are added with a submit button that re-shows
//! the form, and nothing typed is lost when a form has a problem.

use crate::access::{self, Need};
use crate::auth::{self, Authenticated, PageUser};
use crate::deadlines::{self, DeadlineView};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use casereview_core::criteria::{self, Advice, Answers, CriteriaSet};
use casereview_core::lifecycle::{self, Action, ReviewFacts, ReviewKind, ReviewState};
use casereview_core::referral::{AgencyInvolvementInput, FamilyMemberInput, KeyEventInput, ReferralInput, Triggers};
use casereview_core::screening::{AttendeeInput, DecisionInput, RecommendationInput, RecommendationOption, ScreeningMeetingInput};
use casereview_core::{FieldErrors, Role};
use casereview_store::{DecisionRecord, RecommendationRecord, ReviewRecord, ScreeningMeetingRecord, StoreError, TransitionRecord, User};
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/referrals/new", get(new_referral).post(create_referral))
        .route("/reviews/{id}", get(review_page))
        .route("/reviews/{id}/referral/edit", get(edit_referral).post(update_referral))
        .route("/reviews/{id}/screening-meetings/new", get(new_meeting).post(create_meeting))
        .route("/reviews/{id}/recommendation", get(recommendation_form).post(create_recommendation))
        .route("/reviews/{id}/decision", get(decision_form).post(create_decision))
        .route("/reviews/{id}/transitions", post(transition))
        .route("/reviews/{id}/criteria", post(save_criteria))
        .route("/reviews/{id}/members", post(add_member))
        .route("/audit", get(audit_page))
        .route("/healthz", get(|| async { "ok" }))
}

/// The signed-in person as the layout shows them.
pub struct NavUser {
    pub name: String,
    pub role_title: &'static str,
    pub partnership: String,
    pub may_refer: bool,
    pub is_admin: bool,
}

/// What the layout needs on every page.
#[derive(Default)]
pub struct Nav {
    pub user: Option<NavUser>,
    pub csrf: String,
}

pub async fn nav(state: &SharedState, a: &Authenticated) -> Result<Nav, WebError> {
    let p = state.store.partnership(a.user.partnership_id).await?;
    Ok(Nav {
        user: Some(NavUser {
            name: a.user.name.clone(),
            role_title: a.user.role.title(),
            partnership: p.name,
            may_refer: a.user.role.may_refer(),
            is_admin: a.user.role == Role::PartnershipAdmin,
        }),
        csrf: a.csrf_token(),
    })
}

/// An error as a page.
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(None, self.0)
    }
}

type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    title: String,
    detail: String,
    changed: Vec<String>,
    back: String,
    back_text: String,
}

/// Renders an error for people; sign-in problems go to the sign-in page.
pub fn error_page(nav: Option<Nav>, e: WebError) -> Response {
    if matches!(e, WebError::Unauthenticated) {
        return Redirect::to("/sign-in").into_response();
    }
    let status = e.status();
    let (title, detail, changed) = match &e {
        WebError::NotFound => (
            "Page not found".to_string(),
            "If you typed the web address, check it is correct. If you followed a link to a review, you may not have access to it."
                .to_string(),
            vec![],
        ),
        WebError::Conflict { message, changed, .. } => ("Someone else changed this review".to_string(), message.clone(), changed.clone()),
        WebError::Internal(_) => (
            "Sorry, there is a problem with the service".to_string(),
            "Try again later. Nothing you entered was saved; the error has been logged.".to_string(),
            vec![],
        ),
        other => (other.problem()["title"].as_str().unwrap_or("Error").to_string(), other.to_string(), vec![]),
    };
    render(
        status,
        &ErrorPage { nav: nav.unwrap_or_default(), title, detail, changed, back: "/".into(), back_text: "Go to your reviews".into() },
    )
}

pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub async fn not_found(headers: HeaderMap) -> Response {
    let wants_json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("json"));
    if wants_json {
        crate::error::ApiError(WebError::NotFound).into_response()
    } else {
        error_page(None, WebError::NotFound)
    }
}

// ---------------------------------------------------------------- sign in and out

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Nav,
    errors: FieldErrors,
    email: String,
    next: String,
    login_csrf: String,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

fn sign_in_response(state: &SharedState, status: StatusCode, errors: FieldErrors, email: String, next: String) -> Response {
    let token = auth::new_token();
    let mut r = render(status, &SignInPage { nav: Nav::default(), errors, email, next, login_csrf: token.clone() });
    if let Ok(v) = auth::set_cookie(auth::LOGIN_CSRF_COOKIE, &token, 3600, state.config.secure_cookies, "Strict").parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn sign_in_form(State(state): State<SharedState>, Query(q): Query<NextQuery>) -> Response {
    sign_in_response(&state, StatusCode::OK, FieldErrors::new(), String::new(), q.next)
}

async fn sign_in(State(state): State<SharedState>, headers: HeaderMap, LimitedBody(body): LimitedBody) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    let (email, password, next) =
        (form::get(&pairs, "email").trim().to_string(), form::get(&pairs, "password"), form::get(&pairs, "next").to_string());
    // Double-submit check: the token in the form must match the cookie set with it.
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("cr_login=").map(str::to_string));
    if !cookie.is_some_and(|c| !c.is_empty() && auth::constant_time_eq(&c, form::get(&pairs, "csrf_token"))) {
        return Ok(sign_in_response(
            &state,
            StatusCode::FORBIDDEN,
            FieldErrors::single("email", "The sign-in form expired: please try again"),
            email,
            next,
        ));
    }
    let found = state.store.user_by_email(&email).await?;
    let ok = match &found {
        Some((u, hash)) => auth::verify_password(password, hash) && u.active,
        None => {
            auth::verify_password(password, auth::dummy_hash());
            false
        }
    };
    let Some((user, _)) = found.filter(|_| ok) else {
        return Ok(sign_in_response(
            &state,
            StatusCode::UNAUTHORIZED,
            FieldErrors::single("email", "Enter a correct email address and password"),
            email,
            next,
        ));
    };
    // A new session token at every sign-in, so a token planted before sign-in is useless.
    let token = auth::new_token();
    let expires = casereview_store::now() + chrono::Duration::hours(auth::SESSION_HOURS);
    state.store.create_session(&user, &auth::token_hash(&token), &auth::new_token(), expires).await?;
    let mut r = see_other(auth::safe_next(&next));
    let secure = state.config.secure_cookies;
    for c in [
        auth::set_cookie(auth::SESSION_COOKIE, &token, auth::SESSION_HOURS * 3600, secure, "Lax"),
        auth::set_cookie(auth::LOGIN_CSRF_COOKIE, "", 0, secure, "Strict"),
    ] {
        if let Ok(v) = c.parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(r)
}

async fn sign_out(State(state): State<SharedState>, PageUser(a): PageUser, LimitedBody(body): LimitedBody) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    if let Some(h) = &a.session_hash {
        state.store.delete_session(&a.user, h).await?;
    }
    let mut r = see_other("/sign-in");
    if let Ok(v) = auth::set_cookie(auth::SESSION_COOKIE, "", 0, state.config.secure_cookies, "Lax").parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

// ---------------------------------------------------------------- dashboard

struct DashboardRow {
    id: i64,
    reference: String,
    child_name: String,
    kind: String,
    state: &'static str,
    state_class: &'static str,
    next: Option<DeadlineView>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    partnership: String,
    may_refer: bool,
    rows: Vec<DashboardRow>,
    /// The board manager's escalations: actions past their date and not completed.
    escalations: Vec<EscalationRow>,
    /// The board manager and chair print the partnership's monitoring report.
    may_monitor: bool,
}

/// An overdue action escalated to the board manager (issue 7 item 3).
struct EscalationRow {
    action_id: i64,
    review_id: i64,
    reference: String,
    part_label: String,
    agency: String,
    action: String,
    due: String,
    days_overdue: i64,
    rag: &'static str,
}

/// GOV.UK tag colour for a state.
pub fn state_class(s: ReviewState) -> &'static str {
    match s {
        ReviewState::Referred | ReviewState::RecordsSecured | ReviewState::Screening | ReviewState::Deferred => "govuk-tag--light-blue",
        ReviewState::Recommended => "govuk-tag--yellow",
        ReviewState::Concluded => "govuk-tag--green",
        ReviewState::ClosedNoFurtherAction => "govuk-tag--grey",
        ReviewState::Adopted | ReviewState::Published | ReviewState::Monitoring => "govuk-tag--turquoise",
        _ => "govuk-tag--blue",
    }
}

async fn dashboard(State(state): State<SharedState>, PageUser(a): PageUser) -> PageResult {
    let nav = nav(&state, &a).await?;
    let partnership = state.store.partnership(a.user.partnership_id).await?;
    let reviews = state.store.reviews_for(&a.user).await?;
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let clock = deadlines::clock_for(&state.store, &partnership).await?;
    let all = deadlines::for_reviews(&state.store, &clock, &ids, state.today()).await?;
    let rows = reviews
        .into_iter()
        .map(|r| {
            let all = all.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            DashboardRow {
                id: r.id,
                next: deadlines::next(r.state, all),
                reference: r.reference,
                child_name: r.child_name,
                kind: r.kind.map(|k| k.title().to_string()).unwrap_or_else(|| "Not yet decided".into()),
                state: r.state.title(),
                state_class: state_class(r.state),
            }
        })
        .collect();
    let today = state.today();
    let escalations = if a.user.role == Role::PartnershipAdmin {
        let mut overdue: Vec<_> =
            state.store.partnership_actions(partnership.id).await?.into_iter().filter(|x| x.is_overdue(today)).collect();
        overdue.sort_by_key(|x| (x.due_on, x.id));
        overdue
            .into_iter()
            .map(|x| EscalationRow {
                action_id: x.id,
                review_id: x.review_id,
                days_overdue: (today - x.due_on).num_days(),
                due: x.due_on.format("%d/%m/%Y").to_string(),
                reference: x.review_reference,
                part_label: x.part_label,
                agency: x.agency,
                action: x.action,
                rag: x.rag.title(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        StatusCode::OK,
        &DashboardPage {
            nav,
            partnership: partnership.name,
            may_refer: a.user.role.may_refer(),
            rows,
            escalations,
            may_monitor: matches!(a.user.role, Role::PartnershipAdmin | Role::BoardChair),
        },
    ))
}

// ---------------------------------------------------------------- referral form

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralPage {
    nav: Nav,
    errors: FieldErrors,
    form: ReferralInput,
    agencies: Vec<String>,
    trigger_boxes: Vec<(&'static str, &'static str, bool)>,
    submission_key: String,
    version: Option<i64>,
    heading: String,
    action_url: String,
    cancel_url: String,
    submit_label: &'static str,
}

/// The boxes of 001 App. I 1.5, plus the two facts the 2015 criteria need.
pub const TRIGGER_LABELS: [(&str, &str); 7] = [
    ("death_abuse_or_neglect", "Death of a child, and abuse or neglect is known or suspected to be a factor in the child's death"),
    ("serious_harm", "Potentially life-threatening injury, serious sexual abuse, or serious and permanent impairment of health or development through abuse or neglect"),
    ("parent_murdered", "The parent has been murdered and a homicide review is being initiated"),
    ("killed_by_mentally_ill_parent", "The child has been killed by a parent with a mental illness"),
    ("interagency_concerns", "Concerns about inter-agency working"),
    ("died_in_custody", "The child died in custody, or while detained under the Mental Health Act"),
    ("abuse_or_neglect_suspected", "Abuse or neglect is known or suspected"),
];

fn trigger_boxes(t: &Triggers) -> Vec<(&'static str, &'static str, bool)> {
    let on = [
        t.death_abuse_or_neglect,
        t.serious_harm,
        t.parent_murdered,
        t.killed_by_mentally_ill_parent,
        t.interagency_concerns,
        t.died_in_custody,
        t.abuse_or_neglect_suspected,
    ];
    TRIGGER_LABELS.iter().zip(on).map(|((k, l), c)| (*k, *l, c)).collect()
}

fn trigger_keys() -> Vec<String> {
    TRIGGER_LABELS.iter().map(|(k, _)| format!("triggers-{k}")).collect()
}

/// At least one row in each repeatable list, so there is always somewhere to type.
fn pad(form: &mut ReferralInput) {
    if form.family.is_empty() {
        form.family.push(FamilyMemberInput::default());
    }
    if form.agencies_involved.is_empty() {
        form.agencies_involved.push(AgencyInvolvementInput::default());
    }
    if form.key_events.is_empty() {
        form.key_events.push(KeyEventInput::default());
    }
}

/// Applies an "add another" or "remove" button. Returns whether one was pressed.
fn add_or_remove(pairs: &[(String, String)], form: &mut ReferralInput) -> bool {
    let add = form::get(pairs, "add");
    let remove = form::get(pairs, "remove");
    match add {
        "family" => form.family.push(FamilyMemberInput::default()),
        "agencies_involved" => form.agencies_involved.push(AgencyInvolvementInput::default()),
        "key_events" => form.key_events.push(KeyEventInput::default()),
        _ => {}
    }
    if let Some((list, i)) = remove.rsplit_once('-') {
        if let Ok(i) = i.parse::<usize>() {
            match list {
                "family" if i < form.family.len() => drop(form.family.remove(i)),
                "agencies_involved" if i < form.agencies_involved.len() => drop(form.agencies_involved.remove(i)),
                "key_events" if i < form.key_events.len() => drop(form.key_events.remove(i)),
                _ => {}
            }
        }
    }
    !add.is_empty() || !remove.is_empty()
}

struct ReferralPageArgs {
    form: ReferralInput,
    errors: FieldErrors,
    submission_key: String,
    version: Option<i64>,
    review: Option<(i64, String)>,
}

async fn referral_page(state: &SharedState, a: &Authenticated, status: StatusCode, args: ReferralPageArgs) -> PageResult {
    let mut form = args.form;
    pad(&mut form);
    let agencies = state.store.agencies(a.user.partnership_id).await?.into_iter().map(|x| x.name).collect();
    let (heading, action_url, cancel_url, submit_label) = match &args.review {
        None => ("Record a referral".to_string(), "/referrals/new".to_string(), "/".to_string(), "Record the referral"),
        Some((id, reference)) => (
            format!("Change the referral of {reference}"),
            format!("/reviews/{id}/referral/edit"),
            format!("/reviews/{id}"),
            "Save changes",
        ),
    };
    Ok(render(
        status,
        &ReferralPage {
            nav: nav(state, a).await?,
            errors: form::keyed(&args.errors),
            trigger_boxes: trigger_boxes(&form.triggers),
            form,
            agencies,
            submission_key: args.submission_key,
            version: args.version,
            heading,
            action_url,
            cancel_url,
            submit_label,
        },
    ))
}

async fn new_referral(State(state): State<SharedState>, PageUser(a): PageUser) -> PageResult {
    access::require_referrer(&a.user)?;
    // The referrer is usually the person signed in: start from what the system knows.
    let agency = access::agency_name(&state, &a.user).await?.unwrap_or_default();
    let form = ReferralInput {
        referrer: casereview_core::referral::ReferrerInput {
            name: a.user.name.clone(),
            agency,
            contact: a.user.email.clone(),
            ..Default::default()
        },
        signed_by: a.user.name.clone(),
        signed_on: state.today().format("%d/%m/%Y").to_string(),
        ..Default::default()
    };
    referral_page(
        &state,
        &a,
        StatusCode::OK,
        ReferralPageArgs { form, errors: FieldErrors::new(), submission_key: auth::new_token(), version: None, review: None },
    )
    .await
}

fn referral_from_pairs(pairs: &[(String, String)]) -> Result<ReferralInput, WebError> {
    let keys = trigger_keys();
    let bools: Vec<&str> = keys.iter().map(String::as_str).collect();
    form::from_json(form::to_json(pairs, &bools))
}

async fn create_referral(State(state): State<SharedState>, PageUser(a): PageUser, LimitedBody(body): LimitedBody) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::require_referrer(&a.user)?;
    let mut input = referral_from_pairs(&pairs)?;
    let key = form::get(&pairs, "submission_key").to_string();
    if add_or_remove(&pairs, &mut input) {
        return referral_page(
            &state,
            &a,
            StatusCode::OK,
            ReferralPageArgs { form: input, errors: FieldErrors::new(), submission_key: key, version: None, review: None },
        )
        .await;
    }
    let key_opt = (!key.is_empty()).then_some(key.as_str());
    match state.store.create_referral(&a.user.actor(), &input, state.today(), key_opt).await {
        Ok(o) => Ok(see_other(&format!("/reviews/{}?done=refer", o.review_id))),
        Err(StoreError::Invalid(errors)) => {
            referral_page(
                &state,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                ReferralPageArgs { form: input, errors, submission_key: key, version: None, review: None },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_referral(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::EditReferral).await?;
    if r.summary.state.is_terminal() {
        return Err(WebError::Unprocessable("The review is closed: its referral can no longer be changed".into()).into());
    }
    let form = r.referral.to_input();
    referral_page(
        &state,
        &a,
        StatusCode::OK,
        ReferralPageArgs {
            form,
            errors: FieldErrors::new(),
            submission_key: String::new(),
            version: Some(r.summary.version),
            review: Some((id, r.summary.reference)),
        },
    )
    .await
}

async fn update_referral(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::EditReferral).await?;
    let version = parse_version(&pairs)?;
    let mut input = referral_from_pairs(&pairs)?;
    let args = |form, errors| ReferralPageArgs {
        form,
        errors,
        submission_key: String::new(),
        version: Some(version),
        review: Some((id, r.summary.reference.clone())),
    };
    if add_or_remove(&pairs, &mut input) {
        return referral_page(&state, &a, StatusCode::OK, args(input, FieldErrors::new())).await;
    }
    match state.store.update_referral(&a.user.actor(), id, version, &input, state.today()).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{id}?done=referral_update"))),
        Err(StoreError::Invalid(errors)) => referral_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, args(input, errors)).await,
        Err(e) => Err(e.into()),
    }
}

fn parse_version(pairs: &[(String, String)]) -> Result<i64, WebError> {
    form::get(pairs, "version").parse().map_err(|_| WebError::BadRequest {
        field: "version".into(),
        message: "The form is missing the version it was opened at: reload the page".into(),
    })
}

fn optional_version(pairs: &[(String, String)]) -> Result<Option<i64>, WebError> {
    match form::get(pairs, "version") {
        "" => Ok(None),
        _ => parse_version(pairs).map(Some),
    }
}

// ---------------------------------------------------------------- review page

struct ActionView {
    action: &'static str,
    title: &'static str,
    form_url: Option<String>,
    blocked: Option<String>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    nav: Nav,
    nav_is_admin: bool,
    errors: FieldErrors,
    flash: Option<String>,
    r: ReviewRecord,
    kind: Option<&'static str>,
    state_title: &'static str,
    state_class: &'static str,
    ruleset: String,
    deadlines: Vec<DeadlineView>,
    next: Option<DeadlineView>,
    advice: Advice,
    questions: Vec<(&'static str, &'static str, &'static str)>,
    may_answer: bool,
    may_edit: bool,
    may_manage: bool,
    meetings: Vec<ScreeningMeetingRecord>,
    recommendation: Option<RecommendationRecord>,
    decision: Option<DecisionRecord>,
    actions: Vec<ActionView>,
    history: Vec<TransitionRecord>,
    members: Vec<User>,
    candidates: Vec<(i64, String)>,
    trigger_boxes: Vec<(&'static str, &'static str, bool)>,
    today: String,
    /// The action, date and note typed into a transition form that came back with errors.
    typed: (String, String, String),
    may_extend: bool,
    may_record: bool,
    /// The family and household with its genogram (family_routes).
    family: crate::family_routes::FamilySection,
    /// Scoping, meetings, proceedings and notifications (scoping_routes).
    scoping: crate::scoping_routes::ScopingSection,
    /// Open publication holds, each with its reason (publication_routes).
    open_holds: Vec<String>,
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "refer" => "The referral is recorded and the review is open",
            "referral_update" => "The referral is saved",
            "criteria" => "The panel's answers are saved",
            "member" => "The person is added to the review",
            "record_screening_meeting" => "The screening meeting is recorded",
            "recommend" => "The panel's recommendation is recorded",
            "decide" => "The chair's decision is recorded",
            "transition" => "The review has moved on",
            "extension" => "The extension is recorded; the original date stays in the history",
            "step_done" => "The step is recorded as done",
            _ => return None,
        }
        .to_string(),
    )
}

/// Why an action is not possible yet, if it is not.
fn blocked(state: ReviewState, action: Action, role: Role, facts: &ReviewFacts) -> Option<String> {
    // Forms supply their own fact (a quorate meeting, a recommendation, a decision), so
    // only the other preconditions can block them here.
    let mut f = facts.clone();
    match action {
        Action::RecordScreeningMeeting => f.quorate_screening_meeting = true,
        Action::Recommend => f.recommendation = Some(RecommendationOption::ConductSeriousCaseReview),
        Action::Decide => f.decision = Some(ReviewKind::SeriousCaseReview),
        _ => {}
    }
    lifecycle::apply(state, action, role, &f).err().map(|e| format!("Not yet possible: {e}"))
}

async fn render_review(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    status: StatusCode,
    errors: FieldErrors,
    flash: Option<String>,
) -> PageResult {
    render_review_typed(state, a, id, status, errors, flash, Default::default()).await
}

async fn render_review_typed(
    state: &SharedState,
    a: &Authenticated,
    id: i64,
    status: StatusCode,
    errors: FieldErrors,
    flash: Option<String>,
    typed: (String, String, String),
) -> PageResult {
    let r = access::review_for(state, &a.user, id, Need::See).await?;
    let store = &state.store;
    let partnership = store.partnership(r.summary.partnership_id).await?;
    let today = state.today();
    let clock = deadlines::clock_for(store, &partnership).await?;
    let all = deadlines::for_reviews(store, &clock, &[id], today).await?.remove(&id).unwrap_or_default();
    // Loaded once: shown on the page and the facts the lifecycle's preconditions need.
    let (meetings, recommendation, decision) =
        (store.screening_meetings(id).await?, store.recommendation(id).await?, store.decision(id).await?);
    let open_holds = crate::publication_routes::open_hold_lines(state, id).await?;
    let facts = ReviewFacts {
        quorate_screening_meeting: !meetings.is_empty(),
        recommendation: recommendation.as_ref().map(|r| r.recommendation.option),
        decision: decision.as_ref().map(|d| d.decision.kind),
        publication_on_hold: !open_holds.is_empty(),
        actions_not_signed_off: store.actions_not_signed_off(id).await?,
    };
    let role = a.user.role;
    let actions = lifecycle::available(r.summary.state, role)
        .into_iter()
        .map(|t| ActionView {
            action: t.action.as_str(),
            title: t.title,
            form_url: match t.action {
                Action::RecordScreeningMeeting => Some(format!("/reviews/{id}/screening-meetings/new")),
                Action::Recommend => Some(format!("/reviews/{id}/recommendation")),
                Action::Decide => Some(format!("/reviews/{id}/decision")),
                _ => None,
            },
            blocked: blocked(r.summary.state, t.action, role, &facts),
        })
        .collect();
    let members = store.members(id).await?;
    let may_manage = Need::ManageMembers.allows(role);
    let candidates = if may_manage {
        store
            .users(partnership.id)
            .await?
            .into_iter()
            .filter(|u| !members.iter().any(|m| m.id == u.id) && !u.role.sees_all_reviews())
            .map(|u| (u.id, format!("{} ({})", u.name, u.role.title())))
            .collect()
    } else {
        Vec::new()
    };
    let advice = criteria::advise(CriteriaSet::for_ruleset(&partnership.ruleset), &r.referral, &r.criteria_answers);
    let questions = criteria::QUESTIONS
        .iter()
        .map(|(qid, text)| {
            (
                *qid,
                *text,
                match r.criteria_answers.get(*qid) {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                },
            )
        })
        .collect();
    let page = ReviewPage {
        nav: nav(state, a).await?,
        nav_is_admin: role == Role::PartnershipAdmin,
        errors: form::keyed(&errors),
        flash,
        kind: r.summary.kind.map(ReviewKind::title),
        state_title: r.summary.state.title(),
        state_class: state_class(r.summary.state),
        ruleset: partnership.ruleset.clone(),
        next: deadlines::next(r.summary.state, &all),
        deadlines: all.into_iter().filter(|d| d.status != "not_started").collect(),
        advice,
        questions,
        may_answer: Need::AnswerCriteria.allows(role) && !r.summary.state.is_terminal(),
        may_edit: Need::EditReferral.allows(role) && !r.summary.state.is_terminal(),
        may_manage,
        meetings,
        recommendation,
        decision,
        actions,
        history: store.history(id).await?,
        members,
        candidates,
        trigger_boxes: trigger_boxes(&r.referral.triggers),
        today: today.format("%d/%m/%Y").to_string(),
        typed,
        may_extend: matches!(role, Role::PartnershipAdmin | Role::BoardChair),
        may_record: matches!(role, Role::PartnershipAdmin | Role::BoardChair | Role::PanelChair) && !r.summary.state.is_terminal(),
        family: crate::family_routes::section(state, &r, role).await?,
        scoping: crate::scoping_routes::section(state, id, today).await?,
        open_holds,
        r,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn review_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let page = render_review(&state, &a, id, StatusCode::OK, FieldErrors::new(), flash_text(&q.done)).await?;
    // The referral holds the child's and family's details: a confidential read.
    state.store.record_audit(&a.user.actor(), "review.read", &format!("review:{id}"), serde_json::json!({"via": "page"})).await?;
    Ok(page)
}

async fn transition(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::See).await?;
    let action: Action = form::get(&pairs, "action").parse().map_err(|m| WebError::BadRequest { field: "action".into(), message: m })?;
    access::require_action_role(&a.user, action)?;
    // Errors name the date box of this action's own form, so the summary link reaches it.
    let on_field = format!("on-{}", action.as_str());
    let mut errors = FieldErrors::new();
    let on = match form::get(&pairs, "on").trim() {
        "" => Some(state.today()),
        v => casereview_core::text::optional_date(&mut errors, &on_field, "the date this happened", v),
    };
    if on.is_some_and(|d| d > state.today()) {
        errors.push(&on_field, "The date this happened must be today or in the past");
    }
    casereview_core::text::clock_range(&mut errors, &on_field, "the date this happened", on);
    let version = optional_version(&pairs)?;
    // Concluding records the date the department was informed (002).
    let informed = if action == Action::Conclude {
        casereview_core::text::required_date(
            &mut errors,
            "department_informed_on",
            "the date the department was informed",
            form::get(&pairs, "department_informed_on"),
        )
    } else {
        None
    };
    if let (true, Some(on)) = (errors.is_empty(), on) {
        let result = match informed {
            Some(informed) => state.store.conclude(&a.user.actor(), id, form::get(&pairs, "note"), on, informed, version).await,
            None => state.store.transition(&a.user.actor(), id, action, form::get(&pairs, "note"), on, version).await,
        };
        match result {
            Ok(_) => return Ok(see_other(&format!("/reviews/{id}?done=transition"))),
            Err(StoreError::Invalid(e)) => {
                // Field names from the store are those of the action's own boxes on the page.
                errors = FieldErrors(
                    e.0.into_iter()
                        .map(|x| casereview_core::FieldError {
                            field: match x.field.as_str() {
                                "department_informed_on" => x.field,
                                "on" => format!("on-{}", action.as_str()),
                                _ => format!("note-{}", action.as_str()),
                            },
                            message: x.message,
                        })
                        .collect(),
                )
            }
            Err(StoreError::Transition(t)) => errors.push("next-steps", t.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    let typed = (action.as_str().to_string(), form::get(&pairs, "on").to_string(), form::get(&pairs, "note").to_string());
    render_review_typed(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, errors, None, typed).await
}

/// Refuses to show a step's form when the step cannot be taken now (wrong state or a
/// missing precondition), saying why, instead of failing only after it is filled in.
async fn require_available(state: &SharedState, r: &ReviewRecord, action: Action, role: Role) -> Result<(), WebError> {
    let facts = state.store.facts(r.summary.id).await?;
    match blocked(r.summary.state, action, role, &facts) {
        Some(why) => Err(WebError::Unprocessable(why)),
        None => Ok(()),
    }
}

async fn save_criteria(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    access::review_for(&state, &a.user, id, Need::AnswerCriteria).await?;
    let mut answers = Answers::new();
    for (qid, _) in criteria::QUESTIONS {
        match form::get(&pairs, qid) {
            "yes" => drop(answers.insert(qid.to_string(), true)),
            "no" => drop(answers.insert(qid.to_string(), false)),
            _ => {}
        }
    }
    state.store.save_criteria_answers(&a.user.actor(), id, &answers).await?;
    Ok(see_other(&format!("/reviews/{id}?done=criteria#criteria")))
}

async fn add_member(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::ManageMembers).await?;
    let uid: i64 = form::get(&pairs, "user_id")
        .parse()
        .map_err(|_| WebError::BadRequest { field: "user_id".into(), message: "Choose a person".into() })?;
    match crate::imr_routes::check_member_independence(&state, &a.user, &r, uid, form::get(&pairs, "override_reason")).await {
        Ok(()) => {}
        Err(WebError::Invalid(e)) => return render_review(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, e, None).await,
        Err(e) => return Err(e.into()),
    }
    state.store.add_member(&a.user.actor(), id, uid).await?;
    Ok(see_other(&format!("/reviews/{id}?done=member")))
}

// ---------------------------------------------------------------- screening meeting

#[derive(Template)]
#[template(path = "screening_form.html")]
struct MeetingPage {
    nav: Nav,
    errors: FieldErrors,
    form: ScreeningMeetingInput,
    agencies: Vec<String>,
    options: Vec<(&'static str, &'static str)>,
    review_id: i64,
    reference: String,
    child_name: String,
    version: i64,
    quorum: i64,
}

fn option_list() -> Vec<(&'static str, &'static str)> {
    RecommendationOption::ALL.iter().map(|o| (o.as_str(), o.title())).collect()
}

async fn meeting_page(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    mut form: ScreeningMeetingInput,
    errors: FieldErrors,
) -> PageResult {
    while form.attendees.len() < 3 {
        form.attendees.push(AttendeeInput::default());
    }
    let p = state.store.partnership(r.summary.partnership_id).await?;
    Ok(render(
        status,
        &MeetingPage {
            nav: nav(state, a).await?,
            errors: form::keyed(&errors),
            form,
            agencies: state.store.agencies(p.id).await?.into_iter().map(|x| x.name).collect(),
            options: option_list(),
            review_id: r.summary.id,
            reference: r.summary.reference.clone(),
            child_name: r.summary.child_name.clone(),
            version: r.summary.version,
            quorum: p.quorum,
        },
    ))
}

async fn new_meeting(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::RecordScreeningMeeting)?;
    require_available(&state, &r, Action::RecordScreeningMeeting, a.user.role).await?;
    let form = ScreeningMeetingInput {
        held_on: state.today().format("%d/%m/%Y").to_string(),
        chair: if a.user.role == Role::PanelChair { a.user.name.clone() } else { String::new() },
        ..Default::default()
    };
    meeting_page(&state, &a, &r, StatusCode::OK, form, FieldErrors::new()).await
}

async fn create_meeting(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::RecordScreeningMeeting)?;
    let mut input: ScreeningMeetingInput = form::from_json(form::to_json(&pairs, &[]))?;
    if form::get(&pairs, "add") == "attendees" {
        input.attendees.push(AttendeeInput::default());
        return meeting_page(&state, &a, &r, StatusCode::OK, input, FieldErrors::new()).await;
    }
    match state.store.record_screening_meeting(&a.user.actor(), id, &input, state.today(), optional_version(&pairs)?).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{id}?done=record_screening_meeting"))),
        Err(StoreError::Invalid(errors)) => meeting_page(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- recommendation and decision

#[derive(Template)]
#[template(path = "recommendation_form.html")]
struct RecommendationPage {
    nav: Nav,
    errors: FieldErrors,
    form: RecommendationInput,
    options: Vec<(&'static str, &'static str)>,
    majority: Option<&'static str>,
    review_id: i64,
    reference: String,
    child_name: String,
    version: i64,
}

async fn recommendation_page(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    form: RecommendationInput,
    errors: FieldErrors,
) -> PageResult {
    use casereview_core::screening::VoteOutcome;
    let majority = state.store.screening_meetings(r.summary.id).await?.last().and_then(|m| match m.meeting.outcome() {
        VoteOutcome::Majority(o) | VoteOutcome::CastingVote(o) => Some(o.title()),
        _ => None,
    });
    Ok(render(
        status,
        &RecommendationPage {
            nav: nav(state, a).await?,
            errors: form::keyed(&errors),
            form,
            options: option_list(),
            majority,
            review_id: r.summary.id,
            reference: r.summary.reference.clone(),
            child_name: r.summary.child_name.clone(),
            version: r.summary.version,
        },
    ))
}

async fn recommendation_form(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Recommend)?;
    require_available(&state, &r, Action::Recommend, a.user.role).await?;
    let form = RecommendationInput {
        signed_by: a.user.name.clone(),
        signed_on: state.today().format("%d/%m/%Y").to_string(),
        ..Default::default()
    };
    recommendation_page(&state, &a, &r, StatusCode::OK, form, FieldErrors::new()).await
}

async fn create_recommendation(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Recommend)?;
    let input: RecommendationInput = form::from_json(form::to_json(&pairs, &[]))?;
    match state.store.record_recommendation(&a.user.actor(), id, &input, state.today(), optional_version(&pairs)?).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{id}?done=recommend"))),
        Err(StoreError::Invalid(errors)) => recommendation_page(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "decision_form.html")]
struct DecisionPage {
    nav: Nav,
    errors: FieldErrors,
    form: DecisionInput,
    kinds: Vec<(&'static str, &'static str)>,
    recommended: Option<&'static str>,
    review_id: i64,
    reference: String,
    child_name: String,
    version: i64,
}

async fn decision_page(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    form: DecisionInput,
    errors: FieldErrors,
) -> PageResult {
    let rec = state.store.recommendation(r.summary.id).await?;
    Ok(render(
        status,
        &DecisionPage {
            nav: nav(state, a).await?,
            errors: form::keyed(&errors),
            form,
            kinds: ReviewKind::ALL.iter().map(|k| (k.as_str(), k.title())).collect(),
            recommended: rec.map(|x| x.recommendation.option.title()),
            review_id: r.summary.id,
            reference: r.summary.reference.clone(),
            child_name: r.summary.child_name.clone(),
            version: r.summary.version,
        },
    ))
}

async fn decision_form(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Decide)?;
    require_available(&state, &r, Action::Decide, a.user.role).await?;
    let suggested = state
        .store
        .recommendation(id)
        .await?
        .and_then(|x| x.recommendation.option.suggested_decision())
        .map(|k| k.as_str().to_string())
        .unwrap_or_default();
    let form = DecisionInput {
        kind: suggested,
        signed_by: a.user.name.clone(),
        decided_on: state.today().format("%d/%m/%Y").to_string(),
        ..Default::default()
    };
    decision_page(&state, &a, &r, StatusCode::OK, form, FieldErrors::new()).await
}

async fn create_decision(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let pairs = form::parse_pairs(&body)?;
    a.check_csrf(form::get(&pairs, "csrf_token"))?;
    let r = access::review_for(&state, &a.user, id, Need::Act).await?;
    access::require_action_role(&a.user, Action::Decide)?;
    let input: DecisionInput = form::from_json(form::to_json(&pairs, &[]))?;
    match state.store.record_decision(&a.user.actor(), id, &input, state.today(), optional_version(&pairs)?).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{id}?done=decide"))),
        Err(StoreError::Invalid(errors)) => decision_page(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- audit

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    events: Vec<casereview_core::audit::AuditEvent>,
    subject: String,
    /// The subject, encoded for the "older events" link.
    subject_query: String,
    older: Option<i64>,
    verified: Option<String>,
    broken: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuditQueryParams {
    #[serde(default)]
    subject: String,
    before: Option<i64>,
}

async fn audit_page(State(state): State<SharedState>, PageUser(a): PageUser, Query(q): Query<AuditQueryParams>) -> PageResult {
    access::require_admin(&a.user)?;
    let subject = q.subject.trim().to_string();
    let events = state
        .store
        .audit_events(&casereview_store::AuditQuery {
            partnership_id: Some(a.user.partnership_id),
            subject: (!subject.is_empty()).then(|| subject.clone()),
            limit: 100,
            before: q.before,
        })
        .await?;
    let (verified, broken) = match state.store.verify_audit().await {
        // The chain spans every partnership, so its length is not shown to one of them.
        Ok(_) => (Some("Every event of the log is intact and in order.".to_string()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let older = (events.len() == 100).then(|| events.last().map(|e| e.seq)).flatten();
    Ok(render(
        StatusCode::OK,
        &AuditPage { nav: nav(&state, &a).await?, events, subject_query: auth::url_encode(&subject), subject, older, verified, broken },
    ))
}
