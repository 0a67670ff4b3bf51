//! Retention and destruction of a review's papers (001 §2.4.23-2.4.24), as data: draft
//! versions are destroyed once the final version is approved; the papers of a review are
//! kept ten years from its conclusion and then destroyed, but not while a published
//! document must still stay online (the 12-month rule of [`crate::publishing`]); a legal
//! hold (criminal proceedings, a claim) stops every destruction for the review. Pure:
//! `today` is passed in, the store loads the facts and carries out what is due.

use crate::error::FieldErrors;
use crate::publishing;
use crate::text::{self, LONG_MAX};
use crate::Role;
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// Years a concluded review's papers are kept (001 §2.4.24).
pub const PAPERS_KEPT_YEARS: u32 = 10;

/// A retention rule: why something is destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A draft version superseded by an approved final (001 §2.4.24).
    SupersededDraft,
    /// Papers of a review concluded ten years ago (001 §2.4.24).
    PapersAfterTenYears,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SupersededDraft => "superseded_draft",
            Rule::PapersAfterTenYears => "papers_after_ten_years",
        }
    }

    /// The rule as a sentence for lists and the destruction certificate.
    pub fn title(self) -> &'static str {
        match self {
            Rule::SupersededDraft => "Drafts are destroyed when the final version is approved (001 §2.4.24)",
            Rule::PapersAfterTenYears => "Papers are kept 10 years from the conclusion of the review, then destroyed (001 §2.4.24)",
        }
    }
}

/// Who may place or lift a legal hold and authorise destruction: the board manager or the
/// chair of the board.
pub fn may_authorise(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::BoardChair)
}

/// A draft version marked for destruction when a later version was approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedDraft {
    pub document_id: i64,
    pub document: String,
    pub version: i64,
    pub marked_on: NaiveDate,
}

/// A published document (withdrawn or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub document: String,
    pub published_on: NaiveDate,
}

/// What the rules need to know of one review.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewFacts {
    pub review_id: i64,
    pub reference: String,
    /// The date of the transition into Concluded.
    pub concluded_on: Option<NaiveDate>,
    /// An open legal hold stops all destruction.
    pub legal_hold: bool,
    /// The papers were destroyed already.
    pub papers_destroyed: bool,
    pub drafts: Vec<MarkedDraft>,
    pub publications: Vec<Publication>,
}

/// What is to be destroyed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    DraftVersion { document_id: i64, document: String, version: i64 },
    ReviewPapers,
}

impl Item {
    pub fn describe(&self) -> String {
        match self {
            Item::DraftVersion { document, version, .. } => format!("{document}, draft version {version}"),
            Item::ReviewPapers => "all papers of the review".into(),
        }
    }
}

/// One destruction that is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub rule: Rule,
    pub review_id: i64,
    pub reference: String,
    pub item: Item,
    pub due_since: NaiveDate,
}

/// The day a concluded review's papers fall due: ten years after conclusion, later if a
/// publication must stay online longer.
pub fn papers_due_on(concluded_on: NaiveDate, publications: &[Publication]) -> NaiveDate {
    let ten = concluded_on.checked_add_months(Months::new(PAPERS_KEPT_YEARS * 12)).unwrap_or(NaiveDate::MAX);
    publications.iter().map(|p| publishing::earliest_removal(p.published_on)).fold(ten, NaiveDate::max)
}

/// What is due for destruction on `today` for one review; nothing while a legal hold is open.
pub fn due(f: &ReviewFacts, today: NaiveDate) -> Vec<Due> {
    if f.legal_hold {
        return Vec::new();
    }
    let mut out = Vec::new();
    let papers_due = f.concluded_on.map(|c| papers_due_on(c, &f.publications)).filter(|d| *d <= today && !f.papers_destroyed);
    if let Some(d) = papers_due {
        // The papers include every draft: one destruction covers them.
        out.push(Due {
            rule: Rule::PapersAfterTenYears,
            review_id: f.review_id,
            reference: f.reference.clone(),
            item: Item::ReviewPapers,
            due_since: d,
        });
        return out;
    }
    for d in f.drafts.iter().filter(|d| d.marked_on <= today) {
        out.push(Due {
            rule: Rule::SupersededDraft,
            review_id: f.review_id,
            reference: f.reference.clone(),
            item: Item::DraftVersion { document_id: d.document_id, document: d.document.clone(), version: d.version },
            due_since: d.marked_on,
        });
    }
    out
}

/// The reason for placing or lifting a legal hold: required, so the record says why.
pub fn hold_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    let r = text::required(&mut e, "reason", "the reason", reason, LONG_MAX);
    e.into_result(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    fn facts() -> ReviewFacts {
        ReviewFacts {
            review_id: 7,
            reference: "NSCP-2010-001".into(),
            concluded_on: Some(d("2012-03-15")),
            drafts: vec![MarkedDraft { document_id: 3, document: "Overview report".into(), version: 1, marked_on: d("2011-06-01") }],
            ..Default::default()
        }
    }

    #[test]
    fn the_schedule_as_a_table() {
        // (concluded, legal hold, destroyed already, publications, today, expected rules and due dates)
        type Row = (Option<&'static str>, bool, bool, &'static [&'static str], &'static str, &'static [(Rule, &'static str)]);
        let rows: &[Row] = &[
            // Not concluded: only the superseded draft, from the day the final was approved.
            (None, false, false, &[], "2011-05-31", &[]),
            (None, false, false, &[], "2011-06-01", &[(Rule::SupersededDraft, "2011-06-01")]),
            // Ten years from conclusion, to the day; the papers cover the drafts.
            (Some("2012-03-15"), false, false, &[], "2022-03-14", &[(Rule::SupersededDraft, "2011-06-01")]),
            (Some("2012-03-15"), false, false, &[], "2022-03-15", &[(Rule::PapersAfterTenYears, "2022-03-15")]),
            // A publication of late 2021 stays online 12 months: the papers wait for it.
            (Some("2012-03-15"), false, false, &["2021-09-01"], "2022-03-15", &[(Rule::SupersededDraft, "2011-06-01")]),
            (Some("2012-03-15"), false, false, &["2021-09-01"], "2022-09-01", &[(Rule::PapersAfterTenYears, "2022-09-01")]),
            // An earlier publication does not delay them.
            (Some("2012-03-15"), false, false, &["2013-01-01"], "2022-03-15", &[(Rule::PapersAfterTenYears, "2022-03-15")]),
            // A legal hold stops everything.
            (Some("2012-03-15"), true, false, &[], "2030-01-01", &[]),
            (None, true, false, &[], "2030-01-01", &[]),
            // Destroyed already (the drafts with them): nothing more.
            (Some("2012-03-15"), false, true, &[], "2030-01-01", &[]),
        ];
        for (i, (concluded, hold, destroyed, pubs, today, expected)) in rows.iter().enumerate() {
            let mut f = facts();
            f.concluded_on = concluded.map(d);
            f.legal_hold = *hold;
            f.papers_destroyed = *destroyed;
            f.publications = pubs.iter().map(|p| Publication { document: "Executive summary".into(), published_on: d(p) }).collect();
            if *destroyed {
                f.drafts.clear();
            }
            let got: Vec<(Rule, NaiveDate)> = due(&f, d(today)).into_iter().map(|x| (x.rule, x.due_since)).collect();
            let want: Vec<(Rule, NaiveDate)> = expected.iter().map(|(r, s)| (*r, d(s))).collect();
            assert_eq!(got, want, "row {i}");
        }
    }

    #[test]
    fn ten_years_from_a_leap_day() {
        assert_eq!(papers_due_on(d("2012-02-29"), &[]), d("2022-02-28"));
    }

    #[test]
    fn who_authorises() {
        assert!(may_authorise(Role::BoardChair));
        assert!(may_authorise(Role::PartnershipAdmin));
        assert!(!may_authorise(Role::PanelChair));
        assert!(!may_authorise(Role::Regulator));
    }

    #[test]
    fn a_hold_needs_a_reason() {
        assert!(hold_reason("  ").is_err());
        assert_eq!(hold_reason(" Claim lodged ").ok().as_deref(), Some("Claim lodged"));
    }
}
