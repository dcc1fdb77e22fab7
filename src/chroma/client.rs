//! The HTTP client for one set of connection settings: one reqwest client (one connection pool) built from the
//! settings' rustls configuration, with the credentials attached to every request.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::profile::ConnectionSettings;
use crate::tls::{BuildOptions, TlsClient, build_client_config};

use super::error::{ChromaError, ErrorResponse, snippet};
use super::models::{self, ApiVersion, Database, Identity, Tenant};

/// Default cap on a response body: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Default cap on the items a listing walk gathers (collections, databases): 100,000.
pub const DEFAULT_MAX_WALK_ITEMS: usize = 100_000;
/// Default cap on the time a listing walk takes: 5 minutes.
pub const DEFAULT_MAX_WALK_DURATION: Duration = Duration::from_mins(5);

/// How a client is built beyond the connection settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Addresses to connect to instead of resolving the host (the check passes the address it has just tested).
    pub resolved: Vec<SocketAddr>,
    /// Responses larger than this are refused.
    pub max_body_bytes: usize,
    /// A TLS configuration built already (so a check's handshake and the client share one session cache and one
    /// chain capture); built from the settings when `None`.
    pub tls: Option<TlsClient>,
    /// A walk over a paged list (every collection, every database) stops with
    /// [`BrowseError::ListingCapped`](super::BrowseError::ListingCapped) beyond this many items.
    pub max_walk_items: usize,
    /// ... or when it has taken longer than this.
    pub max_walk_duration: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            resolved: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            tls: None,
            max_walk_items: DEFAULT_MAX_WALK_ITEMS,
            max_walk_duration: DEFAULT_MAX_WALK_DURATION,
        }
    }
}

/// A client for one Chroma server. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct ChromaClient {
    http: reqwest::Client,
    base: Url,
    tls: Option<TlsClient>,
    /// The name the server's certificate is verified for (the key of its chain in the TLS capture).
    tls_name: String,
    max_body_bytes: usize,
    pub(crate) walk_limits: WalkLimits,
}

/// The caps of a listing walk (see [`ClientOptions::max_walk_items`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkLimits {
    pub(crate) max_items: usize,
    pub(crate) max_duration: Duration,
}

/// A successful response's body (bounded by the cap) and the URL it came from.
#[derive(Debug)]
pub(crate) struct Body {
    /// The body.
    pub(crate) bytes: Vec<u8>,
    /// The URL requested.
    pub(crate) url: String,
}

impl ChromaClient {
    /// Builds a client: resolves the server's host name once (every request then goes to those addresses), and
    /// reads the CA, client certificate and key files on a blocking thread (off the async runtime). With a
    /// server-name override, TLS and the `Host` header use the override while the connection goes to the
    /// endpoint's addresses.
    pub async fn connect(settings: &ConnectionSettings, mut options: ClientOptions) -> Result<Self, ChromaError> {
        let endpoint = &settings.endpoint;
        if options.resolved.is_empty() && endpoint.host.parse::<IpAddr>().is_err() {
            let lookup = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port));
            let found = tokio::time::timeout(settings.connect_timeout, lookup)
                .await
                .map_err(|_| ChromaError::Resolve {
                    host: endpoint.host.clone(),
                    detail: format!("no answer within {} s", settings.connect_timeout.as_secs_f64()),
                })?
                .map_err(|err| ChromaError::Resolve { host: endpoint.host.clone(), detail: err.to_string() })?;
            options.resolved = found.collect();
            if options.resolved.is_empty() {
                return Err(ChromaError::Resolve { host: endpoint.host.clone(), detail: "no addresses".to_owned() });
            }
        }
        if options.tls.is_none() && settings.is_tls() {
            let tls_settings = settings.tls_settings();
            let built =
                tokio::task::spawn_blocking(move || build_client_config(&tls_settings, &BuildOptions::default()))
                    .await
                    .map_err(|err| ChromaError::Build { detail: format!("reading the TLS files failed: {err}") })?;
            options.tls = Some(built?);
        }
        Self::new(settings, options)
    }

    /// Builds a client without any network I/O; when `options.tls` is `None` and the URL is https, the CA,
    /// client certificate and key files are read here (call it off the async runtime, or use
    /// [`ChromaClient::connect`]). Requests go to `options.resolved` when given, else to what the endpoint's host
    /// resolves to (a server-name override that is a DNS name needs `options.resolved`, unless the endpoint's host
    /// is an IP address).
    pub fn new(settings: &ConnectionSettings, options: ClientOptions) -> Result<Self, ChromaError> {
        settings.validate()?;
        let ClientOptions { mut resolved, max_body_bytes, tls, max_walk_items, max_walk_duration } = options;
        let endpoint = &settings.endpoint;
        let tls_name = settings.tls_name().to_owned();
        // The URL's host decides where reqwest connects (unless pinned by `resolve_to_addrs`), the SNI and the
        // `Host` header. A DNS-name override is the URL's host, pinned to the endpoint's addresses. An IP-address
        // override cannot be pinned that way (reqwest connects to an IP literal directly): the URL keeps the
        // endpoint's host, and the TLS configuration verifies the certificate for the override IP (and sends no
        // SNI, as for any IP address).
        let name_override = settings.server_name.is_some() && tls_name.parse::<IpAddr>().is_err();
        let url_host = if name_override { tls_name.clone() } else { endpoint.host.clone() };
        if name_override && resolved.is_empty() {
            match endpoint.host.parse::<IpAddr>() {
                Ok(ip) => resolved.push(SocketAddr::new(ip, endpoint.port)),
                Err(_) => {
                    return Err(ChromaError::Build {
                        detail: format!(
                            "with the server name {tls_name}, the addresses of {} must be resolved first \
                             (ChromaClient::connect does it)",
                            endpoint.host
                        ),
                    });
                }
            }
        }
        let base = base_url(settings.endpoint.scheme.as_str(), &url_host, endpoint.port, &endpoint.base_path)?;

        let mut headers = HeaderMap::new();
        if let Some((name, value)) = settings.auth.header() {
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| ChromaError::Build { detail: "the credentials cannot be sent as a header".to_owned() })?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static(name), value);
        }

        let origin =
            (base.scheme().to_owned(), base.host_str().unwrap_or_default().to_owned(), base.port_or_known_default());
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            let url = attempt.url();
            let same_origin = url.scheme() == origin.0
                && url.host_str() == Some(origin.1.as_str())
                && url.port_or_known_default() == origin.2;
            if !same_origin {
                // Never carry credentials to another host or port, nor from https:// to plain http://: hand the
                // redirect back to the caller instead.
                attempt.stop()
            } else if attempt.previous().len() >= 5 {
                attempt.error("more than 5 redirects")
            } else {
                attempt.follow()
            }
        });

        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("chroma-connect/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(redirect)
            .no_proxy();
        if !resolved.is_empty() && url_host.parse::<IpAddr>().is_err() {
            builder = builder.resolve_to_addrs(&url_host, &resolved);
        }
        let tls = if settings.is_tls() {
            let tls = match tls {
                Some(tls) => tls,
                None => build_client_config(&settings.tls_settings(), &BuildOptions::default())?,
            };
            builder = builder.tls_backend_preconfigured((*tls.config).clone());
            Some(tls)
        } else {
            None
        };
        let http = builder.build().map_err(|err| ChromaError::Build { detail: err.to_string() })?;
        let walk_limits = WalkLimits { max_items: max_walk_items, max_duration: max_walk_duration };
        Ok(Self { http, base, tls, tls_name, max_body_bytes, walk_limits })
    }

    /// The base URL requests go to (with a server-name override that is a DNS name, its host is the override).
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The TLS configuration in use (its chain capture holds what the server presented).
    #[must_use]
    pub fn tls(&self) -> Option<&TlsClient> {
        self.tls.as_ref()
    }

    /// A transport error, with the chain the server presented in its last handshake (for TLS failures).
    fn transport(&self, source: reqwest::Error, url: &str) -> ChromaError {
        let chain = self.tls.as_ref().and_then(|tls| tls.capture.get(&self.tls_name)).unwrap_or_default();
        ChromaError::Transport { detail: innermost_cause(&source), url: url.to_owned(), source, chain }
    }

    /// `GET /api/vN/heartbeat`: the server's clock in nanoseconds.
    pub async fn heartbeat(&self, api: ApiVersion) -> Result<u64, ChromaError> {
        let body = self.get(api, &["heartbeat"], &[]).await?;
        decode(&body, models::parse_heartbeat)
    }

    /// `GET /api/vN/version`: the server's version (`"1.0.0"` for the 1.x Rust server).
    pub async fn version(&self, api: ApiVersion) -> Result<String, ChromaError> {
        let body = self.get(api, &["version"], &[]).await?;
        decode(&body, models::parse_version)
    }

    /// `GET /api/v2/auth/identity` (v2 only).
    pub async fn identity(&self) -> Result<Identity, ChromaError> {
        let body = self.get(ApiVersion::V2, &["auth", "identity"], &[]).await?;
        decode(&body, models::parse_json)
    }

    /// Fetches a tenant; [`ChromaError::is_not_found`] tells a missing one.
    pub async fn tenant(&self, api: ApiVersion, name: &str) -> Result<Tenant, ChromaError> {
        let body = self.get(api, &["tenants", name], &[]).await?;
        decode(&body, models::parse_json)
    }

    /// Fetches a database of a tenant; [`ChromaError::is_not_found`] tells a missing one.
    pub async fn database(&self, api: ApiVersion, tenant: &str, name: &str) -> Result<Database, ChromaError> {
        let body = match api {
            ApiVersion::V2 => self.get(api, &["tenants", tenant, "databases", name], &[]).await?,
            ApiVersion::V1 => self.get(api, &["databases", name], &[("tenant", tenant)]).await?,
        };
        decode(&body, models::parse_json)
    }

    /// Counts the collections of a database. Note that list endpoints answer 0 for unknown tenants:
    /// check the tenant and database first.
    pub async fn count_collections(&self, api: ApiVersion, tenant: &str, database: &str) -> Result<u64, ChromaError> {
        let body = match api {
            ApiVersion::V2 => {
                self.get(api, &["tenants", tenant, "databases", database, "collections_count"], &[]).await?
            }
            ApiVersion::V1 => {
                self.get(api, &["count_collections"], &[("tenant", tenant), ("database", database)]).await?
            }
        };
        decode(&body, models::parse_count)
    }

    /// Builds the URL `<base>/api/vN/<segments>` (each segment percent-encoded).
    pub(crate) fn url(&self, api: ApiVersion, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", api.as_str()]).extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// `GET` a path and read the body, turning error statuses into [`ChromaError::Status`].
    pub(crate) async fn get(
        &self,
        api: ApiVersion,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Body, ChromaError> {
        let url = self.url(api, segments, query);
        let request = self.http.get(url.clone());
        self.send(request, url).await
    }

    /// `POST` a JSON body to a path (always with `Content-Type: application/json`) and read the answer.
    pub(crate) async fn post_json(
        &self,
        api: ApiVersion,
        segments: &[&str],
        query: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Result<Body, ChromaError> {
        let url = self.url(api, segments, query);
        let bytes = serde_json::to_vec(body).map_err(|err| ChromaError::Build { detail: err.to_string() })?;
        let request = self.http.post(url.clone()).header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes);
        self.send(request, url).await
    }

    async fn send(&self, request: reqwest::RequestBuilder, url: Url) -> Result<Body, ChromaError> {
        let url_text = url.to_string();
        let response = request.send().await.map_err(|source| self.transport(source, &url_text))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = read_capped(response, self.max_body_bytes, &url_text).await.map_err(|err| match err {
            Ok(source) => self.transport(source, &url_text),
            Err(too_large) => too_large,
        })?;
        if status.is_success() {
            Ok(Body { bytes, url: url_text })
        } else {
            let mut response = ErrorResponse::parse(status.as_u16(), &headers, &bytes, &url_text);
            // What the handshakes of this client saw: a refusal by a proxy that asked for a client certificate
            // is diagnosed from it (the same record the check's own handshake reads).
            if let Some(tls) = &self.tls {
                response.client_cert_requested = tls.client_cert_requested();
                response.client_cert_sent = tls.client_cert_sent();
            }
            Err(ChromaError::Status { response: Box::new(response) })
        }
    }
}

/// Reads a body, refusing to buffer more than `cap` bytes. The error is a transport error, or the body cap.
async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
    url: &str,
) -> Result<Vec<u8>, Result<reqwest::Error, ChromaError>> {
    let too_large = || Err(ChromaError::BodyTooLarge { limit_bytes: cap, url: url.to_owned() });
    if response.content_length().is_some_and(|len| usize::try_from(len).map_or(true, |len| len > cap)) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Ok)? {
        if bytes.len() + chunk.len() > cap {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Parses a body with `parse`, turning a parse failure into [`ChromaError::Decode`].
pub(crate) fn decode<T>(body: &Body, parse: impl FnOnce(&[u8]) -> Result<T, String>) -> Result<T, ChromaError> {
    parse(&body.bytes).map_err(|detail| ChromaError::Decode {
        detail,
        body_snippet: snippet(&body.bytes),
        url: body.url.clone(),
    })
}

/// The innermost cause's text, so users never see only "error sending request".
#[must_use]
pub fn innermost_cause(err: &(dyn std::error::Error + 'static)) -> String {
    if let Some(tls) = crate::tls::find_rustls_error(err) {
        return tls.to_string();
    }
    let mut current: &(dyn std::error::Error + 'static) = err;
    let mut text = current.to_string();
    while let Some(next) = next_cause(current) {
        current = next;
        text = current.to_string();
    }
    if err.to_string().contains("operation timed out") || text.contains("timed out") {
        return "timed out".to_owned();
    }
    text
}

fn next_cause<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(io) = err.downcast_ref::<std::io::Error>()
        && let Some(inner) = io.get_ref()
    {
        return Some(inner);
    }
    err.source()
}

fn base_url(scheme: &str, host: &str, port: u16, base_path: &str) -> Result<Url, ChromaError> {
    let host = if host.contains(':') { format!("[{host}]") } else { host.to_owned() };
    Url::parse(&format!("{scheme}://{host}:{port}{base_path}/"))
        .map_err(|err| ChromaError::Build { detail: format!("invalid URL: {err}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_and_encoded() {
        let settings = ConnectionSettings::from_url("http://localhost:8000/proxy").expect("url");
        let client = ChromaClient::new(&settings, ClientOptions::default()).expect("client");
        assert_eq!(
            client.url(ApiVersion::V2, &["tenants", "a b/c"], &[]).as_str(),
            "http://localhost:8000/proxy/api/v2/tenants/a%20b%2Fc"
        );
    }
}
