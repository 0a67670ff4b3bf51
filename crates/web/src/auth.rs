//! Sign-in, sessions, CSRF and API tokens.
//!
//! Passwords are hashed with argon2id. A session is a random token in an `HttpOnly`,
//! `SameSite=Lax` cookie; the database holds only its SHA-256, so a copy of the database
//! does not let anyone in. Each session has its own CSRF token, required on every form
//! post and, for cookie-authenticated API writes, in the `X-CSRF-Token` header. Scripts
//! use `Authorization: Bearer <token>` (created with `casereview token create`).

use crate::error::{ApiError, WebError};
use crate::SharedState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Redirect, Response};
use casereview_store::User;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "cr_session";
/// Double-submit cookie protecting the sign-in form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "cr_login";
/// Sessions last a working day; people sign in again the next morning.
pub const SESSION_HOURS: i64 = 10;
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified against when the email is unknown so that
/// sign-in takes as long for unknown accounts as for known ones.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// The password policy: long enough, not all one character, not the email.
pub fn check_password_policy(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("The password must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if n > 256 {
        return Err("The password must be 256 characters or fewer".into());
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err("The password must not be one character repeated".into());
    }
    if password.eq_ignore_ascii_case(email) {
        return Err("The password must not be your email address".into());
    }
    Ok(())
}

/// 32 random bytes as hex.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// What the database stores of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares secrets without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// The `Set-Cookie` value for a cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, same_site: &str) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{}", if secure { "; Secure" } else { "" })
}

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    /// The session's CSRF token (none for bearer tokens, which forms never carry).
    pub csrf: Option<String>,
    /// The session token's hash (for sign-out).
    pub session_hash: Option<String>,
}

impl Authenticated {
    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        match &self.csrf {
            Some(c) if constant_time_eq(c, submitted) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }

    pub fn csrf_token(&self) -> String {
        self.csrf.clone().unwrap_or_default()
    }
}

/// Finds the caller from a bearer token or the session cookie.
pub async fn authenticate(parts: &Parts, state: &SharedState) -> Result<Option<Authenticated>, WebError> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let value = auth.to_str().map_err(|_| WebError::Unauthenticated)?;
        let token = value.strip_prefix("Bearer ").ok_or(WebError::Unauthenticated)?;
        let user = state.store.user_by_api_token(&token_hash(token.trim())).await?;
        return match user {
            Some(user) => Ok(Some(Authenticated { user, csrf: None, session_hash: None })),
            // A wrong token is an error, not an anonymous request.
            None => Err(WebError::Unauthenticated),
        };
    }
    let Some(token) = cookie(parts, SESSION_COOKIE) else { return Ok(None) };
    let hash = token_hash(&token);
    Ok(state.store.session(&hash).await?.map(|(user, csrf)| Authenticated { user, csrf: Some(csrf), session_hash: Some(hash) }))
}

/// A signed-in person on a page; anyone else is sent to sign in.
pub struct PageUser(pub Authenticated);

impl FromRequestParts<SharedState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(Some(a)) => Ok(PageUser(a)),
            Ok(None) | Err(WebError::Unauthenticated) => {
                let back = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let back: String = url_encode(back);
                Err(Redirect::to(&format!("/sign-in?next={back}")).into_response())
            }
            Err(e) => Err(crate::pages::error_page(None, e)),
        }
    }
}

/// The caller of the API. Cookie sessions must send `X-CSRF-Token` on writes.
pub struct ApiUser(pub Authenticated);

impl FromRequestParts<SharedState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let a = authenticate(parts, state).await?.ok_or(WebError::Unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && a.csrf.is_some() {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            a.check_csrf(sent)?;
        }
        Ok(ApiUser(a))
    }
}

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-site paths are followed after sign-in (no open redirects).
/// Only printable ASCII is allowed: browsers drop tabs and newlines from URLs, so
/// `/\t/evil.example` would otherwise become `//evil.example`.
pub fn safe_next(next: &str) -> &str {
    let b = next.as_bytes();
    let printable = b.iter().all(|c| (0x21..=0x7e).contains(c));
    if printable && b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/') | Some(b'\\')) && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn policy_and_redirects() {
        assert!(check_password_policy("short", "a@b").is_err());
        assert!(check_password_policy("aaaaaaaaaaaaaaaa", "a@b").is_err());
        assert!(check_password_policy("a long enough passphrase", "a@b").is_ok());
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/reviews/1"), "/reviews/1");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
    }
}
