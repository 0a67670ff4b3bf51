//! PDF through typst used as a library.
//!
//! The document is written as typst source ([`source`]) in which every piece of the caller's
//! text is a string literal, then typeset in a closed world ([`world`]) that holds only that
//! source, the document's pictures and typst's embedded fonts: no file system, no packages,
//! no network, no system fonts. The PDF embeds (subsets of) those fonts.

mod source;
mod world;

use std::ops::Range;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::Smart;
use typst::syntax::{DiagSpan, FileId, Source};
use typst::WorldExt;
use typst_pdf::PdfOptions;

use crate::{RenderDoc, RenderError};
use world::DocWorld;

/// Memoised results unused for this many renders are dropped, so a long-running server's
/// memory stays bounded while repeated renders of similar documents still share work.
const CACHE_MAX_AGE: usize = 2;

/// Typesets `doc` as an A4 PDF with the fonts embedded.
pub fn render(doc: &RenderDoc) -> Result<Vec<u8>, RenderError> {
    let (world, pictures) = build_world(doc)?;
    let result = typeset(&world, &pictures);
    typst::comemo::evict(CACHE_MAX_AGE);
    result
}

/// Drops everything typst memoised, so the next render starts cold (the benchmark measures
/// a first render, not a repeat of a cached one).
pub fn clear_cache() {
    typst::comemo::evict(0);
}

/// A picture's place in the source, its file and its name, to name it in errors.
struct PictureSpan {
    range: Range<usize>,
    file: FileId,
    name: String,
}

/// Generates the source and the world that serves it.
fn build_world(doc: &RenderDoc) -> Result<(DocWorld, Vec<PictureSpan>), RenderError> {
    let generated = source::generate(doc)?;
    let main = Source::new(world::file_id("/main.typ")?, generated.source);
    let mut files = Vec::with_capacity(generated.pictures.len());
    let mut pictures = Vec::with_capacity(generated.pictures.len());
    for p in generated.pictures {
        let file = world::file_id(&p.path)?;
        files.push((file, p.bytes));
        pictures.push(PictureSpan { range: p.range, file, name: p.name });
    }
    Ok((DocWorld::new(main, files), pictures))
}

fn typeset(world: &DocWorld, pictures: &[PictureSpan]) -> Result<Vec<u8>, RenderError> {
    // The output type is inferred from `typst_pdf::pdf`'s argument (typst-layout's
    // PagedDocument), so this crate needs no direct dependency on typst-layout.
    let Warned { output, warnings: _ } = typst::compile(world);
    let document = output.map_err(|errors| diagnostics_error(world, pictures, &errors))?;
    let options = PdfOptions { creator: Smart::Custom(Some("casereview".to_string())), ..PdfOptions::default() };
    typst_pdf::pdf(&document, &options).map_err(|errors| diagnostics_error(world, pictures, &errors))
}

/// Turns typst's errors into one [`RenderError`]: a picture's own problem names the picture,
/// anything else is a typesetting error with every message.
fn diagnostics_error(world: &DocWorld, pictures: &[PictureSpan], errors: &[SourceDiagnostic]) -> RenderError {
    let picture_at = |span: DiagSpan| -> Option<&PictureSpan> {
        let id = span.id()?;
        // Inside a picture's own file (an SVG's broken link), or in the source that draws it.
        if let Some(p) = pictures.iter().find(|p| p.file == id) {
            return Some(p);
        }
        if id != world.main_source().id() {
            return None;
        }
        let r = world.range(span)?;
        pictures.iter().find(|p| p.range.start <= r.start && r.end <= p.range.end)
    };
    for e in errors {
        // The error's own place, then the calls that led to it (an error inside a helper
        // function is traced back to the call that drew the picture).
        let spans = std::iter::once(e.span).chain(e.trace.iter().map(|t| DiagSpan::from(t.span)));
        if let Some(p) = spans.into_iter().find_map(picture_at) {
            return RenderError::Picture(p.name.clone(), e.message.to_string());
        }
    }
    let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    RenderError::Typeset(if messages.is_empty() { "unknown error".to_string() } else { messages.join("; ") })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Marking, Part};

    #[test]
    fn literals_escape_everything_that_could_end_them() {
        let mut out = String::new();
        source::lit(&mut out, "a\"b\\c\nd\te\u{1}f\u{2028}g");
        assert_eq!(out, r#""a\"b\\c\nd\te\u{1}f\u{2028}g""#);
    }

    #[test]
    fn hostile_text_is_never_evaluated_and_no_file_is_asked_for() {
        let hostile = r#"#import "x": * $x$ *bold* ] " \ @ref <label> // comment #read("/etc/passwd") #image("/etc/passwd")"#;
        let doc = RenderDoc {
            title: hostile.to_string(),
            subtitle: vec![hostile.to_string()],
            marking: Marking { prepared_for: Some(hostile.to_string()), ..Marking::default() },
            parts: vec![
                Part::Heading { level: 1, text: hostile.to_string() },
                Part::Paragraphs(vec![hostile.to_string()]),
                Part::Fields(vec![(hostile.to_string(), hostile.to_string())]),
                Part::Table { header: vec![hostile.to_string()], widths: vec![1], rows: vec![vec![hostile.to_string()]] },
                Part::Signature { name: hostile.to_string(), position: hostile.to_string(), date: hostile.to_string() },
            ],
            ..RenderDoc::default()
        };
        let (world, pictures) = build_world(&doc).unwrap();
        // The source parses without a single error, and holds none of the syntax the hostile
        // text spells (imports, maths, labels, references, comments, raw blocks): it stayed
        // inside string literals.
        let root = world.main_source().root();
        let (errors, _) = root.errors_and_warnings();
        assert!(errors.is_empty(), "{errors:?}");
        fn walk(node: &typst::syntax::SyntaxNode, found: &mut Vec<typst::syntax::SyntaxKind>) {
            use typst::syntax::SyntaxKind as K;
            if matches!(
                node.kind(),
                K::ModuleImport
                    | K::ModuleInclude
                    | K::Equation
                    | K::Label
                    | K::Ref
                    | K::LineComment
                    | K::BlockComment
                    | K::Raw
                    | K::Strong
                    | K::Emph
            ) {
                found.push(node.kind());
            }
            for child in node.children() {
                walk(child, found);
            }
        }
        let mut found = Vec::new();
        walk(root, &mut found);
        assert!(found.is_empty(), "{found:?}");
        let pdf = typeset(&world, &pictures).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(world.refused().is_empty(), "files were asked for: {:?}", world.refused());
    }

    #[test]
    fn the_world_refuses_files_it_does_not_hold() {
        use typst::World;
        let world = DocWorld::new(Source::new(world::file_id("/main.typ").unwrap(), String::new()), vec![]);
        assert!(world.file(world::file_id("/etc/passwd").unwrap()).is_err());
        assert!(world.source(world::file_id("/other.typ").unwrap()).is_err());
        assert_eq!(world.refused().len(), 2);
    }
}
