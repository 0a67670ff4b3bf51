//! The anonymisation benchmark (issue 6): how much of what identifies a child, their family
//! and the practitioners survives casereview's anonymiser, and how fast it runs.
//!
//! It generates a corpus of synthetic case-review documents (chronologies, IMRs, overview
//! reports, executive summaries; see `anonymise/gen.rs`), each with its own `CASE.json`
//! register and gold labels on every identifying mention: people in the register (under
//! every form: full, first name, title and surname, initials, nicknames, typos, sound-alikes,
//! ASCII-folded, ALL CAPS, possessives, split across lines), people the register does not
//! know, addresses, postcodes, schools and other places, dates of birth and death, phone,
//! NHS, email and reference numbers. Only the `eval` template set is scored (the `dev` set
//! is for tuning; the two share no template). Then, in this process, it builds each
//! document's register and runs `anonymise` on it, and measures:
//!
//! * the share of documents with no leak at all (one uncovered mention fails a document) and
//!   with no leak of a known entity (target ≥ 99%);
//! * recall over mentions of known entities (target ≥ 99.5%), of unknown person names
//!   (target ≥ 95%), of other unknown identifiers, by category and by form;
//! * precision over findings (a finding overlapping a gold mention is right; target ≥ 90%);
//! * throughput on one core: total bytes over total time in `anonymise` (detection and
//!   replacement; generation and register building excluded, the latter reported apart),
//!   the mean of `ANONYMISE_BENCH_RUNS` passes, in MB/s of 10^6 bytes (target ≥ 20 MB/s and
//!   ≥ 50 × Presidio's, which `benches/anonymise/run.sh` measures on the same corpus).
//!
//! Coverage, leaks and precision are defined in `anonymise/score.rs`; the Python scorer of
//! the side-by-side report implements the same definitions.
//!
//! Run with `cargo bench -p casereview-core --bench anonymise [-- --out DIR --docs N --seed S
//! --runs R --split eval|dev]` (or the variables `ANONYMISE_BENCH_OUT`, `_DOCS`, `_SEED`,
//! `_RUNS`, `_SPLIT`). It writes to DIR (default `target/anonymise-bench`):
//! `corpus-eval.jsonl` (text, case file, gold labels, decoys), `predictions-casereview-eval.jsonl`
//! (findings and per-document seconds) and `metrics-casereview-eval.json`.

#[path = "anonymise/data.rs"]
mod data;
#[path = "anonymise/gen.rs"]
mod gen;
#[path = "anonymise/score.rs"]
mod score;
#[path = "anonymise/templates.rs"]
mod templates;

use std::collections::BTreeSet;
use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use casereview_core::anonymise::{anonymise, Finding, Register};
use serde_json::json;

const DEFAULT_SEED: u64 = 0x00C4_A5E0_2024_0006;

struct Config {
    out: PathBuf,
    docs: usize,
    seed: u64,
    runs: usize,
    split: String,
}

fn config() -> Result<Config, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let target =
        env("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let mut out = env("ANONYMISE_BENCH_OUT").map(PathBuf::from).unwrap_or_else(|| target.join("anonymise-bench"));
    let mut docs = env("ANONYMISE_BENCH_DOCS").unwrap_or_else(|| "1000".into());
    let mut seed = env("ANONYMISE_BENCH_SEED").unwrap_or_else(|| DEFAULT_SEED.to_string());
    let mut runs = env("ANONYMISE_BENCH_RUNS").unwrap_or_else(|| "3".into());
    let mut split = env("ANONYMISE_BENCH_SPLIT").unwrap_or_else(|| "eval".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--out" => out = PathBuf::from(value("--out")?),
            "--docs" => docs = value("--docs")?,
            "--seed" => seed = value("--seed")?,
            "--runs" => runs = value("--runs")?,
            "--split" => split = value("--split")?,
            // cargo bench passes --bench; a filter argument means nothing here.
            _ => {}
        }
    }
    let num = |name: &str, v: &str| v.trim().parse::<u64>().map_err(|_| format!("{name}: not a number: {v:?}"));
    let parse_seed = |v: &str| match v.trim().strip_prefix("0x") {
        Some(h) => u64::from_str_radix(&h.replace('_', ""), 16).map_err(|_| format!("seed: not a number: {v:?}")),
        None => num("seed", v),
    };
    if split != "eval" && split != "dev" {
        return Err(format!("split must be eval or dev, not {split:?}"));
    }
    Ok(Config { out, docs: num("docs", &docs)? as usize, seed: parse_seed(&seed)?, runs: (num("runs", &runs)? as usize).max(1), split })
}

fn write_jsonl<T: serde::Serialize>(path: &PathBuf, items: impl Iterator<Item = T>) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    for item in items {
        serde_json::to_writer(&mut w, &item).map_err(|e| format!("{}: {e}", path.display()))?;
        w.write_all(b"\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    w.flush().map_err(|e| format!("{}: {e}", path.display()))
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.2}%", v * 100.0)).unwrap_or_else(|| "n/a".into())
}

fn run() -> Result<(), String> {
    let cfg = config()?;
    // The two template sets must not share a template.
    let dev: BTreeSet<&str> = templates::DEV.all().into_iter().collect();
    let shared: Vec<&str> = templates::EVAL.all().into_iter().filter(|t| dev.contains(t)).collect();
    if !shared.is_empty() {
        return Err(format!("templates in both the dev and eval sets: {shared:?}"));
    }
    let set = if cfg.split == "dev" { &templates::DEV } else { &templates::EVAL };
    std::fs::create_dir_all(&cfg.out).map_err(|e| format!("{}: {e}", cfg.out.display()))?;

    let t = Instant::now();
    let docs: Vec<gen::Document> = (0..cfg.docs).map(|i| gen::document(cfg.seed, i, set)).collect();
    let total_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let gold_n: usize = docs.iter().map(|d| d.gold.len()).sum();
    println!(
        "generated {} {} documents ({:.1} MB, {} gold mentions, seed {:#x}) in {:.1?}",
        docs.len(),
        cfg.split,
        total_bytes as f64 / 1e6,
        gold_n,
        cfg.seed,
        t.elapsed()
    );
    let corpus = cfg.out.join(format!("corpus-{}.jsonl", cfg.split));
    write_jsonl(&corpus, docs.iter())?;

    // Registers, timed apart.
    let mut register_time = vec![Duration::ZERO; docs.len()];
    let mut registers: Vec<Result<Register, String>> = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let t = Instant::now();
        let r = Register::from_case(&d.case).map_err(|e| format!("{e:?}"));
        register_time[i] = t.elapsed();
        registers.push(r);
    }
    let register_errors = registers.iter().filter(|r| r.is_err()).count();

    // Warm-up (lazily built tables), then the timed passes.
    if let (Some(d), Some(Ok(r))) = (docs.first(), registers.first()) {
        black_box(anonymise(&d.text, r));
    }
    let mut times = vec![Duration::ZERO; docs.len()];
    let mut findings: Vec<Vec<Finding>> = vec![Vec::new(); docs.len()];
    for pass in 0..cfg.runs {
        for (i, (d, r)) in docs.iter().zip(&registers).enumerate() {
            let Ok(r) = r else { continue };
            let t = Instant::now();
            let out = anonymise(black_box(&d.text), r);
            times[i] += t.elapsed();
            if pass == 0 {
                findings[i] = out.findings;
            } else {
                black_box(out);
            }
        }
    }
    let runs = cfg.runs as f64;
    let seconds: f64 = times.iter().map(|t| t.as_secs_f64()).sum::<f64>() / runs;
    let register_seconds: f64 = register_time.iter().map(|t| t.as_secs_f64()).sum();
    let mb_per_s = if seconds > 0.0 { total_bytes as f64 / 1e6 / seconds } else { f64::INFINITY };

    // Findings must be well formed.
    let mut invalid = 0usize;
    for (d, fs) in docs.iter().zip(&findings) {
        for f in fs {
            let ok = f.start <= f.end && d.text.get(f.start..f.end).is_some_and(|s| s == f.text);
            invalid += usize::from(!ok);
        }
    }

    let predictions = cfg.out.join(format!("predictions-casereview-{}.jsonl", cfg.split));
    write_jsonl(
        &predictions,
        docs.iter().enumerate().map(|(i, d)| {
            json!({
                "id": d.id,
                "seconds": times[i].as_secs_f64() / runs,
                "register_seconds": register_time[i].as_secs_f64(),
                "error": registers[i].as_ref().err(),
                "findings": findings[i],
            })
        }),
    )?;

    let mut scorer = score::Scorer::default();
    for (d, fs) in docs.iter().zip(&findings) {
        let preds: Vec<score::Pred> = fs
            .iter()
            .map(|f| score::Pred {
                start: f.start,
                end: f.end,
                category: serde_json::to_value(f.category).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                entity: f.entity.clone(),
                replacement: f.replacement.clone(),
            })
            .collect();
        let decoys: Vec<score::DecoySpan> = d.decoys.iter().map(|x| score::DecoySpan { start: x.start, end: x.end }).collect();
        scorer.add(&d.text, &d.gold, &preds, &decoys);
    }
    let mut metrics = scorer.json();
    if let Some(m) = metrics.as_object_mut() {
        m.insert("tool".into(), json!("casereview"));
        m.insert("split".into(), json!(cfg.split));
        m.insert("seed".into(), json!(cfg.seed));
        m.insert("register_errors".into(), json!(register_errors));
        m.insert("invalid_findings".into(), json!(invalid));
        m.insert(
            "throughput".into(),
            json!({
                "bytes": total_bytes,
                "seconds": seconds,
                "mb_per_s": mb_per_s,
                "runs": cfg.runs,
                "register_seconds": register_seconds,
                "mb_per_s_with_register": total_bytes as f64 / 1e6 / (seconds + register_seconds).max(f64::MIN_POSITIVE),
            }),
        );
    }
    let metrics_path = cfg.out.join(format!("metrics-casereview-{}.json", cfg.split));
    let pretty = serde_json::to_string_pretty(&metrics).map_err(|e| e.to_string())?;
    std::fs::write(&metrics_path, pretty + "\n").map_err(|e| format!("{}: {e}", metrics_path.display()))?;

    let get = |p: &str| metrics.pointer(p).and_then(|v| v.as_f64());
    println!("casereview on {} {} documents:", docs.len(), cfg.split);
    println!("  documents with no leak            {:>9}", pct(get("/documents_without_leak")));
    println!("  documents with no known-entity leak {:>7}  (target >= 99%)", pct(get("/documents_without_known_leak")));
    println!("  recall, known-entity mentions     {:>9}  (target >= 99.5%)", pct(get("/mentions/known/recall")));
    println!("  recall, unknown person names      {:>9}  (target >= 95%)", pct(get("/mentions/unknown_names/recall")));
    println!("  recall, other unknown identifiers {:>9}", pct(get("/mentions/unknown_other/recall")));
    println!("  precision                         {:>9}  (target >= 90%)", pct(get("/findings/precision")));
    println!("  decoys flagged                    {:>9}", pct(get("/decoys/share_flagged")));
    println!(
        "  throughput                        {mb_per_s:>6.1} MB/s  (target >= 20 MB/s; {seconds:.3} s in anonymise, mean of {} runs)",
        cfg.runs
    );
    println!("  register building                 {register_seconds:>8.3} s in all ({register_errors} errors)");
    if invalid > 0 {
        println!("  WARNING: {invalid} findings with bad offsets or text");
    }
    println!("wrote {}, {} and {}", corpus.display(), predictions.display(), metrics_path.display());
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("anonymise bench: {e}");
        std::process::exit(1);
    }
}
