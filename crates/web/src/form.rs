//! Form bodies to domain inputs.
//!
//! Field names in the pages are paths with `-` between the parts and numbers for rows of a
//! repeatable list: `child-name`, `family-2-date_of_birth`. They are valid HTML ids as they
//! stand, and [`to_json`] turns a form into the JSON shape the domain's `*Input` types
//! read, so the page and the API share one validation. Error paths from the domain
//! (`family[2].date_of_birth`) map back with [`field_key`].

use crate::error::WebError;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use casereview_core::FieldErrors;
use serde_json::{Map, Value};

/// A request body read with the size limit and checked to be UTF-8.
pub struct LimitedBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for LimitedBody {
    type Rejection = crate::error::ApiError;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let body: Body = req.into_body();
        let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT).await.map_err(|_| WebError::TooLarge(crate::BODY_LIMIT))?;
        if std::str::from_utf8(&bytes).is_err() {
            return Err(WebError::BadRequest { field: "body".into(), message: "The request body is not valid UTF-8".into() }.into());
        }
        Ok(LimitedBody(bytes))
    }
}

/// Parses `application/x-www-form-urlencoded`, refusing percent-encoded bytes that are
/// not UTF-8 (which would otherwise become replacement characters silently).
pub fn parse_pairs(body: &[u8]) -> Result<Vec<(String, String)>, WebError> {
    let mut out = Vec::new();
    if body.split(|b| *b == b'&').count() > MAX_PAIRS {
        return Err(WebError::BadRequest { field: "body".into(), message: format!("The form sends more than {MAX_PAIRS} fields") });
    }
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &b""[..]),
        };
        let k = decode(k)
            .ok_or_else(|| WebError::BadRequest { field: "body".into(), message: "A form field name is not valid UTF-8".into() })?;
        let v = decode(v)
            .ok_or_else(|| WebError::BadRequest { field: field_key(&k), message: format!("The value of '{k}' is not valid UTF-8") })?;
        out.push((k, v));
    }
    Ok(out)
}

fn decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let h = std::str::from_utf8(&s[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Largest row number a repeatable list accepts from a form (the domain allows 100 rows).
const MAX_INDEX: usize = 200;
/// Most fields one form may send.
const MAX_PAIRS: usize = 5_000;

/// The value of a field, or empty.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Builds nested JSON from dashed paths. Keys listed in `bools` become booleans (a
/// ticked checkbox); `csrf_token`, `version` and button names are left out.
pub fn to_json(pairs: &[(String, String)], bools: &[&str]) -> Value {
    let mut root = Value::Object(Map::new());
    for (k, v) in pairs {
        if matches!(k.as_str(), "csrf_token" | "version" | "add" | "remove" | "submission_key" | "action") {
            continue;
        }
        let value =
            if bools.contains(&k.as_str()) { Value::Bool(matches!(v.as_str(), "true" | "on" | "yes")) } else { Value::String(v.clone()) };
        insert(&mut root, &k.split('-').collect::<Vec<_>>(), value);
    }
    root
}

fn insert(node: &mut Value, path: &[&str], value: Value) {
    let Some((head, rest)) = path.split_first() else { return };
    let next_is_index = rest.first().is_some_and(|s| s.parse::<usize>().is_ok());
    let child = match head.parse::<usize>() {
        Ok(i) if i < MAX_INDEX => {
            if !node.is_array() {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(a) = node else { return };
            while a.len() <= i {
                a.push(Value::Object(Map::new()));
            }
            &mut a[i]
        }
        Ok(_) => return, // absurd row numbers are dropped rather than allocated
        Err(_) => {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(m) = node else { return };
            m.entry(head.to_string()).or_insert_with(|| if next_is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) })
        }
    };
    if rest.is_empty() {
        *child = value;
    } else {
        insert(child, rest, value);
    }
}

/// A domain error path (`family[2].name`) as a form key (`family-2-name`).
pub fn field_key(path: &str) -> String {
    path.replace('[', "-").replace("].", "-").replace(']', "").replace('.', "-")
}

/// The domain's errors keyed for the page.
pub fn keyed(errors: &FieldErrors) -> FieldErrors {
    FieldErrors(errors.0.iter().map(|e| casereview_core::FieldError { field: field_key(&e.field), message: e.message.clone() }).collect())
}

/// Deserialises the JSON shape into an input type; a shape error names the field.
pub fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, WebError> {
    serde_json::from_value(v).map_err(|e| WebError::BadRequest { field: "body".into(), message: e.to_string() })
}

/// Parses a JSON request body, naming the line and column of a syntax error.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    serde_json::from_slice(bytes)
        .map_err(|e| WebError::BadRequest { field: "body".into(), message: format!("The JSON body is not valid: {e}") })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use casereview_core::referral::ReferralInput;

    #[test]
    fn dashed_paths_build_nested_json() {
        let pairs = parse_pairs(b"child-name=Child+J&family-1-name=Dad&family-0-name=Mum&triggers-serious_harm=true&csrf_token=x").unwrap();
        let v = to_json(&pairs, &["triggers-serious_harm"]);
        let r: ReferralInput = from_json(v).unwrap();
        assert_eq!(r.child.name, "Child J");
        assert_eq!(r.family.len(), 2);
        assert_eq!(r.family[1].name, "Dad");
        assert!(r.triggers.serious_harm);
        assert_eq!(field_key("family[2].date_of_birth"), "family-2-date_of_birth");
        assert_eq!(field_key("child.name"), "child-name");
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(parse_pairs(b"child-name=%FF%FE").is_err());
        assert_eq!(parse_pairs(b"a=%C3%A9").unwrap()[0].1, "é");
        assert!(parse_pairs(b"a=%4").is_ok());
    }
}
