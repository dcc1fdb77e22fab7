//! `explain`: real error messages, as each client prints them, mapped to the check's codes; and the CLI.
//!
//! Where a row says "recorded here", the message was printed by that client against `openssl s_server` (or a closed
//! port, or a name that does not resolve) on loopback, with certificates from a private CA: Python 3.11.7 with
//! OpenSSL 3.0.19, httpx 0.28.1, requests 2.34.2 and chromadb 1.5.9; Node.js 20.20.2; `OpenJDK` 17.0.15; curl 7.88.1
//! and OpenSSL 3.0.19; rustls 0.23.46 through reqwest 0.13.5 and hyper-util 0.1.21. Each row also names the public
//! source of the text (the code that prints it), or where the message was published.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use chroma_connect::diagnose::Code;
use chroma_connect::explain::{Client, explain};
use chroma_connect::profile::Setting;
use serde_json::Value;

/// One real message and what it means.
struct Row {
    text: &'static str,
    /// The main answer's code; `None` for a message that hides the real error.
    code: Option<Code>,
    /// The client family of the main answer.
    family: &'static str,
    /// Where the text comes from.
    source: &'static str,
}

const fn row(text: &'static str, code: Code, family: &'static str, source: &'static str) -> Row {
    Row { text, code: Some(code), family, source }
}

const fn hides(text: &'static str, family: &'static str, source: &'static str) -> Row {
    Row { text, code: None, family, source }
}

use Code::{
    ChromaApiError, ChromaCollectionNotFound, ChromaDatabaseNotFound, ChromaTenantNotFound, DnsNotFound, HttpForbidden,
    HttpPlainToTlsPort, HttpProxyError, HttpUnauthorized, NetRefused, NetTimeout, TlsCaUsedAsEndEntity,
    TlsClientCertRequired, TlsExpired, TlsNameMismatch, TlsNotTls, TlsNotYetValid, TlsSelfSigned, TlsUnknownIssuer,
};

const PY_SSL: &str = "CPython Modules/_ssl.c (\"[SSL: %s] %s: %s (_ssl.c:%d)\"), reason text from OpenSSL \
                      crypto/x509/x509_txt.c; recorded here";
const PY_OS: &str = "CPython's OSError text (strerror / gai_strerror through Modules/socketmodule.c); recorded here";
const HTTPX: &str = "httpx/_transports/default.py map_httpcore_exceptions (the ssl/OS error's text); recorded here";
const CHROMADB: &str = "chromadb/api/client.py (chromadb 1.5.9); recorded here";
const CHROMADB_ERR: &str = "chromadb/errors.py and api/base_http_client.py _raise_chroma_error (chromadb 1.5.9), \
                            bodies of chroma 1.5.9 (shared chroma-api transcripts); recorded here";
const NODE: &str = "Node.js lib/_tls_wrap.js and src/crypto (OpenSSL X509_V_ERR codes as err.code); recorded here";
const NODE_NET: &str = "Node.js lib/net.js / lib/dns.js (libuv and getaddrinfo codes); recorded here";
const JAVA: &str = "OpenJDK sun.security.validator.PKIXValidator, sun.security.provider.certpath; recorded here";
const JAVA_NAME: &str = "OpenJDK sun.security.util.HostnameChecker; recorded here";
const JAVA_NET: &str =
    "OpenJDK java.net (ConnectException, UnknownHostException, SocketTimeoutException); recorded here";
const GO_X509: &str = "Go crypto/x509/verify.go (HostnameError, UnknownAuthorityError, CertificateInvalidError)";
const CURL: &str = "curl lib/vtls/openssl.c (\"SSL certificate problem: %s\") and docs/libcurl/libcurl-errors; recorded \
                    here";
const OPENSSL: &str = "OpenSSL apps/s_client.c / apps/lib/s_cb.c (\"verify error:num=%d:%s\"), crypto/x509/x509_txt.c; \
                       recorded here";
const RUSTLS: &str = "rustls 0.23 src/error.rs (Error and CertificateError, Display and Debug) through reqwest's \
                      Debug; recorded here";
const CHROMA_1X: &str = "chroma 1.5.9 server error body (shared chroma-api transcripts v2-1.x)";
const CHROMA_05: &str = "chroma 0.5.23 server error body (shared chroma-api transcripts v1-0.5.23)";
const CHROMA_04: &str = "chroma 0.4.24 server error body (shared chroma-api transcripts v1-0.4.24)";
const NGINX: &str = "nginx src/http/ngx_http_special_response.c error pages";

/// Real messages, one a row.
const CORPUS: &[Row] = &[
    // Python: ssl (CPython + OpenSSL 3; and 1.1's spelling).
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)",
        TlsUnknownIssuer,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
        TlsUnknownIssuer,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'. (_ssl.c:1006)",
        TlsNameMismatch,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)",
        TlsExpired,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)",
        TlsSelfSigned,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate is not yet valid (_ssl.c:1006)",
        TlsNotYetValid,
        "python",
        PY_SSL,
    ),
    row(
        "httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'. (_ssl.c:1006)",
        TlsNameMismatch,
        "python",
        HTTPX,
    ),
    row("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", TlsNotTls, "python", PY_SSL),
    row(
        "ssl.SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)",
        TlsClientCertRequired,
        "python",
        PY_SSL,
    ),
    row(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1131)",
        TlsUnknownIssuer,
        "python",
        "OpenSSL 1.1 spelling of X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN (crypto/x509/x509_txt.c in 1.1.1), as CPython 3.8-3.10 print it",
    ),
    row(
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='localhost', port=19401): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))",
        TlsUnknownIssuer,
        "python",
        "requests/adapters.py (SSLError from urllib3's MaxRetryError) over CPython's ssl; recorded here",
    ),
    row("ConnectionRefusedError: [Errno 111] Connection refused", NetRefused, "python", PY_OS),
    // Python: httpx (what chromadb's HttpClient uses).
    row(
        "httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
        TlsUnknownIssuer,
        "python",
        HTTPX,
    ),
    row(
        "httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'. (_ssl.c:1006)",
        TlsNameMismatch,
        "python",
        HTTPX,
    ),
    row("httpx.ConnectError: [Errno 111] Connection refused", NetRefused, "python", HTTPX),
    row("httpx.ConnectError: [Errno -2] Name or service not known", DnsNotFound, "python", HTTPX),
    row(
        "httpx.ConnectError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
        TlsNotTls,
        "python",
        HTTPX,
    ),
    row(
        "httpx.ReadError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)",
        TlsClientCertRequired,
        "python",
        HTTPX,
    ),
    row("httpx.ConnectTimeout: _ssl.c:989: The handshake operation timed out", NetTimeout, "python", HTTPX),
    // Python: chromadb.
    hides("ValueError: Could not connect to a Chroma server. Are you sure it is running?", "python", CHROMADB),
    row(
        "chromadb.errors.NotFoundError: Tenant [no_such_tenant] not found",
        ChromaTenantNotFound,
        "python",
        CHROMADB_ERR,
    ),
    row(
        "chromadb.errors.NotFoundError: Database [no_such_db] not found. Are you sure it exists?",
        ChromaDatabaseNotFound,
        "python",
        CHROMADB_ERR,
    ),
    row(
        "chromadb.errors.NotFoundError: Collection [does_not_exist] does not exist",
        ChromaCollectionNotFound,
        "python",
        CHROMADB_ERR,
    ),
    row("chromadb.errors.ChromaAuthError: Forbidden", HttpForbidden, "python", CHROMADB_ERR),
    row("chromadb.errors.AuthorizationError: Unauthorized", HttpUnauthorized, "python", CHROMADB_ERR),
    // Node.js.
    row(
        "Error: self-signed certificate in certificate chain\n  code: 'SELF_SIGNED_CERT_IN_CHAIN'",
        TlsUnknownIssuer,
        "node",
        NODE,
    ),
    row(
        "Error: unable to verify the first certificate\n  code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'",
        TlsUnknownIssuer,
        "node",
        NODE,
    ),
    row(
        "Error: unable to get local issuer certificate\n  code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'",
        TlsUnknownIssuer,
        "node",
        NODE,
    ),
    row(
        "Error: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:chroma.internal.example\n  code: 'ERR_TLS_CERT_ALTNAME_INVALID'",
        TlsNameMismatch,
        "node",
        "Node.js lib/tls.js checkServerIdentity; recorded here",
    ),
    row(
        "Error: Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: \n  code: 'ERR_TLS_CERT_ALTNAME_INVALID'",
        TlsNameMismatch,
        "node",
        "Node.js lib/tls.js checkServerIdentity; recorded here",
    ),
    row("Error: certificate has expired\n  code: 'CERT_HAS_EXPIRED'", TlsExpired, "node", NODE),
    row("Error: certificate is not yet valid\n  code: 'CERT_NOT_YET_VALID'", TlsNotYetValid, "node", NODE),
    row("Error: self-signed certificate\n  code: 'DEPTH_ZERO_SELF_SIGNED_CERT'", TlsSelfSigned, "node", NODE),
    row("Error: connect ECONNREFUSED 127.0.0.1:19499\n  code: 'ECONNREFUSED'", NetRefused, "node", NODE_NET),
    row("Error: getaddrinfo ENOTFOUND nonexistent.invalid\n  code: 'ENOTFOUND'", DnsNotFound, "node", NODE_NET),
    row(
        "Error: write EPROTO 809C0400197F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n\n  code: 'EPROTO'",
        TlsNotTls,
        "node",
        NODE,
    ),
    row(
        "Error: 809C0400197F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n\n  code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'",
        TlsClientCertRequired,
        "node",
        NODE,
    ),
    row(
        "TypeError: fetch failed\n cause: Error: unable to verify the first certificate UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        TlsUnknownIssuer,
        "node",
        "Node.js's fetch (undici lib/fetch) with err.cause; recorded here",
    ),
    hides(
        "ChromaConnectionError: Failed to connect to chromadb. Make sure your server is running and try again. If you are running from a browser, make sure that your chromadb instance is configured to allow requests from the current origin using the CHROMA_SERVER_CORS_ALLOW_ORIGINS environment variable.",
        "node",
        "chromadb's JavaScript client, clients/js chromaFetch (ChromaConnectionError), in chroma-core/chroma",
    ),
    // Java.
    row(
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        TlsUnknownIssuer,
        "java",
        JAVA,
    ),
    row(
        "javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching localhost found.",
        TlsNameMismatch,
        "java",
        JAVA_NAME,
    ),
    row(
        "javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address 127.0.0.1 found",
        TlsNameMismatch,
        "java",
        JAVA_NAME,
    ),
    row(
        "java.security.cert.CertificateException: No subject alternative names present",
        TlsNameMismatch,
        "java",
        "OpenJDK sun.security.util.HostnameChecker.matchIP (\"No subject alternative names present\")",
    ),
    row(
        "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\nCaused by: java.security.cert.CertificateExpiredException: NotAfter: Thu Feb 01 00:00:00 UTC 2024",
        TlsExpired,
        "java",
        JAVA,
    ),
    row(
        "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\nCaused by: java.security.cert.CertificateNotYetValidException: NotBefore: Mon Jan 01 00:00:00 UTC 2035",
        TlsNotYetValid,
        "java",
        JAVA,
    ),
    row(
        "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_required",
        TlsClientCertRequired,
        "java",
        "OpenJDK sun.security.ssl.Alert (\"Received fatal alert: %s\"); recorded here",
    ),
    row(
        "javax.net.ssl.SSLException: Unsupported or unrecognized SSL message",
        TlsNotTls,
        "java",
        "OpenJDK sun.security.ssl.SSLSocketInputRecord; recorded here",
    ),
    row("java.net.ConnectException: Connection refused", NetRefused, "java", JAVA_NET),
    row("java.net.UnknownHostException: nonexistent.invalid", DnsNotFound, "java", JAVA_NET),
    row("java.net.SocketTimeoutException: Read timed out", NetTimeout, "java", JAVA_NET),
    // Go.
    row(
        "Get \"https://10.10.12.53/api/system\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
        TlsUnknownIssuer,
        "go",
        "Go crypto/tls handshake_client.go (\"tls: failed to verify certificate: %w\") around crypto/x509 UnknownAuthorityError",
    ),
    row(
        "x509: certificate is valid for *.badssl.com, badssl.com, not wrong.host.badssl.com",
        TlsNameMismatch,
        "go",
        "Go crypto/x509/verify.go HostnameError, as a public badssl.com test expects it",
    ),
    row(
        "transport: authentication handshake failed: x509: certificate is valid for 127.0.0.1, not 192.168.1.1",
        TlsNameMismatch,
        "go",
        "Go crypto/x509/verify.go HostnameError, in a published gRPC log",
    ),
    row(
        "tls: failed to verify certificate: x509: cannot validate certificate for 10.42.0.184 because it doesn't contain any IP SANs",
        TlsNameMismatch,
        "go",
        "Go crypto/x509/verify.go HostnameError, in a published Traefik log",
    ),
    row(
        "Get \"https://credhub.concourse.svc.cluster.local:9000/info\": x509: certificate has expired or is not yet valid: current time 2023-02-27T10:14:45Z is after 2023-02-25T15:05:44Z",
        TlsExpired,
        "go",
        "Go crypto/x509/verify.go CertificateInvalidError{Expired} (\"current time %s is after %s\"), in a published CredHub log",
    ),
    row(
        "x509: certificate has expired or is not yet valid: current time 2026-11-29T15:34:25Z is before 2035-01-01T00:00:00Z",
        TlsNotYetValid,
        "go",
        GO_X509,
    ),
    row("x509: certificate relies on legacy Common Name field, use SANs instead", TlsNameMismatch, "go", GO_X509),
    row(
        "Get \"https://127.0.0.1:8200/v1/sys/seal-status\": http: server gave HTTP response to HTTPS client",
        TlsNotTls,
        "go",
        "Go net/http transport.go, in a published Vault readiness probe log",
    ),
    row(
        "Get https://k8s-master-01:10250/stats/summary?only_cpu_and_memory=true: dial tcp: lookup k8s-master-01 on 10.96.0.10:53: no such host",
        DnsNotFound,
        "go",
        "Go net (DNSError \"no such host\"), in a published metrics-server log",
    ),
    row(
        "Get \"http://localhost:8000/api/v2/heartbeat\": dial tcp 127.0.0.1:8000: connect: connection refused",
        NetRefused,
        "go",
        "Go net (OpError \"dial tcp\" with ECONNREFUSED) around net/http's url.Error",
    ),
    // curl.
    row("curl: (60) SSL certificate problem: unable to get local issuer certificate", TlsUnknownIssuer, "curl", CURL),
    row("curl: (60) SSL certificate problem: self-signed certificate", TlsSelfSigned, "curl", CURL),
    row(
        "curl: (60) SSL certificate problem: self-signed certificate in certificate chain",
        TlsUnknownIssuer,
        "curl",
        CURL,
    ),
    row("curl: (60) SSL certificate problem: certificate has expired", TlsExpired, "curl", CURL),
    row("curl: (60) SSL certificate problem: certificate is not yet valid", TlsNotYetValid, "curl", CURL),
    row(
        "curl: (60) SSL: no alternative certificate subject name matches target host name 'localhost'",
        TlsNameMismatch,
        "curl",
        CURL,
    ),
    row(
        "curl: (51) SSL: certificate subject name 'anja.haxx.se' does not match target host name 'cool.haxx.se'",
        TlsNameMismatch,
        "curl",
        "curl before 7.62 (lib/vtls/openssl.c verifyhost, exit 51), in a published CI log",
    ),
    row(
        "curl: (7) Failed to connect to localhost port 19499 after 0 ms: Couldn't connect to server",
        NetRefused,
        "curl",
        CURL,
    ),
    row("curl: (6) Could not resolve host: nonexistent.invalid", DnsNotFound, "curl", CURL),
    row("curl: (28) Connection timed out after 2001 milliseconds", NetTimeout, "curl", CURL),
    row("curl: (28) SSL connection timeout", NetTimeout, "curl", CURL),
    row("curl: (35) OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number", TlsNotTls, "curl", CURL),
    row(
        "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0",
        TlsClientCertRequired,
        "curl",
        CURL,
    ),
    row(
        "cURL error 60: SSL certificate problem: unable to get local issuer certificate (see https://curl.haxx.se/libcurl/c/libcurl-errors.html)",
        TlsUnknownIssuer,
        "curl",
        "PHP's Guzzle CurlFactory (\"cURL error %d: %s\") over libcurl",
    ),
    // OpenSSL.
    row("verify error:num=20:unable to get local issuer certificate", TlsUnknownIssuer, "openssl", OPENSSL),
    row("verify error:num=18:self-signed certificate", TlsSelfSigned, "openssl", OPENSSL),
    row("verify error:num=19:self-signed certificate in certificate chain", TlsUnknownIssuer, "openssl", OPENSSL),
    row("verify error:num=62:hostname mismatch", TlsNameMismatch, "openssl", OPENSSL),
    row(
        "verify error:num=10:certificate has expired\nVerify return code: 10 (certificate has expired)",
        TlsExpired,
        "openssl",
        OPENSSL,
    ),
    row(
        "CN = localhost\nerror 18 at 0 depth lookup: self-signed certificate\nerror selfsigned.pem: verification failed",
        TlsSelfSigned,
        "openssl",
        "OpenSSL apps/verify.c; recorded here",
    ),
    // rustls (through reqwest).
    row(
        "reqwest::Error { kind: Request, url: \"https://localhost:19401/api/v2/heartbeat\", source: hyper_util::client::legacy::Error(Connect, Custom { kind: Other, error: Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) } }) }",
        TlsUnknownIssuer,
        "rustls",
        RUSTLS,
    ),
    row("invalid peer certificate: UnknownIssuer", TlsUnknownIssuer, "rustls", RUSTLS),
    row(
        "invalid peer certificate: certificate not valid for name \"localhost\"; certificate is only valid for DnsName(\"chroma.internal.example\")",
        TlsNameMismatch,
        "rustls",
        RUSTLS,
    ),
    row(
        "reqwest::Error { kind: Request, url: \"https://127.0.0.1:19401/api/v2/heartbeat\", source: hyper_util::client::legacy::Error(Connect, Custom { kind: Other, error: Custom { kind: InvalidData, error: InvalidCertificate(NotValidForNameContext { expected: IpAddress(V4(Ipv4Addr([127, 0, 0, 1]))), presented: [\"DnsName(\\\"localhost\\\")\"] }) } }) }",
        TlsNameMismatch,
        "rustls",
        RUSTLS,
    ),
    row(
        "invalid peer certificate: certificate expired: verification time 1795966580 (UNIX), but certificate is not valid after 1706745600 (89220980 seconds ago)",
        TlsExpired,
        "rustls",
        RUSTLS,
    ),
    row(
        "error: InvalidCertificate(ExpiredContext { time: UnixTime(1795966580), not_after: UnixTime(1706745600) })",
        TlsExpired,
        "rustls",
        RUSTLS,
    ),
    row(
        "invalid peer certificate: certificate not valid yet: verification time 1795966580 (UNIX), but certificate is not valid before 2051222400 (255255820 seconds in future)",
        TlsNotYetValid,
        "rustls",
        RUSTLS,
    ),
    row("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))", TlsCaUsedAsEndEntity, "rustls", RUSTLS),
    row("caused by: received fatal alert: CertificateRequired", TlsClientCertRequired, "rustls", RUSTLS),
    row("caused by: received corrupt message of type InvalidContentType", TlsNotTls, "rustls", RUSTLS),
    row(
        "reqwest::Error { kind: Request, url: \"https://localhost:19499/api/v2/heartbeat\", source: hyper_util::client::legacy::Error(Connect, ConnectError(\"tcp connect error\", 127.0.0.1:19499, Os { code: 111, kind: ConnectionRefused, message: \"Connection refused\" })) }",
        NetRefused,
        "rustls",
        RUSTLS,
    ),
    row(
        "caused by: dns error\ncaused by: failed to lookup address information: Name or service not known",
        DnsNotFound,
        "rustls",
        RUSTLS,
    ),
    hides(
        "error sending request for url (https://localhost:19401/api/v2/heartbeat)",
        "rustls",
        "reqwest src/error.rs Display of a Request error; recorded here",
    ),
    // Chroma's own error bodies.
    row(
        r#"{"error":"NotFoundError","message":"Tenant [no_such_tenant] not found"}"#,
        ChromaTenantNotFound,
        "chroma-server",
        CHROMA_1X,
    ),
    row(
        r#"{"error":"NotFoundError","message":"Database [no_such_db] not found. Are you sure it exists?"}"#,
        ChromaDatabaseNotFound,
        "chroma-server",
        CHROMA_1X,
    ),
    row(
        "HTTP/1.1 404 Not Found\ncontent-type: application/json\n{\n    \"error\": \"NotFoundError\",\n    \"message\": \"Collection [does_not_exist] does not exist\"\n}",
        ChromaCollectionNotFound,
        "chroma-server",
        CHROMA_1X,
    ),
    row(
        r#"{"error":"InvalidCollection","message":"Collection does_not_exist does not exist."}"#,
        ChromaCollectionNotFound,
        "chroma-server",
        CHROMA_05,
    ),
    row(
        r#"{"error":"NotFoundError","message":"Tenant no_such_tenant not found"}"#,
        ChromaTenantNotFound,
        "chroma-server",
        CHROMA_05,
    ),
    row(
        r#"{"error": "NotFoundError('Tenant no_such_tenant not found')"}"#,
        ChromaTenantNotFound,
        "chroma-server",
        CHROMA_04,
    ),
    row(
        r#"{"error": "ValueError('Collection does_not_exist does not exist.')"}"#,
        ChromaCollectionNotFound,
        "chroma-server",
        CHROMA_04,
    ),
    row(
        r#"HTTP/1.1 403 Forbidden
{"error":"AuthError","message":"Forbidden"}"#,
        HttpForbidden,
        "chroma-server",
        "chromadb/errors.py ChromaAuthError (403, \"AuthError\", \"Forbidden\"): the legacy Python server's answer to a missing or wrong token",
    ),
    row(
        r#"{"error":"Unimplemented","message":"The v1 API is deprecated. Please use /v2 apis"}"#,
        ChromaApiError,
        "chroma-server",
        CHROMA_1X,
    ),
    row(
        r#"ValueError: {"detail":"Not Found"}"#,
        ChromaApiError,
        "chroma-server",
        "chroma 0.4.24 server (FastAPI 404) as chromadb 1.5.9's client prints it (shared chroma-api README)",
    ),
    // HTTP answers of a proxy in front of Chroma.
    row(
        "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>",
        HttpUnauthorized,
        "",
        NGINX,
    ),
    row(
        "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>",
        HttpPlainToTlsPort,
        "",
        NGINX,
    ),
    row(
        "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>",
        TlsClientCertRequired,
        "",
        NGINX,
    ),
    row(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>",
        HttpProxyError,
        "",
        NGINX,
    ),
];

/// Texts that are not errors, or not known ones: `explain` says it does not recognise them.
const NOT_ERRORS: &[&str] = &[
    "Verify return code: 0 (ok)",
    "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{\"nanosecond heartbeat\":1795715554919315614}",
    "{\"id\":\"c95b\",\"name\":\"lab_docs\",\"metadata\":null}",
    "The quick brown fox jumps over the lazy dog.",
    "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nZeroDivisionError: division by zero",
    "error: could not compile `chroma-connect` (lib) due to 1 previous error",
];

fn family_of(client: Option<Client>) -> &'static str {
    client.map_or("", Client::family)
}

#[test]
fn the_corpus_maps_each_real_message_to_its_code() {
    let mut failures = Vec::new();
    for row in CORPUS {
        assert!(!row.source.is_empty(), "every row names its source: {}", row.text);
        let explanation = explain(row.text);
        let main = explanation.main();
        let got = (main.map(|f| f.code), family_of(main.and_then(|f| f.client)));
        if got != (Some(row.code), row.family) {
            failures.push(format!("{:?} / {:?} for {:?}: got {got:?}", row.code, row.family, row.text));
        }
        if let Some(main) = main {
            assert!(!main.summary.is_empty() && !main.hint.is_empty(), "{}", row.text);
            assert!(!main.matched.is_empty(), "{}", row.text);
            if row.code.is_none() {
                assert!(!main.hides.is_empty(), "a wrapper says what it hides: {}", row.text);
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} rows wrong:\n{}", failures.len(), CORPUS.len(), failures.join("\n"));
}

#[test]
fn the_corpus_is_large_and_varied() {
    let with_code = CORPUS.iter().filter(|r| r.code.is_some()).count();
    assert!(with_code >= 60, "{with_code} messages with a code");
    let families: std::collections::BTreeSet<&str> =
        CORPUS.iter().map(|r| r.family).filter(|f| !f.is_empty()).collect();
    assert!(families.len() >= 6, "{families:?}");
    let codes: std::collections::BTreeSet<&str> = CORPUS.iter().filter_map(|r| r.code).map(Code::as_str).collect();
    assert!(codes.len() >= 15, "{codes:?}");
}

#[test]
fn unrelated_text_is_not_recognised() {
    for text in NOT_ERRORS {
        let explanation = explain(text);
        assert!(!explanation.recognised(), "{text:?} gave {:#?}", explanation.findings);
    }
}

#[test]
fn details_are_read_from_the_message() {
    let go = explain("x509: certificate is valid for *.badssl.com, badssl.com, not wrong.host.badssl.com");
    let main = go.main().unwrap();
    assert_eq!(main.details.host.as_deref(), Some("wrong.host.badssl.com"));
    assert_eq!(main.details.presented, ["*.badssl.com", "badssl.com"]);
    assert_eq!(
        main.summary,
        "The server's certificate is valid for *.badssl.com, badssl.com, not for wrong.host.badssl.com."
    );
    assert!(main.hint.contains("set Server name to badssl.com"), "{}", main.hint);
    assert_eq!(main.setting, Some(Setting::ServerName));
    assert!(main.fix.as_deref().unwrap().contains("ServerName: \"badssl.com\""));

    let python = explain(CORPUS[2].text);
    assert_eq!(python.main().unwrap().details.host.as_deref(), Some("localhost"));

    let node = explain(
        "Error: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: \
         DNS:chroma.internal.example\n  code: 'ERR_TLS_CERT_ALTNAME_INVALID'",
    );
    let main = node.main().unwrap();
    assert_eq!(
        (main.details.host.as_deref(), main.details.presented.as_slice()),
        (Some("localhost"), &["chroma.internal.example".to_owned()][..])
    );
    assert!(main.fix.as_deref().unwrap().contains("servername"));

    let curl = explain("curl: (60) SSL certificate problem: self-signed certificate in certificate chain");
    let main = curl.main().unwrap();
    assert_eq!(main.details.curl_exit, Some(60));
    assert!(main.summary.contains("self-signed root CA"), "{}", main.summary);
    assert!(main.fix.as_deref().unwrap().contains("--cacert"));

    let openssl = explain("verify error:num=62:hostname mismatch");
    assert_eq!(openssl.main().unwrap().details.openssl_verify, Some(62));

    let refused = explain("Error: connect ECONNREFUSED 127.0.0.1:19499\n  code: 'ECONNREFUSED'");
    assert_eq!(refused.main().unwrap().summary, "Nothing accepts connections on 127.0.0.1:19499 (connection refused).");

    let body = explain("HTTP/1.1 404 Not Found\n{\"error\":\"NotFoundError\",\"message\":\"Tenant [t1] not found\"}");
    let main = body.main().unwrap();
    assert_eq!(main.details.chroma_error.as_deref(), Some("NotFoundError"));
    assert_eq!(main.details.chroma_message.as_deref(), Some("Tenant [t1] not found"));
    assert_eq!(main.setting, Some(Setting::Tenant));

    let auth = explain("HTTP/1.1 401 Unauthorized\n{\"error\":\"AuthError\",\"message\":\"Invalid token\"}");
    let main = auth.main().unwrap();
    assert_eq!((main.code, main.details.http_status), (Some(HttpUnauthorized), Some(401)));
    assert_eq!(main.setting, Some(Setting::Auth));

    let url = explain("error sending request for url (https://admin:hunter2@chroma.example:8443/api/v2/heartbeat)");
    assert_eq!(url.url.as_deref(), Some("https://chroma.example:8443"));
    assert!(url.next_step().contains("chroma-connect check https://chroma.example:8443"));
    assert!(!url.main().unwrap().matched.contains("hunter2"), "{}", url.main().unwrap().matched);

    // Each client gets the trust fix in its own words.
    for (text, words) in [
        (CORPUS[0].text, "chroma_server_ssl_verify"),
        (
            "Error: self-signed certificate in certificate chain\n  code: 'SELF_SIGNED_CERT_IN_CHAIN'",
            "NODE_EXTRA_CA_CERTS",
        ),
        ("javax.net.ssl.SSLHandshakeException: PKIX path building failed: x", "keytool -importcert"),
        ("x509: certificate signed by unknown authority", "SSL_CERT_FILE"),
        ("curl: (60) SSL certificate problem: unable to get local issuer certificate", "curl --cacert"),
    ] {
        let fix = explain(text).main().unwrap().fix.clone().unwrap_or_default();
        assert!(fix.contains(words), "{text}: {fix}");
    }
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/explain").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_chromadb_traceback_names_the_error_its_wrapper_hides() {
    let explanation = explain(&fixture("chromadb-1.5.9-unknown-ca.txt"));
    let main = explanation.main().unwrap();
    assert_eq!(main.code, Some(TlsUnknownIssuer));
    assert_eq!(main.client, Some(Client::Chromadb), "a chromadb user gets chromadb's fix");
    assert!(main.fix.as_deref().unwrap().contains("Settings(chroma_server_ssl_verify="));
    assert_eq!(main.setting, Some(Setting::CaFile));
    assert_eq!(explanation.findings.len(), 2, "{:#?}", explanation.findings);
    let wrapper = &explanation.findings[1];
    assert_eq!(wrapper.code, None);
    assert!(wrapper.summary.contains("Could not connect to a Chroma server"));
    assert!(wrapper.hides.contains(&TlsUnknownIssuer) && wrapper.hides.contains(&NetRefused));

    let refused = explain(&fixture("chromadb-1.5.9-refused.txt"));
    assert_eq!(refused.code(), Some(NetRefused));
    assert_eq!(refused.findings.len(), 2);
}

// The command line.

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(crate::cli_binary());
    command.args(args).env_remove("CHROMA_CONNECT_LOG").stdout(Stdio::piped()).stderr(Stdio::piped());
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = command.spawn().expect("run chroma-connect");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn cli_explains_an_argument_in_the_style_of_check() {
    let output = run(&["explain", "curl: (60) SSL certificate problem: certificate has expired"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.starts_with("[tls.expired] The server's certificate has expired."), "{text}");
    assert!(text.contains("from curl: \"curl: (60) SSL certificate problem: certificate has expired\""), "{text}");
    assert!(text.contains("Next: Run a check"), "{text}");

    // Several words are one text.
    let output = run(&["explain", "x509:", "certificate", "signed", "by", "unknown", "authority"], None);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("[tls.unknown_issuer]"), "{text}");
    assert!(text.contains("setting: CA file (--ca-file)"), "{text}");
    assert!(text.contains("fix in Go: SSL_CERT_FILE="), "{text}");
}

#[test]
fn cli_reads_a_traceback_from_stdin() {
    let traceback = fixture("chromadb-1.5.9-unknown-ca.txt");
    for args in [&["explain"][..], &["explain", "-"][..]] {
        let output = run(args, Some(&traceback));
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stdout(&output));
        let text = stdout(&output);
        assert!(text.starts_with("[tls.unknown_issuer]"), "{text}");
        assert!(text.contains("Also in this text:"), "{text}");
        assert!(text.contains("Could not connect to a Chroma server"), "{text}");
    }
}

#[test]
fn cli_json_has_stable_fields() {
    let output = run(&["explain", "--json"], Some(&fixture("chromadb-1.5.9-refused.txt")));
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)));
    assert_eq!(json["recognised"], true);
    assert_eq!(json["code"], "net.refused");
    assert_eq!(json["client"], "chromadb");
    assert_eq!(json["client_label"], "Python (chromadb)");
    assert_eq!(json["setting"], "url");
    for key in ["matched", "summary", "hint", "next_step"] {
        assert!(json[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {json}");
    }
    for key in [
        "host",
        "presented",
        "address",
        "url",
        "curl_exit",
        "openssl_verify",
        "http_status",
        "chroma_error",
        "chroma_message",
    ] {
        assert!(json["details"].get(key).is_some(), "details.{key} is always there: {json}");
    }
    let also = json["also"].as_array().unwrap();
    assert_eq!(also.len(), 1);
    assert!(also[0]["code"].is_null());
    assert!(also[0]["hides"].as_array().unwrap().iter().any(|c| c == "tls.unknown_issuer"));

    let output = run(
        &[
            "explain",
            "--json",
            "curl: (60) SSL: no alternative certificate subject name matches target host name 'db.local'",
        ],
        None,
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (json["code"].as_str(), json["details"]["host"].as_str()),
        (Some("tls.name_mismatch"), Some("db.local"))
    );
    assert_eq!(json["details"]["curl_exit"], 60);
    assert_eq!(json["setting"], "server_name");
}

#[test]
fn cli_exit_codes_unknown_empty_and_usage() {
    let output = run(&["explain", "all is well"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("NOT RECOGNISED"), "{}", stdout(&output));
    let output = run(&["explain", "--json", "all is well"], None);
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((json["recognised"].as_bool(), json["code"].is_null()), (Some(false), true));

    let output = run(&["explain"], Some("  \n"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no text to explain"));
    let output = run(&["explain", "--no-such-flag"], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn cli_output_holds_no_secret_and_no_control_character() {
    let paste = "> Authorization: Bearer sk-live-0123456789\n< HTTP/1.1 401 Unauthorized\n\u{1b}]0;pwned\u{7}\
                 {\"error\":\"AuthError\",\"message\":\"Bearer sk-live-0123456789 is not valid\"}";
    for args in [&["explain"][..], &["explain", "--json"][..]] {
        let output = run(args, Some(paste));
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(!text.contains("sk-live-0123456789"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    }
}
