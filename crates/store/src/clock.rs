//! What the statutory clock needs from storage: a partnership's closure days, step
//! overrides and "due soon" setting; extensions and waivers of a review's deadlines;
//! private calendar-feed tokens; and the record of reminders sent.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError, User};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A partnership's own adjustments to its ruleset and calendar.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClockSettings {
    pub closures: Vec<(NaiveDate, String)>,
    /// step id -> period text, e.g. ("imrs_due", "30 working days").
    pub overrides: Vec<(String, String)>,
    pub due_soon_days: i64,
}

/// An agreed extension of one deadline. The original date stays visible: each record
/// keeps the date it replaced.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Extension {
    pub review_id: i64,
    pub step: String,
    pub previous_due: NaiveDate,
    pub new_due: NaiveDate,
    /// `regulator` or `board_chair`, as the ruleset says for the step.
    pub agreed_by_role: String,
    pub agreed_by_name: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Waiver {
    pub review_id: i64,
    pub step: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

fn id_list(ids: &[i64]) -> String {
    // Ids are integers from our own rows, so inlining them is safe and keeps one query.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    pub async fn clock_settings(&self, partnership_id: i64) -> Result<ClockSettings, StoreError> {
        on_pool!(self, pool => {
            let closures: Vec<(NaiveDate, String)> = sqlx::query_as("SELECT day, name FROM partnership_closures WHERE partnership_id = $1 ORDER BY day").bind(partnership_id).fetch_all(pool).await?;
            let overrides: Vec<(String, String)> = sqlx::query_as("SELECT step, period FROM ruleset_overrides WHERE partnership_id = $1 ORDER BY step").bind(partnership_id).fetch_all(pool).await?;
            let (due_soon_days,): (i64,) = sqlx::query_as("SELECT due_soon_days FROM partnerships WHERE id = $1").bind(partnership_id).fetch_one(pool).await?;
            Ok(ClockSettings { closures, overrides, due_soon_days })
        })
    }

    /// Adds (or renames) a closure day of the partnership.
    pub async fn add_closure(&self, actor: &Actor, day: NaiveDate, name: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM partnership_closures WHERE partnership_id = $1 AND day = $2").bind(actor.partnership_id).bind(day).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO partnership_closures (partnership_id, day, name) VALUES ($1, $2, $3)").bind(actor.partnership_id).bind(day).bind(name).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "partnership.closure", format!("partnership:{}", actor.partnership_id), serde_json::json!({"day": day, "name": name}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets a step's period for the partnership (the caller checks the step and period
    /// against the ruleset first).
    pub async fn set_override(&self, actor: &Actor, step: &str, period: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM ruleset_overrides WHERE partnership_id = $1 AND step = $2").bind(actor.partnership_id).bind(step).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO ruleset_overrides (partnership_id, step, period) VALUES ($1, $2, $3)").bind(actor.partnership_id).bind(step).bind(period).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "partnership.override", format!("partnership:{}", actor.partnership_id), serde_json::json!({"step": step, "period": period}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn set_due_soon_days(&self, actor: &Actor, days: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE partnerships SET due_soon_days = $1 WHERE id = $2").bind(days).bind(actor.partnership_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "partnership.due_soon_days", format!("partnership:{}", actor.partnership_id), serde_json::json!({"days": days}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Extensions of these reviews, oldest first.
    pub async fn extensions_of(&self, ids: &[i64]) -> Result<Vec<Extension>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT review_id, step, previous_due, new_due, agreed_by_role, agreed_by_name, reason, recorded_by, recorded_at FROM deadline_extensions WHERE review_id IN ({}) ORDER BY id", id_list(ids));
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    pub async fn waivers_of(&self, ids: &[i64]) -> Result<Vec<Waiver>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT review_id, step, reason, recorded_by, recorded_at FROM deadline_waivers WHERE review_id IN ({}) ORDER BY id",
            id_list(ids)
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Records an extension (already checked by the caller against the clock: a reason,
    /// a later date, the right person agreeing).
    pub async fn add_extension(&self, actor: &Actor, e: &Extension) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO deadline_extensions (review_id, step, previous_due, new_due, agreed_by_role, agreed_by_name, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(e.review_id).bind(&e.step).bind(e.previous_due).bind(e.new_due).bind(&e.agreed_by_role).bind(&e.agreed_by_name).bind(&e.reason).bind(&actor.name).bind(at)
                .execute(&mut *tx).await?;
            // The step has a new date: its reminders start again for it.
            sqlx::query("DELETE FROM reminders_sent WHERE review_id = $1 AND step = $2").bind(e.review_id).bind(&e.step).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "deadline.extend", format!("review:{}", e.review_id), serde_json::json!({"step": e.step, "from": e.previous_due, "to": e.new_due, "agreed_by": e.agreed_by_role, "agreed_by_name": e.agreed_by_name, "reason": e.reason}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn add_waiver(&self, actor: &Actor, review_id: i64, step: &str, reason: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO deadline_waivers (review_id, step, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)").bind(review_id).bind(step).bind(reason).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "deadline.waive", format!("review:{review_id}"), serde_json::json!({"step": step, "reason": reason}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Replaces the user's calendar-feed token (the old link stops working).
    pub async fn set_calendar_feed(&self, user: &User, token_hash: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        let actor = user.actor();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)").bind(user.id).bind(token_hash).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "calendar_feed.create", format!("user:{}", user.id), "{}".to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn user_by_calendar_feed(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT user_id FROM calendar_feeds WHERE token_hash = $1").bind(token_hash).fetch_optional(pool).await?);
        match row {
            Some((id,)) => Ok(Some(self.user(id).await?).filter(|u| u.active)),
            None => Ok(None),
        }
    }

    /// Claims a reminder before it is sent: true if it was not sent before. A failed send
    /// is released with [`Store::release_reminder`] so it is tried again; a crash between
    /// claim and send loses that one reminder rather than ever sending it twice.
    pub async fn claim_reminder(&self, review_id: i64, step: &str, level: &str, user_id: i64) -> Result<bool, StoreError> {
        let _w = self.writer().await;
        let at = now();
        let n = on_pool!(self, pool => sqlx::query("INSERT INTO reminders_sent (review_id, step, level, user_id, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING").bind(review_id).bind(step).bind(level).bind(user_id).bind(at).execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    pub async fn release_reminder(&self, review_id: i64, step: &str, level: &str, user_id: i64) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => sqlx::query("DELETE FROM reminders_sent WHERE review_id = $1 AND step = $2 AND level = $3 AND user_id = $4").bind(review_id).bind(step).bind(level).bind(user_id).execute(pool).await.map(|_| ())?);
        Ok(())
    }

    /// Records that something the ruleset counts happened (e.g. Ofsted was notified), so
    /// the step it meets shows as met. The caller checks the event against the ruleset.
    pub async fn record_event(&self, actor: &Actor, review_id: i64, event: &str, on: NaiveDate) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO review_events (review_id, event, occurred_on, recorded_at) VALUES ($1, $2, $3, $4)").bind(review_id).bind(event).bind(on).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "review.event", format!("review:{review_id}"), serde_json::json!({"event": event, "on": on}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every review of every partnership that is not closed (for the reminder job).
    pub async fn open_review_ids(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, partnership_id FROM reviews WHERE state NOT IN ('concluded', 'closed_no_further_action') ORDER BY id").fetch_all(pool).await?),
        )
    }
}
