//! Benchmark (issue 5): a 100-page overview report (about 40,000 words, a 500-row
//! chronology table and a genogram of 20 people over 3 generations) rendered to PDF and to
//! DOCX, and, in the same run, LibreOffice headless converting that DOCX to PDF: the route
//! a board uses today. Run with `cargo bench -p casereview-render --bench report`; it prints
//! each median and the ratios. LibreOffice (`soffice`) must be installed for the baseline.

use casereview_core::genogram::{Family, PartnerStatus, Person, Relationship, Sex};
use casereview_core::markup;
use casereview_render::{Branding, Marking, Part, RenderDoc};
use chrono::NaiveDate;
use std::process::Command;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "the",
    "health",
    "visitor",
    "recorded",
    "that",
    "mother",
    "was",
    "low",
    "in",
    "mood",
    "and",
    "the",
    "child",
    "was",
    "not",
    "seen",
    "during",
    "visit",
    "agencies",
    "shared",
    "information",
    "about",
    "neglect",
    "but",
    "thresholds",
    "differed",
    "between",
    "teams",
    "social",
    "worker",
    "assessment",
    "school",
    "attendance",
    "fell",
    "police",
    "attended",
    "a",
    "domestic",
    "incident",
    "at",
    "home",
    "referral",
    "strategy",
    "discussion",
    "plan",
    "review",
    "conference",
    "核",
    "Łódź",
];

fn paragraph(seed: usize, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = WORDS[(seed * 31 + i * 17 + i / 7) % (WORDS.len() - 2)];
        if i > 0 {
            s.push(' ');
        }
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
        if i % 15 == 14 && i + 1 < words {
            s.push(',');
        }
    }
    s.push('.');
    s
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Twenty people over three generations: two grandparent couples, their children with
/// partners and an ex-partner, and grandchildren, the subject child among them.
fn family() -> Family {
    let mut people = Vec::new();
    let mut rels = Vec::new();
    let mut add = |id: &str, name: &str, sex: Sex, born: NaiveDate| {
        people.push(Person::new(id, name, sex).born(born));
    };
    add("g1", "Grandfather A", Sex::Male, day(1950, 1, 1));
    add("g2", "Grandmother A", Sex::Female, day(1952, 2, 2));
    add("g3", "Grandfather B", Sex::Male, day(1948, 3, 3));
    add("g4", "Grandmother B", Sex::Female, day(1951, 4, 4));
    add("m", "Mother", Sex::Female, day(1985, 5, 5));
    add("f", "Father", Sex::Male, day(1983, 6, 6));
    add("ex", "Ex-partner", Sex::Male, day(1980, 7, 7));
    add("aunt", "Aunt", Sex::Female, day(1987, 8, 8));
    add("uncle", "Uncle", Sex::Male, day(1979, 9, 9));
    add("uw", "Uncle's wife", Sex::Female, day(1981, 10, 10));
    add("c1", "Child J", Sex::Male, day(2020, 1, 2));
    add("c2", "Sibling 1", Sex::Female, day(2016, 2, 3));
    add("c3", "Half-sibling 1", Sex::Male, day(2008, 3, 4));
    add("c4", "Half-sibling 2", Sex::Female, day(2010, 4, 5));
    add("k1", "Cousin 1", Sex::Male, day(2012, 5, 6));
    add("k2", "Cousin 2", Sex::Female, day(2014, 6, 7));
    add("k3", "Cousin 3", Sex::Unknown, day(2018, 7, 8));
    add("ak", "Cousin 4", Sex::Female, day(2019, 8, 9));
    add("ap", "Aunt's partner", Sex::Male, day(1986, 9, 10));
    add("sib", "Sibling 2", Sex::Male, day(2022, 10, 11));
    for p in people.iter_mut() {
        if ["m", "f", "c1", "c2", "sib"].contains(&p.id.as_str()) {
            p.in_household = true;
        }
        if p.id == "c1" {
            p.subject = true;
        }
        if p.id == "g3" {
            p.deceased = true;
        }
    }
    for (a, b, s) in [
        ("g1", "g2", PartnerStatus::Married),
        ("g3", "g4", PartnerStatus::Divorced),
        ("m", "f", PartnerStatus::Cohabiting),
        ("m", "ex", PartnerStatus::Separated),
        ("uncle", "uw", PartnerStatus::Married),
        ("aunt", "ap", PartnerStatus::Dating),
    ] {
        rels.push(Relationship::partner(a, b, s));
    }
    for (parent, child) in [
        ("g1", "m"),
        ("g2", "m"),
        ("g1", "aunt"),
        ("g2", "aunt"),
        ("g3", "f"),
        ("g4", "f"),
        ("g3", "uncle"),
        ("g4", "uncle"),
        ("m", "c1"),
        ("f", "c1"),
        ("m", "c2"),
        ("f", "c2"),
        ("m", "sib"),
        ("f", "sib"),
        ("m", "c3"),
        ("ex", "c3"),
        ("m", "c4"),
        ("ex", "c4"),
        ("uncle", "k1"),
        ("uw", "k1"),
        ("uncle", "k2"),
        ("uw", "k2"),
        ("uncle", "k3"),
        ("uw", "k3"),
        ("aunt", "ak"),
        ("ap", "ak"),
    ] {
        rels.push(Relationship::parent(parent, child));
    }
    Family { people, relationships: rels }
}

/// The 100-page report: ~40,000 words in sections, a 500-row chronology and the genogram.
fn report() -> (RenderDoc, usize) {
    let mut parts = Vec::new();
    let mut words = 0;
    let svg = casereview_core::genogram::svg(&family(), day(2026, 6, 1)).unwrap_or_default();
    for s in 0..12 {
        parts.push(Part::Heading { level: 1, text: format!("{} Section of the report", s + 1) });
        let mut text = String::new();
        for p in 0..26 {
            if p % 9 == 8 {
                text.push_str(&format!("## {}.{} A finding\n\n", s + 1, p / 9 + 1));
            }
            let n = 120 + (p * 7) % 20;
            words += n;
            text.push_str(&paragraph(s * 100 + p, n));
            if p % 5 == 0 {
                text.push_str("[^n] *Emphasis* and **strong** words.");
            }
            text.push_str("\n\n");
            if p % 5 == 0 {
                text.push_str("[^n]: A footnote citing the agency's record.\n\n");
            }
            if p % 13 == 6 {
                text.push_str("- a first point of learning\n- a second point\n  - a nested point\n\n");
            }
        }
        let doc = markup::parse(&text, &markup::Limits::default()).unwrap_or_default();
        parts.push(Part::Markup(doc));
        if s == 1 {
            parts.push(Part::Svg { svg: svg.clone(), caption: "Genogram of the family and household".into() });
            parts.push(Part::Table {
                header: ["No.", "Date", "Agency", "Child / family member", "Professional", "Significant event", "Comment"]
                    .map(String::from)
                    .to_vec(),
                widths: vec![1, 2, 3, 3, 3, 8, 6],
                rows: (0..500)
                    .map(|i| {
                        words += 30;
                        vec![
                            (i + 1).to_string(),
                            format!("{:02}/{:02}/2025", 1 + i % 28, 1 + i % 12),
                            ["Health", "Police", "Children's Social Care", "Education"][i % 4].to_string(),
                            ["Child J", "Mother", "Father", "Sibling 1"][i % 4].to_string(),
                            format!("Health Visitor {}", 1 + i % 3),
                            paragraph(i, 18),
                            paragraph(i + 7, 10),
                        ]
                    })
                    .collect(),
            });
        }
    }
    parts.push(Part::Signature { name: "Margaret Lowe".into(), position: "Overview author".into(), date: "14/06/2026".into() });
    let doc = RenderDoc {
        title: "Overview report".into(),
        subtitle: vec!["NSCP-2026-007 · Serious Case Review".into(), "Version 12, draft".into()],
        branding: Branding { name: "Northmoor Safeguarding Children Partnership".into(), logo: None },
        marking: Marking {
            draft: true,
            confidential: true,
            prepared_for: Some("Copy made for Priya Shah (Board manager) on 23/11/2026".into()),
        },
        parts,
    };
    (doc, words)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.unwrap_or_else(|| unreachable!("runs > 0")))
}

fn pages(pdf: &std::path::Path) -> String {
    Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().find(|l| l.starts_with("Pages:")).map(|l| l.trim_start_matches("Pages:").trim().to_string()))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let (doc, words) = report();
    let dir = std::env::temp_dir().join(format!("casereview-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    // One warm-up: typst loads its fonts once per process. Each timed run then starts with
    // typst's memo cache cleared, so it is a first render, not a repeat of a cached one.
    let _ = casereview_render::pdf::render(&doc);
    let (pdf_time, pdf) = time(5, || {
        casereview_render::pdf::clear_cache();
        casereview_render::pdf::render(&doc)
    });
    let (docx_time, docx) = time(5, || casereview_render::docx::render(&doc));
    let (Ok(pdf), Ok(docx)) = (pdf, docx) else {
        eprintln!("rendering failed");
        std::process::exit(1);
    };
    let pdf_path = dir.join("ours.pdf");
    let docx_path = dir.join("report.docx");
    std::fs::write(&pdf_path, &pdf).unwrap_or_default();
    std::fs::write(&docx_path, &docx).unwrap_or_default();
    println!("report: {words} words, 500-row chronology, genogram of 20 people");
    println!(
        "PDF  (typst, in process): median {:>8.3} s over 5 runs, {} pages, {} bytes",
        pdf_time.as_secs_f64(),
        pages(&pdf_path),
        pdf.len()
    );
    println!("DOCX (direct OOXML):      median {:>8.3} s over 5 runs, {} bytes", docx_time.as_secs_f64(), docx.len());
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let convert = || {
        Command::new("soffice")
            .arg(&profile)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.join("lo"))
            .arg(&docx_path)
            .output()
    };
    // The first start creates LibreOffice's profile; not counted, as a board's is warm.
    match convert() {
        Ok(o) if o.status.success() => {}
        other => {
            eprintln!("LibreOffice baseline unavailable (install libreoffice-writer-nogui): {other:?}");
            return;
        }
    }
    let (lo_time, _) = time(3, convert);
    println!(
        "LibreOffice DOCX->PDF:    median {:>8.3} s over 3 runs, {} pages",
        lo_time.as_secs_f64(),
        pages(&dir.join("lo").join("report.pdf"))
    );
    println!(
        "ratio: our PDF takes {:.3} of LibreOffice's conversion time ({:.1}x faster); DOCX {:.3} s (target < 1 s)",
        pdf_time.as_secs_f64() / lo_time.as_secs_f64(),
        lo_time.as_secs_f64() / pdf_time.as_secs_f64(),
        docx_time.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
