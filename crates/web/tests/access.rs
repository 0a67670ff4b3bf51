//! The access matrix: every route of the application (the JSON API under /api/v1 and
//! every page, GET and POST) called as every role and as nobody, on every backend, and
//! checked against [`ROUTES`], a table written out by hand from `access.rs` and the
//! lifecycle table — not computed from the code under test.
//!
//! How the matrix is made hard to pass by accident:
//! - every role is a member of the review, so a refusal is about the role, not membership;
//! - each write is made on a fresh review prepared in the state where the action succeeds
//!   (a quorate meeting before a recommendation, a recommendation before a decision), and
//!   the refused callers go first, so only the role check can stop them; whatever they
//!   are refused with, the review and the audit log must be unchanged afterwards;
//! - every allowed call must then succeed (200, 201 or a 303 that is not "sign in"): a
//!   422 from an allowed role would mean the table's body or state is wrong;
//! - a 403 that is really a CSRF refusal, or a signed-in caller sent to sign in, never
//!   counts as the role check.
//!
//! Every mismatch is collected and reported at once. Disagreements already reported are
//! listed in [`KNOWN`], each with the reason; each must still happen exactly as listed, so
//! fixing the application makes this test say which entry to remove.
#![allow(clippy::unwrap_used)]

mod common;

use casereview_core::genogram::{Family, Person, Sex};
use casereview_core::imr::ImrStatus;
use casereview_core::lifecycle::ReviewState;
use casereview_core::Role;
use casereview_store::{Actor, NewUser};
use casereview_web::auth;
use chrono::NaiveDate;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

// ---------------------------------------------------------------- the expected table

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum M {
    Get,
    Post,
    Put,
}

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in people with these roles; nobody else.
    Roles(&'static [Role]),
}

/// The review a call is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// No review in the path.
    Nothing,
    /// The shared review of the reads (nothing writes to it).
    Shared,
    /// A fresh review per route, brought to this state first.
    Fresh(ReviewState),
    /// A private calendar feed link made just before the route is called.
    Feed,
    /// The shared case file of the reads (nothing writes to it): a Serious Case Review in
    /// scoping with Health's IMR (its author appointed), a practitioner, Health's and
    /// Police's saved chronologies that disagree, and a pending Health upload.
    Case,
    /// A fresh Serious Case Review in scoping with Health's IMR brought to this status.
    Imr(ImrStatus),
    /// A fresh Serious Case Review in scoping with a pending Health upload for each caller
    /// the route allows (each confirms its own).
    Pending,
    /// A fresh Serious Case Review in scoping whose saved chronologies disagree.
    Discrepancy,
}

/// What a write sends: JSON for the API, form fields for the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    Referral,
    ReferralUpdate,
    Meeting,
    Recommendation,
    Decision,
    SecureRecords,
    Criteria,
    Member,
    Extension,
    Waiver,
    /// A step of the timetable recorded as done (API: its event; page: the date).
    Event,
    Done,
    SignIn,
    SignOut,
    /// IMRs asked of an agency not yet asked on the review.
    Commission,
    Practitioner,
    /// The matrix's agency author appointed to write the IMR.
    AppointAuthor,
    /// A section of the IMR saved at its current version.
    Sections,
    SignOff,
    /// A valid Health chronology (API: the raw CSV; page: a multipart form with the file).
    Csv,
    /// A pending upload saved (API: confirmed; page: the "save" choice).
    Confirm,
    /// A discrepancy resolved by a note.
    Resolve,
    /// The family and household saved at its current version.
    Family,
    /// A publication hold placed (kind and reason).
    Hold,
}

struct Route {
    method: M,
    path: &'static str,
    who: Who,
    on: On,
    body: Body,
}

use Role::*;

const EVERYONE: &[Role] =
    &[PartnershipAdmin, BoardChair, PanelChair, PanelMember, AgencyAuthor, OverviewAuthor, AgencyHead, BoardMember, Regulator];
/// Reads of a review: every member (and every role is a member of the fixture).
const MEMBERS: &[Role] = EVERYONE;
/// Recording a referral: everyone but the read-only regulator and independent authors.
const REFERRERS: &[Role] = &[PartnershipAdmin, BoardChair, PanelChair, PanelMember, AgencyAuthor, AgencyHead, BoardMember];
const REFERRAL_EDITORS: &[Role] = &[PartnershipAdmin, PanelChair];
/// Lifecycle `record_screening_meeting`.
const MEETING_RECORDERS: &[Role] = &[PartnershipAdmin, PanelChair];
/// Lifecycle `recommend`.
const RECOMMENDERS: &[Role] = &[PanelChair];
/// Lifecycle `decide`.
const DECIDERS: &[Role] = &[BoardChair];
/// Lifecycle `secure_records`.
const RECORD_SECURERS: &[Role] = &[PartnershipAdmin];
const CRITERIA_ANSWERERS: &[Role] = &[PartnershipAdmin, PanelChair, PanelMember];
const ADMIN: &[Role] = &[PartnershipAdmin];
/// Extensions and waivers of deadlines (deadline_routes::require_clock_keeper).
const CLOCK_KEEPERS: &[Role] = &[PartnershipAdmin, BoardChair];
/// Adding people to a review (access::Need::ManageMembers): the board chair may, since only
/// they can override an independence rule.
const MEMBER_MANAGERS: &[Role] = &[PartnershipAdmin, BoardChair];
/// Recording that a step of the timetable was done (deadline_routes::require_process_runner).
const PROCESS_RUNNERS: &[Role] = &[PartnershipAdmin, BoardChair, PanelChair];
/// Coordinating IMRs for the panel: commissioning them and keeping the list of
/// practitioners involved (imr_routes::require_coordinator).
const IMR_COORDINATORS: &[Role] = &[PartnershipAdmin, PanelChair];
/// Appointing an IMR's author (imr::apply): the coordinators and the head of the IMR's
/// agency (the matrix's agency head is Health's, as is the IMR).
/// The board chair too: only they may override an independence rule when appointing.
const AUTHOR_APPOINTERS: &[Role] = &[PartnershipAdmin, BoardChair, PanelChair, AgencyHead];
/// Writing the IMR's sections: its appointed author only (the matrix's agency author).
const IMR_AUTHOR: &[Role] = &[AgencyAuthor];
/// Signing off an IMR (imr::apply): the head of the agency whose IMR it is.
const IMR_SIGNERS: &[Role] = &[AgencyHead];
/// Uploading and saving chronologies (chronology_routes::may_upload); agency staff only
/// their own agency's.
const UPLOADERS: &[Role] = &[PartnershipAdmin, PanelChair, OverviewAuthor, AgencyAuthor, AgencyHead];
/// Resolving discrepancies of the integrated chronology (chronology_routes::may_resolve).
const RESOLVERS: &[Role] = &[PartnershipAdmin, PanelChair, OverviewAuthor];
/// Editing the family and household (family_routes::may_edit).
const FAMILY_EDITORS: &[Role] = &[PartnershipAdmin, PanelChair, OverviewAuthor];
/// Sending the letters of 001 App. XI (letter_routes::may_send).
const LETTER_SENDERS: &[Role] = &[PartnershipAdmin, BoardChair, PanelChair];
/// Seeing the real names behind the pseudonyms (anonymisation_routes::may_see).
const REGISTER_READERS: &[Role] = &[PartnershipAdmin, BoardChair, PanelChair, OverviewAuthor];
/// Drafting recommendations (casereview_core::recommendations::may_draft).
const RECOMMENDATION_DRAFTERS: &[Role] = &[PartnershipAdmin, PanelChair, OverviewAuthor];
/// Placing and lifting publication holds (casereview_core::publishing::may_hold).
const HOLDERS: &[Role] = &[PartnershipAdmin, BoardChair];

/// The partnership's annual lessons report (learning_routes::require_report_reader).
const ANNUAL_REPORTERS: &[Role] = &[PartnershipAdmin, BoardChair];

const fn r(method: M, path: &'static str, who: Who, on: On, body: Body) -> Route {
    Route { method, path, who, on, body }
}

const REFERRED: On = On::Fresh(ReviewState::Referred);
const SCREENING: On = On::Fresh(ReviewState::Screening);
const RECOMMENDED: On = On::Fresh(ReviewState::Recommended);
/// A Serious Case Review the board chair has decided on.
const SCOPING: On = On::Fresh(ReviewState::Scoping);

/// Every route of the application and who may use it. `{id}` is the review, `{step}` an
/// open deadline of it, `{token}` someone's private calendar feed, `{imr}` Health's IMR of
/// the review, `{upload}` a pending Health upload of it, `{did}` a discrepancy of its
/// integrated chronology.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // JSON API (api::routes)
    r(M::Get,  "/api/v1/openapi.json",                   Who::Public,                     On::Nothing, Body::None),
    r(M::Get,  "/api/v1/me",                             Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/api/v1/reviews",                        Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Post, "/api/v1/referrals",                      Who::Roles(REFERRERS),           On::Nothing, Body::Referral),
    r(M::Get,  "/api/v1/reviews/{id}",                   Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Put,  "/api/v1/reviews/{id}/referral",          Who::Roles(REFERRAL_EDITORS),    REFERRED,    Body::ReferralUpdate),
    r(M::Get,  "/api/v1/reviews/{id}/screening-meetings", Who::Roles(MEMBERS),            On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/screening-meetings", Who::Roles(MEETING_RECORDERS),  REFERRED,    Body::Meeting),
    r(M::Get,  "/api/v1/reviews/{id}/recommendation",    Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/recommendation",    Who::Roles(RECOMMENDERS),        SCREENING,   Body::Recommendation),
    r(M::Get,  "/api/v1/reviews/{id}/decision",          Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/decision",          Who::Roles(DECIDERS),            RECOMMENDED, Body::Decision),
    r(M::Get,  "/api/v1/reviews/{id}/transitions",       Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/transitions",       Who::Roles(RECORD_SECURERS),     REFERRED,    Body::SecureRecords),
    r(M::Get,  "/api/v1/reviews/{id}/criteria",          Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Put,  "/api/v1/reviews/{id}/criteria",          Who::Roles(CRITERIA_ANSWERERS),  REFERRED,    Body::Criteria),
    r(M::Get,  "/api/v1/reviews/{id}/members",           Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/members",           Who::Roles(MEMBER_MANAGERS),     REFERRED,    Body::Member),
    r(M::Get,  "/api/v1/audit",                          Who::Roles(ADMIN),               On::Nothing, Body::None),
    r(M::Get,  "/api/v1/audit/verify",                   Who::Roles(ADMIN),               On::Nothing, Body::None),
    // JSON API (deadline_routes::api_routes)
    r(M::Get,  "/api/v1/deadlines",                      Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/api/v1/reviews/{id}/deadlines",         Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/deadlines/{step}/extensions", Who::Roles(CLOCK_KEEPERS), REFERRED, Body::Extension),
    r(M::Post, "/api/v1/reviews/{id}/deadlines/{step}/waiver", Who::Roles(CLOCK_KEEPERS),  REFERRED,    Body::Waiver),
    r(M::Post, "/api/v1/reviews/{id}/events",            Who::Roles(PROCESS_RUNNERS),     REFERRED,    Body::Event),
    r(M::Post, "/api/v1/calendar-feed",                  Who::Roles(EVERYONE),            On::Nothing, Body::None),
    // JSON API (imr_routes::api_routes)
    r(M::Get,  "/api/v1/reviews/{id}/imrs",              Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/api/v1/reviews/{id}/imrs",              Who::Roles(IMR_COORDINATORS),    SCOPING,     Body::Commission),
    r(M::Get,  "/api/v1/reviews/{id}/practitioners",     Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/api/v1/reviews/{id}/practitioners",     Who::Roles(IMR_COORDINATORS),    SCOPING,     Body::Practitioner),
    r(M::Get,  "/api/v1/imrs/{imr}",                     Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/api/v1/imrs/{imr}/steps",               Who::Roles(AUTHOR_APPOINTERS),   On::Imr(ImrStatus::Requested), Body::AppointAuthor),
    r(M::Put,  "/api/v1/imrs/{imr}/sections",            Who::Roles(IMR_AUTHOR),          On::Imr(ImrStatus::InProgress), Body::Sections),
    // JSON API (chronology_routes::api_routes)
    r(M::Get,  "/api/v1/reviews/{id}/chronology",        Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/api/v1/reviews/{id}/chronology/uploads?file_name=x.csv&agency=Health", Who::Roles(UPLOADERS), SCOPING, Body::Csv),
    r(M::Get,  "/api/v1/chronology/uploads/{upload}",    Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/api/v1/chronology/uploads/{upload}/confirm", Who::Roles(UPLOADERS),      On::Pending, Body::Confirm),
    r(M::Post, "/api/v1/reviews/{id}/chronology/discrepancies/{did}", Who::Roles(RESOLVERS), On::Discrepancy, Body::Resolve),
    // Pages (pages::routes, assets::routes)
    r(M::Get,  "/",                                      Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/healthz",                               Who::Public,                     On::Nothing, Body::None),
    r(M::Get,  "/assets/app.css",                        Who::Public,                     On::Nothing, Body::None),
    r(M::Get,  "/sign-in",                               Who::Public,                     On::Nothing, Body::None),
    // Nobody has no account: for them the form answers 401 and shows itself again.
    r(M::Post, "/sign-in",                               Who::Public,                     On::Nothing, Body::SignIn),
    r(M::Get,  "/referrals/new",                         Who::Roles(REFERRERS),           On::Nothing, Body::None),
    r(M::Post, "/referrals/new",                         Who::Roles(REFERRERS),           On::Nothing, Body::Referral),
    r(M::Get,  "/reviews/{id}",                          Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/referral/edit",            Who::Roles(REFERRAL_EDITORS),    On::Shared,  Body::None),
    r(M::Post, "/reviews/{id}/referral/edit",            Who::Roles(REFERRAL_EDITORS),    REFERRED,    Body::ReferralUpdate),
    r(M::Get,  "/reviews/{id}/screening-meetings/new",   Who::Roles(MEETING_RECORDERS),   On::Shared,  Body::None),
    r(M::Post, "/reviews/{id}/screening-meetings/new",   Who::Roles(MEETING_RECORDERS),   REFERRED,    Body::Meeting),
    r(M::Get,  "/reviews/{id}/recommendation",           Who::Roles(RECOMMENDERS),        SCREENING,   Body::None),
    r(M::Post, "/reviews/{id}/recommendation",           Who::Roles(RECOMMENDERS),        SCREENING,   Body::Recommendation),
    r(M::Get,  "/reviews/{id}/decision",                 Who::Roles(DECIDERS),            RECOMMENDED, Body::None),
    r(M::Post, "/reviews/{id}/decision",                 Who::Roles(DECIDERS),            RECOMMENDED, Body::Decision),
    r(M::Post, "/reviews/{id}/transitions",              Who::Roles(RECORD_SECURERS),     REFERRED,    Body::SecureRecords),
    r(M::Post, "/reviews/{id}/criteria",                 Who::Roles(CRITERIA_ANSWERERS),  REFERRED,    Body::Criteria),
    r(M::Post, "/reviews/{id}/members",                  Who::Roles(MEMBER_MANAGERS),     REFERRED,    Body::Member),
    r(M::Get,  "/audit",                                 Who::Roles(ADMIN),               On::Nothing, Body::None),
    // Pages (deadline_routes::page_routes)
    r(M::Get,  "/deadlines",                             Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Post, "/calendar-feed",                         Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/reviews/{id}/deadlines/{step}/extend",  Who::Roles(CLOCK_KEEPERS),       On::Shared,  Body::None),
    r(M::Post, "/reviews/{id}/deadlines/{step}/extend",  Who::Roles(CLOCK_KEEPERS),       REFERRED,    Body::Extension),
    r(M::Get,  "/reviews/{id}/deadlines/{done_step}/done", Who::Roles(PROCESS_RUNNERS),   On::Shared,  Body::None),
    r(M::Post, "/reviews/{id}/deadlines/{done_step}/done", Who::Roles(PROCESS_RUNNERS),   REFERRED,    Body::Done),
    // Pages (imr_routes::page_routes)
    r(M::Get,  "/reviews/{id}/imrs",                     Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/reviews/{id}/imrs",                     Who::Roles(IMR_COORDINATORS),    SCOPING,     Body::Commission),
    r(M::Post, "/reviews/{id}/practitioners",            Who::Roles(IMR_COORDINATORS),    SCOPING,     Body::Practitioner),
    r(M::Get,  "/imrs/{imr}",                            Who::Roles(MEMBERS),             On::Case,    Body::None),
    // The API row appoints the author; the page's form signs a submitted IMR off.
    r(M::Post, "/imrs/{imr}",                            Who::Roles(IMR_SIGNERS),         On::Imr(ImrStatus::Submitted), Body::SignOff),
    // Pages (chronology_routes::page_routes)
    r(M::Get,  "/reviews/{id}/chronology",               Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/reviews/{id}/chronology/upload",        Who::Roles(UPLOADERS),           SCOPING,     Body::Csv),
    r(M::Get,  "/chronology/uploads/{upload}",           Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/chronology/uploads/{upload}",           Who::Roles(UPLOADERS),           On::Pending, Body::Confirm),
    r(M::Post, "/reviews/{id}/chronology/discrepancies/{did}", Who::Roles(RESOLVERS),     On::Discrepancy, Body::Resolve),
    r(M::Get,  "/reviews/{id}/chronology/export.xlsx",   Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Get,  "/reviews/{id}/chronology/export.csv",    Who::Roles(MEMBERS),             On::Case,    Body::None),
    // Pages (family_routes::page_routes); the case file has a family saved.
    r(M::Get,  "/reviews/{id}/family",                   Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Post, "/reviews/{id}/family",                   Who::Roles(FAMILY_EDITORS),      REFERRED,    Body::Family),
    r(M::Get,  "/reviews/{id}/genogram.svg",             Who::Roles(MEMBERS),             On::Case,    Body::None),
    // Pages (letter_routes::page_routes): each download is a recorded copy.
    r(M::Get,  "/reviews/{id}/letters",                  Who::Roles(LETTER_SENDERS),      On::Case,    Body::None),
    r(M::Get,  "/reviews/{id}/letters/letter-1/download?format=pdf", Who::Roles(LETTER_SENDERS), On::Case, Body::None),
    r(M::Get,  "/reviews/{id}/referral/download?format=docx", Who::Roles(MEMBERS),        On::Case,    Body::None),
    // Pages (anonymisation_routes::page_routes)
    r(M::Get,  "/reviews/{id}/anonymisation",            Who::Roles(REGISTER_READERS),    On::Case,    Body::None),
    // Pages (proceedings_routes, scoping_routes, meeting_routes): every member reads.
    r(M::Get,  "/reviews/{id}/proceedings",              Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/notifications",            Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/notifications/ofsted",     Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/scoping",                  Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/involvement",              Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/joint-review",             Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/reviews/{id}/meetings",                 Who::Roles(MEMBERS),             On::Shared,  Body::None),
    // JSON API (records_api::api_routes)
    r(M::Get,  "/api/v1/reviews/{id}/proceedings",       Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/api/v1/reviews/{id}/meetings",          Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/api/v1/reviews/{id}/notifications",     Who::Roles(MEMBERS),             On::Shared,  Body::None),
    // Recommendations and action plans (action_routes): reads of the case file.
    r(M::Get,  "/api/v1/reviews/{id}/recommendations",   Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Get,  "/api/v1/reviews/{id}/action-plan",       Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Get,  "/reviews/{id}/recommendations",          Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Get,  "/reviews/{id}/recommendations/new",      Who::Roles(RECOMMENDATION_DRAFTERS), On::Case, Body::None),
    r(M::Get,  "/reviews/{id}/action-plan",              Who::Roles(MEMBERS),             On::Case,    Body::None),
    r(M::Get,  "/reviews/{id}/action-plan.csv",          Who::Roles(MEMBERS),             On::Case,    Body::None),
    // Publication (publication_routes): the published list is public.
    r(M::Get,  "/published",                             Who::Public,                     On::Nothing, Body::None),
    r(M::Get,  "/api/v1/published",                      Who::Public,                     On::Nothing, Body::None),
    r(M::Get,  "/reviews/{id}/publication-holds",        Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/reviews/{id}/publication-holds",        Who::Roles(HOLDERS),             REFERRED,    Body::Hold),
    r(M::Get,  "/api/v1/reviews/{id}/publication-holds", Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Post, "/api/v1/reviews/{id}/publication-holds", Who::Roles(HOLDERS),             REFERRED,    Body::Hold),
    // Learning across reviews (learning_routes): each shows only the caller's reviews; the
    // partnership's annual report is for those who see every review.
    r(M::Get,  "/api/v1/search?q=child",                 Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/api/v1/learning/trends",                Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/api/v1/learning/tags",                  Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/api/v1/reviews/{id}/learning",          Who::Roles(MEMBERS),             On::Shared,  Body::None),
    r(M::Get,  "/search?q=child",                        Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/learning",                              Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/learning/themes.svg",                   Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/learning/tags",                         Who::Roles(EVERYONE),            On::Nothing, Body::None),
    r(M::Get,  "/learning/annual-report.pdf?year=2026",  Who::Roles(ANNUAL_REPORTERS),    On::Nothing, Body::None),
    r(M::Get,  "/reviews/{id}/learning",                 Who::Roles(MEMBERS),             On::Shared,  Body::None),
    // The link is the credential: calendar programs cannot sign in.
    r(M::Get,  "/calendar/{token}.ics",                  Who::Public,                     On::Feed,    Body::None),
    // Last: it ends each caller's session.
    r(M::Post, "/sign-out",                              Who::Roles(EVERYONE),            On::Nothing, Body::SignOut),
];

/// Where the application is known to disagree with the table (reported, not fixed here).
struct Known {
    method: M,
    path: &'static str,
    who: &'static [&'static str],
    status: u16,
    why: &'static str,
}

const KNOWN: &[Known] = &[];

// ---------------------------------------------------------------- callers and answers

impl M {
    fn as_str(self) -> &'static str {
        match self {
            M::Get => "GET",
            M::Post => "POST",
            M::Put => "PUT",
        }
    }

    fn http(self) -> reqwest::Method {
        match self {
            M::Get => reqwest::Method::GET,
            M::Post => reqwest::Method::POST,
            M::Put => reqwest::Method::PUT,
        }
    }
}

impl Route {
    fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    fn is_write(&self) -> bool {
        self.method != M::Get
    }

    /// In a review: by its id, or by one of its IMRs or chronology uploads.
    fn is_review_scoped(&self) -> bool {
        ["{id}", "{imr}", "{upload}"].iter().any(|p| self.path.contains(p))
    }

    fn allows(&self, role: Role) -> bool {
        match self.who {
            Who::Public => true,
            Who::Roles(roles) => roles.contains(&role),
        }
    }
}

/// Someone calling: a role's user, a stranger to the review, or nobody.
struct Caller {
    who: String,
    /// `None` for nobody.
    email: Option<String>,
    role: Option<Role>,
    api: Api,
    /// A signed-in browser (a cookie-less client for nobody).
    browser: Browser,
}

impl Caller {
    async fn signed_in(app: &TestApp, who: String, email: &str, role: Role) -> Caller {
        Caller { who, email: Some(email.to_string()), role: Some(role), api: app.api(email).await, browser: app.browser(email).await }
    }

    fn nobody(app: &TestApp) -> Caller {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Caller {
            who: "nobody".into(),
            email: None,
            role: None,
            api: app.anonymous_api(),
            browser: Browser { base: app.base.clone(), client, csrf: String::new() },
        }
    }
}

/// Nobody first, then every role in the order of `Role::ALL`.
async fn everyone(env: &Env) -> Vec<Caller> {
    let app = &env.app;
    let mut v = vec![Caller::nobody(app)];
    for role in Role::ALL {
        v.push(Caller::signed_in(app, role.as_str().to_string(), env.email(role), role).await);
    }
    v
}

struct Reply {
    status: u16,
    location: Option<String>,
    body: String,
}

async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Reply { status, location, body: r.text().await.unwrap() }
}

/// What an answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// 200, 201, or a 303 onwards that is not to the sign-in page.
    Succeeded,
    /// 409 or 422: let in, then refused by the domain.
    RefusedByDomain,
    /// API 401.
    Unauthenticated,
    /// Page 303 to /sign-in?next=...
    SentToSignIn,
    /// 403 for the role (not for CSRF).
    Forbidden,
    NotFound,
    /// 403 because of the CSRF token.
    CsrfRefused,
    Other,
}

/// The session-CSRF refusal's wording (WebError::Csrf), on pages and in problem+json.
const CSRF_REFUSAL: &str = "did not come from this site";

fn verdict(r: &Reply) -> Verdict {
    match r.status {
        200 | 201 => Verdict::Succeeded,
        303 if r.location.as_deref().is_some_and(|l| l.starts_with("/sign-in?")) => Verdict::SentToSignIn,
        303 => Verdict::Succeeded,
        401 => Verdict::Unauthenticated,
        403 if r.body.contains(CSRF_REFUSAL) => Verdict::CsrfRefused,
        403 => Verdict::Forbidden,
        404 => Verdict::NotFound,
        409 | 422 => Verdict::RefusedByDomain,
        _ => Verdict::Other,
    }
}

/// What the table expects of one caller on one route.
fn expected(route: &Route, caller: &Caller) -> &'static [Verdict] {
    const ALLOWED: &[Verdict] = &[Verdict::Succeeded];
    const DENIED: &[Verdict] = &[Verdict::Forbidden, Verdict::NotFound];
    match (caller.role, route.who) {
        (None, Who::Public) if route.body == Body::SignIn => &[Verdict::Unauthenticated],
        (None, Who::Public) => ALLOWED,
        (None, Who::Roles(_)) if route.is_api() => &[Verdict::Unauthenticated],
        (None, Who::Roles(_)) => &[Verdict::SentToSignIn],
        (Some(role), _) if route.allows(role) => ALLOWED,
        (Some(_), _) => DENIED,
    }
}

fn describe(v: &[Verdict]) -> String {
    v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(" or ")
}

struct Mismatch {
    method: M,
    path: &'static str,
    who: String,
    status: u16,
    detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} as {}: {} — {}", self.method.as_str(), self.path, self.who, self.status, self.detail)
    }
}

// ---------------------------------------------------------------- fixtures and bodies

/// A review with every role a member (agency staff: Health's), brought to `state` by the
/// people whose step it is.
async fn review_in(env: &Env, state: ReviewState) -> i64 {
    let app = &env.app;
    let id = review_with_everyone(env).await;
    let panel = app.api(app.email(PanelChair)).await;
    if matches!(state, ReviewState::Screening | ReviewState::Recommended | ReviewState::Scoping) {
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &meeting_json("conduct_serious_case_review")).await;
        assert_eq!(s, 201, "{v}");
    }
    if matches!(state, ReviewState::Recommended | ReviewState::Scoping) {
        let (s, v) = panel.post(&format!("/api/v1/reviews/{id}/recommendation"), &recommendation_json()).await;
        assert_eq!(s, 201, "{v}");
    }
    if state == ReviewState::Scoping {
        let chair = app.api(app.email(BoardChair)).await;
        let (s, v) = chair.post(&format!("/api/v1/reviews/{id}/decision"), &decision_json()).await;
        assert_eq!(s, 201, "{v}");
    }
    let now = app.state.store.review(id).await.unwrap().summary.state;
    assert_eq!(now, state, "fixture review {id}");
    id
}

/// A new review with every role a member: the harness's people, except that the agency
/// author and agency head are the matrix's Health accounts.
async fn review_with_everyone(env: &Env) -> i64 {
    let roles: Vec<Role> = Role::ALL.into_iter().filter(|r| !env.health.contains_key(r)).collect();
    let id = env.app.review_with_members(&roles).await;
    for email in env.health.values() {
        let uid = env.app.user_id(email).await;
        let (s, v) = env.admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({ "user_id": uid })).await;
        assert_eq!(s, 200, "{v}");
    }
    id
}

fn recommendation_json() -> Value {
    json!({"option": "conduct_serious_case_review", "reasons": "Criteria met", "legal_advice_sought": "no", "signed_by": "Test Panel chair", "signed_on": "2026-06-06"})
}

fn decision_json() -> Value {
    json!({"kind": "serious_case_review", "issues_of_significance": "Information sharing", "proposed_overview_author": "M Lowe", "signed_by": "Test Board chair", "decided_on": "2026-06-08"})
}

/// Health's chronology: valid, every row Health's.
const HEALTH_CSV: &str = "Date,Name,Role,Significant event,Child seen?,Agency\n12/03/2024,Child T,Health Visitor 1,\"Home visit to the family, child seen asleep in cot\",Yes,Health\n18/03/2024,Child T,Safeguarding Nurse,Strategy discussion held with police and social care,,Health\n";
/// Police's account of the same days: the child not seen, the strategy discussion later.
const POLICE_CSV: &str = "Date,Name,Role,Significant event,Child seen?,Agency\n12/03/2024,Child T,PC 1,\"Home visit to the family, child seen asleep\",No,Police\n20/03/2024,Child T,DS 2,Strategy discussion held with health and social care,,Police\n";

/// Uploads an agency's chronology as the board manager; it must have no problems.
async fn upload(env: &Env, id: i64, agency: &str, csv: &str) -> i64 {
    let path = format!("/api/v1/reviews/{id}/chronology/uploads?file_name={agency}.csv&agency={agency}");
    let (s, body) = env.admin.raw(reqwest::Method::POST, &path, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, 201, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64()), (Some(0), Some(0)), "{v}");
    v["id"].as_i64().unwrap()
}

/// Health's and Police's chronologies saved; returns a discrepancy between them.
async fn disagreeing_chronologies(env: &Env, id: i64) -> String {
    for (agency, csv) in [("Health", HEALTH_CSV), ("Police", POLICE_CSV)] {
        let uid = upload(env, id, agency, csv).await;
        let (s, v) = env.admin.post(&format!("/api/v1/chronology/uploads/{uid}/confirm"), &json!({})).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) = env.admin.get(&format!("/api/v1/reviews/{id}/chronology")).await;
    assert_eq!(s, 200, "{v}");
    v["discrepancies"][0]["id"].as_str().unwrap_or_else(|| panic!("no discrepancy: {v}")).to_string()
}

/// Health's IMR on a decided review, brought to `status` by the people whose step it is.
async fn imr_in(env: &Env, id: i64, status: ImrStatus) -> i64 {
    let (s, v) = env.admin.post(&format!("/api/v1/reviews/{id}/imrs"), &json!({"agencies": ["Health"], "due_on": "2026-07-13"})).await;
    assert_eq!(s, 201, "{v}");
    let imr = v.as_array().unwrap().iter().find(|i| i["agency"] == "Health").unwrap()["id"].as_i64().unwrap();
    let author = env.app.api(env.email(AgencyAuthor)).await;
    let steps = [
        (ImrStatus::AuthorAppointed, &env.admin, json!({"action": "appoint_author", "author_user_id": env.author_id})),
        (ImrStatus::InProgress, &author, json!({"action": "start"})),
        (ImrStatus::Submitted, &author, json!({"action": "submit"})),
    ];
    for (to, api, body) in steps {
        if env.app.state.store.imr(imr).await.unwrap().status == status {
            break;
        }
        let (s, v) = api.post(&format!("/api/v1/imrs/{imr}/steps"), &body).await;
        assert_eq!((s, v["status"].as_str()), (200, Some(to.as_str())), "{v}");
    }
    assert_eq!(env.app.state.store.imr(imr).await.unwrap().status, status);
    imr
}

/// How the case file's discrepancy between Health and Police was resolved.
const CASE_NOTE: &str = "Health's visit was the evening before the police's";

/// The shared case file of the reads (see [`On::Case`]), its discrepancy resolved.
async fn case_file(env: &Env) -> Target {
    let id = review_in(env, ReviewState::Scoping).await;
    let imr = imr_in(env, id, ImrStatus::AuthorAppointed).await;
    let (s, v) = env.admin.post(&format!("/api/v1/reviews/{id}/practitioners"), &practitioner_json()).await;
    assert_eq!(s, 201, "{v}");
    let did = disagreeing_chronologies(env, id).await;
    let (s, v) = env
        .admin
        .post(&format!("/api/v1/reviews/{id}/chronology/discrepancies/{did}"), &json!({"resolution": "note", "note": CASE_NOTE}))
        .await;
    assert_eq!(s, 201, "{v}");
    upload(env, id, "Health", HEALTH_CSV).await;
    let family = Family { people: vec![Person::new("c", "Child T", Sex::Unknown).subject()], relationships: vec![] };
    let system = Actor::system(env.app.state.store.review(id).await.unwrap().summary.partnership_id);
    env.app.state.store.save_family(&system, id, 0, &family).await.unwrap();
    Target { review: Some(id), token: None, imr: Some(imr), did: Some(did) }
}

fn practitioner_json() -> Value {
    json!({"name": "Jo Bloggs", "agency": "Health", "role": "Health Visitor", "line_manager": "Ann Smith"})
}

/// The application with what the calls need: the board manager's API client (used only
/// to read, so it writes nothing a snapshot would see, and to prepare fixtures), and the
/// matrix's agency author and agency head, who belong to Health (the harness's have no
/// agency, and agency staff without one are refused every chronology).
struct Env {
    app: TestApp,
    admin: Api,
    member_id: i64,
    /// Role -> email of the matrix's Health accounts.
    health: BTreeMap<Role, String>,
    /// The matrix's agency author, who is appointed to write Health's IMRs.
    author_id: i64,
}

impl Env {
    async fn new(backend: Backend) -> Env {
        let app = TestApp::spawn(backend).await;
        let admin = app.api(app.email(PartnershipAdmin)).await;
        let member_id = app.user_id(app.email(PanelMember)).await;
        let store = &app.state.store;
        let (a, hash) = store.user_by_email(app.email(PartnershipAdmin)).await.unwrap().unwrap();
        let mut health = BTreeMap::new();
        for role in [AgencyAuthor, AgencyHead] {
            let email = format!("{}.health@testshire.example", role.as_str());
            let u = NewUser {
                partnership_id: a.partnership_id,
                email: email.clone(),
                name: format!("Health {}", role.title()),
                role,
                agency: Some("Health".into()),
                password_hash: hash.clone(),
            };
            store.create_user(&Actor::system(a.partnership_id), &u).await.unwrap();
            health.insert(role, email);
        }
        let author_id = app.user_id(&health[&AgencyAuthor]).await;
        Env { app, admin, member_id, health, author_id }
    }

    /// The email of the matrix's person in this role.
    fn email(&self, role: Role) -> &str {
        self.health.get(&role).map_or_else(|| self.app.email(role), String::as_str)
    }
}

/// What a route is called on.
#[derive(Clone, Default)]
struct Target {
    review: Option<i64>,
    token: Option<String>,
    imr: Option<i64>,
    did: Option<String>,
}

/// The reviews every route of a test may share.
struct Shared {
    /// A referred review with every role a member.
    review: i64,
    case: Target,
}

impl Shared {
    async fn new(env: &Env) -> Shared {
        Shared { review: review_with_everyone(env).await, case: case_file(env).await }
    }

    /// For writes, which never use a shared review.
    fn none() -> Shared {
        Shared { review: 0, case: Target::default() }
    }
}

/// What a call needs to know at its moment.
struct Ctx {
    path: String,
    version: i64,
    member_id: i64,
    /// The first open deadline with a date, its new date (ISO) and who agrees extensions.
    step: String,
    new_due: Option<NaiveDate>,
    agreed_by: String,
    /// The first open step that people record as done by hand, and its event.
    done_step: String,
    done_event: String,
    /// The first agency not yet asked for an IMR on the review.
    agency: String,
    author_id: i64,
    imr: String,
    imr_version: i64,
    /// The review's first pending Health upload (else its first upload).
    upload: String,
    did: String,
    /// The version of the review's family and household (0 when none is saved).
    family_version: i64,
}

async fn ctx(env: &Env, route: &Route, t: &Target) -> Ctx {
    let mut c = Ctx {
        path: String::new(),
        version: 0,
        member_id: env.member_id,
        step: "none".into(),
        new_due: None,
        agreed_by: "board_chair".into(),
        done_step: "none".into(),
        done_event: "none".into(),
        agency: "Police".into(),
        author_id: env.author_id,
        imr: t.imr.map_or("none".into(), |i| i.to_string()),
        imr_version: 0,
        upload: "none".into(),
        did: t.did.clone().unwrap_or("none".into()),
        family_version: 0,
    };
    let store = &env.app.state.store;
    if let Some(imr) = t.imr {
        c.imr_version = store.imr(imr).await.unwrap().version;
    }
    if let Some(id) = t.review {
        c.version = store.review(id).await.unwrap().summary.version;
        c.family_version = store.family(id).await.unwrap().map_or(0, |f| f.version);
        let imrs = store.imrs(id).await.unwrap();
        if let Some(a) =
            ["Police", "Education", "Children's Social Care", "Voluntary Sector"].into_iter().find(|a| !imrs.iter().any(|i| i.agency == *a))
        {
            c.agency = a.into();
        }
        let uploads = store.chronology_uploads(id).await.unwrap();
        if let Some(u) = uploads.iter().find(|u| u.status == "pending" && u.agency == "Health").or(uploads.first()) {
            c.upload = u.id.to_string();
        }
        let (_, v) = env.admin.get(&format!("/api/v1/reviews/{id}/deadlines")).await;
        let open = v
            .as_array()
            .unwrap()
            .iter()
            .find(|d| matches!(d["status"].as_str(), Some("upcoming" | "due_soon" | "overdue")) && d["due"].is_string());
        let done = v
            .as_array()
            .unwrap()
            .iter()
            .find(|d| matches!(d["status"].as_str(), Some("upcoming" | "due_soon" | "overdue")) && d["done_event"].is_string());
        if let Some(d) = done {
            c.done_step = d["step"].as_str().unwrap().to_string();
            c.done_event = d["done_event"].as_str().unwrap().to_string();
        }
        if let Some(d) = open {
            c.step = d["step"].as_str().unwrap().to_string();
            let due = NaiveDate::parse_from_str(&d["due"].as_str().unwrap()[..10], "%Y-%m-%d").unwrap();
            c.new_due = Some(due + chrono::Duration::days(14));
            if let Some(by) = d["extension_by"].as_str() {
                c.agreed_by = by.to_string();
            }
        }
    }
    c.path = route
        .path
        .replace("{id}", &t.review.map(|i| i.to_string()).unwrap_or_default())
        .replace("{step}", &c.step)
        .replace("{done_step}", &c.done_step)
        .replace("{token}", t.token.as_deref().unwrap_or(""))
        .replace("{imr}", &c.imr)
        .replace("{upload}", &c.upload)
        .replace("{did}", &c.did);
    c
}

fn json_body(body: Body, c: &Ctx) -> Option<Value> {
    Some(match body {
        Body::None | Body::SignIn | Body::SignOut | Body::Csv | Body::Family => return None,
        Body::Referral => referral_json("Child R"),
        Body::ReferralUpdate => {
            let mut referral = referral_json("Child T");
            referral["carer_at_time"] = json!("Father");
            json!({"version": c.version, "referral": referral})
        }
        Body::Meeting => meeting_json("conduct_serious_case_review"),
        Body::Recommendation => recommendation_json(),
        Body::Decision => decision_json(),
        Body::SecureRecords => json!({"action": "secure_records"}),
        Body::Criteria => json!({"answers": {"risk_not_recognised": true}}),
        Body::Member => json!({"user_id": c.member_id}),
        Body::Extension => {
            json!({"new_due": c.new_due.unwrap().to_string(), "agreed_by_role": c.agreed_by, "agreed_by_name": "Test Board chair", "reason": "Police disclosure awaited"})
        }
        Body::Waiver => json!({"reason": "Not needed for this review"}),
        Body::Event => json!({"event": c.done_event, "on": "2026-06-15"}),
        Body::Done => json!({"on": "2026-06-15"}),
        Body::Commission => json!({"agencies": [c.agency], "due_on": "2026-07-13"}),
        Body::Practitioner => practitioner_json(),
        Body::AppointAuthor => json!({"action": "appoint_author", "author_user_id": c.author_id}),
        Body::Sections => json!({"version": c.imr_version, "sections": {"analysis": "What was known, by whom, and when."}}),
        Body::SignOff => json!({"action": "sign_off"}),
        Body::Confirm => json!({}),
        Body::Resolve => json!({"resolution": "note", "note": "The police visit was the next morning."}),
        Body::Hold => json!({"kind": "inquest", "reason": "Coroner's hearing not yet held"}),
    })
}

/// An API request with the route's body: JSON, or the raw file of an upload.
fn with_body(rb: reqwest::RequestBuilder, body: Body, c: &Ctx) -> reqwest::RequestBuilder {
    match (body, json_body(body, c)) {
        (Body::Csv, _) => rb.header("content-type", "text/csv").body(HEALTH_CSV),
        (_, Some(b)) => rb.json(&b),
        (_, None) => rb,
    }
}

/// A multipart/form-data body as a browser sends a file input: (name, file name, value).
fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, String) {
    const BOUNDARY: &str = "----casereview-access-matrix";
    let mut body = String::new();
    for (name, file, value) in parts {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\""));
        match file {
            Some(f) => body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n")),
            None => body.push_str("\r\n\r\n"),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

fn referral_fields(child: &str) -> Vec<(String, String)> {
    [
        ("referrer-name", "Sam Referrer"),
        ("referrer-position", "Health Visitor"),
        ("referrer-agency", "Health"),
        ("referrer-contact", "01632 960001"),
        ("referrer-line_manager_aware", "yes"),
        ("child-name", child),
        ("child-date_of_birth", "01/02/2025"),
        ("child-disability", "no"),
        ("child-special_educational_needs", "no"),
        ("child-child_protection_plan", "no"),
        ("family-0-name", "Father F"),
        ("family-0-relationship", "Father"),
        ("family_disability", "no"),
        ("family_child_protection_plan", "no"),
        ("agencies_involved-0-agency", "Police"),
        ("agencies_involved-0-still_involved", "yes"),
        ("triggers-serious_harm", "true"),
        ("where_child_was", "At home"),
        ("carer_at_time", "Father"),
        ("incident_date", "10/06/2026"),
        ("incident_details", "Fractured skull"),
        ("key_events-0-date", "01/06/2026"),
        ("key_events-0-event", "A&E attendance"),
        ("signed_by", "Sam Referrer"),
        ("signed_on", "11/06/2026"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn form_fields(body: Body, c: &Ctx) -> Vec<(String, String)> {
    let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    match body {
        Body::None | Body::SignIn | Body::SignOut => Vec::new(),
        // The file and the agency it is for (ignored for agency staff: their own).
        Body::Csv => pairs(&[("agency", "Health")]),
        Body::Referral => referral_fields("Child R"),
        Body::ReferralUpdate => {
            let mut f = referral_fields("Child T");
            f.push(("version".into(), c.version.to_string()));
            f
        }
        Body::Meeting => pairs(&[
            ("held_on", "05/06/2026"),
            ("chair", "Test Panel chair"),
            ("attendees-0-name", "A"),
            ("attendees-0-organisation", "Police"),
            ("attendees-0-vote", "conduct_serious_case_review"),
            ("attendees-1-name", "B"),
            ("attendees-1-organisation", "Health"),
            ("attendees-1-vote", "conduct_serious_case_review"),
            ("attendees-2-name", "C"),
            ("attendees-2-organisation", "Education"),
            ("attendees-2-vote", "conduct_serious_case_review"),
        ]),
        Body::Recommendation => pairs(&[
            ("option", "conduct_serious_case_review"),
            ("reasons", "Criteria met"),
            ("legal_advice_sought", "no"),
            ("signed_by", "Test Panel chair"),
            ("signed_on", "06/06/2026"),
        ]),
        Body::Decision => pairs(&[
            ("kind", "serious_case_review"),
            ("issues_of_significance", "Information sharing"),
            ("signed_by", "Test Board chair"),
            ("decided_on", "07/06/2026"),
        ]),
        Body::SecureRecords => pairs(&[("action", "secure_records")]),
        Body::Criteria => pairs(&[("risk_not_recognised", "yes")]),
        Body::Member => vec![("user_id".into(), c.member_id.to_string())],
        Body::Extension => vec![
            ("new_due".into(), c.new_due.unwrap().format("%d/%m/%Y").to_string()),
            ("agreed_by_role".into(), c.agreed_by.clone()),
            ("agreed_by_name".into(), "Test Board chair".into()),
            ("reason".into(), "Police disclosure awaited".into()),
        ],
        Body::Waiver => pairs(&[("reason", "Not needed for this review")]),
        Body::Event => vec![("event".into(), c.done_event.clone()), ("on".into(), "15/06/2026".into())],
        Body::Done => pairs(&[("on", "15/06/2026")]),
        Body::Commission => vec![("agencies".into(), c.agency.clone()), ("due_on".into(), "13/07/2026".into())],
        Body::Practitioner => {
            pairs(&[("name", "Jo Bloggs"), ("agency", "Health"), ("role", "Health Visitor"), ("line_manager", "Ann Smith")])
        }
        Body::AppointAuthor => vec![("action".into(), "appoint_author".into()), ("author_user_id".into(), c.author_id.to_string())],
        Body::Sections => vec![
            ("save".into(), "sections".into()),
            ("version".into(), c.imr_version.to_string()),
            ("section-analysis".into(), "What was known, by whom, and when.".into()),
        ],
        Body::SignOff => pairs(&[("action", "sign_off")]),
        Body::Confirm => pairs(&[("choice", "save")]),
        Body::Resolve => pairs(&[("resolution", "note"), ("note", "The police visit was the next morning.")]),
        Body::Hold => pairs(&[("kind", "inquest"), ("reason", "Coroner's hearing not yet held")]),
        Body::Family => {
            let mut f = pairs(&[
                ("subject", "p1"),
                ("people-0-id", "p1"),
                ("people-0-name", "Child T"),
                ("people-0-household", "true"),
                ("people-1-id", "p2"),
                ("people-1-name", "Mother T"),
                ("people-1-sex", "female"),
                ("rels-0-a", "p2"),
                ("rels-0-kind", "parent"),
                ("rels-0-b", "p1"),
            ]);
            f.push(("version".into(), c.family_version.to_string()));
            f
        }
    }
}

/// How a call carries its CSRF token (pages: the form field; API: the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Csrf {
    /// The session's own token (pages only; bearer API calls need none).
    Session,
    Missing,
    Wrong,
}

/// Makes one call of a route as a caller: the API with the caller's bearer token, a page
/// with the caller's browser session.
async fn call(env: &Env, caller: &Caller, route: &Route, t: &Target, csrf: Csrf) -> Reply {
    let app = &env.app;
    let c = ctx(env, route, t).await;
    let path = c.path.clone();
    if route.is_api() {
        let mut rb = caller.api.client.request(route.method.http(), app.url(&path));
        if let Some(t) = &caller.api.token {
            rb = rb.bearer_auth(t);
        }
        return reply(with_body(rb, route.body, &c).send().await.unwrap()).await;
    }
    if route.body == Body::SignIn {
        return sign_in(app, caller.email.as_deref().unwrap_or("nobody@testshire.example")).await;
    }
    let b = &caller.browser;
    let rb = b.client.request(route.method.http(), app.url(&path));
    let rb = if route.method == M::Get {
        rb
    } else {
        let mut fields = form_fields(route.body, &c);
        match csrf {
            Csrf::Session if caller.role.is_some() => fields.push(("csrf_token".into(), b.csrf.clone())),
            Csrf::Session | Csrf::Missing => {}
            Csrf::Wrong => fields.push(("csrf_token".into(), auth::new_token())),
        }
        if route.body == Body::Csv {
            let mut parts: Vec<(&str, Option<&str>, &str)> = fields.iter().map(|(k, v)| (k.as_str(), None, v.as_str())).collect();
            parts.push(("file", Some("health.csv"), HEALTH_CSV));
            let (content_type, body) = multipart(&parts);
            rb.header("content-type", content_type).body(body)
        } else {
            rb.form(&fields)
        }
    };
    reply(rb.send().await.unwrap()).await
}

/// The sign-in form as a browser fills it in (with its double-submit token).
async fn sign_in(app: &TestApp, email: &str) -> Reply {
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = client.get(app.url("/sign-in")).send().await.unwrap().text().await.unwrap();
    let token = hidden(&page, "csrf_token").unwrap();
    reply(
        client
            .post(app.url("/sign-in"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", &token), ("next", "/")])
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Everything a refused write must leave alone: the review, its IMRs, practitioners and
/// chronology (uploads, entries, resolutions), and the audit log.
async fn snapshot(app: &TestApp, review: Option<i64>) -> (usize, Value) {
    let store = &app.state.store;
    let events = store.verify_audit().await.unwrap();
    let r = match review {
        Some(id) => {
            let mut entries: Vec<String> =
                store.chronology_entries(id, None).await.unwrap().iter().map(|e| serde_json::to_string(e).unwrap()).collect();
            entries.sort();
            json!({
                "review": store.review(id).await.unwrap(),
                "imrs": store.imrs(id).await.unwrap(),
                "practitioners": store.practitioners(id).await.unwrap(),
                "uploads": store.chronology_uploads(id).await.unwrap(),
                "entries": entries,
                "resolutions": store.resolutions(id).await.unwrap(),
                "family": store.family(id).await.unwrap(),
            })
        }
        None => Value::Null,
    };
    (events, r)
}

/// Calls a route as a caller and records any disagreement with `expect`. Refused writes
/// must change nothing.
async fn check(env: &Env, caller: &Caller, route: &'static Route, t: &Target, expect: &[Verdict], out: &mut Vec<Mismatch>) {
    let app = &env.app;
    let refused = !expect.contains(&Verdict::Succeeded);
    let before = if route.is_write() && refused { Some(snapshot(app, t.review).await) } else { None };
    let reply = call(env, caller, route, t, Csrf::Session).await;
    let got = verdict(&reply);
    let mismatch =
        |detail: String| Mismatch { method: route.method, path: route.path, who: caller.who.clone(), status: reply.status, detail };
    if !expect.contains(&got) {
        let body: String = reply.body.chars().take(160).collect();
        out.push(mismatch(format!("{got:?}, expected {} (location {:?}; body {body:?})", describe(expect), reply.location)));
    }
    if let Some(before) = before {
        if snapshot(app, t.review).await != before {
            out.push(mismatch("a refused call changed the review or the audit log".into()));
        }
    }
    // Signing out must end the session.
    if route.body == Body::SignOut && got == Verdict::Succeeded {
        let r = reply_of(caller.browser.client.get(app.url("/"))).await;
        if verdict(&r) != Verdict::SentToSignIn {
            out.push(mismatch(format!("the session still works after signing out: GET / answered {}", r.status)));
        }
    }
}

async fn reply_of(rb: reqwest::RequestBuilder) -> Reply {
    reply(rb.send().await.unwrap()).await
}

/// What a route is called on: a fresh review or feed link when the route needs one.
async fn target(env: &Env, route: &Route, shared: &Shared) -> Target {
    let app = &env.app;
    let review = |id: i64| Target { review: Some(id), ..Target::default() };
    match route.on {
        On::Nothing => Target::default(),
        On::Shared => review(shared.review),
        On::Case => shared.case.clone(),
        On::Fresh(state) => review(review_in(env, state).await),
        On::Imr(status) => {
            let id = review_in(env, ReviewState::Scoping).await;
            Target { imr: Some(imr_in(env, id, status).await), ..review(id) }
        }
        On::Pending => {
            let id = review_in(env, ReviewState::Scoping).await;
            let allowed = match route.who {
                Who::Public => Role::ALL.len(),
                Who::Roles(r) => r.len(),
            };
            for _ in 0..allowed {
                upload(env, id, "Health", HEALTH_CSV).await;
            }
            review(id)
        }
        On::Discrepancy => {
            let id = review_in(env, ReviewState::Scoping).await;
            Target { did: Some(disagreeing_chronologies(env, id).await), ..review(id) }
        }
        On::Feed => {
            let (user, _) = app.state.store.user_by_email(app.email(BoardMember)).await.unwrap().unwrap();
            let token = auth::new_token();
            app.state.store.set_calendar_feed(&user, &auth::token_hash(&token)).await.unwrap();
            Target { token: Some(token), ..Target::default() }
        }
    }
}

/// Sets known disagreements aside (each must still happen) and fails on everything else.
fn finish(backend: Backend, cells: usize, mismatches: Vec<Mismatch>, known_here: &[(&Known, &str)]) -> Vec<String> {
    let is_known =
        |m: &Mismatch| known_here.iter().any(|(k, who)| k.method == m.method && k.path == m.path && *who == m.who && k.status == m.status);
    let (known, unknown): (Vec<_>, Vec<_>) = mismatches.into_iter().partition(is_known);
    let mut problems: Vec<String> = unknown.iter().map(|m| format!("{backend:?}: {m}")).collect();
    for (k, who) in known_here {
        if known.iter().any(|m| m.method == k.method && m.path == k.path && m.who == *who) {
            eprintln!("{backend:?}: known: {} {} as {who}: {} — {}", k.method.as_str(), k.path, k.status, k.why);
        } else {
            problems.push(format!(
                "{backend:?}: {} {} as {who} no longer answers {}: remove it from KNOWN ({})",
                k.method.as_str(),
                k.path,
                k.status,
                k.why
            ));
        }
    }
    eprintln!("{backend:?}: {cells} calls checked, {} known disagreements, {} problems", known.len(), problems.len());
    problems
}

/// The KNOWN entries for these callers and routes.
fn known_for<'a>(routes: &[&Route], callers: &'a [String]) -> Vec<(&'static Known, &'a str)> {
    KNOWN
        .iter()
        .flat_map(|k| k.who.iter().map(move |w| (k, *w)))
        .filter(|(k, _)| routes.iter().any(|r| r.method == k.method && r.path == k.path))
        .filter_map(|(k, w)| callers.iter().find(|c| c.as_str() == w).map(|c| (k, c.as_str())))
        .collect()
}

// ---------------------------------------------------------------- the tests

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let mut problems = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        let app = &env.app;
        let shared = Shared::new(&env).await;
        let callers = everyone(&env).await;
        let mut mismatches = Vec::new();
        let mut cells = 0;
        for route in ROUTES {
            let t = target(&env, route, &shared).await;
            // The refused go first, while the review is in the state where the action
            // would succeed: only the role check can stop them.
            let (refused, allowed): (Vec<&Caller>, Vec<&Caller>) =
                callers.iter().partition(|c| !expected(route, c).contains(&Verdict::Succeeded));
            for caller in refused.into_iter().chain(allowed) {
                check(&env, caller, route, &t, expected(route, caller), &mut mismatches).await;
                cells += 1;
            }
        }
        // A made-up feed link, or one replaced by a newer link, shows nothing.
        let (user, _) = app.state.store.user_by_email(app.email(BoardMember)).await.unwrap().unwrap();
        let old = auth::new_token();
        app.state.store.set_calendar_feed(&user, &auth::token_hash(&old)).await.unwrap();
        app.state.store.set_calendar_feed(&user, &auth::token_hash(&auth::new_token())).await.unwrap();
        for token in [auth::new_token(), old] {
            let r = reply_of(callers[0].browser.client.get(app.url(&format!("/calendar/{token}.ics")))).await;
            if r.status != 404 {
                problems
                    .push(format!("{backend:?}: GET /calendar/{{token}}.ics with a made-up or replaced link: {}, expected 404", r.status));
            }
        }
        assert_eq!(cells, ROUTES.len() * (Role::ALL.len() + 1));
        let names: Vec<String> = callers.iter().map(|c| c.who.clone()).collect();
        let all: Vec<&Route> = ROUTES.iter().collect();
        problems.extend(finish(backend, cells, mismatches, &known_for(&all, &names)));
    }
    assert!(problems.is_empty(), "{} access problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn people_outside_the_review_get_not_found_on_every_review_route() {
    let mut problems = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        let app = &env.app;
        // The case file: a review with IMRs and chronologies, and all of its ids at hand.
        let t = case_file(&env).await;
        let shared = t.review.unwrap();
        let record = app.state.store.review(shared).await.unwrap();
        let (reference, child) = (record.summary.reference.clone(), record.referral.child.name.clone());

        // Another partnership with a person in every role (its administrator and board
        // chair see all of their own partnership's reviews).
        let store = &app.state.store;
        let (other, _) = store
            .ensure_partnership("test", "otherton", "Otherton Safeguarding Children Partnership", "OSCP", "medway-2008")
            .await
            .unwrap();
        let hash = auth::hash_password(PASSWORD).unwrap();
        let mut strangers = vec![Caller::signed_in(app, "outsider".into(), &app.outsider, AgencyAuthor).await];
        for role in Role::ALL {
            let email = format!("{}@otherton.example", role.as_str());
            let u = NewUser {
                partnership_id: other.id,
                email: email.clone(),
                name: format!("Other {}", role.title()),
                role,
                agency: None,
                password_hash: hash.clone(),
            };
            store.create_user(&Actor::system(other.id), &u).await.unwrap();
            strangers.push(Caller::signed_in(app, format!("other partnership's {}", role.as_str()), &email, role).await);
        }

        // A person of another partnership cannot be made a member.
        let stranger_id = app.user_id("partnership_admin@otherton.example").await;
        let (s, v) = env.admin.post(&format!("/api/v1/reviews/{shared}/members"), &json!({"user_id": stranger_id})).await;
        assert_eq!(s, 422, "{backend:?}: {v}");

        let mut mismatches = Vec::new();
        let mut cells = 0;
        let before = snapshot(app, Some(shared)).await;
        let scoped: Vec<&Route> = ROUTES.iter().filter(|r| r.is_review_scoped()).collect();
        for route in &scoped {
            for caller in &strangers {
                check(&env, caller, route, &t, &[Verdict::NotFound], &mut mismatches).await;
                cells += 1;
            }
        }
        if snapshot(app, Some(shared)).await.1 != before.1 {
            problems.push(format!("{backend:?}: people outside the review changed it"));
        }

        // Nor is it in their lists, and another partnership's audit does not show it.
        let (list, dashboard, audit_api, audit_page) =
            (route(M::Get, "/api/v1/reviews"), route(M::Get, "/"), route(M::Get, "/api/v1/audit"), route(M::Get, "/audit"));
        for caller in &strangers {
            let r = call(&env, caller, list, &Target::default(), Csrf::Session).await;
            let ids: Vec<i64> =
                serde_json::from_str::<Vec<Value>>(&r.body).unwrap_or_default().iter().filter_map(|v| v["id"].as_i64()).collect();
            if r.status != 200 || ids.contains(&shared) {
                mismatches.push(Mismatch {
                    method: list.method,
                    path: list.path,
                    who: caller.who.clone(),
                    status: r.status,
                    detail: format!("expected 200 without review {shared}: {ids:?}"),
                });
            }
            let r = call(&env, caller, dashboard, &Target::default(), Csrf::Session).await;
            if r.status != 200 || r.body.contains(&reference) {
                mismatches.push(Mismatch {
                    method: dashboard.method,
                    path: dashboard.path,
                    who: caller.who.clone(),
                    status: r.status,
                    detail: format!("expected 200 without {reference}"),
                });
            }
            cells += 2;
            if caller.role == Some(PartnershipAdmin) && caller.who != "outsider" {
                for route in [audit_api, audit_page] {
                    let r = call(&env, caller, route, &Target::default(), Csrf::Session).await;
                    cells += 1;
                    if r.status != 200 || r.body.contains(&child) || r.body.contains(&format!("review:{shared}")) {
                        mismatches.push(Mismatch {
                            method: route.method,
                            path: route.path,
                            who: caller.who.clone(),
                            status: r.status,
                            detail: format!("expected 200 with nothing of another partnership's review ({child:?}, review:{shared})"),
                        });
                    }
                }
            }
        }
        let names: Vec<String> = strangers.iter().map(|c| c.who.clone()).collect();
        let mut routes = scoped.clone();
        routes.extend([list, dashboard, audit_api, audit_page]);
        problems.extend(finish(backend, cells, mismatches, &known_for(&routes, &names)));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn another_agencys_staff_see_nothing_of_health_s_imr_and_chronology() {
    let mut problems = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        let app = &env.app;
        let t = case_file(&env).await;
        let id = t.review.unwrap();
        let store = &app.state.store;
        let (a, hash) = store.user_by_email(app.email(PartnershipAdmin)).await.unwrap().unwrap();
        // Police's author and head, members of the review like everyone else.
        let mut police = Vec::new();
        for role in [AgencyAuthor, AgencyHead] {
            let email = format!("{}.police@testshire.example", role.as_str());
            let u = NewUser {
                partnership_id: a.partnership_id,
                email: email.clone(),
                name: format!("Police {}", role.title()),
                role,
                agency: Some("Police".into()),
                password_hash: hash.clone(),
            };
            let u = store.create_user(&Actor::system(a.partnership_id), &u).await.unwrap();
            let (s, v) = env.admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({"user_id": u.id})).await;
            assert_eq!(s, 200, "{v}");
            police.push(Caller::signed_in(app, format!("Police's {}", role.as_str()), &email, role).await);
        }
        let mut mismatches = Vec::new();
        let mut cells = 0;
        // Health's IMR and uploads do not exist for them.
        let health: Vec<&Route> = ROUTES.iter().filter(|r| r.path.contains("{imr}") || r.path.contains("{upload}")).collect();
        for route in &health {
            for caller in &police {
                check(&env, caller, route, &t, &[Verdict::NotFound], &mut mismatches).await;
                cells += 1;
            }
        }
        // Their lists, the timeline and its exports show nothing of Health's.
        let reads: Vec<&Route> =
            ["/api/v1/reviews/{id}/imrs", "/reviews/{id}/imrs", "/api/v1/reviews/{id}/chronology", "/reviews/{id}/chronology"]
                .into_iter()
                .chain(["/reviews/{id}/chronology/export.csv"])
                .map(|p| route(M::Get, p))
                .collect();
        // (Every page names every agency of the partnership in its forms, and the
        // practitioners involved, so Health's name alone is no leak.)
        let (did, imr) = (t.did.clone().unwrap(), t.imr.unwrap());
        let needles = [
            "\"agency\":\"Health\"".to_string(),
            format!("/imrs/{imr}\""),
            "Safeguarding Nurse".into(),
            "asleep in cot".into(),
            CASE_NOTE.into(),
            did,
        ];
        for route in &reads {
            for caller in &police {
                let r = call(&env, caller, route, &t, Csrf::Session).await;
                cells += 1;
                let leaks: Vec<&str> = needles.iter().map(String::as_str).filter(|x| r.body.contains(x)).collect();
                if r.status != 200 || !leaks.is_empty() {
                    mismatches.push(Mismatch {
                        method: route.method,
                        path: route.path,
                        who: caller.who.clone(),
                        status: r.status,
                        detail: format!("expected 200 with nothing of Health's; shows {leaks:?}"),
                    });
                }
            }
        }
        let names: Vec<String> = police.iter().map(|c| c.who.clone()).collect();
        let mut routes = health.clone();
        routes.extend(reads);
        problems.extend(finish(backend, cells, mismatches, &known_for(&routes, &names)));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The row of the table for a route.
fn route(method: M, path: &str) -> &'static Route {
    ROUTES.iter().find(|r| r.method == method && r.path == path).unwrap()
}

/// The first role the table allows on a route.
fn first_allowed(route: &Route) -> Role {
    Role::ALL.into_iter().find(|r| route.allows(*r)).unwrap()
}

#[tokio::test]
async fn page_posts_need_the_session_csrf_token() {
    let mut problems = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        let app = &env.app;
        for route in ROUTES.iter().filter(|r| !r.is_api() && r.is_write() && r.body != Body::SignIn) {
            let role = first_allowed(route);
            let caller = Caller::signed_in(app, role.as_str().into(), env.email(role), role).await;
            let t = target(&env, route, &Shared::none()).await;
            let before = snapshot(app, t.review).await;
            for csrf in [Csrf::Missing, Csrf::Wrong] {
                let r = call(&env, &caller, route, &t, csrf).await;
                if verdict(&r) != Verdict::CsrfRefused {
                    problems.push(format!(
                        "{backend:?}: POST {} as {role} with {csrf:?} token: {} {:?}, expected 403 (form expired)",
                        route.path,
                        r.status,
                        verdict(&r)
                    ));
                }
            }
            if snapshot(app, t.review).await != before {
                problems.push(format!("{backend:?}: POST {} as {role} without a good token changed something", route.path));
            }
            // The session is intact, and with its token the same post goes through.
            let (s, _) = caller.browser.get("/").await;
            let r = call(&env, &caller, route, &t, Csrf::Session).await;
            if s != 200 || verdict(&r) != Verdict::Succeeded {
                problems.push(format!(
                    "{backend:?}: POST {} as {role} with the right token: {} {:?} (GET / {s})",
                    route.path,
                    r.status,
                    verdict(&r)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} CSRF problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn cookie_session_api_writes_need_the_csrf_header() {
    let mut problems = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        let app = &env.app;
        for route in ROUTES.iter().filter(|r| r.is_api() && r.is_write()) {
            let role = first_allowed(route);
            let b = app.browser(env.email(role)).await;
            let t = target(&env, route, &Shared::none()).await;
            let before = snapshot(app, t.review).await;
            let c = ctx(&env, route, &t).await;
            let path = c.path.clone();
            let send = |header: Option<String>| {
                let mut rb = with_body(b.client.request(route.method.http(), app.url(&path)), route.body, &c);
                if let Some(h) = header {
                    rb = rb.header("x-csrf-token", h);
                }
                reply_of(rb)
            };
            for (what, header) in [("no X-CSRF-Token", None), ("a wrong X-CSRF-Token", Some(auth::new_token()))] {
                let r = send(header).await;
                if verdict(&r) != Verdict::CsrfRefused {
                    problems.push(format!(
                        "{backend:?}: {} {path} as {role} (cookie session) with {what}: {} {:?}, expected 403",
                        route.method.as_str(),
                        r.status,
                        verdict(&r)
                    ));
                }
            }
            if snapshot(app, t.review).await != before {
                problems.push(format!("{backend:?}: {} {path} as {role} without the header changed something", route.method.as_str()));
            }
            let r = send(Some(b.csrf.clone())).await;
            if verdict(&r) != Verdict::Succeeded {
                problems.push(format!(
                    "{backend:?}: {} {path} as {role} (cookie session) with the header: {} {:?}, expected success: {}",
                    route.method.as_str(),
                    r.status,
                    verdict(&r),
                    r.body
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} CSRF problems:\n{}", problems.len(), problems.join("\n"));
}
