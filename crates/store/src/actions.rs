//! Recommendations of a review and its action plan (001 §2.4.10-2.4.36, §2.5; 002
//! "Agreeing Improvement Action"): draft and adopted recommendations with their parts,
//! the IMRs' recommendations carried in (App. VII), actions per part, the agency head's
//! sign-up, progress updates with evidence (history, never overwritten), and sign-off.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::imr::ImrStatus;
use casereview_core::recommendations::{self as rec, PlanAction, Rag, Recommendation, RecommendationPart, RecommendationStatus, Source};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One part of a recommendation as stored.
#[derive(Debug, Clone, Serialize)]
pub struct PartRecord {
    pub id: i64,
    pub recommendation_id: i64,
    pub letter: String,
    /// As shown: "1" for a single-part recommendation, "1a", "1b"... otherwise.
    pub label: String,
    pub task: String,
    pub agency_id: Option<i64>,
    pub agency: String,
    pub addressee_name: String,
    pub addressee_position: String,
    pub measure: String,
    pub due_on: Option<NaiveDate>,
}

/// A recommendation of a review's overview report (or carried from an IMR).
#[derive(Debug, Clone, Serialize)]
pub struct ReportRecommendation {
    pub id: i64,
    pub review_id: i64,
    pub number: i64,
    pub source: Source,
    pub source_agency: Option<String>,
    pub text: String,
    pub status: RecommendationStatus,
    pub adopted_by: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub parts: Vec<PartRecord>,
}

impl ReportRecommendation {
    /// The recommendation in the domain's terms (for the SMART check and adoption rule).
    pub fn as_domain(&self) -> Recommendation {
        Recommendation {
            text: self.text.clone(),
            parts: self
                .parts
                .iter()
                .map(|p| RecommendationPart {
                    task: p.task.clone(),
                    agency: p.agency.clone(),
                    addressee_name: p.addressee_name.clone(),
                    addressee_position: p.addressee_position.clone(),
                    measure: p.measure.clone(),
                    due_on: p.due_on,
                })
                .collect(),
        }
    }
}

/// One action of the plan with where it comes from: the read model of the composite and
/// agency plans and of monitoring.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRecord {
    pub id: i64,
    pub review_id: i64,
    pub review_reference: String,
    pub recommendation_id: i64,
    pub recommendation_number: i64,
    pub part_id: i64,
    pub part_letter: String,
    /// "1" or "1a": the recommendation part the action serves.
    pub part_label: String,
    /// The part's task (the template's RECOMMENDATION column).
    pub recommendation_task: String,
    pub agency_id: i64,
    pub agency: String,
    pub action: String,
    pub by_whom: String,
    pub intended_outcome: String,
    pub monitoring: String,
    pub due_on: NaiveDate,
    pub rag: Rag,
    pub signed_up_by: Option<String>,
    pub signed_up_at: Option<DateTime<Utc>>,
    pub signed_off_by: Option<String>,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl ActionRecord {
    pub fn is_signed_off(&self) -> bool {
        self.rag == Rag::SignedOff
    }
    /// Past its date and not done.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.rag.is_done() && self.due_on < today
    }
}

/// An evidence file's description (its content is read separately, audited).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvidenceMeta {
    pub id: i64,
    pub update_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// One progress update: the assessment set, the note, who and when, and its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ActionUpdateRecord {
    pub id: i64,
    pub action_id: i64,
    pub rag: Rag,
    pub note: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub evidence: Vec<EvidenceMeta>,
}

/// An evidence file to attach to an update.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An evidence file with its content and the action and review it belongs to.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub meta: EvidenceMeta,
    pub action_id: i64,
    pub review_id: i64,
    pub content: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct RecRow {
    id: i64,
    review_id: i64,
    number: i64,
    source: String,
    source_agency: Option<String>,
    text: String,
    status: String,
    adopted_by: Option<String>,
    adopted_at: Option<DateTime<Utc>>,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const REC_COLS: &str = "r.id, r.review_id, r.number, r.source, a.name AS source_agency, r.text, r.status, r.adopted_by, r.adopted_at, r.created_by, r.created_at, r.updated_at";
const REC_FROM: &str = "report_recommendations r LEFT JOIN agencies a ON a.id = r.source_agency_id";

#[derive(sqlx::FromRow)]
struct PartRow {
    id: i64,
    recommendation_id: i64,
    letter: String,
    task: String,
    agency_id: Option<i64>,
    agency: Option<String>,
    addressee_name: String,
    addressee_position: String,
    measure: String,
    due_on: Option<NaiveDate>,
}

const PART_COLS: &str =
    "p.id, p.recommendation_id, p.letter, p.task, p.agency_id, a.name AS agency, p.addressee_name, p.addressee_position, p.measure, p.due_on";

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    review_id: i64,
    review_reference: String,
    recommendation_id: i64,
    recommendation_number: i64,
    part_id: i64,
    part_letter: String,
    part_count: i64,
    recommendation_task: String,
    agency_id: i64,
    agency: String,
    action: String,
    by_whom: String,
    intended_outcome: String,
    monitoring: String,
    due_on: NaiveDate,
    rag: String,
    signed_up_by: Option<String>,
    signed_up_at: Option<DateTime<Utc>>,
    signed_off_by: Option<String>,
    signed_off_at: Option<DateTime<Utc>>,
    created_by: String,
    created_at: DateTime<Utc>,
}

const ACTION_SELECT: &str = "SELECT x.id, x.review_id, rv.reference AS review_reference, r.id AS recommendation_id, r.number AS recommendation_number, \
     p.id AS part_id, p.letter AS part_letter, (SELECT COUNT(*) FROM recommendation_parts q WHERE q.recommendation_id = r.id) AS part_count, \
     p.task AS recommendation_task, x.agency_id, a.name AS agency, x.action, x.by_whom, x.intended_outcome, x.monitoring, x.due_on, x.rag, \
     x.signed_up_by, x.signed_up_at, x.signed_off_by, x.signed_off_at, x.created_by, x.created_at \
     FROM plan_actions x JOIN recommendation_parts p ON p.id = x.part_id JOIN report_recommendations r ON r.id = p.recommendation_id \
     JOIN agencies a ON a.id = x.agency_id JOIN reviews rv ON rv.id = x.review_id";
const ACTION_ORDER: &str = " ORDER BY rv.reference, r.number, p.letter, x.id";

impl ActionRow {
    fn record(self) -> Result<ActionRecord, StoreError> {
        Ok(ActionRecord {
            part_label: rec::part_label(self.recommendation_number, &self.part_letter, self.part_count as usize),
            id: self.id,
            review_id: self.review_id,
            review_reference: self.review_reference,
            recommendation_id: self.recommendation_id,
            recommendation_number: self.recommendation_number,
            part_id: self.part_id,
            part_letter: self.part_letter,
            recommendation_task: self.recommendation_task,
            agency_id: self.agency_id,
            agency: self.agency,
            action: self.action,
            by_whom: self.by_whom,
            intended_outcome: self.intended_outcome,
            monitoring: self.monitoring,
            due_on: self.due_on,
            rag: self.rag.parse().map_err(StoreError::Corrupt)?,
            signed_up_by: self.signed_up_by,
            signed_up_at: self.signed_up_at,
            signed_off_by: self.signed_off_by,
            signed_off_at: self.signed_off_at,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// Resolves each part's agency name to its id (the domain already checked it exists).
fn agency_ids(parts: &[RecommendationPart], agencies: &[crate::Agency]) -> Vec<Option<i64>> {
    parts.iter().map(|p| agencies.iter().find(|a| a.name.eq_ignore_ascii_case(p.agency.trim())).map(|a| a.id)).collect()
}

/// An evidence row with its content and the action and review it belongs to.
type EvidenceRow = (i64, i64, String, String, i64, String, Vec<u8>, i64, i64);

/// The content's SHA-256 in hex.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Locks a recommendation for change inside `$tx` and checks it is still a draft;
/// evaluates to (review id, number).
macro_rules! lock_draft {
    ($store:expr, $tx:expr, $id:expr) => {{
        let lock = if $store.is_pg() { " FOR UPDATE" } else { "" };
        let row: Option<(i64, i64, String)> =
            sqlx::query_as(&format!("SELECT review_id, number, status FROM report_recommendations WHERE id = $1{lock}"))
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        let (review_id, number, status) = row.ok_or_else(|| StoreError::NotFound(format!("recommendation {}", $id)))?;
        if status != RecommendationStatus::Draft.as_str() {
            return Err(FieldErrors::single("status", format!("Recommendation {number} has been adopted: its parts are fixed")).into());
        }
        (review_id, number)
    }};
}

impl Store {
    /// The review's recommendations in number order, each with its parts.
    pub async fn report_recommendations(&self, review_id: i64) -> Result<Vec<ReportRecommendation>, StoreError> {
        let rows: Vec<RecRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {REC_COLS} FROM {REC_FROM} WHERE r.review_id = $1 ORDER BY r.number"))
            .bind(review_id).fetch_all(pool).await?);
        let parts: Vec<PartRow> = on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT {PART_COLS} FROM recommendation_parts p LEFT JOIN agencies a ON a.id = p.agency_id JOIN report_recommendations r ON r.id = p.recommendation_id WHERE r.review_id = $1 ORDER BY p.recommendation_id, p.letter"
        )).bind(review_id).fetch_all(pool).await?);
        rows.into_iter().map(|r| assemble(r, &parts)).collect()
    }

    /// One recommendation with its parts.
    pub async fn report_recommendation(&self, id: i64) -> Result<ReportRecommendation, StoreError> {
        let row: Option<RecRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {REC_COLS} FROM {REC_FROM} WHERE r.id = $1")).bind(id).fetch_optional(pool).await?);
        let row = row.ok_or_else(|| StoreError::NotFound(format!("recommendation {id}")))?;
        let parts: Vec<PartRow> = on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT {PART_COLS} FROM recommendation_parts p LEFT JOIN agencies a ON a.id = p.agency_id WHERE p.recommendation_id = $1 ORDER BY p.letter"
        )).bind(id).fetch_all(pool).await?);
        assemble(row, &parts)
    }

    /// Saves a new draft recommendation of the overview report, numbered after the last.
    pub async fn create_recommendation(
        &self,
        actor: &Actor,
        review_id: i64,
        r: &Recommendation,
    ) -> Result<ReportRecommendation, StoreError> {
        let id = self.insert_recommendation(actor, review_id, r, Source::Overview, None).await?;
        self.report_recommendation(id).await
    }

    async fn insert_recommendation(
        &self,
        actor: &Actor,
        review_id: i64,
        r: &Recommendation,
        source: Source,
        source_agency_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let agencies = self.agencies(actor.partnership_id).await?;
        let dir = casereview_core::agency_directory(agencies.iter().map(|a| (a.name.as_str(), a.partner)));
        rec::validate_draft(r, &dir).into_result(())?;
        let ids = agency_ids(&r.parts, &agencies);
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            // Locking the review row makes concurrent drafts take numbers in turn.
            sqlx::query(&format!("SELECT id FROM reviews WHERE id = $1{lock}")).bind(review_id).fetch_optional(&mut *tx).await?
                .ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))?;
            let (next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0) + 1 FROM report_recommendations WHERE review_id = $1").bind(review_id).fetch_one(&mut *tx).await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO report_recommendations (review_id, number, source, source_agency_id, text, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                .bind(review_id).bind(next).bind(source.as_str()).bind(source_agency_id).bind(r.text.trim()).bind(RecommendationStatus::Draft.as_str()).bind(&actor.name).bind(at)
                .fetch_one(&mut *tx).await?;
            for (i, p) in r.parts.iter().enumerate() {
                sqlx::query("INSERT INTO recommendation_parts (recommendation_id, letter, task, agency_id, addressee_name, addressee_position, measure, due_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(id).bind(rec::part_letter(i)).bind(p.task.trim()).bind(ids[i]).bind(p.addressee_name.trim()).bind(p.addressee_position.trim()).bind(p.measure.trim()).bind(p.due_on)
                    .execute(&mut *tx).await?;
            }
            append_audit!(self, tx, actor, "recommendation.create", format!("review:{review_id}"), serde_json::json!({"recommendation": id, "number": next, "source": source.as_str(), "parts": r.parts.len()}).to_string());
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Replaces a draft's text and parts. An adopted recommendation is fixed.
    pub async fn update_recommendation(&self, actor: &Actor, id: i64, r: &Recommendation) -> Result<ReportRecommendation, StoreError> {
        let agencies = self.agencies(actor.partnership_id).await?;
        let dir = casereview_core::agency_directory(agencies.iter().map(|a| (a.name.as_str(), a.partner)));
        rec::validate_draft(r, &dir).into_result(())?;
        let ids = agency_ids(&r.parts, &agencies);
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id, number) = lock_draft!(self, tx, id);
            sqlx::query("DELETE FROM recommendation_parts WHERE recommendation_id = $1").bind(id).execute(&mut *tx).await?;
            for (i, p) in r.parts.iter().enumerate() {
                sqlx::query("INSERT INTO recommendation_parts (recommendation_id, letter, task, agency_id, addressee_name, addressee_position, measure, due_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(id).bind(rec::part_letter(i)).bind(p.task.trim()).bind(ids[i]).bind(p.addressee_name.trim()).bind(p.addressee_position.trim()).bind(p.measure.trim()).bind(p.due_on)
                    .execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE report_recommendations SET text = $1, updated_at = $2 WHERE id = $3").bind(r.text.trim()).bind(at).bind(id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "recommendation.edit", format!("review:{review_id}"), serde_json::json!({"recommendation": id, "number": number, "parts": r.parts.len()}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.report_recommendation(id).await
    }

    /// Deletes a draft recommendation and its parts (an adopted one stays).
    pub async fn delete_draft_recommendation(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id, number) = lock_draft!(self, tx, id);
            sqlx::query("DELETE FROM recommendation_parts WHERE recommendation_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM report_recommendations WHERE id = $1").bind(id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "recommendation.delete", format!("review:{review_id}"), serde_json::json!({"recommendation": id, "number": number}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// The board chair adopts a draft: every part needs its agency, addressee and date
    /// (the error names the part and field, and nothing changes).
    pub async fn adopt_recommendation(&self, actor: &Actor, id: i64) -> Result<ReportRecommendation, StoreError> {
        if !rec::may_adopt(actor.role) {
            return Err(FieldErrors::single(
                "status",
                format!("A {} may not adopt recommendations: the board chair adopts them", actor.role.title().to_lowercase()),
            )
            .into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (review_id, number) = lock_draft!(self, tx, id);
            let parts: Vec<PartRow> = sqlx::query_as(&format!("SELECT {PART_COLS} FROM recommendation_parts p LEFT JOIN agencies a ON a.id = p.agency_id WHERE p.recommendation_id = $1 ORDER BY p.letter"))
                .bind(id).fetch_all(&mut *tx).await?;
            let domain = Recommendation { text: String::new(), parts: parts.iter().map(|p| RecommendationPart { task: p.task.clone(), agency: p.agency.clone().unwrap_or_default(), addressee_name: p.addressee_name.clone(), addressee_position: p.addressee_position.clone(), measure: p.measure.clone(), due_on: p.due_on }).collect() };
            rec::adoption_errors(number, &domain).into_result(())?;
            sqlx::query("UPDATE report_recommendations SET status = $1, adopted_by = $2, adopted_at = $3, updated_at = $3 WHERE id = $4")
                .bind(RecommendationStatus::Adopted.as_str()).bind(&actor.name).bind(at).bind(id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "recommendation.adopt", format!("review:{review_id}"), serde_json::json!({"recommendation": id, "number": number}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.report_recommendation(id).await
    }

    /// Carries the recommendations of each signed-off IMR into the review as drafts (source
    /// 'imr', one part addressed to the IMR's agency) for the overview author to edit.
    /// Items already carried (same agency and text) are skipped. Returns how many were added.
    pub async fn carry_imr_recommendations(&self, actor: &Actor, review_id: i64) -> Result<usize, StoreError> {
        let imrs = self.imrs(review_id).await?;
        let agencies = self.agencies(actor.partnership_id).await?;
        let existing = self.report_recommendations(review_id).await?;
        let mut added = 0;
        for imr in imrs.iter().filter(|i| i.status == ImrStatus::SignedOff) {
            let agency = agencies.iter().find(|a| a.name.eq_ignore_ascii_case(imr.agency.trim()));
            let section = imr.sections.get("recommendations").map(String::as_str).unwrap_or("");
            for item in rec::split_imr_recommendations(section) {
                let already = existing
                    .iter()
                    .any(|r| r.source == Source::Imr && r.source_agency.as_deref() == agency.map(|a| a.name.as_str()) && r.text == item);
                if already {
                    continue;
                }
                let r = Recommendation {
                    text: item.clone(),
                    parts: vec![RecommendationPart {
                        task: item.clone(),
                        agency: agency.map(|a| a.name.clone()).unwrap_or_default(),
                        ..Default::default()
                    }],
                };
                self.insert_recommendation(actor, review_id, &r, Source::Imr, agency.map(|a| a.id)).await?;
                added += 1;
            }
        }
        Ok(added)
    }

    /// Adds an action to a part of an adopted recommendation, for the part's agency.
    pub async fn add_action(&self, actor: &Actor, part_id: i64, a: &PlanAction) -> Result<ActionRecord, StoreError> {
        a.validate().into_result(())?;
        let due_on = a.due_on.ok_or_else(|| FieldErrors::single("due_on", "Enter the date the action is due"))?;
        let _w = self.writer().await;
        let at = now();
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<(i64, Option<i64>, String, i64)> = sqlx::query_as("SELECT r.review_id, p.agency_id, r.status, r.number FROM recommendation_parts p JOIN report_recommendations r ON r.id = p.recommendation_id WHERE p.id = $1")
                .bind(part_id).fetch_optional(&mut *tx).await?;
            let (review_id, agency_id, status, number) = row.ok_or_else(|| StoreError::NotFound(format!("recommendation part {part_id}")))?;
            if status != RecommendationStatus::Adopted.as_str() {
                return Err(FieldErrors::single("part", format!("Recommendation {number} is still a draft: actions are planned once the board has adopted it")).into());
            }
            let agency_id = agency_id.ok_or_else(|| StoreError::Corrupt(format!("adopted part {part_id} has no agency")))?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO plan_actions (review_id, part_id, agency_id, action, by_whom, intended_outcome, monitoring, due_on, rag, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
                .bind(review_id).bind(part_id).bind(agency_id).bind(a.action.trim()).bind(a.by_whom.trim()).bind(a.intended_outcome.trim()).bind(a.monitoring.trim()).bind(due_on).bind(Rag::Green.as_str()).bind(&actor.name).bind(at)
                .fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "action.create", format!("review:{review_id}"), serde_json::json!({"action": id, "part": part_id, "agency": agency_id, "due_on": due_on}).to_string());
            tx.commit().await?;
            id
        });
        self.plan_action(id).await
    }

    /// One action.
    pub async fn plan_action(&self, id: i64) -> Result<ActionRecord, StoreError> {
        let row: Option<ActionRow> =
            on_pool!(self, pool => sqlx::query_as(&format!("{ACTION_SELECT} WHERE x.id = $1")).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("action {id}")))?.record()
    }

    /// The composite plan: every action of the review, or (with `agency_id`) one agency's plan.
    pub async fn action_plan(&self, review_id: i64, agency_id: Option<i64>) -> Result<Vec<ActionRecord>, StoreError> {
        let rows: Vec<ActionRow> = on_pool!(self, pool => match agency_id {
            Some(aid) => sqlx::query_as(&format!("{ACTION_SELECT} WHERE x.review_id = $1 AND x.agency_id = $2{ACTION_ORDER}")).bind(review_id).bind(aid).fetch_all(pool).await?,
            None => sqlx::query_as(&format!("{ACTION_SELECT} WHERE x.review_id = $1{ACTION_ORDER}")).bind(review_id).fetch_all(pool).await?,
        });
        rows.into_iter().map(ActionRow::record).collect()
    }

    /// Every action of every review of a partnership (monitoring across reviews).
    pub async fn partnership_actions(&self, partnership_id: i64) -> Result<Vec<ActionRecord>, StoreError> {
        let rows: Vec<ActionRow> = on_pool!(self, pool => sqlx::query_as(&format!("{ACTION_SELECT} WHERE rv.partnership_id = $1{ACTION_ORDER}")).bind(partnership_id).fetch_all(pool).await?);
        rows.into_iter().map(ActionRow::record).collect()
    }

    /// The agency's head signs up to the action (001 §2.4.14: agreed at a senior level).
    /// Only an agency head of the action's own agency; once.
    pub async fn sign_up_action(&self, actor: &Actor, action_id: i64) -> Result<ActionRecord, StoreError> {
        let actor_agency = self.actor_agency(actor).await?;
        let a = self.plan_action(action_id).await?;
        if !rec::may_sign_up(actor.role, actor_agency == Some(a.agency_id)) {
            return Err(
                FieldErrors::single("signed_up_by", format!("Only the agency head of {} may sign up to this action", a.agency)).into()
            );
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE plan_actions SET signed_up_by = $1, signed_up_at = $2 WHERE id = $3 AND signed_up_by IS NULL")
                .bind(&actor.name).bind(at).bind(action_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(FieldErrors::single("signed_up_by", format!("{} has already signed up to this action", a.signed_up_by.unwrap_or_default())).into());
            }
            append_audit!(self, tx, actor, "action.sign_up", format!("review:{}", a.review_id), serde_json::json!({"action": action_id, "agency": a.agency}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.plan_action(action_id).await
    }

    /// Records progress: the new assessment and a note, with evidence files. Updates are
    /// appended, never overwritten; the action's current assessment follows the latest.
    /// Each file is checked by extension and content and against `max_evidence_bytes`.
    pub async fn add_action_update(
        &self,
        actor: &Actor,
        action_id: i64,
        rag: Rag,
        note: &str,
        evidence: &[NewEvidence],
        max_evidence_bytes: usize,
    ) -> Result<ActionUpdateRecord, StoreError> {
        let mut e = FieldErrors::new();
        if note.trim().is_empty() {
            e.push("note", "Enter a note of the progress made");
        } else if note.chars().count() > rec::MAX_TEXT {
            e.push("note", format!("The note is too long ({} characters at most)", rec::MAX_TEXT));
        }
        let mut checked = Vec::new();
        for (i, f) in evidence.iter().enumerate() {
            match rec::check_evidence(&f.file_name, &f.bytes, max_evidence_bytes) {
                Ok(media) => checked.push((f, media, sha256_hex(&f.bytes))),
                Err(m) => e.push(if evidence.len() == 1 { "evidence".to_string() } else { format!("evidence[{i}]") }, m),
            }
        }
        e.into_result(())?;
        let _w = self.writer().await;
        let at = now();
        let update_id = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String)> = sqlx::query_as(&format!("SELECT review_id, rag FROM plan_actions WHERE id = $1{lock}")).bind(action_id).fetch_optional(&mut *tx).await?;
            let (review_id, current) = row.ok_or_else(|| StoreError::NotFound(format!("action {action_id}")))?;
            let current: Rag = current.parse().map_err(StoreError::Corrupt)?;
            rec::check_update(current, rag).map_err(|m| FieldErrors::single("rag", m))?;
            let (uid,): (i64,) = sqlx::query_as("INSERT INTO action_updates (action_id, rag, note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(action_id).bind(rag.as_str()).bind(note.trim()).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            for (f, media, sha) in &checked {
                sqlx::query("INSERT INTO action_evidence (update_id, file_name, media_type, size_bytes, sha256, content) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uid).bind(f.file_name.trim()).bind(*media).bind(f.bytes.len() as i64).bind(sha).bind(&f.bytes).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE plan_actions SET rag = $1 WHERE id = $2").bind(rag.as_str()).bind(action_id).execute(&mut *tx).await?;
            let files: Vec<serde_json::Value> = checked.iter().map(|(f, _, sha)| serde_json::json!({"name": f.file_name, "size": f.bytes.len(), "sha256": sha})).collect();
            append_audit!(self, tx, actor, "action.update", format!("review:{review_id}"), serde_json::json!({"action": action_id, "from": current.as_str(), "to": rag.as_str(), "evidence": files}).to_string());
            tx.commit().await?;
            uid
        });
        self.action_updates(action_id)
            .await?
            .into_iter()
            .find(|u| u.id == update_id)
            .ok_or_else(|| StoreError::NotFound(format!("update {update_id}")))
    }

    /// The action's history of updates, oldest first, each with its evidence list.
    pub async fn action_updates(&self, action_id: i64) -> Result<Vec<ActionUpdateRecord>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as("SELECT id, action_id, rag, note, updated_by, updated_at FROM action_updates WHERE action_id = $1 ORDER BY id")
            .bind(action_id).fetch_all(pool).await?);
        let ev: Vec<EvidenceMeta> = on_pool!(self, pool => sqlx::query_as("SELECT e.id, e.update_id, e.file_name, e.media_type, e.size_bytes, e.sha256 FROM action_evidence e JOIN action_updates u ON u.id = e.update_id WHERE u.action_id = $1 ORDER BY e.id")
            .bind(action_id).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(id, action_id, rag, note, updated_by, updated_at)| {
                Ok(ActionUpdateRecord {
                    id,
                    action_id,
                    rag: rag.parse().map_err(StoreError::Corrupt)?,
                    note,
                    updated_by,
                    updated_at,
                    evidence: ev.iter().filter(|e| e.update_id == id).cloned().collect(),
                })
            })
            .collect()
    }

    /// Reads an evidence file, recording the confidential read in the audit log.
    pub async fn read_evidence(&self, actor: &Actor, evidence_id: i64) -> Result<EvidenceFile, StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<EvidenceRow> = sqlx::query_as(
                "SELECT e.id, e.update_id, e.file_name, e.media_type, e.size_bytes, e.sha256, e.content, u.action_id, x.review_id FROM action_evidence e JOIN action_updates u ON u.id = e.update_id JOIN plan_actions x ON x.id = u.action_id WHERE e.id = $1",
            ).bind(evidence_id).fetch_optional(&mut *tx).await?;
            let (id, update_id, file_name, media_type, size_bytes, sha256, content, action_id, review_id) = row.ok_or_else(|| StoreError::NotFound(format!("evidence {evidence_id}")))?;
            append_audit!(self, tx, actor, "action.evidence_read", format!("review:{review_id}"), serde_json::json!({"action": action_id, "evidence": id, "file": file_name}).to_string());
            tx.commit().await?;
            Ok(EvidenceFile { meta: EvidenceMeta { id, update_id, file_name, media_type, size_bytes, sha256 }, action_id, review_id, content })
        })
    }

    /// The board manager or chair signs off a completed action.
    pub async fn sign_off_action(&self, actor: &Actor, action_id: i64) -> Result<ActionRecord, StoreError> {
        if !rec::may_sign_off(actor.role) {
            return Err(FieldErrors::single("signed_off_by", "Only the board manager or the board chair may sign off an action").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String)> = sqlx::query_as(&format!("SELECT review_id, rag FROM plan_actions WHERE id = $1{lock}")).bind(action_id).fetch_optional(&mut *tx).await?;
            let (review_id, current) = row.ok_or_else(|| StoreError::NotFound(format!("action {action_id}")))?;
            let current: Rag = current.parse().map_err(StoreError::Corrupt)?;
            rec::check_sign_off(current).map_err(|m| FieldErrors::single("signed_off_by", m))?;
            sqlx::query("UPDATE plan_actions SET rag = $1, signed_off_by = $2, signed_off_at = $3 WHERE id = $4")
                .bind(Rag::SignedOff.as_str()).bind(&actor.name).bind(at).bind(action_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "action.sign_off", format!("review:{review_id}"), serde_json::json!({"action": action_id}).to_string());
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.plan_action(action_id).await
    }

    /// The review a recommendation part belongs to (for access checks before anything else).
    pub async fn part_review(&self, part_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT r.review_id FROM recommendation_parts p JOIN report_recommendations r ON r.id = p.recommendation_id WHERE p.id = $1")
            .bind(part_id).fetch_optional(pool).await?);
        row.map(|r| r.0).ok_or_else(|| StoreError::NotFound(format!("recommendation part {part_id}")))
    }

    /// The review an evidence file belongs to (checked before the audited read).
    pub async fn evidence_review(&self, evidence_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT x.review_id FROM action_evidence e JOIN action_updates u ON u.id = e.update_id JOIN plan_actions x ON x.id = u.action_id WHERE e.id = $1")
            .bind(evidence_id).fetch_optional(pool).await?);
        row.map(|r| r.0).ok_or_else(|| StoreError::NotFound(format!("evidence {evidence_id}")))
    }

    /// The agency of the acting user (none for the system or users without one).
    async fn actor_agency(&self, actor: &Actor) -> Result<Option<i64>, StoreError> {
        let Some(uid) = actor.user_id else { return Ok(None) };
        let row: Option<(Option<i64>,)> =
            on_pool!(self, pool => sqlx::query_as("SELECT agency_id FROM users WHERE id = $1").bind(uid).fetch_optional(pool).await?);
        Ok(row.and_then(|r| r.0))
    }
}

fn assemble(r: RecRow, parts: &[PartRow]) -> Result<ReportRecommendation, StoreError> {
    let mine: Vec<&PartRow> = parts.iter().filter(|p| p.recommendation_id == r.id).collect();
    let n = mine.len();
    Ok(ReportRecommendation {
        parts: mine
            .into_iter()
            .map(|p| PartRecord {
                id: p.id,
                recommendation_id: p.recommendation_id,
                letter: p.letter.clone(),
                label: rec::part_label(r.number, &p.letter, n),
                task: p.task.clone(),
                agency_id: p.agency_id,
                agency: p.agency.clone().unwrap_or_default(),
                addressee_name: p.addressee_name.clone(),
                addressee_position: p.addressee_position.clone(),
                measure: p.measure.clone(),
                due_on: p.due_on,
            })
            .collect(),
        id: r.id,
        review_id: r.review_id,
        number: r.number,
        source: r.source.parse().map_err(StoreError::Corrupt)?,
        source_agency: r.source_agency,
        text: r.text,
        status: r.status.parse().map_err(StoreError::Corrupt)?,
        adopted_by: r.adopted_by,
        adopted_at: r.adopted_at,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}
