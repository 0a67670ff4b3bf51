//! The word lists of the unknown-name detector: the name gazetteers and the words that
//! decide around them (titles, relation words, verbs, ordinary words), folded the same way
//! the text is folded so "Łukasz", "Lukasz" and "LUKASZ" meet.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The shipped given names (one per line, `#` comments), origin by origin.
pub const GIVEN_NAMES: &str = include_str!("../../../data/names/given_names.txt");
/// The shipped surnames.
pub const SURNAMES: &str = include_str!("../../../data/names/surnames.txt");
const COMMON_WORDS: &str = include_str!("../../../data/names/common_words.txt");
const PLACES: &str = include_str!("../../../data/names/places.txt");
const STOP_WORDS: &str = include_str!("../../../data/names/stop_words.txt");
const VOCABULARY: &str = include_str!("../../../data/names/vocabulary.txt");
const CONTEXT_WORDS: &str = include_str!("../../../data/names/context_words.txt");
const ENGLISH_WORDS: &str = include_str!("../../../data/names/english_words.txt");

/// Particles of multi-word surnames in the lists ("De Silva", "Van der Berg", "Dela Cruz").
const NAME_PARTICLES: &[&str] =
    &["de", "da", "do", "dos", "das", "del", "dela", "della", "van", "der", "den", "von", "le", "la", "du", "di"];

/// The sections of `context_words.txt` and their flags.
const SECTIONS: &[(&str, u64)] = &[
    ("title", flag::TITLE),
    ("title_capitalised", flag::TITLE_CAPITALISED),
    ("relation", flag::RELATION),
    ("role", flag::ROLE),
    ("named", flag::NAMED),
    ("label", flag::LABEL),
    ("speech", flag::SPEECH),
    ("weak", flag::WEAK),
    ("skip", flag::SKIP),
    ("passive", flag::PASSIVE),
    ("object", flag::OBJECT),
    ("to_verb", flag::TO_VERB),
    ("person_preposition", flag::PERSON_PREPOSITION),
    ("preposition", flag::PREPOSITION),
    ("determiner", flag::DETERMINER),
    ("personal_noun", flag::PERSONAL_NOUN),
    ("family", flag::FAMILY),
    ("suffix", flag::SUFFIX),
    ("place_prefix", flag::PLACE_PREFIX),
    ("particle", flag::PARTICLE),
    ("pseudonym", flag::PSEUDONYM),
    ("time", flag::TIME),
    ("conjunction", flag::CONJUNCTION),
    ("who", flag::WHO),
    ("aged", flag::AGED),
];

/// Flags of a folded word. A word may have several ("sister" is a relation and a title).
pub(super) mod flag {
    pub const GIVEN: u64 = 1;
    pub const SURNAME: u64 = 1 << 1;
    /// A name that is an ordinary word: needs the capital in running text, or context.
    pub const COMMON: u64 = 1 << 2;
    /// A name that is very often capitalised for other reasons (months): needs strong context.
    pub const STRICT: u64 = 1 << 3;
    /// A function word that is also a name ("Do", "An", "Said"): a name only after a title.
    pub const FUNCTION: u64 = 1 << 4;
    /// Never a name.
    pub const STOP: u64 = 1 << 5;
    pub const PLACE: u64 = 1 << 6;
    /// "Mr", "Dr", "PC": the next capitalised words are a name.
    pub const TITLE: u64 = 1 << 7;
    /// "aunt", "neighbour", "mother's partner": the person named next to it.
    pub const RELATION: u64 = 1 << 8;
    /// "social worker", "health visitor": a practitioner named next to it.
    pub const ROLE: u64 = 1 << 9;
    /// "School", "Road", "Surgery": the capitalised words before it name a place.
    pub const SUFFIX: u64 = 1 << 10;
    /// "de", "van", "al", "bin": inside a name, written in lower case.
    pub const PARTICLE: u64 = 1 << 11;
    /// "said", "told", "visited": what a person does, after the name.
    pub const SPEECH: u64 = 1 << 12;
    /// "was", "had", "would": weak evidence after a name.
    pub const WEAK: u64 = 1 << 13;
    /// "told", "asked", "met": a person as the object, before the name.
    pub const OBJECT: u64 = 1 << 14;
    /// "the", "a", "this": an ordinary noun follows.
    pub const DETERMINER: u64 = 1 << 15;
    /// "in", "at", "from": a place may follow.
    pub const PREPOSITION: u64 = 1 << 16;
    /// "named", "called", "nicknamed": a name follows.
    pub const NAMED: u64 = 1 << 17;
    /// After a possessive: "Jade's mother", "Jade's bedroom".
    pub const PERSONAL_NOUN: u64 = 1 << 18;
    /// Between a name and its verb: "also", "later", "had".
    pub const SKIP: u64 = 1 << 19;
    /// After "was"/"had been": "seen", "arrested", "interviewed".
    pub const PASSIVE: u64 = 1 << 20;
    /// "about", "for", "by", "with", "of": before a person as often as before a thing.
    pub const PERSON_PREPOSITION: u64 = 1 << 30;
    /// "Signed", "Present", "From": a name follows the colon.
    pub const LABEL: u64 = 1 << 31;
    /// An ordinary English word (a dictionary word): a name only with strong context.
    pub const VOCAB: u64 = 1 << 32;
    /// "family", "household": "the Smith family".
    pub const FAMILY: u64 = 1 << 21;
    /// "St", "Saint", "Lake", "Mount": a place name follows.
    pub const PLACE_PREFIX: u64 = 1 << 22;
    /// "spoke", "talked", "lived": with "to"/"with", a person follows.
    pub const TO_VERB: u64 = 1 << 23;
    /// "child", "sibling", "school": a pseudonym ("Child J", "Sibling 1") follows.
    pub const PSEUDONYM: u64 = 1 << 24;
    /// Titles that count only when capitalised ("Sister Jones", not "his sister Jones" — that
    /// is a relation, which counts anyway).
    pub const TITLE_CAPITALISED: u64 = 1 << 25;
    /// Days, months, festivals: capitalised but not a phrase of the kind "Early Help".
    pub const TIME: u64 = 1 << 26;
    /// "and", "or", "&": a list of names.
    pub const CONJUNCTION: u64 = 1 << 27;
    /// "who": a person before it.
    pub const WHO: u64 = 1 << 28;
    /// "aged": "Jade, aged 4".
    pub const AGED: u64 = 1 << 29;
}

/// Folds a word for lookup: lower case, diacritics off, typographic apostrophes and hyphens
/// to ASCII. Appends to `out` (cleared first); returns false when the word is too long to be
/// a name (the caller skips it rather than allocating for it).
pub(super) fn fold_into(word: &str, out: &mut String) -> bool {
    out.clear();
    if word.len() > 64 {
        return false;
    }
    if word.is_ascii() && !word.contains('`') {
        out.push_str(word);
        out.make_ascii_lowercase();
        return true;
    }
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' => out.push('\''),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            _ => match base_letter(c) {
                Some(b) => out.push(b),
                None => out.extend(c.to_lowercase()),
            },
        }
    }
    true
}

/// The ASCII letter a Latin letter with diacritics is built on (from Unicode's
/// decompositions of Latin-1, Latin Extended-A and -B and Latin Extended Additional, which
/// cover Polish, Czech, Romanian, Turkish, Lithuanian and Vietnamese; generated once with
/// Python's unicodedata, '.' where there is none).
fn base_letter(c: char) -> Option<char> {
    const LATIN: &[u8] = b"aaaaaa.ceeeeiiiidnooooo.ouuuuy..aaaaaa.ceeeeiiiidnooooo.ouuuuy.yaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnn..oooooo..rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs................................oo.............uu...................dddlllnnnaaiioouuuuuuuuuu.aaaa....ggkkoooo..jdddgg..nnaa....aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............................";
    const ADDITIONAL: &[u8] = b"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyas....aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......";
    let cp = c as u32;
    let b = match cp {
        0xC0..=0x24F => LATIN.get((cp - 0xC0) as usize),
        0x1E00..=0x1EFF => ADDITIONAL.get((cp - 0x1E00) as usize),
        _ => None,
    }?;
    (*b != b'.').then_some(*b as char)
}

/// The 64-bit key of a folded word: words are looked up by key alone, never compared byte by
/// byte (a test checks that no two words of the lists share a key; a word of a document
/// meeting another's key by chance has odds of about one in 2^64 / 100,000). Built a byte at a
/// time, so that a word can be keyed as it is read, lower-cased on the way, without a copy.
#[derive(Clone, Copy)]
pub(super) struct Key(u64);

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Key {
    pub(super) fn new() -> Key {
        Key(0x9e37_79b9_7f4a_7c15)
    }
    pub(super) fn push(self, b: u8) -> Key {
        Key((self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K))
    }
    /// Bytes as they are (a folded word).
    pub(super) fn push_str(self, s: &str) -> Key {
        s.bytes().fold(self, Key::push)
    }
    /// ASCII bytes lower-cased (an ASCII word, folded on the way).
    pub(super) fn push_lower(self, s: &str) -> Key {
        s.bytes().fold(self, |k, b| k.push(b.to_ascii_lowercase()))
    }
    /// The key, mixed so that every bit depends on every byte (MurmurHash3's finaliser).
    pub(super) fn finish(self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The key of a folded word.
pub(super) fn key(folded: &str) -> u64 {
    Key::new().push_str(folded).finish()
}

/// The key of an ASCII word, equal to `key(&fold(word))` (the caller checks that it is ASCII
/// and has no backtick, which folding turns into an apostrophe).
pub(super) fn key_ascii(word: &str) -> u64 {
    Key::new().push_lower(word).finish()
}

/// Keys are mixed already: the tables use them as they are.
#[derive(Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; other bytes are mixed in all the same.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from keys.
pub(super) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The entries of a list: one per line, `#` starts a comment line.
pub(super) fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Every word and its flags.
pub(super) struct Lexicon {
    words: KeyMap<u64>,
}

impl Lexicon {
    /// Builds the lexicon with the given gazetteers and the shipped context lists.
    pub(super) fn new<'a>(given: impl IntoIterator<Item = &'a str>, surnames: impl IntoIterator<Item = &'a str>) -> Lexicon {
        let mut lex = Lexicon { words: KeyMap::default() };
        for g in given {
            lex.add_name(g, flag::GIVEN);
        }
        for s in surnames {
            lex.add_name(s, flag::SURNAME);
        }
        let mut tier = flag::COMMON;
        for line in COMMON_WORDS.lines().map(str::trim) {
            match line {
                "# tier: common" => tier = flag::COMMON,
                "# tier: strict" => tier = flag::STRICT,
                "# tier: function" => tier = flag::FUNCTION,
                l if l.is_empty() || l.starts_with('#') => {}
                l => lex.add(l, tier),
            }
        }
        for p in entries(PLACES) {
            lex.add(p, flag::PLACE);
        }
        for w in entries(STOP_WORDS).chain(entries(VOCABULARY)) {
            // "children's" and "barnardo's" are stored as the tokeniser sees them: the
            // possessive is split off.
            let w = w.strip_suffix("'s").unwrap_or(w);
            lex.add(w, flag::STOP);
        }
        for w in entries(ENGLISH_WORDS) {
            lex.add(w, flag::VOCAB);
        }
        let mut section = 0;
        for line in CONTEXT_WORDS.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix("# flag:") {
                section = SECTIONS.iter().find(|(n, _)| *n == name.trim()).map_or(0, |(_, f)| *f);
            } else if !line.starts_with('#') {
                for w in line.split_whitespace() {
                    lex.add(w, section);
                }
            }
        }
        // Context words are ordinary words too: "Aunt" or "Said" capitalised at the start of a
        // sentence is no name (unless the name lists say it may be one).
        let context = flag::TITLE
            | flag::RELATION
            | flag::ROLE
            | flag::SPEECH
            | flag::WEAK
            | flag::SKIP
            | flag::DETERMINER
            | flag::PREPOSITION
            | flag::NAMED
            | flag::SUFFIX
            | flag::PSEUDONYM
            | flag::TIME
            | flag::CONJUNCTION
            | flag::WHO;
        for f in lex.words.values_mut() {
            if *f & context != 0 {
                *f |= flag::STOP;
            }
        }
        lex
    }

    fn add_name(&mut self, name: &str, f: u64) {
        // "De Souza", "Van der Berg", "Dela Cruz": each word that is not a particle is the
        // name as the tokeniser will see it.
        let mut parts = name.split_whitespace().peekable();
        let multi = name.contains(' ');
        while let Some(p) = parts.next() {
            if multi && parts.peek().is_some() && NAME_PARTICLES.contains(&fold(p).as_str()) {
                continue;
            }
            self.add(p, f);
        }
    }

    fn add(&mut self, word: &str, f: u64) {
        let key = fold(word);
        if key.is_empty() {
            return;
        }
        *self.words.entry(self::key(&key)).or_insert(0) |= f;
    }

    /// The flags of a folded word (0 when unknown).
    pub(super) fn get(&self, folded: &str) -> u64 {
        self.get_key(key(folded))
    }

    /// The flags of a word by its key.
    pub(super) fn get_key(&self, key: u64) -> u64 {
        self.words.get(&key).copied().unwrap_or(0)
    }

    /// How many words it holds with any of `f`.
    pub(super) fn count(&self, f: u64) -> usize {
        self.words.values().filter(|v| **v & f != 0).count()
    }
}

/// `fold_into` into a new string.
pub(super) fn fold(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    if !fold_into(word, &mut s) {
        s = word.to_lowercase();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// No two words of the shipped lists share a key (words are never compared otherwise).
    #[test]
    fn keys_do_not_collide() {
        let lists = [GIVEN_NAMES, SURNAMES, COMMON_WORDS, PLACES, STOP_WORDS, VOCABULARY, CONTEXT_WORDS, ENGLISH_WORDS];
        let words: HashSet<String> =
            lists.iter().flat_map(|l| l.lines()).filter(|l| !l.starts_with('#')).flat_map(str::split_whitespace).map(fold).collect();
        let keys: HashSet<u64> = words.iter().map(|w| key(w)).collect();
        assert_eq!(words.len(), keys.len());
        assert!(words.len() > 30_000);
    }

    #[test]
    fn ascii_keys_are_folded_keys() {
        for w in ["Smith", "O'CONNOR", "smith-jones", "McDonald"] {
            assert_eq!(key_ascii(w), key(&fold(w)));
        }
        assert_eq!(key(&fold("Łukasz")), key("lukasz"));
        assert_eq!(key(&fold("Nguyễn")), key("nguyen"));
        assert_eq!(key(&fold("O\u{2019}Brien")), key("o'brien"));
    }
}
