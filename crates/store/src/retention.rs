//! Retention and destruction (001 §2.4.23-2.4.24): legal holds, what is due under the
//! rules of `casereview_core::retention`, and destruction, which empties the content rows,
//! leaves a tombstone in `destructions` and a certificate in the audit log (which itself is
//! never destroyed).

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::retention::{self, Due, Item, MarkedDraft, Publication, ReviewFacts, Rule};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A legal hold on a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LegalHold {
    pub id: i64,
    pub review_id: i64,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: DateTime<Utc>,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
}

fn refuse_unless_authorised(actor: &Actor) -> Result<(), StoreError> {
    if retention::may_authorise(actor.role) {
        Ok(())
    } else {
        Err(FieldErrors::single("authorised_by", format!("{} is not the board manager or the chair of the board", actor.email)).into())
    }
}

impl Store {
    /// Places a legal hold on a review (board manager or chair only); destruction stops.
    pub async fn place_legal_hold(&self, actor: &Actor, review_id: i64, reason: &str) -> Result<i64, StoreError> {
        refuse_unless_authorised(actor)?;
        let reason = retention::hold_reason(reason)?;
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO legal_holds (review_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(review_id).bind(&reason).bind(&actor.email).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "retention.legal_hold", format!("review:{review_id}"), serde_json::json!({"hold": id, "reason": reason}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Lifts an open legal hold of the review, saying why (board manager or chair only).
    pub async fn lift_legal_hold(&self, actor: &Actor, review_id: i64, hold_id: i64, reason: &str) -> Result<(), StoreError> {
        refuse_unless_authorised(actor)?;
        let reason = retention::hold_reason(reason)?;
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE legal_holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE id = $4 AND review_id = $5 AND lifted_at IS NULL")
                .bind(&actor.email).bind(at).bind(&reason).bind(hold_id).bind(review_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(FieldErrors::single("hold", "That hold is already lifted, or is not a legal hold of this review").into());
            }
            append_audit!(self, tx, actor, "retention.legal_hold_lift", format!("review:{review_id}"), serde_json::json!({"hold": hold_id, "reason": reason}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// The legal holds of a review, oldest first.
    pub async fn legal_holds(&self, review_id: i64) -> Result<Vec<LegalHold>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, review_id, reason, placed_by, placed_at, lifted_by, lifted_at, lift_reason FROM legal_holds WHERE review_id = $1 ORDER BY id").bind(review_id).fetch_all(pool).await?),
        )
    }

    /// What the retention rules need to know of one review.
    pub async fn retention_facts(&self, review_id: i64) -> Result<ReviewFacts, StoreError> {
        on_pool!(self, pool => {
            let (reference,): (String,) = sqlx::query_as("SELECT reference FROM reviews WHERE id = $1").bind(review_id).fetch_optional(pool).await?.ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))?;
            let concluded: Option<(DateTime<Utc>,)> = sqlx::query_as("SELECT at FROM transitions WHERE review_id = $1 AND to_state = 'concluded' ORDER BY id DESC LIMIT 1").bind(review_id).fetch_optional(pool).await?;
            let (holds,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM legal_holds WHERE review_id = $1 AND lifted_at IS NULL").bind(review_id).fetch_one(pool).await?;
            let (destroyed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM destructions WHERE review_id = $1 AND rule = $2").bind(review_id).bind(Rule::PapersAfterTenYears.as_str()).fetch_one(pool).await?;
            let drafts: Vec<(i64, String, i64, NaiveDate)> = sqlx::query_as("SELECT v.document_id, d.kind, v.version, v.destroy_marked_on FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.review_id = $1 AND v.destroy_marked_on IS NOT NULL AND v.destroyed_at IS NULL ORDER BY v.document_id, v.version").bind(review_id).fetch_all(pool).await?;
            let pubs: Vec<(String, NaiveDate)> = sqlx::query_as("SELECT kind, published_on FROM documents WHERE review_id = $1 AND published_on IS NOT NULL").bind(review_id).fetch_all(pool).await?;
            Ok(ReviewFacts {
                review_id,
                reference,
                concluded_on: concluded.map(|c| c.0.date_naive()),
                legal_hold: holds > 0,
                papers_destroyed: destroyed > 0,
                drafts: drafts.into_iter().map(|(document_id, document, version, marked_on)| MarkedDraft { document_id, document, version, marked_on }).collect(),
                publications: pubs.into_iter().map(|(document, published_on)| Publication { document, published_on }).collect(),
            })
        })
    }

    /// Everything due for destruction on `today`, in one partnership or (`None`, the
    /// command line only) in all.
    pub async fn retention_due(&self, partnership_id: Option<i64>, today: NaiveDate) -> Result<Vec<Due>, StoreError> {
        let ids: Vec<(i64,)> = on_pool!(self, pool => match partnership_id {
            Some(p) => sqlx::query_as("SELECT id FROM reviews WHERE partnership_id = $1 ORDER BY id").bind(p).fetch_all(pool).await?,
            None => sqlx::query_as("SELECT id FROM reviews ORDER BY id").fetch_all(pool).await?,
        });
        let mut out = Vec::new();
        for (id,) in ids {
            out.extend(retention::due(&self.retention_facts(id).await?, today));
        }
        Ok(out)
    }

    /// Carries out one due destruction, authorised by `actor` (board manager or chair of the
    /// review's partnership). The rules are asked again inside the transaction, so a legal
    /// hold placed since the list was made still stops it. Returns the certificate's details.
    pub async fn destroy(&self, actor: &Actor, due: &Due, today: NaiveDate) -> Result<serde_json::Value, StoreError> {
        refuse_unless_authorised(actor)?;
        let review_id = due.review_id;
        let facts = self.retention_facts(review_id).await?;
        let partnership = self.review_partnership(review_id).await?;
        if partnership != actor.partnership_id {
            return Err(FieldErrors::single(
                "authorised_by",
                format!("{} is not of the partnership of review {}", actor.email, due.reference),
            )
            .into());
        }
        let _w = self.writer().await;
        let at = now();
        let empty: Vec<u8> = Vec::new();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let (holds,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM (SELECT id FROM legal_holds WHERE review_id = $1 AND lifted_at IS NULL{lock}) h")).bind(review_id).fetch_one(&mut *tx).await?;
            if holds > 0 || !retention::due(&facts, today).contains(due) {
                return Err(FieldErrors::single("review", format!("{} of {} is not due for destruction (a legal hold, or destroyed already)", due.item.describe(), due.reference)).into());
            }
            let mut destroyed = serde_json::Map::new();
            let mut count = |what: &str, n: u64| {
                destroyed.insert(what.to_string(), serde_json::json!(n));
            };
            match &due.item {
                Item::DraftVersion { document_id, version, .. } => {
                    let n = sqlx::query("UPDATE document_versions SET sections = '{}', destroyed_at = $1 WHERE document_id = $2 AND version = $3 AND destroy_marked_on IS NOT NULL AND destroyed_at IS NULL AND document_id IN (SELECT id FROM documents WHERE review_id = $4)")
                        .bind(at).bind(document_id).bind(version).bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("document_versions", n);
                    let n = sqlx::query("UPDATE document_comments SET body = '' WHERE document_id = $1 AND version = $2").bind(document_id).bind(version).execute(&mut *tx).await?.rows_affected();
                    count("document_comments", n);
                }
                Item::ReviewPapers => {
                    const DOCS: &str = "SELECT id FROM documents WHERE review_id = $2";
                    let n = sqlx::query(&format!("UPDATE document_versions SET sections = '{{}}', destroyed_at = $1 WHERE document_id IN ({DOCS})")).bind(at).bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("document_versions", n);
                    let n = sqlx::query("UPDATE document_comments SET body = '' WHERE document_id IN (SELECT id FROM documents WHERE review_id = $1)").bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("document_comments", n);
                    let n = sqlx::query("UPDATE imrs SET sections = '{}' WHERE review_id = $1").bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("imrs", n);
                    let n = sqlx::query("DELETE FROM chronology_entries WHERE review_id = $1").bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("chronology_entries", n);
                    let n = sqlx::query("UPDATE chronology_uploads SET entries = '[]', problems = '[]' WHERE review_id = $1").bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("chronology_uploads", n);
                    let n = sqlx::query("UPDATE meeting_papers SET content = $1, size_bytes = 0 WHERE record_id IN (SELECT id FROM review_records WHERE review_id = $2)").bind(&empty).bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("meeting_papers", n);
                    let n = sqlx::query("UPDATE action_evidence SET content = $1, size_bytes = 0 WHERE update_id IN (SELECT u.id FROM action_updates u JOIN plan_actions a ON a.id = u.action_id WHERE a.review_id = $2)").bind(&empty).bind(review_id).execute(&mut *tx).await?.rows_affected();
                    count("action_evidence", n);
                }
            }
            let item = serde_json::to_string(&due.item)?;
            sqlx::query("INSERT INTO destructions (review_id, rule, item, due_since, destroyed_at, authorised_by) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(review_id).bind(due.rule.as_str()).bind(&item).bind(due.due_since).bind(at).bind(&actor.email).execute(&mut *tx).await?;
            let certificate = serde_json::json!({
                "certificate": "destruction",
                "review": due.reference,
                "what": due.item.describe(),
                "item": due.item,
                "rule": due.rule.as_str(),
                "rule_text": due.rule.title(),
                "due_since": due.due_since,
                "destroyed_at": at,
                "authorised_by": actor.email,
                "authorised_by_name": actor.name,
                "authorised_by_role": actor.role.as_str(),
                "destroyed": destroyed,
            });
            append_audit!(self, tx, actor, "retention.destroy", format!("review:{review_id}"), certificate.to_string());
            tx.commit().await?;
            Ok(certificate)
        })
    }

    async fn review_partnership(&self, review_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT partnership_id FROM reviews WHERE id = $1").bind(review_id).fetch_optional(pool).await?);
        row.map(|r| r.0).ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))
    }
}
