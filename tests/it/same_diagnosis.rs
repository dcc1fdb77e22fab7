//! One diagnosis everywhere: the same failure gives the same code (and setting) in `check`, `collections` and
//! `records`, and through the library call the desktop app uses (`diagnose::diagnose_browse_error`), behind the
//! TLS proxy in front of the real Chroma server.

use std::path::PathBuf;

use chroma_connect::chroma::{ChromaClient, ClientOptions};
use chroma_connect::diagnose::{Code, diagnose_browse_error, diagnose_browse_error_probing, run_check};
use chroma_connect::profile::{ConnectionSettings, Verify};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::browse::{run_cli, stderr, stdout};
use crate::support::chroma_addr;
use crate::support::pki::{Leaf, Pki};
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::servers::{closed_addr, closed_port};

/// One failure: how to provoke it, and the code and setting every face must give.
struct Scenario {
    name: &'static str,
    url: String,
    ca_file: Option<PathBuf>,
    code: &'static str,
    setting: Option<&'static str>,
    /// Kept alive while the scenario runs.
    _proxy: Option<TlsProxy>,
}

fn tls_scenario(
    name: &'static str,
    pki: &Pki,
    config: &ProxyConfig,
    code: &'static str,
    setting: Option<&'static str>,
) -> Scenario {
    let proxy = TlsProxy::start_on_thread(config);
    Scenario { name, url: proxy.https_url(), ca_file: Some(pki.root_pem_path()), code, setting, _proxy: Some(proxy) }
}

fn for_leaf(leaf: &Leaf) -> ProxyConfig {
    ProxyConfig::for_leaf(leaf, chroma_addr())
}

fn scenarios(pki: &Pki) -> Vec<Scenario> {
    let plain = TlsProxy::start_on_thread(&for_leaf(&pki.leaf()));
    vec![
        tls_scenario(
            "unknown issuer",
            pki,
            &for_leaf(&pki.leaf_from_other_root()),
            "tls.unknown_issuer",
            Some("ca_file"),
        ),
        tls_scenario("name mismatch", pki, &for_leaf(&pki.wrong_name_leaf()), "tls.name_mismatch", Some("server_name")),
        tls_scenario("expired", pki, &for_leaf(&pki.expired_leaf()), "tls.expired", None),
        tls_scenario(
            "502 from the proxy",
            pki,
            &ProxyConfig::for_leaf(&pki.leaf(), closed_addr()),
            "http.proxy_error",
            None,
        ),
        tls_scenario(
            "401 without credentials",
            pki,
            &for_leaf(&pki.leaf()).auth("tok-same-diagnosis"),
            "http.unauthorized",
            Some("auth"),
        ),
        Scenario {
            name: "http:// to a TLS port",
            url: plain.http_url(),
            ca_file: None,
            code: "http.plain_to_tls_port",
            setting: Some("url"),
            _proxy: Some(plain),
        },
        Scenario {
            name: "refused",
            url: format!("http://127.0.0.1:{}", closed_port()),
            ca_file: None,
            code: "net.refused",
            setting: Some("url"),
            _proxy: None,
        },
    ]
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(output), stderr(output)))
}

#[test]
fn check_collections_and_records_give_the_same_code() {
    let pki = Pki::new();
    for scenario in scenarios(&pki) {
        let ca = scenario.ca_file.as_ref().map(|p| p.to_str().expect("utf-8").to_owned());
        let mut extra: Vec<&str> = Vec::new();
        if let Some(ca) = &ca {
            extra.extend(["--ca-file", ca.as_str()]);
        }
        let name = scenario.name;
        let with = |command: &[&str]| {
            let mut args: Vec<&str> = command.to_vec();
            args.push(&scenario.url);
            args.extend(&extra);
            args.push("--json");
            run_cli(&args, &[])
        };

        let check = with(&["check"]);
        assert_eq!(check.status.code(), Some(1), "{name}: {}", stdout(&check));
        let diagnosis = json_of(&check)["diagnosis"].clone();
        assert_eq!(diagnosis["code"], scenario.code, "{name}: check said {diagnosis}");
        assert_eq!(diagnosis["setting"], scenario.setting.map_or(Value::Null, Value::from), "{name}: {diagnosis}");

        for command in [&["collections"][..], &["records", "-c", "lab_docs"]] {
            let output = with(command);
            assert_eq!(output.status.code(), Some(1), "{name} {command:?}: {}", stderr(&output));
            let error = json_of(&output)["error"].clone();
            assert_eq!(error["code"], scenario.code, "{name} {command:?}: {error}");
            assert_eq!(error["setting"], diagnosis["setting"], "{name} {command:?}: {error}");
            assert_eq!(error["message"], diagnosis["summary"], "{name} {command:?}: the same summary");
            for key in ["status", "server_message", "hint"] {
                assert!(error.get(key).is_some(), "{name}: the key {key} is kept: {error}");
            }
            // The text says the same, with the code.
            let text = run_cli(&[command, &[scenario.url.as_str()], &extra[..]].concat(), &[]);
            assert!(stderr(&text).contains(&format!("error: [{}] ", scenario.code)), "{name}: {}", stderr(&text));
        }
    }
}

/// The desktop app browses with the library and diagnoses with `diagnose_browse_error`: the same code as the
/// check for the same failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_diagnosis_of_browsing_is_the_checks() {
    let pki = Pki::new();
    for scenario in scenarios(&pki) {
        let mut settings = ConnectionSettings::from_url(&scenario.url).expect("url");
        if let Some(ca) = &scenario.ca_file {
            settings.verify = Verify::CaFile(ca.clone());
        }
        let name = scenario.name;
        let report = run_check(&settings, None, CancellationToken::new()).await.expect("not cancelled");
        assert_eq!(report.diagnosis.code.as_str(), scenario.code, "{name}: {}", report.to_text());

        let err = match ChromaClient::connect(&settings, ClientOptions::default()).await {
            Ok(client) => client.resolve_scope("default_tenant", "default_database").await.expect_err(name),
            Err(err) => err.into(),
        };
        let probed = diagnose_browse_error_probing(&err, &settings).await;
        let parts = |d: &chroma_connect::diagnose::Diagnosis| (d.code, d.setting, d.summary.clone());
        assert_eq!(parts(&probed), parts(&report.diagnosis), "{name}: the same diagnosis as the check's");
        if scenario.code != "http.plain_to_tls_port" {
            // Only that one needs the network to be told apart.
            let pure = diagnose_browse_error(&err, &settings);
            assert_eq!(pure.code, report.diagnosis.code, "{name}");
            assert_eq!(pure.setting, report.diagnosis.setting, "{name}");
        }
        assert_ne!(report.diagnosis.code, Code::Ok);
    }
}
