//! The PDF renderer, checked through what poppler's `pdftotext` and `pdffonts` read back.
//! Those tools must be installed (poppler-utils): without them these tests fail.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use casereview_core::markup;
use casereview_render::{pdf, Branding, Logo, Marking, Part, RenderDoc, RenderError};

/// A small valid SVG: a genogram-like pair of shapes joined by a line.
const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <rect x="10" y="30" width="40" height="40" fill="none" stroke="black" stroke-width="2"/>
  <circle cx="170" cy="50" r="20" fill="none" stroke="black" stroke-width="2"/>
  <line x1="50" y1="50" x2="150" y2="50" stroke="black" stroke-width="2"/>
</svg>"##;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

/// A PDF written to a temporary file, removed when dropped.
struct PdfFile(PathBuf);

impl PdfFile {
    fn new(bytes: &[u8]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        // To look at the PDFs: RENDER_PDF_DIR=/some/dir cargo test -p casereview-render --test pdf
        if let Some(dir) = std::env::var_os("RENDER_PDF_DIR") {
            std::fs::write(PathBuf::from(dir).join(format!("test-{n}.pdf")), bytes).unwrap();
        }
        let path = std::env::temp_dir().join(format!("casereview-render-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }

    /// The text of pages `first..=last` (all when `None`).
    fn text(&self, pages: Option<(usize, usize)>) -> String {
        let mut cmd = Command::new("pdftotext");
        if let Some((f, l)) = pages {
            cmd.args(["-f", &f.to_string(), "-l", &l.to_string()]);
        }
        let out = cmd.arg(&self.0).arg("-").output().expect("pdftotext (poppler-utils) must be installed for these tests");
        assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn pages(&self) -> usize {
        let out = Command::new("pdfinfo").arg(&self.0).output().expect("pdfinfo (poppler-utils) must be installed for these tests");
        let info = String::from_utf8(out.stdout).unwrap();
        let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
        line["Pages:".len()..].trim().parse().unwrap()
    }

    fn info(&self) -> String {
        let out = Command::new("pdfinfo").arg(&self.0).output().expect("pdfinfo (poppler-utils) must be installed for these tests");
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for PdfFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whitespace collapsed, so words broken over lines by layout still match.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn markup(text: &str) -> markup::Document {
    markup::parse(text, &markup::Limits::default()).unwrap()
}

fn report(marking: Marking) -> RenderDoc {
    RenderDoc {
        title: "Overview report".into(),
        subtitle: vec!["SCR 2026/01".into(), "Version 3, 23/11/2026".into()],
        branding: Branding { name: "Northmoor Safeguarding Children Partnership".into(), logo: None },
        marking,
        parts: vec![
            Part::Heading { level: 1, text: "1. Introduction".into() },
            Part::Markup(markup(
                "## 1.1 Why this review\n\nThe panel met *twice* and agreed **three** things.[^a] See [the guidance](https://example.org/guide).\n\n\
                 - first point\n- second point\n  - nested point\n\n3. third numbered\n4. fourth numbered\n\n> A quoted line from the IMR.\n\n\
                 ---\n\n| Agency | Role |\n|---|---:|\n| Health | Nurse |\n| Police | Officer |\n\n\
                 [^a]: The footnote explains the decision.\n",
            )),
            Part::Heading { level: 2, text: "1.2 Later section".into() },
            Part::Paragraphs(vec!["A plain paragraph.".into(), "Another plain paragraph.".into()]),
            Part::PageBreak,
            Part::Heading { level: 3, text: "1.2.1 The child".into() },
            Part::Markup(markup("A second text with its own note.[^b]\n\n[^b]: Second footnote text.\n")),
            Part::Fields(vec![("Child's name".into(), "J Smith".into()), ("Date of birth".into(), String::new())]),
            Part::Signature { name: "Ann Hall".into(), position: "Board manager".into(), date: String::new() },
        ],
    }
}

#[test]
fn a_report_has_its_headings_lists_tables_and_footnotes() {
    let pdf = pdf::render(&report(Marking::default())).unwrap();
    let file = PdfFile::new(&pdf);
    let text = flat(&file.text(None));
    for expected in [
        "Northmoor Safeguarding Children Partnership",
        "Overview report",
        "SCR 2026/01",
        "1. Introduction",
        "1.1 Why this review",
        "1.2 Later section",
        "1.2.1 The child",
        "first point",
        "nested point",
        "third numbered",
        "A quoted line from the IMR.",
        "Agency",
        "Officer",
        "The footnote explains the decision.",
        "Second footnote text.",
        "https://example.org/guide",
        "Child's name",
        "J Smith",
        "Ann Hall",
        "Board manager",
        "Page 1 of 2",
        "Page 2 of 2",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    // Numbered lists keep their start; footnotes are numbered across the document.
    assert!(text.contains("3. third numbered") && text.contains("4. fourth numbered"), "{text}");
    assert!(text.contains("2Second footnote text.") || text.contains("2 Second footnote text."), "{text}");
    assert!(!text.contains("DRAFT"));
    assert!(!text.contains("CONFIDENTIAL"));
    assert!(flat(&file.info()).contains("Title: Overview report"), "{}", file.info());
}

#[test]
fn every_page_of_a_draft_carries_the_marking_and_a_final_copy_does_not_say_draft() {
    let marking =
        Marking { draft: true, confidential: true, prepared_for: Some("Copy made for Ann Hall (Board manager) on 23/11/2026".into()) };
    let pdf = pdf::render(&report(marking)).unwrap();
    let file = PdfFile::new(&pdf);
    assert_eq!(file.pages(), 2);
    for page in 1..=2 {
        let text = flat(&file.text(Some((page, page))));
        assert!(text.contains("DRAFT"), "page {page}: {text}");
        assert!(text.contains("STRICTLY CONFIDENTIAL"), "page {page}: {text}");
        assert!(text.contains("Copy made for Ann Hall (Board manager) on 23/11/2026"), "page {page}: {text}");
        // Header and footer.
        assert!(text.matches("STRICTLY CONFIDENTIAL").count() >= 2, "page {page}: {text}");
    }

    let approved = Marking { draft: false, confidential: true, prepared_for: Some("Copy made for Ann Hall".into()) };
    let pdf = pdf::render(&report(approved)).unwrap();
    let file = PdfFile::new(&pdf);
    let text = file.text(None);
    assert!(text.contains("STRICTLY CONFIDENTIAL"));
    assert!(text.contains("Copy made for Ann Hall"));
    assert!(!text.contains("DRAFT"), "{text}");
}

#[test]
fn a_long_table_repeats_its_header_on_every_page() {
    let rows: Vec<Vec<String>> =
        (1..=200).map(|i| vec![format!("{i:02}/03/2025"), format!("Agency {i}"), format!("Event number {i}")]).collect();
    let doc = RenderDoc {
        title: "Integrated chronology".into(),
        parts: vec![Part::Table {
            header: vec!["Date".into(), "Source agency".into(), "What happened".into()],
            widths: vec![1, 1, 3],
            rows,
        }],
        ..RenderDoc::default()
    };
    let file = PdfFile::new(&pdf::render(&doc).unwrap());
    let pages = file.pages();
    assert!(pages >= 2, "{pages} pages");
    for page in 1..=pages {
        let text = file.text(Some((page, page)));
        assert!(text.contains("Source agency"), "page {page} has no header: {text}");
    }
    let all = file.text(None);
    assert!(all.contains("Event number 1\n") && all.contains("Event number 200"));
}

#[test]
fn a_wide_table_and_all_fonts_are_embedded() {
    let header: Vec<String> = (1..=8).map(|i| format!("Column {i}")).collect();
    let rows = vec![(1..=8).map(|i| format!("cell {i}")).collect::<Vec<_>>()];
    let mut doc = report(Marking::default());
    doc.parts.push(Part::Table { header, widths: vec![], rows });
    doc.parts.push(Part::Markup(markup("Some `code` here.")));
    let file = PdfFile::new(&pdf::render(&doc).unwrap());
    assert!(flat(&file.text(None)).contains("Column 8"));
    let out = Command::new("pdffonts").arg(&file.0).output().expect("pdffonts (poppler-utils) must be installed for these tests");
    let listing = String::from_utf8(out.stdout).unwrap();
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "{listing}");
    // Columns: name, type (one or more words), encoding, emb, sub, uni, object, generation;
    // names can overflow their column, so count from the right.
    for line in fonts {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(fields.len() >= 8, "{line}");
        assert_eq!(fields[fields.len() - 5], "yes", "not embedded: {line}\n{listing}");
    }
}

#[test]
fn pictures_render_and_a_broken_one_is_named() {
    let doc = RenderDoc {
        title: "Genogram".into(),
        branding: Branding { name: "Northmoor".into(), logo: Some(Logo::Png(PNG.to_vec())) },
        parts: vec![Part::Svg { svg: SVG.into(), caption: "The family of J".into() }],
        ..RenderDoc::default()
    };
    let file = PdfFile::new(&pdf::render(&doc).unwrap());
    assert!(flat(&file.text(None)).contains("The family of J"));

    let svg_logo = RenderDoc { branding: Branding { name: "N".into(), logo: Some(Logo::Svg(SVG.into())) }, ..doc.clone() };
    assert!(pdf::render(&svg_logo).is_ok());

    let broken = RenderDoc { parts: vec![Part::Svg { svg: "<svg this is not".into(), caption: "Genogram".into() }], ..doc.clone() };
    match pdf::render(&broken) {
        Err(RenderError::Picture(name, message)) => {
            assert_eq!(name, "Genogram");
            assert!(message.contains("SVG"), "{message}");
        }
        other => panic!("expected a picture error, got {other:?}"),
    }
    let broken_logo = RenderDoc { branding: Branding { name: "N".into(), logo: Some(Logo::Png(b"not a png".to_vec())) }, ..doc.clone() };
    assert!(matches!(pdf::render(&broken_logo), Err(RenderError::Picture(name, _)) if name == "logo"));
    // An SVG pointing at a file on disk gets nothing from the disk.
    let sneaky = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image href="/etc/passwd" width="10" height="10"/></svg>"#;
    let doc = RenderDoc { parts: vec![Part::Svg { svg: sneaky.into(), caption: "Sneaky".into() }], ..doc };
    match pdf::render(&doc) {
        Err(RenderError::Picture(name, _)) => assert_eq!(name, "Sneaky"),
        Ok(pdf) => assert!(!PdfFile::new(&pdf).text(None).contains("root:")),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn text_that_looks_like_typst_is_printed_as_it_is() {
    let hostile = [
        r#"#import "x""#,
        "$x$",
        "*bold*",
        "]",
        r#"""#,
        r"\",
        "@ref",
        "<label>",
        "// comment",
        r#"#read("/etc/passwd")"#,
        "#set page(width: 1cm)",
        "```raw```",
        "= not a heading",
        "- not a list",
        "_under_",
    ];
    let paragraph = hostile.join("  ");
    let doc = RenderDoc {
        title: r#"Title #"quoted" ] $"#.into(),
        subtitle: vec![r"Sub \ title".into()],
        parts: vec![
            Part::Heading { level: 1, text: "#strong[heading]".into() },
            Part::Paragraphs(hostile.iter().map(|s| s.to_string()).collect()),
            Part::Paragraphs(vec![paragraph]),
            // Markup text: the parser already turned `*x*` into emphasis; what is left over as
            // literal text must not be read by typst either.
            Part::Markup(markup(r"Literal \*stars\* and #hash and $dollar$ and <b>tag</b> and @at")),
            Part::Table { header: vec!["#h".into()], widths: vec![1], rows: vec![vec!["$y$".into()]] },
        ],
        ..RenderDoc::default()
    };
    let file = PdfFile::new(&pdf::render(&doc).unwrap());
    let text = file.text(None);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for h in hostile {
        assert!(lines.contains(&h), "{h:?} not printed verbatim in:\n{text}");
    }
    let flat_text = flat(&text);
    for expected in [
        r#"Title #"quoted" ] $"#,
        r"Sub \ title",
        "#strong[heading]",
        "Literal *stars* and #hash and $dollar$ and <b>tag</b> and @at",
        "#h",
        "$y$",
    ] {
        assert!(flat_text.contains(expected), "{expected:?} not in {flat_text}");
    }
    // Nothing was read from the disk.
    assert!(!text.contains("root:"));
    // The page width was not changed by the text: still A4.
    assert!(file.info().contains("595.276 x 841.89 pts (A4)"), "{}", file.info());
}

#[test]
fn a_letter_has_its_head() {
    let doc = RenderDoc {
        title: String::new(),
        branding: Branding { name: "Northmoor Safeguarding Children Partnership".into(), logo: None },
        parts: vec![
            Part::LetterHead {
                from: vec!["Board office".into(), "1 High Street".into()],
                to: vec!["Ms A Author".into(), "2 Low Road".into()],
                date: "23 November 2026".into(),
                reference: "SCR 2026/01".into(),
                salutation: "Dear Ms Author,".into(),
            },
            Part::Paragraphs(vec!["Thank you for your report.".into()]),
            Part::Signature { name: "Ann Hall".into(), position: "Board manager".into(), date: "23/11/2026".into() },
        ],
        ..RenderDoc::default()
    };
    let text = flat(&PdfFile::new(&pdf::render(&doc).unwrap()).text(None));
    for expected in
        ["1 High Street", "Ms A Author", "23 November 2026", "Our ref: SCR 2026/01", "Dear Ms Author,", "Thank you", "Date: 23/11/2026"]
    {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}
