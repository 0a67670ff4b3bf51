//! Structured records a review's panel keeps and revises (issue 9): the scoping answers,
//! the family's involvement, the joint-review arrangement and the Ofsted form (one of each
//! per review), and parallel proceedings, meetings and notifications (many). Each is a
//! casereview-core type saved as JSON; every save is a new version, never overwritten, and a
//! save from a stale page is refused. The domain type says what is valid ([`RecordBody::check`]).

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::involvement::FamilyInvolvement;
use casereview_core::meetings::Meeting;
use casereview_core::notifications::{Notification, OfstedNotification};
use casereview_core::proceedings::Proceeding;
use casereview_core::scoping::{JointReview, Scoping};
use casereview_core::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Most bytes of one record's JSON (a meeting with its minutes is the largest).
pub const MAX_RECORD_BYTES: usize = 512 * 1024;

/// A domain type kept as a review record.
pub trait RecordBody: Serialize + DeserializeOwned + Clone + Send + Sync {
    /// The stored kind, also the audit action's prefix.
    const KIND: &'static str;
    /// One per review (saving replaces the current version) rather than a list.
    const SINGLE: bool;
    /// Whether the record may be saved as it is.
    fn check(&self, today: NaiveDate) -> Result<(), FieldErrors>;
}

impl RecordBody for Scoping {
    const KIND: &'static str = "scoping";
    const SINGLE: bool = true;
    fn check(&self, _today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate()
    }
}

impl RecordBody for FamilyInvolvement {
    const KIND: &'static str = "involvement";
    const SINGLE: bool = true;
    fn check(&self, _today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate()
    }
}

impl RecordBody for JointReview {
    const KIND: &'static str = "joint_review";
    const SINGLE: bool = true;
    fn check(&self, _today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate()
    }
}

impl RecordBody for OfstedNotification {
    const KIND: &'static str = "ofsted_notification";
    const SINGLE: bool = true;
    fn check(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate(today)
    }
}

impl RecordBody for Proceeding {
    const KIND: &'static str = "proceeding";
    const SINGLE: bool = false;
    fn check(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate(today)
    }
}

impl RecordBody for Meeting {
    const KIND: &'static str = "meeting";
    const SINGLE: bool = false;
    fn check(&self, _today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate()
    }
}

impl RecordBody for Notification {
    const KIND: &'static str = "notification";
    const SINGLE: bool = false;
    fn check(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        self.validate(today)
    }
}

/// The current version of one record.
#[derive(Debug, Clone, Serialize)]
pub struct Record<T> {
    pub id: i64,
    pub review_id: i64,
    pub version: i64,
    pub body: T,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// One saved version of a record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordVersion<T> {
    pub version: i64,
    pub body: T,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    review_id: i64,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
    body: String,
}

impl<T: RecordBody> TryFrom<Row> for Record<T> {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(Record {
            id: r.id,
            review_id: r.review_id,
            version: r.version,
            body: serde_json::from_str(&r.body)?,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        })
    }
}

/// The current bodies of a review's records of one kind ($1 the review, $2 the kind), for
/// reads that must happen inside another write's transaction.
pub(crate) const CURRENT_BODIES: &str =
    "SELECT v.body FROM review_records r JOIN review_record_versions v ON v.record_id = r.id AND v.version = r.version \
     WHERE r.review_id = $1 AND r.kind = $2 ORDER BY r.id";

const SELECT: &str = "SELECT r.id, r.review_id, r.version, r.updated_by, r.updated_at, v.body FROM review_records r \
     JOIN review_record_versions v ON v.record_id = r.id AND v.version = r.version";

impl Store {
    /// The review's records of one kind, oldest first.
    pub async fn records<T: RecordBody>(&self, review_id: i64) -> Result<Vec<Record<T>>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(&format!("{SELECT} WHERE r.review_id = $1 AND r.kind = $2 ORDER BY r.id"))
            .bind(review_id).bind(T::KIND).fetch_all(pool).await?);
        rows.into_iter().map(Record::try_from).collect()
    }

    /// One record of the review, or NotFound (also when it belongs to another review).
    pub async fn record<T: RecordBody>(&self, review_id: i64, id: i64) -> Result<Record<T>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(&format!("{SELECT} WHERE r.id = $1 AND r.review_id = $2 AND r.kind = $3"))
            .bind(id).bind(review_id).bind(T::KIND).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::NotFound(format!("{} {id}", T::KIND)))?.try_into()
    }

    /// The review's one record of a single kind, if saved.
    pub async fn single_record<T: RecordBody>(&self, review_id: i64) -> Result<Option<Record<T>>, StoreError> {
        Ok(self.records::<T>(review_id).await?.into_iter().next())
    }

    /// Every version of a record, oldest first.
    pub async fn record_versions<T: RecordBody>(&self, review_id: i64, id: i64) -> Result<Vec<RecordVersion<T>>, StoreError> {
        self.record::<T>(review_id, id).await?;
        let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT version, body, saved_by, saved_at FROM review_record_versions WHERE record_id = $1 ORDER BY version"
        ).bind(id).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(version, b, saved_by, saved_at)| Ok(RecordVersion { version, body: serde_json::from_str(&b)?, saved_by, saved_at }))
            .collect()
    }

    /// Saves a record: a new one when `id` is None (for a single kind, the review's existing
    /// one if any), else a new version of record `id`. `expected_version` is the version the
    /// editor opened (0 for a new record); a stale save is refused. Checked by the domain
    /// first; the version and its audit event are written in one transaction.
    pub async fn save_record<T: RecordBody>(
        &self,
        actor: &Actor,
        review_id: i64,
        id: Option<i64>,
        expected_version: i64,
        body: &T,
        today: NaiveDate,
    ) -> Result<Record<T>, StoreError> {
        body.check(today)?;
        let json = serde_json::to_string(body)?;
        if json.len() > MAX_RECORD_BYTES {
            return Err(FieldErrors::single(T::KIND, format!("The record is too large: at most {} KB", MAX_RECORD_BYTES / 1024)).into());
        }
        let _w = self.writer().await;
        let at = now();
        let (rid, version) = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM reviews WHERE id = $1").bind(review_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("review {review_id}")));
            }
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let existing: Option<(i64, i64, String, DateTime<Utc>)> = match (id, T::SINGLE) {
                (Some(id), _) => {
                    let row = sqlx::query_as(&format!("SELECT id, version, updated_by, updated_at FROM review_records WHERE id = $1 AND review_id = $2 AND kind = $3{lock}"))
                        .bind(id).bind(review_id).bind(T::KIND).fetch_optional(&mut *tx).await?;
                    if row.is_none() {
                        return Err(StoreError::NotFound(format!("{} {id}", T::KIND)));
                    }
                    row
                }
                (None, true) => sqlx::query_as(&format!("SELECT id, version, updated_by, updated_at FROM review_records WHERE review_id = $1 AND kind = $2{lock}"))
                    .bind(review_id).bind(T::KIND).fetch_optional(&mut *tx).await?,
                (None, false) => None,
            };
            let current = existing.as_ref().map_or(0, |e| e.1);
            if current != expected_version {
                let (by, when) = existing.map(|e| (e.2, e.3.format("%d/%m/%Y %H:%M").to_string())).unwrap_or_default();
                return Err(StoreError::Conflict { yours: expected_version, current, by, at: when, changed: vec![format!("the {}", T::KIND.replace('_', " "))] });
            }
            let version = current + 1;
            let rid = match existing {
                Some((rid, ..)) => {
                    sqlx::query("UPDATE review_records SET version = $1, updated_by = $2, updated_at = $3 WHERE id = $4")
                        .bind(version).bind(&actor.name).bind(at).bind(rid).execute(&mut *tx).await?;
                    rid
                }
                None => {
                    let (rid,): (i64,) = sqlx::query_as("INSERT INTO review_records (review_id, kind, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                        .bind(review_id).bind(T::KIND).bind(version).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
                    rid
                }
            };
            sqlx::query("INSERT INTO review_record_versions (record_id, version, body, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(rid).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, &format!("{}.save", T::KIND), format!("review:{review_id}"), serde_json::json!({"record": rid, "version": version}).to_string());
            tx.commit().await?;
            Ok::<(i64, i64), StoreError>((rid, version))
        })?;
        Ok(Record { id: rid, review_id, version, body: body.clone(), updated_by: actor.name.clone(), updated_at: at })
    }
}

/// Largest paper a meeting may carry.
pub const MAX_PAPER_BYTES: usize = 20 * 1024 * 1024;

/// The kinds of file a paper may be, told by their first bytes (never by the name alone):
/// (media type, extensions, magic).
const PAPER_TYPES: &[(&str, &[&str], &[u8])] = &[
    ("application/pdf", &["pdf"], b"%PDF-"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"], b"PK\x03\x04"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"], b"PK\x03\x04"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"], b"PK\x03\x04"),
    ("image/png", &["png"], b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", &["jpg", "jpeg"], b"\xff\xd8\xff"),
];

/// The media type of an uploaded paper, or the reason it is refused (field `file`).
pub fn paper_type(file_name: &str, bytes: &[u8]) -> Result<&'static str, FieldErrors> {
    if bytes.is_empty() {
        return Err(FieldErrors::single("file", "Choose a file: the one chosen is empty"));
    }
    if bytes.len() > MAX_PAPER_BYTES {
        return Err(FieldErrors::single("file", format!("The file must be smaller than {} MB", MAX_PAPER_BYTES / (1024 * 1024))));
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    PAPER_TYPES
        .iter()
        .find(|(_, exts, magic)| exts.contains(&ext.as_str()) && bytes.starts_with(magic))
        .map(|(t, _, _)| *t)
        .ok_or_else(|| FieldErrors::single("file", "The file must be a PDF, Word, Excel or PowerPoint document, or a PNG or JPEG picture"))
}

/// A stored meeting paper.
#[derive(Debug, Clone)]
pub struct MeetingPaper {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

impl Store {
    /// Adds an uploaded paper to a meeting: the file and a new version of the meeting
    /// listing it with the date it was circulated, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_meeting_paper(
        &self,
        actor: &Actor,
        review_id: i64,
        meeting_id: i64,
        expected_version: i64,
        title: &str,
        circulated_on: Option<NaiveDate>,
        file_name: &str,
        bytes: &[u8],
        today: NaiveDate,
    ) -> Result<Record<Meeting>, StoreError> {
        let mut e = FieldErrors::new();
        if title.trim().is_empty() {
            e.push("title", "Enter the paper's title");
        }
        let media_type = match paper_type(file_name, bytes) {
            Ok(t) => Some(t),
            Err(x) => {
                e.0.extend(x.0);
                None
            }
        };
        let (Some(media_type), true) = (media_type, e.is_empty()) else { return Err(e.into()) };
        let current = self.record::<Meeting>(review_id, meeting_id).await?;
        let mut m = current.body.clone();
        m.papers.push(casereview_core::meetings::Paper { title: title.trim().to_string(), circulated_on, file: None });
        m.check(today)?;
        use sha2::Digest;
        let sha = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let _w = self.writer().await;
        let at = now();
        let version = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let (v, by, when): (i64, String, DateTime<Utc>) = sqlx::query_as(&format!("SELECT version, updated_by, updated_at FROM review_records WHERE id = $1 AND review_id = $2{lock}"))
                .bind(meeting_id).bind(review_id).fetch_one(&mut *tx).await?;
            if v != expected_version {
                return Err(StoreError::Conflict { yours: expected_version, current: v, by, at: when.format("%d/%m/%Y %H:%M").to_string(), changed: vec!["the meeting".into()] });
            }
            let (pid,): (i64,) = sqlx::query_as("INSERT INTO meeting_papers (record_id, file_name, media_type, size_bytes, sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(meeting_id).bind(file_name).bind(media_type).bind(bytes.len() as i64).bind(&sha).bind(bytes).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
            if let Some(p) = m.papers.last_mut() {
                p.file = Some(pid);
            }
            let version = v + 1;
            let json = serde_json::to_string(&m)?;
            sqlx::query("UPDATE review_records SET version = $1, updated_by = $2, updated_at = $3 WHERE id = $4").bind(version).bind(&actor.name).bind(at).bind(meeting_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO review_record_versions (record_id, version, body, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(meeting_id).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "meeting.paper_added", format!("review:{review_id}"), serde_json::json!({"record": meeting_id, "paper": pid, "sha256": sha, "bytes": bytes.len()}).to_string());
            tx.commit().await?;
            Ok::<i64, StoreError>(version)
        })?;
        Ok(Record { id: meeting_id, review_id, version, body: m, updated_by: actor.name.clone(), updated_at: at })
    }

    /// A meeting's stored paper (the caller checks who may read it and audits the read).
    pub async fn meeting_paper(&self, review_id: i64, meeting_id: i64, paper_id: i64) -> Result<MeetingPaper, StoreError> {
        self.record::<Meeting>(review_id, meeting_id).await?;
        let row: Option<(i64, String, String, Vec<u8>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, file_name, media_type, content FROM meeting_papers WHERE id = $1 AND record_id = $2"
        ).bind(paper_id).bind(meeting_id).fetch_optional(pool).await?);
        let (id, file_name, media_type, content) = row.ok_or_else(|| StoreError::NotFound(format!("paper {paper_id}")))?;
        Ok(MeetingPaper { id, file_name, media_type, content })
    }
}
