#![allow(clippy::unwrap_used)]
//! The document markup (issue 5): the subset parses to the expected AST shapes; raw HTML,
//! scripts and unsafe links are inert when rendered; footnotes, tables and placeholders;
//! limits refused with a message naming the limit; and (property tests) parsing never panics,
//! rendered HTML holds only the tags the renderer emits, and line diffs reproduce both texts.

use casereview_core::markup::{
    parse, plain_text, section_headings, to_html, Align, Block, Document, Inline, Limits, MarkupError, HTML_TAGS,
};
use casereview_core::textdiff::{diff_lines, diff_words, summary, Kind};
use proptest::prelude::*;

fn doc(s: &str) -> Document {
    parse(s, &Limits::default()).unwrap()
}

fn no_fill(_: &str) -> Option<String> {
    None
}

/// A compact picture of the AST: `h1(..)`, `p(..)`, `ul[li(..) ..]`, `ol3[..]`, `quote[..]`,
/// `table{lcr-}[cells; row cells]`, `hr`; inlines `em(..)`, `strong(..)`, `code(..)`,
/// `a<href>(..)`, `^N`, `{name}`, `br`, text as is.
fn shape(d: &Document) -> String {
    blocks(&d.blocks)
}

fn blocks(bs: &[Block]) -> String {
    bs.iter().map(block).collect::<Vec<_>>().join(" ")
}

fn block(b: &Block) -> String {
    match b {
        Block::Heading { level, content } => format!("h{level}({})", inlines(content)),
        Block::Paragraph { content } => format!("p({})", inlines(content)),
        Block::List { ordered, start, items } => {
            let items: Vec<String> = items
                .iter()
                .map(|it| {
                    let mut s = inlines(&it.content);
                    if !it.children.is_empty() {
                        s.push(' ');
                        s.push_str(&blocks(&it.children));
                    }
                    format!("li({s})")
                })
                .collect();
            if *ordered {
                format!("ol{start}[{}]", items.join(" "))
            } else {
                format!("ul[{}]", items.join(" "))
            }
        }
        Block::Quote { blocks: inner } => format!("quote[{}]", blocks(inner)),
        Block::Table { alignments, header, rows } => {
            let a: String = alignments
                .iter()
                .map(|a| match a {
                    Align::None => '-',
                    Align::Left => 'l',
                    Align::Center => 'c',
                    Align::Right => 'r',
                })
                .collect();
            let row = |cells: &Vec<Vec<Inline>>| cells.iter().map(|c| inlines(c)).collect::<Vec<_>>().join("|");
            let mut parts = vec![row(header)];
            parts.extend(rows.iter().map(row));
            format!("table{{{a}}}[{}]", parts.join("; "))
        }
        Block::Rule => "hr".into(),
    }
}

fn inlines(is: &[Inline]) -> String {
    is.iter()
        .map(|i| match i {
            Inline::Text { text } => text.clone(),
            Inline::Emphasis { content } => format!("em({})", inlines(content)),
            Inline::Strong { content } => format!("strong({})", inlines(content)),
            Inline::Code { text } => format!("code({text})"),
            Inline::Link { href, content } => format!("a<{href}>({})", inlines(content)),
            Inline::FootnoteRef { number, .. } => format!("^{number}"),
            Inline::Placeholder { name } => format!("{{{name}}}"),
            Inline::LineBreak => " br ".into(),
        })
        .collect()
}

#[test]
fn markdown_inputs_parse_to_the_expected_shapes() {
    let cases: &[(&str, &str)] = &[
        (
            "# Title\n\nSome *emphasis* and **strong** and _under_ text.",
            "h1(Title) p(Some em(emphasis) and strong(strong) and em(under) text.)",
        ),
        ("## Two ##\n### Three\n#### Four is three", "h2(Two) h3(Three) h3(Four is three)"),
        ("#NoSpace", "p(#NoSpace)"),
        ("\\# not a heading", "p(# not a heading)"),
        ("one\ntwo\n\nthree", "p(one two) p(three)"),
        ("line one  \nline two\\\nline three", "p(line one br line two br line three)"),
        ("- a\n- b\n  - c\n  - d\n- e", "ul[li(a) li(b ul[li(c) li(d)]) li(e)]"),
        ("* a\n* b", "ul[li(a) li(b)]"),
        ("1. one\n2. two\n   - sub", "ol1[li(one) li(two ul[li(sub)])]"),
        ("3. three\n4. four", "ol3[li(three) li(four)]"),
        ("- a\n\n  more about a\n- b", "ul[li(a p(more about a)) li(b)]"),
        ("- a\nwrapped", "ul[li(a wrapped)]"),
        ("In the year\n2019. The child moved", "p(In the year 2019. The child moved)"),
        ("Before\n- item", "p(Before) ul[li(item)]"),
        ("- a\n1. b", "ul[li(a)] ol1[li(b)]"),
        ("> quoted\ncontinued\n\n> second", "quote[p(quoted continued)] quote[p(second)]"),
        ("> - a\n> - b", "quote[ul[li(a) li(b)]]"),
        ("> > inner", "quote[quote[p(inner)]]"),
        ("a\n***\nb\n\n- - -\n\n___", "p(a) hr p(b) hr hr"),
        ("`code *x*` and ``a ` b``", "p(code(code *x*) and code(a ` b))"),
        ("Dear {{child.pseudonym}}, ref {{ review.reference }}", "p(Dear {child.pseudonym}, ref {review.reference})"),
        ("{{Not.Valid}} {{a-b}} {{}}", "p({{Not.Valid}} {{a-b}} {{}})"),
        (
            "[site](https://example.org/a_(b)) [bad](javascript:alert(1)) [rel](/x) [mail](mailto:chair@example.org \"t\")",
            "p(a<https://example.org/a_(b)>(site) bad rel a<mailto:chair@example.org>(mail))",
        ),
        ("[**bold link**](https://example.org)", "p(a<https://example.org>(strong(bold link)))"),
        ("<script>alert(1)</script>", "p(<script>alert(1)</script>)"),
        ("snake_case_name and __strong__", "p(snake_case_name and strong(strong))"),
        ("Text[^1] more[^n] again[^1].\n\n[^n]: Second.\n[^1]: First.", "p(Text^1 more^2 again^1.)"),
        ("See [^missing].", "p(See [^missing].)"),
        ("| A | B |\n|---|---|\n| 1 | 2 |", "table{--}[A|B; 1|2]"),
        ("| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | 2 |\n| a | b | c | d | e |", "table{lcr--}[L|C|R|N|; 1|2|||; a|b|c|d|e]"),
        ("a | b\n--|--\n1 | 2\nnot a row", "table{--}[a|b; 1|2] p(not a row)"),
        ("| a \\| b | `c` |\n| - | - |", "table{--}[a | b|code(c)]"),
        ("Para\n| A | B |\n|---|---|", "p(Para) table{--}[A|B]"),
        ("- Contacts:\n  | A | B |\n  |---|---|\n  | 1 | 2 |\n- next", "ul[li(Contacts: table{--}[A|B; 1|2]) li(next)]"),
        ("**a*", "p(*em(a))"),
        ("*a **b** c*", "p(em(a strong(b) c))"),
        ("", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(shape(&doc(input)), *expected, "input: {input:?}");
    }
}

#[test]
fn crlf_and_tabs_are_normalised() {
    assert_eq!(shape(&doc("- a\r\n-\tb\r\n\t- c\r\n")), "ul[li(a) li(b ul[li(c)])]");
}

/// Every `<` in `html` starts a tag the renderer emits, with only its attributes, quoted
/// values free of `<`, `>` and `"`, and `href`s to https, mailto or a fragment.
fn check_tags(html: &str) -> Result<(), String> {
    const ATTRS: &[&str] = &["class", "id", "href", "scope", "start", "rel"];
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        let after = &rest[pos + 1..];
        let (closing, after) = match after.strip_prefix('/') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let n = after.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let name = &after[..n];
        if !HTML_TAGS.contains(&name) {
            return Err(format!("unexpected tag {name:?} at {:?}", &rest[pos..(pos + 40).min(rest.len())]));
        }
        let mut t = &after[n..];
        loop {
            if let Some(r) = t.strip_prefix('>') {
                t = r;
                break;
            }
            if closing {
                return Err(format!("attribute on closing tag {name}"));
            }
            t = t.strip_prefix(' ').ok_or_else(|| format!("bad tag {name}: {t:.30}"))?;
            let an = t.bytes().take_while(|b| b.is_ascii_lowercase() || *b == b'-').count();
            let attr = &t[..an];
            if !ATTRS.contains(&attr) {
                return Err(format!("unexpected attribute {attr:?} on {name}"));
            }
            t = t[an..].strip_prefix("=\"").ok_or_else(|| format!("unquoted {attr}"))?;
            let end = t.find('"').ok_or("unterminated attribute")?;
            let val = &t[..end];
            if val.contains('<') || val.contains('>') {
                return Err(format!("{attr} value {val:?}"));
            }
            let lower = val.to_ascii_lowercase();
            if attr == "href" && !(lower.starts_with("https://") || lower.starts_with("mailto:") || lower.starts_with('#')) {
                return Err(format!("href {val:?}"));
            }
            t = &t[end + 1..];
        }
        rest = t;
    }
    Ok(())
}

#[test]
fn raw_html_scripts_and_unsafe_links_are_inert() {
    let inputs = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "**<iframe src=\"https://evil\"></iframe>**",
        "`<script>alert(1)</script>`",
        "| <script> | b |\n|---|---|\n| <img src=x onerror=alert(1)> | c |",
        "> <svg onload=alert(1)>",
        "# <b onmouseover=alert(1)>x</b>",
        "[^1]\n\n[^1]: <script>alert(1)</script>",
        "<!-- comment --> &amp; &lt;script&gt; \" ' done",
    ];
    for input in inputs {
        let d = doc(input);
        let html = to_html(&d, &no_fill);
        check_tags(&html).unwrap_or_else(|e| panic!("{input:?}: {e}\n{html}"));
        for bad in ["<script", "<img", "<iframe", "<svg", "<b ", "<!--", "href=\"javascript"] {
            assert!(!html.contains(bad), "{input:?} rendered {bad}: {html}");
        }
        // onerror= and friends survive only as escaped text, never inside a tag (checked above).
    }
    let html = to_html(&doc("<script>alert(1)</script>"), &no_fill);
    assert_eq!(html, "<p class=\"govuk-body\">&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");

    for link in [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x](/relative)",
        "[x](http://plain.example)",
    ] {
        let d = doc(link);
        let html = to_html(&d, &no_fill);
        assert_eq!(html, "<p class=\"govuk-body\">x</p>\n", "{link}");
        assert!(!html.to_lowercase().contains("javascript:") && !html.contains("data:"));
        assert_eq!(d.warnings.len(), 1, "{link}: {:?}", d.warnings);
        assert!(d.warnings[0].contains("only https:// and mailto: links are allowed"), "{:?}", d.warnings);
    }
    let html = to_html(&doc("[guide](https://www.gov.uk/x?a=1&b=\"2\")"), &no_fill);
    assert_eq!(
        html,
        "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"https://www.gov.uk/x?a=1&amp;b=&quot;2&quot;\" rel=\"noreferrer noopener\">guide</a></p>\n"
    );
}

#[test]
fn a_hand_built_ast_with_a_bad_href_is_still_inert() {
    let d = Document {
        blocks: vec![Block::Paragraph {
            content: vec![Inline::Link { href: "javascript:alert(1)".into(), content: vec![Inline::Text { text: "x".into() }] }],
        }],
        ..Default::default()
    };
    assert_eq!(to_html(&d, &no_fill), "<p class=\"govuk-body\">x</p>\n");
}

#[test]
fn footnotes_are_numbered_by_first_reference_and_linked_both_ways() {
    let d = doc(
        "Alpha[^b] beta[^a] gamma[^b] delta[^nope].\n\n[^a]: About a, see[^c].\n[^b]: About *b*.\n[^c]: About c.\n[^unused]: Never cited.",
    );
    let labels: Vec<(usize, &str)> = d.footnotes.iter().map(|f| (f.number, f.label.as_str())).collect();
    assert_eq!(labels, [(1, "b"), (2, "a"), (3, "c")]);
    assert_eq!(shape(&doc_blocks(&d)), "p(Alpha^1 beta^2 gamma^1 delta[^nope].)");
    assert_eq!(inlines(&d.footnotes[0].content), "About em(b).");
    assert_eq!(inlines(&d.footnotes[1].content), "About a, see^3.");
    assert!(d.warnings.iter().any(|w| w.contains("[^nope]") && w.contains("no definition")), "{:?}", d.warnings);
    assert!(d.warnings.iter().any(|w| w.contains("[^unused]") && w.contains("never referred to")), "{:?}", d.warnings);

    let html = to_html(&d, &no_fill);
    check_tags(&html).unwrap();
    assert!(html.contains("<sup class=\"app-footnote-ref\" id=\"fnref-1\"><a class=\"govuk-link\" href=\"#fn-1\">[1]</a></sup>"), "{html}");
    assert_eq!(html.matches("id=\"fnref-1\"").count(), 1, "second reference gets no duplicate id");
    assert_eq!(html.matches("href=\"#fn-1\"").count(), 2);
    assert!(html.contains("<li id=\"fn-1\">About <em>b</em>. <a class=\"govuk-link\" href=\"#fnref-1\">"), "{html}");
    assert!(html.contains("<li id=\"fn-3\">About c."));
    assert!(html.contains("<ol class=\"govuk-list govuk-list--number\">"));
    assert!(html.find("id=\"fn-1\"") < html.find("id=\"fn-2\"") && html.find("id=\"fn-2\"") < html.find("id=\"fn-3\""));
    assert!(!html.contains("Never cited"));

    let text = plain_text(&d, &no_fill);
    assert!(text.ends_with("Footnotes\n\n[1] About b.\n[2] About a, see[3].\n[3] About c."), "{text}");
}

fn doc_blocks(d: &Document) -> Document {
    Document { blocks: d.blocks.clone(), ..Default::default() }
}

#[test]
fn duplicate_footnote_definitions_keep_the_first() {
    let d = doc("x[^1]\n\n[^1]: first\n[^1]: second");
    assert_eq!(inlines(&d.footnotes[0].content), "first");
    assert!(d.warnings.iter().any(|w| w.contains("more than once")));
}

#[test]
fn tables_render_with_alignment_scope_and_padded_ragged_rows() {
    let d = doc("| Agency | Contacts | Notes |\n|:--|--:|:-:|\n| Police | 3 |\n| Health | 12 | seen | extra |");
    let html = to_html(&d, &no_fill);
    check_tags(&html).unwrap();
    assert!(html.starts_with("<table class=\"govuk-table\">\n<thead class=\"govuk-table__head\">"), "{html}");
    assert!(html.contains("<th scope=\"col\" class=\"govuk-table__header govuk-!-text-align-left\">Agency</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"govuk-table__header govuk-!-text-align-right\">Contacts</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"govuk-table__header govuk-!-text-align-centre\">Notes</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"govuk-table__header\"></th></tr>"), "header padded to the widest row");
    assert!(html.contains(
        "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell govuk-!-text-align-left\">Police</td><td class=\"govuk-table__cell govuk-!-text-align-right\">3</td><td class=\"govuk-table__cell govuk-!-text-align-centre\"></td><td class=\"govuk-table__cell\"></td></tr>"
    ), "{html}");
    assert!(html.contains("<td class=\"govuk-table__cell\">extra</td>"), "no cell lost");
    match &d.blocks[0] {
        Block::Table { alignments, header, rows } => {
            assert_eq!(alignments, &[Align::Left, Align::Right, Align::Center, Align::None]);
            assert_eq!(header.len(), 4);
            assert!(rows.iter().all(|r| r.len() == 4));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(plain_text(&d, &no_fill), "Agency | Contacts | Notes | \nPolice | 3 |  | \nHealth | 12 | seen | extra");
}

#[test]
fn placeholders_are_filled_and_unknown_ones_marked() {
    let d = doc("# Review {{review.reference}}\n\nChild: {{child.pseudonym}}; school: {{child.school}}.");
    let fill = |name: &str| match name {
        "child.pseudonym" => Some("Child <J> & \"K\"".to_string()),
        "review.reference" => Some("LSCB/2024/07".to_string()),
        _ => None,
    };
    let html = to_html(&d, &fill);
    check_tags(&html).unwrap();
    assert_eq!(
        html,
        "<h1 class=\"govuk-heading-l\">Review LSCB/2024/07</h1>\n<p class=\"govuk-body\">Child: Child &lt;J&gt; &amp; &quot;K&quot;; school: <span class=\"app-placeholder app-placeholder--missing\">[child.school]</span>.</p>\n"
    );
    assert_eq!(plain_text(&d, &fill), "Review LSCB/2024/07\n\nChild: Child <J> & \"K\"; school: [child.school].");
    assert_eq!(section_headings(&d), vec![(1, "Review [review.reference]".to_string())]);
}

#[test]
fn lists_quotes_rules_and_headings_use_govuk_classes() {
    let d = doc("## Findings\n\n- one\n  1. sub\n- two\n\n3. three\n\n> Said\n\n---\n\n### End");
    let html = to_html(&d, &no_fill);
    check_tags(&html).unwrap();
    assert_eq!(
        html,
        "<h2 class=\"govuk-heading-m\">Findings</h2>\n\
         <ul class=\"govuk-list govuk-list--bullet\">\n<li>one\n<ol class=\"govuk-list govuk-list--number\">\n<li>sub</li>\n</ol>\n</li>\n<li>two</li>\n</ul>\n\
         <ol class=\"govuk-list govuk-list--number\" start=\"3\">\n<li>three</li>\n</ol>\n\
         <div class=\"govuk-inset-text\">\n<p class=\"govuk-body\">Said</p>\n</div>\n\
         <hr class=\"govuk-section-break govuk-section-break--m govuk-section-break--visible\">\n\
         <h3 class=\"govuk-heading-s\">End</h3>\n"
    );
    assert_eq!(section_headings(&d), vec![(2, "Findings".to_string()), (3, "End".to_string())]);
    assert_eq!(plain_text(&d, &no_fill), "Findings\n\n- one\n  1. sub\n- two\n\n3. three\n\n> Said\n\n----\n\nEnd");
}

#[test]
fn the_ast_is_serialisable() {
    let d = doc("# T\n\n*a* [^1] {{x}}\n\n[^1]: n\n\n| a |\n|:-:|");
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["blocks"][0], serde_json::json!({"type": "heading", "level": 1, "content": [{"type": "text", "text": "T"}]}));
    assert_eq!(json["blocks"][1]["content"][0]["type"], "emphasis");
    assert_eq!(json["blocks"][1]["content"][2], serde_json::json!({"type": "footnote_ref", "number": 1, "label": "1"}));
    assert_eq!(json["blocks"][1]["content"][4], serde_json::json!({"type": "placeholder", "name": "x"}));
    assert_eq!(json["blocks"][2]["alignments"], serde_json::json!(["center"]));
    let back: Document = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
}

fn refused(text: &str, limits: Limits) -> String {
    match parse(text, &limits) {
        Err(e @ MarkupError::TooLarge { .. }) => e.to_string(),
        Ok(d) => panic!("accepted: {d:?}"),
    }
}

#[test]
fn limits_are_refused_with_a_message_naming_the_limit() {
    let l = Limits { max_chars: 10, ..Limits::default() };
    assert!(parse("0123456789", &l).is_ok());
    assert!(parse("ééééééééé", &l).is_ok(), "characters, not bytes");
    assert_eq!(
        refused("01234567890", l),
        "The document is too large to format: the number of characters (max_chars) is more than the limit of 10"
    );

    let l = Limits { max_blocks: 3, ..Limits::default() };
    assert!(parse("a\n\nb\n\nc", &l).is_ok());
    let m = refused("a\n\nb\n\nc\n\nd", l);
    assert!(m.contains("(max_blocks)") && m.contains("limit of 3"), "{m}");
    let m = refused("- a\n- b\n- c", l);
    assert!(m.contains("(max_blocks)"), "list items count: {m}");

    let l = Limits { max_table_cells: 6, ..Limits::default() };
    assert!(parse("|a|b|\n|-|-|\n|1|2|\n|3|4|", &l).is_ok());
    let m = refused("|a|b|\n|-|-|\n|1|2|\n|3|4|\n|5|6|", l);
    assert!(m.contains("(max_table_cells)") && m.contains("limit of 6"), "{m}");
    let m = refused("|a|\n|-|\n|1|\n|2|3|4|", l);
    assert!(m.contains("(max_table_cells)"), "counted after padding ragged rows: {m}");
    let m = refused(&format!("{}\n|-|", "|".repeat(1_000_000)), l);
    assert!(m.contains("(max_table_cells)"), "{m}");

    let m = refused("- a\n  - b\n    - c", Limits::default());
    assert_eq!(
        m,
        "The document is too large to format: the nesting of lists and quotes inside one another (max_nesting) is more than the limit of 2"
    );
    assert!(parse("- a\n  - b", &Limits::default()).is_ok());
    let m = refused("> > > deep", Limits::default());
    assert!(m.contains("(max_nesting)"), "{m}");
    let m = refused(&">".repeat(100_000), Limits { max_nesting: usize::MAX, ..Limits::default() });
    assert!(m.contains("limit of 8"), "hard cap keeps recursion shallow: {m}");
}

#[test]
fn large_ordinary_documents_parse() {
    let para = "The **child** was seen by the *health visitor* on 3 May; see [guidance](https://www.gov.uk/x)[^1].\n\n";
    let text = format!("# Report\n\n{}[^1]: Source.\n", para.repeat(5_000));
    let d = doc(&text);
    assert_eq!(d.blocks.len(), 5_001);
    assert_eq!(d.footnotes.len(), 1);
    for unit in ["*_[`{", "[^", "`a``", "**a_", "[x](https://"] {
        let pathological = unit.repeat(400_000 / unit.len());
        let d = doc(&pathological);
        assert_eq!(d.blocks.len(), 1, "{unit}");
        let text = plain_text(&d, &no_fill);
        assert!(!text.is_empty() && text.len() <= pathological.len(), "{unit}");
    }
}

#[test]
fn line_and_word_diffs_are_readable() {
    let old = "# Terms of reference\n\nScope: 2019 to 2021.\nPanel: A, B.\n";
    let new = "# Terms of reference\n\nScope: 2018 to 2021.\nPanel: A, B.\nChair: C.\n";
    let d = diff_lines(old, new);
    let shown: Vec<(Kind, &str)> = d.iter().map(|l| (l.kind, l.text.as_str())).collect();
    assert_eq!(
        shown,
        [
            (Kind::Same, "# Terms of reference"),
            (Kind::Same, ""),
            (Kind::Removed, "Scope: 2019 to 2021."),
            (Kind::Added, "Scope: 2018 to 2021."),
            (Kind::Same, "Panel: A, B."),
            (Kind::Added, "Chair: C."),
        ]
    );
    assert_eq!(summary(&d), "2 lines added, 1 removed");
    assert_eq!(
        diff_words("Scope: 2019 to 2021.", "Scope: 2018 to 2021."),
        [
            (Kind::Same, "Scope: ".to_string()),
            (Kind::Removed, "2019".to_string()),
            (Kind::Added, "2018".to_string()),
            (Kind::Same, " to 2021.".to_string())
        ]
    );
    assert_eq!(diff_lines(old, new), diff_lines(old, new), "deterministic");
}

#[test]
fn big_unrelated_texts_diff_correctly() {
    let a: String = (0..20_000).map(|i| format!("old line {i}\n")).collect();
    let b: String = (0..20_000).map(|i| format!("new line {}\n", i * 7 % 20_000)).collect();
    let d = diff_lines(&a, &b);
    assert_eq!(sides(&d).1, b.lines().collect::<Vec<_>>());
    assert_eq!(sides(&d).0, a.lines().collect::<Vec<_>>());
    assert_eq!(summary(&d), "20000 lines added, 20000 removed");
}

fn sides(d: &[casereview_core::textdiff::DiffLine]) -> (Vec<&str>, Vec<&str>) {
    let old = d.iter().filter(|l| l.kind != Kind::Added).map(|l| l.text.as_str()).collect();
    let new = d.iter().filter(|l| l.kind != Kind::Removed).map(|l| l.text.as_str()).collect();
    (old, new)
}

/// Markdown-ish text: the syntax characters the parser cares about, mixed with words,
/// arbitrary Unicode and line structure.
fn markdownish() -> impl Strategy<Value = String> {
    let syntax: Vec<&'static str> = vec![
        "\n",
        "\n\n",
        "  \n",
        "# ",
        "### ",
        "- ",
        "  - ",
        "    - ",
        "1. ",
        "> ",
        "| ",
        "|---|:-:|\n",
        "***",
        "*",
        "_",
        "**",
        "`",
        "[",
        "]",
        "](",
        ")",
        "[^1]",
        "[^1]: ",
        "{{a.b}}",
        "{{",
        "}}",
        "\\",
        "<script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "https://e.org/",
        "\"'&<>",
        "\t",
        "\r\n",
    ];
    // prop_oneof! with more than ten arms builds every arm's value each time, so the
    // fixed pieces are one `select`.
    let piece = prop_oneof![
        3 => prop::sample::select(syntax).prop_map(str::to_string),
        1 => prop::collection::vec(prop::sample::select(vec!['a', 'b', 'z', ' ']), 1..8).prop_map(String::from_iter),
        1 => prop::collection::vec(any::<char>(), 1..4).prop_map(String::from_iter),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_unicode(s in "\\PC*|(.|\n)*") {
        let d = parse(&s, &Limits::default());
        if let Ok(d) = d {
            let _ = to_html(&d, &|_| None);
            let _ = plain_text(&d, &|_| None);
        }
    }

    #[test]
    fn parse_never_panics_on_markdownish_text(s in markdownish()) {
        if let Ok(d) = parse(&s, &Limits::default()) {
            let _ = plain_text(&d, &|_| None);
            let _ = section_headings(&d);
        }
    }

    #[test]
    fn html_holds_only_the_tags_the_renderer_emits(s in markdownish(), value in "\\PC{0,12}") {
        if let Ok(d) = parse(&s, &Limits::default()) {
            let fill = |name: &str| if name == "a.b" { Some(value.clone()) } else { None };
            let html = to_html(&d, &fill);
            prop_assert!(check_tags(&html).is_ok(), "{:?}\n{}\n{:?}", s, html, check_tags(&html));
            prop_assert!(!html.contains("<script") && !html.contains("<img"));
        }
    }

    #[test]
    fn line_diff_reproduces_both_texts(a in prop::collection::vec("[abc]{0,2}", 0..40), b in prop::collection::vec("[abc]{0,2}", 0..40)) {
        let (a, b) = (a.join("\n"), b.join("\n"));
        let d = diff_lines(&a, &b);
        let (old, new) = sides(&d);
        prop_assert_eq!(old, a.lines().collect::<Vec<_>>());
        prop_assert_eq!(new, b.lines().collect::<Vec<_>>());
        let same = diff_lines(&a, &a);
        prop_assert!(same.iter().all(|l| l.kind == Kind::Same));
        prop_assert_eq!(same.len(), a.lines().count());
    }

    #[test]
    fn line_diff_is_minimal_against_a_dp_lcs(a in prop::collection::vec(0u8..4, 0..25), b in prop::collection::vec(0u8..4, 0..25)) {
        let text = |v: &[u8]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n");
        let d = diff_lines(&text(&a), &text(&b));
        let same = d.iter().filter(|l| l.kind == Kind::Same).count();
        let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                dp[i][j] = if a[i] == b[j] { dp[i + 1][j + 1] + 1 } else { dp[i + 1][j].max(dp[i][j + 1]) };
            }
        }
        prop_assert_eq!(same, dp[0][0]);
    }

    #[test]
    fn word_diff_reproduces_both_lines(a in "\\PC{0,30}", b in "\\PC{0,30}") {
        let d = diff_words(&a, &b);
        let old: String = d.iter().filter(|(k, _)| *k != Kind::Added).map(|(_, s)| s.as_str()).collect();
        let new: String = d.iter().filter(|(k, _)| *k != Kind::Removed).map(|(_, s)| s.as_str()).collect();
        prop_assert_eq!(old, a.clone());
        prop_assert_eq!(new, b);
        prop_assert!(diff_words(&a, &a).iter().all(|(k, _)| *k == Kind::Same));
    }
}
