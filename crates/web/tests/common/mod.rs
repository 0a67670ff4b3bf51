//! Test harness: starts the real application on a random port with a fresh database,
//! once per backend. SQLite always; PostgreSQL when CASEREVIEW_TEST_POSTGRES_URL names a
//! server (each test creates its own database there). CI sets CASEREVIEW_REQUIRE_POSTGRES
//! so a missing server fails the run instead of quietly testing SQLite alone.
#![allow(dead_code, clippy::unwrap_used)]

use casereview_core::Role;
use casereview_store::{Actor, NewUser, Store};
use casereview_web::{auth, AppState, Config, SharedState};
use chrono::NaiveDate;
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to run against.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("CASEREVIEW_TEST_POSTGRES_URL").is_ok() {
        v.push(Backend::Postgres);
    } else if std::env::var("CASEREVIEW_REQUIRE_POSTGRES").is_ok() {
        panic!("CASEREVIEW_REQUIRE_POSTGRES is set but CASEREVIEW_TEST_POSTGRES_URL is not");
    }
    v
}

/// The fixed "today" of every test.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

pub const PASSWORD: &str = "a long test passphrase";

pub struct TestApp {
    pub base: String,
    pub state: SharedState,
    /// role -> email of the user with that role (all members of no review yet).
    pub emails: BTreeMap<Role, String>,
    /// An agency author who is never made a member of anything.
    pub outsider: String,
    pub backend: Backend,
    /// The PostgreSQL URL of this test's database.
    pub database_url: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh_store(backend: Backend) -> (Store, Option<tempfile::TempDir>, Option<String>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open_sqlite(dir.path()).await.unwrap();
            store.migrate().await.unwrap();
            (store, Some(dir), None)
        }
        Backend::Postgres => {
            let admin = std::env::var("CASEREVIEW_TEST_POSTGRES_URL").unwrap();
            let name = format!("cr_test_{}", &auth::new_token()[..12]);
            let pool = sqlx::PgPool::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.unwrap();
            pool.close().await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("bad URL"),
            };
            let store = Store::open_postgres(&url).await.unwrap();
            store.migrate().await.unwrap();
            (store, None, Some(url))
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Config::default()).await
    }

    /// As [`TestApp::spawn`], with settings (the test's today and no secure cookies always).
    pub async fn spawn_with(backend: Backend, config: Config) -> TestApp {
        let (store, dir, database_url) = fresh_store(backend).await;
        let (p, _) = store
            .ensure_partnership("test", "testshire", "Testshire Safeguarding Children Partnership", "TSCP", "medway-2008")
            .await
            .unwrap();
        let sys = Actor::system(p.id);
        for (a, partner) in
            [("Children's Social Care", true), ("Police", true), ("Health", true), ("Education", true), ("Voluntary Sector", false)]
        {
            store.ensure_agency(&sys, a, partner).await.unwrap();
        }
        // One hash for every account keeps the setup quick.
        let hash = auth::hash_password(PASSWORD).unwrap();
        let mut emails = BTreeMap::new();
        for role in Role::ALL {
            let email = format!("{}@testshire.example", role.as_str());
            store
                .create_user(
                    &sys,
                    &NewUser {
                        partnership_id: p.id,
                        email: email.clone(),
                        name: format!("Test {}", role.title()),
                        role,
                        agency: None,
                        password_hash: hash.clone(),
                    },
                )
                .await
                .unwrap();
            emails.insert(role, email);
        }
        let outsider = "outsider@testshire.example".to_string();
        store
            .create_user(
                &sys,
                &NewUser {
                    partnership_id: p.id,
                    email: outsider.clone(),
                    name: "Outside Author".into(),
                    role: Role::AgencyAuthor,
                    agency: Some("Health".into()),
                    password_hash: hash,
                },
            )
            .await
            .unwrap();
        let state = Arc::new(AppState { store, config: Config { secure_cookies: false, today: Some(today()), ..config } });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let s2 = state.clone();
        tokio::spawn(async move { casereview_web::serve(listener, s2).await });
        TestApp { base, state, emails, outsider, backend, database_url, _dir: dir }
    }

    /// The SQLite data folder of this test.
    pub fn data_dir(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().to_path_buf())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn email(&self, role: Role) -> &str {
        &self.emails[&role]
    }

    /// A bearer token for the user with this email.
    pub async fn token(&self, email: &str) -> String {
        let (u, _) = self.state.store.user_by_email(email).await.unwrap().unwrap();
        let t = format!("cr_{}", auth::new_token());
        self.state.store.create_api_token(&u.actor(), &u, &auth::token_hash(&t), "test").await.unwrap();
        t
    }

    /// An API client authenticated as the user.
    pub async fn api(&self, email: &str) -> Api {
        Api {
            base: self.base.clone(),
            token: Some(self.token(email).await),
            client: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(),
        }
    }

    pub fn anonymous_api(&self) -> Api {
        Api { base: self.base.clone(), token: None, client: reqwest::Client::builder().redirect(Policy::none()).build().unwrap() }
    }

    /// A browser-like session signed in through the sign-in form.
    pub async fn browser(&self, email: &str) -> Browser {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        let page = client.get(self.url("/sign-in")).send().await.unwrap().text().await.unwrap();
        let login_csrf = hidden(&page, "csrf_token").unwrap();
        let r = client
            .post(self.url("/sign-in"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", &login_csrf), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "sign-in of {email} failed");
        let home = client.get(self.url("/")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&home, "csrf_token").unwrap();
        Browser { base: self.base.clone(), client, csrf }
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        self.state.store.user_by_email(email).await.unwrap().unwrap().0.id
    }

    /// Creates a review through the API as the board manager and adds these roles to it.
    pub async fn review_with_members(&self, roles: &[Role]) -> i64 {
        let admin = self.api(self.email(Role::PartnershipAdmin)).await;
        let (s, v) = admin.post("/api/v1/referrals", &referral_json("Child T")).await;
        assert_eq!(s, 201, "{v}");
        let id = v["review"]["id"].as_i64().unwrap();
        for r in roles {
            let uid = self.user_id(self.email(*r)).await;
            let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/members"), &json!({ "user_id": uid })).await;
            assert_eq!(s, 200, "{v}");
        }
        id
    }

    /// A Serious Case Review brought to its integrated chronology, with the panel chair,
    /// the overview author, a panel member and an agency author on it.
    pub async fn review_at_chronology(&self) -> i64 {
        let id = self.review_with_members(&[Role::PanelChair, Role::OverviewAuthor, Role::PanelMember, Role::AgencyAuthor]).await;
        let panel = self.api(self.email(Role::PanelChair)).await;
        let chair = self.api(self.email(Role::BoardChair)).await;
        let admin = self.api(self.email(Role::PartnershipAdmin)).await;
        panel.post(&format!("/api/v1/reviews/{id}/screening-meetings"), &meeting_json("conduct_serious_case_review")).await;
        panel
            .post(
                &format!("/api/v1/reviews/{id}/recommendation"),
                &json!({"option": "conduct_serious_case_review", "reasons": "Met", "legal_advice_sought": "no", "signed_by": "P", "signed_on": "2026-06-06"}),
            )
            .await;
        chair
            .post(
                &format!("/api/v1/reviews/{id}/decision"),
                &json!({"kind": "serious_case_review", "issues_of_significance": "x", "signed_by": "C", "decided_on": "2026-06-08"}),
            )
            .await;
        for action in ["commission_imrs", "compile_chronology"] {
            let (s, v) = admin.post(&format!("/api/v1/reviews/{id}/transitions"), &json!({"action": action})).await;
            assert_eq!(s, 200, "{v}");
        }
        id
    }
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub struct Api {
    pub base: String,
    pub token: Option<String>,
    pub client: reqwest::Client,
}

impl Api {
    fn req(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(m, format!("{}{}", self.base, path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn send(&self, m: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut r = self.req(m, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn raw(&self, m: reqwest::Method, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let resp = self.req(m, path).header("content-type", content_type).body(body).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{}", self.base, path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// A download: status, content type, and the body's bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self.client.get(format!("{}{}", self.base, path)).send().await.unwrap();
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (r.status().as_u16(), ct, r.bytes().await.unwrap().to_vec())
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let mut f: Vec<(&str, &str)> = fields.to_vec();
        f.push(("csrf_token", &self.csrf));
        let r = self.client.post(format!("{}{}", self.base, path)).form(&f).send().await.unwrap();
        let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        (r.status().as_u16(), r.text().await.unwrap(), loc)
    }
}

/// A complete referral body for the API.
pub fn referral_json(child: &str) -> Value {
    json!({
        "referrer": {"name": "Sam Referrer", "position": "Detective Sergeant", "agency": "police", "contact": "01632 960000", "line_manager": "DI Lee", "line_manager_aware": "yes"},
        "child": {"name": child, "date_of_birth": "2024-01-31", "date_of_death": "2026-06-01", "home_address": "1 Test Street", "disability": "no", "special_educational_needs": "no", "child_protection_plan": "no"},
        "family": [{"name": "Mother T", "relationship": "Mother"}],
        "family_disability": "no",
        "family_child_protection_plan": "no",
        "agencies_involved": [{"agency": "Health", "officer": "HV1", "position": "Health Visitor", "still_involved": "yes"}],
        "triggers": {"death_abuse_or_neglect": true},
        "where_child_was": "At home",
        "carer_at_time": "Mother",
        "incident_date": "2026-06-01",
        "incident_details": "Found unresponsive",
        "key_events": [{"date": "2026-05-01", "time": "09:00", "event": "GP appointment missed"}],
        "signed_by": "Sam Referrer",
        "signed_on": "2026-06-02"
    })
}

/// A quorate screening meeting body.
pub fn meeting_json(vote: &str) -> Value {
    json!({
        "held_on": "2026-06-05",
        "chair": "Test Panel chair",
        "attendees": [
            {"name": "A", "organisation": "Police", "vote": vote},
            {"name": "B", "organisation": "Health", "vote": vote},
            {"name": "C", "organisation": "Children's Social Care", "vote": vote}
        ]
    })
}
