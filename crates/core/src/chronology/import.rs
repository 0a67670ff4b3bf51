//! Turning a [`RawSheet`] into [`ChronologyEntry`]s and a list of [`ImportProblem`]s, each
//! naming the file, sheet, row and column a person has to look at.
//!
//! Rules, in the order they apply:
//!
//! * **Header row.** The first [`HEADER_SCAN_ROWS`] rows are scanned; the row recognising
//!   the most distinct columns (at least two) is the header, the earliest on a tie. Title
//!   rows above it are skipped. Header cells are compared lower-cased with punctuation
//!   removed, first against [`HEADER_SYNONYMS`], then by keywords (see [`classify_header`]).
//!   Empty header cells (merged-cell gaps) are ignored. Date and event columns are required,
//!   and so is the agency column unless [`ImportOptions::default_agency`] is given; a missing
//!   one is a single problem listing the headers that were found.
//! * **Rows.** Fully empty rows are skipped silently; a row repeating the header is skipped.
//!   A row with content but no date, an unreadable date or no event is an error and gives no
//!   entry; other doubts (time, child seen, unknown agency) are warnings and the entry stays.
//! * **Dates** ([`parse_date_cell`]): Excel serials (1900 system, including its 29 Feb 1900
//!   bug), numbers that look like serials (10000-99999) or years (1900-2100), and text in
//!   the forms listed on [`parse_date_text`].
//! * **Child seen** ([`parse_yes_no`], [`child_seen_in_text`]): the child-seen column when
//!   the sheet has one and the cell is filled; otherwise phrases in the event text ("not
//!   seen" wins over "seen"); otherwise unknown. Wishes and feelings likewise.
//! * **Agency** ([`normalise_agency`]): the caller's aliases, then the partnership
//!   directory; an unknown name is kept as written with a warning. With no agency column,
//!   or an empty cell, the caller's default agency.

use super::entry::{ChronologyEntry, FuzzyDate, Source};
use super::sheet::{column_letter, Cell, RawSheet};
use crate::AgencyDirectory;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many rows from the top are searched for the header row.
pub const HEADER_SCAN_ROWS: usize = 20;

/// Choices the caller makes for one import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Treat a day of 01 (with no time) as "only the month is known", the template's
    /// convention (001 App. VI). Off by default: a real 1st stays exact.
    pub day_01_means_month: bool,
    /// Two-digit years `yy <= century_pivot` are 20yy, later ones 19yy. Pass the current
    /// two-digit year (the core never reads the clock).
    pub century_pivot: u32,
    /// The file's agency, used when the sheet has no agency column or the cell is empty.
    pub default_agency: Option<String>,
    /// Extra spellings: any case -> the canonical name ("CIAU" -> "Police").
    pub aliases: BTreeMap<String, String>,
}

impl ImportOptions {
    /// Options with the given pivot, the 01 convention off, no default agency, no aliases.
    pub fn new(century_pivot: u32) -> Self {
        ImportOptions { day_01_means_month: false, century_pivot, default_agency: None, aliases: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row gave no entry (or the sheet none at all).
    Error,
    /// The entry was kept; something in it deserves a look.
    Warning,
}

/// One problem, where a person will find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub file: String,
    pub sheet: String,
    /// 1-based spreadsheet row.
    pub row: u32,
    /// Column letter and header, e.g. "A (Date)"; `None` for a whole-row or sheet problem.
    pub column: Option<String>,
    /// The value as people read it in the cell.
    pub value: String,
    pub reason: String,
    pub severity: Severity,
}

/// The result of importing one sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    pub entries: Vec<ChronologyEntry>,
    pub problems: Vec<ImportProblem>,
}

impl Imported {
    pub fn errors(&self) -> impl Iterator<Item = &ImportProblem> {
        self.problems.iter().filter(|p| p.severity == Severity::Error)
    }
}

/// The Appendix V columns a header can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Date,
    Time,
    Subject,
    Professional,
    Event,
    ChildSeen,
    WishesAndFeelings,
    Agency,
    Comment,
}

impl ColumnKind {
    pub fn label(self) -> &'static str {
        match self {
            ColumnKind::Date => "Date",
            ColumnKind::Time => "Time",
            ColumnKind::Subject => "Child/family member",
            ColumnKind::Professional => "Professional",
            ColumnKind::Event => "Significant event",
            ColumnKind::ChildSeen => "Child seen",
            ColumnKind::WishesAndFeelings => "Wishes and feelings",
            ColumnKind::Agency => "Agency",
            ColumnKind::Comment => "Reviewer's comment",
        }
    }
}

/// Exact header spellings (after [`normalise_header`]).
pub const HEADER_SYNONYMS: &[(&str, ColumnKind)] = &[
    ("date", ColumnKind::Date),
    ("date time", ColumnKind::Date),
    ("date and time", ColumnKind::Date),
    ("dates", ColumnKind::Date),
    ("time", ColumnKind::Time),
    ("child family member", ColumnKind::Subject),
    ("name of child or family member", ColumnKind::Subject),
    ("child or family member", ColumnKind::Subject),
    ("family member", ColumnKind::Subject),
    ("subject", ColumnKind::Subject),
    ("name", ColumnKind::Subject),
    ("professional", ColumnKind::Professional),
    ("role", ColumnKind::Professional),
    ("professional role", ColumnKind::Professional),
    ("practitioner", ColumnKind::Professional),
    ("significant events incidents and if child seen", ColumnKind::Event),
    ("significant event", ColumnKind::Event),
    ("significant events", ColumnKind::Event),
    ("event", ColumnKind::Event),
    ("events", ColumnKind::Event),
    ("incident", ColumnKind::Event),
    ("details", ColumnKind::Event),
    ("child seen", ColumnKind::ChildSeen),
    ("seen", ColumnKind::ChildSeen),
    ("was the child seen", ColumnKind::ChildSeen),
    ("wishes and feelings", ColumnKind::WishesAndFeelings),
    ("wishes feelings", ColumnKind::WishesAndFeelings),
    ("agency", ColumnKind::Agency),
    ("organisation", ColumnKind::Agency),
    ("organization", ColumnKind::Agency),
    ("reviewer s comment", ColumnKind::Comment),
    ("reviewers comment", ColumnKind::Comment),
    ("comments including good practice", ColumnKind::Comment),
    ("comment", ColumnKind::Comment),
    ("comments", ColumnKind::Comment),
];

/// Keyword rules tried in order when no exact synonym matches: the first rule whose words
/// all appear in the header wins. Event comes before child seen because the template's
/// event header ends "and if child seen"; comment before agency/professional because of
/// "Management Review Officer's comments".
const HEADER_KEYWORDS: &[(&[&str], ColumnKind)] = &[
    (&["wishes"], ColumnKind::WishesAndFeelings),
    (&["event"], ColumnKind::Event),
    (&["events"], ColumnKind::Event),
    (&["incident"], ColumnKind::Event),
    (&["incidents"], ColumnKind::Event),
    (&["seen"], ColumnKind::ChildSeen),
    (&["comment"], ColumnKind::Comment),
    (&["comments"], ColumnKind::Comment),
    (&["good", "practice"], ColumnKind::Comment),
    (&["agency"], ColumnKind::Agency),
    (&["organisation"], ColumnKind::Agency),
    (&["professional"], ColumnKind::Professional),
    (&["role"], ColumnKind::Professional),
    (&["practitioner"], ColumnKind::Professional),
    (&["family", "member"], ColumnKind::Subject),
    (&["child"], ColumnKind::Subject),
    (&["date"], ColumnKind::Date),
    (&["time"], ColumnKind::Time),
];

/// Lower-cased, `&` read as "and", every other non-alphanumeric character a space, spaces
/// collapsed: "Date & time" -> "date and time", "Child seen?" -> "child seen".
pub fn normalise_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '&' {
            out.push_str(" and ");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which Appendix V column a header names, if any. Headers longer than 100 characters
/// (titles, notes) never match.
pub fn classify_header(header: &str) -> Option<ColumnKind> {
    if header.chars().count() > 100 {
        return None;
    }
    let n = normalise_header(header);
    if n.is_empty() {
        return None;
    }
    if let Some((_, k)) = HEADER_SYNONYMS.iter().find(|(s, _)| *s == n) {
        return Some(*k);
    }
    let words: Vec<&str> = n.split(' ').collect();
    HEADER_KEYWORDS.iter().find(|(ws, _)| ws.iter().all(|w| words.contains(w))).map(|(_, k)| *k)
}

/// The header row found in a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderMap {
    /// Index into `RawSheet::rows`.
    pub row_index: usize,
    /// Recognised columns: kind -> (0-based column, header as written).
    pub columns: BTreeMap<ColumnKind, (usize, String)>,
    /// Every non-empty header cell as written, with its column letter.
    pub found: Vec<String>,
    /// Later columns naming a kind already taken: (0-based column, header).
    pub duplicates: Vec<(usize, String)>,
}

fn header_of_row(row: &[Cell], row_index: usize) -> HeaderMap {
    let mut columns = BTreeMap::new();
    let mut found = Vec::new();
    let mut duplicates = Vec::new();
    for (i, cell) in row.iter().enumerate() {
        let Cell::Text(t) = cell else { continue };
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        found.push(format!("{} ({t})", column_letter(i)));
        if let Some(k) = classify_header(t) {
            match columns.entry(k) {
                std::collections::btree_map::Entry::Occupied(_) => duplicates.push((i, t.to_string())),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert((i, t.to_string()));
                }
            }
        }
    }
    HeaderMap { row_index, columns, found, duplicates }
}

/// The header row: the row among the first [`HEADER_SCAN_ROWS`] recognising the most
/// distinct columns (at least two), the earliest on a tie.
pub fn detect_header(sheet: &RawSheet) -> Option<HeaderMap> {
    let mut best: Option<HeaderMap> = None;
    for (i, row) in sheet.rows.iter().enumerate().take(HEADER_SCAN_ROWS) {
        let h = header_of_row(row, i);
        if h.columns.len() >= 2 && best.as_ref().is_none_or(|b| h.columns.len() > b.columns.len()) {
            best = Some(h);
        }
    }
    best
}

/// Imports one sheet. Never fails: everything wrong is an [`ImportProblem`].
pub fn import_sheet(sheet: &RawSheet, agencies: &AgencyDirectory, options: &ImportOptions) -> Imported {
    let mut out = Imported::default();
    let problem = |row: u32, column: Option<String>, value: String, reason: String, severity: Severity| ImportProblem {
        file: sheet.file.clone(),
        sheet: sheet.name.clone(),
        row,
        column,
        value,
        reason,
        severity,
    };
    if sheet.rows.iter().all(|r| r.iter().all(Cell::is_empty)) {
        return out;
    }
    let Some(header) = detect_header(sheet) else {
        let best = sheet.rows.iter().take(HEADER_SCAN_ROWS).enumerate().find(|(_, r)| r.iter().any(|c| !c.is_empty()));
        let (idx, found) = best.map(|(i, r)| (i, header_of_row(r, i).found)).unwrap_or((0, Vec::new()));
        out.problems.push(problem(
            sheet.row_number(idx),
            None,
            String::new(),
            format!(
                "sheet '{}' has no header row in its first {HEADER_SCAN_ROWS} rows (expected headers such as Date, Significant event, Agency); first non-empty row has: {}",
                sheet.name,
                if found.is_empty() { "nothing readable".to_string() } else { found.join(", ") }
            ),
            Severity::Error,
        ));
        return out;
    };
    let header_row = sheet.row_number(header.row_index);
    let mut missing: Vec<&str> = Vec::new();
    for k in [ColumnKind::Date, ColumnKind::Event] {
        if !header.columns.contains_key(&k) {
            missing.push(k.label());
        }
    }
    if !header.columns.contains_key(&ColumnKind::Agency) && options.default_agency.is_none() {
        missing.push("Agency (or an agency for the whole file)");
    }
    if !missing.is_empty() {
        out.problems.push(problem(
            header_row,
            None,
            String::new(),
            format!("sheet '{}' has no {} column; headers found: {}", sheet.name, missing.join(" and no "), header.found.join(", ")),
            Severity::Error,
        ));
        return out;
    }
    for (i, h) in &header.duplicates {
        out.problems.push(problem(
            header_row,
            Some(format!("{} ({h})", column_letter(*i))),
            h.clone(),
            "a second column with this meaning: ignored, the first one is used".into(),
            Severity::Warning,
        ));
    }
    let col = |k: ColumnKind| header.columns.get(&k).map(|(i, h)| (*i, h.as_str()));
    let default_agency = options.default_agency.as_deref().map(|a| normalise_agency(a, agencies, &options.aliases));
    if let Some(Err(a)) = &default_agency {
        out.problems.push(problem(
            header_row,
            None,
            a.clone(),
            format!("the file's agency '{a}' is not an agency of this partnership: kept as written"),
            Severity::Warning,
        ));
    }
    let default_agency = default_agency.map(|r| r.unwrap_or_else(|a| a));
    // Agency spellings repeat on every row: resolve each once.
    let mut agency_cache: BTreeMap<String, Result<String, String>> = BTreeMap::new();

    for (idx, row) in sheet.rows.iter().enumerate().skip(header.row_index + 1) {
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        let rn = sheet.row_number(idx);
        let cell = |k: ColumnKind| col(k).and_then(|(i, _)| row.get(i)).unwrap_or(&Cell::Empty);
        let colname = |k: ColumnKind| col(k).map(|(i, h)| format!("{} ({h})", column_letter(i)));
        let text = |k: ColumnKind| match cell(k) {
            Cell::Text(t) => t.trim().to_string(),
            c if c.is_empty() => String::new(),
            c => c.display().trim().to_string(),
        };
        // A repeated header (printed sheets repeat it on every page). Only a short text that
        // does not start with a digit can be a header, so dates are passed over cheaply.
        let is_header_again = [ColumnKind::Date, ColumnKind::Event].iter().all(|k| match cell(*k) {
            Cell::Text(t) if t.len() <= 100 && !t.trim_start().starts_with(|c: char| c.is_ascii_digit()) => classify_header(t) == Some(*k),
            _ => false,
        });
        if is_header_again {
            continue;
        }
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let event = text(ColumnKind::Event);
        if event.is_empty() {
            errors.push((
                colname(ColumnKind::Event),
                String::new(),
                "no significant event: the row has content but the event is empty".to_string(),
            ));
        }
        let date_cell = cell(ColumnKind::Date);
        let mut parsed = None;
        if date_cell.is_empty() {
            errors.push((
                colname(ColumnKind::Date),
                String::new(),
                "no date: every entry needs a date (dd/mm/yy, or month and year)".to_string(),
            ));
        } else {
            match parse_date_cell(date_cell, options) {
                Ok(p) => parsed = Some(p),
                Err(reason) => errors.push((colname(ColumnKind::Date), date_cell.display(), reason)),
            }
        }
        // Time: the time column overrides a time written with the date.
        let time_cell = cell(ColumnKind::Time);
        let mut time_from_column = None;
        if !time_cell.is_empty() {
            match parse_time_cell(time_cell) {
                Ok(t) => time_from_column = t,
                Err(reason) => warnings.push((colname(ColumnKind::Time), time_cell.display(), reason)),
            }
        }
        let subject = text(ColumnKind::Subject);
        let professional = text(ColumnKind::Professional);
        let comment = text(ColumnKind::Comment);

        let seen_cell = cell(ColumnKind::ChildSeen);
        let mut child_seen = None;
        if !seen_cell.is_empty() {
            match parse_yes_no(seen_cell) {
                Ok(v) => child_seen = v,
                Err(_) => warnings.push((
                    colname(ColumnKind::ChildSeen),
                    seen_cell.display(),
                    "child seen not understood (expected Yes, No, Y, N, Seen or Not seen): recorded as unknown".to_string(),
                )),
            }
        } else {
            child_seen = child_seen_in_text(&event);
        }
        let wf_cell = cell(ColumnKind::WishesAndFeelings);
        let mut wishes_and_feelings = None;
        if !wf_cell.is_empty() {
            match parse_yes_no(wf_cell) {
                Ok(v) => wishes_and_feelings = v,
                Err(_) => warnings.push((
                    colname(ColumnKind::WishesAndFeelings),
                    wf_cell.display(),
                    "wishes and feelings not understood (expected Yes or No): recorded as unknown".to_string(),
                )),
            }
        } else {
            wishes_and_feelings = wishes_and_feelings_in_text(&event);
        }

        let agency_text = text(ColumnKind::Agency);
        let agency = if agency_text.is_empty() {
            match &default_agency {
                Some(a) => a.clone(),
                None => {
                    errors.push((
                        colname(ColumnKind::Agency),
                        String::new(),
                        "no agency, and none was given for the whole file".to_string(),
                    ));
                    String::new()
                }
            }
        } else {
            let resolved = match agency_cache.get(&agency_text) {
                Some(r) => r.clone(),
                None => {
                    let r = normalise_agency(&agency_text, agencies, &options.aliases);
                    agency_cache.insert(agency_text.clone(), r.clone());
                    r
                }
            };
            match resolved {
                Ok(a) => a,
                Err(a) => {
                    warnings.push((
                        colname(ColumnKind::Agency),
                        agency_text.clone(),
                        "not an agency of this partnership (nor a known alias): kept as written".to_string(),
                    ));
                    a
                }
            }
        };

        let severity_of = |list: Vec<(Option<String>, String, String)>, s: Severity| {
            list.into_iter().map(move |(c, v, r)| (c, v, r, s)).collect::<Vec<_>>()
        };
        let failed = !errors.is_empty();
        for (c, v, r, s) in severity_of(errors, Severity::Error).into_iter().chain(severity_of(warnings, Severity::Warning)) {
            out.problems.push(problem(rn, c, v, r, s));
        }
        if failed {
            continue;
        }
        let Some((mut date, time_in_date)) = parsed else { continue };
        let mut time = time_from_column.or(time_in_date);
        if let (Some(a), Some(b)) = (time_from_column, time_in_date) {
            if a != b {
                out.problems.push(problem(
                    rn,
                    colname(ColumnKind::Time),
                    time_cell.display(),
                    format!(
                        "the date cell says {} but the time column says {}: the time column is used",
                        b.format("%H:%M"),
                        a.format("%H:%M")
                    ),
                    Severity::Warning,
                ));
            }
        }
        // The 01 convention does not apply when the time column records a time: a time
        // means a real day.
        if time_from_column.is_some() && options.day_01_means_month && matches!(date, FuzzyDate::Month(..)) {
            let plain = ImportOptions { day_01_means_month: false, ..options.clone() };
            if let Ok((d, _)) = parse_date_cell(date_cell, &plain) {
                if d.is_day() {
                    date = d;
                }
            }
        }
        if time.is_some() && !date.is_day() {
            out.problems.push(problem(
                rn,
                colname(ColumnKind::Time),
                time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                format!("a time with a date known only as {date}: the time is left out"),
                Severity::Warning,
            ));
            time = None;
        }
        out.entries.push(ChronologyEntry {
            date,
            time,
            subject,
            professional,
            event,
            child_seen,
            wishes_and_feelings,
            agency,
            comment,
            source: Source { file: sheet.file.clone(), sheet: sheet.name.clone(), row: rn },
        });
    }
    out
}

/// The agency as the partnership writes it. Aliases (any case, spaces collapsed) are tried
/// first, then the directory; the canonical name of an alias is itself looked up in the
/// directory so it takes the directory's spelling. `Err(as written)` when unknown.
pub fn normalise_agency(name: &str, agencies: &AgencyDirectory, aliases: &BTreeMap<String, String>) -> Result<String, String> {
    let written = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = written.to_lowercase();
    let via_alias = aliases.iter().find(|(k, _)| k.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase() == key);
    if let Some((_, canonical)) = via_alias {
        let c = canonical.trim();
        return Ok(agencies.get(&c.to_lowercase()).map(|(n, _)| n.clone()).unwrap_or_else(|| c.to_string()));
    }
    match agencies.get(&key) {
        Some((n, _)) => Ok(n.clone()),
        None => Err(written),
    }
}

/// Yes/No answers: "Yes", "Y", "yes - seen", "Seen", "True", "No", "N", "Not seen", "False"
/// (any case, trailing punctuation ignored). "Unknown", "N/K", "N/A", "-" give `Ok(None)`.
/// A boolean cell is its value. Anything else is `Err(the value as written)`.
pub fn parse_yes_no(cell: &Cell) -> Result<Option<bool>, String> {
    let t = match cell {
        Cell::Empty => return Ok(None),
        Cell::Bool(b) => return Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => return Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => return Ok(Some(false)),
        Cell::Text(t) => t,
        other => return Err(other.display()),
    };
    let n = normalise_header(t);
    if n.is_empty() || ["unknown", "not known", "n k", "n a", "na", "nk", "unclear", "not recorded"].contains(&n.as_str()) {
        return Ok(None);
    }
    let first = n.split(' ').next().unwrap_or("");
    if n.starts_with("not ") || n.starts_with("unseen") || ["no", "n", "false"].contains(&first) {
        return Ok(Some(false));
    }
    if ["yes", "y", "seen", "true", "sought", "recorded"].contains(&first) {
        return Ok(Some(true));
    }
    Err(t.clone())
}

/// Phrases in event text saying the child was not seen; checked before [`SEEN_PHRASES`].
pub const NOT_SEEN_PHRASES: &[&str] =
    &["not seen", "unseen", "not been seen", "wasn't seen", "was not seen", "did not see", "didn't see", "no sight of", "not sighted"];
/// Phrases in event text saying the child was seen.
pub const SEEN_PHRASES: &[&str] =
    &["child seen", "seen alone", "seen with", "seen at", "was seen", "saw child", "saw the child", "child sighted"];

/// The child-seen rule for a sheet without a child-seen column (or with the cell empty):
/// any of [`NOT_SEEN_PHRASES`] in the event (lower-cased) means not seen; otherwise any of
/// [`SEEN_PHRASES`] means seen; otherwise unknown.
pub fn child_seen_in_text(event: &str) -> Option<bool> {
    // Every phrase contains "seen": most events are passed over without allocating.
    if !contains_ascii_ci(event, "seen") {
        return None;
    }
    let t = phrase_text(event);
    if NOT_SEEN_PHRASES.iter().any(|p| t.contains(p)) {
        Some(false)
    } else if SEEN_PHRASES.iter().any(|p| t.contains(p)) {
        Some(true)
    } else {
        None
    }
}

/// Whether `needle` (lower-case ASCII) occurs in `hay`, ignoring ASCII case, without
/// allocating.
fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Text as the phrase lists are written: lower case, "&" as "and", a curly apostrophe
/// as a straight one, runs of white space as one space. One pass, one allocation.
fn phrase_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '&' => out.push_str("and"),
            '\u{2019}' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Wishes and feelings from event text: "wishes and feelings" / "wishes & feelings" /
/// "child's views" / "voice of the child" means recorded, unless followed anywhere by
/// "not sought", "not recorded" or "not ascertained"; otherwise unknown.
pub fn wishes_and_feelings_in_text(event: &str) -> Option<bool> {
    // Every phrase contains "wish", "view" or "voice": most events are passed over.
    if !["wish", "view", "voice"].iter().any(|k| contains_ascii_ci(event, k)) {
        return None;
    }
    let t = phrase_text(event);
    if ["wishes and feelings", "child's views", "child's view", "voice of the child"].iter().any(|p| t.contains(p)) {
        if ["not sought", "not recorded", "not ascertained", "not explored"].iter().any(|p| t.contains(p)) {
            Some(false)
        } else {
            Some(true)
        }
    } else {
        None
    }
}

/// The Excel epoch for serials from 61 on (1899-12-30 absorbs the fictitious 29 Feb 1900).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or(NaiveDate::MIN)
}

/// An Excel 1900-system serial as a day and, when it has a fraction, a time (to the
/// minute). Excel counts a 29 February 1900 that never was (serial 60), so serials 1-59
/// are one day later than the 1899-12-30 epoch suggests; serial 60 itself is refused.
pub fn excel_serial(serial: f64) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!("{serial} is not a date serial Excel can hold"));
    }
    let days = serial.floor() as i64;
    let date = if days < 60 {
        excel_epoch() + chrono::Duration::days(days + 1)
    } else if days == 60 {
        return Err("serial 60 is 29/02/1900, a day that does not exist (Excel's 1900 leap-year bug)".into());
    } else {
        excel_epoch() + chrono::Duration::days(days)
    };
    let minutes = ((serial - serial.floor()) * 1440.0).round() as u32;
    let time = if minutes == 0 || minutes >= 1440 { None } else { NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0) };
    Ok((date, time))
}

fn month_from_name(s: &str) -> Option<u32> {
    let s = s.to_lowercase();
    let s = s.trim_end_matches('.');
    if s.len() < 3 {
        return None;
    }
    let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    names.iter().position(|n| n.starts_with(s) || (s == "sept" && *n == "september")).map(|i| i as u32 + 1)
}

fn is_weekday(s: &str) -> bool {
    let s = s.to_lowercase();
    let s = s.trim_end_matches(['.', ',']);
    s.len() >= 3 && ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].iter().any(|d| d.starts_with(s))
}

/// `s` without the prefix `p` (ASCII, any case).
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

/// `s` without the suffix `p` (ASCII, any case).
fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(p).then(|| &s[..cut])
}

fn year_of(s: &str, pivot: u32) -> Result<i32, String> {
    let n: u32 = s.parse().map_err(|_| format!("'{s}' is not a year"))?;
    let y = match s.len() {
        2 => {
            if n <= pivot {
                2000 + n
            } else {
                1900 + n
            }
        }
        4 => n,
        _ => return Err(format!("'{s}' is not a year: use 2 or 4 digits")),
    };
    if !(1900..=2100).contains(&y) {
        return Err(format!("the year {y} is outside 1900-2100"));
    }
    Ok(y as i32)
}

fn day_of(y: i32, m: u32, d: u32, written: &str) -> Result<NaiveDate, String> {
    if !(1..=12).contains(&m) {
        return Err(format!("{written} is not a date: there is no month {m}"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{written} is not a date: there is no {d} {} {y}", super::entry::month_name(m)))
}

/// A time of day: "14:30", "14:30:00", "14.30", "1430", "1430hrs", "2:30pm", "2pm".
pub fn parse_time_text(s: &str) -> Option<NaiveTime> {
    let t = s.trim().to_lowercase().replace(' ', "");
    let t = t.trim_end_matches("hrs").trim_end_matches("hr").trim_end_matches('h');
    let (t, pm, am) = if let Some(x) = t.strip_suffix("pm") {
        (x, true, false)
    } else if let Some(x) = t.strip_suffix("am") {
        (x, false, true)
    } else {
        (t, false, false)
    };
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.') {
        return None;
    }
    let parts: Vec<&str> = t.split([':', '.']).collect();
    let (h, m, sec) = match parts.as_slice() {
        [h] if h.len() == 4 && !am && !pm => (h[..2].parse().ok()?, h[2..].parse().ok()?, 0),
        [h] if h.len() <= 2 && (am || pm) => (h.parse().ok()?, 0, 0),
        [h, m] if m.len() == 2 && h.len() <= 2 => (h.parse::<u32>().ok()?, m.parse().ok()?, 0),
        [h, m, s] if m.len() == 2 && s.len() == 2 && h.len() <= 2 => (h.parse::<u32>().ok()?, m.parse().ok()?, s.parse().ok()?),
        _ => return None,
    };
    let h = if am || pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        (h % 12) + if pm { 12 } else { 0 }
    } else {
        h
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

/// A time cell: text as [`parse_time_text`], a fraction of a day (Excel time), a date-time
/// serial's fraction, or a whole number 0-2359 read as hhmm. `Ok(None)` for "unknown",
/// "n/k", "-" and the like.
pub fn parse_time_cell(cell: &Cell) -> Result<Option<NaiveTime>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) => {
            let n = normalise_header(t);
            if n.is_empty() || ["unknown", "not known", "n k", "nk", "n a", "na"].contains(&n.as_str()) {
                return Ok(None);
            }
            parse_time_text(t).map(Some).ok_or_else(|| format!("'{}' is not a time: use hh:mm, e.g. 14:30", t.trim()))
        }
        Cell::Number(n) | Cell::DateSerial(n) if (0.0..1.0).contains(n) => {
            let minutes = (n * 1440.0).round() as u32;
            Ok(NaiveTime::from_hms_opt((minutes / 60) % 24, minutes % 60, 0))
        }
        Cell::DateSerial(n) => excel_serial(*n).map(|(_, t)| t),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= 2359.0 => {
            let v = *n as u32;
            NaiveTime::from_hms_opt(v / 100, v % 100, 0).map(Some).ok_or_else(|| format!("{v} is not a time: use hh:mm, e.g. 14:30"))
        }
        other => Err(format!("'{}' is not a time: use hh:mm, e.g. 14:30", other.display())),
    }
}

/// Applies the 01 convention to a day that carries no time.
fn day_or_month(d: NaiveDate, approximate: bool, time: Option<NaiveTime>, options: &ImportOptions) -> FuzzyDate {
    if options.day_01_means_month && d.day() == 1 && time.is_none() {
        FuzzyDate::Month(d.year(), d.month())
    } else if approximate {
        FuzzyDate::Approximate(d)
    } else {
        FuzzyDate::Exact(d)
    }
}

/// A date cell: an Excel date serial; a number 10000-99999 read as a serial (a date typed
/// into a cell formatted as a number); a whole number 1900-2100 read as a year; or text as
/// [`parse_date_text`]. The 01 convention applies to days without a time.
pub fn parse_date_cell(cell: &Cell, options: &ImportOptions) -> Result<(FuzzyDate, Option<NaiveTime>), String> {
    match cell {
        Cell::Empty => Err("no date".into()),
        Cell::DateSerial(n) => {
            let (d, t) = excel_serial(*n)?;
            Ok((day_or_month(d, false, t, options), t))
        }
        Cell::Number(n) if n.fract() == 0.0 && (1900.0..=2100.0).contains(n) => Ok((FuzzyDate::Year(*n as i32), None)),
        Cell::Number(n) if (10_000.0..100_000.0).contains(n) => {
            let (d, t) = excel_serial(*n)?;
            Ok((day_or_month(d, false, t, options), t))
        }
        Cell::Number(_) => Err(format!("the number {} is not a date: use dd/mm/yy", cell.display())),
        Cell::Text(t) => parse_date_text(t, options),
        Cell::Bool(_) => Err("a true/false value is not a date".into()),
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
    }
}

/// Date text. Accepted forms (with `/`, `-` or `.` between numbers):
///
/// * a day: `dd/mm/yy` (pivot from the options), `dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd`,
///   `12 March 2024`, `12th Mar 2024`, `March 12, 2024`; a leading weekday is ignored;
/// * a month: `mm/yyyy`, `yyyy-mm`, `March 2024`, `Mar 2024`, `Mar-24`;
/// * a year: `2024`;
/// * approximate: any of the above after `c.`, `c`, `ca.`, `circa`, `approx`, `approx.`,
///   `approximately`, `about`, `around`, `~`, or followed by `(approx)`/`approx`. A day
///   becomes [`FuzzyDate::Approximate`]; a month or year stays as it is (already a range);
/// * a time after the date: `12/03/2024 14:30`, `2024-03-12T14:30`.
///
/// Impossible dates (31/02/2024, month 13) are refused with the reason.
pub fn parse_date_text(text: &str, options: &ImportOptions) -> Result<(FuzzyDate, Option<NaiveTime>), String> {
    let written = text.trim();
    let mut s = written.to_string();
    if s.is_empty() {
        return Err("no date".into());
    }
    // Approximation markers.
    let mut approximate = false;
    for p in ["approximately", "approx.", "approx", "circa", "about", "around", "ca.", "c.", "~"] {
        if let Some(rest) = strip_prefix_ci(&s, p) {
            approximate = true;
            s = rest.trim().to_string();
            break;
        }
    }
    if !approximate {
        // "c 12/03/2024": a lone c followed by a space and a digit.
        if let Some(rest) = strip_prefix_ci(&s, "c ") {
            if rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
                approximate = true;
                s = rest.trim().to_string();
            }
        }
    }
    for p in ["(approx.)", "(approx)", "(approximate)", "(circa)", "approx.", "approx", "(estimated)", "(est)", "?"] {
        if let Some(rest) = strip_suffix_ci(&s, p) {
            approximate = true;
            s = rest.trim().to_string();
            break;
        }
    }
    // A time after the date.
    let mut time = None;
    let s = if let Some((d, t)) = s.split_once('T').filter(|(d, t)| d.len() == 10 && d.as_bytes()[4] == b'-' && !t.is_empty()) {
        time = Some(parse_time_text(t).ok_or_else(|| format!("'{written}' has a time that is not readable"))?);
        d.to_string()
    } else {
        let toks: Vec<&str> = s.split_whitespace().collect();
        let mut cut = toks.len();
        // "14:30", "2:30 pm", "2pm"
        if toks.len() >= 2 && ["am", "pm"].contains(&toks[toks.len() - 1].to_lowercase().as_str()) {
            if let Some(t) = parse_time_text(&format!("{}{}", toks[toks.len() - 2], toks[toks.len() - 1])) {
                time = Some(t);
                cut = toks.len() - 2;
            }
        }
        if time.is_none() && toks.len() >= 2 {
            let last = toks[toks.len() - 1];
            let l = last.to_lowercase();
            if last.contains(':') || l.ends_with("am") || l.ends_with("pm") || l.ends_with("hrs") {
                time = Some(parse_time_text(last).ok_or_else(|| format!("'{written}' ends with '{last}', which is not a time"))?);
                cut = toks.len() - 1;
            }
        }
        toks[..cut].join(" ")
    };
    let s = s.trim().trim_end_matches(',').trim();
    if s.is_empty() {
        return Err(format!("'{written}' has no date"));
    }

    // Tokens: numbers and words, separators / - . , and spaces.
    let mut toks: Vec<String> = s.split(['/', '-', '.', ',', ' ']).filter(|t| !t.is_empty()).map(str::to_string).collect();
    if toks.len() > 1 && is_weekday(&toks[0]) {
        toks.remove(0);
    }
    let is_num = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let strip_ordinal = |t: &str| -> Option<u32> {
        let l = t.to_lowercase();
        let digits = l.trim_end_matches("st").trim_end_matches("nd").trim_end_matches("rd").trim_end_matches("th");
        if digits.len() <= 2 && is_num(digits) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let bad = || format!("'{written}' is not a date: use dd/mm/yy (or mm/yyyy, March 2024, 2024 when the day is not known)");
    let toks_ref: Vec<&str> = toks.iter().map(String::as_str).collect();
    let result: FuzzyDate = match toks_ref.as_slice() {
        [y] if is_num(y) && y.len() == 4 => FuzzyDate::Year(year_of(y, options.century_pivot)?),
        [n] if is_num(n) && n.len() == 5 => {
            let (d, t) = excel_serial(n.parse::<f64>().map_err(|_| bad())?)?;
            day_or_month(d, approximate, t.or(time), options)
        }
        [a, b, c] if is_num(a) && is_num(b) && is_num(c) => {
            if a.len() == 4 {
                let y = year_of(a, options.century_pivot)?;
                if b.len() > 2 || c.len() > 2 {
                    return Err(bad());
                }
                day_or_month(day_of(y, b.parse().map_err(|_| bad())?, c.parse().map_err(|_| bad())?, written)?, approximate, time, options)
            } else {
                if a.len() > 2 || b.len() > 2 || !(c.len() == 2 || c.len() == 4) {
                    return Err(bad());
                }
                let y = year_of(c, options.century_pivot)?;
                day_or_month(day_of(y, b.parse().map_err(|_| bad())?, a.parse().map_err(|_| bad())?, written)?, approximate, time, options)
            }
        }
        [a, b] if is_num(a) && is_num(b) => {
            let (m, y) = if a.len() <= 2 && b.len() == 4 {
                (a, b)
            } else if a.len() == 4 && b.len() <= 2 {
                (b, a)
            } else {
                return Err(format!("'{written}' is not a full date: use dd/mm/yy, or mm/yyyy when only the month is known"));
            };
            let m: u32 = m.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(format!("{written} is not a date: there is no month {m}"));
            }
            FuzzyDate::Month(year_of(y, options.century_pivot)?, m)
        }
        [mon, y] if is_num(y) && (y.len() == 4 || y.len() == 2) && month_from_name(mon).is_some() => {
            FuzzyDate::Month(year_of(y, options.century_pivot)?, month_from_name(mon).unwrap_or(1))
        }
        [d, mon, y] if strip_ordinal(d).is_some() && month_from_name(mon).is_some() && is_num(y) => {
            let m = month_from_name(mon).unwrap_or(1);
            day_or_month(day_of(year_of(y, options.century_pivot)?, m, strip_ordinal(d).unwrap_or(0), written)?, approximate, time, options)
        }
        [mon, d, y] if strip_ordinal(d).is_some() && month_from_name(mon).is_some() && is_num(y) => {
            let m = month_from_name(mon).unwrap_or(1);
            day_or_month(day_of(year_of(y, options.century_pivot)?, m, strip_ordinal(d).unwrap_or(0), written)?, approximate, time, options)
        }
        _ => return Err(bad()),
    };
    if time.is_some() && !result.is_day() {
        return Err(format!("'{written}' has a time but no day"));
    }
    Ok((result, time))
}
