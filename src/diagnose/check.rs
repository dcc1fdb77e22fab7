//! The connection check: `dns`, `tcp`, `tls`, `http`, `api`, `auth`, `tenant`, `collections`, in order, each
//! timed and reported as it completes; stops at the first failure with a diagnosis that names the cause.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::chroma::{ApiVersion, ChromaClient, ChromaError, ClientOptions, Identity};
use crate::profile::{ConnectionSettings, Setting, Verify};
use crate::tls::{self, BuildOptions, CertInfo, TlsClient, TlsFailure, Trust};

use super::code::Code;
use super::findings::{self, Context, diagnosis};
use super::report::{CheckReport, Diagnosis, ServerInfo, Step, StepReport, StepStatus, Target, TlsSession};

/// Progress of a running check, sent as each step starts and ends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CheckEvent {
    /// A step began.
    Started(Step),
    /// A step ended (also sent for skipped steps).
    Finished(StepReport),
}

/// The check was cancelled before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the check was cancelled")]
pub struct Cancelled;

/// Runs the check. Progress goes to `events` as it happens; `cancel` stops it at the next await point (dropping
/// the future does too). Never panics on any input: problems end up in the report's diagnosis.
pub async fn run_check(
    settings: &ConnectionSettings,
    events: Option<UnboundedSender<CheckEvent>>,
    cancel: CancellationToken,
) -> Result<CheckReport, Cancelled> {
    let mut checker = Checker::new(settings, events);
    let outcome = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(Cancelled),
        outcome = checker.run_and_judge_trust() => outcome,
    };
    Ok(checker.finish(outcome))
}

/// State gathered while the steps run.
struct Checker<'a> {
    settings: &'a ConnectionSettings,
    events: Option<UnboundedSender<CheckEvent>>,
    steps: Vec<StepReport>,
    address: Option<SocketAddr>,
    server: Option<ServerInfo>,
    tls_session: Option<TlsSession>,
    chain: Vec<CertificateDer<'static>>,
    /// Whether other clients would accept the chain.
    trust: Vec<super::trust::ClientTrust>,
    collections_count: Option<u64>,
    warnings: Vec<String>,
    started: Option<(Step, Instant)>,
}

impl<'a> Checker<'a> {
    fn new(settings: &'a ConnectionSettings, events: Option<UnboundedSender<CheckEvent>>) -> Self {
        Self {
            settings,
            events,
            steps: Vec::new(),
            address: None,
            server: None,
            tls_session: None,
            chain: Vec::new(),
            trust: Vec::new(),
            collections_count: None,
            warnings: settings.warnings(),
            started: None,
        }
    }

    fn ctx(&self) -> Context<'a> {
        Context { settings: self.settings, address: self.address }
    }

    /// Marks `step` as started.
    fn start(&mut self, step: Step) {
        self.started = Some((step, Instant::now()));
        self.emit(CheckEvent::Started(step));
    }

    /// Ends the running step.
    fn end(&mut self, status: StepStatus, detail: impl Into<String>) {
        let Some((step, started)) = self.started.take() else { return };
        let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        self.push(StepReport { step, status, ms, detail: detail.into() });
    }

    /// Ends the running step as failed and returns the diagnosis, for `?`.
    fn fail(&mut self, diagnosis: Diagnosis) -> Diagnosis {
        self.end(StepStatus::Failed, diagnosis.summary.clone());
        diagnosis
    }

    fn skip(&mut self, step: Step, detail: impl Into<String>) {
        self.push(StepReport { step, status: StepStatus::Skipped, ms: 0.0, detail: detail.into() });
    }

    fn push(&mut self, report: StepReport) {
        self.emit(CheckEvent::Finished(report.clone()));
        self.steps.push(report);
    }

    fn emit(&self, event: CheckEvent) {
        if let Some(events) = &self.events {
            // A receiver that went away just stops listening; the check goes on.
            let _ = events.send(event);
        }
    }

    /// Runs every step, then judges the presented chain as other clients would. The trust stores are read on a
    /// blocking thread while the steps run.
    async fn run_and_judge_trust(&mut self) -> Result<Diagnosis, Diagnosis> {
        let stores = super::trust::load_stores(self.settings);
        let outcome = self.run().await;
        self.trust = super::trust::judge_chain(self.settings, &self.chain, stores).await;
        outcome
    }

    /// Runs every step; `Ok` holds the success diagnosis.
    async fn run(&mut self) -> Result<Diagnosis, Diagnosis> {
        let settings = self.settings;
        settings.validate().map_err(|err| findings::settings_error(&err))?;
        let tls_client = if settings.is_tls() {
            // The CA, client certificate and key files are read on a blocking thread, never on the runtime.
            let tls_settings = settings.tls_settings();
            let built =
                tokio::task::spawn_blocking(move || tls::build_client_config(&tls_settings, &BuildOptions::default()))
                    .await
                    .map_err(|err| diagnosis(Code::TlsOther, format!("Reading the TLS files failed: {err}."), ""))?;
            Some(built.map_err(|err| findings::tls_config_error(&err))?)
        } else {
            None
        };

        let addresses = self.dns().await?;
        let tcp = self.tcp(&addresses).await?;
        if let Some(tls_client) = &tls_client {
            self.tls(tcp, tls_client).await?;
        } else {
            drop(tcp);
            self.skip(Step::Tls, "not used: the URL is http://");
        }

        let client = ChromaClient::new(
            settings,
            ClientOptions {
                resolved: self.address.into_iter().collect(),
                tls: tls_client.clone(),
                ..ClientOptions::default()
            },
        )
        .map_err(|err| findings::chroma_error(self.ctx(), "building the client", &err))?;

        let v2_heartbeat = self.http(&client).await?;
        let api = self.api(&client, v2_heartbeat).await?;
        let identity = self.auth(&client, api).await?;
        self.tenant(&client, api, identity.as_ref()).await?;
        self.collections(&client, api).await?;

        let server = self.server.as_ref().map_or_else(String::new, |s| format!("Chroma {} (API {})", s.version, s.api));
        let count = self.collections_count.unwrap_or_default();
        let summary = format!(
            "Connected to {server} at {}: tenant {} and database {} exist, {count} collection{}.",
            settings.display_url(),
            settings.tenant,
            settings.database,
            if count == 1 { "" } else { "s" }
        );
        if settings.is_tls() && settings.verify == Verify::Off {
            let hint = "Certificate verification is OFF: the connection is encrypted but the server is not \
                        authenticated. Set the CA file to the certificate of the server's CA instead of turning \
                        Verification off.";
            return Ok(diagnosis(Code::Ok, summary, hint).pointing_at(Setting::CaFile));
        }
        Ok(diagnosis(Code::Ok, summary, ""))
    }

    async fn dns(&mut self) -> Result<Vec<SocketAddr>, Diagnosis> {
        self.start(Step::Dns);
        let endpoint = &self.settings.endpoint;
        if let Ok(ip) = endpoint.host.parse::<IpAddr>() {
            self.end(StepStatus::Ok, format!("{ip} is an address; nothing to resolve"));
            return Ok(vec![SocketAddr::new(ip, endpoint.port)]);
        }
        let lookup = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port));
        match tokio::time::timeout(self.settings.connect_timeout, lookup).await {
            Err(_) => {
                let limit = self.settings.connect_timeout;
                let mut d = findings::dns_failure(self.ctx(), &format!("no answer within {} s", limit.as_secs()));
                d.code = Code::NetTimeout;
                Err(self.fail(d))
            }
            Ok(Err(err)) => Err(self.fail(findings::dns_failure(self.ctx(), &err.to_string()))),
            Ok(Ok(found)) => {
                let addresses: Vec<SocketAddr> = found.collect();
                if addresses.is_empty() {
                    return Err(self.fail(findings::dns_failure(self.ctx(), "no addresses")));
                }
                let list = addresses.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ");
                self.end(StepStatus::Ok, format!("{} → {list}", endpoint.host));
                Ok(addresses)
            }
        }
    }

    async fn tcp(&mut self, addresses: &[SocketAddr]) -> Result<TcpStream, Diagnosis> {
        self.start(Step::Tcp);
        let limit = self.settings.connect_timeout;
        let mut last = None;
        for &address in addresses {
            self.address = Some(address);
            match tokio::time::timeout(limit, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    self.end(StepStatus::Ok, format!("connected to {address}"));
                    return Ok(stream);
                }
                Ok(Err(err)) => last = Some(findings::io_failure(self.ctx(), &err)),
                Err(_) => last = Some(findings::timeout(self.ctx(), "tcp", limit)),
            }
        }
        let diagnosis = last.unwrap_or_else(|| findings::dns_failure(self.ctx(), "no addresses"));
        Err(self.fail(diagnosis))
    }

    async fn tls(&mut self, tcp: TcpStream, client: &TlsClient) -> Result<(), Diagnosis> {
        self.start(Step::Tls);
        let settings = self.settings;
        let name = ServerName::try_from(settings.tls_name().to_owned()).map_err(|_| {
            findings::settings_error(&crate::profile::SettingsError::new("server_name", "is not a valid name"))
        })?;
        let limit = settings.connect_timeout;
        let outcome = tokio::time::timeout(limit, tls::handshake(tcp, client, name)).await;
        let (handshake, mut stream) = match outcome {
            Err(_) => return Err(self.fail(findings::timeout(self.ctx(), "tls", limit))),
            Ok(Err(probe)) => {
                self.chain.clone_from(&probe.chain);
                let diagnosis = self.handshake_failure(&probe.error).await;
                return Err(self.fail(diagnosis));
            }
            Ok(Ok(done)) => done,
        };
        self.chain.clone_from(&handshake.chain);
        self.tls_session = Some(TlsSession {
            protocol: handshake.protocol.clone(),
            cipher_suite: handshake.cipher_suite.clone(),
            alpn: handshake.alpn.clone(),
        });

        if let Some(err) = post_handshake_refusal(&mut stream, &handshake, settings).await {
            let failure = self.tls_failure_of(&err, handshake.client_cert_sent);
            return Err(self.fail(findings::tls_failure(self.ctx(), &failure)));
        }

        // A pinned fingerprint is enforced by the verifier, on this and every later connection: reaching here
        // means the certificate is the pinned one.
        let pin_note = if settings.pinned_sha256.is_some() { "; matches the pinned fingerprint" } else { "" };
        let pinned_only = client.capture.trusted_by_pin_only(settings.tls_name());
        if let Some(reason) = pinned_only {
            let session = format!("{} {}", handshake.protocol, handshake.cipher_suite);
            self.warnings.push(format!(
                "the server's certificate is trusted only because it is pinned: the configured trust refused it \
                 ({reason}); a different certificate will fail the check"
            ));
            self.end(StepStatus::Warning, format!("{session}; certificate trusted by its pinned fingerprint only"));
            return Ok(());
        }

        let verified = match &settings.verify {
            Verify::Off => None,
            Verify::System => Some("system trust store".to_owned()),
            Verify::CaFile(path) => Some(format!("CA file {}", path.display())),
        };
        let session = format!("{} {}", handshake.protocol, handshake.cipher_suite);
        match verified {
            Some(by) => self.end(
                StepStatus::Ok,
                format!("{session}; certificate valid for {} ({by}){pin_note}", settings.tls_name()),
            ),
            None => {
                self.end(
                    StepStatus::Warning,
                    format!("{session}; certificate NOT verified (verification is off){pin_note}"),
                );
            }
        }
        Ok(())
    }

    /// Classifies a failed handshake; tells a plain-HTTP port apart from other closed connections.
    async fn handshake_failure(&mut self, err: &std::io::Error) -> Diagnosis {
        if tls::find_rustls_error(err).is_some() {
            let sent = client_identity_configured(self.settings);
            let failure = self.tls_failure_of(err, sent);
            return findings::tls_failure(self.ctx(), &failure);
        }
        // No TLS error: the peer closed or reset the connection. A plain-HTTP server often does that when it
        // receives a ClientHello; ask it in HTTP to be sure.
        if let Some(address) = self.address
            && speaks_plain_http(address, self.settings.connect_timeout).await
        {
            return findings::tls_failure(self.ctx(), &TlsFailure::NotTls);
        }
        match err.kind() {
            std::io::ErrorKind::TimedOut => findings::timeout(self.ctx(), "tls", self.settings.connect_timeout),
            _ => findings::io_failure(self.ctx(), err),
        }
    }

    fn tls_failure_of(&self, err: &(dyn std::error::Error + 'static), sent_client_cert: bool) -> TlsFailure {
        match tls::find_rustls_error(err) {
            Some(rustls_error) => tls::classify(rustls_error, &self.chain, sent_client_cert),
            None => TlsFailure::Other { detail: err.to_string() },
        }
    }

    /// The first HTTP request: `GET /api/v2/heartbeat`. Returns whether it answered as a v2 server.
    async fn http(&mut self, client: &ChromaClient) -> Result<bool, Diagnosis> {
        self.start(Step::Http);
        match client.heartbeat(ApiVersion::V2).await {
            Ok(_) => {
                self.end(StepStatus::Ok, "GET /api/v2/heartbeat → 200");
                Ok(true)
            }
            Err(ChromaError::Status { response }) if matches!(response.status, 404 | 410) => {
                self.end(StepStatus::Ok, format!("GET /api/v2/heartbeat → {}", response.status));
                Ok(false)
            }
            Err(err @ ChromaError::Decode { .. }) => {
                self.end(StepStatus::Ok, "GET /api/v2/heartbeat → 200, but not a Chroma heartbeat");
                self.start(Step::Api);
                Err(self.fail(findings::not_chroma(self.ctx(), &findings::evidence(&err))))
            }
            Err(err) => {
                let diagnosis = self.request_failure("the heartbeat", &err, client).await;
                Err(self.fail(diagnosis))
            }
        }
    }

    /// Classifies a failed request: transport errors by their TLS or I/O cause, statuses by what they mean (as
    /// [`findings::chroma_error`] does for every face), plus what only the network can tell: an http:// request
    /// that reached a TLS port.
    async fn request_failure(&mut self, what: &str, err: &ChromaError, client: &ChromaClient) -> Diagnosis {
        if let ChromaError::Transport { source, chain, .. } = err {
            if tls::find_rustls_error(source).is_some() && self.chain.is_empty() {
                let captured = client.tls().and_then(|t| t.capture.get(self.settings.tls_name()));
                self.chain = captured.unwrap_or_else(|| chain.clone());
            }
            // An http:// request that got garbage or a closed connection back may have reached a TLS port.
            if tls::find_rustls_error(source).is_none()
                && !source.is_timeout()
                && !self.settings.is_tls()
                && let Some(address) = self.address
                && speaks_tls(address, self.settings.tls_name(), self.settings.connect_timeout).await
            {
                return findings::plain_to_tls_port(self.ctx());
            }
        }
        findings::chroma_error(self.ctx(), what, err)
    }

    async fn api(&mut self, client: &ChromaClient, v2_heartbeat: bool) -> Result<ApiVersion, Diagnosis> {
        self.start(Step::Api);
        let api = if v2_heartbeat {
            ApiVersion::V2
        } else {
            match client.heartbeat(ApiVersion::V1).await {
                Ok(_) => ApiVersion::V1,
                Err(err @ (ChromaError::Status { .. } | ChromaError::Decode { .. })) => {
                    let diagnosis = if err.status().is_some_and(|s| matches!(s, 401 | 403 | 502..=504)) {
                        self.request_failure("the v1 heartbeat", &err, client).await
                    } else {
                        findings::not_chroma(self.ctx(), &findings::evidence(&err))
                    };
                    return Err(self.fail(diagnosis));
                }
                Err(err) => {
                    let diagnosis = self.request_failure("the v1 heartbeat", &err, client).await;
                    return Err(self.fail(diagnosis));
                }
            }
        };
        let version = match client.version(api).await {
            // The server's words: shown in the step, the summary and the app, so made safe to show.
            Ok(version) => super::text::sanitize_display(&version, 64),
            Err(err @ ChromaError::Transport { .. }) => {
                let diagnosis = self.request_failure("the version", &err, client).await;
                return Err(self.fail(diagnosis));
            }
            Err(_) => "unknown".to_owned(),
        };
        let generation = match (api, version.as_str()) {
            (ApiVersion::V1, _) => "0.4/0.5 (Python server)",
            (ApiVersion::V2, "1.0.0") => "1.x (Rust server)",
            (ApiVersion::V2, v) if v.starts_with("0.") => "0.5 (Python server)",
            (ApiVersion::V2, _) => "1.x",
        };
        self.end(StepStatus::Ok, format!("Chroma API {}, version {version}: chroma {generation}", api.as_str()));
        self.server = Some(ServerInfo { api: api.as_str().to_owned(), version });
        Ok(api)
    }

    async fn auth(&mut self, client: &ChromaClient, api: ApiVersion) -> Result<Option<Identity>, Diagnosis> {
        self.start(Step::Auth);
        let described = self.settings.auth.describe();
        if api == ApiVersion::V1 {
            self.end(
                StepStatus::Skipped,
                format!("API v1 has no identity endpoint; credentials ({described}) are checked by the next requests"),
            );
            return Ok(None);
        }
        match client.identity().await {
            Ok(identity) => {
                let user = if identity.user_id.is_empty() { "anonymous".to_owned() } else { identity.user_id.clone() };
                let detail = super::text::sanitize_display(
                    &format!(
                        "credentials: {described}; server says user {user}, tenant {}, databases [{}]",
                        if identity.tenant.is_empty() { "?" } else { identity.tenant.as_str() },
                        identity.databases.join(", ")
                    ),
                    super::text::MAX_MESSAGE_CHARS,
                );
                let tenant = &self.settings.tenant;
                if !identity.tenant.is_empty() && identity.tenant != "*" && identity.tenant != *tenant {
                    self.warnings.push(format!(
                        "the credentials belong to tenant {}, but the check uses tenant {tenant}",
                        super::text::sanitize_display(&identity.tenant, super::text::MAX_NAME_CHARS)
                    ));
                }
                self.end(StepStatus::Ok, detail);
                Ok(Some(identity))
            }
            Err(ChromaError::Status { response }) if response.status == 404 => {
                self.end(
                    StepStatus::Ok,
                    "the server has no /auth/identity; credentials are checked by the next requests",
                );
                Ok(None)
            }
            Err(err) => {
                let diagnosis = self.request_failure("/auth/identity", &err, client).await;
                Err(self.fail(diagnosis))
            }
        }
    }

    async fn tenant(
        &mut self,
        client: &ChromaClient,
        api: ApiVersion,
        identity: Option<&Identity>,
    ) -> Result<(), Diagnosis> {
        self.start(Step::Tenant);
        let settings = self.settings;
        let known_tenant = identity.map(|i| i.tenant.as_str());
        if let Err(err) = client.tenant(api, &settings.tenant).await {
            let diagnosis = if err.is_not_found() {
                findings::missing("tenant", &settings.tenant, &settings.tenant, known_tenant)
            } else {
                self.request_failure("the tenant", &err, client).await
            };
            return Err(self.fail(diagnosis));
        }
        if let Err(err) = client.database(api, &settings.tenant, &settings.database).await {
            let diagnosis = if err.is_not_found() {
                findings::missing("database", &settings.database, &settings.tenant, known_tenant)
            } else {
                self.request_failure("the database", &err, client).await
            };
            return Err(self.fail(diagnosis));
        }
        self.end(StepStatus::Ok, format!("tenant {} and database {} exist", settings.tenant, settings.database));
        Ok(())
    }

    async fn collections(&mut self, client: &ChromaClient, api: ApiVersion) -> Result<(), Diagnosis> {
        self.start(Step::Collections);
        let settings = self.settings;
        match client.count_collections(api, &settings.tenant, &settings.database).await {
            Ok(count) => {
                self.collections_count = Some(count);
                self.end(StepStatus::Ok, format!("{count} collection{}", if count == 1 { "" } else { "s" }));
                Ok(())
            }
            Err(err) => {
                let diagnosis = self.request_failure("counting collections", &err, client).await;
                Err(self.fail(diagnosis))
            }
        }
    }

    /// Builds the report; steps that never ran are listed as skipped.
    fn finish(mut self, outcome: Result<Diagnosis, Diagnosis>) -> CheckReport {
        let ok = outcome.is_ok();
        let diagnosis = outcome.unwrap_or_else(|failure| failure);
        if self.started.is_some() {
            // A step was interrupted by a failure found outside it (e.g. while building the client).
            self.end(StepStatus::Failed, diagnosis.summary.clone());
        }
        for step in Step::ALL {
            if !self.steps.iter().any(|s| s.step == step) {
                let why = if ok { "not applicable" } else { "not run: an earlier step failed" };
                self.skip(step, why);
            }
        }
        self.steps.sort_by_key(|s| Step::ALL.iter().position(|x| *x == s.step));
        let settings = self.settings;
        let certificates: Vec<CertInfo> = self.chain.iter().filter_map(|der| tls::cert_info(der).ok()).collect();
        CheckReport {
            ok,
            target: Target { address: self.address.map(|a| a.to_string()), ..Target::of(settings) },
            diagnosis,
            steps: self.steps,
            server: self.server,
            tls: self.tls_session,
            certificates,
            trust: self.trust,
            collections_count: self.collections_count,
            warnings: self.warnings,
        }
    }
}

/// In TLS 1.3 the server judges the client certificate after the client considers the handshake done: a refusal
/// arrives as an alert on the first read. When the server asked for a certificate, makes one round trip (a request
/// in the protocol ALPN chose) and returns the error that carries a TLS alert, if one came within the connect
/// timeout.
async fn post_handshake_refusal(
    stream: &mut tokio_rustls::client::TlsStream<TcpStream>,
    handshake: &tls::Handshake,
    settings: &ConnectionSettings,
) -> Option<std::io::Error> {
    if !handshake.client_cert_requested {
        return None;
    }
    let request = if handshake.alpn.as_deref() == Some("h2") {
        [b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".as_slice(), &[0, 0, 0, 4, 0, 0, 0, 0, 0]].concat()
    } else {
        format!("HEAD / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", settings.tls_name()).into_bytes()
    };
    let round_trip = async {
        stream.write_all(&request).await?;
        stream.flush().await?;
        let mut byte = [0u8; 1];
        stream.read(&mut byte).await
    };
    match tokio::time::timeout(settings.connect_timeout, round_trip).await {
        Ok(Err(err)) if tls::find_rustls_error(&err).is_some() => Some(err),
        _ => None,
    }
}

/// The TLS refusal the check's `tls` step finds at the first of `addresses` that accepts a connection: a failed
/// handshake, or a client certificate refused by an alert after it (see [`post_handshake_refusal`]). `None` when
/// the handshake and the round trip go through, or fail without a TLS alert. For browsing errors whose TLS cause
/// the HTTP client lost: on an HTTP/2 connection, hyper may report only that the connection closed. One TCP
/// connection and one handshake, each bounded by the connect timeout.
pub(crate) async fn tls_refusal(
    settings: &ConnectionSettings,
    addresses: &[SocketAddr],
) -> Option<(SocketAddr, TlsFailure)> {
    let tls_settings = settings.tls_settings();
    let client = tokio::task::spawn_blocking(move || tls::build_client_config(&tls_settings, &BuildOptions::default()))
        .await
        .ok()?
        .ok()?;
    let name = ServerName::try_from(settings.tls_name().to_owned()).ok()?;
    let limit = settings.connect_timeout;
    // The first address that accepts, as the `tcp` step does.
    let mut accepted = None;
    for &address in addresses {
        if let Ok(Ok(tcp)) = tokio::time::timeout(limit, TcpStream::connect(address)).await {
            accepted = Some((address, tcp));
            break;
        }
    }
    let (address, tcp) = accepted?;
    let failure = match tokio::time::timeout(limit, tls::handshake(tcp, &client, name)).await.ok()? {
        Err(probe) => probe.classify()?,
        Ok((handshake, mut stream)) => {
            let err = post_handshake_refusal(&mut stream, &handshake, settings).await?;
            let rustls_error = tls::find_rustls_error(&err)?;
            tls::classify(rustls_error, &handshake.chain, handshake.client_cert_sent)
        }
    };
    Some((address, failure))
}

fn client_identity_configured(settings: &ConnectionSettings) -> bool {
    settings.client_cert.is_some() && settings.is_tls()
}

/// True when `address` answers a plain HTTP request with an HTTP status line.
async fn speaks_plain_http(address: SocketAddr, limit: Duration) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect(address).await?;
        stream.write_all(b"HEAD / HTTP/1.0\r\n\r\n").await?;
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).await?;
        Ok::<bool, std::io::Error>(&head == b"HTTP/")
    };
    matches!(tokio::time::timeout(limit, attempt).await, Ok(Ok(true)))
}

/// True when `address` answers a `ClientHello` in TLS: the handshake completes (verification is off: only the
/// protocol matters here), or fails with a TLS alert from the server (e.g. a TLS 1.2 server demanding a client
/// certificate), rather than with garbage or a closed connection.
pub(crate) async fn speaks_tls(address: SocketAddr, name: &str, limit: Duration) -> bool {
    let settings = tls::TlsSettings { trust: Trust::Insecure, ..tls::TlsSettings::default() };
    let options = BuildOptions { alpn_http1_only: true, resumption: false };
    let (Ok(client), Ok(name)) = (tls::build_client_config(&settings, &options), ServerName::try_from(name.to_owned()))
    else {
        return false;
    };
    let attempt = async {
        let Ok(tcp) = TcpStream::connect(address).await else { return false };
        match tls::handshake(tcp, &client, name).await {
            Ok(_) => true,
            Err(probe) => matches!(probe.rustls_error(), Some(rustls::Error::AlertReceived(_))),
        }
    };
    matches!(tokio::time::timeout(limit, attempt).await, Ok(true))
}
