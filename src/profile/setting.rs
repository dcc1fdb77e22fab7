//! The settings a person can change, named: a stable id for programs and the words a person sees.
//!
//! Diagnoses and setting errors say which setting to change with a [`Setting`], so that each face points at it
//! its own way: the GUI focuses the field, the CLI names its flag. The core's texts name settings by their
//! [`label`](Setting::label), never by a flag.

use serde::{Serialize, Serializer};

/// One setting of a connection or profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The server's URL (scheme, host, port, path prefix).
    Url,
    /// Whether and how the server's certificate is verified: the system store, a CA file, or off.
    Verify,
    /// The CA file that verifies the server's certificate.
    CaFile,
    /// With a CA file: trust only it, or it and the system store.
    CaMode,
    /// The client certificate for mutual TLS.
    ClientCert,
    /// The client certificate's private key.
    ClientKey,
    /// The name the certificate is verified for (and sent as SNI) instead of the URL's host.
    ServerName,
    /// Which credentials are sent: none, a token, or basic credentials.
    Auth,
    /// The header that carries the token.
    TokenHeader,
    /// The token.
    Token,
    /// The user of basic authentication.
    BasicUser,
    /// The password of basic authentication.
    Password,
    /// The Chroma tenant.
    Tenant,
    /// The Chroma database.
    Database,
    /// The limit for the TCP connection and the TLS handshake.
    ConnectTimeout,
    /// The limit for each HTTP request.
    RequestTimeout,
    /// The pinned SHA-256 fingerprint of the server's certificate.
    PinnedSha256,
}

impl Setting {
    /// Every setting, in the order a settings form shows them.
    pub const ALL: [Self; 17] = [
        Self::Url,
        Self::Verify,
        Self::CaFile,
        Self::CaMode,
        Self::ClientCert,
        Self::ClientKey,
        Self::ServerName,
        Self::Auth,
        Self::TokenHeader,
        Self::Token,
        Self::BasicUser,
        Self::Password,
        Self::Tenant,
        Self::Database,
        Self::ConnectTimeout,
        Self::RequestTimeout,
        Self::PinnedSha256,
    ];

    /// The stable `snake_case` id, e.g. `ca_file` (as in the CLI's JSON). Never renamed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Verify => "verify",
            Self::CaFile => "ca_file",
            Self::CaMode => "ca_mode",
            Self::ClientCert => "client_cert",
            Self::ClientKey => "client_key",
            Self::ServerName => "server_name",
            Self::Auth => "auth",
            Self::TokenHeader => "token_header",
            Self::Token => "token",
            Self::BasicUser => "basic_user",
            Self::Password => "password",
            Self::Tenant => "tenant",
            Self::Database => "database",
            Self::ConnectTimeout => "connect_timeout",
            Self::RequestTimeout => "request_timeout",
            Self::PinnedSha256 => "pinned_sha256",
        }
    }

    /// The words a person sees, e.g. `CA file`; hints name settings with these.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Url => "URL",
            Self::Verify => "Verification",
            Self::CaFile => "CA file",
            Self::CaMode => "CA mode",
            Self::ClientCert => "Client certificate",
            Self::ClientKey => "Client key",
            Self::ServerName => "Server name",
            Self::Auth => "Authentication",
            Self::TokenHeader => "Token header",
            Self::Token => "Token",
            Self::BasicUser => "User",
            Self::Password => "Password",
            Self::Tenant => "Tenant",
            Self::Database => "Database",
            Self::ConnectTimeout => "Connect timeout",
            Self::RequestTimeout => "Request timeout",
            Self::PinnedSha256 => "Pinned certificate",
        }
    }

    /// The setting a [`SettingsError`](super::SettingsError) field names: the ids above, the keys of a profile
    /// file (`timeout_secs`, `token_env`, ...), the parts of a URL (`host`, `port`, `ssl`) and the `CHROMA_*`
    /// variables of an import. `None` for fields that are not connection settings (`name`, `profile`).
    #[must_use]
    pub fn from_field(field: &str) -> Option<Self> {
        if let Some(setting) = Self::ALL.into_iter().find(|setting| setting.as_str() == field) {
            return Some(setting);
        }
        Some(match field {
            "host" | "port" | "ssl" | "CHROMA_HOST" | "CHROMA_PORT" | "CHROMA_SSL" => Self::Url,
            "auth_header" => Self::TokenHeader,
            "token_env" | "CHROMA_API_KEY" => Self::Token,
            "password_env" => Self::Password,
            "CHROMA_TENANT" => Self::Tenant,
            "CHROMA_DATABASE" => Self::Database,
            "connect_timeout_secs" => Self::ConnectTimeout,
            "timeout" | "timeout_secs" => Self::RequestTimeout,
            "pin" => Self::PinnedSha256,
            _ => return None,
        })
    }
}

impl Serialize for Setting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_and_labels_are_distinct_and_round_trip() {
        let ids: HashSet<&str> = Setting::ALL.iter().map(|s| s.as_str()).collect();
        let labels: HashSet<&str> = Setting::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(ids.len(), Setting::ALL.len());
        assert_eq!(labels.len(), Setting::ALL.len());
        for setting in Setting::ALL {
            assert_eq!(Setting::from_field(setting.as_str()), Some(setting));
            assert_eq!(serde_json::to_value(setting).unwrap(), serde_json::json!(setting.as_str()));
        }
    }

    #[test]
    fn field_names_in_use_map_to_settings() {
        for (field, setting) in [
            ("host", Setting::Url),
            ("port", Setting::Url),
            ("CHROMA_HOST", Setting::Url),
            ("timeout", Setting::RequestTimeout),
            ("timeout_secs", Setting::RequestTimeout),
            ("connect_timeout_secs", Setting::ConnectTimeout),
            ("token_env", Setting::Token),
            ("password_env", Setting::Password),
            ("auth_header", Setting::TokenHeader),
            ("pin", Setting::PinnedSha256),
            ("CHROMA_API_KEY", Setting::Token),
        ] {
            assert_eq!(Setting::from_field(field), Some(setting), "{field}");
        }
        assert_eq!(Setting::from_field("name"), None);
        assert_eq!(Setting::from_field("profile"), None);
    }
}
