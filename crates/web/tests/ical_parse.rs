//! Reads the deadlines feed back with a small RFC 5545 reader written here, independent
//! of the renderer, and checks the round trip. No server needed.
#![allow(clippy::unwrap_used)]

use casereview_web::ical::{feed, CalendarEntry, Due};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// One unfolded content line: `name *(";" param) ":" value`.
#[derive(Debug, Clone)]
struct Prop {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// A component with its properties and sub-components.
#[derive(Debug, Default)]
struct Component {
    name: String,
    props: Vec<Prop>,
    children: Vec<Component>,
}

impl Component {
    fn get(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }
    fn all(&self, name: &str) -> Vec<&Prop> {
        self.props.iter().filter(|p| p.name == name).collect()
    }
    fn text(&self, name: &str) -> String {
        unescape(&self.get(name).unwrap_or_else(|| panic!("{} has no {name}", self.name)).value)
    }
}

/// Physical lines: every one must end in CRLF, hold no bare CR or LF and be at most 75
/// octets; continuation lines (leading space or tab) join the previous line.
fn unfold(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "feed does not end in CRLF");
    let body = &text[..text.len() - 2];
    let mut logical: Vec<String> = Vec::new();
    for (i, physical) in body.split("\r\n").enumerate() {
        assert!(!physical.contains('\r') && !physical.contains('\n'), "bare CR or LF in line {i}: {physical:?}");
        assert!(physical.len() <= 75, "line {i} is {} octets: {physical:?}", physical.len());
        assert!(!physical.is_empty(), "empty line {i}");
        for c in physical.chars() {
            assert!(c == '\t' || !c.is_control(), "control character {c:?} in line {i}");
        }
        if let Some(rest) = physical.strip_prefix(' ').or_else(|| physical.strip_prefix('\t')) {
            logical.last_mut().expect("continuation line first").push_str(rest);
        } else {
            logical.push(physical.to_string());
        }
    }
    logical
}

/// Splits a content line, honouring double-quoted parameter values (which may hold
/// `:` `;` and `,`).
fn parse_line(line: &str) -> Prop {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.unwrap_or_else(|| panic!("no ':' in {line:?}"));
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap().to_ascii_uppercase();
    assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "bad property name {name:?}");
    let params = parts
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or_else(|| panic!("bad parameter {p:?}"));
            (k.to_ascii_uppercase(), v.trim_matches('"').to_string())
        })
        .collect();
    Prop { name, params, value: value.to_string() }
}

/// TEXT unescaping; an unknown escape or a lone trailing backslash is an error.
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some(';') => out.push(';'),
                Some(',') => out.push(','),
                Some('n') | Some('N') => out.push('\n'),
                other => panic!("bad escape \\{other:?} in {v:?}"),
            }
        } else {
            assert!(c != ';' && c != ',', "unescaped {c:?} in TEXT {v:?}");
            out.push(c);
        }
    }
    out
}

/// Parses the whole feed into its one VCALENDAR, checking BEGIN/END are balanced and
/// matched.
fn parse(text: &str) -> Component {
    let mut stack: Vec<Component> = Vec::new();
    let mut done: Option<Component> = None;
    for line in unfold(text) {
        assert!(done.is_none(), "content after END:VCALENDAR: {line:?}");
        let prop = parse_line(&line);
        match prop.name.as_str() {
            "BEGIN" => stack.push(Component { name: prop.value.to_ascii_uppercase(), ..Default::default() }),
            "END" => {
                let c = stack.pop().unwrap_or_else(|| panic!("END:{} without BEGIN", prop.value));
                assert_eq!(c.name, prop.value.to_ascii_uppercase(), "END does not match BEGIN");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(c),
                    None => done = Some(c),
                }
            }
            _ => stack.last_mut().unwrap_or_else(|| panic!("property outside any component: {line:?}")).props.push(prop),
        }
    }
    assert!(stack.is_empty(), "unclosed components: {:?}", stack.iter().map(|c| &c.name).collect::<Vec<_>>());
    let cal = done.expect("no VCALENDAR");
    assert_eq!(cal.name, "VCALENDAR");
    cal
}

fn is_utc_datetime(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

fn is_date(v: &str) -> bool {
    v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit())
}

/// Checks RFC 5545 structure and returns the VEVENTs.
fn validate(cal: &Component) -> Vec<&Component> {
    assert_eq!(cal.get("VERSION").unwrap().value, "2.0");
    assert!(!cal.get("PRODID").unwrap().value.is_empty());
    assert_eq!(cal.all("VERSION").len(), 1);
    assert_eq!(cal.all("PRODID").len(), 1);
    let events: Vec<&Component> = cal.children.iter().filter(|c| c.name == "VEVENT").collect();
    let mut uids = std::collections::HashSet::new();
    for ev in &events {
        for required in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"] {
            assert_eq!(ev.all(required).len(), 1, "VEVENT needs exactly one {required}");
        }
        assert!(uids.insert(ev.get("UID").unwrap().value.clone()), "duplicate UID");
        assert!(is_utc_datetime(&ev.get("DTSTAMP").unwrap().value));
        let start = ev.get("DTSTART").unwrap();
        let all_day = start.params.iter().any(|(k, v)| k == "VALUE" && v == "DATE");
        if all_day {
            assert!(is_date(&start.value));
        } else {
            assert!(is_utc_datetime(&start.value));
        }
        assert!(ev.get("DTEND").is_none() || ev.get("DURATION").is_none(), "both DTEND and DURATION");
        for alarm in ev.children.iter().filter(|c| c.name == "VALARM") {
            assert!(alarm.get("ACTION").is_some() && alarm.get("TRIGGER").is_some());
            if alarm.get("ACTION").unwrap().value == "DISPLAY" {
                assert!(alarm.get("DESCRIPTION").is_some());
            }
        }
    }
    events
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 3, 9, 30, 0).unwrap()
}

fn entries() -> Vec<CalendarEntry> {
    let long: String = "Agree the terms of reference; invite agencies, chronology due. 👶 ".chars().cycle().take(300).collect();
    assert_eq!(long.chars().count(), 300);
    vec![
        CalendarEntry {
            uid: "review-1-rapid-review".into(),
            summary: "Rapid review: Child A".into(),
            description: "Due within 15 working days of the notification.".into(),
            due: Due::Date(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
            url: Some("https://casereview.example/reviews/1".into()),
            status: "due_soon".into(),
        },
        CalendarEntry {
            uid: "review-2-panel".into(),
            summary: "Panel, meeting; Child B\\C — décision 🎉".into(),
            description: format!("First line, with comma; and semicolon\nSecond line 😀\r\nThird\\line\n{long}"),
            due: Due::DateTime(Utc.with_ymd_and_hms(2026, 1, 15, 14, 0, 0).unwrap()),
            url: None,
            status: "overdue".into(),
        },
        CalendarEntry {
            uid: "review-3-final".into(),
            summary: "Final report".into(),
            description: String::new(),
            due: Due::Date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()),
            url: Some("https://casereview.example/reviews/3?tab=deadlines&x=a,b".into()),
            status: "upcoming".into(),
        },
    ]
}

#[test]
fn ical_parse_round_trip() {
    let entries = entries();
    let text = feed("Deadlines: Jo Bloggs, LSCB; 2025", &entries, now());
    let cal = parse(&text);
    assert_eq!(cal.get("METHOD").unwrap().value, "PUBLISH");
    assert_eq!(cal.get("CALSCALE").unwrap().value, "GREGORIAN");
    assert_eq!(cal.get("PRODID").unwrap().value, "-//casereview//deadlines//EN");
    assert_eq!(cal.text("X-WR-CALNAME"), "Deadlines: Jo Bloggs, LSCB; 2025");

    let events = validate(&cal);
    assert_eq!(events.len(), entries.len());
    for (ev, e) in events.iter().zip(&entries) {
        assert_eq!(ev.text("UID"), format!("{}@casereview", e.uid));
        assert_eq!(ev.get("DTSTAMP").unwrap().value, "20251103T093000Z");
        assert_eq!(ev.text("SUMMARY"), e.summary);
        // The renderer normalises CRLF in text to a single newline.
        assert_eq!(ev.text("DESCRIPTION"), e.description.replace("\r\n", "\n"));
        assert_eq!(ev.get("URL").map(|p| p.value.clone()), e.url);
        assert_eq!(ev.get("TRANSP").unwrap().value, "TRANSPARENT");
        let alarms: Vec<&Component> = ev.children.iter().filter(|c| c.name == "VALARM").collect();
        assert_eq!(alarms.len(), 1);
        assert_eq!(alarms[0].get("ACTION").unwrap().value, "DISPLAY");
        assert_eq!(alarms[0].get("TRIGGER").unwrap().value, "-P1D");
        assert_eq!(alarms[0].text("DESCRIPTION"), e.summary);
    }

    let first = events[0];
    assert_eq!(first.get("DTSTART").unwrap().value, "20251231");
    assert_eq!(first.get("DTEND").unwrap().value, "20260101");
    assert_eq!(first.get("DTEND").unwrap().params, vec![("VALUE".to_string(), "DATE".to_string())]);

    let second = events[1];
    assert_eq!(second.get("DTSTART").unwrap().value, "20260115T140000Z");
    assert!(second.get("DTSTART").unwrap().params.is_empty());
    assert_eq!(second.get("DURATION").unwrap().value, "PT1H");
    assert!(second.get("DTEND").is_none());
    assert!(second.get("URL").is_none());
    assert!(second.text("DESCRIPTION").chars().count() > 300);

    let third = events[2];
    assert_eq!(third.get("DTEND").unwrap().value, "20260301");
    assert_eq!(third.text("DESCRIPTION"), "");
}

#[test]
fn ical_parse_long_lines_are_folded() {
    let text = feed("x", &entries(), now());
    let physical = text.split("\r\n").count();
    let logical = unfold(&text).len();
    assert!(physical > logical + 5, "expected the long description and emoji summary to be folded");
}

#[test]
fn ical_parse_empty_feed() {
    let text = feed("Nobody's deadlines", &[], now());
    let cal = parse(&text);
    assert!(validate(&cal).is_empty());
    assert!(cal.children.is_empty());
    assert_eq!(cal.text("X-WR-CALNAME"), "Nobody's deadlines");
}

#[test]
fn ical_parse_strips_control_characters() {
    let mut e = entries().remove(0);
    e.summary = "Bell\u{7} and\u{0} escape\u{1b}[31m".into();
    e.url = Some("https://x.example/\r\nBEGIN:VEVENT".into());
    let text = feed("x\u{b}y", &[e], now());
    let cal = parse(&text);
    let events = validate(&cal);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].text("SUMMARY"), "Bell and escape[31m");
    assert_eq!(cal.text("X-WR-CALNAME"), "xy");
}
