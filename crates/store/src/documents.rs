//! Documents of a review: each save is a new version (never overwritten), the current
//! status, the signature, and comments anchored to sections. The rules (which sections,
//! when a document may be written, what must hold before approval) are the domain's
//! (`casereview_core::documents`); the caller checks them and the store keeps the record.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::documents::{DocumentKind, DocumentStatus};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest text of one document version (all sections together).
pub const MAX_DOCUMENT_CHARS: usize = 2_000_000;

/// A document and its latest version.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRecord {
    pub id: i64,
    pub review_id: i64,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub version: i64,
    pub approved_version: Option<i64>,
    pub signed_by: String,
    pub signed_on: Option<NaiveDate>,
    pub sections: BTreeMap<String, String>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// One saved version.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentVersion {
    pub version: i64,
    pub sections: BTreeMap<String, String>,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
    /// Set when a later version was approved: this draft is to be destroyed (001 §2.4.24).
    pub destroy_marked_on: Option<NaiveDate>,
}

/// A rendering (PDF or DOCX) of a document, letter or form, made for someone.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentCopy {
    pub id: i64,
    pub review_id: i64,
    pub document_id: Option<i64>,
    /// What was rendered: a document kind, "letter-3", "referral_form".
    pub what: String,
    pub version: Option<i64>,
    pub format: String,
    /// Made before approval, so marked DRAFT: to be returned and destroyed once approved.
    pub draft: bool,
    pub made_for: String,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    pub destroyed_by: Option<String>,
    pub destroyed_at: Option<DateTime<Utc>>,
}

/// What a new copy is.
#[derive(Debug, Clone)]
pub struct NewCopy<'a> {
    pub review_id: i64,
    pub document_id: Option<i64>,
    pub what: &'a str,
    pub version: Option<i64>,
    pub format: &'a str,
    pub draft: bool,
    pub made_for: &'a str,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentComment {
    pub id: i64,
    pub version: i64,
    pub section: String,
    pub body: String,
    pub author: String,
    pub at: DateTime<Utc>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    sections: String,
    saved_by: String,
    saved_at: DateTime<Utc>,
    destroy_marked_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct DocRow {
    id: i64,
    review_id: i64,
    kind: String,
    status: String,
    version: i64,
    approved_version: Option<i64>,
    signed_by: String,
    signed_on: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
    updated_by: String,
    sections: String,
}

fn status_str(s: DocumentStatus) -> &'static str {
    match s {
        DocumentStatus::Draft => "draft",
        DocumentStatus::Circulated => "circulated",
        DocumentStatus::Approved => "approved",
        DocumentStatus::Published => "published",
    }
}

fn parse_status(s: &str) -> Result<DocumentStatus, StoreError> {
    Ok(match s {
        "draft" => DocumentStatus::Draft,
        "circulated" => DocumentStatus::Circulated,
        "approved" => DocumentStatus::Approved,
        "published" => DocumentStatus::Published,
        other => return Err(StoreError::Corrupt(format!("unknown document status '{other}'"))),
    })
}

impl DocRow {
    fn record(self) -> Result<DocumentRecord, StoreError> {
        Ok(DocumentRecord {
            id: self.id,
            review_id: self.review_id,
            kind: self.kind.parse().map_err(StoreError::Corrupt)?,
            status: parse_status(&self.status)?,
            version: self.version,
            approved_version: self.approved_version,
            signed_by: self.signed_by,
            signed_on: self.signed_on,
            sections: serde_json::from_str(&self.sections)?,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

const DOC_SELECT: &str = "SELECT d.id, d.review_id, d.kind, d.status, d.version, d.approved_version, d.signed_by, d.signed_on, d.updated_at, d.updated_by, v.sections \
     FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.version";

impl Store {
    pub async fn documents(&self, review_id: i64) -> Result<Vec<DocumentRecord>, StoreError> {
        let rows: Vec<DocRow> = on_pool!(self, pool => sqlx::query_as(&format!("{DOC_SELECT} WHERE d.review_id = $1 ORDER BY d.kind")).bind(review_id).fetch_all(pool).await?);
        rows.into_iter().map(DocRow::record).collect()
    }

    pub async fn document(&self, review_id: i64, kind: DocumentKind) -> Result<Option<DocumentRecord>, StoreError> {
        let row: Option<DocRow> = on_pool!(self, pool => sqlx::query_as(&format!("{DOC_SELECT} WHERE d.review_id = $1 AND d.kind = $2")).bind(review_id).bind(kind.as_str()).fetch_optional(pool).await?);
        row.map(DocRow::record).transpose()
    }

    /// Saves a new version of a document's sections (the first save creates it).
    /// `expected_version` is the version the editor opened (0 for a new document); a
    /// stale save is refused with the sections changed since. An approved document is
    /// frozen.
    pub async fn save_document(
        &self,
        actor: &Actor,
        review_id: i64,
        kind: DocumentKind,
        expected_version: i64,
        sections: &BTreeMap<String, String>,
    ) -> Result<DocumentRecord, StoreError> {
        let mut e = FieldErrors::new();
        let mut total = 0usize;
        for (k, v) in sections {
            if !kind.sections().iter().any(|(id, _, _)| id == k) {
                e.push(format!("sections.{k}"), format!("'{k}' is not a section of the {}", kind.title().to_lowercase()));
            }
            total += v.chars().count();
        }
        if total > MAX_DOCUMENT_CHARS {
            e.push("sections", format!("The document is {total} characters long; at most {MAX_DOCUMENT_CHARS} can be saved"));
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        let json = serde_json::to_string(sections)?;
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String, i64, String, DateTime<Utc>)> = sqlx::query_as(&format!("SELECT id, status, version, updated_by, updated_at FROM documents WHERE review_id = $1 AND kind = $2{lock}"))
                .bind(review_id).bind(kind.as_str()).fetch_optional(&mut *tx).await?;
            let (id, version) = match row {
                None if expected_version == 0 => {
                    let (id,): (i64,) = sqlx::query_as("INSERT INTO documents (review_id, kind, status, version, updated_at, updated_by) VALUES ($1, $2, 'draft', 1, $3, $4) RETURNING id")
                        .bind(review_id).bind(kind.as_str()).bind(at).bind(&actor.name).fetch_one(&mut *tx).await?;
                    (id, 1)
                }
                None => return Err(StoreError::NotFound(format!("{} of review {review_id}", kind.title()))),
                Some((id, status, current, by, when)) => {
                    if !parse_status(&status)?.is_draft() {
                        return Err(FieldErrors::single("sections", format!("The {} is {status}: its approved version is frozen", kind.title().to_lowercase())).into());
                    }
                    if current != expected_version {
                        let (old,): (String,) = sqlx::query_as("SELECT sections FROM document_versions WHERE document_id = $1 AND version = $2").bind(id).bind(current).fetch_one(&mut *tx).await?;
                        let old: BTreeMap<String, String> = serde_json::from_str(&old)?;
                        let (base,): (String,) = sqlx::query_as("SELECT sections FROM document_versions WHERE document_id = $1 AND version = $2").bind(id).bind(expected_version.max(1)).fetch_one(&mut *tx).await?;
                        let base: BTreeMap<String, String> = serde_json::from_str(&base)?;
                        let changed = kind.sections().iter().filter(|(s, _, _)| old.get(*s) != base.get(*s)).map(|(_, t, _)| t.to_string()).collect();
                        return Err(StoreError::Conflict { yours: expected_version, current, by, at: when.format("%d/%m/%Y %H:%M").to_string(), changed });
                    }
                    let version = current + 1;
                    sqlx::query("UPDATE documents SET version = $1, updated_at = $2, updated_by = $3 WHERE id = $4").bind(version).bind(at).bind(&actor.name).bind(id).execute(&mut *tx).await?;
                    (id, version)
                }
            };
            sqlx::query("INSERT INTO document_versions (document_id, version, sections, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)").bind(id).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "document.save", format!("review:{review_id}"), serde_json::json!({"document": kind.as_str(), "version": version}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.document(review_id, kind).await?.ok_or_else(|| StoreError::NotFound(kind.title().into()))
    }

    pub async fn document_versions(&self, document_id: i64) -> Result<Vec<DocumentVersion>, StoreError> {
        let rows: Vec<VersionRow> = on_pool!(self, pool => sqlx::query_as("SELECT version, sections, saved_by, saved_at, destroy_marked_on FROM document_versions WHERE document_id = $1 ORDER BY version").bind(document_id).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(DocumentVersion {
                    version: r.version,
                    sections: serde_json::from_str(&r.sections)?,
                    saved_by: r.saved_by,
                    saved_at: r.saved_at,
                    destroy_marked_on: r.destroy_marked_on,
                })
            })
            .collect()
    }

    /// Moves a document to a new status (the caller has checked the rules and the role).
    /// Approving freezes the current version, records who signed it and when, and marks the
    /// earlier drafts for destruction (001 §2.4.24). An approved document goes back to draft
    /// only for an amendment (the caller checks who may amend), with `note` saying why.
    pub async fn set_document_status(
        &self,
        actor: &Actor,
        document_id: i64,
        to: DocumentStatus,
        expected_version: i64,
        signed: Option<(&str, NaiveDate)>,
        note: &str,
    ) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String, i64)> = sqlx::query_as(&format!("SELECT review_id, status, version FROM documents WHERE id = $1{lock}")).bind(document_id).fetch_optional(&mut *tx).await?;
            let (review_id, status, version) = row.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            if version != expected_version {
                return Err(StoreError::Conflict { yours: expected_version, current: version, by: "someone".into(), at: String::new(), changed: vec!["a newer version was saved".into()] });
            }
            let from = parse_status(&status)?;
            let allowed = matches!(
                (from, to),
                (DocumentStatus::Draft, DocumentStatus::Circulated) | (DocumentStatus::Circulated, DocumentStatus::Draft) | (DocumentStatus::Draft | DocumentStatus::Circulated, DocumentStatus::Approved) | (DocumentStatus::Approved, DocumentStatus::Published) | (DocumentStatus::Approved, DocumentStatus::Draft)
            );
            if !allowed {
                return Err(FieldErrors::single("status", format!("A document that is {} cannot become {}", status_str(from), status_str(to))).into());
            }
            sqlx::query("UPDATE documents SET status = $1, updated_at = $2, updated_by = $3 WHERE id = $4").bind(status_str(to)).bind(at).bind(&actor.name).bind(document_id).execute(&mut *tx).await?;
            if to == DocumentStatus::Approved {
                // Earlier drafts are destroyed; an earlier approved version (before an
                // amendment) is a record the board keeps, so it is not marked.
                let (previous,): (Option<i64>,) = sqlx::query_as("SELECT approved_version FROM documents WHERE id = $1").bind(document_id).fetch_one(&mut *tx).await?;
                let (by, on) = signed.map(|(b, d)| (b.to_string(), Some(d))).unwrap_or_default();
                sqlx::query("UPDATE documents SET approved_version = $1, signed_by = $2, signed_on = $3 WHERE id = $4").bind(version).bind(&by).bind(on).bind(document_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE document_versions SET destroy_marked_on = $1 WHERE document_id = $2 AND version < $3 AND version <> $4 AND destroy_marked_on IS NULL").bind(at.date_naive()).bind(document_id).bind(version).bind(previous.unwrap_or(-1)).execute(&mut *tx).await?;
            }
            let mut details = serde_json::json!({"document": document_id, "from": status_str(from), "to": status_str(to), "version": version});
            if !note.trim().is_empty() {
                details["note"] = serde_json::Value::String(note.trim().to_string());
            }
            append_audit!(self, tx, actor, "document.status", format!("review:{review_id}"), details.to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn document_comments(&self, document_id: i64) -> Result<Vec<DocumentComment>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, version, section, body, author, at, resolved_by, resolved_at FROM document_comments WHERE document_id = $1 ORDER BY id").bind(document_id).fetch_all(pool).await?),
        )
    }

    /// A comment on one section of a version (the reader of a circulated draft).
    pub async fn add_document_comment(
        &self,
        actor: &Actor,
        document_id: i64,
        version: i64,
        section: &str,
        body: &str,
    ) -> Result<i64, StoreError> {
        if body.trim().is_empty() {
            return Err(FieldErrors::single("body", "Enter the comment").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id, kind): (i64, String) = sqlx::query_as("SELECT review_id, kind FROM documents WHERE id = $1").bind(document_id).fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            let kind: DocumentKind = kind.parse().map_err(StoreError::Corrupt)?;
            if !kind.sections().iter().any(|(id, _, _)| *id == section) {
                return Err(FieldErrors::single("section", format!("'{section}' is not a section of the {}", kind.title().to_lowercase())).into());
            }
            let (id,): (i64,) = sqlx::query_as("INSERT INTO document_comments (document_id, version, section, body, author, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(document_id).bind(version).bind(section).bind(body.trim()).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "document.comment", format!("review:{review_id}"), serde_json::json!({"document": document_id, "comment": id, "section": section}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn resolve_document_comment(&self, actor: &Actor, comment_id: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE document_comments SET resolved_by = $1, resolved_at = $2 WHERE id = $3 AND resolved_by IS NULL").bind(&actor.name).bind(at).bind(comment_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(FieldErrors::single("comment", "The comment is already resolved, or does not exist").into());
            }
            append_audit!(self, tx, actor, "document.comment_resolve", format!("comment:{comment_id}"), "{}".to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a rendering made for someone, with its audit event, in one transaction; the
    /// caller hands the file over only once this succeeded, so no copy goes unrecorded.
    pub async fn record_copy(&self, actor: &Actor, c: &NewCopy<'_>) -> Result<i64, StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO document_copies (review_id, document_id, what, version, format, draft, made_for, made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(c.review_id).bind(c.document_id).bind(c.what).bind(c.version).bind(c.format).bind(c.draft).bind(c.made_for).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "document.rendered", format!("review:{}", c.review_id), serde_json::json!({"copy": id, "what": c.what, "version": c.version, "format": c.format, "draft": c.draft, "made_for": c.made_for}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every copy made of the review's documents, letters and forms, newest first.
    pub async fn document_copies(&self, review_id: i64) -> Result<Vec<DocumentCopy>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, review_id, document_id, what, version, format, draft, made_for, made_by, made_at, destroyed_by, destroyed_at FROM document_copies WHERE review_id = $1 ORDER BY id DESC").bind(review_id).fetch_all(pool).await?),
        )
    }

    /// Records that a draft copy was returned and destroyed (001 §2.4.24).
    pub async fn record_copy_destroyed(&self, actor: &Actor, review_id: i64, copy_id: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE document_copies SET destroyed_by = $1, destroyed_at = $2 WHERE id = $3 AND review_id = $4 AND draft AND destroyed_at IS NULL").bind(&actor.name).bind(at).bind(copy_id).bind(review_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(FieldErrors::single("copy", "That copy is not a draft copy still to be destroyed").into());
            }
            append_audit!(self, tx, actor, "document.copy_destroyed", format!("review:{review_id}"), serde_json::json!({"copy": copy_id}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }
}
