//! Real reverse proxies (nginx, `HAProxy`, Caddy) in front of an HTTP upstream, configured for mutual TLS enforced
//! at the HTTP layer: the handshake asks for a client certificate, and a request without a (valid) one is refused
//! with an HTTP status, as their documentation describes it.
//!
//! ```ignore
//! let pki = Pki::new();
//! let proxy = RealProxy::start(ProxyKind::Nginx, &pki.leaf(), &pki.client_ca(), chroma_addr());
//! // trust pki.root_pem_path(), talk to proxy.https_url(), with or without pki.client_cert(..)
//! ```
//!
//! Each proxy runs in the foreground as a child process of the test, on a free port of 127.0.0.1, with its
//! configuration, logs, pid file and any state in a temporary folder (nothing under /etc, no system service); it
//! is killed when the [`RealProxy`] is dropped. The binaries come from `PATH` (and /usr/sbin, /sbin, where Debian
//! puts nginx and haproxy). A missing binary fails the test, saying to run `./scripts/test.sh`, which installs
//! them (`ensure_proxies` in scripts/lib/chroma-env.sh).

use std::fmt::Write as _;
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::pki::Leaf;

/// A proxy and the way it is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// nginx `ssl_verify_client on`: 400 "No required SSL certificate was sent" without a certificate, 400 "The
    /// SSL certificate error" for one it cannot verify (its internal codes 496 and 495).
    Nginx,
    /// nginx `ssl_verify_client optional` + `if ($ssl_client_verify != SUCCESS) { return 403; }`: 403 without a
    /// certificate; a certificate it cannot verify still gets the 400 "The SSL certificate error".
    NginxOptional403,
    /// `HAProxy`: `bind … ssl ca-file … verify optional ca-ignore-err all crt-ignore-err all` with
    /// `http-request deny` unless `ssl_c_used` and `ssl_c_verify 0`: its built-in 403 for both.
    HaProxy,
    /// Caddy `client_auth { mode verify_if_given }` with a matcher that responds 403 when no certificate was sent;
    /// a certificate it cannot verify fails the handshake (Go's crypto/tls sends a `bad_certificate` alert).
    Caddy,
}

impl ProxyKind {
    /// The program that runs this proxy.
    #[must_use]
    pub fn binary(self) -> &'static str {
        match self {
            Self::Nginx | Self::NginxOptional403 => "nginx",
            Self::HaProxy => "haproxy",
            Self::Caddy => "caddy",
        }
    }
}

/// A running proxy; killed when dropped.
#[derive(Debug)]
pub struct RealProxy {
    kind: ProxyKind,
    port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

/// How long a proxy may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(10);

impl RealProxy {
    /// Starts `kind` on a free port of 127.0.0.1 with the server certificate `leaf` (its chain and key), trusting
    /// client certificates issued by `client_ca`, in front of the plain-HTTP `upstream`.
    ///
    /// # Panics
    /// When the binary is not installed (run `./scripts/test.sh`), or the proxy does not listen within 10 s (its
    /// log is in the message).
    #[must_use]
    pub fn start(kind: ProxyKind, leaf: &Leaf, client_ca: &Path, upstream: SocketAddr) -> Self {
        let binary = find_binary(kind.binary());
        let mut last_log = String::new();
        // The port is free when chosen, and taken again by the proxy: another process may take it between the two.
        for _ in 0..3 {
            let dir = tempfile::Builder::new().prefix("chroma-connect-proxy-").tempdir().expect("create a temp dir");
            let port = free_port();
            let command = configure(kind, &binary, dir.path(), port, leaf, client_ca, upstream);
            let mut proxy = Self { kind, port, child: spawn(command, dir.path()), dir };
            match proxy.wait_until_listening() {
                Ok(()) => return proxy,
                Err(log) => last_log = log,
            }
        }
        panic!("{} did not start:\n{last_log}", kind.binary());
    }

    /// The URL of the proxy (`https://127.0.0.1:PORT`; `https://localhost:PORT` for Caddy, which refuses a request
    /// whose Host is not the name of the handshake when it checks client certificates, and an IP address sends no
    /// name).
    #[must_use]
    pub fn https_url(&self) -> String {
        let host = if self.kind == ProxyKind::Caddy { "localhost" } else { "127.0.0.1" };
        format!("https://{host}:{}", self.port)
    }

    /// What the proxy wrote to its logs so far.
    #[must_use]
    pub fn log(&self) -> String {
        let mut text = String::new();
        for entry in fs::read_dir(self.dir.path()).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "log") {
                let _ = writeln!(text, "--- {}", path.display());
                text.push_str(&fs::read_to_string(&path).unwrap_or_default());
            }
        }
        text
    }

    fn wait_until_listening(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited with {status}\n{}", self.kind.binary(), self.log()));
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!("{} does not listen on {address} after 10 s\n{}", self.kind.binary(), self.log()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RealProxy {
    fn drop(&mut self) {
        // Only this child, by its pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of `name` on `PATH`, or in /usr/sbin or /sbin.
///
/// # Panics
/// When it is nowhere: the test fails and says how to install it.
fn find_binary(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    dirs.into_iter().map(|dir| dir.join(name)).find(|candidate| candidate.is_file()).unwrap_or_else(|| {
        panic!(
            "{name} is not installed: these tests run it as a real proxy. Run the tests with ./scripts/test.sh, \
             which installs nginx, haproxy and caddy (apt-get, as root), or install them yourself"
        )
    })
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

fn spawn(mut command: Command, dir: &Path) -> Child {
    let out = fs::File::create(dir.join("stdout.log")).expect("create stdout.log");
    let err = fs::File::create(dir.join("stderr.log")).expect("create stderr.log");
    command.current_dir(dir).stdin(Stdio::null()).stdout(out).stderr(err);
    command.spawn().unwrap_or_else(|e| panic!("start {command:?}: {e}"))
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Writes the configuration of `kind` into `dir` and returns the command that runs it in the foreground.
fn configure(
    kind: ProxyKind,
    binary: &Path,
    dir: &Path,
    port: u16,
    leaf: &Leaf,
    client_ca: &Path,
    upstream: SocketAddr,
) -> Command {
    let d = path_text(dir);
    let chain = path_text(&leaf.chain_pem_path);
    let key = path_text(&leaf.key_pem_path);
    let ca = path_text(client_ca);
    match kind {
        ProxyKind::Nginx | ProxyKind::NginxOptional403 => {
            let (verify, refuse) = if kind == ProxyKind::Nginx {
                ("on", "")
            } else {
                ("optional", "if ($ssl_client_verify != SUCCESS) { return 403; }")
            };
            let config = format!(
                "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
                 error_log {d}/error.log info;\nevents {{ worker_connections 64; }}\nhttp {{\n\
                 access_log off;\n\
                 client_body_temp_path {d}/client_body;\nproxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
                 server {{\n    listen 127.0.0.1:{port} ssl;\n    ssl_certificate {chain};\n\
                 ssl_certificate_key {key};\n    ssl_client_certificate {ca};\n    ssl_verify_client {verify};\n\
                 location / {{\n        {refuse}\n        proxy_pass http://{upstream};\n    }}\n}}\n}}\n"
            );
            fs::write(dir.join("nginx.conf"), config).expect("write nginx.conf");
            let mut command = Command::new(binary);
            command.args(["-p", d, "-c", &format!("{d}/nginx.conf"), "-e", &format!("{d}/error.log")]);
            command
        }
        ProxyKind::HaProxy => {
            // HAProxy takes the certificate and its key in one file.
            let combined = dir.join("server.pem");
            let pem = fs::read_to_string(&leaf.chain_pem_path).expect("read chain")
                + &fs::read_to_string(&leaf.key_pem_path).expect("read key");
            fs::write(&combined, pem).expect("write server.pem");
            let config = format!(
                "global\n    pidfile {d}/haproxy.pid\ndefaults\n    mode http\n    timeout connect 5s\n\
                 timeout client 30s\n    timeout server 30s\nfrontend chroma\n\
                 bind 127.0.0.1:{port} ssl crt {combined} ca-file {ca} verify optional ca-ignore-err all \
                 crt-ignore-err all alpn h2,http/1.1\n\
                 http-request deny if !{{ ssl_c_used }}\n    http-request deny if !{{ ssl_c_verify 0 }}\n\
                 default_backend chroma\nbackend chroma\n    server chroma {upstream}\n",
                combined = path_text(&combined),
            );
            fs::write(dir.join("haproxy.cfg"), config).expect("write haproxy.cfg");
            let mut command = Command::new(binary);
            command.args(["-db", "-f", &format!("{d}/haproxy.cfg")]);
            command
        }
        ProxyKind::Caddy => {
            // No admin endpoint (a fixed port), no automatic HTTPS (port 80, certificate authorities), no HTTP/3.
            let config = format!(
                "{{\n\tadmin off\n\tauto_https off\n\tstorage file_system {d}/storage\n\tservers {{\n\
                 \t\tprotocols h1 h2\n\t}}\n\tlog {{\n\t\toutput file {d}/caddy.log\n\t}}\n}}\n\
                 https://localhost:{port} {{\n\tbind 127.0.0.1\n\ttls {chain} {key} {{\n\t\tclient_auth {{\n\
                 \t\t\tmode verify_if_given\n\t\t\ttrusted_ca_cert_file {ca}\n\t\t}}\n\t}}\n\
                 \t@no_client_certificate expression \"{{http.request.tls.client.fingerprint}} == null\"\n\
                 \trespond @no_client_certificate 403\n\treverse_proxy {upstream}\n}}\n"
            );
            fs::write(dir.join("Caddyfile"), config).expect("write Caddyfile");
            let mut command = Command::new(binary);
            command.args(["run", "--config", &format!("{d}/Caddyfile"), "--adapter", "caddyfile"]);
            // Caddy keeps its state (autosave.json, certificates) under HOME and the XDG folders.
            command.env("HOME", d).env("XDG_CONFIG_HOME", d).env("XDG_DATA_HOME", d);
            command
        }
    }
}
