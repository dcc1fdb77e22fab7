//! Servers that are not Chroma, for failure tests: one that never answers, one that answers
//! HTML like a web server, and a port where nothing listens. All listen on 127.0.0.1, run on the
//! test's runtime (`start().await`) or on a thread of their own (`start_on_thread()`), and stop
//! when dropped.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::{Background, bind_loopback};

/// A port on 127.0.0.1 where nothing listens (bound to port 0, then released): connecting to it
/// is refused. Another process could take it in between, which is unlikely within a test.
#[must_use]
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// [`closed_port`] as a socket address.
#[must_use]
pub fn closed_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], closed_port()))
}

/// Accepts TCP connections and never sends a byte; keeps them open until dropped.
/// A client's connect succeeds; its TLS handshake or HTTP request then times out.
#[derive(Debug)]
pub struct SilentServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    _background: Background,
}

impl SilentServer {
    /// Starts on the current tokio runtime.
    #[expect(clippy::unused_async, reason = "async so that it is called inside the runtime that serves it")]
    pub async fn start() -> Self {
        Self::start_inner(false)
    }

    /// Starts on a thread of its own.
    #[must_use]
    pub fn start_on_thread() -> Self {
        Self::start_inner(true)
    }

    fn start_inner(own_thread: bool) -> Self {
        let listener = bind_loopback();
        let addr = listener.local_addr().expect("local addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        let serve = move |mut shutdown: oneshot::Receiver<()>| async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            let mut held = Vec::new();
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            counter.fetch_add(1, Ordering::SeqCst);
                            held.push(stream);
                        }
                    }
                }
            }
            drop(held);
        };
        let background =
            if own_thread { Background::spawn_on_thread("silent-server", serve) } else { Background::spawn(serve) };
        Self { addr, accepted, _background: background }
    }

    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    #[must_use]
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://localhost:PORT`
    #[must_use]
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// TCP connections accepted so far.
    #[must_use]
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// The 404 body of [`NotChromaServer::start`].
pub const NOT_FOUND_HTML: &str = "<html><body><h1>Not Found</h1></body></html>";
/// The 200 body of [`NotChromaServer::start_welcome`].
pub const WELCOME_HTML: &str = "<html>Welcome</html>";

/// A plain HTTP/1.1 web server that is not Chroma: every method and path gets the same answer,
/// with headers `server: nginx` and `content-type: text/html`.
#[derive(Debug)]
pub struct NotChromaServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    _background: Background,
}

#[derive(Debug, Clone)]
struct Canned {
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
}

impl NotChromaServer {
    /// 404 with [`NOT_FOUND_HTML`] for everything.
    pub async fn start() -> Self {
        Self::start_with(404, "text/html", NOT_FOUND_HTML).await
    }

    /// 200 with [`WELCOME_HTML`] for everything (a web server's default page).
    pub async fn start_welcome() -> Self {
        Self::start_with(200, "text/html", WELCOME_HTML).await
    }

    /// `status` with this content type and body for everything.
    ///
    /// # Panics
    /// When `status` is not a valid HTTP status code.
    #[expect(clippy::unused_async, reason = "async so that it is called inside the runtime that serves it")]
    pub async fn start_with(status: u16, content_type: &'static str, body: &str) -> Self {
        Self::start_inner(Self::canned(status, content_type, body), false)
    }

    /// [`NotChromaServer::start_with`] on a thread of its own.
    #[must_use]
    pub fn start_on_thread(status: u16, content_type: &'static str, body: &str) -> Self {
        Self::start_inner(Self::canned(status, content_type, body), true)
    }

    fn canned(status: u16, content_type: &'static str, body: &str) -> Canned {
        Canned {
            status: StatusCode::from_u16(status).expect("valid status code"),
            content_type,
            body: Bytes::from(body.to_owned()),
        }
    }

    fn start_inner(canned: Canned, own_thread: bool) -> Self {
        let listener = bind_loopback();
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        let serve = move |mut shutdown: oneshot::Receiver<()>| async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let canned = canned.clone();
                        let counter = Arc::clone(&counter);
                        conns.spawn(async move {
                            let service = service_fn(move |_req: Request<Incoming>| {
                                counter.fetch_add(1, Ordering::SeqCst);
                                let canned = canned.clone();
                                async move {
                                    Ok::<_, Infallible>(
                                        Response::builder()
                                            .status(canned.status)
                                            .header("server", "nginx")
                                            .header("content-type", canned.content_type)
                                            .body(Full::new(canned.body))
                                            .expect("response"),
                                    )
                                }
                            });
                            let _ = http1::Builder::new()
                                .keep_alive(true)
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
            // Dropping `conns` aborts the open connections.
        };
        let background =
            if own_thread { Background::spawn_on_thread("not-chroma-server", serve) } else { Background::spawn(serve) };
        Self { addr, requests, _background: background }
    }

    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    #[must_use]
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// HTTP requests answered so far.
    #[must_use]
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
