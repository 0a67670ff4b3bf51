//! The DOCX writer: every part of the package is well-formed XML and the package hangs
//! together (relationships, content types), LibreOffice lays it out into a PDF with the
//! expected text, text is data however it looks, and a long report is written quickly.
#![allow(clippy::unwrap_used)]

use casereview_core::markup::{self, Limits};
use casereview_render::{docx, Branding, Logo, Marking, Part, RenderDoc};
// usvg re-exports roxmltree, a strict XML 1.0 parser: the well-formedness check costs no
// extra dependency.
use resvg::usvg::roxmltree;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PREPARED_FOR: &str = "Copy made for Ann Hall (Board manager) on 23/11/2026";

/// Text that looks like markup and characters XML cannot hold: it must come out as written
/// (the control characters dropped) and never break the file.
const NASTY: &str =
    "Tags <w:p> stay text, &amp; stays &amp;, ]]> and \"quotes\" & 'apostrophes'; controls\u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE} gone.";

const GENOGRAM: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">
<rect x="40" y="20" width="60" height="40" fill="none" stroke="#000" stroke-width="2"/>
<circle cx="300" cy="40" r="22" fill="none" stroke="#000" stroke-width="2"/>
<line x1="100" y1="40" x2="278" y2="40" stroke="#000" stroke-width="2"/>
<line x1="190" y1="40" x2="190" y2="130" stroke="#000" stroke-width="2"/>
<circle cx="190" cy="150" r="20" fill="#ddd" stroke="#000" stroke-width="2"/>
<text x="70" y="80" font-family="sans-serif" font-size="14" text-anchor="middle">Father</text>
<text x="300" y="85" font-family="sans-serif" font-size="14" text-anchor="middle">Mother</text>
<text x="190" y="192" font-family="sans-serif" font-size="14" text-anchor="middle">Child A</text>
</svg>"##;

fn parse(text: &str) -> markup::Document {
    markup::parse(text, &Limits::default()).unwrap()
}

fn png_logo() -> Vec<u8> {
    let mut pixmap = resvg::tiny_skia::Pixmap::new(120, 40).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::from_rgba8(31, 56, 100, 255));
    pixmap.encode_png().unwrap()
}

/// A document using every kind of part.
fn sample(draft: bool) -> RenderDoc {
    let first = parse(
        "# Background\n\n\
         The child, **Child Alpha**, lived with her *mother*; see `IMR-7` and [the guidance](https://example.org/guide?a=1&b=2).[^src]\n\n\
         1. First ordered item\n\
         2. Second ordered item\n   - Nested bullet item\n\n\
         Then a list that starts at three:\n\n\
         3. Third start item\n\
         4. Fourth start item\n\n\
         > Quoted words from the health IMR.\n\n\
         | Agency | Contacts | Outcome |\n|---|:-:|--:|\n| Health visiting | 12 | Seen at home |\n| Police | 3 | No further action |\n\n\
         ---\n\n\
         ## Analysis\n\nAnother paragraph with a second reference to the same note.[^src]\n\n\
         [^src]: Footnote alpha: the chronology, with [a link](mailto:board@example.org).\n",
    );
    let second = parse(
        "### Learning\n\nA new part, whose footnote is numbered 1 in its own text.[^n]\n\n[^n]: Footnote bravo from the second part.\n",
    );
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|i| vec![format!("{:02}/03/2020", i % 28 + 1), format!("Agency {i}"), format!("Event number {i} recorded in the chronology")])
        .collect();
    RenderDoc {
        title: "Overview report".into(),
        subtitle: vec!["Review NSCP-2026-004".into(), "Serious Case Review, version 3".into()],
        branding: Branding {
            name: "Northmoor Safeguarding Children Partnership".into(),
            logo: Some(if draft { Logo::Png(png_logo()) } else { Logo::Svg(GENOGRAM.into()) }),
        },
        marking: Marking { draft, confidential: true, prepared_for: Some(PREPARED_FOR.into()) },
        parts: vec![
            Part::Markup(first),
            Part::Heading { level: 1, text: "Integrated chronology".into() },
            Part::Table { header: vec!["Date".into(), "Agency".into(), "Event".into()], widths: vec![1, 1, 4], rows },
            Part::Table {
                header: (1..=7).map(|i| format!("Col{i}")).collect(),
                widths: vec![],
                rows: vec![(1..=7).map(|i| format!("wide{i}")).collect()],
            },
            Part::Markup(second),
            Part::Paragraphs(vec![NASTY.into(), "Line one\nline two\tafter a tab".into()]),
            Part::Fields(vec![("Child's name".into(), "J Smith".into()), ("Date of birth".into(), String::new())]),
            Part::Svg { svg: GENOGRAM.into(), caption: "Figure 1: genogram of the household".into() },
            Part::PageBreak,
            Part::LetterHead {
                from: vec!["Board office".into(), "1 High Street".into()],
                to: vec!["Ms A Author".into(), "Health Trust".into()],
                date: "23 November 2026".into(),
                reference: "NSCP/004".into(),
                salutation: "Dear Ms Author".into(),
            },
            Part::Signature { name: "Jane Chair".into(), position: "Independent chair".into(), date: String::new() },
        ],
    }
}

/// Every file in the package, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

fn text_of(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files.get(name).unwrap_or_else(|| panic!("{name} is missing")).clone()).unwrap()
}

/// Checks that every XML part parses, every relationship's target exists, every part has a
/// content type and every `r:id`/`r:embed` used by a part is one of its relationships.
fn check_package(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let files = unzip(bytes);
    for name in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/numbering.xml", "word/footnotes.xml"] {
        assert!(files.contains_key(name), "{name} is missing");
    }
    for (name, data) in &files {
        if name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".svg") {
            let text = std::str::from_utf8(data).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
            if let Err(e) = roxmltree::Document::parse(text) {
                panic!("{name} is not well-formed: {e}");
            }
        }
    }
    let types = text_of(&files, "[Content_Types].xml");
    let types = roxmltree::Document::parse(&types).unwrap();
    let defaults: HashSet<String> = types.descendants().filter_map(|n| n.attribute("Extension")).map(str::to_string).collect();
    let overrides: HashSet<String> = types.descendants().filter_map(|n| n.attribute("PartName")).map(str::to_string).collect();
    for name in files.keys() {
        let ext = name.rsplit('.').next().unwrap();
        assert!(defaults.contains(ext) || overrides.contains(&format!("/{name}")), "{name} has no content type");
    }
    for o in &overrides {
        assert!(files.contains_key(&o[1..]), "content type for missing part {o}");
    }
    for (name, data) in &files {
        if !name.ends_with(".rels") {
            continue;
        }
        let dir = name.trim_end_matches(".rels").rsplit_once("_rels/").map(|(d, _)| d.to_string()).unwrap();
        let source = format!("{dir}{}", name.rsplit('/').next().unwrap().trim_end_matches(".rels"));
        let text = std::str::from_utf8(data).unwrap();
        let rels = roxmltree::Document::parse(text).unwrap();
        let mut ids = HashSet::new();
        for r in rels.descendants().filter(|n| n.has_tag_name("Relationship")) {
            let id = r.attribute("Id").unwrap();
            assert!(ids.insert(id.to_string()), "{name}: duplicate {id}");
            let target = r.attribute("Target").unwrap();
            if r.attribute("TargetMode") == Some("External") {
                assert!(target.starts_with("https://") || target.starts_with("mailto:"), "{name}: {target}");
            } else {
                assert!(files.contains_key(&format!("{dir}{target}")), "{name}: target {target} is missing");
            }
        }
        // Every relationship id the source part uses exists.
        if let Some(src) = files.get(&source) {
            let src = std::str::from_utf8(src).unwrap();
            let doc = roxmltree::Document::parse(src).unwrap();
            for node in doc.descendants().filter(|n| n.is_element()) {
                for a in node.attributes() {
                    if a.namespace() == Some("http://schemas.openxmlformats.org/officeDocument/2006/relationships") {
                        assert!(ids.contains(a.value()), "{source}: {} refers to unknown {}", node.tag_name().name(), a.value());
                    }
                }
            }
        }
    }
    files
}

#[test]
fn package_parts_are_well_formed_and_consistent() {
    for draft in [true, false] {
        let bytes = docx::render(&sample(draft)).unwrap();
        let files = check_package(&bytes);
        let document = text_of(&files, "word/document.xml");
        let styles = text_of(&files, "word/styles.xml");
        let numbering = text_of(&files, "word/numbering.xml");
        let footnotes = text_of(&files, "word/footnotes.xml");
        let settings = text_of(&files, "word/settings.xml");
        assert!(document.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        for level in 0..3 {
            assert!(styles.contains(&format!(r#"<w:outlineLvl w:val="{level}"/>"#)));
        }
        assert!(document.contains("<w:tblHeader/>") && document.contains("<w:cantSplit/>"));
        assert!(document.contains(r#"<w:pStyle w:val="TableTextSmall"/>"#), "a table of 7 columns is set small");
        assert!(document.contains("{96DAC541-7B7A-43D3-8B79-37D633B846F1}") && document.contains("asvg:svgBlip"));
        assert!(files.keys().any(|k| k.starts_with("word/media/") && k.ends_with(".png")));
        assert!(files.keys().any(|k| k.starts_with("word/media/") && k.ends_with(".svg")));
        // Ordered lists restart at their own first number; a second reference to a note repeats it.
        assert!(numbering.contains(r#"<w:startOverride w:val="3"/>"#) && numbering.contains(r#"<w:startOverride w:val="1"/>"#));
        assert_eq!(document.matches("<w:footnoteReference ").count(), 2);
        assert!(footnotes.contains(r#"w:id="-1""#) && footnotes.contains(r#"w:id="0""#));
        assert!(footnotes.contains(r#"<w:footnote w:id="1">"#) && footnotes.contains(r#"<w:footnote w:id="2">"#));
        assert!(settings.contains(r#"<w:footnote w:id="-1"/><w:footnote w:id="0"/>"#));
        // The link in a footnote is related from the footnotes part.
        assert!(text_of(&files, "word/_rels/footnotes.xml.rels").contains(r#"Target="mailto:board@example.org" TargetMode="External""#));
        assert!(text_of(&files, "word/_rels/document.xml.rels")
            .contains(r#"Target="https://example.org/guide?a=1&amp;b=2" TargetMode="External""#));
        assert!(text_of(&files, "docProps/core.xml").contains("<dc:title>Overview report</dc:title>"));
        let header = text_of(&files, "word/header1.xml");
        assert!(header.contains("STRICTLY CONFIDENTIAL") && header.contains(PREPARED_FOR));
        assert!(text_of(&files, "word/footer1.xml").contains(" NUMPAGES "));
        if draft {
            assert!(header.contains(r#"string="DRAFT""#) && header.contains("rotation:315"));
        } else {
            for (name, data) in &files {
                let text = String::from_utf8_lossy(data).to_lowercase();
                assert!(!text.contains("draft"), "{name} mentions a draft");
            }
        }
    }
}

#[test]
fn no_marking_means_no_header_but_page_numbers() {
    let doc = RenderDoc { title: "Letter".into(), parts: vec![Part::Paragraphs(vec!["Hello".into()])], ..RenderDoc::default() };
    let files = check_package(&docx::render(&doc).unwrap());
    assert!(!files.contains_key("word/header1.xml"));
    assert!(text_of(&files, "word/footer1.xml").contains(" PAGE "));
}

#[test]
fn text_is_data() {
    let mut doc = sample(false);
    doc.title = "<script>alert(1)</script> & ]]>".into();
    doc.subtitle.push("\u{0}\u{7}</w:t></w:r>".into());
    doc.parts.push(Part::Heading { level: 9, text: "</w:p><w:p>".into() });
    doc.parts.push(Part::Table {
        header: vec!["a\"b".into()],
        widths: vec![0],
        rows: vec![vec!["<![CDATA[x]]>".into(), "extra cell".into()]],
    });
    let files = check_package(&docx::render(&doc).unwrap());
    let document = text_of(&files, "word/document.xml");
    assert!(document
        .contains("Tags &lt;w:p&gt; stay text, &amp;amp; stays &amp;amp;, ]]&gt; and \"quotes\" &amp; 'apostrophes'; controls gone."));
    assert!(document.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt;"));
    assert!(document.contains("&lt;/w:p&gt;&lt;w:p&gt;") && document.contains("&lt;![CDATA[x]]&gt;") && document.contains("extra cell"));
    assert!(
        document.contains(r#"<w:t xml:space="preserve">line two</w:t><w:tab/>"#)
            || document.contains("<w:br/><w:t xml:space=\"preserve\">line two</w:t><w:tab/>")
    );
    assert!(!document.bytes().any(|b| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r'));
    assert!(text_of(&files, "docProps/core.xml").contains("<dc:title>&lt;script&gt;"));
}

#[test]
fn pictures_that_are_not_pictures_are_refused() {
    let mut doc = sample(false);
    doc.parts = vec![Part::Svg { svg: "<svg><unclosed".into(), caption: "Genogram".into() }];
    assert!(matches!(docx::render(&doc), Err(casereview_render::RenderError::Picture(name, _)) if name == "Genogram"));
    let mut doc = sample(false);
    doc.branding.logo = Some(Logo::Png(b"not a png".to_vec()));
    assert!(matches!(docx::render(&doc), Err(casereview_render::RenderError::Picture(name, _)) if name == "logo"));
}

#[test]
fn output_is_deterministic() {
    let doc = sample(true);
    assert_eq!(docx::render(&doc).unwrap(), docx::render(&doc).unwrap());
}

/// About a hundred pages: 40,000 words in 400 paragraphs under headings, with footnotes and
/// lists, a 500-row table and a genogram. Well under a second in release builds.
#[test]
fn a_long_report_is_a_complete_package() {
    let sentence = "The health visitor saw the child at home and recorded that the family had moved again, ";
    let mut text = String::new();
    for i in 0..400 {
        if i % 10 == 0 {
            text.push_str(&format!("## Section {i}\n\n"));
        }
        // 100 words a paragraph, varied so it compresses no better than real text.
        for j in 0..6 {
            text.push_str(&format!("On visit {} of {i} ", i * 7 + j));
            text.push_str(&sentence[(i + j) % 20..]);
        }
        text.push_str("and **the school** noticed *nothing* of concern at that time in the autumn term.");
        if i % 20 == 0 {
            text.push_str(&format!("[^n{i}]"));
        }
        text.push_str("\n\n");
        if i % 25 == 0 {
            text.push_str("1. One\n2. Two\n\n");
        }
    }
    for i in (0..400).step_by(20) {
        text.push_str(&format!("[^n{i}]: Note {i} on the records.\n"));
    }
    let rows: Vec<Vec<String>> = (0..500).map(|i| vec![format!("{i}"), "Police".into(), sentence.repeat(2)]).collect();
    let doc = RenderDoc {
        title: "Overview report".into(),
        marking: Marking { draft: true, confidential: true, prepared_for: Some(PREPARED_FOR.into()) },
        parts: vec![
            Part::Markup(markup::parse(&text, &Limits::default()).unwrap()),
            Part::Table { header: vec!["#".into(), "Agency".into(), "Event".into()], widths: vec![1, 2, 6], rows },
            Part::Svg { svg: GENOGRAM.into(), caption: "Genogram".into() },
        ],
        ..RenderDoc::default()
    };
    // Its speed is measured by `cargo bench -p casereview-render --bench report`, not here.
    let bytes = docx::render(&doc).unwrap();
    let files = check_package(&bytes);
    assert_eq!(text_of(&files, "word/document.xml").matches("<w:tr>").count(), 501);
    if let Some(keep) = std::env::var_os("CASEREVIEW_KEEP_DOCX") {
        std::fs::write(Path::new(&keep).join("long.docx"), &bytes).unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// LibreOffice
// ---------------------------------------------------------------------------------------

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(tag: &str) -> TempDir {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("casereview-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Converts the files to PDF with one LibreOffice run (each start costs seconds), with a
/// profile of its own so it neither meets nor changes any other LibreOffice.
fn soffice_to_pdf(dir: &Path, files: &[PathBuf]) {
    let profile = dir.join("profile");
    let mut child = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .args(files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("LibreOffice (soffice) is needed for this test and could not be started: {e}"));
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            assert!(
                status.success(),
                "soffice failed: {status}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("soffice took more than five minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils) is needed");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn libreoffice_lays_out_the_documents() {
    let dir = temp_dir("docx");
    let draft = dir.0.join("draft.docx");
    let final_ = dir.0.join("final.docx");
    std::fs::write(&draft, docx::render(&sample(true)).unwrap()).unwrap();
    std::fs::write(&final_, docx::render(&sample(false)).unwrap()).unwrap();
    soffice_to_pdf(&dir.0, &[draft, final_]);

    for name in ["draft", "final"] {
        let pdf = dir.0.join(format!("{name}.pdf"));
        assert!(pdf.exists(), "LibreOffice wrote no {name}.pdf");
        let text = pdftotext(&pdf);
        // Lines are joined so a phrase split by layout is still found.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Northmoor Safeguarding Children Partnership",
            "Overview report",
            "Review NSCP-2026-004",
            "Background",
            "Analysis",
            "Learning",
            "Integrated chronology",
            "Child Alpha",
            "Quoted words from the health IMR.",
            "Health visiting",
            "No further action",
            "Event number 120 recorded",
            "wide7",
            "Footnote alpha: the chronology",
            "Footnote bravo from the second part.",
            "Tags <w:p> stay text, &amp; stays &amp;, ]]> and \"quotes\" & 'apostrophes'; controls gone.",
            "Child's name",
            "J Smith",
            "________",
            "Figure 1: genogram of the household",
            "Our ref: NSCP/004",
            "Dear Ms Author",
            "Jane Chair",
            "STRICTLY CONFIDENTIAL",
            PREPARED_FOR,
        ] {
            assert!(flat.contains(expected), "{name}.pdf lacks {expected:?}:\n{text}");
        }
        // Numbering: the second list starts at 3; footnotes are numbered across parts.
        let line = text.lines().find(|l| l.contains("Third start item")).unwrap();
        assert!(line.contains("3."), "{line}");
        // The chronology's header row is repeated on the pages it runs over.
        let header_rows = text.lines().filter(|l| l.contains("Date") && l.contains("Agency") && l.contains("Event")).count();
        assert!(header_rows >= 2, "{name}: the table header appears {header_rows} times");
        assert!(flat.contains("Page 1 of "), "{name}: no page numbers");
        if name == "draft" {
            assert!(flat.contains("DRAFT"), "draft.pdf does not say DRAFT");
        } else {
            assert!(!flat.to_lowercase().contains("draft"), "final.pdf says draft:\n{text}");
        }
        let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo (poppler-utils) is needed");
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("(A4)"), "{name}: not A4:\n{info}");
    }
    // To look at the files: CASEREVIEW_KEEP_DOCX=/some/dir cargo test ...
    if let Some(keep) = std::env::var_os("CASEREVIEW_KEEP_DOCX") {
        for f in ["draft.docx", "draft.pdf", "final.docx", "final.pdf"] {
            std::fs::copy(dir.0.join(f), Path::new(&keep).join(f)).unwrap();
        }
    }
}
