//! The family and household of a review, the data of its genogram
//! (`casereview_core::genogram::Family`): kept as JSON, every save a new version that is
//! never overwritten, a stale save refused with what changed since.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::genogram::Family;
use casereview_core::FieldErrors;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most people one family may hold (a genogram larger than this is no longer readable).
pub const MAX_FAMILY_PEOPLE: usize = 60;
/// Most relationships one family may hold.
pub const MAX_FAMILY_RELATIONSHIPS: usize = 200;
/// Longest name or label of a person.
pub const MAX_PERSON_LABEL: usize = 100;
/// Longest id of a person (ids are made by the application, not typed).
pub const MAX_PERSON_ID: usize = 40;
/// Oldest age in years accepted.
pub const MAX_PERSON_AGE: u32 = 120;

/// The current family of a review.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyRecord {
    pub review_id: i64,
    pub family: Family,
    /// 1 for the first save, one more for each save after it.
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// One saved version of a review's family.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyVersion {
    pub version: i64,
    pub family: Family,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

/// The error path of the person or relationship a message of `Family::validate` is about
/// (it names the person as "Name (id): ..." or the relationship as "relationship 3 ...").
fn field_of(family: &Family, message: &str) -> String {
    for (i, p) in family.people.iter().enumerate() {
        if message.starts_with(&format!("{} ({}):", p.name, p.id)) || message.starts_with(&format!("{} (person {}):", p.name, i + 1)) {
            return format!("people[{i}]");
        }
    }
    if let Some(rest) = message.strip_prefix("relationship ") {
        if let Some(n) = rest.split(' ').next().and_then(|n| n.parse::<usize>().ok()) {
            return format!("relationships[{}]", n.saturating_sub(1));
        }
    }
    "family".into()
}

/// Checks a family before it is saved: the limits, the labels, ids and ages, then the
/// genogram's own rules (`Family::validate`), each error naming the person or relationship.
pub fn check_family(family: &Family) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if family.people.len() > MAX_FAMILY_PEOPLE {
        e.push("people", format!("A family can have at most {MAX_FAMILY_PEOPLE} people; this one has {}", family.people.len()));
    }
    if family.relationships.len() > MAX_FAMILY_RELATIONSHIPS {
        e.push(
            "relationships",
            format!("A family can have at most {MAX_FAMILY_RELATIONSHIPS} relationships; this one has {}", family.relationships.len()),
        );
    }
    if !e.is_empty() {
        return Err(e);
    }
    for (i, p) in family.people.iter().enumerate() {
        let n = i + 1;
        if p.name.trim().is_empty() {
            e.push(format!("people[{i}].name"), format!("Person {n}: enter their name or a label such as \"Mother\""));
        } else if p.name.chars().count() > MAX_PERSON_LABEL {
            e.push(
                format!("people[{i}].name"),
                format!("Person {n} ({}): the name must be {MAX_PERSON_LABEL} characters or fewer", p.name),
            );
        }
        if p.id.chars().count() > MAX_PERSON_ID || !p.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            e.push(
                format!("people[{i}].id"),
                format!("Person {n} ({}): the id must be letters, digits, - or _ (at most {MAX_PERSON_ID})", p.name),
            );
        }
        if p.age.is_some_and(|a| a > MAX_PERSON_AGE) {
            e.push(format!("people[{i}].age"), format!("Person {n} ({}): the age must be {MAX_PERSON_AGE} or less", p.name));
        }
    }
    if let Err(messages) = family.validate() {
        for m in messages {
            e.push(field_of(family, &m), m);
        }
    }
    e.into_result(())
}

/// What differs between two versions, for the message of a stale save: the people added,
/// removed or changed (by name), and whether the relationships changed.
fn changes(base: &Family, current: &Family) -> Vec<String> {
    let by_id = |f: &Family| f.people.iter().map(|p| (p.id.clone(), p.clone())).collect::<BTreeMap<_, _>>();
    let (old, new) = (by_id(base), by_id(current));
    let mut out = Vec::new();
    for (id, p) in &new {
        match old.get(id) {
            None => out.push(format!("{} (added)", p.name)),
            Some(o) if o != p => out.push(p.name.clone()),
            Some(_) => {}
        }
    }
    for (id, p) in &old {
        if !new.contains_key(id) {
            out.push(format!("{} (removed)", p.name));
        }
    }
    if base.relationships != current.relationships {
        out.push("the relationships".into());
    }
    if out.is_empty() && base.people != current.people {
        out.push("the order of the people".into());
    }
    out
}

#[derive(sqlx::FromRow)]
struct Row {
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
    family: String,
}

impl Store {
    /// The review's family and household, if one has been saved.
    pub async fn family(&self, review_id: i64) -> Result<Option<FamilyRecord>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT f.version, f.updated_by, f.updated_at, v.family FROM families f \
             JOIN family_versions v ON v.review_id = f.review_id AND v.version = f.version WHERE f.review_id = $1"
        ).bind(review_id).fetch_optional(pool).await?);
        row.map(|r| {
            Ok(FamilyRecord {
                review_id,
                family: serde_json::from_str(&r.family)?,
                version: r.version,
                updated_by: r.updated_by,
                updated_at: r.updated_at,
            })
        })
        .transpose()
    }

    /// Every saved version of the review's family, oldest first.
    pub async fn family_versions(&self, review_id: i64) -> Result<Vec<FamilyVersion>, StoreError> {
        let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT version, family, saved_by, saved_at FROM family_versions WHERE review_id = $1 ORDER BY version"
        ).bind(review_id).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(version, f, saved_by, saved_at)| Ok(FamilyVersion { version, family: serde_json::from_str(&f)?, saved_by, saved_at }))
            .collect()
    }

    /// Saves a new version of the review's family (the first save creates it) after
    /// [`check_family`]. `expected_version` is the version the editor opened (0 when none
    /// was saved); a stale save is refused with who saved since and what they changed.
    /// The version and its audit event are written in one transaction.
    pub async fn save_family(
        &self,
        actor: &Actor,
        review_id: i64,
        expected_version: i64,
        family: &Family,
    ) -> Result<FamilyRecord, StoreError> {
        check_family(family)?;
        let json = serde_json::to_string(family)?;
        let _w = self.writer().await;
        let at = now();
        let version = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM reviews WHERE id = $1").bind(review_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("review {review_id}")));
            }
            let lock = if self.is_pg() { " FOR UPDATE" } else { "" };
            let row: Option<(i64, String, DateTime<Utc>)> = sqlx::query_as(&format!("SELECT version, updated_by, updated_at FROM families WHERE review_id = $1{lock}"))
                .bind(review_id).fetch_optional(&mut *tx).await?;
            let current = row.as_ref().map_or(0, |r| r.0);
            if current != expected_version {
                let Some((_, by, when)) = row else {
                    return Err(StoreError::Conflict { yours: expected_version, current: 0, by: "nobody".into(), at: String::new(), changed: vec!["no family has been saved yet".into()] });
                };
                let load = |v: String| serde_json::from_str::<Family>(&v);
                let (now_saved,): (String,) = sqlx::query_as("SELECT family FROM family_versions WHERE review_id = $1 AND version = $2").bind(review_id).bind(current).fetch_one(&mut *tx).await?;
                let base: Option<(String,)> = sqlx::query_as("SELECT family FROM family_versions WHERE review_id = $1 AND version = $2").bind(review_id).bind(expected_version).fetch_optional(&mut *tx).await?;
                let base = match base {
                    Some((b,)) => load(b)?,
                    None => Family::default(),
                };
                let changed = changes(&base, &load(now_saved)?);
                return Err(StoreError::Conflict { yours: expected_version, current, by, at: when.format("%d/%m/%Y %H:%M").to_string(), changed });
            }
            let version = current + 1;
            if current == 0 {
                sqlx::query("INSERT INTO families (review_id, version, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
                    .bind(review_id).bind(version).bind(at).bind(&actor.name).execute(&mut *tx).await?;
            } else {
                sqlx::query("UPDATE families SET version = $1, updated_at = $2, updated_by = $3 WHERE review_id = $4")
                    .bind(version).bind(at).bind(&actor.name).bind(review_id).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO family_versions (review_id, version, family, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(review_id).bind(version).bind(&json).bind(&actor.name).bind(at).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "family.save", format!("review:{review_id}"), serde_json::json!({"version": version, "people": family.people.len(), "relationships": family.relationships.len()}).to_string());
            tx.commit().await?;
            Ok::<i64, StoreError>(version)
        })?;
        Ok(FamilyRecord { review_id, family: family.clone(), version, updated_by: actor.name.clone(), updated_at: at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casereview_core::genogram::{Person, Relationship, Sex};

    #[test]
    fn errors_name_the_person() {
        let mut f = Family {
            people: vec![
                Person::new("a", "Mother", Sex::Female),
                Person::new("b", "Father", Sex::Male),
                Person::new("c", "Uncle", Sex::Male),
                Person::new("d", "Child", Sex::Unknown),
            ],
            relationships: vec![Relationship::parent("a", "d"), Relationship::parent("b", "d"), Relationship::parent("c", "d")],
        };
        let Err(e) = check_family(&f) else { panic!("three biological parents must be refused") };
        assert_eq!(e.0[0].field, "people[3]");
        assert!(e.0[0].message.starts_with("Child (d):"), "{}", e.0[0].message);
        f.relationships.pop();
        assert!(check_family(&f).is_ok());
        f.people[1].name = " ".into();
        f.people[2].id = "no spaces".into();
        let Err(e) = check_family(&f) else { panic!("a blank label must be refused") };
        assert_eq!(e.0.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(), ["people[1].name", "people[2].id"]);
        f.people = (0..=MAX_FAMILY_PEOPLE).map(|i| Person::new(&format!("p{i}"), "X", Sex::Unknown)).collect();
        f.relationships.clear();
        let Err(e) = check_family(&f) else { panic!("too many people") };
        assert!(e.0[0].message.contains("at most 60 people"));
    }

    #[test]
    fn changes_name_who_was_added_removed_and_changed() {
        let base =
            Family { people: vec![Person::new("a", "Mother", Sex::Female), Person::new("b", "Father", Sex::Male)], relationships: vec![] };
        let mut now = base.clone();
        now.people[0].in_household = true;
        now.people.remove(1);
        now.people.push(Person::new("c", "Aunt", Sex::Female));
        now.relationships.push(Relationship::parent("a", "c"));
        assert_eq!(changes(&base, &now), ["Mother", "Aunt (added)", "Father (removed)", "the relationships"]);
    }
}
