//! Scoping on the pages (issue 9 items 2, 3 and 5): the scoping checklist with the period
//! under review, contributors, experts and completion date (and what is still unsettled
//! before the terms of reference can be agreed); the family's involvement, member by
//! member, proposed from the family and household until first saved; and the joint-review
//! arrangement with another board. Every member of the review may read them; editors are the
//! kinds' [`Policy`]; reading the family's involvement is audited (it names the family).

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::form::{self, LimitedBody};
use crate::pages::{self, Nav, PageError};
use crate::proceedings_routes::conflict;
use crate::records_api::{self, Policy};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use casereview_core::involvement::{FamilyInvolvement, InvolvementOption, LimitingFactor, MemberInvolvement};
use casereview_core::scoping::{JointArrangement, JointReview, LeadBasis, Scoping, CHECKLIST};
use casereview_core::{text, FieldErrors};
use casereview_store::{ReviewRecord, StoreError};
use chrono::NaiveDate;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/scoping", get(scoping_page).post(save_scoping))
        .route("/reviews/{id}/involvement", get(involvement_page).post(save_involvement))
        .route("/reviews/{id}/joint-review", get(joint_page).post(save_joint))
}

fn typed(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

fn version_of(pairs: &[(String, String)]) -> Result<i64, PageError> {
    match form::get(pairs, "version") {
        "" => Ok(0),
        v => v.parse().map_err(|_| {
            PageError(crate::error::WebError::BadRequest {
                field: "version".into(),
                message: "The form's version is not a number: reload the page".into(),
            })
        }),
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

// ---------------------------------------------------------------- the review page's section

/// What the review page shows of scoping, meetings, proceedings and notifications.
pub struct ScopingSection {
    /// Why publication is held by parallel proceedings (000 §7.4, §12.4).
    pub holds: Vec<String>,
    /// The effects of live proceedings, each once.
    pub effects: Vec<&'static str>,
    pub live_proceedings: usize,
    /// The next meeting on or after today: (title, date).
    pub next_meeting: Option<(String, String)>,
    pub meetings: usize,
    pub notifications: usize,
    /// Scoping items still unsettled, when scoping has been started.
    pub unsettled: Option<usize>,
    pub involvement_recorded: bool,
    pub joint: Option<bool>,
}

/// The section, from the review's records.
pub async fn section(state: &SharedState, review_id: i64, today: NaiveDate) -> Result<ScopingSection, PageError> {
    use casereview_core::meetings::Meeting;
    use casereview_core::notifications::Notification;
    use casereview_core::proceedings::{self, Proceeding};
    let store = &state.store;
    let procs: Vec<Proceeding> = store.records::<Proceeding>(review_id).await?.into_iter().map(|r| r.body).collect();
    let meetings = store.records::<Meeting>(review_id).await?;
    let next_meeting = meetings
        .iter()
        .filter_map(|m| m.body.date.filter(|d| *d >= today).map(|d| (d, m.body.kind.title())))
        .min()
        .map(|(d, k)| (k.to_string(), d.format("%-d %B %Y").to_string()));
    Ok(ScopingSection {
        holds: proceedings::publication_holds(&procs),
        effects: proceedings::effects(&procs).into_iter().map(|e| e.text()).collect(),
        live_proceedings: procs.iter().filter(|p| p.status.live()).count(),
        next_meeting,
        meetings: meetings.len(),
        notifications: store.records::<Notification>(review_id).await?.len(),
        unsettled: store.single_record::<Scoping>(review_id).await?.map(|s| s.body.unsettled().0.len()),
        involvement_recorded: store.single_record::<FamilyInvolvement>(review_id).await?.is_some(),
        joint: store.single_record::<JointReview>(review_id).await?.map(|j| j.body.agreed()),
    })
}

// ---------------------------------------------------------------- scoping

struct Question {
    key: String,
    question: &'static str,
    source: &'static str,
    answer: String,
}

#[derive(Default)]
struct ScopingForm {
    period_from: String,
    period_to: String,
    contributors: String,
    experts: String,
    complete_by: String,
}

#[derive(Template)]
#[template(path = "scoping.html")]
struct ScopingPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    version: i64,
    may_edit: bool,
    questions: Vec<Question>,
    form: ScopingForm,
    unsettled: Vec<String>,
    saved: bool,
}

#[allow(clippy::too_many_arguments)]
async fn render_scoping(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    s: &Scoping,
    form: ScopingForm,
    version: i64,
    errors: FieldErrors,
    saved: bool,
) -> PageResult {
    let page = ScopingPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        version,
        may_edit: Scoping::editors().contains(&a.user.role),
        questions: CHECKLIST
            .iter()
            .map(|i| Question {
                key: format!("answers-{}", i.key),
                question: i.question,
                source: i.source,
                answer: s.answers.get(i.key).cloned().unwrap_or_default(),
            })
            .collect(),
        form,
        unsettled: s.unsettled().0.into_iter().map(|e| e.message).collect(),
        saved,
    };
    Ok(pages::render(status, &page))
}

async fn scoping_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.single_record::<Scoping>(id).await?;
    let (s, version) = match rec {
        Some(x) => (x.body, x.version),
        None => {
            // Proposed from the referral: its agencies are the first contributors.
            let contributors = r.referral.agencies_involved.iter().map(|x| x.agency.clone()).filter(|x| !x.trim().is_empty()).collect();
            (Scoping { contributors, ..Default::default() }, 0)
        }
    };
    let form = ScopingForm {
        period_from: typed(s.period_from),
        period_to: typed(s.period_to),
        contributors: s.contributors.join("\n"),
        experts: s.experts.join("\n"),
        complete_by: typed(s.complete_by),
    };
    render_scoping(&state, &a, &r, StatusCode::OK, &s, form, version, FieldErrors::new(), q.saved.is_some()).await
}

async fn save_scoping(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<Scoping>(&state, &a, id, &body).await?;
    let version = version_of(&pairs)?;
    let g = |k: &str| form::get(&pairs, k).to_string();
    let f = ScopingForm {
        period_from: g("period_from"),
        period_to: g("period_to"),
        contributors: g("contributors"),
        experts: g("experts"),
        complete_by: g("complete_by"),
    };
    let mut e = FieldErrors::new();
    let mut s = Scoping {
        period_from: text::optional_date(&mut e, "period_from", "the start of the period", &f.period_from),
        period_to: text::optional_date(&mut e, "period_to", "the cut-off date", &f.period_to),
        complete_by: text::optional_date(&mut e, "complete_by", "the completion date", &f.complete_by),
        contributors: lines(&f.contributors),
        experts: lines(&f.experts),
        ..Default::default()
    };
    for i in CHECKLIST {
        let v = form::get(&pairs, &format!("answers-{}", i.key)).trim();
        if !v.is_empty() {
            s.answers.insert(i.key.to_string(), v.to_string());
        }
    }
    if !e.is_empty() {
        return render_scoping(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &s, f, version, e, false).await;
    }
    match state.store.save_record(&a.user.actor(), id, None, version, &s, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/scoping?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_scoping(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &s, f, version, form::keyed(&e), false).await
        }
        Err(StoreError::Conflict { current, by, at, .. }) => {
            render_scoping(&state, &a, &r, StatusCode::CONFLICT, &s, f, current, conflict(&by, &at), false).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- family involvement

/// Blank rows offered for members not yet listed.
const BLANK_MEMBERS: usize = 2;
/// Most member rows read from a form.
const MAX_MEMBERS: usize = 60;

struct MemberRow {
    i: usize,
    m: MemberInvolvement,
    reviewed_on: String,
    options: Vec<(String, u8, &'static str, bool)>,
    factors: Vec<(String, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "involvement.html")]
struct InvolvementPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    version: i64,
    may_edit: bool,
    rows: Vec<MemberRow>,
    ongoing_support: String,
    report: String,
    proposed: bool,
    saved: bool,
    /// The last panel meeting held, and the members not reviewed at or since it (001 §2.3.13).
    not_reviewed: Option<(String, Vec<String>)>,
}

fn rows_of(f: &FamilyInvolvement, typed_dates: &[String], blanks: usize) -> Vec<MemberRow> {
    let blank = MemberInvolvement::default();
    f.members
        .iter()
        .chain(std::iter::repeat_n(&blank, blanks))
        .enumerate()
        .map(|(i, m)| MemberRow {
            i,
            m: m.clone(),
            reviewed_on: typed_dates.get(i).cloned().unwrap_or_else(|| typed(m.reviewed_on)),
            options: InvolvementOption::ALL
                .iter()
                .map(|o| (format!("members-{i}-options-{}", o.as_str()), o.number(), o.text(), m.options.contains(o)))
                .collect(),
            factors: LimitingFactor::ALL
                .iter()
                .map(|x| (format!("members-{i}-factors-{}", x.as_str()), x.text(), m.factors.contains(x)))
                .collect(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render_involvement(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    f: &FamilyInvolvement,
    typed_dates: &[String],
    version: i64,
    errors: FieldErrors,
    proposed: bool,
    saved: bool,
) -> PageResult {
    let may_edit = FamilyInvolvement::editors().contains(&a.user.role);
    let today = state.today();
    let last_panel = state
        .store
        .records::<casereview_core::meetings::Meeting>(r.summary.id)
        .await?
        .into_iter()
        .filter(|m| m.body.kind.is_panel_meeting())
        .filter_map(|m| m.body.date.filter(|d| *d <= today))
        .max();
    let not_reviewed = last_panel.and_then(|d| {
        let names: Vec<String> =
            f.not_reviewed_since(d).iter().map(|m| if m.name.is_empty() { m.relationship.clone() } else { m.name.clone() }).collect();
        (!names.is_empty() && !proposed).then(|| (d.format("%-d %B %Y").to_string(), names))
    });
    let page = InvolvementPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        version,
        may_edit,
        rows: rows_of(f, typed_dates, if may_edit { BLANK_MEMBERS } else { 0 }),
        ongoing_support: f.ongoing_support.clone(),
        report: f.report_text(),
        proposed,
        saved,
        not_reviewed,
    };
    Ok(pages::render(status, &page))
}

/// The family as the review knows it before the panel has recorded anything: the people of
/// the family and household (or the referral's family list), everyone but the child.
async fn proposed_involvement(state: &SharedState, r: &ReviewRecord) -> Result<FamilyInvolvement, PageError> {
    let mut members: Vec<MemberInvolvement> = Vec::new();
    if let Some(fam) = state.store.family(r.summary.id).await? {
        members.extend(
            fam.family.people.iter().filter(|p| !p.subject).map(|p| MemberInvolvement { name: p.name.clone(), ..Default::default() }),
        );
    }
    if members.is_empty() {
        members.extend(r.referral.family.iter().map(|m| MemberInvolvement {
            name: m.name.clone(),
            relationship: m.relationship.clone(),
            ..Default::default()
        }));
    }
    Ok(FamilyInvolvement { members, ongoing_support: String::new() })
}

async fn involvement_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.single_record::<FamilyInvolvement>(id).await?;
    records_api::audit_read::<FamilyInvolvement>(&state, &a, id, "page").await?;
    let (f, version, proposed) = match rec {
        Some(x) => (x.body, x.version, false),
        None => (proposed_involvement(&state, &r).await?, 0, true),
    };
    render_involvement(&state, &a, &r, StatusCode::OK, &f, &[], version, FieldErrors::new(), proposed, q.saved.is_some()).await
}

/// Reads the member rows; blank rows (nothing typed or ticked) are dropped, and a row
/// marked for removal too.
fn read_involvement(pairs: &[(String, String)]) -> (FamilyInvolvement, Vec<String>, FieldErrors) {
    let mut e = FieldErrors::new();
    let mut members = Vec::new();
    let mut dates = Vec::new();
    for i in 0..MAX_MEMBERS {
        let g = |k: &str| form::get(pairs, &format!("members-{i}-{k}")).to_string();
        let on = |k: &str| !form::get(pairs, &format!("members-{i}-{k}")).is_empty();
        if !pairs.iter().any(|(k, _)| k.starts_with(&format!("members-{i}-"))) || on("remove") {
            continue;
        }
        let n = members.len();
        let reviewed = g("reviewed_on");
        let m = MemberInvolvement {
            name: g("name").trim().to_string(),
            relationship: g("relationship").trim().to_string(),
            parental_responsibility: on("parental_responsibility"),
            options: InvolvementOption::ALL.into_iter().filter(|o| on(&format!("options-{}", o.as_str()))).collect(),
            factors: LimitingFactor::ALL.into_iter().filter(|x| on(&format!("factors-{}", x.as_str()))).collect(),
            facilitator: g("facilitator").trim().to_string(),
            reason: g("reason").trim().to_string(),
            insurers_and_cps_updated: on("insurers_and_cps_updated"),
            reviewed_on: text::optional_date(&mut e, &format!("members-{n}-reviewed_on"), "the date it was last reviewed", &reviewed),
        };
        let blank = m.name.is_empty()
            && m.relationship.is_empty()
            && m.options.is_empty()
            && m.factors.is_empty()
            && m.facilitator.is_empty()
            && m.reason.is_empty()
            && reviewed.trim().is_empty();
        if !blank {
            members.push(m);
            dates.push(reviewed);
        }
    }
    (FamilyInvolvement { members, ongoing_support: form::get(pairs, "ongoing_support").trim().to_string() }, dates, e)
}

async fn save_involvement(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<FamilyInvolvement>(&state, &a, id, &body).await?;
    let version = version_of(&pairs)?;
    let (f, dates, e) = read_involvement(&pairs);
    if !e.is_empty() {
        return render_involvement(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &f, &dates, version, e, false, false).await;
    }
    match state.store.save_record(&a.user.actor(), id, None, version, &f, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/involvement?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_involvement(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &f, &dates, version, form::keyed(&e), false, false).await
        }
        Err(StoreError::Conflict { current, by, at, .. }) => {
            render_involvement(&state, &a, &r, StatusCode::CONFLICT, &f, &dates, current, conflict(&by, &at), false, false).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- joint review

#[derive(Default)]
struct JointForm {
    other_boards: String,
    lead_board: String,
    basis: String,
    looked_after: bool,
    arrangement: String,
    shared: String,
    our_chair_agreed_on: String,
    other_chair_agreed_on: String,
}

#[derive(Template)]
#[template(path = "joint_review.html")]
struct JointPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    version: i64,
    may_edit: bool,
    form: JointForm,
    agreed: bool,
    saved: bool,
    radios: Vec<RadioGroup>,
}

/// A question answered by one of several radios.
struct RadioGroup {
    name: &'static str,
    legend: &'static str,
    options: Vec<(&'static str, &'static str)>,
    value: String,
}

const BASES: &[(&str, &str, LeadBasis)] = &[
    ("normal_residence", "Where the child normally lived (000 §2.6)", LeadBasis::NormalResidence),
    ("responsible_authority", "The responsible authority of a looked-after child (000 §2.6)", LeadBasis::ResponsibleAuthority),
    ("referred", "Decided by chief executives or Ofsted when the chairs could not agree (001 App. X para 4)", LeadBasis::Referred),
];

const ARRANGEMENTS: &[(&str, JointArrangement)] =
    &[("single_board_limited_input", JointArrangement::SingleBoardLimitedInput), ("joint_panel", JointArrangement::JointPanel)];

#[allow(clippy::too_many_arguments)]
async fn render_joint(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    form: JointForm,
    agreed: bool,
    version: i64,
    errors: FieldErrors,
    saved: bool,
) -> PageResult {
    let page = JointPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        version,
        may_edit: JointReview::editors().contains(&a.user.role),
        radios: vec![
            RadioGroup {
                name: "basis",
                legend: "Why that board leads",
                options: BASES.iter().map(|(v, t, _)| (*v, *t)).collect(),
                value: form.basis.clone(),
            },
            RadioGroup {
                name: "arrangement",
                legend: "How the boards will work together",
                options: ARRANGEMENTS.iter().map(|(v, x)| (*v, x.title())).collect(),
                value: form.arrangement.clone(),
            },
        ],
        form,
        agreed,
        saved,
    };
    Ok(pages::render(status, &page))
}

async fn joint_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.single_record::<JointReview>(id).await?;
    let (form, agreed, version) = match rec {
        Some(x) => {
            let j = &x.body;
            (
                JointForm {
                    other_boards: j.other_boards.join("\n"),
                    lead_board: j.lead_board.clone(),
                    basis: BASES.iter().find(|b| Some(b.2) == j.basis).map_or(String::new(), |b| b.0.to_string()),
                    looked_after: j.looked_after,
                    arrangement: ARRANGEMENTS.iter().find(|b| Some(b.1) == j.arrangement).map_or(String::new(), |b| b.0.to_string()),
                    shared: j.shared.clone(),
                    our_chair_agreed_on: typed(j.our_chair_agreed_on),
                    other_chair_agreed_on: typed(j.other_chair_agreed_on),
                },
                j.agreed(),
                x.version,
            )
        }
        None => {
            let p = state.store.partnership(a.user.partnership_id).await?;
            (JointForm { lead_board: p.name, ..Default::default() }, false, 0)
        }
    };
    render_joint(&state, &a, &r, StatusCode::OK, form, agreed, version, FieldErrors::new(), q.saved.is_some()).await
}

async fn save_joint(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<JointReview>(&state, &a, id, &body).await?;
    let version = version_of(&pairs)?;
    let g = |k: &str| form::get(&pairs, k).to_string();
    let f = JointForm {
        other_boards: g("other_boards"),
        lead_board: g("lead_board"),
        basis: g("basis"),
        looked_after: g("looked_after") == "yes",
        arrangement: g("arrangement"),
        shared: g("shared"),
        our_chair_agreed_on: g("our_chair_agreed_on"),
        other_chair_agreed_on: g("other_chair_agreed_on"),
    };
    let mut e = FieldErrors::new();
    let j = JointReview {
        other_boards: lines(&f.other_boards),
        lead_board: f.lead_board.trim().to_string(),
        basis: BASES.iter().find(|b| b.0 == f.basis).map(|b| b.2),
        looked_after: f.looked_after,
        arrangement: ARRANGEMENTS.iter().find(|b| b.0 == f.arrangement).map(|b| b.1),
        shared: f.shared.trim().to_string(),
        our_chair_agreed_on: text::optional_date(&mut e, "our_chair_agreed_on", "the date our chair agreed", &f.our_chair_agreed_on),
        other_chair_agreed_on: text::optional_date(
            &mut e,
            "other_chair_agreed_on",
            "the date the other chair agreed",
            &f.other_chair_agreed_on,
        ),
    };
    if !e.is_empty() {
        return render_joint(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, f, false, version, e, false).await;
    }
    match state.store.save_record(&a.user.actor(), id, None, version, &j, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/joint-review?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => render_joint(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, f, false, version, e, false).await,
        Err(StoreError::Conflict { current, by, at, .. }) => {
            render_joint(&state, &a, &r, StatusCode::CONFLICT, f, false, current, conflict(&by, &at), false).await
        }
        Err(e) => Err(e.into()),
    }
}
