//! Mentions of the register's people and places in a text.
//!
//! The text is tokenised once (words of letters with their internal apostrophes; every
//! other character is a gap between words, classified as whitespace, a hyphen, a dot or a
//! comma so that "Jade\n  Smith", "Smith-Jones", "J.S." and "SMITH, Jade" are each seen as
//! one name). Each word is looked up by hash in an index of the register's name parts
//! (folded to lower case without accents or apostrophes, so "SMITH", "smith" and "Śmith"
//! are one key); a quick filter on (first letter, length) spares the hash for most words.
//! Capitalised words that are not found exactly and are not common English words are
//! compared with the register's names by edit distance (a bitmask of letters rules out
//! most names before any distance is computed) and by a phonetic key (Metaphone).
//! Consecutive words that name the same person are joined into one finding; a title in
//! front ("Mrs", "Dr") is joined too and dropped from the replacement.
//!
//! Names that are also common words ("Rose", "Will", "Hope", "Mark", "Grace", and
//! surnames such as "Brown" or "Hall") are only taken as names when they are capitalised
//! and the capital is not explained by the start of a sentence (or an all-capitals line),
//! unless a title, a possessive or a verb such as "said" or "was" after them shows that a
//! person is meant.
//!
//! A surname shared by several people of the register stands alone for no one in
//! particular: it becomes "the family" when one of them is a family member (otherwise the
//! first of them in the case file), and "the Smiths" becomes "the family". A title narrows
//! it: "Mrs Smith" is the woman of that surname (by the role: mother, grandmother, ...),
//! "Mr Smith" the man, and an adult title is not the child.

use super::register::{Gender, NameWord, PersonEntry, PlaceEntry};
use super::{Category, Finding, Register};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

mod ordinary;
use ordinary::{Near, Reading};

/// FxHash: the keys are short words, for which SipHash's setup dominates the lookup.
/// Nothing here is keyed by an attacker who could gain from collisions beyond a slower
/// lookup on their own document.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub(crate) type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

// ---------------------------------------------------------------------------------------
// Normalisation

/// Apostrophes that may stand inside a name or before a possessive "s".
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}')
}

/// Appends `c` folded: lower case, Latin accents removed ("Łukasz" and "Lukasz", "Zoë"
/// and "Zoe" are written both ways in records).
pub(crate) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "i",
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => {
            "u"
        }
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push_str(s);
}

/// `s` folded into `out` (cleared first), apostrophes dropped: the key of a word.
pub(crate) fn normalise_into(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        if !is_apostrophe(c) {
            fold_char(c, out);
        }
    }
}

/// The key of a word as a new string.
pub(crate) fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalise_into(s, &mut out);
    out
}

// ---------------------------------------------------------------------------------------
// Tokens

/// What separates a word from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The first word of the text.
    Start,
    /// Only whitespace, line breaks included.
    Space,
    /// A single hyphen, nothing else ("Smith-Jones").
    Hyphen,
    /// One dot and whitespace ("J. Smith", "J.S.", "Mr. Smith").
    Dot,
    /// One comma and whitespace ("SMITH, Jade").
    Comma,
    Other,
}

/// A word of the text: letters with internal apostrophes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub start: usize,
    /// End of the word including a possessive ("Smith's", "James'").
    pub end: usize,
    /// End without the possessive.
    pub base_end: usize,
    /// Letters in the word without the possessive (apostrophes not counted), capped.
    pub letters: u16,
    /// Folded first letter, 0..26 for a-z, 26 for anything else.
    pub first: u8,
    /// Starts with a capital letter.
    pub cap: bool,
    /// Every letter a capital, at least two letters.
    pub all_caps: bool,
    pub poss: bool,
    pub gap: Gap,
    /// The capital may be due to the start of a sentence: the first word of the text, of a
    /// paragraph, or after `.`, `!`, `?`, `:`, `;` or a bullet (quotes and brackets between
    /// are ignored).
    pub sent_init: bool,
}

/// Whether a second apostrophe at `i` is followed by a letter ("O''Connor").
fn doubled_apostrophe(text: &str, i: usize) -> bool {
    char_at(text, i).is_some_and(|c| is_apostrophe(c) && char_at(text, i + c.len_utf8()).is_some_and(char::is_alphabetic))
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

fn first_index(c: char) -> u8 {
    let mut s = String::new();
    fold_char(c, &mut s);
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_lowercase() => b - b'a',
        _ => 26,
    }
}

/// Splits `text` into words (appended to `out`).
pub(crate) fn tokenise(text: &str, out: &mut Vec<Tok>) {
    tokenise_range(text, 0, text.len(), out);
}

/// Splits `text[start..end]` into words (offsets into `text`); `start` and `end` must be
/// character boundaries.
fn tokenise_range(text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
    let b = text.as_bytes();
    let n = end.min(b.len());
    let mut i = start;
    // Gap state since the previous word.
    let (mut ws, mut dots, mut commas, mut hyphens, mut other) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let mut first_word = true;
    // Sentence state: did the last significant character end a sentence?
    let mut terminal = true;
    let mut newlines = 0u32;
    // No word yet on this line.
    let mut line_start = true;
    while i < n {
        let c0 = b[i];
        let is_letter = if c0 < 0x80 { c0.is_ascii_alphabetic() } else { char_at(text, i).is_some_and(char::is_alphabetic) };
        if !is_letter {
            let (c, len) = if c0 < 0x80 { (c0 as char, 1) } else { char_at(text, i).map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8())) };
            match c {
                ' ' | '\t' | '\r' | '\u{A0}' | '\u{2009}' | '\u{202F}' => ws += 1,
                '\n' => {
                    ws += 1;
                    newlines += 1;
                    line_start = true;
                    if newlines >= 2 {
                        terminal = true;
                    }
                }
                '.' => {
                    dots += 1;
                    terminal = true;
                    newlines = 0;
                }
                ',' => {
                    commas += 1;
                    terminal = false;
                    newlines = 0;
                }
                '-' | '–' | '—' => {
                    if c == '-' {
                        hyphens += 1;
                    } else {
                        other += 1;
                    }
                    // A dash opening a line is a bullet; inside a sentence ("the youngest
                    // child - Iris - was") or a word it is not.
                    if line_start || first_word {
                        terminal = true;
                    }
                    newlines = 0;
                }
                '!' | '?' | ':' | ';' | '•' | '*' | '·' | '>' => {
                    other += 1;
                    terminal = true;
                    newlines = 0;
                }
                '"' | '\'' | '“' | '”' | '‘' | '’' | '(' | ')' | '[' | ']' => other += 1,
                _ if c.is_whitespace() => ws += 1,
                _ => {
                    other += 1;
                    terminal = false;
                    newlines = 0;
                }
            }
            i += len;
            continue;
        }
        // A word.
        let start = i;
        let mut j = i;
        let mut letters = 0u32;
        let mut cap = false;
        let mut all_upper = true;
        let mut first = 26u8;
        let mut last_apos: Option<usize> = None;
        let mut letters_at_apos = 0u32;
        let mut upper_at_apos = true;
        while j < n {
            let cj = b[j];
            // ASCII letters, the common case, without decoding.
            if cj.is_ascii_alphabetic() {
                if letters == 0 {
                    cap = cj.is_ascii_uppercase();
                    first = cj.to_ascii_lowercase() - b'a';
                }
                all_upper &= cj.is_ascii_uppercase();
                letters += 1;
                j += 1;
                continue;
            }
            let (c, len) = if cj < 0x80 { (cj as char, 1) } else { char_at(text, j).map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8())) };
            if c.is_alphabetic() {
                if letters == 0 {
                    cap = c.is_uppercase();
                    first = if cj < 0x80 { cj.to_ascii_lowercase() - b'a' } else { first_index(c) };
                }
                if c.is_lowercase() {
                    all_upper = false;
                }
                letters += 1;
                j += len;
            } else if is_apostrophe(c) && char_at(text, j + len).is_some_and(char::is_alphabetic) && letters > 0 {
                last_apos = Some(j);
                letters_at_apos = letters;
                upper_at_apos = all_upper;
                j += len;
            } else if is_apostrophe(c) && letters > 0 && doubled_apostrophe(text, j + len) {
                // "O''Connor": an apostrophe doubled by a slip or an escaping export.
                let second = char_at(text, j + len).map_or(1, char::len_utf8);
                last_apos = Some(j + len);
                letters_at_apos = letters;
                upper_at_apos = all_upper;
                j += len + second;
            } else {
                break;
            }
        }
        let mut end = j;
        let mut base_end = j;
        let mut poss = false;
        if let Some(p) = last_apos {
            if letters == letters_at_apos + 1 && matches!(b[j - 1], b's' | b'S') {
                base_end = p;
                poss = true;
                letters -= 1;
                all_upper = upper_at_apos;
            }
        }
        if !poss && matches!(b[j - 1], b's' | b'S') {
            if let Some(c) = char_at(text, j) {
                if is_apostrophe(c) && !char_at(text, j + c.len_utf8()).is_some_and(char::is_alphanumeric) {
                    end = j + c.len_utf8();
                    poss = true;
                }
            }
        }
        let gap = if first_word {
            Gap::Start
        } else if other == 0 && commas == 0 && dots == 0 && hyphens == 0 && ws > 0 {
            Gap::Space
        } else if hyphens == 1 && ws == 0 && other == 0 && commas == 0 && dots == 0 {
            Gap::Hyphen
        } else if dots == 1 && other == 0 && commas == 0 && hyphens == 0 {
            Gap::Dot
        } else if commas == 1 && other == 0 && dots == 0 && hyphens == 0 {
            Gap::Comma
        } else {
            Gap::Other
        };
        out.push(Tok {
            start,
            end,
            base_end,
            letters: letters.min(u32::from(u16::MAX)) as u16,
            first,
            cap,
            all_caps: all_upper && letters >= 2,
            poss,
            gap,
            sent_init: terminal,
        });
        first_word = false;
        terminal = false;
        newlines = 0;
        line_start = false;
        (ws, dots, commas, hyphens, other) = (0, 0, 0, 0, 0);
        i = end;
    }
}

// ---------------------------------------------------------------------------------------
// Word lists

/// Common English words (and words common in case reviews). A registered name that is one
/// of them needs evidence to be taken as a name; a capitalised word that is one of them is
/// never taken for a misspelling or sound-alike of a name ("Then" is not "Theo").
#[rustfmt::skip]
const COMMON: &[&str] = &[
    // function words
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "ago", "all", "almost", "alone", "along", "already",
    "also", "although", "always", "am", "among", "an", "and", "another", "any", "anyone", "anything", "are", "around", "as", "at",
    "away", "back", "be", "because", "been", "before", "behind", "being", "below", "beside", "between", "beyond", "both", "but", "by",
    "can", "cannot", "could", "did", "do", "does", "done", "down", "during", "each", "either", "else", "enough", "even", "ever",
    "every", "everyone", "except", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "least", "less",
    "like", "many", "may", "me", "might", "more", "most", "much", "must", "my", "near", "neither", "never", "next", "no", "nobody",
    "none", "nor", "not", "nothing", "now", "of", "off", "often", "on", "once", "one", "only", "onto", "or", "other", "others",
    "otherwise", "our", "ours", "out", "over", "own", "per", "perhaps", "quite", "rather", "same", "several", "shall", "she", "should",
    "since", "so", "some", "someone", "something", "sometimes", "soon", "still", "such", "than", "that", "the", "their", "them",
    "themselves", "then", "there", "therefore", "these", "they", "this", "those", "though", "through", "throughout", "thus", "to",
    "today", "together", "too", "toward", "towards", "under", "unless", "until", "up", "upon", "us", "very", "was", "we", "well",
    "were", "what", "whatever", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your", "yours", "yes", "via", "whilst", "amongst", "whereas", "thereafter", "meanwhile",
    "despite", "instead", "indeed", "later", "earlier", "first", "second", "third", "last", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "ten", "twelve", "twenty", "hundred",
    // verbs
    "ask", "asked", "attend", "attended", "became", "become", "began", "begin", "believe", "believed", "bring", "brought", "call",
    "called", "came", "care", "cared", "carry", "carried", "change", "changed", "check", "checked", "come", "concern", "concerned",
    "consider", "considered", "continue", "continued", "decide", "decided", "describe", "described", "disclose", "disclosed", "discuss",
    "discussed", "explain", "explained", "feel", "felt", "find", "found", "follow", "followed", "gave", "get", "give", "given", "go",
    "going", "gone", "got", "happen", "happened", "hear", "heard", "help", "helped", "hold", "held", "keep", "kept", "know", "knew",
    "known", "leave", "left", "let", "live", "lived", "lives", "living", "look", "looked", "made", "make", "meet", "met", "miss",
    "missed", "move", "moved", "need", "needed", "note", "noted", "observe", "observed", "offer", "offered", "open", "opened", "place",
    "placed", "plan", "planned", "provide", "provided", "put", "raise", "raised", "ran", "read", "receive", "received", "record",
    "recorded", "refer", "referred", "refuse", "refused", "remain", "remained", "report", "reported", "request", "requested", "return",
    "returned", "ring", "rang", "run", "said", "saw", "say", "says", "see", "seem", "seemed", "seen", "send", "sent", "set", "share",
    "shared", "show", "showed", "shown", "speak", "spoke", "spoken", "start", "started", "state", "stated", "stay", "stayed", "stop",
    "stopped", "suggest", "suggested", "take", "taken", "talk", "talked", "tell", "thought", "told", "took", "tried", "try", "turn",
    "turned", "understand", "understood", "use", "used", "visit", "visited", "wait", "waited", "want", "wanted", "went", "work",
    "worked", "write", "written", "wrote", "agreed", "agree", "arrive", "arrived", "appear", "appeared", "present", "presented",
    "confirm", "confirmed", "contact", "contacted", "identify", "identified", "assess", "assessed", "review", "reviewed", "discharge",
    "discharged", "admit", "admitted", "allege", "alleged", "reach", "reached", "mark", "marked", "hope", "hoped", "drew", "draw",
    "chase", "chased", "grace", "rose", "sue", "sued", "pat", "bill", "billed", "rob", "robbed", "nick", "wade", "miles", "faith",
    "joy", "dawn", "summer", "winter", "spring", "autumn", "fall", "frank", "frankly", "may", "june", "april", "august", "march",
    "january", "february", "july", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "christmas", "easter",
    // names and surnames that are everyday words (rarer ones such as "jade" or "ruby"
    // are left out: in a review they are far more often the name)
    "sky", "rain", "storm", "angel", "star", "honey", "patience", "charity", "river", "brook", "clay", "dale", "glen", "wood", "woods",
    "hill", "hills", "hall", "king", "brown", "white", "green", "black", "gray", "grey", "young", "long", "little", "rich", "hunt",
    "cook", "baker", "bishop", "mason", "page", "price", "bell", "stone", "lane", "banks", "cross", "marsh", "field", "fields", "ward",
    "law", "love", "guy", "jack", "dean", "ray", "art", "reed", "bob", "penny", "buddy", "duke", "prince", "princess", "baby", "lucky",
    "lord", "noble", "fox", "wolf", "lamb", "swan", "crane", "bird", "moss", "ash", "oak", "gold", "silver", "sage", "robin", "cliff",
    "ginger", "candy", "cherry", "berry", "carter", "porter", "turner", "walker", "cooper", "fisher", "hunter", "parker", "archer",
    "butler", "potter", "farmer", "shepherd", "gardener", "weaver", "knight", "bush", "house", "street", "rivers", "lake", "pool",
    "pond", "bridge", "bridges", "church", "chapel", "mill", "mills", "wells", "north", "south", "east", "west", "heart", "wise",
    "good", "best", "sharp", "strong", "short", "small", "large", "english", "french", "welsh", "irish", "bond", "sterling", "holly",
    "violet", "iris", "hazel", "olive", "daisy", "poppy", "ivy", "amber",
    // nouns, adjectives and adverbs
    "able", "about", "account", "action", "actions", "address", "adult", "adults", "advice", "age", "aged", "agency", "agencies",
    "alcohol", "appointment", "appointments", "area", "areas", "assessment", "attendance", "available", "aware", "bad", "bed",
    "behaviour", "big", "birth", "birthday", "board", "body", "book", "boy", "boys", "brother", "brothers", "building", "car", "case",
    "cases", "cause", "centre", "chair", "chance", "child", "childhood", "children", "city", "class", "clear", "clinic", "close",
    "closed", "concerns", "conference", "contacts", "council", "county", "court", "daily", "date", "dates", "daughter", "day", "days",
    "death", "decision", "department", "development", "difficult", "district", "doctor", "door", "drug", "drugs", "early", "education",
    "emergency", "end", "evening", "event", "events", "evidence", "example", "family", "families", "far", "father", "fathers",
    "findings", "fine", "floor", "food", "form", "friend", "friends", "front", "full", "further", "general", "girl", "girls",
    "grandfather", "grandmother", "great", "group", "half", "hand", "head", "health", "high", "history", "holiday", "home", "homes",
    "hospital", "hour", "hours", "household", "housing", "husband", "important", "incident", "information", "injury", "injuries",
    "issue", "issues", "kind", "lack", "learning", "level", "life", "line", "list", "local", "lot", "low", "main", "manager", "matter",
    "meeting", "meetings", "member", "members", "mental", "mind", "minutes", "month", "months", "morning", "mother", "mothers", "mum",
    "dad", "name", "names", "new", "news", "night", "nurse", "nursery", "office", "officer", "officers", "old", "order", "panel",
    "parent", "parents", "part", "partner", "partners", "partnership", "people", "period", "person", "phone", "plans", "point",
    "police", "policy", "poor", "possible", "practice", "practitioner", "practitioners", "primary", "private", "problem", "problems",
    "process", "professional", "professionals", "protection", "public", "reason", "recent", "records", "referral", "referrals",
    "relationship", "reports", "response", "result", "right", "risk", "risks", "road", "role", "room", "safe", "safeguarding", "school",
    "schools", "section", "service", "services", "session", "side", "sister", "sisters", "social", "son", "staff", "status", "step",
    "story", "strategy", "study", "support", "system", "team", "telephone", "term", "text", "thing", "things", "time", "times", "top",
    "town", "training", "true", "type", "unit", "use", "view", "views", "visitor", "visits", "voice", "water", "way", "week", "weekend",
    "weeks", "wife", "woman", "women", "word", "words", "worker", "workers", "world", "year", "years", "young", "youth", "man", "men",
    "lady", "gentleman", "sir", "madam", "chief", "executive", "summary", "background", "introduction", "conclusion", "conclusions",
    "recommendation", "recommendations", "lessons", "learned", "serious", "terms", "reference", "overview", "agenda", "appendix",
    "chronology", "individual", "management", "author", "authors", "independent", "national", "regional", "interim", "final", "draft",
    "mr", "mrs", "ms", "miss", "dr", "st", "road", "avenue", "lane", "close", "drive", "court", "park", "way", "crescent", "gardens",
    "grove", "terrace", "row", "walk", "square", "place", "view", "rise", "mews", "green", "hill", "vale", "due", "following",
    "further", "given", "known", "likely", "needs", "previous", "previously", "regarding", "relevant", "significant", "specific",
    "subsequently", "whether", "within", "whole", "wider", "worried", "concerning",
    // the institutions and vocabulary of reviews, never taken for a misspelt name
    "crown", "prosecution", "borough", "trust", "foundation", "authority", "authorities", "constabulary", "probation",
    "offending", "liaise", "liaison", "consult", "consultation", "consultant", "sheriff", "magistrates", "tribunal", "judge",
    "justice", "hearing", "proceedings", "application", "order", "orders", "emergency", "accident", "ambulance", "paramedic",
    "midwife", "midwifery", "maternity", "paediatric", "paediatrics", "paediatrician", "surgery", "clinic", "ward", "theatre",
    "academy", "college", "university", "nursery", "centre", "center", "church", "mosque", "temple", "synagogue", "charity",
    "housing", "tenancy", "landlord", "refuge", "hostel", "shelter", "prison", "custody", "remand", "bail", "arrest", "charge",
    "charged", "caution", "statement", "interview", "evidence", "witness", "victim", "offender", "perpetrator", "abuse",
    "neglect", "harm", "injury", "bruise", "bruising", "fracture", "fractures", "burn", "burns", "head", "skull", "brain",
    "domestic", "violence", "substance", "misuse", "drinking", "mental", "disorder", "depression", "anxiety", "postnatal",
    "antenatal", "booking", "appointment", "immunisation", "vaccination", "weight", "growth", "centile", "development",
    "speech", "language", "therapy", "therapist", "counsellor", "counselling", "advocate", "advocacy", "interpreter",
    "translator", "guardian", "cafcass", "ofsted", "lead", "leads", "named", "designated", "manager", "director", "chief",
    "officer", "inspector", "sergeant", "constable", "detective", "coroner", "inquest", "pathologist", "post", "mortem",
    "medway", "kent", "london", "england", "wales", "scotland", "britain", "united", "kingdom", "government", "department",
    "secretary", "state", "minister", "parliament", "act", "acts", "regulation", "regulations", "guidance", "working",
    "together", "framework", "procedure", "procedures", "protocol", "protocols", "threshold", "thresholds", "section",
    "appendix", "annex", "chapter", "paragraph", "figure", "table", "page", "pages", "version", "draft", "final", "copy",
    "copies", "website", "email", "letter", "letters", "form", "forms", "template", "templates", "chronology", "chronologies",
    "overview", "summary", "executive", "serious", "case", "review", "reviews", "panel", "chair", "member", "members",
    "terms", "reference", "scope", "scoping", "findings", "learning", "lessons", "practice", "practitioner", "improvement",
    "action", "plan", "monitoring", "publication", "published", "media", "press", "family", "families", "parents", "carers",
];

/// Words after a name that show it is the subject of a sentence ("Will said", "Hope was").
#[rustfmt::skip]
const SUBJECT_VERBS: &[&str] = &[
    "was", "is", "were", "are", "had", "has", "have", "said", "says", "told", "tells", "went", "goes", "did", "does", "would", "could",
    "should", "attended", "stated", "reported", "disclosed", "explained", "became", "began", "lived", "lives", "moved", "returned",
    "arrived", "left", "called", "rang", "asked", "refused", "agreed", "missed", "presented", "appeared", "seemed", "felt", "and",
    "family", "herself", "himself", "who", "later", "also", "then", "came", "continued", "wanted", "described", "alleged", "admitted",
    "denied", "confirmed", "visited", "phoned", "texted", "cried", "died", "spoke", "shouted", "ate", "played", "slept", "stays",
    "appears", "looked", "smiled", "spent", "needed", "liked", "loved", "enjoyed", "tried", "started", "stopped", "ran", "walked",
    "fell", "hit", "kicked", "screamed", "remained", "remains", "needs", "attends", "often", "never", "always", "still", "again",
    "initially", "subsequently", "repeatedly", "now", "says", "thinks", "thought", "knew", "saw", "heard", "gave", "took", "made",
    "wants", "likes", "lived", "drank", "drinks", "used", "uses", "became", "seems", "feels", "told", "cannot", "can't", "didn't",
    "wasn't", "hasn't", "hadn't", "doesn't", "won't", "isn't", "aren't", "weren't", "couldn't", "wouldn't", "shouldn't", "might",
    "must", "will", "shall", "can", "presents", "reports", "states", "explains", "describes", "discloses", "got", "wrote", "sat",
    "stood", "lost", "met", "kept", "brought", "woke", "spends", "sees", "seems", "remembers", "recalls", "returns", "moves",
    "seen", "taken", "given", "found", "known", "brought", "collected", "weighed", "being", "having", "not", "herself", "himself",
];

/// States a chronology's clipped note gives its subject without a verb ("Visit by Ms Cole;
/// Summer tearful."): after a name they show a person, never the word.
#[rustfmt::skip]
const STATE_WORDS: &[&str] = &[
    "tearful", "upset", "distressed", "unwell", "withdrawn", "anxious", "asleep", "absent", "unsettled", "subdued",
    "intoxicated", "drowsy", "frightened", "scared", "crying", "injured", "bruised", "unkempt", "dishevelled", "agitated",
];

/// A title before a name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Title {
    pub gender: Option<Gender>,
    /// Not a child's title ("Mrs" is not; "Miss" and "Master" may be).
    pub adult: bool,
    /// A professional's title ("Dr", "PC", "Nurse").
    pub professional: bool,
}

const fn t(gender: Option<Gender>, adult: bool, professional: bool) -> Title {
    Title { gender, adult, professional }
}

const F: Option<Gender> = Some(Gender::Female);
const M: Option<Gender> = Some(Gender::Male);

#[rustfmt::skip]
const TITLES: &[(&str, Title)] = &[
    ("mr", t(M, true, false)), ("mrs", t(F, true, false)), ("ms", t(F, true, false)), ("miss", t(F, false, false)),
    ("mx", t(None, true, false)), ("master", t(M, false, false)), ("sir", t(M, true, false)), ("dame", t(F, true, false)),
    ("lady", t(F, true, false)), ("lord", t(M, true, false)),
    ("dr", t(None, true, true)), ("doctor", t(None, true, true)), ("prof", t(None, true, true)), ("professor", t(None, true, true)),
    ("rev", t(None, true, true)), ("reverend", t(None, true, true)), ("pc", t(None, true, true)), ("dc", t(None, true, true)),
    ("ds", t(None, true, true)), ("di", t(None, true, true)), ("dci", t(None, true, true)), ("sgt", t(None, true, true)),
    ("sergeant", t(None, true, true)), ("inspector", t(None, true, true)), ("cllr", t(None, true, true)),
    ("councillor", t(None, true, true)), ("nurse", t(None, true, true)),
];

/// The first letters of the titles (m, d, p, r, s, l, c, i, n), to skip most words quickly.
const TITLE_FIRST_LETTERS: u32 = {
    let mut m = 0u32;
    let letters = b"mdprslcin";
    let mut k = 0;
    while k < letters.len() {
        m |= 1 << (letters[k] - b'a');
        k += 1;
    }
    m
};

/// The title a folded word is.
pub(crate) fn title(norm: &str) -> Option<Title> {
    TITLES.iter().find(|t| t.0 == norm).map(|t| t.1)
}

/// Capitals that are abbreviations in case reviews, never a person's initials.
#[rustfmt::skip]
const ACRONYMS: &[&str] = &[
    "gp", "hv", "sw", "cp", "cin", "lac", "mash", "nhs", "ed", "pc", "dc", "ds", "di", "imr", "scr", "lscb", "lscp", "scp", "camhs",
    "cahms", "dsl", "sen", "send", "ehcp", "iro", "ofsted", "uk", "us", "tv", "dv", "da", "ok", "mp", "cps", "sgo", "epo", "icpc",
    "rcpc", "cpc", "cpp", "caf", "eha", "tac", "taf", "csc", "ppn", "bmi", "dna", "ct", "mri", "hiv", "icu", "nicu", "scbu", "sids",
    "sudi", "am", "pm", "mb", "kb", "gb", "tb", "mg", "ml", "kg", "cm", "mm", "km", "hr", "hrs", "asb", "id", "it", "no", "st", "mr", "ms", "dr", "rd", "ae", "aande", "ie", "eg", "nb", "ps", "etc", "ltd",
    "plc", "cc", "bbc", "itv", "pcso", "ppo", "yot", "nspcc", "dwp", "hmrc", "lado", "marac", "mappa", "idva", "cse", "cce", "fgm",
    "adhd", "asd", "ptsd", "ssri", "sgt", "dob", "dod", "nfa", "tbc", "na", "nhsn", "or", "an", "as", "at", "be", "by", "do", "go",
    "he", "if", "in", "is", "me", "my", "of", "on", "so", "to", "up", "we", "oh", "ok", "hi", "ha",
];

/// Lower-case words inside a surname ("van der Berg", "de Souza", "bin Hassan").
pub(crate) const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "le", "la", "bin", "binti", "ibn", "al", "el", "ul",
    "abu", "ap", "ab", "bint", "ni", "nic", "mac", "ter", "ten", "st",
];

/// Towns and rivers whose names are a letter from a first name or surname ("Hove" and
/// "Hope", "Thames" and "Thomas"): never read as a misspelling or sound-alike.
#[rustfmt::skip]
const PLACE_WORDS: &[&str] = &[
    "thames", "severn", "trent", "mersey", "tyne", "tees", "avon", "wear", "ouse", "humber", "medway", "tamar", "derwent", "clyde",
    "forth", "dee", "exe", "wye", "usk", "taff", "kennet", "cherwell", "irwell", "aire", "calder", "swale", "ribble", "lune", "eden",
    "hove", "bath", "york", "hull", "leeds", "derby", "bolton", "bury", "poole", "dover", "deal", "ripon", "wells", "ely", "truro",
    "exeter", "leicester", "chester", "worcester", "gloucester", "lincoln", "preston", "luton", "slough", "reading", "crewe", "stoke",
    "wigan", "oldham", "rochdale", "halifax", "barnet", "brent", "camden", "hackney", "harrow", "ealing", "bexley", "bromley",
    "croydon", "merton", "sutton", "enfield", "havering", "hillingdon", "hounslow", "newham", "lambeth", "lewisham", "wandsworth",
    "kent", "essex", "surrey", "sussex", "devon", "dorset", "durham", "cumbria", "norfolk", "suffolk", "cardiff", "swansea",
    "newport", "bangor", "glasgow", "dundee", "perth", "ayr", "belfast", "derry", "newry", "london", "bristol", "oxford",
    "cambridge", "norwich", "ipswich", "brighton", "sheffield", "bradford", "carlisle", "lancaster", "warwick", "stafford",
    "shrewsbury", "hereford", "telford", "salford", "stockport", "dudley", "walsall", "wolverhampton", "coventry", "rugby",
    "harlow", "basildon", "colchester", "chelmsford", "margate", "hastings", "lewes", "worthing", "crawley", "woking", "guildford",
    "maidstone", "ashford", "canterbury", "folkestone", "plymouth", "torquay", "barnsley", "doncaster", "rotherham", "wakefield",
    "huddersfield", "burnley", "blackburn", "blackpool", "morecambe", "kendal", "whitby", "scarborough", "grimsby", "boston",
    "mansfield", "nottingham", "corby", "kettering", "bedford", "watford", "hatfield", "stevenage", "dartford", "gravesend",
];

fn is_place_word(norm: &str) -> bool {
    static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| set_of(PLACE_WORDS)).contains(norm)
}

fn set_of(words: &'static [&'static str]) -> FxSet<&'static str> {
    words.iter().copied().collect()
}

pub(crate) fn is_common(norm: &str) -> bool {
    static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| set_of(COMMON)).contains(norm)
}

fn is_subject_verb(norm: &str) -> bool {
    static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = set_of(SUBJECT_VERBS);
        set.extend(STATE_WORDS.iter().copied());
        set
    })
    .contains(norm)
}

fn is_acronym(norm: &str) -> bool {
    static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| set_of(ACRONYMS)).contains(norm)
}

// ---------------------------------------------------------------------------------------
// Sound and spelling

/// The Metaphone key of a folded word (lower-case ASCII letters; others are skipped).
/// Lawrence Philips' original rules, which are enough to join "Smith"/"Smyth",
/// "Stephen"/"Steven", "Philip"/"Filip", "Catherine"/"Kathryn", "Mohammed"/"Muhammad".
pub(crate) fn metaphone(word: &str, out: &mut String) {
    out.clear();
    let w: Vec<u8> = word.bytes().filter(u8::is_ascii_lowercase).collect();
    let n = w.len();
    if n == 0 {
        return;
    }
    let at = |k: usize| -> u8 { w.get(k).copied().unwrap_or(0) };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let mut i = 0;
    match (w[0], at(1)) {
        (b'a', b'e') | (b'g', b'n') | (b'k', b'n') | (b'p', b'n') | (b'w', b'r') => i = 1,
        (b'x', _) => {
            out.push('S');
            i = 1;
        }
        (b'w', b'h') => {
            out.push('W');
            i = 2;
        }
        _ => {}
    }
    let begin = i;
    while i < n {
        let c = w[i];
        let prev = if i > 0 { w[i - 1] } else { 0 };
        let next = at(i + 1);
        if c == prev && c != b'c' && i > begin {
            i += 1;
            continue;
        }
        match c {
            b'a' | b'e' | b'i' | b'o' | b'u' => {
                if i == begin {
                    out.push(c.to_ascii_uppercase() as char);
                }
            }
            b'b' => {
                if !(i + 1 == n && prev == b'm') {
                    out.push('B');
                }
            }
            b'c' => {
                if next == b'h' {
                    out.push(if prev == b's' { 'K' } else { 'X' });
                    i += 1;
                } else if next == b'i' && at(i + 2) == b'a' {
                    out.push('X');
                } else if matches!(next, b'i' | b'e' | b'y') {
                    if prev != b's' {
                        out.push('S');
                    }
                } else {
                    out.push('K');
                }
            }
            b'd' => {
                if next == b'g' && matches!(at(i + 2), b'e' | b'i' | b'y') {
                    out.push('J');
                    i += 1;
                } else {
                    out.push('T');
                }
            }
            b'g' => {
                if next == b'h' && (i + 2 >= n || !vowel(at(i + 2))) {
                    i += 1; // silent "gh" ("Leigh", "Hugh")
                } else if next == b'n' && (i + 2 == n || (at(i + 2) == b'e' && at(i + 3) == b'd' && i + 4 == n)) {
                    // silent ("Gnome" is handled at the start)
                } else if matches!(next, b'i' | b'e' | b'y') && prev != b'g' {
                    out.push('J');
                } else {
                    out.push('K');
                }
            }
            b'h' => {
                if vowel(next) && !matches!(prev, b'c' | b's' | b'p' | b't' | b'g') {
                    out.push('H');
                }
            }
            b'k' => {
                if prev != b'c' {
                    out.push('K');
                }
            }
            b'p' => {
                if next == b'h' {
                    out.push('F');
                    i += 1;
                } else {
                    out.push('P');
                }
            }
            b'q' => out.push('K'),
            b's' => {
                if next == b'h' {
                    out.push('X');
                    i += 1;
                } else if next == b'i' && matches!(at(i + 2), b'o' | b'a') {
                    out.push('X');
                } else if next == b'c' && at(i + 2) == b'h' {
                    out.push_str("SK");
                    i += 2;
                } else {
                    out.push('S');
                }
            }
            b't' => {
                if next == b'i' && matches!(at(i + 2), b'o' | b'a') {
                    out.push('X');
                } else if next == b'h' {
                    out.push('0');
                    i += 1;
                } else if !(next == b'c' && at(i + 2) == b'h') {
                    out.push('T');
                }
            }
            b'v' => out.push('F'),
            b'w' | b'y' => {
                if vowel(next) {
                    out.push(c.to_ascii_uppercase() as char);
                }
            }
            b'x' => out.push_str("KS"),
            b'z' => out.push('S'),
            _ => out.push(c.to_ascii_uppercase() as char),
        }
        i += 1;
    }
}

/// Given names written as they sound, which no sound key joins to their spelling: Irish
/// names above all ("Niamh" is said "Neve", "Siobhan" "Shevaun"), and a few others.
#[rustfmt::skip]
const SPELLING_VARIANTS: &[&[&str]] = &[
    &["niamh", "neve", "neave", "nieve", "neeve"],
    &["siobhan", "shevaun", "shivaun", "chevonne", "shivon", "shevon"],
    &["sinead", "shinead", "shanade"],
    &["aoife", "eefa", "eefah"],
    &["caoimhe", "keeva", "kweeva"],
    &["saoirse", "seersha", "sersha"],
    &["padraig", "paudric", "pawrick"],
    &["sean", "shaun", "shawn"],
    &["eoin", "owen"],
    &["ciara", "keira", "kiera", "kiara"],
    &["ciaran", "kieran", "keiran"],
    &["cathal", "cahal"],
    &["oisin", "osheen", "usheen"],
    &["roisin", "rosheen"],
    &["aisling", "ashling", "ashlin"],
    &["eimear", "emer"],
    &["mairead", "maraid"],
    &["grainne", "grania"],
    &["tadhg", "teague", "tiege"],
    &["aoibhinn", "eevin"],
    &["dearbhla", "dervla"],
    &["meabh", "maeve", "maev"],
    &["sadhbh", "sive"],
    &["orlaith", "orla"],
    &["darragh", "dara"],
    &["ruairi", "rory"],
    &["eilidh", "ailey", "eilie"],
    &["mhairi", "vari", "vhari"],
    &["iain", "ian"],
    &["rhys", "reece", "reese"],
    &["sian", "sharn"],
    &["sioned", "shoned"],
];

/// The other spellings of a folded given name.
fn spelling_variants(norm: &str) -> impl Iterator<Item = &'static &'static str> + '_ {
    SPELLING_VARIANTS.iter().filter(move |g| g.contains(&norm)).flat_map(|g| g.iter()).filter(move |v| **v != norm)
}

/// A looser sound key: the Metaphone key without "H", "W" and "Y" (often silent or a vowel's
/// glide: "Mohamud"/"Mahmoud", "Aisha"/"Ayesha") and with "X" ("sh") as "S" ("Sean"/
/// "Shaun"), marked with "~" so it never meets a strict key.
pub(crate) fn loose_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 1);
    out.push('~');
    out.extend(key.chars().filter(|c| !matches!(c, 'H' | 'W' | 'Y')).map(|c| if c == 'X' { 'S' } else { c }));
    out
}

/// Optimal-string-alignment (restricted Damerau-Levenshtein) distance, or `None` when it
/// exceeds `max`.
pub(crate) fn edit_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

fn letter_mask(word: &[char]) -> u64 {
    word.iter().fold(0u64, |m, &c| {
        let bit = if c.is_ascii_lowercase() { u32::from(c) - u32::from('a') } else { 26 + (u32::from(c) % 38) };
        m | (1u64 << bit)
    })
}

// ---------------------------------------------------------------------------------------
// The index

/// What a registered word is of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    First,
    Middle,
    Surname,
    /// "van", "de", "bin": only inside a longer name.
    Particle,
    Alias,
    /// A single capital standing for a first or middle name.
    Initial,
    /// Capitals standing for the whole name ("JS").
    Initials,
}

/// One person a word may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cand {
    pub person: u32,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
struct Fuzzy {
    chars: Vec<char>,
    mask: u64,
    slot: u32,
}

/// Whose the words of a phrase are.
#[derive(Debug, Clone, Copy)]
enum Target {
    Person(u32),
    Place(u32),
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    target: Target,
}

/// The register's people and places compiled for matching.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    /// Candidate lists; `exact`, `initials` and `letters` point into it.
    sets: Vec<Vec<Cand>>,
    /// Whether the word of a slot of `exact` is a common English word.
    common: Vec<bool>,
    exact: FxMap<String, u32>,
    /// Capitals for whole names ("js", "jls").
    initials: FxMap<String, u32>,
    /// Initials that are also an abbreviation or a word ("AN", "MS", "TO"): a person's only
    /// as the object of a verb of seeing one (see `initials_as_object`).
    acronym_initials: FxMap<String, u32>,
    /// A first or middle name's initial letter (a-z) to its people.
    letters: Vec<Option<u32>>,
    fuzzy: Vec<Fuzzy>,
    phonetic: FxMap<String, Vec<u32>>,
    phrases: FxMap<String, Vec<Phrase>>,
    /// (first letter, number of letters) of every key, for a quick refusal.
    pre: Vec<u64>,
    /// Every word of the registered places: never a misspelt or sound-alike name.
    place_words: FxSet<String>,
    /// A surname with its particle written as one word ("apiorwerth"), with its `exact` slot:
    /// misspelt across the space ("ap orwerth", "apI orwerth", "apoIorwerth").
    particle_surnames: Vec<(Vec<char>, u32)>,
    /// The people's initials, for checking "J.S." against a whole name.
    person_initials: Vec<Vec<String>>,
    pub people: Vec<PersonEntry>,
    pub places: Vec<PlaceEntry>,
}

fn pre_key(norm: &str) -> Option<(usize, usize)> {
    let first = norm.chars().next()?;
    let f = if first.is_ascii_lowercase() { (first as u8 - b'a') as usize } else { 26 };
    Some((f, norm.chars().count().min(63)))
}

impl Index {
    /// Compiles the people and places of a register.
    pub(crate) fn build(people: Vec<PersonEntry>, places: Vec<PlaceEntry>) -> Index {
        let mut ix = Index { letters: vec![None; 26], pre: vec![0; 27], ..Index::default() };
        let mut letter_sets: Vec<Vec<Cand>> = vec![Vec::new(); 26];
        let mut initials: FxMap<String, Vec<Cand>> = FxMap::default();
        let mut acronym_initials: FxMap<String, Vec<Cand>> = FxMap::default();
        let mut exact: FxMap<String, Vec<Cand>> = FxMap::default();
        let mut particle_keys: Vec<String> = Vec::new();
        for (p, person) in people.iter().enumerate() {
            let p = p as u32;
            let mut own_initials = Vec::new();
            for name in &person.names {
                // A hyphenated name written as one word ("ManKit" for "Man-Kit", "Smithjones").
                for pair in name.windows(2) {
                    if pair[0].kind == pair[1].kind && matches!(pair[0].kind, Kind::First | Kind::Surname) {
                        let joined = format!("{}{}", pair[0].norm, pair[1].norm);
                        push_cand(exact.entry(joined).or_default(), Cand { person: p, kind: pair[0].kind });
                    }
                }
                // A surname with its particle as one word ("apiorwerth").
                if let Some(k) = name.iter().position(|w| w.kind == Kind::Particle) {
                    if name[k..].iter().all(|w| matches!(w.kind, Kind::Particle | Kind::Surname)) {
                        let joined: String = name[k..].iter().map(|w| w.norm.as_str()).collect();
                        particle_keys.push(joined.clone());
                        push_cand(exact.entry(joined).or_default(), Cand { person: p, kind: Kind::Surname });
                    }
                }
                for w in name {
                    if w.norm.chars().count() >= 2 {
                        push_cand(exact.entry(w.norm.clone()).or_default(), Cand { person: p, kind: w.kind });
                    }
                    // Spellings a sound key cannot join ("Niamh" and "Neve").
                    if matches!(w.kind, Kind::First | Kind::Middle) {
                        for v in spelling_variants(&w.norm) {
                            push_cand(exact.entry((*v).to_string()).or_default(), Cand { person: p, kind: w.kind });
                        }
                    }
                    if matches!(w.kind, Kind::First | Kind::Middle | Kind::Surname) {
                        if let Some(b) = w.norm.bytes().next().filter(u8::is_ascii_lowercase) {
                            push_cand(&mut letter_sets[(b - b'a') as usize], Cand { person: p, kind: Kind::Initial });
                        }
                    }
                }
                // Initials: the first name and the surname's first part; and with middle names,
                // a hyphenated name written with one initial ("JKP" for Jodie Kerry-Ann Popa)
                // or one per part.
                let initial = |w: &NameWord| w.norm.chars().next();
                let given: Vec<char> = name.iter().filter(|w| matches!(w.kind, Kind::First | Kind::Middle)).filter_map(initial).collect();
                let given_whole: Vec<char> =
                    name.iter().filter(|w| matches!(w.kind, Kind::First | Kind::Middle) && !w.joined).filter_map(initial).collect();
                let surname: Vec<char> = name.iter().filter(|w| w.kind == Kind::Surname).filter_map(initial).collect();
                let first_of_first: Option<char> = name.iter().find(|w| w.kind == Kind::First).and_then(initial);
                if let (Some(f), Some(s)) = (first_of_first, surname.first()) {
                    own_initials.push(format!("{f}{s}"));
                    for g in [&given, &given_whole] {
                        own_initials.push(g.iter().chain(surname.iter().take(1)).collect());
                        own_initials.push(g.iter().chain(surname.iter()).collect());
                    }
                }
            }
            for alias in &person.aliases {
                match alias.as_slice() {
                    [one] => {
                        if one.chars().count() >= 2 {
                            push_cand(exact.entry(one.clone()).or_default(), Cand { person: p, kind: Kind::Alias });
                        }
                    }
                    [first, ..] => {
                        ix.phrases.entry(first.clone()).or_default().push(Phrase { words: alias.clone(), target: Target::Person(p) })
                    }
                    [] => {}
                }
            }
            own_initials.sort();
            own_initials.dedup();
            for i in &own_initials {
                // "AM" and "PM" are someone's initials except after a time (see `look_up`).
                if i.chars().count() >= 2 && (!is_acronym(i) || i == "am" || i == "pm") {
                    push_cand(initials.entry(i.clone()).or_default(), Cand { person: p, kind: Kind::Initials });
                } else if i.chars().count() >= 2 {
                    push_cand(acronym_initials.entry(i.clone()).or_default(), Cand { person: p, kind: Kind::Initials });
                }
            }
            ix.person_initials.push(own_initials);
        }
        for (k, place) in places.iter().enumerate() {
            ix.place_words.extend(place.phrases.iter().flatten().cloned());
            for words in &place.phrases {
                if let Some(first) = words.first() {
                    ix.phrases.entry(first.clone()).or_default().push(Phrase { words: words.clone(), target: Target::Place(k as u32) });
                }
            }
        }
        // Longest phrases first, so the first that matches is the longest.
        for list in ix.phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        let mut surnames_pre: Vec<String> = Vec::new();
        for (word, cands) in exact {
            let slot = ix.sets.len() as u32;
            if cands.iter().any(|c| c.kind == Kind::Surname) {
                surnames_pre.push(format!("{word}s"));
            }
            ix.common.push(is_common(&word));
            let chars: Vec<char> = word.chars().collect();
            // Nicknames are short and informal ("Marky"): a word one letter from one is more
            // often another name ("Mary") than a misspelling.
            if chars.len() >= 3 && cands.iter().any(|c| c.kind != Kind::Alias) {
                ix.fuzzy.push(Fuzzy { mask: letter_mask(&chars), chars, slot });
            }
            ix.sets.push(cands);
            ix.exact.insert(word, slot);
        }
        let mut key = String::new();
        for (f, fz) in ix.fuzzy.iter().enumerate() {
            let word: String = fz.chars.iter().collect();
            metaphone(&word, &mut key);
            if key.len() >= 2 {
                ix.phonetic.entry(key.clone()).or_default().push(f as u32);
            }
            let loose = loose_key(&key);
            if loose.len() >= 3 {
                ix.phonetic.entry(loose).or_default().push(f as u32);
            }
        }
        for (i, set) in letter_sets.into_iter().enumerate() {
            if !set.is_empty() {
                ix.letters[i] = Some(ix.sets.len() as u32);
                ix.common.push(false);
                ix.sets.push(set);
            }
        }
        for (word, cands) in initials {
            ix.initials.insert(word, ix.sets.len() as u32);
            ix.common.push(false);
            ix.sets.push(cands);
        }
        // Not among the quick-refusal keys: "an", "to", "on" in lower case would all pass it.
        for (word, cands) in acronym_initials {
            ix.acronym_initials.insert(word, ix.sets.len() as u32);
            ix.common.push(false);
            ix.sets.push(cands);
        }
        particle_keys.sort();
        particle_keys.dedup();
        for k in particle_keys {
            if let Some(&slot) = ix.exact.get(&k) {
                ix.particle_surnames.push((k.chars().collect(), slot));
            }
        }
        let keys: Vec<String> = ix.exact.keys().chain(ix.initials.keys()).chain(ix.phrases.keys()).cloned().chain(surnames_pre).collect();
        for k in keys {
            if let Some((f, len)) = pre_key(&k) {
                ix.pre[f] |= 1u64 << len;
            }
        }
        ix.people = people;
        ix.places = places;
        ix
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.phrases.is_empty() && self.initials.is_empty()
    }

    fn pre_hit(&self, t: &Tok, extra: u16) -> bool {
        let len = usize::from(t.letters + extra).min(63);
        self.pre.get(usize::from(t.first)).is_some_and(|m| m & (1u64 << len) != 0)
    }

    fn kind_of(&self, slot: u32, person: u32) -> Option<Kind> {
        self.sets.get(slot as usize)?.iter().find(|c| c.person == person).map(|c| c.kind)
    }

    fn set(&self, slot: u32) -> &[Cand] {
        self.sets.get(slot as usize).map_or(&[], Vec::as_slice)
    }

    /// The best misspelling or sound-alike of `word` (folded) among the register's words.
    fn fuzzy_match(&self, word: &str, scratch: &mut Vec<char>, key: &mut String) -> Option<(u32, How)> {
        scratch.clear();
        scratch.extend(word.chars());
        let n = scratch.len();
        if !(3..=30).contains(&n) {
            return None;
        }
        let mask = letter_mask(scratch);
        let mut best: Option<(usize, u32)> = None;
        for f in &self.fuzzy {
            let len = f.chars.len();
            // The allowance follows the registered name's length: one edit for 4-7 letters,
            // two from 8 (a 3-letter name has too many one-edit neighbours to allow any).
            let max = match len {
                0..=3 => continue,
                4..=7 => 1,
                _ => 2,
            };
            if len.abs_diff(n) > max || (mask ^ f.mask).count_ones() as usize > 2 * max {
                continue;
            }
            // A four-letter name misspelt keeps its first letter: "Theo" is not "Then" nor "Leo".
            if len == 4 && f.chars.first() != scratch.first() {
                continue;
            }
            if let Some(d) = edit_distance(scratch, &f.chars, max) {
                if d > 0 && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, f.slot));
                }
            }
        }
        if let Some((_, slot)) = best {
            return Some((slot, How::Edit));
        }
        metaphone(word, key);
        let loose = loose_key(key);
        for (k, strict) in [(key.as_str(), true), (loose.as_str(), false)] {
            let Some(list) = self.phonetic.get(k) else { continue };
            // Its letters, without the marker of a loose key.
            let key_len = k.len() - usize::from(!strict);
            for &f in list {
                let Some(f) = self.fuzzy.get(f as usize) else { continue };
                let len = f.chars.len();
                // Short keys ("KL", "JT") are shared by many names: ask for a similar spelling too.
                // A loose short key joins more: both names of five letters or more.
                let ok = if key_len >= 3 {
                    len >= 4 || n >= 4
                } else {
                    len >= 4
                        && n >= 4
                        && (strict || len.max(n) >= 5)
                        && f.chars.first() == scratch.first()
                        && edit_distance(scratch, &f.chars, len.max(n) / 2).is_some()
                };
                if ok {
                    return Some((f.slot, How::Phonetic));
                }
            }
        }
        None
    }
}

impl Index {
    /// A registered first name or surname of four letters or more one edit from an
    /// ordinary word (folded), keeping the first letter ("Main" and "Mann", "But" and "Butt").
    fn real_word_match(&self, word: &str, scratch: &mut Vec<char>) -> Option<(u32, How)> {
        scratch.clear();
        scratch.extend(word.chars());
        let n = scratch.len();
        if !(3..=30).contains(&n) {
            return None;
        }
        let mask = letter_mask(scratch);
        for f in &self.fuzzy {
            let len = f.chars.len();
            if len < 4 || len.abs_diff(n) > 1 || (mask ^ f.mask).count_ones() > 2 || f.chars.first() != scratch.first() {
                continue;
            }
            if edit_distance(scratch, &f.chars, 1) == Some(1)
                && self.set(f.slot).iter().any(|c| matches!(c.kind, Kind::First | Kind::Surname))
            {
                return Some((f.slot, How::RealWord));
            }
        }
        None
    }
}

fn push_cand(list: &mut Vec<Cand>, c: Cand) {
    // A person keeps their strongest reading of a word: a first name over an alias, ...
    if let Some(existing) = list.iter_mut().find(|e| e.person == c.person) {
        let rank = |k: Kind| match k {
            Kind::First => 0,
            Kind::Surname => 1,
            Kind::Middle => 2,
            Kind::Alias => 3,
            Kind::Initials => 4,
            Kind::Initial => 5,
            Kind::Particle => 6,
        };
        if rank(c.kind) < rank(existing.kind) {
            existing.kind = c.kind;
        }
    } else {
        list.push(c);
    }
}

// ---------------------------------------------------------------------------------------
// Detection

/// How a word was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    None,
    Exact,
    /// A single capital letter (a possible initial).
    Initial,
    /// Capitals standing for a whole name ("JS").
    Initials,
    /// A surname in the plural ("Smiths").
    Plural,
    Edit,
    /// A misspelling that is itself a word ("Main" for "Mann").
    RealWord,
    Phonetic,
}

#[derive(Debug, Clone, Copy)]
struct Look {
    how: How,
    slot: u32,
    phrase: bool,
    /// Taken for a name for want of evidence of the ordinary word (initials that are also
    /// an abbreviation, a misspelling that is itself a word): a lower confidence, and a
    /// misspelling alone must stand inside a sentence (see `ordinary::real_word_typo_alone`).
    weak: bool,
}

const NO_LOOK: Look = Look { how: How::None, slot: 0, phrase: false, weak: false };

/// Confidence factor of a finding made for want of evidence of the ordinary word.
const WEAK: f32 = 0.55;

/// Mentions of the register's people and places in `text`.
pub fn detect(text: &str, register: &Register) -> Vec<Finding> {
    let ix = &register.index;
    if ix.is_empty() {
        return Vec::new();
    }
    // Paragraph by paragraph (a name does not run across a blank line), so the words in
    // hand stay few and in cache however long the text.
    let mut out = Vec::new();
    let mut toks = Vec::new();
    let mut cache = FuzzyCache::default();
    let mut defined = None;
    let mut start = 0;
    while start < text.len() {
        let end = chunk_end(text, start);
        toks.clear();
        tokenise_range(text, start, end, &mut toks);
        let looks = look_up(text, ix, &toks, &mut cache, &mut defined);
        out.extend(Matcher { text, ix, toks: &toks, looks: &looks, out: Vec::new() }.run());
        start = end;
    }
    out
}

/// Where the piece of text starting at `start` ends: after the first blank line or line
/// ending a sentence (a dot after three lower-case letters, so not "Mrs." or "J.") at
/// least 32 KiB on, or at the end of the text.
fn chunk_end(text: &str, start: usize) -> usize {
    const MIN: usize = 32 << 10;
    let b = text.as_bytes();
    if b.len() - start <= 2 * MIN {
        return b.len();
    }
    let mut p = start + MIN;
    while p < b.len() {
        if b[p] == b'\n' && (b[p - 1] == b'\n' || (b[p - 1] == b'.' && b[p - 4..p - 1].iter().all(u8::is_ascii_lowercase))) {
            return p + 1;
        }
        p += 1;
    }
    b.len()
}

/// The start of a house number ("12", "12a", "12,") just before `start`, else `start`.
fn house_number_before(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut j = start;
    if j == 0 || b[j - 1] != b' ' {
        return start;
    }
    j -= 1;
    if j > 0 && b[j - 1] == b',' {
        j -= 1;
    }
    if j > 0 && b[j - 1].is_ascii_alphabetic() && j > 1 && b[j - 2].is_ascii_digit() {
        j -= 1;
    }
    let end_digits = j;
    while j > 0 && b[j - 1].is_ascii_digit() && end_digits - j < 4 {
        j -= 1;
    }
    if j == end_digits || (j > 0 && b[j - 1].is_ascii_alphanumeric()) {
        return start;
    }
    j
}

/// The start of a flat before a house number ("Flat 37, " of "Flat 37, 61 Chapel
/// Street"), else `start`.
fn flat_before(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut j = start;
    while j > 0 && matches!(b[j - 1], b' ' | b'\n') {
        j -= 1;
    }
    if j > 0 && b[j - 1] == b',' {
        j -= 1;
    }
    if j == start || j == 0 {
        return start;
    }
    if b[j - 1].is_ascii_alphabetic() && j > 1 && b[j - 2].is_ascii_digit() {
        j -= 1;
    }
    let end_digits = j;
    while j > 0 && b[j - 1].is_ascii_digit() && end_digits - j < 4 {
        j -= 1;
    }
    if j == end_digits || j == 0 || !matches!(b[j - 1], b' ' | b'\n') {
        return start;
    }
    let word_end = j - 1;
    let mut k = word_end;
    while k > 0 && b[k - 1].is_ascii_alphabetic() {
        k -= 1;
    }
    let word = &text[k..word_end];
    let flat = ["flat", "apartment", "apt", "unit", "maisonette", "room"].iter().any(|w| word.eq_ignore_ascii_case(w));
    if flat && (k == 0 || !b[k - 1].is_ascii_alphanumeric()) {
        k
    } else {
        start
    }
}

/// Whether a word at `start` follows a time or a number ("10 AM", "9.30 PM", "10AM") or
/// stands in a run of capitals ("I AM").
fn after_time(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t']);
    before.ends_with(|c: char| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// Whether capitals at `t` stand between a verb whose object is a person and "and" or "at"
/// ("Dr Khan examined AN and found", "saw MS at the clinic"), where an abbreviation or a
/// word would not; or open a sentence as its subject (see `initials_as_subject`).
fn initials_as_object(text: &str, t: &Tok) -> bool {
    let after = text.get(t.end..).unwrap_or("");
    let before = text.get(..t.start).unwrap_or("").trim_end_matches([' ', '\t', '\n']);
    if initials_as_subject(text, t, before, after) {
        return true;
    }
    if !(after.starts_with(" and ") || after.starts_with(" at ")) {
        return false;
    }
    let word_start = before.rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |k| k + 1);
    matches!(before.get(word_start..), Some("examined" | "saw" | "weighed" | "visited" | "met" | "discharged"))
}

/// Capitals that are a short word, a unit or a street's ("AN", "MM", "RD"), not a role's abbreviation,
/// opening a sentence or an entry before a verb of which a person is the subject ("AS
/// phoned", "AN met"), or a police rank with no name after it ("DC examined Grace"). "GP",
/// "HV" or "HA" there are the service ("GP examined", "HA told").
fn initials_as_subject(text: &str, t: &Tok, before: &str, after: &str) -> bool {
    let own = text.get(t.start..t.base_end).unwrap_or("");
    let word_like = matches!(
        own,
        "AN" | "AS"
            | "AT"
            | "BE"
            | "BY"
            | "DO"
            | "GO"
            | "HE"
            | "IF"
            | "IN"
            | "IS"
            | "ME"
            | "MY"
            | "OF"
            | "ON"
            | "SO"
            | "TO"
            | "UP"
            | "WE"
            | "OH"
            | "OK"
            | "HI"
            | "NO"
            | "OR"
            | "NA"
            | "MM"
            | "CM"
            | "KM"
            | "KG"
            | "MG"
            | "ML"
            | "MB"
            | "KB"
            | "GB"
            | "RD"
            | "ST"
            | "HR"
            | "ID"
    );
    // A police rank stands before a name ("DC Ward"); alone as a subject it is initials.
    let rank = matches!(own, "DC" | "DS" | "DI" | "PC");
    // Opening a line after a heading ("THE FAMILY\n\nMB examined") opens a sentence too.
    let line_start = text.get(before.len()..t.start).is_some_and(|gap| gap.contains('\n'));
    if !(word_like || rank) || !(before.is_empty() || line_start || before.ends_with(['.', '|', ',', ';', ':'])) {
        return false;
    }
    let Some(rest) = after.strip_prefix(' ') else { return false };
    let verb = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    matches!(verb, "examined" | "met" | "told" | "took" | "phoned" | "saw" | "visited" | "prescribed" | "discharged" | "weighed")
}

/// Misspellings and sound-alikes already decided, by folded word.
type FuzzyCache = FxMap<String, Option<(u32, How)>>;

fn look_up(text: &str, ix: &Index, toks: &[Tok], cache: &mut FuzzyCache, defined: &mut Option<FxSet<String>>) -> Vec<Look> {
    let mut looks = vec![NO_LOOK; toks.len()];
    let mut buf = String::new();
    let mut scratch = Vec::new();
    let mut key = String::new();
    for (k, (t, look)) in toks.iter().zip(looks.iter_mut()).enumerate() {
        if t.letters == 1 {
            if t.cap && !t.poss && t.first < 26 {
                if let Some(slot) = ix.letters.get(usize::from(t.first)).copied().flatten() {
                    *look = Look { how: How::Initial, slot, phrase: false, weak: false };
                }
            }
            if ix.pre_hit(t, 0) {
                normalise_into(&text[t.start..t.end], &mut buf);
                look.phrase = ix.phrases.contains_key(&buf);
            }
            continue;
        }
        let pre = ix.pre_hit(t, 0);
        if !pre && !t.cap {
            continue;
        }
        normalise_into(&text[t.start..t.base_end], &mut buf);
        if pre {
            // "AP" is someone's initials, not the particle of "ap Iorwerth" in capitals.
            let exact = ix
                .exact
                .get(&buf)
                .filter(|&&slot| !(t.all_caps && ix.initials.contains_key(&buf) && ix.set(slot).iter().all(|c| c.kind == Kind::Particle)));
            if let Some(&slot) = exact {
                *look = Look { how: How::Exact, slot, phrase: false, weak: false };
            } else if t.all_caps && t.letters <= 4 && !((buf == "am" || buf == "pm") && after_time(text, t.start)) {
                if let Some(&slot) = ix.initials.get(&buf) {
                    *look = Look { how: How::Initials, slot, phrase: false, weak: false };
                }
            }
            if t.poss && !ix.phrases.is_empty() {
                let mut full = String::new();
                normalise_into(&text[t.start..t.end], &mut full);
                look.phrase = ix.phrases.contains_key(&full) || ix.phrases.contains_key(&buf);
            } else {
                look.phrase = ix.phrases.contains_key(&buf);
            }
        }
        if look.how == How::None && t.all_caps && t.letters <= 4 && !ix.acronym_initials.is_empty() {
            if let Some(&slot) = ix.acronym_initials.get(&buf) {
                // The text's own abbreviations, found once.
                let defined = defined.get_or_insert_with(|| ordinary::defined_abbreviations(text, &|w: &str| ix.exact.contains_key(w)));
                let near = Near { text, toks, i: k };
                if let Reading::Name { evidence } = ordinary::acronym(&near, defined.contains(&buf), initials_as_object(text, t)) {
                    *look = Look { how: How::Initials, slot, phrase: false, weak: !evidence };
                }
            }
        }
        if look.how != How::None || !t.cap {
            continue;
        }
        if t.letters >= 4 && buf.ends_with('s') && ix.pre_hit(t, 0) {
            if let Some(&slot) = ix.exact.get(&buf[..buf.len() - 1]) {
                if ix.set(slot).iter().any(|c| c.kind == Kind::Surname) {
                    *look = Look { how: How::Plural, slot, phrase: look.phrase, weak: false };
                    continue;
                }
            }
        }
        // An abbreviation in capitals ("MASH", "CIN") is never a misspelt name; written as a
        // word ("Cin prescribed", "Sen took") it may be one, decided as a word is.
        if t.letters >= 3 && !ix.fuzzy.is_empty() && !(t.all_caps && is_acronym(&buf)) {
            // The same capitalised words come back again and again ("Police", "The"):
            // each is compared with the register's names once per text.
            let found = match cache.get(buf.as_str()) {
                Some(&found) => found,
                None => {
                    let found = if title(&buf).is_some() || is_place_word(&buf) || ix.place_words.contains(buf.as_str()) {
                        None
                    } else if is_common(&buf) || is_acronym(&buf) {
                        // A misspelling that is itself a word ("Main" for "Mann"): decided by
                        // the matcher (see `ordinary::real_word_typo_alone`).
                        ix.real_word_match(&buf, &mut scratch)
                    } else {
                        ix.fuzzy_match(&buf, &mut scratch, &mut key)
                    };
                    if cache.len() < 1 << 16 {
                        cache.insert(buf.clone(), found);
                    }
                    found
                }
            };
            if let Some((slot, how)) = found {
                *look = Look { how, slot, phrase: look.phrase, weak: how == How::RealWord };
            }
        }
    }
    if !ix.particle_surnames.is_empty() {
        particle_surname_slips(text, ix, toks, &mut looks);
    }
    looks
}

/// A surname with a particle misspelt across the space between them ("ap orwerth", "apI
/// orwerth", "apo Iorwerth", "apoIorwerth" for "ap Iorwerth"): one word, or two words
/// joined by a space, that are a letter from the particle and surname written together.
/// Such words are marked as a misspelling of the surname.
fn particle_surname_slips(text: &str, ix: &Index, toks: &[Tok], looks: &mut [Look]) {
    let mut w: Vec<char> = Vec::new();
    let mut buf = String::new();
    for k in 0..toks.len() {
        let t = toks[k];
        if t.poss || !ix.particle_surnames.iter().any(|(key, _)| key.first().is_some_and(|&c| c as u32 == u32::from(t.first) + 'a' as u32))
        {
            continue;
        }
        for &(ref key, slot) in &ix.particle_surnames {
            let len = key.len() as u16;
            // Keys are folded: their first letter is a-z when it matters.
            if key.first().is_none_or(|&c| c as u32 != u32::from(t.first) + 'a' as u32) {
                continue;
            }
            // One word: "apoIorwerth", "apIorwerth" (the latter an exact match already).
            if looks[k].how == How::None && t.letters + 1 >= len && t.letters <= len + 1 {
                normalise_into(&text[t.start..t.base_end], &mut buf);
                w.clear();
                w.extend(buf.chars());
                if edit_distance(&w, key, 1).is_some() {
                    looks[k] = Look { how: How::Edit, slot, phrase: looks[k].phrase, weak: false };
                }
                continue;
            }
            // Two words: the particle's letters and the surname's with the space misplaced.
            let Some(n) = toks.get(k + 1) else { continue };
            if n.gap != Gap::Space || text[t.end..n.start].contains('\n') || t.letters > 4 || t.letters + n.letters + 1 < len {
                continue;
            }
            if t.letters + n.letters > len + 1 || (looks[k].how == How::Exact && looks[k + 1].how == How::Exact) {
                continue;
            }
            normalise_into(&text[t.start..t.end], &mut buf);
            w.clear();
            w.extend(buf.chars());
            normalise_into(&text[n.start..n.base_end], &mut buf);
            w.extend(buf.chars());
            // The space must be misplaced or a letter slipped, not the particle before
            // another surname ("van Dijk" for "van der Berg").
            if edit_distance(&w, key, 1).is_some() {
                looks[k] = Look { how: How::Edit, slot, phrase: looks[k].phrase, weak: false };
                looks[k + 1] = Look { how: How::Edit, slot, phrase: looks[k + 1].phrase, weak: false };
            }
        }
    }
}

/// A name found over tokens `first..=last`.
struct Run {
    first: usize,
    last: usize,
    people: Vec<u32>,
    /// Confidence factor: below 1 when taken for a name for want of evidence of the word.
    conf: f32,
}

struct Matcher<'a> {
    text: &'a str,
    ix: &'a Index,
    toks: &'a [Tok],
    looks: &'a [Look],
    out: Vec<Finding>,
}

impl<'a> Matcher<'a> {
    fn run(mut self) -> Vec<Finding> {
        let n = self.toks.len();
        let mut i = 0;
        let mut buf = String::new();
        while i < n {
            let t = self.toks[i];
            // A title and the name after it.
            if t.cap && t.letters <= 10 && !t.poss && TITLE_FIRST_LETTERS & (1u32 << t.first) != 0 {
                normalise_into(&self.text[t.start..t.base_end], &mut buf);
                if let Some(found) = title(&buf) {
                    if let Some(next) = self.title_name(i, found) {
                        i = next;
                        continue;
                    }
                }
            }
            let phrase = if self.looks[i].phrase { self.phrase_at(i) } else { None };
            let run = self.run_at(i, false);
            // A hyphenated name with its hyphen misplaced ("ManK-it", "Ma-nKit" for Man-Kit).
            if phrase.is_none() && run.as_ref().is_none_or(|r| r.last == i) {
                if let Some(people) = self.misplaced_hyphen(i) {
                    self.emit_run(Run { first: i, last: i + 1, people, conf: 0.9 });
                    i += 2;
                    continue;
                }
            }
            match (phrase, run) {
                (Some((last, target, poss)), run) if run.as_ref().is_none_or(|r| self.toks[r.last].end <= self.toks[last].end) => {
                    self.emit_phrase(i, last, target, poss);
                    i = last + 1;
                }
                (_, Some(run)) => {
                    let next = run.last + 1;
                    self.emit_run(run);
                    i = next;
                }
                _ => {
                    if self.looks[i].how == How::Plural {
                        self.emit_plural(i);
                        i += 1;
                        continue;
                    }
                    // A misspelt first part of a hyphenated name ("Suke-Fan", "Mna-Kit").
                    if self.looks[i].how == How::None
                        && i + 1 < n
                        && !self.toks[i].poss
                        && self.looks[i + 1].how != How::None
                        && self.hyphen_joined(i + 1)
                    {
                        if let Some(mut run) = self.run_at(i + 1, false) {
                            if self.hyphen_part_before(i, &run.people) {
                                run.first = i;
                                let next = run.last + 1;
                                self.emit_run(run);
                                i = next;
                                continue;
                            }
                        }
                    }
                    i += 1;
                }
            }
        }
        self.out
    }

    fn norm(&self, i: usize, base: bool) -> String {
        let t = self.toks[i];
        normalise(&self.text[t.start..if base { t.base_end } else { t.end }])
    }

    /// Whether word `i` may stand in a name: `Some(true)` when it is a lower-case common
    /// word ("will", "rose"), which may only stand in a name written wholly in lower case
    /// with a word that is not common ("jade smith" but not "Jade will").
    fn word_ok(&self, i: usize) -> Option<bool> {
        let t = self.toks[i];
        let l = self.looks[i];
        match l.how {
            How::None | How::Plural => None,
            How::Initial => t.cap.then_some(false),
            How::Exact if !t.cap => {
                // "ap", "van", "de" inside a surname ("Mr ap Iorwerth"): a name word, but
                // never alone (see `accept`) and never last (see `run_at`).
                if self.ix.set(l.slot).iter().any(|c| c.kind == Kind::Particle) {
                    return Some(false);
                }
                if self.ix.common.get(l.slot as usize).copied().unwrap_or(true) {
                    Some(true)
                } else {
                    (t.letters > 2).then_some(false)
                }
            }
            _ => Some(false),
        }
    }

    /// The longest name starting at word `i`: consecutive words that can all be the same person.
    fn run_at(&self, i: usize, after_title: bool) -> Option<Run> {
        let look = self.looks[i];
        let mut lower_common = self.word_ok(i)?;
        let mut all_lower = !self.toks[i].cap;
        let mut people: Vec<u32> = self.ix.set(look.slot).iter().map(|c| c.person).collect();
        let mut j = i;
        // No name has more than eight words; the cap keeps a text of repeated name-words
        // ("rose rose rose ...") linear.
        while j + 1 < self.toks.len() && j - i < 8 && !self.toks[j].poss {
            let nx = j + 1;
            let gap_ok = match self.toks[nx].gap {
                Gap::Space | Gap::Hyphen => true,
                Gap::Dot => self.toks[j].letters == 1,
                // "SMITH, Jade": a surname, a comma, then the first name.
                Gap::Comma => j == i && self.surname_then_first(j, nx),
                _ => false,
            };
            if !gap_ok {
                break;
            }
            let Some(nx_common) = self.word_ok(nx) else { break };
            let nx_lower = !self.toks[nx].cap;
            if (nx_common && !all_lower) || (lower_common && !nx_lower) {
                break;
            }
            let next_set = self.ix.set(self.looks[nx].slot);
            let joined: Vec<u32> = people.iter().copied().filter(|p| next_set.iter().any(|c| c.person == *p)).collect();
            if joined.is_empty() {
                break;
            }
            people = joined;
            lower_common |= nx_common;
            all_lower &= nx_lower;
            j = nx;
        }
        // A particle does not end a name ("Maria van" is "Maria").
        while j > i && people.iter().all(|&p| self.ix.kind_of(self.looks[j].slot, p) == Some(Kind::Particle)) && !self.toks[j].cap {
            j -= 1;
        }
        // A single letter does not end a name unless initials stand alone ("J.S.").
        while j > i && self.looks[j].how == How::Initial && self.looks[i..j].iter().any(|l| l.how != How::Initial) {
            j -= 1;
        }
        // A hyphenated name with a part misspelt ("Man-KKit", "Kerry-Annn").
        while j + 1 < self.toks.len() && j - i < 8 && !self.toks[j].poss && self.hyphen_part(j + 1, &people) {
            j += 1;
        }
        if lower_common && (j == i || (i..=j).all(|k| self.ix.common.get(self.looks[k].slot as usize).copied().unwrap_or(true))) {
            if j == i && self.lower_name_as_object(i) {
                return Some(Run { first: i, last: j, people, conf: 1.0 });
            }
            // A given name in lower case ("iris phoned") is the person unless the word is
            // clearly meant; a surname in lower case ("hall", "wood") is the word.
            let given = self.ix.set(look.slot).iter().any(|c| matches!(c.kind, Kind::First | Kind::Middle | Kind::Alias));
            if j == i && given && !after_title {
                let near = Near { text: self.text, toks: self.toks, i };
                if let Reading::Name { evidence } = ordinary::common_word(&near, self.lower_evidence(i)) {
                    return Some(Run { first: i, last: j, people, conf: if evidence { 1.0 } else { WEAK } });
                }
            }
            return None;
        }
        let mut run = Run { first: i, last: j, people, conf: 1.0 };
        run.conf = self.accept(&run, after_title)?;
        Some(run)
    }

    /// The people of a hyphenated name that words `i` and `i + 1`, joined by a hyphen,
    /// spell with the hyphen moved ("SukF-an" for Suk-Fan): the letters together are the
    /// name's, the hyphen is not where the name has it, and one of the words is capitalised.
    fn misplaced_hyphen(&self, i: usize) -> Option<Vec<u32>> {
        let (a, b) = (self.toks[i], *self.toks.get(i + 1)?);
        if a.poss || !(a.cap || b.cap) || a.letters + b.letters < 4 || !self.hyphen_joined(i + 1) {
            return None;
        }
        let (first, second) = (self.norm(i, true), self.norm(i + 1, true));
        let slot = *self.ix.exact.get(&format!("{first}{second}"))?;
        let people: Vec<u32> = self
            .ix
            .set(slot)
            .iter()
            .map(|c| c.person)
            .filter(|&p| {
                // Only a name written with a hyphen elsewhere ("Man-Kit"), not where it is here.
                self.ix.people.get(p as usize).is_some_and(|e| {
                    e.names.iter().any(|n| {
                        n.windows(2).any(|w| {
                            w[1].joined && format!("{}{}", w[0].norm, w[1].norm) == format!("{first}{second}") && w[0].norm != first
                        })
                    })
                })
            })
            .collect();
        (!people.is_empty()).then_some(people)
    }

    /// Whether word `k` is joined to the word before by a hyphen ("-", "--", "–") only.
    fn hyphen_joined(&self, k: usize) -> bool {
        let t = self.toks[k];
        t.gap == Gap::Hyphen || {
            let gap = &self.text[self.toks[k - 1].end..t.start];
            t.gap == Gap::Other && gap.len() <= 6 && gap.chars().all(|c| matches!(c, '-' | '\u{2010}' | '\u{2013}'))
        }
    }

    /// Whether word `k`, joined by a hyphen to the name before it, is one letter from a
    /// word of one of `people`'s names (a misspelt part of a hyphenated name).
    fn hyphen_part(&self, k: usize, people: &[u32]) -> bool {
        k > 0 && self.hyphen_joined(k) && self.one_from_name_word(k, people)
    }

    /// The same for word `k` before a hyphen and the name.
    fn hyphen_part_before(&self, k: usize, people: &[u32]) -> bool {
        k + 1 < self.toks.len() && self.hyphen_joined(k + 1) && self.one_from_name_word(k, people)
    }

    fn one_from_name_word(&self, k: usize, people: &[u32]) -> bool {
        let t = self.toks[k];
        if t.letters < 2 || t.letters > 30 || !(t.cap || self.toks[k.saturating_sub(1)].cap) {
            return false;
        }
        let w: Vec<char> = self.norm(k, true).chars().collect();
        people.iter().filter_map(|&p| self.ix.people.get(p as usize)).any(|e| {
            e.names.iter().flatten().filter(|nw| nw.kind != Kind::Particle).any(|nw| {
                let name: Vec<char> = nw.norm.chars().collect();
                name.len() >= 3 && edit_distance(&w, &name, 1).is_some()
            })
        })
    }

    /// Whether a lower-case name-word is shown to be a person by the words around it: the
    /// object of "examined" before "and", the subject of a verb ("iris phoned").
    fn lower_evidence(&self, i: usize) -> bool {
        self.lower_name_as_object(i)
            || self.toks.get(i + 1).is_some_and(|n| {
                let next = self.norm(i + 1, false);
                n.gap == Gap::Space && !n.cap && (is_subject_verb(&next) || (n.letters > 3 && next.ends_with("ed")))
            })
    }

    /// A registered common-word name in lower case between a verb whose object is a person
    /// and "and" or "at" ("Dr Khan examined grace and found", "saw hope at the clinic"):
    /// the word itself would take an article there ("examined the grace").
    fn lower_name_as_object(&self, i: usize) -> bool {
        let t = self.toks[i];
        if i == 0 || t.gap != Gap::Space || t.poss {
            return false;
        }
        let Some(n) = self.toks.get(i + 1) else { return false };
        if n.gap != Gap::Space || self.toks[i - 1].poss {
            return false;
        }
        matches!(self.norm(i - 1, false).as_str(), "examined" | "saw" | "weighed" | "visited" | "met" | "discharged")
            && matches!(self.norm(i + 1, false).as_str(), "and" | "at")
    }

    fn surname_then_first(&self, j: usize, nx: usize) -> bool {
        let (a, b) = (self.looks[j], self.looks[nx]);
        a.how == How::Exact
            && b.how == How::Exact
            && self.ix.set(a.slot).iter().any(|c| c.kind == Kind::Surname && self.ix.kind_of(b.slot, c.person) == Some(Kind::First))
    }

    /// Whether a run is a name, and the confidence factor when it is (a common-word name
    /// is one unless the word is clearly meant; initials must be a person's initials).
    fn accept(&self, run: &Run, after_title: bool) -> Option<f32> {
        let words = &self.looks[run.first..=run.last];
        let weak = if words.iter().any(|l| l.weak) { WEAK } else { 1.0 };
        if words.iter().all(|l| l.how == How::Initial) {
            if run.last == run.first {
                return None;
            }
            // Spaced capitals without dots: not "A" or "I", which are words.
            let dotted = self.toks[run.first + 1..=run.last].iter().all(|t| t.gap == Gap::Dot);
            if !dotted && matches!(&self.text[self.toks[run.first].start..self.toks[run.first].base_end], "A" | "I") {
                return None;
            }
            let letters: String = (run.first..=run.last).map(|k| self.norm(k, true)).collect();
            return run
                .people
                .iter()
                .any(|&p| self.ix.person_initials.get(p as usize).is_some_and(|l| l.contains(&letters)))
                .then_some(1.0);
        }
        if run.first == run.last {
            let t = self.toks[run.first];
            let l = self.looks[run.first];
            let near = Near { text: self.text, toks: self.toks, i: run.first };
            if l.how == How::Exact {
                // A particle alone ("de", "van") is no name.
                if run.people.iter().all(|&p| self.ix.kind_of(l.slot, p) == Some(Kind::Particle)) {
                    return None;
                }
                if self.ix.common.get(l.slot as usize).copied().unwrap_or(true) {
                    if after_title {
                        return Some(1.0);
                    }
                    // The burden of proof is on the ordinary word (see `ordinary`).
                    return match ordinary::common_word(&near, self.common_word_evidence(run.first)) {
                        Reading::Word => None,
                        Reading::Name { evidence } => Some(if evidence { 1.0 } else { WEAK }),
                    };
                }
                return (t.cap || t.letters > 2).then_some(1.0);
            }
            // "Mrs Main" for Mrs Mann: after a title, a misspelling that is a word is the name.
            if l.how == How::RealWord && !after_title && !ordinary::real_word_typo_alone(&near) {
                return None;
            }
            return Some(weak);
        }
        // Several words: at least one capitalised or not a common word.
        let ok = (run.first..=run.last)
            .any(|k| self.toks[k].cap || !self.ix.common.get(self.looks[k].slot as usize).copied().unwrap_or(true))
            && (run.first..=run.last).any(|k| {
                let l = self.looks[k];
                l.how != How::Initial
                    && run.people.iter().any(|&p| !matches!(self.ix.kind_of(l.slot, p), Some(Kind::Particle) | Some(Kind::Initial)))
            });
        ok.then_some(if words.iter().all(|l| l.weak || l.how == How::Initial) { weak } else { 1.0 })
    }

    /// For a capitalised registered name that is also a common word: is a person meant?
    fn common_word_evidence(&self, i: usize) -> bool {
        let t = self.toks[i];
        if !t.cap {
            return false;
        }
        if t.poss {
            return true;
        }
        let neighbour_caps = (i > 0 && self.toks[i - 1].all_caps) || self.toks.get(i + 1).is_some_and(|n| n.all_caps);
        if !t.sent_init && (!t.all_caps || !neighbour_caps) {
            return true;
        }
        // The value of a label ("Child: Iris", "Present: Grace, ..."): the name ends its line
        // or its item.
        let after_colon = self.text[..t.start].trim_end_matches([' ', '\t']).ends_with(':');
        if after_colon && !t.all_caps {
            let rest = self.toks.get(i + 1).map_or("", |n| &self.text[t.end..n.start]);
            if self.toks.get(i + 1).is_none() || rest.contains('\n') || rest.trim_start().starts_with([',', ';', '(']) {
                return true;
            }
        }
        // At the start of a sentence or in capitals: the next word must show a person, a
        // verb of which the name is the subject ("Rose said", "Mark often drank", "Will
        // attended": a past tense in -ed).
        match self.toks.get(i + 1) {
            Some(n) if n.gap == Gap::Space => {
                let next = self.norm(i + 1, false);
                // "Iris usually", "Guy clearly": an adverb of the verb to come.
                is_subject_verb(&next)
                    || (!n.cap && n.letters > 4 && (next.ends_with("ed") || (next.ends_with("ly") && !next.ends_with("ily"))))
            }
            // "Rose (aged 4) said", "Rose, aged 4, said", "Rose, who ...", "Rose, Grace and
            // Iris": another of the register's people named after a comma.
            Some(n) => {
                let gap = &self.text[t.end..n.start];
                gap.trim_start().starts_with('(')
                    || (n.gap == Gap::Comma
                        && (matches!(self.norm(i + 1, false).as_str(), "aged" | "age" | "who" | "now" | "then" | "the" | "her" | "his")
                            || (n.cap && !n.sent_init && self.registered_name_at(i + 1))))
            }
            None => false,
        }
    }

    /// Whether word `k` is exactly a registered person's first name or surname.
    fn registered_name_at(&self, k: usize) -> bool {
        let l = self.looks[k];
        l.how == How::Exact && self.ix.set(l.slot).iter().any(|c| matches!(c.kind, Kind::First | Kind::Surname))
    }

    /// "Mrs Smith", "Dr Okafor", "Ms J. Smith", "Mr and Mrs Smith". Returns the word after.
    fn title_name(&mut self, i: usize, first: Title) -> Option<usize> {
        let next = i + 1;
        let t = self.toks.get(next)?;
        // "Mr and Mrs Smith"
        if matches!(t.gap, Gap::Space | Gap::Dot) && self.norm(next, true) == "and" {
            let t2 = next + 1;
            let tt = self.toks.get(t2)?;
            if tt.gap != Gap::Space || !tt.cap {
                return None;
            }
            let second = title(&self.norm(t2, true))?;
            let gap_ok = matches!(self.toks.get(t2 + 1)?.gap, Gap::Space | Gap::Dot);
            if !gap_ok {
                return None;
            }
            let run = self.run_at(t2 + 1, true)?;
            let one = self.resolve_titled(&run.people, first.gender, first.adult, first.professional);
            let two = self.resolve_titled(&run.people, second.gender, second.adult, second.professional);
            let replacement = match (one, two) {
                (Some(a), Some(b)) if a != b => format!("{} and {}", self.pseudonym(a), self.pseudonym(b)),
                _ => self.titled_fallback(&run.people).0,
            };
            let last = run.last;
            let replacement = self.with_possessive(replacement, last);
            self.push(self.toks[i].start, self.toks[last].end, Category::Person, None, "known:title", 0.9, replacement);
            return Some(last + 1);
        }
        if !matches!(t.gap, Gap::Space | Gap::Dot) {
            return None;
        }
        let run = self.run_at(next, true)?;
        let last = run.last;
        let (replacement, key, conf) = match self.resolve_titled(&run.people, first.gender, first.adult, first.professional) {
            Some(person) => {
                let conf = if run.people.len() == 1 { 0.98 } else { 0.8 };
                (self.pseudonym(person).to_string(), self.ix.people.get(person as usize).map(|p| p.key.clone()), conf)
            }
            None => {
                let (r, k) = self.titled_fallback(&run.people);
                (r, k, 0.7)
            }
        };
        let replacement = self.with_possessive(replacement, last);
        self.push(self.toks[i].start, self.toks[last].end, Category::Person, key, "known:title", conf, replacement);
        Some(last + 1)
    }

    /// Of the people a titled name may be, the one the title fits: the same sex, an adult
    /// for an adult's title, a professional for "Dr" or "PC"; the first in the case file
    /// when several do, none when none does.
    fn resolve_titled(&self, people: &[u32], gender: Option<Gender>, adult: bool, professional: bool) -> Option<u32> {
        let entry = |p: &u32| self.ix.people.get(*p as usize);
        let fits = |p: &u32| entry(p).is_some_and(|e| !((adult && e.child) || (professional && e.family)));
        let same_sex = people.iter().copied().find(|p| fits(p) && gender.is_some() && entry(p).is_some_and(|e| e.gender == gender));
        same_sex.or_else(|| people.iter().copied().find(|p| fits(p) && (gender.is_none() || entry(p).is_some_and(|e| e.gender.is_none()))))
    }

    /// What a titled name that fits no one becomes: "the family" when the family shares the
    /// name, else the first person's pseudonym.
    fn titled_fallback(&self, people: &[u32]) -> (String, Option<String>) {
        if people.iter().any(|&p| self.ix.people.get(p as usize).is_some_and(|e| e.family)) {
            ("the family".to_string(), Some("family".to_string()))
        } else {
            let p = people.first().copied().unwrap_or(0);
            (self.pseudonym(p).to_string(), self.ix.people.get(p as usize).map(|e| e.key.clone()))
        }
    }

    fn pseudonym(&self, p: u32) -> &str {
        self.ix.people.get(p as usize).map_or("[name]", |e| e.pseudonym.as_str())
    }

    /// `replacement` with the possessive of word `last` ("Mother" + "'s").
    fn with_possessive(&self, mut replacement: String, last: usize) -> String {
        let t = self.toks[last];
        if t.poss {
            let suffix = &self.text[t.base_end..t.end];
            if suffix.chars().count() == 1 {
                // "James'" becomes "Child A's".
                replacement.push_str(suffix);
                replacement.push('s');
            } else {
                replacement.push_str(suffix);
            }
        }
        replacement
    }

    fn emit_run(&mut self, run: Run) {
        let looks: Vec<Look> = self.looks[run.first..=run.last].to_vec();
        let only_initials = looks.iter().all(|l| matches!(l.how, How::Initial | How::Initials));
        let surname_only = run.people.len() > 1
            && !only_initials
            && (run.first..=run.last).all(|k| run.people.iter().all(|&p| self.ix.kind_of(self.looks[k].slot, p) == Some(Kind::Surname)));
        // Initials name the person whose initials they are ("A.N." is Anna Newton, not
        // Nadia Ali, though both have an A and an N).
        let mut run = run;
        if only_initials && run.people.len() > 1 {
            let letters: String = (run.first..=run.last).map(|k| self.norm(k, true)).collect();
            if let Some(&p) = run.people.iter().find(|&&p| self.ix.person_initials.get(p as usize).is_some_and(|l| l.contains(&letters))) {
                run.people = vec![p];
            }
        }
        let (replacement, key, mut conf) = if surname_only {
            // A surname shared by several people names none of them in particular.
            let family = run.people.iter().any(|&p| self.ix.people.get(p as usize).is_some_and(|e| e.family));
            if family {
                ("the family".to_string(), Some("family".to_string()), 0.85)
            } else {
                let p = run.people[0];
                (self.pseudonym(p).to_string(), self.ix.people.get(p as usize).map(|e| e.key.clone()), 0.8)
            }
        } else {
            let p = run.people[0];
            let conf = if run.people.len() == 1 { 1.0 } else { 0.8 };
            (self.pseudonym(p).to_string(), self.ix.people.get(p as usize).map(|e| e.key.clone()), conf)
        };
        let p = run.people[0];
        let kinds: Vec<Option<Kind>> = looks.iter().map(|l| self.ix.kind_of(l.slot, p)).collect();
        let detector = if looks.iter().any(|l| l.how == How::Phonetic) {
            conf *= if looks.len() > 1 { 0.9 } else { 0.7 };
            "known:phonetic"
        } else if looks.iter().any(|l| matches!(l.how, How::Edit | How::RealWord)) {
            conf *= if looks.len() > 1 { 0.95 } else { 0.8 };
            "known:edit_distance"
        } else if only_initials || (looks.iter().any(|l| l.how == How::Initial) && !kinds.contains(&Some(Kind::First))) {
            conf *= 0.9;
            "known:initials"
        } else if looks.len() > 1 {
            "known:exact"
        } else {
            match kinds[0] {
                Some(Kind::Alias) => "known:alias",
                Some(Kind::Surname) => "known:surname",
                _ => "known:first_name",
            }
        };
        if looks.len() == 1 && looks[0].how == How::Exact {
            let t = self.toks[run.first];
            if self.ix.common.get(looks[0].slot as usize).copied().unwrap_or(false) {
                conf *= 0.8;
            } else if !t.cap {
                conf *= 0.85;
            } else {
                conf *= 0.95;
            }
        }
        conf *= run.conf;
        let replacement = self.with_possessive(replacement, run.last);
        self.push(self.toks[run.first].start, self.toks[run.last].end, Category::Person, key, detector, conf, replacement);
    }

    /// "the Smiths", "Smiths'": the family.
    fn emit_plural(&mut self, i: usize) {
        let look = self.looks[i];
        let people: Vec<u32> = self.ix.set(look.slot).iter().filter(|c| c.kind == Kind::Surname).map(|c| c.person).collect();
        let family = people.iter().any(|&p| self.ix.people.get(p as usize).is_some_and(|e| e.family));
        let t = self.toks[i];
        let mut start = t.start;
        let mut replacement = if family {
            "the family".to_string()
        } else {
            people.first().map_or_else(|| "[name]".to_string(), |&p| self.pseudonym(p).to_string())
        };
        if family && i > 0 && t.gap == Gap::Space {
            let prev = &self.text[self.toks[i - 1].start..self.toks[i - 1].end];
            if prev.eq_ignore_ascii_case("the") {
                start = self.toks[i - 1].start;
                if prev.starts_with('T') {
                    replacement = "The family".to_string();
                }
            }
        }
        let replacement = self.with_possessive(replacement, i);
        let key = if family {
            Some("family".to_string())
        } else {
            people.first().and_then(|&p| self.ix.people.get(p as usize)).map(|e| e.key.clone())
        };
        self.push(start, t.end, Category::Person, key, "known:surname", 0.85, replacement);
    }

    /// The longest registered phrase (a place, a several-word alias) starting at word `i`.
    /// Returns the last word and whether it ends in a possessive that is not part of the
    /// phrase ("St Mary's Hospital's" but not "St Mary's").
    fn phrase_at(&self, i: usize) -> Option<(usize, Target, bool)> {
        let first = self.norm(i, false);
        let list = self.ix.phrases.get(&first).or_else(|| self.ix.phrases.get(&self.norm(i, true)))?;
        'phrases: for phrase in list {
            let mut k = i;
            let mut poss = phrase.words.len() == 1 && self.toks[i].poss && self.norm(i, true) == phrase.words[0];
            for (w, word) in phrase.words.iter().enumerate() {
                if w > 0 {
                    k += 1;
                    let Some(t) = self.toks.get(k) else { continue 'phrases };
                    if !matches!(t.gap, Gap::Space | Gap::Hyphen | Gap::Dot) {
                        continue 'phrases;
                    }
                    let full = self.norm(k, false);
                    let last = w + 1 == phrase.words.len();
                    if &full != word {
                        if last && t.poss && &self.norm(k, true) == word {
                            poss = true;
                        } else {
                            continue 'phrases;
                        }
                    }
                }
            }
            let t = self.toks[i];
            match phrase.target {
                // A one-word place ("Southview" for Southview Junior School) only with its
                // capital; a common word ("Riverside") not where a sentence may capitalise it.
                Target::Place(_) if phrase.words.len() == 1 => {
                    if !t.cap || (is_common(&phrase.words[0]) && t.sent_init) {
                        continue;
                    }
                }
                // A street alone ("Chapel Street") with its capital or its house number.
                Target::Place(p)
                    if !t.cap
                        && self.ix.places.get(p as usize).is_some_and(|pl| pl.category == Category::Address)
                        && house_number_before(self.text, t.start) == t.start =>
                {
                    continue;
                }
                _ => {
                    if phrase.words.len() == 1 && is_common(&phrase.words[0]) && !t.cap {
                        continue;
                    }
                }
            }
            return Some((k, phrase.target, poss));
        }
        None
    }

    fn emit_phrase(&mut self, i: usize, last: usize, target: Target, poss: bool) {
        let (start, end) = (self.toks[i].start, self.toks[last].end);
        let with_possessive = |m: &Self, r: String| if poss { m.with_possessive(r, last) } else { r };
        match target {
            Target::Person(p) => {
                let replacement = with_possessive(self, self.pseudonym(p).to_string());
                let key = self.ix.people.get(p as usize).map(|e| e.key.clone());
                self.push(start, end, Category::Person, key, "known:alias", 0.95, replacement);
            }
            Target::Place(k) => {
                let Some(place) = self.ix.places.get(k as usize) else { return };
                // A street's house number goes with it ("12 example row", "12, Example Row").
                // And a flat before it ("Flat 37, 61 Chapel Street").
                let start = if place.category == Category::Address {
                    let number = house_number_before(self.text, start);
                    if number < start {
                        flat_before(self.text, number)
                    } else {
                        start
                    }
                } else {
                    start
                };
                let replacement = with_possessive(self, place.pseudonym.clone());
                let (key, category) = (place.key.clone(), place.category);
                let detector = if category == Category::Address { "known:address" } else { "known:place" };
                self.push(start, end, category, Some(key), detector, 0.95, replacement);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        start: usize,
        end: usize,
        category: Category,
        entity: Option<String>,
        detector: &str,
        confidence: f32,
        replacement: String,
    ) {
        self.out.push(Finding {
            start,
            end,
            text: self.text[start..end].to_string(),
            category,
            entity,
            detector: detector.to_string(),
            confidence,
            replacement,
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::anonymise::{anonymise, CaseFile};

    #[test]
    fn sound_alikes_by_the_looser_key() {
        let r = CaseFile::register_from_json(
            r#"{"people": [
                { "names": ["Sean Lungu"], "role": "father" },
                { "names": ["Aisha Butt"], "role": "mother" },
                { "names": ["Maryan Mohamud"], "role": "child" },
                { "names": ["Siobhan Walsh"], "role": "grandmother" },
                { "names": ["Niamh Walsh"], "role": "sibling" }
            ]}"#,
        )
        .unwrap();
        for (text, want) in [
            ("Dr Khan saw Shaun at the surgery.", "Father"),
            ("Ayesha Butt examined her.", "Mother"),
            ("The nurse saw Maryan Mahmoud at home.", "Child A"),
            ("The nurse saw Shevaun at home.", "Grandmother"),
            ("Neve was seen.", "Sibling 1"),
        ] {
            assert!(anonymise(text, &r).text.contains(want), "{text}: {}", anonymise(text, &r).text);
        }
        // An abbreviation is never a misspelt name ("MASH" and "Moss" share a loose key).
        let r2 = CaseFile::register_from_json(r#"{"people": [{ "names": ["Mia Moss"], "role": "child" }]}"#).unwrap();
        assert_eq!(anonymise("Referral to MASH.", &r2).text, "Referral to MASH.");
        // Dotted initials name the person whose initials they are.
        let r3 = CaseFile::register_from_json(
            r#"{"people": [{ "names": ["Nadia Ali"], "role": "sibling" }, { "names": ["Anna Newton"], "role": "aunt" }]}"#,
        )
        .unwrap();
        assert_eq!(anonymise("A.N. was seen.", &r3).text, "Aunt. was seen.");
        // A name that sounds otherwise and is spelt otherwise is not taken.
        assert!(!anonymise("Simone attended.", &r).findings.iter().any(|f| f.detector.starts_with("known:")));
    }

    #[test]
    fn hyphenated_names_initials_doubled_apostrophes_and_subjects() {
        let r = CaseFile::register_from_json(
            r#"{"people": [
                { "names": ["Jodie Kerry-Ann Popa"], "role": "child" },
                { "names": ["Man-Kit Wu"], "role": "father" },
                { "names": ["Ronan O'Connor"], "role": "gp" },
                { "names": ["Angharad Prosser"], "role": "social worker" },
                { "names": ["Carys ap Iorwerth"], "role": "teacher" },
                { "names": ["Mihaela Bird"], "role": "health visitor" },
                { "names": ["Deepak Chauhan"], "role": "police officer" }
            ]}"#,
        )
        .unwrap();
        let clean = |text: &str, gone: &[&str]| {
            let out = anonymise(text, &r).text;
            for g in gone {
                assert!(!out.contains(g), "{text}: {out}");
            }
        };
        // A hyphenated given name has one initial, or one per part.
        clean("Dr Shah saw JKP at the surgery.", &["JKP"]);
        clean("Dr Shah saw J.K.P. at the surgery.", &["J.K.P."]);
        clean("Dr Shah saw JKAP at the surgery.", &["JKAP"]);
        // A hyphen moved inside a hyphenated name.
        clean("ManK-it met Violet. Ma-nKit told the nurse.", &["ManK", "nKit"]);
        // A doubled apostrophe.
        clean("Dr O''Connor prescribed antidepressants. Ronan O''Connor phoned.", &["O''", "Connor"]);
        // Capitals that are a particle ("ap") and someone's initials.
        clean("2 May 2020, Probation, AP phoned Fionn to cancel the visit.", &["AP"]);
        // Initials opening a line after a heading; a police rank alone as a subject.
        clean("THE FAMILY\n\nMB examined Yvonne and found no injuries.", &["MB"]);
        clean("The family\n\nDC examined Grace and found no injuries.", &["DC"]);
        // The ordinary readings stay.
        for text in [
            "DC Ward examined the scene.",
            "The file was 2 MB in size.",
            "Mr ap Iorwerth was seen.",
            "The well-known by-law applies.",
            "She said ''hello'' to him.",
        ] {
            let out = anonymise(text, &r);
            assert!(
                !out.text.contains("Child")
                    && !out.findings.iter().any(|f| text[f.start..f.end].contains("DC") || &text[f.start..f.end] == "MB"),
                "{text}: {}",
                out.text
            );
        }
    }

    #[test]
    fn particle_surnames_misspelt_across_the_space() {
        let r = CaseFile::register_from_json(
            r#"{"people": [
                { "names": ["Seren ap Iorwerth"], "role": "child" },
                { "names": ["Maria van der Berg"], "role": "teacher" }
            ]}"#,
        )
        .unwrap();
        for text in [
            "Seren ap orwerth examined Bethan.",
            "Dr Khan saw Seren apI orwerth at the clinic.",
            "Seren apo Iorwerth told the nurse.",
            "This summary concerns Seren apIorwerth.",
            "PC apuIorwerth took a statement.",
            "Maria vander Berg phoned.",
        ] {
            let out = anonymise(text, &r).text;
            assert!(!out.contains("orwerth") && !out.contains("Seren") && !out.contains("Berg"), "{text}: {out}");
        }
        // Other surnames after a particle, and ordinary words, stay.
        for text in ["The van Dijk family phoned.", "The apple orchard was near.", "An apiary was nearby.", "Dr ap Rhys phoned."] {
            let out = anonymise(text, &r);
            assert!(!out.findings.iter().any(|f| f.detector.starts_with("known:")), "{text}: {}", out.text);
        }
    }

    #[test]
    fn abbreviations_written_as_words_and_street_abbreviations_as_subjects() {
        let r = CaseFile::register_from_json(
            r#"{"people": [
                { "names": ["Cian Byrne"], "role": "child" },
                { "names": ["Sean Lungu"], "role": "father" },
                { "names": ["Rashid Dar"], "role": "gp" }
            ]}"#,
        )
        .unwrap();
        for (text, gone) in [
            ("16.08.2016, Midwifery, Cin prescribed antidepressants to Shanice.", "Cin"),
            ("The officer left.\nSen took a statement from Mrs Stewart.", "Sen"),
            ("The family\n\nRD examined Heather and found no injuries.", "RD"),
        ] {
            let out = anonymise(text, &r).text;
            assert!(!out.contains(gone), "{text}: {out}");
        }
        // In capitals, or as the abbreviation, they stay.
        for text in [
            "The child was subject to a CIN plan.",
            "She had SEN support at school.",
            "The CIN meeting was held.",
            "Ofsted rated the school good.",
        ] {
            let out = anonymise(text, &r);
            assert!(!out.findings.iter().any(|f| f.detector.starts_with("known:")), "{text}: {}", out.text);
        }
    }
}
