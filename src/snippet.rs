//! Copy as code: a profile written as the code or command another client needs to make the same connection —
//! Python's `chromadb.HttpClient`, JavaScript's `ChromaClient`, `curl` and `openssl s_client`.
//!
//! Secrets are never written into a snippet: they are read from environment variables (the profile's own
//! variable, or `CHROMA_TOKEN` / `CHROMA_PASSWORD` for a secret kept in the keychain, which the snippet says to set).
//! What a client cannot do (Python's client has no client-certificate setting, curl pins keys not certificates, …)
//! is said in a comment, never silently dropped.

use std::fmt::Write as _;

use crate::profile::{Profile, ProfileAuth, Scheme, SecretSource, TokenHeader, Verify};
use crate::tls::CaMode;

/// The variable a snippet reads a token from when the profile keeps it in the keychain.
pub const TOKEN_VAR: &str = "CHROMA_TOKEN";
/// The variable a snippet reads a basic-auth password from when the profile keeps it in the keychain.
pub const PASSWORD_VAR: &str = "CHROMA_PASSWORD";

/// The language or tool of a snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Python, with the `chromadb` package.
    Python,
    /// JavaScript (Node.js), with the `chromadb` npm package.
    Js,
    /// A `curl` command for the heartbeat.
    Curl,
    /// An `openssl s_client` command that shows the handshake and the chain.
    Openssl,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Self; 4] = [Self::Python, Self::Js, Self::Curl, Self::Openssl];

    /// The name a person reads, e.g. `Python (chromadb)`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Python => "Python (chromadb)",
            Self::Js => "JavaScript (chromadb)",
            Self::Curl => "curl",
            Self::Openssl => "openssl s_client",
        }
    }

    /// The stable id, as `snippet --lang` takes it: `python`, `js`, `curl`, `openssl`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Js => "js",
            Self::Curl => "curl",
            Self::Openssl => "openssl",
        }
    }
}

/// A snippet and the environment variables it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The code or command.
    pub text: String,
    /// Each variable the snippet reads and what it must hold, e.g. `("CHROMA_TOKEN", "the token of profile x")`.
    pub env: Vec<(String, String)>,
}

/// The credentials as a snippet sends them: the header and the variable the secret is read from.
struct Credentials {
    kind: CredentialKind,
    var: String,
}

enum CredentialKind {
    Bearer,
    XChromaToken,
    Basic(String),
}

fn credentials(profile: &Profile) -> Option<Credentials> {
    let var = |source: &SecretSource, default: &str| match source {
        SecretSource::Env(var) => var.clone(),
        SecretSource::Stored => default.to_owned(),
    };
    match &profile.connection.auth {
        ProfileAuth::None => None,
        ProfileAuth::Token { header: TokenHeader::Bearer, source } => {
            Some(Credentials { kind: CredentialKind::Bearer, var: var(source, TOKEN_VAR) })
        }
        ProfileAuth::Token { header: TokenHeader::XChromaToken, source } => {
            Some(Credentials { kind: CredentialKind::XChromaToken, var: var(source, TOKEN_VAR) })
        }
        ProfileAuth::Basic { user, source } => {
            Some(Credentials { kind: CredentialKind::Basic(user.clone()), var: var(source, PASSWORD_VAR) })
        }
    }
}

/// The snippet of `profile` in `lang`.
#[must_use]
pub fn snippet(profile: &Profile, lang: Lang) -> Snippet {
    // openssl only looks at the handshake: no credentials are sent.
    let creds = if lang == Lang::Openssl { None } else { credentials(profile) };
    let env = creds
        .iter()
        .map(|c| {
            let noun = if matches!(c.kind, CredentialKind::Basic(_)) { "password" } else { "token" };
            let where_ = match profile.connection.auth.source() {
                Some(SecretSource::Env(_)) => "as the profile reads it",
                _ => "the profile keeps it in the keychain",
            };
            (c.var.clone(), format!("the {noun} of profile {} ({where_})", profile.name))
        })
        .collect();
    let text = match lang {
        Lang::Python => python(profile, creds.as_ref()),
        Lang::Js => js(profile, creds.as_ref()),
        Lang::Curl => curl(profile, creds.as_ref()),
        Lang::Openssl => openssl(profile),
    };
    Snippet { text, env }
}

/// A string literal valid in Python and JavaScript (JSON's escaping).
fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `text` as one POSIX shell word.
#[must_use]
pub fn sh_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '@' | ',' | '+' | '='));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

fn path_text(path: &std::path::Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The host as a URL writes it (IPv6 in brackets).
fn url_host(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

fn header_comment(out: &mut String, profile: &Profile, creds: Option<&Credentials>, comment: &str) {
    let _ = writeln!(out, "{comment} Chroma Connect profile {:?}: {}", profile.name, profile.display_url());
    if let Some(creds) = creds {
        let noun = if matches!(creds.kind, CredentialKind::Basic(_)) { "password" } else { "token" };
        let _ = match profile.connection.auth.source() {
            Some(SecretSource::Stored) => writeln!(
                out,
                "{comment} Set {} to the {noun} first (it is in your keychain, never in this snippet).",
                creds.var
            ),
            _ => writeln!(out, "{comment} The {noun} is read from ${}, as the profile does.", creds.var),
        };
    }
}

fn python(profile: &Profile, creds: Option<&Credentials>) -> String {
    let c = &profile.connection;
    let mut out = String::new();
    header_comment(&mut out, profile, creds, "#");
    let mut notes = Vec::new();
    let basic = matches!(creds.map(|c| &c.kind), Some(CredentialKind::Basic(_)));
    out.push_str(if basic {
        "import base64\nimport os\n\n"
    } else if creds.is_some() {
        "import os\n\n"
    } else {
        ""
    });
    out.push_str("import chromadb\nfrom chromadb.config import Settings\n\n");
    let tls = c.endpoint.scheme == Scheme::Https;
    let verify = match (&c.verify, tls) {
        (_, false) => None,
        (Verify::System, true) => Some("True".to_owned()),
        (Verify::Off, true) => {
            notes.push("verification is OFF in this profile: anyone on the path can impersonate the server".to_owned());
            Some("False".to_owned())
        }
        (Verify::CaFile(path), true) => {
            if c.ca_mode == CaMode::Merge {
                notes.push(
                    "the profile adds its CA file to the system store; chromadb trusts only the file given here"
                        .to_owned(),
                );
            }
            Some(literal(&path_text(path)))
        }
    };
    if tls && c.client_cert.is_some() {
        notes.push(
            "the profile sends a client certificate: chromadb's HttpClient has no setting for one (its httpx client is \
             made without a certificate)"
                .to_owned(),
        );
    }
    if tls && c.server_name.is_some() {
        notes.push(format!(
            "the profile verifies the certificate for {}: chromadb verifies it for the host given here",
            c.tls_name()
        ));
    }
    if !c.endpoint.base_path.is_empty() {
        notes
            .push(format!("the server is under the path {}: set chroma_server_api_default_path", c.endpoint.base_path));
    }
    for note in &notes {
        let _ = writeln!(out, "# Note: {note}.");
    }
    if !notes.is_empty() {
        out.push('\n');
    }
    out.push_str("client = chromadb.HttpClient(\n");
    let _ = writeln!(out, "    host={},", literal(&c.endpoint.host));
    let _ = writeln!(out, "    port={},", c.endpoint.port);
    let _ = writeln!(out, "    ssl={},", if tls { "True" } else { "False" });
    if let Some(creds) = creds {
        let var = literal(&creds.var);
        let header = match &creds.kind {
            CredentialKind::Bearer => format!("{{\"Authorization\": \"Bearer \" + os.environ[{var}]}}"),
            CredentialKind::XChromaToken => format!("{{\"X-Chroma-Token\": os.environ[{var}]}}"),
            CredentialKind::Basic(user) => format!(
                "{{\"Authorization\": \"Basic \" + base64.b64encode(({} + \":\" + os.environ[{var}]).encode()).decode()}}",
                literal(user)
            ),
        };
        let _ = writeln!(out, "    headers={header},");
    }
    let _ = writeln!(out, "    tenant={},", literal(&c.tenant));
    let _ = writeln!(out, "    database={},", literal(&c.database));
    if let Some(verify) = verify {
        let _ = writeln!(out, "    settings=Settings(chroma_server_ssl_verify={verify}),");
    }
    out.push_str(")\nprint(client.heartbeat())\n");
    out
}

fn js(profile: &Profile, creds: Option<&Credentials>) -> String {
    let c = &profile.connection;
    let tls = c.endpoint.scheme == Scheme::Https;
    let mut out = String::new();
    header_comment(&mut out, profile, creds, "//");
    let mut run = Vec::new();
    match (&c.verify, tls) {
        (Verify::CaFile(path), true) => {
            let _ = writeln!(
                out,
                "// Node.js trusts its bundled Mozilla roots; add the profile's CA file before starting it:"
            );
            run.push(format!("NODE_EXTRA_CA_CERTS={}", sh_quote(&path_text(path))));
        }
        (Verify::Off, true) => {
            let _ = writeln!(
                out,
                "// Verification is OFF in this profile: Node.js needs it off for the whole process (dangerous):"
            );
            run.push("NODE_TLS_REJECT_UNAUTHORIZED=0".to_owned());
        }
        _ => {}
    }
    if tls && c.client_cert.is_some() {
        let _ = writeln!(
            out,
            "// Note: the profile sends a client certificate; pass one with fetchOptions (an undici Agent with cert and key)."
        );
    }
    if !run.is_empty() {
        let _ = writeln!(out, "//   {} node app.mjs", run.join(" "));
    }
    out.push_str("import { ChromaClient } from \"chromadb\";\n\nconst client = new ChromaClient({\n");
    let _ = writeln!(out, "  host: {},", literal(&c.endpoint.host));
    let _ = writeln!(out, "  port: {},", c.endpoint.port);
    let _ = writeln!(out, "  ssl: {tls},");
    if let Some(creds) = creds {
        let env = format!("process.env[{}]", literal(&creds.var));
        let header = match &creds.kind {
            CredentialKind::Bearer => format!("{{ Authorization: `Bearer ${{{env}}}` }}"),
            CredentialKind::XChromaToken => format!("{{ \"X-Chroma-Token\": {env} }}"),
            CredentialKind::Basic(user) => format!(
                "{{ Authorization: \"Basic \" + Buffer.from({} + \":\" + {env}).toString(\"base64\") }}",
                literal(user)
            ),
        };
        let _ = writeln!(out, "  headers: {header},");
    }
    let _ = writeln!(out, "  tenant: {},", literal(&c.tenant));
    let _ = writeln!(out, "  database: {},", literal(&c.database));
    out.push_str("});\nconsole.log(await client.heartbeat());\n");
    out
}

fn curl(profile: &Profile, creds: Option<&Credentials>) -> String {
    let c = &profile.connection;
    let tls = c.endpoint.scheme == Scheme::Https;
    let mut out = String::new();
    header_comment(&mut out, profile, creds, "#");
    let _ = writeln!(out, "# The heartbeat of API v2 (Chroma 0.6 and later; /api/v1/heartbeat on 0.4 and 0.5).");
    let mut args: Vec<String> =
        vec!["curl".into(), "--fail-with-body".into(), "--silent".into(), "--show-error".into()];
    let mut url_host_name = c.endpoint.host.clone();
    if tls {
        match &c.verify {
            Verify::System => {}
            Verify::Off => {
                let _ = writeln!(out, "# Verification is OFF in this profile (--insecure).");
                args.push("--insecure".into());
            }
            Verify::CaFile(path) => {
                if c.ca_mode == CaMode::Merge {
                    let _ = writeln!(
                        out,
                        "# The profile adds its CA file to the system store; --cacert makes curl trust only the file."
                    );
                }
                args.push(format!("--cacert {}", sh_quote(&path_text(path))));
            }
        }
        if let (Some(cert), Some(key)) = (&c.client_cert, &c.client_key) {
            args.push(format!("--cert {}", sh_quote(&path_text(cert))));
            args.push(format!("--key {}", sh_quote(&path_text(key))));
        }
        if let Some(name) = &c.server_name {
            // The URL names the server name (SNI and verification); the connection goes to the profile's host.
            let port = c.endpoint.port;
            let host = &c.endpoint.host;
            let map = if host.parse::<std::net::IpAddr>().is_ok() {
                format!("--resolve {}", sh_quote(&format!("{}:{port}:{host}", url_host(name))))
            } else {
                format!("--connect-to {}", sh_quote(&format!("{}:{port}:{}:{port}", url_host(name), url_host(host))))
            };
            args.push(map);
            url_host_name.clone_from(name);
        }
        if c.pinned_sha256.is_some() {
            let _ = writeln!(
                out,
                "# The profile pins the certificate's SHA-256; curl's --pinnedpubkey pins the public key instead."
            );
        }
    }
    if let Some(creds) = creds {
        let var = &creds.var;
        args.push(match &creds.kind {
            CredentialKind::Bearer => format!("--header \"Authorization: Bearer ${var}\""),
            CredentialKind::XChromaToken => format!("--header \"X-Chroma-Token: ${var}\""),
            CredentialKind::Basic(user) => format!("--user {}\"${var}\"", sh_quote(&format!("{user}:"))),
        });
    }
    let url = format!(
        "{}://{}:{}{}/api/v2/heartbeat",
        c.endpoint.scheme.as_str(),
        url_host(&url_host_name),
        c.endpoint.port,
        c.endpoint.base_path
    );
    args.push(sh_quote(&url));
    out.push_str(&args.join(" \\\n  "));
    out.push('\n');
    out
}

fn openssl(profile: &Profile) -> String {
    let c = &profile.connection;
    let mut out = String::new();
    let _ = writeln!(out, "# Chroma Connect profile {:?}: {}", profile.name, profile.display_url());
    if c.endpoint.scheme != Scheme::Https {
        let _ = writeln!(out, "# The URL is http://: there is no TLS handshake to look at.");
        return out;
    }
    let _ = writeln!(
        out,
        "# The handshake and the chain the server presents (\"Verify return code: 0 (ok)\" when trusted)."
    );
    let mut args: Vec<String> = vec![
        "openssl s_client".into(),
        format!("-connect {}", sh_quote(&format!("{}:{}", url_host(&c.endpoint.host), c.endpoint.port))),
        format!("-servername {}", sh_quote(c.tls_name())),
    ];
    match &c.verify {
        Verify::Off => {
            let _ = writeln!(out, "# Verification is OFF in this profile: the result is shown, the handshake goes on.");
        }
        Verify::System => {
            args.push(format!("-verify_hostname {}", sh_quote(c.tls_name())));
            args.push("-verify_return_error".into());
        }
        Verify::CaFile(path) => {
            if c.ca_mode == CaMode::Merge {
                let _ = writeln!(out, "# The profile adds its CA file to the system store; -CAfile adds it here too.");
            } else {
                args.push("-no-CApath -no-CAstore".into());
            }
            args.push(format!("-CAfile {}", sh_quote(&path_text(path))));
            args.push(format!("-verify_hostname {}", sh_quote(c.tls_name())));
            args.push("-verify_return_error".into());
        }
    }
    if let (Some(cert), Some(key)) = (&c.client_cert, &c.client_key) {
        args.push(format!("-cert {}", sh_quote(&path_text(cert))));
        args.push(format!("-key {}", sh_quote(&path_text(key))));
    }
    args.push("-showcerts".into());
    out.push_str(&args.join(" \\\n  "));
    out.push_str(" </dev/null\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse_endpoint;

    fn profile(url: &str) -> Profile {
        Profile::new("staging", parse_endpoint("url", url).expect("url"))
    }

    #[test]
    fn python_speaks_the_seed_setting() {
        let mut p = profile("https://chroma.example.com:8443");
        p.connection.verify = Verify::CaFile("/etc/ssl/corp ca.pem".into());
        p.connection.auth = ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored };
        let s = snippet(&p, Lang::Python);
        assert!(s.text.contains("host=\"chroma.example.com\",\n    port=8443,\n    ssl=True,"), "{}", s.text);
        assert!(s.text.contains("settings=Settings(chroma_server_ssl_verify=\"/etc/ssl/corp ca.pem\")"), "{}", s.text);
        assert!(s.text.contains("headers={\"X-Chroma-Token\": os.environ[\"CHROMA_TOKEN\"]}"), "{}", s.text);
        assert_eq!(s.env[0].0, TOKEN_VAR);
        p.connection.verify = Verify::Off;
        assert!(snippet(&p, Lang::Python).text.contains("chroma_server_ssl_verify=False"));
        p.connection.verify = Verify::System;
        assert!(snippet(&p, Lang::Python).text.contains("chroma_server_ssl_verify=True"));
    }

    #[test]
    fn secrets_come_from_variables() {
        let mut p = profile("https://h:1");
        p.connection.auth = ProfileAuth::Basic { user: "ops".into(), source: SecretSource::Env("OPS_PASSWORD".into()) };
        for lang in Lang::ALL {
            let s = snippet(&p, lang);
            assert!(!s.text.contains("Stored"), "{lang:?}");
            if lang != Lang::Openssl {
                assert!(s.text.contains("OPS_PASSWORD"), "{lang:?}: {}", s.text);
            }
        }
        assert!(snippet(&p, Lang::Curl).text.contains("--user ops:\"$OPS_PASSWORD\""));
    }

    #[test]
    fn curl_maps_the_server_name_and_the_client_certificate() {
        let mut p = profile("https://127.0.0.1:8443");
        p.connection.server_name = Some("chroma.internal".into());
        p.connection.client_cert = Some("/c.pem".into());
        p.connection.client_key = Some("/k.pem".into());
        let text = snippet(&p, Lang::Curl).text;
        assert!(text.contains("--resolve chroma.internal:8443:127.0.0.1"), "{text}");
        assert!(
            text.contains("'https://chroma.internal:8443/api/v2/heartbeat'")
                || text.contains("https://chroma.internal:8443/api/v2/heartbeat"),
            "{text}"
        );
        assert!(text.contains("--cert /c.pem") && text.contains("--key /k.pem"), "{text}");
        let mut p = profile("https://db.example.com:8443");
        p.connection.server_name = Some("chroma.internal".into());
        let text = snippet(&p, Lang::Curl).text;
        assert!(text.contains("--connect-to chroma.internal:8443:db.example.com:8443"), "{text}");
        let text = snippet(&p, Lang::Openssl).text;
        assert!(
            text.contains("-connect db.example.com:8443") && text.contains("-servername chroma.internal"),
            "{text}"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b.pem"), "/a/b.pem");
        assert_eq!(sh_quote("it's here"), r"'it'\''s here'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(literal("a\"b\\c"), r#""a\"b\\c""#);
    }
}
