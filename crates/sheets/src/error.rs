//! What can go wrong reading or writing a spreadsheet. Every message names the file (as the
//! user named it), and where it helps the sheet, the row or byte, and the limit, so the
//! person uploading knows what to fix.

/// A spreadsheet could not be read or written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SheetError {
    /// The upload is larger than [`Limits::max_bytes`](crate::Limits::max_bytes).
    #[error("{file} is {size} bytes; files of at most {limit} bytes can be read")]
    TooLarge { file: String, size: u64, limit: u64 },

    /// An .xls file (the old binary Excel format).
    #[error("{file} is an old-style .xls workbook, which cannot be read: save it as .xlsx (Excel Workbook) or .csv and upload that")]
    LegacyXls { file: String },

    /// Neither an .xlsx workbook nor a UTF-8 text (CSV) file.
    #[error("{file} is neither an .xlsx workbook nor a CSV file")]
    NotASpreadsheet { file: String },

    /// A text file that is not UTF-8 (often a CSV saved in a Windows code page).
    #[error("{file} is not UTF-8 text (first invalid byte at offset {offset}): save it as \"CSV UTF-8\" and upload it again")]
    NotUtf8 { file: String, offset: usize },

    /// A CSV file whose structure is broken (such as a quoted field never closed).
    #[error("{file}, record {record}: {problem}")]
    Csv { file: String, record: u32, problem: String },

    /// The zip inside an .xlsx would unpack to more than
    /// [`Limits::max_uncompressed_bytes`](crate::Limits::max_uncompressed_bytes).
    #[error("{file} would unpack to {size} bytes; at most {limit} bytes are allowed")]
    UnpacksTooLarge { file: String, size: u64, limit: u64 },

    /// One part of an .xlsx is compressed far more than a spreadsheet ever is (a
    /// decompression bomb), or unpacks to more than its declared size.
    #[error("{file}: part {entry} {problem}; the file was not read")]
    SuspiciousCompression { file: String, entry: String, problem: String },

    /// More worksheets than [`Limits::max_sheets`](crate::Limits::max_sheets).
    #[error("{file} has {count} worksheets; at most {limit} can be read")]
    TooManySheets { file: String, count: usize, limit: usize },

    /// A sheet with more rows than [`Limits::max_rows_per_sheet`](crate::Limits::max_rows_per_sheet).
    #[error("{file}, sheet {sheet:?}, has {count} rows; at most {limit} can be read")]
    TooManyRows { file: String, sheet: String, count: u64, limit: u64 },

    /// A sheet with more columns than [`Limits::max_columns`](crate::Limits::max_columns).
    #[error("{file}, sheet {sheet:?}, has {count} columns; at most {limit} can be read")]
    TooManyColumns { file: String, sheet: String, count: u64, limit: u64 },

    /// The cells of an .xlsx hold more text than
    /// [`Limits::max_uncompressed_bytes`](crate::Limits::max_uncompressed_bytes) (possible when
    /// many cells share one long string, which unpacks small but reads large).
    #[error("{file}, sheet {sheet:?}: its cells hold more than {limit} bytes of text; the file was not read")]
    TextTooLarge { file: String, sheet: String, limit: u64 },

    /// The .xlsx could not be parsed (damaged, encrypted, or not really a workbook).
    #[error("{file} could not be read as an .xlsx workbook: {detail}")]
    Unreadable { file: String, detail: String },

    /// Writing an .xlsx failed.
    #[error("the spreadsheet could not be written: {detail}")]
    Write { detail: String },
}
