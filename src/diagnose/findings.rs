//! Turning a failure into a diagnosis: a stable code, a one-sentence summary and a hint that says what to do.
//!
//! Pure functions of the failure and the settings: tested without a network.

use std::fmt::Write as _;
use std::time::Duration;

use rustls_pki_types::CertificateDer;

use crate::chroma::{BrowseError, ChromaError, ErrorResponse};
use crate::profile::{Auth, ConnectionSettings, Setting, SettingsError, TokenHeader, Verify};
use crate::tls::{self, CaMode, FileRole, TlsConfigError, TlsFailure};

use super::code::Code;
use super::report::Diagnosis;
use super::text::{MAX_MESSAGE_CHARS, MAX_NAME_CHARS, sanitize_display};

/// A diagnosis from its parts, pointing at no setting (see [`Diagnosis::pointing_at`]).
pub(crate) fn diagnosis(code: Code, summary: impl Into<String>, hint: impl Into<String>) -> Diagnosis {
    Diagnosis { code, summary: summary.into(), hint: hint.into(), setting: None }
}

/// An invalid setting.
pub(crate) fn settings_error(err: &SettingsError) -> Diagnosis {
    let code = if err.field == "url" { Code::ConfigInvalidUrl } else { Code::ConfigInvalid };
    let setting = err.setting();
    let hint = setting.map_or_else(
        || "Correct the setting and run the check again.".to_owned(),
        |setting| format!("Correct the {} and run the check again.", setting.label()),
    );
    diagnosis(code, format!("The setting {err}."), hint).pointing_at(setting)
}

/// A TLS configuration (CA file, client certificate) that cannot be built.
pub(crate) fn tls_config_error(err: &TlsConfigError) -> Diagnosis {
    let code = match err {
        TlsConfigError::CaFileMissing { .. } => Code::ConfigCaFileMissing,
        _ if err.is_ca_file() => Code::ConfigCaFileInvalid,
        _ if err.is_client_identity() => Code::ConfigClientCertInvalid,
        _ => Code::TlsOther,
    };
    let setting = match err.role() {
        Some(FileRole::CaCertificates) => Some(Setting::CaFile),
        Some(FileRole::ClientCertificate) => Some(Setting::ClientCert),
        Some(FileRole::PrivateKey) => Some(Setting::ClientKey),
        None => None,
    };
    let hint = match (err, code) {
        (TlsConfigError::NotRegularFile { .. } | TlsConfigError::FileTooLarge { .. }, _) => {
            let label = setting.map_or("setting", Setting::label);
            return diagnosis(
                code,
                format!("{err}."),
                format!(
                    "Set the {label} to the file itself: a regular file (not a folder, a pipe or a device) of at most \
                     1 MiB, in PEM or DER form."
                ),
            )
            .pointing_at(setting);
        }
        (_, Code::ConfigCaFileMissing) => {
            "Check the CA file's path (a relative path is taken from the current directory). The CA file is the \
             certificate of the authority that signed the server's certificate, in PEM or DER form."
        }
        (_, Code::ConfigCaFileInvalid) => {
            "A CA file must hold one or more certificates: PEM blocks starting with -----BEGIN CERTIFICATE-----, or \
             one DER certificate. A private key, a certificate request or an empty file cannot be trusted. Get the \
             CA certificate from whoever runs the server, or save the chain the server presents \
             (openssl s_client -showcerts -connect host:port)."
        }
        (_, Code::ConfigClientCertInvalid) => {
            "The client certificate must be PEM or DER (the certificate first, then any intermediates) and the \
             client key a private key that belongs to it (PKCS#8, PKCS#1 or SEC1, not encrypted)."
        }
        _ => "",
    };
    diagnosis(code, format!("{err}."), hint).pointing_at(setting)
}

/// Context for the hints of failures that happen on the wire.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub settings: &'a ConnectionSettings,
    pub address: Option<std::net::SocketAddr>,
}

impl Context<'_> {
    fn host(&self) -> &str {
        &self.settings.endpoint.host
    }

    fn port(&self) -> u16 {
        self.settings.endpoint.port
    }

    fn address_text(&self) -> String {
        self.address.map_or_else(|| format!("{}:{}", self.host(), self.port()), |addr| addr.to_string())
    }

    fn trust_text(&self) -> String {
        match &self.settings.verify {
            Verify::System => "by this system's trust store".to_owned(),
            Verify::Off => "(verification is off)".to_owned(),
            Verify::CaFile(path) if self.settings.ca_mode == CaMode::Merge => {
                format!("by the CA file {} or the system's trust store", path.display())
            }
            Verify::CaFile(path) => format!("by the CA file {}", path.display()),
        }
    }

    fn timeout_secs(timeout: Duration) -> String {
        let secs = timeout.as_secs_f64();
        if secs.fract() == 0.0 { format!("{secs:.0} s") } else { format!("{secs:.1} s") }
    }
}

/// A name that does not resolve.
pub(crate) fn dns_failure(ctx: Context<'_>, detail: &str) -> Diagnosis {
    let host = ctx.host();
    diagnosis(
        Code::DnsNotFound,
        format!("The host name {host} does not resolve ({detail})."),
        format!(
            "Check the spelling, your DNS or VPN, or /etc/hosts. To reach the server by address and still verify \
             its certificate for this name, use https://ADDRESS:{} as the URL and set Server name to {host}.",
            ctx.port()
        ),
    )
    .pointing_at(Setting::Url)
}

/// A TCP, TLS or HTTP operation that did not finish in time. `what` names it.
pub(crate) fn timeout(ctx: Context<'_>, what: &str, limit: Duration) -> Diagnosis {
    let limit = Context::timeout_secs(limit);
    let address = ctx.address_text();
    let (summary, hint, setting) = match what {
        "tcp" => (
            format!("No answer from {address} within {limit}: the TCP connection was never accepted."),
            "The host may be down, or a firewall drops the packets silently. Check the address and port of the \
             URL, and that the server is reachable from this network.",
            Setting::Url,
        ),
        "tls" => (
            format!("{address} accepted the TCP connection but did not answer the TLS handshake within {limit}."),
            "Something listens on the port but never answers: a hung server or proxy, or a service waiting for \
             another protocol. Check what runs on this port (ss -ltnp) and its logs; raise the Connect timeout if \
             the server is just slow.",
            Setting::ConnectTimeout,
        ),
        _ => (
            format!("{address} accepted the connection but did not answer the HTTP request within {limit}."),
            "The server or a proxy in front of it hangs. Check that Chroma is healthy (its log, memory, disk) and \
             the proxy's upstream; raise the Request timeout if the server is just slow.",
            Setting::RequestTimeout,
        ),
    };
    diagnosis(Code::NetTimeout, summary, hint).pointing_at(setting)
}

/// A refused, unreachable or reset connection.
pub(crate) fn io_failure(ctx: Context<'_>, err: &std::io::Error) -> Diagnosis {
    use std::io::ErrorKind;
    let address = ctx.address_text();
    let diagnosis = match err.kind() {
        ErrorKind::ConnectionRefused => diagnosis(
            Code::NetRefused,
            format!("Nothing accepts connections on {address} (connection refused)."),
            "Is Chroma (or the proxy in front of it) running and listening on this port? `chroma run` listens on \
             localhost only unless its host is set to 0.0.0.0; check the port in the URL (Chroma's default is 8000) \
             and `ss -ltnp` on the server.",
        ),
        ErrorKind::TimedOut => return timeout(ctx, "tcp", ctx.settings.connect_timeout),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::AddrNotAvailable => diagnosis(
            Code::NetUnreachable,
            format!("{address} cannot be reached from here ({err})."),
            "Check the address in the URL, the network route, your VPN, and any firewall between here and the \
             server.",
        ),
        _ => diagnosis(
            Code::NetReset,
            format!("The connection to {address} was closed unexpectedly ({err})."),
            "The server or a proxy closed the connection without answering. Its log says why; a TLS port reached \
             with http://, or a plain port reached with https://, can also look like this: check the URL's scheme.",
        ),
    };
    diagnosis.pointing_at(Setting::Url)
}

/// A TLS failure, classified from rustls' error and the presented chain.
#[expect(clippy::too_many_lines, reason = "one arm per failure, each with its own advice; clearer in one place")]
pub(crate) fn tls_failure(ctx: Context<'_>, failure: &TlsFailure) -> Diagnosis {
    let failure = &displayable(failure);
    let name = ctx.settings.tls_name();
    let port = ctx.port();
    let trust = ctx.trust_text();
    match failure {
        TlsFailure::UnknownIssuer { issuer } => {
            let issuer = issuer.as_deref().unwrap_or("an unknown authority");
            diagnosis(
                Code::TlsUnknownIssuer,
                format!("The server's certificate was issued by \"{issuer}\", which is not trusted {trust}."),
                format!(
                    "If \"{issuer}\" is your organisation's CA, trust its certificate: set the CA file to that CA's \
                     certificate (PEM or DER; a profile's verify = \"/path/to/ca.pem\"), and set CA mode to merge \
                     to keep trusting the system store too. If it is an intermediate CA, the server must also send \
                     it: configure the full chain (its certificate followed by the intermediates, e.g. nginx \
                     ssl_certificate fullchain.pem)."
                ),
            )
            .pointing_at(Setting::CaFile)
        }
        TlsFailure::SelfSigned { subject } => diagnosis(
            Code::TlsSelfSigned,
            format!("The server presents a self-signed certificate ({subject}), which is not trusted {trust}."),
            "To trust exactly this certificate, save it (its SHA-256 fingerprint is below; compare it with the one on \
             the server) and set it as the CA file, as Chroma's verify=\"path\" does. Better: issue the server \
             certificate from a CA you control and trust that CA. Turning Verification off accepts any \
             certificate; never do that in production.",
        )
        .pointing_at(Setting::CaFile),
        TlsFailure::CaUsedAsEndEntity => diagnosis(
            Code::TlsCaUsedAsEndEntity,
            "The server's certificate is a CA certificate (basicConstraints CA:TRUE), which rustls refuses as a \
             server certificate even when it is the trusted one."
                .to_owned(),
            format!(
                "This is what a plain `openssl req -x509` makes. OpenSSL-based clients (curl, Python) accept it, \
                 rustls and modern browsers do not: a server certificate must say CA:FALSE. Issue a proper one, for \
                 example a self-signed leaf:\n  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
                 -nodes -days 365 -keyout server-key.pem -out server.pem -subj /CN={name} \
                 -addext \"subjectAltName=DNS:{name}\" -addext \"basicConstraints=critical,CA:FALSE\" \
                 -addext \"extendedKeyUsage=serverAuth\"\nand trust server.pem as the CA file; or keep the CA and \
                 sign a CA:FALSE server certificate with it."
            ),
        ),
        TlsFailure::Expired { not_after } => {
            let when = not_after.as_deref().map_or_else(String::new, |t| format!(" on {t}"));
            diagnosis(
                Code::TlsExpired,
                format!("The server's certificate expired{when}."),
                format!(
                    "Renew it on the server (certbot renew, or re-issue it from your CA) and reload the proxy. If \
                     the date looks wrong, check this machine's clock: it reads {}.",
                    crate::tls::now_rfc3339()
                ),
            )
        }
        TlsFailure::NotYetValid { not_before } => {
            let when = not_before.as_deref().map_or_else(String::new, |t| format!(" until {t}"));
            diagnosis(
                Code::TlsNotYetValid,
                format!("The server's certificate is not valid yet{when}."),
                format!(
                    "Either this machine's clock is behind (it reads {}) or the certificate was issued with a start \
                     date in the future. Fix the clock (NTP), or re-issue the certificate.",
                    crate::tls::now_rfc3339()
                ),
            )
        }
        TlsFailure::NameMismatch { expected, presented } => {
            let expected = if expected.is_empty() { name } else { expected.as_str() };
            let names = if presented.is_empty() { "no names".to_owned() } else { presented.join(", ") };
            let example = presented.iter().find(|n| !n.starts_with('*')).cloned().unwrap_or_else(|| "NAME".to_owned());
            let san = if expected.parse::<std::net::IpAddr>().is_ok() { "IP" } else { "DNS" };
            diagnosis(
                Code::TlsNameMismatch,
                format!("The server's certificate is valid for {names}, not for {expected}."),
                format!(
                    "Connect with a name the certificate holds (https://{example}:{port}), or keep this address and \
                     set Server name to {example}. Otherwise re-issue the certificate with \
                     subjectAltName={san}:{expected} (clients ignore the Common Name; only subjectAltName counts)."
                ),
            )
            .pointing_at(Setting::ServerName)
        }
        TlsFailure::IncompleteChain { issuer, ca_issuers_url } => {
            let fetch = ca_issuers_url
                .as_deref()
                .map_or_else(String::new, |url| format!(" The missing certificate can be downloaded from {url}."));
            diagnosis(
                Code::TlsIncompleteChain,
                format!(
                    "The server sent only its own certificate; the intermediate CA \"{issuer}\" that signed it is \
                     missing from the chain."
                ),
                format!(
                    "Configure the server to send the full chain: its certificate followed by the intermediate(s) \
                     (nginx: ssl_certificate pointing at fullchain.pem, not cert.pem).{fetch} Browsers hide this \
                     by fetching the intermediate themselves; Chroma's clients, curl and this tool do not."
                ),
            )
        }
        TlsFailure::ClientCertRequired => diagnosis(
            Code::TlsClientCertRequired,
            "The server requires a client certificate (mutual TLS) and none was sent.",
            "Set the Client certificate and the Client key (PEM or DER files), issued by the CA the server trusts \
             for clients. Chroma's Python client has no such setting: use a proxy or this tool.",
        )
        .pointing_at(Setting::ClientCert),
        TlsFailure::ClientCertRejected { alert } => diagnosis(
            Code::TlsClientCertRejected,
            format!("The server refused the client certificate (TLS alert {alert})."),
            "The Client certificate is probably not issued by the CA the server trusts for clients (nginx \
             ssl_client_certificate), has expired, or lacks extendedKeyUsage=clientAuth.",
        )
        .pointing_at(Setting::ClientCert),
        TlsFailure::PinMismatch { pinned, presented } => pin_mismatch(pinned, Some(presented)),
        TlsFailure::NotTls => diagnosis(
            Code::TlsNotTls,
            format!("Port {port} does not speak TLS: it answers in plain HTTP."),
            format!(
                "Use http://{}:{port} as the URL, or point https:// at the TLS port of the proxy in front of Chroma \
                 (often 443 or 8443). Chroma itself serves plain HTTP; TLS comes from a proxy.",
                ctx.settings.endpoint.host
            ),
        )
        .pointing_at(Setting::Url),
        TlsFailure::Other { detail } => diagnosis(
            Code::TlsOther,
            format!("The TLS handshake failed: {detail}."),
            "Check the server's TLS configuration (protocol versions, cipher suites, certificate). `openssl s_client \
             -connect host:port -servername NAME` shows what the server offers."
                .to_owned(),
        ),
    }
}

/// The failure with every text read from a certificate (or said by the server) made safe to show.
fn displayable(failure: &TlsFailure) -> TlsFailure {
    let name = |text: &str| sanitize_display(text, MAX_NAME_CHARS);
    match failure {
        TlsFailure::UnknownIssuer { issuer } => TlsFailure::UnknownIssuer { issuer: issuer.as_deref().map(name) },
        TlsFailure::SelfSigned { subject } => TlsFailure::SelfSigned { subject: name(subject) },
        TlsFailure::NameMismatch { expected, presented } => TlsFailure::NameMismatch {
            expected: name(expected),
            presented: presented.iter().take(20).map(|n| name(n)).collect(),
        },
        TlsFailure::IncompleteChain { issuer, ca_issuers_url } => {
            TlsFailure::IncompleteChain { issuer: name(issuer), ca_issuers_url: ca_issuers_url.as_deref().map(name) }
        }
        TlsFailure::ClientCertRejected { alert } => TlsFailure::ClientCertRejected { alert: name(alert) },
        TlsFailure::Other { detail } => TlsFailure::Other { detail: sanitize_display(detail, MAX_MESSAGE_CHARS) },
        TlsFailure::Expired { not_after } => TlsFailure::Expired { not_after: not_after.as_deref().map(name) },
        TlsFailure::NotYetValid { not_before } => {
            TlsFailure::NotYetValid { not_before: not_before.as_deref().map(name) }
        }
        other => other.clone(),
    }
}

/// The server presented another certificate than the pinned one (trust on first use).
pub(crate) fn pin_mismatch(pinned: &str, presented: Option<&str>) -> Diagnosis {
    let presented_text = presented.unwrap_or("no certificate");
    let repin = presented.unwrap_or("SHA256");
    diagnosis(
        Code::TlsPinMismatch,
        format!("The server's certificate changed: pinned {pinned}, server now presents {presented_text}."),
        format!(
            "If the change is expected (the certificate was renewed or replaced), set the Pinned certificate to \
             {repin}, or remove the pin. Otherwise something between you and the server may be intercepting the \
             connection: compare the fingerprint with the one on the server (openssl x509 -noout -fingerprint \
             -sha256 -in server.pem) before trusting it."
        ),
    )
    .pointing_at(Setting::PinnedSha256)
}

/// An http:// URL that reached a TLS port.
pub(crate) fn plain_to_tls_port(ctx: Context<'_>) -> Diagnosis {
    let (host, port) = (ctx.host(), ctx.port());
    diagnosis(
        Code::HttpPlainToTlsPort,
        format!("The URL is http:// but port {port} speaks TLS."),
        format!(
            "Use https://{host}:{port} as the URL (and set the CA file if the server's certificate comes from a \
             private CA)."
        ),
    )
    .pointing_at(Setting::Url)
}

/// An HTTP error status in a step (`what` says which request, e.g. "the heartbeat").
pub(crate) fn status_failure(ctx: Context<'_>, what: &str, response: &ErrorResponse) -> Diagnosis {
    let status = response.status;
    let said = said(response);
    if let Some(refusal) = client_cert::refusal(response) {
        return client_cert::diagnose(ctx, what, response, &said, refusal);
    }
    let auth_setting = match ctx.settings.auth {
        Auth::None => Setting::Auth,
        Auth::Token { .. } => Setting::Token,
        Auth::Basic { .. } => Setting::Password,
    };
    match status {
        401 => diagnosis(Code::HttpUnauthorized, format!("401 Unauthorized for {what}{said}."), auth_hint(ctx, 401))
            .pointing_at(auth_setting),
        403 => diagnosis(Code::HttpForbidden, format!("403 Forbidden for {what}{said}."), auth_hint(ctx, 403))
            .pointing_at(auth_setting),
        502..=504 if !response.chroma_shaped => diagnosis(
            Code::HttpProxyError,
            format!("A proxy in front of Chroma answered {status} for {what}{said}: it cannot reach Chroma."),
            "Check that the Chroma server behind the proxy is running, and that the proxy's upstream address (nginx \
             proxy_pass, Caddy reverse_proxy) points at its host and port. The proxy's error log says more.",
        ),
        400 if response.message.to_ascii_lowercase().contains("plain http request was sent to https port") => {
            plain_to_tls_port(ctx)
        }
        300..=399 => {
            let location = response.location.as_deref().map_or_else(
                || "nowhere".to_owned(),
                |location| crate::profile::redact_url(&sanitize_display(location, MAX_MESSAGE_CHARS)),
            );
            diagnosis(
                Code::HttpRedirect,
                format!("The server redirects {what} to {location}."),
                "Use the URL it redirects to (an http:// to https:// redirect means: use https://). A redirect to \
                 another scheme, host or port is not followed, so that credentials never leave for it, nor travel \
                 unencrypted.",
            )
            .pointing_at(Setting::Url)
        }
        _ if response.chroma_shaped => diagnosis(
            Code::ChromaApiError,
            format!("Chroma answered {status} for {what}{said}."),
            "The message is the server's own; check the server's log with the trace id if it has one.",
        ),
        _ => diagnosis(
            Code::HttpOther,
            format!("Unexpected HTTP {status} for {what}{said}."),
            "A proxy or another server answered in a way Chroma would not. Check the URL, port and path prefix.",
        )
        .pointing_at(Setting::Url),
    }
}

fn said(response: &ErrorResponse) -> String {
    let mut out = String::new();
    let message = sanitize_display(&crate::chroma::server_message(response), MAX_MESSAGE_CHARS);
    if !message.is_empty() {
        let _ = write!(out, ": \"{message}\"");
    }
    if let Some(server) = &response.server {
        let _ = write!(out, " (server: {})", sanitize_display(server, MAX_NAME_CHARS));
    }
    out
}

fn auth_hint(ctx: Context<'_>, status: u16) -> String {
    match &ctx.settings.auth {
        Auth::None => "No credentials were sent. Set Authentication to a token (sent as Authorization: Bearer; set \
                       the Token header to X-Chroma-Token for Chroma Cloud or a server configured with \
                       chroma_auth_token_transport_header), or to basic credentials (a user and a password)."
            .to_owned(),
        Auth::Token { header, .. } => {
            let (sent, other) = match header {
                TokenHeader::Bearer => ("Authorization: Bearer", "X-Chroma-Token"),
                TokenHeader::XChromaToken => ("X-Chroma-Token", "Authorization: Bearer"),
            };
            let meaning = if status == 403 {
                "The token was read but is not allowed here (Chroma's Python server also answers 403 to a wrong \
                 token)."
            } else {
                "The token was not accepted."
            };
            format!(
                "{meaning} It was sent as {sent}; if the server expects {other}, change the Token header. Check the \
                 Token's value and that it belongs to this server and tenant."
            )
        }
        Auth::Basic { user, .. } => {
            format!("The basic credentials of user {user} were not accepted. Check the User and the Password.")
        }
    }
}

/// Something that answers HTTP but is not Chroma.
pub(crate) fn not_chroma(ctx: Context<'_>, evidence: &str) -> Diagnosis {
    diagnosis(
        Code::HttpNotChroma,
        format!("Something answers HTTP at {}, but it is not a Chroma server: {evidence}.", ctx.settings.display_url()),
        "Check the URL's port (Chroma listens on 8000 by default) and, behind a reverse proxy, its path prefix \
         (e.g. https://host/chroma). The proxy may also route this name to another service.",
    )
    .pointing_at(Setting::Url)
}

/// The evidence line for [`not_chroma`] from a failed heartbeat.
pub(crate) fn evidence(err: &ChromaError) -> String {
    match err {
        ChromaError::Status { response } => {
            let mut text = format!("/api/…/heartbeat answered HTTP {}", response.status);
            if let Some(server) = &response.server {
                let _ = write!(text, " from {}", sanitize_display(server, MAX_NAME_CHARS));
            }
            if !response.message.is_empty() {
                let _ = write!(text, " (\"{}\")", sanitize_display(&response.message, MAX_MESSAGE_CHARS));
            }
            text
        }
        ChromaError::Decode { detail, body_snippet, .. } => format!(
            "the answer is not Chroma's ({}; body starts \"{}\")",
            sanitize_display(detail, MAX_MESSAGE_CHARS),
            sanitize_display(body_snippet, MAX_MESSAGE_CHARS)
        ),
        other => sanitize_display(&other.to_string(), MAX_MESSAGE_CHARS),
    }
}

/// A tenant or database that does not exist. `tenant` is the tenant a missing database was looked for in.
pub(crate) fn missing(what: &str, name: &str, tenant: &str, identity_tenant: Option<&str>) -> Diagnosis {
    let (code, create, setting) = if what == "tenant" {
        (Code::ChromaTenantNotFound, "client.create_tenant(...) or POST /api/v2/tenants", Setting::Tenant)
    } else {
        (
            Code::ChromaDatabaseNotFound,
            "client.create_database(...) or POST /api/v2/tenants/TENANT/databases",
            Setting::Database,
        )
    };
    let known = identity_tenant.filter(|t| !t.is_empty() && *t != "*").map_or_else(String::new, |t| {
        format!(" The server says these credentials belong to tenant {}.", sanitize_display(t, MAX_NAME_CHARS))
    });
    let place = if what == "tenant" { String::new() } else { format!(" in tenant {}", clean_name(tenant)) };
    diagnosis(
        code,
        format!("The {what} {} does not exist on this server{place}.", clean_name(name)),
        format!(
            "Set the {} to an existing one (the defaults are default_tenant and default_database), or create it \
             with {create}.{known} Chroma's list endpoints answer an empty list for a missing {what}, so other \
             tools may just show nothing.",
            setting.label()
        ),
    )
    .pointing_at(setting)
}

/// Any error of a request, classified: what the server answered, or why no answer came (TLS, timeout, I/O,
/// name resolution), the size cap, a body that is not Chroma's, a client that could not be built. `what` names the
/// request in the summary ("the heartbeat").
pub(crate) fn chroma_error(ctx: Context<'_>, what: &str, err: &ChromaError) -> Diagnosis {
    match err {
        ChromaError::Status { response } => status_failure(ctx, what, response),
        ChromaError::Decode { .. } => not_chroma(ctx, &evidence(err)),
        ChromaError::Transport { source, chain, .. } => transport_failure(ctx, what, source, chain),
        ChromaError::Resolve { detail, .. } => dns_failure(ctx, detail),
        ChromaError::BodyTooLarge { limit_bytes, .. } => diagnosis(
            Code::HttpResponseTooLarge,
            format!("The answer to {what} is larger than the limit of {limit_bytes} bytes and was not read."),
            "Ask for fewer records or fields at a time, or raise the response size limit. A Chroma server never \
             answers a heartbeat or a version with so much data: then check the URL.",
        )
        .pointing_at(Setting::Url),
        ChromaError::TlsConfig(inner) => tls_config_error(inner),
        ChromaError::Settings(inner) => settings_error(inner),
        ChromaError::Build { detail } => diagnosis(
            Code::ConfigInvalid,
            format!("The connection cannot be set up: {}.", sanitize_display(detail, MAX_MESSAGE_CHARS)),
            "Correct the settings and try again.",
        ),
    }
}

/// A request that got no HTTP answer: a TLS failure (classified with the chain the server presented), a timeout,
/// a refused or reset connection, or something that does not speak HTTP.
pub(crate) fn transport_failure(
    ctx: Context<'_>,
    what: &str,
    source: &reqwest::Error,
    chain: &[CertificateDer<'static>],
) -> Diagnosis {
    // An alert received on an HTTP/2 connection reaches here as text only (see `tls::find_alert_text`).
    let alert_from_text = tls::find_alert_text(source);
    if let Some(rustls_error) = tls::find_rustls_error(source).or(alert_from_text.as_ref()) {
        let sent_client_cert = ctx.settings.client_cert.is_some() && ctx.settings.is_tls();
        return tls_failure(ctx, &tls::classify(rustls_error, chain, sent_client_cert));
    }
    if source.is_timeout() {
        return timeout(ctx, "http", ctx.settings.request_timeout);
    }
    if let Some(io) = tls::find_io_error(source)
        && io.kind() != std::io::ErrorKind::Other
    {
        return io_failure(ctx, io);
    }
    diagnosis(
        Code::HttpOther,
        format!(
            "{} failed: {}.",
            capitalized(what),
            sanitize_display(&crate::chroma::innermost_cause(source), MAX_MESSAGE_CHARS)
        ),
        "The server answered something that is not HTTP, or closed the connection. Check the URL's port and \
         scheme.",
    )
    .pointing_at(Setting::Url)
}

/// A failed browsing call (databases, collections, records), classified as [`chroma_error`] does for requests,
/// plus the things that do not exist.
pub(crate) fn browse_error(ctx: Context<'_>, err: &BrowseError) -> Diagnosis {
    match err {
        BrowseError::Chroma(inner) => request_error(ctx, inner),
        BrowseError::TenantNotFound { tenant } => missing("tenant", tenant, tenant, None),
        BrowseError::DatabaseNotFound { tenant, database } => missing("database", database, tenant, None),
        BrowseError::CollectionNotFound { collection, tenant, database } => diagnosis(
            Code::ChromaCollectionNotFound,
            format!(
                "No collection is named {} or has that id in {}/{}.",
                quoted(collection),
                clean_name(tenant),
                clean_name(database)
            ),
            "Check the collection's name (names are case-sensitive) or id; the list of the database's collections \
             shows both. A collection of another database needs that Tenant and Database.",
        ),
        BrowseError::RecordNotFound { id, collection } => diagnosis(
            Code::ChromaRecordNotFound,
            format!("The collection {} has no record with the id {}.", quoted(collection), quoted(id)),
            "Record ids are case-sensitive; a page of the collection's records shows them.",
        ),
        BrowseError::NoEmbedding { id, collection } => diagnosis(
            Code::ChromaNoEmbedding,
            format!(
                "The record {} of the collection {} has no embedding, so nothing can be compared with it.",
                quoted(id),
                quoted(collection)
            ),
            "Choose a record that has an embedding.",
        ),
        BrowseError::ListingCapped { what, items, reason } => diagnosis(
            Code::ChromaListingCapped,
            format!("Listing the {what} was stopped after {items} of them: {reason}."),
            "The server may be ignoring the paging (limit and offset) of its list endpoint, or the list is larger \
             than this tool reads at once. Check the server's version; a proxy in front of it may drop the query \
             string.",
        ),
    }
}

/// [`chroma_error`], the request named after the URL of the error.
pub(crate) fn request_error(ctx: Context<'_>, err: &ChromaError) -> Diagnosis {
    chroma_error(ctx, &request_name(err), err)
}

/// How a request is named in a summary: `the request to /api/v2/tenants/t`, from the URL of the error.
fn request_name(err: &ChromaError) -> String {
    let url = match err {
        ChromaError::Status { response } => Some(response.url.as_str()),
        ChromaError::Transport { url, .. }
        | ChromaError::Decode { url, .. }
        | ChromaError::BodyTooLarge { url, .. } => Some(url.as_str()),
        _ => None,
    };
    let Some(url) = url.and_then(|url| url::Url::parse(url).ok()) else { return "the request".to_owned() };
    let path = url.path();
    // The requests the check makes are named as its steps name them, so that both say the same.
    let named = [
        ("/api/v2/heartbeat", "the heartbeat"),
        ("/api/v1/heartbeat", "the v1 heartbeat"),
        ("/api/v2/version", "the version"),
        ("/api/v1/version", "the version"),
        ("/api/v2/auth/identity", "/auth/identity"),
        ("/collections_count", "counting collections"),
        ("/count_collections", "counting collections"),
    ];
    if let Some((_, name)) = named.iter().find(|(suffix, _)| path.ends_with(suffix)) {
        return (*name).to_owned();
    }
    let segments: Vec<&str> = url.path_segments().map(Iterator::collect).unwrap_or_default();
    match segments.as_slice() {
        [.., "api", _, "tenants", _] => "the tenant".to_owned(),
        [.., "api", _, "tenants", _, "databases", _] | [.., "api", "v1", "databases", _] => "the database".to_owned(),
        _ => format!("the request to {}", sanitize_display(path, MAX_NAME_CHARS)),
    }
}

/// A name from the server or the settings, quoted and made safe to show.
fn quoted(text: &str) -> String {
    format!("\"{}\"", sanitize_display(text, MAX_NAME_CHARS))
}

fn clean_name(text: &str) -> String {
    sanitize_display(text, MAX_NAME_CHARS)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

mod client_cert;

#[cfg(test)]
mod tests;
