//! Chronology files to the integrated chronology, shared by the pages, the API and the
//! command line: read each file (`casereview-sheets`, with its limits), import every
//! sheet (`casereview_core::chronology`), merge, find discrepancies, and lay the result
//! out as tables for .xlsx/.csv or as JSON.

use casereview_core::chronology::discrepancy::{self, Discrepancy, DiscrepancyOptions};
use casereview_core::chronology::entry::ChronologyEntry;
use casereview_core::chronology::import::{import_sheet, ImportOptions, ImportProblem, Severity};
use casereview_core::chronology::merge::{merge, Integrated};
use casereview_core::AgencyDirectory;
use casereview_sheets::{Limits, Table, TableCell};
use serde_json::{json, Value};

/// Agencies a chronology names when no partnership's list is at hand (the command line):
/// the partner organisations of the seeds.
pub const STANDARD_AGENCIES: &[&str] = &[
    "Police",
    "Children's Social Care",
    "Health",
    "Education",
    "Probation",
    "Housing",
    "Ambulance Service",
    "Youth Offending Service",
    "Adult Social Care",
    "Mental Health Services",
    "General Practice",
    "Hospital",
    "CAFCASS",
    "Voluntary Sector",
];

/// Every entry and problem of some files.
#[derive(Debug, Default)]
pub struct ImportResult {
    pub entries: Vec<ChronologyEntry>,
    pub problems: Vec<ImportProblem>,
}

impl ImportResult {
    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

/// Reads and imports files; a file that cannot be read at all is one error naming it.
pub fn import_files(files: &[(String, Vec<u8>)], agencies: &AgencyDirectory, options: &ImportOptions, limits: &Limits) -> ImportResult {
    let mut out = ImportResult::default();
    for (name, bytes) in files {
        match casereview_sheets::read(name, bytes, limits) {
            Ok(sheets) => {
                for sheet in &sheets {
                    let i = import_sheet(sheet, agencies, options);
                    out.entries.extend(i.entries);
                    out.problems.extend(i.problems);
                }
            }
            Err(e) => out.problems.push(ImportProblem {
                file: name.clone(),
                sheet: String::new(),
                row: 0,
                column: None,
                value: String::new(),
                reason: e.to_string(),
                severity: Severity::Error,
            }),
        }
    }
    out
}

/// The integrated chronology and its discrepancies.
pub fn integrate(entries: Vec<ChronologyEntry>, options: &DiscrepancyOptions) -> (Integrated, Vec<Discrepancy>) {
    let integrated = merge(entries);
    let found = discrepancy::detect(&integrated, options);
    (integrated, found)
}

fn yes_no(v: Option<bool>) -> TableCell {
    match v {
        Some(true) => TableCell::Text("Yes".into()),
        Some(false) => TableCell::Text("No".into()),
        None => TableCell::Empty,
    }
}

/// The integrated chronology as a printable table (001 App. V columns, plus where each
/// line came from).
pub fn chronology_table(title: &str, i: &Integrated) -> Table {
    let headers = [
        "No.",
        "Date / time",
        "Date known to",
        "Agency",
        "Child / family member",
        "Professional",
        "Significant event",
        "Child seen",
        "Wishes and feelings",
        "Reviewer's comment",
        "Source",
    ];
    let rows = i
        .entries
        .iter()
        .map(|ie| {
            let e = &ie.entry;
            vec![
                TableCell::Number(ie.position as f64),
                TableCell::Text(e.when()),
                TableCell::Text(e.date.precision().label().to_string()),
                TableCell::Text(e.agency.clone()),
                TableCell::Text(e.subject.clone()),
                TableCell::Text(e.professional.clone()),
                TableCell::Text(e.event.clone()),
                yes_no(e.child_seen),
                yes_no(e.wishes_and_feelings),
                TableCell::Text(e.comment.clone()),
                TableCell::Text(e.source.to_string()),
            ]
        })
        .collect();
    Table {
        title: title.to_string(),
        sheet_name: "Integrated chronology".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        column_widths: vec![6.0, 16.0, 12.0, 18.0, 18.0, 18.0, 50.0, 10.0, 12.0, 40.0, 28.0],
    }
}

/// The discrepancies as a table.
pub fn discrepancy_table(title: &str, found: &[Discrepancy]) -> Table {
    Table {
        title: title.to_string(),
        sheet_name: "Discrepancies".into(),
        headers: ["Id", "Kind", "Detail", "Entries"].iter().map(|h| h.to_string()).collect(),
        rows: found
            .iter()
            .map(|d| {
                vec![
                    TableCell::Text(d.id.clone()),
                    TableCell::Text(d.kind.slug().to_string()),
                    TableCell::Text(d.detail.clone()),
                    TableCell::Text(d.entries.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("; ")),
                ]
            })
            .collect(),
        column_widths: vec![30.0, 20.0, 70.0, 60.0],
    }
}

/// The JSON shape of the command line and the API: `entries` and `discrepancies`.
pub fn to_json(i: &Integrated, found: &[Discrepancy]) -> Value {
    let entries: Vec<Value> = i
        .entries
        .iter()
        .map(|ie| {
            let e = &ie.entry;
            json!({
                "position": ie.position,
                "date": e.date.earliest().to_string(),
                "date_display": e.when(),
                "precision": e.date.precision(),
                "placement_note": e.date.placement_note(),
                "time": e.time.map(|t| t.format("%H:%M").to_string()),
                "agency": e.agency,
                "subject": e.subject,
                "professional": e.professional,
                "event": e.event,
                "child_seen": e.child_seen,
                "wishes_and_feelings": e.wishes_and_feelings,
                "comment": e.comment,
                "source": e.source,
                "tie_note": ie.tie_note,
            })
        })
        .collect();
    json!({ "entries": entries, "discrepancies": found, "seen_by_agency": i.seen_by_agency })
}

/// One problem on one line, as the command line prints it.
pub fn problem_line(p: &ImportProblem) -> String {
    if p.sheet.is_empty() && p.row == 0 {
        // A whole-file problem: the reader's message already names the file.
        return format!("{}: {}", if p.severity == Severity::Error { "error" } else { "warning" }, p.reason);
    }
    let at = match (&p.sheet, p.row, &p.column) {
        (s, 0, _) if s.is_empty() => p.file.clone(),
        (s, r, Some(c)) => format!("{}, sheet {s}, row {r}, column {c}", p.file),
        (s, r, None) => format!("{}, sheet {s}, row {r}", p.file),
    };
    let sev = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    if p.value.is_empty() {
        format!("{sev}: {at}: {}", p.reason)
    } else {
        format!("{sev}: {at}: '{}': {}", p.value, p.reason)
    }
}
