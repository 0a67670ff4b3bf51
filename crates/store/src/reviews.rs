//! Reviews: the referral that opens one, its screening meetings, recommendation and
//! decision, every lifecycle transition, membership, and the dated events the statutory
//! clock counts from.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError, User};
use casereview_core::criteria::{self, Answers};
use casereview_core::lifecycle::{self, Action, ReviewFacts, ReviewKind, ReviewState};
use casereview_core::referral::{Referral, ReferralInput};
use casereview_core::screening::{Decision, DecisionInput, Recommendation, RecommendationInput, ScreeningMeeting, ScreeningMeetingInput};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A review as listed on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewSummary {
    pub id: i64,
    pub partnership_id: i64,
    pub reference: String,
    pub state: ReviewState,
    pub kind: Option<ReviewKind>,
    pub child_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// A whole review record.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    #[serde(flatten)]
    pub summary: ReviewSummary,
    pub referral: Referral,
    pub criteria_answers: Answers,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    partnership_id: i64,
    reference: String,
    state: String,
    kind: Option<String>,
    child_name: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    updated_by: String,
    referral: String,
    criteria_answers: String,
}

const REVIEW_COLS: &str = "r.id, r.partnership_id, r.reference, r.state, r.kind, r.child_name, r.version, r.created_at, r.updated_at, r.updated_by, r.referral, r.criteria_answers";

impl ReviewRow {
    fn summary(&self) -> Result<ReviewSummary, StoreError> {
        Ok(ReviewSummary {
            id: self.id,
            partnership_id: self.partnership_id,
            reference: self.reference.clone(),
            state: self.state.parse().map_err(StoreError::Corrupt)?,
            kind: self.kind.as_deref().map(str::parse).transpose().map_err(StoreError::Corrupt)?,
            child_name: self.child_name.clone(),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            updated_by: self.updated_by.clone(),
        })
    }

    fn record(self) -> Result<ReviewRecord, StoreError> {
        Ok(ReviewRecord {
            summary: self.summary()?,
            referral: serde_json::from_str(&self.referral)?,
            criteria_answers: serde_json::from_str(&self.criteria_answers)?,
        })
    }
}

/// One line of a review's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TransitionRecord {
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

impl TransitionRecord {
    /// The state the review moved to, as people read it.
    pub fn to_title(&self) -> &str {
        self.to_state.parse::<ReviewState>().map(ReviewState::title).unwrap_or(&self.to_state)
    }
}

/// A dated event the statutory clock counts from.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewEvent {
    pub review_id: i64,
    pub event: String,
    pub occurred_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningMeetingRecord {
    pub id: i64,
    #[serde(flatten)]
    pub meeting: ScreeningMeeting,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecommendationRecord {
    pub id: i64,
    pub meeting_id: i64,
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    pub id: i64,
    #[serde(flatten)]
    pub decision: Decision,
    pub created_at: DateTime<Utc>,
}

/// What a write produced: the review's new state and version.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub review_id: i64,
    pub state: ReviewState,
    pub version: i64,
    /// False when an idempotent create found the earlier submission.
    pub created: bool,
}

/// The values written by a lifecycle step, shared by every method that moves a review.
struct Step<'a> {
    action: &'a str,
    from: ReviewState,
    to: ReviewState,
    note: String,
    /// Clock event and its date.
    event: Option<(&'a str, NaiveDate)>,
}

impl Store {
    /// Records a referral, opening a review in state `referred`. With a submission key,
    /// submitting the same form twice returns the first review instead of a second one.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        input: &ReferralInput,
        today: NaiveDate,
        submission_key: Option<&str>,
    ) -> Result<Outcome, StoreError> {
        if !actor.role.may_refer() {
            return Err(StoreError::Transition(lifecycle::TransitionError::RoleNotAllowed {
                action: "refer",
                role: actor.role.as_str(),
                allowed: "any role but regulator and overview_author".into(),
            }));
        }
        let agencies = self.agency_directory(actor.partnership_id).await?;
        let referral = input.validate(today, &agencies)?;
        let partnership = self.partnership(actor.partnership_id).await?;
        let _w = self.writer().await;
        let at = now();
        let json = serde_json::to_string(&referral)?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if self.is_pg() {
                // One referral at a time per partnership, so references and submission keys
                // are checked and taken without a race.
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(actor.partnership_id).execute(&mut *tx).await?;
            }
            if let Some(key) = submission_key {
                // Keys are unique across the database; a key is only "the same submission"
                // when the same person in the same partnership sent it.
                let found: Option<(i64, String, i64, i64, Option<i64>)> = sqlx::query_as("SELECT id, state, version, partnership_id, created_by FROM reviews WHERE submission_key = $1")
                    .bind(key).fetch_optional(&mut *tx).await?;
                if let Some((id, state, version, pid, by)) = found {
                    if pid != actor.partnership_id || by != actor.user_id {
                        return Err(FieldErrors::single("Idempotency-Key", "This key was already used for another submission: send a new key").into());
                    }
                    return Ok(Outcome { review_id: id, state: state.parse().map_err(StoreError::Corrupt)?, version, created: false });
                }
            }
            let prefix = format!("{}-{}-", partnership.short_code, today.format("%Y"));
            // Numbered within the partnership and year; references stay unique across
            // partnerships because the short code is part of them (a clash is refused below).
            let refs: Vec<(String,)> = sqlx::query_as("SELECT reference FROM reviews WHERE partnership_id = $1").bind(actor.partnership_id).fetch_all(&mut *tx).await?;
            let count = refs.iter().filter(|(r,)| r.starts_with(&prefix)).count();
            let reference = format!("{prefix}{:03}", count + 1);
            let clash: Option<(i64,)> = sqlx::query_as("SELECT id FROM reviews WHERE reference = $1").bind(&reference).fetch_optional(&mut *tx).await?;
            if clash.is_some() {
                return Err(StoreError::Duplicate(format!("the review reference {reference} is taken by another partnership using the code {}: give this partnership its own code", partnership.short_code)));
            }
            let (id,): (i64,) = sqlx::query_as("INSERT INTO reviews (partnership_id, reference, state, kind, child_name, referral, criteria_answers, version, submission_key, created_by, created_at, updated_at, updated_by) VALUES ($1, $2, $3, NULL, $4, $5, '{}', 1, $6, $7, $8, $8, $9) RETURNING id")
                .bind(actor.partnership_id).bind(&reference).bind(ReviewState::Referred.as_str()).bind(&referral.child.name).bind(&json).bind(submission_key).bind(actor.user_id).bind(at).bind(&actor.name)
                .fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO referral_versions (review_id, version, referral, saved_by, saved_at) VALUES ($1, 1, $2, $3, $4)").bind(id).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            if let Some(uid) = actor.user_id {
                sqlx::query("INSERT INTO review_members (review_id, user_id, added_at) VALUES ($1, $2, $3)").bind(id).bind(uid).bind(at).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO transitions (review_id, action, from_state, to_state, actor_id, actor_name, note, at) VALUES ($1, 'refer', '', $2, $3, $4, $5, $6)")
                .bind(id).bind(ReviewState::Referred.as_str()).bind(actor.user_id).bind(&actor.name).bind(format!("Referred by {} ({})", referral.referrer.name, referral.referrer.agency)).bind(at)
                .execute(&mut *tx).await?;
            // The board is notified the day the referral is recorded; the incident date,
            // when known, starts the 72-hour referral clock.
            let mut events = vec![("notification", today)];
            if let Some(d) = referral.incident_date {
                events.push(("incident", d));
            }
            for (event, on) in events {
                sqlx::query("INSERT INTO review_events (review_id, event, occurred_on, recorded_at) VALUES ($1, $2, $3, $4)").bind(id).bind(event).bind(on).bind(at).execute(&mut *tx).await?;
            }
            append_audit!(self, tx, actor, "review.refer", format!("review:{id}"), serde_json::json!({"reference": reference}).to_string());
            tx.commit().await?;
            Ok(Outcome { review_id: id, state: ReviewState::Referred, version: 1, created: true })
        })
    }

    /// Saves an edited referral. `expected_version` is the version the editor opened;
    /// if anyone saved since, the save is refused with what changed.
    pub async fn update_referral(
        &self,
        actor: &Actor,
        review_id: i64,
        expected_version: i64,
        input: &ReferralInput,
        today: NaiveDate,
    ) -> Result<Outcome, StoreError> {
        let agencies = self.agency_directory(actor.partnership_id).await?;
        let referral = input.validate(today, &agencies)?;
        let json = serde_json::to_string(&referral)?;
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<ReviewRow> = sqlx::query_as(&format!("SELECT {REVIEW_COLS} FROM reviews r WHERE r.id = $1{lock}")).bind(review_id).fetch_optional(&mut *tx).await?;
            let row = row.ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))?;
            if row.state.parse::<ReviewState>().map_err(StoreError::Corrupt)?.is_terminal() {
                return Err(FieldErrors::single("referral", "The review is closed: its referral can no longer be changed").into());
            }
            if row.version != expected_version {
                let base: Option<(String,)> = sqlx::query_as("SELECT referral FROM referral_versions WHERE review_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1")
                    .bind(review_id).bind(expected_version).fetch_optional(&mut *tx).await?;
                let current: Referral = serde_json::from_str(&row.referral)?;
                let changed = match base {
                    Some((b,)) => serde_json::from_str::<Referral>(&b)?.changed_fields(&current),
                    None => vec!["(the version you opened is unknown)".to_string()],
                };
                let changed = if changed.is_empty() { vec!["the review's state (no referral field)".to_string()] } else { changed };
                return Err(StoreError::Conflict { yours: expected_version, current: row.version, by: row.updated_by, at: row.updated_at.format("%d/%m/%Y %H:%M").to_string(), changed });
            }
            let before: Referral = serde_json::from_str(&row.referral)?;
            let version = row.version + 1;
            sqlx::query("UPDATE reviews SET referral = $1, child_name = $2, version = $3, updated_at = $4, updated_by = $5 WHERE id = $6")
                .bind(&json).bind(&referral.child.name).bind(version).bind(at).bind(&actor.name).bind(review_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO referral_versions (review_id, version, referral, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)").bind(review_id).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "review.referral_update", format!("review:{review_id}"), serde_json::json!({"version": version, "changed": before.changed_fields(&referral)}).to_string());
            tx.commit().await?;
            Ok(Outcome { review_id, state: row.state.parse().map_err(StoreError::Corrupt)?, version, created: false })
        })
    }

    /// Reviews the user may see: all of the partnership's for the business unit and the
    /// board chair, otherwise those they are a member of.
    pub async fn reviews_for(&self, user: &User) -> Result<Vec<ReviewSummary>, StoreError> {
        let rows: Vec<ReviewRow> = on_pool!(self, pool => if user.role.sees_all_reviews() {
            sqlx::query_as(&format!("SELECT {REVIEW_COLS} FROM reviews r WHERE r.partnership_id = $1 ORDER BY r.id DESC")).bind(user.partnership_id).fetch_all(pool).await?
        } else {
            sqlx::query_as(&format!("SELECT {REVIEW_COLS} FROM reviews r JOIN review_members m ON m.review_id = r.id WHERE r.partnership_id = $1 AND m.user_id = $2 ORDER BY r.id DESC")).bind(user.partnership_id).bind(user.id).fetch_all(pool).await?
        });
        rows.iter().map(ReviewRow::summary).collect()
    }

    /// Whether the user may see the review at all (partnership and membership).
    pub async fn can_see(&self, user: &User, review_id: i64) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT partnership_id FROM reviews WHERE id = $1").bind(review_id).fetch_optional(pool).await?);
        let Some((pid,)) = row else { return Ok(false) };
        if pid != user.partnership_id {
            return Ok(false);
        }
        if user.role.sees_all_reviews() {
            return Ok(true);
        }
        let m: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT user_id FROM review_members WHERE review_id = $1 AND user_id = $2").bind(review_id).bind(user.id).fetch_optional(pool).await?);
        Ok(m.is_some())
    }

    /// The id of the review with this reference (e.g. NSCP-2026-007), case-insensitively.
    pub async fn review_id_by_reference(&self, reference: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT id FROM reviews WHERE UPPER(reference) = UPPER($1)").bind(reference.trim()).fetch_optional(pool).await?);
        Ok(row.map(|(id,)| id))
    }

    pub async fn review(&self, review_id: i64) -> Result<ReviewRecord, StoreError> {
        let row: Option<ReviewRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {REVIEW_COLS} FROM reviews r WHERE r.id = $1")).bind(review_id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))?.record()
    }

    pub async fn history(&self, review_id: i64) -> Result<Vec<TransitionRecord>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT action, from_state, to_state, actor_name, note, at FROM transitions WHERE review_id = $1 ORDER BY id").bind(review_id).fetch_all(pool).await?),
        )
    }

    /// The clock events of some reviews (all of the partnership's when `ids` is empty is
    /// not offered: callers pass what they list).
    pub async fn events_of(&self, ids: &[i64]) -> Result<Vec<ReviewEvent>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are integers from our own rows, so inlining them is safe and keeps one query.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        Ok(
            on_pool!(self, pool => sqlx::query_as(&format!("SELECT review_id, event, occurred_on FROM review_events WHERE review_id IN ({list}) ORDER BY review_id, occurred_on, id")).fetch_all(pool).await?),
        )
    }

    pub async fn members(&self, review_id: i64) -> Result<Vec<User>, StoreError> {
        let ids: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT user_id FROM review_members WHERE review_id = $1 ORDER BY added_at").bind(review_id).fetch_all(pool).await?);
        let mut out = Vec::new();
        for (id,) in ids {
            out.push(self.user(id).await?);
        }
        Ok(out)
    }

    /// Makes a user of the same partnership a member of the review.
    pub async fn add_member(&self, actor: &Actor, review_id: i64, user_id: i64) -> Result<(), StoreError> {
        let user = self.user(user_id).await?;
        let review = self.review(review_id).await?;
        if user.partnership_id != review.summary.partnership_id {
            return Err(FieldErrors::single("user_id", "That person belongs to another partnership").into());
        }
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM review_members WHERE review_id = $1 AND user_id = $2").bind(review_id).bind(user_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                sqlx::query("INSERT INTO review_members (review_id, user_id, added_at) VALUES ($1, $2, $3)").bind(review_id).bind(user_id).bind(at).execute(&mut *tx).await?;
                append_audit!(self, tx, actor, "review.member_add", format!("review:{review_id}"), serde_json::json!({"user": user.email, "role": user.role.as_str()}).to_string());
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn screening_meetings(&self, review_id: i64) -> Result<Vec<ScreeningMeetingRecord>, StoreError> {
        let rows: Vec<(i64, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as("SELECT id, meeting, created_at FROM screening_meetings WHERE review_id = $1 ORDER BY held_on, id").bind(review_id).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(id, m, created_at)| Ok(ScreeningMeetingRecord { id, meeting: serde_json::from_str(&m)?, created_at }))
            .collect()
    }

    /// The latest recommendation, if any.
    pub async fn recommendation(&self, review_id: i64) -> Result<Option<RecommendationRecord>, StoreError> {
        let row: Option<(i64, i64, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as("SELECT id, meeting_id, recommendation, created_at FROM recommendations WHERE review_id = $1 ORDER BY id DESC LIMIT 1").bind(review_id).fetch_optional(pool).await?);
        row.map(|(id, meeting_id, r, created_at)| {
            Ok(RecommendationRecord { id, meeting_id, recommendation: serde_json::from_str(&r)?, created_at })
        })
        .transpose()
    }

    pub async fn decision(&self, review_id: i64) -> Result<Option<DecisionRecord>, StoreError> {
        let row: Option<(i64, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as("SELECT id, decision, created_at FROM decisions WHERE review_id = $1 ORDER BY id DESC LIMIT 1").bind(review_id).fetch_optional(pool).await?);
        row.map(|(id, d, created_at)| Ok(DecisionRecord { id, decision: serde_json::from_str(&d)?, created_at })).transpose()
    }

    /// The facts the lifecycle's preconditions need.
    pub async fn facts(&self, review_id: i64) -> Result<ReviewFacts, StoreError> {
        Ok(ReviewFacts {
            quorate_screening_meeting: !self.screening_meetings(review_id).await?.is_empty(),
            recommendation: self.recommendation(review_id).await?.map(|r| r.recommendation.option),
            decision: self.decision(review_id).await?.map(|d| d.decision.kind),
            publication_on_hold: self.publication_on_hold(review_id).await?,
            actions_not_signed_off: self.actions_not_signed_off(review_id).await?,
        })
    }

    /// Records a quorate screening meeting (a meeting short of the quorum is refused and
    /// stores nothing).
    pub async fn record_screening_meeting(
        &self,
        actor: &Actor,
        review_id: i64,
        input: &ScreeningMeetingInput,
        today: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        let review = self.review(review_id).await?;
        let partnership = self.partnership(review.summary.partnership_id).await?;
        let agencies = self.agency_directory(partnership.id).await?;
        let quorum = usize::try_from(partnership.quorum).unwrap_or(3);
        // The role and state are checked before the form, so a panel member learns they
        // may not record a meeting rather than that a field is empty.
        let mut facts = self.facts(review_id).await?;
        facts.quorate_screening_meeting = true;
        lifecycle::apply(review.summary.state, Action::RecordScreeningMeeting, actor.role, &facts)?;
        let meeting = input.validate(today, &agencies, quorum)?;
        let json = serde_json::to_string(&meeting)?;
        let note = format!(
            "Screening meeting of {} chaired by {}: {} attendees",
            meeting.held_on.format("%d/%m/%Y"),
            meeting.chair,
            meeting.attendees.len()
        );
        self.step(
            actor,
            review_id,
            expected_version,
            Action::RecordScreeningMeeting,
            facts,
            note,
            Some(meeting.held_on),
            Insert::Meeting { held_on: meeting.held_on, json },
        )
        .await
    }

    /// Records the panel's recommendation; it must follow a quorate meeting and agree
    /// with its majority view.
    pub async fn record_recommendation(
        &self,
        actor: &Actor,
        review_id: i64,
        input: &RecommendationInput,
        today: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        let review = self.review(review_id).await?;
        let meetings = self.screening_meetings(review_id).await?;
        let mut facts = self.facts(review_id).await?;
        facts.recommendation = Some(casereview_core::screening::RecommendationOption::Defer);
        lifecycle::apply(
            review.summary.state,
            Action::Recommend,
            actor.role,
            &ReviewFacts { recommendation: facts.recommendation, ..facts.clone() },
        )?;
        let last = meetings.last();
        let rec = input.validate(today, last.map(|m| &m.meeting))?;
        let meeting_id = last.map(|m| m.id).unwrap_or_default();
        facts.recommendation = Some(rec.option);
        let json = serde_json::to_string(&rec)?;
        let note = format!("Panel recommends: {}", rec.option.title());
        self.step(
            actor,
            review_id,
            expected_version,
            Action::Recommend,
            facts,
            note,
            Some(rec.signed_on),
            Insert::Recommendation { meeting_id, option: rec.option.as_str(), json: json.clone() },
        )
        .await
    }

    /// Records the board chair's decision. "No further action" closes the review and
    /// rescinds the instruction to secure files (000 §5.10; 001 Letter 2).
    pub async fn record_decision(
        &self,
        actor: &Actor,
        review_id: i64,
        input: &DecisionInput,
        today: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        let review = self.review(review_id).await?;
        let rec = self.recommendation(review_id).await?;
        let mut facts = self.facts(review_id).await?;
        lifecycle::apply(
            review.summary.state,
            Action::Decide,
            actor.role,
            &ReviewFacts { decision: Some(ReviewKind::SeriousCaseReview), ..facts.clone() },
        )?;
        let decision = input.validate(today, rec.as_ref().map(|r| &r.recommendation))?;
        facts.decision = Some(decision.kind);
        let json = serde_json::to_string(&decision)?;
        let note = if decision.kind == ReviewKind::NoFurtherAction {
            "Decision: no further action. The instruction to secure files is rescinded (000 §5.10; 001 Letter 2).".to_string()
        } else {
            format!("Decision: {}", decision.kind.title())
        };
        let recommendation_id = rec.as_ref().map(|r| r.id);
        self.step(
            actor,
            review_id,
            expected_version,
            Action::Decide,
            facts,
            note,
            Some(decision.decided_on),
            Insert::Decision { kind: decision.kind.as_str(), json: json.clone(), recommendation_id },
        )
        .await
    }

    /// Takes a plain lifecycle action (one without its own form).
    pub async fn transition(
        &self,
        actor: &Actor,
        review_id: i64,
        action: Action,
        note: &str,
        on: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        if action == Action::Conclude {
            return Err(FieldErrors::single(
                "department_informed_on",
                "Enter the date the department was informed that the review is concluded (002)",
            )
            .into());
        }
        self.transition_step(actor, review_id, action, note, on, expected_version, Insert::Nothing).await
    }

    /// Concludes the review (every action signed off), recording the date the department
    /// was informed (002 "Agreeing Improvement Action") as a clock event in the same step.
    pub async fn conclude(
        &self,
        actor: &Actor,
        review_id: i64,
        note: &str,
        on: NaiveDate,
        department_informed_on: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        if department_informed_on > on {
            return Err(FieldErrors::single(
                "department_informed_on",
                "The department is informed when the review is concluded or before: the date must not be after the date of conclusion",
            )
            .into());
        }
        let insert = Insert::Event { event: "department_informed", on: department_informed_on };
        self.transition_step(actor, review_id, Action::Conclude, note, on, expected_version, insert).await
    }

    // The one write path of plain steps, with the row a step may add.
    #[allow(clippy::too_many_arguments)]
    async fn transition_step(
        &self,
        actor: &Actor,
        review_id: i64,
        action: Action,
        note: &str,
        on: NaiveDate,
        expected_version: Option<i64>,
        insert: Insert,
    ) -> Result<Outcome, StoreError> {
        if action.has_own_form() {
            return Err(FieldErrors::single(
                "action",
                format!("'{}' is recorded with its own form, not as a plain transition", action.as_str()),
            )
            .into());
        }
        if note.chars().count() > casereview_core::text::LONG_MAX {
            return Err(FieldErrors::single("note", "The note is too long").into());
        }
        let facts = self.facts(review_id).await?;
        if action == Action::Publish && facts.publication_on_hold {
            // Otherwise possible: the hold's reason is what the person needs to see, not
            // only the lifecycle's sentence that a hold is open.
            let state = self.review(review_id).await?.summary.state;
            lifecycle::apply(state, action, actor.role, &ReviewFacts { publication_on_hold: false, ..facts.clone() })?;
            let holds: Vec<_> = self.publication_holds(review_id).await?.iter().filter(|h| h.is_open()).map(|h| h.rule()).collect();
            let mut e = casereview_core::publishing::check_no_hold(&holds).err().unwrap_or_default();
            for h in self.proceeding_holds(review_id).await? {
                e.push("hold", h);
            }
            e.into_result(())?;
        }
        self.step(actor, review_id, expected_version, action, facts, note.trim().to_string(), Some(on), insert).await
    }

    /// Saves the panel's answers to the twelve questions.
    pub async fn save_criteria_answers(&self, actor: &Actor, review_id: i64, answers: &Answers) -> Result<(), StoreError> {
        criteria::check_answers(answers)?;
        let json = serde_json::to_string(answers)?;
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let closed: Option<(String,)> = sqlx::query_as("SELECT state FROM reviews WHERE id = $1").bind(review_id).fetch_optional(&mut *tx).await?;
            if closed.as_ref().and_then(|(s,)| s.parse::<ReviewState>().ok()).is_some_and(ReviewState::is_terminal) {
                return Err(FieldErrors::single("answers", "The review is closed: the panel's answers can no longer change").into());
            }
            let n = sqlx::query("UPDATE reviews SET criteria_answers = $1, updated_at = $2, updated_by = $3 WHERE id = $4").bind(&json).bind(at).bind(&actor.name).bind(review_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("review {review_id}")));
            }
            append_audit!(self, tx, actor, "review.criteria_answers", format!("review:{review_id}"), json.clone());
            tx.commit().await?;
        });
        Ok(())
    }

    /// The one place a review's state changes: re-reads the state inside the
    /// transaction, asks the lifecycle, writes the state, history, clock event, the
    /// step's own row and the audit event together.
    // The one write path of the lifecycle takes everything a step writes, by design.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        actor: &Actor,
        review_id: i64,
        expected_version: Option<i64>,
        action: Action,
        facts: ReviewFacts,
        note: String,
        on: Option<NaiveDate>,
        insert: Insert,
    ) -> Result<Outcome, StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(String, i64, String, DateTime<Utc>)> = sqlx::query_as(&format!("SELECT state, version, updated_by, updated_at FROM reviews WHERE id = $1{lock}")).bind(review_id).fetch_optional(&mut *tx).await?;
            let (state, version, by, when) = row.ok_or_else(|| StoreError::NotFound(format!("review {review_id}")))?;
            let from: ReviewState = state.parse().map_err(StoreError::Corrupt)?;
            if let Some(v) = expected_version {
                if v != version {
                    return Err(StoreError::Conflict { yours: v, current: version, by, at: when.format("%d/%m/%Y %H:%M").to_string(), changed: vec![format!("the review is now '{}'", from.title())] });
                }
            }
            let to = lifecycle::apply(from, action, actor.role, &facts)?;
            let s = Step {
                action: action.as_str(),
                from,
                to,
                note,
                event: match (action, facts.decision) {
                    (Action::Decide, Some(ReviewKind::NoFurtherAction)) => on.map(|d| ("decision_no_review", d)),
                    _ => action.clock_event().zip(on),
                },
            };
            match insert {
                Insert::Nothing => {}
                Insert::Event { event, on } => {
                    sqlx::query("INSERT INTO review_events (review_id, event, occurred_on, recorded_at) VALUES ($1, $2, $3, $4)").bind(review_id).bind(event).bind(on).bind(at).execute(&mut *tx).await?;
                }
                Insert::Meeting { held_on, json } => {
                    sqlx::query("INSERT INTO screening_meetings (review_id, held_on, meeting, created_by, created_at) VALUES ($1, $2, $3, $4, $5)").bind(review_id).bind(held_on).bind(&json).bind(actor.user_id).bind(at).execute(&mut *tx).await?;
                }
                Insert::Recommendation { meeting_id, option, json } => {
                    // Checked against the latest meeting before the transaction began: if
                    // another was recorded meanwhile, refuse rather than keep a stale check.
                    let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM screening_meetings WHERE review_id = $1").bind(review_id).fetch_one(&mut *tx).await?;
                    if latest != Some(meeting_id) {
                        return Err(StoreError::Conflict { yours: version, current: version, by: "someone".into(), at: String::new(), changed: vec!["another screening meeting was recorded".into()] });
                    }
                    sqlx::query("INSERT INTO recommendations (review_id, meeting_id, choice, recommendation, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)").bind(review_id).bind(meeting_id).bind(option).bind(&json).bind(actor.user_id).bind(at).execute(&mut *tx).await?;
                }
                Insert::Decision { kind, json, recommendation_id } => {
                    let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM recommendations WHERE review_id = $1").bind(review_id).fetch_one(&mut *tx).await?;
                    if latest != recommendation_id {
                        return Err(StoreError::Conflict { yours: version, current: version, by: "someone".into(), at: String::new(), changed: vec!["the panel's recommendation changed".into()] });
                    }
                    sqlx::query("INSERT INTO decisions (review_id, kind, decision, created_by, created_at) VALUES ($1, $2, $3, $4, $5)").bind(review_id).bind(kind).bind(&json).bind(actor.user_id).bind(at).execute(&mut *tx).await?;
                    sqlx::query("UPDATE reviews SET kind = $1 WHERE id = $2").bind(kind).bind(review_id).execute(&mut *tx).await?;
                }
            }
            let version = version + 1;
            sqlx::query("UPDATE reviews SET state = $1, version = $2, updated_at = $3, updated_by = $4 WHERE id = $5").bind(s.to.as_str()).bind(version).bind(at).bind(&actor.name).bind(review_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO transitions (review_id, action, from_state, to_state, actor_id, actor_name, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(review_id).bind(s.action).bind(s.from.as_str()).bind(s.to.as_str()).bind(actor.user_id).bind(&actor.name).bind(&s.note).bind(at).execute(&mut *tx).await?;
            if let Some((event, day)) = s.event {
                sqlx::query("INSERT INTO review_events (review_id, event, occurred_on, recorded_at) VALUES ($1, $2, $3, $4)").bind(review_id).bind(event).bind(day).bind(at).execute(&mut *tx).await?;
            }
            append_audit!(self, tx, actor, "review.transition", format!("review:{review_id}"), serde_json::json!({"action": s.action, "from": s.from.as_str(), "to": s.to.as_str(), "note": s.note}).to_string());
            tx.commit().await?;
            Ok(Outcome { review_id, state: s.to, version, created: false })
        })
    }
}

/// The row a lifecycle step adds besides the state change.
enum Insert {
    Nothing,
    /// A clock event besides the step's own (the department informed on concluding).
    Event {
        event: &'static str,
        on: NaiveDate,
    },
    Meeting {
        held_on: NaiveDate,
        json: String,
    },
    Recommendation {
        meeting_id: i64,
        option: &'static str,
        json: String,
    },
    Decision {
        kind: &'static str,
        json: String,
        /// The recommendation the decision was checked against (None when there was none).
        recommendation_id: Option<i64>,
    },
}
