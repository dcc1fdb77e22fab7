//! What each recognised error means and what to do: a summary, a hint that names Chroma Connect's settings by their
//! label (as the check's hints do), the setting to change, and the fix in the client's own terms.

use crate::diagnose::Code;
use crate::profile::Setting;

use super::{Client, Details};

/// The words for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Advice {
    pub summary: String,
    pub hint: String,
    pub setting: Option<Setting>,
}

fn advice(summary: impl Into<String>, hint: impl Into<String>, setting: Option<Setting>) -> Advice {
    Advice { summary: summary.into(), hint: hint.into(), setting }
}

/// Summary and hint when nothing was recognised.
pub(super) fn unknown(empty: bool) -> (String, String) {
    let summary = if empty {
        "Nothing to explain: the text is empty."
    } else {
        "This text holds no error message that Chroma Connect knows."
    };
    (
        summary.to_owned(),
        "Paste the whole error as the client printed it, traceback included: the first exception of a Python \
         traceback is often the real one. Known: Python (ssl, httpx, chromadb), Node.js, Java, Go, curl, OpenSSL \
         and rustls messages, and Chroma's error bodies."
            .to_owned(),
    )
}

/// A message that hides the real error.
pub(super) fn for_wrapper(needle: &str, hides: &[Code]) -> Advice {
    let can_be = hides.iter().map(|code| code.as_str()).collect::<Vec<_>>().join(", ");
    let (summary, hint) = match needle {
        "could not connect to a chroma server" => (
            "chromadb's \"Could not connect to a Chroma server. Are you sure it is running?\" hides the real error: \
             it says this for every failed connection, whether the port is closed, the name does not resolve or the \
             certificate is not trusted.",
            "The real error is the first exception of the traceback (httpx.ConnectError: ...): paste the whole \
             traceback here. A check names the cause directly.",
        ),
        "failed to connect to chromadb" => (
            "chromadb's JavaScript client says \"Failed to connect to chromadb\" for every fetch that fails: the \
             real error is hidden.",
            "Print the original error's cause (console.error(err.cause)) and paste it here, or run a check.",
        ),
        "typeerror: fetch failed" => (
            "Node's fetch says \"fetch failed\" and keeps the real error in its cause.",
            "Print err.cause (its code is the answer: SELF_SIGNED_CERT_IN_CHAIN, ECONNREFUSED, ...) and paste it \
             here, or run a check.",
        ),
        "error sending request for url" => (
            "reqwest's \"error sending request for url\" hides the cause in the error's source chain.",
            "Print the error with {:?} (or walk its source() chain) to see the rustls or I/O error underneath, and \
             paste that here; or run a check.",
        ),
        _ => (
            "The client could not verify the server's certificate, but this message does not say why.",
            "The reason usually follows the words \"certificate verify failed\" (unable to get local issuer \
             certificate, certificate has expired, Hostname mismatch, ...): paste the whole message, or run a check.",
        ),
    };
    advice(summary, format!("{hint} It can be any of: {can_be}."), None)
}

/// The meaning of `code` as a pasted message shows it.
#[expect(clippy::too_many_lines, reason = "one arm per code, each with its own words; clearer in one place")]
/// `needle` is the phrase that matched, for the words that say more than the code.
pub(super) fn for_code(code: Code, details: &Details, needle: &str) -> Advice {
    let host = details.host.as_deref();
    match code {
        Code::TlsUnknownIssuer => {
            let summary = if matches!(details.openssl_verify, Some(19))
                || needle.contains("in_chain")
                || needle.contains("in certificate chain")
            {
                "The server's chain ends in a self-signed root CA that the client does not trust."
            } else if matches!(details.openssl_verify, Some(21))
                || needle.contains("leaf_signature")
                || needle.contains("first certificate")
            {
                "The client cannot verify the server's certificate: the CA that issued it is neither trusted by the \
                 client nor sent by the server."
            } else {
                "The client does not trust the certificate authority (CA) that issued the server's certificate."
            };
            advice(
                summary,
                "If the server's certificate comes from a private CA (your organisation's, or one made for this \
                 server), give the client that CA's certificate; in Chroma Connect, set the CA file to it (and CA \
                 mode to merge to keep trusting the system store too). If the CA is public, the server probably does \
                 not send its intermediate certificate: configure the full chain on the server (nginx: \
                 ssl_certificate fullchain.pem). A check shows which of the two it is. Turning verification off is \
                 not a fix.",
                Some(Setting::CaFile),
            )
        }
        Code::TlsSelfSigned => advice(
            "The server presents a self-signed certificate, which the client does not trust.",
            "To trust exactly this certificate, save it (openssl s_client -showcerts -connect HOST:PORT) and give it \
             to the client as its CA file; in Chroma Connect, set the CA file to it. Better: issue the server \
             certificate from a CA you control and trust that CA.",
            Some(Setting::CaFile),
        ),
        Code::TlsIncompleteChain => advice(
            "The server does not send the intermediate certificate between its certificate and the root.",
            "Configure the server to send the full chain: its certificate followed by the intermediate(s) (nginx: \
             ssl_certificate fullchain.pem, not cert.pem).",
            None,
        ),
        Code::TlsCaUsedAsEndEntity => advice(
            "The server's certificate is a CA certificate (basicConstraints CA:TRUE), which rustls refuses as a \
             server certificate even when it is the trusted one.",
            "This is what a plain `openssl req -x509` makes. OpenSSL-based clients (curl, Python) accept it, rustls \
             and modern browsers do not. Issue a server certificate with basicConstraints=critical,CA:FALSE, \
             subjectAltName=DNS:NAME and extendedKeyUsage=serverAuth, or sign one with this CA.",
            None,
        ),
        Code::TlsExpired => advice(
            "The server's certificate has expired.",
            "Renew it on the server (certbot renew, or re-issue it from your CA) and reload the proxy. If the date \
             looks wrong, check the client machine's clock.",
            None,
        ),
        Code::TlsNotYetValid => advice(
            "The server's certificate is not valid yet.",
            "Either the client machine's clock is behind or the certificate was issued with a start date in the \
             future. Fix the clock (NTP), or re-issue the certificate.",
            None,
        ),
        Code::TlsNameMismatch => {
            let names = details.presented.join(", ");
            let summary = match (host, names.is_empty()) {
                (Some(host), false) => format!("The server's certificate is valid for {names}, not for {host}."),
                (Some(host), true) => format!("The server's certificate does not hold the name {host}."),
                (None, false) => format!("The server's certificate is valid for {names}, not for the name asked."),
                (None, true) => "The server's certificate does not hold the name the client connected to.".to_owned(),
            };
            let example = details.presented.iter().find(|n| !n.starts_with('*'));
            let wanted = host.unwrap_or("THE-NAME-YOU-USE");
            let san = if wanted.parse::<std::net::IpAddr>().is_ok() { "IP" } else { "DNS" };
            let connect = example.map_or_else(
                || {
                    "Connect with a name the certificate holds (a check, or openssl s_client, shows them), or keep \
                     this address and set Server name to that name."
                        .to_owned()
                },
                |name| format!("Connect with a name the certificate holds ({name}), or keep this address and set Server name to {name}."),
            );
            advice(
                summary,
                format!(
                    "{connect} Otherwise re-issue the certificate with subjectAltName={san}:{wanted} (clients ignore \
                     the Common Name; only subjectAltName counts)."
                ),
                Some(Setting::ServerName),
            )
        }
        Code::TlsClientCertRequired => advice(
            "The server requires a client certificate (mutual TLS) and none was sent.",
            "Set the Client certificate and the Client key (PEM files), issued by the CA the server trusts for \
             clients.",
            Some(Setting::ClientCert),
        ),
        Code::TlsClientCertRejected => advice(
            "The server refused the client certificate that was sent.",
            "The Client certificate is probably not issued by the CA the server trusts for clients (nginx \
             ssl_client_certificate), has expired, or lacks extendedKeyUsage=clientAuth.",
            Some(Setting::ClientCert),
        ),
        Code::TlsNotTls => advice(
            "The client spoke TLS (https://) to a port that answers in plain HTTP.",
            "Use http:// for this port, or point https:// at the TLS port of the proxy in front of Chroma (often 443 \
             or 8443). Chroma itself serves plain HTTP; TLS comes from a proxy.",
            Some(Setting::Url),
        ),
        Code::TlsOther => advice(
            "The TLS handshake failed.",
            "Check the server's TLS configuration (protocol versions, cipher suites, certificate). `openssl s_client \
             -connect HOST:PORT -servername NAME` shows what the server offers.",
            None,
        ),
        Code::HttpPlainToTlsPort => advice(
            "The client sent plain HTTP (http://) to a port that speaks TLS.",
            "Use https:// in the URL (and set the CA file if the server's certificate comes from a private CA).",
            Some(Setting::Url),
        ),
        Code::DnsNotFound => advice(
            host.map_or_else(
                || "The server's host name does not resolve.".to_owned(),
                |host| format!("The host name {host} does not resolve."),
            ),
            "Check the spelling, your DNS or VPN, or /etc/hosts. To reach the server by address and still verify its \
             certificate for its name, use https://ADDRESS:PORT as the URL and set Server name to the name.",
            Some(Setting::Url),
        ),
        Code::NetRefused => advice(
            details.address.as_deref().map_or_else(
                || "Nothing accepts connections on that port (connection refused).".to_owned(),
                |address| format!("Nothing accepts connections on {address} (connection refused)."),
            ),
            "Is Chroma (or the proxy in front of it) running and listening on this port? `chroma run` listens on \
             localhost only unless its host is set to 0.0.0.0; check the port in the URL (Chroma's default is 8000) \
             and `ss -ltnp` on the server.",
            Some(Setting::Url),
        ),
        Code::NetUnreachable => advice(
            "The server cannot be reached from the client's network.",
            "Check the address in the URL, the network route, your VPN, and any firewall between the client and the \
             server.",
            Some(Setting::Url),
        ),
        Code::NetTimeout => advice(
            "The server did not answer in time.",
            "The host may be down, or a firewall drops the packets silently; a server or proxy that accepts the \
             connection and then hangs looks the same. Check the URL's address and port, the server's health, and \
             raise the Request timeout if the server is just slow.",
            Some(Setting::Url),
        ),
        Code::NetReset => advice(
            "The connection was closed without an answer.",
            "The server or a proxy closed the connection: its log says why. A TLS port reached with http://, or a \
             plain port reached with https://, can also look like this: check the URL's scheme.",
            Some(Setting::Url),
        ),
        Code::HttpUnauthorized => advice(
            said("401 Unauthorized: the credentials are missing or not accepted", details),
            "Set Authentication to a token (sent as Authorization: Bearer; set the Token header to X-Chroma-Token for \
             Chroma Cloud or a server configured with chroma_auth_token_transport_header), or to basic credentials \
             (a user and a password). Check the token belongs to this server and tenant.",
            Some(Setting::Auth),
        ),
        Code::HttpForbidden => advice(
            said("403 Forbidden: the credentials were read but are not allowed", details),
            "Chroma's Python server also answers 403 to a missing or wrong token. Check the Token (and the Token \
             header: Authorization: Bearer or X-Chroma-Token), and that it may use this tenant and database.",
            Some(Setting::Auth),
        ),
        Code::HttpProxyError => advice(
            "A proxy in front of Chroma answered 502, 503 or 504: it cannot reach Chroma.",
            "Check that the Chroma server behind the proxy is running, and that the proxy's upstream address (nginx \
             proxy_pass, Caddy reverse_proxy) points at its host and port. The proxy's error log says more.",
            None,
        ),
        Code::ChromaTenantNotFound => advice(
            said("The tenant does not exist on this server", details),
            "Set the Tenant to an existing one (the default is default_tenant), or create it with \
             client.create_tenant(...) or POST /api/v2/tenants. chromadb also says \"Could not connect to tenant\" \
             when another error (credentials, a proxy) got in the way: a check tells them apart.",
            Some(Setting::Tenant),
        ),
        Code::ChromaDatabaseNotFound => advice(
            said("The database does not exist on this server", details),
            "Set the Database to an existing one (the default is default_database), or create it with \
             client.create_database(...) or POST /api/v2/tenants/TENANT/databases.",
            Some(Setting::Database),
        ),
        Code::ChromaCollectionNotFound => advice(
            said("No collection has that name or id", details),
            "Check the collection's name (names are case-sensitive) or id, and the tenant and database it lives in: \
             chroma-connect collections lists them.",
            None,
        ),
        Code::ConfigCaFileInvalid => advice(
            "The client could not read its CA file.",
            "A CA file must hold one or more PEM certificates (-----BEGIN CERTIFICATE-----). Check the path and the \
             file's permissions.",
            Some(Setting::CaFile),
        ),
        Code::ConfigClientCertInvalid => advice(
            "The client could not use its client certificate or key.",
            "The client certificate must be PEM (the certificate first, then any intermediates) and the key a PEM \
             private key that belongs to it, not encrypted.",
            Some(Setting::ClientCert),
        ),
        _ => advice(
            said("Chroma answered with an error", details),
            "The message is the server's own. A 404 {\"detail\":\"Not Found\"} comes from a Chroma 0.4 server (API v1 \
             only) asked for an API v2 route, or from a wrong path prefix; \"The v1 API is deprecated\" from a 1.x \
             server asked by an old client: use a client of the server's generation.",
            None,
        ),
    }
}

/// `summary`, with the server's own message when the paste has one.
fn said(summary: &str, details: &Details) -> String {
    match (&details.chroma_error, &details.chroma_message) {
        (_, Some(message)) => format!("{summary}: \"{message}\"."),
        (Some(error), None) => format!("{summary} ({error})."),
        (None, None) => format!("{summary}."),
    }
}

/// The fix in `client`'s own terms, when the code has one there.
pub(super) fn fix(client: Client, code: Code, details: &Details) -> Option<String> {
    match code {
        Code::TlsUnknownIssuer => trust_fix(client, "ca.pem"),
        Code::TlsSelfSigned => trust_fix(client, "server.pem"),
        Code::TlsNameMismatch => name_fix(client, details),
        Code::TlsClientCertRequired | Code::TlsClientCertRejected => client_cert_fix(client),
        Code::TlsNotTls => match client {
            Client::Chromadb | Client::Httpx | Client::PythonSsl => {
                Some("chromadb.HttpClient(host=..., port=..., ssl=False) for a plain-HTTP port.".to_owned())
            }
            _ => None,
        },
        Code::HttpPlainToTlsPort => match client {
            Client::Chromadb | Client::Httpx | Client::PythonSsl => {
                Some("chromadb.HttpClient(host=..., port=..., ssl=True) for a TLS port.".to_owned())
            }
            _ => None,
        },
        Code::HttpUnauthorized | Code::HttpForbidden => auth_fix(client),
        _ => None,
    }
}

fn trust_fix(client: Client, file: &str) -> Option<String> {
    Some(match client {
        Client::PythonSsl | Client::Httpx | Client::Chromadb => format!(
            "chromadb.HttpClient(host=..., ssl=True, settings=Settings(chroma_server_ssl_verify=\"/path/{file}\")); \
             httpx: httpx.Client(verify=ssl.create_default_context(cafile=\"/path/{file}\")); for every Python \
             client at once: SSL_CERT_FILE=/path/{file} (requests also reads REQUESTS_CA_BUNDLE)."
        ),
        Client::Node => format!(
            "NODE_EXTRA_CA_CERTS=/path/{file} node app.js (read at start-up; adds to Node's own CA list), or the ca \
             option of https.request / tls.connect. Not NODE_TLS_REJECT_UNAUTHORIZED=0."
        ),
        Client::Java => format!(
            "keytool -importcert -alias chroma-ca -file /path/{file} -keystore truststore.jks, then run with \
             -Djavax.net.ssl.trustStore=truststore.jks -Djavax.net.ssl.trustStorePassword=... (or import it into \
             the JDK's lib/security/cacerts)."
        ),
        Client::Go => format!(
            "SSL_CERT_FILE=/path/{file} (read by Go on Linux instead of the system bundle), or tls.Config{{RootCAs: \
             pool}} with pool.AppendCertsFromPEM. Not InsecureSkipVerify."
        ),
        Client::Curl => format!("curl --cacert /path/{file} https://HOST:PORT/api/v2/heartbeat (not -k)."),
        Client::OpenSsl => format!("openssl s_client -connect HOST:PORT -servername HOST -CAfile /path/{file}"),
        Client::Rustls => format!(
            "rustls trusts only the roots the program gives it: add /path/{file} to its RootCertStore (reqwest: \
             Certificate::from_pem, tls_certs_merge); with the platform verifier or rustls-native-certs on Linux, \
             SSL_CERT_FILE=/path/{file}."
        ),
        Client::ChromaServer => return None,
    })
}

fn name_fix(client: Client, details: &Details) -> Option<String> {
    let name = details.presented.iter().find(|n| !n.starts_with('*')).map_or("NAME", String::as_str);
    Some(match client {
        Client::PythonSsl | Client::Httpx | Client::Chromadb => format!(
            "chromadb.HttpClient(host=\"{name}\", ...): Python has no separate server-name setting, so connect with \
             the name (add it to /etc/hosts if it does not resolve)."
        ),
        Client::Node => {
            format!("Connect to {name}, or keep the address and pass servername: \"{name}\" in the https/tls options.")
        }
        Client::Java => format!(
            "Connect to https://{name}:PORT (add it to /etc/hosts if it does not resolve); replacing the \
             HostnameVerifier turns the check off."
        ),
        Client::Go => format!("tls.Config{{ServerName: \"{name}\"}}, or connect to https://{name}:PORT."),
        Client::Curl => format!("curl --resolve {name}:PORT:ADDRESS https://{name}:PORT/ (or --connect-to)."),
        Client::OpenSsl => format!("openssl s_client -connect ADDRESS:PORT -servername {name} -verify_hostname {name}"),
        Client::Rustls => format!(
            "Verify for {name}: reqwest's ClientBuilder::resolve(\"{name}\", address) with https://{name}:PORT, or \
             the ServerName passed to rustls."
        ),
        Client::ChromaServer => return None,
    })
}

fn client_cert_fix(client: Client) -> Option<String> {
    Some(match client {
        Client::PythonSsl | Client::Httpx | Client::Chromadb => "chromadb's HttpClient has no client-certificate \
             setting: put a proxy in front, or use httpx with an ssl context that ran \
             ctx.load_cert_chain(\"client.pem\", \"client-key.pem\")."
            .to_owned(),
        Client::Node => "The cert and key options of https.request / tls.connect (PEM).".to_owned(),
        Client::Java => "openssl pkcs12 -export -in client.pem -inkey client-key.pem -out client.p12, then \
             -Djavax.net.ssl.keyStore=client.p12 -Djavax.net.ssl.keyStoreType=PKCS12 \
             -Djavax.net.ssl.keyStorePassword=..."
            .to_owned(),
        Client::Go => {
            "tls.LoadX509KeyPair(\"client.pem\", \"client-key.pem\") in tls.Config{Certificates: ...}.".to_owned()
        }
        Client::Curl => "curl --cert client.pem --key client-key.pem".to_owned(),
        Client::OpenSsl => "openssl s_client -cert client.pem -key client-key.pem ...".to_owned(),
        Client::Rustls => "ClientConfig::with_client_auth_cert(chain, key) (reqwest: Identity::from_pem).".to_owned(),
        Client::ChromaServer => return None,
    })
}

fn auth_fix(client: Client) -> Option<String> {
    Some(match client {
        Client::PythonSsl | Client::Httpx | Client::Chromadb => "chromadb.HttpClient(..., settings=Settings(\
             chroma_client_auth_provider=\"chromadb.auth.token_authn.TokenAuthClientProvider\", \
             chroma_client_auth_credentials=TOKEN)); add chroma_auth_token_transport_header=\"X-Chroma-Token\" if \
             the server reads that header."
            .to_owned(),
        Client::Curl => {
            "curl -H \"Authorization: Bearer $TOKEN\" (or -H \"X-Chroma-Token: $TOKEN\") https://HOST:PORT/api/v2/auth/identity"
                .to_owned()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_words_and_trust_codes_point_at_the_ca_file() {
        for code in Code::ALL {
            let advice = for_code(code, &Details::default(), "");
            assert!(advice.summary.ends_with('.'), "{code}: {}", advice.summary);
            assert!(!advice.hint.is_empty(), "{code}");
            assert!(!advice.hint.contains(" --"), "{code}: hints name settings, not flags");
        }
        assert_eq!(for_code(Code::TlsUnknownIssuer, &Details::default(), "").setting, Some(Setting::CaFile));
        for client in Client::ALL {
            let fix = fix(client, Code::TlsUnknownIssuer, &Details::default());
            assert_eq!(fix.is_none(), client == Client::ChromaServer, "{client:?}");
        }
    }

    #[test]
    fn a_name_mismatch_names_both_names() {
        let details =
            Details { host: Some("localhost".into()), presented: vec!["db.example".into()], ..Details::default() };
        let advice = for_code(Code::TlsNameMismatch, &details, "");
        assert_eq!(advice.summary, "The server's certificate is valid for db.example, not for localhost.");
        assert!(advice.hint.contains("set Server name to db.example"));
        assert!(fix(Client::Go, Code::TlsNameMismatch, &details).unwrap().contains("ServerName: \"db.example\""));
    }
}
