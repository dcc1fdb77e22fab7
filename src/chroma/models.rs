//! Typed answers of a Chroma server, parsed leniently (unknown fields ignored, `null` where a value may be absent).
//!
//! Parsing is pure: every function here takes bytes or JSON and is tested without a server.

use serde::{Deserialize, Serialize};

/// Which REST API generation a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// `/api/v2` (chroma 1.x, and 0.5.x beside v1).
    V2,
    /// `/api/v1` (chroma 0.4.x and 0.5.x).
    V1,
}

impl ApiVersion {
    /// `"v2"` or `"v1"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "v2",
            Self::V1 => "v1",
        }
    }
}

/// `GET /auth/identity`: who the server thinks we are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// The user id; empty on servers without authentication.
    pub user_id: String,
    /// The tenant the credentials belong to (`*` on the legacy Python server with a valid token).
    pub tenant: String,
    /// The databases the credentials may use.
    pub databases: Vec<String>,
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Tenant {
    /// The tenant's name.
    pub name: String,
}

/// A database of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Database {
    /// The database id (a UUID).
    pub id: Option<String>,
    /// The database name.
    pub name: String,
    /// The tenant it belongs to.
    pub tenant: Option<String>,
}

/// Reads the heartbeat (`{"nanosecond heartbeat": N}`, the key holds a space) and returns N.
pub fn parse_heartbeat(body: &[u8]) -> Result<u64, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|err| format!("not JSON: {err}"))?;
    let beat = value.get("nanosecond heartbeat").ok_or("no `nanosecond heartbeat` field")?;
    beat.as_u64()
        .or_else(|| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a clock value; precision is irrelevant"
            )]
            beat.as_f64().map(|f| f as u64)
        })
        .ok_or_else(|| "`nanosecond heartbeat` is not a number".to_owned())
}

/// Reads a version, a bare JSON string (`"1.0.0"`).
pub fn parse_version(body: &[u8]) -> Result<String, String> {
    serde_json::from_slice::<String>(body).map_err(|err| format!("not a JSON string: {err}"))
}

/// Reads a count, a bare JSON integer.
pub fn parse_count(body: &[u8]) -> Result<u64, String> {
    serde_json::from_slice::<u64>(body).map_err(|err| format!("not a JSON integer: {err}"))
}

/// Reads any JSON document into `T`.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice::<T>(body).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_with_a_space_in_the_key() {
        assert_eq!(parse_heartbeat(br#"{"nanosecond heartbeat":1795715554919315614}"#), Ok(1_795_715_554_919_315_614));
        assert!(parse_heartbeat(b"<html>").is_err());
        assert!(parse_heartbeat(br#"{"ok":true}"#).is_err());
    }

    #[test]
    fn version_and_count() {
        assert_eq!(parse_version(br#""1.0.0""#).as_deref(), Ok("1.0.0"));
        assert_eq!(parse_count(b"4"), Ok(4));
        assert!(parse_count(b"\"4\"").is_err());
    }

    #[test]
    fn identity_lenient() {
        let id: Identity = parse_json(br#"{"user_id":"","tenant":"default_tenant","databases":["default_database"]}"#)
            .expect("identity");
        assert_eq!(id.tenant, "default_tenant");
        let id: Identity = parse_json(br#"{"user_id":"anonymous","tenant":"*","databases":["*"],"attributes":null}"#)
            .expect("legacy identity");
        assert_eq!(id.databases, vec!["*".to_owned()]);
    }
}
