//! Pictures: the size of a PNG, and SVG drawings turned into what Word needs. Word shows an
//! SVG only through an extension of the picture element and insists on a raster fallback in
//! the picture itself (older Word, LibreOffice and most viewers only see that), so every SVG
//! is rasterised with resvg, with the same fonts typst embeds so the labels are drawn.

use crate::RenderError;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// A picture ready to embed: the PNG every reader can show, the SVG for those that can,
/// and its natural size in pixels (only the aspect ratio and the logo's scale use it).
pub(crate) struct Picture {
    pub png: Vec<u8>,
    pub svg: Option<String>,
    pub width: f64,
    pub height: f64,
}

/// The fonts SVG text is drawn with: typst's bundled fonts, loaded once per process
/// because parsing the font tables for every picture would cost more than drawing it.
fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for font in typst_assets::fonts() {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
        }
        // There is no sans-serif face among the bundled fonts; every generic family falls
        // back to one that exists so no label is silently dropped.
        db.set_serif_family("Libertinus Serif");
        db.set_sans_serif_family("Libertinus Serif");
        db.set_cursive_family("Libertinus Serif");
        db.set_fantasy_family("Libertinus Serif");
        db.set_monospace_family("DejaVu Sans Mono");
        Arc::new(db)
    })
    .clone()
}

/// Reads the width and height from a PNG's header, refusing anything that is not a PNG.
pub(crate) fn png_size(name: &str, bytes: &[u8]) -> Result<(u32, u32), RenderError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let bad = |why: &str| RenderError::Picture(name.to_string(), why.to_string());
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return Err(bad("it is not a PNG image"));
    }
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (w, h) = (be(16), be(20));
    if w == 0 || h == 0 {
        return Err(bad("the PNG image has no size"));
    }
    Ok((w, h))
}

/// Parses `svg`, draws it `target_px` pixels wide (or less for a huge drawing) on white,
/// and returns the PNG with the drawing re-written by usvg. The re-written SVG has its text
/// turned into outlines (so Word draws the labels exactly as the PNG does, whatever fonts
/// the reader has) and holds nothing usvg does not understand (no scripts, no external files).
pub(crate) fn from_svg(name: &str, svg: &str, target_px: f64) -> Result<Picture, RenderError> {
    let bad = |why: String| RenderError::Picture(name.to_string(), why);
    let options = usvg::Options { fontdb: fontdb(), font_family: "Libertinus Serif".to_string(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| bad(format!("the SVG cannot be read: {e}")))?;
    let size = tree.size();
    let (w, h) = (f64::from(size.width()), f64::from(size.height()));
    // At most about eight million pixels, so a drawing with an absurd aspect ratio cannot
    // make the fallback enormous.
    let mut scale = target_px / w;
    let max_pixels = 8_000_000.0;
    if w * h * scale * scale > max_pixels {
        scale = (max_pixels / (w * h)).sqrt();
    }
    let px_w = (w * scale).round().max(1.0);
    let px_h = (h * scale).round().max(1.0);
    let mut pixmap = tiny_skia::Pixmap::new(px_w as u32, px_h as u32).ok_or_else(|| bad("the drawing has no size".to_string()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale as f32, scale as f32), &mut pixmap.as_mut());
    let png = pixmap.encode_png().map_err(|e| bad(format!("the drawing could not be encoded as PNG: {e}")))?;
    let written = tree.to_string(&usvg::WriteOptions::default());
    Ok(Picture { png, svg: Some(written), width: w, height: h })
}

/// A PNG used as it is.
pub(crate) fn from_png(name: &str, bytes: &[u8]) -> Result<Picture, RenderError> {
    let (w, h) = png_size(name, bytes)?;
    Ok(Picture { png: bytes.to_vec(), svg: None, width: f64::from(w), height: f64::from(h) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_size_reads_the_header_and_refuses_other_data() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&300u32.to_be_bytes());
        png.extend_from_slice(&120u32.to_be_bytes());
        assert_eq!(png_size("logo", &png).ok(), Some((300, 120)));
        assert!(matches!(png_size("logo", b"GIF89a........................"), Err(RenderError::Picture(..))));
        assert!(png_size("logo", &png[..20]).is_err());
    }

    #[test]
    fn svg_is_rasterised_with_its_text() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="60" font-size="40" font-family="Arial">Hi</text></svg>"#;
        let p = from_svg("test", svg, 400.0);
        assert!(p.is_ok());
        if let Ok(p) = p {
            assert_eq!((p.width, p.height), (200.0, 100.0));
            assert!(p.png.starts_with(b"\x89PNG"));
            // The text became outlines: a path, and no <text> element.
            let written = p.svg.unwrap_or_default();
            assert!(written.contains("<path") && !written.contains("<text"), "{written}");
        }
        assert!(matches!(from_svg("bad", "<svg", 100.0), Err(RenderError::Picture(..))));
    }
}
