//! Spreadsheets in and out of casereview.
//!
//! [`read`] turns an uploaded .xlsx or CSV file into the neutral
//! [`RawSheet`](casereview_core::chronology::sheet::RawSheet) shape of `casereview-core`,
//! refusing oversized files, decompression bombs and .xls before doing the work they would
//! cost. [`to_xlsx`] and [`to_csv`] export a [`Table`] for people to read and print, with
//! text kept from turning into formulas ([`neutralise`]).

mod csv;
mod error;
mod limits;
mod read;
mod write;
mod xlsx;

pub use csv::CSV_SHEET_NAME;
pub use error::SheetError;
pub use limits::Limits;
pub use read::read;
pub use write::{neutralise, to_csv, to_xlsx, Table, TableCell, DATE_FORMAT, DEFAULT_COLUMN_WIDTH, WRAP_WIDTH};
