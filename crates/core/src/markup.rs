//! The safe rich-text subset review documents are written in (terms of reference, IMRs,
//! overview reports, executive summaries, letters), parsed into an AST that every renderer
//! (HTML pages here, DOCX and PDF elsewhere) works from. The AST is the contract.
//!
//! # The subset
//!
//! Blocks (a block starts at an indent of at most three spaces):
//! * ATX headings `#`, `##`, `###` (`####` and deeper are treated as `###`); closing `#`s are dropped.
//! * Paragraphs: consecutive non-blank lines. A line ending in two spaces or a backslash is a
//!   hard line break; other line ends are spaces.
//! * Lists: bullets `-`, `*`, `+`; ordered `1.` or `1)` (the first number is the start). An
//!   ordered item interrupts a paragraph only when it is numbered 1, so a wrapped line starting
//!   "2019. The" stays text. An item's lines are those indented more than its marker; a list
//!   marker indented two or more spaces beyond its parent's marker starts a nested list.
//! * Block quotes: lines starting with `>` (a following unmarked text line continues the quote).
//! * Pipe tables: a header row containing `|`, a separator row (`---`, `:--`, `:-:`, `--:`
//!   between pipes) and body rows up to the first blank line or line without a pipe. `\|` is a
//!   literal pipe. Ragged rows are padded with empty cells to the widest row; no cell is lost.
//! * Horizontal rules: three or more `-`, `*` or `_` (optionally spaced) alone on a line.
//! * Footnote definitions `[^label]: text` (continued by the following text lines).
//!
//! Nesting (lists in lists, lists in quotes, quotes in quotes) is allowed to [`Limits::max_nesting`]
//! levels, normally 2: one level of nested list.
//!
//! Inlines: `*emphasis*` / `_emphasis_`, `**strong**` / `__strong__` (runs of more than three
//! `*` or `_` are literal), `` `code` `` spans,
//! links `[text](https://…)` or `[text](mailto:…)` (an optional "title" is ignored), footnote
//! references `[^label]`, placeholders `{{name}}` with a name of `[a-z_.]+` (spaces inside the
//! braces allowed) and backslash escapes of ASCII punctuation.
//!
//! # Safety
//!
//! Nothing is ever passed through: raw HTML such as `<script>` is ordinary text and is escaped
//! when rendered. Links to anything other than `https://` or `mailto:` (`javascript:`, `data:`,
//! relative paths) keep only their text, with a warning. Footnote references with no definition
//! stay as the literal text `[^label]`, with a warning. Sizes are bounded by [`Limits`]: input
//! over a limit is refused with [`MarkupError::TooLarge`], whose message names the limit.
//! Parsing does no recursion proportional to the input (link text is parsed one level deep,
//! blocks to the nesting limit, emphasis with a bounded stack), so it cannot overflow the stack.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Bounds on what [`parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Characters (Unicode scalar values) in the whole text.
    pub max_chars: usize,
    /// Blocks in the whole document, counting nested blocks and list items.
    pub max_blocks: usize,
    /// Table cells in the whole document, after ragged rows are padded.
    pub max_table_cells: usize,
    /// Levels of lists and quotes inside one another (2: a list may hold one nested list).
    /// Values above [`HARD_MAX_NESTING`] are treated as that.
    pub max_nesting: usize,
}

/// The deepest nesting [`parse`] ever allows, whatever [`Limits::max_nesting`] says.
pub const HARD_MAX_NESTING: usize = 8;

impl Default for Limits {
    fn default() -> Self {
        Self { max_chars: 2_000_000, max_blocks: 50_000, max_table_cells: 100_000, max_nesting: 2 }
    }
}

/// Why a text cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkupError {
    /// The text is over one of the [`Limits`]; `what` names it, e.g.
    /// "the number of characters (max_chars)".
    #[error("The document is too large to format: {what} is more than the limit of {limit}")]
    TooLarge { what: &'static str, limit: usize },
}

/// A parsed document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Footnotes in number order (1, 2, …): numbered by first reference, only those referenced.
    pub footnotes: Vec<Footnote>,
    /// Problems an author should know about (undefined footnotes, refused links); the text
    /// was still formatted. At most [`MAX_WARNINGS`] plus one summary line, no duplicates.
    pub warnings: Vec<String>,
}

/// Warnings kept per document before the rest are summarised.
pub const MAX_WARNINGS: usize = 100;

/// A block-level element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// `level` is 1, 2 or 3.
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph {
        content: Vec<Inline>,
    },
    /// `start` is the first item's number (1 for bullet lists).
    List {
        ordered: bool,
        start: u32,
        items: Vec<ListItem>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    /// Every row (header included) has exactly `alignments.len()` cells.
    Table {
        alignments: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
}

/// One list item: its first paragraph as inline `content`, then any further blocks
/// (a nested list, more paragraphs) as `children`. An item that starts with something
/// other than a paragraph has empty `content`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    pub content: Vec<Inline>,
    pub children: Vec<Block>,
}

/// Column alignment from a table's separator row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// A footnote: `number` as shown, `label` as the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footnote {
    pub number: usize,
    pub label: String,
    pub content: Vec<Inline>,
}

/// An inline element. Adjacent `Text` nodes are merged and none is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    Emphasis {
        content: Vec<Inline>,
    },
    Strong {
        content: Vec<Inline>,
    },
    Code {
        text: String,
    },
    /// `href` starts with `https://` or `mailto:` (checked case-insensitively).
    Link {
        href: String,
        content: Vec<Inline>,
    },
    FootnoteRef {
        number: usize,
        label: String,
    },
    /// A `{{name}}` field the caller fills from the review's data.
    Placeholder {
        name: String,
    },
    LineBreak,
}

impl Inline {
    fn text(s: impl Into<String>) -> Self {
        Inline::Text { text: s.into() }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing: blocks
// ---------------------------------------------------------------------------------------------

/// Parses `text` (any line endings) into a [`Document`], or refuses it when it is over a limit.
pub fn parse(text: &str, limits: &Limits) -> Result<Document, MarkupError> {
    if text.len() > limits.max_chars && text.chars().count() > limits.max_chars {
        return Err(MarkupError::TooLarge { what: "the number of characters (max_chars)", limit: limits.max_chars });
    }
    let lines = normalise(text);
    let mut p = BlockParser {
        limits,
        max_nesting: limits.max_nesting.min(HARD_MAX_NESTING),
        blocks: 0,
        cells: 0,
        defs: Vec::new(),
        def_index: HashMap::new(),
        warnings: Warnings::default(),
    };
    let mut blocks = p.parse_blocks(&lines, 0)?;
    let BlockParser { defs, def_index, mut warnings, .. } = p;

    let mut ctx = InlineCtx { def_index: &def_index, numbers: HashMap::new(), order: Vec::new(), warnings: &mut warnings };
    resolve_blocks(&mut blocks, &mut ctx);
    // Footnote texts may refer to further footnotes, which are numbered after them.
    let mut footnotes = Vec::new();
    let mut next = 0;
    while next < ctx.order.len() {
        let idx = ctx.order[next];
        let content = parse_inlines(&defs[idx].1, &mut ctx);
        footnotes.push(Footnote { number: next + 1, label: defs[idx].0.clone(), content });
        next += 1;
    }
    for (i, (label, _)) in defs.iter().enumerate() {
        if !ctx.numbers.contains_key(&i) {
            ctx.warnings.push(format!("Footnote [^{label}] is defined but never referred to, so it is left out"));
        }
    }
    Ok(Document { blocks, footnotes, warnings: warnings.finish() })
}

/// Line endings to `\n`, NUL to U+FFFD, tabs in each line's leading run of spaces, tabs and
/// `>` expanded to 4-column stops.
fn normalise(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace(['\r'], "\n").replace('\0', "\u{FFFD}");
    text.split('\n')
        .map(|line| {
            if !line.contains('\t') {
                return line.to_string();
            }
            let mut out = String::with_capacity(line.len() + 8);
            let mut col = 0;
            let mut rest = line;
            while let Some(c) = rest.chars().next() {
                match c {
                    ' ' | '>' => {
                        out.push(c);
                        col += 1;
                    }
                    '\t' => {
                        let n = 4 - col % 4;
                        out.extend(std::iter::repeat_n(' ', n));
                        col += n;
                    }
                    _ => break,
                }
                rest = &rest[c.len_utf8()..];
            }
            out.push_str(rest);
            out
        })
        .collect()
}

#[derive(Default)]
struct Warnings {
    list: Vec<String>,
    seen: HashSet<String>,
    dropped: usize,
}

impl Warnings {
    fn push(&mut self, w: String) {
        if self.seen.contains(&w) {
            return;
        }
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        self.seen.insert(w.clone());
        self.list.push(w);
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list.push(format!("… and {} more warnings", self.dropped));
        }
        self.list
    }
}

struct BlockParser<'l> {
    limits: &'l Limits,
    max_nesting: usize,
    blocks: usize,
    cells: usize,
    /// Footnote definitions in order: (label as written, raw text).
    defs: Vec<(String, String)>,
    /// Lower-cased label -> index in `defs`.
    def_index: HashMap<String, usize>,
    warnings: Warnings,
}

/// Inline content still to be parsed: the block pass stores raw text as a single `Text`
/// node, which [`resolve_blocks`] replaces in document order (so footnotes number right).
fn raw(s: &str) -> Vec<Inline> {
    vec![Inline::text(s)]
}

fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// `line` without its first `n` spaces (`n` at most its indent).
fn strip_indent(line: &str, n: usize) -> &str {
    &line[n.min(indent_of(line))..]
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let ind = indent_of(line);
    if ind > 3 {
        return None;
    }
    let rest = &line[ind..];
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let after = &rest[hashes..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
        return None;
    }
    let mut t = after.trim_matches([' ', '\t']);
    let stripped = t.trim_end_matches('#');
    if stripped.len() < t.len() && (stripped.is_empty() || stripped.ends_with(' ') || stripped.ends_with('\t')) {
        t = stripped.trim_end_matches([' ', '\t']);
    }
    let level = match hashes {
        1 => 1,
        2 => 2,
        _ => 3,
    };
    Some((level, t))
}

fn is_rule(line: &str) -> bool {
    if indent_of(line) > 3 {
        return false;
    }
    let mut ch = None;
    let mut count = 0;
    for c in line.chars() {
        match c {
            ' ' | '\t' => {}
            '-' | '*' | '_' => {
                if ch.is_some_and(|x| x != c) {
                    return false;
                }
                ch = Some(c);
                count += 1;
            }
            _ => return false,
        }
    }
    count >= 3
}

fn is_quote(line: &str) -> bool {
    let ind = indent_of(line);
    ind <= 3 && line[ind..].starts_with('>')
}

/// The text of a quote line after its `>` and one optional space.
fn quote_content(line: &str) -> &str {
    let ind = indent_of(line);
    let r = &line[ind + 1..];
    r.strip_prefix(' ').unwrap_or(r)
}

const MAX_LABEL: usize = 100;

fn footnote_def(line: &str) -> Option<(&str, &str)> {
    let ind = indent_of(line);
    if ind > 3 {
        return None;
    }
    let rest = line[ind..].strip_prefix("[^")?;
    let close = rest.find(']')?;
    let label = &rest[..close];
    if label.is_empty() || label.chars().count() > MAX_LABEL || label.chars().any(|c| c.is_whitespace() || c == '[') {
        return None;
    }
    let after = rest[close + 1..].strip_prefix(':')?;
    Some((label, after.trim_start_matches([' ', '\t'])))
}

#[derive(Debug, Clone, Copy)]
struct Marker {
    indent: usize,
    ordered: bool,
    start: u32,
    /// Byte offset of the item's text in the marker line.
    content: usize,
    empty: bool,
}

fn list_marker(line: &str) -> Option<Marker> {
    let ind = indent_of(line);
    if ind > 3 {
        return None;
    }
    let bytes = line.as_bytes();
    let mut p = ind;
    let (ordered, start) = match bytes.get(p) {
        Some(b'-' | b'*' | b'+') => {
            p += 1;
            (false, 1)
        }
        Some(b) if b.is_ascii_digit() => {
            let s = p;
            while p < bytes.len() && bytes[p].is_ascii_digit() {
                p += 1;
            }
            if p - s > 9 || !matches!(bytes.get(p), Some(b'.' | b')')) {
                return None;
            }
            let start = line[s..p].parse().ok()?;
            p += 1;
            (true, start)
        }
        _ => return None,
    };
    let rest = &line[p..];
    let spaces = rest.bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
    if spaces == rest.len() {
        return Some(Marker { indent: ind, ordered, start, content: p + 1, empty: true });
    }
    if spaces == 0 {
        return None;
    }
    let content = if spaces > 4 { p + 1 } else { p + spaces };
    Some(Marker { indent: ind, ordered, start, content, empty: false })
}

/// Cells of a table row: outer pipes dropped, split on unescaped pipes, trimmed.
/// Escapes are kept for the inline parser.
fn split_cells(line: &str) -> Vec<String> {
    let t = line.trim_matches([' ', '\t']);
    let t = t.strip_prefix('|').unwrap_or(t);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut ended_with_pipe = false;
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        ended_with_pipe = false;
        if c == '\\' {
            cur.push(c);
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if c == '|' {
            cells.push(cur.trim_matches([' ', '\t']).to_string());
            cur.clear();
            ended_with_pipe = true;
        } else {
            cur.push(c);
        }
    }
    if !ended_with_pipe || cells.is_empty() {
        cells.push(cur.trim_matches([' ', '\t']).to_string());
    }
    cells
}

fn is_separator(line: &str) -> bool {
    if !line.contains('|') || indent_of(line) > 3 {
        return false;
    }
    split_cells(line).iter().all(|c| {
        let core = c.strip_prefix(':').unwrap_or(c);
        let core = core.strip_suffix(':').unwrap_or(core);
        !core.is_empty() && core.bytes().all(|b| b == b'-')
    })
}

fn alignment(cell: &str) -> Align {
    match (cell.starts_with(':'), cell.ends_with(':') && cell.len() > 1) {
        (true, true) => Align::Center,
        (true, false) => Align::Left,
        (false, true) => Align::Right,
        (false, false) => Align::None,
    }
}

fn is_table_start(lines: &[String], i: usize) -> bool {
    indent_of(&lines[i]) <= 3 && lines[i].contains('|') && i + 1 < lines.len() && is_separator(&lines[i + 1])
}

/// Whether line `i` starts a block other than a paragraph. Within a paragraph only bullet
/// items with text and ordered items numbered 1 count, so wrapped numbers stay text.
fn starts_block(lines: &[String], i: usize, in_paragraph: bool) -> bool {
    let l = &lines[i];
    heading(l).is_some()
        || is_rule(l)
        || is_quote(l)
        || footnote_def(l).is_some()
        || is_table_start(lines, i)
        || list_marker(l).is_some_and(|m| !in_paragraph || (!m.empty && (!m.ordered || m.start == 1)))
}

impl BlockParser<'_> {
    fn count_block(&mut self) -> Result<(), MarkupError> {
        self.blocks += 1;
        if self.blocks > self.limits.max_blocks {
            return Err(MarkupError::TooLarge {
                what: "the number of blocks (headings, paragraphs, list items and so on) (max_blocks)",
                limit: self.limits.max_blocks,
            });
        }
        Ok(())
    }

    fn push(&mut self, out: &mut Vec<Block>, b: Block) -> Result<(), MarkupError> {
        self.count_block()?;
        out.push(b);
        Ok(())
    }

    fn nest(&self, depth: usize) -> Result<usize, MarkupError> {
        if depth + 1 > self.max_nesting {
            return Err(MarkupError::TooLarge {
                what: "the nesting of lists and quotes inside one another (max_nesting)",
                limit: self.max_nesting,
            });
        }
        Ok(depth + 1)
    }

    fn parse_blocks(&mut self, lines: &[String], depth: usize) -> Result<Vec<Block>, MarkupError> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            if is_blank(line) {
                i += 1;
                continue;
            }
            if let Some((level, text)) = heading(line) {
                self.push(&mut out, Block::Heading { level, content: raw(text) })?;
                i += 1;
                continue;
            }
            if is_rule(line) {
                self.push(&mut out, Block::Rule)?;
                i += 1;
                continue;
            }
            if is_quote(line) {
                let inner_depth = self.nest(depth)?;
                let mut inner: Vec<String> = Vec::new();
                let mut last_text = false;
                while i < lines.len() {
                    let l = &lines[i];
                    if is_quote(l) {
                        let c = quote_content(l);
                        last_text = !is_blank(c);
                        inner.push(c.to_string());
                    } else if last_text && !is_blank(l) && !starts_block(lines, i, true) {
                        inner.push(l.trim_start_matches(' ').to_string());
                    } else {
                        break;
                    }
                    i += 1;
                }
                let blocks = self.parse_blocks(&inner, inner_depth)?;
                self.push(&mut out, Block::Quote { blocks })?;
                continue;
            }
            if let Some((label, first)) = footnote_def(line) {
                let mut text = first.to_string();
                i += 1;
                while i < lines.len() && !is_blank(&lines[i]) && !starts_block(lines, i, true) {
                    text.push('\n');
                    text.push_str(lines[i].trim_start_matches(' '));
                    i += 1;
                }
                let key = label.to_lowercase();
                if self.def_index.contains_key(&key) {
                    self.warnings.push(format!("Footnote [^{label}] is defined more than once; the first definition is used"));
                } else {
                    self.def_index.insert(key, self.defs.len());
                    self.defs.push((label.to_string(), text.trim_end().to_string()));
                }
                continue;
            }
            if let Some(m) = list_marker(line) {
                i = self.parse_list(lines, i, m, depth, &mut out)?;
                continue;
            }
            if is_table_start(lines, i) {
                i = self.parse_table(lines, i, &mut out)?;
                continue;
            }
            let mut text = line.trim_start_matches(' ').to_string();
            i += 1;
            while i < lines.len() && !is_blank(&lines[i]) && !starts_block(lines, i, true) {
                text.push('\n');
                text.push_str(lines[i].trim_start_matches(' '));
                i += 1;
            }
            let text = text.trim_end_matches([' ', '\t']);
            self.push(&mut out, Block::Paragraph { content: raw(text) })?;
        }
        Ok(out)
    }

    fn parse_table(&mut self, lines: &[String], start: usize, out: &mut Vec<Block>) -> Result<usize, MarkupError> {
        let too_many = || MarkupError::TooLarge { what: "the number of table cells (max_table_cells)", limit: self.limits.max_table_cells };
        let header = split_cells(&lines[start]);
        let aligns: Vec<Align> = split_cells(&lines[start + 1]).iter().map(|c| alignment(c)).collect();
        let mut raw_cells = self.cells + header.len();
        if raw_cells > self.limits.max_table_cells {
            return Err(too_many());
        }
        let mut rows = Vec::new();
        let mut i = start + 2;
        while i < lines.len() {
            let l = &lines[i];
            if is_blank(l) || !l.contains('|') || is_quote(l) || heading(l).is_some() || footnote_def(l).is_some() {
                break;
            }
            let row = split_cells(l);
            raw_cells += row.len();
            if raw_cells > self.limits.max_table_cells {
                return Err(too_many());
            }
            rows.push(row);
            i += 1;
        }
        let cols = rows.iter().map(Vec::len).chain([header.len(), aligns.len()]).max().unwrap_or(1).max(1);
        let total = cols.saturating_mul(rows.len() + 1).saturating_add(self.cells);
        if total > self.limits.max_table_cells {
            return Err(too_many());
        }
        self.cells = total;
        let pad = |mut cells: Vec<String>| -> Vec<Vec<Inline>> {
            cells.resize(cols, String::new());
            cells.iter().map(|c| raw(c)).collect()
        };
        let mut alignments = aligns;
        alignments.resize(cols, Align::None);
        let header = pad(header);
        let rows = rows.into_iter().map(pad).collect();
        self.push(out, Block::Table { alignments, header, rows })?;
        Ok(i)
    }

    fn parse_list(
        &mut self,
        lines: &[String],
        start: usize,
        first: Marker,
        depth: usize,
        out: &mut Vec<Block>,
    ) -> Result<usize, MarkupError> {
        let inner_depth = self.nest(depth)?;
        let ind = first.indent;
        let same_list = |m: &Marker| m.ordered == first.ordered && m.indent <= ind + 1;
        let mut items = Vec::new();
        let mut i = start;
        let mut marker = first;
        loop {
            let line = &lines[i];
            let mut body: Vec<String> = vec![line.get(marker.content..).unwrap_or("").to_string()];
            i += 1;
            let mut after_blank = false;
            while i < lines.len() {
                let l = &lines[i];
                if is_blank(l) {
                    let mut k = i;
                    while k < lines.len() && is_blank(&lines[k]) {
                        k += 1;
                    }
                    if k == lines.len() {
                        i = k;
                        break;
                    }
                    let next = &lines[k];
                    if indent_of(next) > ind && list_marker(next).is_none_or(|m| m.indent > ind + 1) {
                        body.extend(std::iter::repeat_n(String::new(), k - i));
                        i = k;
                        after_blank = true;
                        continue;
                    }
                    i = k;
                    break;
                }
                let il = indent_of(l);
                if list_marker(l).is_some_and(|m| m.indent <= ind + 1) {
                    break;
                }
                if il > ind {
                    body.push(strip_indent(l, marker.content).to_string());
                } else if !after_blank && !starts_block(lines, i, true) {
                    body.push(l.trim_start_matches(' ').to_string());
                } else {
                    break;
                }
                after_blank = false;
                i += 1;
            }
            self.count_block()?;
            let mut blocks = self.parse_blocks(&body, inner_depth)?;
            let item = match blocks.first() {
                Some(Block::Paragraph { .. }) => match blocks.remove(0) {
                    Block::Paragraph { content } => ListItem { content, children: blocks },
                    other => ListItem { content: Vec::new(), children: vec![other] },
                },
                _ => ListItem { content: Vec::new(), children: blocks },
            };
            items.push(item);
            match lines.get(i).and_then(|l| list_marker(l)) {
                Some(m) if same_list(&m) => marker = m,
                _ => break,
            }
        }
        self.push(out, Block::List { ordered: first.ordered, start: first.start, items })?;
        Ok(i)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing: inlines
// ---------------------------------------------------------------------------------------------

struct InlineCtx<'a, 'w> {
    def_index: &'a HashMap<String, usize>,
    /// Definition index -> footnote number.
    numbers: HashMap<usize, usize>,
    /// Definition indices in number order.
    order: Vec<usize>,
    warnings: &'w mut Warnings,
}

impl InlineCtx<'_, '_> {
    fn reference(&mut self, label: &str) -> Option<usize> {
        let idx = *self.def_index.get(&label.to_lowercase())?;
        let next = self.order.len() + 1;
        let n = *self.numbers.entry(idx).or_insert(next);
        if n == next {
            self.order.push(idx);
        }
        Some(n)
    }
}

fn resolve(content: &mut Vec<Inline>, ctx: &mut InlineCtx) {
    let text = match content.as_mut_slice() {
        [Inline::Text { text }] => std::mem::take(text),
        _ => return,
    };
    *content = parse_inlines(&text, ctx);
}

fn resolve_blocks(blocks: &mut [Block], ctx: &mut InlineCtx) {
    for b in blocks {
        match b {
            Block::Heading { content, .. } | Block::Paragraph { content } => resolve(content, ctx),
            Block::List { items, .. } => {
                for it in items {
                    resolve(&mut it.content, ctx);
                    resolve_blocks(&mut it.children, ctx);
                }
            }
            Block::Quote { blocks } => resolve_blocks(blocks, ctx),
            Block::Table { header, rows, .. } => {
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    resolve(cell, ctx);
                }
            }
            Block::Rule => {}
        }
    }
}

/// Open emphasis delimiters kept at once; further ones are literal text.
const MAX_FRAMES: usize = 64;
/// Longer runs of `*` or `_` are literal text.
const MAX_DELIMITER_RUN: usize = 3;
const MAX_URL: usize = 2048;
const MAX_PLACEHOLDER: usize = 100;

struct Frame {
    delim: char,
    count: usize,
    content: Vec<Inline>,
}

struct InlineParser<'t, 'c, 'a, 'w> {
    chars: &'t [char],
    /// For each `[`, the index of its matching `]`.
    brackets: HashMap<usize, usize>,
    /// Run length -> start indices of maximal backtick runs of that length, ascending.
    backticks: HashMap<usize, Vec<usize>>,
    ctx: &'c mut InlineCtx<'a, 'w>,
}

fn parse_inlines(text: &str, ctx: &mut InlineCtx) -> Vec<Inline> {
    if text.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut brackets = HashMap::new();
    let mut backticks: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut open = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => open.push(i),
            ']' => {
                if let Some(o) = open.pop() {
                    brackets.insert(o, i);
                }
            }
            '`' => {
                let s = i;
                while i + 1 < chars.len() && chars[i + 1] == '`' {
                    i += 1;
                }
                backticks.entry(i + 1 - s).or_default().push(s);
            }
            _ => {}
        }
        i += 1;
    }
    let mut p = InlineParser { chars: &chars, brackets, backticks, ctx };
    p.parse_range(0, chars.len(), false)
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii())
}

fn flush(buf: &mut String, stack: &mut [Frame]) {
    if !buf.is_empty() {
        if let Some(top) = stack.last_mut() {
            top.content.push(Inline::Text { text: std::mem::take(buf) });
        }
    }
}

fn push_node(stack: &mut [Frame], node: Inline) {
    if let Some(top) = stack.last_mut() {
        top.content.push(node);
    }
}

/// Merges adjacent text nodes and drops empty ones.
fn tidy(nodes: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(nodes.len());
    for n in nodes {
        match n {
            Inline::Text { text } if text.is_empty() => {}
            Inline::Text { text } => match out.last_mut() {
                Some(Inline::Text { text: prev }) => prev.push_str(&text),
                _ => out.push(Inline::Text { text }),
            },
            Inline::Emphasis { content } => out.push(Inline::Emphasis { content: tidy(content) }),
            Inline::Strong { content } => out.push(Inline::Strong { content: tidy(content) }),
            other => out.push(other),
        }
    }
    out
}

impl InlineParser<'_, '_, '_, '_> {
    fn parse_range(&mut self, start: usize, end: usize, in_link: bool) -> Vec<Inline> {
        let chars = self.chars;
        // stack[0] is the root (its delim is unused).
        let mut stack = vec![Frame { delim: ' ', count: 0, content: Vec::new() }];
        let mut buf = String::new();
        let mut i = start;
        while i < end {
            let c = chars[i];
            match c {
                '\\' if i + 1 < end && chars[i + 1].is_ascii_punctuation() => {
                    buf.push(chars[i + 1]);
                    i += 2;
                }
                '\\' if i + 1 < end && chars[i + 1] == '\n' => {
                    flush(&mut buf, &mut stack);
                    push_node(&mut stack, Inline::LineBreak);
                    i += 2;
                }
                '\n' => {
                    let kept = buf.trim_end_matches(' ').len();
                    let hard = buf.len() - kept >= 2;
                    buf.truncate(kept);
                    if hard {
                        flush(&mut buf, &mut stack);
                        push_node(&mut stack, Inline::LineBreak);
                    } else {
                        buf.push(' ');
                    }
                    i += 1;
                }
                '`' => {
                    let mut n = 0;
                    while i + n < end && chars[i + n] == '`' {
                        n += 1;
                    }
                    match self.code_closer(i + n, n, end) {
                        Some(close) => {
                            flush(&mut buf, &mut stack);
                            let mut code: String = chars[i + n..close].iter().map(|&c| if c == '\n' { ' ' } else { c }).collect();
                            if code.len() >= 2 && code.starts_with(' ') && code.ends_with(' ') && !code.bytes().all(|b| b == b' ') {
                                code = code[1..code.len() - 1].to_string();
                            }
                            push_node(&mut stack, Inline::Code { text: code });
                            i = close + n;
                        }
                        None => {
                            buf.extend(std::iter::repeat_n('`', n));
                            i += n;
                        }
                    }
                }
                '*' | '_' => {
                    let mut n = 0;
                    while i + n < end && chars[i + n] == c {
                        n += 1;
                    }
                    if n > MAX_DELIMITER_RUN {
                        // Keeps emphasis nesting (and so every recursion over the AST) shallow.
                        buf.extend(std::iter::repeat_n(c, n));
                        i += n;
                        continue;
                    }
                    let prev = if i > start { chars[i - 1] } else { ' ' };
                    let next = if i + n < end { chars[i + n] } else { ' ' };
                    let left = !next.is_whitespace() && (!is_punct(next) || prev.is_whitespace() || is_punct(prev));
                    let right = !prev.is_whitespace() && (!is_punct(prev) || next.is_whitespace() || is_punct(next));
                    let (can_open, can_close) =
                        if c == '*' { (left, right) } else { (left && (!right || is_punct(prev)), right && (!left || is_punct(next))) };
                    flush(&mut buf, &mut stack);
                    delimiter(&mut stack, c, n, can_open, can_close);
                    i += n;
                }
                '[' => {
                    if let Some((label, close)) = self.footnote_ref(i, end) {
                        match self.ctx.reference(&label) {
                            Some(number) => {
                                flush(&mut buf, &mut stack);
                                push_node(&mut stack, Inline::FootnoteRef { number, label });
                            }
                            None => {
                                self.ctx
                                    .warnings
                                    .push(format!("Footnote reference [^{label}] has no definition, so it is shown as written"));
                                buf.push_str("[^");
                                buf.push_str(&label);
                                buf.push(']');
                            }
                        }
                        i = close + 1;
                        continue;
                    }
                    if !in_link {
                        if let Some(link) = self.link(i, end) {
                            flush(&mut buf, &mut stack);
                            let content = self.parse_range(i + 1, link.text_end, true);
                            if link_allowed(&link.href) {
                                push_node(&mut stack, Inline::Link { href: link.href, content });
                            } else {
                                let shown: String = link.href.chars().take(60).collect();
                                let more = if link.href.chars().count() > 60 { "…" } else { "" };
                                self.ctx.warnings.push(format!(
                                    "The link to \u{201c}{shown}{more}\u{201d} is shown as plain text: only https:// and mailto: links are allowed"
                                ));
                                if let Some(top) = stack.last_mut() {
                                    top.content.extend(content);
                                }
                            }
                            i = link.end;
                            continue;
                        }
                    }
                    buf.push('[');
                    i += 1;
                }
                '{' => match self.placeholder(i, end) {
                    Some((name, after)) => {
                        flush(&mut buf, &mut stack);
                        push_node(&mut stack, Inline::Placeholder { name });
                        i = after;
                    }
                    None => {
                        buf.push('{');
                        i += 1;
                    }
                },
                _ => {
                    buf.push(c);
                    i += 1;
                }
            }
        }
        flush(&mut buf, &mut stack);
        while stack.len() > 1 {
            unwind(&mut stack);
        }
        let root = stack.pop().map(|f| f.content).unwrap_or_default();
        tidy(root)
    }

    /// Start of the first backtick run of exactly `n` at or after `from` that ends by `end`.
    fn code_closer(&self, from: usize, n: usize, end: usize) -> Option<usize> {
        let runs = self.backticks.get(&n)?;
        let k = runs.partition_point(|&p| p < from);
        runs.get(k).copied().filter(|&p| p + n <= end)
    }

    /// `[^label]` at `i`: the label and the index of `]`.
    fn footnote_ref(&self, i: usize, end: usize) -> Option<(String, usize)> {
        let chars = self.chars;
        if i + 1 >= end || chars[i + 1] != '^' {
            return None;
        }
        let mut j = i + 2;
        while j < end && j - (i + 2) <= MAX_LABEL {
            match chars[j] {
                ']' if j > i + 2 => return Some((chars[i + 2..j].iter().collect(), j)),
                c if c.is_whitespace() || c == '[' || c == ']' => return None,
                _ => j += 1,
            }
        }
        None
    }

    fn link(&self, i: usize, end: usize) -> Option<LinkParts> {
        let chars = self.chars;
        let close = *self.brackets.get(&i)?;
        if close + 1 >= end || chars[close + 1] != '(' {
            return None;
        }
        let mut j = close + 2;
        let skip_spaces = |j: &mut usize| {
            while *j < end && (chars[*j] == ' ' || chars[*j] == '\n') {
                *j += 1;
            }
        };
        skip_spaces(&mut j);
        let url_start = j;
        let mut depth = 0usize;
        while j < end && j - url_start <= MAX_URL {
            let c = chars[j];
            if c.is_whitespace() || c.is_control() {
                break;
            }
            if c == '(' {
                depth += 1;
            } else if c == ')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if c == '\\' && j + 1 < end && chars[j + 1].is_ascii_punctuation() {
                j += 1;
            }
            j += 1;
        }
        if j - url_start > MAX_URL || depth != 0 {
            return None;
        }
        let href: String = chars[url_start..j].iter().collect();
        skip_spaces(&mut j);
        if j < end && (chars[j] == '"' || chars[j] == '\'') {
            let q = chars[j];
            let t = j;
            j += 1;
            while j < end && chars[j] != q && j - t <= MAX_URL {
                j += 1;
            }
            if j >= end || chars[j] != q {
                return None;
            }
            j += 1;
            skip_spaces(&mut j);
        }
        if j >= end || chars[j] != ')' || href.is_empty() {
            return None;
        }
        Some(LinkParts { href, text_end: close, end: j + 1 })
    }

    /// `{{name}}` at `i`: the name and the index after `}}`.
    fn placeholder(&self, i: usize, end: usize) -> Option<(String, usize)> {
        let chars = self.chars;
        if i + 1 >= end || chars[i + 1] != '{' {
            return None;
        }
        let mut j = i + 2;
        while j < end && chars[j] == ' ' {
            j += 1;
        }
        let s = j;
        while j < end && j - s <= MAX_PLACEHOLDER && (chars[j].is_ascii_lowercase() || chars[j] == '_' || chars[j] == '.') {
            j += 1;
        }
        if j == s || j - s > MAX_PLACEHOLDER {
            return None;
        }
        let name: String = chars[s..j].iter().collect();
        while j < end && chars[j] == ' ' {
            j += 1;
        }
        if j + 1 < end && chars[j] == '}' && chars[j + 1] == '}' {
            Some((name, j + 2))
        } else {
            None
        }
    }
}

struct LinkParts {
    href: String,
    /// Index of the `]` closing the link text.
    text_end: usize,
    /// Index after the closing `)`.
    end: usize,
}

/// Only `https://host…` and `mailto:…`.
fn link_allowed(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    let ok_chars = !href.chars().any(|c| c.is_control() || c.is_whitespace());
    ok_chars
        && (lower.strip_prefix("https://").is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
            || lower.strip_prefix("mailto:").is_some_and(|r| !r.is_empty()))
}

/// Turns the top frame back into literal delimiters followed by its content.
fn unwind(stack: &mut Vec<Frame>) {
    if stack.len() < 2 {
        return;
    }
    if let Some(f) = stack.pop() {
        if let Some(top) = stack.last_mut() {
            top.content.push(Inline::text(std::iter::repeat_n(f.delim, f.count).collect::<String>()));
            top.content.extend(f.content);
        }
    }
}

/// Handles a run of `n` emphasis delimiters `c`.
fn delimiter(stack: &mut Vec<Frame>, c: char, mut n: usize, can_open: bool, can_close: bool) {
    if can_close {
        while n > 0 {
            let Some(p) = stack.iter().rposition(|f| f.delim == c && f.count > 0).filter(|&p| p > 0) else {
                break;
            };
            while stack.len() - 1 > p {
                unwind(stack);
            }
            let Some(f) = stack.last_mut() else { break };
            let used = if f.count >= 2 && n >= 2 { 2 } else { 1 };
            let content = std::mem::take(&mut f.content);
            let node = if used == 2 { Inline::Strong { content } } else { Inline::Emphasis { content } };
            f.count -= used;
            n -= used;
            if f.count == 0 {
                stack.pop();
                push_node(stack, node);
            } else {
                f.content = vec![node];
            }
        }
    }
    if n > 0 {
        if can_open && stack.len() < MAX_FRAMES {
            stack.push(Frame { delim: c, count: n, content: Vec::new() });
        } else {
            push_node(stack, Inline::text(std::iter::repeat_n(c, n).collect::<String>()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The tags [`to_html`] may emit (tests scan its output against this list).
pub const HTML_TAGS: &[&str] = &[
    "h1",
    "h2",
    "h3",
    "p",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "em",
    "strong",
    "code",
    "a",
    "br",
    "sup",
    "span",
    "div",
];

/// Renders escaped HTML with GOV.UK Frontend classes. Placeholders are filled by `fill`; those
/// it does not know are shown as `[name]` in a `<span class="app-placeholder app-placeholder--missing">`.
/// Footnote references link to `#fn-N`, footnotes (a numbered list at the end) link back to
/// the first reference `#fnref-N`.
pub fn to_html(doc: &Document, fill: &dyn Fn(&str) -> Option<String>) -> String {
    let mut r = Html { out: String::new(), fill, seen_refs: HashSet::new() };
    for b in &doc.blocks {
        r.block(b);
    }
    if !doc.footnotes.is_empty() {
        r.out.push_str(
            "<div class=\"app-footnotes\">\n<hr class=\"govuk-section-break govuk-section-break--m govuk-section-break--visible\">\n",
        );
        r.out.push_str("<h2 class=\"govuk-heading-s\">Footnotes</h2>\n<ol class=\"govuk-list govuk-list--number\">\n");
        for f in &doc.footnotes {
            let _ = write!(r.out, "<li id=\"fn-{}\">", f.number);
            r.inlines(&f.content);
            let _ = writeln!(
                r.out,
                " <a class=\"govuk-link\" href=\"#fnref-{n}\">\u{21a9}<span class=\"govuk-visually-hidden\"> back to reference {n}</span></a></li>",
                n = f.number
            );
        }
        r.out.push_str("</ol>\n</div>\n");
    }
    r.out
}

struct Html<'f> {
    out: String,
    fill: &'f dyn Fn(&str) -> Option<String>,
    seen_refs: HashSet<usize>,
}

fn align_class(a: Align) -> &'static str {
    match a {
        Align::None => "",
        Align::Left => " govuk-!-text-align-left",
        Align::Center => " govuk-!-text-align-centre",
        Align::Right => " govuk-!-text-align-right",
    }
}

impl Html<'_> {
    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading { level, content } => {
                let (tag, class) = match level {
                    1 => ("h1", "govuk-heading-l"),
                    2 => ("h2", "govuk-heading-m"),
                    _ => ("h3", "govuk-heading-s"),
                };
                let _ = write!(self.out, "<{tag} class=\"{class}\">");
                self.inlines(content);
                let _ = writeln!(self.out, "</{tag}>");
            }
            Block::Paragraph { content } => {
                self.out.push_str("<p class=\"govuk-body\">");
                self.inlines(content);
                self.out.push_str("</p>\n");
            }
            Block::List { ordered, start, items } => {
                if *ordered {
                    self.out.push_str("<ol class=\"govuk-list govuk-list--number\"");
                    if *start != 1 {
                        let _ = write!(self.out, " start=\"{start}\"");
                    }
                    self.out.push_str(">\n");
                } else {
                    self.out.push_str("<ul class=\"govuk-list govuk-list--bullet\">\n");
                }
                for it in items {
                    self.out.push_str("<li>");
                    self.inlines(&it.content);
                    if !it.children.is_empty() {
                        self.out.push('\n');
                        for c in &it.children {
                            self.block(c);
                        }
                    }
                    self.out.push_str("</li>\n");
                }
                self.out.push_str(if *ordered { "</ol>\n" } else { "</ul>\n" });
            }
            Block::Quote { blocks } => {
                self.out.push_str("<div class=\"govuk-inset-text\">\n");
                for c in blocks {
                    self.block(c);
                }
                self.out.push_str("</div>\n");
            }
            Block::Table { alignments, header, rows } => {
                self.out.push_str("<table class=\"govuk-table\">\n<thead class=\"govuk-table__head\">\n<tr class=\"govuk-table__row\">");
                for (cell, a) in header.iter().zip(alignments.iter().copied().chain(std::iter::repeat(Align::None))) {
                    let _ = write!(self.out, "<th scope=\"col\" class=\"govuk-table__header{}\">", align_class(a));
                    self.inlines(cell);
                    self.out.push_str("</th>");
                }
                self.out.push_str("</tr>\n</thead>\n<tbody class=\"govuk-table__body\">\n");
                for row in rows {
                    self.out.push_str("<tr class=\"govuk-table__row\">");
                    for (cell, a) in row.iter().zip(alignments.iter().copied().chain(std::iter::repeat(Align::None))) {
                        let _ = write!(self.out, "<td class=\"govuk-table__cell{}\">", align_class(a));
                        self.inlines(cell);
                        self.out.push_str("</td>");
                    }
                    self.out.push_str("</tr>\n");
                }
                self.out.push_str("</tbody>\n</table>\n");
            }
            Block::Rule => self.out.push_str("<hr class=\"govuk-section-break govuk-section-break--m govuk-section-break--visible\">\n"),
        }
    }

    fn inlines(&mut self, nodes: &[Inline]) {
        for n in nodes {
            match n {
                Inline::Text { text } => escape_into(&mut self.out, text),
                Inline::Emphasis { content } => {
                    self.out.push_str("<em>");
                    self.inlines(content);
                    self.out.push_str("</em>");
                }
                Inline::Strong { content } => {
                    self.out.push_str("<strong>");
                    self.inlines(content);
                    self.out.push_str("</strong>");
                }
                Inline::Code { text } => {
                    self.out.push_str("<code>");
                    escape_into(&mut self.out, text);
                    self.out.push_str("</code>");
                }
                Inline::Link { href, content } => {
                    if link_allowed(href) {
                        self.out.push_str("<a class=\"govuk-link\" href=\"");
                        escape_into(&mut self.out, href);
                        self.out.push_str("\" rel=\"noreferrer noopener\">");
                        self.inlines(content);
                        self.out.push_str("</a>");
                    } else {
                        // An AST built by hand may hold any href: never emit a bad one.
                        self.inlines(content);
                    }
                }
                Inline::FootnoteRef { number, .. } => {
                    let id = if self.seen_refs.insert(*number) { format!(" id=\"fnref-{number}\"") } else { String::new() };
                    let _ = write!(
                        self.out,
                        "<sup class=\"app-footnote-ref\"{id}><a class=\"govuk-link\" href=\"#fn-{number}\">[{number}]</a></sup>"
                    );
                }
                Inline::Placeholder { name } => match (self.fill)(name) {
                    Some(v) => escape_into(&mut self.out, &v),
                    None => {
                        self.out.push_str("<span class=\"app-placeholder app-placeholder--missing\">[");
                        escape_into(&mut self.out, name);
                        self.out.push_str("]</span>");
                    }
                },
                Inline::LineBreak => self.out.push_str("<br>\n"),
            }
        }
    }
}

/// The document as plain text, for search indexes and tests: blocks separated by blank lines,
/// list items as `- ` / `N. ` (nested ones indented two spaces), quotes prefixed `> `, table
/// cells joined by ` | `, footnote references as `[N]` and the footnotes listed at the end.
/// Placeholders are filled by `fill`, unknown ones shown as `[name]`.
pub fn plain_text(doc: &Document, fill: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        plain_block(&mut out, b, fill);
    }
    if !doc.footnotes.is_empty() {
        out.push_str("Footnotes\n\n");
        for f in &doc.footnotes {
            let _ = write!(out, "[{}] ", f.number);
            plain_inlines(&mut out, &f.content, fill);
            out.push('\n');
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn plain_block(out: &mut String, b: &Block, fill: &dyn Fn(&str) -> Option<String>) {
    match b {
        Block::Heading { content, .. } | Block::Paragraph { content } => {
            plain_inlines(out, content, fill);
            out.push_str("\n\n");
        }
        Block::List { ordered, start, items } => {
            for (k, it) in items.iter().enumerate() {
                if *ordered {
                    let _ = write!(out, "{}. ", u64::from(*start) + k as u64);
                } else {
                    out.push_str("- ");
                }
                plain_inlines(out, &it.content, fill);
                out.push('\n');
                let mut inner = String::new();
                for c in &it.children {
                    plain_block(&mut inner, c, fill);
                }
                for line in inner.trim_end().lines() {
                    if !line.is_empty() {
                        out.push_str("  ");
                        out.push_str(line);
                    }
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        Block::Quote { blocks } => {
            let mut inner = String::new();
            for c in blocks {
                plain_block(&mut inner, c, fill);
            }
            for line in inner.trim_end().lines() {
                out.push('>');
                if !line.is_empty() {
                    out.push(' ');
                    out.push_str(line);
                }
                out.push('\n');
            }
            out.push('\n');
        }
        Block::Table { header, rows, .. } => {
            for row in std::iter::once(header).chain(rows.iter()) {
                for (k, cell) in row.iter().enumerate() {
                    if k > 0 {
                        out.push_str(" | ");
                    }
                    plain_inlines(out, cell, fill);
                }
                out.push('\n');
            }
            out.push('\n');
        }
        Block::Rule => out.push_str("----\n\n"),
    }
}

fn plain_inlines(out: &mut String, nodes: &[Inline], fill: &dyn Fn(&str) -> Option<String>) {
    for n in nodes {
        match n {
            Inline::Text { text } | Inline::Code { text } => out.push_str(text),
            Inline::Emphasis { content } | Inline::Strong { content } | Inline::Link { content, .. } => plain_inlines(out, content, fill),
            Inline::FootnoteRef { number, .. } => {
                let _ = write!(out, "[{number}]");
            }
            Inline::Placeholder { name } => match fill(name) {
                Some(v) => out.push_str(&v),
                None => {
                    let _ = write!(out, "[{name}]");
                }
            },
            Inline::LineBreak => out.push('\n'),
        }
    }
}

/// The document's top-level headings as (level 1–3, plain text), for a table of contents.
/// Placeholders appear as `[name]`.
pub fn section_headings(doc: &Document) -> Vec<(u8, String)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content } => {
                let mut s = String::new();
                plain_inlines(&mut s, content, &|_| None);
                Some((*level, s))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(s: &str) -> Document {
        parse(s, &Limits::default()).unwrap()
    }

    fn t(s: &str) -> Inline {
        Inline::text(s)
    }

    fn para(doc: &Document) -> Vec<Inline> {
        match &doc.blocks[0] {
            Block::Paragraph { content } => content.clone(),
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn emphasis_nesting_follows_the_delimiter_runs() {
        assert_eq!(para(&p("***a***")), vec![Inline::Emphasis { content: vec![Inline::Strong { content: vec![t("a")] }] }]);
        assert_eq!(para(&p("**a*")), vec![t("*"), Inline::Emphasis { content: vec![t("a")] }]);
        assert_eq!(para(&p("*a _b* c_")), vec![Inline::Emphasis { content: vec![t("a _b")] }, t(" c_")]);
        assert_eq!(para(&p("snake_case_name")), vec![t("snake_case_name")]);
        assert_eq!(para(&p("a*b*c")), vec![t("a"), Inline::Emphasis { content: vec![t("b")] }, t("c")]);
        assert_eq!(para(&p("2 * 3 * 4")), vec![t("2 * 3 * 4")]);
    }

    #[test]
    fn code_spans_take_precedence_and_strip_one_space() {
        assert_eq!(para(&p("`` a ` b ``")), vec![Inline::Code { text: "a ` b".into() }]);
        assert_eq!(para(&p("`*not*` x")), vec![Inline::Code { text: "*not*".into() }, t(" x")]);
        assert_eq!(para(&p("``unclosed")), vec![t("``unclosed")]);
    }

    #[test]
    fn escapes_and_line_breaks() {
        assert_eq!(para(&p("\\*a\\*")), vec![t("*a*")]);
        assert_eq!(para(&p("a  \nb\\\nc\nd")), vec![t("a"), Inline::LineBreak, t("b"), Inline::LineBreak, t("c d")]);
    }

    #[test]
    fn deep_emphasis_stack_is_bounded() {
        let s = "*a ".repeat(10_000);
        let doc = p(&s);
        assert_eq!(plain_text(&doc, &|_| None), s.trim_end());
    }

    #[test]
    fn long_delimiter_runs_are_literal_so_nesting_stays_shallow() {
        let s = format!("{}a{}", "*".repeat(100_000), "*".repeat(100_000));
        assert_eq!(para(&p(&s)), vec![t(&s)]);
        assert_eq!(para(&p("****a****")), vec![t("****a****")]);
        let s = "*a _b **c ".repeat(5_000) + &" d** e_ f*".repeat(5_000);
        let html = to_html(&p(&s), &|_| None);
        assert!(html.starts_with("<p class=\"govuk-body\">"));
    }

    #[test]
    fn nested_brackets_do_not_go_quadratic_or_deep() {
        let s = "[".repeat(50_000) + &"](https://x)".repeat(10);
        let doc = p(&s);
        assert!(!doc.blocks.is_empty());
    }

    #[test]
    fn link_rules() {
        assert!(link_allowed("https://example.org/a"));
        assert!(link_allowed("HTTPS://EXAMPLE.ORG"));
        assert!(link_allowed("mailto:chair@example.org"));
        for bad in ["http://example.org", "javascript:alert(1)", "data:text/html,x", "/relative", "https://", "https:///x", "//evil"] {
            assert!(!link_allowed(bad), "{bad}");
        }
    }
}
