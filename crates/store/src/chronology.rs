//! A review's agency chronologies: uploads waiting for confirmation, the entries that make
//! up the integrated chronology, and the overview author's resolutions of discrepancies.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::chronology::entry::ChronologyEntry;
use casereview_core::chronology::import::ImportProblem;
use casereview_core::FieldErrors;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An uploaded file and what its import found.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub id: i64,
    pub review_id: i64,
    pub file_name: String,
    pub agency: String,
    /// `pending`, `saved` (all rows), `saved_valid_only` or `discarded`.
    pub status: String,
    pub entries: Vec<ChronologyEntry>,
    pub problems: Vec<ImportProblem>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UploadRow {
    id: i64,
    review_id: i64,
    file_name: String,
    agency: String,
    status: String,
    entries: String,
    problems: String,
    uploaded_by: String,
    uploaded_at: DateTime<Utc>,
}

impl UploadRow {
    fn upload(self) -> Result<Upload, StoreError> {
        Ok(Upload {
            id: self.id,
            review_id: self.review_id,
            file_name: self.file_name,
            agency: self.agency,
            status: self.status,
            entries: serde_json::from_str(&self.entries)?,
            problems: serde_json::from_str(&self.problems)?,
            uploaded_by: self.uploaded_by,
            uploaded_at: self.uploaded_at,
        })
    }
}

/// The overview author's resolution of one discrepancy.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Resolution {
    pub discrepancy_id: String,
    /// Which account stands (a source, e.g. "police.xlsx, sheet 1, row 4"), or "note".
    pub resolution: String,
    pub note: String,
    pub resolved_by: String,
    pub resolved_at: DateTime<Utc>,
}

const UPLOAD_COLS: &str = "id, review_id, file_name, agency, status, entries, problems, uploaded_by, uploaded_at";

impl Store {
    /// Keeps an import for the uploader to confirm; nothing joins the chronology yet.
    pub async fn add_chronology_upload(
        &self,
        actor: &Actor,
        review_id: i64,
        file_name: &str,
        agency: &str,
        entries: &[ChronologyEntry],
        problems: &[ImportProblem],
    ) -> Result<i64, StoreError> {
        let (e, p) = (serde_json::to_string(entries)?, serde_json::to_string(problems)?);
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO chronology_uploads (review_id, file_name, agency, status, entries, problems, uploaded_by, uploaded_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7) RETURNING id")
                .bind(review_id).bind(file_name).bind(agency).bind(&e).bind(&p).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "chronology.upload", format!("review:{review_id}"), serde_json::json!({"upload": id, "file": file_name, "agency": agency, "entries": entries.len(), "problems": problems.len()}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn chronology_upload(&self, id: i64) -> Result<Upload, StoreError> {
        let row: Option<UploadRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {UPLOAD_COLS} FROM chronology_uploads WHERE id = $1")).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("upload {id}")))?.upload()
    }

    pub async fn chronology_uploads(&self, review_id: i64) -> Result<Vec<Upload>, StoreError> {
        let rows: Vec<UploadRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {UPLOAD_COLS} FROM chronology_uploads WHERE review_id = $1 ORDER BY id DESC")).bind(review_id).fetch_all(pool).await?);
        rows.into_iter().map(UploadRow::upload).collect()
    }

    /// Confirms a pending upload: all its entries join the chronology in one transaction,
    /// or, when `valid_only`, the valid ones even though some rows had errors. An upload
    /// with errors is refused unless `valid_only`; a failed confirmation changes nothing.
    pub async fn confirm_chronology_upload(&self, actor: &Actor, upload_id: i64, valid_only: bool) -> Result<usize, StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<UploadRow> = sqlx::query_as(&format!("SELECT {UPLOAD_COLS} FROM chronology_uploads WHERE id = $1{lock}")).bind(upload_id).fetch_optional(&mut *tx).await?;
            let u = row.ok_or_else(|| StoreError::NotFound(format!("upload {upload_id}")))?.upload()?;
            if u.status != "pending" {
                return Err(FieldErrors::single("upload", format!("This upload is already {}", u.status.replace('_', " "))).into());
            }
            let errors = u.problems.iter().filter(|p| p.severity == casereview_core::chronology::import::Severity::Error).count();
            if errors > 0 && !valid_only {
                return Err(FieldErrors::single("upload", format!("The file has {errors} rows with errors: correct the file and upload it again, or choose to save only the valid rows")).into());
            }
            for e in &u.entries {
                sqlx::query("INSERT INTO chronology_entries (review_id, upload_id, agency, entry) VALUES ($1, $2, $3, $4)").bind(u.review_id).bind(upload_id).bind(&e.agency).bind(serde_json::to_string(e)?).execute(&mut *tx).await?;
            }
            let status = if errors > 0 { "saved_valid_only" } else { "saved" };
            sqlx::query("UPDATE chronology_uploads SET status = $1 WHERE id = $2").bind(status).bind(upload_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "chronology.save", format!("review:{}", u.review_id), serde_json::json!({"upload": upload_id, "entries": u.entries.len(), "rows_with_errors_left_out": errors}).to_string());
            tx.commit().await?;
            Ok(u.entries.len())
        })
    }

    pub async fn discard_chronology_upload(&self, actor: &Actor, upload_id: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE chronology_uploads SET status = 'discarded' WHERE id = $1 AND status = 'pending'").bind(upload_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(FieldErrors::single("upload", "Only a pending upload can be discarded").into());
            }
            let (rid,): (i64,) = sqlx::query_as("SELECT review_id FROM chronology_uploads WHERE id = $1").bind(upload_id).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "chronology.discard", format!("review:{rid}"), serde_json::json!({"upload": upload_id}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// The review's saved entries (optionally one agency's), in no particular order.
    pub async fn chronology_entries(&self, review_id: i64, agency: Option<&str>) -> Result<Vec<ChronologyEntry>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => match agency {
            Some(a) => sqlx::query_as("SELECT entry FROM chronology_entries WHERE review_id = $1 AND agency = $2").bind(review_id).bind(a).fetch_all(pool).await?,
            None => sqlx::query_as("SELECT entry FROM chronology_entries WHERE review_id = $1").bind(review_id).fetch_all(pool).await?,
        });
        rows.into_iter().map(|(e,)| Ok(serde_json::from_str(&e)?)).collect()
    }

    pub async fn resolutions(&self, review_id: i64) -> Result<Vec<Resolution>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT discrepancy_id, resolution, note, resolved_by, resolved_at FROM discrepancy_resolutions WHERE review_id = $1 ORDER BY id").bind(review_id).fetch_all(pool).await?),
        )
    }

    /// Records how a discrepancy is resolved (a later resolution supersedes, the history stays).
    pub async fn resolve_discrepancy(
        &self,
        actor: &Actor,
        review_id: i64,
        discrepancy_id: &str,
        resolution: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        if resolution.trim().is_empty() {
            return Err(FieldErrors::single("resolution", "Choose which account stands, or that a note explains it").into());
        }
        if resolution == "note" && note.trim().is_empty() {
            return Err(FieldErrors::single("note", "Enter the note that resolves the discrepancy").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO discrepancy_resolutions (review_id, discrepancy_id, resolution, note, resolved_by, resolved_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(review_id).bind(discrepancy_id).bind(resolution.trim()).bind(note.trim()).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "chronology.resolve", format!("review:{review_id}"), serde_json::json!({"discrepancy": discrepancy_id, "resolution": resolution.trim()}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }
}
