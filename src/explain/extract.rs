//! Reading details out of a matched line: host names, the names a certificate holds, numbers, addresses, URLs.
//! Every function is pure and takes the original text (not lower-cased); markers are matched ignoring ASCII case.

use crate::diagnose::sanitize_display;

use super::Details;
use super::patterns::Extract;

/// Longest name kept in the details (characters).
const MAX_NAME_CHARS: usize = 200;
/// At most this many presented names are kept.
const MAX_NAMES: usize = 20;

/// The byte range of the line that holds `pos`.
pub(super) fn line_range(text: &str, pos: usize) -> (usize, usize) {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    (start, end)
}

/// Fills `details` from `line` as `extract` says.
pub(super) fn read(extract: Extract, line: &str, details: &mut Details) {
    match extract {
        Extract::None => {}
        Extract::QuotedHost(marker) => details.host = after(line, marker).and_then(quoted_or_word),
        Extract::HostAfter(marker) => details.host = after(line, marker).and_then(host_word),
        Extract::AddressAfter(marker) => details.address = after(line, marker).and_then(address_word),
        Extract::CurlConnect => {
            if let Some(rest) = after(line, "failed to connect to ")
                && let Some(host) = host_word(rest)
            {
                let port = after(rest, " port ").and_then(number);
                details.address = Some(port.map_or_else(|| host.clone(), |port| format!("{host}:{port}")));
                details.host = Some(host);
            }
        }
        Extract::GoValidFor => {
            if let Some(rest) = after(line, "certificate is valid for ")
                && let Some(split) = find_ci(rest, ", not ")
            {
                details.presented = names(rest[..split].split(", "));
                details.host = host_word(&rest[split + ", not ".len()..]);
            }
        }
        Extract::NodeAltnames => {
            if let Some(rest) = after(line, "host: ") {
                details.host = host_word(rest);
            } else if let Some(rest) = after(line, "ip: ") {
                details.host = address_word(rest);
            }
            if let Some(rest) = after_last(line, "altnames: ").or_else(|| after(line, "cert's list: ")) {
                let list = rest.split(", ").map(|name| {
                    let name = name.trim();
                    name.strip_prefix("DNS:").or_else(|| name.strip_prefix("IP Address:")).unwrap_or(name)
                });
                details.presented = names(list);
            }
        }
        Extract::RustlsNames => {
            details.host = after(line, "for name ")
                .and_then(quoted_or_word)
                .or_else(|| after(line, "expected: dnsname(").and_then(quoted_or_word));
            let presented = after(line, "only valid for ").or_else(|| after(line, "presented: ")).unwrap_or("");
            details.presented = names(dns_names(presented).iter().map(String::as_str));
        }
        Extract::Tenant => {
            details.chroma_message = find_ci(line, "could not connect to tenant ").and_then(|i| clean(&line[i..]));
        }
    }
}

/// The number after `marker`'s first occurrence (spaces skipped).
pub(super) fn number_after(text: &str, marker_end: usize) -> Option<u32> {
    text.get(marker_end..).and_then(number)
}

/// The first `http://` or `https://` URL in `text`, as scheme://host:port only (no credentials, path or query),
/// so that it can be shown and given to a check.
pub(super) fn first_url(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = [lower.find("https://"), lower.find("http://")].into_iter().flatten().min()?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ')' | '(' | '>' | '<' | ',' | '`'))
        .unwrap_or(rest.len());
    let url = url::Url::parse(&rest[..end]).ok()?;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(sanitize_display(&format!("{}://{host}:{port}", url.scheme()), MAX_NAME_CHARS))
}

/// `text` with the values of credentials replaced by `***`: bearer and basic tokens, `X-Chroma-Token` headers,
/// passwords in URLs, `token=`/`password=`/`api_key=` assignments. Pastes are shown back; a secret in them must not be.
pub(super) fn redact_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in [
        "bearer ",
        "basic ",
        "x-chroma-token: ",
        "x-chroma-token:",
        "token=",
        "password=",
        "api_key=",
        "apikey=",
        "credentials=",
        "chroma_client_auth_credentials=",
    ] {
        out = redact_after(&out, marker);
    }
    redact_url_passwords(&out)
}

fn redact_after(text: &str, marker: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(marker) {
        let value_start = search + found + marker.len();
        let rest = &text[value_start..];
        let value_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ';' | ')' | '}' | '&'))
            .unwrap_or(rest.len());
        // Quoted values (`token="abc"`) keep their quotes; the value goes.
        let (skip, value_len) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => (1, rest[1..].find(q).unwrap_or(rest.len() - 1)),
            _ => (0, value_len),
        };
        if value_len > 0 {
            out.push_str(&text[last..value_start + skip]);
            out.push_str("***");
            last = value_start + skip + value_len;
        }
        search = value_start + skip + value_len.max(1);
        if search >= text.len() {
            break;
        }
    }
    out.push_str(&text[last.min(text.len())..]);
    out
}

fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        out.push_str(&rest[..authority_start]);
        let after_scheme = &rest[authority_start..];
        let authority_len = after_scheme
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '\'' | '"' | ')'))
            .unwrap_or(after_scheme.len());
        let authority = &after_scheme[..authority_len];
        match authority.rfind('@') {
            Some(at) => {
                let user = authority[..at].split(':').next().unwrap_or("");
                out.push_str(user);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after_scheme[authority_len..];
    }
    out.push_str(rest);
    out
}

/// The text after the first occurrence of `marker` (ignoring ASCII case) in `line`.
fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    find_ci(line, marker).map(|i| &line[i + marker.len()..])
}

/// The text after the last occurrence of `marker` (ignoring ASCII case) in `line`.
fn after_last<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.to_ascii_lowercase().rfind(&marker.to_ascii_lowercase()).map(|i| &line[i + marker.len()..])
}

/// Byte index of `needle` (lower case) in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

/// A quoted value (`'h'`, `"h"`, `\"h\"`) at the start of `text`, or else its first word.
fn quoted_or_word(text: &str) -> Option<String> {
    let text = text.trim_start().trim_start_matches('\\');
    match text.chars().next()? {
        q @ ('\'' | '"') => {
            let inner = &text[1..];
            let end = inner.find(q)?;
            clean(inner[..end].trim_end_matches('\\'))
        }
        _ => host_word(text),
    }
}

/// A host name at the start of `text`: up to a space, quote, bracket, comma or colon; a final `.` removed.
fn host_word(text: &str) -> Option<String> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ';' | ')' | '(' | ':' | '`'))
        .unwrap_or(text.len());
    clean(text[..end].trim_end_matches('.'))
}

/// A host:port (or IP:port) at the start of `text`.
fn address_word(text: &str) -> Option<String> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ';' | ')' | '(' | '`'))
        .unwrap_or(text.len());
    clean(text[..end].trim_end_matches(['.', ':']))
}

/// The digits at the start of `text` (spaces skipped), at most 5.
fn number(text: &str) -> Option<u32> {
    let text = text.trim_start();
    let digits: String = text.chars().take_while(char::is_ascii_digit).take(5).collect();
    digits.parse().ok()
}

/// The names inside `DnsName("…")` (or `DnsName(\"…\")`) in `text`.
fn dns_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = find_ci(rest, "dnsname(") {
        rest = &rest[i + "dnsname(".len()..];
        let end = rest.find(')').unwrap_or(rest.len());
        let inner = rest[..end].replace('\\', "");
        if let Some(name) = clean(inner.trim_matches('"')) {
            out.push(name);
        }
        if out.len() >= MAX_NAMES {
            break;
        }
    }
    out
}

fn names<'a>(list: impl Iterator<Item = &'a str>) -> Vec<String> {
    list.filter_map(|name| clean(name.trim())).take(MAX_NAMES).collect()
}

fn clean(text: &str) -> Option<String> {
    let text = sanitize_display(text, MAX_NAME_CHARS);
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(extract: Extract, line: &str) -> Details {
        let mut details = Details::default();
        read(extract, line, &mut details);
        details
    }

    #[test]
    fn names_are_read_from_each_clients_words() {
        let d = details(
            Extract::GoValidFor,
            "x509: certificate is valid for chroma.internal.example, *.example.com, not localhost",
        );
        assert_eq!(d.host.as_deref(), Some("localhost"));
        assert_eq!(d.presented, ["chroma.internal.example", "*.example.com"]);
        let d = details(
            Extract::NodeAltnames,
            "Error: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's \
             altnames: DNS:chroma.internal.example",
        );
        assert_eq!(d.host.as_deref(), Some("localhost"));
        assert_eq!(d.presented, ["chroma.internal.example"]);
        let d = details(
            Extract::RustlsNames,
            "invalid peer certificate: certificate not valid for name \"localhost\"; certificate is only valid for \
             DnsName(\"chroma.internal.example\")",
        );
        assert_eq!(d.host.as_deref(), Some("localhost"));
        assert_eq!(d.presented, ["chroma.internal.example"]);
        let d = details(
            Extract::RustlsNames,
            r#"error: InvalidCertificate(NotValidForNameContext { expected: DnsName("localhost"), presented: ["DnsName(\"a.example\")", "DnsName(\"b.example\")"] })"#,
        );
        assert_eq!(d.host.as_deref(), Some("localhost"));
        assert_eq!(d.presented, ["a.example", "b.example"]);
        let d = details(
            Extract::QuotedHost("not valid for "),
            "certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'. (_ssl.c:1006)",
        );
        assert_eq!(d.host.as_deref(), Some("localhost"));
        let d = details(Extract::HostAfter("lookup "), "dial tcp: lookup chroma.example on 10.0.0.2:53: no such host");
        assert_eq!(d.host.as_deref(), Some("chroma.example"));
        let d =
            details(Extract::CurlConnect, "curl: (7) Failed to connect to localhost port 8000 after 0 ms: Couldn't");
        assert_eq!(d.address.as_deref(), Some("localhost:8000"));
    }

    #[test]
    fn urls_keep_scheme_host_and_port_only() {
        assert_eq!(
            first_url("error sending request for url (https://u:secret@chroma.example/api/v2/heartbeat?x=1)"),
            Some("https://chroma.example:443".to_owned())
        );
        assert_eq!(first_url("no url here"), None);
    }

    #[test]
    fn secrets_are_redacted() {
        let line = "> Authorization: Bearer sk-abc123 and X-Chroma-Token: tok456, https://me:pw@host/x token=\"q\"";
        let red = redact_secrets(line);
        for secret in ["sk-abc123", "tok456", "pw@", "\"q\""] {
            assert!(!red.contains(secret), "{secret} in {red}");
        }
        assert!(red.contains("https://me:***@host/x"), "{red}");
        assert_eq!(redact_secrets("nothing secret"), "nothing secret");
    }
}
