#![allow(clippy::unwrap_used)]
//! The genogram: validation naming people, the layout's readability (as properties over
//! generated families of 20 people in 3 generations) and the SVG, checked with a tiny XML
//! well-formedness parser written here.

use casereview_core::genogram::{
    age_label, layout, svg, Family, PartnerStatus, Person, RelKind, Relationship, Sex, MIN_MARGIN, SYMBOL_SIZE,
};
use chrono::NaiveDate;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2024, 6, 1)
}

// ---------------------------------------------------------------------------------------
// A tiny XML parser: balanced tags, quoted attributes, only known entities in text.

#[derive(Debug)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    parent: Option<usize>,
    text: String,
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or_else(|| format!("unterminated entity in {s:?}"))?;
        let ent = &rest[i + 1..i + end];
        out.push(match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            e if e.starts_with("#x") => char::from_u32(u32::from_str_radix(&e[2..], 16).map_err(|x| x.to_string())?).ok_or("bad char")?,
            e if e.starts_with('#') => char::from_u32(e[1..].parse().map_err(|_| "bad number")?).ok_or("bad char")?,
            e => return Err(format!("unknown entity &{e};")),
        });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

fn parse_xml(doc: &str) -> Result<Vec<El>, String> {
    let mut els: Vec<El> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut rest = doc.trim_start();
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or("unterminated comment")?;
            rest = &r[end + 3..];
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or("unterminated end tag")?;
            let name = r[..end].trim();
            let top = open.pop().ok_or_else(|| format!("</{name}> closes nothing"))?;
            if els[top].name != name {
                return Err(format!("</{name}> closes <{}>", els[top].name));
            }
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r.find('>').ok_or("unterminated tag")?;
            let mut inner = &r[..end];
            let self_closing = inner.ends_with('/');
            if self_closing {
                inner = &inner[..inner.len() - 1];
            }
            let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
            let name = &inner[..name_end];
            if !is_name(name) {
                return Err(format!("bad tag name {name:?}"));
            }
            let mut attrs = BTreeMap::new();
            let mut a = inner[name_end..].trim_start();
            while !a.is_empty() {
                let eq = a.find('=').ok_or_else(|| format!("attribute without value in <{name}>: {a:?}"))?;
                let key = a[..eq].trim();
                if !is_name(key) {
                    return Err(format!("bad attribute name {key:?}"));
                }
                let v = &a[eq + 1..];
                let q = v.chars().next().ok_or("missing value")?;
                if q != '"' && q != '\'' {
                    return Err(format!("unquoted attribute {key} in <{name}>"));
                }
                let close = v[1..].find(q).ok_or("unterminated attribute")?;
                let raw = &v[1..1 + close];
                if raw.contains('<') {
                    return Err(format!("raw < in attribute {key}"));
                }
                if attrs.insert(key.to_string(), unescape(raw)?).is_some() {
                    return Err(format!("duplicate attribute {key} in <{name}>"));
                }
                a = v[close + 2..].trim_start();
            }
            if open.is_empty() {
                roots += 1;
            }
            els.push(El { name: name.to_string(), attrs, parent: open.last().copied(), text: String::new() });
            if !self_closing {
                open.push(els.len() - 1);
            }
            rest = &r[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if text.contains('>') {
                return Err(format!("raw > in text {text:?}"));
            }
            let text = unescape(text)?;
            match open.last() {
                Some(&top) => els[top].text.push_str(&text),
                None if text.trim().is_empty() => {}
                None => return Err("text outside the root".into()),
            }
            rest = &rest[end..];
        }
    }
    if let Some(&top) = open.last() {
        return Err(format!("<{}> never closed", els[top].name));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(els)
}

fn descendants<'a>(els: &'a [El], of: usize) -> impl Iterator<Item = &'a El> + 'a {
    els.iter()
        .enumerate()
        .filter(move |(i, _)| {
            let mut p = els[*i].parent;
            while let Some(q) = p {
                if q == of {
                    return true;
                }
                p = els[q].parent;
            }
            false
        })
        .map(|(_, e)| e)
}

fn person_el(els: &[El], id: &str) -> usize {
    els.iter()
        .position(|e| e.attrs.get("id").map(String::as_str) == Some(&format!("person-{id}")))
        .unwrap_or_else(|| panic!("no person-{id}"))
}

fn has_class(e: &El, c: &str) -> bool {
    e.attrs.get("class").is_some_and(|v| v.split_whitespace().any(|x| x == c))
}

#[test]
fn the_test_parser_refuses_malformed_xml() {
    assert!(parse_xml("<a><b></a></b>").is_err());
    assert!(parse_xml("<a x=1/>").is_err());
    assert!(parse_xml("<a>x & y</a>").is_err());
    assert!(parse_xml("<a><script>").is_err());
    assert!(parse_xml("<a/><b/>").is_err());
    assert!(parse_xml("<a x=\"1\"><b>t &amp; &lt;u&gt;</b></a>").is_ok());
}

// ---------------------------------------------------------------------------------------
// The typical case.

fn typical() -> Family {
    use PartnerStatus::*;
    let people = vec![
        Person::new("mgf", "Maternal grandfather", Sex::Male).born(d(1950, 3, 1)).deceased(),
        Person::new("mgm", "Maternal grandmother", Sex::Female).born(d(1954, 8, 9)),
        Person::new("father", "Father", Sex::Male).born(d(1989, 1, 20)),
        Person::new("mother", "Mother", Sex::Female).born(d(1992, 5, 2)).household(),
        Person::new("partner", "Mother's partner", Sex::Male).aged(36).household(),
        Person::new("j", "Child J", Sex::Female).born(d(2015, 10, 4)).household().subject(),
        Person::new("k", "Half-sibling K", Sex::Male).born(d(2021, 2, 14)).household(),
        Person::new("fc", "Foster carer", Sex::Female).aged(54),
    ];
    let relationships = vec![
        Relationship::partner("mgf", "mgm", Married),
        Relationship::parent("mgf", "mother"),
        Relationship::parent("mgm", "mother"),
        Relationship::partner("father", "mother", Separated),
        Relationship::partner("mother", "partner", Cohabiting),
        Relationship::parent("mother", "j"),
        Relationship::parent("father", "j"),
        Relationship::parent("mother", "k"),
        Relationship::parent("partner", "k"),
        Relationship::new(RelKind::FosterParent, "fc", "j"),
    ];
    Family { people, relationships }
}

#[test]
fn typical_family_renders_well_formed_svg_with_every_person() {
    let fam = typical();
    let doc = svg(&fam, today()).unwrap();
    let els = parse_xml(&doc).unwrap();
    let root = &els[0];
    assert_eq!(root.name, "svg");
    assert_eq!(root.attrs["xmlns"], "http://www.w3.org/2000/svg");
    assert!(root.attrs.contains_key("viewBox"));
    assert!(els.iter().any(|e| e.name == "title" && e.parent == Some(0) && e.text == "Genogram"));
    for p in &fam.people {
        let i = person_el(&els, &p.id);
        assert_eq!(els[i].attrs["data-name"], p.name);
        let symbol = descendants(&els, i).find(|e| has_class(e, "symbol")).unwrap();
        let expected = match p.sex {
            Sex::Male => "rect",
            Sex::Female => "circle",
            Sex::Unknown => "polygon",
        };
        assert_eq!(symbol.name, expected, "{}", p.id);
    }
    assert!(els.iter().any(|e| has_class(e, "legend")));
}

#[test]
fn typical_family_marks_subject_deceased_partners_and_household() {
    let fam = typical();
    let els = parse_xml(&svg(&fam, today()).unwrap()).unwrap();
    let j = person_el(&els, "j");
    assert!(has_class(&els[j], "subject"));
    assert!(descendants(&els, j).any(|e| has_class(e, "subject-outline")));
    assert!(descendants(&els, j).any(|e| has_class(e, "subject-arrow")) || els.iter().any(|e| has_class(e, "subject-arrow")));
    for p in &fam.people {
        let i = person_el(&els, &p.id);
        let crosses = descendants(&els, i).filter(|e| has_class(e, "deceased-cross")).count();
        assert_eq!(crosses, if p.deceased { 2 } else { 0 }, "{}", p.id);
        let label: String = descendants(&els, i).filter(|e| e.name == "tspan").map(|e| e.text.clone() + "|").collect();
        if p.deceased {
            assert!(label.contains("d.|"), "{label}");
        }
    }
    let label_j: String = descendants(&els, j).filter(|e| e.name == "tspan").map(|e| e.text.clone() + "|").collect();
    assert_eq!(label_j, "Child J|aged 8|");
    assert!(els
        .iter()
        .any(|e| has_class(e, "household") && (e.name == "path" || e.name == "rect") && e.attrs.contains_key("stroke-dasharray")));
    // Partner lines: married solid, cohabiting dashed, separated with one slash.
    let partner = |c: &str| els.iter().find(|e| has_class(e, "partner") && has_class(e, c)).unwrap();
    assert!(!partner("married").attrs.contains_key("stroke-dasharray"));
    assert!(partner("cohabiting").attrs.contains_key("stroke-dasharray"));
    assert!(!partner("separated").attrs.contains_key("stroke-dasharray"));
    assert_eq!(els.iter().filter(|e| has_class(e, "slash") && has_class(e, "separated")).count(), 1);
    // Descent: biological solid, the foster carer dashed.
    assert!(els.iter().any(|e| has_class(e, "descent") && has_class(e, "biological") && !e.attrs.contains_key("stroke-dasharray")));
    assert!(els.iter().any(|e| has_class(e, "descent") && has_class(e, "foster") && e.attrs.contains_key("stroke-dasharray")));
}

#[test]
fn typical_family_layout_follows_the_notation() {
    let fam = typical();
    let l = layout(&fam, today()).unwrap();
    let p = |id: &str| l.positions[id];
    // Generations.
    assert_eq!(p("mgf").1, p("mgm").1);
    for (a, b) in [("mgm", "mother"), ("mother", "j"), ("father", "j"), ("partner", "k"), ("fc", "j")] {
        assert!(p(a).1 < p(b).1, "{a} above {b}");
    }
    assert_eq!(p("mother").1, p("father").1);
    assert_eq!(p("mother").1, p("partner").1);
    assert_eq!(p("j").1, p("k").1);
    // Partners beside each other, mother between her two partners.
    let row: Vec<&str> = {
        let mut r: Vec<(&str, f64)> = ["father", "mother", "partner", "fc"].iter().map(|&i| (i, p(i).0)).collect();
        r.sort_by(|a, b| a.1.total_cmp(&b.1));
        r.into_iter().map(|(i, _)| i).filter(|i| *i != "fc").collect()
    };
    assert!(row == ["father", "mother", "partner"] || row == ["partner", "mother", "father"], "{row:?}");
    // Each child under the midpoint of its parents; the mother under hers.
    assert!((p("j").0 - (p("mother").0 + p("father").0) / 2.0).abs() < 1.0);
    assert!((p("k").0 - (p("mother").0 + p("partner").0) / 2.0).abs() < 1.0);
    assert!((p("mother").0 - (p("mgf").0 + p("mgm").0) / 2.0).abs() < 1.0);
    assert!(l.width > 0.0 && l.height > 0.0);
    for (x, y) in l.positions.values() {
        assert!(*x > 0.0 && *x < l.width && *y > 0.0 && *y < l.height);
    }
}

#[test]
fn ages_and_deaths_are_labelled() {
    let t = today();
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male).born(d(1990, 6, 2)), t).unwrap(), "aged 33");
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male).born(d(1990, 6, 1)), t).unwrap(), "aged 34");
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male).born(d(2024, 1, 15)), t).unwrap(), "aged 4 mo");
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male).aged(7), t).unwrap(), "aged 7");
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male).aged(70).deceased(), t).unwrap(), "d.");
    assert_eq!(age_label(&Person::new("a", "A", Sex::Male), t), None);
}

#[test]
fn adoption_unknown_sex_and_unrelated_people_are_drawn() {
    let fam = Family {
        people: vec![
            Person::new("am", "Adoptive mother", Sex::Female).aged(45).household(),
            Person::new("af", "Adoptive father", Sex::Male).aged(47).household(),
            Person::new("c", "Child", Sex::Unknown).aged(3).household().subject(),
            Person::new("lodger", "Lodger", Sex::Male).household(),
        ],
        relationships: vec![
            Relationship::partner("am", "af", PartnerStatus::Divorced),
            Relationship::new(RelKind::AdoptiveParent, "am", "c"),
            Relationship::new(RelKind::AdoptiveParent, "af", "c"),
        ],
    };
    let l = layout(&fam, today()).unwrap();
    assert!(l.positions["am"].1 < l.positions["c"].1);
    assert_eq!(l.positions["lodger"].1, l.positions["am"].1, "unrelated people go on the row of the subject's parents");
    let els = parse_xml(&svg(&fam, today()).unwrap()).unwrap();
    let c = person_el(&els, "c");
    assert!(descendants(&els, c).any(|e| e.name == "polygon"));
    assert!(els.iter().any(|e| has_class(e, "descent") && has_class(e, "adoptive") && e.attrs.contains_key("stroke-dasharray")));
    assert_eq!(els.iter().filter(|e| has_class(e, "slash") && has_class(e, "divorced")).count(), 2);
}

// ---------------------------------------------------------------------------------------
// Validation.

#[test]
fn validation_errors_name_the_person() {
    let mut fam = typical();
    fam.people.push(Person::new("x", "Uncle X", Sex::Male));
    fam.people.push(Person::new("y", "Cousin Y", Sex::Male).subject());
    fam.relationships.push(Relationship::parent("ghost", "j"));
    fam.relationships.push(Relationship::partner("x", "x", PartnerStatus::Dating));
    fam.relationships.push(Relationship::parent("partner", "j"));
    fam.relationships.push(Relationship::parent("x", "y"));
    fam.relationships.push(Relationship::new(RelKind::StepParent, "y", "x"));
    let errs = fam.validate().unwrap_err();
    let has = |needle: &str| errs.iter().any(|e| e.contains(needle));
    assert!(has("unknown person 'ghost'"), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("Uncle X (x)") && e.contains("own partner")), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("Child J (j)") && e.contains("3 biological parents")), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("Uncle X (x)") && e.contains("own ancestor")), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("Cousin Y (y)") && e.contains("own ancestor")), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("Cousin Y (y)") && e.contains("subject") && e.contains("Child J (j)")), "{errs:?}");
    assert_eq!(errs.len(), 6, "{errs:?}");
    // Drawing refuses with the same messages.
    assert_eq!(svg(&fam, today()).unwrap_err(), errs);
    assert_eq!(layout(&fam, today()).unwrap_err(), errs);

    let dup = Family { people: vec![Person::new("a", "Ann", Sex::Female), Person::new("a", "Bea", Sex::Female)], relationships: vec![] };
    assert!(dup.validate().unwrap_err()[0].starts_with("Bea (a)"));
    assert!(typical().validate().is_ok());
}

// ---------------------------------------------------------------------------------------
// Escaping.

#[test]
fn names_with_markup_are_escaped() {
    let mut fam = typical();
    fam.people[5].name = "<script>alert('J & \"K\"')</script>".into();
    fam.people[3].name = "Mum <b>& co</b>\u{1}".into();
    let doc = svg(&fam, today()).unwrap();
    assert!(!doc.contains("<script"));
    assert!(!doc.contains("<b>"));
    let els = parse_xml(&doc).unwrap();
    let j = person_el(&els, "j");
    assert_eq!(els[j].attrs["data-name"], "<script>alert('J & \"K\"')</script>");
    assert!(els.iter().all(|e| e.name != "script" && e.name != "b"));
    let m = person_el(&els, "mother");
    assert_eq!(els[m].attrs["data-name"], "Mum <b>& co</b>");
}

#[test]
fn family_round_trips_through_json() {
    let fam = typical();
    let json = serde_json::to_string(&fam).unwrap();
    assert!(json.contains("\"partner\":{\"status\":\"cohabiting\"}") || json.contains("\"status\":\"cohabiting\""), "{json}");
    let back: Family = serde_json::from_str(&json).unwrap();
    assert_eq!(back, fam);
    let minimal: Family = serde_json::from_str(r#"{"people":[{"id":"a","name":"A"}]}"#).unwrap();
    assert_eq!(minimal.people[0].sex, Sex::Unknown);
    assert!(svg(&minimal, today()).is_ok());
}

// ---------------------------------------------------------------------------------------
// Generated families: 20 people over 3 generations.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Two or three grandparent couples, their children with partners (some with an ex-partner),
/// grandchildren up to 20 people, listed in a shuffled order.
fn generated(seed: u64) -> Family {
    use PartnerStatus::*;
    let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut people: Vec<Person> = Vec::new();
    let mut rels: Vec<Relationship> = Vec::new();
    let statuses = [Married, Cohabiting, Separated, Divorced, Dating];
    let add = |people: &mut Vec<Person>, name: String, born: NaiveDate, rng: &mut Rng| -> String {
        let id = format!("p{}", people.len());
        let sex = match rng.below(5) {
            0 | 1 => Sex::Male,
            2 | 3 => Sex::Female,
            _ => Sex::Unknown,
        };
        people.push(Person::new(&id, &name, sex).born(born));
        id
    };
    // Units (parents, next birth year).
    let mut gen1_units: Vec<(Vec<String>, i32)> = Vec::new();
    let couples0 = 2 + rng.below(2) as usize;
    let mut gen1: Vec<String> = Vec::new();
    for c in 0..couples0 {
        let a = add(&mut people, format!("Grandparent {c}a"), d(1940 + rng.below(15) as i32, 1, 1), &mut rng);
        let b = add(&mut people, format!("Grandparent {c}b"), d(1940 + rng.below(15) as i32, 2, 1), &mut rng);
        if rng.below(3) == 0 {
            people.last_mut().unwrap().deceased = true;
        }
        rels.push(Relationship::partner(&a, &b, statuses[rng.below(5) as usize]));
        let kids = if couples0 == 3 { 1 } else { 1 + rng.below(2) };
        let mut year = 1965 + rng.below(5) as i32;
        let mut made = Vec::new();
        for k in 0..kids {
            year += 1 + rng.below(4) as i32;
            let id = add(
                &mut people,
                format!("Parent {c}.{k} with a long name"),
                d(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32),
                &mut rng,
            );
            made.push(id);
        }
        // Children recorded in a random order.
        if rng.below(2) == 0 {
            made.reverse();
        }
        for id in made {
            rels.push(Relationship::parent(&a, &id));
            rels.push(Relationship::parent(&b, &id));
            gen1.push(id);
        }
    }
    for (k, g) in gen1.iter().enumerate() {
        let p = add(&mut people, format!("Partner {k}"), d(1965 + rng.below(15) as i32, 3, 3), &mut rng);
        rels.push(Relationship::partner(g, &p, statuses[rng.below(5) as usize]));
        gen1_units.push((vec![g.clone(), p], 1990 + rng.below(5) as i32));
        if k == 0 {
            let ex = add(&mut people, format!("Ex-partner {k}"), d(1966, 4, 4), &mut rng);
            rels.push(Relationship::partner(g, &ex, Divorced));
            gen1_units.push((vec![g.clone(), ex], 1986));
        }
    }
    let mut grandchildren: Vec<(String, usize)> = Vec::new();
    while people.len() < 20 {
        let u = rng.below(gen1_units.len() as u64) as usize;
        gen1_units[u].1 += 1 + rng.below(3) as i32;
        let year = gen1_units[u].1;
        let name = format!("Grandchild {}", people.len());
        let id = add(&mut people, name, d(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32), &mut rng);
        grandchildren.push((id, u));
    }
    // Record grandchildren in a random order.
    for i in (1..grandchildren.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        grandchildren.swap(i, j);
    }
    for (id, u) in &grandchildren {
        for p in &gen1_units[*u].0 {
            rels.push(Relationship::parent(p, id));
        }
    }
    let (subject, su) = grandchildren[rng.below(grandchildren.len() as u64) as usize].clone();
    for p in people.iter_mut() {
        let in_unit = gen1_units[su].0.contains(&p.id) || grandchildren.iter().any(|(g, u)| *u == su && *g == p.id);
        p.in_household = in_unit;
        p.subject = p.id == subject;
    }
    // Shuffle the people too.
    for i in (1..people.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        people.swap(i, j);
    }
    Family { people, relationships: rels }
}

fn check_readable(fam: &Family) -> Result<(), String> {
    fam.validate().map_err(|e| format!("{e:?}"))?;
    let l = layout(fam, today()).map_err(|e| format!("{e:?}"))?;
    // Every person placed, inside the drawing.
    for p in &fam.people {
        let (x, y) = *l.positions.get(&p.id).ok_or_else(|| format!("{} not placed", p.id))?;
        if !(x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0 && x < l.width && y < l.height) {
            return Err(format!("{} at ({x},{y}) outside {}x{}", p.id, l.width, l.height));
        }
    }
    // No two symbols overlap.
    let pos: Vec<(&String, (f64, f64))> = l.positions.iter().map(|(k, v)| (k, *v)).collect();
    for i in 0..pos.len() {
        for j in i + 1..pos.len() {
            let (a, b) = (pos[i].1, pos[j].1);
            let dist = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            if dist < SYMBOL_SIZE + MIN_MARGIN - 1e-6 {
                return Err(format!("{} and {} are {dist:.1} apart", pos[i].0, pos[j].0));
            }
        }
    }
    // Children below their parents.
    let mut bio: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &fam.relationships {
        if !matches!(r.kind, RelKind::Partner { .. }) && l.positions[&r.a].1 >= l.positions[&r.b].1 {
            return Err(format!("{} is not above their child {}", r.a, r.b));
        }
        if let RelKind::Partner { .. } = r.kind {
            if l.positions[&r.a].1 != l.positions[&r.b].1 {
                return Err(format!("partners {} and {} on different rows", r.a, r.b));
            }
        }
        if r.kind == RelKind::Parent {
            bio.entry(r.b.as_str()).or_default().push(r.a.as_str());
        }
    }
    // Siblings (same parents) in birth order, eldest left.
    let mut sibships: BTreeMap<Vec<&str>, Vec<&Person>> = BTreeMap::new();
    for p in &fam.people {
        if let Some(ps) = bio.get(p.id.as_str()) {
            let mut ps = ps.clone();
            ps.sort_unstable();
            sibships.entry(ps).or_default().push(p);
        }
    }
    for (parents, mut sibs) in sibships {
        sibs.sort_by_key(|p| p.born);
        for w in sibs.windows(2) {
            if l.positions[&w[0].id].0 >= l.positions[&w[1].id].0 {
                return Err(format!("{} (older) not left of {} (children of {parents:?})", w[0].id, w[1].id));
            }
        }
    }
    let rows: std::collections::BTreeSet<i64> = l.positions.values().map(|p| p.1 as i64).collect();
    if rows.len() != 3 {
        return Err(format!("{} rows", rows.len()));
    }
    let doc = svg(fam, today()).map_err(|e| format!("{e:?}"))?;
    let els = parse_xml(&doc)?;
    for p in &fam.people {
        person_el(&els, &p.id);
    }
    Ok(())
}

#[test]
fn a_family_of_twenty_over_three_generations_is_readable() {
    for seed in 0..40 {
        let fam = generated(seed);
        assert_eq!(fam.people.len(), 20);
        if let Err(e) = check_readable(&fam) {
            panic!("seed {seed}: {e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn generated_families_are_readable(seed in any::<u64>()) {
        let fam = generated(seed);
        prop_assert_eq!(fam.people.len(), 20);
        let r = check_readable(&fam);
        prop_assert!(r.is_ok(), "{:?}", r);
    }
}
