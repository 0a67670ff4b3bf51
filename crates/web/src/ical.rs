//! A person's deadlines as an iCalendar (RFC 5545) feed that Outlook, Google Calendar
//! and Apple Calendar can subscribe to. Pure: the caller gathers the entries and the
//! current time, this module only renders text.
//!
//! The RFC details handled here: every content line ends in CRLF; TEXT values escape
//! backslash, semicolon, comma and newline; other control characters are dropped (a tab
//! becomes a space); lines longer than 75 octets are folded with CRLF and one space,
//! never inside a UTF-8 character.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// When an entry is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// An all-day event on this date.
    Date(NaiveDate),
    /// An event starting at this instant, shown as lasting an hour.
    DateTime(DateTime<Utc>),
}

/// One deadline in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// Stable and unique within the feed (calendar clients match updates on it); the
    /// event's UID is `<uid>@casereview`.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub due: Due,
    /// Link back to the review, if any.
    pub url: Option<String>,
    /// The deadline's status (`upcoming`, `overdue`, ...), given as the event's category.
    pub status: String,
}

/// Longest content line in octets, excluding the CRLF (RFC 5545 section 3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// The whole feed: a VCALENDAR with one VEVENT (and its reminder the day before) per
/// entry. `now` is the DTSTAMP of every event.
pub fn feed(calendar_name: &str, entries: &[CalendarEntry], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = utc_datetime(now);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//casereview//deadlines//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(calendar_name)));
    // Hints to subscribing clients to refresh hourly (most otherwise pick their own).
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line(&mut out, "X-PUBLISHED-TTL:PT1H");
    for entry in entries {
        event(&mut out, entry, &stamp);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn event(out: &mut String, entry: &CalendarEntry, stamp: &str) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@casereview", escape_text(&entry.uid)));
    line(out, &format!("DTSTAMP:{stamp}"));
    match entry.due {
        Due::Date(date) => {
            line(out, &format!("DTSTART;VALUE=DATE:{}", ical_date(date)));
            // DTEND is exclusive: an all-day event on D ends at the start of D + 1.
            match date.succ_opt() {
                Some(next) => line(out, &format!("DTEND;VALUE=DATE:{}", ical_date(next))),
                None => line(out, "DURATION:P1D"),
            }
        }
        Due::DateTime(at) => {
            line(out, &format!("DTSTART:{}", utc_datetime(at)));
            line(out, "DURATION:PT1H");
        }
    }
    line(out, &format!("SUMMARY:{}", escape_text(&entry.summary)));
    line(out, &format!("DESCRIPTION:{}", escape_text(&entry.description)));
    if let Some(url) = &entry.url {
        let url = strip_uri(url);
        if !url.is_empty() {
            line(out, &format!("URL:{url}"));
        }
    }
    let status = escape_text(&entry.status);
    if !status.is_empty() {
        line(out, &format!("CATEGORIES:{status}"));
    }
    line(out, "TRANSP:TRANSPARENT");
    line(out, "BEGIN:VALARM");
    line(out, "ACTION:DISPLAY");
    line(out, &format!("DESCRIPTION:{}", escape_text(&entry.summary)));
    line(out, "TRIGGER:-P1D");
    line(out, "END:VALARM");
    line(out, "END:VEVENT");
}

/// A meeting invitation to send with an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Stable for the meeting, so a re-sent invitation updates the same calendar entry.
    pub uid: String,
    /// Raised each time the invitation is re-sent with changes.
    pub sequence: i64,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub date: NaiveDate,
    /// Local (UK) start time; `None` for an all-day entry.
    pub time: Option<chrono::NaiveTime>,
    pub organiser_name: String,
    pub organiser_email: String,
    /// (name, email) of each invitee.
    pub attendees: Vec<(String, String)>,
}

/// The invitation as an iCalendar REQUEST (RFC 5546). Times are floating local times:
/// the meeting is at 10:00 wherever the reader's calendar is, which for a UK board is
/// UK time without shipping a VTIMEZONE.
pub fn invitation(inv: &Invitation, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//casereview//meetings//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:REQUEST");
    line(&mut out, "BEGIN:VEVENT");
    line(&mut out, &format!("UID:{}@casereview", escape_text(&inv.uid)));
    line(&mut out, &format!("DTSTAMP:{}", utc_datetime(now)));
    line(&mut out, &format!("SEQUENCE:{}", inv.sequence.max(0)));
    match inv.time {
        Some(t) => {
            line(&mut out, &format!("DTSTART:{}T{:02}{:02}00", ical_date(inv.date), t.hour(), t.minute()));
            line(&mut out, "DURATION:PT2H");
        }
        None => {
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", ical_date(inv.date)));
            line(&mut out, "DURATION:P1D");
        }
    }
    line(&mut out, &format!("SUMMARY:{}", escape_text(&inv.summary)));
    line(&mut out, &format!("DESCRIPTION:{}", escape_text(&inv.description)));
    if !inv.location.trim().is_empty() {
        line(&mut out, &format!("LOCATION:{}", escape_text(&inv.location)));
    }
    line(&mut out, &format!("ORGANIZER;CN={}:mailto:{}", param_value(&inv.organiser_name), strip_uri(&inv.organiser_email)));
    for (name, email) in &inv.attendees {
        line(
            &mut out,
            &format!("ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}", param_value(name), strip_uri(email)),
        );
    }
    line(&mut out, "STATUS:CONFIRMED");
    line(&mut out, "END:VEVENT");
    line(&mut out, "END:VCALENDAR");
    out
}

/// A parameter value (RFC 5545 section 3.2): quoted, without the characters a quoted
/// value may not hold (double quotes and controls).
fn param_value(s: &str) -> String {
    let v: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{v}\"")
}

/// Appends one content line, folded, with its CRLF.
fn line(out: &mut String, content: &str) {
    out.push_str(&fold(content));
    out.push_str("\r\n");
}

/// A TEXT value (RFC 5545 section 3.3.11): `\` `;` `,` and newlines escaped; CRLF, CR
/// and LF each become one `\n`; a tab becomes a space; other control characters are
/// dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value is not escaped, so anything that could break the line (control
/// characters, which includes CR and LF) is removed, and surrounding spaces trimmed.
fn strip_uri(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string()
}

/// Folds a content line (without its CRLF) so that no physical line exceeds
/// [`MAX_LINE_OCTETS`] octets, the leading space of a continuation included. Breaks
/// fall only between characters.
pub fn fold(content: &str) -> String {
    if content.len() <= MAX_LINE_OCTETS {
        return content.to_string();
    }
    let mut out = String::with_capacity(content.len() + content.len() / 30 * 3);
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}

fn ical_date(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn utc_datetime(t: DateTime<Utc>) -> String {
    format!("{}T{:02}{:02}{:02}Z", ical_date(t.date_naive()), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn entry(uid: &str, due: Due) -> CalendarEntry {
        CalendarEntry {
            uid: uid.into(),
            summary: "Rapid review due".into(),
            description: "Review 12".into(),
            due,
            url: Some("https://casereview.example/reviews/12".into()),
            status: "upcoming".into(),
        }
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    fn physical_lines(feed: &str) -> Vec<&str> {
        assert!(feed.ends_with("\r\n"));
        feed[..feed.len() - 2].split("\r\n").collect()
    }

    #[test]
    fn ical_escapes_text_specials() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape_text("tab\there"), "tab here");
        assert_eq!(escape_text("bell\u{7}nul\u{0}del\u{7f}c1\u{85}end"), "bellnuldelc1end");
        assert_eq!(escape_text("colon: fine, \"quotes\" too"), "colon: fine\\, \"quotes\" too");
        assert_eq!(escape_text("Zoë 👶 ✓"), "Zoë 👶 ✓");
    }

    #[test]
    fn ical_escaping_in_feed() {
        let mut e = entry("r1-s1", Due::Date(date(2025, 5, 1)));
        e.summary = "Meet; agree, decide\\done".into();
        e.description = "Line 1\nLine 2".into();
        let f = feed("Jo's, deadlines; all", &[e], now());
        assert!(f.contains("\r\nX-WR-CALNAME:Jo's\\, deadlines\\; all\r\n"));
        assert!(f.contains("\r\nSUMMARY:Meet\\; agree\\, decide\\\\done\r\n"));
        assert!(f.contains("\r\nDESCRIPTION:Line 1\\nLine 2\r\n"));
    }

    #[test]
    fn ical_url_cannot_inject_properties() {
        let mut e = entry("r1-s1", Due::Date(date(2025, 5, 1)));
        e.url = Some("https://x.example/a\r\nATTENDEE:mailto:evil@example.com".into());
        let f = feed("x", &[e], now());
        assert!(f.contains("\r\nURL:https://x.example/aATTENDEE:mailto:evil@example.com\r\n"));
        assert!(!f.contains("\r\nATTENDEE"));
    }

    #[test]
    fn ical_folds_long_multibyte_line_at_75_octets() {
        // Mixed 1-, 2-, 3- and 4-octet characters so breaks land at every offset.
        let text: String = "aé€👶".repeat(40);
        let content = format!("DESCRIPTION:{text}");
        let folded = fold(&content);
        let lines: Vec<&str> = folded.split("\r\n").collect();
        assert!(lines.len() > 1);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= MAX_LINE_OCTETS, "line {i} is {} octets", l.len());
            if i > 0 {
                assert!(l.starts_with(' ') && !l.starts_with("  "));
            }
        }
        // Splitting on &str boundaries already proves no character was cut; unfolding
        // restores the original exactly.
        assert_eq!(unfold(&folded), content);
        // Folded lines are filled: each but the last is within 3 octets of the limit.
        for l in &lines[..lines.len() - 1] {
            assert!(l.len() > MAX_LINE_OCTETS - 4);
        }
    }

    #[test]
    fn ical_fold_boundaries() {
        let exact = "x".repeat(75);
        assert_eq!(fold(&exact), exact);
        let over = "x".repeat(76);
        assert_eq!(fold(&over), format!("{}\r\n x", "x".repeat(75)));
        // A 4-octet character that would straddle octet 75 moves to the next line.
        let s = format!("{}👶", "x".repeat(73));
        assert_eq!(fold(&s), format!("{}\r\n 👶", "x".repeat(73)));
    }

    #[test]
    fn ical_feed_lines_are_crlf_and_short() {
        let mut e = entry("r1-s1", Due::Date(date(2025, 5, 1)));
        e.description = "Ünïcödé, 😀; ".repeat(30);
        let f = feed("Deadlines", &[e.clone()], now());
        assert!(!f.replace("\r\n", "").contains('\n'));
        assert!(!f.replace("\r\n", "").contains('\r'));
        for l in physical_lines(&f) {
            assert!(l.len() <= MAX_LINE_OCTETS);
        }
        assert!(unfold(&f).contains(&format!("\r\nDESCRIPTION:{}\r\n", escape_text(&e.description))));
    }

    #[test]
    fn ical_all_day_dtend_is_next_day() {
        let f = feed("x", &[entry("a", Due::Date(date(2025, 5, 1)))], now());
        assert!(f.contains("\r\nDTSTART;VALUE=DATE:20250501\r\nDTEND;VALUE=DATE:20250502\r\n"));
        let f = feed("x", &[entry("b", Due::Date(date(2025, 12, 31)))], now());
        assert!(f.contains("\r\nDTSTART;VALUE=DATE:20251231\r\nDTEND;VALUE=DATE:20260101\r\n"));
        let f = feed("x", &[entry("c", Due::Date(date(2024, 2, 28)))], now());
        assert!(f.contains("\r\nDTEND;VALUE=DATE:20240229\r\n"));
        let f = feed("x", &[entry("d", Due::Date(date(2024, 2, 29)))], now());
        assert!(f.contains("\r\nDTEND;VALUE=DATE:20240301\r\n"));
        assert!(!f.contains("\r\nDURATION:"));
        // The last representable date has no next day; the event still lasts one day.
        let f = feed("x", &[entry("e", Due::Date(NaiveDate::MAX))], now());
        assert!(f.contains("\r\nDURATION:P1D\r\n"));
        assert!(!f.contains("DTEND"));
    }

    #[test]
    fn ical_timed_event_is_utc_with_duration() {
        let at = Utc.with_ymd_and_hms(2025, 6, 7, 8, 9, 10).unwrap();
        let f = feed("x", &[entry("t", Due::DateTime(at))], now());
        assert!(f.contains("\r\nDTSTART:20250607T080910Z\r\nDURATION:PT1H\r\n"));
        assert!(!f.contains("DTEND"));
        assert!(!f.contains("VALUE=DATE"));
    }

    #[test]
    fn ical_event_has_required_properties_and_alarm() {
        let f = feed("x", &[entry("r7-step3", Due::Date(date(2025, 5, 1)))], now());
        for want in [
            "BEGIN:VEVENT",
            "UID:r7-step3@casereview",
            "DTSTAMP:20250304T050607Z",
            "SUMMARY:Rapid review due",
            "DESCRIPTION:Review 12",
            "URL:https://casereview.example/reviews/12",
            "CATEGORIES:upcoming",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:Rapid review due",
            "TRIGGER:-P1D",
            "END:VALARM",
            "END:VEVENT",
        ] {
            assert!(f.contains(&format!("\r\n{want}\r\n")), "missing {want}");
        }
        let mut e = entry("r7-step4", Due::Date(date(2025, 5, 1)));
        e.url = None;
        e.status = String::new();
        let f = feed("x", &[e], now());
        assert!(!f.contains("URL:"));
        assert!(!f.contains("CATEGORIES:"));
    }

    #[test]
    fn ical_empty_feed_is_valid() {
        let f = feed("Nothing due", &[], now());
        assert_eq!(
            f,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//casereview//deadlines//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n\
             X-WR-CALNAME:Nothing due\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\nEND:VCALENDAR\r\n"
        );
    }

    #[test]
    fn ical_one_event_per_entry_with_distinct_uids() {
        let entries = [entry("a", Due::Date(date(2025, 5, 1))), entry("b", Due::Date(date(2025, 5, 2)))];
        let f = feed("x", &entries, now());
        assert_eq!(f.matches("\r\nBEGIN:VEVENT\r\n").count(), 2);
        assert!(f.contains("\r\nUID:a@casereview\r\n"));
        assert!(f.contains("\r\nUID:b@casereview\r\n"));
    }
}
