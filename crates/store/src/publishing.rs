//! Publication of reports and summaries (issue 7 item 4): publication holds while criminal
//! proceedings or an inquest are open, the date a copy went to the national panel, the
//! publication date, removal after 12 months, and the public list of what is published.
//! The rules are the domain's (`casereview_core::publishing`); each write checks them inside
//! its transaction and appends its audit event there.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::documents::DocumentKind;
use casereview_core::publishing::{self, Hold, HoldKind};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Published documents per page of the public list.
pub const PUBLISHED_PER_PAGE: i64 = 20;
/// Words of a public search that count (the rest are ignored, so a pasted paragraph
/// cannot make an expensive query).
pub const MAX_SEARCH_WORDS: usize = 8;
/// Characters of one search word that count.
pub const MAX_SEARCH_WORD_CHARS: usize = 100;

/// A publication hold on a review, open or lifted.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationHold {
    pub id: i64,
    pub review_id: i64,
    pub kind: HoldKind,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: DateTime<Utc>,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
}

impl PublicationHold {
    pub fn is_open(&self) -> bool {
        self.lifted_at.is_none()
    }

    /// The hold as the rules see it.
    pub fn rule(&self) -> Hold {
        Hold { kind: self.kind, reason: self.reason.clone(), placed_by: self.placed_by.clone(), placed_on: self.placed_at.date_naive() }
    }
}

type HoldRow = (i64, i64, String, String, String, DateTime<Utc>, Option<String>, Option<DateTime<Utc>>, Option<String>);

fn hold_of(r: HoldRow) -> Result<PublicationHold, StoreError> {
    let (id, review_id, kind, reason, placed_by, placed_at, lifted_by, lifted_at, lift_reason) = r;
    Ok(PublicationHold {
        id,
        review_id,
        kind: kind.parse().map_err(StoreError::Corrupt)?,
        reason,
        placed_by,
        placed_at,
        lifted_by,
        lifted_at,
        lift_reason,
    })
}

const HOLD_SELECT: &str =
    "SELECT id, review_id, kind, reason, placed_by, placed_at, lifted_by, lifted_at, lift_reason FROM publication_holds";

/// What is recorded about a document's publication.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct PublicationRecord {
    pub national_panel_sent_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_reason: Option<String>,
}

impl PublicationRecord {
    /// The first day the publication may be removed (it stays available 12 months).
    pub fn available_until(&self) -> Option<NaiveDate> {
        self.published_on.map(publishing::earliest_removal)
    }
}

/// One line of the public list: no names, only the review's public reference.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedItem {
    pub document_id: i64,
    pub kind: DocumentKind,
    pub title: &'static str,
    pub reference: String,
    pub partnership: String,
    #[serde(skip)]
    pub partnership_id: i64,
    pub published_on: Option<NaiveDate>,
    /// Available at least until this date (12 months after publication).
    pub available_until: Option<NaiveDate>,
}

/// A page of the public list.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedPage {
    pub items: Vec<PublishedItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// A published document as the public reads it: exactly the text that passed the gate.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedDocument {
    #[serde(flatten)]
    pub item: PublishedItem,
    pub sections: BTreeMap<String, String>,
    pub sha256: String,
}

#[derive(sqlx::FromRow)]
struct PublishedRow {
    id: i64,
    kind: String,
    reference: String,
    partnership: String,
    partnership_id: i64,
    published_on: Option<NaiveDate>,
}

impl PublishedRow {
    fn item(self) -> Result<PublishedItem, StoreError> {
        let kind: DocumentKind = self.kind.parse().map_err(StoreError::Corrupt)?;
        Ok(PublishedItem {
            document_id: self.id,
            kind,
            title: kind.title(),
            reference: self.reference,
            partnership: self.partnership,
            partnership_id: self.partnership_id,
            published_on: self.published_on,
            available_until: self.published_on.map(publishing::earliest_removal),
        })
    }
}

/// Only documents that passed the publication gate (their published text and its hash
/// kept) and are published now.
const PUBLIC_FROM: &str = "FROM documents d JOIN reviews r ON r.id = d.review_id JOIN partnerships p ON p.id = r.partnership_id \
     WHERE d.status = 'published' AND d.published_sha256 IS NOT NULL AND d.published_sections IS NOT NULL";

/// The words of a search as LIKE patterns over the stored JSON text: each word as JSON
/// writes it (so a quote or backslash matches what is stored), LIKE's own characters
/// escaped, lower-cased as `LOWER` does on both backends (ASCII).
fn like_patterns(q: &str) -> Vec<(String, String)> {
    q.split_whitespace()
        .take(MAX_SEARCH_WORDS)
        .map(|w| {
            let w: String = w.chars().take(MAX_SEARCH_WORD_CHARS).collect::<String>().to_ascii_lowercase();
            let json = serde_json::to_string(&w).unwrap_or_default();
            let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_string();
            let escape = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            (w, format!("%{}%", escape(&json)))
        })
        .collect()
}

impl Store {
    /// Every publication hold of a review, oldest first.
    pub async fn publication_holds(&self, review_id: i64) -> Result<Vec<PublicationHold>, StoreError> {
        let rows: Vec<HoldRow> = on_pool!(self, pool => sqlx::query_as(&format!("{HOLD_SELECT} WHERE review_id = $1 ORDER BY id")).bind(review_id).fetch_all(pool).await?);
        rows.into_iter().map(hold_of).collect()
    }

    /// Whether any hold is open on the review: one placed by hand, or a live parallel
    /// proceeding that holds publication (casereview_core::proceedings).
    pub async fn publication_on_hold(&self, review_id: i64) -> Result<bool, StoreError> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM publication_holds WHERE review_id = $1 AND lifted_at IS NULL").bind(review_id).fetch_one(pool).await?);
        Ok(n > 0 || !self.proceeding_holds(review_id).await?.is_empty())
    }

    /// Why live parallel proceedings hold publication, one sentence each (field `hold`).
    pub async fn proceeding_holds(&self, review_id: i64) -> Result<Vec<String>, StoreError> {
        let procs: Vec<casereview_core::proceedings::Proceeding> =
            self.records(review_id).await?.into_iter().map(|r: crate::Record<_>| r.body).collect();
        Ok(casereview_core::proceedings::publication_holds(&procs))
    }

    /// Places a hold (the caller has checked the role and validated the input).
    pub async fn place_publication_hold(&self, actor: &Actor, review_id: i64, kind: HoldKind, reason: &str) -> Result<i64, StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO publication_holds (review_id, kind, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(review_id).bind(kind.as_str()).bind(reason).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "publication.hold", format!("review:{review_id}"), serde_json::json!({"hold": id, "kind": kind.as_str(), "reason": reason}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Lifts an open hold of the review, saying why.
    pub async fn lift_publication_hold(&self, actor: &Actor, review_id: i64, hold_id: i64, reason: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE publication_holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE id = $4 AND review_id = $5 AND lifted_at IS NULL")
                .bind(&actor.name).bind(at).bind(reason).bind(hold_id).bind(review_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(FieldErrors::single("hold", "That hold is already lifted, or is not a hold of this review").into());
            }
            append_audit!(self, tx, actor, "publication.hold_lift", format!("review:{review_id}"), serde_json::json!({"hold": hold_id, "reason": reason}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// What is recorded about a document's publication.
    pub async fn publication_record(&self, document_id: i64) -> Result<PublicationRecord, StoreError> {
        let row: Option<PublicationRecord> = on_pool!(self, pool => sqlx::query_as("SELECT national_panel_sent_on, published_on, withdrawn_on, withdrawn_by, withdrawn_reason FROM documents WHERE id = $1").bind(document_id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))
    }

    /// Records the date a copy of an approved document went to the national panel.
    pub async fn record_national_panel_date(
        &self,
        actor: &Actor,
        document_id: i64,
        sent_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        publishing::check_national_panel_date(sent_on, today)?;
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String, String)> = sqlx::query_as(&format!("SELECT review_id, kind, status FROM documents WHERE id = $1{lock}")).bind(document_id).fetch_optional(&mut *tx).await?;
            let (review_id, kind, status) = row.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            let kind: DocumentKind = kind.parse().map_err(StoreError::Corrupt)?;
            if !kind.publishable() {
                return Err(FieldErrors::single("national_panel_sent_on", format!("The {} is not published", kind.title().to_lowercase())).into());
            }
            if status != "approved" {
                return Err(FieldErrors::single(
                    "national_panel_sent_on",
                    format!("The copy for the national panel is of the approved {}: it is {status} now", kind.title().to_lowercase()),
                )
                .into());
            }
            sqlx::query("UPDATE documents SET national_panel_sent_on = $1 WHERE id = $2").bind(sent_on).bind(document_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "publication.national_panel", format!("review:{review_id}"), serde_json::json!({"document": document_id, "sent_on": sent_on.to_string()}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a publication from the public list (not before 12 months), with the reason;
    /// the document goes back to approved, its published text kept as the record.
    pub async fn withdraw_publication(&self, actor: &Actor, document_id: i64, reason: &str, today: NaiveDate) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String, Option<NaiveDate>)> = sqlx::query_as(&format!("SELECT review_id, status, published_on FROM documents WHERE id = $1{lock}")).bind(document_id).fetch_optional(&mut *tx).await?;
            let (review_id, status, published_on) = row.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            if status != "published" {
                return Err(FieldErrors::single("withdraw", format!("The document is {status}, not published")).into());
            }
            // Published before the date was kept: counted from today, so it stays 12 months more.
            let reason = publishing::check_removal(published_on.unwrap_or(today), today, reason)?;
            sqlx::query("UPDATE documents SET status = 'approved', withdrawn_on = $1, withdrawn_by = $2, withdrawn_reason = $3 WHERE id = $4")
                .bind(today).bind(&actor.name).bind(&reason).bind(document_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "publication.withdraw", format!("review:{review_id}"), serde_json::json!({"document": document_id, "published_on": published_on.map(|d| d.to_string()), "reason": reason}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// The public list: published documents whose reference, title or published text holds
    /// every word of `q` (case-insensitive; any characters are taken literally), newest
    /// first, one page of [`PUBLISHED_PER_PAGE`].
    pub async fn published_documents(&self, q: &str, page: i64) -> Result<PublishedPage, StoreError> {
        let words = like_patterns(q);
        let mut sql = String::new();
        let mut binds: Vec<String> = Vec::new();
        for (word, pattern) in &words {
            binds.push(pattern.clone());
            let n = binds.len();
            // The title is the document kind's, matched here rather than in SQL.
            let kinds: Vec<String> = DocumentKind::ALL
                .iter()
                .filter(|k| k.publishable() && k.title().to_lowercase().contains(word.as_str()))
                .map(|k| format!("'{}'", k.as_str()))
                .collect();
            let by_kind = if kinds.is_empty() { String::new() } else { format!(" OR d.kind IN ({})", kinds.join(", ")) };
            sql.push_str(&format!(
                " AND (LOWER(r.reference) LIKE ${n} ESCAPE '\\' OR LOWER(d.published_sections) LIKE ${n} ESCAPE '\\'{by_kind})"
            ));
        }
        let count_sql = format!("SELECT COUNT(*) {PUBLIC_FROM}{sql}");
        let total: i64 = on_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, (i64,)>(&count_sql);
            for b in &binds {
                query = query.bind(b);
            }
            query.fetch_one(pool).await?.0
        });
        let pages = ((total + PUBLISHED_PER_PAGE - 1) / PUBLISHED_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let list_sql = format!(
            "SELECT d.id, d.kind, r.reference, p.name AS partnership, p.id AS partnership_id, d.published_on {PUBLIC_FROM}{sql} ORDER BY d.published_on DESC, d.id DESC LIMIT {PUBLISHED_PER_PAGE} OFFSET {}",
            (page - 1) * PUBLISHED_PER_PAGE
        );
        let rows: Vec<PublishedRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, PublishedRow>(&list_sql);
            for b in &binds {
                query = query.bind(b);
            }
            query.fetch_all(pool).await?
        });
        Ok(PublishedPage { items: rows.into_iter().map(PublishedRow::item).collect::<Result<_, _>>()?, total, page, pages })
    }

    /// One published document for the public, or `None` when it is not published (never
    /// published, withdrawn, or not through the gate).
    pub async fn published_document(&self, document_id: i64) -> Result<Option<PublishedDocument>, StoreError> {
        let sql = format!(
            "SELECT d.id, d.kind, r.reference, p.name AS partnership, p.id AS partnership_id, d.published_on, d.published_sections, d.published_sha256 {PUBLIC_FROM} AND d.id = $1"
        );
        type Row = (i64, String, String, String, i64, Option<NaiveDate>, String, String);
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(&sql).bind(document_id).fetch_optional(pool).await?);
        let Some((id, kind, reference, partnership, partnership_id, published_on, sections, sha256)) = row else { return Ok(None) };
        let item = PublishedRow { id, kind, reference, partnership, partnership_id, published_on }.item()?;
        Ok(Some(PublishedDocument { item, sections: serde_json::from_str(&sections)?, sha256 }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_literal_like_patterns() {
        let p = like_patterns(r#"100% "a_b" back\slash O'Neil"#);
        let pats: Vec<&str> = p.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(pats, vec!["%100\\%%", "%\\\\\"a\\_b\\\\\"%", "%back\\\\\\\\slash%", "%o'neil%"]);
        assert_eq!(like_patterns(&"w ".repeat(50)).len(), MAX_SEARCH_WORDS);
        assert!(like_patterns("   ").is_empty());
    }
}
