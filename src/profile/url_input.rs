//! Turning what a user pastes (`https://host:8443`, `localhost:8000`, `[::1]:8000/chroma`) into an endpoint.

use super::settings::{Scheme, SettingsError};

/// Where a Chroma server listens: scheme, host, port and an optional path prefix (for servers behind a
/// reverse proxy under a sub-path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// A DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// Path prefix before `/api/...`, without a trailing slash; empty for none.
    pub base_path: String,
}

/// Parses a URL or `host:port` as typed by a user.
///
/// With a scheme, an absent port means the scheme's default (443 or 80). Without a scheme the input must be
/// `host:port` and means plain HTTP, as Chroma's own `HttpClient(host, port)` does. Credentials, queries and
/// fragments are refused: secrets in a URL end up in shell history and logs.
pub fn parse_endpoint(field: &'static str, input: &str) -> Result<Endpoint, SettingsError> {
    parse(field, input).map(|parsed| parsed.endpoint)
}

/// Builds an endpoint from a host, a port and an `ssl` switch given separately, as Chroma's clients take them
/// (`HttpClient(host, port, ssl)`) and as a profile file may hold them.
///
/// `host` may hold a whole URL (`https://chroma.example.com:8443`), as users paste it: it is split, not glued
/// into `…:8443:8443`. A `port` or `ssl` given beside such a URL must agree with it; the error names the field.
/// With no port anywhere, the scheme's default applies (443 for https, 80 for http): Chroma's 8000 is used only
/// when it is given. Without a scheme and without `ssl`, the endpoint is plain HTTP.
pub fn endpoint_from_parts(host: &str, port: Option<u16>, ssl: Option<bool>) -> Result<Endpoint, SettingsError> {
    let host = host.trim();
    if host.is_empty() {
        return Err(SettingsError::new("host", "is empty"));
    }
    let explicit_scheme = host.contains("://");
    let url = if explicit_scheme {
        host.to_owned()
    } else {
        let scheme = if ssl == Some(true) { "https" } else { "http" };
        // A bare IPv6 address needs brackets to be read as a URL's host.
        let host = if host.parse::<std::net::Ipv6Addr>().is_ok() { format!("[{host}]") } else { host.to_owned() };
        format!("{scheme}://{host}")
    };
    let Parsed { mut endpoint, explicit_port } = parse("host", &url)?;
    if let Some(ssl) = ssl
        && explicit_scheme
        && ssl != (endpoint.scheme == Scheme::Https)
    {
        return Err(SettingsError::new(
            "ssl",
            format!("is {ssl}, but the host is given as a {}:// URL: {}", endpoint.scheme.as_str(), redact_url(host)),
        ));
    }
    match (port, explicit_port) {
        (Some(0), _) => return Err(SettingsError::new("port", "is 0; give the port the server listens on")),
        (Some(port), true) if port != endpoint.port => {
            return Err(SettingsError::new(
                "port",
                format!("is {port}, but the host's URL says port {}: {}", endpoint.port, redact_url(host)),
            ));
        }
        (Some(port), _) => endpoint.port = port,
        (None, _) => {}
    }
    Ok(endpoint)
}

/// True for `host:port` and `[v6]:port` without a scheme (a bare IPv6 address has no port).
#[must_use]
pub fn host_has_port(host: &str) -> bool {
    let port = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').and_then(|(_, after)| after.strip_prefix(':')),
        None if host.matches(':').count() == 1 => host.split_once(':').map(|(_, port)| port),
        None => None,
    };
    port.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A parsed URL, and whether the port was written.
struct Parsed {
    endpoint: Endpoint,
    explicit_port: bool,
}

/// Like [`parse_endpoint`], but also says whether the input had a port.
fn parse(field: &'static str, input: &str) -> Result<Parsed, SettingsError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(SettingsError::new(field, "is empty; give a URL such as https://chroma.example.com:8443"));
    }
    let has_scheme = input.contains("://");
    let text = if has_scheme { input.to_owned() } else { format!("http://{input}") };
    let url = url::Url::parse(&text)
        .map_err(|err| SettingsError::new(field, format!("is not a valid URL ({err}): {}", redact_url(input))))?;
    let scheme = match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => {
            return Err(SettingsError::new(
                field,
                format!("has scheme `{other}`; only http:// and https:// are supported: {}", redact_url(input)),
            ));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SettingsError::new(
            field,
            "holds credentials; give them as the connection's Authentication (a token, or a user and password) \
             instead of in the URL",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SettingsError::new(field, format!("must not have a query or fragment: {}", redact_url(input))));
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(SettingsError::new(field, format!("has no host: {}", redact_url(input)))),
    };
    let port = match (url.port(), has_scheme) {
        (Some(port), _) => port,
        (None, true) => url.port_or_known_default().unwrap_or(match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        }),
        (None, false) => {
            return Err(SettingsError::new(
                field,
                format!("has no scheme and no port; write http://{0}:8000 or https://{0}", redact_url(input)),
            ));
        }
    };
    if port == 0 {
        return Err(SettingsError::new(field, "has port 0; give the port the server listens on"));
    }
    let base_path = url.path().trim_end_matches('/').to_owned();
    Ok(Parsed { endpoint: Endpoint { scheme, host, port, base_path }, explicit_port: url.port().is_some() })
}

/// `input` with the password of any `user:password@` before the host replaced by `***` (`https://user:***@host`),
/// and a lone `user@` (which may be a token) by `***@`: for showing a URL someone typed or a server sent, in
/// messages, reports and JSON. Anything without userinfo comes back unchanged.
#[must_use]
pub fn redact_url(input: &str) -> String {
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else { return input.to_owned() };
    let masked = match userinfo.split_once(':') {
        Some((user, _)) if !user.is_empty() => format!("{user}:***"),
        _ => "***".to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{masked}@{host}{tail}"),
        None => format!("{masked}@{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Endpoint {
        match parse_endpoint("url", input) {
            Ok(endpoint) => endpoint,
            Err(err) => panic!("{input}: {err}"),
        }
    }

    #[test]
    fn default_ports_follow_the_scheme() {
        assert_eq!(ok("https://chroma.example.com").port, 443);
        assert_eq!(ok("http://chroma.example.com").port, 80);
        assert_eq!(ok("https://localhost:8443").port, 8443);
    }

    #[test]
    fn host_and_port_without_scheme_is_plain_http() {
        let endpoint = ok("localhost:8000");
        assert_eq!(endpoint.scheme, Scheme::Http);
        assert_eq!((endpoint.host.as_str(), endpoint.port), ("localhost", 8000));
    }

    #[test]
    fn ipv6_and_base_path() {
        let endpoint = ok("https://[::1]:8443/chroma/");
        assert_eq!(endpoint.host, "::1");
        assert_eq!(endpoint.base_path, "/chroma");
        assert_eq!(ok("https://h:1/").base_path, "");
    }

    fn parts(host: &str, port: Option<u16>, ssl: Option<bool>) -> Result<(Scheme, String, u16, String), String> {
        endpoint_from_parts(host, port, ssl)
            .map(|e| (e.scheme, e.host, e.port, e.base_path))
            .map_err(|e| e.field.to_owned())
    }

    #[test]
    fn pasted_urls_fill_scheme_host_and_port() {
        use Scheme::{Http, Https};
        let ok = |scheme, host: &str, port| Ok((scheme, host.to_owned(), port, String::new()));
        // A URL in the host field is split, whatever else is given beside it (if it agrees).
        assert_eq!(parts("https://chroma.example.com:8443", None, None), ok(Https, "chroma.example.com", 8443));
        assert_eq!(parts("https://chroma.example.com:8443", Some(8443), None), ok(Https, "chroma.example.com", 8443));
        assert_eq!(
            parts("https://chroma.example.com:8443", Some(8443), Some(true)),
            ok(Https, "chroma.example.com", 8443)
        );
        assert_eq!(parts("https://chroma.example.com:8443/", None, None), ok(Https, "chroma.example.com", 8443));
        // No port anywhere: the scheme's default, never 8000 unless said.
        assert_eq!(parts("https://chroma.example.com", None, None), ok(Https, "chroma.example.com", 443));
        assert_eq!(parts("http://chroma.example.com", None, None), ok(Http, "chroma.example.com", 80));
        assert_eq!(parts("chroma.example.com", None, None), ok(Http, "chroma.example.com", 80));
        assert_eq!(parts("chroma.example.com", None, Some(true)), ok(Https, "chroma.example.com", 443));
        assert_eq!(parts("chroma.example.com", Some(8000), None), ok(Http, "chroma.example.com", 8000));
        // A URL without a port takes the separate port.
        assert_eq!(parts("https://chroma.example.com", Some(8443), None), ok(Https, "chroma.example.com", 8443));
        // host:port and IPv6, with and without brackets.
        assert_eq!(parts("localhost:8000", None, None), ok(Http, "localhost", 8000));
        assert_eq!(parts("localhost:8000", Some(8000), Some(false)), ok(Http, "localhost", 8000));
        assert_eq!(parts("::1", Some(8000), None), ok(Http, "::1", 8000));
        assert_eq!(parts("[::1]:8443", None, Some(true)), ok(Https, "::1", 8443));
        assert_eq!(parts("https://h:1/chroma/", None, None), Ok((Https, "h".to_owned(), 1, "/chroma".to_owned())));
        // Contradictions name the field instead of guessing.
        assert_eq!(parts("https://h:8443", Some(8000), None), Err("port".to_owned()));
        assert_eq!(parts("localhost:8000", Some(9000), None), Err("port".to_owned()));
        assert_eq!(parts("https://h:8443", None, Some(false)), Err("ssl".to_owned()));
        assert_eq!(parts("http://h:8000", None, Some(true)), Err("ssl".to_owned()));
        assert_eq!(parts(" ", Some(1), None), Err("host".to_owned()));
        assert_eq!(parts("h", Some(0), None), Err("port".to_owned()));
        assert_eq!(parts("https://u:p@h:1", None, None), Err("host".to_owned()));
    }

    #[test]
    fn refusals_name_the_field() {
        for bad in
            ["", "localhost", "ftp://x:1", "https://u:p@host:1", "https://h:1/?a=b", "https://h:0", "http://exa mple:1"]
        {
            let err = parse_endpoint("url", bad).expect_err(bad);
            assert_eq!(err.field, "url", "{bad}");
        }
        for bad in [
            "https://u:hunter2@host:1",
            "https://u:hunter2@ho st:1",
            "ftp://u:hunter2@host:1",
            "https://u:hunter2@:1",
            "u:hunter2@host",
            "https://u:hunter2@host:1/?q=1",
        ] {
            let err = parse_endpoint("url", bad).expect_err("credentials");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn contradictions_show_the_host_redacted() {
        // Found by fuzzing (url_input): the url crate reads this as host `1e999` and a path, but what people see as
        // `user:password@` was shown as typed in the `ssl` and `port` errors, unlike every other error.
        let host = "https:1e999:8443//api.try:://user:hunter2!x@host:1";
        for (port, ssl, field) in [(None, Some(false), "ssl"), (Some(8000), None, "port")] {
            let err = endpoint_from_parts(host, port, ssl).expect_err(field);
            assert_eq!(err.field, field);
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(err.to_string().contains("user:***@host:1"), "{err}");
        }
    }

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(redact_url("https://user:pw@host:1/p"), "https://user:***@host:1/p");
        assert_eq!(redact_url("https://tok@host"), "https://***@host");
        assert_eq!(redact_url("https://:pw@host"), "https://***@host");
        assert_eq!(redact_url("user:pw@host:8000"), "user:***@host:8000");
        assert_eq!(redact_url("https://a:b@c@host/x@y"), "https://a:***@host/x@y");
        assert_eq!(redact_url("https://host/path@x"), "https://host/path@x");
        assert_eq!(redact_url("https://host:1"), "https://host:1");
    }
}
