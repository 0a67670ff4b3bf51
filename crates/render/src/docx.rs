//! DOCX: Office Open XML written directly into a zip, so Word and LibreOffice open the file
//! without repair and nothing heavier than a zip writer is needed. The body is written in
//! one pass into strings ([`body`]); the fixed parts (styles, numbering, settings, header,
//! footer) are written here. Every text is escaped as data ([`xml`]); nothing a document says
//! can become markup.

mod body;
mod picture;
mod xml;

use crate::{marking_line, RenderDoc, RenderError};
use body::{Body, Rels, HEADER_GAP, LIST_INDENT, MARGIN, PAGE_H, PAGE_W};
use std::fmt::Write as _;
use std::io::Write as _;

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
const CT: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.";

/// Writes `doc` as a DOCX package: A4, the marking in the header and footer of every page
/// (with a DRAFT watermark on a draft), page numbers in the footer.
pub fn render(doc: &RenderDoc) -> Result<Vec<u8>, RenderError> {
    let marking = marking_line(&doc.marking);

    // The document's fixed relationships come first; pictures and links follow.
    let mut rels = Rels::default();
    rels.add(rel_type("styles"), "styles.xml".into(), false);
    rels.add(rel_type("numbering"), "numbering.xml".into(), false);
    rels.add(rel_type("footnotes"), "footnotes.xml".into(), false);
    rels.add(rel_type("settings"), "settings.xml".into(), false);
    let header_id = if marking.is_empty() { None } else { Some(rels.add(rel_type("header"), "header1.xml".into(), false)) };
    let footer_id = rels.add(rel_type("footer"), "footer1.xml".into(), false);

    let mut body = Body::new(rels, estimate(doc));
    body.out.push_str(XML_DECL);
    let _ = write!(
        body.out,
        r#"<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>"#
    );
    let empty = body.out.len();
    body.first_page(doc)?;
    for part in &doc.parts {
        body.part(part)?;
    }
    if body.out.len() == empty {
        // Word expects at least one paragraph in a body.
        body.out.push_str("<w:p/>");
    }
    // The section: A4 portrait, margins, and the header and footer on every page.
    body.out.push_str("<w:sectPr>");
    if let Some(id) = &header_id {
        let _ = write!(body.out, r#"<w:headerReference w:type="default" r:id="{id}"/>"#);
    }
    let _ = write!(
        body.out,
        r#"<w:footerReference w:type="default" r:id="{footer_id}"/><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/><w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="{HEADER_GAP}" w:footer="{HEADER_GAP}" w:gutter="0"/><w:cols w:space="708"/></w:sectPr></w:body></w:document>"#
    );

    let footnotes = footnotes_xml(&body.notes.out);
    let media = std::mem::take(&mut body.media);
    let media_names: Vec<String> = media.iter().map(|(name, _)| format!("word/{name}")).collect();
    let mut files: Vec<(&str, Vec<u8>)> = Vec::with_capacity(16 + media.len());
    files.push(("[Content_Types].xml", content_types(header_id.is_some(), &media).into_bytes()));
    files.push(("_rels/.rels", package_rels().into_bytes()));
    files.push(("docProps/core.xml", core_xml(doc).into_bytes()));
    files.push(("docProps/app.xml", app_xml(doc).into_bytes()));
    files.push(("word/document.xml", std::mem::take(&mut body.out).into_bytes()));
    files.push(("word/_rels/document.xml.rels", body.rels.xml().into_bytes()));
    files.push(("word/styles.xml", STYLES.as_bytes().to_vec()));
    files.push(("word/numbering.xml", numbering_xml(&body.ordered).into_bytes()));
    files.push(("word/settings.xml", SETTINGS.as_bytes().to_vec()));
    files.push(("word/footnotes.xml", footnotes.into_bytes()));
    if !body.notes.rels.list.is_empty() {
        files.push(("word/_rels/footnotes.xml.rels", body.notes.rels.xml().into_bytes()));
    }
    if header_id.is_some() {
        files.push(("word/header1.xml", header_xml(&marking, doc.marking.draft).into_bytes()));
    }
    files.push(("word/footer1.xml", footer_xml(&marking).into_bytes()));
    for ((_, bytes), name) in media.into_iter().zip(media_names.iter()) {
        files.push((name.as_str(), bytes));
    }
    zip(&files)
}

/// The relationship type of one of the document's fixed parts.
fn rel_type(kind: &str) -> &'static str {
    match kind {
        "styles" => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
        "numbering" => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering",
        "footnotes" => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
        "settings" => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings",
        "header" => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header",
        _ => "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer",
    }
}

/// Roughly how long the body's XML will be, so its string is allocated once.
fn estimate(doc: &RenderDoc) -> usize {
    use crate::Part;
    let text: usize = doc
        .parts
        .iter()
        .map(|p| match p {
            Part::Markup(m) => m.blocks.len() * 300,
            Part::Paragraphs(v) => v.iter().map(|s| s.len() + 120).sum(),
            Part::Table { rows, header, .. } => (rows.len() + 1) * header.len().max(1) * 200,
            Part::Fields(f) => f.len() * 500,
            _ => 1000,
        })
        .sum();
    (text + 8192).min(64 << 20)
}

/// Zips the files, deflated (PNGs stored: they are compressed already), with a fixed date
/// so the same document gives the same bytes.
fn zip(files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, RenderError> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime};
    let fail = |e: &dyn std::fmt::Display| RenderError::Package(e.to_string());
    let size: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size / 3 + 4096)));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::DEFAULT);
    let stored = deflated.compression_method(CompressionMethod::Stored).compression_level(None);
    for (name, bytes) in files {
        let options = if name.ends_with(".png") { stored } else { deflated };
        w.start_file(*name, options).map_err(|e| fail(&e))?;
        w.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}

fn content_types(header: bool, media: &[(String, Vec<u8>)]) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str(XML_DECL);
    s.push_str(r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#);
    s.push_str(r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#);
    s.push_str(r#"<Default Extension="xml" ContentType="application/xml"/>"#);
    if media.iter().any(|(n, _)| n.ends_with(".png")) {
        s.push_str(r#"<Default Extension="png" ContentType="image/png"/>"#);
    }
    if media.iter().any(|(n, _)| n.ends_with(".svg")) {
        s.push_str(r#"<Default Extension="svg" ContentType="image/svg+xml"/>"#);
    }
    let mut part = |name: &str, ct: &str| {
        let _ = write!(s, r#"<Override PartName="{name}" ContentType="{ct}"/>"#);
    };
    part("/word/document.xml", &format!("{CT}document.main+xml"));
    part("/word/styles.xml", &format!("{CT}styles+xml"));
    part("/word/numbering.xml", &format!("{CT}numbering+xml"));
    part("/word/settings.xml", &format!("{CT}settings+xml"));
    part("/word/footnotes.xml", &format!("{CT}footnotes+xml"));
    if header {
        part("/word/header1.xml", &format!("{CT}header+xml"));
    }
    part("/word/footer1.xml", &format!("{CT}footer+xml"));
    part("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml");
    part("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml");
    s.push_str("</Types>");
    s
}

fn package_rels() -> String {
    format!(
        r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{REL}extended-properties" Target="docProps/app.xml"/></Relationships>"#
    )
}

/// The file's metadata: its title (no dates or author, so copies differ only in content).
fn core_xml(doc: &RenderDoc) -> String {
    let mut s = String::with_capacity(512);
    s.push_str(XML_DECL);
    s.push_str(r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>"#);
    xml::text(&mut s, &doc.title);
    s.push_str("</dc:title>");
    if !doc.branding.name.is_empty() {
        s.push_str("<dc:creator>");
        xml::text(&mut s, &doc.branding.name);
        s.push_str("</dc:creator>");
    }
    s.push_str("</cp:coreProperties>");
    s
}

fn app_xml(doc: &RenderDoc) -> String {
    let mut s = String::with_capacity(512);
    s.push_str(XML_DECL);
    s.push_str(r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>casereview</Application>"#);
    if !doc.branding.name.is_empty() {
        s.push_str("<Company>");
        xml::text(&mut s, &doc.branding.name);
        s.push_str("</Company>");
    }
    s.push_str("</Properties>");
    s
}

fn footnotes_xml(notes: &str) -> String {
    let mut s = String::with_capacity(notes.len() + 1024);
    s.push_str(XML_DECL);
    let _ = write!(s, r#"<w:footnotes xmlns:w="{NS_W}" xmlns:r="{NS_R}">"#);
    // The separator line above the notes and its continuation, as Word writes them (ids -1
    // and 0, named in settings.xml); real footnotes start at 1.
    s.push_str(r#"<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"#);
    s.push_str(r#"<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"#);
    s.push_str(notes);
    s.push_str("</w:footnotes>");
    s
}

/// The header: the marking in bold, and on a draft the diagonal DRAFT watermark, a VML
/// text path exactly as Word writes its own watermarks (so Word lists it under Watermark
/// and LibreOffice recognises it).
fn header_xml(marking: &str, draft: bool) -> String {
    let mut s = String::with_capacity(4096);
    s.push_str(XML_DECL);
    let _ = write!(
        s,
        r#"<w:hdr xmlns:w="{NS_W}" xmlns:r="{NS_R}" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w10="urn:schemas-microsoft-com:office:word"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="center"/></w:pPr>"#
    );
    if draft {
        s.push_str(WATERMARK);
    }
    s.push_str(r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">"#);
    xml::text(&mut s, marking);
    s.push_str("</w:t></w:r></w:p></w:hdr>");
    s
}

/// The footer: the marking (when there is one) and "Page X of Y" as fields Word and
/// LibreOffice fill in.
fn footer_xml(marking: &str) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str(XML_DECL);
    let _ = write!(s, r#"<w:ftr xmlns:w="{NS_W}" xmlns:r="{NS_R}">"#);
    if !marking.is_empty() {
        s.push_str(
            r#"<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">"#,
        );
        xml::text(&mut s, marking);
        s.push_str("</w:t></w:r></w:p>");
    }
    s.push_str(r#"<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>"#);
    field(&mut s, "PAGE");
    s.push_str(r#"<w:r><w:t xml:space="preserve"> of </w:t></w:r>"#);
    field(&mut s, "NUMPAGES");
    s.push_str("</w:p></w:ftr>");
    s
}

/// A field with a placeholder result, which Word and LibreOffice replace when laying out.
fn field(s: &mut String, instr: &str) {
    let _ = write!(
        s,
        r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
    );
}

/// Numbering: instance 1 is the bullets; every ordered list has its own instance of the
/// decimal scheme restarting at its first number.
fn numbering_xml(ordered: &[(u8, u32)]) -> String {
    let mut s = String::with_capacity(8192 + ordered.len() * 160);
    s.push_str(XML_DECL);
    let _ = write!(s, r#"<w:numbering xmlns:w="{NS_W}">"#);
    for (id, bullet) in [(0, true), (1, false)] {
        let _ = write!(s, r#"<w:abstractNum w:abstractNumId="{id}"><w:multiLevelType w:val="multilevel"/>"#);
        for level in 0..9u32 {
            let (fmt, text) = if bullet {
                ("bullet", if level % 2 == 0 { "\u{2022}".to_string() } else { "\u{2013}".to_string() })
            } else {
                ("decimal", format!("%{}.", level + 1))
            };
            let left = LIST_INDENT * (level + 1);
            let _ = write!(
                s,
                r#"<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr></w:lvl>"#
            );
        }
        s.push_str("</w:abstractNum>");
    }
    s.push_str(r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#);
    for (i, (level, start)) in ordered.iter().enumerate() {
        let _ = write!(
            s,
            r#"<w:num w:numId="{}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>"#,
            i + 2
        );
    }
    s.push_str("</w:numbering>");
    s
}

const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:zoom w:percent="100"/><w:defaultTabStop w:val="709"/><w:characterSpacingControl w:val="doNotCompress"/>"#,
    r#"<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>"#,
    r#"<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
    r#"<w:themeFontLang w:val="en-GB"/><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>"#,
    r#"</w:settings>"#
);

/// The styles, under Word's built-in names (so "heading 1" is Word's own Heading 1, in the
/// navigation pane and tables of contents). Arial throughout, 11pt.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:spacing w:before="120" w:after="120" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3864"/><w:kern w:val="28"/><w:sz w:val="48"/><w:szCs w:val="48"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:color w:val="595959"/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="Partnership"><w:name w:val="Partnership"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3864"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3864"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/><w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="BFBFBF"/></w:pBdr><w:spacing w:before="60" w:after="60"/><w:ind w:left="567" w:right="567"/></w:pPr><w:rPr><w:i/><w:color w:val="404040"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/><w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/><w:pPr><w:spacing w:before="60" w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:i/><w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>"#,
    r#"<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableTextSmall"><w:name w:val="Table Text Small"/><w:basedOn w:val="TableText"/><w:qFormat/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>"#,
    r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders></w:tblPr></w:style>"#,
    r#"</w:styles>"#
);

/// Word's own watermark: shape type 136 (a text path) with its formulas, then the shape,
/// light grey, half transparent, turned 315 degrees, centred on the page behind the text.
const WATERMARK: &str = concat!(
    r##"<w:r><w:rPr><w:noProof/></w:rPr><w:pict>"##,
    r##"<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e">"##,
    r##"<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>"##,
    r##"<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>"##,
    r##"<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>"##,
    r##"<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:453.5pt;height:136pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="silver" stroked="f">"##,
    r##"<v:fill opacity=".5"/><v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="DRAFT"/><w10:wrap anchorx="margin" anchory="margin"/></v:shape>"##,
    r#"</w:pict></w:r>"#
);
