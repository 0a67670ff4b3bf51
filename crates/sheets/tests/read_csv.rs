//! The CSV reader: RFC 4180 quoting, line endings, BOM, ragged rows, encodings.

use casereview_core::chronology::sheet::{Cell, RawSheet};
use casereview_sheets::{read, Limits, SheetError, CSV_SHEET_NAME};

fn sheet(bytes: &[u8]) -> RawSheet {
    let mut sheets = read("agency.csv", bytes, &Limits::default()).expect("readable CSV");
    assert_eq!(sheets.len(), 1);
    sheets.remove(0)
}

fn cells(row: &[&str]) -> Vec<Cell> {
    row.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text((*s).to_owned()) }).collect()
}

#[test]
fn plain_csv_is_one_sheet_of_text_cells() {
    let s = sheet(b"Date,Event,Count\n01/03/2023,Home visit,3\n");
    assert_eq!((s.file.as_str(), s.name.as_str(), s.first_row), ("agency.csv", CSV_SHEET_NAME, 1));
    assert_eq!(s.rows, vec![cells(&["Date", "Event", "Count"]), cells(&["01/03/2023", "Home visit", "3"])]);
}

#[test]
fn quoted_fields_hold_commas_doubled_quotes_and_line_breaks() {
    let s = sheet(b"a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"line 1\r\nline 2\nline 3\",x,\"\"\r\nlast,\"\"\"\",end");
    assert_eq!(s.rows.len(), 3);
    assert_eq!(s.rows[0], cells(&["a", "b, c", "say \"hi\""]));
    assert_eq!(s.rows[1], cells(&["line 1\r\nline 2\nline 3", "x", ""]));
    assert_eq!(s.rows[2], cells(&["last", "\"", "end"]));
    assert_eq!(s.row_number(2), 3, "rows are records, as a spreadsheet numbers them, not lines");
}

#[test]
fn text_after_a_closing_quote_is_kept_as_excel_does() {
    assert_eq!(sheet(b"\"ab\"c,d").rows, vec![cells(&["abc", "d"])]);
}

#[test]
fn crlf_lf_and_lone_cr_all_end_records() {
    let s = sheet(b"a,b\r\nc,d\ne,f\rg,h\r\n");
    assert_eq!(s.rows, vec![cells(&["a", "b"]), cells(&["c", "d"]), cells(&["e", "f"]), cells(&["g", "h"])]);
}

#[test]
fn a_utf8_bom_is_stripped() {
    let s = sheet("\u{FEFF}Name,Ward\r\nZoë,Ēast\r\n".as_bytes());
    assert_eq!(s.rows, vec![cells(&["Name", "Ward"]), cells(&["Zoë", "Ēast"])]);
}

#[test]
fn ragged_rows_stay_ragged_and_blank_lines_are_empty_rows() {
    let s = sheet(b"a,b,c\nd\n\ne,f,\n,\n\n\n");
    assert_eq!(
        s.rows,
        vec![cells(&["a", "b", "c"]), cells(&["d"]), vec![], vec![Cell::Text("e".into()), Cell::Text("f".into()), Cell::Empty]],
        "the blank line 3 is kept (row numbers stay right); the empty fields and blank lines at the end are not rows"
    );
}

#[test]
fn an_empty_file_is_a_sheet_with_no_rows() {
    let s = sheet(b"");
    assert!(s.rows.is_empty());
    assert!(sheet(b"\xEF\xBB\xBF\r\n\r\n").rows.is_empty());
}

#[test]
fn non_utf8_is_refused_naming_the_byte_offset() {
    // "José" in Windows-1252: é is the single byte 0xE9 at offset 14.
    let err = read("cp1252.csv", b"Name,Ward\r\nJos\xE9,East\r\n", &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::NotUtf8 { file: "cp1252.csv".into(), offset: 14 });
    let message = err.to_string();
    assert!(message.contains("cp1252.csv") && message.contains("offset 14"), "{message}");
    // The offset counts the BOM too: it is an offset into the file as uploaded.
    let err = read("bom.csv", b"\xEF\xBB\xBFab\xFF", &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::NotUtf8 { file: "bom.csv".into(), offset: 5 });
    // UTF-16 (Excel's "Unicode Text") is text, but not UTF-8.
    let err = read("unicode.txt", b"\xFF\xFEa\0,\0b\0", &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::NotUtf8 { file: "unicode.txt".into(), offset: 0 });
}

#[test]
fn an_unclosed_quote_is_refused_naming_record_and_line() {
    let err = read("broken.csv", b"a,b\nc,d\n\"e\nf,g\n", &Limits::default()).expect_err("refused");
    match &err {
        SheetError::Csv { file, record, problem } => {
            assert_eq!((file.as_str(), *record), ("broken.csv", 3));
            assert!(problem.contains("line 3"), "{problem}");
        }
        other => panic!("unexpected {other:?}"),
    }
}
