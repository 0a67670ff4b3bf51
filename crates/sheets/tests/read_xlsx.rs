//! Reading .xlsx files written here with rust_xlsxwriter: cells, types, row numbers,
//! merged cells, formulas (never evaluated) and used ranges that start below row 1.

use casereview_core::chronology::sheet::{Cell, RawSheet};
use casereview_sheets::{read, Limits};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, XlsxError};

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn read_one(bytes: &[u8]) -> Vec<RawSheet> {
    read("chronology.xlsx", bytes, &Limits::default()).expect("readable")
}

/// An agency's chronology as agencies send them: a merged title row, a blank row, headers,
/// then rows with dates, text, numbers and formulas, and formatted but empty rows after.
fn agency_chronology() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let date_time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let sheet = workbook.add_worksheet().set_name("Health")?;
    sheet.merge_range(0, 0, 0, 4, "Chronology: Child A (Health)", &bold)?;
    for (c, h) in ["Date", "Time", "Event", "Count", "Total"].iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    sheet.write_datetime_with_format(3, 0, ExcelDateTime::from_ymd(2023, 3, 1)?, &date)?;
    sheet.write_datetime_with_format(3, 1, ExcelDateTime::from_ymd(2023, 3, 1)?.and_hms(14, 30, 0)?, &date_time)?;
    sheet.write_string(3, 2, "Home visit")?;
    sheet.write_number(3, 3, 3)?;
    sheet.write_formula(3, 4, Formula::new("=D4+1").set_result("4"))?;
    sheet.write_datetime_with_format(4, 0, ExcelDateTime::from_ymd(2023, 3, 2)?, &date)?;
    sheet.write_string(4, 2, "=not a formula, just text")?;
    sheet.write_number(4, 3, 2.5)?;
    // No result given: rust_xlsxwriter caches 0, which is what must come back, not 3.
    sheet.write_formula(4, 4, Formula::new("=1+2"))?;
    sheet.write_boolean(5, 2, true)?;
    sheet.write_formula(5, 4, Formula::new("=1/0").set_result("#DIV/0!"))?;
    // Formatted but empty trailing rows.
    for r in 6..12 {
        sheet.write_blank(r, 0, &date)?;
        sheet.write_blank(r, 2, &bold)?;
    }
    workbook.save_to_buffer()
}

#[test]
fn cells_types_and_row_numbers_come_back_as_written() -> Result<(), XlsxError> {
    let sheets = read_one(&agency_chronology()?);
    assert_eq!(sheets.len(), 1);
    let s = &sheets[0];
    assert_eq!((s.file.as_str(), s.name.as_str(), s.first_row), ("chronology.xlsx", "Health", 1));
    // Rows 1 to 6: the formatted empty rows 7-12 are not part of the sheet.
    assert_eq!(s.rows.len(), 6);
    assert!(s.rows.iter().all(|r| r.len() == 5), "rows are padded to the sheet's width");
    assert_eq!(s.rows[1], vec![Cell::Empty; 5], "the blank row 2 is kept, so row numbers stay right");
    assert_eq!(s.rows[2], ["Date", "Time", "Event", "Count", "Total"].map(text).to_vec());
    assert_eq!(s.row_number(3), 4);
    // 1 March 2023 is serial 44986 in the 1900 date system; 14:30 is 0.6041666...
    assert_eq!(s.rows[3][0], Cell::DateSerial(44986.0));
    match s.rows[3][1] {
        Cell::DateSerial(v) => assert!((v - (44986.0 + 14.5 / 24.0)).abs() < 1e-9, "{v}"),
        ref other => panic!("expected a date serial, got {other:?}"),
    }
    assert_eq!(s.rows[3][2], text("Home visit"));
    assert_eq!(s.rows[3][3], Cell::Number(3.0));
    assert_eq!(s.rows[4][0], Cell::DateSerial(44987.0));
    assert_eq!(s.rows[4][2], text("=not a formula, just text"));
    assert_eq!(s.rows[4][3], Cell::Number(2.5));
    assert_eq!(s.rows[5][2], Cell::Bool(true));
    Ok(())
}

#[test]
fn formulas_are_never_evaluated_only_their_cached_values_read() -> Result<(), XlsxError> {
    let s = &read_one(&agency_chronology()?)[0];
    assert_eq!(s.rows[3][4], Cell::Number(4.0), "cached result of =D4+1");
    assert_eq!(s.rows[4][4], Cell::Number(0.0), "=1+2 with the placeholder 0 cached: not evaluated to 3");
    assert_eq!(s.rows[5][4], Cell::Error("#DIV/0!".into()), "a cached error value");

    // A formula with no cached value at all reads as empty.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_formula_result_default("");
    sheet.write_string(0, 0, "Total")?;
    sheet.write_formula(0, 1, Formula::new("=2+2"))?;
    sheet.write_string(0, 2, "end")?;
    let s = &read_one(&workbook.save_to_buffer()?)[0];
    assert_eq!(s.rows, vec![vec![text("Total"), Cell::Empty, text("end")]]);
    Ok(())
}

#[test]
fn merged_cells_keep_their_value_in_the_top_left_only() -> Result<(), XlsxError> {
    let s = &read_one(&agency_chronology()?)[0];
    assert_eq!(s.rows[0][0], text("Chronology: Child A (Health)"));
    assert_eq!(&s.rows[0][1..], &[Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);

    // A vertical merge in the middle of a table.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Agency")?;
    sheet.write_string(0, 1, "Event")?;
    sheet.merge_range(1, 0, 3, 0, "Police", &Format::new())?;
    for r in 1..4 {
        sheet.write_string(r, 1, format!("event {r}"))?;
    }
    let s = &read_one(&workbook.save_to_buffer()?)[0];
    let agencies: Vec<&Cell> = s.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(agencies, [&text("Agency"), &text("Police"), &Cell::Empty, &Cell::Empty]);
    Ok(())
}

#[test]
fn a_sheet_starting_below_row_one_keeps_its_row_numbers_and_columns() -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Police")?;
    // C5 and D7: the used range starts at row 5, column C.
    sheet.write_string(4, 2, "Date")?;
    sheet.write_string(4, 3, "Event")?;
    sheet.write_number(6, 3, 7)?;
    let s = &read_one(&workbook.save_to_buffer()?)[0];
    assert_eq!(s.first_row, 5);
    assert_eq!(s.rows.len(), 3);
    assert_eq!(s.rows[0], vec![Cell::Empty, Cell::Empty, text("Date"), text("Event")], "columns stay absolute: index 2 is C");
    assert_eq!(s.rows[1], vec![Cell::Empty; 4]);
    assert_eq!(s.row_number(2), 7);
    assert_eq!(s.rows[2][3], Cell::Number(7.0));
    Ok(())
}

#[test]
fn every_worksheet_is_read_in_order_including_empty_ones() -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Social care")?.write_string(0, 0, "a")?;
    workbook.add_worksheet().set_name("Empty")?;
    workbook.add_worksheet().set_name("Education")?.write_string(1, 1, "b")?;
    let sheets = read_one(&workbook.save_to_buffer()?);
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Social care", "Empty", "Education"]);
    assert!(sheets[1].rows.is_empty());
    assert_eq!(sheets[1].first_row, 1);
    assert_eq!((sheets[2].first_row, sheets[2].rows.clone()), (2, vec![vec![Cell::Empty, text("b")]]));
    Ok(())
}
