//! Limits and refusals: sizes checked before parsing, decompression bombs refused before
//! anything is unpacked, sheets too large refused naming the sheet and its size, and
//! files that are not spreadsheets refused naming the file.

use std::io::{Cursor, Write};

use casereview_sheets::{read, Limits, SheetError};
use rust_xlsxwriter::{Workbook, XlsxError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn workbook_with(cells: &[(u32, u16)], sheets: usize) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    for n in 0..sheets.max(1) {
        let sheet = workbook.add_worksheet().set_name(format!("Agency {}", n + 1))?;
        for &(r, c) in cells {
            sheet.write_number(r, c, 1)?;
        }
    }
    workbook.save_to_buffer()
}

#[test]
fn a_file_over_max_bytes_is_refused_before_parsing() {
    let limits = Limits { max_bytes: 10, ..Limits::default() };
    // Not even a valid file: the size is checked first.
    let err = read("big.xlsx", b"PK\x03\x04 garbage!", &limits).expect_err("refused");
    assert_eq!(err, SheetError::TooLarge { file: "big.xlsx".into(), size: 13, limit: 10 });
    assert!(err.to_string().contains("big.xlsx"));
    assert!(read("ok.csv", b"0123456789", &limits).is_ok(), "exactly the limit is fine");
}

#[test]
fn a_sheet_with_too_many_rows_is_refused_naming_sheet_and_count() -> Result<(), XlsxError> {
    let limits = Limits { max_rows_per_sheet: 10, ..Limits::default() };
    let rows: Vec<(u32, u16)> = (0..11).map(|r| (r, 0)).collect();
    let err = read("rows.xlsx", &workbook_with(&rows, 1)?, &limits).expect_err("refused");
    assert_eq!(err, SheetError::TooManyRows { file: "rows.xlsx".into(), sheet: "Agency 1".into(), count: 11, limit: 10 });
    assert!(err.to_string().contains("\"Agency 1\", has 11 rows"), "{err}");
    assert!(read("rows.xlsx", &workbook_with(&rows[..10], 1)?, &limits).is_ok());

    // CSV too, counted in full.
    let csv = "x\n".repeat(25);
    let err = read("rows.csv", csv.as_bytes(), &limits).expect_err("refused");
    assert_eq!(err, SheetError::TooManyRows { file: "rows.csv".into(), sheet: "CSV".into(), count: 25, limit: 10 });
    Ok(())
}

#[test]
fn a_sheet_with_cells_far_apart_is_refused_without_building_the_grid() -> Result<(), XlsxError> {
    // A1 and XFD1048576: a grid of 17 billion cells if anything allocated it.
    let err = read("sparse.xlsx", &workbook_with(&[(0, 0), (1_048_575, 0)], 1)?, &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::TooManyRows { file: "sparse.xlsx".into(), sheet: "Agency 1".into(), count: 1_048_576, limit: 50_000 });
    let err = read("wide.xlsx", &workbook_with(&[(0, 0), (0, 16_383)], 1)?, &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::TooManyColumns { file: "wide.xlsx".into(), sheet: "Agency 1".into(), count: 16_384, limit: 60 });
    Ok(())
}

#[test]
fn a_sheet_with_too_many_columns_is_refused_naming_sheet_and_count() -> Result<(), XlsxError> {
    // Column BI (index 60) is the 61st column.
    let err = read("cols.xlsx", &workbook_with(&[(0, 60)], 1)?, &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::TooManyColumns { file: "cols.xlsx".into(), sheet: "Agency 1".into(), count: 61, limit: 60 });
    assert!(read("cols.xlsx", &workbook_with(&[(0, 59)], 1)?, &Limits::default()).is_ok());

    let csv = format!("{}\n", vec!["x"; 61].join(","));
    let err = read("cols.csv", csv.as_bytes(), &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::TooManyColumns { file: "cols.csv".into(), sheet: "CSV".into(), count: 61, limit: 60 });
    Ok(())
}

#[test]
fn a_workbook_with_too_many_sheets_is_refused() -> Result<(), XlsxError> {
    let limits = Limits { max_sheets: 2, ..Limits::default() };
    let err = read("many.xlsx", &workbook_with(&[(0, 0)], 3)?, &limits).expect_err("refused");
    assert_eq!(err, SheetError::TooManySheets { file: "many.xlsx".into(), count: 3, limit: 2 });
    Ok(())
}

#[test]
fn text_repeated_through_shared_strings_is_bounded() -> Result<(), XlsxError> {
    // One 30 KB string in 40 cells: stored once in the file, 1.2 MB once read.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let long = "x".repeat(30_000);
    for r in 0..40 {
        sheet.write_string(r, 0, &long)?;
    }
    let bytes = workbook.save_to_buffer()?;
    let limits = Limits { max_uncompressed_bytes: 1_000_000, ..Limits::default() };
    let err = read("shared.xlsx", &bytes, &limits).expect_err("refused");
    assert_eq!(err, SheetError::TextTooLarge { file: "shared.xlsx".into(), sheet: "Sheet1".into(), limit: 1_000_000 });
    assert!(read("shared.xlsx", &bytes, &Limits::default()).is_ok());
    Ok(())
}

/// A zip of one deflated entry of `len` zero bytes, built in memory (the zeros are
/// streamed in, never held).
fn zip_of_zeros(name: &str, len: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)).expect("start");
    let chunk = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).expect("write");
        left -= n;
    }
    zip.finish().expect("finish").into_inner()
}

/// Rewrites the uncompressed size a one-entry zip declares, in its local header and its
/// central directory alike, leaving the data (and CRC) as they were.
fn declare_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    assert!(zip.starts_with(b"PK\x03\x04"));
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    zip
}

#[test]
fn a_zip_bomb_is_refused_by_its_compression_ratio() {
    // 8 MiB of zeros deflate to a few KB: a ratio of about 1000.
    let bomb = zip_of_zeros("xl/worksheets/sheet1.xml", 8 * 1024 * 1024);
    assert!(bomb.len() < 100_000);
    let err = read("bomb.xlsx", &bomb, &Limits::default()).expect_err("refused");
    match &err {
        SheetError::SuspiciousCompression { file, entry, problem } => {
            assert_eq!((file.as_str(), entry.as_str()), ("bomb.xlsx", "xl/worksheets/sheet1.xml"));
            assert!(problem.contains("more than 100 times"), "{problem}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_zip_claiming_300_mb_is_refused_without_unpacking_it() {
    // A small zip whose directory says its one part unpacks to 300 MB. Were it unpacked,
    // the data (1 MiB of zeros, CRC of that) would not match and the error would differ.
    let claim = 300_000_000;
    let bomb = declare_size(zip_of_zeros("xl/worksheets/sheet1.xml", 1024 * 1024), claim);
    assert!(bomb.len() < 10_000);
    let err = read("claims.xlsx", &bomb, &Limits::default()).expect_err("refused");
    assert!(matches!(err, SheetError::SuspiciousCompression { .. }), "{err:?}");
    // With no ratio limit, the total declared size still stops it.
    let limits = Limits { max_compression_ratio: u64::MAX, ..Limits::default() };
    let err = read("claims.xlsx", &bomb, &limits).expect_err("refused");
    assert_eq!(err, SheetError::UnpacksTooLarge { file: "claims.xlsx".into(), size: u64::from(claim), limit: 200 * 1024 * 1024 });
}

#[test]
fn a_zip_entry_lying_about_its_size_is_refused() {
    // 2 MiB of zeros declared as 1,000 bytes: the declared sizes pass every check, and
    // unpacking stops one byte past the declared size.
    let liar = declare_size(zip_of_zeros("xl/sharedStrings.xml", 2 * 1024 * 1024), 1000);
    let err = read("liar.xlsx", &liar, &Limits::default()).expect_err("refused");
    match &err {
        SheetError::SuspiciousCompression { file, entry, problem } => {
            assert_eq!((file.as_str(), entry.as_str()), ("liar.xlsx", "xl/sharedStrings.xml"));
            assert!(problem.contains("the 1000 bytes it declares"), "{problem}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_zip_that_is_not_a_workbook_is_refused_naming_the_file() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("letter.txt", SimpleFileOptions::default()).expect("start");
    zip.write_all(b"Dear colleague").expect("write");
    let bytes = zip.finish().expect("finish").into_inner();
    let err = read("letter.docx", &bytes, &Limits::default()).expect_err("refused");
    assert!(matches!(&err, SheetError::Unreadable { file, .. } if file == "letter.docx"), "{err:?}");
    // A damaged zip.
    let err = read("damaged.xlsx", b"PK\x03\x04\x14\0\0\0 and then nothing", &Limits::default()).expect_err("refused");
    assert!(matches!(&err, SheetError::Unreadable { file, .. } if file == "damaged.xlsx"), "{err:?}");
}

#[test]
fn an_xls_workbook_is_refused_with_advice() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    let err = read("old.xls", &ole, &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::LegacyXls { file: "old.xls".into() });
    let message = err.to_string();
    assert!(message.contains("old.xls") && message.contains(".xlsx"), "{message}");
}

#[test]
fn random_bytes_are_refused() {
    // xorshift: the same "random" bytes every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let err = read("photo.jpg", &bytes, &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::NotASpreadsheet { file: "photo.jpg".into() });
    assert!(err.to_string().contains("photo.jpg"));
    // A PNG header (binary, though it starts with printable text).
    let err = read("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &Limits::default()).expect_err("refused");
    assert_eq!(err, SheetError::NotASpreadsheet { file: "image.png".into() });
}
