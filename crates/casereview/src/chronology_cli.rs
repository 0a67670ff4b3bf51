//! `casereview chronology check|merge`: agency chronologies checked and merged without a
//! server or database.

use anyhow::{bail, Context, Result};
use casereview_core::chronology::discrepancy::DiscrepancyOptions;
use casereview_core::chronology::import::ImportOptions;
use casereview_sheets::Limits;
use casereview_web::chronology::{self, STANDARD_AGENCIES};
use chrono::Datelike;
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How the files are read.
#[derive(Args, Clone)]
pub struct ReadArgs {
    /// The agency of a file whose sheet has no agency column.
    #[arg(long)]
    agency: Option<String>,
    /// The partnership's agencies, comma-separated (default: the standard list).
    #[arg(long)]
    agencies: Option<String>,
    /// Another spelling of an agency, as ALIAS=Agency (e.g. CIAU=Police); repeatable.
    #[arg(long = "alias")]
    aliases: Vec<String>,
    /// Treat a day of 01 as "only the month is known" (the template's convention).
    #[arg(long)]
    day_01_means_month: bool,
    /// Largest file accepted, in MiB.
    #[arg(long, default_value_t = 20)]
    max_mib: u64,
    /// Most rows a sheet may have.
    #[arg(long, default_value_t = 50_000)]
    max_rows: u64,
    /// Most columns a sheet may have.
    #[arg(long, default_value_t = 60)]
    max_columns: u64,
}

impl ReadArgs {
    /// The reader's limits against oversized or hostile files.
    fn limits(&self) -> Limits {
        Limits {
            max_bytes: self.max_mib.saturating_mul(1024 * 1024),
            max_rows_per_sheet: self.max_rows,
            max_columns: self.max_columns,
            ..Limits::default()
        }
    }

    fn options(&self) -> Result<(casereview_core::AgencyDirectory, ImportOptions)> {
        let names: Vec<String> = match &self.agencies {
            Some(list) => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            None => STANDARD_AGENCIES.iter().map(|s| s.to_string()).collect(),
        };
        let directory = casereview_core::agency_directory(names.iter().map(|n| (n.as_str(), true)));
        let mut aliases = BTreeMap::new();
        for a in &self.aliases {
            let Some((alias, agency)) = a.split_once('=') else { bail!("--alias must be ALIAS=Agency, not '{a}'") };
            aliases.insert(alias.trim().to_lowercase(), agency.trim().to_string());
        }
        let pivot = u32::try_from(chrono::Utc::now().year() % 100).unwrap_or(26);
        let options = ImportOptions {
            day_01_means_month: self.day_01_means_month,
            century_pivot: pivot,
            default_agency: self.agency.clone(),
            aliases,
        };
        Ok((directory, options))
    }
}

fn load(files: &[PathBuf], limits: &Limits) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for f in files {
        let len = std::fs::metadata(f).with_context(|| format!("reading {}", f.display()))?.len();
        if len > limits.max_bytes {
            bail!("{} is {len} bytes, more than the {} a chronology may be", f.display(), limits.max_bytes);
        }
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| f.display().to_string());
        out.push((name, std::fs::read(f).with_context(|| format!("reading {}", f.display()))?));
    }
    Ok(out)
}

/// Prints the problems of one agency's file; non-zero exit when there are errors.
pub fn check(file: &Path, read: &ReadArgs) -> Result<ExitCode> {
    let (directory, options) = read.options()?;
    let limits = read.limits();
    let r = chronology::import_files(&load(&[file.to_path_buf()], &limits)?, &directory, &options, &limits);
    for p in &r.problems {
        println!("{}", chronology::problem_line(p));
    }
    let errors = r.error_count();
    println!("{}: {} entries, {} errors, {} warnings", file.display(), r.entries.len(), errors, r.problems.len() - errors);
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Writes the integrated chronology and the discrepancy list.
pub fn merge(files: &[PathBuf], read: &ReadArgs, format: &str, out: Option<&Path>, valid_only: bool, gap_days: i64) -> Result<ExitCode> {
    if files.is_empty() {
        bail!("name at least one chronology file");
    }
    let (directory, options) = read.options()?;
    let limits = read.limits();
    let r = chronology::import_files(&load(files, &limits)?, &directory, &options, &limits);
    for p in &r.problems {
        eprintln!("{}", chronology::problem_line(p));
    }
    if r.error_count() > 0 && !valid_only {
        eprintln!("{} errors: nothing was written (fix the files, or use --valid-only to merge the valid rows)", r.error_count());
        return Ok(ExitCode::from(1));
    }
    let (integrated, found) = chronology::integrate(r.entries, &DiscrepancyOptions { gap_days, ..Default::default() });
    let title = "Integrated chronology (STRICTLY CONFIDENTIAL)";
    match format {
        "json" => {
            let text = serde_json::to_string_pretty(&chronology::to_json(&integrated, &found))?;
            match out {
                Some(p) => std::fs::write(p, text + "\n").with_context(|| format!("writing {}", p.display()))?,
                None => println!("{text}"),
            }
        }
        "csv" => {
            let text = casereview_sheets::to_csv(&chronology::chronology_table(title, &integrated));
            let disc = casereview_sheets::to_csv(&chronology::discrepancy_table(title, &found));
            match out {
                Some(p) => {
                    std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
                    let dp = sibling(p, "discrepancies", "csv");
                    std::fs::write(&dp, disc).with_context(|| format!("writing {}", dp.display()))?;
                    eprintln!("wrote {} and {}", p.display(), dp.display());
                }
                None => print!("{text}"),
            }
        }
        "xlsx" => {
            let Some(p) = out else { bail!("--format xlsx needs --out FILE.xlsx") };
            std::fs::write(p, casereview_sheets::to_xlsx(&chronology::chronology_table(title, &integrated))?)
                .with_context(|| format!("writing {}", p.display()))?;
            let dp = sibling(p, "discrepancies", "xlsx");
            std::fs::write(&dp, casereview_sheets::to_xlsx(&chronology::discrepancy_table(title, &found))?)
                .with_context(|| format!("writing {}", dp.display()))?;
            eprintln!("wrote {} and {}", p.display(), dp.display());
        }
        other => bail!("--format must be json, csv or xlsx, not '{other}'"),
    }
    eprintln!("{} entries from {} files, {} discrepancies", integrated.entries.len(), files.len(), found.len());
    Ok(ExitCode::SUCCESS)
}

/// `out.csv` -> `out-discrepancies.csv`.
fn sibling(p: &Path, suffix: &str, ext: &str) -> PathBuf {
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "chronology".into());
    p.with_file_name(format!("{stem}-{suffix}.{ext}"))
}
