//! Person names the register does not know (issue 6, "Detection"): gazetteers of given names
//! and surnames of many origins shipped with the build (`crates/core/data/names/`), combined
//! with capitalisation and context rules. Offline, no model, no regex: the text is tokenised
//! once, and every run of capitalised words is scored as a name.
//!
//! The evidence for a run, added up (a run is taken as a name from a score of 1.0):
//! - what the words are: in the name lists (a given name and a surname is strongest), names
//!   that are ordinary words ("Rose", "Will", "Hope": weak), unknown words (weak; names
//!   shaped like names, "McTavish", "Kowalczyk", "Popescu", a little stronger), ordinary
//!   words, places and organisations (never);
//! - how they are written: a capital in running text counts, a capital at the start of a
//!   sentence, on a heading or on an ALL CAPS line does not;
//! - the context: a title before ("Mrs", "PC", "Nurse"), a relation or role word before or
//!   in apposition ("aunt Rose", "a neighbour, Kwame,", "Grace, the child's aunt"), a verb
//!   after ("said", "was seen"), a possessive with a personal noun ("Jade's mother"), an
//!   initial ("J. Smith"), a list with other names ("Jade and Kwame"); against: a
//!   determiner before ("the Summer term"), a place or organisation word after ("Grace
//!   Academy", "Green Lane"), a number after ("May 2019"), a Title Case phrase around.
//!
//! Then, over the document: a word taken for a name in one place is a name wherever it is
//! capitalised (so an unknown name found once after "Mr" is found alone later), and each
//! name gets one placeholder ("Person A"), the same for "Kwame Mensah", "Kwame" and
//! "Mr Mensah".

mod lexicon;
mod tokens;

use super::{Category, Finding};
use lexicon::{entries, flag, fold_into, key, key_ascii, Key, KeyMap, Lexicon};
use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::sync::LazyLock;
use tokens::{Kind, Line, Shape, Tok};

pub use lexicon::{GIVEN_NAMES, SURNAMES};

static SHIPPED: LazyLock<Detector> = LazyLock::new(|| Detector::with_lists(entries(GIVEN_NAMES), entries(SURNAMES)));

/// Person names in `text` outside the `taken` spans, with the shipped name lists.
pub fn detect(text: &str, taken: &[Range<usize>]) -> Vec<Finding> {
    SHIPPED.detect(text, taken)
}

/// The entries of a shipped list ([`GIVEN_NAMES`] or [`SURNAMES`]): one name per line.
pub fn list_entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    entries(list)
}

/// The unknown-name detector with its name lists. [`detect`] uses the shipped lists; tests
/// build one with part of the lists held out, to measure it on names it has never seen.
pub struct Detector {
    lex: Lexicon,
}

/// Sizes of a detector's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSizes {
    pub given: usize,
    pub surnames: usize,
    pub common: usize,
    pub stop: usize,
    pub places: usize,
}

impl Detector {
    /// A detector knowing these given names and surnames (as written; case and diacritics
    /// are folded) and the shipped context lists.
    pub fn with_lists<'a>(given: impl IntoIterator<Item = &'a str>, surnames: impl IntoIterator<Item = &'a str>) -> Detector {
        Detector { lex: Lexicon::new(given, surnames) }
    }

    /// The detector with the shipped lists (built once).
    pub fn shipped() -> &'static Detector {
        &SHIPPED
    }

    /// How many distinct folded words each list holds.
    pub fn sizes(&self) -> ListSizes {
        ListSizes {
            given: self.lex.count(flag::GIVEN),
            surnames: self.lex.count(flag::SURNAME),
            common: self.lex.count(flag::COMMON | flag::STRICT | flag::FUNCTION),
            stop: self.lex.count(flag::STOP),
            places: self.lex.count(flag::PLACE),
        }
    }

    /// Person names in `text` outside the `taken` spans: one finding per name, with the
    /// same placeholder for the same person within this call.
    pub fn detect(&self, text: &str, taken: &[Range<usize>]) -> Vec<Finding> {
        let toks = tokens::tokenise(text);
        let mut taken: Vec<Range<usize>> = taken.iter().filter(|r| r.start < r.end).cloned().collect();
        taken.sort_by_key(|r| r.start);
        let scan = Scan {
            text,
            lex: &self.lex,
            flags: toks.iter().map(|_| Cell::new(UNSET)).collect(),
            classes: toks.iter().map(|_| Cell::new(None)).collect(),
            keys: toks.iter().map(|_| Cell::new(0)).collect(),
            toks: &toks,
            buf: RefCell::new(String::with_capacity(64)),
        };
        let free = free_tokens(&toks, &taken);
        let mut cands = scan.candidates(&free);
        scan.coordinate(&mut cands);
        scan.propagate(&mut cands);
        findings(text, &scan, cands)
    }
}

const UNSET: u64 = u64::MAX;

/// The most initials before a name ("J. R. R. Tolkien" has three).
const MAX_INITIALS: usize = 5;

/// Which tokens lie outside the spans other detectors took (one merge pass).
fn free_tokens(toks: &[Tok], taken: &[Range<usize>]) -> Vec<bool> {
    let mut out = Vec::with_capacity(toks.len());
    let mut k = 0;
    for t in toks {
        while k < taken.len() && taken[k].end <= t.start {
            k += 1;
        }
        // The next few spans may overlap (the caller's are not merged): look at each that
        // starts before this token ends.
        let mut free = true;
        let mut j = k;
        while j < taken.len() && taken[j].start < t.end {
            if taken[j].end > t.start {
                free = false;
                break;
            }
            j += 1;
        }
        out.push(free);
    }
    out
}

/// What a capitalised word can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// In the name lists and nothing else.
    Name,
    /// A name that is an ordinary word.
    Common,
    /// A name that needs strong context.
    Strict,
    /// An ordinary English word no name list holds: a name only with strong context, and
    /// not at the start of a sentence on a verb alone ("Medics reported").
    Word,
    /// A function word that is a name only after a title.
    Function,
    /// A place (only after a title).
    Place,
    /// In no list.
    Unknown,
    /// Never a name.
    Stop,
    /// "de", "van", "al": inside a name.
    Particle,
    /// "J" in "J. Smith".
    Initial,
}

/// Whether `w` starts with `p`, ASCII letters compared without case.
fn starts_ci(w: &str, p: &str) -> bool {
    w.len() >= p.len() && w.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

/// Whether `w` ends with `p`, ASCII letters compared without case.
fn ends_ci(w: &str, p: &str) -> bool {
    w.len() >= p.len() && w.as_bytes()[w.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
}

/// One run of capitalised words and what was decided about it.
#[derive(Debug, Clone)]
struct Cand {
    first: usize,
    /// Index of the last token (inclusive).
    last: usize,
    score: f32,
    /// The strongest evidence, for the finding's detector.
    why: &'static str,
    accepted: bool,
    /// A place or organisation word around it: no amount of evidence makes it a name.
    vetoed: bool,
    /// The first word starts a sentence (or the line says nothing by its capitals).
    initial_position: bool,
    /// The weakest class of its name words (for propagation).
    weakest: Class,
    /// Score before coordination, to add it once.
    coordinated: bool,
}

struct Scan<'a> {
    text: &'a str,
    lex: &'a Lexicon,
    toks: &'a [Tok],
    flags: Vec<Cell<u64>>,
    classes: Vec<Cell<Option<Class>>>,
    keys: Vec<Cell<u64>>,
    buf: RefCell<String>,
}

/// Name-like endings and beginnings of words no list holds: strong ones are almost never
/// English words.
const STRONG_ENDINGS: &[&str] = &[
    "ski", "ska", "wicz", "czyk", "czak", "escu", "enko", "auskas", "auskiene", "aitis", "aite", "iene", "oglu", "zadeh", "shvili",
    "opoulos", "ullah", "uddin", "ovic", "evic", "owski", "owska", "ewski", "ewska", "inski", "inska", "icz",
];
const WEAK_ENDINGS: &[&str] = &["ova", "ov", "ev", "yan", "chuk", "adze", "idis", "akis", "ić", "ič", "aite", "ienė"];
const NAME_BEGINNINGS: &[&str] =
    &["nw", "mb", "nk", "ngo", "gb", "kp", "dz", "xh", "zh", "sz", "cz", "kw", "oluwa", "olu", "ade", "chukwu", "ogun"];

impl<'a> Scan<'a> {
    fn word(&self, i: usize) -> &'a str {
        self.toks.get(i).and_then(|t| self.text.get(t.start..t.end)).unwrap_or("")
    }

    /// The flags of token `i` (0 for a non-word), looked up once.
    fn flags(&self, i: usize) -> u64 {
        let Some(t) = self.toks.get(i) else { return 0 };
        if !t.is_word() {
            return 0;
        }
        let cell = &self.flags[i];
        if cell.get() != UNSET {
            return cell.get();
        }
        let f = self.lookup(self.word(i));
        cell.set(f);
        f
    }

    /// The key of token `i`'s folded word (0 for a non-word), worked out once.
    fn token_key(&self, i: usize) -> u64 {
        let Some(cell) = self.keys.get(i) else { return 0 };
        if cell.get() == 0 {
            cell.set(self.key_of(i));
        }
        cell.get()
    }

    fn key_of(&self, i: usize) -> u64 {
        let w = self.word(i);
        if w.is_ascii() && !w.contains('`') {
            return key_ascii(w);
        }
        let mut buf = self.buf.borrow_mut();
        if fold_into(w, &mut buf) {
            key(&buf)
        } else {
            0
        }
    }

    fn lookup(&self, word: &str) -> u64 {
        if word.len() > 64 {
            return 0;
        }
        let ascii = word.is_ascii() && !word.contains('`');
        let f = if ascii {
            self.lex.get_key(key_ascii(word))
        } else {
            let mut buf = self.buf.borrow_mut();
            if !fold_into(word, &mut buf) {
                return 0;
            }
            self.lex.get(&buf)
        };
        if f == 0 && ascii && word.len() > 4 {
            if let Some(f) = self.inflected(word) {
                return f;
            }
        }
        if f != 0 || !word.contains(['-', '\'', '\u{2019}', '\u{2010}', '\u{2011}', '\u{02BC}']) {
            return f;
        }
        // "Smith-Jones", "al-Hassan", "O'Driscoll", "Anglo-Saxon": decided by the parts.
        let mut buf = self.buf.borrow_mut();
        if !fold_into(word, &mut buf) {
            return 0;
        }
        let mut names = 0;
        let mut others = 0;
        let mut stop = false;
        let mut acc = 0;
        for (k, part) in buf.split(['-', '\'']).enumerate() {
            if part.is_empty() {
                continue;
            }
            let pf = self.lex.get(part);
            if k == 0 && (part.len() == 1 || pf & flag::PARTICLE != 0) {
                continue; // "o'", "d'", "al-", "el-", "bin-"
            }
            if pf & (flag::GIVEN | flag::SURNAME) != 0 {
                names += 1;
                acc |= pf & (flag::GIVEN | flag::SURNAME);
            } else if pf & flag::STOP != 0 {
                stop = true;
            } else {
                others += 1;
            }
        }
        if stop && names == 0 {
            flag::STOP
        } else if names > 0 && others == 0 && !stop {
            acc
        } else {
            0
        }
    }

    /// An inflected ordinary word the lists hold the base of: plurals ("Paramedics",
    /// "Agencies") are never names; "-ing", "-ed", "-ly", "-ness", "-est" forms are ordinary
    /// words, names only with strong context. Names are not de-inflected ("Harding" is a
    /// name the lists may not hold, and "hard" no reason to doubt it more). `word` is ASCII.
    fn inflected(&self, word: &str) -> Option<u64> {
        const ORDINARY: u64 = flag::STOP | flag::VOCAB;
        const NAME: u64 = flag::GIVEN | flag::SURNAME;
        // Lower-cased on the stack: words here are ASCII and at most 64 bytes.
        let mut lower = [0u8; 64];
        let n = word.len().min(64);
        lower[..n].copy_from_slice(&word.as_bytes()[..n]);
        lower[..n].make_ascii_lowercase();
        let w = std::str::from_utf8(&lower[..n]).ok()?;
        let ordinary_key = |k: u64| {
            let f = self.lex.get_key(k);
            f & ORDINARY != 0 && f & NAME == 0
        };
        let ordinary = |base: &str| ordinary_key(key(base));
        let ordinary_plus = |base: &str, b: u8| ordinary_key(Key::new().push_str(base).push(b).finish());
        if w.ends_with('s') && !w.ends_with("ss") {
            // "-es" only after a sibilant ("churches", "boxes"): "Mendes" and "Bowles" are no
            // plurals of "mend" and "bowl".
            let sibilant = |s: &str| ["s", "x", "z", "ch", "sh"].iter().any(|e| s.ends_with(e));
            let plural = w.strip_suffix("ies").is_some_and(|s| ordinary_plus(s, b'y'))
                || w.strip_suffix("es").is_some_and(|s| sibilant(s) && ordinary(s))
                || w.strip_suffix('s').is_some_and(ordinary);
            return plural.then_some(flag::STOP);
        }
        for suffix in ["ing", "ed", "ly", "ness", "est"] {
            // A short base is too often a name's own letters ("Carly" is no form of "car").
            let Some(base) = w.strip_suffix(suffix).filter(|b| b.len() >= 4) else { continue };
            let b = base.as_bytes();
            let doubled = b.len() > 2 && b[b.len() - 1] == b[b.len() - 2];
            if ordinary(base) || ordinary_plus(base, b'e') || (doubled && ordinary(&base[..base.len() - 1])) {
                return Some(flag::VOCAB);
            }
        }
        None
    }

    /// The class of token `i`, worked out once.
    fn class(&self, i: usize) -> Class {
        let Some(cell) = self.classes.get(i) else { return Class::Stop };
        if let Some(c) = cell.get() {
            return c;
        }
        let c = self.class_uncached(i);
        cell.set(Some(c));
        c
    }

    fn class_uncached(&self, i: usize) -> Class {
        let Some(t) = self.toks.get(i) else { return Class::Stop };
        let Some(shape) = t.shape() else { return Class::Stop };
        let f = self.flags(i);
        let w = self.word(i);
        let single = w.chars().nth(1).is_none();
        if shape == Shape::Lower || shape == Shape::Other {
            return if f & flag::PARTICLE != 0 { Class::Particle } else { Class::Stop };
        }
        if f & flag::PARTICLE != 0 && f & (flag::GIVEN | flag::SURNAME) == 0 && shape == Shape::Title {
            // "De Souza", "Van der Berg", "Al-Amin" — but "Al said", "Van told" are names.
            let next_is_name = self.toks.get(i + 1).is_some_and(|n| {
                n.breaks_before < 2
                    && matches!(n.shape(), Some(Shape::Title | Shape::Upper | Shape::Lower))
                    && (self.flags(i + 1) & flag::STOP == 0 || self.flags(i + 1) & flag::PARTICLE != 0)
            });
            return if next_is_name { Class::Particle } else { Class::Unknown };
        }
        if single {
            return if shape != Shape::Lower { Class::Initial } else { Class::Stop };
        }
        let upper_in_prose = shape == Shape::Upper && t.line == Line::Prose;
        let gaz = f & (flag::GIVEN | flag::SURNAME) != 0;
        if gaz {
            if f & flag::FUNCTION != 0 {
                Class::Function
            } else if f & (flag::STRICT | flag::TIME) != 0 {
                Class::Strict
            } else if f & flag::COMMON != 0 || f & flag::PLACE != 0 {
                Class::Common
            } else if f & flag::STOP != 0 || (upper_in_prose && w.len() <= 3) {
                Class::Strict
            } else {
                Class::Name
            }
        } else if f & (flag::FUNCTION | flag::STOP) != 0 || (upper_in_prose && w.len() <= 3) {
            if f & flag::PARTICLE != 0 && shape == Shape::Title {
                Class::Particle
            } else {
                Class::Stop
            }
        } else if f & flag::PLACE != 0 {
            Class::Place
        } else if f & (flag::STRICT | flag::COMMON) != 0 {
            // An ordinary word of the list of names-that-are-words, but in no name list.
            Class::Strict
        } else if f & flag::VOCAB != 0 {
            Class::Word
        } else if f & flag::PARTICLE != 0 {
            Class::Particle
        } else {
            Class::Unknown
        }
    }

    /// Whether token `j` follows token `i` in the same phrase: adjacent, separated by
    /// spaces and at most one line break.
    fn joined(&self, j: usize) -> bool {
        self.toks.get(j).is_some_and(|t| t.breaks_before < 2)
    }

    fn is_word_with(&self, i: usize, f: u64) -> bool {
        self.flags(i) & f != 0
    }

    fn capitalised(&self, i: usize) -> bool {
        matches!(self.toks.get(i).and_then(Tok::shape), Some(Shape::Title | Shape::Upper))
    }

    /// An initial at `i`: a capital letter followed by "." and/or a name word, perhaps after
    /// more initials ("J. R. R. Tolkien"); the index of the token after it.
    ///
    /// Iterative and bounded: a chain of more than [`MAX_INITIALS`] initials ("J J J J ...")
    /// is no name, so neither the stack nor the work grows with the input (a recursive walk
    /// of the chain overflowed the stack on `"J ".repeat(40000)`, and was quadratic).
    fn initial_at(&self, i: usize) -> Option<usize> {
        let mut cur = i;
        let mut after_first = None;
        for _ in 0..MAX_INITIALS {
            let end = self.toks.get(cur)?.end;
            let mut j = cur + 1;
            if self.toks.get(j).is_some_and(|t| t.is_punct('.') && t.start == end) {
                j += 1;
            }
            let next = self.toks.get(j)?;
            if !self.joined(j) || (!next.space_before && next.is_word()) {
                return None;
            }
            let first = *after_first.get_or_insert(j);
            match self.class(j) {
                Class::Name | Class::Common | Class::Unknown | Class::Particle => return Some(first),
                Class::Initial => cur = j,
                _ => return None,
            }
        }
        None
    }

    /// Runs of capitalised words, each scored.
    fn candidates(&self, free: &[bool]) -> Vec<Cand> {
        let mut out = Vec::new();
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            if !free[i] || !self.toks[i].is_word() {
                i += 1;
                continue;
            }
            let c = self.class(i);
            let after_title = self.title_before(i);
            let starts = match c {
                Class::Name | Class::Common | Class::Strict | Class::Word | Class::Unknown => true,
                Class::Function | Class::Place | Class::Stop => self.name_after_title(i),
                Class::Initial => self.initial_at(i).is_some(),
                Class::Particle => self.capitalised(i) && self.run_continues(i + 1, free) || after_title && self.run_continues(i + 1, free),
            };
            if !starts {
                i += 1;
                continue;
            }
            // Extend the run.
            let mut last = i;
            let mut names = usize::from(!matches!(c, Class::Initial | Class::Particle));
            let mut j = i;
            loop {
                if self.toks[j].possessive {
                    break;
                }
                let mut k = j + 1;
                // "J. Smith": the dot after an initial.
                if self.class(j) == Class::Initial && self.toks.get(k).is_some_and(|t| t.is_punct('.')) {
                    k += 1;
                }
                let Some(t) = self.toks.get(k) else { break };
                if !free[k] || !t.is_word() || !self.joined(k) || !t.space_before {
                    break;
                }
                let ck = self.run_class(k, j);
                let ok = match ck {
                    Class::Name | Class::Common | Class::Strict | Class::Word | Class::Unknown => true,
                    Class::Initial => self.initial_at(k).is_some(),
                    Class::Particle => self.run_continues(k + 1, free),
                    _ => false,
                };
                if !ok {
                    break;
                }
                if !matches!(ck, Class::Initial | Class::Particle) {
                    names += 1;
                }
                last = k;
                j = k;
            }
            if names == 0 {
                i = last + 1;
                continue;
            }
            let mut first = i;
            // "Sadly Jade", "Following Kwame": a sentence-initial adverb or participle the
            // lists do not know is no part of the name after it.
            if last > first && self.toks[first].sentence_start && self.class(first) == Class::Unknown && self.looks_adverbial(first) {
                {
                    first += 1;
                    names -= 1;
                }
            }
            if names > 4 {
                // A long Title Case run is a heading or an organisation, not one person.
                i = last + 1;
                continue;
            }
            out.push(self.score(first, last));
            i = last + 1;
        }
        out
    }

    /// The class of token `k` inside a run whose previous token is `prev`: after a given
    /// name, a surname that is also a place or an ordinary word ("Sophia Kent", "Colm Hull",
    /// "Bronwen Foster", "Faiza Ma") is part of the name.
    fn run_class(&self, k: usize, prev: usize) -> Class {
        let c = self.class(k);
        if !matches!(c, Class::Place | Class::Function | Class::Stop) || !self.capitalised(k) {
            return c;
        }
        const AMBIGUOUS: u64 = flag::PLACE | flag::FUNCTION | flag::COMMON | flag::STRICT;
        const CONTEXT: u64 = flag::TITLE
            | flag::ROLE
            | flag::RELATION
            | flag::PSEUDONYM
            | flag::DETERMINER
            | flag::CONJUNCTION
            | flag::WHO
            | flag::PREPOSITION
            | flag::SKIP
            | flag::WEAK
            | flag::TIME
            | flag::SUFFIX;
        let f = self.flags(k);
        let after_name = match self.class(prev) {
            Class::Name => self.flags(prev) & flag::GIVEN != 0,
            Class::Unknown => true,
            _ => false,
        };
        if after_name && f & AMBIGUOUS != 0 && f & CONTEXT == 0 {
            Class::Common
        } else {
            c
        }
    }

    /// Whether a particle at `k - 1` is followed by a name word, perhaps after more
    /// particles ("van der Berg").
    fn run_continues(&self, mut k: usize, free: &[bool]) -> bool {
        for _ in 0..3 {
            if !free.get(k).copied().unwrap_or(false) || !self.joined(k) {
                return false;
            }
            match self.class(k) {
                Class::Particle if !self.capitalised(k) => k += 1,
                Class::Name | Class::Common | Class::Unknown | Class::Strict | Class::Word | Class::Particle => return self.capitalised(k),
                _ => return false,
            }
        }
        false
    }

    /// "Shortly", "Following", "Worried": a sentence-initial word the lists do not know that
    /// reads as an adverb or participle rather than a name ("Carly", "Ahmed", "Ming" do not).
    fn looks_adverbial(&self, k: usize) -> bool {
        let w = self.word(k).to_ascii_lowercase();
        (w.len() >= 6 && w.ends_with("ly"))
            || (w.len() >= 8 && (w.ends_with("ing") || (w.ends_with("ed") && !["eed", "med", "hed", "ved"].iter().any(|e| w.ends_with(e)))))
    }

    /// A capitalised word right after a title is a name even when it is an ordinary word
    /// ("Mrs Foster", "Mr Young", "Ms He"), unless it is itself a word of context ("Mr and",
    /// "Dr Who", "Detective Inspector").
    fn name_after_title(&self, i: usize) -> bool {
        const NOT_AFTER_TITLE: u64 = flag::TITLE
            | flag::ROLE
            | flag::RELATION
            | flag::PSEUDONYM
            | flag::DETERMINER
            | flag::CONJUNCTION
            | flag::WHO
            | flag::PREPOSITION
            | flag::SKIP
            | flag::WEAK
            | flag::TIME
            | flag::SUFFIX;
        self.capitalised(i) && self.word(i).chars().count() >= 2 && self.flags(i) & NOT_AFTER_TITLE == 0 && self.title_before(i)
    }

    /// A title right before token `i` ("Mrs", "Dr.", "PC").
    fn title_before(&self, i: usize) -> bool {
        let Some(mut p) = i.checked_sub(1) else { return false };
        if self.toks[p].is_punct('.') {
            let Some(q) = p.checked_sub(1) else { return false };
            p = q;
        }
        if !self.joined(p + 1) || !self.toks[p].is_word() {
            return false;
        }
        let f = self.flags(p);
        f & flag::TITLE != 0 && (f & flag::TITLE_CAPITALISED == 0 || self.capitalised(p))
    }

    fn score(&self, first: usize, last: usize) -> Cand {
        let toks = self.toks;
        // A run holds at most four name words (longer ones are dropped before): no allocation.
        let mut idx_buf = [0usize; 8];
        let mut class_buf = [Class::Stop; 8];
        let mut n = 0;
        for k in (first..=last).filter(|&k| toks[k].is_word() && !matches!(self.class(k), Class::Initial | Class::Particle)) {
            if n == idx_buf.len() {
                break;
            }
            class_buf[n] = if n == 0 { self.class(k) } else { self.run_class(k, idx_buf[n - 1]) };
            idx_buf[n] = k;
            n += 1;
        }
        let name_idx = &idx_buf[..n];
        let classes = &class_buf[..n];
        let has_initial = (first..=last).any(|k| self.class(k) == Class::Initial);
        let weakest = classes
            .iter()
            .copied()
            .max_by_key(|c| match c {
                Class::Name => 0,
                Class::Common => 1,
                Class::Unknown => 2,
                Class::Strict | Class::Word => 3,
                _ => 4,
            })
            .unwrap_or(Class::Stop);
        let has_name = classes.contains(&Class::Name);
        let line = toks[first].line;
        let first_tok = &toks[first];
        let title = self.title_before(first);
        let sentence_start = first_tok.sentence_start && !title;
        let initial_position = sentence_start || line != Line::Prose;

        let mut why = "names:gazetteer";
        let mut best_context = 0.0f32;
        let note = |v: f32, w: &'static str, best: &mut f32, why: &mut &'static str| {
            if v > *best {
                *best = v;
                *why = w;
            }
        };

        // What the words are.
        let mut s = match (n, has_name) {
            (0, _) => 0.0,
            (1, _) => match classes[0] {
                Class::Name => 1.0,
                Class::Common => 0.8,
                Class::Strict | Class::Word => 0.3,
                Class::Unknown => self.unknown_prior(name_idx[0]),
                _ => 0.0,
            },
            (_, true) => 1.1,
            _ => {
                let unknowns = classes.iter().filter(|c| **c == Class::Unknown).count();
                let strict = classes.iter().filter(|c| matches!(c, Class::Strict | Class::Word | Class::Function | Class::Place)).count();
                let shaped = name_idx.iter().filter(|&&k| self.classify_shape(k) > 0.0).count();
                if strict == n {
                    0.3
                } else if strict > 0 {
                    // "Moss Side", "Universal Credit": an ordinary word in the run.
                    0.5
                } else if unknowns == n && n == 4 {
                    0.5
                } else {
                    0.8 + if shaped > 0 { 0.2 } else { 0.0 }
                }
            }
        };
        if has_initial && n >= 1 {
            s += 0.3;
            note(0.3, "names:initials", &mut best_context, &mut why);
        }
        // Uppercase in running text: an acronym unless the lists know it.
        let upper_prose = line == Line::Prose && name_idx.iter().all(|&k| toks[k].shape() == Some(Shape::Upper));
        if upper_prose && !has_name {
            s = match name_idx.first().map(|&k| self.word(k).chars().count()) {
                Some(l) if l >= 6 => 0.2,
                _ => 0.0,
            };
        }

        // How they are written.
        if line != Line::Prose {
            s += match weakest {
                Class::Name => 0.0,
                Class::Common => -0.4,
                _ => -0.2,
            };
        } else if sentence_start {
            s += match (n, weakest) {
                (_, Class::Name) => 0.0,
                (1, Class::Common) => -0.5,
                (_, Class::Common) => -0.2,
                (_, Class::Strict) => -0.2,
                (_, Class::Word) => -0.2,
                _ => -0.1,
            };
        } else if !upper_prose {
            s += 0.2;
        }

        // "Green Lane", "Victoria Park", "Rose Hill": a run ending in a word that names
        // streets and places as well as people reads as a place unless context says person.
        let ends_in_suffix = n >= 2 && self.is_word_with(last, flag::SUFFIX);
        if ends_in_suffix {
            s -= if has_name { 0.4 } else { 0.8 };
        }

        // Context before.
        let mut vetoed = false;
        let mut determiner = false;
        let p = first.checked_sub(1);
        let pw = p.filter(|&p| toks[p].is_word() && self.joined(p + 1));
        if pw.is_some_and(|p| self.place_connector(p)) {
            // "Newcastle upon Tyne", "Kingston upon Thames", "Weston super Mare".
            vetoed = true;
        }
        if title {
            s += 1.2;
            note(1.2, "names:context:title", &mut best_context, &mut why);
        } else if let Some(p) = pw {
            let f = self.flags(p);
            if f & flag::RELATION != 0 {
                s += 1.0;
                note(1.0, "names:context:relation", &mut best_context, &mut why);
            } else if f & flag::ROLE != 0 {
                s += 0.8;
                note(0.8, "names:context:role", &mut best_context, &mut why);
            } else if f & flag::NAMED != 0 || (self.word(p).eq_ignore_ascii_case("as") && p > 0 && self.is_word_with(p - 1, flag::NAMED)) {
                s += 1.0;
                note(1.0, "names:context:named", &mut best_context, &mut why);
            } else if f & flag::OBJECT != 0 && !self.capitalised(p) {
                s += 0.5;
                note(0.5, "names:context:object", &mut best_context, &mut why);
            } else if (self.word(p).eq_ignore_ascii_case("to") || self.word(p).eq_ignore_ascii_case("with"))
                && p > 0
                && self.is_word_with(p - 1, flag::TO_VERB)
            {
                s += 0.6;
                note(0.6, "names:context:object", &mut best_context, &mut why);
            } else if f & flag::PERSON_PREPOSITION != 0 && !self.capitalised(p) {
                // "concerns about Kwame", "a referral for Kwame" — but "University of
                // Oakfield", "Bank of Ireland": after a capitalised word it is a phrase.
                let before_cap = p > 0 && self.capitalised(p - 1) && self.joined(p) && !toks[p - 1].sentence_start;
                if before_cap && self.is_word_with(p - 1, flag::STOP) {
                    s -= 0.5;
                } else if n == 1 && matches!(weakest, Class::Unknown) {
                    s += 0.3;
                    note(0.3, "names:context:object", &mut best_context, &mut why);
                }
            } else if f & flag::DETERMINER != 0 && (!self.capitalised(p) || toks[p].sentence_start) {
                determiner = true;
            } else if f & flag::PREPOSITION != 0 && !self.capitalised(p) {
                if (n == 1 && matches!(weakest, Class::Unknown | Class::Common)) || ends_in_suffix {
                    s -= 0.3;
                }
            } else if f & flag::PLACE_PREFIX != 0 && self.capitalised(p) {
                vetoed = true;
            } else if self.capitalised(p)
                && f & flag::STOP != 0
                && f & (flag::ROLE | flag::RELATION | flag::TITLE | flag::TIME | flag::PSEUDONYM | flag::CONJUNCTION) == 0
                && !toks[p].sentence_start
                && toks[p].line == Line::Prose
            {
                // "Early Help Hope", "Young Carers": inside a Title Case phrase.
                s -= 0.5;
            }
        } else if let Some(p) = p {
            // Apposition before: "a neighbour, Kwame", "Social Worker: Jane Smith".
            if matches!(toks[p].kind, Kind::Punct(',' | ':' | '(' | '-' | '\u{2013}')) && p > 0 {
                let f = self.flags(p - 1);
                if f & (flag::RELATION | flag::ROLE) != 0 {
                    s += 1.0;
                    note(1.0, "names:context:relation", &mut best_context, &mut why);
                } else if f & (flag::NAMED | flag::LABEL) != 0 && toks[p].is_punct(':') {
                    s += 1.0;
                    note(1.0, "names:context:named", &mut best_context, &mut why);
                }
            }
        }

        // Context after. A run right after a preposition is its object, not the subject of
        // the verb that follows ("staff at Kingsway completed").
        let after_preposition =
            pw.is_some_and(|p| self.is_word_with(p, flag::PREPOSITION | flag::PERSON_PREPOSITION) && !self.capitalised(p));
        let last_tok = &toks[last];
        let q = last + 1;
        if last_tok.possessive {
            if self.toks.get(q).is_some_and(Tok::is_word) && self.joined(q) {
                let f = self.flags(q);
                if f & flag::PERSONAL_NOUN != 0 {
                    s += 0.9;
                    note(0.9, "names:context:possessive", &mut best_context, &mut why);
                } else if !self.capitalised(q) {
                    s += 0.3;
                    note(0.3, "names:context:possessive", &mut best_context, &mut why);
                }
                if f & flag::SUFFIX != 0 && self.capitalised(q) {
                    // "St Mary's Hospital", "Barnardo's Service".
                    vetoed = true;
                }
            }
        } else if let Some(t) = self.toks.get(q) {
            let same_phrase = self.joined(q);
            match t.kind {
                Kind::Word(shape) if same_phrase => {
                    let f = self.flags(q);
                    let cap = matches!(shape, Shape::Title | Shape::Upper);
                    if f & flag::SUFFIX != 0 && f & (flag::ROLE | flag::RELATION) == 0 && (cap || self.lower_suffix(q)) {
                        vetoed = true;
                    } else if f & flag::FAMILY != 0 && !cap && !t.possessive {
                        s += 0.8;
                        determiner = false;
                        note(0.8, "names:context:family", &mut best_context, &mut why);
                    } else if let Some(v) = self.verb_after(q).filter(|_| !after_preposition) {
                        s += v;
                        note(v, "names:context:verb", &mut best_context, &mut why);
                    } else if f & flag::WHO != 0 {
                        s += 0.7;
                        note(0.7, "names:context:verb", &mut best_context, &mut why);
                    } else if f & flag::ROLE != 0 && f & flag::RELATION == 0 && cap {
                        // "Jane Smith Worker"; "Jane Smith Social Worker" is apposition
                        // without the comma, and "Social" is no role.
                        s += 0.5;
                        note(0.5, "names:context:role", &mut best_context, &mut why);
                    } else if cap
                        && f & flag::STOP != 0
                        && f & (flag::TIME | flag::PSEUDONYM | flag::CONJUNCTION | flag::TITLE) == 0
                        && t.line == Line::Prose
                    {
                        s -= 0.5;
                    }
                }
                Kind::Number if same_phrase && !matches!(weakest, Class::Name) => {
                    // "May 2019", "Summer 2020".
                    s -= 0.6;
                }
                Kind::Punct(',' | '(' | '-' | '\u{2013}' | '\u{2014}') => {
                    if let Some(v) = self.apposition_after(q + 1) {
                        s += v;
                        note(v, "names:context:relation", &mut best_context, &mut why);
                    }
                }
                _ => {}
            }
        }
        if determiner {
            s -= 0.7;
        }
        if vetoed {
            s = s.min(0.0);
        }
        // An acronym ("MARAC", "MASH", "LADO", "IDVA"): an ALL CAPS word of three to six
        // letters in running text that no name list holds is a name only in a strong name
        // context (a title, a relation or role, "named"), never on a verb or a list alone.
        let acronym = upper_prose && !has_name && name_idx.iter().all(|&k| (3..=6).contains(&self.word(k).chars().count())) && !has_initial;
        let strong = matches!(why, "names:context:title" | "names:context:relation" | "names:context:named" | "names:context:family");
        let accepted = !vetoed && s >= 1.0 && self.plausible(classes, title) && (!acronym || strong);
        Cand { first, last, score: s, why, accepted, vetoed, initial_position, weakest, coordinated: false }
    }

    /// "upon" or "super" between a capitalised word and the run: the second half of a place
    /// name ("Newcastle upon Tyne", "Burton upon Trent", "Weston super Mare").
    fn place_connector(&self, p: usize) -> bool {
        let w = self.word(p);
        (w.eq_ignore_ascii_case("upon") || w.eq_ignore_ascii_case("super"))
            && !self.toks[p].sentence_start
            && p > 0
            && self.joined(p)
            && self.capitalised(p - 1)
    }

    /// Things no score overrides: a function word or a place only after a title.
    fn plausible(&self, classes: &[Class], title: bool) -> bool {
        title || !classes.iter().any(|c| matches!(c, Class::Function | Class::Place | Class::Stop))
    }

    /// Lower-case words after a capitalised word that still make it a place ("Oakfield
    /// school"); others ("close", "way") are too often ordinary words after a name.
    fn lower_suffix(&self, q: usize) -> bool {
        const PLACES: &[&str] = &["school", "academy", "nursery", "surgery", "hospital", "road", "street", "avenue", "estate", "centre"];
        let w = self.word(q);
        PLACES.iter().any(|p| p.eq_ignore_ascii_case(w))
    }

    fn unknown_prior(&self, k: usize) -> f32 {
        0.5 + self.classify_shape(k)
    }

    /// How much a word the lists do not know looks like a name by its form.
    fn classify_shape(&self, k: usize) -> f32 {
        let w = self.word(k);
        if w.len() < 3 {
            return 0.0;
        }
        // Endings are compared on the folded word for non-ASCII words ("Wiśniewski") and on
        // the word itself otherwise, without allocating for the common case.
        let folded;
        let b: &str = if self.toks[k].non_ascii {
            folded = lexicon::fold(w);
            &folded
        } else {
            w
        };
        let bytes = w.as_bytes();
        let upper_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_uppercase);
        // "McTavish", "MacLeod", "O'Driscoll", "FitzGerald".
        let mc = (starts_ci(b, "mc") && upper_at(2))
            || (starts_ci(b, "mac") && upper_at(3))
            || (starts_ci(b, "o'") && b.len() > 3)
            || starts_ci(b, "fitz");
        if mc || STRONG_ENDINGS.iter().any(|e| ends_ci(b, e) && b.len() > e.len() + 1) {
            return 0.5;
        }
        let mut v: f32 = 0.0;
        if WEAK_ENDINGS.iter().any(|e| (ends_ci(b, e) || ends_ci(w, e)) && b.len() > e.len() + 2) {
            v += 0.3;
        }
        if NAME_BEGINNINGS.iter().any(|e| starts_ci(b, e)) {
            v += 0.3;
        }
        if self.toks[k].non_ascii {
            v += 0.3;
        }
        v.min(0.5)
    }

    /// A verb after a name ("said", "later told", "was seen"), skipping up to two adverbs
    /// or auxiliaries; the weight of the evidence.
    fn verb_after(&self, q: usize) -> Option<f32> {
        let mut k = q;
        let mut passive = false;
        for _ in 0..3 {
            let t = self.toks.get(k)?;
            if !t.is_word() || (k > q && !self.joined(k)) || self.capitalised(k) && k > q {
                return None;
            }
            let f = self.flags(k);
            // After "was" only a participle that happens to people counts ("was seen", not
            // "was expressed"); after "had" or an adverb, any verb of a person ("had told").
            if passive && f & flag::PASSIVE != 0 {
                return Some(0.9);
            }
            if !passive && f & flag::SPEECH != 0 && !(k == q && self.word(k).eq_ignore_ascii_case("has")) {
                return Some(0.9);
            }
            if f & flag::SKIP != 0 || (k == q && f & flag::WEAK != 0) {
                let w = self.word(k);
                passive |= ["was", "were", "is", "been", "be", "are"].iter().any(|a| a.eq_ignore_ascii_case(w));
                k += 1;
                continue;
            }
            break;
        }
        // Only a weak verb right after the name ("Jade was", "Jade had").
        let f = self.flags(q);
        (f & flag::WEAK != 0 && !self.is_word_with(q, flag::CONJUNCTION)).then_some(0.25)
    }

    /// After a comma or bracket: "the child's aunt", "a neighbour", "maternal aunt",
    /// "aged 4", "15", "who".
    fn apposition_after(&self, start: usize) -> Option<f32> {
        for (step, k) in (start..start + 5).enumerate() {
            let t = self.toks.get(k)?;
            if t.breaks_before > 1 {
                return None;
            }
            match t.kind {
                Kind::Number if step == 0 => return Some(0.8),
                Kind::Word(shape) => {
                    let f = self.flags(k);
                    if f & (flag::RELATION | flag::ROLE) != 0 {
                        return Some(1.0);
                    }
                    if f & (flag::AGED | flag::WHO) != 0 && step == 0 {
                        return Some(if f & flag::AGED != 0 { 1.0 } else { 0.7 });
                    }
                    let filler = f & (flag::DETERMINER | flag::STOP) != 0 || t.possessive;
                    if shape == Shape::Upper && step == 0 && f & flag::ROLE != 0 {
                        return Some(1.0);
                    }
                    if !filler {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        None
    }

    /// Names in a list with a found name: "Jade and Kwame", "Kwame, Ama and Kojo".
    fn coordinate(&self, cands: &mut [Cand]) {
        for _ in 0..2 {
            let mut changed = false;
            for i in 0..cands.len() {
                // A name the lists do not know at the start of a sentence scores little on its
                // own; next to a found name in a list it is one ("Kinga and Bartosz said").
                let floor = 0.15;
                if cands[i].accepted || cands[i].vetoed || cands[i].coordinated || cands[i].score < floor {
                    continue;
                }
                let prev_ok = i > 0 && cands[i - 1].accepted && self.listed_between(cands[i - 1].last, cands[i].first);
                let next_ok = i + 1 < cands.len() && cands[i + 1].accepted && self.listed_between(cands[i].last, cands[i + 1].first);
                if !(prev_ok || next_ok) {
                    continue;
                }
                if matches!(cands[i].weakest, Class::Strict | Class::Word | Class::Function | Class::Place | Class::Stop) {
                    continue;
                }
                let c = &mut cands[i];
                c.coordinated = true;
                c.score += 0.8;
                if c.score >= 1.0 {
                    c.accepted = true;
                    c.why = "names:context:list";
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Only "and", "or", "&" or a comma between two runs.
    fn listed_between(&self, a_last: usize, b_first: usize) -> bool {
        if b_first != a_last + 2 {
            return false;
        }
        let k = a_last + 1;
        let Some(t) = self.toks.get(k) else { return false };
        let separator = t.is_punct(',') || t.is_punct('&') || (t.is_word() && self.is_word_with(k, flag::CONJUNCTION));
        separator && !self.toks[a_last].possessive
    }

    /// A word taken for a name once is a name wherever else it is capitalised (not at the
    /// start of a sentence if it is also an ordinary word).
    fn propagate(&self, cands: &mut [Cand]) {
        let mut known: KeyMap<()> = KeyMap::default();
        for c in cands.iter().filter(|c| c.accepted) {
            for k in c.first..=c.last {
                if matches!(self.class(k), Class::Name | Class::Unknown | Class::Common) {
                    known.insert(self.token_key(k), ());
                }
            }
        }
        if known.is_empty() {
            return;
        }
        for c in cands.iter_mut().filter(|c| !c.accepted && !c.vetoed) {
            if matches!(c.weakest, Class::Strict | Class::Word | Class::Function | Class::Place | Class::Stop) {
                continue;
            }
            if c.weakest == Class::Common && c.initial_position {
                continue;
            }
            let mut any = false;
            let mut all = true;
            for k in c.first..=c.last {
                if !self.toks[k].is_word() || matches!(self.class(k), Class::Initial | Class::Particle) {
                    continue;
                }
                let hit = known.contains_key(&self.token_key(k));
                any |= hit;
                all &= hit || self.class(k) == Class::Name;
            }
            if any && all && c.score > -0.5 {
                c.accepted = true;
                c.why = "names:propagated";
                c.score = c.score.max(1.0);
            }
        }
    }
}

/// The accepted runs as findings, with one placeholder per person. A name seen before gets
/// its placeholder again. A full name takes the placeholder of its given name or its surname
/// seen alone before ("Kwame", "Mr Mensah" → "Kwame Mensah"), but not that of another full
/// name with the same surname ("Jade Smith" and "Kerry Smith" are two people); a word alone
/// takes the placeholder of the first full name it is part of.
fn findings(text: &str, scan: &Scan<'_>, cands: Vec<Cand>) -> Vec<Finding> {
    // Full names and words seen alone; first and last words of full names.
    let mut seen: KeyMap<usize> = KeyMap::default();
    let mut firsts: KeyMap<usize> = KeyMap::default();
    let mut lasts: KeyMap<usize> = KeyMap::default();
    let mut next = 0usize;
    let mut new_letter = || {
        next += 1;
        next - 1
    };
    let mut out = Vec::new();
    let mut parts: Vec<u64> = Vec::with_capacity(8);
    for c in cands.into_iter().filter(|c| c.accepted) {
        let (Some(a), Some(b)) = (scan.toks.get(c.first), scan.toks.get(c.last)) else { continue };
        let (start, end) = (a.start, b.end);
        let Some(found) = text.get(start..end) else { continue };
        parts.clear();
        parts.extend(
            (c.first..=c.last)
                .filter(|&k| scan.toks[k].is_word() && !matches!(scan.class(k), Class::Initial | Class::Particle))
                .map(|k| scan.token_key(k)),
        );
        let letter = match parts.as_slice() {
            [] => continue,
            [one] => {
                let l = seen.get(one).or_else(|| firsts.get(one)).or_else(|| lasts.get(one)).copied().unwrap_or_else(&mut new_letter);
                seen.insert(*one, l);
                l
            }
            [first, .., last] => {
                let full = parts.iter().fold(Key::new(), |k, p| p.to_le_bytes().iter().fold(k, |k, b| k.push(*b))).finish();
                let l = seen.get(&full).or_else(|| seen.get(first)).or_else(|| seen.get(last)).copied().unwrap_or_else(&mut new_letter);
                seen.insert(full, l);
                firsts.entry(*first).or_insert(l);
                lasts.entry(*last).or_insert(l);
                l
            }
        };
        out.push(Finding {
            start,
            end,
            text: found.to_string(),
            category: Category::UnknownName,
            entity: None,
            detector: c.why.to_string(),
            confidence: (0.5 + 0.2 * c.score).clamp(0.5, 0.99),
            replacement: format!("Person {}", letter_name(letter)),
        });
    }
    out
}

/// 0 → "A", 25 → "Z", 26 → "AA".
fn letter_name(mut k: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (k % 26) as u8);
        if k < 26 {
            break;
        }
        k = k / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}
