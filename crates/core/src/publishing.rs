//! The rules of publishing a report or summary (issue 7 item 4; 000 §7.3-7.4, §12.4; 002
//! "Publication of Reports"), beside the anonymisation gate of [`crate::publication`]:
//! a copy goes to the national panel of independent experts at least one week before
//! publication; nothing is published while a publication hold (criminal proceedings, an
//! inquest) is open; a publication stays available for at least 12 months. Pure: `today`
//! is passed in, the caller loads the facts and stores the answer.

use crate::error::FieldErrors;
use crate::text::{self, LONG_MAX};
use crate::Role;
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Days between the copy to the national panel and publication, at least (002).
pub const NATIONAL_PANEL_LEAD_DAYS: u64 = 7;
/// Months a publication stays available, at least (002: "a minimum of 12 months").
pub const MINIMUM_AVAILABLE_MONTHS: u32 = 12;

/// Why publication waits (000 §7.4: "until after a Coroner's Hearing or criminal
/// proceedings have been concluded").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    CriminalProceedings,
    Inquest,
    Other,
}

impl HoldKind {
    pub const ALL: [HoldKind; 3] = [HoldKind::CriminalProceedings, HoldKind::Inquest, HoldKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::CriminalProceedings => "criminal_proceedings",
            HoldKind::Inquest => "inquest",
            HoldKind::Other => "other",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            HoldKind::CriminalProceedings => "Criminal proceedings",
            HoldKind::Inquest => "Inquest (coroner's hearing)",
            HoldKind::Other => "Other",
        }
    }
}

impl FromStr for HoldKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HoldKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| "Choose why publication is held: criminal_proceedings, inquest or other".to_string())
    }
}

/// Who places and lifts a publication hold: the board manager or the chair of the board.
pub fn may_hold(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::BoardChair)
}

/// Who records publication, the copy to the national panel, and a removal: the chair of
/// the board sends the copies (002), the board manager keeps the record.
pub fn may_publish(role: Role) -> bool {
    matches!(role, Role::PartnershipAdmin | Role::BoardChair)
}

/// A hold as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub kind: HoldKind,
    pub reason: String,
    pub placed_by: String,
    pub placed_on: NaiveDate,
}

/// A hold as typed: the kind's name and the reason.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HoldInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub reason: String,
}

impl HoldInput {
    /// The kind and the trimmed reason, or errors naming `kind` and `reason`.
    pub fn validate(&self) -> Result<(HoldKind, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = match self.kind.trim() {
            "" => {
                e.push("kind", "Choose why publication is held");
                None
            }
            k => match k.parse::<HoldKind>() {
                Ok(k) => Some(k),
                Err(m) => {
                    e.push("kind", m);
                    None
                }
            },
        };
        let reason = text::required(&mut e, "reason", "the reason for the hold", &self.reason, LONG_MAX);
        match (kind, e.is_empty()) {
            (Some(k), true) => Ok((k, reason)),
            _ => Err(e),
        }
    }
}

/// Why a hold is lifted: required (the record says who, when and why).
pub fn lift_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    let r = text::required(&mut e, "reason", "why the hold is lifted", reason, LONG_MAX);
    e.into_result(r)
}

/// The date a copy went to the national panel: a real date, not in the future.
pub fn check_national_panel_date(sent_on: NaiveDate, today: NaiveDate) -> Result<(), FieldErrors> {
    if sent_on > today {
        return Err(FieldErrors::single(
            "national_panel_sent_on",
            format!("The date the copy went to the national panel must be today or in the past (it says {})", sent_on.format("%d/%m/%Y")),
        ));
    }
    let mut e = FieldErrors::new();
    text::clock_range(&mut e, "national_panel_sent_on", "the date the copy went to the national panel", Some(sent_on));
    e.into_result(())
}

/// The first day a document whose copy went to the panel on `sent_on` may be published.
pub fn earliest_publication(sent_on: NaiveDate) -> NaiveDate {
    sent_on.checked_add_days(Days::new(NATIONAL_PANEL_LEAD_DAYS)).unwrap_or(NaiveDate::MAX)
}

/// The first day a publication of `published_on` may be removed.
pub fn earliest_removal(published_on: NaiveDate) -> NaiveDate {
    published_on.checked_add_months(Months::new(MINIMUM_AVAILABLE_MONTHS)).unwrap_or(NaiveDate::MAX)
}

fn hold_sentence(h: &Hold) -> String {
    format!(
        "Publication is on hold ({}): {} (placed by {} on {}); it must be lifted before publication (000 §7.4, §12.4)",
        h.kind.title().to_lowercase(),
        h.reason,
        h.placed_by,
        h.placed_on.format("%d/%m/%Y")
    )
}

/// Refuses while any hold is open, each with its reason (field `hold`): the review's own
/// publication step and every document's publication.
pub fn check_no_hold(open_holds: &[Hold]) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    for h in open_holds {
        e.push("hold", hold_sentence(h));
    }
    e.into_result(())
}

/// May a document be published on `today`? Every open hold blocks it, with its reason
/// (field `hold`); the copy to the national panel must be recorded and at least a week
/// old (field `national_panel_sent_on`).
pub fn check_publication(today: NaiveDate, national_panel_sent_on: Option<NaiveDate>, open_holds: &[Hold]) -> Result<(), FieldErrors> {
    let mut e = check_no_hold(open_holds).err().unwrap_or_default();
    match national_panel_sent_on {
        None => e.push(
            "national_panel_sent_on",
            format!(
                "Record the date a copy went to the national panel of independent experts first: it must be at least {NATIONAL_PANEL_LEAD_DAYS} days before publication (002)"
            ),
        ),
        Some(sent) if earliest_publication(sent) > today => e.push(
            "national_panel_sent_on",
            format!(
                "The copy went to the national panel on {}, less than a week ago: it can be published from {} (at least {NATIONAL_PANEL_LEAD_DAYS} days later, 002)",
                sent.format("%d/%m/%Y"),
                earliest_publication(sent).format("%d/%m/%Y")
            ),
        ),
        Some(_) => {}
    }
    e.into_result(())
}

/// May a publication of `published_on` be removed on `today`, for `reason`? Not before it
/// has been available 12 months (002), and never without a reason.
pub fn check_removal(published_on: NaiveDate, today: NaiveDate, reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    let earliest = earliest_removal(published_on);
    if today < earliest {
        e.push(
            "withdraw",
            format!(
                "A published report stays available for at least {MINIMUM_AVAILABLE_MONTHS} months (002): this one was published on {} and can be removed from {}",
                published_on.format("%d/%m/%Y"),
                earliest.format("%d/%m/%Y")
            ),
        );
    }
    let r = text::required(&mut e, "reason", "why the publication is removed", reason, LONG_MAX);
    e.into_result(r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn hold(reason: &str) -> Hold {
        Hold { kind: HoldKind::Inquest, reason: reason.into(), placed_by: "Ann Hall".into(), placed_on: d(2026, 5, 1) }
    }

    #[test]
    fn publication_needs_a_week_after_the_national_panel_copy_and_no_open_hold() {
        let today = d(2026, 6, 15);
        // (panel date, holds, fields refused)
        let cases: &[(Option<NaiveDate>, usize, &[&str])] = &[
            (Some(d(2026, 6, 8)), 0, &[]),
            (Some(d(2026, 1, 1)), 0, &[]),
            (Some(d(2026, 6, 9)), 0, &["national_panel_sent_on"]),
            (Some(d(2026, 6, 15)), 0, &["national_panel_sent_on"]),
            (Some(d(2026, 6, 20)), 0, &["national_panel_sent_on"]),
            (None, 0, &["national_panel_sent_on"]),
            (Some(d(2026, 6, 8)), 1, &["hold"]),
            (Some(d(2026, 6, 8)), 2, &["hold", "hold"]),
            (None, 1, &["hold", "national_panel_sent_on"]),
        ];
        for (panel, holds, fields) in cases {
            let hs: Vec<Hold> = (0..*holds).map(|i| hold(&format!("Inquest number {i} opens in July"))).collect();
            let got = check_publication(today, *panel, &hs).err().unwrap_or_default();
            let got_fields: Vec<&str> = got.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(&got_fields, fields, "{panel:?} with {holds} holds");
            for (i, h) in hs.iter().enumerate() {
                assert!(got.0[i].message.contains(&h.reason), "the hold's reason is shown: {}", got.0[i].message);
            }
        }
    }

    #[test]
    fn removal_waits_twelve_months_and_needs_a_reason() {
        let published = d(2025, 2, 28);
        let cases: &[(NaiveDate, &str, &[&str])] = &[
            (d(2025, 3, 1), "Asked by the family", &["withdraw"]),
            (d(2026, 2, 27), "Asked by the family", &["withdraw"]),
            (d(2026, 2, 28), "Asked by the family", &[]),
            (d(2027, 1, 1), "Asked by the family", &[]),
            (d(2027, 1, 1), "  ", &["reason"]),
            (d(2025, 6, 1), "", &["withdraw", "reason"]),
        ];
        for (today, reason, fields) in cases {
            let got = check_removal(published, *today, reason);
            let got_fields: Vec<&str> = got.as_ref().err().map(|e| e.0.iter().map(|x| x.field.as_str()).collect()).unwrap_or_default();
            assert_eq!(&got_fields, fields, "{today} {reason:?}");
        }
        // A leap day published is removable on the last day of February a year later.
        assert_eq!(earliest_removal(d(2024, 2, 29)), d(2025, 2, 28));
        let msg = check_removal(published, d(2025, 3, 1), "x").unwrap_err().0[0].message.clone();
        assert!(msg.contains("28/02/2026"), "{msg}");
    }

    #[test]
    fn the_national_panel_date_is_not_in_the_future() {
        let today = d(2026, 6, 15);
        assert!(check_national_panel_date(today, today).is_ok());
        assert!(check_national_panel_date(d(2026, 6, 1), today).is_ok());
        let e = check_national_panel_date(d(2026, 6, 16), today).unwrap_err();
        assert_eq!(e.0[0].field, "national_panel_sent_on");
        assert_eq!(earliest_publication(d(2026, 6, 8)), today);
    }

    #[test]
    fn a_hold_needs_a_kind_and_a_reason() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("inquest", "Coroner's hearing listed for 3 July", &[]),
            ("criminal_proceedings", "Trial of the father", &[]),
            ("other", "Family asked for time", &[]),
            ("", "Trial", &["kind"]),
            ("trial", "Trial", &["kind"]),
            ("inquest", " ", &["reason"]),
            ("", "", &["kind", "reason"]),
        ];
        for (kind, reason, fields) in cases {
            let got = HoldInput { kind: kind.to_string(), reason: reason.to_string() }.validate();
            let got_fields: Vec<&str> = got.as_ref().err().map(|e| e.0.iter().map(|x| x.field.as_str()).collect()).unwrap_or_default();
            assert_eq!(&got_fields, fields, "{kind:?} {reason:?}");
        }
        assert!(lift_reason("").is_err());
        assert_eq!(lift_reason(" Verdict given ").unwrap(), "Verdict given");
        for k in HoldKind::ALL {
            assert_eq!(k.as_str().parse::<HoldKind>().unwrap(), k);
        }
    }

    #[test]
    fn only_the_board_manager_and_chair_hold_and_publish() {
        for r in Role::ALL {
            let expect = matches!(r, Role::PartnershipAdmin | Role::BoardChair);
            assert_eq!(may_hold(r), expect);
            assert_eq!(may_publish(r), expect);
        }
    }
}
