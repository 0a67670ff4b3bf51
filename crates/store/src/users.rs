//! Partnerships, agencies, user accounts, sessions and API tokens.

use crate::audit::append_audit;
use crate::{now, on_pool, Actor, Store, StoreError};
use casereview_core::{AgencyDirectory, FieldErrors, Role};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Largest logo accepted (a logo is a small picture; this keeps every rendering small).
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Partnership {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Prefix of review references, e.g. `NSCP`.
    pub short_code: String,
    pub ruleset: String,
    /// Partner organisations a screening meeting needs (001 §2.2.1: three).
    pub quorum: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Agency {
    pub id: i64,
    pub partnership_id: i64,
    pub name: String,
    /// A partner organisation of the board (counts towards the quorum).
    pub partner: bool,
}

/// An account as the application sees it (never with its password hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub partnership_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    partnership_id: i64,
    email: String,
    name: String,
    role: String,
    agency_id: Option<i64>,
    active: bool,
    password_hash: String,
}

impl UserRow {
    fn into_user(self) -> Result<(User, String), StoreError> {
        let role = self.role.parse::<Role>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((
            User {
                id: self.id,
                partnership_id: self.partnership_id,
                email: self.email,
                name: self.name,
                role,
                agency_id: self.agency_id,
                active: self.active,
            },
            self.password_hash,
        ))
    }
}

const USER_COLS: &str = "id, partnership_id, email, name, role, agency_id, active, password_hash";

impl User {
    /// The actor for writes made by this user.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            partnership_id: self.partnership_id,
        }
    }
}

/// A new account; the password is already hashed by the caller (argon2id in the web crate).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub partnership_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency: Option<String>,
    pub password_hash: String,
}

impl Store {
    /// Creates a partnership, or returns the existing one with that slug (so the demo
    /// loader can run twice).
    pub async fn ensure_partnership(
        &self,
        actor_email: &str,
        slug: &str,
        name: &str,
        short_code: &str,
        ruleset: &str,
    ) -> Result<(Partnership, bool), StoreError> {
        if let Some(p) = self.partnership_by_slug(slug).await? {
            return Ok((p, false));
        }
        let _w = self.writer().await;
        let at = now();
        let p: Partnership = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let p: Partnership = sqlx::query_as("INSERT INTO partnerships (slug, name, short_code, ruleset, quorum, created_at) VALUES ($1, $2, $3, $4, 3, $5) RETURNING id, slug, name, short_code, ruleset, quorum")
                .bind(slug).bind(name).bind(short_code).bind(ruleset).bind(at).fetch_one(&mut *tx).await?;
            let actor = Actor { user_id: None, email: actor_email.to_string(), name: String::new(), role: Role::PartnershipAdmin, partnership_id: p.id };
            append_audit!(self, tx, actor, "partnership.create", format!("partnership:{}", p.id), serde_json::json!({"slug": slug, "name": name, "ruleset": ruleset}).to_string());
            tx.commit().await?;
            p
        });
        Ok((p, true))
    }

    pub async fn partnership_by_slug(&self, slug: &str) -> Result<Option<Partnership>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, slug, name, short_code, ruleset, quorum FROM partnerships WHERE slug = $1").bind(slug).fetch_optional(pool).await?),
        )
    }

    pub async fn partnership(&self, id: i64) -> Result<Partnership, StoreError> {
        let p: Option<Partnership> = on_pool!(self, pool => sqlx::query_as("SELECT id, slug, name, short_code, ruleset, quorum FROM partnerships WHERE id = $1").bind(id).fetch_optional(pool).await?);
        p.ok_or_else(|| StoreError::NotFound(format!("partnership {id}")))
    }

    pub async fn partnerships(&self) -> Result<Vec<Partnership>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, slug, name, short_code, ruleset, quorum FROM partnerships ORDER BY id").fetch_all(pool).await?),
        )
    }

    /// The partnership's logo: its kind (`svg` or `png`) and bytes.
    pub async fn partnership_logo(&self, id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> = on_pool!(self, pool => sqlx::query_as("SELECT logo_kind, logo FROM partnerships WHERE id = $1").bind(id).fetch_optional(pool).await?);
        Ok(match row {
            Some((Some(kind), Some(bytes))) => Some((kind, bytes)),
            _ => None,
        })
    }

    /// Sets (or with `None` removes) the partnership's logo, audited. The caller has checked
    /// that the picture is a PNG or SVG the renderers accept.
    pub async fn set_partnership_logo(&self, actor: &Actor, id: i64, logo: Option<(&str, &[u8])>) -> Result<(), StoreError> {
        if let Some((kind, bytes)) = logo {
            if !matches!(kind, "svg" | "png") {
                return Err(FieldErrors::single("logo", "The logo must be an SVG or PNG picture").into());
            }
            if bytes.len() > MAX_LOGO_BYTES {
                return Err(FieldErrors::single(
                    "logo",
                    format!("The logo is {} bytes; at most {MAX_LOGO_BYTES} are accepted", bytes.len()),
                )
                .into());
            }
        }
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE partnerships SET logo_kind = $1, logo = $2 WHERE id = $3").bind(logo.map(|(k, _)| k)).bind(logo.map(|(_, b)| b)).bind(id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("partnership {id}")));
            }
            append_audit!(self, tx, actor, "partnership.logo", format!("partnership:{id}"), serde_json::json!({"kind": logo.map(|(k, _)| k), "bytes": logo.map(|(_, b)| b.len())}).to_string());
            tx.commit().await?;
            Ok(())
        })
    }

    /// Adds an agency unless one of that name exists; returns it either way.
    pub async fn ensure_agency(&self, actor: &Actor, name: &str, partner: bool) -> Result<Agency, StoreError> {
        let existing = self.agencies(actor.partnership_id).await?.into_iter().find(|a| a.name.eq_ignore_ascii_case(name));
        if let Some(a) = existing {
            return Ok(a);
        }
        let _w = self.writer().await;
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let a: Agency = sqlx::query_as("INSERT INTO agencies (partnership_id, name, partner) VALUES ($1, $2, $3) RETURNING id, partnership_id, name, partner")
                .bind(actor.partnership_id).bind(name).bind(partner).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "agency.create", format!("agency:{}", a.id), serde_json::json!({"name": name, "partner": partner}).to_string());
            tx.commit().await?;
            a
        }))
    }

    pub async fn agencies(&self, partnership_id: i64) -> Result<Vec<Agency>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_as("SELECT id, partnership_id, name, partner FROM agencies WHERE partnership_id = $1 ORDER BY name").bind(partnership_id).fetch_all(pool).await?),
        )
    }

    /// The partnership's agencies as the domain's lookup table.
    pub async fn agency_directory(&self, partnership_id: i64) -> Result<AgencyDirectory, StoreError> {
        let agencies = self.agencies(partnership_id).await?;
        Ok(casereview_core::agency_directory(agencies.iter().map(|a| (a.name.as_str(), a.partner))))
    }

    /// Creates an account. The email must be new; the agency, when given, must exist.
    pub async fn create_user(&self, actor: &Actor, u: &NewUser) -> Result<User, StoreError> {
        let email = u.email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(FieldErrors::single("email", "Enter an email address like name@example.org").into());
        }
        if u.name.trim().is_empty() {
            return Err(FieldErrors::single("name", "Enter the person's name").into());
        }
        let agency_id = match &u.agency {
            None => None,
            Some(name) => {
                let a = self.agencies(u.partnership_id).await?.into_iter().find(|a| a.name.eq_ignore_ascii_case(name.trim()));
                match a {
                    Some(a) => Some(a.id),
                    None => return Err(FieldErrors::single("agency", format!("'{name}' is not an agency of this partnership")).into()),
                }
            }
        };
        if self.user_by_email(&email).await?.is_some() {
            return Err(StoreError::Duplicate(format!("an account for {email} already exists")));
        }
        let _w = self.writer().await;
        let at = now();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO users (partnership_id, email, name, role, agency_id, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING id")
                .bind(u.partnership_id).bind(&email).bind(u.name.trim()).bind(u.role.as_str()).bind(agency_id).bind(&u.password_hash).bind(at)
                .fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "user.create", format!("user:{id}"), serde_json::json!({"email": email, "role": u.role.as_str(), "agency": u.agency}).to_string());
            tx.commit().await?;
            id
        });
        self.user(id).await
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE id = $1")).bind(id).fetch_optional(pool).await?);
        Ok(row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?.into_user()?.0)
    }

    /// The account and its password hash, for sign-in.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE email = $1")).bind(email.trim().to_lowercase()).fetch_optional(pool).await?);
        row.map(UserRow::into_user).transpose()
    }

    pub async fn users(&self, partnership_id: i64) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE partnership_id = $1 ORDER BY name")).bind(partnership_id).fetch_all(pool).await?);
        rows.into_iter().map(|r| r.into_user().map(|(u, _)| u)).collect()
    }

    pub async fn set_password_hash(&self, actor: &Actor, user_id: i64, hash: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user_id).execute(&mut *tx).await?;
            // Existing sessions, API tokens and calendar links end when the password changes.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "user.password", format!("user:{user_id}"), "{}".to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a new session (the token itself never reaches the database, only its hash)
    /// and records the sign-in.
    pub async fn create_session(&self, user: &User, token_hash: &str, csrf: &str, expires: DateTime<Utc>) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        let actor = user.actor();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(at).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(token_hash).bind(user.id).bind(csrf).bind(at).bind(expires).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "session.sign_in", format!("user:{}", user.id), "{}".to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// The user and CSRF token of a live session.
    pub async fn session(&self, token_hash: &str) -> Result<Option<(User, String)>, StoreError> {
        let at = now();
        let row: Option<(i64, String)> = on_pool!(self, pool => sqlx::query_as("SELECT user_id, csrf_token FROM sessions WHERE token_hash = $1 AND expires_at > $2").bind(token_hash).bind(at).fetch_optional(pool).await?);
        match row {
            None => Ok(None),
            Some((uid, csrf)) => {
                let u = self.user(uid).await?;
                Ok(u.active.then_some((u, csrf)))
            }
        }
    }

    pub async fn delete_session(&self, user: &User, token_hash: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let actor = user.actor();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
            append_audit!(self, tx, actor, "session.sign_out", format!("user:{}", user.id), "{}".to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores an API token's hash.
    pub async fn create_api_token(&self, actor: &Actor, user: &User, token_hash: &str, label: &str) -> Result<(), StoreError> {
        let _w = self.writer().await;
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as("INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(user.id).bind(token_hash).bind(label).bind(at).fetch_one(&mut *tx).await?;
            append_audit!(self, tx, actor, "api_token.create", format!("user:{}", user.id), serde_json::json!({"token_id": id, "label": label}).to_string());
            tx.commit().await?;
        });
        Ok(())
    }

    /// Revokes every API token of a user; returns how many there were.
    pub async fn revoke_api_tokens(&self, actor: &Actor, user: &User) -> Result<u64, StoreError> {
        let _w = self.writer().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?.rows_affected();
            append_audit!(self, tx, actor, "api_token.revoke", format!("user:{}", user.id), serde_json::json!({"revoked": n}).to_string());
            tx.commit().await?;
            Ok(n)
        })
    }

    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT user_id FROM api_tokens WHERE token_hash = $1").bind(token_hash).fetch_optional(pool).await?);
        match row {
            None => Ok(None),
            Some((uid,)) => {
                let u = self.user(uid).await?;
                Ok(u.active.then_some(u))
            }
        }
    }
}
