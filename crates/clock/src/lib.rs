//! The statutory clock of casereview.
//!
//! This crate owns three things, all pure computation (its only input besides the caller's
//! is the ruleset TOML embedded at compile time):
//!
//! 1. **The calendar** ([`calendar`]): the bank holidays of England and Wales for
//!    1990..=2040, computed by rule with every one-off day, and a [`Calendar`] of working
//!    days that can also carry a partnership's closure days. Outside that range every
//!    function returns [`ClockError::OutOfRange`] rather than guess.
//! 2. **Period arithmetic** ([`period`]): how "72 hours", "5 working days", "17 working
//!    weeks", "1 month" and "10 days before" are counted. The rules are written once, in
//!    that module's documentation.
//! 3. **Rulesets** ([`ruleset`]): the timetables of the seed documents as data, and the
//!    [`Deadline`]s and [`Status`]es they give a review from its recorded events.
//!
//! [`Due`] dates serialize (serde) as plain strings, `"2025-01-13"` or, for hour periods,
//! RFC 3339 `"2024-12-01T21:30:00+00:00"`, and deserialize from the same.
//!
//! [`output`] renders calendars, deadlines and event lists as JSON or tables for the
//! command line; the binary crate parses arguments and calls it.
//!
//! # Rulesets
//!
//! A ruleset is a TOML file under `crates/clock/rulesets/`, meant to be read by the board
//! manager as well as by the program. It has a `name`, `title`, `source` seed, the list of
//! `events` it uses beyond the lifecycle ones, the events that close a review (`closed_by`,
//! below) and `[[steps]]`. A step reads:
//!
//! ```toml
//! [[steps]]
//! id = "imrs_due"                       # stable id, unique in the ruleset
//! title = "IMR reports completed and single-agency chronologies delivered"
//! trigger = "decision"                  # event(s) that start the clock; first recorded wins
//! period = "25 working days"            # see the period module
//! direction = "after"                   # or "before" ("1 week before publication")
//! role = "agency_author"                # who is responsible
//! source = "001 App. XIII"              # seed and section
//! met_by = ["imrs_received", "chronology_compiled"] # event(s) that satisfy the step (optional)
//! closed_by = "draft_to_board"          # event(s) that end the step unmet (optional, rare)
//! extension_by = "regulator"            # who may agree more time (optional)
//! projected_from = "second_panel_meeting" # step whose due date stands in for the trigger (optional)
//! kind = "deadline"                     # or "minimum": a date before which it must not stop
//! note = "..."                          # the seed's wording where it needs explaining (optional)
//! ```
//!
//! Role ids: `partnership_admin`, `board_chair`, `panel_chair`, `panel_member`,
//! `agency_author`, `overview_author`, `agency_head`, `board_member`, `regulator`.
//!
//! **`met_by`** lists the step's own event and every lifecycle event whose occurrence
//! necessarily means the step was done: IMRs are due until `imrs_received`, but the
//! `chronology_compiled` from them shows they arrived; a draft report was written once it
//! went to the board (`draft_to_board`) or was adopted (`adoption`); a review is completed
//! when the board adopts its report. An event that merely comes later is not listed (the
//! board adopting a report says nothing of whether Ofsted was informed). The step is met on
//! the earliest recorded of them. Steps that only a finer event can meet stay open until it
//! is recorded (or a waiver is), or until the review is closed.
//!
//! **Closing.** A ruleset's top-level `closed_by = ["decision_no_review", "concluded"]`
//! names the events that end a review. Once one is recorded, every unmet `deadline` step is
//! closed by it, except
//!
//! - the steps that event itself triggers (Birmingham's "tell the national panel within 14
//!   days" is started by `decision_no_review`, so stays open until met; `concluded` would
//!   close it), and
//! - steps whose clock started after it (a trigger recorded later than the closing event,
//!   e.g. a decision to review after all).
//!
//! A step's own `closed_by` names events that end just that step unmet (Oxfordshire's
//! monthly updates to the board chair lapse once the report goes to the board); it may not
//! repeat the step's trigger or `met_by`, and `minimum` steps, which are never overdue, are
//! never closed. The earliest qualifying event is the closure. [`Deadline::closed`] carries
//! it (event, date, and whether it closed the review), and [`Deadline::status`] returns
//! [`Status::Waived`] with its reason, "review closed: concluded on 2025-06-30" or "no
//! longer required: draft_to_board on 2024-05-03", instead of `Overdue`, `DueSoon`,
//! `Upcoming` or `NotStarted`. Precedence: a recorded waiver, then met, then closed, then
//! the due date. (A waiver status rather than a new variant keeps [`Status`] matches in
//! other crates exhaustive; `Deadline::closed` tells the two apart.)
//!
//! `projected_from` lets a timetable be planned from the decision alone: Medway's draft
//! report is due 30 working days after the second panel meeting, and until that meeting is
//! recorded it is counted from the day the meeting is due. Such deadlines are marked
//! `projected` and their basis says so.
//!
//! The embedded rulesets ([`Ruleset::names`]):
//!
//! | name | seed | what it holds |
//! |---|---|---|
//! | `oxfordshire-2008` | 000 | letter to secure records in 5 working days; chair's decision in 1 month of notification; monthly updates; review completed in 4 months (extension with the regulator) |
//! | `medway-2008` | 001 | the 72-hour referral and 1-month decision (§1.11), the whole Appendix XIII timetable from day 1 to the conclusions shared 8 weeks after the board, the 4-month completion, and the monitoring periods of §2.4.35, §2.5.2 and §3.1.6 |
//! | `birmingham-2015` | 002 | records secured on notification; decision in 1 month; a "no review" to the national panel in 14 days; IMRs in 1 month of the request; completion in 6 months; report to the national panel at least 1 week before publication; online at least 12 months; quarterly updates |
//! | `national-2010` | 003 | the six-month rule: completion within 6 months of the decision |
//!
//! A partnership changes periods with [`Ruleset::with_overrides`] (step id to new period;
//! an unknown id is an error naming the known ones).
//!
//! # Events
//!
//! Event names are one vocabulary across rulesets (`rulesets/events.toml`). The lifecycle
//! events are recorded by the foundation for every review and accepted by every ruleset:
//! `incident`, `notification`, `records_secured`, `screening_meeting`, `recommendation`,
//! `decision`, `decision_no_review`, `scoping_complete`, `imrs_commissioned`,
//! `chronology_compiled`, `overview_drafting_started`, `draft_to_board`, `adoption`,
//! `publication`, `monitoring_started`, `concluded`. The further events a seed needs
//! (`board_meeting`, `second_panel_meeting`, `draft_circulated`, `imrs_received`,
//! `sent_to_national_panel`, ...) are listed by the rulesets that use them; passing one to
//! a ruleset that does not list it is an error naming the valid events.

pub mod calendar;
pub mod error;
pub mod output;
pub mod period;
pub mod ruleset;

pub use calendar::{bank_holidays, BankHoliday, Calendar, FIRST_YEAR, LAST_YEAR};
pub use error::{ClockError, Result};
pub use output::{
    calendar_output, calendar_output_with, clock_output, clock_output_with, list_events_output, list_rulesets_output, parse_event_arg,
    parse_event_time, parse_events, Format,
};
pub use period::{Direction, Due, EventTime, Period, Unit};
pub use ruleset::{Closure, Deadline, EventDef, Role, Ruleset, Status, Step, StepKind};
