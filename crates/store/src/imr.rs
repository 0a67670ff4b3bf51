//! IMRs of a review, the practitioners involved, and overrides of the independence rules.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::imr::{self, ImrAction, ImrCaller, ImrStatus, Practitioner};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One agency's IMR.
#[derive(Debug, Clone, Serialize)]
pub struct ImrRecord {
    pub id: i64,
    pub review_id: i64,
    pub agency: String,
    pub status: ImrStatus,
    pub author_user_id: Option<i64>,
    pub author_name: String,
    pub requested_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Section id (see `casereview_core::imr::SECTIONS`) -> text.
    pub sections: BTreeMap<String, String>,
    pub signed_off_by: String,
    pub signed_off_on: Option<NaiveDate>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    review_id: i64,
    agency: String,
    status: String,
    author_user_id: Option<i64>,
    author_name: String,
    requested_on: NaiveDate,
    due_on: NaiveDate,
    sections: String,
    signed_off_by: String,
    signed_off_on: Option<NaiveDate>,
    version: i64,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

const COLS: &str = "id, review_id, agency, status, author_user_id, author_name, requested_on, due_on, sections, signed_off_by, signed_off_on, version, updated_at, updated_by";

impl Row {
    fn record(self) -> Result<ImrRecord, StoreError> {
        Ok(ImrRecord {
            id: self.id,
            review_id: self.review_id,
            agency: self.agency,
            status: self.status.parse().map_err(StoreError::Corrupt)?,
            author_user_id: self.author_user_id,
            author_name: self.author_name,
            requested_on: self.requested_on,
            due_on: self.due_on,
            sections: serde_json::from_str(&self.sections)?,
            signed_off_by: self.signed_off_by,
            signed_off_on: self.signed_off_on,
            version: self.version,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

/// What an IMR step changes besides the status.
#[derive(Debug, Clone, Default)]
pub struct ImrChange {
    /// For `AppointAuthor`: the author's account (if they have one) and name.
    pub author: Option<(Option<i64>, String)>,
    /// The date the step happened (sign-off date).
    pub on: Option<NaiveDate>,
}

impl Store {
    pub async fn imrs(&self, review_id: i64) -> Result<Vec<ImrRecord>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {COLS} FROM imrs WHERE review_id = $1 ORDER BY agency")).bind(review_id).fetch_all(pool).await?);
        rows.into_iter().map(Row::record).collect()
    }

    pub async fn imr(&self, id: i64) -> Result<ImrRecord, StoreError> {
        let row: Option<Row> =
            on_pool!(self, pool => sqlx::query_as(&format!("SELECT {COLS} FROM imrs WHERE id = $1")).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("IMR {id}")))?.record()
    }

    /// Requests an IMR from each agency that has none yet on this review. Returns how
    /// many were requested.
    pub async fn commission_imrs(
        &self,
        actor: &Actor,
        review_id: i64,
        agencies: &[String],
        requested_on: NaiveDate,
        due_on: NaiveDate,
    ) -> Result<usize, StoreError> {
        if due_on < requested_on {
            return Err(FieldErrors::single("due_on", "The due date must be on or after the date of the request").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut n = 0;
            for agency in agencies {
                let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM imrs WHERE review_id = $1 AND agency = $2").bind(review_id).bind(agency).fetch_optional(&mut *tx).await?;
                if exists.is_some() {
                    continue;
                }
                sqlx::query("INSERT INTO imrs (review_id, agency, status, requested_on, due_on, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(review_id).bind(agency).bind(ImrStatus::Requested.as_str()).bind(requested_on).bind(due_on).bind(at).bind(&actor.name)
                    .execute(&mut *tx).await?;
                append_audit!(self, tx, actor, "imr.request", format!("review:{review_id}"), serde_json::json!({"agency": agency, "due_on": due_on}).to_string());
                n += 1;
            }
            tx.commit().await?;
            Ok(n)
        })
    }

    /// Takes a step of one IMR's life, checked by the domain inside the transaction.
    pub async fn imr_step(
        &self,
        actor: &Actor,
        imr_id: i64,
        action: ImrAction,
        caller: ImrCaller,
        change: &ImrChange,
        expected_version: Option<i64>,
    ) -> Result<ImrRecord, StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLS} FROM imrs WHERE id = $1{lock}")).bind(imr_id).fetch_optional(&mut *tx).await?;
            let r = row.ok_or_else(|| StoreError::NotFound(format!("IMR {imr_id}")))?.record()?;
            if let Some(v) = expected_version {
                if v != r.version {
                    return Err(StoreError::Conflict { yours: v, current: r.version, by: r.updated_by, at: r.updated_at.format("%d/%m/%Y %H:%M").to_string(), changed: vec![format!("the IMR is now '{}'", r.status.title())] });
                }
            }
            let to = imr::apply(r.status, action, caller).map_err(|m| FieldErrors::single("action", m))?;
            let (author_id, author_name) = match (&change.author, action) {
                (Some((id, name)), ImrAction::AppointAuthor) => (*id, name.clone()),
                (None, ImrAction::AppointAuthor) => return Err(FieldErrors::single("author", "Choose the author").into()),
                _ => (r.author_user_id, r.author_name.clone()),
            };
            let (signed_by, signed_on) = if action == ImrAction::SignOff { (actor.name.clone(), change.on.or(Some(at.date_naive()))) } else { (r.signed_off_by.clone(), r.signed_off_on) };
            sqlx::query("UPDATE imrs SET status = $1, author_user_id = $2, author_name = $3, signed_off_by = $4, signed_off_on = $5, version = version + 1, updated_at = $6, updated_by = $7 WHERE id = $8")
                .bind(to.as_str()).bind(author_id).bind(&author_name).bind(&signed_by).bind(signed_on).bind(at).bind(&actor.name).bind(imr_id)
                .execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "imr.step", format!("review:{}", r.review_id), serde_json::json!({"imr": imr_id, "agency": r.agency, "from": r.status.as_str(), "to": to.as_str(), "author": author_name}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.imr(imr_id).await
    }

    /// Saves the report's sections (optimistic concurrency on the IMR's version).
    pub async fn save_imr_sections(
        &self,
        actor: &Actor,
        imr_id: i64,
        expected_version: i64,
        sections: &BTreeMap<String, String>,
    ) -> Result<ImrRecord, StoreError> {
        let mut e = FieldErrors::new();
        for (k, v) in sections {
            if !imr::SECTIONS.iter().any(|(id, _, _)| id == k) {
                e.push(format!("sections.{k}"), format!("'{k}' is not a section of the IMR report"));
            } else if v.chars().count() > 200_000 {
                e.push(format!("sections.{k}"), "The section is too long (200,000 characters at most)");
            }
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
            let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLS} FROM imrs WHERE id = $1{lock}")).bind(imr_id).fetch_optional(&mut *tx).await?;
            let r = row.ok_or_else(|| StoreError::NotFound(format!("IMR {imr_id}")))?.record()?;
            if r.version != expected_version {
                let changed: Vec<String> = imr::SECTIONS.iter().filter(|(id, _, _)| r.sections.get(*id) != sections.get(*id)).map(|(_, t, _)| t.to_string()).collect();
                return Err(StoreError::Conflict { yours: expected_version, current: r.version, by: r.updated_by, at: r.updated_at.format("%d/%m/%Y %H:%M").to_string(), changed });
            }
            if matches!(r.status, ImrStatus::Submitted | ImrStatus::SignedOff) {
                return Err(FieldErrors::single("sections", format!("The IMR is {}: it can no longer be edited", r.status.title().to_lowercase())).into());
            }
            sqlx::query("UPDATE imrs SET sections = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $4").bind(&json).bind(at).bind(&actor.name).bind(imr_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "imr.save", format!("review:{}", r.review_id), serde_json::json!({"imr": imr_id, "agency": r.agency, "version": r.version + 1}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.imr(imr_id).await
    }

    pub async fn practitioners(&self, review_id: i64) -> Result<Vec<Practitioner>, StoreError> {
        let rows: Vec<(String, String, String, String)> = on_pool!(self, pool => sqlx::query_as("SELECT name, agency, role, line_manager FROM review_practitioners WHERE review_id = $1 ORDER BY agency, name").bind(review_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(name, agency, role, line_manager)| Practitioner { name, agency, role, line_manager }).collect())
    }

    /// Records a practitioner involved with the child or family.
    pub async fn add_practitioner(&self, actor: &Actor, review_id: i64, p: &Practitioner) -> Result<(), StoreError> {
        let mut e = FieldErrors::new();
        for (field, v) in [("name", &p.name), ("agency", &p.agency), ("role", &p.role)] {
            if v.trim().is_empty() {
                e.push(field, format!("Enter the practitioner's {field}"));
            }
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO review_practitioners (review_id, name, agency, role, line_manager) VALUES ($1, $2, $3, $4, $5)")
                .bind(review_id).bind(p.name.trim()).bind(p.agency.trim()).bind(p.role.trim()).bind(p.line_manager.trim()).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "review.practitioner_add", format!("review:{review_id}"), serde_json::json!({"name": p.name, "agency": p.agency, "role": p.role}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records that the board chair overrode an independence rule, with the reason.
    pub async fn record_independence_override(
        &self,
        actor: &Actor,
        review_id: i64,
        appointment: &str,
        candidate: &str,
        problems: &[String],
        reason: &str,
    ) -> Result<(), StoreError> {
        if reason.trim().is_empty() {
            return Err(FieldErrors::single("override_reason", "Give the reason for overriding the independence rule").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO independence_overrides (review_id, appointment, candidate, problems, reason, overridden_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(review_id).bind(appointment).bind(candidate).bind(serde_json::to_string(problems)?).bind(reason.trim()).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "independence.override", format!("review:{review_id}"), serde_json::json!({"appointment": appointment, "candidate": candidate, "problems": problems, "reason": reason.trim()}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }
}
