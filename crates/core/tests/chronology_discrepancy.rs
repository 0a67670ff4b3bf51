#![allow(clippy::unwrap_used)]
//! Discrepancies on the integrated chronology: planted ones are found, near misses are
//! not, ids are stable, gaps respect fuzzy dates, and a large chronology goes through.

use casereview_core::chronology::discrepancy::{detect, discrepancy_id, event_tokens, jaccard, DiscrepancyKind, DiscrepancyOptions};
use casereview_core::chronology::entry::{ChronologyEntry, FuzzyDate, Source};
use casereview_core::chronology::merge::merge;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn e(date: FuzzyDate, agency: &str, row: u32, event: &str, seen: Option<bool>) -> ChronologyEntry {
    ChronologyEntry {
        date,
        time: None,
        subject: "Child J".into(),
        professional: String::new(),
        event: event.into(),
        child_seen: seen,
        wishes_and_feelings: None,
        agency: agency.into(),
        comment: String::new(),
        source: Source { file: format!("{}.xlsx", agency.to_lowercase()), sheet: "Chronology".into(), row },
    }
}

fn ex(y: i32, m: u32, day: u32) -> FuzzyDate {
    FuzzyDate::Exact(d(y, m, day))
}

/// Entries every few days so no gap is reported unless planted.
fn background() -> Vec<ChronologyEntry> {
    (0..60)
        .map(|i| {
            e(
                FuzzyDate::Exact(d(2024, 1, 1) + chrono::Duration::days(i * 5)),
                "Education",
                100 + i as u32,
                &format!("Attendance note {i}"),
                None,
            )
        })
        .collect()
}

#[test]
fn tokens_and_similarity() {
    assert_eq!(event_tokens("Home visits: the child NOT seen, 12/03"), vec!["child", "home", "seen", "visit"]);
    let a = event_tokens("Child J taken to A&E with bruising to left arm after fall at home");
    let b = event_tokens("A&E attendance: bruising to left arm, fall at home reported by mother");
    assert!(jaccard(&a, &b) >= 0.5, "{a:?} {b:?} {}", jaccard(&a, &b));
    assert_eq!(jaccard::<String>(&[], &[]), 0.0);
}

#[test]
fn same_event_on_different_dates_is_found_once() {
    let mut v = background();
    v.push(e(ex(2024, 3, 10), "Police", 5, "Child J taken to A&E with bruising to left arm after fall at home", None));
    v.push(e(ex(2024, 3, 12), "Health", 7, "A&E attendance: bruising to left arm, fall at home reported by mother", None));
    // A second, later Health record of the same event is not a second discrepancy.
    v.push(e(ex(2024, 3, 14), "Health", 9, "Follow-up: bruising to left arm after fall at home, A&E", None));
    let found = detect(&merge(v), &DiscrepancyOptions::default());
    let dd: Vec<_> = found.iter().filter(|x| x.kind == DiscrepancyKind::DifferentDates).collect();
    assert_eq!(dd.len(), 1, "{found:#?}");
    let x = dd[0];
    assert_eq!(
        x.entries,
        vec![
            Source { file: "police.xlsx".into(), sheet: "Chronology".into(), row: 5 },
            Source { file: "health.xlsx".into(), sheet: "Chronology".into(), row: 7 },
        ]
    );
    assert!(x.detail.starts_with("Police records 'Child J taken to A&E"), "{}", x.detail);
    assert!(x.detail.contains("on 12/03/2024, 2 days apart."), "{}", x.detail);
    assert_eq!(x.id, discrepancy_id(DiscrepancyKind::DifferentDates, &x.entries, ""));
    assert!(x.id.starts_with("different_dates-"));
    assert_eq!(x.from, None);
    assert!(found.iter().all(|x| x.kind != DiscrepancyKind::Gap), "{found:#?}");
}

#[test]
fn near_misses_are_not_discrepancies() {
    let text = "Child J taken to A&E with bruising to left arm after fall at home";
    let cases: Vec<(&str, Vec<ChronologyEntry>)> = vec![
        ("same agency", vec![e(ex(2024, 3, 10), "Police", 1, text, None), e(ex(2024, 3, 12), "Police", 2, text, None)]),
        ("outside the window", vec![e(ex(2024, 3, 10), "Police", 1, text, None), e(ex(2024, 3, 18), "Health", 2, text, None)]),
        (
            "different events",
            vec![
                e(ex(2024, 3, 10), "Police", 1, text, None),
                e(ex(2024, 3, 12), "Health", 2, "Immunisations given at clinic, mother attended", None),
            ],
        ),
        (
            "other agency also recorded it the same day",
            vec![
                e(ex(2024, 3, 10), "Police", 1, text, None),
                e(ex(2024, 3, 10), "Health", 2, text, None),
                e(ex(2024, 3, 12), "Health", 3, text, None),
            ],
        ),
        (
            "month only cannot contradict a day",
            vec![e(ex(2024, 3, 10), "Police", 1, text, None), e(FuzzyDate::Month(2024, 3), "Health", 2, text, None)],
        ),
        ("too few words", vec![e(ex(2024, 3, 10), "Police", 1, "Home visit", None), e(ex(2024, 3, 12), "Health", 2, "Home visit", None)]),
        (
            "same day, both seen",
            vec![
                e(ex(2024, 4, 15), "Police", 1, "Home visit to family address, child seen", Some(true)),
                e(ex(2024, 4, 15), "Children's Social Care", 2, "Joint home visit to family address, child seen", Some(true)),
            ],
        ),
        (
            "same day, one unknown",
            vec![
                e(ex(2024, 4, 15), "Police", 1, "Home visit to family address, child seen", Some(true)),
                e(ex(2024, 4, 15), "Children's Social Care", 2, "Joint home visit to family address", None),
            ],
        ),
        (
            "seen and not seen, but different events",
            vec![
                e(ex(2024, 4, 15), "Police", 1, "Home visit to family address, child seen", Some(true)),
                e(ex(2024, 4, 15), "Health", 2, "Telephone call with GP surgery about missed appointment", Some(false)),
            ],
        ),
    ];
    for (name, entries) in cases {
        let found = detect(&merge(entries), &DiscrepancyOptions::default());
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
}

#[test]
fn child_seen_conflict_on_the_same_day() {
    let mut v = background();
    v.push(e(ex(2024, 4, 15), "Police", 3, "Home visit to family address, child seen", Some(true)));
    v.push(e(ex(2024, 4, 15), "Children's Social Care", 8, "Joint home visit to family address, child not seen", Some(false)));
    let found = detect(&merge(v), &DiscrepancyOptions::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    let x = &found[0];
    assert_eq!(x.kind, DiscrepancyKind::ChildSeenConflict);
    assert_eq!(x.entries.len(), 2);
    assert!(x.id.starts_with("child_seen_conflict-"));
    assert!(x.detail.starts_with("On 15/04/2024 Police records the child as seen"), "{}", x.detail);
    assert!(x.detail.contains("Children's Social Care as not seen"), "{}", x.detail);
}

#[test]
fn gaps_use_the_possible_days_of_fuzzy_dates() {
    let opts = DiscrepancyOptions { gap_days: 60, ..Default::default() };
    let v = vec![
        e(ex(2024, 1, 10), "Police", 1, "Referral", None),
        e(ex(2024, 6, 1), "Health", 2, "Clinic", None),
        e(ex(2024, 6, 20), "Health", 3, "Clinic", None),
    ];
    let found = detect(&merge(v.clone()), &opts);
    assert_eq!(found.len(), 1, "{found:#?}");
    let g = &found[0];
    assert_eq!(g.kind, DiscrepancyKind::Gap);
    assert_eq!((g.from, g.to), (Some(d(2024, 1, 10)), Some(d(2024, 6, 1))));
    assert_eq!(g.detail, "No entry from any agency for 143 days, between 10/01/2024 (Police) and 01/06/2024 (Health).");
    assert_eq!(g.entries.iter().map(|s| s.row).collect::<Vec<_>>(), vec![1, 2]);

    // A month-only entry for February could be any day of February: the certain gap runs
    // from 29/02 (93 days to 01/06), not from 01/02 (121 days).
    let mut w = v.clone();
    w.push(e(FuzzyDate::Month(2024, 2), "Education", 4, "Exclusion", None));
    let found = detect(&merge(w), &DiscrepancyOptions { gap_days: 100, ..Default::default() });
    assert!(found.is_empty(), "{found:#?}");

    // A year-only entry placed on 1 January reaches to 31 December: no gap after it.
    let mut y = v.clone();
    y.push(e(FuzzyDate::Year(2024), "Education", 5, "Moved school", None));
    assert!(detect(&merge(y), &opts).iter().all(|x| x.kind != DiscrepancyKind::Gap));

    // Exactly gap_days is not a gap.
    let exact = vec![e(ex(2024, 1, 1), "Police", 1, "a", None), e(ex(2024, 3, 1), "Police", 2, "b", None)];
    assert_eq!((d(2024, 3, 1) - d(2024, 1, 1)).num_days(), 60);
    assert!(detect(&merge(exact), &opts).is_empty());

    // The period under review bounds the first and last gaps.
    let period = DiscrepancyOptions { period: Some((d(2023, 9, 1), d(2024, 12, 31))), ..opts.clone() };
    let found = detect(&merge(v), &period);
    let gaps: Vec<_> = found.iter().map(|g| (g.from, g.to, g.entries.len())).collect();
    assert_eq!(
        gaps,
        vec![
            (Some(d(2023, 9, 1)), Some(d(2024, 1, 10)), 1),
            (Some(d(2024, 1, 10)), Some(d(2024, 6, 1)), 2),
            (Some(d(2024, 6, 20)), Some(d(2024, 12, 31)), 1),
        ]
    );
    assert!(found[0].detail.contains("the start of the period under review (01/09/2023)"), "{}", found[0].detail);
}

#[test]
fn ids_do_not_depend_on_input_order() {
    let mut v = background();
    v.push(e(ex(2024, 3, 10), "Police", 5, "Child J taken to A&E with bruising to left arm after fall at home", None));
    v.push(e(ex(2024, 3, 12), "Health", 7, "A&E attendance: bruising to left arm, fall at home reported by mother", None));
    v.push(e(ex(2024, 4, 15), "Police", 3, "Home visit to family address, child seen", Some(true)));
    v.push(e(ex(2024, 4, 15), "Children's Social Care", 8, "Joint home visit to family address, child not seen", Some(false)));
    v.push(e(ex(2025, 3, 15), "Police", 9, "Arrest of father", None));
    let a = detect(&merge(v.clone()), &DiscrepancyOptions::default());
    v.reverse();
    let b = detect(&merge(v), &DiscrepancyOptions::default());
    assert_eq!(a, b);
    assert_eq!(
        a.iter().map(|x| x.kind).collect::<Vec<_>>(),
        vec![DiscrepancyKind::DifferentDates, DiscrepancyKind::ChildSeenConflict, DiscrepancyKind::Gap]
    );
    let mut ids: Vec<_> = a.iter().map(|x| x.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), a.len());
}

/// Not a timing test (timing is the bench's job): shows a chronology of 100,000 entries
/// with repeated wording goes through merge and detection, with sane results.
#[test]
fn a_hundred_thousand_entries_go_through() {
    let agencies = ["Police", "Health", "Children's Social Care", "Education", "Housing"];
    let words = [
        "home",
        "visit",
        "school",
        "clinic",
        "referral",
        "bruising",
        "mother",
        "father",
        "strategy",
        "meeting",
        "assessment",
        "police",
        "attendance",
        "injury",
        "arm",
        "leg",
        "conference",
        "plan",
        "letter",
        "telephone",
        "call",
        "concern",
        "neglect",
        "housing",
        "move",
        "nursery",
        "gp",
        "hospital",
        "discharge",
        "domestic",
        "incident",
        "alcohol",
        "review",
        "missed",
        "appointment",
    ];
    let mut s: u64 = 42;
    let mut next = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let start = d(2019, 1, 1);
    let entries: Vec<ChronologyEntry> = (0..100_000u32)
        .map(|i| {
            let n = 4 + next() % 5;
            let text: Vec<&str> = (0..n).map(|_| words[next() % words.len()]).collect();
            let day = start + chrono::Duration::days((next() % 1800) as i64);
            let date = match next() % 20 {
                0 => FuzzyDate::Month(2020, 1 + (next() % 12) as u32),
                1 => FuzzyDate::Approximate(day),
                _ => FuzzyDate::Exact(day),
            };
            let seen = match next() % 3 {
                0 => Some(true),
                1 => Some(false),
                _ => None,
            };
            e(date, agencies[next() % agencies.len()], i + 2, &text.join(" "), seen)
        })
        .collect();
    let m = merge(entries);
    assert_eq!(m.entries.len(), 100_000);
    let found = detect(&m, &DiscrepancyOptions::default());
    assert!(!found.is_empty());
    // Each entry is in at most one DifferentDates pair per other agency.
    let mut per: std::collections::HashMap<(Source, String), usize> = Default::default();
    let by_source: std::collections::HashMap<&Source, &str> =
        m.entries.iter().map(|x| (&x.entry.source, x.entry.agency.as_str())).collect();
    for x in found.iter().filter(|x| x.kind == DiscrepancyKind::DifferentDates) {
        let (a, b) = (&x.entries[0], &x.entries[1]);
        *per.entry((a.clone(), by_source[b].to_string())).or_default() += 1;
        *per.entry((b.clone(), by_source[a].to_string())).or_default() += 1;
    }
    assert!(per.values().all(|&n| n == 1));
}

mod against_brute_force {
    //! The indexed search must find exactly what the documented rules say, checked by
    //! comparing every pair with every other on small random chronologies.
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn arb_entry() -> impl Strategy<Value = ChronologyEntry> {
        let words = ["visit", "home", "child", "mother", "bruise", "school", "call", "seen", "clinic"];
        (
            0i64..30,
            0u8..10,
            prop_oneof![Just("Police"), Just("Health"), Just("Education")],
            proptest::collection::vec(0usize..words.len(), 1..6),
            proptest::option::of(any::<bool>()),
            1u32..1000,
        )
            .prop_map(move |(day, kind, agency, ws, seen, row)| {
                let day = d(2024, 1, 1) + chrono::Duration::days(day);
                let date = match kind {
                    0 => FuzzyDate::Month(2024, 1),
                    1 => FuzzyDate::Approximate(day),
                    _ => FuzzyDate::Exact(day),
                };
                let text: Vec<&str> = ws.iter().map(|&i| words[i]).collect();
                e(date, agency, row, &text.join(" "), seen)
            })
    }

    fn brute(entries: &[ChronologyEntry], o: &DiscrepancyOptions) -> BTreeSet<(DiscrepancyKind, Vec<Source>)> {
        let toks: Vec<Vec<String>> = entries.iter().map(|x| event_tokens(&x.event)).collect();
        let ok = |i: usize| entries[i].date.is_day() && toks[i].len() >= o.min_tokens;
        let day = |i: usize| entries[i].date.earliest();
        let similar = |i: usize, j: usize| {
            i != j
                && ok(i)
                && ok(j)
                && entries[i].agency != entries[j].agency
                && (day(i) - day(j)).num_days().abs() <= o.window_days
                && jaccard(&toks[i], &toks[j]) + 1e-12 >= o.similarity
        };
        let n = entries.len();
        // best[i][agency] = None when a same-day match exists, else the nearest.
        let best = |i: usize, agency: &str| -> Option<usize> {
            let ms: Vec<usize> = (0..n).filter(|&j| entries[j].agency == agency && similar(i, j)).collect();
            if ms.iter().any(|&j| day(j) == day(i)) {
                return None;
            }
            ms.into_iter().min_by_key(|&j| ((day(i) - day(j)).num_days().abs(), j))
        };
        let mut out = BTreeSet::new();
        for i in 0..n {
            for j in i + 1..n {
                if !similar(i, j) {
                    continue;
                }
                let sources = vec![entries[i].source.clone(), entries[j].source.clone()];
                if day(i) == day(j) {
                    if matches!((entries[i].child_seen, entries[j].child_seen), (Some(a), Some(b)) if a != b) {
                        out.insert((DiscrepancyKind::ChildSeenConflict, sources));
                    }
                } else if best(i, &entries[j].agency) == Some(j) && best(j, &entries[i].agency) == Some(i) {
                    out.insert((DiscrepancyKind::DifferentDates, sources));
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn indexed_search_equals_brute_force(raw in proptest::collection::vec(arb_entry(), 0..40), window in 0i64..6, sim in prop_oneof![Just(0.3), Just(0.5), Just(0.8), Just(1.0)]) {
            // Distinct sources, as real imports have.
            let mut raw = raw;
            for (i, x) in raw.iter_mut().enumerate() {
                x.source.row = i as u32 + 2;
            }
            let o = DiscrepancyOptions { window_days: window, similarity: sim, min_tokens: 2, gap_days: 10_000, period: None };
            // Brute force in chronology order, so "nearest, then earlier" ties agree.
            let m = merge(raw.clone());
            let ordered: Vec<ChronologyEntry> = m.entries.iter().map(|x| x.entry.clone()).collect();
            let want = brute(&ordered, &o);
            let got: BTreeSet<(DiscrepancyKind, Vec<Source>)> = detect(&m, &o)
                .into_iter()
                .map(|x| {
                    let mut s = x.entries.clone();
                    // The brute force lists sources in chronology order too.
                    let pos = |s: &Source| ordered.iter().position(|e| &e.source == s);
                    s.sort_by_key(pos);
                    (x.kind, s)
                })
                .collect();
            prop_assert_eq!(&got, &want);
            raw.reverse();
            prop_assert_eq!(detect(&merge(raw), &o), detect(&m, &o));
        }
    }
}

#[test]
fn stop_words_are_sorted_for_binary_search() {
    let mut s = casereview_core::chronology::discrepancy::STOP_WORDS.to_vec();
    s.sort();
    assert_eq!(s, casereview_core::chronology::discrepancy::STOP_WORDS);
}
