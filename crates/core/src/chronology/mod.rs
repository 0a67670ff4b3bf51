//! Chronologies: each agency's record of its contacts with the child and family
//! (001 Appendix V), and the integrated chronology built from them (000 §10.2,
//! 001 §2.4.6-2.4.7, App. VI).
//!
//! [`sheet`] is the neutral shape of a spreadsheet as read from a file (the reading itself
//! is I/O and lives in the `casereview-sheets` crate); the rest of this module turns sheets
//! into checked entries, merges them and finds discrepancies, without I/O.

pub mod discrepancy;
pub mod entry;
pub mod import;
pub mod merge;
pub mod sheet;
