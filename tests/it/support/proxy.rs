//! [`TlsProxy`]: an in-process TLS-terminating reverse proxy (like nginx in front of Chroma) on
//! 127.0.0.1:0, speaking HTTP/1.1 with keep-alive, forwarding to a plain-HTTP upstream.
//!
//! ```ignore
//! let pki = Pki::new();
//! let proxy = TlsProxy::start(
//!     ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth("s3cret"),
//! ).await;
//! let client = client::reqwest_client(&[&pki.root_pem_path()]);
//! let resp = client.get(format!("{}/api/v2/heartbeat", proxy.https_url()))
//!     .bearer_auth("s3cret").send().await?;
//! assert_eq!(proxy.connections(), 1);
//! ```
//!
//! Behaviour:
//! - TLS 1.2 and 1.3 (or [`ProxyConfig::tls_versions`]), ALPN `http/1.1` only (a client that
//!   offers only `h2` fails the handshake), sends the chain file as is.
//! - With [`ProxyConfig::client_ca`] a client certificate signed by that CA is required
//!   (`WebPkiClientVerifier`): without one a TLS 1.3 client gets alert `CertificateRequired`, with
//!   one from another CA `UnknownCA` (rustls `AlertReceived(..)`).
//! - With [`ProxyConfig::auth`] every request needs `Authorization: Bearer <token>` or
//!   `X-Chroma-Token: <token>`: none of those headers → 401 [`UNAUTHORIZED_BODY`], a wrong value
//!   (or another scheme such as Basic) → 403 [`FORBIDDEN_BODY`], both `application/json`.
//!   Nothing is open without credentials, heartbeat included.
//! - Requests are forwarded with method, path and query, headers minus hop-by-hop ones and
//!   `host`, and body; the upstream's status, headers (minus hop-by-hop) and body come back (redirects too: they are
//!   not followed).
//!   Upstream refused/unreachable → 502 [`BAD_GATEWAY_HTML`]; no answer within
//!   [`ProxyConfig::upstream_timeout`] → 504 [`GATEWAY_TIMEOUT_HTML`] (both `text/html`,
//!   `server: nginx`, like nginx).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::server::WebPkiClientVerifier;
use rustls::{ServerConfig, SupportedProtocolVersion};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::client::{load_certs, load_key, provider, root_store};
use super::pki::Leaf;
use super::{Background, bind_loopback};

/// Body of the 401 answered when no credentials were sent.
pub const UNAUTHORIZED_BODY: &str = r#"{"error":"AuthError","message":"Unauthorized"}"#;
/// Body of the 403 answered when wrong credentials were sent.
pub const FORBIDDEN_BODY: &str = r#"{"error":"AuthError","message":"Forbidden"}"#;
/// Body of the 502 answered when the upstream can't be reached (nginx's page).
pub const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
/// Body of the 504 answered when the upstream does not answer in time (nginx's page).
pub const GATEWAY_TIMEOUT_HTML: &str = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n\
<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Token authentication in front of the upstream (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRule {
    pub token: String,
}

/// How to run a [`TlsProxy`].
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// The certificate chain the server sends (PEM, leaf first), e.g. [`Leaf::chain_pem_path`].
    pub chain_pem: PathBuf,
    /// The leaf's private key (PEM).
    pub key_pem: PathBuf,
    /// When set, client certificates signed by this CA (PEM) are required.
    pub client_ca: Option<PathBuf>,
    /// The plain-HTTP server to forward to (e.g. [`super::chroma_addr`]).
    pub upstream: SocketAddr,
    /// When set, requests need the token.
    pub auth: Option<AuthRule>,
    /// TLS versions offered; `None` = TLS 1.2 and 1.3.
    pub tls_versions: Option<Vec<&'static SupportedProtocolVersion>>,
    /// How long to wait for the upstream's answer before a 504 (default 30 s).
    pub upstream_timeout: Duration,
}

impl ProxyConfig {
    #[must_use]
    pub fn new(chain_pem: PathBuf, key_pem: PathBuf, upstream: SocketAddr) -> Self {
        Self {
            chain_pem,
            key_pem,
            client_ca: None,
            upstream,
            auth: None,
            tls_versions: None,
            upstream_timeout: Duration::from_secs(30),
        }
    }

    /// Serves `leaf` (its chain file and key) in front of `upstream`.
    #[must_use]
    pub fn for_leaf(leaf: &Leaf, upstream: SocketAddr) -> Self {
        Self::new(leaf.chain_pem_path.clone(), leaf.key_pem_path.clone(), upstream)
    }

    /// Require client certificates signed by this CA.
    #[must_use]
    pub fn client_ca(mut self, ca_pem: PathBuf) -> Self {
        self.client_ca = Some(ca_pem);
        self
    }

    /// Require this token.
    #[must_use]
    pub fn auth(mut self, token: &str) -> Self {
        self.auth = Some(AuthRule { token: token.to_owned() });
        self
    }

    /// Offer only these versions, e.g. `&[&rustls::version::TLS12]`.
    #[must_use]
    pub fn tls_versions(mut self, versions: &[&'static SupportedProtocolVersion]) -> Self {
        self.tls_versions = Some(versions.to_vec());
        self
    }

    #[must_use]
    pub fn upstream_timeout(mut self, timeout: Duration) -> Self {
        self.upstream_timeout = timeout;
        self
    }
}

/// One completed TLS handshake, as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// The SNI the client sent (none when it connected to an IP address).
    pub sni: Option<String>,
    pub protocol_version: Option<rustls::ProtocolVersion>,
    pub alpn: Option<Vec<u8>>,
    /// Whether the client presented a certificate.
    pub client_cert: bool,
}

/// One request the proxy received (before auth).
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: Method,
    /// Path and query, e.g. `/api/v2/heartbeat`.
    pub path_and_query: String,
    pub headers: HeaderMap,
}

#[derive(Debug, Default)]
struct Stats {
    connections: AtomicUsize,
    handshakes: AtomicUsize,
    failed_handshakes: AtomicUsize,
    requests: AtomicUsize,
    handshake_log: Mutex<Vec<HandshakeInfo>>,
    request_log: Mutex<Vec<RecordedRequest>>,
}

#[derive(Debug)]
struct Shared {
    stats: Stats,
    upstream: SocketAddr,
    auth: Option<AuthRule>,
    upstream_timeout: Duration,
    client: reqwest::Client,
}

/// The running proxy; stops when dropped. See the module docs.
#[derive(Debug)]
pub struct TlsProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _background: Background,
}

impl TlsProxy {
    /// Starts the proxy on the current tokio runtime.
    ///
    /// # Panics
    /// On unreadable/invalid certificate or key files, or outside a tokio runtime.
    #[expect(clippy::unused_async, reason = "async so that it is called inside the runtime that serves it")]
    pub async fn start(config: ProxyConfig) -> Self {
        Self::start_inner(&config, false)
    }

    /// Starts the proxy on a thread of its own (for tests that block their runtime thread).
    ///
    /// # Panics
    /// On unreadable/invalid certificate or key files.
    #[must_use]
    pub fn start_on_thread(config: &ProxyConfig) -> Self {
        Self::start_inner(config, true)
    }

    fn start_inner(config: &ProxyConfig, own_thread: bool) -> Self {
        let acceptor = TlsAcceptor::from(Arc::new(server_config(config)));
        // A reverse proxy passes redirects on to the client, as nginx does.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("build upstream client");
        let shared = Arc::new(Shared {
            stats: Stats::default(),
            upstream: config.upstream,
            auth: config.auth.clone(),
            upstream_timeout: config.upstream_timeout,
            client,
        });
        let listener = bind_loopback();
        let addr = listener.local_addr().expect("local addr");
        let serve_shared = Arc::clone(&shared);
        let serve = move |shutdown: oneshot::Receiver<()>| accept_loop(listener, acceptor, serve_shared, shutdown);
        let background =
            if own_thread { Background::spawn_on_thread("tls-proxy", serve) } else { Background::spawn(serve) };
        Self { addr, shared, _background: background }
    }

    /// The listening address (127.0.0.1:PORT).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `https://localhost:PORT` (the default leaves are valid for localhost).
    #[must_use]
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// `https://127.0.0.1:PORT` (no SNI is sent for an IP address).
    #[must_use]
    pub fn https_ip_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// `http://127.0.0.1:PORT`: plain HTTP to this TLS port (a failure case).
    #[must_use]
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// TCP connections accepted so far (each starts a TLS handshake).
    #[must_use]
    pub fn connections(&self) -> usize {
        self.shared.stats.connections.load(Ordering::SeqCst)
    }

    /// TLS handshakes completed so far.
    #[must_use]
    pub fn handshakes(&self) -> usize {
        self.shared.stats.handshakes.load(Ordering::SeqCst)
    }

    /// TLS handshakes that failed (bad client certificate, client gave up, plain HTTP...).
    #[must_use]
    pub fn failed_handshakes(&self) -> usize {
        self.shared.stats.failed_handshakes.load(Ordering::SeqCst)
    }

    /// HTTP requests received so far (including those refused by auth).
    #[must_use]
    pub fn requests(&self) -> usize {
        self.shared.stats.requests.load(Ordering::SeqCst)
    }

    /// Every completed handshake, in order.
    ///
    /// # Panics
    /// When a proxy task panicked while holding the log.
    #[must_use]
    pub fn handshake_log(&self) -> Vec<HandshakeInfo> {
        self.shared.stats.handshake_log.lock().expect("lock").clone()
    }

    /// Every request received, in order (method, path and query, headers as sent by the client).
    ///
    /// # Panics
    /// When a proxy task panicked while holding the log.
    #[must_use]
    pub fn request_log(&self) -> Vec<RecordedRequest> {
        self.shared.stats.request_log.lock().expect("lock").clone()
    }
}

fn server_config(config: &ProxyConfig) -> ServerConfig {
    let versions: Vec<&'static SupportedProtocolVersion> =
        config.tls_versions.clone().unwrap_or_else(|| vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    let builder =
        ServerConfig::builder_with_provider(provider()).with_protocol_versions(&versions).expect("TLS versions");
    let builder = match &config.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(root_store(&[ca])), provider())
                .build()
                .expect("client certificate verifier");
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut server = builder
        .with_single_cert(load_certs(&config.chain_pem), load_key(&config.key_pem))
        .expect("server certificate and key");
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    server
}

async fn accept_loop(
    listener: std::net::TcpListener,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = TcpListener::from_std(listener).expect("tokio listener");
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                shared.stats.connections.fetch_add(1, Ordering::SeqCst);
                conns.spawn(serve_connection(stream, acceptor.clone(), Arc::clone(&shared)));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    // Dropping `conns` aborts the open connections.
}

async fn serve_connection(stream: TcpStream, acceptor: TlsAcceptor, shared: Arc<Shared>) {
    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(30), acceptor.accept(stream)).await else {
        shared.stats.failed_handshakes.fetch_add(1, Ordering::SeqCst);
        return;
    };
    {
        let (_, conn) = tls.get_ref();
        let info = HandshakeInfo {
            sni: conn.server_name().map(ToOwned::to_owned),
            protocol_version: conn.protocol_version(),
            alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
            client_cert: conn.peer_certificates().is_some_and(|c| !c.is_empty()),
        };
        shared.stats.handshakes.fetch_add(1, Ordering::SeqCst);
        shared.stats.handshake_log.lock().expect("lock").push(info);
    }
    let service = service_fn(move |req: Request<Incoming>| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(handle(&shared, req).await) }
    });
    let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(tls), service).await;
}

/// Hop-by-hop headers (RFC 9110 7.6.1) plus `host`, which the upstream client sets itself.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    [
        header::CONNECTION,
        header::HOST,
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
        || name.as_str() == "proxy-connection"
}

enum AuthOutcome {
    Allowed,
    NoCredentials,
    WrongCredentials,
}

fn check_auth(rule: &AuthRule, headers: &HeaderMap) -> AuthOutcome {
    let authorization = headers.get(header::AUTHORIZATION);
    let token_header = headers.get("x-chroma-token");
    if authorization.is_none() && token_header.is_none() {
        return AuthOutcome::NoCredentials;
    }
    let bearer_ok = authorization
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == rule.token);
    let token_ok = token_header.and_then(|v| v.to_str().ok()).is_some_and(|t| t.trim() == rule.token);
    if bearer_ok || token_ok { AuthOutcome::Allowed } else { AuthOutcome::WrongCredentials }
}

fn canned(status: StatusCode, content_type: &'static str, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::SERVER, "nginx")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("canned response")
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    shared.stats.requests.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    let path_and_query = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), ToString::to_string);
    shared.stats.request_log.lock().expect("lock").push(RecordedRequest {
        method: parts.method.clone(),
        path_and_query: path_and_query.clone(),
        headers: parts.headers.clone(),
    });

    if let Some(rule) = &shared.auth {
        match check_auth(rule, &parts.headers) {
            AuthOutcome::Allowed => {}
            AuthOutcome::NoCredentials => {
                return canned(StatusCode::UNAUTHORIZED, "application/json", UNAUTHORIZED_BODY);
            }
            AuthOutcome::WrongCredentials => {
                return canned(StatusCode::FORBIDDEN, "application/json", FORBIDDEN_BODY);
            }
        }
    }

    let Ok(body) = body.collect().await.map(http_body_util::Collected::to_bytes) else {
        return canned(StatusCode::BAD_REQUEST, "text/plain", "bad request body\n");
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
            headers.append(name.clone(), value.clone());
        }
    }
    let url = format!("http://{}{}", shared.upstream, path_and_query);
    let is_head = parts.method == Method::HEAD;
    let send = shared.client.request(parts.method, url).headers(headers).body(body).send();
    let upstream = match tokio::time::timeout(shared.upstream_timeout, send).await {
        Err(_) => {
            return canned(StatusCode::GATEWAY_TIMEOUT, "text/html", GATEWAY_TIMEOUT_HTML);
        }
        Ok(Err(e)) if e.is_timeout() => {
            return canned(StatusCode::GATEWAY_TIMEOUT, "text/html", GATEWAY_TIMEOUT_HTML);
        }
        Ok(Err(_)) => return canned(StatusCode::BAD_GATEWAY, "text/html", BAD_GATEWAY_HTML),
        Ok(Ok(response)) => response,
    };

    let status = upstream.status();
    let upstream_headers = upstream.headers().clone();
    let Ok(bytes) = upstream.bytes().await else {
        return canned(StatusCode::BAD_GATEWAY, "text/html", BAD_GATEWAY_HTML);
    };
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = status;
    let out = response.headers_mut();
    for (name, value) in &upstream_headers {
        // The body is sent whole, so hyper sets content-length itself (except for HEAD, where the
        // upstream's value is the only one that means anything).
        if is_hop_by_hop(name) || (name == header::CONTENT_LENGTH && !is_head) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out.entry(header::SERVER).or_insert(HeaderValue::from_static("nginx"));
    response
}
