//! Issue 7 benchmark: learning across reviews at scale. 5,000 reviews with about 200 MB of
//! document text (terms of reference, overview report and executive summary of each, plus
//! referral summaries, lessons and three recommendations with actions), loaded into a
//! fresh SQLite store (and a fresh PostgreSQL database when CASEREVIEW_TEST_POSTGRES_URL is
//! set) in one transaction of batched inserts, the search index filled by the migration's
//! triggers as in production. Then:
//! - SEARCH: `Store::search` (20 hits with snippets) over a fixed set of 50 queries (common
//!   and rare words, pairs, operators and odd input), as the board manager (sees every
//!   review), a panel member (member of 10%) and an agency author (member of 2%, no drafts);
//!   median and 95th percentile over 3 rounds. Targets: p95 under 50 ms.
//! - BASELINE: the naive search the index replaces, `LIKE '%word%'` over the same text with
//!   the same access rules, for 5 of the queries (its median, and the ratio to SEARCH).
//! - ANNUAL: the annual lessons report of one year built and typeset as PDF (and DOCX),
//!   best of 3. Target: under 2 s. TRENDS (the /learning figures, all years) for reference.
//!
//! Run with `cargo bench -p casereview-web --bench learning` (set REVIEWS=500 for a quick run).
#![allow(clippy::unwrap_used)]

use casereview_store::{Scope, Store, User};
use casereview_web::renderings::Format;
use chrono::{NaiveDate, TimeZone, Utc};
use std::error::Error;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;

/// A small deterministic generator (no dependency, same data every run).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

const DOMAIN: &[&str] = &[
    "child",
    "mother",
    "father",
    "health",
    "visitor",
    "police",
    "school",
    "social",
    "worker",
    "assessment",
    "referral",
    "neglect",
    "domestic",
    "violence",
    "alcohol",
    "drugs",
    "mental",
    "injury",
    "bruising",
    "hospital",
    "general",
    "practitioner",
    "midwife",
    "nursery",
    "attendance",
    "strategy",
    "meeting",
    "conference",
    "plan",
    "protection",
    "information",
    "sharing",
    "record",
    "supervision",
    "escalation",
    "threshold",
    "home",
    "visit",
    "partner",
    "household",
    "baby",
    "infant",
    "fracture",
    "emergency",
    "department",
    "missed",
    "appointment",
    "housing",
    "probation",
    "substance",
    "misuse",
    "chronology",
    "agency",
    "manager",
    "training",
    "policy",
    "procedure",
    "safeguarding",
    "concern",
    "family",
    "siblings",
    "grandmother",
    "care",
    "leaver",
    "pregnancy",
    "shaken",
    "fabricated",
    "illness",
    "sexual",
    "abuse",
    "emotional",
    "physical",
    "voice",
    "disguised",
    "compliance",
    "case",
];

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    let syll = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "de", "fi", "go", "hu", "ja", "pe", "qu", "wy"];
    let mut v: Vec<String> = DOMAIN.iter().map(|s| s.to_string()).collect();
    while v.len() < 4000 {
        let n = 2 + rng.below(3) as usize;
        let w: String = (0..n).map(|_| syll[rng.below(syll.len() as u64) as usize]).collect();
        if !v.contains(&w) {
            v.push(w);
        }
    }
    v
}

/// About `chars` characters of text, words drawn with a skew (a few words very common).
fn text(rng: &mut Rng, vocab: &[String], chars: usize) -> String {
    let mut s = String::with_capacity(chars + 16);
    let mut n = 0;
    while s.len() < chars {
        let i = ((rng.unit().powi(3)) * vocab.len() as f64) as usize;
        s.push_str(&vocab[i.min(vocab.len() - 1)]);
        n += 1;
        if n % 14 == 0 {
            s.push_str(". ");
        } else {
            s.push(' ');
        }
    }
    s
}

const REC_TEMPLATES: &[&str] = &[
    "Health visitors should record the name of every adult living in the household",
    "The police should share domestic violence notifications with schools within 24 hours",
    "Children's social care should review its supervision policy for newly qualified workers",
    "GP practices should flag missed appointments for children on a protection plan",
    "Agencies should escalate disagreements about thresholds to a senior manager",
    "Midwives should ask every pregnant woman about domestic violence",
    "Schools should follow up unexplained absence on the first day",
];

struct Data {
    reviews: usize,
    chars: usize,
}

/// Everything loaded, in one transaction of batched inserts on one connection.
macro_rules! load {
    ($conn:expr, $n:expr, $pid:expr, $users:expr) => {{
        let mut rng = Rng(42);
        let vocab = vocabulary(&mut rng);
        let mut chars = 0usize;
        sqlx::query("BEGIN").execute(&mut *$conn).await?;
        let (manager, member, author) = $users;
        let batch = 100;
        for start in (0..$n).step_by(batch) {
            let end = (start + batch).min($n);
            let mut reviews = Vec::new();
            let mut docs = Vec::new();
            let mut versions = Vec::new();
            let mut members = Vec::new();
            let mut tags = Vec::new();
            let mut lessons = Vec::new();
            let mut recs = Vec::new();
            for i in start..end {
                let id = i as i64 + 1;
                let year = 2022 + (i % 5) as i32;
                let at = Utc.with_ymd_and_hms(year, 1 + (i % 12) as u32, 1 + (i % 28) as u32, 10, 0, 0).unwrap();
                let incident = text(&mut rng, &vocab, 400);
                let other = text(&mut rng, &vocab, 200);
                chars += incident.len() + other.len();
                let referral = serde_json::json!({"incident_details": incident, "other_matters": other}).to_string();
                reviews.push((id, format!("BENCH-{year}-{id:05}"), at, referral));
                for (k, (kind, size)) in [("terms_of_reference", 6_000usize), ("overview_report", 26_000), ("executive_summary", 8_000)].iter().enumerate() {
                    let did = id * 3 + k as i64;
                    let status = if i % 3 == 0 { "draft" } else { "approved" };
                    let mut sections = serde_json::Map::new();
                    for s in 0..4 {
                        let t = text(&mut rng, &vocab, size / 4);
                        chars += t.len();
                        sections.insert(format!("s{s}"), serde_json::Value::String(t));
                    }
                    docs.push((did, id, *kind, status, at));
                    versions.push((did, serde_json::Value::Object(sections).to_string(), at));
                }
                members.push((id, manager));
                if i % 10 == 0 {
                    members.push((id, member));
                }
                if i % 50 == 0 {
                    members.push((id, author));
                }
                let t1 = casereview_core::learning::OFSTED_CHARACTERISTICS[rng.below(16) as usize].0;
                let t2 = casereview_core::learning::OFSTED_CHARACTERISTICS[rng.below(16) as usize].0;
                tags.push((id, t1, at));
                if t2 != t1 {
                    tags.push((id, t2, at));
                }
                if i % 2 == 0 {
                    let l = text(&mut rng, &vocab, 600);
                    chars += l.len();
                    lessons.push((id, l, at));
                }
                for n in 0..3i64 {
                    let base = REC_TEMPLATES[rng.below(REC_TEMPLATES.len() as u64) as usize];
                    let extra = text(&mut rng, &vocab, 60);
                    recs.push((id * 3 + n, id, n + 1, format!("{base} {extra}"), at, NaiveDate::from_ymd_opt(year, 6, 1).unwrap(), ["red", "amber", "green", "completed", "signed_off"][rng.below(5) as usize]));
                }
            }
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO reviews (id, partnership_id, reference, state, kind, child_name, referral, version, created_at, updated_at, updated_by) ");
            qb.push_values(&reviews, |mut b, (id, reference, at, referral)| {
                b.push_bind(*id).push_bind($pid).push_bind(reference).push_bind("monitoring").push_bind("serious_case_review").push_bind("Child").push_bind(referral).push_bind(1i64).push_bind(*at).push_bind(*at).push_bind("bench");
            });
            qb.build().execute(&mut *$conn).await?;
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO documents (id, review_id, kind, status, version, updated_at, updated_by) ");
            qb.push_values(&docs, |mut b, (did, id, kind, status, at)| {
                b.push_bind(*did).push_bind(*id).push_bind(*kind).push_bind(*status).push_bind(1i64).push_bind(*at).push_bind("bench");
            });
            qb.build().execute(&mut *$conn).await?;
            for chunk in versions.chunks(30) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO document_versions (document_id, version, sections, saved_by, saved_at) ");
                qb.push_values(chunk, |mut b, (did, sections, at)| {
                    b.push_bind(*did).push_bind(1i64).push_bind(sections).push_bind("bench").push_bind(*at);
                });
                qb.build().execute(&mut *$conn).await?;
            }
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO review_members (review_id, user_id, added_at) ");
            qb.push_values(&members, |mut b, (id, uid)| {
                b.push_bind(*id).push_bind(*uid).push_bind(Utc::now());
            });
            qb.build().execute(&mut *$conn).await?;
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO review_tags (review_id, tag, tagged_by, tagged_at) ");
            qb.push_values(&tags, |mut b, (id, tag, at)| {
                b.push_bind(*id).push_bind(*tag).push_bind("bench").push_bind(*at);
            });
            qb.build().execute(&mut *$conn).await?;
            if !lessons.is_empty() {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO review_lessons (review_id, lessons, updated_by, updated_at) ");
                qb.push_values(&lessons, |mut b, (id, l, at)| {
                    b.push_bind(*id).push_bind(l).push_bind("bench").push_bind(*at);
                });
                qb.build().execute(&mut *$conn).await?;
            }
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO report_recommendations (id, review_id, number, source, text, status, created_by, created_at, updated_at) ");
            qb.push_values(&recs, |mut b, (rid, id, n, t, at, _, _)| {
                b.push_bind(*rid).push_bind(*id).push_bind(*n).push_bind("overview").push_bind(t).push_bind("adopted").push_bind("bench").push_bind(*at).push_bind(*at);
            });
            qb.build().execute(&mut *$conn).await?;
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO recommendation_parts (id, recommendation_id, letter, task, agency_id, due_on) ");
            qb.push_values(&recs, |mut b, (rid, _, _, t, _, due, _)| {
                b.push_bind(*rid).push_bind(*rid).push_bind("a").push_bind(t).push_bind(1 + rid % 3).push_bind(*due);
            });
            qb.build().execute(&mut *$conn).await?;
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO plan_actions (review_id, part_id, agency_id, action, by_whom, intended_outcome, monitoring, due_on, rag, created_by, created_at) ");
            qb.push_values(&recs, |mut b, (rid, id, _, _, at, due, rag)| {
                b.push_bind(*id).push_bind(*rid).push_bind(1 + rid % 3).push_bind("Act").push_bind("Manager").push_bind("Outcome").push_bind("Audit").push_bind(*due).push_bind(*rag).push_bind("bench").push_bind(*at);
            });
            qb.build().execute(&mut *$conn).await?;
        }
        sqlx::query("COMMIT").execute(&mut *$conn).await?;
        Data { reviews: $n, chars }
    }};
}

fn queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "child",
        "neglect",
        "domestic violence",
        "health visitor",
        "missed appointment",
        "information sharing",
        "supervision",
        "escalation threshold",
        "bruising baby",
        "fracture hospital",
        "school attendance",
        "mother partner household",
        "care leaver",
        "shaken",
        "fabricated illness",
        "disguised compliance",
        "voice of the child",
        "strategy meeting",
        "probation housing",
        "substance misuse",
        "record every adult",
        "notifications schools",
        "midwives pregnant",
        "general practitioner",
        "police",
        "kalo",
        "mine",
        "rusati",
        "zeba",
        "hujape",
        "quwyka",
        "lomi",
        "tivo",
        "sane",
        "kaloru",
        "\"domestic violence\"",
        "neglect*",
        "NEAR(child neglect)",
        "-police",
        "health AND NOT police",
        "'; DROP TABLE reviews; --",
        "<script>alert(1)</script>",
        "%",
        "(",
        "a",
        "the",
        "BENCH-2024-00007",
        "zzzzzz",
        "",
        "children's social care",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.truncate(50);
    q
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn users(store: &Store, pid: i64) -> Result<(User, User, User), Box<dyn Error>> {
    use casereview_core::Role;
    use casereview_store::{Actor, NewUser};
    let sys = Actor::system(pid);
    store.ensure_agency(&sys, "Police", true).await?;
    store.ensure_agency(&sys, "Health", true).await?;
    store.ensure_agency(&sys, "Education", true).await?;
    let mut out = Vec::new();
    for (email, role) in
        [("manager@bench", Role::PartnershipAdmin), ("member@bench", Role::PanelMember), ("author@bench", Role::AgencyAuthor)]
    {
        store
            .create_user(
                &sys,
                &NewUser { partnership_id: pid, email: email.into(), name: email.into(), role, agency: None, password_hash: "x".into() },
            )
            .await?;
        out.push(store.user_by_email(email).await?.ok_or("user")?.0);
    }
    let a = out.remove(0);
    let b = out.remove(0);
    let c = out.remove(0);
    Ok((a, b, c))
}

async fn measure(store: &Store, label: &str, data: &Data, us: &(User, User, User), load_time: Duration) -> Result<(), Box<dyn Error>> {
    println!(
        "\n== {label}: {} reviews, {:.1} MB of text, loaded and indexed in {:.1} s",
        data.reviews,
        data.chars as f64 / 1e6,
        load_time.as_secs_f64()
    );
    let qs = queries();
    let mut all = Vec::new();
    for (name, u) in [("board manager", &us.0), ("panel member", &us.1), ("agency author", &us.2)] {
        let scope = Scope::of(u);
        for q in &qs {
            store.search(&scope, q, 20).await?; // warm
        }
        let mut times = Vec::new();
        let mut hits = 0usize;
        for _ in 0..ROUNDS {
            for q in &qs {
                let t = Instant::now();
                hits += store.search(&scope, q, 20).await?.len();
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!(
            "SEARCH as {name:<13}: median {:7.2} ms  p95 {:7.2} ms  max {:7.2} ms  ({} searches, {} hits)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().ok_or("no times")?),
            times.len(),
            hits / ROUNDS
        );
        all.extend(times);
    }
    all.sort();
    let (med, p95) = (percentile(&all, 0.5), percentile(&all, 0.95));
    println!(
        "SEARCH overall          : median {:7.2} ms  p95 {:7.2} ms  (target p95 < 50 ms: {})",
        ms(med),
        ms(p95),
        if p95 < Duration::from_millis(50) { "met" } else { "NOT met" }
    );

    // The naive search the index replaces, for a few queries, as the board manager.
    let mut base = Vec::new();
    for w in ["neglect", "supervision", "kalo", "fracture", "zzzzzz"] {
        let t = Instant::now();
        store.naive_search_for_benchmarks(&Scope::of(&us.0), w, 20).await?;
        base.push(t.elapsed());
    }
    base.sort();
    let bmed = percentile(&base, 0.5);
    println!(
        "BASELINE LIKE '%word%'  : median {:7.2} ms  ({:.0}x the indexed search's median)",
        ms(bmed),
        bmed.as_secs_f64() / med.as_secs_f64().max(1e-9)
    );

    let scope = Scope::partnership(us.0.partnership_id);
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?;
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        size = casereview_web::learning::render_annual(store, &scope, 2025, Format::Pdf, today).await?.len();
        best = best.min(t.elapsed());
    }
    println!(
        "ANNUAL report 2025 PDF  : {:7.0} ms best of {ROUNDS} ({} KB; target < 2 s: {})",
        ms(best),
        size / 1024,
        if best < Duration::from_secs(2) { "met" } else { "NOT met" }
    );
    let t = Instant::now();
    let docx = casereview_web::learning::render_annual(store, &scope, 2025, Format::Docx, today).await?.len();
    println!("ANNUAL report 2025 DOCX : {:7.0} ms ({} KB)", ms(t.elapsed()), docx / 1024);
    let t = Instant::now();
    let tr = casereview_web::learning::trends(store, &scope, today).await?;
    println!(
        "TRENDS (all years)      : {:7.0} ms ({} recurring groups, {} agencies overdue)",
        ms(t.elapsed()),
        tr.recurring.len(),
        tr.overdue.len()
    );
    Ok(())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let n: usize = std::env::var("REVIEWS").ok().and_then(|s| s.parse().ok()).unwrap_or(5_000);
    // SQLite.
    let dir = tempfile::tempdir()?;
    let store = Store::open_sqlite(dir.path()).await?;
    store.migrate().await?;
    let (p, _) = store.ensure_partnership("bench", "bench", "Benchshire Safeguarding Children Partnership", "BSCP", "medway-2008").await?;
    let us = users(&store, p.id).await?;
    let t = Instant::now();
    let data = {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("casereview.sqlite")).connect().await?;
        let conn = &mut conn;
        load!(conn, n, p.id, (us.0.id, us.1.id, us.2.id))
    };
    let load_time = t.elapsed();
    measure(&store, "SQLite (FTS5)", &data, &us, load_time).await?;
    store.close().await;

    // PostgreSQL, when a server is named.
    if let Ok(admin) = std::env::var("CASEREVIEW_TEST_POSTGRES_URL") {
        let name = format!("cr_bench_{}", std::process::id());
        let pool = sqlx::PgPool::connect(&admin).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await?;
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => return Err("bad URL".into()),
        };
        let store = Store::open_postgres(&url).await?;
        store.migrate().await?;
        let (p, _) =
            store.ensure_partnership("bench", "bench", "Benchshire Safeguarding Children Partnership", "BSCP", "medway-2008").await?;
        let us = users(&store, p.id).await?;
        let t = Instant::now();
        let data = {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            let conn = &mut conn;
            load!(conn, n, p.id, (us.0.id, us.1.id, us.2.id))
        };
        sqlx::query("ANALYZE").execute(&sqlx::PgPool::connect(&url).await?).await?;
        let load_time = t.elapsed();
        measure(&store, "PostgreSQL (tsvector + GIN)", &data, &us, load_time).await?;
        store.close().await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&pool).await?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    tokio::runtime::Runtime::new()?.block_on(run())
}
