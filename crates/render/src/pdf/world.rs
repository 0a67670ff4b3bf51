//! The closed world a document is typeset in: one generated source file, the pictures the
//! caller handed over, and typst's own embedded fonts. Every other file, package, font or
//! clock request is refused, so nothing a document says can reach the disk or the network.

use std::sync::{LazyLock, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::RenderError;

/// The standard library, built once: building it is costly and it never changes.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// typst's embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono), parsed
/// once for the life of the process; no system font is ever looked at.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The id of a file at `path` in the project root. File ids are interned for the life of the
/// process (and limited to 2^16), so only fixed names are used, never one per render.
pub(crate) fn file_id(path: &str) -> Result<FileId, RenderError> {
    let vpath = VirtualPath::new(path).map_err(|e| RenderError::Typeset(format!("bad internal path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compilation's world.
pub(crate) struct DocWorld {
    main: Source,
    /// In-memory files (logo, pictures) by id.
    files: Vec<(FileId, Bytes)>,
    /// Every refused request, kept so tests can show that nothing was read.
    refused: Mutex<Vec<String>>,
}

impl DocWorld {
    pub(crate) fn new(main: Source, files: Vec<(FileId, Bytes)>) -> Self {
        Self { main, files, refused: Mutex::new(Vec::new()) }
    }

    /// The files a compilation asked for and was refused.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn refused(&self) -> Vec<String> {
        self.refused.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn refuse(&self, id: FileId) -> FileError {
        if let Ok(mut v) = self.refused.lock() {
            v.push(format!("{id:?}"));
        }
        FileError::AccessDenied
    }

    /// The generated source (for diagnostics and tests).
    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(self.refuse(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        match self.files.iter().find(|(fid, _)| *fid == id) {
            Some((_, bytes)) => Ok(bytes.clone()),
            None => Err(self.refuse(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Documents carry their own dates; typst's clock is not needed.
        None
    }
}
