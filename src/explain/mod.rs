//! Explain an error message as a user pastes it: which client printed it (Python's ssl, httpx or chromadb,
//! Node.js, Java, Go, curl, OpenSSL, rustls, a Chroma server's error body), what it means as one of the check's
//! diagnosis codes, what to change (the setting, and the fix in that client's own terms), and what to do next.
//!
//! Pure: no I/O, no egui. The CLI's `explain` and the doctor's "Paste an error" box both call [`explain`].

mod advice;
mod extract;
mod patterns;

use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnose::{Code, sanitize_display};
use crate::profile::Setting;

use patterns::{Meaning, PATTERNS, Pattern, Rank, Source};

/// At most this much of a paste is read (bytes); the rest is ignored.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Longest quote of the matched line (characters).
const MAX_QUOTE_CHARS: usize = 300;
/// Longest server message kept (characters).
const MAX_MESSAGE_CHARS: usize = 500;

/// The program (or library) that printed a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Client {
    /// Python's `ssl` module (and what is built on it without a name of its own: urllib, requests).
    PythonSsl,
    /// Python's httpx (what chromadb's `HttpClient` uses).
    Httpx,
    /// chromadb, the Python client.
    Chromadb,
    /// Node.js (its TLS and socket errors, `fetch`, chromadb's JavaScript client).
    Node,
    /// Java (JSSE: `javax.net.ssl`, `sun.security`).
    Java,
    /// Go (`crypto/x509`, `crypto/tls`, `net/http`).
    Go,
    /// curl and libcurl.
    Curl,
    /// OpenSSL's command line (`s_client`, `verify`).
    OpenSsl,
    /// Rust programs on rustls (reqwest, hyper), this tool's library included.
    Rustls,
    /// A Chroma server's JSON error body.
    ChromaServer,
}

impl Client {
    /// Every client.
    pub const ALL: [Self; 10] = [
        Self::PythonSsl,
        Self::Httpx,
        Self::Chromadb,
        Self::Node,
        Self::Java,
        Self::Go,
        Self::Curl,
        Self::OpenSsl,
        Self::Rustls,
        Self::ChromaServer,
    ];

    /// The stable id, e.g. `httpx` (as in `explain --json`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PythonSsl => "python-ssl",
            Self::Httpx => "httpx",
            Self::Chromadb => "chromadb",
            Self::Node => "node",
            Self::Java => "java",
            Self::Go => "go",
            Self::Curl => "curl",
            Self::OpenSsl => "openssl",
            Self::Rustls => "rustls",
            Self::ChromaServer => "chroma-server",
        }
    }

    /// The words a person sees, e.g. `Python (httpx)`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::PythonSsl => "Python (ssl)",
            Self::Httpx => "Python (httpx)",
            Self::Chromadb => "Python (chromadb)",
            Self::Node => "Node.js",
            Self::Java => "Java",
            Self::Go => "Go",
            Self::Curl => "curl",
            Self::OpenSsl => "OpenSSL",
            Self::Rustls => "Rust (rustls)",
            Self::ChromaServer => "Chroma server",
        }
    }

    /// The family: `python`, `node`, `java`, `go`, `curl`, `openssl`, `rustls` or `chroma-server`.
    #[must_use]
    pub fn family(self) -> &'static str {
        match self {
            Self::PythonSsl | Self::Httpx | Self::Chromadb => "python",
            other => other.as_str(),
        }
    }

    fn python_rank(self) -> u8 {
        match self {
            Self::PythonSsl => 1,
            Self::Httpx => 2,
            Self::Chromadb => 3,
            _ => 0,
        }
    }
}

impl Serialize for Client {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What the message itself says, where it says it. Every text is made safe to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Details {
    /// The name the client connected to (or looked up).
    pub host: Option<String>,
    /// The names the server's certificate holds.
    pub presented: Vec<String>,
    /// The address (host:port) the client connected to.
    pub address: Option<String>,
    /// The first URL of the paste, as scheme://host:port (no credentials, no path).
    pub url: Option<String>,
    /// curl's exit code.
    pub curl_exit: Option<u32>,
    /// OpenSSL's verify result (`verify error:num=20`).
    pub openssl_verify: Option<u32>,
    /// The HTTP status.
    pub http_status: Option<u32>,
    /// The `error` of a Chroma error body (or of a chromadb exception).
    pub chroma_error: Option<String>,
    /// The `message` of a Chroma error body (or of a chromadb exception).
    pub chroma_message: Option<String>,
}

impl Details {
    /// Fills what `self` lacks from `other`.
    fn merge(&mut self, other: &Self) {
        let Self {
            host,
            presented,
            address,
            url,
            curl_exit,
            openssl_verify,
            http_status,
            chroma_error,
            chroma_message,
        } = other;
        fill(&mut self.host, host.as_ref());
        if self.presented.is_empty() {
            self.presented.clone_from(presented);
        }
        fill(&mut self.address, address.as_ref());
        fill(&mut self.url, url.as_ref());
        fill(&mut self.curl_exit, curl_exit.as_ref());
        fill(&mut self.openssl_verify, openssl_verify.as_ref());
        fill(&mut self.http_status, http_status.as_ref());
        fill(&mut self.chroma_error, chroma_error.as_ref());
        fill(&mut self.chroma_message, chroma_message.as_ref());
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, value: Option<&T>) {
    if slot.is_none() {
        *slot = value.cloned();
    }
}

/// One error recognised in a paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The diagnosis code, as the check would name the same failure; `None` for a message that hides the real
    /// error (chromadb's "Could not connect to a Chroma server"): then [`hides`](Self::hides) lists what it can be.
    pub code: Option<Code>,
    /// The client that printed it, when the paste tells.
    pub client: Option<Client>,
    /// The line of the paste that matched, quoted (control characters removed, credentials replaced by `***`).
    pub matched: String,
    /// What happened, in one sentence.
    pub summary: String,
    /// What to do about it; names settings by their label.
    pub hint: String,
    /// The setting of a Chroma Connect profile to change, if one applies.
    pub setting: Option<Setting>,
    /// The fix in the client's own terms (its option, environment variable or command), if one applies.
    pub fix: Option<String>,
    /// For a message that hides the real error: the failures it can stand for.
    pub hides: Vec<Code>,
    /// What the message itself says: names, numbers, the server's error.
    pub details: Details,
}

/// What a paste means: the errors recognised in it, the most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The errors recognised, the main answer first; empty when nothing was recognised.
    pub findings: Vec<Finding>,
    /// The first URL of the paste, as scheme://host:port, if any.
    pub url: Option<String>,
    /// True when the paste held nothing but white space.
    pub empty: bool,
}

impl Explanation {
    /// True when at least one error was recognised.
    #[must_use]
    pub fn recognised(&self) -> bool {
        !self.findings.is_empty()
    }

    /// The main answer.
    #[must_use]
    pub fn main(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// The main answer's code.
    #[must_use]
    pub fn code(&self) -> Option<Code> {
        self.main().and_then(|finding| finding.code)
    }

    /// What to do next: run a check (against the paste's URL when it has one).
    #[must_use]
    pub fn next_step(&self) -> String {
        let target = self.url.as_deref().unwrap_or("https://HOST:PORT");
        format!(
            "Run a check from this machine: chroma-connect check {target} (with the CA file, server name and \
             credentials the client uses), or Test connection on the Doctor page. It tries each step and names the \
             setting to change."
        )
    }

    /// One JSON object (the contract of `chroma-connect explain --json`): `recognised`, the main finding's fields
    /// (`code`, `client`, `client_label`, `matched`, `summary`, `hint`, `setting`, `fix`, `hides`, `details`), `also`
    /// (the other findings, same fields) and `next_step`. Codes are their dotted strings; absent values are `null`.
    #[must_use]
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct FindingJson<'a> {
            code: Option<Code>,
            client: Option<Client>,
            client_label: Option<&'static str>,
            matched: Option<&'a str>,
            summary: &'a str,
            hint: &'a str,
            setting: Option<Setting>,
            fix: Option<&'a str>,
            hides: &'a [Code],
            details: &'a Details,
        }
        #[derive(Serialize)]
        struct Json<'a> {
            recognised: bool,
            #[serde(flatten)]
            main: FindingJson<'a>,
            also: Vec<FindingJson<'a>>,
            next_step: String,
        }
        fn view(finding: &Finding) -> FindingJson<'_> {
            FindingJson {
                code: finding.code,
                client: finding.client,
                client_label: finding.client.map(Client::label),
                matched: Some(&finding.matched),
                summary: &finding.summary,
                hint: &finding.hint,
                setting: finding.setting,
                fix: finding.fix.as_deref(),
                hides: &finding.hides,
                details: &finding.details,
            }
        }
        let unknown = advice::unknown(self.empty);
        let no_details = Details { url: self.url.clone(), ..Details::default() };
        let main = self.main().map_or_else(
            || FindingJson {
                code: None,
                client: None,
                client_label: None,
                matched: None,
                summary: &unknown.0,
                hint: &unknown.1,
                setting: None,
                fix: None,
                hides: &[],
                details: &no_details,
            },
            view,
        );
        let json = Json {
            recognised: self.recognised(),
            main,
            also: self.findings.iter().skip(1).map(view).collect(),
            next_step: self.next_step(),
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// The text of `chroma-connect explain`, in the style of `check`'s conclusion. `how` tells how this face
    /// changes a setting (a command-line flag), shown after the setting's label.
    #[must_use]
    pub fn to_text_with(&self, how: impl Fn(Setting) -> Option<String>) -> String {
        let mut out = String::new();
        let Some(main) = self.main() else {
            let (summary, hint) = advice::unknown(self.empty);
            let _ = writeln!(out, "NOT RECOGNISED {summary}");
            for line in hint.lines() {
                let _ = writeln!(out, "  {line}");
            }
            let _ = writeln!(out, "\nNext: {}", self.next_step());
            return out;
        };
        finding_text(&mut out, main, &how);
        if self.findings.len() > 1 {
            let _ = writeln!(out, "\nAlso in this text:");
            for finding in &self.findings[1..] {
                let client = finding.client.map_or("", Client::label);
                let _ = writeln!(out, "  {client} [{}] {}", code_text(finding), finding.summary);
            }
        }
        let _ = writeln!(out, "\nNext: {}", self.next_step());
        out
    }
}

fn code_text(finding: &Finding) -> String {
    match finding.code {
        Some(code) => code.as_str().to_owned(),
        None => "hides the real error".to_owned(),
    }
}

fn finding_text(out: &mut String, finding: &Finding, how: &impl Fn(Setting) -> Option<String>) {
    let _ = writeln!(out, "[{}] {}", code_text(finding), finding.summary);
    let from = finding.client.map_or_else(String::new, |c| format!("{}: ", c.label()));
    let _ = writeln!(out, "  from {from}\"{}\"", finding.matched);
    for line in finding.hint.lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let (Some(fix), Some(client)) = (&finding.fix, finding.client) {
        let _ = writeln!(out, "  fix in {}: {fix}", client.label());
    }
    if let Some(setting) = finding.setting {
        match how(setting) {
            Some(how) => {
                let _ = writeln!(out, "  setting: {} ({how})", setting.label());
            }
            None => {
                let _ = writeln!(out, "  setting: {}", setting.label());
            }
        }
    }
}

/// Explains `text`: every known error message in it, the most specific first. Only the first
/// [`MAX_INPUT_BYTES`] are read.
#[must_use]
pub fn explain(text: &str) -> Explanation {
    let text = truncate(text, MAX_INPUT_BYTES);
    let url = extract::first_url(text);
    if text.trim().is_empty() {
        return Explanation { findings: Vec::new(), url, empty: true };
    }
    let lower = text.to_ascii_lowercase();
    let mut hits = pattern_hits(text, &lower);
    hits.extend(chroma_body_hits(text, &lower));
    let findings = conclude(hits, text, &lower, url.as_ref());
    Explanation { findings, url, empty: false }
}

/// One recognised phrase.
#[derive(Debug, Clone)]
struct Hit {
    start: usize,
    code: Option<Code>,
    hides: &'static [Code],
    needle: &'static str,
    rank: Rank,
    client: Option<Client>,
    fixed_client: bool,
    details: Details,
}

/// Occurrences of every needle: (pattern index, start, end). At most this many per needle.
const MAX_OCCURRENCES: usize = 16;

fn pattern_hits(text: &str, lower: &str) -> Vec<Hit> {
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for (index, pattern) in PATTERNS.iter().enumerate() {
        for (start, _) in lower.match_indices(pattern.needle).take(MAX_OCCURRENCES) {
            spans.push((index, start, start + pattern.needle.len()));
        }
    }
    // A phrase inside a longer known phrase is part of it ("self-signed certificate" in "... in certificate chain").
    let inside = |&(i, s, e): &(usize, usize, usize)| {
        spans.iter().any(|&(j, s2, e2)| j != i && s2 <= s && e <= e2 && (e2 - s2) > (e - s))
    };
    let kept: Vec<(usize, usize, usize)> = spans.iter().copied().filter(|span| !inside(span)).collect();
    let mut hits = Vec::new();
    for (index, pattern) in PATTERNS.iter().enumerate() {
        if let Some(hit) = kept
            .iter()
            .filter(|span| span.0 == index)
            .find_map(|&(_, start, end)| hit(pattern, text, lower, start, end))
        {
            hits.push(hit);
        }
    }
    hits
}

fn hit(pattern: &Pattern, text: &str, lower: &str, start: usize, end: usize) -> Option<Hit> {
    let (line_start, line_end) = extract::line_range(text, start);
    let line = &text[line_start..line_end];
    let mut details = Details::default();
    let (code, hides) = match pattern.meaning {
        Meaning::Code(code) => (Some(code), &[][..]),
        Meaning::CurlExit => {
            let exit = extract::number_after(text, end)?;
            details.curl_exit = Some(exit);
            (Some(patterns::curl_exit_code(exit)?), &[][..])
        }
        Meaning::OpensslVerify => {
            let number = extract::number_after(text, end)?;
            details.openssl_verify = Some(number);
            (Some(patterns::openssl_verify_code(number)?), &[][..])
        }
        Meaning::HttpStatus => {
            let status = extract::number_after(text, end)?;
            details.http_status = Some(status);
            (Some(patterns::http_status_code(status)?), &[][..])
        }
        Meaning::ChromaNotFound => {
            let message = text[end..line_end].trim();
            let code = not_found_code(message);
            details.chroma_error = Some("NotFoundError".to_owned());
            details.chroma_message = Some(shown(message)).filter(|m| !m.is_empty());
            (Some(code), &[][..])
        }
        Meaning::GoValidity => {
            let before = line.to_ascii_lowercase().contains(" is before ");
            (Some(if before { Code::TlsNotYetValid } else { Code::TlsExpired }), &[][..])
        }
        Meaning::Wrapper(hides) => (None, hides),
    };
    extract::read(pattern.extract, line, &mut details);
    let (client, fixed_client) = match pattern.source {
        Source::Fixed(client) => (Some(client), true),
        Source::OpenSsl => (Some(detect_client(lower).unwrap_or(Client::OpenSsl)), false),
        Source::Any => (detect_client(lower), false),
    };
    Some(Hit { start, code, hides, needle: pattern.needle, rank: pattern.rank, client, fixed_client, details })
}

/// Which `NotFound` a Chroma message names, by its first word.
fn not_found_code(message: &str) -> Code {
    let first = message.trim_start_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase();
    if first.starts_with("tenant") {
        Code::ChromaTenantNotFound
    } else if first.starts_with("database") {
        Code::ChromaDatabaseNotFound
    } else if first.starts_with("collection") {
        Code::ChromaCollectionNotFound
    } else {
        Code::ChromaApiError
    }
}

/// At most this many `{` are tried as the start of a JSON error body.
const MAX_JSON_TRIES: usize = 64;

/// Chroma's JSON error bodies: `{"error": "NotFoundError", "message": "..."}` (1.x and 0.5), `{"error":
/// "NotFoundError('...')"}` (0.4), `FastAPI`'s `{"detail": "Not Found"}`.
fn chroma_body_hits(text: &str, lower: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut skip_to = 0;
    for (start, _) in text.match_indices('{').take(MAX_JSON_TRIES) {
        if start < skip_to {
            continue;
        }
        let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde_json::Value>();
        let Some(Ok(serde_json::Value::Object(map))) = values.next() else { continue };
        skip_to = start + values.byte_offset();
        let error = map.get("error").and_then(serde_json::Value::as_str);
        let message = map.get("message").and_then(serde_json::Value::as_str);
        let detail = map.get("detail").and_then(serde_json::Value::as_str);
        let (code, rank, name, message) = match (error, message, detail) {
            (Some(error), message, _) => {
                // 0.4 servers send the exception's repr: `NotFoundError('Tenant t not found')`.
                let (name, repr_message) = match error.split_once("('") {
                    Some((name, rest)) if rest.ends_with("')") => (name, Some(&rest[..rest.len() - 2])),
                    _ => (error, None),
                };
                let message = message.or(repr_message).unwrap_or("");
                (body_code(name, message, lower), Rank::Specific, name, message)
            }
            (None, _, Some(detail)) if detail.eq_ignore_ascii_case("not found") => {
                (Code::ChromaApiError, Rank::Generic, "", detail)
            }
            _ => continue,
        };
        let details = Details {
            chroma_error: Some(shown(name)).filter(|n| !n.is_empty()),
            chroma_message: Some(shown(message)).filter(|m| !m.is_empty()),
            ..Details::default()
        };
        hits.push(Hit {
            start,
            code: Some(code),
            hides: &[],
            needle: if detail.is_some() && error.is_none() { "{\"detail\"" } else { "{\"error\"" },
            rank,
            client: Some(Client::ChromaServer),
            fixed_client: true,
            details,
        });
    }
    hits
}

fn body_code(name: &str, message: &str, lower: &str) -> Code {
    match name {
        // Chroma's Python server answers 403 AuthError; a proxy in front may answer 401 with the same body.
        "AuthError" | "ChromaAuthError" | "Forbidden" if lower.contains("401") && !lower.contains("403") => {
            Code::HttpUnauthorized
        }
        "AuthError" | "ChromaAuthError" | "Forbidden" => Code::HttpForbidden,
        "AuthorizationError" | "AuthenticationError" | "Unauthorized" => Code::HttpUnauthorized,
        _ => match not_found_code(message) {
            Code::ChromaApiError => Code::ChromaApiError,
            code if message.to_ascii_lowercase().contains("not") => code,
            _ => Code::ChromaApiError,
        },
    }
}

/// The client a paste comes from, by the words only it prints.
fn detect_client(lower: &str) -> Option<Client> {
    const PYTHON: &[&str] = &[
        "traceback (most recent call last)",
        "(_ssl.c:",
        "[ssl: ",
        "ssl.ssl",
        "sslcertverificationerror",
        "httpx.",
        "httpcore.",
        "chromadb.errors",
        "urllib3",
        "requests.exceptions",
        "[errno ",
        ".py\", line",
    ];
    const JAVA: &[&str] = &["javax.net.ssl", "java.net.", "java.io.", "sun.security", "java.security"];
    const GO: &[&str] = &["x509: ", "tls: ", "dial tcp", "net/http"];
    const CURL: &[&str] = &["curl: (", "curl error ", "curl failed"];
    const NODE: &[&str] = &[
        "code: '",
        "node:internal",
        "at tlssocket",
        "err_tls",
        "err_ssl",
        "getaddrinfo",
        "connect econn",
        "fetch failed",
        "undici",
        "node_modules",
    ];
    const RUSTLS: &[&str] = &[
        "rustls",
        "reqwest",
        "hyper_util",
        "hyper::",
        "invalidcertificate(",
        "invalid peer certificate",
        "(os error ",
    ];
    const OPENSSL: &[&str] =
        &["verify error:num=", "verify return code", "depth lookup", "s_client", "connected(0", "bio_connect"];
    let has = |markers: &[&str]| markers.iter().any(|m| lower.contains(m));
    if has(PYTHON) {
        return Some(python_client(lower));
    }
    [
        (JAVA, Client::Java),
        (GO, Client::Go),
        (CURL, Client::Curl),
        (NODE, Client::Node),
        (RUSTLS, Client::Rustls),
        (OPENSSL, Client::OpenSsl),
    ]
    .into_iter()
    .find_map(|(markers, client)| has(markers).then_some(client))
}

/// The outermost Python library the paste shows: chromadb, else httpx, else ssl.
fn python_client(lower: &str) -> Client {
    const CHROMADB: &[&str] = &[
        "chromadb.errors",
        "chromadb/api",
        "chromadb/__init__",
        "import chromadb",
        "chromadb.httpclient",
        "could not connect to a chroma server",
        "could not connect to tenant",
    ];
    if CHROMADB.iter().any(|m| lower.contains(m)) {
        Client::Chromadb
    } else if lower.contains("httpx.") || lower.contains("httpcore.") {
        Client::Httpx
    } else {
        Client::PythonSsl
    }
}

/// Groups the hits by meaning and orders them: specific before generic before wrappers, then by position.
fn conclude(hits: Vec<Hit>, text: &str, lower: &str, url: Option<&String>) -> Vec<Finding> {
    let outer_python = python_client(lower);
    let mut groups: Vec<Hit> = Vec::new();
    for mut hit in hits {
        // A Python paste is read as the outermost library's: chromadb's user gets chromadb's fix.
        if let Some(client) = hit.client
            && client.python_rank() > 0
            && outer_python.python_rank() > client.python_rank()
        {
            hit.client = Some(outer_python);
        }
        let same = groups.iter_mut().find(|group| match (group.code, hit.code) {
            (Some(a), Some(b)) => a == b,
            (None, None) => group.needle == hit.needle,
            _ => false,
        });
        match same {
            Some(group) => {
                let better = hit.rank > group.rank
                    || (hit.rank == group.rank && hit.fixed_client && !group.fixed_client)
                    || (hit.rank == group.rank && hit.fixed_client == group.fixed_client && hit.start < group.start);
                if better {
                    let mut details = hit.details.clone();
                    details.merge(&group.details);
                    *group = Hit { details, ..hit };
                } else {
                    group.details.merge(&hit.details);
                }
            }
            None => groups.push(hit),
        }
    }
    if groups.iter().any(|g| g.rank == Rank::Specific) {
        // What a generic phrase adds (curl's exit code) joins the main answer of the same client.
        let generic: Vec<Hit> = groups.iter().filter(|g| g.rank == Rank::Generic).cloned().collect();
        groups.retain(|g| g.rank != Rank::Generic);
        sort(&mut groups);
        for extra in generic {
            if let Some(main) = groups.iter_mut().find(|g| g.rank == Rank::Specific && g.client == extra.client) {
                main.details.merge(&extra.details);
            }
        }
    }
    sort(&mut groups);
    // A bare "certificate verify failed" says nothing once the reason is known.
    let codes: Vec<Code> = groups.iter().filter_map(|g| g.code).collect();
    groups.retain(|g| !(REDUNDANT_ONCE_EXPLAINED.contains(&g.needle) && g.hides.iter().any(|c| codes.contains(c))));
    groups
        .into_iter()
        .map(|mut hit| {
            if hit.details.url.is_none() {
                hit.details.url = url.cloned();
            }
            finding(hit, text)
        })
        .collect()
}

/// Wrappers that add nothing when the paste also names the failure they stand for.
const REDUNDANT_ONCE_EXPLAINED: &[&str] = &["certificate verify failed"];

fn sort(groups: &mut [Hit]) {
    groups.sort_by(|a, b| b.rank.cmp(&a.rank).then(a.start.cmp(&b.start)));
}

fn finding(hit: Hit, text: &str) -> Finding {
    let matched = quote(text, hit.start);
    let advice = match hit.code {
        Some(code) => advice::for_code(code, &hit.details, hit.needle),
        None => advice::for_wrapper(hit.needle, hit.hides),
    };
    let fix = hit.code.and_then(|code| hit.client.and_then(|client| advice::fix(client, code, &hit.details)));
    Finding {
        code: hit.code,
        client: hit.client,
        matched,
        summary: advice.summary,
        hint: advice.hint,
        setting: advice.setting,
        fix,
        hides: hit.hides.to_vec(),
        details: hit.details,
    }
}

/// The line that holds `pos`, credentials redacted, safe to show, cut around `pos` when long.
fn quote(text: &str, pos: usize) -> String {
    let (start, end) = extract::line_range(text, pos);
    let mut from = start;
    if end - start > MAX_QUOTE_CHARS {
        // Start a little before the match, on a character boundary.
        from = pos.saturating_sub(80).max(start);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
    }
    let line = extract::redact_secrets(&text[from..end]);
    let shown = sanitize_display(&line, MAX_QUOTE_CHARS);
    if from > start { format!("…{shown}") } else { shown }
}

/// A server's text made safe to show: credentials replaced, control characters removed, cut to a length.
fn shown(text: &str) -> String {
    sanitize_display(&extract::redact_secrets(text), MAX_MESSAGE_CHARS)
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_underlying_error_comes_before_the_wrapper_that_hides_it() {
        let paste = "httpx.ConnectError: [Errno 111] Connection refused\n\nDuring handling of the above exception, \
                     another exception occurred:\n\nValueError: Could not connect to a Chroma server. Are you sure it \
                     is running?";
        let explanation = explain(paste);
        assert_eq!(explanation.code(), Some(Code::NetRefused));
        assert_eq!(explanation.main().unwrap().client, Some(Client::Chromadb));
        let wrapper = explanation.findings.iter().find(|f| f.code.is_none()).expect("the wrapper is also named");
        assert!(wrapper.hides.contains(&Code::NetRefused));
    }

    #[test]
    fn the_wrapper_alone_says_what_it_hides() {
        let explanation = explain("ValueError: Could not connect to a Chroma server. Are you sure it is running?");
        let main = explanation.main().unwrap();
        assert_eq!(main.code, None);
        assert_eq!(main.client, Some(Client::Chromadb));
        assert!(main.hides.contains(&Code::TlsUnknownIssuer) && main.hides.contains(&Code::DnsNotFound));
        assert!(explanation.recognised());
    }

    #[test]
    fn a_curl_exit_code_joins_the_text_that_names_the_cause() {
        let explanation = explain("curl: (60) SSL certificate problem: certificate has expired");
        assert_eq!(explanation.findings.len(), 1, "{:#?}", explanation.findings);
        let main = explanation.main().unwrap();
        assert_eq!(main.code, Some(Code::TlsExpired));
        assert_eq!(main.details.curl_exit, Some(60));
        assert_eq!(main.client, Some(Client::Curl));
    }

    #[test]
    fn unknown_and_empty_text_are_said_so() {
        let unknown = explain("the weather is fine today");
        assert!(!unknown.recognised() && !unknown.empty);
        assert!(unknown.to_text_with(|_| None).starts_with("NOT RECOGNISED"));
        let json: serde_json::Value = serde_json::from_str(&unknown.to_json()).unwrap();
        assert_eq!(json["recognised"], false);
        assert!(json["code"].is_null());
        assert!(explain("  \n ").empty);
    }

    #[test]
    fn huge_and_hostile_input_is_read_safely() {
        let mut text = "é".repeat(MAX_INPUT_BYTES);
        text.push_str("certificate has expired");
        assert!(!explain(&text).recognised(), "beyond the limit is not read");
        let hostile = "\u{1b}]0;title\u{7}certificate has expired \u{202E}x Bearer sekrit";
        let main = explain(hostile).findings.remove(0);
        assert!(!main.matched.contains('\u{1b}') && !main.matched.contains('\u{202E}'));
        assert!(!main.matched.contains("sekrit"), "{}", main.matched);
        assert_eq!(explain(&"{".repeat(100_000)).findings.len(), 0);
    }
}
