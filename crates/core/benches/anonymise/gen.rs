//! The generator: one synthetic case (its `CASE.json` register and the people, places, dates
//! and identifiers behind it) per document, and the document itself written from a template
//! set, with a gold label on every identifying mention and a decoy record on every ordinary
//! use of a word that is also a name. Deterministic: the same seed gives the same bytes.
//!
//! Templates are strings with slots: `{C}` (the child), `{M}` (mother), `{F}` (father or
//! mother's partner), `{S}` (a sibling), `{G}` (grandmother), `{HV}` `{SW}` `{GP}` `{PO}`
//! `{T}` `{MW}` `{PAED}` (professionals, in the register or not), `{U}` and `{V}` (people the
//! register does not know), `{UP}` (a professional it does not know), `{UR}` (a relative it
//! does not know, sharing the family's surname); `{C:first}` forces a form, `{C's}` is the
//! possessive. Places: `{HOME}` `{HOMEFULL}` `{STREET}` `{PREVHOME}` `{PCODE}` `{SCHOOL}`
//! `{NURSERY}` `{GPP}` `{HOSP}` `{UADDR}` `{UPCODE}` `{USCHOOL}`; dates: `{DOB}` `{SDOB}`
//! `{DOD}` (identifying) and `{DATE}` `{MONTHYEAR}` `{YEAR}` `{AGE}` (not, unless they fall on
//! a registered date); identifiers: `{NHS}` `{PHONE}` `{HOMEPHONE}` `{EMAIL}` `{PEMAIL}`
//! `{REF}` `{COURT}` `{CRIME}` `{NINO}` `{UPHONE}` `{UEMAIL}`; and text that never identifies:
//! `{AGENCY}` `{AGENCYS}` `{TOWN}` `{LA}` `{NUM}` `{WEEKDAY}` `{MONTH}` `{PSEUDO}` `{REVIEW}`.
//! `<word>` is an ordinary use of a word that is also a name (a decoy: never gold).

use std::collections::BTreeSet;

use casereview_core::anonymise::{CaseDate, CaseFile, CaseIdentifier, CasePerson, CasePlace};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::data::*;
use super::templates::Set;

/// SplitMix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    /// lo..=hi.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// An index drawn with the given weights (0 when they are all 0).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.next_u64() % total;
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// One identifying mention: what must not survive anonymisation.
#[derive(Debug, Clone, Serialize)]
pub struct Gold {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The casereview category it belongs to ("person", "unknown_name", "address", ...).
    pub category: &'static str,
    /// Whether the register knows it.
    pub known: bool,
    /// The register entity ("person:0", "place:2", ...), when known.
    pub entity: Option<String>,
    /// How it was written: "full", "first", "title", "initials", "alias", "typo", ...
    pub form: String,
    /// Followed by a possessive ('s).
    pub possessive: bool,
    /// Split across a line break.
    pub split: bool,
}

/// An ordinary use of a word that is also a name in some case ("in the summer").
#[derive(Debug, Clone, Serialize)]
pub struct Decoy {
    pub start: usize,
    pub end: usize,
    pub word: String,
}

/// A generated document with its register and labels.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    pub split: &'static str,
    pub kind: &'static str,
    pub case: CaseFile,
    pub text: String,
    pub gold: Vec<Gold>,
    pub decoys: Vec<Decoy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Child,
    Family,
    Professional,
    Unknown,
}

#[derive(Debug, Clone)]
struct Person {
    given: String,
    middle: Option<String>,
    surname: String,
    maiden: Option<String>,
    aliases: Vec<String>,
    title: String,
    class: Class,
    role: String,
    key: Option<String>,
    dob: Option<(NaiveDate, String)>,
    mentions: usize,
}

impl Person {
    fn category(&self) -> &'static str {
        if self.key.is_some() {
            "person"
        } else {
            "unknown_name"
        }
    }
}

#[derive(Debug, Clone)]
struct Address {
    flat: Option<usize>,
    number: usize,
    street: String,
    suffix: (&'static str, &'static str),
    key: Option<String>,
}

impl Address {
    fn line(&self) -> String {
        format!("{} {} {}", self.number, self.street, self.suffix.0)
    }
}

#[derive(Debug, Clone)]
struct Place {
    full: String,
    short: String,
    key: Option<String>,
}

#[derive(Debug, Clone)]
struct Ident {
    /// The value as the case file has it.
    value: String,
    /// Other ways of writing it.
    variants: Vec<String>,
    category: &'static str,
    key: Option<String>,
}

struct Case {
    people: Vec<Person>,
    child: usize,
    mother: usize,
    father: usize,
    siblings: Vec<usize>,
    grandmother: usize,
    pros: Vec<(&'static str, usize)>,
    family_origin: usize,
    town: &'static Town,
    home: Address,
    prev: Option<Address>,
    postcode: Ident,
    school: Place,
    nursery: Place,
    gpp: Place,
    hospital: Place,
    dob: NaiveDate,
    dod: Option<(NaiveDate, String)>,
    /// Every registered date and its key.
    dates: Vec<(NaiveDate, String)>,
    ids: Vec<(&'static str, Ident)>,
    file: CaseFile,
    /// Lower-cased words of every registered name (decoy choice).
    name_words: BTreeSet<String>,
}

fn fold_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ą' | 'ă' | 'â' | 'á' => 'a',
            'ć' | 'č' | 'ç' => 'c',
            'ę' | 'ė' | 'é' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' | 'ö' => 'o',
            'ś' | 'ș' | 'ş' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ț' | 'ţ' => 't',
            'î' | 'ı' | 'í' => 'i',
            'ğ' => 'g',
            'ü' | 'ū' => 'u',
            'ŷ' => 'y',
            'Ł' => 'L',
            'Ś' | 'Ș' | 'Ş' => 'S',
            'Ż' | 'Ź' => 'Z',
            'Ț' => 'T',
            'Ç' | 'Č' => 'C',
            'Ö' | 'Ó' => 'O',
            'Ü' => 'U',
            'İ' => 'I',
            'Ä' => 'A',
            other => other,
        })
        .collect()
}

fn feminine(surname: &str) -> String {
    for (m, f) in [("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")] {
        if let Some(stem) = surname.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    surname.to_string()
}

fn soundalike(name: &str) -> Option<&'static str> {
    SOUNDALIKES.iter().find(|(a, _)| *a == name).map(|(_, b)| *b)
}

/// One edit (swap, drop, double or change a letter) that keeps the first letter.
fn typo(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return format!("{word}{}", chars.last().copied().unwrap_or('e'));
    }
    let i = rng.range(1, chars.len() - 2);
    let mut out = chars.clone();
    match rng.below(4) {
        0 if out[i] != out[i + 1] => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        2 => out.insert(i, chars[i]),
        _ => {
            let vowels = ['a', 'e', 'i', 'o', 'u'];
            let c = out[i];
            let mut r = *rng.pick(&vowels);
            if r == c {
                r = if c == 'a' { 'e' } else { 'a' };
            }
            if vowels.contains(&c) || !c.is_alphabetic() {
                out[i] = r;
            } else {
                out.insert(i + 1, r);
            }
        }
    }
    let s: String = out.into_iter().collect();
    if s == word {
        format!("{word}e")
    } else {
        s
    }
}

fn ordinal(d: u32) -> String {
    let suffix = match (d % 10, d % 100) {
        (1, n) if n != 11 => "st",
        (2, n) if n != 12 => "nd",
        (3, n) if n != 13 => "rd",
        _ => "th",
    };
    format!("{d}{suffix}")
}

fn month_name(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize % 12]
}

/// A date in one of the ways English records write them: (optional literal prefix, the date).
fn write_date(d: NaiveDate, style: usize) -> (String, String) {
    let (dd, mm, yyyy, yy) = (d.day(), d.month(), d.year(), d.year() % 100);
    let m = month_name(d);
    let date = match style % 15 {
        0 => format!("{} {m} {yyyy}", ordinal(dd)),
        1 => format!("{dd} {m} {yyyy}"),
        2 => format!("{dd:02}/{mm:02}/{yyyy}"),
        3 => format!("{dd:02}/{mm:02}/{yy:02}"),
        4 => format!("{dd}/{mm}/{yyyy}"),
        5 => format!("{dd}.{mm}.{yy:02}"),
        6 => format!("{m} {}, {yyyy}", ordinal(dd)),
        7 => format!("{} of {m} {yyyy}", ordinal(dd)),
        8 => format!("{yyyy}-{mm:02}-{dd:02}"),
        9 => format!("{dd:02}-{mm:02}-{yyyy}"),
        10 => format!("{dd} {} {yyyy}", &m[..3]),
        11 => format!("{dd:02}.{mm:02}.{yyyy}"),
        12 => return (format!("{} ", WEEKDAYS[d.weekday().num_days_from_monday() as usize]), format!("{} {m} {yyyy}", ordinal(dd))),
        13 => format!("{dd}/{mm}/{yy:02}"),
        _ => format!("{m} {dd}, {yyyy}"),
    };
    (String::new(), date)
}

fn nhs_number(rng: &mut Rng) -> String {
    loop {
        let mut d: Vec<u32> = vec![4 + rng.below(4) as u32];
        d.extend((0..8).map(|_| rng.below(10) as u32));
        let sum: u32 = d.iter().enumerate().map(|(i, v)| v * (10 - i as u32)).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        d.push(check);
        return d.iter().map(|v| char::from(b'0' + *v as u8)).collect();
    }
}

fn postcode(rng: &mut Rng, town: &Town) -> String {
    let out = rng.pick(town.outward);
    let a = char::from(*rng.pick(INWARD_LETTERS));
    let b = char::from(*rng.pick(INWARD_LETTERS));
    format!("{out} {}{a}{b}", rng.below(10))
}

fn postcode_variants(pc: &str) -> Vec<String> {
    vec![pc.to_string(), pc.replace(' ', ""), pc.to_lowercase()]
}

fn mobile(rng: &mut Rng) -> Ident {
    let a = format!("07{}{}", 7 + rng.below(3), rng.digits(2));
    let b = rng.digits(6);
    Ident {
        value: format!("{a} {b}"),
        variants: vec![
            format!("{a} {b}"),
            format!("{a}{b}"),
            format!("+44 {} {b}", &a[1..]),
            format!("+44 (0){} {b}", &a[1..]),
            format!("{a} {} {}", &b[..3], &b[3..]),
        ],
        category: "phone",
        key: None,
    }
}

fn landline(rng: &mut Rng) -> Ident {
    let (code, n) = *rng.pick(&[("01634", 6), ("0121", 7), ("0161", 7), ("0113", 7), ("01865", 6), ("020", 8), ("029", 8), ("01227", 6)]);
    let num = rng.digits(n);
    let spaced = if n == 7 {
        format!("{code} {} {}", &num[..3], &num[3..])
    } else if n == 8 {
        format!("{code} {} {}", &num[..4], &num[4..])
    } else {
        format!("{code} {num}")
    };
    Ident { value: spaced.clone(), variants: vec![spaced, format!("{code}{num}"), format!("({code}) {num}")], category: "phone", key: None }
}

fn email_of(rng: &mut Rng, given: &str, surname: &str) -> String {
    let clean = |s: &str| fold_ascii(s).to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>();
    let (g, s) = (clean(given), clean(surname));
    let dom = rng.pick(EMAIL_DOMAINS);
    let n = rng.range(70, 99);
    match rng.below(4) {
        0 => format!("{g}.{s}{n}@{dom}"),
        1 => format!("{g}{s}_{n}@{dom}"),
        2 => format!("{}{s}{}@{dom}", g.chars().next().unwrap_or('x'), rng.range(1, 2020)),
        _ => format!("{s}.{}@{dom}", g.chars().next().unwrap_or('x')),
    }
}

fn nino(rng: &mut Rng) -> Ident {
    let first = b"ABCEGHJKLMNOPRSTWXYZ";
    let second = b"ABCEGHJKLMNPRSTWXYZ";
    let prefix = loop {
        let p = format!("{}{}", char::from(*rng.pick(first)), char::from(*rng.pick(second)));
        if !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&p.as_str()) {
            break p;
        }
    };
    let d = rng.digits(6);
    let s = char::from(b'A' + rng.below(4) as u8);
    let spaced = format!("{prefix} {} {} {} {s}", &d[..2], &d[2..4], &d[4..]);
    Ident { value: spaced.clone(), variants: vec![spaced, format!("{prefix}{d}{s}")], category: "reference", key: None }
}

struct NameDraw {
    given: String,
    surname: String,
}

fn draw_name(rng: &mut Rng, origin: usize, female: bool, word_names: f64) -> NameDraw {
    let o = &ORIGINS[origin % ORIGINS.len()];
    let given = if rng.chance(word_names) {
        if female {
            rng.pick(WORD_NAMES_FEMALE)
        } else {
            rng.pick(WORD_NAMES_MALE)
        }
    } else if female {
        rng.pick(o.female)
    } else {
        rng.pick(o.male)
    };
    let mut surname = if rng.chance(word_names * 0.6) { rng.pick(WORD_SURNAMES).to_string() } else { rng.pick(o.surnames).to_string() };
    if female && o.name == "polish" {
        surname = feminine(&surname);
    }
    NameDraw { given: given.to_string(), surname }
}

fn lay_title(rng: &mut Rng, female: bool) -> String {
    if female {
        rng.pick(&["Ms", "Mrs", "Miss", "Ms"]).to_string()
    } else {
        "Mr".to_string()
    }
}

fn pro_title(rng: &mut Rng, slot: &str, female: bool) -> String {
    match slot {
        "GP" | "PAED" => "Dr".to_string(),
        "PO" => rng.pick(&["PC", "DC", "DS", "Sergeant"]).to_string(),
        _ => lay_title(rng, female),
    }
}

const PRO_SLOTS: &[(&str, &str)] = &[
    ("HV", "health visitor"),
    ("SW", "social worker"),
    ("GP", "gp"),
    ("PO", "police officer"),
    ("T", "class teacher"),
    ("MW", "midwife"),
    ("PAED", "paediatrician"),
];

fn make_place(rng: &mut Rng, forms: &[&str], town: &Town) -> Place {
    let form = rng.pick(forms);
    let word = if form.starts_with("St ") {
        rng.pick(SAINTS).to_string()
    } else if form.contains("Hospital") && !form.starts_with("Royal") && rng.chance(0.5) {
        town.name.to_string()
    } else {
        rng.pick(PLACE_WORDS).to_string()
    };
    let full = form.replace("{}", &word);
    let short = if form.starts_with("St ") {
        format!("St {word}'s")
    } else if word == town.name || form.contains("Acorns") {
        full.clone()
    } else {
        word.clone()
    };
    Place { full, short, key: None }
}

fn make_address(rng: &mut Rng) -> Address {
    Address {
        flat: if rng.chance(0.25) { Some(rng.range(1, 40)) } else { None },
        number: rng.range(1, 180),
        street: rng.pick(STREETS).to_string(),
        suffix: *rng.pick(STREET_SUFFIXES),
        key: None,
    }
}

fn case_ref(rng: &mut Rng, year: i32) -> String {
    let yy = year % 100;
    match rng.below(3) {
        0 => format!("CSC/{yy:02}/{}", rng.digits(5)),
        1 => format!("LA-{year}-{}", rng.digits(6)),
        _ => format!("CP{}{}", yy, rng.digits(6)),
    }
}

fn build_case(rng: &mut Rng) -> Case {
    let town = rng.pick(TOWNS);
    let family_origin = rng.below(ORIGINS.len());
    // A quarter of families give a child a name that is also a word.
    let word_names = if rng.chance(0.3) { 0.6 } else { 0.04 };
    let mut people: Vec<Person> = Vec::new();
    let year = rng.range(2008, 2022) as i32;
    let dob = NaiveDate::from_ymd_opt(year, rng.range(1, 12) as u32, rng.range(1, 28) as u32).unwrap_or(NaiveDate::MIN);

    let child_female = rng.chance(0.5);
    let child_name = draw_name(rng, family_origin, child_female, word_names);
    let mother_origin = if rng.chance(0.85) { family_origin } else { rng.below(ORIGINS.len()) };
    let mother_name = draw_name(rng, mother_origin, true, word_names * 0.5);
    let father_origin = if rng.chance(0.7) { family_origin } else { rng.below(ORIGINS.len()) };
    let father_name = draw_name(rng, father_origin, false, word_names * 0.5);
    let child_surname = if rng.chance(0.6) {
        let s = father_name.surname.clone();
        if child_female && ORIGINS[father_origin].name == "polish" {
            feminine(&s)
        } else {
            s
        }
    } else {
        mother_name.surname.clone()
    };
    let middle = if rng.chance(0.6) {
        let m = draw_name(rng, family_origin, child_female, word_names);
        Some(m.given)
    } else {
        None
    };
    let mut child_aliases = Vec::new();
    if let Some((_, n)) = NICKNAMES.iter().find(|(g, _)| *g == child_name.given) {
        child_aliases.push(n.to_string());
    }
    if rng.chance(0.35) {
        child_aliases.push(rng.pick(GENERIC_NICKNAMES).to_string());
    }
    people.push(Person {
        given: child_name.given,
        middle,
        surname: child_surname.clone(),
        maiden: None,
        aliases: child_aliases,
        title: String::new(),
        class: Class::Child,
        role: "child".into(),
        key: None,
        dob: Some((dob, String::new())),
        mentions: 0,
    });
    let child = 0;
    let (mother_surname, maiden) = if mother_name.surname != child_surname && rng.chance(0.3) {
        (child_surname.clone(), Some(mother_name.surname.clone()))
    } else {
        (mother_name.surname.clone(), None)
    };
    let mut mother_aliases = Vec::new();
    if let Some((_, n)) = NICKNAMES.iter().find(|(g, _)| *g == mother_name.given) {
        if rng.chance(0.6) {
            mother_aliases.push(n.to_string());
        }
    }
    if rng.chance(0.2) {
        mother_aliases.push(rng.pick(ADULT_ALIASES).to_string());
    }
    people.push(Person {
        given: mother_name.given,
        middle: None,
        surname: feminine(&mother_surname),
        maiden,
        aliases: mother_aliases,
        title: lay_title(rng, true),
        class: Class::Family,
        role: "mother".into(),
        key: None,
        dob: None,
        mentions: 0,
    });
    let mother = 1;
    let mut father_aliases = Vec::new();
    if rng.chance(0.2) {
        father_aliases.push(rng.pick(ADULT_ALIASES).to_string());
    }
    people.push(Person {
        given: father_name.given,
        middle: None,
        surname: father_name.surname,
        maiden: None,
        aliases: father_aliases,
        title: "Mr".into(),
        class: Class::Family,
        role: if rng.chance(0.5) { "father".into() } else { "mother's partner".into() },
        key: None,
        dob: None,
        mentions: 0,
    });
    let father = 2;
    let mut siblings = Vec::new();
    for _ in 0..rng.range(1, 3) {
        let female = rng.chance(0.5);
        let mut n = draw_name(rng, family_origin, female, word_names);
        for _ in 0..20 {
            if !people.iter().any(|p| p.given == n.given) {
                break;
            }
            n = draw_name(rng, family_origin, female, word_names);
        }
        let offset = rng.range(300, 2500) as i64;
        let sdob = if rng.chance(0.5) { dob - Duration::days(offset) } else { dob + Duration::days(offset) };
        let surname = if ORIGINS[family_origin].name == "polish" && female { feminine(&child_surname) } else { child_surname.clone() };
        siblings.push(people.len());
        people.push(Person {
            given: n.given,
            middle: None,
            surname,
            maiden: None,
            aliases: Vec::new(),
            title: String::new(),
            class: Class::Child,
            role: if rng.chance(0.7) { "sibling".into() } else { "half-sibling".into() },
            key: None,
            dob: Some((sdob, String::new())),
            mentions: 0,
        });
    }
    let mut g = draw_name(rng, mother_origin, true, 0.05);
    for _ in 0..20 {
        if !people.iter().any(|p| p.given == g.given) {
            break;
        }
        g = draw_name(rng, mother_origin, true, 0.05);
    }
    let grandmother = people.len();
    people.push(Person {
        given: g.given,
        middle: None,
        surname: people[mother].maiden.clone().unwrap_or_else(|| people[mother].surname.clone()),
        maiden: None,
        aliases: Vec::new(),
        title: lay_title(rng, true),
        class: Class::Family,
        role: "maternal grandmother".into(),
        key: None,
        dob: None,
        mentions: 0,
    });
    let mut pros = Vec::new();
    for (slot, role) in PRO_SLOTS {
        let female = rng.chance(if *slot == "MW" || *slot == "HV" { 0.9 } else { 0.55 });
        let origin = rng.below(ORIGINS.len());
        let n = draw_name(rng, origin, female, 0.05);
        pros.push((*slot, people.len()));
        people.push(Person {
            given: n.given,
            middle: None,
            surname: n.surname,
            maiden: None,
            aliases: Vec::new(),
            title: pro_title(rng, slot, female),
            class: Class::Professional,
            role: role.to_string(),
            key: None,
            dob: None,
            mentions: 0,
        });
    }

    let home = make_address(rng);
    let prev = if rng.chance(0.5) { Some(make_address(rng)) } else { None };
    let pc = postcode(rng, town);
    let postcode_ident = Ident { value: pc.clone(), variants: postcode_variants(&pc), category: "postcode", key: None };
    let school = make_place(rng, SCHOOL_FORMS, town);
    let nursery = make_place(rng, NURSERY_FORMS, town);
    let gpp = make_place(rng, GP_FORMS, town);
    let hospital = make_place(rng, HOSPITAL_FORMS, town);
    let dod = if rng.chance(0.4) { Some((dob + Duration::days(rng.range(30, 1800) as i64), String::new())) } else { None };

    let mut ids: Vec<(&'static str, Ident)> = Vec::new();
    ids.push(("PHONE", mobile(rng)));
    if rng.chance(0.5) {
        ids.push(("HOMEPHONE", landline(rng)));
    }
    let nhs = nhs_number(rng);
    ids.push((
        "NHS",
        Ident {
            value: if rng.chance(0.5) { nhs.clone() } else { format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]) },
            variants: vec![
                format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]),
                nhs.clone(),
                format!("{}-{}-{}", &nhs[..3], &nhs[3..6], &nhs[6..]),
            ],
            category: "nhs_number",
            key: None,
        },
    ));
    let mum = &people[mother];
    let email = email_of(rng, &mum.given, &mum.surname);
    ids.push(("EMAIL", Ident { value: email.clone(), variants: vec![email], category: "email", key: None }));
    let sw = &people[pros[1].1];
    let pemail = format!(
        "{}.{}@{}.gov.uk",
        fold_ascii(&sw.given).to_lowercase().replace(['\'', '-', ' '], ""),
        fold_ascii(&sw.surname).to_lowercase().replace(['\'', '-', ' '], ""),
        town.la.to_lowercase()
    );
    ids.push(("PEMAIL", Ident { value: pemail.clone(), variants: vec![pemail], category: "email", key: None }));
    let r = case_ref(rng, dob.year() + 1);
    ids.push(("REF", Ident { value: r.clone(), variants: vec![r], category: "reference", key: None }));
    if rng.chance(0.6) {
        let letters: String = town.outward[0].chars().filter(|c| c.is_ascii_alphabetic()).collect();
        let letters = if letters.len() < 2 { format!("{letters}M") } else { letters };
        let c = format!("{letters}{:02}C{}", (dob.year() + 1) % 100, rng.digits(5));
        ids.push(("COURT", Ident { value: c.clone(), variants: vec![c], category: "reference", key: None }));
    }
    if rng.chance(0.5) {
        let c = if rng.chance(0.5) {
            format!("CR/{}/{:02}", rng.digits(7), (dob.year() + 1) % 100)
        } else {
            format!("{}/{}/{:02}", rng.pick(&["KE", "WM", "TV", "GM", "WY", "MP"]), rng.digits(5), (dob.year() + 2) % 100)
        };
        ids.push(("CRIME", Ident { value: c.clone(), variants: vec![c], category: "reference", key: None }));
    }
    if rng.chance(0.4) {
        ids.push(("NINO", nino(rng)));
    }

    let mut case = Case {
        people,
        child,
        mother,
        father,
        siblings,
        grandmother,
        pros,
        family_origin,
        town,
        home,
        prev,
        postcode: postcode_ident,
        school,
        nursery,
        gpp,
        hospital,
        dob,
        dod,
        dates: Vec::new(),
        ids,
        file: CaseFile::default(),
        name_words: BTreeSet::new(),
    };
    register(rng, &mut case);
    case
}

/// Writes the case file (the register) and gives every registered item its key. Some
/// professionals are left out: the overview author does not always list them all, and then
/// they are names the register does not know.
fn register(rng: &mut Rng, case: &mut Case) {
    let mut file = CaseFile::default();
    let pro_set: BTreeSet<usize> = case.pros.iter().map(|(_, i)| *i).collect();
    let mut order: Vec<usize> = (0..case.people.len()).collect();
    // Professionals after the family, in a shuffled order.
    let split = order.iter().position(|i| pro_set.contains(i)).unwrap_or(order.len());
    let tail = &mut order[split..];
    for i in (1..tail.len()).rev() {
        let j = rng.below(i + 1);
        tail.swap(i, j);
    }
    for i in order {
        let p = &mut case.people[i];
        if p.class == Class::Professional && rng.chance(0.15) {
            continue;
        }
        let key = format!("person:{}", file.people.len());
        let mut names = Vec::new();
        let main = match &p.middle {
            Some(m) => format!("{} {m} {}", p.given, p.surname),
            None => format!("{} {}", p.given, p.surname),
        };
        if p.class == Class::Professional && rng.chance(0.15) {
            names.push(format!("{} {main}", p.title));
        } else {
            names.push(main);
        }
        if let Some(m) = &p.maiden {
            names.push(format!("{} {m}", p.given));
        }
        file.people.push(CasePerson { names, aliases: p.aliases.clone(), role: p.role.clone(), pseudonym: None });
        p.key = Some(key);
        for w in [&p.given, &p.surname].into_iter().chain(p.middle.iter()).chain(p.maiden.iter()).chain(p.aliases.iter()) {
            for part in w.split(|c: char| !c.is_alphanumeric()) {
                if !part.is_empty() {
                    case.name_words.insert(part.to_lowercase());
                }
            }
        }
    }
    let town = case.town.name;
    let add_place = |file: &mut CaseFile, name: String, kind: &str| -> String {
        let key = format!("place:{}", file.places.len());
        file.places.push(CasePlace { name, kind: kind.to_string(), pseudonym: None });
        key
    };
    let pc = case.postcode.value.clone();
    let with_pc = rng.chance(0.3);
    for (addr, is_home) in [(Some(&mut case.home), true), (case.prev.as_mut(), false)] {
        if let Some(a) = addr {
            let mut name = String::new();
            if let Some(f) = a.flat {
                name.push_str(&format!("Flat {f}, "));
            }
            name.push_str(&format!("{}, {town}", a.line()));
            if is_home && with_pc {
                name.push_str(&format!(" {pc}"));
            }
            a.key = Some(add_place(&mut file, name, "address"));
        }
    }
    case.postcode.key = Some(add_place(&mut file, pc, "postcode"));
    for (place, kind) in
        [(&mut case.school, "school"), (&mut case.nursery, "nursery"), (&mut case.gpp, "gp_practice"), (&mut case.hospital, "hospital")]
    {
        place.key = Some(add_place(&mut file, place.full.clone(), kind));
    }
    let add_date = |file: &mut CaseFile, d: NaiveDate, kind: &str| -> String {
        let key = format!("date:{}", file.dates.len());
        file.dates.push(CaseDate { date: d.format("%Y-%m-%d").to_string(), kind: kind.to_string(), pseudonym: None });
        key
    };
    let mut dates = Vec::new();
    for i in std::iter::once(case.child).chain(case.siblings.iter().copied()) {
        if let Some((d, key)) = case.people[i].dob.as_mut() {
            *key = add_date(&mut file, *d, "date_of_birth");
            dates.push((*d, key.clone()));
        }
    }
    if let Some((d, key)) = case.dod.as_mut() {
        *key = add_date(&mut file, *d, "date_of_death");
        dates.push((*d, key.clone()));
    }
    case.dates = dates;
    let sw_known = case.pros.iter().find(|(s, _)| *s == "SW").map(|(_, i)| case.people[*i].key.is_some()).unwrap_or(false);
    for (slot, ident) in case.ids.iter_mut() {
        if *slot == "PEMAIL" && !sw_known {
            continue;
        }
        let kind = match *slot {
            "PHONE" | "HOMEPHONE" => "phone",
            "NHS" => "nhs_number",
            "EMAIL" | "PEMAIL" => "email",
            "REF" => "case_reference",
            "COURT" => "court_reference",
            _ => "other",
        };
        let key = format!("identifier:{}", file.identifiers.len());
        file.identifiers.push(CaseIdentifier { value: ident.value.clone(), kind: kind.to_string(), pseudonym: None });
        ident.key = Some(key);
    }
    case.file = file;
}

/// Builds a document's text and labels.
struct Writer<'a> {
    rng: &'a mut Rng,
    case: Case,
    set: &'a Set,
    text: String,
    gold: Vec<Gold>,
    decoys: Vec<Decoy>,
    /// Unknown people met in this document (indices into case.people).
    lay: Vec<usize>,
    profs: Vec<usize>,
    /// People used by the sentence being written (so {U} and {V} differ).
    in_sentence: Vec<usize>,
    /// The chronology row's date and the document's row date style.
    row_date: Option<NaiveDate>,
    row_style: usize,
    /// The family member a family-composition line is about.
    listed: Option<usize>,
    decoy_templates: Vec<(usize, BTreeSet<String>)>,
}

const PERSON_FORMS: &[&str] = &[
    "full",
    "fullmid",
    "first",
    "title",
    "surname",
    "caps",
    "capsfull",
    "initials",
    "alias",
    "typo",
    "ascii",
    "soundalike",
    "maiden",
    "spaced",
    "lower",
];

impl<'a> Writer<'a> {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn mention(&mut self, s: &str, category: &'static str, key: &Option<String>, form: &str) {
        let start = self.text.len();
        self.text.push_str(s);
        self.gold.push(Gold {
            start,
            end: self.text.len(),
            text: s.to_string(),
            category,
            known: key.is_some(),
            entity: key.clone(),
            form: form.to_string(),
            possessive: false,
            split: false,
        });
    }

    fn possessive(&mut self, ends_with_s: bool) {
        let apostrophe = if self.rng.chance(0.2) { "\u{2019}" } else { "'" };
        if ends_with_s && self.rng.chance(0.5) {
            self.push(apostrophe);
        } else {
            self.push(apostrophe);
            self.push("s");
        }
        if let Some(g) = self.gold.last_mut() {
            g.possessive = true;
        }
    }

    fn new_unknown(&mut self, professional: bool, relative: bool) -> usize {
        let origin = if relative || self.rng.chance(0.3) { self.case.family_origin } else { self.rng.below(ORIGINS.len()) };
        let female = self.rng.chance(0.55);
        let n = draw_name(self.rng, origin, female, 0.08);
        let surname = if relative {
            let m = &self.case.people[self.case.mother];
            let base = m.maiden.clone().unwrap_or_else(|| m.surname.clone());
            if female {
                feminine(&base)
            } else {
                base.replace("ska", "ski").replace("cka", "cki")
            }
        } else {
            n.surname
        };
        let title = if professional {
            if self.rng.chance(0.4) {
                "Dr".to_string()
            } else {
                lay_title(self.rng, female)
            }
        } else {
            lay_title(self.rng, female)
        };
        self.case.people.push(Person {
            given: n.given,
            middle: None,
            surname,
            maiden: None,
            aliases: Vec::new(),
            title,
            class: Class::Unknown,
            role: if professional { "professional".into() } else { "unknown".into() },
            key: None,
            dob: None,
            mentions: 0,
        });
        self.case.people.len() - 1
    }

    fn unknown(&mut self, professional: bool) -> usize {
        let pool = if professional { &self.profs } else { &self.lay };
        let candidates: Vec<usize> = pool.iter().copied().filter(|i| !self.in_sentence.contains(i)).collect();
        if !candidates.is_empty() && (pool.len() >= 6 || self.rng.chance(0.55)) {
            return *self.rng.pick(&candidates);
        }
        let i = self.new_unknown(professional, false);
        if professional {
            self.profs.push(i);
        } else {
            self.lay.push(i);
        }
        i
    }

    fn person_index(&mut self, slot: &str) -> Option<usize> {
        let c = &self.case;
        let i = match slot {
            "C" => c.child,
            "M" => c.mother,
            "F" => c.father,
            "G" => c.grandmother,
            "S" => *self.rng.pick(&c.siblings.clone()),
            "P" => self.listed?,
            "U" | "V" => self.unknown(false),
            "UP" => self.unknown(true),
            "UR" => self.new_unknown(false, true),
            _ => c.pros.iter().find(|(s, _)| *s == slot).map(|(_, i)| *i)?,
        };
        Some(i)
    }

    fn form_available(&self, p: &Person, form: &str) -> bool {
        match form {
            "fullmid" => p.middle.is_some(),
            "alias" => !p.aliases.is_empty(),
            "ascii" => !p.given.is_ascii() || !p.surname.is_ascii(),
            "soundalike" => soundalike(&p.given).is_some() || soundalike(&p.surname).is_some(),
            "maiden" => p.maiden.is_some(),
            "typo" => p.key.is_some() && (p.given.chars().count() >= 4 || p.surname.chars().count() >= 4),
            "initials" => p.class != Class::Unknown,
            "title" => p.class != Class::Child,
            _ => true,
        }
    }

    fn choose_form(&mut self, i: usize) -> String {
        let p = &self.case.people[i];
        // full fullmid first title surname caps capsfull initials alias typo ascii soundalike maiden spaced lower
        let weights: [u32; 15] = match p.class {
            Class::Child => [8, 3, 55, 0, 2, 1, 2, 4, 9, 4, 3, 2, 0, 2, 1],
            Class::Family => [15, 0, 30, 20, 5, 2, 2, 3, 5, 4, 3, 2, 4, 2, 1],
            Class::Professional => [33, 0, 8, 35, 5, 1, 2, 3, 0, 4, 2, 1, 0, 2, 0],
            Class::Unknown => [35, 0, 25, 28, 4, 1, 2, 0, 0, 0, 0, 0, 0, 2, 0],
        };
        if p.mentions == 0 && p.class != Class::Child && self.rng.chance(0.6) {
            return "full".into();
        }
        let w: Vec<u32> = PERSON_FORMS.iter().zip(weights).map(|(f, w)| if self.form_available(p, f) { w } else { 0 }).collect();
        PERSON_FORMS[self.rng.weighted(&w)].to_string()
    }

    fn render_person(&mut self, i: usize, forced: Option<&str>, poss: bool) {
        let mut form = match forced {
            Some(f) if self.form_available(&self.case.people[i], f) => f.to_string(),
            Some("title") => "full".to_string(),
            _ => self.choose_form(i),
        };
        if form == "title" && self.case.people[i].class == Class::Child {
            form = "first".into();
        }
        self.in_sentence.push(i);
        self.case.people[i].mentions += 1;
        let p = self.case.people[i].clone();
        let cat = p.category();
        let key = &p.key;
        let full = format!("{} {}", p.given, p.surname);
        let mut last = p.surname.clone();
        match form.as_str() {
            "full" => self.mention(&full, cat, key, "full"),
            "fullmid" => {
                let s = format!("{} {} {}", p.given, p.middle.clone().unwrap_or_default(), p.surname);
                self.mention(&s, cat, key, "fullmid")
            }
            "first" => {
                last = p.given.clone();
                self.mention(&p.given, cat, key, "first")
            }
            "title" => {
                self.push(&format!("{} ", p.title));
                self.mention(&p.surname, cat, key, "title")
            }
            "surname" => self.mention(&p.surname, cat, key, "surname"),
            "caps" => self.mention(&p.surname.to_uppercase(), cat, key, "caps"),
            "capsfull" => self.mention(&full.to_uppercase(), cat, key, "caps"),
            "initials" => {
                let mut parts: Vec<char> = vec![p.given.chars().next().unwrap_or('X')];
                if let Some(m) = &p.middle {
                    if self.rng.chance(0.5) {
                        parts.push(m.chars().next().unwrap_or('X'));
                    }
                }
                parts.push(p.surname.chars().find(|c| c.is_uppercase()).unwrap_or('X'));
                let s: String = match self.rng.below(10) {
                    0..=4 => parts.iter().map(|c| format!("{c}.")).collect(),
                    5..=7 => parts.iter().collect(),
                    _ => parts.iter().map(|c| format!("{c}.")).collect::<Vec<_>>().join(" "),
                };
                last = s.clone();
                self.mention(&s, cat, key, "initials")
            }
            "alias" => {
                let a = self.rng.pick(&p.aliases).clone();
                last = a.clone();
                self.mention(&a, cat, key, "alias")
            }
            "typo" => {
                let on_surname = p.surname.chars().count() >= 4 && (p.given.chars().count() < 4 || self.rng.chance(0.6));
                if on_surname {
                    let t = typo(self.rng, &p.surname);
                    last = t.clone();
                    match self.rng.below(3) {
                        0 if p.class != Class::Child => {
                            self.push(&format!("{} ", p.title));
                            self.mention(&t, cat, key, "typo")
                        }
                        _ => self.mention(&format!("{} {t}", p.given), cat, key, "typo"),
                    }
                } else {
                    let t = typo(self.rng, &p.given);
                    last = t.clone();
                    self.mention(&t, cat, key, "typo")
                }
            }
            "ascii" => {
                let (g, s) = (fold_ascii(&p.given), fold_ascii(&p.surname));
                match self.rng.below(3) {
                    0 => {
                        last = g.clone();
                        self.mention(&g, cat, key, "ascii")
                    }
                    1 if p.class != Class::Child => {
                        self.push(&format!("{} ", p.title));
                        last = s.clone();
                        self.mention(&s, cat, key, "ascii")
                    }
                    _ => {
                        last = s.clone();
                        self.mention(&format!("{g} {s}"), cat, key, "ascii")
                    }
                }
            }
            "soundalike" => {
                let g = soundalike(&p.given).map(str::to_string);
                let s = soundalike(&p.surname).map(str::to_string);
                match (g, s) {
                    (Some(g), _) if p.class == Class::Child || self.rng.chance(0.5) => {
                        last = g.clone();
                        self.mention(&g, cat, key, "soundalike")
                    }
                    (_, Some(s)) => {
                        last = s.clone();
                        self.mention(&format!("{} {s}", p.given), cat, key, "soundalike")
                    }
                    (Some(g), None) => {
                        last = p.surname.clone();
                        self.mention(&format!("{g} {}", p.surname), cat, key, "soundalike")
                    }
                    (None, None) => self.mention(&full, cat, key, "full"),
                }
            }
            "maiden" => {
                let m = p.maiden.clone().unwrap_or_default();
                last = m.clone();
                if self.rng.chance(0.5) {
                    self.push(&format!("{} ", p.title));
                    self.mention(&m, cat, key, "maiden")
                } else {
                    self.mention(&format!("{} {m}", p.given), cat, key, "maiden")
                }
            }
            "spaced" => {
                let gap = *self.rng.pick(&["  ", "   ", " \t", "\n"]);
                self.mention(&format!("{}{gap}{}", p.given, p.surname), cat, key, "spaced")
            }
            "lower" => {
                last = p.given.to_lowercase();
                self.mention(&p.given.to_lowercase(), cat, key, "lower")
            }
            _ => self.mention(&full, cat, key, "full"),
        }
        if poss {
            self.possessive(last.ends_with('s'));
        }
    }

    fn render_address(&mut self, a: &Address, full: bool) {
        let key = a.key.clone();
        if let Some(f) = a.flat {
            if self.rng.chance(0.6) {
                self.push(&format!("Flat {f}, "));
            }
        }
        let line = match self.rng.below(20) {
            0..=13 => a.line(),
            14..=17 => format!("{} {} {}", a.number, a.street, a.suffix.1),
            _ => a.line().to_uppercase(),
        };
        self.mention(&line, "address", &key, "address");
        if full {
            self.push(&format!(", {}, ", self.case.town.name));
            self.render_ident_value(&self.case.postcode.clone());
        } else if self.rng.chance(0.3) {
            self.push(&format!(", {}", self.case.town.name));
        }
    }

    fn render_place(&mut self, p: &Place) {
        let (s, form) = match self.rng.below(20) {
            0..=13 => (p.full.clone(), "full"),
            14..=17 => (p.short.clone(), "short"),
            _ => (p.full.to_uppercase(), "caps"),
        };
        self.mention(&s, "place", &p.key, form);
    }

    fn render_ident_value(&mut self, id: &Ident) {
        let v = if id.variants.is_empty() { id.value.clone() } else { self.rng.pick(&id.variants).clone() };
        self.mention(&v, id.category, &id.key, id.category);
    }

    fn render_date(&mut self, d: NaiveDate, style: Option<usize>) {
        let style = style.unwrap_or_else(|| self.rng.below(15));
        let (prefix, date) = write_date(d, style);
        self.push(&prefix);
        if let Some((_, key)) = self.case.dates.iter().find(|(x, _)| *x == d) {
            let key = Some(key.clone());
            self.mention(&date, "date", &key, "date");
        } else {
            self.push(&date);
        }
    }

    fn random_date(&mut self) -> NaiveDate {
        let end = self.case.dod.as_ref().map(|(d, _)| *d).unwrap_or(self.case.dob + Duration::days(1800));
        let span = (end - self.case.dob).num_days().max(1) as usize;
        self.case.dob + Duration::days(self.rng.range(1, span) as i64)
    }

    /// Whether a template's slots can all be filled for this case.
    fn can_fill(&self, template: &str) -> bool {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else { return false };
            let spec = &rest[open + 1..open + close];
            let name = spec.split([':', '\'']).next().unwrap_or("");
            let forced = spec.split_once(':').map(|(_, f)| f.trim_end_matches("'s"));
            let fixed = match name {
                "C" => Some(self.case.child),
                "M" => Some(self.case.mother),
                "F" => Some(self.case.father),
                "G" => Some(self.case.grandmother),
                _ => None,
            };
            if let (Some(i), Some(f)) = (fixed, forced) {
                if (f == "alias" || f == "maiden") && !self.form_available(&self.case.people[i], f) {
                    return false;
                }
            }
            let ok = match name {
                "DOD" => self.case.dod.is_some(),
                "PREVHOME" => self.case.prev.is_some(),
                "P" | "PDOB" | "PROLE" => self.listed.is_some(),
                "HOMEPHONE" | "COURT" | "CRIME" | "NINO" => self.case.ids.iter().any(|(s, _)| *s == name),
                _ => true,
            };
            if !ok {
                return false;
            }
            rest = &rest[open + close + 1..];
        }
        true
    }

    fn slot(&mut self, spec: &str) {
        let (spec, poss) = match spec.strip_suffix("'s") {
            Some(s) => (s, true),
            None => (spec, false),
        };
        let (name, form) = match spec.split_once(':') {
            Some((n, f)) => (n, Some(f)),
            None => (spec, None),
        };
        let c = &self.case;
        match name {
            "C" | "M" | "F" | "S" | "G" | "P" | "U" | "V" | "UP" | "UR" | "HV" | "SW" | "GP" | "PO" | "T" | "MW" | "PAED" => {
                if let Some(i) = self.person_index(name) {
                    self.render_person(i, form, poss);
                }
            }
            "HOME" | "HOMEFULL" => {
                let a = c.home.clone();
                self.render_address(&a, name == "HOMEFULL");
            }
            "PREVHOME" => {
                if let Some(a) = c.prev.clone() {
                    self.render_address(&a, false);
                }
            }
            "STREET" => {
                let a = c.home.clone();
                self.mention(&format!("{} {}", a.street, a.suffix.0), "address", &a.key, "street");
            }
            "PCODE" => {
                let p = c.postcode.clone();
                self.render_ident_value(&p);
            }
            "SCHOOL" | "NURSERY" | "GPP" | "HOSP" => {
                let p = match name {
                    "SCHOOL" => c.school.clone(),
                    "NURSERY" => c.nursery.clone(),
                    "GPP" => c.gpp.clone(),
                    _ => c.hospital.clone(),
                };
                self.render_place(&p);
            }
            "UADDR" => {
                let a = make_address(self.rng);
                self.mention(&a.line(), "address", &None, "address");
            }
            "UPCODE" => {
                let t = self.case.town;
                let p = postcode(self.rng, t);
                self.mention(&p, "postcode", &None, "postcode");
            }
            "USCHOOL" => {
                let t = self.case.town;
                let p = make_place(self.rng, SCHOOL_FORMS, t);
                self.mention(&p.full, "place", &None, "full");
            }
            "DOB" => {
                let d = c.dob;
                self.render_date(d, None);
            }
            "SDOB" | "PDOB" => {
                let who = if name == "PDOB" { self.listed } else { Some(*self.rng.pick(&c.siblings.clone())) };
                if let Some((d, _)) = who.and_then(|i| self.case.people[i].dob.clone()) {
                    self.render_date(d, None);
                }
            }
            "DOD" => {
                if let Some((d, _)) = c.dod.clone() {
                    self.render_date(d, None);
                }
            }
            "DATE" => match self.row_date {
                Some(d) => {
                    let s = self.row_style;
                    self.render_date(d, Some(s));
                }
                None => {
                    let d = self.random_date();
                    self.render_date(d, None);
                }
            },
            "MONTHYEAR" => {
                let d = self.random_date();
                self.push(&format!("{} {}", month_name(d), d.year()));
            }
            "YEAR" => {
                let d = self.random_date();
                self.push(&d.year().to_string());
            }
            "MONTH" => {
                let m = self.rng.pick(MONTHS);
                self.push(m);
            }
            "AGE" => {
                let s = match self.rng.below(3) {
                    0 => format!("{} months old", self.rng.range(2, 23)),
                    1 => format!("aged {}", self.rng.range(2, 15)),
                    _ => format!("{} weeks old", self.rng.range(1, 12)),
                };
                self.push(&s);
            }
            "NUM" => {
                let n = self.rng.range(2, 12).to_string();
                self.push(&n);
            }
            "WEEKDAY" => {
                let w = self.rng.pick(WEEKDAYS);
                self.push(w);
            }
            "AGENCY" => {
                let a = self.rng.pick(AGENCIES);
                self.push(a);
            }
            "AGENCYS" => {
                let a = self.rng.pick(AGENCY_SHORT);
                self.push(a);
            }
            "TOWN" => {
                let t = c.town.name;
                self.push(t);
            }
            "LA" => {
                let t = c.town.la;
                self.push(t);
            }
            "PSEUDO" => {
                let s = format!("{} {}", self.rng.pick(&["Child", "Sibling", "Adult"]), char::from(b'A' + self.rng.below(26) as u8));
                self.push(&s);
            }
            "REVIEW" => {
                let r = self.rng.pick(&["Serious Case Review", "Lessons Learned Review", "Child Safeguarding Practice Review"]);
                self.push(r);
            }
            "PROLE" => {
                if let Some(i) = self.listed {
                    let r = self.case.people[i].role.clone();
                    self.push(&r);
                }
            }
            "UPHONE" | "UEMAIL" => {
                let id = if name == "UPHONE" {
                    mobile(self.rng)
                } else {
                    let u = self.unknown(false);
                    let (g, s) = (self.case.people[u].given.clone(), self.case.people[u].surname.clone());
                    let e = email_of(self.rng, &g, &s);
                    Ident { value: e.clone(), variants: vec![e], category: "email", key: None }
                };
                self.render_ident_value(&id);
            }
            _ => {
                if let Some((_, id)) = c.ids.iter().find(|(s, _)| *s == name) {
                    let id = id.clone();
                    self.render_ident_value(&id);
                } else {
                    self.push(&format!("{{{spec}}}"));
                }
            }
        }
    }

    /// Writes one template.
    fn render(&mut self, template: &str) {
        self.in_sentence.clear();
        let mut rest = template;
        while !rest.is_empty() {
            let next = rest.find(['{', '<']);
            match next {
                None => {
                    self.push(rest);
                    break;
                }
                Some(at) => {
                    self.push(&rest[..at]);
                    let close_char = if rest[at..].starts_with('{') { '}' } else { '>' };
                    let Some(len) = rest[at..].find(close_char) else {
                        self.push(&rest[at..]);
                        break;
                    };
                    let inner = &rest[at + 1..at + len];
                    if close_char == '}' {
                        self.slot(inner);
                    } else {
                        let start = self.text.len();
                        self.push(inner);
                        self.decoys.push(Decoy { start, end: self.text.len(), word: inner.to_string() });
                    }
                    rest = &rest[at + len + 1..];
                }
            }
        }
    }

    /// A template from `pool` whose slots this case can fill.
    fn pick_template(&mut self, pool: &'static [&'static str]) -> Option<&'static str> {
        for _ in 0..30 {
            let t = *self.rng.pick(pool);
            if self.can_fill(t) {
                return Some(t);
            }
        }
        pool.iter().copied().find(|t| self.can_fill(t))
    }

    fn sentence(&mut self, pool: &'static [&'static str]) {
        if let Some(t) = self.pick_template(pool) {
            self.render(t);
        }
    }

    /// An ordinary-word sentence, more often one whose words are names in this case.
    fn ordinary(&mut self) {
        let pool = self.set.ordinary;
        let matching: Vec<usize> = self
            .decoy_templates
            .iter()
            .filter(|(_, words)| words.iter().any(|w| self.case.name_words.contains(w)))
            .map(|(i, _)| *i)
            .collect();
        let t = if !matching.is_empty() && self.rng.chance(0.6) { pool[*self.rng.pick(&matching)] } else { *self.rng.pick(pool) };
        self.render(t);
    }

    fn prose_sentence(&mut self, summary: bool) {
        let s = self.set;
        let w: [u32; 7] = if summary { [20, 8, 7, 15, 15, 3, 40] } else { [40, 10, 14, 15, 15, 6, 0] };
        match self.rng.weighted(&w) {
            0 => self.sentence(s.involvement),
            1 => self.sentence(s.background),
            2 => self.sentence(s.unknown),
            3 => self.sentence(s.analysis),
            4 => self.ordinary(),
            5 => self.sentence(s.details),
            _ => self.sentence(s.summary),
        }
    }

    fn paragraph(&mut self, summary: bool) {
        let n = self.rng.range(3, 7);
        for k in 0..n {
            if k > 0 {
                let gap = if self.rng.chance(0.08) { "  " } else { " " };
                self.push(gap);
            }
            self.prose_sentence(summary);
        }
        self.push("\n\n");
    }

    fn heading(&mut self, number: usize) {
        let h = *self.rng.pick(self.set.headings);
        let h = if self.rng.chance(0.5) { h.to_uppercase() } else { h.to_string() };
        if self.rng.chance(0.7) {
            self.push(&format!("{number}. {h}\n\n"));
        } else {
            self.push(&format!("{h}\n\n"));
        }
    }

    fn chronology(&mut self, target: usize) {
        let header = *self.rng.pick(self.set.chron_headers);
        self.render(header);
        self.push("\n\n");
        let columns = *self.rng.pick(self.set.chron_columns);
        self.push(columns);
        self.push("\n");
        let row = *self.rng.pick(self.set.chron_rows);
        self.row_style = *self.rng.pick(&[2usize, 3, 4, 5, 9, 11, 13, 1, 10]);
        let mut date = self.case.dob - Duration::days(self.rng.range(60, 240) as i64);
        let end = self.case.dod.as_ref().map(|(d, _)| *d);
        let mut born = false;
        while self.text.len() < target {
            date += Duration::days(self.rng.range(1, 25) as i64);
            if !born && date >= self.case.dob {
                born = true;
                date = self.case.dob;
                self.row(row, self.set.birth_events, date);
                continue;
            }
            if let Some(e) = end {
                if date >= e {
                    self.row(row, self.set.death_events, e);
                    break;
                }
            }
            let events = if self.rng.chance(0.12) { self.set.unknown } else { self.set.chron_events };
            self.row(row, events, date);
        }
    }

    /// One chronology row: the row format's {DATE} is the row's date (in the document's
    /// style); a {DATE} inside the event is another day.
    fn row(&mut self, format: &str, events: &'static [&'static str], date: NaiveDate) {
        let mut rest = format;
        loop {
            let next = match (rest.find("{EVENT}"), rest.find("{OUTCOME}")) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let Some(at) = next else { break };
            self.row_date = Some(date);
            self.render(&rest[..at]);
            self.row_date = None;
            if rest[at..].starts_with("{EVENT}") {
                if let Some(t) = self.pick_template(events) {
                    self.render(t);
                }
                rest = &rest[at + "{EVENT}".len()..];
            } else {
                let t = *self.rng.pick(self.set.outcomes);
                self.render(t);
                rest = &rest[at + "{OUTCOME}".len()..];
            }
        }
        self.row_date = Some(date);
        self.render(rest);
        self.row_date = None;
        self.push("\n");
    }

    fn family_list(&mut self) {
        let mut members = vec![self.case.child];
        members.extend(self.case.siblings.iter().copied());
        members.extend([self.case.mother, self.case.father, self.case.grandmother]);
        for i in members {
            self.listed = Some(i);
            let pool = if self.case.people[i].class == Class::Child { self.set.family_child_items } else { self.set.family_adult_items };
            self.sentence(pool);
            self.push("\n");
        }
        self.listed = None;
        self.push("\n");
    }

    fn prose_doc(&mut self, header: &'static [&'static str], target: usize, summary: bool, family: bool) {
        let h = *self.rng.pick(header);
        self.render(h);
        self.push("\n\n");
        let mut section = 1;
        if family {
            let h = *self.rng.pick(self.set.family_headings);
            self.push(&format!("{section}. {h}\n\n"));
            section += 1;
            self.family_list();
        }
        while self.text.len() < target {
            self.heading(section);
            section += 1;
            for _ in 0..self.rng.range(1, if summary { 2 } else { 4 }) {
                self.paragraph(summary);
            }
        }
    }

    /// Hard-wraps the text at `width` columns by turning spaces into line breaks (byte
    /// offsets do not move), the way reports pasted from e-mail and PDF look.
    fn wrap(&mut self, width: usize) {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        let (mut col, mut last_space) = (0usize, None::<usize>);
        for i in 0..bytes.len() {
            match bytes[i] {
                b'\n' => {
                    col = 0;
                    last_space = None;
                }
                b' ' => {
                    last_space = Some(i);
                    col += 1;
                }
                _ => col += 1,
            }
            if col > width {
                if let Some(s) = last_space.take() {
                    bytes[s] = b'\n';
                    col = i - s;
                }
            }
        }
        self.text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
    }
}

pub const KINDS: &[&str] = &["chronology", "imr", "overview", "summary"];

fn log_uniform(rng: &mut Rng, lo: usize, hi: usize) -> usize {
    let (l, h) = ((lo as f64).ln(), (hi as f64).ln());
    (l + (h - l) * rng.unit()).exp() as usize
}

/// Generates document `n` of a corpus from `seed` with the templates of `set`.
pub fn document(seed: u64, n: usize, set: &Set) -> Document {
    let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    for _ in 0..4 {
        rng.next_u64();
    }
    let case = build_case(&mut rng);
    let kind = KINDS[rng.weighted(&[30, 30, 20, 20])];
    // Words, then about 6.3 bytes a word.
    let words = match kind {
        "chronology" => log_uniform(&mut rng, 300, 5000),
        "imr" => log_uniform(&mut rng, 800, 4000),
        "overview" => log_uniform(&mut rng, 2000, 7000),
        _ => log_uniform(&mut rng, 300, 1500),
    };
    let target = words * 63 / 10;
    let decoy_templates = set
        .ordinary
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut words = BTreeSet::new();
            let mut rest = *t;
            while let Some(a) = rest.find('<') {
                match rest[a..].find('>') {
                    Some(b) => {
                        words.insert(rest[a + 1..a + b].to_lowercase());
                        rest = &rest[a + b + 1..];
                    }
                    None => break,
                }
            }
            (i, words)
        })
        .collect();
    let mut w = Writer {
        rng: &mut rng,
        case,
        set,
        text: String::new(),
        gold: Vec::new(),
        decoys: Vec::new(),
        lay: Vec::new(),
        profs: Vec::new(),
        in_sentence: Vec::new(),
        row_date: None,
        row_style: 2,
        listed: None,
        decoy_templates,
    };
    match kind {
        "chronology" => w.chronology(target),
        "imr" => w.prose_doc(set.imr_headers, target, false, false),
        "overview" => w.prose_doc(set.overview_headers, target, false, true),
        _ => w.prose_doc(set.summary_headers, target, true, false),
    }
    if kind != "chronology" && w.rng.chance(0.4) {
        let width = w.rng.range(60, 100);
        w.wrap(width);
    }
    let text = std::mem::take(&mut w.text);
    let mut gold = std::mem::take(&mut w.gold);
    for g in &mut gold {
        if let Some(s) = text.get(g.start..g.end) {
            g.text = s.to_string();
            g.split = s.contains('\n');
        }
    }
    gold.retain(|g| g.start < g.end);
    Document {
        id: format!("{}-{n:05}", set.name),
        split: set.name,
        kind,
        case: w.case.file,
        text,
        gold,
        decoys: std::mem::take(&mut w.decoys),
    }
}
