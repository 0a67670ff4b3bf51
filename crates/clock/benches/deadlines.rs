//! Computes every Medway deadline of 10,000 reviews and compares the time with merely
//! loading those reviews' events (parsing `review_id<TAB>event<TAB>date` rows into one map
//! per review), which is the least any caller has to do anyway.
//!
//! Run with `cargo bench -p casereview-clock --bench deadlines`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use casereview_clock::{Calendar, ClockError, EventTime, Ruleset};
use chrono::{Days, NaiveDate};

const REVIEWS: usize = 10_000;
const ROUNDS: usize = 5;

// Days after the incident at which each event of a typical review is recorded.
const EVENTS: &[(&str, u64)] = &[
    ("incident", 0),
    ("notification", 2),
    ("agencies_informed", 2),
    ("records_secured", 4),
    ("regulator_notified", 4),
    ("screening_meeting", 5),
    ("recommendation", 6),
    ("decision", 8),
    ("imrs_commissioned", 12),
    ("first_panel_meeting", 13),
    ("scoping_complete", 14),
    ("imr_briefing", 20),
    ("imrs_received", 42),
    ("chronology_compiled", 55),
    ("chronology_circulated", 56),
    ("second_panel_meeting", 64),
    ("overview_drafting_started", 66),
    ("draft_circulated", 100),
    ("draft_agreed", 106),
    ("board_meeting", 128),
    ("draft_to_board", 116),
    ("adoption", 128),
    ("action_plans_received", 134),
    ("sent_to_regulator", 135),
    ("conclusions_shared", 170),
    ("publication", 180),
    ("monitoring_started", 140),
    ("progress_report", 230),
    ("agency_update", 310),
    ("outcomes_review", 860),
    ("concluded", 900),
];

fn rows() -> Vec<String> {
    let start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
    // A small linear congruential generator spreads incidents over 2000..2035 repeatably.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = Vec::with_capacity(REVIEWS * EVENTS.len());
    for review in 0..REVIEWS {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let incident = start + Days::new((seed >> 33) % (35 * 365));
        for (event, offset) in EVENTS {
            out.push(format!("{review}\t{event}\t{}", incident + Days::new(*offset)));
        }
    }
    out
}

fn load(rows: &[String]) -> Vec<BTreeMap<String, EventTime>> {
    let mut reviews = vec![BTreeMap::new(); REVIEWS];
    for row in rows {
        let mut fields = row.split('\t');
        let (Some(id), Some(event), Some(date)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let (Ok(id), Ok(time)) = (id.parse::<usize>(), EventTime::parse(date)) else {
            continue;
        };
        if let Some(review) = reviews.get_mut(id) {
            review.insert(event.to_string(), time);
        }
    }
    reviews
}

fn best<F: FnMut() -> Result<usize, ClockError>>(mut f: F) -> Result<(Duration, usize), ClockError> {
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        count = black_box(f()?);
        best = best.min(t.elapsed());
    }
    Ok((best, count))
}

fn main() -> Result<(), ClockError> {
    let rows = rows();
    let ruleset = Ruleset::load("medway-2008")?;
    let calendar = Calendar::england_and_wales();

    let (load_time, loaded) = best(|| Ok(load(black_box(&rows)).len()))?;
    let reviews = load(&rows);
    let (compute_time, deadlines) = best(|| {
        let mut n = 0;
        for events in &reviews {
            n += ruleset.compute(black_box(events), &calendar)?.len();
        }
        Ok(n)
    })?;

    let steps = ruleset.steps().len();
    println!("reviews: {loaded}, events per review: {}, steps per review: {steps}, deadlines: {deadlines}", EVENTS.len());
    println!("loading events (baseline): {:>8.2} ms", load_time.as_secs_f64() * 1e3);
    println!(
        "computing all deadlines:   {:>8.2} ms ({:.2} µs per review)",
        compute_time.as_secs_f64() * 1e3,
        compute_time.as_secs_f64() * 1e6 / REVIEWS as f64
    );
    println!("ratio compute / load:      {:>8.2}", compute_time.as_secs_f64() / load_time.as_secs_f64());
    Ok(())
}
