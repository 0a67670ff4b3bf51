//! Operations commands: retention and destruction (with legal holds), backup and restore.

use anyhow::{bail, Context, Result};
use casereview_store::{Actor, Store};
use chrono::NaiveDate;
use clap::Subcommand;
use std::path::Path;

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// List what the retention rules make due for destruction (rule, review, item, due
    /// since) and, unless --dry-run, destroy it, certifying each destruction in the audit log.
    Run {
        /// List only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The email of the board chair or board manager who authorises the destruction
        /// (required unless --dry-run); only their partnership's reviews are touched.
        #[arg(long)]
        authorised_by: Option<String>,
        /// The day to apply the rules on (YYYY-MM-DD); today when omitted.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Place a legal hold (criminal proceedings, a claim): no destruction for the review.
    Hold {
        /// The review: its id or its reference.
        #[arg(long)]
        review: String,
        #[arg(long)]
        reason: String,
        /// The board chair or board manager placing it.
        #[arg(long)]
        by: String,
    },
    /// Lift a legal hold, saying why.
    Lift {
        #[arg(long)]
        review: String,
        /// The hold's number (see `retention holds`).
        #[arg(long)]
        hold: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: String,
    },
    /// List the legal holds of a review.
    Holds {
        #[arg(long)]
        review: String,
    },
}

/// The actor for an authorising email: a board chair or manager, active.
async fn authoriser(store: &Store, email: &str) -> Result<Actor> {
    let Some((u, _)) = store.user_by_email(email).await? else { bail!("--authorised-by: no account has the email {email}") };
    if !u.active || !casereview_core::retention::may_authorise(u.role) {
        bail!("--authorised-by: {email} is not an active board chair or board manager (partnership admin); only they authorise destruction and legal holds");
    }
    Ok(Actor { user_id: Some(u.id), email: u.email, name: u.name, role: u.role, partnership_id: u.partnership_id })
}

async fn review_id(store: &Store, review: &str) -> Result<i64> {
    if let Some(id) = store.review_id_by_reference(review.trim()).await? {
        return Ok(id);
    }
    match review.trim().parse::<i64>() {
        Ok(id) if store.retention_facts(id).await.is_ok() => Ok(id),
        _ => bail!("--review: no review has the id or reference {review}"),
    }
}

pub async fn retention(store: &Store, cmd: &RetentionCmd) -> Result<()> {
    match cmd {
        RetentionCmd::Run { dry_run, authorised_by, today } => {
            let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let actor = match (authorised_by, dry_run) {
                (Some(e), _) => Some(authoriser(store, e).await?),
                (None, true) => None,
                (None, false) => bail!("--authorised-by EMAIL is required to destroy (or pass --dry-run to list what is due)"),
            };
            let due = store.retention_due(actor.as_ref().map(|a| a.partnership_id), today).await?;
            if due.is_empty() {
                println!("nothing is due for destruction on {today}");
                return Ok(());
            }
            println!("{:<24} {:<16} {:<40} due since", "rule", "review", "item");
            for d in &due {
                println!("{:<24} {:<16} {:<40} {}", d.rule.as_str(), d.reference, d.item.describe(), d.due_since);
            }
            if let (false, Some(actor)) = (dry_run, actor) {
                for d in &due {
                    store
                        .destroy(&actor, d, today)
                        .await
                        .with_context(|| format!("destroying {} of {}", d.item.describe(), d.reference))?;
                }
                println!("destroyed {} item(s), each certified in the audit log, authorised by {}", due.len(), actor.email);
            } else {
                println!("dry run: nothing was destroyed ({} item(s) due)", due.len());
            }
        }
        RetentionCmd::Hold { review, reason, by } => {
            let actor = authoriser(store, by).await?;
            let id = review_id(store, review).await?;
            let hold = store.place_legal_hold(&actor, id, reason).await?;
            println!("legal hold {hold} placed on {review}: nothing of it will be destroyed until it is lifted");
        }
        RetentionCmd::Lift { review, hold, reason, by } => {
            let actor = authoriser(store, by).await?;
            let id = review_id(store, review).await?;
            store.lift_legal_hold(&actor, id, *hold, reason).await?;
            println!("legal hold {hold} on {review} lifted");
        }
        RetentionCmd::Holds { review } => {
            let id = review_id(store, review).await?;
            for h in store.legal_holds(id).await? {
                let state = match (&h.lifted_by, &h.lifted_at) {
                    (Some(b), Some(a)) => format!("lifted by {b} on {} ({})", a.date_naive(), h.lift_reason.clone().unwrap_or_default()),
                    _ => "open".into(),
                };
                println!("{}  placed by {} on {}: {}  [{state}]", h.id, h.placed_by, h.placed_at.date_naive(), h.reason);
            }
        }
    }
    Ok(())
}

/// `casereview backup --out FILE`.
pub async fn backup(database_url: Option<&str>, data_dir: &Path, out: &Path) -> Result<()> {
    if database_url.is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://")) {
        bail!(
            "casereview backup copies the embedded SQLite database. For PostgreSQL use its own tools: \
             pg_dump --format=custom --file=casereview.dump DATABASE_URL, and pg_restore --clean --if-exists --dbname=DATABASE_URL casereview.dump \
             (see the README, section Operations)"
        );
    }
    if out.exists() {
        bail!("{} already exists: a backup never overwrites a file", out.display());
    }
    let store = Store::open(database_url, data_dir).await.context("opening the database")?;
    store.backup_sqlite(out).await?;
    store.close().await;
    println!("backup written to {}", out.display());
    Ok(())
}

/// `casereview restore --from FILE`.
pub async fn restore(from: &Path, data_dir: &Path, force: bool) -> Result<()> {
    let r = casereview_store::restore_sqlite(from, data_dir, force).await?;
    println!("restored {} into {} (integrity checked; audit log intact: {} events)", from.display(), r.path.display(), r.audit_events);
    Ok(())
}
