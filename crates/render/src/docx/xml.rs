//! Escaping of text into XML. Everything a document says is data: it is escaped on the way
//! in and never becomes markup, and characters XML 1.0 cannot hold at all (control
//! characters other than tab and line ends, U+FFFE, U+FFFF) are dropped, because one of them
//! would make Word refuse the whole file.

/// Whether XML 1.0 can hold `c` at all (the `Char` production).
#[inline]
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `s` escaped for element content. Tabs and line ends are kept as they are: the
/// caller decides what they mean (runs turn them into `w:tab` and `w:br`).
pub(crate) fn text(out: &mut String, s: &str) {
    // Most text needs no escaping at all; copying it in one piece is the fast path.
    if !s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | 0..=0x1F | 0xEF)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `>` is escaped too so that `]]>` can never appear in content.
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends `s` escaped for an attribute value in double quotes. Tabs and line ends become
/// character references, since a parser would otherwise normalise them to spaces.
pub(crate) fn attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// `s` escaped for element content, as a new string.
#[cfg(test)]
pub(crate) fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    text(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_in_text() {
        assert_eq!(escaped("<w:p>&amp; ]]> \"q\" 'a'"), "&lt;w:p&gt;&amp;amp; ]]&gt; \"q\" 'a'");
    }

    #[test]
    fn control_characters_are_dropped_but_tab_and_line_ends_kept() {
        assert_eq!(escaped("a\u{0}b\u{1}c\u{7}d\u{1B}e\tf\ng\rh\u{7F}"), "abcde\tf\ng\rh\u{7F}");
        assert_eq!(escaped("x\u{FFFE}y\u{FFFF}z\u{FFFD}"), "xyz\u{FFFD}");
    }

    #[test]
    fn non_ascii_text_passes_through() {
        assert_eq!(escaped("Zoë · “quoted” — 日本 😀"), "Zoë · “quoted” — 日本 😀");
        // The fast path looks for the lead byte of U+FFFE/U+FFFF; other characters sharing it stay.
        assert_eq!(escaped("\u{FFFD}\u{F000}"), "\u{FFFD}\u{F000}");
    }

    #[test]
    fn attributes_escape_quotes_and_whitespace() {
        let mut s = String::new();
        attr(&mut s, "a\"b<c>&d\te\nf\u{2}g");
        assert_eq!(s, "a&quot;b&lt;c&gt;&amp;d&#9;e&#10;fg");
    }
}
