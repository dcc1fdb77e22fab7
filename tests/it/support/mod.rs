//! Test support: the real Chroma server started by `./scripts/test.sh`, a throw-away PKI, a
//! TLS-terminating reverse proxy, and misbehaving servers. Nothing here uses the library
//! (`chroma_connect`): it is built on rustls, tokio-rustls, hyper and reqwest directly, so it
//! keeps working while the library changes.
//!
//! - [`chroma_url`] / [`chroma_addr`]: the seeded Chroma 1.5.9 server (plain HTTP on 127.0.0.1).
//!   The seeded data is described at the top of `scripts/seed.py`; the numbers are in [`seeded`].
//! - [`pki::Pki`]: root / other root / intermediate / client CA, and leaves that fail in each way.
//! - [`proxy::TlsProxy`]: TLS (optionally mTLS, optionally token auth) in front of an HTTP upstream.
//! - [`real_proxy::RealProxy`]: nginx, `HAProxy` or Caddy (real binaries) asking for a client certificate and
//!   refusing at the HTTP layer.
//! - [`servers`]: [`servers::SilentServer`], [`servers::NotChromaServer`], [`servers::closed_port`].
//! - [`scripted::Scripted`]: a plain HTTP server answering what a closure says (redirects, broken paging).
//! - [`client`]: rustls/reqwest client helpers to talk to all of the above.
//! - [`scratch_tenant`]: a fresh tenant + database for tests that write. The server is shared by
//!   all tests, which run in parallel: never modify the seeded tenants and databases.
//!
//! Servers run on the calling test's tokio runtime (`start(..).await`) and stop when dropped.
//! On a `current_thread` runtime (the `#[tokio::test]` default) they make progress only while the
//! test awaits: a test that blocks its thread (e.g. `std::process::Command::output()` to run the
//! CLI against the proxy) must use `#[tokio::test(flavor = "multi_thread")]` or the
//! `start_on_thread` variants, which run the server on a thread of its own.

pub mod client;
pub mod pki;
pub mod proxy;
pub mod real_proxy;
pub mod scripted;
pub mod servers;

use std::future::Future;
use std::net::SocketAddr;

use tokio::sync::oneshot;

/// The environment variable holding the seeded Chroma server's URL.
pub const CHROMA_TEST_URL_ENV: &str = "CHROMA_TEST_URL";

/// The seeded data (see `scripts/seed.py`).
pub mod seeded {
    /// Collections in `default_tenant` / `default_database`, sorted by name.
    pub const COLLECTIONS: [&str; 4] = ["alpha", "beta", "gamma", "lab_docs"];
    /// The big collection: 20 records `doc-00`..`doc-19`, dimension 4,
    /// metadata `{"owner":"chroma-lab","purpose":"lab"}`.
    pub const LAB_DOCS: &str = "lab_docs";
    pub const LAB_DOCS_COUNT: usize = 20;
    pub const LAB_DOCS_DIMENSION: usize = 4;
    /// `alpha` / `beta` / `gamma`: one 3-dim record each (`a-0`, `b-0`, `g-0`).
    pub const SMALL_DIMENSION: usize = 3;
    /// An extra tenant with one (empty) database.
    pub const TENANT: &str = "lab_tenant";
    pub const DATABASE: &str = "lab_db";

    /// Record `i` of `lab_docs`: id, document, color, even, score, embedding (as sent; the
    /// server stores float32).
    #[must_use]
    pub fn lab_doc(i: u32) -> (String, String, &'static str, bool, f64, [f64; 4]) {
        let colors = ["red", "green", "blue"];
        let f = f64::from(i);
        (
            format!("doc-{i:02}"),
            format!("document number {i}"),
            colors[(i % 3) as usize],
            i.is_multiple_of(2),
            f * 0.5,
            [f / 10.0, f64::from(i % 3) / 3.0, f64::from(i % 2), 1.0 - f / 20.0],
        )
    }
}

/// The URL of the seeded Chroma server, e.g. `http://127.0.0.1:41234/` (`CHROMA_TEST_URL` is set
/// without the slash; as a `Url` its path is `/`, so `chroma_url().join("/api/v2/heartbeat")` works).
///
/// # Panics
/// When `CHROMA_TEST_URL` is not set, i.e. the tests were not started by `./scripts/test.sh`.
#[must_use]
pub fn chroma_url() -> url::Url {
    let raw = std::env::var(CHROMA_TEST_URL_ENV).unwrap_or_else(|_| {
        panic!(
            "{CHROMA_TEST_URL_ENV} is not set: run the tests with ./scripts/test.sh, which starts \
             Chroma (extra arguments go to cargo test, e.g. ./scripts/test.sh --test it smoke)"
        )
    });
    url::Url::parse(&raw).unwrap_or_else(|e| panic!("{CHROMA_TEST_URL_ENV}={raw:?} is not a URL: {e}"))
}

/// The socket address of the seeded Chroma server (plain HTTP).
///
/// # Panics
/// As [`chroma_url`], or when the URL has no IP address and port.
#[must_use]
pub fn chroma_addr() -> SocketAddr {
    let url = chroma_url();
    url.socket_addrs(|| None)
        .ok()
        .and_then(|addrs| addrs.into_iter().next())
        .unwrap_or_else(|| panic!("{CHROMA_TEST_URL_ENV}={url} has no address"))
}

/// Makes a new, empty tenant with one database on the seeded server, for tests that write:
/// they must leave `default_tenant` / `default_database` and `lab_tenant` / `lab_db` as seeded,
/// because the tests share one server and run in parallel. Returns `(tenant, database)`, e.g.
/// `("scratch_1234_0_567", "scratch_db")`.
///
/// # Panics
/// When the server refuses.
pub async fn scratch_tenant() -> (String, String) {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tenant = format!("scratch_{}_{n}_{nanos}", std::process::id());
    let database = "scratch_db".to_owned();
    let base = chroma_url();
    let http = client::plain_client();
    http.post(base.join("/api/v2/tenants").expect("url"))
        .json(&serde_json::json!({ "name": tenant }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("create tenant {tenant}: {e}"));
    http.post(base.join(&format!("/api/v2/tenants/{tenant}/databases")).expect("url"))
        .json(&serde_json::json!({ "name": database }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("create database {tenant}/{database}: {e}"));
    (tenant, database)
}

/// A server's accept loop running in the background; stopped when dropped.
#[derive(Debug)]
pub(crate) struct Background {
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Runs `serve(shutdown)` as a task of the current tokio runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub(crate) fn spawn<F, Fut>(serve: F) -> Self
    where
        F: FnOnce(oneshot::Receiver<()>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(serve(rx));
        Self { shutdown: Some(tx), task: Some(task), thread: None }
    }

    /// Runs `serve(shutdown)` on a new thread with its own single-threaded runtime; dropping
    /// joins the thread, so the listening socket is closed when `drop` returns.
    pub(crate) fn spawn_on_thread<F, Fut>(name: &str, serve: F) -> Self
    where
        F: FnOnce(oneshot::Receiver<()>) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("build server runtime");
                rt.block_on(serve(rx));
                // Dropping the runtime cancels the connection tasks.
            })
            .expect("spawn server thread");
        Self { shutdown: Some(tx), task: None, thread: Some(thread) }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds a std listener on 127.0.0.1:0, non-blocking, ready for `tokio::net::TcpListener::from_std`.
pub(crate) fn bind_loopback() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.set_nonblocking(true).expect("set listener non-blocking");
    listener
}
