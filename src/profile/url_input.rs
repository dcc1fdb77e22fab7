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
    let input = input.trim();
    if input.is_empty() {
        return Err(SettingsError::new(field, "is empty; give a URL such as https://chroma.example.com:8443"));
    }
    let has_scheme = input.contains("://");
    let text = if has_scheme { input.to_owned() } else { format!("http://{input}") };
    let url = url::Url::parse(&text)
        .map_err(|err| SettingsError::new(field, format!("is not a valid URL ({err}): {}", redact_userinfo(input))))?;
    let scheme = match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => {
            return Err(SettingsError::new(
                field,
                format!("has scheme `{other}`; only http:// and https:// are supported: {input}"),
            ));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SettingsError::new(
            field,
            "holds credentials; pass them with --token-env or --basic-user/--password-env instead of in the URL",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SettingsError::new(field, format!("must not have a query or fragment: {input}")));
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(SettingsError::new(field, format!("has no host: {input}"))),
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
                format!("has no scheme and no port; write http://{input}:8000 or https://{input}"),
            ));
        }
    };
    if port == 0 {
        return Err(SettingsError::new(field, "has port 0; give the port the server listens on"));
    }
    let base_path = url.path().trim_end_matches('/').to_owned();
    Ok(Endpoint { scheme, host, port, base_path })
}

/// The input with anything that looks like `user:password@` replaced, for error messages.
fn redact_userinfo(input: &str) -> String {
    let (scheme, rest) = input.split_once("://").unwrap_or(("", input));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) if scheme.is_empty() => format!("***@{}", &rest[at + 1..]),
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => input.to_owned(),
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

    #[test]
    fn refusals_name_the_field() {
        for bad in
            ["", "localhost", "ftp://x:1", "https://u:p@host:1", "https://h:1/?a=b", "https://h:0", "http://exa mple:1"]
        {
            let err = parse_endpoint("url", bad).expect_err(bad);
            assert_eq!(err.field, "url", "{bad}");
        }
        for bad in ["https://u:hunter2@host:1", "https://u:hunter2@ho st:1"] {
            let err = parse_endpoint("url", bad).expect_err("credentials");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }
}
