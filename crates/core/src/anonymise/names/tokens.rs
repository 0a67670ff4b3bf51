//! The tokeniser: words (Unicode letters, with the apostrophes and hyphens inside names such
//! as "O'Connor", "Smith-Jones", "al-Hassan"), numbers and punctuation, with what the
//! detector needs to know about each: its shape, whether it starts a sentence, whether a
//! line break comes before it, whether it carries a possessive, and what kind of line it
//! is on. One pass over the text, no allocation per token.

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// "rose"
    Lower,
    /// "Rose", "McDonald", "O'Connor", "al-Hassan" (a capital where a name has one).
    Title,
    /// "ROSE"
    Upper,
    /// "iPhone", "eBay"
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word(Shape),
    Number,
    Punct(char),
}

/// What kind of line a token is on: capitals say nothing on a heading or an ALL CAPS line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    Prose,
    Heading,
    AllCaps,
}

#[derive(Debug, Clone)]
pub(super) struct Tok {
    pub start: usize,
    /// End of the word itself, without a possessive "'s" or "'".
    pub end: usize,
    pub kind: Kind,
    /// The first word of a sentence, a line, a list item or a heading.
    pub sentence_start: bool,
    /// Line breaks between this token and the one before (0, 1, or 2 for a blank line).
    pub breaks_before: u8,
    /// Whitespace between this token and the one before.
    pub space_before: bool,
    /// Followed by a possessive ("Jade's", "Jones'").
    pub possessive: bool,
    /// Some letter is not ASCII ("Łukasz", "Nguyễn").
    pub non_ascii: bool,
    pub line: Line,
}

impl Tok {
    pub fn is_word(&self) -> bool {
        matches!(self.kind, Kind::Word(_))
    }
    pub fn shape(&self) -> Option<Shape> {
        match self.kind {
            Kind::Word(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }
}

/// The character starting at byte `pos` (ASCII without decoding).
fn char_at(text: &str, pos: usize) -> Option<char> {
    let b = *text.as_bytes().get(pos)?;
    if b < 0x80 {
        Some(b as char)
    } else {
        text.get(pos..)?.chars().next()
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The shape of a word: each hyphen- or apostrophe-separated part is looked at, so that
/// "McDonald", "O'Connor", "Smith-Jones" and "al-Hassan" read as names and "iPhone" does not.
fn shape_of(word: &str) -> Shape {
    let b = word.as_bytes();
    if b.iter().all(u8::is_ascii_alphabetic) {
        // Plain ASCII letters, most words: decided on the bytes.
        let Some((first, rest)) = b.split_first() else { return Shape::Other };
        let rest_lower = rest.iter().all(u8::is_ascii_lowercase);
        return match (first.is_ascii_uppercase(), rest_lower) {
            (false, true) => Shape::Lower,
            (true, true) => Shape::Title,
            (true, false) if rest.iter().all(u8::is_ascii_uppercase) => Shape::Upper,
            // "McDonald", "MacLeod", "DeShawn".
            (true, false) => Shape::Title,
            (false, false) => Shape::Other,
        };
    }
    let mut any_lower = false;
    let mut any_upper_rest = false;
    let mut first_upper = None;
    let mut letters = 0usize;
    let mut part_start = true;
    let mut part_title = false;
    let mut part_particle_lower = false;
    let mut title_parts = 0;
    let mut lower_parts = 0;
    for c in word.chars() {
        if is_apostrophe(c) || is_hyphen(c) {
            part_start = true;
            continue;
        }
        letters += 1;
        let up = c.is_uppercase();
        if first_upper.is_none() {
            first_upper = Some(up);
        } else if up {
            any_upper_rest = true;
        }
        if !up {
            any_lower = true;
        }
        if part_start {
            if part_title {
                title_parts += 1;
            } else if part_particle_lower {
                lower_parts += 1;
            }
            part_title = up;
            part_particle_lower = !up;
            part_start = false;
        }
    }
    if part_title {
        title_parts += 1;
    } else if part_particle_lower {
        lower_parts += 1;
    }
    let _ = lower_parts;
    if letters == 0 {
        return Shape::Other;
    }
    if !any_lower {
        return if letters >= 2 { Shape::Upper } else { Shape::Title };
    }
    match first_upper {
        Some(true) => Shape::Title,
        // "al-Hassan", "d'Souza", "van-Dyke": a lower-case particle, then a capital.
        Some(false) if title_parts > 0 && any_upper_rest => Shape::Title,
        Some(false) if !any_upper_rest => Shape::Lower,
        _ => Shape::Other,
    }
}

/// Splits `text` into tokens, skipping nothing but whitespace; a possessive "'s" is recorded
/// on its word and left out of the tokens.
pub(super) fn tokenise(text: &str) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 5 + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut breaks: u8 = 0;
    let mut space = false;
    let mut sentence_start = true;
    let mut line_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII whitespace and punctuation take the fast path; others are decoded.
        let (c, len) = if b < 0x80 {
            (b as char, 1)
        } else {
            match char_at(text, i) {
                Some(c) => (c, c.len_utf8()),
                None => {
                    i += 1;
                    continue;
                }
            }
        };
        if c.is_whitespace() {
            if c == '\n' {
                breaks = breaks.saturating_add(1).min(2);
                // A line break starts a sentence after a blank line, after a full stop or a
                // colon, and after a short line (a heading, a list entry); not inside prose
                // wrapped at a line's width ("... looked after by\nKwame Mensah").
                let line_len = i - line_start;
                sentence_start = sentence_start || breaks >= 2 || line_len < 50;
                line_start = i + 1;
            }
            space = true;
            i += len;
            continue;
        }
        let start = i;
        if c.is_alphabetic() {
            let mut end = i + len;
            let mut non_ascii = b >= 0x80;
            let mut possessive = false;
            let mut skip_to = None;
            loop {
                // ASCII letters, the bulk of any English text, without decoding.
                while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
                    end += 1;
                }
                let Some(n) = char_at(text, end) else { break };
                if n.is_alphabetic() {
                    non_ascii = true;
                    end += n.len_utf8();
                    continue;
                }
                if is_apostrophe(n) || is_hyphen(n) {
                    let after = end + n.len_utf8();
                    let next = char_at(text, after);
                    let next2 = next.and_then(|x| char_at(text, after + x.len_utf8()));
                    if is_apostrophe(n) {
                        match next {
                            // "Jade's" — but "Jade'sy" is no possessive.
                            Some('s') | Some('S') if !next2.is_some_and(|x| x.is_alphabetic()) => {
                                possessive = true;
                                skip_to = Some(after + 1);
                                break;
                            }
                            Some(x) if x.is_alphabetic() => {
                                end = after;
                                continue;
                            }
                            // "Jones'" (the plural possessive of names in s).
                            _ => {
                                if text[start..end].ends_with(['s', 'S']) {
                                    possessive = true;
                                    skip_to = Some(after);
                                }
                                break;
                            }
                        }
                    }
                    // A hyphen joins only letters: "Smith-Jones", not "Smith -".
                    if next.is_some_and(char::is_alphabetic) {
                        end = after;
                        continue;
                    }
                }
                break;
            }
            let word = &text[start..end];
            toks.push(Tok {
                start,
                end,
                kind: Kind::Word(shape_of(word)),
                sentence_start,
                breaks_before: breaks,
                space_before: space,
                possessive,
                non_ascii,
                line: Line::Prose,
            });
            i = skip_to.unwrap_or(end);
            sentence_start = false;
        } else if c.is_ascii_digit() {
            let mut end = i + 1;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'.' | b'/' | b':' | b',')) {
                // "3.5", "12/03/2019", "10:30", "1,000" stay one token; a trailing dot does not.
                if matches!(bytes[end], b'.' | b'/' | b':' | b',') && !bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                end += 1;
            }
            toks.push(Tok {
                start,
                end,
                kind: Kind::Number,
                sentence_start,
                breaks_before: breaks,
                space_before: space,
                possessive: false,
                non_ascii: false,
                line: Line::Prose,
            });
            i = end;
            // A chronology line opens with its date: the entry starts after it.
            // A chronology line or a numbered paragraph opens with its date or number: the
            // entry starts after it.
            let first_on_line = toks.len() == 1 || toks[toks.len() - 1].breaks_before > 0;
            sentence_start = first_on_line;
        } else {
            toks.push(Tok {
                start,
                end: i + len,
                kind: Kind::Punct(c),
                sentence_start: false,
                breaks_before: breaks,
                space_before: space,
                possessive: false,
                non_ascii: false,
                line: Line::Prose,
            });
            i += len;
            sentence_start = match c {
                '.' => !after_abbreviation(text, &toks),
                '!' | '?' | ':' | ';' | '•' | '*' | '#' | '>' | '|' => true,
                '-' | '\u{2013}' | '\u{2014}' => sentence_start || (space && next_is_space(bytes, i)),
                // Opening quotes and brackets keep a sentence start for the word inside.
                '"' | '\'' | '(' | '[' | '\u{201C}' | '\u{2018}' => sentence_start,
                _ => false,
            };
        }
        breaks = 0;
        space = false;
    }
    mark_lines(text, &mut toks);
    toks
}

fn next_is_space(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_none_or(|b| b.is_ascii_whitespace())
}

/// A full stop after "Mr", "Dr", "St", an initial ("J.") or "e.g." does not end a sentence.
fn after_abbreviation(text: &str, toks: &[Tok]) -> bool {
    let n = toks.len();
    if n < 2 {
        return false;
    }
    let prev = &toks[n - 2];
    if !prev.is_word() || prev.end != toks[n - 1].start {
        return false;
    }
    let w = &text[prev.start..prev.end];
    if w.chars().count() == 1 {
        return true;
    }
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "st", "prof", "rev", "revd", "sgt", "insp", "supt", "cllr", "no", "nos", "approx", "ref", "vs", "etc",
        "fig", "para", "tel", "mx", "jr", "sr", "e.g", "i.e", "pc", "dc", "ds", "det",
    ];
    w.len() <= 6 && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(w))
}

/// Marks headings and ALL CAPS lines, where capitals are no evidence of a name.
fn mark_lines(text: &str, toks: &mut [Tok]) {
    let mut s = 0;
    while s < toks.len() {
        let mut e = s + 1;
        while e < toks.len() && toks[e].breaks_before == 0 {
            e += 1;
        }
        let kind = line_kind(text, &toks[s..e]);
        if kind != Line::Prose {
            for t in &mut toks[s..e] {
                t.line = kind;
            }
        }
        s = e;
    }
}

fn line_kind(text: &str, line: &[Tok]) -> Line {
    let mut words = 0;
    let mut upper = 0;
    let mut capitalised = 0;
    let mut lower_content = 0;
    for t in line {
        match t.kind {
            Kind::Word(shape) => {
                words += 1;
                match shape {
                    Shape::Upper => upper += 1,
                    Shape::Title => capitalised += 1,
                    Shape::Lower => {
                        // "of", "and", "the", "to", "in", "for" stay lower case in Title Case.
                        if t.end - t.start > 3 {
                            lower_content += 1;
                        }
                    }
                    Shape::Other => {}
                }
            }
            Kind::Punct('#') if line.first().is_some_and(|f| f.start == t.start) => return Line::Heading,
            _ => {}
        }
    }
    if upper >= 2 && upper * 10 >= words * 8 {
        return Line::AllCaps;
    }
    let ends_sentence = line.last().is_some_and(|t| matches!(t.kind, Kind::Punct('.' | '!' | '?' | ',' | ';')));
    let has_comma = line.iter().any(|t| matches!(t.kind, Kind::Punct(',' | '(' | ')')));
    if !ends_sentence && !has_comma && capitalised >= 2 && lower_content == 0 && words <= 12 {
        return Line::Heading;
    }
    let _ = text;
    Line::Prose
}
