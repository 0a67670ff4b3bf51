//! Bounds on what [`read`](crate::read) accepts, checked before the work they bound.

/// Limits on an uploaded spreadsheet. Each is checked before the work it bounds: the byte
/// size before anything is parsed, the zip's declared sizes before anything is unpacked,
/// and each sheet's rows and columns while it streams (so a sheet claiming a million rows
/// never gets a grid allocated for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, in bytes (default 20 MiB).
    pub max_bytes: u64,
    /// The most rows in one sheet, counted from its first used row to its last (default 50,000).
    pub max_rows_per_sheet: u64,
    /// The most columns in one sheet, counted from column A to its last used column (default 60).
    pub max_columns: u64,
    /// The most worksheets in one workbook (default 20).
    pub max_sheets: usize,
    /// The most bytes all the parts of an .xlsx may unpack to (default 200 MiB).
    pub max_uncompressed_bytes: u64,
    /// The highest compression ratio (unpacked / packed) of any large part of an .xlsx
    /// (default 100). Parts unpacking to under [`Limits::RATIO_FLOOR`] are exempt: tiny
    /// parts compress well and cannot be a bomb.
    pub max_compression_ratio: u64,
}

impl Limits {
    /// Parts of an .xlsx unpacking to fewer bytes than this are not held to
    /// [`Limits::max_compression_ratio`].
    pub const RATIO_FLOOR: u64 = 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows_per_sheet: 50_000,
            max_columns: 60,
            max_sheets: 20,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_compression_ratio: 100,
        }
    }
}
