#![allow(clippy::unwrap_used)]
//! The integrated chronology: the order, tie notes, seen counts, and (property tests) that
//! input order never matters and nothing is lost or duplicated.

use casereview_core::chronology::entry::{ChronologyEntry, FuzzyDate, Source};
use casereview_core::chronology::merge::{merge, SeenCounts};
use chrono::{NaiveDate, NaiveTime};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(date: FuzzyDate, time: Option<(u32, u32)>, agency: &str, file: &str, row: u32, event: &str) -> ChronologyEntry {
    ChronologyEntry {
        date,
        time: time.map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap()),
        subject: "Child J".into(),
        professional: String::new(),
        event: event.into(),
        child_seen: None,
        wishes_and_feelings: None,
        agency: agency.into(),
        comment: String::new(),
        source: Source { file: file.into(), sheet: "Sheet1".into(), row },
    }
}

#[test]
fn order_follows_the_documented_rule_with_notes() {
    let march = FuzzyDate::Month(2024, 3);
    let first = FuzzyDate::Exact(d(2024, 3, 1));
    let input = vec![
        entry(march, None, "Health", "h.xlsx", 9, "month only"),
        entry(first, None, "Police", "p.xlsx", 4, "untimed police"),
        entry(first, None, "Health", "h.xlsx", 3, "untimed health"),
        entry(first, Some((9, 0)), "Police", "p.xlsx", 2, "09:00"),
        entry(first, Some((8, 0)), "Police", "p.xlsx", 7, "08:00"),
        entry(FuzzyDate::Approximate(d(2024, 3, 1)), None, "Education", "e.xlsx", 2, "approx"),
        entry(first, None, "Health", "h.xlsx", 2, "untimed health row 2"),
        entry(FuzzyDate::Exact(d(2024, 2, 29)), None, "Police", "p.xlsx", 1, "leap day"),
        entry(FuzzyDate::Year(2024), None, "Police", "p.xlsx", 1, "year only"),
    ];
    let m = merge(input);
    let events: Vec<&str> = m.entries.iter().map(|e| e.entry.event.as_str()).collect();
    assert_eq!(
        events,
        vec!["year only", "leap day", "08:00", "09:00", "untimed health row 2", "untimed health", "untimed police", "approx", "month only"]
    );
    assert_eq!(m.entries.iter().map(|e| e.position).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
    let notes: Vec<Option<&str>> = m.entries.iter().map(|e| e.tie_note.as_deref()).collect();
    assert_eq!(notes[0], None);
    assert_eq!(notes[1], None);
    assert_eq!(notes[2], None);
    assert_eq!(notes[3], None, "different times need no note");
    assert_eq!(notes[4], Some("no time recorded: placed after the timed entries of 1 March 2024"));
    assert_eq!(notes[5], Some("same date and agency as the entry above (1 March 2024): ordered by source file, sheet and row"));
    assert_eq!(notes[6], Some("same date as the entry above (1 March 2024): ordered by agency name, Health before Police"));
    assert_eq!(notes[7], Some("approximate date: placed after the exact entries of 1 March 2024"));
    assert_eq!(notes[8], Some("month only: placed at the start of March 2024, after the approximate entries of 1 March 2024"));
    assert_eq!(m.entries[8].entry.date.placement_note().as_deref(), Some("month only: placed at the start of March 2024"));
}

#[test]
fn seen_counts_per_agency() {
    let mut a = entry(FuzzyDate::Exact(d(2024, 1, 2)), None, "Police", "p", 1, "x");
    a.child_seen = Some(true);
    a.wishes_and_feelings = Some(true);
    let mut b = entry(FuzzyDate::Exact(d(2024, 1, 3)), None, "Police", "p", 2, "y");
    b.child_seen = Some(false);
    b.wishes_and_feelings = Some(false);
    let c = entry(FuzzyDate::Exact(d(2024, 1, 4)), None, "Health", "h", 2, "z");
    let m = merge(vec![a, b, c]);
    assert_eq!(m.seen_by_agency["Police"], SeenCounts { seen: 1, not_seen: 1, unknown: 0, wishes_and_feelings: 1 });
    assert_eq!(m.seen_by_agency["Health"], SeenCounts { seen: 0, not_seen: 0, unknown: 1, wishes_and_feelings: 0 });
}

fn arb_date() -> impl Strategy<Value = FuzzyDate> {
    // A small range so ties are frequent.
    (0i64..40, 0u8..4).prop_map(|(n, kind)| {
        let day = d(2024, 1, 1) + chrono::Duration::days(n);
        match kind {
            0 => FuzzyDate::Exact(day),
            1 => FuzzyDate::Approximate(day),
            2 => FuzzyDate::Month(2024, 1 + (n as u32 % 2)),
            _ => FuzzyDate::Year(2024),
        }
    })
}

fn arb_entry() -> impl Strategy<Value = ChronologyEntry> {
    (
        arb_date(),
        proptest::option::of((8u32..10, prop_oneof![Just(0u32), Just(30u32)])),
        prop_oneof![Just("Police"), Just("Health"), Just("Education")],
        prop_oneof![Just("a.xlsx"), Just("b.xlsx")],
        1u32..6,
        prop_oneof![Just("visit"), Just("call"), Just("letter")],
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(date, time, agency, file, row, event, seen)| {
            let mut e = entry(date, time, agency, file, row, event);
            e.child_seen = seen;
            e
        })
}

proptest! {
    #[test]
    fn input_order_does_not_change_the_output(entries in proptest::collection::vec(arb_entry(), 0..40), seed in any::<u64>()) {
        let mut shuffled = entries.clone();
        // A deterministic shuffle from the seed (Fisher-Yates with a small LCG).
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (s >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let mut reversed = entries.clone();
        reversed.reverse();
        let a = merge(entries);
        prop_assert_eq!(&a, &merge(shuffled));
        prop_assert_eq!(&a, &merge(reversed));
    }

    #[test]
    fn no_entry_is_lost_or_duplicated(entries in proptest::collection::vec(arb_entry(), 0..40)) {
        let m = merge(entries.clone());
        prop_assert_eq!(m.entries.len(), entries.len());
        let key = |e: &ChronologyEntry| serde_json::to_string(e).unwrap();
        let mut want: Vec<String> = entries.iter().map(key).collect();
        let mut got: Vec<String> = m.entries.iter().map(|e| key(&e.entry)).collect();
        want.sort();
        got.sort();
        prop_assert_eq!(want, got);
        // Positions are 1..=n and the order never goes backwards in sort key.
        for (i, w) in m.entries.windows(2).enumerate() {
            prop_assert_eq!(w[0].position, i + 1);
            prop_assert!(w[0].entry.date.sort_key() <= w[1].entry.date.sort_key());
        }
        let counted: usize = m.seen_by_agency.values().map(|c| c.seen + c.not_seen + c.unknown).sum();
        prop_assert_eq!(counted, entries.len());
    }
}
