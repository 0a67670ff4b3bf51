//! Reading an .xlsx held in memory: the zip is checked for bombs first, then every
//! worksheet is streamed cell by cell (calamine's cell reader), so limits are enforced
//! before a grid is built.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, SheetType, Xlsx};
use casereview_core::chronology::sheet::{Cell, RawSheet};

use crate::{Limits, SheetError};

/// Days between the 1900 and 1904 date systems: a 1904-based serial plus this is the
/// 1900-based serial that [`Cell::DateSerial`] holds.
const DAYS_1900_TO_1904: f64 = 1462.0;

pub(crate) fn read(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<RawSheet>, SheetError> {
    check_zip(file, bytes, limits)?;
    let unreadable = |e: calamine::XlsxError| SheetError::Unreadable { file: file.to_owned(), detail: e.to_string() };
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let names: Vec<String> = workbook.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect();
    if names.len() > limits.max_sheets {
        return Err(SheetError::TooManySheets { file: file.to_owned(), count: names.len(), limit: limits.max_sheets });
    }
    let is_1904 = workbook.has_1904_epoch();
    let mut text_budget = limits.max_uncompressed_bytes;
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        sheets.push(read_sheet(file, &name, &mut workbook, is_1904, limits, &mut text_budget)?);
    }
    Ok(sheets)
}

/// Streams one worksheet. Only cells holding a value count: formatted empty cells (as
/// merged areas and blank trailing rows leave) neither start nor extend the sheet. Rows run
/// from the first used row to the last; each row is padded to the sheet's width from
/// column A, so `rows[i][j]` is column `j` (A = 0).
fn read_sheet(
    file: &str,
    name: &str,
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    is_1904: bool,
    limits: &Limits,
    text_budget: &mut u64,
) -> Result<RawSheet, SheetError> {
    let unreadable = |e: calamine::XlsxError| SheetError::Unreadable { file: file.to_owned(), detail: format!("sheet {name:?}: {e}") };
    let mut reader = workbook.worksheet_cells_reader(name).map_err(unreadable)?;
    // Cells arrive row by row, so rows are appended as they come; out-of-order rows (rare,
    // hand-made files) are sorted and merged at the end.
    let mut grid: Vec<(u32, Vec<Cell>)> = Vec::new();
    let mut in_order = true;
    let (mut min_row, mut max_row, mut max_col) = (u32::MAX, 0u32, 0u32);
    let mut over_limit = false;
    while let Some(found) = reader.next_cell().map_err(unreadable)? {
        let cell = to_cell(found.get_value(), is_1904);
        if cell == Cell::Empty {
            continue;
        }
        let (row, col) = found.get_position();
        min_row = min_row.min(row);
        max_row = max_row.max(row);
        max_col = max_col.max(col);
        let rows = u64::from(max_row - min_row) + 1;
        let columns = u64::from(max_col) + 1;
        if rows > limits.max_rows_per_sheet || columns > limits.max_columns {
            // Go on reading to report the sheet's real size, keeping nothing.
            over_limit = true;
            grid.clear();
        }
        if over_limit {
            continue;
        }
        if let Cell::Text(text) = &cell {
            *text_budget = text_budget.checked_sub(text.len() as u64).ok_or_else(|| SheetError::TextTooLarge {
                file: file.to_owned(),
                sheet: name.to_owned(),
                limit: limits.max_uncompressed_bytes,
            })?;
        }
        if grid.last().is_none_or(|(r, _)| *r != row) {
            in_order &= grid.last().is_none_or(|(r, _)| *r < row);
            grid.push((row, Vec::new()));
        }
        let Some((_, cells)) = grid.last_mut() else { continue };
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = cell;
    }
    if min_row == u32::MAX {
        return Ok(RawSheet { file: file.to_owned(), name: name.to_owned(), rows: Vec::new(), first_row: 1 });
    }
    let rows = u64::from(max_row - min_row) + 1;
    if rows > limits.max_rows_per_sheet {
        return Err(SheetError::TooManyRows {
            file: file.to_owned(),
            sheet: name.to_owned(),
            count: rows,
            limit: limits.max_rows_per_sheet,
        });
    }
    let columns = u64::from(max_col) + 1;
    if columns > limits.max_columns {
        return Err(SheetError::TooManyColumns {
            file: file.to_owned(),
            sheet: name.to_owned(),
            count: columns,
            limit: limits.max_columns,
        });
    }
    let width = max_col as usize + 1;
    if !in_order {
        grid.sort_by_key(|(r, _)| *r);
    }
    let mut out: Vec<Vec<Cell>> = Vec::with_capacity(usize::try_from(rows).unwrap_or(0));
    let mut next = min_row;
    for (r, mut cells) in grid {
        if r < next {
            // The same row met twice out of order: merge into the row already laid out.
            if let Some(prev) = out.last_mut() {
                for (i, c) in cells.into_iter().enumerate().filter(|(_, c)| *c != Cell::Empty) {
                    if prev.len() <= i {
                        prev.resize(i + 1, Cell::Empty);
                    }
                    prev[i] = c;
                }
            }
            continue;
        }
        while next < r {
            out.push(vec![Cell::Empty; width]);
            next += 1;
        }
        cells.resize(width, Cell::Empty);
        out.push(cells);
        next = r + 1;
    }
    Ok(RawSheet { file: file.to_owned(), name: name.to_owned(), rows: out, first_row: min_row.saturating_add(1) })
}

/// One cell value as calamine read it. A formula cell arrives as the value last cached for
/// it (calamine never evaluates), or empty when none was cached.
fn to_cell(value: &DataRef<'_>, is_1904: bool) -> Cell {
    let text = |s: &str| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) };
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::DateSerial(if is_1904 { d.as_f64() + DAYS_1900_TO_1904 } else { d.as_f64() }),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Refuses a zip that would unpack too large, before calamine unpacks anything: first from
/// the central directory (the declared sizes: their sum, and each large part's compression
/// ratio), then by unpacking each part into nothing, stopping one byte past its declared
/// size, so a part that lies about its size is caught having unpacked at most that much.
/// The declared sizes are then true, and bounded, for calamine's own unpacking.
fn check_zip(file: &str, bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let unreadable = |e: &dyn std::fmt::Display| SheetError::Unreadable { file: file.to_owned(), detail: e.to_string() };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| unreadable(&e))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if size >= Limits::RATIO_FLOOR && size > packed.saturating_mul(limits.max_compression_ratio) {
            return Err(SheetError::SuspiciousCompression {
                file: file.to_owned(),
                entry: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                problem: format!("would unpack {packed} bytes into {size} (more than {} times larger)", limits.max_compression_ratio),
            });
        }
    }
    if total > limits.max_uncompressed_bytes {
        return Err(SheetError::UnpacksTooLarge { file: file.to_owned(), size: total, limit: limits.max_uncompressed_bytes });
    }
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| unreadable(&e))?;
        let declared = entry.size();
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        std::io::copy(&mut (&mut entry).take(declared), &mut std::io::sink()).map_err(|e| unreadable(&format!("part {name}: {e}")))?;
        // One byte past the declared size must be the end. (The zip crate also fails a
        // part that runs past its declared size; either way it is refused here.)
        let beyond = match entry.read(&mut [0u8; 1]) {
            Ok(0) => continue,
            Ok(_) => format!("unpacks to more than the {declared} bytes it declares"),
            Err(e) => format!("does not unpack to the {declared} bytes it declares ({e})"),
        };
        return Err(SheetError::SuspiciousCompression { file: file.to_owned(), entry: name, problem: beyond });
    }
    Ok(())
}
