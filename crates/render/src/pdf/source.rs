//! Writes a [`RenderDoc`] as typst source.
//!
//! Injection safety: the only typst syntax in the output is written here. Every piece of the
//! caller's text (titles, paragraphs, cells, captions, link addresses, marking) goes in as a
//! typst string literal through [`lit`], which escapes `\`, `"` and every control character,
//! so no text can open markup, code, math, a label, a reference or a file read. In markup
//! mode a string is embedded as `#"..."` directly followed by `#`, `]`, `<label>` or a line
//! end, so nothing after it can be taken as a method call or extra argument either.

use std::fmt::Write as _;
use std::ops::Range;

use casereview_core::markup::{Align, Block, Document, Footnote, Inline, ListItem};
use typst::foundations::Bytes;
use typst::visualize::{ExchangeFormat, RasterImage, SvgImage};

use crate::{marking_line, Logo, Marking, Part, RenderDoc, RenderError};

/// Width of the text area: A4 (21 cm) less two 2.5 cm margins.
const TEXT_WIDTH_CM: f64 = 16.0;
/// Tallest a picture may be: about 60% of the page's 29.7 cm, leaving room for its caption.
const MAX_PICTURE_HEIGHT_CM: f64 = 17.0;
/// Tallest a logo may be.
const MAX_LOGO_HEIGHT_CM: f64 = 2.8;
/// Tables with more columns than this are set in a smaller type so they fit.
const WIDE_TABLE_COLUMNS: usize = 5;
/// Footnotes inside footnotes are followed this deep.
const MAX_FOOTNOTE_DEPTH: usize = 3;

/// Styles and helper functions shared by every document. Only constant text: the caller's
/// text reaches these functions as string arguments, never as code.
const PREAMBLE: &str = r##"#set page(paper: "a4", margin: (x: 2.5cm, top: 2.7cm, bottom: 2.7cm), header-ascent: 35%, footer-descent: 35%)
#set text(font: "Libertinus Serif", size: 11pt, lang: "en", region: "gb")
#set par(leading: 0.6em, spacing: 1.05em)
#set heading(numbering: none)
#show heading: set block(above: 1.5em, below: 0.8em)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13.5pt)
#show heading.where(level: 3): set text(size: 11.5pt)
#set enum(numbering: "1.a.i.")
#set table(stroke: 0.5pt + luma(150), inset: (x: 5pt, y: 4pt))
#show link: set text(fill: rgb("#1d4f91"))
#show raw: set text(size: 1.1em)
#let cr-th(body) = table.cell(fill: luma(228), strong(body))
#let cr-label(body) = table.cell(fill: luma(242), strong(body))
#let cr-blank = box(width: 100%, height: 1.4em, stroke: (bottom: (thickness: 0.5pt, dash: "dotted")))
#let cr-quote(body) = block(inset: (left: 1em, y: 0.2em), stroke: (left: 2pt + luma(170)), body)
#let cr-rule = line(length: 100%, stroke: 0.5pt + luma(120))
#let cr-lines(lines) = lines.map(l => [#l]).join(linebreak())
#let cr-cover(logo, name, title, subtitle) = block(width: 100%, below: 1.8em, {
  if logo != none { block(below: 0.8em, logo) }
  if name != "" { block(below: 1.4em, text(size: 13pt, weight: "bold", fill: luma(70), name)) }
  if title != "" { block(below: 0.8em, text(size: 22pt, weight: "bold", title)) }
  if subtitle.len() > 0 { block(below: 0.8em, text(size: 12pt, cr-lines(subtitle))) }
  line(length: 100%, stroke: 0.8pt)
})
#let cr-signature(name, position, date) = block(breakable: false, above: 2.2em, below: 1.5em, {
  if date == "" {
    v(1.6em)
    line(length: 8cm, stroke: 0.6pt)
    block(above: 0.3em, text(size: 8.5pt, fill: luma(90))[Signature])
  }
  if name != "" { strong(name); linebreak() }
  if position != "" { position; linebreak() }
  if date == "" [Date: #box(width: 4cm, height: 1em, stroke: (bottom: 0.6pt))] else [Date: #date]
})
#let cr-letterhead(from, to, date, reference, salutation) = {
  if from.len() > 0 { align(right, block(below: 2em, cr-lines(from))) }
  if to.len() > 0 { block(below: 1.5em, cr-lines(to)) }
  if date != "" { block(below: 0.6em, [#date]) }
  if reference != "" { block(below: 1.5em, [Our ref: #reference]) }
  if salutation != "" { block(above: 1.5em, below: 1em, [#salutation]) }
}
"##;

/// The generated source and the pictures it draws.
pub(crate) struct Generated {
    pub source: String,
    pub pictures: Vec<Picture>,
}

/// A picture served to typst as an in-memory file.
pub(crate) struct Picture {
    /// Its name in errors: "logo" or the caption.
    pub name: String,
    /// Absolute path in the project root, e.g. "/logo.png".
    pub path: String,
    pub bytes: Bytes,
    /// The bytes of the source that draw it, so a diagnostic there (or inside the file)
    /// becomes [`RenderError::Picture`] naming it.
    pub range: Range<usize>,
}

/// Writes `s` as a typst string literal: the one way user text enters the source.
pub(crate) fn lit(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Other control characters and the Unicode line/paragraph separators are written
            // as escapes so the literal stays on one line and nothing invisible reaches typst.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Formats a length in centimetres for typst.
fn cm(v: f64) -> String {
    format!("{:.3}cm", v.max(0.0))
}

/// Decodes a picture the way typst will, so an unusable one is refused by name before
/// typesetting starts; returns its natural width and height.
fn svg_size(name: &str, svg: &Bytes) -> Result<(f64, f64), RenderError> {
    let img = SvgImage::new(svg.clone()).map_err(|e| RenderError::Picture(name.to_string(), load_message(&e)))?;
    size_or_err(name, img.width(), img.height())
}

fn png_size(name: &str, png: &Bytes) -> Result<(f64, f64), RenderError> {
    let img = RasterImage::plain(png.clone(), ExchangeFormat::Png).map_err(|e| RenderError::Picture(name.to_string(), e.to_string()))?;
    size_or_err(name, f64::from(img.width()), f64::from(img.height()))
}

fn size_or_err(name: &str, w: f64, h: f64) -> Result<(f64, f64), RenderError> {
    if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 {
        Ok((w, h))
    } else {
        Err(RenderError::Picture(name.to_string(), "it has no size".to_string()))
    }
}

/// typst's load errors only implement `Debug`; their message is the quoted `message` field.
fn load_message(e: &typst::diag::LoadError) -> String {
    let debug = format!("{e:?}");
    match (debug.find("message: \""), debug.rfind('"')) {
        (Some(start), Some(end)) if end > start + 10 => debug[start + 10..end].replace("\\\"", "\"").replace("\\\\", "\\"),
        _ => debug,
    }
}

/// Height (cm) to draw a picture of natural size `w`×`h` so it fits `max_w`×`max_h`.
fn fit_height(w: f64, h: f64, max_w: f64, max_h: f64) -> f64 {
    (max_w * h / w).min(max_h)
}

struct Gen {
    out: String,
    pictures: Vec<Picture>,
    /// Which `Part::Markup` is being written, to keep footnote labels unique.
    markup_index: usize,
}

/// Generates the typst source for `doc`, checking its pictures on the way.
pub(crate) fn generate(doc: &RenderDoc) -> Result<Generated, RenderError> {
    let estimate: usize = doc.parts.iter().map(part_size_hint).sum();
    let mut g = Gen { out: String::with_capacity(PREAMBLE.len() + estimate + 4096), pictures: Vec::new(), markup_index: 0 };
    g.out.push_str(PREAMBLE);
    g.document_settings(doc);
    g.cover(doc)?;
    let mut svg_count = 0usize;
    for part in &doc.parts {
        g.part(part, &mut svg_count)?;
    }
    Ok(Generated { source: g.out, pictures: g.pictures })
}

/// A rough size of a part's source, to allocate the output once.
fn part_size_hint(part: &Part) -> usize {
    match part {
        Part::Paragraphs(p) => p.iter().map(|s| s.len() + 8).sum(),
        Part::Table { rows, .. } => rows.iter().map(|r| r.iter().map(|c| c.len() + 8).sum::<usize>()).sum(),
        Part::Markup(d) => d.blocks.len() * 200,
        _ => 256,
    }
}

impl Gen {
    fn lit(&mut self, s: &str) {
        lit(&mut self.out, s);
    }

    /// Document metadata, and the page furniture that carries the marking.
    fn document_settings(&mut self, doc: &RenderDoc) {
        if !doc.title.trim().is_empty() {
            self.out.push_str("#set document(title: ");
            self.lit(&doc.title);
            self.out.push_str(")\n");
        }
        let m: &Marking = &doc.marking;
        let line = marking_line(m);
        let page_of = "[Page #counter(page).get().first() of #counter(page).final().first()]";
        if line.is_empty() {
            let _ = writeln!(self.out, "#set page(footer: context align(center, text(size: 8.5pt, {page_of})))");
            return;
        }
        // DRAFT is printed in red so an unapproved copy stands out; other markings in black.
        let colour = if m.draft { "rgb(\"#b00020\")" } else { "black" };
        let _ = write!(self.out, "#let cr-marking = text(weight: \"bold\", fill: {colour}, ");
        self.lit(&line);
        self.out.push_str(")\n");
        let _ = writeln!(
            self.out,
            "#set page(header: align(center, text(size: 9pt, cr-marking)), footer: context text(size: 8.5pt, grid(columns: (1fr, auto), column-gutter: 1em, align: (left, right), cr-marking, {page_of})))"
        );
        if m.draft {
            self.out.push_str("#set page(background: rotate(-50deg, text(size: 140pt, weight: \"bold\", fill: luma(232), \"DRAFT\")))\n");
        }
    }

    fn cover(&mut self, doc: &RenderDoc) -> Result<(), RenderError> {
        self.out.push_str("#cr-cover(");
        match &doc.branding.logo {
            None => self.out.push_str("none"),
            Some(logo) => {
                let (path, bytes) = match logo {
                    Logo::Png(png) => ("/logo.png", Bytes::new(png.clone())),
                    Logo::Svg(svg) => ("/logo.svg", Bytes::from_string(svg.clone())),
                };
                let (w, h) = match logo {
                    Logo::Png(_) => png_size("logo", &bytes)?,
                    Logo::Svg(_) => svg_size("logo", &bytes)?,
                };
                let start = self.out.len();
                let height = fit_height(w, h, TEXT_WIDTH_CM, MAX_LOGO_HEIGHT_CM);
                let _ = write!(self.out, "image(\"{path}\", height: {})", cm(height));
                self.pictures.push(Picture { name: "logo".to_string(), path: path.to_string(), bytes, range: start..self.out.len() });
            }
        }
        self.out.push_str(", ");
        self.lit(&doc.branding.name);
        self.out.push_str(", ");
        self.lit(&doc.title);
        self.out.push_str(", ");
        self.str_array(&doc.subtitle);
        self.out.push_str(")\n\n");
        Ok(())
    }

    /// A typst array of strings; the trailing comma keeps a one-element array an array.
    fn str_array(&mut self, items: &[String]) {
        self.out.push('(');
        for s in items {
            self.lit(s);
            self.out.push_str(", ");
        }
        self.out.push(')');
    }

    fn part(&mut self, part: &Part, svg_count: &mut usize) -> Result<(), RenderError> {
        match part {
            Part::Heading { level, text } => {
                let _ = write!(self.out, "#heading(level: {}, ", (*level).clamp(1, 3));
                self.lit(text);
                self.out.push_str(")\n\n");
            }
            Part::Markup(doc) => {
                self.markup_index += 1;
                let mut used = vec![false; doc.footnotes.len()];
                for b in &doc.blocks {
                    self.block(b, doc, &mut used);
                }
            }
            Part::Paragraphs(paras) => {
                for p in paras.iter().filter(|p| !p.trim().is_empty()) {
                    self.out.push('#');
                    self.lit(p);
                    self.out.push_str("\n\n");
                }
            }
            Part::Fields(fields) => {
                self.out.push_str("#table(columns: (38%, 62%),\n");
                for (label, value) in fields {
                    self.out.push_str("cr-label(");
                    self.lit(label);
                    self.out.push_str("), ");
                    if value.trim().is_empty() {
                        self.out.push_str("cr-blank,\n");
                    } else {
                        self.out.push_str("[#");
                        self.lit(value);
                        self.out.push_str("],\n");
                    }
                }
                self.out.push_str(")\n\n");
            }
            Part::Table { header, widths, rows } => self.data_table(header, widths, rows),
            Part::Svg { svg, caption } => {
                *svg_count += 1;
                let name = if caption.trim().is_empty() { format!("picture {svg_count}") } else { caption.clone() };
                let bytes = Bytes::from_string(svg.clone());
                let (w, h) = svg_size(&name, &bytes)?;
                let path = format!("/picture-{svg_count}.svg");
                let start = self.out.len();
                let height = fit_height(w, h, TEXT_WIDTH_CM, MAX_PICTURE_HEIGHT_CM);
                let _ = write!(self.out, "#figure(image(\"{path}\", height: {})", cm(height));
                if !caption.trim().is_empty() {
                    self.out.push_str(", caption: [#");
                    self.lit(caption);
                    self.out.push(']');
                }
                self.out.push(')');
                self.pictures.push(Picture { name, path, bytes, range: start..self.out.len() });
                self.out.push_str("\n\n");
            }
            Part::Signature { name, position, date } => {
                self.out.push_str("#cr-signature(");
                self.lit(name);
                self.out.push_str(", ");
                self.lit(position);
                self.out.push_str(", ");
                self.lit(date.trim());
                self.out.push_str(")\n\n");
            }
            Part::LetterHead { from, to, date, reference, salutation } => {
                self.out.push_str("#cr-letterhead(");
                self.str_array(from);
                self.out.push_str(", ");
                self.str_array(to);
                self.out.push_str(", ");
                self.lit(date.trim());
                self.out.push_str(", ");
                self.lit(reference.trim());
                self.out.push_str(", ");
                self.lit(salutation);
                self.out.push_str(")\n\n");
            }
            Part::PageBreak => self.out.push_str("#pagebreak(weak: true)\n\n"),
        }
        Ok(())
    }

    /// Opens a table, in smaller type when it has many columns; returns the closing text.
    fn open_table(&mut self, columns: usize) -> &'static str {
        if columns > WIDE_TABLE_COLUMNS {
            let size = if columns > 8 { "7.5pt" } else { "8.5pt" };
            let _ = write!(self.out, "#[#set text(size: {size})\n#table(");
            ")]\n\n"
        } else {
            self.out.push_str("#table(");
            ")\n\n"
        }
    }

    fn data_table(&mut self, header: &[String], widths: &[u32], rows: &[Vec<String>]) {
        let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let close = self.open_table(columns);
        self.out.push_str("columns: (");
        for i in 0..columns {
            // Widths are relative; a missing or zero width counts as one share.
            let w = widths.get(i).copied().filter(|w| *w > 0).unwrap_or(1);
            let _ = write!(self.out, "{w}fr, ");
        }
        self.out.push_str("),\n");
        if !header.is_empty() {
            self.out.push_str("table.header(");
            for i in 0..columns {
                self.out.push_str("cr-th(");
                self.lit(header.get(i).map(String::as_str).unwrap_or(""));
                self.out.push_str("), ");
            }
            self.out.push_str("),\n");
        }
        for row in rows {
            for i in 0..columns {
                match row.get(i).map(String::as_str) {
                    Some(cell) if !cell.is_empty() => {
                        self.out.push_str("[#");
                        self.lit(cell);
                        self.out.push_str("], ");
                    }
                    _ => self.out.push_str("[], "),
                }
            }
            self.out.push('\n');
        }
        self.out.push_str(close);
    }

    // ----- the markup AST -----

    fn block(&mut self, b: &Block, doc: &Document, used: &mut [bool]) {
        match b {
            Block::Heading { level, content } => {
                let _ = write!(self.out, "#heading(level: {})[", (*level).clamp(1, 3));
                self.inlines(content, doc, used);
                self.out.push_str("]\n\n");
            }
            Block::Paragraph { content } => {
                if content.is_empty() {
                    return;
                }
                self.inlines(content, doc, used);
                self.out.push_str("\n\n");
            }
            Block::List { ordered, start, items } => {
                if *ordered {
                    let _ = write!(self.out, "#enum(start: {start}, ");
                } else {
                    self.out.push_str("#list(");
                }
                for item in items {
                    self.list_item(item, doc, used);
                    self.out.push_str(", ");
                }
                self.out.push_str(")\n\n");
            }
            Block::Quote { blocks } => {
                self.out.push_str("#cr-quote[\n");
                for inner in blocks {
                    self.block(inner, doc, used);
                }
                self.out.push_str("]\n\n");
            }
            Block::Table { alignments, header, rows } => self.markup_table(alignments, header, rows, doc, used),
            Block::Rule => self.out.push_str("#cr-rule\n\n"),
        }
    }

    fn list_item(&mut self, item: &ListItem, doc: &Document, used: &mut [bool]) {
        self.out.push('[');
        self.inlines(&item.content, doc, used);
        let mut first = item.content.is_empty();
        for child in &item.children {
            // A nested list is a block and starts its own line; a further paragraph needs a
            // paragraph break so it is not run into the item's first line.
            if !first && !matches!(child, Block::List { .. }) {
                self.out.push_str("#parbreak()");
            }
            self.out.push('\n');
            self.block(child, doc, used);
            first = false;
        }
        self.out.push(']');
    }

    fn markup_table(&mut self, alignments: &[Align], header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>], doc: &Document, used: &mut [bool]) {
        let columns = alignments.len().max(header.len()).max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let close = self.open_table(columns);
        let _ = write!(self.out, "columns: {columns}, align: (");
        for i in 0..columns {
            let a = match alignments.get(i) {
                Some(Align::Center) => "center",
                Some(Align::Right) => "right",
                _ => "left",
            };
            let _ = write!(self.out, "{a}, ");
        }
        self.out.push_str("),\n");
        if !header.is_empty() {
            self.out.push_str("table.header(");
            for i in 0..columns {
                self.out.push_str("cr-th[");
                if let Some(cell) = header.get(i) {
                    self.inlines(cell, doc, used);
                }
                self.out.push_str("], ");
            }
            self.out.push_str("),\n");
        }
        for row in rows {
            for i in 0..columns {
                self.out.push('[');
                if let Some(cell) = row.get(i) {
                    self.inlines(cell, doc, used);
                }
                self.out.push_str("], ");
            }
            self.out.push('\n');
        }
        self.out.push_str(close);
    }

    /// Inline content in markup mode: each piece is an embedded `#` expression, with no
    /// whitespace between them (all spaces are inside the string literals).
    fn inlines(&mut self, content: &[Inline], doc: &Document, used: &mut [bool]) {
        for i in content {
            self.inline(i, doc, used, 0);
        }
    }

    fn inline(&mut self, i: &Inline, doc: &Document, used: &mut [bool], depth: usize) {
        match i {
            Inline::Text { text } => {
                self.out.push('#');
                self.lit(text);
            }
            Inline::Emphasis { content } => {
                self.out.push_str("#emph[");
                for c in content {
                    self.inline(c, doc, used, depth);
                }
                self.out.push(']');
            }
            Inline::Strong { content } => {
                self.out.push_str("#strong[");
                for c in content {
                    self.inline(c, doc, used, depth);
                }
                self.out.push(']');
            }
            Inline::Code { text } => {
                self.out.push_str("#raw(");
                self.lit(text);
                self.out.push(')');
            }
            Inline::Link { href, content } => {
                self.out.push_str("#link(");
                self.lit(href);
                self.out.push_str(")[");
                for c in content {
                    self.inline(c, doc, used, depth);
                }
                self.out.push(']');
                // The address is printed too: a printed copy cannot be clicked.
                let shown = href.strip_prefix("mailto:").unwrap_or(href);
                if plain_text(content).trim() != shown {
                    self.out.push('#');
                    self.lit(&format!(" ({shown})"));
                }
            }
            Inline::FootnoteRef { number, label } => {
                let found = doc.footnotes.iter().position(|f| f.number == *number);
                match found {
                    Some(idx) if depth < MAX_FOOTNOTE_DEPTH => self.footnote(idx, &doc.footnotes[idx], doc, used, depth),
                    // A reference to a missing footnote, or nested deeper than a reader can
                    // follow, is printed as the author wrote it.
                    _ => {
                        self.out.push('#');
                        self.lit(&format!("[^{label}]"));
                    }
                }
            }
            Inline::Placeholder { name } => {
                self.out.push('#');
                self.lit(&format!("[{name}]"));
            }
            Inline::LineBreak => self.out.push_str("#linebreak()"),
        }
    }

    /// A footnote: the first reference carries the text and a label, later references to
    /// the same note point at it, so one note keeps one number. typst numbers the notes
    /// across the whole document.
    fn footnote(&mut self, idx: usize, note: &Footnote, doc: &Document, used: &mut [bool], depth: usize) {
        let label = format!("crfn-{}-{}", self.markup_index, note.number);
        match used.get_mut(idx) {
            Some(seen) if *seen => {
                let _ = write!(self.out, "#footnote(<{label}>)");
            }
            seen => {
                if let Some(s) = seen {
                    *s = true;
                }
                self.out.push_str("#footnote[");
                // A footnote's text may refer to further footnotes (typst nests them); each
                // note is expanded once, so this recursion ends.
                for c in &note.content {
                    self.inline(c, doc, used, depth + 1);
                }
                let _ = write!(self.out, "]<{label}>");
            }
        }
    }
}

/// The text of some inlines without formatting (to compare a link's text with its address).
fn plain_text(content: &[Inline]) -> String {
    let mut s = String::new();
    for i in content {
        match i {
            Inline::Text { text } | Inline::Code { text } => s.push_str(text),
            Inline::Emphasis { content } | Inline::Strong { content } | Inline::Link { content, .. } => s.push_str(&plain_text(content)),
            _ => {}
        }
    }
    s
}
