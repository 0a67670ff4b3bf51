//! A small RFC 4180 CSV reader and the field quoting of the writer.
//!
//! Reading: fields are separated by commas and records by CRLF, LF or a lone CR; a field
//! that starts with `"` is quoted, may hold commas, quotes (doubled, `""`) and line breaks,
//! and ends at the next single `"`. Like Excel, text between a closing quote and the next
//! comma is kept rather than refused. A quoted field that is never closed is refused, naming
//! the record and line where it opened. Every field is kept as text (CSV has no types: a
//! leading zero or a date is for the interpreter to read, not for this reader to guess).
//! Rows are as long as their record (ragged rows stay ragged); a blank line is an empty
//! row; blank lines at the end are dropped.

use std::borrow::Cow;

use casereview_core::chronology::sheet::{Cell, RawSheet};

use crate::{Limits, SheetError};

/// The sheet name a CSV file's one sheet is given.
pub const CSV_SHEET_NAME: &str = "CSV";

/// Parses CSV text (already checked to be UTF-8, BOM removed) into one sheet.
pub(crate) fn parse(file: &str, text: &str, limits: &Limits) -> Result<RawSheet, SheetError> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut row: Vec<Cell> = Vec::new();
    // Counted in full even past a limit, so the refusal gives the real size.
    let mut record_count: u64 = 0;
    let mut widest: u64 = 0;
    let mut last_nonblank_record: u64 = 0;
    let mut fields_in_record: u64 = 0;
    let mut record_is_blank = true;
    let mut over_limit = false;
    let mut i = 0;

    let next_delimiter = |from: usize| bytes[from..].iter().position(|b| matches!(b, b',' | b'\r' | b'\n')).map_or(n, |p| from + p);

    if n == 0 {
        return Ok(RawSheet { file: file.to_owned(), name: CSV_SHEET_NAME.to_owned(), rows, first_row: 1 });
    }
    loop {
        // One field, starting at i.
        let field: Cow<'_, str> = if bytes.get(i) == Some(&b'"') {
            let opened_at = i;
            let mut value = String::new();
            i += 1;
            loop {
                match bytes[i..].iter().position(|&b| b == b'"') {
                    None => {
                        let line = 1 + bytes[..opened_at].iter().filter(|&&b| b == b'\n').count();
                        return Err(SheetError::Csv {
                            file: file.to_owned(),
                            record: u32::try_from(record_count + 1).unwrap_or(u32::MAX),
                            problem: format!("a quoted field opened on line {line} is never closed (a missing \")"),
                        });
                    }
                    Some(p) => {
                        let q = i + p;
                        value.push_str(&text[i..q]);
                        if bytes.get(q + 1) == Some(&b'"') {
                            value.push('"');
                            i = q + 2;
                        } else {
                            i = q + 1;
                            break;
                        }
                    }
                }
            }
            let end = next_delimiter(i);
            value.push_str(&text[i..end]);
            i = end;
            Cow::Owned(value)
        } else {
            let end = next_delimiter(i);
            let value = &text[i..end];
            i = end;
            Cow::Borrowed(value)
        };
        fields_in_record += 1;
        record_is_blank &= field.is_empty();
        if !over_limit {
            row.push(if field.is_empty() { Cell::Empty } else { Cell::Text(field.into_owned()) });
        }

        // The delimiter after it.
        let end_of_record = match bytes.get(i) {
            Some(b',') => {
                i += 1;
                false
            }
            Some(b'\r') => {
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                true
            }
            Some(b'\n') => {
                i += 1;
                true
            }
            _ => true,
        };
        if !end_of_record {
            continue;
        }
        record_count += 1;
        if !record_is_blank {
            last_nonblank_record = record_count;
        }
        widest = widest.max(fields_in_record);
        fields_in_record = 0;
        record_is_blank = true;
        if last_nonblank_record > limits.max_rows_per_sheet || widest > limits.max_columns {
            over_limit = true;
        }
        if over_limit || record_count > limits.max_rows_per_sheet {
            // Past a limit (or blank lines past the row limit, which are dropped if
            // nothing follows them): count, don't keep.
            row.clear();
        } else {
            // A blank line is one empty field: keep it as an empty row.
            if row.len() == 1 && row[0] == Cell::Empty {
                row.clear();
            }
            rows.push(std::mem::take(&mut row));
        }
        if i >= n {
            break;
        }
    }
    // Blank lines at the end are not rows.
    rows.truncate(usize::try_from(last_nonblank_record).unwrap_or(usize::MAX));
    if last_nonblank_record > limits.max_rows_per_sheet {
        return Err(SheetError::TooManyRows {
            file: file.to_owned(),
            sheet: CSV_SHEET_NAME.to_owned(),
            count: last_nonblank_record,
            limit: limits.max_rows_per_sheet,
        });
    }
    if widest > limits.max_columns {
        return Err(SheetError::TooManyColumns {
            file: file.to_owned(),
            sheet: CSV_SHEET_NAME.to_owned(),
            count: widest,
            limit: limits.max_columns,
        });
    }
    Ok(RawSheet { file: file.to_owned(), name: CSV_SHEET_NAME.to_owned(), rows, first_row: 1 })
}

/// A field as it goes into a CSV line: quoted (with its quotes doubled) when it holds a
/// comma, a quote or a line break, as is otherwise.
pub(crate) fn quote(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}
