//! [`Scripted`]: a plain HTTP/1.1 server on 127.0.0.1 that answers every request with what a closure returns for
//! its path and query, and records each request's path and headers. For servers that misbehave in one precise
//! way: redirects, paging that ignores the offset, texts with control characters.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::{Background, bind_loopback};

/// What to answer: status, `Location` header, JSON body.
pub type Answer = (u16, Option<String>, String);

/// Answers a request given its path and query (`/api/v2/x?limit=1&offset=2`).
pub type Respond = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// The running server; stops when dropped. Runs on a thread of its own.
pub struct Scripted {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, HeaderMap)>>>,
    _background: Background,
}

impl Scripted {
    #[must_use]
    pub fn start(respond: Respond) -> Self {
        let listener = bind_loopback();
        let addr = listener.local_addr().expect("addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let serve_log = Arc::clone(&log);
        let background = Background::spawn_on_thread("scripted", move |mut shutdown| async move {
            let listener = TcpListener::from_std(listener).expect("listener");
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let (respond, log) = (Arc::clone(&respond), Arc::clone(&serve_log));
                        conns.spawn(async move {
                            let service = service_fn(move |req: Request<Incoming>| {
                                let path = req.uri().path().to_owned();
                                let path_and_query =
                                    req.uri().path_and_query().map_or_else(|| path.clone(), ToString::to_string);
                                log.lock().expect("log").push((path, req.headers().clone()));
                                let (status, location, body) = respond(&path_and_query);
                                let mut answer =
                                    Response::builder().status(status).header("content-type", "application/json");
                                if let Some(location) = location {
                                    answer = answer.header("location", location);
                                }
                                async move {
                                    Ok::<_, Infallible>(answer.body(Full::new(Bytes::from(body))).expect("response"))
                                }
                            });
                            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Self { addr, log, _background: background }
    }

    /// `http://127.0.0.1:PORT`
    #[must_use]
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far: path (without the query) and headers.
    #[must_use]
    pub fn requests(&self) -> Vec<(String, HeaderMap)> {
        self.log.lock().expect("log").clone()
    }
}
