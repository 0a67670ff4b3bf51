//! Parallel proceedings and the notifications log on the pages (issue 9 items 4 and 6).
//!
//! Proceedings: each with its kind, status, contact and dates, and what it means for the
//! review (`casereview_core::proceedings::EFFECTS`), with the publication holds it causes
//! shown first. Notifications: what went to whom and when, against the deadline the
//! statutory clock gives each kind, with the kinds the clock expects and nobody has logged
//! yet; and the Ofsted notification form (001 App. IX) as structured fields. Editors are
//! the kinds' [`Policy`]; every member of the review may read; reading the Ofsted form is
//! audited because it names the child.

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::deadlines::{self, DeadlineView};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::pages::{self, Nav, PageError};
use crate::records_api::{self, Policy};
use crate::SharedState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use casereview_core::notifications::{
    Notification, NotificationKind, OfstedNotification, OFSTED_CHOICES, OFSTED_DATES, OFSTED_TEXT, OFSTED_TICKS,
};
use casereview_core::proceedings::{self, Proceeding, ProceedingKind, ProceedingStatus};
use casereview_core::{text, FieldErrors};
use casereview_store::{Record, ReviewRecord, StoreError};
use chrono::NaiveDate;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/proceedings", get(proceedings_page).post(save_proceeding))
        .route("/reviews/{id}/notifications", get(notifications_page).post(save_notification))
        .route("/reviews/{id}/notifications/ofsted", get(ofsted_page).post(save_ofsted))
}

fn show(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default()
}

fn typed(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

/// The record id and version a form was opened at (0 and 0 for a new record).
fn record_ref(pairs: &[(String, String)]) -> Result<(Option<i64>, i64), WebError> {
    let num = |k: &str| -> Result<i64, WebError> {
        match form::get(pairs, k) {
            "" => Ok(0),
            v => v
                .parse()
                .map_err(|_| WebError::BadRequest { field: k.into(), message: format!("The form's {k} is not a number: reload the page") }),
        }
    };
    let id = num("record")?;
    Ok(((id > 0).then_some(id), num("version")?))
}

/// A stale save, told as an error on the form: what was typed stays in the form, and
/// saving again (now at the current version) replaces the other person's version, which
/// stays in the history.
pub fn conflict(by: &str, at: &str) -> FieldErrors {
    FieldErrors::single(
        "save",
        format!("{by} saved this at {at}, after you opened the page. Your changes have not been saved: they are kept below. Check them and save again to replace that version (it stays in the history)."),
    )
}

#[derive(Deserialize, Default)]
struct EditQuery {
    edit: Option<i64>,
    saved: Option<String>,
}

// ---------------------------------------------------------------- proceedings

struct ProceedingView {
    id: i64,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    description: String,
    contact: String,
    started: String,
    concluded: String,
    effects: Vec<&'static str>,
    updated_by: String,
}

/// The proceeding form as typed.
#[derive(Default)]
struct ProceedingForm {
    record: i64,
    version: i64,
    kind: String,
    status: String,
    description: String,
    contact: String,
    started_on: String,
    concluded_on: String,
    holds_publication: bool,
}

impl ProceedingForm {
    fn of(r: &Record<Proceeding>) -> Self {
        let p = &r.body;
        ProceedingForm {
            record: r.id,
            version: r.version,
            kind: p.kind.as_str().into(),
            status: p.status.as_str().into(),
            description: p.description.clone(),
            contact: p.contact.clone(),
            started_on: typed(p.started_on),
            concluded_on: typed(p.concluded_on),
            holds_publication: p.holds_publication,
        }
    }

    fn read(pairs: &[(String, String)]) -> Self {
        let g = |k: &str| form::get(pairs, k).to_string();
        ProceedingForm {
            kind: g("kind"),
            status: g("status"),
            description: g("description"),
            contact: g("contact"),
            started_on: g("started_on"),
            concluded_on: g("concluded_on"),
            holds_publication: form::get(pairs, "holds_publication") == "yes",
            ..Default::default()
        }
    }

    fn check(&self) -> Result<Proceeding, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = ProceedingKind::parse(&self.kind);
        if kind.is_none() {
            e.push("kind", "Choose the kind of proceedings");
        }
        let status = ProceedingStatus::parse(&self.status);
        if status.is_none() {
            e.push("status", "Choose where the proceedings stand");
        }
        let started_on = text::optional_date(&mut e, "started_on", "the start date", &self.started_on);
        let concluded_on = text::optional_date(&mut e, "concluded_on", "the conclusion date", &self.concluded_on);
        match (kind, status) {
            (Some(kind), Some(status)) if e.is_empty() => Ok(Proceeding {
                kind,
                status,
                description: self.description.trim().to_string(),
                contact: self.contact.trim().to_string(),
                started_on,
                concluded_on,
                holds_publication: self.holds_publication,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Template)]
#[template(path = "proceedings.html")]
struct ProceedingsPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    items: Vec<ProceedingView>,
    holds: Vec<String>,
    may_edit: bool,
    form: ProceedingForm,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    saved: bool,
}

async fn render_proceedings(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    form: Option<ProceedingForm>,
    errors: FieldErrors,
    saved: bool,
) -> PageResult {
    let recs = state.store.records::<Proceeding>(r.summary.id).await?;
    let bodies: Vec<Proceeding> = recs.iter().map(|x| x.body.clone()).collect();
    let items = recs
        .iter()
        .map(|x| {
            let p = &x.body;
            ProceedingView {
                id: x.id,
                kind: p.kind.title(),
                status: match p.status {
                    ProceedingStatus::Anticipated => "Anticipated",
                    ProceedingStatus::Open => "Open",
                    ProceedingStatus::Concluded => "Concluded",
                },
                status_class: match p.status {
                    ProceedingStatus::Anticipated => "govuk-tag--yellow",
                    ProceedingStatus::Open => "govuk-tag--red",
                    ProceedingStatus::Concluded => "govuk-tag--grey",
                },
                description: p.description.clone(),
                contact: p.contact.clone(),
                started: show(p.started_on),
                concluded: show(p.concluded_on),
                effects: p.effects().into_iter().map(|e| e.text()).collect(),
                updated_by: x.updated_by.clone(),
            }
        })
        .collect();
    let page = ProceedingsPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        items,
        holds: proceedings::publication_holds(&bodies),
        may_edit: Proceeding::editors().contains(&a.user.role),
        form: form.unwrap_or_default(),
        kinds: ProceedingKind::ALL.iter().map(|k| (k.as_str(), k.title())).collect(),
        statuses: vec![("anticipated", "Anticipated"), ("open", "Open"), ("concluded", "Concluded")],
        saved,
    };
    Ok(pages::render(status, &page))
}

async fn proceedings_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let form = match q.edit {
        Some(rid) => {
            records_api::require_editor::<Proceeding>(&a)?;
            Some(ProceedingForm::of(&state.store.record::<Proceeding>(id, rid).await?))
        }
        None => None,
    };
    render_proceedings(&state, &a, &r, StatusCode::OK, form, FieldErrors::new(), q.saved.is_some()).await
}

async fn save_proceeding(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<Proceeding>(&state, &a, id, &body).await?;
    let (rid, version) = record_ref(&pairs)?;
    let mut f = ProceedingForm::read(&pairs);
    f.record = rid.unwrap_or(0);
    f.version = version;
    let p = match f.check() {
        Ok(p) => p,
        Err(e) => return render_proceedings(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, Some(f), e, false).await,
    };
    match state.store.save_record(&a.user.actor(), id, rid, version, &p, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/proceedings?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => render_proceedings(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, Some(f), e, false).await,
        Err(StoreError::Conflict { current, by, at, .. }) => {
            f.version = current;
            render_proceedings(&state, &a, &r, StatusCode::CONFLICT, Some(f), conflict(&by, &at), false).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- notifications

struct NotificationView {
    id: i64,
    kind: &'static str,
    what: String,
    to: String,
    sent: String,
    logged_by: String,
    event: String,
    deadline: String,
    timing: &'static str,
    timing_class: &'static str,
    receipt: String,
}

/// A kind the clock expects that nobody has logged.
struct Expected {
    kind: &'static str,
    step: String,
    due: String,
    status: &'static str,
    tag: &'static str,
}

#[derive(Default)]
struct NotificationForm {
    record: i64,
    version: i64,
    kind: String,
    what: String,
    to: String,
    sent_on: String,
    event_on: String,
    receipt_on: String,
    receipt_reference: String,
}

impl NotificationForm {
    fn of(r: &Record<Notification>) -> Self {
        let n = &r.body;
        NotificationForm {
            record: r.id,
            version: r.version,
            kind: n.kind.as_str().into(),
            what: n.what.clone(),
            to: n.to.clone(),
            sent_on: typed(n.sent_on),
            event_on: typed(n.event_on),
            receipt_on: typed(n.receipt_on),
            receipt_reference: n.receipt_reference.clone(),
        }
    }

    fn read(pairs: &[(String, String)]) -> Self {
        let g = |k: &str| form::get(pairs, k).to_string();
        NotificationForm {
            kind: g("kind"),
            what: g("what"),
            to: g("to"),
            sent_on: g("sent_on"),
            event_on: g("event_on"),
            receipt_on: g("receipt_on"),
            receipt_reference: g("receipt_reference"),
            ..Default::default()
        }
    }

    fn check(&self) -> Result<Notification, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = NotificationKind::parse(&self.kind);
        if kind.is_none() {
            e.push("kind", "Choose who was notified");
        }
        let sent_on = text::optional_date(&mut e, "sent_on", "the date sent", &self.sent_on);
        let event_on = text::optional_date(&mut e, "event_on", "the date of the event", &self.event_on);
        let receipt_on = text::optional_date(&mut e, "receipt_on", "the date of the receipt", &self.receipt_on);
        match kind {
            Some(kind) if e.is_empty() => Ok(Notification {
                kind,
                what: self.what.trim().to_string(),
                to: self.to.trim().to_string(),
                sent_on,
                event_on,
                receipt_on,
                receipt_reference: self.receipt_reference.trim().to_string(),
            }),
            _ => Err(e),
        }
    }
}

/// The deadline of a kind in this review: the first of its clock steps the ruleset has.
fn deadline_of(kind: NotificationKind, all: &[DeadlineView]) -> Option<&DeadlineView> {
    kind.clock_steps().iter().find_map(|s| all.iter().find(|d| d.step == *s))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    items: Vec<NotificationView>,
    expected: Vec<Expected>,
    may_edit: bool,
    form: NotificationForm,
    kinds: Vec<(&'static str, &'static str)>,
    ofsted_saved: Option<String>,
    saved: bool,
}

async fn render_notifications(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    form: Option<NotificationForm>,
    errors: FieldErrors,
    saved: bool,
) -> PageResult {
    let id = r.summary.id;
    let recs = state.store.records::<Notification>(id).await?;
    let p = state.store.partnership(a.user.partnership_id).await?;
    let clock = deadlines::clock_for(&state.store, &p).await?;
    let all = deadlines::for_reviews(&state.store, &clock, &[id], state.today()).await?.remove(&id).unwrap_or_default();
    let items = recs
        .iter()
        .map(|x| {
            let n = &x.body;
            let d = deadline_of(n.kind, &all);
            let due = d.and_then(|d| d.due_date);
            let (timing, timing_class) = match (due, n.sent_on) {
                (Some(due), Some(sent)) if sent <= due => ("On time", "govuk-tag--green"),
                (Some(_), Some(_)) => ("Late", "govuk-tag--red"),
                _ => ("No deadline", "govuk-tag--grey"),
            };
            NotificationView {
                id: x.id,
                kind: n.kind.title(),
                what: n.what.clone(),
                to: n.to.clone(),
                sent: show(n.sent_on),
                logged_by: x.updated_by.clone(),
                event: show(n.event_on),
                deadline: d.map(|d| format!("{} ({})", d.due_display(), d.title)).unwrap_or_default(),
                timing,
                timing_class,
                receipt: match (n.receipt_on, n.receipt_reference.is_empty()) {
                    (Some(on), true) => show(Some(on)),
                    (Some(on), false) => format!("{}, {}", show(Some(on)), n.receipt_reference),
                    (None, false) => n.receipt_reference.clone(),
                    (None, true) => String::new(),
                },
            }
        })
        .collect();
    let expected = NotificationKind::ALL
        .iter()
        .filter(|k| !recs.iter().any(|x| x.body.kind == **k))
        .filter_map(|k| {
            let d = deadline_of(*k, &all)?;
            d.is_open().then(|| Expected {
                kind: k.title(),
                step: d.title.clone(),
                due: d.due_display(),
                status: d.status_title(),
                tag: d.tag_class(),
            })
        })
        .collect();
    let ofsted = state.store.single_record::<OfstedNotification>(id).await?;
    let page = NotificationsPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: id,
        reference: r.summary.reference.clone(),
        items,
        expected,
        may_edit: Notification::editors().contains(&a.user.role),
        form: form.unwrap_or_default(),
        kinds: NotificationKind::ALL.iter().map(|k| (k.as_str(), k.title())).collect(),
        ofsted_saved: ofsted.map(|o| format!("version {}, saved by {} on {}", o.version, o.updated_by, o.updated_at.format("%-d %B %Y"))),
        saved,
    };
    Ok(pages::render(status, &page))
}

async fn notifications_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let form = match q.edit {
        Some(rid) => {
            records_api::require_editor::<Notification>(&a)?;
            Some(NotificationForm::of(&state.store.record::<Notification>(id, rid).await?))
        }
        None => None,
    };
    render_notifications(&state, &a, &r, StatusCode::OK, form, FieldErrors::new(), q.saved.is_some()).await
}

async fn save_notification(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<Notification>(&state, &a, id, &body).await?;
    let (rid, version) = record_ref(&pairs)?;
    let mut f = NotificationForm::read(&pairs);
    f.record = rid.unwrap_or(0);
    f.version = version;
    let n = match f.check() {
        Ok(n) => n,
        Err(e) => return render_notifications(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, Some(f), e, false).await,
    };
    match state.store.save_record(&a.user.actor(), id, rid, version, &n, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/notifications?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => render_notifications(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, Some(f), e, false).await,
        Err(StoreError::Conflict { current, by, at, .. }) => {
            f.version = current;
            render_notifications(&state, &a, &r, StatusCode::CONFLICT, Some(f), conflict(&by, &at), false).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the Ofsted form

struct TextField {
    name: String,
    label: &'static str,
    value: String,
    long: bool,
}

struct ChoiceField {
    name: String,
    label: &'static str,
    options: Vec<(String, &'static str, bool)>,
    multiple: bool,
}

#[derive(Template)]
#[template(path = "ofsted_notification.html")]
struct OfstedPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    version: i64,
    may_edit: bool,
    texts: Vec<TextField>,
    dates: Vec<TextField>,
    choices: Vec<ChoiceField>,
}

/// The form's fields filled from a saved form, or proposed from the referral before the
/// first save.
fn ofsted_fields(
    o: &OfstedNotification,
    typed_dates: &std::collections::BTreeMap<String, String>,
) -> (Vec<TextField>, Vec<TextField>, Vec<ChoiceField>) {
    let texts = OFSTED_TEXT
        .iter()
        .map(|(k, label, _)| TextField {
            name: format!("text-{k}"),
            label,
            value: o.text.get(*k).cloned().unwrap_or_default(),
            long: matches!(*k, "case_outline" | "family_note"),
        })
        .collect();
    let dates = OFSTED_DATES
        .iter()
        .map(|(k, label, _)| TextField {
            name: format!("dates-{k}"),
            label,
            value: typed_dates.get(*k).cloned().unwrap_or_else(|| typed(o.dates.get(*k).copied())),
            long: false,
        })
        .collect();
    let mut choices: Vec<ChoiceField> = OFSTED_TICKS
        .iter()
        .map(|(k, label, options)| {
            let ticked = o.ticks.get(*k);
            ChoiceField {
                name: format!("ticks-{k}"),
                label,
                options: options
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("ticks-{k}-{i}"), *v, ticked.is_some_and(|t| t.iter().any(|x| x == v))))
                    .collect(),
                multiple: true,
            }
        })
        .collect();
    choices.extend(OFSTED_CHOICES.iter().map(|(k, label, options)| ChoiceField {
        name: format!("choices-{k}"),
        label,
        options:
            options.iter().enumerate().map(|(i, v)| (format!("choices-{k}-{i}"), *v, o.choices.get(*k).is_some_and(|c| c == v))).collect(),
        multiple: false,
    }));
    (texts, dates, choices)
}

fn proposed_ofsted(r: &ReviewRecord, today: NaiveDate) -> OfstedNotification {
    let c = &r.referral.child;
    let mut o = OfstedNotification::default();
    let (first, last) = match c.name.trim().rsplit_once(' ') {
        Some((f, l)) => (f.to_string(), l.to_string()),
        None => (c.name.trim().to_string(), String::new()),
    };
    o.text.insert("child_forenames".into(), first);
    o.text.insert("child_last_names".into(), last);
    o.text.insert("case_outline".into(), r.referral.incident_details.clone());
    o.text.insert("ethnicity".into(), c.ethnic_origin.clone());
    let parents: Vec<String> = r
        .referral
        .family
        .iter()
        .filter(|m| ["mother", "father", "parent", "step"].iter().any(|w| m.relationship.to_lowercase().contains(w)))
        .map(|m| format!("{} ({})", m.name, m.relationship))
        .collect();
    o.text.insert("parents_names".into(), parents.join(", "));
    o.dates.insert("date_notified".into(), today);
    if let Some(d) = c.date_of_birth {
        o.dates.insert("child_date_of_birth".into(), d);
    }
    if let Some(d) = r.referral.incident_date {
        o.dates.insert("incident_date".into(), d);
    }
    if let Some(d) = c.date_of_death {
        o.dates.insert("date_of_death".into(), d);
        o.choices.insert("incident_type".into(), "Death".into());
    }
    o.text.retain(|_, v| !v.trim().is_empty());
    o
}

#[allow(clippy::too_many_arguments)]
async fn render_ofsted(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    o: &OfstedNotification,
    typed_dates: &std::collections::BTreeMap<String, String>,
    version: i64,
    errors: FieldErrors,
) -> PageResult {
    let (texts, dates, choices) = ofsted_fields(o, typed_dates);
    let page = OfstedPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        version,
        may_edit: OfstedNotification::editors().contains(&a.user.role),
        texts,
        dates,
        choices,
    };
    Ok(pages::render(status, &page))
}

async fn ofsted_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let saved = state.store.single_record::<OfstedNotification>(id).await?;
    records_api::audit_read::<OfstedNotification>(&state, &a, id, "page").await?;
    let (o, version) = match saved {
        Some(s) => (s.body, s.version),
        None => (proposed_ofsted(&r, state.today()), 0),
    };
    render_ofsted(&state, &a, &r, StatusCode::OK, &o, &Default::default(), version, FieldErrors::new()).await
}

/// Reads the form's fields into the structured form; unparseable dates are kept as typed
/// (returned) and reported.
fn read_ofsted(pairs: &[(String, String)]) -> (OfstedNotification, std::collections::BTreeMap<String, String>, FieldErrors) {
    let mut o = OfstedNotification::default();
    let mut typed_dates = std::collections::BTreeMap::new();
    let mut e = FieldErrors::new();
    for (k, _, _) in OFSTED_TEXT {
        let v = form::get(pairs, &format!("text-{k}")).trim();
        if !v.is_empty() {
            o.text.insert(k.to_string(), v.to_string());
        }
    }
    for (k, label, _) in OFSTED_DATES {
        let v = form::get(pairs, &format!("dates-{k}"));
        typed_dates.insert(k.to_string(), v.to_string());
        if let Some(d) = text::optional_date(&mut e, &format!("dates.{k}"), &label.to_lowercase(), v) {
            o.dates.insert(k.to_string(), d);
        }
    }
    for (k, _, options) in OFSTED_TICKS {
        let ticked: Vec<String> = options
            .iter()
            .enumerate()
            .filter(|(i, _)| !form::get(pairs, &format!("ticks-{k}-{i}")).is_empty())
            .map(|(_, v)| v.to_string())
            .collect();
        if !ticked.is_empty() {
            o.ticks.insert(k.to_string(), ticked);
        }
    }
    for (k, _, options) in OFSTED_CHOICES {
        let v = form::get(pairs, &format!("choices-{k}"));
        if !v.is_empty() {
            // Radios send the option's text; anything else is refused by the domain's check.
            o.choices.insert(k.to_string(), options.iter().find(|x| **x == v).map_or_else(|| v.to_string(), |x| x.to_string()));
        }
    }
    (o, typed_dates, e)
}

async fn save_ofsted(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<OfstedNotification>(&state, &a, id, &body).await?;
    let (_, version) = record_ref(&pairs)?;
    let (o, typed_dates, e) = read_ofsted(&pairs);
    if !e.is_empty() {
        return render_ofsted(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &o, &typed_dates, version, form::keyed(&e)).await;
    }
    match state.store.save_record(&a.user.actor(), id, None, version, &o, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/notifications?saved=ofsted")).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_ofsted(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, &o, &typed_dates, version, form::keyed(&e)).await
        }
        Err(StoreError::Conflict { current, by, at, .. }) => {
            render_ofsted(&state, &a, &r, StatusCode::CONFLICT, &o, &typed_dates, current, conflict(&by, &at)).await
        }
        Err(e) => Err(e.into()),
    }
}
