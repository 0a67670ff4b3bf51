//! Meetings of a review on the pages (issue 9 item 1): the list, a new meeting, and each
//! meeting's record: invitees and attendance by organisation (with the quorum where the rules
//! set one), papers uploaded with the date each was circulated (warned when later than the
//! rules allow), minutes, decisions, actions arising and dissent; invitations sent by email
//! with an iCalendar request attached.
//!
//! Every member of the review sees that a meeting exists (kind, date, place); its agenda,
//! minutes and papers are for its invitees and the people who run it (board manager, panel
//! chair). Papers of a practitioners' debrief are handed back (001 §3.1.14): shown in the
//! browser, never offered for download. Every read of a paper is audited.

use crate::access::{self, Need};
use crate::auth::{Authenticated, PageUser};
use crate::error::WebError;
use crate::form::{self, LimitedBody};
use crate::ical::{self, Invitation};
use crate::mail::{Email, Mailer};
use crate::pages::{self, Nav, PageError};
use crate::proceedings_routes::conflict;
use crate::records_api::{self, Policy};
use crate::SharedState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use casereview_core::meetings::{ActionArising, Dissent, Invitee, Meeting, MeetingKind, PaperRules, Quorum};
use casereview_core::{text, FieldErrors};
use casereview_store::{Record, ReviewRecord, StoreError, MAX_PAPER_BYTES};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

type PageResult = Result<Response, PageError>;

pub fn page_routes() -> Router<SharedState> {
    Router::new()
        .route("/reviews/{id}/meetings", get(list_page).post(create))
        .route("/reviews/{id}/meetings/{mid}", get(meeting_page).post(save))
        .route("/reviews/{id}/meetings/{mid}/papers", post(upload_paper).layer(DefaultBodyLimit::max(MAX_PAPER_BYTES + 64 * 1024)))
        .route("/reviews/{id}/meetings/{mid}/papers/{pid}", get(paper))
        .route("/reviews/{id}/meetings/{mid}/invitations", post(send_invitations))
}

fn show(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default()
}

fn typed(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

/// Whether the user may read a meeting's agenda, minutes and papers.
fn may_read_papers(a: &Authenticated, m: &Meeting) -> bool {
    Meeting::editors().contains(&a.user.role) || m.invites(&a.user.email)
}

#[derive(Deserialize, Default)]
struct Flash {
    saved: Option<String>,
    sent: Option<usize>,
    failed: Option<usize>,
}

// ---------------------------------------------------------------- the list

struct MeetingRow {
    id: i64,
    kind: &'static str,
    date: String,
    place: String,
    invited: usize,
    quorum: Option<(&'static str, &'static str)>,
    warnings: usize,
}

fn quorum_tag(q: &Quorum) -> Option<(&'static str, &'static str)> {
    match q {
        Quorum::NotRequired => None,
        Quorum::Met { .. } => Some(("Quorate", "govuk-tag--green")),
        Quorum::NotMet { .. } => Some(("Not quorate", "govuk-tag--red")),
    }
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    rows: Vec<MeetingRow>,
    may_edit: bool,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    date: String,
    time: String,
    place: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_list(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    errors: FieldErrors,
    typed: [String; 4],
) -> PageResult {
    let rules = PaperRules::default();
    let mut recs = state.store.records::<Meeting>(r.summary.id).await?;
    recs.sort_by_key(|x| x.body.date);
    let rows = recs
        .iter()
        .map(|x| MeetingRow {
            id: x.id,
            kind: x.body.kind.title(),
            date: show(x.body.date),
            place: x.body.place.clone(),
            invited: x.body.invitees.len(),
            quorum: quorum_tag(&x.body.quorum(&rules)),
            warnings: x.body.warnings(&rules).len(),
        })
        .collect();
    let [kind, date, time, place] = typed;
    let page = ListPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        rows,
        may_edit: Meeting::editors().contains(&a.user.role),
        kinds: MeetingKind::ALL.iter().map(|k| (k.as_str(), k.title())).collect(),
        kind,
        date,
        time,
        place,
    };
    Ok(pages::render(status, &page))
}

async fn list_page(State(state): State<SharedState>, PageUser(a): PageUser, Path(id): Path<i64>) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    render_list(&state, &a, &r, StatusCode::OK, FieldErrors::new(), Default::default()).await
}

async fn create(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<Meeting>(&state, &a, id, &body).await?;
    let typed_in = ["kind", "date", "time", "place"].map(|k| form::get(&pairs, k).to_string());
    let mut e = FieldErrors::new();
    let kind = MeetingKind::parse(&typed_in[0]);
    if kind.is_none() {
        e.push("kind", "Choose the kind of meeting");
    }
    let date = text::optional_date(&mut e, "date", "the date of the meeting", &typed_in[1]);
    let (Some(kind), true) = (kind, e.is_empty()) else {
        return render_list(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, e, typed_in).await;
    };
    let m = Meeting {
        kind,
        date,
        time: typed_in[2].trim().to_string(),
        place: typed_in[3].trim().to_string(),
        invitees: vec![],
        agenda: String::new(),
        papers: vec![],
        minutes: String::new(),
        decisions: vec![],
        actions: vec![],
        dissent: vec![],
    };
    match state.store.save_record(&a.user.actor(), id, None, 0, &m, state.today()).await {
        Ok(rec) => Ok(Redirect::to(&format!("/reviews/{id}/meetings/{}", rec.id)).into_response()),
        Err(StoreError::Invalid(e)) => render_list(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, e, typed_in).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- one meeting

/// Blank rows offered in each list of the form.
const BLANK: usize = 2;
/// Most rows read from each list of a form.
const MAX_ROWS: usize = 100;

struct PaperView {
    i: usize,
    title: String,
    circulated: String,
    file: Option<i64>,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    nav: Nav,
    errors: FieldErrors,
    review_id: i64,
    reference: String,
    id: i64,
    version: i64,
    kind: &'static str,
    source: &'static str,
    m: Meeting,
    date: String,
    may_edit: bool,
    may_read: bool,
    handed_back: bool,
    quorum: Option<String>,
    quorum_tag: Option<(&'static str, &'static str)>,
    warnings: Vec<String>,
    papers: Vec<PaperView>,
    invitees: Vec<Invitee>,
    decisions: String,
    actions: Vec<(ActionArising, String)>,
    dissent: Vec<Dissent>,
    flash: Option<String>,
    mail_configured: bool,
}

#[allow(clippy::too_many_arguments)]
async fn render_meeting(
    state: &SharedState,
    a: &Authenticated,
    r: &ReviewRecord,
    status: StatusCode,
    id: i64,
    version: i64,
    m: Meeting,
    date: String,
    action_dates: Vec<String>,
    errors: FieldErrors,
    flash: Option<String>,
) -> PageResult {
    let rules = PaperRules::default();
    let may_edit = Meeting::editors().contains(&a.user.role);
    let q = m.quorum(&rules);
    let quorum = match &q {
        Quorum::NotRequired => None,
        Quorum::Met { organisations, required } | Quorum::NotMet { organisations, required } => Some(format!(
            "{} of the {required} partner organisations needed attended{}",
            organisations.len(),
            if organisations.is_empty() { String::new() } else { format!(": {}", organisations.join(", ")) }
        )),
    };
    let blank_invitee = Invitee { name: String::new(), email: String::new(), organisation: String::new(), partner: false, attended: false };
    let blank_action = ActionArising { action: String::new(), owner: String::new(), due_on: None };
    let blank_dissent = Dissent { member: String::new(), organisation: String::new(), view: String::new() };
    let extra = if may_edit { BLANK } else { 0 };
    let page = MeetingPage {
        nav: pages::nav(state, a).await?,
        errors,
        review_id: r.summary.id,
        reference: r.summary.reference.clone(),
        id,
        version,
        kind: m.kind.title(),
        source: m.kind.source(),
        may_edit,
        may_read: may_read_papers(a, &m),
        handed_back: m.kind.papers_handed_back(),
        quorum,
        quorum_tag: quorum_tag(&q),
        warnings: m.warnings(&rules),
        papers: m
            .papers
            .iter()
            .enumerate()
            .map(|(i, p)| PaperView { i, title: p.title.clone(), circulated: typed(p.circulated_on), file: p.file })
            .collect(),
        invitees: m.invitees.iter().cloned().chain(std::iter::repeat_n(blank_invitee, extra)).collect(),
        decisions: m.decisions.join("\n"),
        actions: m
            .actions
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, x)| {
                let d = action_dates.get(i).cloned().unwrap_or_else(|| typed(x.due_on));
                (x, d)
            })
            .chain(std::iter::repeat_n((blank_action, String::new()), extra))
            .collect(),
        dissent: m.dissent.iter().cloned().chain(std::iter::repeat_n(blank_dissent, extra)).collect(),
        date,
        m,
        flash,
        mail_configured: state.config.mail.is_some(),
    };
    Ok(pages::render(status, &page))
}

async fn meeting_page(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, mid)): Path<(i64, i64)>,
    Query(f): Query<Flash>,
) -> PageResult {
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    let rec = state.store.record::<Meeting>(id, mid).await?;
    if may_read_papers(&a, &rec.body) {
        state
            .store
            .record_audit(&a.user.actor(), "meeting.read", &format!("review:{id}"), json!({"record": mid, "version": rec.version}))
            .await?;
    }
    let flash = match (f.saved, f.sent) {
        (Some(_), _) => Some("The meeting was saved.".to_string()),
        (None, Some(n)) => Some(match f.failed.unwrap_or(0) {
            0 => format!("Invitations sent to {n} invitees."),
            k => format!("Invitations sent to {n} invitees; {k} could not be sent (see the audit log): check their addresses."),
        }),
        _ => None,
    };
    let date = typed(rec.body.date);
    render_meeting(&state, &a, &r, StatusCode::OK, mid, rec.version, rec.body, date, vec![], FieldErrors::new(), flash).await
}

/// Reads the whole meeting form. Papers keep their files (the form only changes their title
/// and date); blank rows are dropped.
fn read_meeting(pairs: &[(String, String)], current: &Meeting) -> (Meeting, String, Vec<String>, FieldErrors) {
    let mut e = FieldErrors::new();
    let g = |k: &str| form::get(pairs, k).to_string();
    let date_typed = g("date");
    let date = text::optional_date(&mut e, "date", "the date of the meeting", &date_typed);
    let has_row = |list: &str, i: usize| pairs.iter().any(|(k, _)| k.starts_with(&format!("{list}-{i}-")));
    let mut invitees = Vec::new();
    for i in (0..MAX_ROWS).take_while(|i| has_row("invitees", *i)) {
        let f = |k: &str| form::get(pairs, &format!("invitees-{i}-{k}")).trim().to_string();
        let x = Invitee {
            name: f("name"),
            email: f("email"),
            organisation: f("organisation"),
            partner: !f("partner").is_empty(),
            attended: !f("attended").is_empty(),
        };
        if !(x.name.is_empty() && x.email.is_empty() && x.organisation.is_empty()) && f("remove").is_empty() {
            invitees.push(x);
        }
    }
    let mut papers = Vec::new();
    for (i, p) in current.papers.iter().enumerate() {
        if !form::get(pairs, &format!("papers-{i}-remove")).is_empty() {
            continue;
        }
        let n = papers.len();
        let mut p = p.clone();
        p.title = form::get(pairs, &format!("papers-{i}-title")).trim().to_string();
        p.circulated_on = text::optional_date(
            &mut e,
            &format!("papers[{n}].circulated_on"),
            "the date circulated",
            form::get(pairs, &format!("papers-{i}-circulated_on")),
        );
        papers.push(p);
    }
    let mut actions = Vec::new();
    let mut action_dates = Vec::new();
    for i in (0..MAX_ROWS).take_while(|i| has_row("actions", *i)) {
        let f = |k: &str| form::get(pairs, &format!("actions-{i}-{k}")).trim().to_string();
        let (what, owner, due) = (f("action"), f("owner"), f("due_on"));
        if what.is_empty() && owner.is_empty() && due.is_empty() {
            continue;
        }
        let n = actions.len();
        let due_on = text::optional_date(&mut e, &format!("actions[{n}].due_on"), "the date it is due", &due);
        actions.push(ActionArising { action: what, owner, due_on });
        action_dates.push(due);
    }
    let mut dissent = Vec::new();
    for i in (0..MAX_ROWS).take_while(|i| has_row("dissent", *i)) {
        let f = |k: &str| form::get(pairs, &format!("dissent-{i}-{k}")).trim().to_string();
        let d = Dissent { member: f("member"), organisation: f("organisation"), view: f("view") };
        if !(d.member.is_empty() && d.organisation.is_empty() && d.view.is_empty()) {
            dissent.push(d);
        }
    }
    let m = Meeting {
        kind: MeetingKind::parse(form::get(pairs, "kind")).unwrap_or(current.kind),
        date,
        time: g("time").trim().to_string(),
        place: g("place").trim().to_string(),
        invitees,
        agenda: g("agenda"),
        papers,
        minutes: g("minutes"),
        decisions: g("decisions").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
        actions,
        dissent,
    };
    (m, date_typed, action_dates, form::keyed(&e))
}

async fn save(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, mid)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (pairs, r) = records_api::form_post::<Meeting>(&state, &a, id, &body).await?;
    let current: Record<Meeting> = state.store.record(id, mid).await?;
    let version: i64 = form::get(&pairs, "version").parse().unwrap_or(0);
    let (m, date, action_dates, e) = read_meeting(&pairs, &current.body);
    if !e.is_empty() {
        return render_meeting(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, mid, version, m, date, action_dates, e, None).await;
    }
    match state.store.save_record(&a.user.actor(), id, Some(mid), version, &m, state.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/meetings/{mid}?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_meeting(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, mid, version, m, date, action_dates, form::keyed(&e), None)
                .await
        }
        Err(StoreError::Conflict { current, by, at, .. }) => {
            render_meeting(&state, &a, &r, StatusCode::CONFLICT, mid, current, m, date, action_dates, conflict(&by, &at), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn upload_paper(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, mid)): Path<(i64, i64)>,
    mut mp: Multipart,
) -> PageResult {
    let (mut csrf, mut version, mut title, mut circulated, mut file) = (String::new(), String::new(), String::new(), String::new(), None);
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| WebError::BadRequest { field: "file".into(), message: "The upload could not be read: try again".into() })?
    {
        match field.name().unwrap_or_default() {
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            "version" => version = field.text().await.unwrap_or_default(),
            "title" => title = field.text().await.unwrap_or_default(),
            "circulated_on" => circulated = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| WebError::TooLarge(MAX_PAPER_BYTES))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    a.check_csrf(&csrf)?;
    let r = access::review_for(&state, &a.user, id, Need::See).await?;
    records_api::require_editor::<Meeting>(&a)?;
    let rec: Record<Meeting> = state.store.record(id, mid).await?;
    let mut e = FieldErrors::new();
    let circulated_on = text::optional_date(&mut e, "circulated_on", "the date circulated", &circulated);
    let (name, bytes) = file.unwrap_or_default();
    let result = if e.is_empty() {
        state
            .store
            .add_meeting_paper(&a.user.actor(), id, mid, version.parse().unwrap_or(0), &title, circulated_on, &name, &bytes, state.today())
            .await
    } else {
        Err(StoreError::Invalid(e))
    };
    let date = typed(rec.body.date);
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}/meetings/{mid}?saved=1")).into_response()),
        Err(StoreError::Invalid(e)) => {
            // A paper dated after the meeting is the upload's date field at fault.
            let e = FieldErrors(
                e.0.into_iter()
                    .map(|x| casereview_core::FieldError {
                        field: if x.field.starts_with("papers[") { "circulated_on".into() } else { x.field },
                        ..x
                    })
                    .collect(),
            );
            render_meeting(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, mid, rec.version, rec.body, date, vec![], e, None).await
        }
        Err(StoreError::Conflict { by, at, .. }) => {
            render_meeting(&state, &a, &r, StatusCode::CONFLICT, mid, rec.version, rec.body, date, vec![], conflict(&by, &at), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn paper(State(state): State<SharedState>, PageUser(a): PageUser, Path((id, mid, pid)): Path<(i64, i64, i64)>) -> PageResult {
    access::review_for(&state, &a.user, id, Need::See).await?;
    let rec: Record<Meeting> = state.store.record(id, mid).await?;
    if !may_read_papers(&a, &rec.body) {
        return Err(WebError::Forbidden("Only the meeting's invitees may read its papers".into()).into());
    }
    let p = state.store.meeting_paper(id, mid, pid).await?;
    let handed_back = rec.body.kind.papers_handed_back();
    state
        .store
        .record_audit(
            &a.user.actor(),
            "meeting.paper_read",
            &format!("review:{id}"),
            json!({"record": mid, "paper": pid, "inline": handed_back}),
        )
        .await?;
    // A debrief's papers are read in the browser and handed back: shown inline, not offered
    // as a download, and not kept in any cache.
    let disposition = if handed_back {
        "inline".to_string()
    } else {
        format!("attachment; filename=\"{}\"", p.file_name.replace(['"', '\\', '\r', '\n'], "_"))
    };
    Ok((
        [
            (header::CONTENT_TYPE, p.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        p.content,
    )
        .into_response())
}

async fn send_invitations(
    State(state): State<SharedState>,
    PageUser(a): PageUser,
    Path((id, mid)): Path<(i64, i64)>,
    LimitedBody(body): LimitedBody,
) -> PageResult {
    let (_, r) = records_api::form_post::<Meeting>(&state, &a, id, &body).await?;
    let rec: Record<Meeting> = state.store.record(id, mid).await?;
    let date = typed(rec.body.date);
    let fail = |msg: &str| FieldErrors::single("invitations", msg);
    let Some(cfg) = state.config.mail.clone() else {
        let e = fail("Invitations cannot be sent: no mail relay is configured (start the server with --smtp-url)");
        return render_meeting(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, mid, rec.version, rec.body, date, vec![], e, None).await;
    };
    let to: Vec<&Invitee> = rec.body.invitees.iter().filter(|x| !x.email.trim().is_empty()).collect();
    let Some(day) = rec.body.date.filter(|_| !to.is_empty()) else {
        let e = fail("Add invitees with email addresses (and the meeting's date) before sending invitations");
        return render_meeting(&state, &a, &r, StatusCode::UNPROCESSABLE_ENTITY, mid, rec.version, rec.body, date, vec![], e, None).await;
    };
    let mailer = Mailer::new(cfg).map_err(|e| WebError::Internal(e.to_string()))?;
    let m = &rec.body;
    let base = state.config.public_url.clone().unwrap_or_default();
    let inv = Invitation {
        uid: format!("meeting-{mid}"),
        sequence: rec.version,
        summary: format!("{}: {}", r.summary.reference, m.kind.title()),
        description: format!(
            "{} of review {}. The agenda and papers are in casereview: {base}/reviews/{id}/meetings/{mid}",
            m.kind.title(),
            r.summary.reference
        ),
        location: m.place.clone(),
        date: day,
        time: chrono::NaiveTime::parse_from_str(&m.time, "%H:%M").ok(),
        organiser_name: a.user.name.clone(),
        organiser_email: mailer.from().email.to_string(),
        attendees: to.iter().map(|x| (x.name.clone(), x.email.clone())).collect(),
    };
    let ics = ical::invitation(&inv, chrono::Utc::now());
    let (mut sent, mut failed) = (0usize, Vec::new());
    for x in &to {
        let email = Email {
            to: x.email.clone(),
            to_name: x.name.clone(),
            subject: format!("Invitation: {} on {}", inv.summary, day.format("%-d %B %Y")),
            body: format!(
                "You are invited to the {} of review {} on {}{}{}.\n\nThe agenda and papers are in casereview: {base}/reviews/{id}/meetings/{mid}\nThe calendar invitation is attached.\n",
                m.kind.title().to_lowercase(),
                r.summary.reference,
                day.format("%-d %B %Y"),
                if m.time.is_empty() { String::new() } else { format!(" at {}", m.time) },
                if m.place.is_empty() { String::new() } else { format!(", {}", m.place) },
            ),
        };
        match mailer.send_invitation(&email, &ics).await {
            Ok(()) => sent += 1,
            Err(e) => failed.push(json!({"to": x.email, "error": e.to_string()})),
        }
    }
    state
        .store
        .record_audit(
            &a.user.actor(),
            "meeting.invitations_sent",
            &format!("review:{id}"),
            json!({"record": mid, "version": rec.version, "sent": sent, "failed": failed}),
        )
        .await?;
    Ok(Redirect::to(&format!("/reviews/{id}/meetings/{mid}?sent={sent}&failed={}", failed.len())).into_response())
}
