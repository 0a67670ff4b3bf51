//! Exports: .xlsx read back (values, types, print set-up in the sheet's XML) and CSV
//! (quoting, line endings, formula injection).

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use casereview_core::chronology::sheet::Cell;
use casereview_sheets::{neutralise, read, to_csv, to_xlsx, Limits, SheetError, Table, TableCell};
use chrono::NaiveDate;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn text(s: &str) -> TableCell {
    TableCell::Text(s.to_owned())
}

/// Text a spreadsheet would take for a formula, as case notes can hold.
const FORMULA_LOOKING: [&str; 6] = ["=1+2", "+44 20 7946 0000", "-5 days", "@SUM(A1:A2)", "\tindented", "\rreturn"];

fn table() -> Table {
    let mut rows = vec![
        vec![TableCell::Date(date(2023, 3, 1)), text("Home visit, \"all well\""), TableCell::Number(3.0), TableCell::Bool(true)],
        vec![TableCell::Date(date(2024, 2, 29)), text("line 1\nline 2"), TableCell::Number(-2.5), TableCell::Empty],
    ];
    rows.extend(FORMULA_LOOKING.iter().map(|t| vec![TableCell::Empty, text(t), TableCell::Empty, TableCell::Bool(false)]));
    Table {
        title: "Integrated chronology: Child A & family".into(),
        sheet_name: "Chronology".into(),
        headers: vec!["Date".into(), "Event".into(), "Count".into(), "Seen".into()],
        rows,
        column_widths: vec![12.0, 60.0, 8.0],
    }
}

fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("zip");
    let mut out = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut out).expect("utf-8");
    out
}

#[test]
fn xlsx_export_reads_back_with_values_and_types() -> Result<(), SheetError> {
    let table = table();
    let bytes = to_xlsx(&table)?;
    let sheets = read("export.xlsx", &bytes, &Limits::default())?;
    assert_eq!(sheets.len(), 1);
    let s = &sheets[0];
    assert_eq!((s.name.as_str(), s.first_row, s.rows.len()), ("Chronology", 1, 9));
    let t = |s: &str| Cell::Text(s.to_owned());
    assert_eq!(s.rows[0], vec![t("Date"), t("Event"), t("Count"), t("Seen")]);
    // Real Excel dates: 1 March 2023 is serial 44986, 29 February 2024 is 45351.
    assert_eq!(s.rows[1], vec![Cell::DateSerial(44986.0), t("Home visit, \"all well\""), Cell::Number(3.0), Cell::Bool(true)]);
    assert_eq!(s.rows[2], vec![Cell::DateSerial(45351.0), t("line 1\nline 2"), Cell::Number(-2.5), Cell::Empty]);
    for (i, looks) in FORMULA_LOOKING.iter().enumerate() {
        assert_eq!(s.rows[3 + i][1], t(looks), "kept exactly, with no quote added");
    }
    Ok(())
}

#[test]
fn formula_looking_text_is_a_string_cell_in_xlsx_never_a_formula() -> Result<(), SheetError> {
    let bytes = to_xlsx(&table())?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).expect("opens");
    let values = workbook.worksheet_range("Chronology").expect("values");
    let formulas = workbook.worksheet_formula("Chronology").expect("formulas");
    for (i, looks) in FORMULA_LOOKING.iter().enumerate() {
        let at = (3 + i as u32, 1);
        assert_eq!(values.get_value(at), Some(&Data::String((*looks).to_owned())));
        assert!(formulas.get_value(at).is_none_or(String::is_empty), "no formula at {at:?}");
    }
    assert!(!part(&bytes, "xl/worksheets/sheet1.xml").contains("<f>"), "no formula anywhere");
    Ok(())
}

#[test]
fn xlsx_export_is_set_up_for_reading_and_printing() -> Result<(), SheetError> {
    let bytes = to_xlsx(&table())?;
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    let has = |needle: &str| assert!(sheet.contains(needle), "sheet1.xml lacks {needle}:\n{sheet}");
    has(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#);
    has(r#"<autoFilter ref="A1:D9"/>"#);
    has(r#"orientation="landscape""#);
    has(r#"paperSize="9""#);
    has(r#"fitToHeight="0""#);
    has(r#"<pageSetUpPr fitToPage="1"/>"#);
    has(r#"<oddHeader>&amp;C&amp;"-,Bold"Integrated chronology: Child A &amp;&amp; family</oddHeader>"#);
    has(r#"<oddFooter>&amp;LIntegrated chronology: Child A &amp;&amp; family&amp;RPage &amp;P of &amp;N</oddFooter>"#);
    has(r#"<col min="2" max="2" width="60.7109375" customWidth="1"/>"#);
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">Chronology!$1:$1</definedName>"#), "{workbook}");
    // The header row is bold; dates use dd/mm/yyyy; the wide column wraps.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"), "{styles}");
    assert!(styles.contains(r#"formatCode="dd/mm/yyyy""#), "{styles}");
    assert!(styles.contains(r#"wrapText="1""#), "{styles}");
    Ok(())
}

#[test]
fn awkward_tables_still_export() -> Result<(), SheetError> {
    let table = Table {
        title: String::new(),
        sheet_name: "Review 2024/01: [draft]?".into(),
        headers: vec![],
        rows: vec![vec![TableCell::Date(date(1850, 1, 1)), TableCell::Number(f64::NAN), text(&"x".repeat(40_000))]],
        column_widths: vec![f64::NAN, -1.0],
    };
    let bytes = to_xlsx(&table)?;
    let s = &read("awkward.xlsx", &bytes, &Limits::default())?[0];
    assert_eq!(s.name, "Review 2024-01- -draft--");
    assert_eq!(s.rows[0][0], Cell::Text("01/01/1850".into()), "before 1900 Excel has no date: written as text");
    assert_eq!(s.rows[0][1], Cell::Text("NaN".into()));
    match &s.rows[0][2] {
        Cell::Text(t) => assert!(t.len() <= 32_767 && t.ends_with("[truncated]")),
        other => panic!("unexpected {other:?}"),
    }
    Ok(())
}

#[test]
fn csv_export_quotes_uses_crlf_and_neutralises_formulas() {
    let csv = to_csv(&table());
    let expected = "\u{FEFF}Date,Event,Count,Seen\r\n\
        01/03/2023,\"Home visit, \"\"all well\"\"\",3,TRUE\r\n\
        29/02/2024,\"line 1\nline 2\",-2.5,\r\n\
        ,'=1+2,,FALSE\r\n\
        ,'+44 20 7946 0000,,FALSE\r\n\
        ,'-5 days,,FALSE\r\n\
        ,'@SUM(A1:A2),,FALSE\r\n\
        ,'\tindented,,FALSE\r\n\
        ,\"'\rreturn\",,FALSE\r\n";
    assert_eq!(csv, expected);
    assert!(!csv.contains("-2.5") || csv.contains(",-2.5,"), "numbers are numbers, not neutralised text");
}

#[test]
fn csv_export_neutralises_headers_too() {
    let table = Table {
        title: "t".into(),
        sheet_name: "s".into(),
        headers: vec!["=cmd|' /C calc'!A0".into(), "ok".into()],
        rows: vec![],
        column_widths: vec![],
    };
    assert_eq!(to_csv(&table), "\u{FEFF}'=cmd|' /C calc'!A0,ok\r\n");
}

#[test]
fn csv_export_reads_back_through_the_reader() -> Result<(), SheetError> {
    let csv = to_csv(&table());
    let s = &read("export.csv", csv.as_bytes(), &Limits::default())?[0];
    assert_eq!(s.rows.len(), 9);
    assert_eq!(s.rows[1][1], Cell::Text("Home visit, \"all well\"".into()));
    assert_eq!(s.rows[2][1], Cell::Text("line 1\nline 2".into()));
    assert_eq!(s.rows[8][1], Cell::Text("'\rreturn".into()));
    Ok(())
}

#[test]
fn neutralise_is_the_one_rule() {
    for risky in ["=A1", "+1", "-1", "@x", "\tx", "\rx"] {
        assert_eq!(neutralise(risky), format!("'{risky}"));
    }
    for safe in ["", "a=b", " =x", "'=x", "1-2", "Dr. Smith"] {
        assert!(matches!(neutralise(safe), std::borrow::Cow::Borrowed(s) if s == safe), "{safe:?}");
    }
}
