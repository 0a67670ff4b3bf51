//! The body of `word/document.xml` and the footnotes, written straight into strings: one
//! pass over the parts, no tree in memory, so a long report costs little more than its text.

use super::picture::{self, Picture};
use super::xml;
use crate::{Logo, Part, RenderDoc, RenderError};
use casereview_core::markup::{Align, Block, Footnote, Inline, ListItem};
use std::collections::HashMap;
use std::fmt::Write as _;

/// A4 in twips (twentieths of a point).
pub(crate) const PAGE_W: u32 = 11906;
pub(crate) const PAGE_H: u32 = 16838;
/// 2.5 cm on every side, with the header and footer 1.25 cm from the edge.
pub(crate) const MARGIN: u32 = 1418;
pub(crate) const HEADER_GAP: u32 = 709;
/// The width and height text may fill.
pub(crate) const TEXT_W: u32 = PAGE_W - 2 * MARGIN;
const TEXT_H: u32 = PAGE_H - 2 * MARGIN;
/// DrawingML measures in EMUs: 914,400 to the inch, 635 to the twip.
const EMU_PER_TWIP: u64 = 635;
const EMU_PER_INCH: f64 = 914_400.0;
/// The resolution SVG drawings are rasterised at for the PNG fallback: sharp when printed,
/// cheap to draw.
const FALLBACK_DPI: f64 = 200.0;
/// What a blank value on a form is printed as, to be filled in by hand.
const BLANK: &str = "________________________________";
/// Lists indent by this much per level (twips), with the marker hanging in half of it.
pub(crate) const LIST_INDENT: u32 = 720;
/// Relationship types used by the body and footnotes.
pub(crate) const REL_HYPERLINK: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
pub(crate) const REL_IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

/// One relationship of a part: its id, type, target and whether the target is outside the package.
pub(crate) struct Rel {
    pub id: String,
    pub kind: &'static str,
    pub target: String,
    pub external: bool,
}

/// The relationships of one part (each part has its own: a link in a footnote must be
/// related from the footnotes part, not the document).
#[derive(Default)]
pub(crate) struct Rels {
    pub list: Vec<Rel>,
    links: HashMap<String, String>,
}

impl Rels {
    /// Adds a relationship and returns its id.
    pub fn add(&mut self, kind: &'static str, target: String, external: bool) -> String {
        let id = format!("rId{}", self.list.len() + 1);
        self.list.push(Rel { id: id.clone(), kind, target, external });
        id
    }

    /// The id of the external hyperlink to `href`, added once however often it is linked.
    fn link(&mut self, href: &str) -> String {
        if let Some(id) = self.links.get(href) {
            return id.clone();
        }
        let id = self.add(REL_HYPERLINK, href.to_string(), true);
        self.links.insert(href.to_string(), id.clone());
        id
    }

    /// The part's `.rels` file.
    pub fn xml(&self) -> String {
        let mut s = String::with_capacity(200 + self.list.len() * 160);
        s.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
        s.push_str(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#);
        for r in &self.list {
            s.push_str(r#"<Relationship Id=""#);
            s.push_str(&r.id);
            s.push_str(r#"" Type=""#);
            s.push_str(r.kind);
            s.push_str(r#"" Target=""#);
            xml::attr(&mut s, &r.target);
            s.push('"');
            if r.external {
                s.push_str(r#" TargetMode="External""#);
            }
            s.push_str("/>");
        }
        s.push_str("</Relationships>");
        s
    }
}

/// The footnotes written so far. Word numbers footnotes itself by position, so each
/// reference gets the next id in reading order whatever number its own text gave it.
pub(crate) struct Notes<'d> {
    pub out: String,
    pub rels: Rels,
    count: u32,
    /// The footnotes of the markup part being written, and which of them already have an
    /// id (a second reference to the same note repeats its number instead of a new note).
    current: &'d [Footnote],
    seen: HashMap<usize, u32>,
}

/// How a run looks.
#[derive(Clone, Copy, Default)]
struct Rpr {
    bold: bool,
    italic: bool,
    code: bool,
    link: bool,
    /// Superscript in the footnote reference style (a repeated footnote reference).
    note_ref: bool,
}

/// How a paragraph looks; written in the order the schema demands (Word refuses others).
#[derive(Clone, Copy, Default)]
struct Ppr<'a> {
    style: Option<&'a str>,
    keep_next: bool,
    num: Option<(u32, u8)>,
    rule: bool,
    before: Option<u32>,
    after: Option<u32>,
    ind_left: Option<u32>,
    jc: Option<&'a str>,
}

/// Where a block sits: inside how many quotes, and in which list level's item.
#[derive(Clone, Copy, Default)]
struct Ctx {
    quote: u32,
    list_level: Option<u8>,
}

/// Writes the document body.
pub(crate) struct Body<'d> {
    pub out: String,
    pub rels: Rels,
    pub notes: Notes<'d>,
    /// Each ordered list's level and first number; the list's numbering instance is
    /// `2 + index` (1 is the bullets).
    pub ordered: Vec<(u8, u32)>,
    /// Media files (name under `word/`, bytes).
    pub media: Vec<(String, Vec<u8>)>,
    next_picture: u32,
}

impl<'d> Body<'d> {
    /// A body whose relationships continue after the fixed ones already in `rels`.
    pub fn new(rels: Rels, capacity: usize) -> Self {
        Body {
            out: String::with_capacity(capacity),
            rels,
            notes: Notes { out: String::new(), rels: Rels::default(), count: 0, current: &[], seen: HashMap::new() },
            ordered: Vec::new(),
            media: Vec::new(),
            next_picture: 1,
        }
    }

    /// The block at the head of the first page: logo, partnership, title and subtitle lines.
    pub fn first_page(&mut self, doc: &RenderDoc) -> Result<(), RenderError> {
        if let Some(logo) = &doc.branding.logo {
            let pic = match logo {
                Logo::Png(bytes) => picture::from_png("logo", bytes)?,
                Logo::Svg(svg) => picture::from_svg("logo", svg, 2.5 * FALLBACK_DPI)?,
            };
            // At most 2.5 inches wide and 1 inch high.
            let (cx, cy) = fit(pic.width, pic.height, 2.5 * EMU_PER_INCH, EMU_PER_INCH);
            let name = if doc.branding.name.is_empty() { "Logo".to_string() } else { format!("Logo of {}", doc.branding.name) };
            self.para_open(Ppr { after: Some(240), ..Ppr::default() });
            self.drawing(pic, cx, cy, &name);
            self.out.push_str("</w:p>");
        }
        if !doc.branding.name.is_empty() {
            self.text_para(Ppr { style: Some("Partnership"), ..Ppr::default() }, &doc.branding.name, Rpr::default());
        }
        if !doc.title.is_empty() {
            self.text_para(Ppr { style: Some("Title"), ..Ppr::default() }, &doc.title, Rpr::default());
        }
        for line in &doc.subtitle {
            self.text_para(Ppr { style: Some("Subtitle"), ..Ppr::default() }, line, Rpr::default());
        }
        Ok(())
    }

    /// Writes one part.
    pub fn part(&mut self, part: &'d Part) -> Result<(), RenderError> {
        match part {
            Part::Heading { level, text } => {
                self.text_para(Ppr { style: Some(heading_style(*level)), ..Ppr::default() }, text, Rpr::default())
            }
            Part::Markup(doc) => {
                self.notes.current = &doc.footnotes;
                self.notes.seen.clear();
                self.blocks(&doc.blocks, Ctx::default());
                self.notes.current = &[];
            }
            Part::Paragraphs(paras) => {
                for p in paras {
                    self.text_para(Ppr::default(), p, Rpr::default());
                }
            }
            Part::Fields(fields) => self.fields(fields),
            Part::Table { header, widths, rows } => self.data_table(header, widths, rows),
            Part::Svg { svg, caption } => {
                let name = if caption.is_empty() { "drawing" } else { caption.as_str() };
                // Scaled to the text width, or less when that would overflow the page's height.
                let max_w = f64::from(TEXT_W) * EMU_PER_TWIP as f64;
                let max_h = f64::from(TEXT_H) * 0.85 * EMU_PER_TWIP as f64;
                let target_px = max_w / EMU_PER_INCH * FALLBACK_DPI;
                let pic = picture::from_svg(name, svg, target_px)?;
                let (cx, cy) = fit(pic.width, pic.height, max_w, max_h);
                self.para_open(Ppr { keep_next: !caption.is_empty(), jc: Some("center"), before: Some(120), ..Ppr::default() });
                self.drawing(pic, cx, cy, caption);
                self.out.push_str("</w:p>");
                if !caption.is_empty() {
                    self.text_para(Ppr { style: Some("Caption"), ..Ppr::default() }, caption, Rpr::default());
                }
            }
            Part::Signature { name, position, date } => self.signature(name, position, date),
            Part::LetterHead { from, to, date, reference, salutation } => self.letter_head(from, to, date, reference, salutation),
            Part::PageBreak => self.out.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
        Ok(())
    }

    // ---------------------------------------------------------------------------------
    // Paragraphs and runs
    // ---------------------------------------------------------------------------------

    fn para_open(&mut self, p: Ppr) {
        self.out.push_str("<w:p>");
        write_ppr(&mut self.out, &p);
    }

    /// A paragraph holding one run of plain text.
    fn text_para(&mut self, p: Ppr, text: &str, r: Rpr) {
        self.para_open(p);
        run(&mut self.out, text, r);
        self.out.push_str("</w:p>");
    }

    /// A paragraph of inline content.
    fn inline_para(&mut self, p: Ppr, content: &'d [Inline], r: Rpr) {
        self.para_open(p);
        inlines(&mut self.out, &mut self.rels, content, r, Some(&mut self.notes), false);
        self.out.push_str("</w:p>");
    }

    // ---------------------------------------------------------------------------------
    // Markup blocks
    // ---------------------------------------------------------------------------------

    fn blocks(&mut self, blocks: &'d [Block], ctx: Ctx) {
        for b in blocks {
            self.block(b, ctx);
        }
    }

    fn block(&mut self, block: &'d Block, ctx: Ctx) {
        match block {
            Block::Heading { level, content } => {
                self.inline_para(Ppr { style: Some(heading_style(*level)), ..Ppr::default() }, content, Rpr::default())
            }
            Block::Paragraph { content } => {
                let p = self.body_ppr(ctx);
                self.inline_para(p, content, Rpr::default());
            }
            Block::List { ordered, start, items } => {
                let level = ctx.list_level.map_or(0, |l| (l + 1).min(8));
                self.list(*ordered, *start, items, level, ctx);
            }
            Block::Quote { blocks } => self.blocks(blocks, Ctx { quote: ctx.quote + 1, ..ctx }),
            Block::Table { alignments, header, rows } => self.markup_table(alignments, header, rows),
            Block::Rule => {
                let p = Ppr { rule: true, ..self.body_ppr(ctx) };
                self.para_open(p);
                self.out.push_str("</w:p>");
            }
        }
    }

    /// The paragraph properties of a plain paragraph where `ctx` says it is.
    fn body_ppr(&self, ctx: Ctx) -> Ppr<'static> {
        let quote_ind = if ctx.quote > 1 { Some(567 * ctx.quote) } else { None };
        match ctx.list_level {
            // A further paragraph of a list item lines up with the item's text.
            Some(l) => Ppr {
                style: Some(if ctx.quote > 0 { "Quote" } else { "ListParagraph" }),
                ind_left: Some(LIST_INDENT * (u32::from(l) + 1) + 567 * ctx.quote),
                ..Ppr::default()
            },
            None if ctx.quote > 0 => Ppr { style: Some("Quote"), ind_left: quote_ind, ..Ppr::default() },
            None => Ppr::default(),
        }
    }

    fn list(&mut self, ordered: bool, start: u32, items: &'d [ListItem], level: u8, ctx: Ctx) {
        // Every ordered list is its own numbering instance starting at its own first
        // number; all bullet lists share one.
        let num_id = if ordered {
            self.ordered.push((level, start));
            1 + self.ordered.len() as u32
        } else {
            1
        };
        let style = if ctx.quote > 0 { "Quote" } else { "ListParagraph" };
        for item in items {
            self.inline_para(Ppr { style: Some(style), num: Some((num_id, level)), ..Ppr::default() }, &item.content, Rpr::default());
            self.blocks(&item.children, Ctx { list_level: Some(level), ..ctx });
        }
    }

    fn markup_table(&mut self, alignments: &'d [Align], header: &'d [Vec<Inline>], rows: &'d [Vec<Vec<Inline>>]) {
        let cols = alignments.len().max(header.len()).max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if cols == 0 {
            return;
        }
        // Columns share the width by how much they hold, within limits, so a column of
        // dates does not get as much room as a column of notes.
        let weights: Vec<u64> = (0..cols)
            .map(|c| {
                let head = header.get(c).map_or(0, |h| inline_len(h));
                let body = rows.iter().map(|r| r.get(c).map_or(0, |x| inline_len(x))).max().unwrap_or(0);
                head.max(body).clamp(4, 40) as u64
            })
            .collect();
        let widths = distribute(&weights, TEXT_W);
        let small = cols > 5;
        let jc = |c: usize| match alignments.get(c) {
            Some(Align::Center) => Some("center"),
            Some(Align::Right) => Some("right"),
            _ => None,
        };
        table_open(&mut self.out, &widths);
        let empty: Vec<Inline> = Vec::new();
        if !header.is_empty() {
            row_open(&mut self.out, true);
            for (c, w) in widths.iter().enumerate() {
                cell_open(&mut self.out, *w, Some("D9D9D9"), small, jc(c));
                let content = header.get(c).map_or(&empty[..], |x| &x[..]);
                inlines(&mut self.out, &mut self.rels, content, Rpr { bold: true, ..Rpr::default() }, Some(&mut self.notes), false);
                self.out.push_str("</w:p></w:tc>");
            }
            self.out.push_str("</w:tr>");
        }
        for row in rows {
            row_open(&mut self.out, false);
            for (c, w) in widths.iter().enumerate() {
                cell_open(&mut self.out, *w, None, small, jc(c));
                if let Some(content) = row.get(c) {
                    inlines(&mut self.out, &mut self.rels, content, Rpr::default(), Some(&mut self.notes), false);
                }
                self.out.push_str("</w:p></w:tc>");
            }
            self.out.push_str("</w:tr>");
        }
        table_close(&mut self.out);
    }

    // ---------------------------------------------------------------------------------
    // Other parts
    // ---------------------------------------------------------------------------------

    fn data_table(&mut self, header: &[String], widths: &[u32], rows: &[Vec<String>]) {
        // No cell is lost: a row longer than the header widens the table.
        let cols = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if cols == 0 {
            return;
        }
        let weights: Vec<u64> = if widths.len() == cols && widths.iter().any(|w| *w > 0) {
            widths.iter().map(|w| u64::from(*w)).collect()
        } else {
            vec![1; cols]
        };
        let widths = distribute(&weights, TEXT_W);
        let small = cols > 5;
        table_open(&mut self.out, &widths);
        if !header.is_empty() {
            row_open(&mut self.out, true);
            for (c, w) in widths.iter().enumerate() {
                cell_open(&mut self.out, *w, Some("D9D9D9"), small, None);
                run(&mut self.out, header.get(c).map_or("", String::as_str), Rpr { bold: true, ..Rpr::default() });
                self.out.push_str("</w:p></w:tc>");
            }
            self.out.push_str("</w:tr>");
        }
        for row in rows {
            row_open(&mut self.out, false);
            for (c, w) in widths.iter().enumerate() {
                cell_open(&mut self.out, *w, None, small, None);
                run(&mut self.out, row.get(c).map_or("", String::as_str), Rpr::default());
                self.out.push_str("</w:p></w:tc>");
            }
            self.out.push_str("</w:tr>");
        }
        table_close(&mut self.out);
    }

    /// A form: label | value, a blank line where there is no value.
    fn fields(&mut self, fields: &[(String, String)]) {
        if fields.is_empty() {
            return;
        }
        let widths = distribute(&[35, 65], TEXT_W);
        table_open(&mut self.out, &widths);
        for (label, value) in fields {
            row_open(&mut self.out, false);
            cell_open(&mut self.out, widths[0], Some("F2F2F2"), false, None);
            run(&mut self.out, label, Rpr { bold: true, ..Rpr::default() });
            self.out.push_str("</w:p></w:tc>");
            cell_open(&mut self.out, widths[1], None, false, None);
            let value = if value.trim().is_empty() { BLANK } else { value.as_str() };
            run(&mut self.out, value, Rpr::default());
            self.out.push_str("</w:p></w:tc></w:tr>");
        }
        table_close(&mut self.out);
    }

    fn signature(&mut self, name: &str, position: &str, date: &str) {
        // Kept together on one page: a signature line parted from the name is no use.
        let keep = Ppr { keep_next: true, after: Some(0), ..Ppr::default() };
        if date.trim().is_empty() {
            self.text_para(Ppr { before: Some(600), after: Some(120), ..keep }, &format!("Signed: {BLANK}"), Rpr::default());
        } else {
            self.para_open(Ppr { before: Some(360), ..keep });
            self.out.push_str("</w:p>");
        }
        if !name.is_empty() {
            self.text_para(keep, name, Rpr { bold: true, ..Rpr::default() });
        }
        if !position.is_empty() {
            self.text_para(keep, position, Rpr::default());
        }
        let date = if date.trim().is_empty() { "____________________" } else { date };
        self.text_para(Ppr { before: Some(120), after: Some(240), ..Ppr::default() }, &format!("Date: {date}"), Rpr::default());
    }

    fn letter_head(&mut self, from: &[String], to: &[String], date: &str, reference: &str, salutation: &str) {
        for (i, line) in from.iter().enumerate() {
            let after = if i + 1 == from.len() { 240 } else { 0 };
            self.text_para(Ppr { after: Some(after), jc: Some("right"), ..Ppr::default() }, line, Rpr::default());
        }
        for (i, line) in to.iter().enumerate() {
            let after = if i + 1 == to.len() { 240 } else { 0 };
            self.text_para(Ppr { after: Some(after), ..Ppr::default() }, line, Rpr::default());
        }
        if !date.is_empty() {
            self.text_para(Ppr::default(), date, Rpr::default());
        }
        if !reference.is_empty() {
            self.text_para(Ppr::default(), &format!("Our ref: {reference}"), Rpr::default());
        }
        if !salutation.is_empty() {
            self.text_para(Ppr { before: Some(240), ..Ppr::default() }, salutation, Rpr::default());
        }
    }

    /// Writes a run holding `pic` at `cx` x `cy` EMUs (the paragraph is the caller's): the PNG
    /// in the picture, the SVG (if any) in Word's SVG extension of it.
    fn drawing(&mut self, pic: Picture, cx: u64, cy: u64, descr: &str) {
        let n = self.next_picture;
        self.next_picture += 1;
        let png_name = format!("media/image{n}.png");
        let png_id = self.rels.add(REL_IMAGE, png_name.clone(), false);
        self.media.push((png_name, pic.png));
        let svg_id = pic.svg.map(|svg| {
            let svg_name = format!("media/image{n}.svg");
            let id = self.rels.add(REL_IMAGE, svg_name.clone(), false);
            self.media.push((svg_name, svg.into_bytes()));
            id
        });
        let o = &mut self.out;
        let _ = write!(
            o,
            r#"<w:r><w:rPr><w:noProof/></w:rPr><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{n}" name="Picture {n}" descr=""#
        );
        xml::attr(o, descr);
        let _ = write!(
            o,
            r#""/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="Picture {n}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{png_id}">"#
        );
        if let Some(svg_id) = svg_id {
            let _ = write!(
                o,
                r#"<a:extLst><a:ext uri="{{96DAC541-7B7A-43D3-8B79-37D633B846F1}}"><asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" r:embed="{svg_id}"/></a:ext></a:extLst>"#
            );
        }
        let _ = write!(
            o,
            r#"</a:blip><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
        );
    }
}

// -------------------------------------------------------------------------------------
// Free helpers (they take the buffers they write to, so the body and the footnotes part
// can be written at the same time without fighting over `self`).
// -------------------------------------------------------------------------------------

fn heading_style(level: u8) -> &'static str {
    match level {
        0 | 1 => "Heading1",
        2 => "Heading2",
        _ => "Heading3",
    }
}

/// Writes `p` as a `w:pPr` (nothing when it is empty).
fn write_ppr(out: &mut String, p: &Ppr) {
    let empty = p.style.is_none()
        && !p.keep_next
        && p.num.is_none()
        && !p.rule
        && p.before.is_none()
        && p.after.is_none()
        && p.ind_left.is_none()
        && p.jc.is_none();
    if empty {
        return;
    }
    out.push_str("<w:pPr>");
    if let Some(s) = p.style {
        let _ = write!(out, r#"<w:pStyle w:val="{s}"/>"#);
    }
    if p.keep_next {
        out.push_str("<w:keepNext/>");
    }
    if let Some((id, level)) = p.num {
        let _ = write!(out, r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{id}"/></w:numPr>"#);
    }
    if p.rule {
        out.push_str(r#"<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="808080"/></w:pBdr>"#);
    }
    if p.before.is_some() || p.after.is_some() {
        out.push_str("<w:spacing");
        if let Some(b) = p.before {
            let _ = write!(out, r#" w:before="{b}""#);
        }
        if let Some(a) = p.after {
            let _ = write!(out, r#" w:after="{a}""#);
        }
        out.push_str("/>");
    }
    if let Some(l) = p.ind_left {
        let _ = write!(out, r#"<w:ind w:left="{l}"/>"#);
    }
    if let Some(j) = p.jc {
        let _ = write!(out, r#"<w:jc w:val="{j}"/>"#);
    }
    out.push_str("</w:pPr>");
}

fn write_rpr(out: &mut String, r: Rpr) {
    if !(r.bold || r.italic || r.code || r.link || r.note_ref) {
        return;
    }
    out.push_str("<w:rPr>");
    if r.link {
        out.push_str(r#"<w:rStyle w:val="Hyperlink"/>"#);
    } else if r.note_ref {
        out.push_str(r#"<w:rStyle w:val="FootnoteReference"/>"#);
    }
    if r.code {
        out.push_str(r#"<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>"#);
    }
    if r.bold {
        out.push_str("<w:b/>");
    }
    if r.italic {
        out.push_str("<w:i/>");
    }
    out.push_str("</w:rPr>");
}

/// A run of text: tabs become `w:tab`, line ends `w:br`, everything else escaped text.
fn run(out: &mut String, text: &str, r: Rpr) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    write_rpr(out, r);
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'\t' | b'\n' | b'\r') {
            t(out, &text[start..i]);
            if b == b'\t' {
                out.push_str("<w:tab/>");
            } else {
                out.push_str("<w:br/>");
                // "\r\n" is one line end.
                if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            start = i + 1;
        }
        i += 1;
    }
    t(out, &text[start..]);
    out.push_str("</w:r>");
}

/// One `w:t`, spaces kept (Word would otherwise drop leading and trailing ones).
fn t(out: &mut String, s: &str) {
    if !s.is_empty() {
        out.push_str(r#"<w:t xml:space="preserve">"#);
        xml::text(out, s);
        out.push_str("</w:t>");
    }
}

/// Writes inline content as runs. Emphasis and the rest are flattened into each run's
/// properties (Word has no nesting of runs); a link wraps its runs in a `w:hyperlink`.
/// `notes` is `None` inside a footnote, where a footnote reference is just its number.
fn inlines(out: &mut String, rels: &mut Rels, items: &[Inline], r: Rpr, mut notes: Option<&mut Notes<'_>>, in_link: bool) {
    for item in items {
        match item {
            Inline::Text { text } => run(out, text, r),
            Inline::Emphasis { content } => inlines(out, rels, content, Rpr { italic: true, ..r }, notes.as_deref_mut(), in_link),
            Inline::Strong { content } => inlines(out, rels, content, Rpr { bold: true, ..r }, notes.as_deref_mut(), in_link),
            Inline::Code { text } => run(out, text, Rpr { code: true, ..r }),
            Inline::Link { href, content } => {
                let lower: String = href.chars().take(8).collect::<String>().to_ascii_lowercase();
                // Only https: and mailto: links are made (the parser lets no other through;
                // this is a second line of defence), and never a link inside a link.
                let ok = lower.starts_with("https://") || lower.starts_with("mailto:");
                if in_link || !ok {
                    inlines(out, rels, content, r, notes.as_deref_mut(), in_link);
                } else {
                    let id = rels.link(href);
                    let _ = write!(out, r#"<w:hyperlink r:id="{id}" w:history="1">"#);
                    inlines(out, rels, content, Rpr { link: true, ..r }, notes.as_deref_mut(), true);
                    out.push_str("</w:hyperlink>");
                }
            }
            Inline::FootnoteRef { number, .. } => match notes.as_deref_mut() {
                Some(n) => footnote_ref(out, n, *number, r),
                None => run(out, &number.to_string(), Rpr { note_ref: true, ..r }),
            },
            Inline::Placeholder { name } => run(out, &format!("[{name}]"), r),
            Inline::LineBreak => out.push_str("<w:r><w:br/></w:r>"),
        }
    }
}

/// A reference to footnote `number` of the current markup part: the first one makes the
/// footnote, a repeated one shows the same number.
fn footnote_ref(out: &mut String, notes: &mut Notes<'_>, number: usize, r: Rpr) {
    if let Some(id) = notes.seen.get(&number) {
        run(out, &id.to_string(), Rpr { note_ref: true, link: false, ..r });
        return;
    }
    notes.count += 1;
    let id = notes.count;
    notes.seen.insert(number, id);
    let _ = write!(out, r#"<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{id}"/></w:r>"#);
    let current = notes.current;
    // Footnotes come in number order, so the note is usually at its number's place.
    let note = current.get(number.wrapping_sub(1)).filter(|f| f.number == number).or_else(|| current.iter().find(|f| f.number == number));
    let _ = write!(
        notes.out,
        r#"<w:footnote w:id="{id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>"#
    );
    if let Some(note) = note {
        inlines(&mut notes.out, &mut notes.rels, &note.content, Rpr::default(), None, false);
    }
    notes.out.push_str("</w:p></w:footnote>");
}

/// The number of characters inline content shows, for sizing table columns.
fn inline_len(items: &[Inline]) -> usize {
    items
        .iter()
        .map(|i| match i {
            Inline::Text { text } | Inline::Code { text } => text.chars().count(),
            Inline::Emphasis { content } | Inline::Strong { content } | Inline::Link { content, .. } => inline_len(content),
            Inline::FootnoteRef { .. } => 1,
            Inline::Placeholder { name } => name.len() + 2,
            Inline::LineBreak => 0,
        })
        .sum()
}

/// Shares `total` twips among columns in proportion to `weights` (a zero counts as one),
/// no column narrower than a quarter of an inch, summing exactly to `total` (the widest
/// column takes the rounding).
fn distribute(weights: &[u64], total: u32) -> Vec<u32> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total = u64::from(total);
    let floor = (total / weights.len() as u64).min(360);
    let sum: u64 = weights.iter().map(|w| (*w).max(1)).sum();
    let raw: Vec<u64> = weights.iter().map(|w| total * (*w).max(1) / sum).collect();
    // Columns under the floor are raised to it, and the others shrink to make room.
    let raised = raw.iter().filter(|r| **r < floor).count() as u64 * floor;
    let rest: u64 = raw.iter().filter(|r| **r >= floor).sum();
    let room = total.saturating_sub(raised);
    let mut out: Vec<u64> = raw.iter().map(|r| if *r < floor { floor } else { r * room / rest.max(1) }).collect();
    let used: u64 = out.iter().sum();
    if let Some(widest) = out.iter_mut().max_by_key(|w| **w) {
        *widest = (*widest + total).saturating_sub(used);
    }
    out.into_iter().map(|w| u32::try_from(w).unwrap_or(u32::MAX)).collect()
}

/// The largest size with the picture's aspect ratio inside `max_w` x `max_h` EMUs.
fn fit(w: f64, h: f64, max_w: f64, max_h: f64) -> (u64, u64) {
    let scale = (max_w / w).min(max_h / h);
    ((w * scale).round().max(1.0) as u64, (h * scale).round().max(1.0) as u64)
}

fn table_open(out: &mut String, widths: &[u32]) {
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
    );
    for w in widths {
        let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
    }
    out.push_str("</w:tblGrid>");
}

/// Every row stays whole on a page; a header row is repeated at the top of each page.
fn row_open(out: &mut String, header: bool) {
    out.push_str(if header { "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" } else { "<w:tr><w:trPr><w:cantSplit/></w:trPr>" });
}

/// Opens a cell and its (single) paragraph; the caller writes the runs and closes both.
fn cell_open(out: &mut String, width: u32, fill: Option<&str>, small: bool, jc: Option<&str>) {
    let _ = write!(out, r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#);
    if let Some(fill) = fill {
        let _ = write!(out, r#"<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>"#);
    }
    out.push_str("</w:tcPr>");
    out.push_str("<w:p>");
    write_ppr(out, &Ppr { style: Some(if small { "TableTextSmall" } else { "TableText" }), jc, ..Ppr::default() });
}

/// Closes a table. An empty paragraph follows every table: Word would merge two tables
/// that touch, and a body must not end with a table.
fn table_close(out: &mut String) {
    out.push_str(r#"</w:tbl><w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>"#);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_sum_to_the_total_and_keep_proportions() {
        assert_eq!(distribute(&[1, 2, 1], 9000), vec![2250, 4500, 2250]);
        assert_eq!(distribute(&[1, 1, 4], 9070), vec![1511, 1511, 6048]);
        // A column far narrower than the rest still gets a quarter of an inch.
        let w = distribute(&[0, 0, 1000], 9070);
        assert_eq!(w.iter().sum::<u32>(), 9070);
        assert_eq!((w[0], w[1]), (360, 360));
        assert_eq!(distribute(&[7; 7], 9070).iter().sum::<u32>(), 9070);
        assert!(distribute(&[], 9070).is_empty());
    }

    #[test]
    fn runs_turn_tabs_and_line_ends_into_elements() {
        let mut s = String::new();
        run(&mut s, "a\tb\r\nc\nd\re <x>", Rpr::default());
        assert_eq!(
            s,
            r#"<w:r><w:t xml:space="preserve">a</w:t><w:tab/><w:t xml:space="preserve">b</w:t><w:br/><w:t xml:space="preserve">c</w:t><w:br/><w:t xml:space="preserve">d</w:t><w:br/><w:t xml:space="preserve">e &lt;x&gt;</w:t></w:r>"#
        );
    }

    #[test]
    fn pictures_keep_their_aspect_ratio() {
        assert_eq!(fit(200.0, 100.0, 1000.0, 1000.0), (1000, 500));
        assert_eq!(fit(100.0, 400.0, 1000.0, 1000.0), (250, 1000));
    }
}
