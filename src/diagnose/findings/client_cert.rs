//! Mutual TLS enforced at the HTTP layer: a reverse proxy that asks for a client certificate in the handshake,
//! lets the handshake finish without a (valid) one, and then refuses the request with an HTTP status. Told apart
//! from any other 400 or 403 by the handshake's `CertificateRequest` ([`ErrorResponse::client_cert_requested`]),
//! and diagnosed as the handshake-level refusals are: `tls.client_cert_required` when no certificate was sent,
//! `tls.client_cert_rejected` when one was.
//!
//! What each proxy answers, from its source or documentation:
//! - nginx (`ssl_verify_client on`; with `optional`, a certificate that fails verification): 400 with the page of
//!   its internal codes 496 "No required SSL certificate was sent" and 495 "The SSL certificate error"
//!   (`src/http/ngx_http_special_response.c`: `ngx_http_error_496_page`, `ngx_http_error_495_page`; the status
//!   line says 400, `r->err_status = NGX_HTTP_BAD_REQUEST`). `error_page 495 496 =495 …` puts 495/496 on the wire,
//!   `error_page 495 496 =403 …` a 403.
//! - `HAProxy` (`bind … ssl ca-file … verify optional`, with `http-request deny if !{ ssl_c_used }` or
//!   `!{ ssl_c_verify 0 }`): 403 with its built-in page "Request forbidden by administrative rules." (`src/http.c`,
//!   `http_err_msgs[HTTP_ERR_403]`) and no `Server` header; `deny_status` changes the status. `verify required`
//!   fails the handshake instead.
//! - Envoy (`require_client_certificate: false` with a `validation_context`, and an RBAC filter whose principals
//!   need an authenticated certificate): 403 "RBAC: access denied" (`source/extensions/filters/http/rbac/
//!   rbac_filter.cc`, `sendLocalReply(Http::Code::Forbidden, "RBAC: access denied", …)`), `Server: envoy` by
//!   default; `ext_authz` denials are 403 too. `require_client_certificate: true` fails the handshake.
//! - Traefik (TLS option `clientAuth.clientAuthType: RequestClientCert` or `VerifyClientCertIfGiven`, and a
//!   middleware that refuses): 403, e.g. "Forbidden" (`http.StatusText`, as `pkg/middlewares/ipallowlist` writes
//!   it), no `Server` header, so it is not told apart from other servers. `RequireAndVerifyClientCert` fails the
//!   handshake.
//! - Caddy (`tls { client_auth { mode request | verify_if_given … } }` and a matcher that `respond`s 403): 403 with
//!   `Server: Caddy`. Modes `require` and `require_and_verify` fail the handshake.
//!
//! A JSON answer is the application's own (Chroma's auth answers 403 in JSON): it keeps its HTTP diagnosis.

use super::{Context, ErrorResponse, Setting, diagnosis};
use crate::diagnose::code::Code;
use crate::diagnose::report::Diagnosis;
use crate::diagnose::text::{MAX_NAME_CHARS, sanitize_display};

/// A reverse proxy, recognised by its `Server` header or its error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proxy {
    Nginx,
    Haproxy,
    Envoy,
    Traefik,
    Caddy,
}

impl Proxy {
    fn name(self) -> &'static str {
        match self {
            Self::Nginx => "nginx",
            Self::Haproxy => "HAProxy",
            Self::Envoy => "Envoy",
            Self::Traefik => "Traefik",
            Self::Caddy => "Caddy",
        }
    }

    /// Where this proxy's client-certificate checks are configured, for a refusal without a certificate.
    fn required_hint(self) -> &'static str {
        match self {
            Self::Nginx => {
                "nginx (ssl_verify_client) accepts certificates issued by the CA of its ssl_client_certificate."
            }
            Self::Haproxy => {
                "HAProxy (bind … verify optional) accepts certificates issued by the CA of the bind line's ca-file; \
                 an http-request deny rule (on ssl_c_used or ssl_c_verify) refused the request."
            }
            Self::Envoy => {
                "Envoy accepts certificates issued by the trusted_ca of its DownstreamTlsContext's \
                 validation_context; its RBAC filter (or ext_authz) refused the request."
            }
            Self::Traefik => {
                "Traefik accepts certificates issued by the CAs of its TLS option's clientAuth.caFiles; a \
                 middleware refused the request."
            }
            Self::Caddy => {
                "Caddy accepts certificates issued by the CA of the site's tls client_auth (trusted_ca_cert_file \
                 or trust_pool); a matcher responded 403."
            }
        }
    }

    /// Where this proxy says why it refused a certificate, for a refusal of one that was sent.
    fn rejected_hint(self) -> &'static str {
        match self {
            Self::Nginx => {
                "nginx verifies it against ssl_client_certificate (and ssl_verify_depth); its error log says why \
                 (\"client SSL certificate verify error\")."
            }
            Self::Haproxy => {
                "HAProxy verifies it against the bind line's ca-file; ssl_c_verify holds the verification error, \
                 and the http-request deny rules say what is refused."
            }
            Self::Envoy => {
                "Envoy verifies it against its validation_context (trusted_ca, match_typed_subject_alt_names); the \
                 RBAC policy's principals decide which certificates are allowed."
            }
            Self::Traefik => {
                "Traefik verifies it against its TLS option's clientAuth.caFiles; a middleware refused the request."
            }
            Self::Caddy => {
                "Caddy verifies it against the site's tls client_auth (trusted_ca_cert_file or trust_pool); a \
                 matcher responded 403."
            }
        }
    }
}

/// A refusal at the HTTP layer after the server asked for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Refusal {
    /// The proxy that refused, when recognisable.
    pub(super) proxy: Option<Proxy>,
    /// Whether a client certificate was sent.
    pub(super) sent: bool,
}

/// The sentences of nginx's pages for its codes 496 and 495.
const NGINX_TEXTS: [&str; 2] = ["No required SSL certificate was sent", "The SSL certificate error"];

/// The refusal `response` is, if it is one: the server asked for a client certificate in the handshake, and
/// answered nginx's 400 page for a missing or failed certificate, nginx's own 495/496, or a 403 that is not the
/// application's JSON.
pub(super) fn refusal(response: &ErrorResponse) -> Option<Refusal> {
    if !response.client_cert_requested || response.chroma_shaped {
        return None;
    }
    let message = response.message.to_ascii_lowercase();
    let nginx_page = NGINX_TEXTS.iter().any(|text| message.contains(&text.to_ascii_lowercase()));
    let json = response.content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains("json"));
    let refused = match response.status {
        400 => nginx_page,
        // nginx's "SSL certificate error" and "no required SSL certificate", when error_page puts them on the wire.
        495 | 496 => true,
        403 => !json,
        _ => false,
    };
    refused.then(|| Refusal { proxy: recognise(response, &message, nginx_page), sent: response.client_cert_sent })
}

/// The proxy that sent `response`, from its `Server` header or its page.
fn recognise(response: &ErrorResponse, message: &str, nginx_page: bool) -> Option<Proxy> {
    let server = response.server.as_deref().unwrap_or_default().to_ascii_lowercase();
    if nginx_page || server.starts_with("nginx") || server.starts_with("openresty") {
        Some(Proxy::Nginx)
    } else if server.contains("envoy") || message.contains("rbac: access denied") {
        Some(Proxy::Envoy)
    } else if server.starts_with("caddy") {
        Some(Proxy::Caddy)
    } else if server.contains("traefik") {
        Some(Proxy::Traefik)
    } else if server.contains("haproxy") || message.contains("request forbidden by administrative rules") {
        Some(Proxy::Haproxy)
    } else {
        None
    }
}

/// The diagnosis of `refusal`, of `response` to `what`; `said` is what the server said (see `findings::said`).
pub(super) fn diagnose(
    ctx: Context<'_>,
    what: &str,
    response: &ErrorResponse,
    said: &str,
    refusal: Refusal,
) -> Diagnosis {
    let status = response.status;
    let who = refusal.proxy.map_or("The server", Proxy::name);
    // nginx's page says its sentence three times: quote it once.
    let nginx_said;
    let said = match NGINX_TEXTS.iter().find(|text| response.message.contains(**text)) {
        Some(text) => {
            let server = response
                .server
                .as_deref()
                .map_or_else(String::new, |server| format!(" (server: {})", sanitize_display(server, MAX_NAME_CHARS)));
            nginx_said = format!(": \"{text}\"{server}");
            nginx_said.as_str()
        }
        None => said,
    };
    if refusal.sent {
        let proxy = refusal.proxy.map_or(
            "Proxies check client certificates against their own CA setting (nginx ssl_client_certificate, HAProxy \
             ca-file, Envoy validation_context, Traefik clientAuth.caFiles, Caddy client_auth); their log says \
             why this one was refused.",
            Proxy::rejected_hint,
        );
        return diagnosis(
            Code::TlsClientCertRejected,
            format!(
                "{who} asked for a client certificate (mutual TLS) and refused the one sent with HTTP {status} to \
                 {what}{said}."
            ),
            format!(
                "The Client certificate was sent but not accepted: it is probably not issued by the CA the server \
                 trusts for clients, has expired, or lacks extendedKeyUsage=clientAuth; or the server's rules do not \
                 allow its subject. {proxy}"
            ),
        )
        .pointing_at(Setting::ClientCert);
    }
    let proxy = refusal.proxy.map_or(
        "A proxy in front of Chroma asked for one in the TLS handshake and refused the request at the HTTP layer \
         (as nginx ssl_verify_client, HAProxy verify optional with http-request deny, Envoy RBAC, Traefik \
         clientAuth or Caddy client_auth do).",
        Proxy::required_hint,
    );
    let configured = if ctx.settings.client_cert.is_some() {
        " A Client certificate is set but was not sent: the server accepts none of the signature schemes of its \
         key (ECDSA P-256 and RSA keys are accepted almost everywhere)."
    } else {
        ""
    };
    diagnosis(
        Code::TlsClientCertRequired,
        format!(
            "{who} asked for a client certificate (mutual TLS) and, as none was sent, answered HTTP {status} to \
             {what}{said}."
        ),
        format!(
            "Set the Client certificate and the Client key (PEM or DER files) to a certificate issued by the CA the \
             server trusts for clients.{configured} {proxy} Chroma's Python client has no such setting: use a proxy \
             or this tool."
        ),
    )
    .pointing_at(Setting::ClientCert)
}

#[cfg(test)]
mod tests {
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, SERVER};

    use super::*;
    use crate::profile::ConnectionSettings;

    /// nginx 1.22's pages for its codes 496 and 495 (`ngx_http_error_496_page` / `_495_page` + the tail).
    const NGINX_496: &str = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n\
        <body>\r\n<center><h1>400 Bad Request</h1></center>\r\n\
        <center>No required SSL certificate was sent</center>\r\n<hr><center>nginx/1.22.1</center>\r\n\
        </body>\r\n</html>\r\n";
    const NGINX_495: &str = "<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n\
        <center><h1>400 Bad Request</h1></center>\r\n<center>The SSL certificate error</center>\r\n\
        <hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
    const NGINX_403: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
        <center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    const NGINX_400: &str = "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n\
        <center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    /// `HAProxy`'s built-in 403 (`http_err_msgs[HTTP_ERR_403]`); it sends no `Server` header.
    const HAPROXY_403: &str = "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n\
        </body></html>\n";

    /// An answer with these headers (`""`: absent) and body, after a handshake that asked for a client
    /// certificate (`requested`) and got one (`sent`).
    fn answer(status: u16, server: &str, content_type: &str, body: &str, requested: bool, sent: bool) -> ErrorResponse {
        let mut headers = HeaderMap::new();
        if !server.is_empty() {
            headers.insert(SERVER, HeaderValue::from_str(server).unwrap());
        }
        if !content_type.is_empty() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        }
        let mut response =
            ErrorResponse::parse(status, &headers, body.as_bytes(), "https://chroma.example.test/api/v2/heartbeat");
        response.client_cert_requested = requested;
        response.client_cert_sent = sent;
        response
    }

    fn diagnosed(response: &ErrorResponse) -> Diagnosis {
        let settings = ConnectionSettings::from_url("https://chroma.example.test").unwrap();
        super::super::status_failure(Context { settings: &settings, address: None }, "the heartbeat", response)
    }

    /// What each proxy's documentation or source says it answers when it asked for a client certificate and then
    /// refuses the request: the code, the proxy named in the summary and the hint, and the setting.
    #[test]
    fn every_proxy_refusal_is_a_client_certificate_diagnosis() {
        let html = "text/html";
        let text = "text/plain";
        let go_text = "text/plain; charset=utf-8";
        let table: [(&str, ErrorResponse, Option<Proxy>); 16] = [
            (
                "nginx ssl_verify_client on, none sent",
                answer(400, "nginx/1.22.1", html, NGINX_496, true, false),
                Some(Proxy::Nginx),
            ),
            (
                "nginx, a certificate of another CA",
                answer(400, "nginx/1.22.1", html, NGINX_495, true, true),
                Some(Proxy::Nginx),
            ),
            ("nginx server_tokens off", answer(400, "nginx", html, NGINX_496, true, false), Some(Proxy::Nginx)),
            (
                "nginx error_page 496 =496",
                answer(496, "nginx", html, "client certificate required", true, false),
                Some(Proxy::Nginx),
            ),
            ("nginx error_page 495 =495", answer(495, "nginx", html, "", true, true), Some(Proxy::Nginx)),
            ("nginx optional + return 403", answer(403, "nginx", html, NGINX_403, true, false), Some(Proxy::Nginx)),
            (
                "HAProxy verify optional + http-request deny",
                answer(403, "", html, HAPROXY_403, true, false),
                Some(Proxy::Haproxy),
            ),
            ("HAProxy deny on ssl_c_verify", answer(403, "", html, HAPROXY_403, true, true), Some(Proxy::Haproxy)),
            ("Envoy RBAC", answer(403, "envoy", text, "RBAC: access denied", true, false), Some(Proxy::Envoy)),
            (
                "Envoy RBAC, a certificate not allowed",
                answer(403, "envoy", text, "RBAC: access denied", true, true),
                Some(Proxy::Envoy),
            ),
            ("Envoy ext_authz", answer(403, "envoy", "", "", true, false), Some(Proxy::Envoy)),
            ("Istio (Envoy)", answer(403, "istio-envoy", text, "RBAC: access denied", true, true), Some(Proxy::Envoy)),
            ("Traefik RequestClientCert + middleware", answer(403, "", go_text, "Forbidden", true, false), None),
            (
                "Traefik with a Server header",
                answer(403, "Traefik", go_text, "Forbidden", true, true),
                Some(Proxy::Traefik),
            ),
            ("Caddy verify_if_given + respond 403", answer(403, "Caddy", "", "", true, false), Some(Proxy::Caddy)),
            ("Caddy mode request + respond 403", answer(403, "Caddy", "", "", true, true), Some(Proxy::Caddy)),
        ];
        for (name, response, proxy) in table {
            let d = diagnosed(&response);
            let code =
                if response.client_cert_sent { Code::TlsClientCertRejected } else { Code::TlsClientCertRequired };
            assert_eq!(d.code, code, "{name}: {}", d.summary);
            assert_eq!(d.setting, Some(Setting::ClientCert), "{name}");
            assert_eq!(refusal(&response).and_then(|r| r.proxy), proxy, "{name}");
            let who = proxy.map_or("The server", Proxy::name);
            assert!(d.summary.starts_with(&format!("{who} asked for a client certificate")), "{name}: {}", d.summary);
            assert!(d.summary.contains(&format!("HTTP {} to the heartbeat", response.status)), "{name}: {}", d.summary);
            assert!(d.hint.contains("Client certificate"), "{name}: {}", d.hint);
            if let Some(proxy) = proxy {
                assert!(d.hint.contains(proxy.name()), "{name}: {}", d.hint);
            }
            if let Some(text) = NGINX_TEXTS.iter().find(|text| response.message.contains(**text)) {
                assert!(
                    d.summary.ends_with(&format!(": \"{text}\" (server: {}).", response.server.as_deref().unwrap())),
                    "{name}: {}",
                    d.summary
                );
            }
        }
    }

    /// Without a client-certificate request, or when the application answered in JSON, a 400 or 403 keeps its
    /// HTTP diagnosis.
    #[test]
    fn other_refusals_keep_their_http_diagnosis() {
        let json = "application/json";
        let chroma_403 = r#"{"error":"AuthError","message":"Forbidden"}"#;
        let table = [
            ("Chroma's own 403", answer(403, "uvicorn", json, chroma_403, false, false), Code::HttpForbidden),
            (
                "Chroma's own 403 behind an mTLS proxy",
                answer(403, "uvicorn", json, chroma_403, true, true),
                Code::HttpForbidden,
            ),
            (
                "FastAPI's 403 behind an mTLS proxy",
                answer(403, "", json, r#"{"detail":"Forbidden"}"#, true, false),
                Code::HttpForbidden,
            ),
            ("a plain 403", answer(403, "nginx", "text/html", NGINX_403, false, false), Code::HttpForbidden),
            (
                "nginx's page without a request",
                answer(400, "nginx", "text/html", NGINX_496, false, false),
                Code::HttpOther,
            ),
            ("another 400 after a request", answer(400, "nginx", "text/html", NGINX_400, true, false), Code::HttpOther),
            ("401 after a request", answer(401, "envoy", "", "", true, false), Code::HttpUnauthorized),
            ("502 after a request", answer(502, "nginx", "text/html", "Bad Gateway", true, true), Code::HttpProxyError),
        ];
        for (name, response, code) in table {
            assert_eq!(refusal(&response), None, "{name}");
            assert_eq!(diagnosed(&response).code, code, "{name}");
        }
    }

    /// A certificate is set but was not sent (its key fits none of the server's signature schemes): the hint says so.
    #[test]
    fn a_certificate_set_but_not_sent_is_named() {
        let mut settings = ConnectionSettings::from_url("https://chroma.example.test").unwrap();
        settings.client_cert = Some("client.pem".into());
        settings.client_key = Some("client-key.pem".into());
        let response = answer(403, "Caddy", "", "", true, false);
        let d =
            super::super::status_failure(Context { settings: &settings, address: None }, "the heartbeat", &response);
        assert_eq!(d.code, Code::TlsClientCertRequired);
        assert!(d.hint.contains("is set but was not sent"), "{}", d.hint);
    }
}
