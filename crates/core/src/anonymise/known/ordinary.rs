//! Whether a registered name-word that is also an ordinary word ("Will", "May", "Hope",
//! "Summer", "White") or initials that are also an abbreviation ("CP", "HA", "AN") are
//! meant as the ordinary word here.
//!
//! The burden of proof is on the ordinary reading: a registered person's name missed in a
//! published report is a serious harm, while a false finding costs the author one click on
//! the review screen. So a candidate is a mention unless the syntax around it shows the
//! ordinary word: a determiner or an adjective before it ("the hope", "a will", "good
//! faith"), a noun after it that it modifies ("summer holidays", "White British", "CP
//! plan"), a verb after a modal ("will be", "may have"), a day or a year by a month ("3
//! May", "May 2019", "in May"), a pronoun before a verb ("we hope"), a copula before a
//! predicate ("was frank"), an abbreviation spelt out in the same text ("Health Authority
//! (HA)"), a chronology's agency column ("| GP |"). Only general syntax is used, never
//! whole sentences; what it cannot decide stays a finding (with a lower confidence).

use super::{is_common, is_subject_verb, normalise, title, Gap, Tok};
use std::sync::OnceLock;

use super::{set_of, FxSet};

/// How a candidate word reads in its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The ordinary word or abbreviation: no finding.
    Word,
    /// A person: `evidence` when the context also shows a person ("Hope said"), not only
    /// the absence of an ordinary reading.
    Name { evidence: bool },
}

#[rustfmt::skip]
/// ("that", "which", "what" are left out: they open a clause as often, "told him that June
/// was ...".)
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "our", "my", "your", "some", "any", "no", "every", "each",
    "another", "such", "last", "next",
];

/// Adjectives and quantifiers that take a noun after them ("good faith", "free will").
#[rustfmt::skip]
const ADJECTIVES_BEFORE: &[&str] = &[
    "good", "bad", "great", "free", "ill", "saving", "high", "low", "new", "old", "real", "true", "false", "little", "much", "more",
    "less", "early", "late", "whole", "own", "full", "first", "best", "better", "worse", "poor", "strong", "fresh", "same", "other",
    "further", "legal", "private", "public", "general", "clinical", "physical", "emotional", "faint", "deep", "small", "large",
    "big", "long", "short", "mid", "entire", "previous", "following", "local", "hot", "cold", "wet", "dry", "red", "pink", "blue",
    "yellow", "dark", "light", "pale", "bright", "two", "three", "four", "five", "several", "many", "few", "one", "christian",
    "muslim", "catholic", "jewish", "hindu", "sikh", "islamic", "religious", "spiritual", "x",
];

/// Before an abbreviation besides those words: "the named GP", "her allocated SW".
const BEFORE_ABBREVIATION: &[&str] = &["named", "allocated", "designated", "family", "school", "same", "own"];

const PRONOUN_SUBJECTS: &[&str] = &["i", "we", "you", "they", "he", "she", "it", "who", "which", "there"];

const MODALS: &[&str] = &["will", "may", "might", "can", "must", "shall", "should", "would", "could"];

/// Words after which a verb is in its base form ("will mark", "did hope").
const BEFORE_BASE_VERB: &[&str] = &[
    "will", "may", "might", "can", "must", "shall", "should", "would", "could", "did", "do", "does", "didnt", "dont", "doesnt", "not",
    "cannot", "wont",
];

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
];

const SEASONS: &[&str] = &["summer", "winter", "spring", "autumn"];

/// Before a month: "in May", "since April", "mid-June" ("from", "after" or "before" may
/// take a person: "a letter from June").
#[rustfmt::skip]
const TIME_PREPOSITIONS: &[&str] = &[
    "in", "during", "since", "until", "till", "through", "throughout", "early", "late", "mid", "last", "next", "this",
];

/// Before a season, besides those before a month: "before summer", "every winter".
const SEASON_PREPOSITIONS: &[&str] = &["from", "around", "before", "after", "every", "each", "between", "over", "that"];

/// The nouns "of" joins to a month ("the end of May").
const TIME_PARTS: &[&str] = &["end", "beginning", "start", "middle", "rest", "half", "course", "month", "first", "last"];

#[rustfmt::skip]
const COPULAS: &[&str] = &[
    "is", "was", "were", "are", "be", "been", "being", "am", "seemed", "seems", "appeared", "appears", "looked", "looks", "became",
    "become", "remained", "remains", "very", "so", "too", "quite", "rather", "fairly", "extremely",
];

/// Name-words that are also a verb in its base form ("to mark", "we hope", "Mark the date").
#[rustfmt::skip]
const BASE_VERBS: &[&str] = &[
    "will", "hope", "mark", "sue", "rob", "pat", "bill", "chase", "grant", "hunt", "cook", "jack", "love", "storm", "star", "page",
    "price", "cross", "wish", "trust", "pray", "march", "frank", "drew",
];

/// Name-words that are also a verb in the past tense ("attendance rose to 90%").
const PAST_VERBS: &[&str] = &["rose", "drew", "chose", "wade"];

/// After a past tense of rising or drawing: "rose to", "rose sharply".
#[rustfmt::skip]
const AFTER_RISE: &[&str] = &[
    "to", "by", "from", "sharply", "steadily", "slightly", "significantly", "again", "above", "up", "gradually", "rapidly",
    "dramatically", "quickly", "considerably", "markedly", "substantially", "further", "attention", "on", "upon",
];

/// Abstract nouns used without an article ("faith in", "hope of", "saw grace in").
#[rustfmt::skip]
const ABSTRACT_NOUNS: &[&str] = &[
    "grace", "hope", "faith", "joy", "patience", "charity", "mercy", "love", "honour", "honor", "justice", "liberty", "unity",
    "harmony", "serenity", "destiny", "prudence", "constance", "verity", "felicity", "trust",
];

const AFTER_ABSTRACT: &[&str] = &["in", "of"];

/// After a name-word, these show a family rather than a word ("the Brown family").
#[rustfmt::skip]
const FAMILY_NOUNS: &[&str] = &[
    "family", "families", "household", "households", "children", "siblings", "parents", "twins", "grandparents", "home",
];

/// Nouns that a name stands before in a clipped note ("Summer mum", "Grace sister"): they do
/// not make the name an adjective.
#[rustfmt::skip]
const KIN_NOUNS: &[&str] = &[
    "mum", "mummy", "mom", "dad", "daddy", "mother", "father", "sister", "brother", "nan", "nana", "nanny", "gran", "granny", "grandma",
    "grandad", "grandmother", "grandfather", "aunt", "auntie", "uncle", "cousin", "son", "daughter", "baby", "partner", "boyfriend",
    "girlfriend", "husband", "wife", "friend", "step",
];

/// What a person has, measured or noted ("AN weight 9kg", "Summer attendance"): after a name
/// or initials they make a clipped note about the person, not a compound noun.
#[rustfmt::skip]
const ATTRIBUTES: &[&str] = &[
    "weight", "height", "growth", "attendance", "behaviour", "development", "health", "hair", "skin", "eyes", "clothes", "uniform",
    "bed", "room", "bedroom", "school", "nursery", "needs", "views", "wishes", "feelings", "voice", "safety", "welfare",
    "presentation", "speech", "injuries", "injury", "bruise", "bruises", "medication", "diet", "sleep", "mood", "appearance",
    "hygiene", "teeth",
];

/// Nouns a name-word or an abbreviation commonly modifies ("summer holidays", "CP plan").
#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "holiday", "holidays", "term", "terms", "plan", "plans", "surgery", "surgeries", "exchange", "camp", "fete", "break", "clothes",
    "uniform", "discussion", "discussions", "period", "periods", "conference", "conferences", "meeting", "meetings", "review", "reviews",
    "register", "team", "teams", "worker", "workers", "referral", "referrals", "assessment", "assessments", "report", "reports", "card",
    "cards", "van", "car", "cars", "hair", "eyes", "eye", "skin", "colour", "colours", "color", "garden", "gardens", "bush", "bushes",
    "tree", "trees", "flower", "flowers", "festival", "fair", "club", "clubs", "scheme", "schemes", "payment", "payments", "letter",
    "letters", "sheet", "chart", "book", "books", "group", "groups", "leaders", "leader", "community", "communities", "service",
    "services", "school", "schools", "time", "times", "months", "weeks", "days", "evening", "evenings", "morning", "mornings", "night",
    "nights", "sun", "weather", "job", "jobs", "work", "rate", "rates", "level", "levels", "attendance", "visit", "visits",
    "appointment", "appointments", "clinic", "clinics", "practice", "practices", "staff", "session", "sessions", "note", "notes",
    "record", "records", "file", "files", "number", "numbers", "date", "dates", "day", "week", "year", "years", "month", "activity",
    "activities", "programme", "programmes", "project", "course", "courses", "class", "classes", "lesson", "lessons", "party",
    "parties", "trip", "trips", "event", "events", "picture", "pictures", "drawing", "drawings", "photo", "photos", "bed", "beds",
    "room", "rooms", "kitchen", "sofa", "sofas", "table", "tables", "chair", "chairs", "carpet", "wall", "walls", "door", "doors",
    "window", "windows", "shop", "shops", "fire", "coat", "coats", "dress", "shoes", "bag", "bags", "box", "food", "drink", "drinks",
    "water", "milk", "bottle", "toys", "toy", "game", "games", "ward", "wards", "unit", "units", "protection", "order", "orders",
    "register", "list", "lists", "case", "cases", "status", "support", "input", "involvement", "contact", "contacts", "records",
    "notes", "nurse", "nurses", "visitor", "visitors", "worker", "officer", "officers", "manager", "managers", "lead", "leads",
    "panel", "board", "chair", "minutes", "agenda", "threshold", "thresholds", "procedures", "policy", "policies", "guidance",
    "strategy", "form", "forms", "check", "checks", "data", "system", "systems", "tool", "tools", "pathway", "pathways", "process",
    "processes", "call", "calls", "line", "lines", "address", "office", "offices", "building", "centre", "centres", "hall", "halls",
    "house", "houses", "flat", "flats", "street", "road", "estate", "area", "areas", "park", "parks", "sky", "light", "lights",
    "rain", "wind", "snow", "season", "seasons", "months", "air", "marks", "mark", "sign", "signs", "bruise", "bruises", "injury",
    "injuries", "raid", "raids", "scale", "scales", "score", "scores", "weight", "height", "growth", "chart", "charts", "people", "person", "groups",
    "feeling", "feelings", "humour", "heritage", "background", "origin", "ethnicity", "culture", "faith", "health", "issues", "needs",
    "money", "bills", "debts", "debt", "rent", "benefits", "benefit", "income", "budget", "costs", "cost", "fees", "fee", "account",
];

/// Capitalised words that end the name of a place or an institution ("Hope Street", "Grace
/// Academy", "Rose Hill").
#[rustfmt::skip]
const PLACE_NOUNS: &[&str] = &[
    "street", "road", "lane", "avenue", "close", "drive", "crescent", "gardens", "grove", "terrace", "way", "walk", "square", "place",
    "mews", "rise", "view", "park", "hill", "vale", "green", "court", "house", "lodge", "academy", "college", "primary", "nursery",
    "surgery", "hospital", "clinic", "practice", "centre", "church", "chapel", "trust", "project", "estate", "farm", "mill", "bridge",
];

fn is_place_noun(w: &str) -> bool {
    PLACE_NOUNS.contains(&w)
}

/// Words a colour name stands before in an ethnicity ("White British", "Black Caribbean").
#[rustfmt::skip]
const ETHNIC: &[&str] = &[
    "british", "irish", "english", "scottish", "welsh", "european", "african", "caribbean", "asian", "other", "gypsy", "traveller",
    "roma", "polish", "romanian", "pakistani", "indian", "bangladeshi", "chinese", "turkish", "somali", "nigerian", "ghanaian",
    "arab", "american", "background", "mixed",
];

/// Words that are never a noun after a name (function words and adverbs).
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "and", "or", "but", "nor", "so", "yet", "to", "of", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over", "under",
    "about", "after", "before", "as", "than", "that", "then", "who", "whom", "whose", "which", "when", "where", "while", "if",
    "because", "though", "although", "unless", "until", "since", "is", "was", "were", "are", "be", "been", "being", "am", "has", "had",
    "have", "do", "does", "did", "not", "no", "yes", "very", "also", "the", "a", "an", "this", "these", "those", "his", "her", "hers",
    "him", "their", "them", "its", "it", "our", "my", "your", "me", "us", "we", "you", "they", "he", "she", "i", "always", "perhaps",
    "whereas", "thus", "towards", "afterwards", "upwards", "downwards", "sometimes", "besides", "nevertheless", "unless", "across",
    "against", "along", "among", "amongst", "around", "through", "throughout", "via", "upon", "within", "without", "during", "again",
    "alone", "together", "here", "there", "now", "still", "only", "just", "even", "too", "all", "both", "each", "either", "any",
    "some", "many", "much", "more", "most", "less", "such", "own", "same", "other", "another", "what", "whatever", "why", "how",
    "upstairs", "downstairs", "indoors", "outdoors", "always", "whilst", "amongst", "s", "today", "yesterday", "tonight", "tomorrow",
];

/// Verbs in the third person that follow a name ("Summer plays", "Mark hits").
#[rustfmt::skip]
const VERBS_3S: &[&str] = &[
    "says", "states", "reports", "lives", "attends", "visits", "goes", "has", "does", "needs", "wants", "likes", "loves", "hates",
    "plays", "sleeps", "eats", "drinks", "cries", "shouts", "hits", "kicks", "bites", "screams", "smokes", "uses", "takes", "makes",
    "gets", "sees", "tells", "asks", "knows", "thinks", "feels", "seems", "appears", "remains", "stays", "works", "walks", "talks",
    "speaks", "refuses", "denies", "admits", "describes", "explains", "discloses", "spends", "continues", "becomes", "comes", "runs",
    "wakes", "wears", "misses", "returns", "moves", "presents", "receives", "calls", "rings", "phones", "texts", "writes", "reads",
    "sits", "stands", "sings", "dances", "draws", "laughs", "smiles", "waits", "tries", "cares", "helps", "shares", "leaves",
    "arrives", "agrees", "means", "shows", "gives", "keeps", "lets", "puts", "brings", "buys", "pays", "owns", "holds", "hears",
    "follows", "answers", "begins", "starts", "stops", "hopes", "wishes", "worries", "struggles", "manages", "copes", "responds",
    "engages", "recalls", "remembers", "believes", "accepts", "alleges", "claims", "insists", "suggests", "confirms", "mentions",
    "notes", "noted", "tends", "wets", "soils", "settles",
];

fn in_set(list: &'static [&'static str], cell: &'static OnceLock<FxSet<&'static str>>, w: &str) -> bool {
    cell.get_or_init(|| set_of(list)).contains(w)
}

macro_rules! word_set {
    ($name:ident, $list:expr) => {
        fn $name(w: &str) -> bool {
            static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
            in_set($list, &SET, w)
        }
    };
}

word_set!(is_determiner, DETERMINERS);
word_set!(is_adjective_before, ADJECTIVES_BEFORE);
word_set!(is_noun_listed, NOUNS);
word_set!(is_function, FUNCTION_WORDS);
word_set!(is_verb_3s, VERBS_3S);
word_set!(is_kin, KIN_NOUNS);
word_set!(is_ethnic, ETHNIC);
word_set!(is_copula, COPULAS);

fn has(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

/// Whether a month's name ("May", "April") or a season.
pub(crate) fn is_month_or_season(w: &str) -> bool {
    has(MONTHS, w) || has(SEASONS, w)
}

/// Whether a lower-case word reads as a noun: a known one, a noun by its ending
/// ("-tion", "-ment"), or a plural that is not a verb ("bushes", "sofas").
pub(crate) fn is_noun(w: &str) -> bool {
    if w.len() < 2 || is_function(w) || is_subject_verb(w) || is_kin(w) || is_verb_3s(w) || title(w).is_some() || ATTRIBUTES.contains(&w) {
        return false;
    }
    if is_noun_listed(w) {
        return true;
    }
    const SUFFIXES: &[&str] = &["tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship", "hood", "ism", "ology", "ings"];
    if SUFFIXES.iter().any(|s| w.len() > s.len() + 2 && w.ends_with(s)) {
        return true;
    }
    // A plural of a known noun or common word ("bushes", "springs"), not a verb in "-s".
    let stem = |k: usize| w.get(..w.len() - k).is_some_and(|s| is_noun_listed(s) || is_common(s));
    w.len() >= 4 && w.ends_with('s') && !w.ends_with("ss") && (stem(1) || (w.ends_with("es") && stem(2)))
}

/// Verbs in their base form that follow a modal in reports ("will be", "may need").
#[rustfmt::skip]
const VERBS_BASE: &[&str] = &[
    "be", "have", "do", "need", "feed", "proceed", "exceed", "succeed", "attend", "visit", "see", "meet", "make", "take", "go", "come",
    "give", "get", "continue", "receive", "provide", "require", "ensure", "consider", "include", "involve", "help", "support", "want",
    "wish", "know", "think", "feel", "find", "show", "tell", "say", "ask", "call", "ring", "phone", "contact", "speak", "talk", "write",
    "send", "share", "discuss", "agree", "decide", "review", "assess", "monitor", "check", "record", "report", "refer", "request",
    "offer", "arrange", "complete", "change", "improve", "develop", "learn", "explain", "describe", "become", "remain", "stay", "live",
    "move", "return", "leave", "start", "begin", "stop", "happen", "occur", "lead", "result", "mean", "seem", "appear", "look", "use",
    "apply", "follow", "allow", "let", "keep", "hold", "bring", "put", "set", "run", "work", "try", "enable", "prevent", "protect",
    "reduce", "increase", "identify", "address", "respond", "reflect", "benefit", "face", "lose", "miss", "fail", "struggle", "cope",
    "engage", "accept", "refuse", "deny", "admit", "disclose", "confirm", "challenge", "question", "escalate", "liaise", "audit",
    "inform", "notify", "invite", "chair", "convene", "publish", "implement", "oversee", "lack", "depend", "differ", "vary", "affect",
    "add", "also", "already", "still", "well", "never", "not", "only", "often", "sometimes", "always", "again", "soon",
];

/// Whether a lower-case word is a verb in its base form ("be", "need", "attend").
fn is_base_verb(w: &str) -> bool {
    static SET: OnceLock<FxSet<&'static str>> = OnceLock::new();
    in_set(VERBS_BASE, &SET, w) || (w.len() > 5 && ["ise", "ize", "ify"].iter().any(|s| w.ends_with(s)))
}

/// Adverbs that may stand between a modal and its verb ("will also be", "may never know").
const MODAL_ADVERBS: &[&str] = &[
    "not",
    "also",
    "then",
    "often",
    "never",
    "always",
    "still",
    "again",
    "now",
    "only",
    "usually",
    "probably",
    "certainly",
    "just",
    "soon",
    "need",
    "continue",
    "therefore",
    "normally",
    "all",
    "both",
    "each",
    "n't",
];

/// The neighbourhood of word `i`.
pub(crate) struct Near<'a> {
    pub text: &'a str,
    pub toks: &'a [Tok],
    pub i: usize,
}

impl Near<'_> {
    fn word(&self, k: usize) -> String {
        let t = self.toks[k];
        normalise(&self.text[t.start..t.base_end])
    }

    /// The word before, when only whitespace separates it (or a hyphen: "mid-May").
    fn prev(&self) -> Option<String> {
        let t = self.toks[self.i];
        (self.i > 0 && matches!(t.gap, Gap::Space | Gap::Hyphen)).then(|| self.word(self.i - 1))
    }

    fn prev2(&self) -> Option<String> {
        (self.i > 1 && matches!(self.toks[self.i - 1].gap, Gap::Space) && self.prev().is_some()).then(|| self.word(self.i - 2))
    }

    fn next_tok(&self) -> Option<Tok> {
        self.toks.get(self.i + 1).copied().filter(|n| n.gap == Gap::Space && !self.toks[self.i].poss)
    }

    fn next(&self) -> Option<String> {
        self.next_tok().map(|_| self.word(self.i + 1))
    }

    fn next2(&self) -> Option<String> {
        self.next_tok()?;
        let n2 = self.toks.get(self.i + 2)?;
        (n2.gap == Gap::Space).then(|| self.word(self.i + 2))
    }

    /// A number just before ("3 May", "two miles") or an ordinal ("3rd May").
    fn number_before(&self) -> bool {
        let t = self.toks[self.i];
        let before = self.text[..t.start].trim_end_matches([' ', '\t', '\u{A0}']);
        if before.len() < t.start && before.ends_with(|c: char| c.is_ascii_digit()) {
            return true;
        }
        if let Some(p) = self.i.checked_sub(1).map(|k| self.toks[k]) {
            let w = &self.text[p.start..p.end];
            let ord = matches!(w, "st" | "nd" | "rd" | "th" | "ST" | "ND" | "RD" | "TH");
            return ord && t.gap == Gap::Space && p.start > 0 && self.text.as_bytes()[p.start - 1].is_ascii_digit();
        }
        false
    }

    /// A number just after ("May 2019", "May 3").
    fn number_after(&self) -> bool {
        let t = self.toks[self.i];
        let after = &self.text[t.end..];
        let rest = after.trim_start_matches([' ', '\t', '\u{A0}', ',']);
        rest.len() < after.len() && rest.starts_with(|c: char| c.is_ascii_digit())
    }

    /// Capitals around it in a line of capitals (a heading).
    fn in_capitals(&self) -> bool {
        let t = self.toks[self.i];
        // Only spaces between: "ED, MP phoned" is a column and its entry, and a heading
        // ends its line.
        let caps = |k: usize| {
            let (a, b) = (self.toks[k.min(self.i)], self.toks[k.max(self.i)]);
            self.toks[k].all_caps && b.gap == Gap::Space && !self.text[a.end..b.start].contains('\n')
        };
        t.all_caps && ((self.i > 0 && caps(self.i - 1)) || (self.i + 1 < self.toks.len() && caps(self.i + 1)))
    }

    /// Whether the next word is lower case (or in capitals, in a line of capitals).
    fn next_plain(&self, caps: bool) -> bool {
        self.next_tok().is_some_and(|n| !n.cap || (caps && n.all_caps))
    }
}

/// A month or season by a date or a preposition of time ("3 May", "May 2019", "in May",
/// "mid-May", "the end of May", "during the summer").
fn time_use(near: &Near, w: &str) -> bool {
    if !is_month_or_season(w) {
        return false;
    }
    if near.number_before() || near.number_after() {
        return true;
    }
    // A range of months ("between May and July", "May to June").
    let month_at = |k: usize| near.toks.get(k).is_some_and(|o| o.gap == Gap::Space) && is_month_or_season(&near.word(k));
    let range_word = |k: usize| matches!(near.word(k).as_str(), "and" | "to" | "or" | "until" | "till");
    let t = near.toks[near.i];
    if (near.next_tok().is_some() && range_word(near.i + 1) && month_at(near.i + 2))
        || (near.i >= 2
            && t.gap == Gap::Space
            && near.toks[near.i - 1].gap == Gap::Space
            && range_word(near.i - 1)
            && is_month_or_season(&near.word(near.i - 2)))
    {
        return true;
    }
    // "in June was" is not a date: a verb after it makes it a subject.
    if near.next().is_some_and(|n| is_subject_verb(&n) || is_verb_3s(&n) || n.ends_with("ed")) {
        return false;
    }
    match near.prev() {
        Some(p) if has(TIME_PREPOSITIONS, &p) || (has(SEASONS, w) && has(SEASON_PREPOSITIONS, &p)) => true,
        Some(p) if p == "of" => near.prev2().is_some_and(|p2| has(TIME_PARTS, &p2)),
        _ => false,
    }
}

/// "will be", "may have", "will not attend", "Will you ...?", "Will the school ...?".
fn modal_use(near: &Near, w: &str, caps: bool) -> bool {
    if !has(MODALS, w) || !near.next_plain(caps) {
        return false;
    }
    let Some(next) = near.next() else { return false };
    // A question opens with its modal ("Will you ...?", "Will the school ...?"); inside a
    // sentence "told will that" is a person.
    let opens = near.toks[near.i].sent_init || caps;
    if opens
        && (has(PRONOUN_SUBJECTS, &next) || matches!(next.as_str(), "the" | "this" | "that" | "these" | "those" | "there" | "any" | "all"))
    {
        return true;
    }
    if has(MODAL_ADVERBS, &next) {
        return near.next2().is_some_and(|n2| is_base_verb(&n2) || has(MODAL_ADVERBS, &n2));
    }
    is_base_verb(&next)
}

/// For a registered name-word that is also an ordinary word (any capitalisation): how it
/// reads here. `person_evidence` is what the caller knows of a person ("Hope said").
pub(crate) fn common_word(near: &Near, person_evidence: bool) -> Reading {
    let t = near.toks[near.i];
    let w = near.word(near.i);
    let name = Reading::Name { evidence: person_evidence };
    if t.poss {
        return Reading::Name { evidence: true };
    }
    let next = near.next();
    if next.as_deref().is_some_and(|n| FAMILY_NOUNS.contains(&n)) {
        return Reading::Name { evidence: true };
    }
    let caps = near.in_capitals();
    let next_tok = near.next_tok();
    // A capital inside a sentence is a name's, unless a date, a proper phrase ("White
    // British", "Hope Street") or "the"/"a" with a noun ("the Summer holidays").
    if t.cap && !t.sent_init && !caps {
        if time_use(near, &w) {
            return Reading::Word;
        }
        if let (Some(n), Some(nt)) = (next.as_deref(), next_tok) {
            // On the same line: a capital after a line break may open a new entry.
            let same_line = !near.text[t.end..nt.start].contains('\n');
            if same_line && nt.cap && !nt.all_caps && !nt.sent_init && (is_ethnic(n) || is_noun_listed(n) || is_place_noun(n)) {
                return Reading::Word;
            }
            if !nt.cap && near.prev().is_some_and(|p| matches!(p.as_str(), "the" | "a" | "an")) && is_noun(n) {
                return Reading::Word;
            }
        }
        return Reading::Name { evidence: true };
    }
    if ordinary(near, &w, caps) {
        return Reading::Word;
    }
    name
}

/// The ordinary readings of a lower-case word, of one opening a sentence, or of one in a
/// line of capitals.
fn ordinary(near: &Near, w: &str, caps: bool) -> bool {
    let t = near.toks[near.i];
    if time_use(near, w) || modal_use(near, w, caps) {
        return true;
    }
    // A compound with an ordinary word or a letter before it ("X-ray", "non-hope").
    if t.gap == Gap::Hyphen && near.i > 0 {
        let p = near.toks[near.i - 1];
        if p.letters == 1 || is_common(&near.word(near.i - 1)) {
            return true;
        }
    }
    // What comes before counts inside a sentence (or a heading) only.
    let prev = if t.sent_init && !caps { None } else { near.prev() };
    let next = if near.next_plain(caps) { near.next() } else { None };
    if let Some(p) = prev.as_deref() {
        if is_determiner(p)
            || is_adjective_before(p)
            || ["ful", "ous", "less", "able", "ible", "ical"].iter().any(|s| p.len() > s.len() + 2 && p.ends_with(s))
        {
            return true;
        }
        if near.number_before() {
            return true;
        }
        if !t.cap && is_copula(p) {
            return true;
        }
        if has(BASE_VERBS, w) {
            if has(BEFORE_BASE_VERB, p) || has(PRONOUN_SUBJECTS, p) {
                return true;
            }
            if p == "to" && next.as_deref().is_some_and(|n| is_determiner(n) || matches!(n, "him" | "them" | "it" | "for" | "that")) {
                return true;
            }
        }
        if has(PAST_VERBS, w) {
            let subject =
                has(PRONOUN_SUBJECTS, p) || (!is_function(p) && !is_subject_verb(p) && !p.ends_with("ed") && is_noun_like_subject(p));
            if subject && (next.as_deref().is_some_and(|n| has(AFTER_RISE, n) || is_determiner(n)) || near.number_after()) {
                return true;
            }
        }
        if !t.cap && w == "grace" && matches!(p, "said" | "say" | "says" | "saying") {
            return true;
        }
    }
    if let Some(n) = next.as_deref() {
        if !t.cap && has(ABSTRACT_NOUNS, w) && has(AFTER_ABSTRACT, n) {
            return true;
        }
        // A verb and its object opening a sentence ("Mark the date").
        if has(BASE_VERBS, w) && t.sent_init && is_determiner(n) {
            return true;
        }
        if is_noun(n) {
            return true;
        }
    }
    // "White British" opening a line or in a label ("Ethnicity: White British").
    if let Some(nt) = near.next_tok() {
        if nt.cap && matches!(w, "white" | "black" | "brown" | "mixed") && near.next().is_some_and(|n| is_ethnic(&n)) {
            return true;
        }
    }
    false
}

/// A word that may be the subject of "rose" ("attendance", "prices", "levels"): not a verb
/// whose object is a person ("saw rose to ..." is not a rise).
fn is_noun_like_subject(p: &str) -> bool {
    p.len() > 2 && !matches!(p, "saw" | "see" | "told" | "tell" | "met" | "meet" | "visit" | "ask" | "gave" | "give" | "with" | "and")
}

/// A verb by its form or a list ("phoned", "attending", "says", "told").
fn verb_like(n: &str) -> bool {
    is_subject_verb(n) || is_verb_3s(n) || n.ends_with("ed") || n.ends_with("ing")
}

/// What kind of abbreviation capitals are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcronymKind {
    /// A short English word in capitals ("AN", "ON", "NA").
    Word,
    /// A unit after a number ("MM", "KG").
    Unit,
    /// A service, role or other abbreviation ("GP", "CP", "HA").
    Service,
}

fn acronym_kind(w: &str) -> AcronymKind {
    match w {
        "an" | "as" | "at" | "be" | "by" | "do" | "go" | "he" | "if" | "in" | "is" | "me" | "my" | "of" | "on" | "so" | "to" | "up"
        | "we" | "oh" | "ok" | "hi" | "no" | "or" | "na" | "ha" | "it" | "us" | "id" => AcronymKind::Word,
        "mb" | "kb" | "gb" | "tb" | "mg" | "ml" | "kg" | "cm" | "mm" | "km" | "hr" | "hrs" | "am" | "pm" => AcronymKind::Unit,
        _ => AcronymKind::Service,
    }
}

/// Agencies a chronology's column names ("| GP |", "| HV |"); other capitals alone in a
/// cell may be a practitioner's initials.
#[rustfmt::skip]
const AGENCIES: &[&str] = &[
    "gp", "hv", "sw", "ed", "ae", "nhs", "csc", "mash", "yot", "camhs", "cahms", "cps", "dwp", "sn", "cafcass", "police", "lac", "cin",
    "ehs", "eha", "asc", "aande",
];

/// Whether capitals stand alone in a table cell ("| GP |", a tab-separated column).
fn table_cell(text: &str, t: &Tok) -> bool {
    let before = text[..t.start].trim_end_matches([' ', '\u{A0}']);
    let after = text[t.end..].trim_start_matches([' ', '\u{A0}']);
    before.ends_with(['|', '\t']) && (after.starts_with(['|', '\t']) || after.is_empty())
}

/// For capitals that are a registered person's initials and also an abbreviation or a
/// word ("CP", "HA", "AN"): how they read here. `defined` says whether the text spells the
/// abbreviation out ("Health Authority (HA)"); `person_evidence` is what the caller knows
/// of a person ("examined AN and").
pub(crate) fn acronym(near: &Near, defined: bool, person_evidence: bool) -> Reading {
    let t = near.toks[near.i];
    let w = near.word(near.i);
    let kind = acronym_kind(&w);
    if person_evidence {
        return Reading::Name { evidence: true };
    }
    let prev = near.prev();
    // In a line of capitals the words around are read as in any other line.
    let caps = near.in_capitals();
    let next = if near.next_plain(caps) { near.next() } else { None };
    // Spelt out in the text, the abbreviation; but not as the subject of a person's verb
    // ("CP told the nurse"), where the initials may still be someone's.
    let active = |n: &str| verb_like(n) && !matches!(n, "is" | "was" | "were" | "are" | "has" | "had" | "have" | "being" | "having");
    if defined && !next.as_deref().is_some_and(active) {
        return Reading::Word;
    }
    // A short word in a line of capitals is the word ("REFERRAL TO MASH ON MONDAY"); an
    // agency alone in a table column is the agency.
    let english = !matches!(w.as_str(), "ha" | "na" | "oh" | "ok" | "hi" | "id");
    if (caps && kind == AcronymKind::Word && english) || (table_cell(near.text, &t) && has(AGENCIES, &w)) {
        return Reading::Word;
    }
    if kind == AcronymKind::Unit && near.number_before() {
        return Reading::Word;
    }
    // "the GP", "her HV", "an HA", "the HV's" ("told her that CP ..." is not one).
    let determiner = |p: &str| {
        (is_determiner(p) && !matches!(p, "that" | "which" | "what" | "whose" | "her" | "his" | "either" | "neither"))
            || (matches!(p, "her" | "his") && has(AGENCIES, &w))
    };
    if prev.as_deref().is_some_and(|p| determiner(p) || is_adjective_before(p) || has(BEFORE_ABBREVIATION, p)) {
        return Reading::Word;
    }
    // "CP plan", "GP surgery", "AN example".
    if next.as_deref().is_some_and(is_noun) {
        return Reading::Word;
    }
    match kind {
        // "AN important point": a word in capitals opening a sentence before a word that
        // is not a verb.
        AcronymKind::Word => {
            // The article in capitals before its noun ("AN apple", "AN important point").
            if w == "an"
                && next.as_deref().is_some_and(|n| {
                    n.starts_with(['a', 'e', 'i', 'o', 'u'])
                        && !is_function(n)
                        && !verb_like(n)
                        && !n.ends_with("ly")
                        && !matches!(
                            n,
                            "outside"
                                | "inside"
                                | "aged"
                                | "alone"
                                | "away"
                                | "upstairs"
                                | "ok"
                                | "angry"
                                | "unhappy"
                                | "emotional"
                                | "excited"
                                | "aggressive"
                                | "afraid"
                                | "alert"
                                | "active"
                                | "awake"
                                | "able"
                                | "unable"
                                | "unwell"
                                | "ill"
                                | "okay"
                                | "irritable"
                                | "engaged"
                                | "upbeat"
                                | "uncooperative"
                                | "evasive"
                                | "abusive"
                                | "intoxicated"
                                | "unsteady"
                        )
                })
            {
                return Reading::Word;
            }
            // A word in capitals opening a sentence before a determiner ("ON the day", "IS
            // there").
            if t.sent_init && next.as_deref().is_some_and(|n| is_determiner(n) || n == "there") {
                return Reading::Word;
            }
        }
        AcronymKind::Service => {
            // A role before a name on the same line ("DS Aden", "HV Sarah Jones").
            if !caps && near.next_tok().is_some_and(|n| n.cap && !n.all_caps && !n.sent_init && !near.text[t.end..n.start].contains('\n')) {
                return Reading::Word;
            }
            // Abbreviations listed together ("GP and HV", "HV or SW").
            let conj = |k: usize| matches!(near.word(k).as_str(), "and" | "or");
            let abbr = |k: usize| near.toks.get(k).is_some_and(|o| o.all_caps && o.gap == Gap::Space) && has(AGENCIES, &near.word(k));
            let before = near.i >= 2 && t.gap == Gap::Space && near.toks[near.i - 1].gap == Gap::Space && conj(near.i - 1) && {
                let k = near.i - 2;
                near.toks[k].all_caps && has(AGENCIES, &near.word(k))
            };
            let after = near.next_tok().is_some() && conj(near.i + 1) && abbr(near.i + 2);
            if (before || after) && has(AGENCIES, &w) {
                return Reading::Word;
            }
        }
        AcronymKind::Unit => {}
    }
    Reading::Name { evidence: false }
}

/// Abbreviations the text spells out, not as a registered person ("Health Authority (HA)",
/// "HA (Health Authority)"); `is_name_word` says whether a folded word is a registered name.
pub(crate) fn defined_abbreviations(text: &str, is_name_word: &dyn Fn(&str) -> bool) -> FxSet<String> {
    let mut out = FxSet::default();
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(k) = text[from..].find('(') {
        let open = from + k;
        from = open + 1;
        // "(HA)"
        // A definition is short: look for its closing bracket nearby only.
        let window = &text[open + 1..];
        let window = &window[..window.floor_char_boundary(120)];
        let close = window.find(')').map(|c| open + 1 + c);
        if let Some(close) = close {
            let inner = &text[open + 1..close];
            if (2..=6).contains(&inner.len()) && inner.bytes().all(|c| c.is_ascii_uppercase()) {
                let words = words_before(&text[..open], inner.len() + 3);
                if spells(&words, inner, is_name_word) {
                    out.insert(inner.to_ascii_lowercase());
                }
                continue;
            }
        }
        // "HA (Health Authority)"
        let before = text[..open].trim_end();
        let start = before.rfind(|c: char| !c.is_ascii_uppercase()).map_or(0, |p| p + 1);
        let abbr = &before[start..];
        if (2..=6).contains(&abbr.len()) && (start == 0 || !b[start - 1].is_ascii_alphanumeric()) {
            if let Some(close) = close {
                let words: Vec<&str> = text[open + 1..close].split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).collect();
                if spells(&words, abbr, is_name_word) {
                    out.insert(abbr.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

fn words_before(text: &str, n: usize) -> Vec<&str> {
    let mut words: Vec<&str> = text.rsplit(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(n).collect();
    words.reverse();
    words
}

/// Whether the initials of `words` (function words skipped) end with, or are, `abbr`.
fn spells(words: &[&str], abbr: &str, is_name_word: &dyn Fn(&str) -> bool) -> bool {
    let content: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !matches!(w.to_ascii_lowercase().as_str(), "of" | "and" | "the" | "for" | "in" | "to" | "on"))
        .collect();
    let n = abbr.len();
    if content.len() < n {
        return false;
    }
    // "(HA)" after the words: the last n; "HA (...)": the first n.
    for part in [&content[content.len() - n..], &content[..n]] {
        let initials: String = part.iter().filter_map(|w| w.chars().next()).collect();
        if initials.eq_ignore_ascii_case(abbr) {
            return !part.iter().any(|w| is_name_word(&normalise(w)));
        }
    }
    false
}

/// Whether a capitalised ordinary word one letter from a registered name ("Main" for
/// "Mann", "Case" for "Cass") may stand alone as a misspelt mention: inside a sentence, not
/// in a run of capitalised words ("Serious Case Review", "Main Street"), not after a
/// determiner, not a date.
pub(crate) fn real_word_typo_alone(near: &Near) -> bool {
    let t = near.toks[near.i];
    let w = near.word(near.i);
    if !t.cap || t.all_caps || is_month_or_season(&w) || title(&w).is_some() {
        return false;
    }
    // Opening a sentence, only as the subject of a person's verb ("Main told the nurse"),
    // and never a function word ("But said" is rare, "But the" common).
    if t.sent_init {
        if is_function(&w) {
            return false;
        }
        return near.next_plain(false)
            && near.next().is_some_and(|n| {
                (is_subject_verb(&n) || n.ends_with("ed"))
                    && !matches!(
                        n.as_str(),
                        "was" | "is" | "were" | "are" | "had" | "has" | "have" | "and" | "who" | "then" | "also" | "not"
                    )
            });
    }
    let capital_neighbour = |k: usize| near.toks.get(k).is_some_and(|n| n.cap);
    if (near.i > 0 && t.gap == Gap::Space && capital_neighbour(near.i - 1))
        || near.toks.get(near.i + 1).is_some_and(|n| matches!(n.gap, Gap::Space | Gap::Hyphen)) && capital_neighbour(near.i + 1)
    {
        return false;
    }
    !near.prev().is_some_and(|p| is_determiner(&p) || is_adjective_before(&p))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::anonymise::known::tokenise;

    /// How the word `word` (its first occurrence) reads in `text`.
    fn reading(text: &str, word: &str) -> Reading {
        let mut toks = Vec::new();
        tokenise(text, &mut toks);
        let i = toks.iter().position(|t| &text[t.start..t.base_end] == word).unwrap();
        common_word(&Near { text, toks: &toks, i }, false)
    }

    fn acronym_reading(text: &str, word: &str) -> Reading {
        let mut toks = Vec::new();
        tokenise(text, &mut toks);
        // The last occurrence: the first may be the definition itself ("(CP)").
        let i = toks.iter().rposition(|t| &text[t.start..t.base_end] == word).unwrap();
        let defined = defined_abbreviations(text, &|w| w == "carla" || w == "price").contains(&word.to_ascii_lowercase());
        acronym(&Near { text, toks: &toks, i }, defined, false)
    }

    const NAME: Reading = Reading::Name { evidence: false };

    #[test]
    fn months_by_a_date_or_a_preposition_of_time_are_months() {
        for (text, word) in [
            ("She moved in May 2019.", "May"),
            ("On 3 May the family moved.", "May"),
            ("On 3rd May the family moved.", "May"),
            ("She moved in May.", "May"),
            ("She was seen in mid-May.", "May"),
            ("By the end of May nothing had changed.", "May"),
            ("May 2019 was difficult.", "May"),
            ("during the summer holidays", "summer"),
            ("In summer the family went away.", "summer"),
        ] {
            assert_eq!(reading(text, word), Reading::Word, "{text}");
        }
        // Without a date or a preposition of time, the name.
        for (text, word) in [("The nurse saw May.", "May"), ("summary concerns april.", "april"), ("seen by May on Monday", "May")] {
            assert!(matches!(reading(text, word), Reading::Name { .. }), "{text}");
        }
    }

    #[test]
    fn modals_before_a_verb_are_modals() {
        for (text, word) in [
            ("The plan will be audited.", "will"),
            ("Will be audited next year.", "Will"),
            ("The school may have known.", "may"),
            ("May have been missed.", "May"),
            ("The panel will not accept it.", "will"),
            ("Will you come?", "Will"),
            ("Will the school respond?", "Will"),
            ("It will also need to change.", "will"),
        ] {
            assert_eq!(reading(text, word), Reading::Word, "{text}");
        }
        for (text, word) in [
            ("Will attended the meeting.", "Will"),
            ("Will has a temper.", "Will"),
            ("may phoned to cancel.", "may"),
            ("Will then attended.", "Will"),
            ("Will, who was eighteen, left.", "Will"),
            ("The nurse told will that the visit was cancelled.", "will"),
            ("The nurse met may outside.", "may"),
        ] {
            assert!(matches!(reading(text, word), Reading::Name { .. }), "{text}");
        }
    }

    #[test]
    fn determiners_adjectives_and_modified_nouns_show_the_word() {
        for (text, word) in [
            ("There was no hope.", "hope"),
            ("She made a will.", "will"),
            ("They acted in good faith.", "faith"),
            ("It was against her will.", "will"),
            ("The summer holidays began.", "summer"),
            ("Summer holidays began.", "Summer"),
            ("She is White British.", "White"),
            ("Ethnicity: White British", "White"),
            ("There was a frank exchange of views.", "frank"),
            ("THE ROSE GARDEN", "ROSE"),
            ("Attendance rose to 90% after the meeting.", "rose"),
            ("We hope the changes help.", "hope"),
            ("Mark the date in the diary.", "Mark"),
            ("The teacher will mark it.", "mark"),
            ("The view was frank.", "frank"),
            ("She saw grace in the faces of the staff.", "grace"),
            ("She said grace before meals.", "grace"),
            ("He walked two miles.", "miles"),
            ("She lives on Hope Street.", "Hope"),
            ("Between May and July the family moved.", "May"),
            ("An X-ray was taken.", "ray"),
            ("They acted in good faith; her Christian faith mattered.", "faith"),
        ] {
            assert_eq!(reading(text, word), Reading::Word, "{text}");
        }
    }

    #[test]
    fn without_clear_evidence_of_the_word_a_registered_name_is_a_name() {
        for (text, word) in [
            ("iris phoned Emily to cancel.", "iris"),
            ("Notice served on glen.", "glen"),
            ("The nurse saw grace at home.", "grace"),
            ("Grace and her sister attended.", "Grace"),
            ("Hope, then aged 3, was seen.", "Hope"),
            ("Summer.", "Summer"),
            ("SUMMER WAS SEEN", "SUMMER"),
            ("The Brown family moved.", "Brown"),
            ("Hope's bedroom was cold.", "Hope"),
            ("Summer mum attended.", "Summer"),
            ("He told Will about it.", "Will"),
            ("Home visit to Grace\nCase closed.", "Grace"),
            ("Ms Mehta told him that june was often hungry.", "june"),
            ("The nurse told hope that the visit was off.", "hope"),
            ("The nurse saw Grace Brown.", "Grace"),
        ] {
            assert!(matches!(reading(text, word), Reading::Name { .. }), "{text}");
        }
    }

    #[test]
    fn abbreviations_read_as_such_with_a_determiner_a_noun_a_column_or_a_definition() {
        for (text, word) in [
            ("The GP examined her.", "GP"),
            ("Her HV visited.", "HV"),
            ("She was subject to a CP plan.", "CP"),
            ("Seen at the GP surgery.", "GP"),
            ("12/03/2019 | GP | Letter sent.", "GP"),
            ("The Health Authority (HA) wrote. The letter from HA was late.", "HA"),
            ("A wound of 5 MM was seen.", "MM"),
            ("DS Aden served the notice.", "DS"),
            ("The GP and HV met.", "HV"),
            ("REFERRAL TO MASH ON MONDAY", "ON"),
            ("THE CP PLAN WAS AGREED", "CP"),
            ("AN important point was made.", "AN"),
            ("ON the day of the visit.", "ON"),
        ] {
            assert_eq!(acronym_reading(text, word), Reading::Word, "{text}");
        }
    }

    #[test]
    fn a_registered_persons_initials_are_theirs_without_such_evidence() {
        for (text, word) in [
            ("A notice was served on HA.", "HA"),
            ("CP told Sonia that Amber was hungry.", "CP"),
            ("Seen at clinic by NA; development on track.", "NA"),
            ("A notice was served on MM.", "MM"),
            // Spelt out as the person: still the person.
            ("Carla Price (CP) attended. CP told the nurse.", "CP"),
            // "that" opens a clause here, not a noun phrase.
            ("Ms Mehta told Sinead that CP was often hungry.", "CP"),
            // Listed with other initials, not with an agency.
            ("CP and MM told the nurse.", "CP"),
            // Alone in a column that is not an agency's: a practitioner's initials.
            ("12/03/2019 | CP | Letter sent.", "CP"),
            ("12/03/2019 | NA | Letter sent.", "NA"),
            ("Seen by NA present at the meeting.", "NA"),
            ("The nurse saw AN outside.", "AN"),
            ("CP WAS SEEN BY THE NURSE", "CP"),
            ("HA WAS SEEN", "HA"),
            ("Both CP and NA were seen.", "CP"),
            ("12/03/2019 | HV | AN weight 9kg, thriving.", "AN"),
            // A role before a name does not run over a line.
            ("Home visit by CP\nMother present.", "CP"),
            // Spelt out, but the subject of a person's verb.
            ("A Child Protection (CP) plan was made. CP phoned the school.", "CP"),
        ] {
            assert_eq!(acronym_reading(text, word), NAME, "{text}");
        }
    }

    #[test]
    fn real_words_one_letter_from_a_name_stand_alone_only_inside_a_sentence() {
        let alone = |text: &str, word: &str| {
            let mut toks = Vec::new();
            tokenise(text, &mut toks);
            let i = toks.iter().position(|t| &text[t.start..t.base_end] == word).unwrap();
            real_word_typo_alone(&Near { text, toks: &toks, i })
        };
        assert!(alone("The doctor examined Case and found no injuries.", "Case"));
        assert!(!alone("This Serious Case Review found.", "Case"));
        assert!(!alone("Case notes were lost.", "Case"));
        assert!(!alone("They live on Main Street.", "Main"));
        assert!(!alone("the Main concern", "Main"));
    }

    #[test]
    fn nouns_are_told_from_verbs() {
        for w in ["holidays", "plan", "sofas", "bushes", "assessment", "springs"] {
            assert!(is_noun(w), "{w}");
        }
        for w in ["said", "phoned", "says", "and", "anxious", "always", "mum", "tearful"] {
            assert!(!is_noun(w), "{w}");
        }
    }

    const CASE: &str = r#"{
      "people": [
        { "names": ["May Okoro"], "role": "child" },
        { "names": ["Will Okoro"], "role": "father" },
        { "names": ["Larisa Mann"], "role": "health visitor" },
        { "names": ["Ahmed Butt"], "role": "paediatrician" },
        { "names": ["Man-Kit Wong"], "role": "sibling" },
        { "names": ["Kerry-Ann Lawrence"], "role": "social worker" },
        { "names": ["Carla Price"], "role": "police officer" }
      ]
    }"#;

    fn anon(text: &str) -> String {
        let r = crate::anonymise::CaseFile::register_from_json(CASE).unwrap();
        crate::anonymise::anonymise(text, &r).text
    }

    #[test]
    fn the_ordinary_word_needs_the_evidence_not_the_name() {
        for (text, want) in [
            ("Notice served on may.", "Notice served on Child A."),
            ("may phoned to cancel.", "Child A phoned to cancel."),
            ("May will be seen in May 2020.", "Child A will be seen in May 2020."),
            ("The plan will be audited. It may have helped.", "The plan will be audited. It may have helped."),
            ("CP told the nurse.", "Police Officer 1 told the nurse."),
            ("She was on a CP plan; the CP conference met.", "She was on a CP plan; the CP conference met."),
            ("Seen by CP.", "Seen by Police Officer 1."),
            ("Child Protection (CP) procedures: CP was considered.", "Child Protection (CP) procedures: CP was considered."),
        ] {
            assert_eq!(anon(text), want, "{text}");
        }
    }

    #[test]
    fn misspellings_that_are_words_and_misspelt_parts_of_hyphenated_names() {
        for (text, want) in [
            ("Seen at clinic by Larisa Main today.", "Seen at clinic by Health Visitor 1 today."),
            ("Ahmed But examined her.", "Paediatrician 1 examined her."),
            ("The doctor examined But and found no injuries.", "The doctor examined Paediatrician 1 and found no injuries."),
            ("But the school did not refer.", "But the school did not refer."),
            ("The doctor examined Main and found no injuries.", "The doctor examined Health Visitor 1 and found no injuries."),
            ("Main concerns were raised.", "Main concerns were raised."),
            ("Main told the nurse about the bruise.", "Health Visitor 1 told the nurse about the bruise."),
            ("Mrs Main visited.", "Health Visitor 1 visited."),
            ("They live on Main Street.", "They live on Main Street."),
            ("Notice served on ManKit.", "Notice served on Sibling 1."),
            ("The nurse examined Man-KKit and found no injuries.", "The nurse examined Sibling 1 and found no injuries."),
            ("Mna-Kit was seen.", "Sibling 1 was seen."),
            ("Kerry-Annn met the family.", "Social Worker 1 met the family."),
        ] {
            assert_eq!(anon(text), want, "{text}");
        }
    }
}
