//! Writing a table as a print-ready .xlsx or as CSV, safe to open in a spreadsheet.
//!
//! Text is kept from turning into formulas by one rule, documented on [`neutralise`].

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::{csv, SheetError};

/// A table to export: a title (printed in the page header and footer of the .xlsx, not in
/// the CSV), a header row and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    /// The worksheet's name; characters Excel forbids in sheet names are replaced and it is
    /// cut to 31 characters.
    pub sheet_name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
    /// Column widths in Excel's character units, by column; a missing or unusable width
    /// gets [`DEFAULT_COLUMN_WIDTH`].
    pub column_widths: Vec<f64>,
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Bool(bool),
    Empty,
}

/// The width given to a column without one in [`Table::column_widths`].
pub const DEFAULT_COLUMN_WIDTH: f64 = 12.0;
/// Columns at least this wide (in characters) wrap their text.
pub const WRAP_WIDTH: f64 = 30.0;
/// The number format of dates.
pub const DATE_FORMAT: &str = "dd/mm/yyyy";

/// Excel's limit on the text of one cell, in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;
const TRUNCATED: &str = " [truncated]";
/// Excel's limit on a header or footer, in UTF-16 units.
const MAX_HEADER_FOOTER: usize = 255;
/// Excel's A4 paper size code.
const PAPER_A4: u8 = 9;

/// Makes text safe from being taken for a formula when a spreadsheet opens a CSV file:
/// text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote
/// `'` in front; anything else is returned unchanged.
///
/// This is the one rule against formula injection (exported case text is written by many
/// hands, and must never run as a formula):
/// - CSV ([`to_csv`]): every text field, headers included, goes through this function, as
///   OWASP recommends. Numbers, dates and booleans are not text and are not changed.
/// - .xlsx ([`to_xlsx`]): every text cell is written as a string cell, which a spreadsheet
///   never takes for a formula whatever it holds, so the text is kept exactly as it was
///   (no quote added; the tests read it back and check it is a string, not a formula).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The table as CSV (RFC 4180): a UTF-8 byte order mark (so Excel reads the text as
/// UTF-8), the header row, then the rows, each line ending CRLF. Fields holding a comma,
/// quote or line break are quoted; text is [`neutralise`]d; dates are `dd/mm/yyyy`,
/// numbers as written without a needless `.0`, booleans `TRUE`/`FALSE`.
pub fn to_csv(table: &Table) -> String {
    let mut out = String::from("\u{FEFF}");
    let mut line = |fields: &mut dyn Iterator<Item = Cow<'_, str>>| {
        for (i, field) in fields.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&csv::quote(&field));
        }
        out.push_str("\r\n");
    };
    line(&mut table.headers.iter().map(|h| neutralise(h)));
    for row in &table.rows {
        line(&mut row.iter().map(|cell| match cell {
            TableCell::Text(t) => neutralise(t),
            TableCell::Date(d) => Cow::Owned(d.format("%d/%m/%Y").to_string()),
            TableCell::Number(n) => Cow::Owned(number_text(*n)),
            TableCell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            TableCell::Empty => Cow::Borrowed(""),
        }));
    }
    out
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The table as an .xlsx workbook of one worksheet, set up to read and to print: a bold
/// header row, frozen so it stays in view, with an autofilter over the table; the column
/// widths given, text wrapped in wide columns (at least [`WRAP_WIDTH`]); dates as real
/// Excel dates shown `dd/mm/yyyy`; printed landscape on A4, one page wide, the header row
/// repeated on every page, the title in the page header and footer with page numbers.
/// Text is written as string cells, never formulas (see [`neutralise`]).
/// Text longer than Excel allows in a cell is cut, ending `[truncated]`.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, SheetError> {
    build_xlsx(table).map_err(|e| SheetError::Write { detail: e.to_string() })
}

fn build_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let columns = table.headers.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    let widths: Vec<f64> = (0..columns)
        .map(|c| match table.column_widths.get(c) {
            Some(&w) if w.is_finite() && w > 0.0 => w.min(255.0),
            _ => DEFAULT_COLUMN_WIDTH,
        })
        .collect();

    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_border_bottom(FormatBorder::Thin);
    let plain = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    let date = Format::new().set_align(FormatAlign::Top).set_num_format(DATE_FORMAT);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&table.sheet_name))?;

    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(col(c)?, *width)?;
    }
    for (c, text) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col(c)?, cell_text(text), &header)?;
    }
    for (r, cells) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let format = if widths.get(c).is_some_and(|&w| w >= WRAP_WIDTH) { &wrapped } else { &plain };
            write_cell(sheet, r, col(c)?, cell, format, &date)?;
        }
    }

    if columns > 0 {
        let last_row = u32::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.autofilter(0, 0, last_row, col(columns - 1)?)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(PAPER_A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_header(header_footer("&C&\"-,Bold\"", &table.title, ""));
    sheet.set_footer(header_footer("&L", &table.title, "&RPage &P of &N"));

    workbook.save_to_buffer()
}

fn write_cell(sheet: &mut Worksheet, r: u32, c: u16, cell: &TableCell, format: &Format, date: &Format) -> Result<(), XlsxError> {
    match cell {
        TableCell::Text(t) => sheet.write_string_with_format(r, c, cell_text(t), format)?,
        TableCell::Date(d) => match excel_date(*d) {
            Some(excel) => sheet.write_datetime_with_format(r, c, excel, date)?,
            // Before 1900 or after 9999 Excel has no date: write it as text.
            None => sheet.write_string_with_format(r, c, d.format("%d/%m/%Y").to_string(), format)?,
        },
        TableCell::Number(n) if n.is_finite() => sheet.write_number_with_format(r, c, *n, format)?,
        TableCell::Number(n) => sheet.write_string_with_format(r, c, n.to_string(), format)?,
        TableCell::Bool(b) => sheet.write_boolean_with_format(r, c, *b, format)?,
        TableCell::Empty => sheet,
    };
    Ok(())
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    let month = u8::try_from(d.month()).ok()?;
    let day = u8::try_from(d.day()).ok()?;
    ExcelDateTime::from_ymd(year, month, day).ok()
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Text cut to fit `max` UTF-16 units, keeping whole characters.
fn cut(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, ch) in text.char_indices() {
        used += ch.len_utf16();
        if used > max {
            return &text[..i];
        }
    }
    text
}

/// A cell's text within Excel's limit.
fn cell_text(text: &str) -> Cow<'_, str> {
    if utf16_len(text) <= MAX_CELL_TEXT {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{}{TRUNCATED}", cut(text, MAX_CELL_TEXT - TRUNCATED.len())))
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, no quote at either end, at most 31
/// characters, not empty and not the reserved "History".
fn sheet_name(wanted: &str) -> String {
    let replaced: String =
        wanted.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { '-' } else { c }).collect();
    let trimmed = replaced.trim().trim_matches('\'');
    let name: String = trimmed.chars().take(31).collect();
    let name = name.trim_end_matches('\'').to_owned();
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        "Sheet1".to_owned()
    } else {
        name
    }
}

/// A page header or footer: `before`, the title (its `&` doubled so Excel prints it, line
/// breaks made spaces, cut to fit), then `after`, within Excel's 255 characters.
fn header_footer(before: &str, title: &str, after: &str) -> String {
    let escaped = title.replace('&', "&&").replace(|c: char| c.is_control(), " ");
    let room = MAX_HEADER_FOOTER.saturating_sub(utf16_len(before) + utf16_len(after));
    let mut title = cut(&escaped, room);
    // Don't leave half of a doubled `&`.
    if title.ends_with('&') && title.len() < escaped.len() && title.chars().rev().take_while(|&c| c == '&').count() % 2 == 1 {
        title = &title[..title.len() - 1];
    }
    format!("{before}{title}{after}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sheet_name("Chronology: A/B [draft]"), "Chronology- A-B -draft-");
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name("History"), "Sheet1");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn headers_and_footers_fit_and_escape_ampersands() {
        assert_eq!(header_footer("&C", "A & B", ""), "&CA && B");
        let long = header_footer("&L", &"&".repeat(400), "&RPage &P of &N");
        assert!(utf16_len(&long) <= MAX_HEADER_FOOTER);
        let title = long.trim_start_matches("&L").trim_end_matches("&RPage &P of &N");
        assert_eq!(title.len() % 2, 0, "no half-escaped ampersand");
    }

    #[test]
    fn long_text_is_cut_to_excels_limit() {
        let long = "é".repeat(40_000);
        let cut = cell_text(&long);
        assert!(utf16_len(&cut) <= MAX_CELL_TEXT);
        assert!(cut.ends_with(TRUNCATED));
    }
}
