//! Monitoring the action plan to conclusion (issue 7 item 3): what the lifecycle's
//! Conclude step and the board manager's escalations need, read from the plan that
//! `actions.rs` keeps.

use crate::{on_pool, Store, StoreError};

impl Store {
    /// How many actions of the review's plan are not yet signed off by the board.
    pub async fn actions_not_signed_off(&self, review_id: i64) -> Result<usize, StoreError> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM plan_actions WHERE review_id = $1 AND rag <> 'signed_off'").bind(review_id).fetch_one(pool).await?);
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
