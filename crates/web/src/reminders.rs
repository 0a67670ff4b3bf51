//! Reminder emails: for every open deadline that is due soon or overdue, the people
//! responsible on that review are told once per level, and an overdue deadline is
//! escalated to the panel chair. "Once" holds across restarts: each (review, step, level,
//! person) is claimed in the database before it is sent.
//!
//! Emails leave the system, so they name the review by its reference and link to it;
//! they never contain the child's name or the papers.

use crate::deadlines::{self, DeadlineView};
use crate::error::WebError;
use crate::mail::{Email, Mailer};
use crate::AppState;
use casereview_core::Role;
use casereview_store::{ReviewSummary, User};
use std::collections::HashMap;

/// How far a reminder has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    DueSoon,
    Overdue,
    /// Overdue, told to the panel chair.
    Escalation,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::DueSoon => "due_soon",
            Level::Overdue => "overdue",
            Level::Escalation => "escalation",
        }
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub sent: usize,
    pub failed: usize,
    pub already_sent: usize,
}

/// Who hears about a deadline: members of the review holding the responsible role; the
/// board manager and board chair roles are partnership-wide, so all of them.
fn recipients<'a>(d: &DeadlineView, members: &'a [User], partnership_users: &'a [User], level: Level) -> Vec<&'a User> {
    let role: Role = match level {
        Level::Escalation => Role::PanelChair,
        _ => match d.role.parse() {
            Ok(r) => r,
            Err(_) => return Vec::new(),
        },
    };
    let pool = if role.sees_all_reviews() { partnership_users } else { members };
    let mut out: Vec<&User> = pool.iter().filter(|u| u.role == role && u.active).collect();
    if out.is_empty() && level == Level::Escalation {
        // No panel chair on the review: the board manager is told, not panel chairs who are
        // not on it (they must not learn that the review exists).
        out = partnership_users.iter().filter(|u| u.role == Role::PartnershipAdmin && u.active).collect();
    }
    out
}

fn message(review: &ReviewSummary, d: &DeadlineView, level: Level, to: &User, base_url: &str) -> Email {
    let what = match level {
        Level::DueSoon => "is due soon",
        Level::Overdue => "is overdue",
        Level::Escalation => "is overdue and is escalated to you as panel chair",
    };
    let subject = format!("{}: {} {}", review.reference, d.title, what.split(" and ").next().unwrap_or(what));
    let body = format!(
        "Dear {name},\n\nThe step \"{title}\" of review {reference} {what}.\n\nDue: {due}{orig}\nBasis: {basis} ({source})\nResponsible: {role}\n\nOpen the review: {base}/reviews/{id}#deadlines\n\nIf more time is needed, an extension must be agreed and recorded with its reason.\n\nThis message was sent by casereview. It does not contain case details; sign in to see them.\n",
        name = to.name,
        title = d.title,
        reference = review.reference,
        due = d.due_display(),
        orig = if d.original_due.is_some() { format!(" (extended from {})", d.original_display()) } else { String::new() },
        basis = d.basis,
        source = d.source,
        role = d.role.replace('_', " "),
        base = base_url.trim_end_matches('/'),
        id = review.id,
    );
    Email { to: to.email.clone(), to_name: to.name.clone(), subject, body }
}

/// One pass over every open review of every partnership.
pub async fn run_once(state: &AppState, mailer: &Mailer, base_url: &str) -> Result<RunReport, WebError> {
    let store = &state.store;
    let today = state.today();
    let mut by_partnership: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, pid) in store.open_review_ids().await? {
        by_partnership.entry(pid).or_default().push(id);
    }
    let mut report = RunReport::default();
    for (pid, ids) in by_partnership {
        let p = store.partnership(pid).await?;
        let clock = deadlines::clock_for(store, &p).await?;
        let all = deadlines::for_reviews(store, &clock, &ids, today).await?;
        let users = store.users(pid).await?;
        for id in ids {
            let open: Vec<&DeadlineView> =
                all.get(&id).map(|v| v.iter().filter(|d| matches!(d.status, "due_soon" | "overdue")).collect()).unwrap_or_default();
            if open.is_empty() {
                continue;
            }
            let review = store.review(id).await?.summary;
            let members = store.members(id).await?;
            for d in open {
                let levels: &[Level] = if d.status == "overdue" { &[Level::Overdue, Level::Escalation] } else { &[Level::DueSoon] };
                for level in levels {
                    for to in recipients(d, &members, &users, *level) {
                        if !store.claim_reminder(id, &d.step, level.as_str(), to.id).await? {
                            report.already_sent += 1;
                            continue;
                        }
                        match mailer.send(&message(&review, d, *level, to, base_url)).await {
                            Ok(()) => report.sent += 1,
                            Err(e) => {
                                tracing::warn!(review = id, step = %d.step, error = %e, "reminder not sent; will retry");
                                store.release_reminder(id, &d.step, level.as_str(), to.id).await?;
                                report.failed += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(report)
}
