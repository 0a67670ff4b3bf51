//! Reading an uploaded spreadsheet into [`RawSheet`]s, choosing the format by content.

use casereview_core::chronology::sheet::RawSheet;

use crate::{csv, xlsx, Limits, SheetError};

/// The start of every zip file (and so of every .xlsx).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The start of an OLE compound file: an .xls workbook (Excel 97-2003).
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Reads the file `file_name` (as the user named it: it is only used in reports) from
/// `bytes`. The format is told by content, never by the name: a zip is read as an .xlsx
/// workbook (every worksheet, in workbook order), UTF-8 text as CSV (one sheet named
/// `"CSV"`); an .xls workbook, text in another encoding and anything else are refused
/// with an error naming the file. Every [`Limits`] bound is checked before the work it
/// bounds.
pub fn read(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<RawSheet>, SheetError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(SheetError::TooLarge { file: file_name.to_owned(), size, limit: limits.max_bytes });
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return xlsx::read(file_name, bytes, limits);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(SheetError::LegacyXls { file: file_name.to_owned() });
    }
    // UTF-16 text (Excel's "Unicode Text"): a text file, but not UTF-8.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SheetError::NotUtf8 { file: file_name.to_owned(), offset: 0 });
    }
    if looks_binary(bytes) {
        return Err(SheetError::NotASpreadsheet { file: file_name.to_owned() });
    }
    let (bom, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (UTF8_BOM.len(), rest),
        None => (0, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| SheetError::NotUtf8 { file: file_name.to_owned(), offset: bom + e.valid_up_to() })?;
    Ok(vec![csv::parse(file_name, text, limits)?])
}

/// Whether the start of a file is binary rather than text: it holds a NUL byte, or more
/// than 5% control characters other than tab, line breaks, form feed and the old DOS
/// end-of-file mark.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)) || b == 0x7F).count();
    controls * 20 > head.len()
}
