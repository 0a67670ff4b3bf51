//! Identifiers found by their shape: UK postcodes, UK phone numbers, NHS numbers (with
//! their check digit), email addresses, street addresses, the register's dates of birth
//! and death in any common written form, and the register's own identifiers (case and
//! court references) verbatim.
//!
//! One pass over the bytes: a pattern is only tried where a word starts (the byte before
//! is not a letter or digit), and each parser gives up at the first byte that cannot
//! belong to it, so ordinary words cost a comparison or two. Emails are found first from
//! their `@` and the main pass skips them. The register's identifiers are found with one
//! Aho-Corasick automaton (case-insensitive for ASCII).
//!
//! A match takes its replacement from the register when it is a registered entity
//! (the same postcode, phone number, address, ...) and a category token such as
//! "[postcode]" otherwise. Dates are reported only when they are a registered date: most
//! dates in a review (visits, meetings) are its substance, a date of birth identifies.

use super::known::{FxMap, FxSet};
use super::{Category, Finding, Register};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// A registered date of birth or death.
#[derive(Debug, Clone)]
pub(crate) struct RegDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Its entry in [`Patterns::targets`].
    pub target: usize,
}

/// A registered entity a pattern may match: its key, pseudonym and category.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub key: String,
    pub pseudonym: String,
    pub category: Category,
}

/// The register's dates and identifiers compiled for the patterns.
#[derive(Debug, Clone, Default)]
pub(crate) struct Patterns {
    pub dates: Vec<RegDate>,
    pub targets: Vec<Target>,
    /// National phone digits ("01632960001") to a target.
    pub phones: FxMap<String, usize>,
    pub nhs: FxMap<String, usize>,
    /// Lower-case email to a target.
    pub emails: FxMap<String, usize>,
    /// Normalised street address ("45 high street") to a target.
    pub addresses: FxMap<String, usize>,
    /// Normalised postcode ("NM1 2AB") to a target.
    pub postcodes: FxMap<String, usize>,
    /// The register's identifiers verbatim; pattern `i` is target `verbatim_targets[i]`.
    pub verbatim: Option<AhoCorasick>,
    pub verbatim_targets: Vec<usize>,
}

impl Patterns {
    /// Compiles the verbatim identifiers (values and their targets).
    /// Each is also matched with its separators written otherwise ("NM/2019/00123" as
    /// "NM-2019-00123", "NM 2019 00123", "NM201900123") and broken over a line at one of
    /// them.
    pub(crate) fn set_verbatim(&mut self, values: Vec<(String, usize)>) {
        let mut seen: FxSet<String> = FxSet::default();
        let values: Vec<(String, usize)> = values
            .into_iter()
            .filter(|(v, _)| v.chars().count() >= 3)
            .flat_map(|(v, t)| separator_variants(&v).into_iter().map(move |x| (x, t)))
            .filter(|(v, _)| v.chars().filter(char::is_ascii_alphanumeric).count() >= 3 && seen.insert(v.to_ascii_lowercase()))
            .collect();
        if values.is_empty() {
            return;
        }
        // A contiguous NFA: a few dozen patterns per case, built once per case file, where a
        // DFA would cost more to build than it saves in searching.
        let built = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(values.iter().map(|(v, _)| v.as_str()));
        if let Ok(ac) = built {
            self.verbatim = Some(ac);
            self.verbatim_targets = values.into_iter().map(|(_, t)| t).collect();
        }
    }
}

/// Characters that separate the parts of a reference.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '/' | '-' | '.' | '_')
}

/// A registered identifier with its separators written otherwise: all alike (each of
/// " ", "/", "-", ".", none), and the original broken over a line at one of them.
fn separator_variants(v: &str) -> Vec<String> {
    let mut out = vec![v.to_string()];
    let seps = v.chars().filter(|&c| is_separator(c)).count();
    // An email's dots are not separators; nor is a value made mostly of them.
    if seps == 0 || seps > 8 || v.contains('@') {
        return out;
    }
    // Runs of separators become one.
    let parts: Vec<&str> = v.split(is_separator).filter(|p| !p.is_empty()).collect();
    for sep in [" ", "/", "-", ".", ""] {
        out.push(parts.join(sep));
    }
    for (i, c) in v.char_indices() {
        if is_separator(c) {
            let (head, tail) = (&v[..i], &v[i + c.len_utf8()..]);
            if c == ' ' {
                out.push(format!("{head}\n{tail}"));
            } else {
                out.push(format!("{head}{c}\n{tail}"));
                out.push(format!("{head}\n{c}{tail}"));
            }
        }
    }
    out
}

fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether the character before `i` (not ASCII) is a letter or digit ("é", not a curly
/// quote or a no-break space, after which a number or postcode may start).
fn letter_before(text: &str, i: usize) -> bool {
    text.get(..i).and_then(|s| s.chars().next_back()).is_none_or(char::is_alphanumeric)
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// Postcodes, phone numbers, NHS numbers, emails, dates and addresses in `text`.
pub fn detect(text: &str, register: &Register) -> Vec<Finding> {
    let p = &register.patterns;
    let b = text.as_bytes();
    let mut out = Vec::new();
    let emails = find_emails(text);
    for &(s, e) in &emails {
        let norm = text[s..e].to_ascii_lowercase();
        push(&mut out, text, s, e, Category::Email, p.emails.get(&norm).and_then(|&t| p.targets.get(t)), "[email]", "pattern:email", 0.99);
    }
    let mut next_email = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(&(s, e)) = emails.get(next_email) {
            if i >= s {
                i = i.max(e);
                next_email += 1;
                continue;
            }
        }
        let c = b[i];
        if c >= 0x80 || (i > 0 && word_byte(b[i - 1]) && (b[i - 1] < 0x80 || letter_before(text, i))) {
            i += 1;
            continue;
        }
        let found = if c.is_ascii_digit() || c == b'+' || c == b'(' {
            numeric(text, i, p, &mut out)
        } else if c.is_ascii_alphabetic() {
            alpha(text, i, p, &mut out)
        } else {
            None
        };
        i = found.unwrap_or(i + 1);
    }
    if let Some(ac) = &p.verbatim {
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            // Whole identifiers only: "AB123" is not inside "XAB1234".
            let inner_start = at(b, s).is_ascii_alphanumeric();
            let inner_end = e > 0 && at(b, e - 1).is_ascii_alphanumeric();
            if (inner_start && s > 0 && word_byte(b[s - 1])) || (inner_end && word_byte(at(b, e))) {
                continue;
            }
            if !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            let Some(target) = p.verbatim_targets.get(m.pattern().as_usize()).and_then(|&t| p.targets.get(t)) else { continue };
            push(&mut out, text, s, e, target.category, Some(target), "[reference]", "known:identifier", 1.0);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Vec<Finding>,
    text: &str,
    s: usize,
    e: usize,
    category: Category,
    target: Option<&Target>,
    token: &str,
    detector: &str,
    confidence: f32,
) {
    out.push(Finding {
        start: s,
        end: e,
        text: text[s..e].to_string(),
        category,
        entity: target.map(|t| t.key.clone()),
        detector: detector.to_string(),
        confidence,
        replacement: target.map_or_else(|| token.to_string(), |t| t.pseudonym.clone()),
    });
}

/// Patterns starting with a digit, "+" or "(" at `i`; returns where the match ends.
fn numeric(text: &str, i: usize, p: &Patterns, out: &mut Vec<Finding>) -> Option<usize> {
    let b = text.as_bytes();
    if !p.dates.is_empty() && b[i].is_ascii_digit() {
        if let Some((e, cands)) = numeric_date(b, i).or_else(|| written_date_day_first(b, i)) {
            if let Some(d) = match_date(p, text, i, &cands) {
                push(out, text, i, e, Category::Date, p.targets.get(d), "[date]", "pattern:date", 0.95);
            }
            return Some(e);
        }
    }
    if let Some(num) = digit_groups(b, i) {
        // A registered NHS number however its digits are grouped.
        if let Some(&t) = p.nhs.get(&num.digits) {
            push(out, text, i, num.end, Category::NhsNumber, p.targets.get(t), "[NHS number]", "pattern:nhs_number", 1.0);
            return Some(num.end);
        }
        match classify_number(&num) {
            Some(Number::Nhs(digits)) => {
                push(
                    out,
                    text,
                    i,
                    num.end,
                    Category::NhsNumber,
                    p.nhs.get(&digits).and_then(|&t| p.targets.get(t)),
                    "[NHS number]",
                    "pattern:nhs_number",
                    0.97,
                );
                return Some(num.end);
            }
            Some(Number::Phone(national)) => {
                push(
                    out,
                    text,
                    i,
                    num.end,
                    Category::Phone,
                    p.phones.get(&national).and_then(|&t| p.targets.get(t)),
                    "[phone number]",
                    "pattern:phone",
                    0.95,
                );
                return Some(num.end);
            }
            None => {
                // A registered number written without its leading 0 ("7700 900123").
                let national = format!("0{}", num.digits);
                if !num.plus && !num.digits.starts_with('0') {
                    if let Some(&t) = p.phones.get(&national) {
                        push(out, text, i, num.end, Category::Phone, p.targets.get(t), "[phone number]", "pattern:phone", 0.8);
                        return Some(num.end);
                    }
                }
            }
        }
    }
    if b[i].is_ascii_digit() {
        if let Some(e) = street_address(b, i) {
            push_address(out, text, i, e, p);
            return Some(e);
        }
    }
    None
}

/// Patterns starting with a letter at `i`.
fn alpha(text: &str, i: usize, p: &Patterns, out: &mut Vec<Finding>) -> Option<usize> {
    let b = text.as_bytes();
    // A postcode has a digit second or third ("M1", "NM1"), or is GIR 0AA.
    let maybe_postcode = at(b, i + 1).is_ascii_digit()
        || (at(b, i + 1).is_ascii_alphabetic() && at(b, i + 2).is_ascii_digit())
        || b[i].eq_ignore_ascii_case(&b'g');
    if let Some((e, norm)) = if maybe_postcode { postcode_at(b, i) } else { None } {
        push(
            out,
            text,
            i,
            e,
            Category::Postcode,
            p.postcodes.get(&norm).and_then(|&t| p.targets.get(t)),
            "[postcode]",
            "pattern:postcode",
            0.99,
        );
        return Some(e);
    }
    if !p.dates.is_empty() && matches!(b[i].to_ascii_lowercase(), b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd') {
        if let Some((e, cands)) = written_date_month_first(b, i) {
            if let Some(d) = match_date(p, text, i, &cands) {
                push(out, text, i, e, Category::Date, p.targets.get(d), "[date]", "pattern:date", 0.95);
            }
            return Some(e);
        }
    }
    if matches!(b[i].to_ascii_lowercase(), b'f' | b'a' | b'u' | b'm' | b'r') {
        if let Some(e) = flat_address(b, i) {
            push_address(out, text, i, e, p);
            return Some(e);
        }
    }
    None
}

fn push_address(out: &mut Vec<Finding>, text: &str, s: usize, e: usize, p: &Patterns) {
    let norm = normalise_address(&text[s..e]);
    let target = p.addresses.get(&norm).and_then(|&t| p.targets.get(t));
    push(out, text, s, e, Category::Address, target, "[address]", "pattern:address", 0.9);
}

// ---------------------------------------------------------------------------------------
// Postcodes

fn upper(c: u8) -> u8 {
    c.to_ascii_uppercase()
}

/// Whether `out` (upper case, no space) and `inward` form a UK postcode: outward A9, A99,
/// AA9, AA99, A9A or AA9A (with the letters each position allows), inward 9AA (no C I K M
/// O V), or GIR 0AA.
fn postcode_parts_valid(outward: &[u8], inward: &[u8]) -> bool {
    if outward == b"GIR" && inward == b"0AA" {
        return true;
    }
    let inward_ok =
        inward.len() == 3 && inward[0].is_ascii_digit() && inward[1..].iter().all(|c| c.is_ascii_uppercase() && !b"CIKMOV".contains(c));
    if !inward_ok {
        return false;
    }
    let l = |c: u8| c.is_ascii_uppercase();
    let d = |c: u8| c.is_ascii_digit();
    let first_ok = |c: u8| l(c) && !b"QVX".contains(&c);
    let second_ok = |c: u8| l(c) && !b"IJZ".contains(&c);
    match *outward {
        [a, b] => first_ok(a) && d(b),
        [a, b, c] => first_ok(a) && ((d(b) && d(c)) || (second_ok(b) && d(c)) || (d(b) && b"ABCDEFGHJKPSTUW".contains(&c))),
        [a, b, c, e] => first_ok(a) && second_ok(b) && d(c) && (d(e) || b"ABEHMNPRVWXY".contains(&e)),
        _ => false,
    }
}

/// A postcode starting at `i` (with one space or none between its halves, any case):
/// its end and its normal form ("NM1 2AB").
fn postcode_at(b: &[u8], i: usize) -> Option<(usize, String)> {
    let mut j = i;
    while j < b.len() && b[j].is_ascii_alphanumeric() && j - i < 8 {
        j += 1;
    }
    if j - i > 7 || (j < b.len() && b[j].is_ascii_alphanumeric()) {
        return None;
    }
    let mut run1 = [0u8; 8];
    for (k, &c) in b[i..j].iter().enumerate() {
        run1[k] = upper(c);
    }
    let run1 = &run1[..j - i];
    let boundary = |k: usize| !word_byte(at(b, k));
    if run1 == b"GIR" && at(b, j) == b' ' && b.get(j + 1..j + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"0AA")) && boundary(j + 4) {
        return Some((j + 4, "GIR 0AA".to_string()));
    }
    if !run1.iter().any(u8::is_ascii_digit) {
        return None;
    }
    // Outward, a space (or a line break, or two spaces), inward.
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let gap = if ws(at(b, j)) {
        if ws(at(b, j + 1)) {
            2
        } else {
            1
        }
    } else {
        0
    };
    if (2..=4).contains(&run1.len()) && gap > 0 {
        let k = j + gap;
        if k + 3 <= b.len() && b[k..k + 3].iter().all(u8::is_ascii_alphanumeric) && boundary(k + 3) {
            let inward = [upper(b[k]), upper(b[k + 1]), upper(b[k + 2])];
            if postcode_parts_valid(run1, &inward) {
                return Some((k + 3, format!("{} {}", String::from_utf8_lossy(run1), String::from_utf8_lossy(&inward))));
            }
        }
    }
    // Written without the space.
    if (5..=7).contains(&run1.len()) && boundary(j) {
        let (outward, inward) = run1.split_at(run1.len() - 3);
        if postcode_parts_valid(outward, inward) {
            return Some((j, format!("{} {}", String::from_utf8_lossy(outward), String::from_utf8_lossy(inward))));
        }
    }
    None
}

/// The normal form of a postcode ("nm12ab" → "NM1 2AB"), if it is one.
pub(crate) fn normalise_postcode(s: &str) -> Option<String> {
    let compact: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).map(upper).collect();
    if !(5..=7).contains(&compact.len()) {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    postcode_parts_valid(outward, inward).then(|| format!("{} {}", String::from_utf8_lossy(outward), String::from_utf8_lossy(inward)))
}

// ---------------------------------------------------------------------------------------
// Phone and NHS numbers

struct DigitGroups {
    end: usize,
    digits: String,
    /// Lengths of the groups of digits as written.
    groups: Vec<usize>,
    plus: bool,
    /// A "(0)" after the country code.
    bracket_zero: bool,
}

/// Digits in groups separated by single spaces, hyphens or dots, with an optional leading
/// "+" and brackets around a group: "+44 (0)7700 900123", "(01632) 960 001", "943 476 5919".
fn digit_groups(b: &[u8], i: usize) -> Option<DigitGroups> {
    let mut j = i;
    let plus = at(b, j) == b'+';
    if plus {
        j += 1;
    }
    let mut digits = String::new();
    let mut groups = Vec::new();
    let mut cur = 0usize;
    let mut bracket_zero = false;
    let mut open = false;
    let mut end = i;
    loop {
        let c = at(b, j);
        if c.is_ascii_digit() {
            digits.push(c as char);
            cur += 1;
            j += 1;
            end = j;
            if digits.len() > 14 {
                return None;
            }
        } else if c == b'(' && !open && cur == 0 {
            // "(0)" after +44 or an area code in brackets.
            if at(b, j + 1) == b'0' && at(b, j + 2) == b')' && (plus || digits == "0044") {
                bracket_zero = true;
                j += 3;
                // "+44 (0)\n7700 900123": carried to the next line after the "(0)".
                if at(b, j) == b' ' {
                    j += 1;
                }
                if at(b, j) == b'\n' && at(b, j + 1).is_ascii_digit() {
                    j += 1;
                }
                continue;
            }
            open = true;
            j += 1;
        } else if c == b')' && open && cur > 0 {
            open = false;
            groups.push(cur);
            cur = 0;
            j += 1;
            end = j;
            if at(b, j) == b' ' {
                j += 1;
            }
        } else if cur > 0 && c >= 0x80 && wide_separator(b, j).is_some_and(|len| at(b, j + len).is_ascii_digit()) {
            // A no-break or thin space or a dash between groups ("07700\u{A0}900123").
            groups.push(cur);
            cur = 0;
            j += wide_separator(b, j).unwrap_or(1);
        } else if c == b'-' && cur > 0 && at(b, j + 1) == b'\n' && at(b, j + 2).is_ascii_digit() && national_len(&digits, plus) < 9 {
            // "07700-\n900123": a hyphen ending the line.
            groups.push(cur);
            cur = 0;
            j += 2;
        } else if matches!(c, b' ' | b'-' | b'.') && cur > 0 && (at(b, j + 1).is_ascii_digit() || (c == b' ' && at(b, j + 1) == b'(')) {
            groups.push(cur);
            cur = 0;
            j += 1;
        } else if matches!(c, b' ' | b'\t') && cur > 0 && {
            // Extra spaces or a tab between groups ("07700  900123").
            let mut k = j;
            while k < j + 3 && matches!(at(b, k), b' ' | b'\t') {
                k += 1;
            }
            at(b, k).is_ascii_digit() && k > j + 1 || (c == b'\t' && at(b, k).is_ascii_digit())
        } {
            groups.push(cur);
            cur = 0;
            while matches!(at(b, j), b' ' | b'\t') {
                j += 1;
            }
        } else if cur > 0 && national_len(&digits, plus) < 9 && (c == b'\n' || (c == b' ' && at(b, j + 1) == b'\n')) {
            // A number broken over a line ("07700\n900123", "+44 7700 900\n123"), only while
            // it is too short to be whole (counted without the country code), so that numbers
            // on successive lines stay apart.
            let mut skip = if c == b' ' { 2 } else { 1 };
            while skip < 6 && matches!(at(b, j + skip), b' ' | b'\t') {
                skip += 1;
            }
            let nx = at(b, j + skip);
            // "+44\n(0)7700 900123": the "(0)" after a country code carried to the next line.
            if !(nx.is_ascii_digit() || (plus && nx == b'(')) {
                break;
            }
            groups.push(cur);
            cur = 0;
            j += skip;
        } else {
            break;
        }
    }
    if cur > 0 {
        groups.push(cur);
    }
    if open || digits.len() < 9 {
        return None;
    }
    // Not part of something longer: "0123456789/1", "07700900123abc".
    let after = at(b, end);
    // A letter or digit of another script continues it too; a no-break space or a curly
    // quote does not.
    let wide_alnum = after >= 0x80 && {
        let tail = &b[end..(end + 4).min(b.len())];
        String::from_utf8_lossy(tail).chars().next().is_some_and(char::is_alphanumeric)
    };
    if after.is_ascii_alphanumeric() || wide_alnum || (matches!(after, b'/' | b'-' | b'.') && at(b, end + 1).is_ascii_digit()) {
        return None;
    }
    Some(DigitGroups { end, digits, groups, plus, bracket_zero })
}

/// The length of a no-break space, a thin or narrow no-break space, an en dash or a
/// non-breaking hyphen at `j`, if one is there.
fn wide_separator(b: &[u8], j: usize) -> Option<usize> {
    let rest = b.get(j..)?;
    if rest.starts_with("\u{A0}".as_bytes()) {
        Some(2)
    } else if ["\u{2009}", "\u{202F}", "\u{2013}", "\u{2011}", "\u{2010}"].iter().any(|s| rest.starts_with(s.as_bytes())) {
        Some(3)
    } else {
        None
    }
}

/// How many digits of the national number (with its leading 0) `digits` hold so far:
/// "+44 7700 900" holds "07700900".
fn national_len(digits: &str, plus: bool) -> usize {
    if plus && digits.starts_with("44") {
        digits.len() - 1
    } else if digits.starts_with("0044") {
        digits.len() - 3
    } else {
        digits.len()
    }
}

enum Number {
    Nhs(String),
    Phone(String),
}

/// The NHS number check digit: weights 10 to 2 on the first nine digits, 11 minus the sum
/// modulo 11 (11 is 0, 10 is never valid).
pub(crate) fn nhs_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 || digits.chars().count() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

/// A UK number in its national form ("01632960001"), if the digits are one: 11 digits
/// starting 01, 02, 03, 05, 07, 08 or 09, or 10 digits starting 01 or 0800.
fn national_phone(national: &str) -> bool {
    let bytes = national.as_bytes();
    match bytes.len() {
        11 => bytes[0] == b'0' && matches!(bytes[1], b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9'),
        10 => national.starts_with("01") || national.starts_with("0800") || national.starts_with("0500"),
        _ => false,
    }
}

fn classify_number(n: &DigitGroups) -> Option<Number> {
    let national = if n.plus || n.digits.starts_with("0044") {
        let rest = if n.plus { n.digits.strip_prefix("44")? } else { n.digits.strip_prefix("0044")? };
        let rest = if n.bracket_zero { rest } else { rest.strip_prefix('0').unwrap_or(rest) };
        format!("0{rest}")
    } else {
        n.digits.clone()
    };
    let nhs_shape = n.groups == [3, 3, 4] || n.groups == [10];
    if !n.plus && n.digits.len() == 10 && nhs_shape && nhs_valid(&n.digits) && !(n.groups == [10] && national_phone(&national)) {
        return Some(Number::Nhs(n.digits.clone()));
    }
    national_phone(&national).then_some(Number::Phone(national))
}

/// The national form of a phone number as written in the case file (its digits when it is
/// not a UK number).
pub(crate) fn normalise_phone(s: &str) -> String {
    let b = s.trim().as_bytes();
    if let Some(n) = digit_groups(b, 0) {
        if let Some(Number::Phone(national)) = classify_number(&n) {
            return national;
        }
    }
    s.chars().filter(char::is_ascii_digit).collect()
}

// ---------------------------------------------------------------------------------------
// Emails

fn local_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}

/// Email addresses: a local part, "@", a domain with a dot and a top-level domain of two
/// letters or more.
fn find_emails(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at_pos, _) in text.match_indices('@') {
        if out.last().is_some_and(|&(_, e)| at_pos < e) {
            continue;
        }
        let mut s = at_pos;
        while s > 0 && local_byte(b[s - 1]) {
            s -= 1;
        }
        while s < at_pos && matches!(b[s], b'.' | b'-' | b'+') {
            s += 1;
        }
        let mut e = at_pos + 1;
        while e < b.len() && domain_byte(b[e]) {
            e += 1;
        }
        while e > at_pos + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at_pos || e <= at_pos + 1 {
            continue;
        }
        let domain = &text[at_pos + 1..e];
        let Some((_, tld)) = domain.rsplit_once('.') else { continue };
        if tld.len() < 2 || !tld.bytes().all(|c| c.is_ascii_alphabetic()) || domain.split('.').any(str::is_empty) {
            continue;
        }
        out.push((s, e));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Street addresses

const STREET_SUFFIXES: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "av",
    "lane",
    "ln",
    "close",
    "cl",
    "drive",
    "dr",
    "way",
    "place",
    "pl",
    "crescent",
    "cres",
    "court",
    "ct",
    "gardens",
    "gdns",
    "grove",
    "gr",
    "gro",
    "terrace",
    "terr",
    "ter",
    "row",
    "walk",
    "hill",
    "square",
    "sq",
    "mews",
    "park",
    "pk",
    "rise",
    "view",
    "green",
    "parade",
    "vale",
    "wharf",
    "yard",
    "gate",
    "mount",
    "boulevard",
    "circus",
    "approach",
    "bank",
    "chase",
    "croft",
    "dale",
    "fields",
    "heights",
    "meadow",
    "meadows",
    "mead",
    "orchard",
    "passage",
    "path",
    "ridge",
    "side",
    "wynd",
    "end",
    "brow",
    "causeway",
    "common",
    "corner",
    "embankment",
    "estate",
    "glade",
    "glen",
    "hollow",
    "leys",
    "market",
    "nook",
    "paddock",
    "quay",
    "reach",
    "villas",
    "wood",
    "cottages",
    "buildings",
    "house",
    "lodge",
    "fold",
    "brae",
    "loan",
    "vennel",
    "crossway",
    "highway",
    "broadway",
    "precinct",
    "spinney",
    "copse",
    "dell",
    "garth",
    "howe",
    "lea",
];

fn is_street_suffix(word: &[u8]) -> bool {
    word.len() <= 12 && STREET_SUFFIXES.iter().any(|s| word.eq_ignore_ascii_case(s.as_bytes()))
}

/// A capitalised word at `j` (letters, inner apostrophes and hyphens): its end.
fn cap_word(b: &[u8], j: usize) -> Option<usize> {
    if !at(b, j).is_ascii_uppercase() {
        return None;
    }
    let mut k = j + 1;
    loop {
        let c = at(b, k);
        if c.is_ascii_alphabetic() {
            k += 1;
        } else if matches!(c, b'\'' | b'-') && at(b, k + 1).is_ascii_alphabetic() {
            k += 2;
        } else if c == 0xE2 && at(b, k + 1) == 0x80 && at(b, k + 2) == 0x99 && at(b, k + 3).is_ascii_alphabetic() {
            k += 4; // ’
        } else {
            break;
        }
    }
    Some(k)
}

/// "12 Example Row", "12a Acacia Avenue", "12-14 St John's Road": a house number, then
/// one to five capitalised words of which the last (not the first) is a street suffix.
fn street_address(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while at(b, j).is_ascii_digit() && j - i < 4 {
        j += 1;
    }
    if j == i || at(b, j).is_ascii_digit() {
        return None;
    }
    if at(b, j).is_ascii_alphabetic() && !at(b, j + 1).is_ascii_alphabetic() {
        j += 1; // 12a
    }
    if matches!(at(b, j), b'-' | b'/') && at(b, j + 1).is_ascii_digit() {
        j += 1;
        let s = j;
        while at(b, j).is_ascii_digit() && j - s < 4 {
            j += 1;
        }
        if at(b, j).is_ascii_alphabetic() && !at(b, j + 1).is_ascii_alphabetic() {
            j += 1;
        }
    }
    // "12 Example Row", "12, Example Row"
    if at(b, j) == b',' {
        j += 1;
    }
    if !matches!(at(b, j), b' ' | b'\n') || at(b, j + 1) == b' ' {
        return None;
    }
    j += 1;
    let mut best = None;
    for n in 0..5 {
        let e = cap_word(b, j)?;
        let mut end = e;
        if n > 0 && is_street_suffix(&b[j..e]) {
            if at(b, e) == b'.' && e - j <= 4 {
                end = e + 1;
            }
            best = Some(end);
        }
        // "St. John's Road"
        let mut k = e;
        if at(b, k) == b'.' && e - j <= 3 {
            k += 1;
        }
        if at(b, k) != b' ' {
            break;
        }
        j = k + 1;
    }
    best
}

/// "Flat 3, 45 High Street", "Flat 2b Example House", "Apartment 12, 4 Mill Lane".
fn flat_address(b: &[u8], i: usize) -> Option<usize> {
    let e = cap_word(b, i).or_else(|| {
        // lower case "flat 3"
        let mut k = i;
        while at(b, k).is_ascii_alphabetic() {
            k += 1;
        }
        Some(k)
    })?;
    let word = &b[i..e];
    if !["flat", "apartment", "apt", "unit", "maisonette", "room"].iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
        || at(b, e) != b' '
    {
        return None;
    }
    let mut j = e + 1;
    let s = j;
    while at(b, j).is_ascii_digit() && j - s < 4 {
        j += 1;
    }
    if j == s {
        return None;
    }
    if at(b, j).is_ascii_alphabetic() && !at(b, j + 1).is_ascii_alphabetic() {
        j += 1;
    }
    if at(b, j) == b',' {
        j += 1;
    }
    if !matches!(at(b, j), b' ' | b'\n') {
        return None;
    }
    j += 1;
    if at(b, j).is_ascii_digit() {
        return street_address(b, j);
    }
    // A building: capitalised words ending in House, Court, Lodge, ...
    let mut best = None;
    let mut k = j;
    for _ in 0..4 {
        let we = cap_word(b, k)?;
        let w: Vec<u8> = b[k..we].iter().map(u8::to_ascii_lowercase).collect();
        if matches!(w.as_slice(), b"house" | b"court" | b"lodge" | b"tower" | b"towers" | b"mansions" | b"block" | b"building" | b"heights")
        {
            best = Some(we);
        }
        if at(b, we) != b' ' {
            break;
        }
        k = we + 1;
    }
    let mut end = best?;
    // And the street after it: "Flat 3, Example House, 45 High Street".
    let mut k = end;
    if at(b, k) == b',' {
        k += 1;
    }
    if at(b, k) == b' ' && at(b, k + 1).is_ascii_digit() {
        if let Some(e2) = street_address(b, k + 1) {
            end = e2;
        }
    }
    Some(end)
}

/// Every street address in `s` (those starting inside others too): used on the case
/// file's addresses so that each way the text may write one is known.
pub(crate) fn address_spans(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len() {
        if i > 0 && word_byte(b[i - 1]) {
            continue;
        }
        let e = if b[i].is_ascii_digit() { street_address(b, i) } else { flat_address(b, i) };
        if let Some(e) = e {
            out.push((i, e));
        }
    }
    out
}

/// The words of an address in lower case with the last abbreviation written out, so
/// "45 High St." and "45 high street" are one key.
pub(crate) fn normalise_address(s: &str) -> String {
    let words: Vec<String> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect();
    let mut out: Vec<&str> = words.iter().map(String::as_str).collect();
    if let Some(last) = out.last_mut() {
        *last = match *last {
            "st" => "street",
            "rd" => "road",
            "ave" | "av" => "avenue",
            "ln" => "lane",
            "cl" => "close",
            "dr" => "drive",
            "ct" => "court",
            "pl" => "place",
            "cres" => "crescent",
            "gdns" => "gardens",
            "gr" | "gro" => "grove",
            "terr" | "ter" => "terrace",
            "sq" => "square",
            "pk" => "park",
            w => w,
        };
    }
    out.join(" ")
}

// ---------------------------------------------------------------------------------------
// Dates

/// A reading of a written date: year (`None` when not written; two digits as written),
/// month, day.
#[derive(Debug, Clone, Copy)]
struct DateReading {
    year: Option<(i32, bool)>,
    month: u32,
    day: u32,
}

fn month_of(word: &[u8]) -> Option<u32> {
    const MONTHS: [&str; 12] =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    if !(3..=9).contains(&word.len()) {
        return None;
    }
    // Most words are no month: compare their first three letters first.
    let head = [word[0].to_ascii_lowercase(), word[1].to_ascii_lowercase(), word[2].to_ascii_lowercase()];
    if !MONTHS.iter().any(|m| m.as_bytes()[..3] == head) {
        return None;
    }
    for (m, name) in MONTHS.iter().enumerate() {
        let name = name.as_bytes();
        if word.eq_ignore_ascii_case(name)
            || (word.len() == 3 && word.eq_ignore_ascii_case(&name[..3]))
            || (m == 8 && word.eq_ignore_ascii_case(b"sept"))
        {
            return Some(m as u32 + 1);
        }
    }
    None
}

fn read_number(b: &[u8], j: usize, max: usize) -> Option<(usize, u32, usize)> {
    let mut k = j;
    let mut v = 0u32;
    while at(b, k).is_ascii_digit() && k - j < max {
        v = v * 10 + u32::from(at(b, k) - b'0');
        k += 1;
    }
    (k > j && !at(b, k).is_ascii_digit()).then_some((k, v, k - j))
}

/// "03/03/14", "3.3.2014", "2014-03-03", "3-3-2014" (day and month read both ways).
fn numeric_date(b: &[u8], i: usize) -> Option<(usize, Vec<DateReading>)> {
    let (j, a, alen) = read_number(b, i, 4)?;
    let sep = at(b, j);
    if !matches!(sep, b'/' | b'-' | b'.') {
        return None;
    }
    let (k, m, _) = read_number(b, j + 1, 2)?;
    if at(b, k) != sep {
        return None;
    }
    let (e, c, clen) = read_number(b, k + 1, 4)?;
    if word_byte(at(b, e)) || (matches!(at(b, e), b'/' | b'-' | b'.') && at(b, e + 1).is_ascii_digit()) {
        return None;
    }
    if alen == 4 {
        return Some((e, vec![DateReading { year: Some((a as i32, false)), month: m, day: c }]));
    }
    if alen > 2 || !(clen == 2 || clen == 4) {
        return None;
    }
    let year = Some((c as i32, clen == 2));
    Some((e, vec![DateReading { year, month: m, day: a }, DateReading { year, month: a, day: m }]))
}

fn skip_spaces(b: &[u8], mut j: usize) -> usize {
    while matches!(at(b, j), b' ' | b'\n' | b'\t' | b'\r') {
        j += 1;
    }
    j
}

fn alpha_word(b: &[u8], j: usize) -> usize {
    let mut k = j;
    while at(b, k).is_ascii_alphabetic() {
        k += 1;
    }
    k
}

/// A year after a month: " 2014", ", 2014", " '14". Returns the end and the year.
fn year_after(b: &[u8], j: usize) -> Option<(usize, (i32, bool))> {
    let mut k = j;
    if at(b, k) == b',' {
        k += 1;
    }
    let k2 = skip_spaces(b, k);
    if k2 == k || k2 - k > 2 {
        return None;
    }
    if at(b, k2) == b'\'' {
        let (e, y, len) = read_number(b, k2 + 1, 2)?;
        return (len == 2 && !word_byte(at(b, e))).then_some((e, (y as i32, true)));
    }
    let (e, y, len) = read_number(b, k2, 4)?;
    (len == 4 && !word_byte(at(b, e))).then_some((e, (y as i32, false)))
}

/// "3rd March 2014", "3 Mar 2014", "3rd of March, 2014", "3rd March".
fn written_date_day_first(b: &[u8], i: usize) -> Option<(usize, Vec<DateReading>)> {
    let (mut j, day, _) = read_number(b, i, 2)?;
    let w = alpha_word(b, j);
    if w > j {
        let suffix: Vec<u8> = b[j..w].iter().map(u8::to_ascii_lowercase).collect();
        if !matches!(suffix.as_slice(), b"st" | b"nd" | b"rd" | b"th") {
            return None;
        }
        j = w;
    }
    let mut k = skip_spaces(b, j);
    if k == j || k - j > 2 {
        return None;
    }
    let w = alpha_word(b, k);
    if b[k..w].eq_ignore_ascii_case(b"of") {
        let k2 = skip_spaces(b, w);
        if k2 == w {
            return None;
        }
        k = k2;
    }
    let w = alpha_word(b, k);
    let month = month_of(&b[k..w])?;
    let mut end = w;
    if at(b, end) == b'.' && w - k <= 4 {
        end += 1;
    }
    match year_after(b, end) {
        Some((e, year)) => Some((e, vec![DateReading { year: Some(year), month, day }])),
        None => Some((w, vec![DateReading { year: None, month, day }])),
    }
}

/// "March 3, 2014", "March 3rd 2014", "Mar. 3rd".
fn written_date_month_first(b: &[u8], i: usize) -> Option<(usize, Vec<DateReading>)> {
    let w = alpha_word(b, i);
    if w - i < 3 {
        return None;
    }
    let month = month_of(&b[i..w])?;
    let mut j = w;
    if at(b, j) == b'.' {
        j += 1;
    }
    let k = skip_spaces(b, j);
    if k == j || k - j > 2 {
        return None;
    }
    // "to May.\n10-02-2018": a full stop and a line break end the sentence; a number that
    // opens a numeric date is that date's, not the month's day.
    if j > w && b[j..k].contains(&b'\n') {
        return None;
    }
    let (mut e, day, _) = read_number(b, k, 2)?;
    if matches!(at(b, e), b'/' | b'-' | b'.') && at(b, e + 1).is_ascii_digit() {
        return None;
    }
    let s = alpha_word(b, e);
    if s > e {
        let suffix: Vec<u8> = b[e..s].iter().map(u8::to_ascii_lowercase).collect();
        if !matches!(suffix.as_slice(), b"st" | b"nd" | b"rd" | b"th") {
            return None;
        }
        e = s;
    }
    if word_byte(at(b, e)) {
        return None;
    }
    match year_after(b, e) {
        Some((end, year)) => Some((end, vec![DateReading { year: Some(year), month, day }])),
        None => Some((e, vec![DateReading { year: None, month, day }])),
    }
}

/// The registered date (its target index) a written date is; a date without its year only
/// after words about birth or death ("born on 3rd March").
fn match_date(p: &Patterns, text: &str, start: usize, readings: &[DateReading]) -> Option<usize> {
    let context = || {
        let mut s = start.saturating_sub(48);
        while !text.is_char_boundary(s) {
            s += 1;
        }
        let before = text[s..start].to_ascii_lowercase();
        ["born", "birth", "dob", "d.o.b", "died", "death", "passed away"].iter().any(|w| before.contains(w))
    };
    for r in readings {
        if !(1..=12).contains(&r.month) || !(1..=31).contains(&r.day) {
            continue;
        }
        for d in &p.dates {
            if d.month != r.month || d.day != r.day {
                continue;
            }
            let year_ok = match r.year {
                Some((y, true)) => d.year.rem_euclid(100) == y,
                Some((y, false)) => d.year == y,
                None => context(),
            };
            if year_ok {
                return Some(d.target);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::anonymise::{anonymise, CaseFile};

    #[test]
    fn registered_phone_numbers_wrapped_after_the_country_code_or_a_group() {
        let r = CaseFile::register_from_json(r#"{"identifiers": [{"value": "07700 900123", "kind": "phone"}]}"#).unwrap();
        for text in [
            "Call +44 7700 900\n123 today.",
            "Call +44 (0)\n7700 900123 today.",
            "Call +44 (0)7700\n900 123 today.",
            "Call 0044 7700 900\n123 today.",
            "Call 07700 900\n123 today.",
            "Call 07700  900123 today.",
            "Call 07700\t900123 today.",
            "Call 07700\n    900123 today.",
            "Call 0044 (0)7700 900123 today.",
            "Call 07700-\n900123 today.",
            "Call 7700 900123 today.",
            "Call 07700\u{A0}900123 today.",
            "Call 07700\u{2013}900\u{2009}123 today.",
        ] {
            assert_eq!(anonymise(text, &r).text, "Call [phone number] today.", "{text:?}");
        }
        // After a curly quote or a no-break space, and before one.
        assert_eq!(anonymise("Call \u{201C}07700 900123\u{201D}.", &r).text, "Call \u{201C}[phone number]\u{201D}.");
        assert_eq!(anonymise("Call\u{A0}07700 900123\u{A0}now.", &r).text, "Call\u{A0}[phone number]\u{A0}now.");
        assert_eq!(anonymise("Ref é07700 900123 now.", &r).text, "Ref é07700 900123 now.");
        // Another number without its leading 0 is not a phone number.
        assert_eq!(anonymise("Ref 7700 900124 today.", &r).text, "Ref 7700 900124 today.");
        // Two whole numbers on successive lines stay apart.
        let two = "Tel: 07700 900123\n01632 960001";
        let a = anonymise(two, &r);
        assert!(a.findings.iter().all(|f| !f.text.contains('\n')), "{:?}", a.findings);
    }

    #[test]
    fn a_month_ending_a_sentence_is_not_the_next_lines_date() {
        let r = CaseFile::register_from_json(
            r#"{"people": [{ "names": ["May Ofori"], "role": "mother" }], "dates": [{ "date": "2018-02-10", "kind": "date_of_birth" }]}"#,
        )
        .unwrap();
        for text in
            ["Dr Pearson prescribed antidepressants to May.\n10-02-2018 | CSC | Birth of Kobina.", "Seen in May 10/02/2018 by the GP."]
        {
            let out = anonymise(text, &r).text;
            assert!(!out.contains("10-02-2018") && !out.contains("10/02/2018"), "{text}: {out}");
        }
        // A month and its day are still a date ("born May 10, 2018" is not registered here).
        let r2 = CaseFile::register_from_json(r#"{"dates": [{ "date": "2018-05-10", "kind": "date_of_birth" }]}"#).unwrap();
        assert!(!anonymise("She was born on May 10, 2018.", &r2).text.contains("May 10"));
    }
}
