//! Chronologies: each agency's record of its contacts with the child and family
//! (001 Appendix V), and the integrated chronology built from them (000 §10.2,
//! 001 §2.4.6-2.4.7, App. VI).
//!
//! [`sheet`] is the neutral shape of a spreadsheet as read from a file (the reading itself
//! is I/O and lives in the `casereview-sheets` crate); the rest of this module turns sheets
//! into checked entries, merges them and finds discrepancies, without I/O.
//!
//! # Public API
//!
//! * [`entry`]: [`ChronologyEntry`] (the Appendix V columns plus its [`Source`]: file,
//!   sheet, row); [`FuzzyDate`] `Exact(day) | Month(year, month) | Year(year) |
//!   Approximate(day)` with `precision()`, `earliest()`, `latest()`, `is_day()`,
//!   `sort_key()` and `placement_note()` ("month only: placed at the start of March 2024");
//!   [`DatePrecision`] (serialised snake_case). **The placement rule** lives in one place,
//!   the [`entry`] module docs: an imprecise date goes at the start of its period, after the
//!   more precise entries starting the same day.
//! * [`import`]: `import_sheet(&RawSheet, &AgencyDirectory, &ImportOptions) -> Imported
//!   { entries, problems }`; every [`ImportProblem`] names file, sheet, row, column ("A
//!   (Date)"), value, reason and [`Severity`]. [`ImportOptions`] `{ day_01_means_month,
//!   century_pivot, default_agency, aliases }` (`ImportOptions::new(pivot)`). The parts are
//!   public for reuse and tests: `detect_header`, `classify_header`, `normalise_header`,
//!   `parse_date_cell`, `parse_date_text`, `excel_serial`, `parse_time_cell`,
//!   `parse_time_text`, `parse_yes_no`, `child_seen_in_text`, `wishes_and_feelings_in_text`,
//!   `normalise_agency`.
//! * [`merge`](mod@merge): `merge(Vec<ChronologyEntry>) -> Integrated { entries: Vec<IntegratedEntry
//!   { entry, position, tie_note }>, seen_by_agency: BTreeMap<agency, SeenCounts { seen,
//!   not_seen, unknown, wishes_and_feelings }> }`; `compare_entries` is the total order
//!   (date, precision, timed before untimed, agency, source), documented in [`merge`](mod@merge).
//! * [`discrepancy`]: `detect(&Integrated, &DiscrepancyOptions) -> Vec<Discrepancy>`
//!   with kinds `DifferentDates`, `ChildSeenConflict` and `Gap`; ids from
//!   `discrepancy_id(kind, sources, extra)` depend only on the entries involved;
//!   [`DiscrepancyOptions`] `{ window_days: 7, similarity: 0.5, min_tokens: 3,
//!   gap_days: 90, period: None }` by default. Similarity is Jaccard over
//!   `event_tokens` (stop words and numbers out).
//!
//! Typical use: `import_sheet` each sheet of each agency's file, show the problems,
//! `merge` all the entries, `detect` on the result.

pub mod discrepancy;
pub mod entry;
pub mod import;
pub mod merge;
pub mod sheet;

pub use discrepancy::{detect, Discrepancy, DiscrepancyKind, DiscrepancyOptions};
pub use entry::{ChronologyEntry, DatePrecision, FuzzyDate, Source};
pub use import::{import_sheet, ImportOptions, ImportProblem, Imported, Severity};
pub use merge::{merge, Integrated, IntegratedEntry, SeenCounts};
