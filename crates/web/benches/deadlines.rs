//! Issue 3, application level: every deadline of 10,000 reviews with 30 steps each, computed
//! the way the web app does it (`casereview_web::deadlines::Clock::deadlines` over events
//! loaded from a real SQLite store), against the baseline of merely loading those reviews'
//! events (`Store::events_of`, one query).
//!
//! Measured, best of 5 runs each, in one process:
//! - LOAD: `store.events_of(&ids)` for all 10,000 reviews.
//! - GROUP: the loaded rows grouped into one `Vec` per review (reported on its own; it is
//!   NOT part of COMPUTE).
//! - COMPUTE: `clock.deadlines(id, events_of_that_review, &[], &[], today)` for every review.
//! - END TO END: `casereview_web::deadlines::for_reviews(&store, &clock, &ids, today)`, which
//!   also runs the (empty) extension and waiver queries.
//! - UNGROUPED: every review's computation given the whole event list (filtered inside
//!   `Clock::deadlines` by review id), the shape that grows with reviews x events; timed on
//!   1,000 and 2,000 reviews, and on 10,000 only if that is projected to take under 2 minutes.
//!
//! Run with `cargo bench -p casereview-web --bench deadlines`.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use casereview_clock::{Calendar, Ruleset};
use casereview_store::{ReviewEvent, Store};
use casereview_web::deadlines::{for_reviews, Clock};
use chrono::{Days, NaiveDate};

const REVIEWS: usize = 10_000;
const ROUNDS: usize = 5;
const BATCH: usize = 500;
/// Above this projected time the ungrouped / end-to-end run on all reviews is skipped.
const LIMIT: Duration = Duration::from_secs(120);

/// Four more plausible steps, so that Medway's 26 deadline steps become the issue's 30.
const EXTRA_STEPS: &str = r#"

# --- Benchmark only: progress reports to the board chair and the published summary ---

[[steps]]
id = "progress_report_month_1"
title = "Review chair's first monthly progress report to the MSCB chair"
trigger = "decision"
period = "1 month"
role = "panel_chair"
source = "bench"
met_by = ["progress_report", "adoption"]

[[steps]]
id = "progress_report_month_2"
title = "Review chair's second monthly progress report to the MSCB chair"
trigger = "decision"
period = "2 months"
role = "panel_chair"
source = "bench"
met_by = ["progress_report", "adoption"]

[[steps]]
id = "progress_report_month_3"
title = "Review chair's third monthly progress report to the MSCB chair"
trigger = "decision"
period = "3 months"
role = "panel_chair"
source = "bench"
met_by = ["progress_report", "adoption"]

[[steps]]
id = "publish_summary"
title = "Executive summary published"
trigger = ["adoption", "board_meeting"]
projected_from = "extraordinary_board_meeting"
period = "4 weeks"
role = "partnership_admin"
source = "bench"
met_by = "publication"
"#;

/// A review's events in order, with the days after the incident each is typically recorded.
const EVENTS: &[(&str, u64)] = &[
    ("incident", 0),
    ("notification", 2),
    ("records_secured", 4),
    ("screening_meeting", 6),
    ("recommendation", 7),
    ("decision", 10),
    ("imrs_commissioned", 16),
    ("chronology_compiled", 60),
    ("second_panel_meeting", 72),
    ("draft_circulated", 115),
    ("board_meeting", 150),
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 10, 1).unwrap()
}

/// A small linear congruential generator, so every run builds the same reviews.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Every review's events: incidents spread from 2024-01-01 to 2027-09-30, each review
/// recorded up to a stage (60% reached the board meeting) and never past today.
fn generate() -> Vec<Vec<(&'static str, NaiveDate)>> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let span = (NaiveDate::from_ymd_opt(2027, 9, 30).unwrap() - start).num_days() as u64;
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    (0..REVIEWS)
        .map(|_| {
            let incident = start + Days::new(rng.next(span + 1));
            let stage = if rng.next(10) < 6 { EVENTS.len() } else { 1 + rng.next(EVENTS.len() as u64) as usize };
            let mut slip = 0;
            let mut out = Vec::new();
            for (event, offset) in &EVENTS[..stage] {
                if *offset > 0 {
                    slip += rng.next(4);
                }
                let on = incident + Days::new(offset + slip);
                if on > today() {
                    break;
                }
                out.push((*event, on));
            }
            out
        })
        .collect()
}

async fn fill(store: &Store, partnership_id: i64, reviews: &[Vec<(&'static str, NaiveDate)>]) -> Result<usize, Box<dyn Error>> {
    let at = "2027-10-01 00:00:00+00:00";
    let mut rows = 0;
    for (b, chunk) in reviews.chunks(BATCH).enumerate() {
        let mut review_sql = String::from(
            "INSERT INTO reviews (id, partnership_id, reference, state, kind, child_name, referral, version, created_at, updated_at, updated_by) VALUES ",
        );
        let mut event_sql = String::from("INSERT INTO review_events (review_id, event, occurred_on, recorded_at) VALUES ");
        let mut first_event = true;
        for (i, events) in chunk.iter().enumerate() {
            let id = b * BATCH + i + 1;
            if i > 0 {
                review_sql.push(',');
            }
            review_sql.push_str(&format!(
                "({id}, {partnership_id}, 'MED-BENCH-{id:05}', 'in_review', 'scr', 'Child {id}', '{{}}', 1, '{at}', '{at}', 'bench')"
            ));
            for (event, on) in events {
                if !first_event {
                    event_sql.push(',');
                }
                first_event = false;
                event_sql.push_str(&format!("({id}, '{event}', '{on}', '{at}')"));
                rows += 1;
            }
        }
        store.tamper_for_tests_raw(&review_sql).await?;
        if !first_event {
            store.tamper_for_tests_raw(&event_sql).await?;
        }
    }
    Ok(rows)
}

fn group(rows: &[ReviewEvent]) -> HashMap<i64, Vec<ReviewEvent>> {
    let mut m: HashMap<i64, Vec<ReviewEvent>> = HashMap::new();
    for r in rows {
        m.entry(r.review_id).or_default().push(r.clone());
    }
    m
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Best of `rounds` runs; the count is the last run's.
fn best<F: FnMut() -> Result<usize, Box<dyn Error>>>(rounds: usize, mut f: F) -> Result<(Duration, usize), Box<dyn Error>> {
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        count = black_box(f()?);
        best = best.min(t.elapsed());
    }
    Ok((best, count))
}

/// Every review of `ids` computed over the whole event list of those reviews.
fn ungrouped(clock: &Clock, ids: &[i64], events: &[ReviewEvent]) -> usize {
    ids.iter().map(|id| clock.deadlines(*id, black_box(events), &[], &[], today()).len()).sum()
}

fn main() -> Result<(), Box<dyn Error>> {
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let store = rt.block_on(Store::open_sqlite(dir.path()))?;
    rt.block_on(store.migrate())?;
    let (partnership, _) = rt.block_on(store.ensure_partnership("bench@example.org", "medway", "Medway", "MED", "medway-2008"))?;

    let text = format!("{}{EXTRA_STEPS}", include_str!("../../clock/rulesets/medway-2008.toml"));
    let ruleset = Ruleset::from_toml(&text)?;
    let steps = ruleset.steps().len();
    let clock = Clock { ruleset, calendar: Calendar::england_and_wales(), due_soon: 5 };

    let reviews = generate();
    let t = Instant::now();
    let inserted = rt.block_on(fill(&store, partnership.id, &reviews))?;
    let fill_time = t.elapsed();
    let ids: Vec<i64> = (1..=REVIEWS as i64).collect();

    // (a) LOAD: the one query every caller needs anyway.
    let (load_time, loaded) = best(ROUNDS, || Ok(rt.block_on(store.events_of(black_box(&ids)))?.len()))?;
    let events = rt.block_on(store.events_of(&ids))?;
    assert_eq!(loaded, inserted);

    // Grouping, timed on its own and kept out of COMPUTE.
    let (group_time, _) = best(ROUNDS, || Ok(group(black_box(&events)).len()))?;
    let grouped = group(&events);
    let none = Vec::new();

    // (b) COMPUTE: each review's deadlines over its own events.
    let (compute_time, deadlines) = best(ROUNDS, || {
        Ok(ids.iter().map(|id| clock.deadlines(*id, black_box(grouped.get(id).unwrap_or(&none)), &[], &[], today()).len()).sum())
    })?;

    // Sanity: statuses differ, and no review failed to compute (a failure gives no deadlines).
    let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut empty = 0;
    for id in &ids {
        let d = clock.deadlines(*id, grouped.get(id).unwrap_or(&none), &[], &[], today());
        if d.is_empty() {
            empty += 1;
        }
        for v in d {
            *statuses.entry(v.status).or_default() += 1;
        }
    }

    println!("store: SQLite in a temporary folder, {REVIEWS} reviews and {inserted} events inserted in {:.0} ms", ms(fill_time));
    println!("today: {}, ruleset: medway-2008 + 4 benchmark steps", today());
    println!("reviews: {REVIEWS}, events per review: {:.2} (avg), steps per review: {steps}", inserted as f64 / REVIEWS as f64);
    println!("total deadlines computed: {deadlines} ({} reviews gave none)", empty);
    println!("statuses: {statuses:?}");
    println!("best of {ROUNDS}:");
    println!("  LOAD    events_of(10,000 ids), one query:        {:>9.2} ms", ms(load_time));
    println!("  (group rows by review, not in COMPUTE:          {:>9.2} ms)", ms(group_time));
    println!(
        "  COMPUTE Clock::deadlines for every review:       {:>9.2} ms ({:.2} µs per review)",
        ms(compute_time),
        compute_time.as_secs_f64() * 1e6 / REVIEWS as f64
    );
    println!("  ratio COMPUTE / LOAD:                            {:>9.2}", compute_time.as_secs_f64() / load_time.as_secs_f64());

    // (c) END TO END, as the app does it. Guarded in case it grows with reviews x events:
    // timed on 1,000 and 2,000 reviews first, and on 10,000 only if a quadratic projection
    // stays under the limit.
    let e2e = |n: usize, rounds: usize| -> Result<(Duration, usize), Box<dyn Error>> {
        best(rounds, || Ok(rt.block_on(for_reviews(&store, &clock, black_box(&ids[..n]), today()))?.values().map(Vec::len).sum()))
    };
    let (e1, _) = e2e(1_000, ROUNDS)?;
    let (e2, _) = e2e(2_000, ROUNDS)?;
    println!("  END TO END for_reviews (load + group + compute):");
    println!("    1,000 reviews: {:>9.2} ms", ms(e1));
    println!("    2,000 reviews: {:>9.2} ms (x{:.2} for twice the reviews)", ms(e2), e2.as_secs_f64() / e1.as_secs_f64());
    let projected = e2.mul_f64(25.0);
    if projected < LIMIT {
        let (e10, total) = e2e(REVIEWS, ROUNDS)?;
        println!(
            "   10,000 reviews: {:>9.2} ms ({total} deadlines; ratio END TO END / LOAD {:.2})",
            ms(e10),
            e10.as_secs_f64() / load_time.as_secs_f64()
        );
        assert_eq!(total, deadlines);
    } else {
        println!("   10,000 reviews: skipped, projected {:.0} s if quadratic", projected.as_secs_f64());
    }

    // (d) UNGROUPED: every review given every loaded event (filtered inside Clock::deadlines).
    let subset = |n: usize| -> Vec<ReviewEvent> { events.iter().filter(|e| e.review_id <= n as i64).cloned().collect() };
    let (s1, s2) = (subset(1_000), subset(2_000));
    let (u1, _) = best(ROUNDS, || Ok(ungrouped(&clock, &ids[..1_000], &s1)))?;
    let (u2, _) = best(ROUNDS, || Ok(ungrouped(&clock, &ids[..2_000], &s2)))?;
    println!("  UNGROUPED (all events passed to each review's Clock::deadlines), compute only:");
    println!("    1,000 reviews: {:>9.2} ms", ms(u1));
    println!("    2,000 reviews: {:>9.2} ms (x{:.2} for twice the reviews)", ms(u2), u2.as_secs_f64() / u1.as_secs_f64());
    let projected = u2.mul_f64(25.0);
    if projected < LIMIT {
        let rounds = if projected > Duration::from_secs(10) { 1 } else { ROUNDS };
        let (u10, total) = best(rounds, || Ok(ungrouped(&clock, &ids, &events)))?;
        println!(
            "   10,000 reviews: {:>9.2} ms (best of {rounds}; {total} deadlines; x{:.1} COMPUTE)",
            ms(u10),
            u10.as_secs_f64() / compute_time.as_secs_f64()
        );
        assert_eq!(total, deadlines);
    } else {
        println!("   10,000 reviews: skipped, projected {:.0} s", projected.as_secs_f64());
    }
    println!("machine: {} CPUs available; figures are wall-clock on a shared machine", std::thread::available_parallelism()?.get());
    Ok(())
}
