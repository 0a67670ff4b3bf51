//! Rendering of a review's documents to files: PDF ([`pdf`], typeset by typst used as a
//! library with its embedded fonts, never touching the network or the file system) and
//! DOCX ([`docx`], Office Open XML written directly so Word and LibreOffice open it without
//! repair). Both take the same [`RenderDoc`]: what the document says, already filled from
//! the review's data, plus the marking every copy carries. Deciding what goes in a document
//! (sections, letters, forms) is the caller's; this crate only lays it out.

use casereview_core::markup;

pub mod docx;
pub mod pdf;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The typesetting engine refused the document; the message is its diagnostic.
    #[error("the PDF could not be typeset: {0}")]
    Typeset(String),
    /// The DOCX package could not be written.
    #[error("the DOCX file could not be written: {0}")]
    Package(String),
    /// An embedded picture (logo, genogram) is not usable.
    #[error("the picture '{0}' cannot be used: {1}")]
    Picture(String, String),
}

/// The partnership a document is issued by.
#[derive(Debug, Clone, Default)]
pub struct Branding {
    /// e.g. "Northmoor Safeguarding Children Partnership".
    pub name: String,
    /// The partnership's logo, shown at the head of the first page.
    pub logo: Option<Logo>,
}

/// A logo picture.
#[derive(Debug, Clone)]
pub enum Logo {
    Png(Vec<u8>),
    Svg(String),
}

/// The protective marking a copy carries (001 §2.3.31; DOMAIN.md step 14).
#[derive(Debug, Clone, Default)]
pub struct Marking {
    /// Before approval every page says DRAFT.
    pub draft: bool,
    /// Every page says STRICTLY CONFIDENTIAL (all but a published document).
    pub confidential: bool,
    /// Who this copy was made for, printed on every page: "Copy made for Ann Hall (Board manager) on 23/11/2026".
    pub prepared_for: Option<String>,
}

/// A document ready to lay out.
#[derive(Debug, Clone, Default)]
pub struct RenderDoc {
    /// Title on the cover and in the file's metadata, e.g. "Overview report".
    pub title: String,
    /// Lines under the title: review reference, kind, version, date.
    pub subtitle: Vec<String>,
    pub branding: Branding,
    pub marking: Marking,
    pub parts: Vec<Part>,
}

/// One piece of a document, in reading order.
#[derive(Debug, Clone)]
pub enum Part {
    /// A heading outside any author's text (a template section's title); `level` 1 to 3.
    Heading { level: u8, text: String },
    /// An author's text in the safe Markdown subset, its `{{field}}` placeholders already
    /// filled (see [`fill_placeholders`]). Footnotes are numbered across the whole document.
    Markup(markup::Document),
    /// Plain paragraphs (a letter's body, a form's notes); each string is one paragraph.
    Paragraphs(Vec<String>),
    /// Labelled values, as on a form: "Child's name" | "J Smith". Empty values are printed
    /// as blank lines to fill in by hand.
    Fields(Vec<(String, String)>),
    /// A data table (the integrated chronology, the action plan): the header row is
    /// repeated on every page; `widths` are relative column widths (same length as `header`).
    Table { header: Vec<String>, widths: Vec<u32>, rows: Vec<Vec<String>> },
    /// A picture drawn as SVG (the genogram), with its caption, scaled to the page width.
    Svg { svg: String, caption: String },
    /// A signature block: name, position and date, with a line to sign on when `date` is empty.
    Signature { name: String, position: String, date: String },
    /// A letter's head: sender's address block (right), the addressee block (left), the date
    /// and the reference, then the salutation.
    LetterHead { from: Vec<String>, to: Vec<String>, date: String, reference: String, salutation: String },
    /// Start a new page.
    PageBreak,
}

/// Replaces every `{{field}}` placeholder by `fill`'s text for it, or `[field]` when it
/// knows none, so renderers never see a placeholder.
pub fn fill_placeholders(doc: &mut markup::Document, fill: &dyn Fn(&str) -> Option<String>) {
    fn inlines(v: &mut [markup::Inline], fill: &dyn Fn(&str) -> Option<String>) {
        for i in v.iter_mut() {
            match i {
                markup::Inline::Placeholder { name } => {
                    let text = fill(name).unwrap_or_else(|| format!("[{name}]"));
                    *i = markup::Inline::Text { text };
                }
                markup::Inline::Emphasis { content } | markup::Inline::Strong { content } | markup::Inline::Link { content, .. } => {
                    inlines(content, fill)
                }
                _ => {}
            }
        }
    }
    fn blocks(v: &mut [markup::Block], fill: &dyn Fn(&str) -> Option<String>) {
        for b in v.iter_mut() {
            match b {
                markup::Block::Heading { content, .. } | markup::Block::Paragraph { content } => inlines(content, fill),
                markup::Block::List { items, .. } => {
                    for it in items {
                        inlines(&mut it.content, fill);
                        blocks(&mut it.children, fill);
                    }
                }
                markup::Block::Quote { blocks: inner } => blocks(inner, fill),
                markup::Block::Table { header, rows, .. } => {
                    for c in header.iter_mut() {
                        inlines(c, fill);
                    }
                    for r in rows.iter_mut() {
                        for c in r.iter_mut() {
                            inlines(c, fill);
                        }
                    }
                }
                markup::Block::Rule => {}
            }
        }
    }
    blocks(&mut doc.blocks, fill);
    for f in doc.footnotes.iter_mut() {
        inlines(&mut f.content, fill);
    }
}

/// The words printed at the top and foot of every page of a copy.
pub fn marking_line(m: &Marking) -> String {
    let mut parts = Vec::new();
    if m.draft {
        parts.push("DRAFT".to_string());
    }
    if m.confidential {
        parts.push("STRICTLY CONFIDENTIAL".to_string());
    }
    if let Some(p) = &m.prepared_for {
        parts.push(p.clone());
    }
    parts.join(" · ")
}
