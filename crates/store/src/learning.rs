//! Learning across reviews: the partnership's own tags, the tags and lessons of each
//! review, the full-text search (SQLite FTS5 or PostgreSQL tsvector, kept in step by the
//! triggers of migration 0014) and the figures of the trends page and the annual lessons
//! report. Every read is limited, inside its SQL, to the reviews the reader may see.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError, User};
use casereview_core::learning::{self, Tag, MARK_END, MARK_START, MAX_LESSONS_CHARS};
use casereview_core::{FieldErrors, Role};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use std::collections::BTreeSet;

/// Whose view a learning query takes: a person's (their partnership, and their reviews
/// unless they see all of them), or the whole partnership (the command line).
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub partnership_id: i64,
    pub user_id: i64,
    pub all_reviews: bool,
    /// Agency staff read documents and recommendations only once they are out of draft.
    pub agency_staff: bool,
}

impl Scope {
    pub fn of(user: &User) -> Scope {
        Scope {
            partnership_id: user.partnership_id,
            user_id: user.id,
            all_reviews: user.role.sees_all_reviews(),
            agency_staff: matches!(user.role, Role::AgencyAuthor | Role::AgencyHead),
        }
    }

    /// Every review of the partnership, as its board manager sees them.
    pub fn partnership(partnership_id: i64) -> Scope {
        Scope { partnership_id, user_id: 0, all_reviews: true, agency_staff: false }
    }

    /// The condition on `reviews r` that keeps the reviews of the scope. The values are
    /// integers and booleans of our own, so they are written into the SQL.
    fn reviews_sql(&self) -> String {
        if self.all_reviews {
            format!("r.partnership_id = {}", self.partnership_id)
        } else {
            format!(
                "r.partnership_id = {} AND EXISTS (SELECT 1 FROM review_members m WHERE m.review_id = r.id AND m.user_id = {})",
                self.partnership_id, self.user_id
            )
        }
    }

    /// The condition on `search_entries s` for what the reader may read of a review.
    fn entries_sql(&self) -> &'static str {
        if self.agency_staff {
            "(s.source IN ('review', 'lessons') \
             OR (s.source = 'document' AND EXISTS (SELECT 1 FROM documents d WHERE d.id = s.source_id AND d.status <> 'draft')) \
             OR (s.source = 'recommendation' AND EXISTS (SELECT 1 FROM report_recommendations x WHERE x.id = s.source_id AND x.status <> 'draft')))"
        } else {
            "1 = 1"
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub review_id: i64,
    pub reference: String,
    /// "review", "document", "recommendation" or "lessons".
    pub source: String,
    pub source_id: i64,
    pub title: String,
    /// The matching passage, matched words between [`MARK_START`] and [`MARK_END`].
    #[serde(skip)]
    pub snippet: String,
}

impl SearchHit {
    /// Where the result is read.
    pub fn link(&self) -> String {
        match self.source.as_str() {
            "document" => format!("/reviews/{}/documents/{}", self.review_id, self.title.replace(' ', "_")),
            "lessons" => format!("/reviews/{}/learning", self.review_id),
            _ => format!("/reviews/{}", self.review_id),
        }
    }

    /// What kind of thing matched, as people read it.
    pub fn what(&self) -> String {
        match self.source.as_str() {
            "review" => "Review".into(),
            "lessons" => "Lessons".into(),
            "recommendation" => {
                let mut t = self.title.clone();
                t.replace_range(..1, "R");
                t
            }
            _ => {
                let mut t = self.title.clone();
                if let Some(c) = t.get(..1).map(str::to_uppercase) {
                    t.replace_range(..1, &c);
                }
                t
            }
        }
    }

    /// The snippet as (text, matched) parts, for escaping.
    pub fn snippet_parts(&self) -> Vec<(String, bool)> {
        learning::snippet_parts(&self.snippet)
    }

    /// The snippet as plain text, matched words unmarked.
    pub fn snippet_text(&self) -> String {
        self.snippet.replace([MARK_START, MARK_END], "")
    }
}

/// A review as the trends and the annual report read it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LearningReview {
    pub id: i64,
    pub reference: String,
    pub kind: Option<String>,
    pub state: String,
    pub created_at: DateTime<Utc>,
}

/// A recommendation as the trends read it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LearningRecommendation {
    pub id: i64,
    pub review_id: i64,
    pub reference: String,
    pub number: i64,
    pub text: String,
}

/// Most results a search returns.
pub const MAX_SEARCH_RESULTS: i64 = 50;

fn year_bounds(year: i32) -> Result<(DateTime<Utc>, DateTime<Utc>), StoreError> {
    let start = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single();
    let end = Utc.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).single();
    match (start, end) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(FieldErrors::single("year", format!("{year} is not a year that can be reported on")).into()),
    }
}

impl Store {
    /// The tags of the partnership: the Ofsted list, then its own in the order added.
    pub async fn learning_tags(&self, partnership_id: i64) -> Result<Vec<Tag>, StoreError> {
        let own: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as("SELECT slug, name FROM learning_tags WHERE partnership_id = $1 ORDER BY id")
            .bind(partnership_id).fetch_all(pool).await?);
        let mut tags = learning::ofsted_tags();
        tags.extend(own.into_iter().map(|(slug, name)| Tag { slug, name, ofsted: false }));
        Ok(tags)
    }

    /// Adds one of the partnership's own tags.
    pub async fn add_learning_tag(&self, actor: &Actor, name: &str) -> Result<Tag, StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if self.is_pg() {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(actor.partnership_id).execute(&mut *tx).await?;
            }
            let own: Vec<(String, String)> = sqlx::query_as("SELECT slug, name FROM learning_tags WHERE partnership_id = $1").bind(actor.partnership_id).fetch_all(&mut *tx).await?;
            let mut known = learning::ofsted_tags();
            known.extend(own.into_iter().map(|(slug, name)| Tag { slug, name, ofsted: false }));
            let (slug, name) = learning::check_new_tag(name, &known)?;
            sqlx::query("INSERT INTO learning_tags (partnership_id, slug, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(actor.partnership_id).bind(&slug).bind(&name).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "learning.tag_add", format!("partnership:{}", actor.partnership_id), serde_json::json!({"slug": slug, "name": name}).to_string());
            tx.commit().await?;
            Ok(Tag { slug, name, ofsted: false })
        })
    }

    /// The slugs of a review's tags.
    pub async fn review_tags(&self, review_id: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as("SELECT tag FROM review_tags WHERE review_id = $1 ORDER BY tag").bind(review_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    /// A review's lessons entry, if written.
    pub async fn review_lessons(&self, review_id: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as("SELECT lessons FROM review_lessons WHERE review_id = $1").bind(review_id).fetch_optional(pool).await?);
        Ok(row.map(|(l,)| l))
    }

    /// Sets a review's tags to `slugs` and its lessons to `lessons`, in one transaction
    /// with one audit event naming the tags added and removed. Unknown tags and overlong
    /// lessons are refused, naming the field, and nothing changes.
    pub async fn set_review_learning(&self, actor: &Actor, review_id: i64, slugs: &[String], lessons: &str) -> Result<(), StoreError> {
        let known = self.learning_tags(actor.partnership_id).await?;
        let mut e = FieldErrors::new();
        for s in slugs {
            if !known.iter().any(|t| &t.slug == s) {
                e.push("tags", format!("'{s}' is not a tag of this partnership"));
            }
        }
        let lessons = lessons.trim();
        if lessons.chars().count() > MAX_LESSONS_CHARS {
            e.push("lessons", format!("The lessons must be {MAX_LESSONS_CHARS} characters or fewer"));
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        let wanted: BTreeSet<&str> = slugs.iter().map(String::as_str).collect();
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let found: Option<(i64,)> = sqlx::query_as(&format!("SELECT partnership_id FROM reviews WHERE id = $1{lock}")).bind(review_id).fetch_optional(&mut *tx).await?;
            if found.map(|(p,)| p) != Some(actor.partnership_id) {
                return Err(StoreError::NotFound(format!("review {review_id}")));
            }
            let have: Vec<(String,)> = sqlx::query_as("SELECT tag FROM review_tags WHERE review_id = $1").bind(review_id).fetch_all(&mut *tx).await?;
            let have: BTreeSet<String> = have.into_iter().map(|(t,)| t).collect();
            let added: Vec<&str> = wanted.iter().copied().filter(|s| !have.contains(*s)).collect();
            let removed: Vec<&str> = have.iter().map(String::as_str).filter(|s| !wanted.contains(s)).collect();
            for s in &added {
                sqlx::query("INSERT INTO review_tags (review_id, tag, tagged_by, tagged_at) VALUES ($1, $2, $3, $4)").bind(review_id).bind(*s).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            }
            for s in &removed {
                sqlx::query("DELETE FROM review_tags WHERE review_id = $1 AND tag = $2").bind(review_id).bind(*s).execute(&mut *tx).await?;
            }
            let old: Option<(String,)> = sqlx::query_as("SELECT lessons FROM review_lessons WHERE review_id = $1").bind(review_id).fetch_optional(&mut *tx).await?;
            let lessons_changed = old.as_ref().map(|(l,)| l.as_str()) != Some(lessons) && !(old.is_none() && lessons.is_empty());
            if lessons_changed {
                if old.is_some() {
                    sqlx::query("UPDATE review_lessons SET lessons = $1, updated_by = $2, updated_at = $3 WHERE review_id = $4").bind(lessons).bind(&actor.name).bind(at).bind(review_id).execute(&mut *tx).await?;
                } else {
                    sqlx::query("INSERT INTO review_lessons (review_id, lessons, updated_by, updated_at) VALUES ($1, $2, $3, $4)").bind(review_id).bind(lessons).bind(&actor.name).bind(at).execute(&mut *tx).await?;
                }
            }
            if !added.is_empty() || !removed.is_empty() || lessons_changed {
                append_audit!(self, tx, actor, "learning.tag", format!("review:{review_id}"), serde_json::json!({"added": added, "removed": removed, "lessons_changed": lessons_changed}).to_string());
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Full-text search over what `scope` may read: reviews (reference, kind, referral
    /// summary), documents (current text), recommendations and lessons. The query is
    /// reduced to plain words first ([`learning::search_terms`]), so no operator reaches
    /// the index; nothing to look for finds nothing. At most `limit` hits, best first.
    pub async fn search(&self, scope: &Scope, q: &str, limit: i64) -> Result<Vec<SearchHit>, StoreError> {
        let terms = learning::search_terms(q);
        let limit = limit.clamp(1, MAX_SEARCH_RESULTS);
        let access = format!("{} AND {}", scope.reviews_sql(), scope.entries_sql());
        type Row = (i64, String, String, i64, String, String);
        let rows: Vec<Row> = match &self.db {
            crate::Db::Sqlite(pool) => {
                let Some(m) = learning::fts5_query(&terms) else { return Ok(Vec::new()) };
                // The best hits the reader may see first (ranked by FTS5's bm25), then the
                // snippets of those alone: a snippet reads the text, so it is never made
                // for a row that is not shown.
                let sql = format!(
                    "WITH top AS (SELECT f.rowid AS id, f.rank AS rank FROM search_fts f JOIN search_entries s ON s.id = f.rowid JOIN reviews r ON r.id = s.review_id \
                     WHERE search_fts MATCH $1 AND {access} ORDER BY f.rank LIMIT $2) \
                     SELECT s.review_id, r.reference, s.source, s.source_id, s.title, snippet(search_fts, -1, char(2), char(3), '…', 24) \
                     FROM search_fts JOIN top ON top.id = search_fts.rowid JOIN search_entries s ON s.id = search_fts.rowid JOIN reviews r ON r.id = s.review_id \
                     WHERE search_fts MATCH $1 ORDER BY top.rank, s.id"
                );
                sqlx::query_as(&sql).bind(&m).bind(limit).fetch_all(pool).await?
            }
            crate::Db::Postgres(pool) => {
                if terms.is_empty() {
                    return Ok(Vec::new());
                }
                let words = terms.join(" ");
                let sql = format!(
                    "WITH q AS (SELECT plainto_tsquery('english', $1) AS q), \
                     top AS (SELECT s.id, ts_rank(s.tsv, q.q) AS score FROM search_entries s JOIN reviews r ON r.id = s.review_id, q \
                     WHERE s.tsv @@ q.q AND {access} ORDER BY score DESC, s.id DESC LIMIT $2) \
                     SELECT s.review_id, r.reference, s.source, s.source_id, s.title, ts_headline('english', left(s.body, 100000), q.q, $3) \
                     FROM top JOIN search_entries s ON s.id = top.id JOIN reviews r ON r.id = s.review_id, q ORDER BY top.score DESC, s.id DESC"
                );
                let opts = format!("StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MaxWords=40, MinWords=15, MaxFragments=1");
                sqlx::query_as(&sql).bind(&words).bind(limit).bind(&opts).fetch_all(pool).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(review_id, reference, source, source_id, title, snippet)| SearchHit {
                review_id,
                reference,
                source,
                source_id,
                title,
                snippet,
            })
            .collect())
    }

    /// For benchmarks only: the search the index replaces, `LIKE '%word%'` over the same
    /// entries with the same access rules; every match is read (as ranking would need).
    #[doc(hidden)]
    pub async fn naive_search_for_benchmarks(&self, scope: &Scope, word: &str, limit: i64) -> Result<usize, StoreError> {
        let access = format!("{} AND {}", scope.reviews_sql(), scope.entries_sql());
        let pattern = format!("%{}%", word.replace(['%', '_', '\\'], ""));
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT s.id FROM search_entries s JOIN reviews r ON r.id = s.review_id WHERE {access} AND (LOWER(s.title) LIKE $1 OR LOWER(s.body) LIKE $1)"
        )).bind(&pattern).fetch_all(pool).await?);
        Ok(rows.len().min(limit.max(0) as usize))
    }

    /// The reviews of the scope, oldest first; only those opened in `year` when given.
    pub async fn learning_reviews(&self, scope: &Scope, year: Option<i32>) -> Result<Vec<LearningReview>, StoreError> {
        let cols = "SELECT r.id, r.reference, r.kind, r.state, r.created_at FROM reviews r";
        let rows = match year {
            Some(y) => {
                let (from, to) = year_bounds(y)?;
                on_pool!(self, pool => sqlx::query_as(&format!("{cols} WHERE {} AND r.created_at >= $1 AND r.created_at < $2 ORDER BY r.created_at, r.id", scope.reviews_sql()))
                    .bind(from).bind(to).fetch_all(pool).await?)
            }
            None => {
                on_pool!(self, pool => sqlx::query_as(&format!("{cols} WHERE {} ORDER BY r.created_at, r.id", scope.reviews_sql())).fetch_all(pool).await?)
            }
        };
        Ok(rows)
    }

    /// (review id, tag slug) for every tag of the scope's reviews.
    pub async fn learning_review_tags(&self, scope: &Scope) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as(&format!("SELECT t.review_id, t.tag FROM review_tags t JOIN reviews r ON r.id = t.review_id WHERE {} ORDER BY t.review_id, t.tag", scope.reviews_sql()))
            .fetch_all(pool).await?),
        )
    }

    /// (review id, lessons) for the scope's reviews that have lessons written.
    pub async fn learning_lessons(&self, scope: &Scope) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as(&format!("SELECT l.review_id, l.lessons FROM review_lessons l JOIN reviews r ON r.id = l.review_id WHERE {} ORDER BY l.review_id", scope.reviews_sql()))
            .fetch_all(pool).await?),
        )
    }

    /// The recommendations of the scope's reviews (agency staff: adopted ones only), each
    /// with its parts' tasks after its text.
    pub async fn learning_recommendations(&self, scope: &Scope) -> Result<Vec<LearningRecommendation>, StoreError> {
        let draft = if scope.agency_staff { " AND x.status <> 'draft'" } else { "" };
        Ok(on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT x.id, x.review_id, r.reference, x.number, x.text FROM report_recommendations x JOIN reviews r ON r.id = x.review_id WHERE {}{draft} ORDER BY x.review_id, x.number",
            scope.reviews_sql()
        )).fetch_all(pool).await?))
    }

    /// Actions of the scope's reviews overdue on `today` (due before it and neither
    /// completed nor signed off), counted by agency, the most first.
    pub async fn overdue_actions_by_agency(&self, scope: &Scope, today: NaiveDate) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT a.name, COUNT(*) FROM plan_actions p JOIN reviews r ON r.id = p.review_id JOIN agencies a ON a.id = p.agency_id \
             WHERE {} AND p.due_on < $1 AND p.rag NOT IN ('completed', 'signed_off') GROUP BY a.name ORDER BY COUNT(*) DESC, a.name",
            scope.reviews_sql()
        )).bind(today).fetch_all(pool).await?))
    }

    /// The actions of the scope's reviews counted by their assessment (red, amber, green,
    /// completed, signed off); `year` limits them to reviews opened that year.
    pub async fn action_rag_counts(&self, scope: &Scope, year: Option<i32>) -> Result<Vec<(String, i64)>, StoreError> {
        let base = format!("SELECT p.rag, COUNT(*) FROM plan_actions p JOIN reviews r ON r.id = p.review_id WHERE {}", scope.reviews_sql());
        Ok(match year {
            Some(y) => {
                let (from, to) = year_bounds(y)?;
                on_pool!(self, pool => sqlx::query_as(&format!("{base} AND r.created_at >= $1 AND r.created_at < $2 GROUP BY p.rag ORDER BY p.rag")).bind(from).bind(to).fetch_all(pool).await?)
            }
            None => on_pool!(self, pool => sqlx::query_as(&format!("{base} GROUP BY p.rag ORDER BY p.rag")).fetch_all(pool).await?),
        })
    }
}

/// The year a review was opened.
pub fn year_of(r: &LearningReview) -> i32 {
    r.created_at.year()
}
