//! What anonymisation before publication keeps (issue 6): the review's case register as
//! the overview author edited it (every save a version), the author's decision on each
//! finding of a document's version, the board chair's overrides with their reasons, and the
//! exact text a document was published with. The rules are the domain's
//! (`casereview_core::anonymise`, `casereview_core::publication`).

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::anonymise::{CaseFile, Category};
use casereview_core::publication::{Decided, Decision, Override};
use casereview_core::publishing::{self, Hold};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::Digest;
use std::collections::BTreeMap;

/// Longest case register accepted (as JSON).
pub const MAX_CASE_FILE_BYTES: usize = 1024 * 1024;

/// The saved case register of a review.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRegisterRecord {
    pub review_id: i64,
    pub version: i64,
    pub case_file: CaseFile,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

fn category_str(c: Category) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse_category(s: &str) -> Result<Category, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| StoreError::Corrupt(format!("unknown category '{s}'")))
}

type DecisionRow = (String, i64, i64, String, String, String);

impl Store {
    /// The latest saved register of the review, if the author saved one.
    pub async fn case_register(&self, review_id: i64) -> Result<Option<CaseRegisterRecord>, StoreError> {
        let row: Option<(i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as("SELECT version, case_file, saved_by, saved_at FROM case_registers WHERE review_id = $1 ORDER BY version DESC LIMIT 1").bind(review_id).fetch_optional(pool).await?);
        row.map(|(version, json, saved_by, saved_at)| {
            Ok(CaseRegisterRecord { review_id, version, case_file: serde_json::from_str(&json)?, saved_by, saved_at })
        })
        .transpose()
    }

    /// Saves a new version of the register (the caller has checked it builds a register);
    /// `expected_version` is the version the author opened (0 when none was saved).
    pub async fn save_case_register(
        &self,
        actor: &Actor,
        review_id: i64,
        expected_version: i64,
        case: &CaseFile,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(case)?;
        if json.len() > MAX_CASE_FILE_BYTES {
            return Err(FieldErrors::single(
                "case_file",
                format!("The register is {} bytes; at most {MAX_CASE_FILE_BYTES} can be saved", json.len()),
            )
            .into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (current,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM case_registers WHERE review_id = $1").bind(review_id).fetch_one(&mut *tx).await?;
            let current = current.unwrap_or(0);
            if current != expected_version {
                return Err(StoreError::Conflict { yours: expected_version, current, by: "someone".into(), at: String::new(), changed: vec!["the case register".into()] });
            }
            let version = current + 1;
            sqlx::query("INSERT INTO case_registers (review_id, version, case_file, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)").bind(review_id).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "anonymisation.register_save", format!("review:{review_id}"), serde_json::json!({"version": version, "people": case.people.len(), "places": case.places.len()}).to_string());
            tx.commit().await?;
            Ok(version)
        })
    }

    /// The decisions on findings in one version of a document, oldest first.
    pub async fn finding_decisions(&self, document_id: i64, version: i64) -> Result<Vec<Decided>, StoreError> {
        let rows: Vec<DecisionRow> = on_pool!(self, pool => sqlx::query_as("SELECT section, start_byte, end_byte, found, decision, replacement FROM finding_decisions WHERE document_id = $1 AND version = $2 ORDER BY id").bind(document_id).bind(version).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(section, start, end, text, decision, replacement)| {
                let decision = match decision.as_str() {
                    "accept" => Decision::Accept,
                    "reject" => Decision::Reject,
                    "edit" => Decision::Edit(replacement),
                    other => return Err(StoreError::Corrupt(format!("unknown decision '{other}'"))),
                };
                Ok(Decided { section, start: usize::try_from(start).unwrap_or(0), end: usize::try_from(end).unwrap_or(0), text, decision })
            })
            .collect()
    }

    /// Records the author's decision on a finding (the latest decision on a finding counts).
    pub async fn decide_finding(
        &self,
        actor: &Actor,
        document_id: i64,
        version: i64,
        d: &Decided,
        category: Category,
    ) -> Result<(), StoreError> {
        let (decision, replacement) = match &d.decision {
            Decision::Accept => ("accept", String::new()),
            Decision::Reject => ("reject", String::new()),
            Decision::Edit(words) => {
                if words.trim().is_empty() {
                    return Err(FieldErrors::single("replacement", "Enter the words to print instead").into());
                }
                ("edit", words.trim().to_string())
            }
        };
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id,): (i64,) = sqlx::query_as("SELECT review_id FROM documents WHERE id = $1").bind(document_id).fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            sqlx::query("INSERT INTO finding_decisions (document_id, version, section, start_byte, end_byte, found, category, decision, replacement, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(document_id).bind(version).bind(&d.section).bind(d.start as i64).bind(d.end as i64).bind(&d.text).bind(category_str(category)).bind(decision).bind(&replacement).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            // The words themselves are not logged: the audit log is not a place for names.
            append_audit!(self, tx, actor, "anonymisation.decide", format!("review:{review_id}"), serde_json::json!({"document": document_id, "version": version, "section": d.section, "start": d.start, "end": d.end, "category": category_str(category), "decision": decision}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// The board chair's overrides for a version.
    pub async fn finding_overrides(&self, document_id: i64, version: i64) -> Result<Vec<Override>, StoreError> {
        let rows: Vec<(String, String, String, String)> = on_pool!(self, pool => sqlx::query_as("SELECT section, found, category, reason FROM finding_overrides WHERE document_id = $1 AND version = $2 ORDER BY id").bind(document_id).bind(version).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(section, text, category, reason)| Ok(Override { section, text, category: parse_category(&category)?, reason }))
            .collect()
    }

    /// The board chair lets one unresolved finding through, with a reason (audited).
    pub async fn override_finding(&self, actor: &Actor, document_id: i64, version: i64, o: &Override) -> Result<(), StoreError> {
        if o.reason.trim().is_empty() {
            return Err(FieldErrors::single("reason", "Give the reason for publishing these words").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id,): (i64,) = sqlx::query_as("SELECT review_id FROM documents WHERE id = $1").bind(document_id).fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))?;
            sqlx::query("INSERT INTO finding_overrides (document_id, version, section, found, category, reason, overridden_by, overridden_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(document_id).bind(version).bind(&o.section).bind(&o.text).bind(category_str(o.category)).bind(o.reason.trim()).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "anonymisation.override", format!("review:{review_id}"), serde_json::json!({"document": document_id, "version": version, "section": o.section, "category": category_str(o.category), "reason": o.reason.trim()}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// Publishes an approved document with exactly this text (the gate has passed on it) on
    /// `today`: the text and its SHA-256 are kept with the document, in the same transaction
    /// as the status change and its audit event. Refused while a publication hold is open on
    /// the review, or unless a copy went to the national panel at least a week before
    /// (`casereview_core::publishing::check_publication`).
    pub async fn publish_document(
        &self,
        actor: &Actor,
        document_id: i64,
        expected_version: i64,
        published: &BTreeMap<String, String>,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        let json = serde_json::to_string(published)?;
        let sha = sha2::Sha256::digest(json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
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
            if status != "approved" {
                return Err(FieldErrors::single("status", format!("A document that is {status} cannot be published: it must be approved first")).into());
            }
            // Read in the transaction that publishes, so a hold placed meanwhile is seen.
            let (panel,): (Option<NaiveDate>,) = sqlx::query_as("SELECT national_panel_sent_on FROM documents WHERE id = $1").bind(document_id).fetch_one(&mut *tx).await?;
            let holds: Vec<(String, String, String, DateTime<Utc>)> = sqlx::query_as("SELECT kind, reason, placed_by, placed_at FROM publication_holds WHERE review_id = $1 AND lifted_at IS NULL ORDER BY id").bind(review_id).fetch_all(&mut *tx).await?;
            let holds = holds
                .into_iter()
                .map(|(kind, reason, placed_by, placed_at)| Ok(Hold { kind: kind.parse().map_err(StoreError::Corrupt)?, reason, placed_by, placed_on: placed_at.date_naive() }))
                .collect::<Result<Vec<_>, StoreError>>()?;
            // Live parallel proceedings hold publication too (casereview_core::proceedings).
            let procs: Vec<(String,)> = sqlx::query_as(crate::records::CURRENT_BODIES).bind(review_id).bind(<casereview_core::proceedings::Proceeding as crate::RecordBody>::KIND).fetch_all(&mut *tx).await?;
            let procs = procs.into_iter().map(|(b,)| serde_json::from_str(&b)).collect::<Result<Vec<casereview_core::proceedings::Proceeding>, _>>()?;
            let mut e = publishing::check_publication(today, panel, &holds).err().unwrap_or_default();
            for h in casereview_core::proceedings::publication_holds(&procs) {
                e.push("hold", h);
            }
            e.into_result(())?;
            sqlx::query("UPDATE documents SET status = 'published', published_sections = $1, published_sha256 = $2, published_on = $3, withdrawn_on = NULL, withdrawn_by = NULL, withdrawn_reason = NULL, updated_at = $4, updated_by = $5 WHERE id = $6").bind(&json).bind(&sha).bind(today).bind(at).bind(&actor.name).bind(document_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "document.status", format!("review:{review_id}"), serde_json::json!({"document": document_id, "from": "approved", "to": "published", "version": version, "sha256": sha, "published_on": today.to_string(), "national_panel_sent_on": panel.map(|d| d.to_string())}).to_string());
            tx.commit().await?;
            Ok(sha.clone())
        })
    }

    /// The exact text a document was published with, if it was.
    pub async fn published_sections(&self, document_id: i64) -> Result<Option<BTreeMap<String, String>>, StoreError> {
        let row: Option<(Option<String>,)> = on_pool!(self, pool => sqlx::query_as("SELECT published_sections FROM documents WHERE id = $1").bind(document_id).fetch_optional(pool).await?);
        match row {
            Some((Some(json),)) => Ok(Some(serde_json::from_str(&json)?)),
            _ => Ok(None),
        }
    }
}
