//! A spreadsheet as read from an .xlsx or .csv file, before any interpretation: named
//! sheets of rows of cells, with the file and row numbers kept so every problem can be
//! reported where a person will find it.

use serde::{Deserialize, Serialize};

/// One cell's value as the file holds it. Formulas are never evaluated: a formula cell
/// carries the value the spreadsheet last cached for it, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date-time serial (days since 1899-12-30, fraction = time of day), as xlsx
    /// stores dates formatted as dates.
    DateSerial(f64),
    /// An error value such as `#REF!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as people would read it, for problem reports.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::DateSerial(n) => format!("date serial {n}"),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// One sheet of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawSheet {
    /// The file it came from, as the user named it (for reports, never a server path).
    pub file: String,
    /// The sheet's name (`"CSV"` for a CSV file).
    pub name: String,
    /// Rows in file order; `rows[i]` is spreadsheet row `first_row + i` (1-based). Merged
    /// cells have their value in the top-left cell and are empty elsewhere.
    pub rows: Vec<Vec<Cell>>,
    /// The 1-based row number of `rows[0]`.
    pub first_row: u32,
}

impl RawSheet {
    /// The 1-based spreadsheet row number of `rows[index]`.
    pub fn row_number(&self, index: usize) -> u32 {
        self.first_row.saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// A spreadsheet column letter for a 0-based index: 0 -> A, 25 -> Z, 26 -> AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn cells_display_as_people_read_them() {
        assert_eq!(Cell::Number(12.0).display(), "12");
        assert!(Cell::Text("  ".into()).is_empty());
        assert!(!Cell::Number(0.0).is_empty());
    }
}
