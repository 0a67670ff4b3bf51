//! The known-entity register and its pseudonym plan: what the case file says about the
//! review's people, places, dates and identifiers, checked field by field, each entity
//! given one pseudonym used everywhere, and compiled for matching ([`super::known`],
//! [`super::patterns`]).
//!
//! Pseudonyms are proposed from the role when the case file gives none: "Child A",
//! "Mother", "Sibling 1", "Health Visitor 1", "School A", "the family home",
//! "[date of birth]". Children are lettered in the order of the case file, not by their
//! initial: "Child J" for Jade would hand every reader the first letter of her name, and
//! with her age and area that narrows who she is; a neutral sequence gives nothing away.
//! The author may set any pseudonym in the case file (the plan shows which were proposed).

use super::known::{self, FxMap, FxSet, Gap, Index, Kind, PARTICLES};
use super::patterns::{self, Patterns, RegDate, Target};
use super::{CaseFile, Category};
use crate::FieldErrors;
use serde::Serialize;

/// A person's sex as far as the role tells it, for "Mrs Smith" and "Mr Smith".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Female,
    Male,
}

/// A word of a registered name, folded, with what it is of the name.
#[derive(Debug, Clone)]
pub(crate) struct NameWord {
    pub norm: String,
    pub kind: Kind,
    /// Joined by a hyphen to the word before ("Ann" in "Kerry-Ann"): one initial for both.
    pub joined: bool,
}

/// A person compiled for matching.
#[derive(Debug, Clone)]
pub(crate) struct PersonEntry {
    pub key: String,
    pub pseudonym: String,
    /// The child, a relative or another member of the household (not a professional).
    pub family: bool,
    pub child: bool,
    pub gender: Option<Gender>,
    pub names: Vec<Vec<NameWord>>,
    /// Folded words of each alias.
    pub aliases: Vec<Vec<String>>,
}

/// A named place compiled for matching: the word sequences that name it.
#[derive(Debug, Clone)]
pub(crate) struct PlaceEntry {
    pub key: String,
    pub pseudonym: String,
    pub category: Category,
    pub phrases: Vec<Vec<String>>,
}

/// One line of the pseudonym plan, for a page that shows and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanEntry {
    /// The entity's key in findings: "person:0", "place:2", "date:0", "identifier:1".
    pub key: String,
    /// The case file field that sets the pseudonym ("people[0].pseudonym").
    pub field: String,
    pub category: Category,
    /// The role or kind from the case file ("mother", "school", "date_of_birth").
    pub kind: String,
    /// The real name or value: for the author's screen only, never for publication.
    pub label: String,
    pub pseudonym: String,
    /// The pseudonym was proposed from the role, not given in the case file.
    pub proposed: bool,
}

/// The case's entities, compiled for matching, each with its pseudonym.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub(crate) index: Index,
    pub(crate) patterns: Patterns,
    plan: Vec<PlanEntry>,
}

/// How a role's pseudonyms are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    /// "Child A", "Child B", even for one.
    Letter,
    /// "Health Visitor 1", even for one.
    Always,
    /// "Mother"; "Grandmother 1" and "Grandmother 2" when there are two.
    IfRepeated,
}

#[derive(Debug, Clone)]
struct RoleInfo {
    base: String,
    numbering: Numbering,
    family: bool,
    child: bool,
    gender: Option<Gender>,
}

/// A person's parsed names, aliases and role.
type ParsedPerson = (Vec<Vec<NameWord>>, Vec<Vec<String>>, RoleInfo);

const MAX_NAME: usize = 200;
const MAX_PSEUDONYM: usize = 100;

impl Register {
    /// Builds the register from a case file; errors name the field (`people[2].names[0]`).
    /// An empty case file gives an empty register (only unknown names are then found).
    pub fn from_case(case: &CaseFile) -> Result<Register, FieldErrors> {
        let mut errors = FieldErrors::new();
        // People: names, aliases and roles.
        let mut people: Vec<ParsedPerson> = Vec::new();
        for (i, p) in case.people.iter().enumerate() {
            if p.names.is_empty() {
                errors.push(format!("people[{i}].names"), "Enter at least one name");
            }
            let mut names = Vec::new();
            for (j, n) in p.names.iter().enumerate() {
                let field = format!("people[{i}].names[{j}]");
                if n.trim().is_empty() {
                    errors.push(field, "Enter the name (an empty name matches nothing)");
                } else if n.chars().count() > MAX_NAME {
                    errors.push(field, format!("A name must be {MAX_NAME} characters or fewer"));
                } else {
                    match parse_name(n) {
                        Some(words) => names.push(words),
                        None => errors.push(field, "A name must contain letters"),
                    }
                }
            }
            let mut aliases = Vec::new();
            for (j, a) in p.aliases.iter().enumerate() {
                let field = format!("people[{i}].aliases[{j}]");
                let words = words_of(a);
                if a.trim().is_empty() {
                    errors.push(field, "Enter the alias or remove it");
                } else if a.chars().count() > MAX_NAME {
                    errors.push(field, format!("An alias must be {MAX_NAME} characters or fewer"));
                } else if words.iter().map(|w| w.chars().count()).sum::<usize>() < 2 {
                    errors.push(field, "An alias must have at least two letters");
                } else {
                    aliases.push(words);
                }
            }
            if p.role.chars().count() > MAX_PSEUDONYM {
                errors.push(format!("people[{i}].role"), format!("A role must be {MAX_PSEUDONYM} characters or fewer"));
            }
            people.push((names, aliases, role_info(&p.role)));
        }
        // Every word of every name: no pseudonym may contain one.
        let name_words: FxSet<String> = people
            .iter()
            .flat_map(|(names, aliases, _)| {
                names.iter().flatten().map(|w| w.norm.clone()).chain(aliases.iter().flatten().cloned()).collect::<Vec<_>>()
            })
            .filter(|w| w.chars().count() >= 2 && !PARTICLES.contains(&w.as_str()))
            .collect();

        // Explicit pseudonyms: present, short, no name in them, not shared.
        let mut taken: FxMap<String, String> = FxMap::default();
        let mut check_pseudonym = |errors: &mut FieldErrors, field: String, owner: &str, pseudonym: &Option<String>, shared_ok: bool| {
            let Some(ps) = pseudonym else { return None };
            let ps = ps.trim();
            if ps.is_empty() {
                errors.push(field, "Enter the pseudonym, or leave it out to have one proposed");
                return None;
            }
            if ps.chars().count() > MAX_PSEUDONYM {
                errors.push(field, format!("A pseudonym must be {MAX_PSEUDONYM} characters or fewer"));
                return None;
            }
            if let Some(w) = words_of(ps).into_iter().find(|w| name_words.contains(w)) {
                errors.push(field, format!("The pseudonym \"{ps}\" contains \"{w}\", a name from the case file"));
                return None;
            }
            if !shared_ok {
                let lower = ps.to_lowercase();
                if let Some(other) = taken.get(&lower) {
                    errors.push(field, format!("\"{ps}\" is already the pseudonym of {other}: each person and place needs its own"));
                    return None;
                }
                taken.insert(lower, owner.to_string());
            }
            Some(ps.to_string())
        };
        let person_ps: Vec<Option<String>> = case
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| check_pseudonym(&mut errors, format!("people[{i}].pseudonym"), &format!("people[{i}]"), &p.pseudonym, false))
            .collect();

        // Places.
        let mut place_kinds = Vec::new();
        for (i, pl) in case.places.iter().enumerate() {
            let kind = place_kind(&pl.kind);
            if kind.is_none() {
                errors.push(
                    format!("places[{i}].kind"),
                    format!("Unknown kind \"{}\": use address, postcode, school, nursery, gp_practice, hospital or place", pl.kind),
                );
            }
            if pl.name.trim().is_empty() {
                errors.push(format!("places[{i}].name"), "Enter the name or address of the place");
            } else if pl.name.chars().count() > MAX_NAME {
                errors.push(format!("places[{i}].name"), format!("A place must be {MAX_NAME} characters or fewer"));
            } else if kind == Some(PlaceKind::Postcode) && patterns::normalise_postcode(&pl.name).is_none() {
                errors.push(format!("places[{i}].name"), format!("\"{}\" is not a UK postcode (like NM1 2AB)", pl.name.trim()));
            } else if kind != Some(PlaceKind::Postcode) && words_of(&pl.name).is_empty() {
                errors.push(format!("places[{i}].name"), "A place's name must contain letters");
            }
            place_kinds.push(kind.unwrap_or(PlaceKind::Place));
        }
        let place_ps: Vec<Option<String>> = case
            .places
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let shared = place_kinds.get(i) == Some(&PlaceKind::Postcode);
                check_pseudonym(&mut errors, format!("places[{i}].pseudonym"), &format!("places[{i}]"), &p.pseudonym, shared)
            })
            .collect();

        // Dates.
        let mut dates = Vec::new();
        for (i, d) in case.dates.iter().enumerate() {
            let v = d.date.trim();
            let parsed = (v.len() == 10).then(|| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()).flatten();
            match parsed {
                Some(date) => dates.push(Some(date)),
                None => {
                    errors.push(format!("dates[{i}].date"), format!("\"{v}\" is not a date written YYYY-MM-DD (like 2014-03-03)"));
                    dates.push(None);
                }
            }
        }
        let date_ps: Vec<Option<String>> = case
            .dates
            .iter()
            .enumerate()
            .map(|(i, d)| check_pseudonym(&mut errors, format!("dates[{i}].pseudonym"), &format!("dates[{i}]"), &d.pseudonym, true))
            .collect();

        // Identifiers.
        let mut id_kinds = Vec::new();
        for (i, id) in case.identifiers.iter().enumerate() {
            let v = id.value.trim();
            let field = format!("identifiers[{i}].value");
            let kind = identifier_kind(&id.kind, v);
            match kind {
                None => errors.push(
                    format!("identifiers[{i}].kind"),
                    format!("Unknown kind \"{}\": use phone, nhs_number, email, case_reference, court_reference or other", id.kind),
                ),
                Some(_) if v.is_empty() => errors.push(field, "Enter the identifier"),
                Some(_) if v.chars().count() > MAX_NAME => {
                    errors.push(field, format!("An identifier must be {MAX_NAME} characters or fewer"))
                }
                Some(IdKind::Nhs) => {
                    let digits: String = v.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
                    if !patterns::nhs_valid(&digits) {
                        errors.push(field, format!("\"{v}\" is not an NHS number: ten digits whose last is the check digit"));
                    }
                }
                Some(IdKind::Email) => {
                    let ok = v.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
                    if !ok {
                        errors.push(field, format!("\"{v}\" is not an email address"));
                    }
                }
                Some(IdKind::Phone) => {
                    if v.chars().filter(char::is_ascii_digit).count() < 7 {
                        errors.push(field, format!("\"{v}\" is not a phone number: it has fewer than 7 digits"));
                    }
                }
                Some(IdKind::Reference) => {
                    if v.chars().count() < 3 {
                        errors.push(field, "A reference must be at least 3 characters long to be found reliably");
                    }
                }
            }
            id_kinds.push(kind.unwrap_or(IdKind::Reference));
        }
        let id_ps: Vec<Option<String>> = case
            .identifiers
            .iter()
            .enumerate()
            .map(|(i, d)| {
                check_pseudonym(&mut errors, format!("identifiers[{i}].pseudonym"), &format!("identifiers[{i}]"), &d.pseudonym, true)
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }

        // The plan: explicit pseudonyms first, then proposals that avoid them.
        let mut used: FxSet<String> = taken.keys().cloned().collect();
        let mut plan = Vec::new();
        let mut entries = Vec::new();
        let auto_people: Vec<&RoleInfo> =
            people.iter().zip(&person_ps).filter(|(_, ps)| ps.is_none()).map(|((_, _, role), _)| role).collect();
        let mut repeated: FxMap<String, usize> = FxMap::default();
        for r in &auto_people {
            *repeated.entry(r.base.clone()).or_default() += 1;
        }
        let mut counters: FxMap<String, usize> = FxMap::default();
        for (i, ((names, aliases, role), ps)) in people.into_iter().zip(person_ps).enumerate() {
            let proposed = ps.is_none();
            let pseudonym = match ps {
                Some(ps) => ps,
                None => propose(&role.base, role.numbering, repeated.get(&role.base).copied().unwrap_or(0), &mut counters, &mut used),
            };
            let key = format!("person:{i}");
            let p = &case.people[i];
            plan.push(PlanEntry {
                key: key.clone(),
                field: format!("people[{i}].pseudonym"),
                category: Category::Person,
                kind: p.role.trim().to_string(),
                label: p.names.first().map(|n| n.trim().to_string()).unwrap_or_default(),
                pseudonym: pseudonym.clone(),
                proposed,
            });
            entries.push(PersonEntry {
                key,
                pseudonym,
                family: role.family || role.child,
                child: role.child,
                gender: role.gender,
                names,
                aliases,
            });
        }

        // The towns of the registered addresses (the parts with no street): a school's short
        // form that is one of them ("Northmoor" of "Northmoor Primary School") is more often the town.
        let address_words: FxSet<String> = case
            .places
            .iter()
            .zip(&place_kinds)
            .filter(|(_, k)| **k == PlaceKind::Address)
            .flat_map(|(pl, _)| pl.name.split([',', '\n']))
            .filter(|part| patterns::address_spans(part).is_empty())
            .flat_map(words_of)
            .collect();
        let mut pats = Patterns::default();
        let mut places = Vec::new();
        let mut verbatim: Vec<(String, usize)> = Vec::new();
        let mut address_no = 0usize;
        for (i, (pl, ps)) in case.places.iter().zip(place_ps).enumerate() {
            let kind = place_kinds.get(i).copied().unwrap_or(PlaceKind::Place);
            let proposed = ps.is_none();
            let pseudonym = match ps {
                Some(ps) => ps,
                None => match kind {
                    PlaceKind::Postcode => "[postcode]".to_string(),
                    PlaceKind::Address => {
                        address_no += 1;
                        if address_no == 1 && !used.contains("the family home") {
                            used.insert("the family home".to_string());
                            "the family home".to_string()
                        } else {
                            // The second address is "Address B": A is the family home.
                            let mut n = address_no.max(2) - 1;
                            loop {
                                let c = format!("Address {}", letters(n));
                                if used.insert(c.to_lowercase()) {
                                    break c;
                                }
                                n += 1;
                            }
                        }
                    }
                    _ => propose(kind.base(), Numbering::Letter, 0, &mut counters, &mut used),
                },
            };
            if kind == PlaceKind::Address && !proposed {
                address_no += 1;
            }
            let key = format!("place:{i}");
            let category = match kind {
                PlaceKind::Address => Category::Address,
                PlaceKind::Postcode => Category::Postcode,
                _ => Category::Place,
            };
            plan.push(PlanEntry {
                key: key.clone(),
                field: format!("places[{i}].pseudonym"),
                category,
                kind: kind.name().to_string(),
                label: pl.name.trim().to_string(),
                pseudonym: pseudonym.clone(),
                proposed,
            });
            let target = pats.targets.len();
            pats.targets.push(Target { key: key.clone(), pseudonym: pseudonym.clone(), category });
            let mut phrases = Vec::new();
            match kind {
                PlaceKind::Postcode => {
                    if let Some(norm) = patterns::normalise_postcode(&pl.name) {
                        pats.postcodes.insert(norm, target);
                    }
                }
                PlaceKind::Address => {
                    let spans = patterns::address_spans(&pl.name);
                    for &(s, e) in &spans {
                        let line = &pl.name[s..e];
                        pats.addresses.insert(patterns::normalise_address(line), target);
                        // The street's name alone ("Example Row"), unless every town has one.
                        let street: Vec<String> = words_of(line)
                            .into_iter()
                            .filter(|w| {
                                w.chars().count() > 1
                                    && !matches!(w.as_str(), "flat" | "apartment" | "apt" | "unit" | "room" | "maisonette")
                            })
                            .collect();
                        // Even a street every town has ("Chapel Street"): the case file says
                        // this one is the family's.
                        if street.len() >= 2 {
                            phrases.extend(street_variants(street));
                        }
                    }
                    if spans.is_empty() {
                        // "Rose Cottage, Lower Lane": the first line is the house's name.
                        let first = pl.name.split(',').next().unwrap_or("");
                        let words = words_of(first);
                        if !words.is_empty() {
                            phrases.push(words);
                        }
                    }
                }
                _ => phrases.extend(place_phrases(&pl.name, &name_words, &address_words)),
            }
            places.push(PlaceEntry { key, pseudonym, category, phrases });
        }

        for (i, (d, ps)) in case.dates.iter().zip(date_ps).enumerate() {
            let Some(Some(date)) = dates.get(i) else { continue };
            let kind = date_kind(&d.kind);
            let proposed = ps.is_none();
            let pseudonym = ps.unwrap_or_else(|| kind.to_string());
            let key = format!("date:{i}");
            plan.push(PlanEntry {
                key: key.clone(),
                field: format!("dates[{i}].pseudonym"),
                category: Category::Date,
                kind: d.kind.trim().to_string(),
                label: d.date.trim().to_string(),
                pseudonym: pseudonym.clone(),
                proposed,
            });
            use chrono::Datelike;
            pats.dates.push(RegDate { year: date.year(), month: date.month(), day: date.day(), target: pats.targets.len() });
            pats.targets.push(Target { key, pseudonym, category: Category::Date });
        }

        for (i, (id, ps)) in case.identifiers.iter().zip(id_ps).enumerate() {
            let kind = id_kinds.get(i).copied().unwrap_or(IdKind::Reference);
            let v = id.value.trim();
            let proposed = ps.is_none();
            let pseudonym = ps.unwrap_or_else(|| kind.token().to_string());
            let key = format!("identifier:{i}");
            plan.push(PlanEntry {
                key: key.clone(),
                field: format!("identifiers[{i}].pseudonym"),
                category: kind.category(),
                kind: id.kind.trim().to_string(),
                label: v.to_string(),
                pseudonym: pseudonym.clone(),
                proposed,
            });
            let target = pats.targets.len();
            pats.targets.push(Target { key, pseudonym, category: kind.category() });
            match kind {
                IdKind::Phone => {
                    pats.phones.insert(patterns::normalise_phone(v), target);
                }
                IdKind::Nhs => {
                    pats.nhs.insert(v.chars().filter(char::is_ascii_digit).collect(), target);
                }
                IdKind::Email => {
                    pats.emails.insert(v.to_ascii_lowercase(), target);
                }
                IdKind::Reference => {}
            }
            verbatim.push((v.to_string(), target));
        }
        pats.set_verbatim(verbatim);

        Ok(Register { index: Index::build(entries, places), patterns: pats, plan })
    }

    /// The pseudonym plan: every entity with its key, the field that sets its pseudonym,
    /// its real name (for the author's screen only) and its pseudonym.
    pub fn plan(&self) -> Vec<PlanEntry> {
        self.plan.clone()
    }

    /// The pseudonym of an entity by key ("person:0").
    pub fn pseudonym(&self, key: &str) -> Option<&str> {
        self.plan.iter().find(|e| e.key == key).map(|e| e.pseudonym.as_str())
    }

    /// Every folded word of every registered person's names and aliases (for checks that
    /// an output names no one).
    pub fn name_words(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .index
            .people
            .iter()
            .flat_map(|p| p.names.iter().flatten().map(|w| w.norm.clone()).chain(p.aliases.iter().flatten().cloned()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// "Child A".."Child Z", "Child AA": letters for the n-th (0-based).
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The next free pseudonym for a role.
fn propose(base: &str, numbering: Numbering, count: usize, counters: &mut FxMap<String, usize>, used: &mut FxSet<String>) -> String {
    if numbering == Numbering::IfRepeated && count <= 1 && used.insert(base.to_lowercase()) {
        return base.to_string();
    }
    let n = counters.entry(base.to_string()).or_default();
    loop {
        let candidate = match numbering {
            Numbering::Letter => format!("{base} {}", letters(*n)),
            _ => format!("{base} {}", *n + 1),
        };
        *n += 1;
        if used.insert(candidate.to_lowercase()) {
            return candidate;
        }
    }
}

/// Folded words of a text (letters only; digits and punctuation separate words).
fn words_of(s: &str) -> Vec<String> {
    let mut toks = Vec::new();
    known::tokenise(s, &mut toks);
    toks.iter().map(|t| known::normalise(&s[t.start..t.end])).collect()
}

/// The words of a registered name with what each is: the first word is the first name,
/// the last the surname, words between middle names until a particle ("van", "de", "bin")
/// starts the surname. Titles before and "Jr" after are dropped; hyphenated parts are
/// each a word of their part ("Smith-Jones" is two surname words).
fn parse_name(n: &str) -> Option<Vec<NameWord>> {
    let mut toks = Vec::new();
    known::tokenise(n, &mut toks);
    let mut groups: Vec<Vec<String>> = Vec::new();
    for t in &toks {
        let norm = known::normalise(&n[t.start..t.end]);
        match groups.last_mut() {
            Some(g) if t.gap == Gap::Hyphen => g.push(norm),
            _ => groups.push(vec![norm]),
        }
    }
    while groups.len() > 1 && groups[0].len() == 1 && known::title(&groups[0][0]).is_some() {
        groups.remove(0);
    }
    while groups.len() > 1
        && groups.last().is_some_and(|g| g.len() == 1 && matches!(g[0].as_str(), "jr" | "jnr" | "snr" | "sr" | "ii" | "iii"))
    {
        groups.pop();
    }
    let count = groups.len();
    if count == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut in_surname = false;
    for (k, g) in groups.into_iter().enumerate() {
        let particle = k > 0 && k + 1 < count && g.len() == 1 && PARTICLES.contains(&g[0].as_str());
        if particle {
            in_surname = true;
        }
        for (part, w) in g.into_iter().enumerate() {
            let kind = if count == 1 || k == 0 {
                Kind::First
            } else if particle {
                Kind::Particle
            } else if in_surname || k + 1 == count {
                Kind::Surname
            } else {
                Kind::Middle
            };
            out.push(NameWord { norm: w, kind, joined: part > 0 });
        }
    }
    Some(out)
}

/// Street types and their abbreviations ("Rd", "Cl", "Terr").
const STREET_TYPES: &[(&str, &[&str])] = &[
    ("road", &["rd"]),
    ("street", &["st"]),
    ("avenue", &["ave", "av"]),
    ("crescent", &["cres"]),
    ("drive", &["dr"]),
    ("lane", &["ln"]),
    ("gardens", &["gdns"]),
    ("place", &["pl"]),
    ("court", &["ct"]),
    ("square", &["sq"]),
    ("close", &["cl"]),
    ("terrace", &["terr", "ter"]),
    ("grove", &["gr", "gro"]),
    ("park", &["pk"]),
];

/// A street's name and the same with its type written out or abbreviated ("Meadow Close",
/// "Meadow Cl").
fn street_variants(street: Vec<String>) -> Vec<Vec<String>> {
    let last = street.last().map_or("", String::as_str);
    let Some((full, abbrs)) = STREET_TYPES.iter().find(|(f, a)| *f == last || a.contains(&last)) else {
        return vec![street];
    };
    let stem = &street[..street.len() - 1];
    let mut out = vec![street.clone()];
    for w in std::iter::once(full).chain(abbrs.iter()) {
        if *w != last {
            let mut v = stem.to_vec();
            v.push((*w).to_string());
            out.push(v);
        }
    }
    out
}

/// The type words that end a place's name ("... Primary School", "... Medical Centre"):
/// dropping them from the end gives the shorter names writers use.
fn place_type_word(w: &str) -> bool {
    matches!(
        w,
        "school"
            | "nursery"
            | "hospital"
            | "surgery"
            | "practice"
            | "centre"
            | "center"
            | "academy"
            | "college"
            | "clinic"
            | "medical"
            | "health"
            | "primary"
            | "infant"
            | "infants"
            | "junior"
            | "juniors"
            | "community"
            | "high"
            | "secondary"
            | "children's"
            | "childrens"
            | "family"
    )
}

/// Words that say what kind of place a school or practice is, not which one.
fn generic_place_word(w: &str) -> bool {
    place_type_word(w)
        || matches!(
            w,
            "schools"
            | "c"
            | "of"
            | "e"
            | "ce"
            | "cofe"
            | "rc"
            | "church"
            | "england"
            | "catholic"
            | "the"
            | "and"
            | "pre"
            | "preschool"
            | "day"
            | "group"
            | "partnership"
            | "general"
            | "infirmary"
            // Kinds of hospital ("Sunnyside Maritime Hospital", "Oakfield Memorial"), not which.
            | "maritime"
            | "memorial"
            | "district"
            | "university"
            | "trust"
            | "nhs"
            | "foundation"
            | "unit"
            | "house"
            // A practice named after its street ("Marlowe Road Surgery"): the street's type
            // is no more distinctive than "Surgery".
            | "road"
            | "street"
            | "lane"
            | "avenue"
            | "way"
            | "drive"
            | "green"
            | "park"
            | "lodge"
            | "court"
            | "place"
            | "grove"
            | "close"
            | "crescent"
            | "gardens"
            | "square"
            | "terrace"
            | "row"
        )
}

/// A named place's word sequences: its name, its name without a trailing generic word
/// when two words remain ("St Mary's" for "St Mary's Hospital"), and "St"/"Saint" both ways.
///
/// And its distinctive leading words alone ("Southview" of "Southview Junior School", "St
/// Anne's" of "St Anne's C of E Primary"), unless they are a registered person's name or
/// a word of a registered address (its town), or too short to point at one place.
fn place_phrases(name: &str, name_words: &FxSet<String>, address_words: &FxSet<String>) -> Vec<Vec<String>> {
    let words = words_of(name);
    if words.is_empty() {
        return Vec::new();
    }
    let mut out = vec![words.clone()];
    // "The" and a leading "Royal" ("Royal Broadwater Hospital") are left out of the
    // distinctive words: writers shorten such a hospital to "Broadwater".
    let mut lead = usize::from(words.first().is_some_and(|w| w == "the"));
    if words.get(lead).is_some_and(|w| w == "royal") && words.len() > lead + 2 {
        lead += 1;
    }
    let saint = usize::from(words.get(lead).is_some_and(|w| w == "st" || w == "saint"));
    let distinctive: Vec<String> =
        words[lead..].iter().enumerate().take_while(|(k, w)| *k < saint || !generic_place_word(w)).map(|(_, w)| w.clone()).collect();
    let core = &distinctive[saint.min(distinctive.len())..];
    let core_ok = !core.is_empty()
        && distinctive.len() < words.len()
        && core.iter().any(|w| w.chars().count() >= 4)
        && !(core.len() == 1 && (name_words.contains(&core[0]) || address_words.contains(&core[0])) && saint == 0);
    if core_ok {
        out.push(distinctive);
    }
    let mut shorter = words.clone();
    while shorter.len() > 2 && shorter.last().is_some_and(|w| place_type_word(w)) {
        shorter.pop();
        out.push(shorter.clone());
    }
    let mut with_saint = Vec::new();
    for phrase in &out {
        if phrase.iter().any(|w| w == "st") {
            with_saint.push(phrase.iter().map(|w| if w == "st" { "saint".to_string() } else { w.clone() }).collect());
        } else if phrase.iter().any(|w| w == "saint") {
            with_saint.push(phrase.iter().map(|w| if w == "saint" { "st".to_string() } else { w.clone() }).collect());
        }
    }
    out.extend(with_saint);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceKind {
    Address,
    Postcode,
    School,
    Nursery,
    GpPractice,
    Hospital,
    Place,
}

impl PlaceKind {
    fn base(self) -> &'static str {
        match self {
            PlaceKind::School => "School",
            PlaceKind::Nursery => "Nursery",
            PlaceKind::GpPractice => "GP Practice",
            PlaceKind::Hospital => "Hospital",
            PlaceKind::Address => "Address",
            PlaceKind::Postcode => "Postcode",
            PlaceKind::Place => "Place",
        }
    }
    fn name(self) -> &'static str {
        match self {
            PlaceKind::School => "school",
            PlaceKind::Nursery => "nursery",
            PlaceKind::GpPractice => "gp_practice",
            PlaceKind::Hospital => "hospital",
            PlaceKind::Address => "address",
            PlaceKind::Postcode => "postcode",
            PlaceKind::Place => "place",
        }
    }
}

fn tidy(s: &str) -> String {
    let s = s.trim().to_lowercase().replace(['_', '-'], " ").replace('\u{2019}', "'");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.strip_prefix("the ").or_else(|| s.strip_prefix("a ")).map(str::to_string).unwrap_or(s)
}

fn place_kind(kind: &str) -> Option<PlaceKind> {
    Some(match tidy(kind).as_str() {
        "address" | "home" | "home address" => PlaceKind::Address,
        "postcode" | "post code" => PlaceKind::Postcode,
        "school" => PlaceKind::School,
        "nursery" | "pre school" | "preschool" => PlaceKind::Nursery,
        "gp practice" | "gp" | "surgery" | "gp surgery" => PlaceKind::GpPractice,
        "hospital" => PlaceKind::Hospital,
        "place" | "" | "other" => PlaceKind::Place,
        _ => return None,
    })
}

fn date_kind(kind: &str) -> &'static str {
    match tidy(kind).as_str() {
        "date of birth" | "dob" | "birth" | "birthday" | "born" => "[date of birth]",
        "date of death" | "dod" | "death" | "died" => "[date of death]",
        _ => "[date]",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKind {
    Phone,
    Nhs,
    Email,
    Reference,
}

impl IdKind {
    fn token(self) -> &'static str {
        match self {
            IdKind::Phone => "[phone number]",
            IdKind::Nhs => "[NHS number]",
            IdKind::Email => "[email]",
            IdKind::Reference => "[reference]",
        }
    }
    fn category(self) -> Category {
        match self {
            IdKind::Phone => Category::Phone,
            IdKind::Nhs => Category::NhsNumber,
            IdKind::Email => Category::Email,
            IdKind::Reference => Category::Reference,
        }
    }
}

/// The kind of an identifier; with no kind given, guessed from the value.
fn identifier_kind(kind: &str, value: &str) -> Option<IdKind> {
    Some(match tidy(kind).as_str() {
        "phone" | "telephone" | "mobile" | "tel" | "phone number" => IdKind::Phone,
        "nhs number" | "nhs" => IdKind::Nhs,
        "email" | "e mail" => IdKind::Email,
        "case reference"
        | "court reference"
        | "reference"
        | "other"
        | "case number"
        | "court number"
        | "police reference"
        | "crime reference"
        | "national insurance number"
        | "ni number" => IdKind::Reference,
        "" => {
            let digits: String = value.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
            if value.contains('@') {
                IdKind::Email
            } else if patterns::nhs_valid(&digits) {
                IdKind::Nhs
            } else if value.trim_start().starts_with(['0', '+']) && value.chars().filter(char::is_ascii_digit).count() >= 10 {
                IdKind::Phone
            } else {
                IdKind::Reference
            }
        }
        _ => return None,
    })
}

/// Family words: the last word of a role names the relation ("maternal grandmother",
/// "mother's partner" is a partner).
const FEMALE: &[&str] = &[
    "mother",
    "mum",
    "mom",
    "stepmother",
    "grandmother",
    "nan",
    "nana",
    "nanna",
    "gran",
    "granny",
    "aunt",
    "auntie",
    "aunty",
    "sister",
    "stepsister",
    "wife",
    "girlfriend",
    "daughter",
    "niece",
    "godmother",
    "stepdaughter",
];
const MALE: &[&str] = &[
    "father",
    "dad",
    "stepfather",
    "grandfather",
    "grandad",
    "granddad",
    "grandpa",
    "uncle",
    "brother",
    "stepbrother",
    "husband",
    "boyfriend",
    "son",
    "nephew",
    "godfather",
    "stepson",
];
const SIBLINGS: &[&str] = &["sibling", "brother", "sister", "stepbrother", "stepsister", "twin"];
const NUMBERED_FAMILY: &[&str] = &[
    "cousin",
    "friend",
    "neighbour",
    "neighbor",
    "lodger",
    "relative",
    "member",
    "carer",
    "visitor",
    "associate",
    "acquaintance",
    "resident",
];
const SINGULAR_FAMILY: &[&str] = &["partner", "parent", "stepparent", "grandparent", "guardian", "spouse", "ex partner", "expartner"];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn title_case(s: &str) -> String {
    s.split(' ').map(capitalise).collect::<Vec<_>>().join(" ")
}

/// The pseudonym base and kind of a role from the case file.
fn role_info(role: &str) -> RoleInfo {
    let r = tidy(role);
    let info = |base: &str, numbering, family, child, gender| RoleInfo { base: base.to_string(), numbering, family, child, gender };
    if r.is_empty() {
        return info("Adult", Numbering::Letter, true, false, None);
    }
    if matches!(
        r.as_str(),
        "child"
            | "subject child"
            | "subject"
            | "baby"
            | "infant"
            | "young person"
            | "deceased child"
            | "index child"
            | "child subject"
            | "unborn child"
            | "unborn"
    ) {
        return info("Child", Numbering::Letter, true, true, None);
    }
    let professional = match r.as_str() {
        "health visitor" | "hv" => Some("Health Visitor"),
        "social worker" | "sw" | "senior social worker" | "social work" => Some("Social Worker"),
        "gp" | "general practitioner" | "family doctor" | "doctor" => Some("GP"),
        "police officer"
        | "police"
        | "officer"
        | "pc"
        | "police constable"
        | "detective"
        | "detective constable"
        | "dc"
        | "ds"
        | "detective sergeant"
        | "sergeant"
        | "police sergeant" => Some("Police Officer"),
        "midwife" | "community midwife" => Some("Midwife"),
        "school nurse" => Some("School Nurse"),
        "nurse" => Some("Nurse"),
        "paediatrician" | "consultant paediatrician" | "pediatrician" => Some("Paediatrician"),
        "teacher" | "class teacher" => Some("Teacher"),
        "head teacher" | "headteacher" | "headmaster" | "headmistress" => Some("Head Teacher"),
        "family support worker" => Some("Family Support Worker"),
        "team manager" => Some("Team Manager"),
        "probation officer" => Some("Probation Officer"),
        "housing officer" => Some("Housing Officer"),
        "designated safeguarding lead" | "dsl" => Some("Designated Safeguarding Lead"),
        _ => None,
    };
    if let Some(base) = professional {
        return info(base, Numbering::Always, false, false, None);
    }
    let r = r.replace("step ", "step").replace("grand ", "grand").replace("mum", "mother").replace("dad", "father");
    let r = r.replace("mom", "mother").replace("great grandmother", "great-grandmother").replace("great grandfather", "great-grandfather");
    let head = r.rsplit(' ').next().unwrap_or("").trim_start_matches("great-");
    let gender = if FEMALE.contains(&head) {
        Some(Gender::Female)
    } else if MALE.contains(&head) {
        Some(Gender::Male)
    } else {
        None
    };
    if SIBLINGS.contains(&head) {
        return info("Sibling", Numbering::Always, true, false, gender);
    }
    if NUMBERED_FAMILY.contains(&head) {
        return info(&capitalise(&r), Numbering::Always, true, false, gender);
    }
    if gender.is_some() || SINGULAR_FAMILY.contains(&head) || SINGULAR_FAMILY.contains(&r.as_str()) {
        return info(&capitalise(&r), Numbering::IfRepeated, true, false, gender);
    }
    // Any other role is a professional's: "Youth Worker 1".
    info(&title_case(&r), Numbering::Always, false, false, None)
}
