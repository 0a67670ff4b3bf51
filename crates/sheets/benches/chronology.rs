//! The chronology benchmark (issue 4): 50 agency files, 100,000 rows in all, generated
//! here (see `gen`), then imported, merged and checked for discrepancies.
//!
//! Run with `cargo bench -p casereview-sheets --bench chronology`. Each timing is the best
//! of `CHRONOLOGY_BENCH_RUNS` runs (default 5) in this one process. Targets:
//!
//! * import (`casereview_sheets::read` + `import_sheet`, the product's path) within 1.5
//!   times what calamine alone takes to read every worksheet of the same files;
//! * merge and discrepancy detection of the 100,000 entries under 1 second;
//! * peak memory (VmHWM) under 300 MB.
//!
//! Set `CHRONOLOGY_BENCH_DIR` to also write the generated files to that directory.

#![allow(clippy::unwrap_used)]

mod gen;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use casereview_core::chronology::discrepancy::{self, DiscrepancyKind, DiscrepancyOptions};
use casereview_core::chronology::entry::ChronologyEntry;
use casereview_core::chronology::import::{import_sheet, ImportOptions, Severity};
use casereview_core::chronology::merge;
use casereview_core::chronology::sheet::RawSheet;
use casereview_core::{agency_directory, AgencyDirectory};
use casereview_sheets::Limits;

const SEED: u64 = 0x00C4_A5E0_2024_0004;
const IMPORT_RATIO_TARGET: f64 = 1.5;
const MERGE_DETECT_TARGET: Duration = Duration::from_secs(1);
const PEAK_TARGET_MB: f64 = 300.0;

/// A line of /proc/self/status in MB ("VmHWM", "VmRSS"), if the system has it.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn mb(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} MB")).unwrap_or_else(|| "n/a".into())
}

/// Resets VmHWM to the current RSS (Linux 4.0+), so the next reading is the peak of what
/// follows. False when the system does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(black_box(out));
    }
    (best, last.unwrap())
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// The files' agencies, as the partnership writes them, and the import options.
fn setup() -> (AgencyDirectory, ImportOptions) {
    let directory = agency_directory(gen::PARTNERSHIP.iter().map(|n| (*n, true)));
    let mut options = ImportOptions::new(26);
    options.aliases = gen::ALIASES.iter().map(|(a, c)| (a.to_lowercase(), c.to_string())).collect();
    (directory, options)
}

/// READER ALONE: calamine opens each workbook from memory and reads every worksheet's
/// range; every cell is touched. Returns (cells, a checksum).
fn calamine_alone(files: &[gen::AgencyFile]) -> (usize, u64) {
    let (mut cells, mut sum) = (0usize, 0u64);
    for f in files {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(f.bytes.as_slice())).unwrap();
        for name in workbook.sheet_names() {
            let range = workbook.worksheet_range(&name).unwrap();
            for row in range.rows() {
                for cell in row {
                    cells += 1;
                    sum = sum.wrapping_add(match cell {
                        Data::String(s) => s.len() as u64,
                        Data::Float(v) => v.to_bits() & 0xFFFF,
                        Data::Int(v) => *v as u64,
                        Data::DateTime(d) => d.as_f64().to_bits() & 0xFFFF,
                        Data::Bool(b) => u64::from(*b),
                        Data::DateTimeIso(s) | Data::DurationIso(s) => s.len() as u64,
                        Data::Error(_) => 1,
                        Data::Empty => 0,
                    });
                }
            }
        }
    }
    (cells, sum)
}

/// calamine's streaming cell reader (the one `casereview_sheets::read` uses) alone over
/// every worksheet, each cell's value touched and dropped.
fn calamine_cells_alone(files: &[gen::AgencyFile]) -> usize {
    let mut cells = 0;
    for f in files {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(f.bytes.as_slice())).unwrap();
        for name in workbook.sheet_names() {
            let mut reader = workbook.worksheet_cells_reader(&name).unwrap();
            while let Some(cell) = reader.next_cell().unwrap() {
                black_box(cell.get_value());
                cells += 1;
            }
        }
    }
    cells
}

/// Every part of every zip unpacked into nothing (what the reader's bomb check costs).
fn unzip_alone(files: &[gen::AgencyFile]) -> u64 {
    let mut total = 0;
    for f in files {
        let mut archive = zip::ZipArchive::new(Cursor::new(f.bytes.as_slice())).unwrap();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            total += std::io::copy(&mut (&mut entry).take(u64::MAX), &mut std::io::sink()).unwrap();
        }
    }
    total
}

struct Import {
    entries: Vec<ChronologyEntry>,
    errors: usize,
    warnings: usize,
    sheets: usize,
}

/// IMPORT, the product's path: each file read, each sheet imported, the sheets dropped
/// before the next file. Each file is imported with its agency given for the file (as the
/// command line's `--agency` does), for the files without an agency column.
fn import_all(files: &[gen::AgencyFile], directory: &AgencyDirectory, options: &ImportOptions) -> Import {
    let limits = Limits::default();
    let mut out = Import { entries: Vec::new(), errors: 0, warnings: 0, sheets: 0 };
    let mut options = options.clone();
    for f in files {
        options.default_agency = Some(f.agency.to_string());
        let sheets = casereview_sheets::read(&f.name, &f.bytes, &limits).unwrap();
        for sheet in &sheets {
            let imported = import_sheet(sheet, directory, &options);
            out.sheets += 1;
            out.entries.extend(imported.entries);
            for p in &imported.problems {
                match p.severity {
                    Severity::Error => out.errors += 1,
                    Severity::Warning => out.warnings += 1,
                }
            }
        }
    }
    out
}

/// `casereview_sheets::read` alone over every file, sheets dropped as they come.
fn read_alone(files: &[gen::AgencyFile]) -> usize {
    let limits = Limits::default();
    files.iter().map(|f| casereview_sheets::read(&f.name, &f.bytes, &limits).unwrap().iter().map(|s| s.rows.len()).sum::<usize>()).sum()
}

/// `import_sheet` alone over sheets already read.
fn import_sheets_alone(sheets: &[(&'static str, RawSheet)], directory: &AgencyDirectory, options: &ImportOptions) -> usize {
    let mut options = options.clone();
    let mut n = 0;
    for (agency, sheet) in sheets {
        options.default_agency = Some(agency.to_string());
        n += import_sheet(sheet, directory, &options).entries.len();
    }
    n
}

fn by_kind(found: &[discrepancy::Discrepancy]) -> BTreeMap<&'static str, usize> {
    let mut kinds = BTreeMap::new();
    for k in [DiscrepancyKind::DifferentDates, DiscrepancyKind::ChildSeenConflict, DiscrepancyKind::Gap] {
        kinds.insert(k.slug(), 0);
    }
    for d in found {
        *kinds.entry(d.kind.slug()).or_default() += 1;
    }
    kinds
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "OK"
    } else {
        "MISSED"
    }
}

fn main() {
    // `cargo bench` passes "--bench"; nothing here takes arguments.
    let runs: usize = std::env::var("CHRONOLOGY_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let rss_start = status_mb("VmRSS");

    let start = Instant::now();
    let generated = gen::generate(SEED).unwrap();
    let generation = start.elapsed();
    let files = &generated.files;
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    println!("chronology benchmark, best of {runs} runs");
    println!(
        "generated {} files ({} agencies x {}), {} rows, {:.1} MB of xlsx, in {}",
        files.len(),
        gen::AGENCY_COUNT,
        gen::FILES_PER_AGENCY,
        generated.rows,
        bytes as f64 / 1e6,
        secs(generation)
    );
    println!(
        "  planted: {} unreadable dates (\"TBC\"), {} unreadable child seen cells, {} month-only dates, shared events: {} on different days, {} same day with child seen conflicting, {} same day alike; one 120-day gap",
        generated.bad_dates, generated.seen_unclear, generated.month_only, generated.shared_different_days, generated.shared_seen_conflict, generated.shared_same
    );
    if let Ok(dir) = std::env::var("CHRONOLOGY_BENCH_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::write(std::path::Path::new(&dir).join(&f.name), &f.bytes).unwrap();
        }
        println!("  written to {dir}");
    }
    let rss_generated = status_mb("VmRSS");
    let hwm_generation = status_mb("VmHWM");
    let (directory, options) = setup();

    // One cold pass of the whole pipeline first, for its peak memory alone: the files in
    // memory, the import, the merge (entries moved in) and the detection.
    let peak_reset = reset_peak();
    let cold = Instant::now();
    let imported = import_all(files, &directory, &options);
    let cold_import = cold.elapsed();
    let (entry_count, errors, warnings, sheet_count) = (imported.entries.len(), imported.errors, imported.warnings, imported.sheets);
    let rss_imported = status_mb("VmRSS");
    let integrated = merge::merge(imported.entries);
    let found = discrepancy::detect(&integrated, &DiscrepancyOptions::default());
    let cold_total = cold.elapsed();
    let rss_pipeline = status_mb("VmRSS");
    let hwm_pipeline = status_mb("VmHWM");
    let kinds = by_kind(&found);
    // CHRONOLOGY_BENCH_SHOW=n prints the first n discrepancies of each kind, with the entries' events.
    let show: usize = std::env::var("CHRONOLOGY_BENCH_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    if show > 0 {
        let by_source: std::collections::HashMap<_, _> = integrated.entries.iter().map(|e| (&e.entry.source, &e.entry)).collect();
        for kind in [DiscrepancyKind::DifferentDates, DiscrepancyKind::ChildSeenConflict, DiscrepancyKind::Gap] {
            for d in found.iter().filter(|d| d.kind == kind).take(show) {
                println!("  {}: {}", d.id, d.detail);
                for s in &d.entries {
                    if let Some(e) = by_source.get(s) {
                        println!("    {} | {} | {} | seen {:?} | {s}", e.when(), e.agency, e.event, e.child_seen);
                    }
                }
            }
        }
    }
    let found_count = found.len();
    drop(found);
    drop(integrated);

    // (a) READER ALONE: calamine, every worksheet range, every cell; (b) IMPORT:
    // casereview_sheets::read + import_sheet, every sheet of every file. The two alternate
    // run by run, so load from other processes on a shared machine falls on both alike.
    let (mut t_reader, mut t_import) = (Duration::MAX, Duration::MAX);
    let (mut cells, mut last_import) = (0, None);
    for _ in 0..runs {
        let start = Instant::now();
        cells = black_box(calamine_alone(files)).0;
        t_reader = t_reader.min(start.elapsed());
        let start = Instant::now();
        let import = black_box(import_all(files, &directory, &options));
        t_import = t_import.min(start.elapsed());
        last_import = Some(import);
    }
    let import = last_import.unwrap();
    let entries = import.entries;
    // (c) MERGE + DETECT: the entries cloned outside the timing (merge takes them).
    let mut t_merge = Duration::MAX;
    let mut t_detect = Duration::MAX;
    let mut t_both = Duration::MAX;
    for _ in 0..runs {
        let input = entries.clone();
        let start = Instant::now();
        let integrated = merge::merge(input);
        let merged = start.elapsed();
        let found = discrepancy::detect(&integrated, &DiscrepancyOptions::default());
        let both = start.elapsed();
        black_box(&found);
        t_merge = t_merge.min(merged);
        t_detect = t_detect.min(both - merged);
        t_both = t_both.min(both);
    }

    // Where the import's time goes.
    let (t_read, _) = best_of(runs, || read_alone(files));
    let (t_unzip, unpacked) = best_of(runs, || unzip_alone(files));
    let (t_cells, streamed) = best_of(runs, || calamine_cells_alone(files));
    let limits = Limits::default();
    let sheets: Vec<(&'static str, RawSheet)> = files
        .iter()
        .flat_map(|f| casereview_sheets::read(&f.name, &f.bytes, &limits).unwrap().into_iter().map(move |s| (f.agency, s)))
        .collect();
    let (t_import_sheet, _) = best_of(runs, || import_sheets_alone(&sheets, &directory, &options));
    drop(sheets);
    let hwm_end = status_mb("VmHWM");
    let rss_end = status_mb("VmRSS");

    println!();
    println!("entries imported: {entry_count} from {sheet_count} sheets (expected {})", generated.rows - generated.bad_dates);
    println!("problems: {} ({errors} errors, {warnings} warnings)", errors + warnings);
    println!("discrepancies: {found_count} ({})", kinds.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", "));
    println!();
    let ratio = t_import.as_secs_f64() / t_reader.as_secs_f64();
    println!("(a) reader alone (calamine worksheet_range, {cells} cells):   {}", secs(t_reader));
    println!("(b) import (casereview_sheets::read + import_sheet):        {}", secs(t_import));
    println!("    import / reader = {ratio:.2} (target <= {IMPORT_RATIO_TARGET}) {}", verdict(ratio <= IMPORT_RATIO_TARGET));
    println!("      of which casereview_sheets::read alone:               {}", secs(t_read));
    println!("        (zip parts unpacked alone, {:.1} MB:                {})", unpacked as f64 / 1e6, secs(t_unzip));
    println!("        (calamine worksheet_cells_reader alone, {streamed} cells: {})", secs(t_cells));
    println!("      of which import_sheet alone:                          {}", secs(t_import_sheet));
    println!("(c) merge of {} entries:                               {}", entries.len(), secs(t_merge));
    println!("    detect:                                                 {}", secs(t_detect));
    println!("    merge + detect: {} (target < 1 s) {}", secs(t_both), verdict(t_both < MERGE_DETECT_TARGET));
    println!("    (cold first pass: import {}, import + merge + detect {})", secs(cold_import), secs(cold_total));
    println!("(d) memory:");
    println!(
        "    VmRSS at start {}, after generating {}, after import {}, after merge + detect {}, at end {}",
        mb(rss_start),
        mb(rss_generated),
        mb(rss_imported),
        mb(rss_pipeline),
        mb(rss_end)
    );
    println!("    VmHWM after generating: {}", mb(hwm_generation));
    if peak_reset {
        println!("    VmHWM of import + merge + detect (peak reset after generating; includes the files in memory): {}", mb(hwm_pipeline));
    }
    println!("    VmHWM at end (whole process: generator, all timing runs, all sheets held at once for the breakdown): {}", mb(hwm_end));
    let judged = if peak_reset { hwm_pipeline } else { hwm_end };
    if let Some(peak) = judged {
        println!("    peak = {peak:.1} MB (target < {PEAK_TARGET_MB} MB) {}", verdict(peak < PEAK_TARGET_MB));
    }
}
