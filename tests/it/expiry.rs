//! Expiry watch (issue 10, item 5): `profiles expiry` connects to each saved profile's real TLS server and reads its
//! CA file and client certificate, lists them soonest first, and exits 1 for cron when one expires within `--days`;
//! the app shows the days left in the profile list.

use time::{Duration, OffsetDateTime};

use crate::profiles::Home;
use crate::support::chroma_addr;
use crate::support::pki::{LeafSpec, Pki};
use crate::support::proxy::{ProxyConfig, TlsProxy};

#[test]
fn profiles_expiry_lists_soonest_first_and_exits_1_within_the_threshold() {
    let pki = Pki::new();
    let now = OffsetDateTime::now_utc();
    let soon =
        pki.leaf_with(&LeafSpec::default().valid(now - Duration::days(1), now + Duration::days(10)).label("soon"));
    let later =
        pki.leaf_with(&LeafSpec::default().valid(now - Duration::days(1), now + Duration::days(200)).label("later"));
    let soon_proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&soon, chroma_addr()));
    let later_proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&later, chroma_addr()));
    let (client_cert, client_key) = pki.client_cert(true);
    let ca = pki.root_pem_path();
    let home = Home::new();
    home.run(&["profiles", "add", "soon", &soon_proxy.https_url(), "--ca-file", ca.to_str().unwrap()]).ok();
    home.run(&[
        "profiles",
        "add",
        "later",
        &later_proxy.https_url(),
        "--ca-file",
        ca.to_str().unwrap(),
        "--client-cert",
        client_cert.to_str().unwrap(),
        "--client-key",
        client_key.to_str().unwrap(),
    ])
    .ok();
    home.run(&["profiles", "add", "plain", "http://127.0.0.1:9"]).ok();

    let run = home.run(&["profiles", "expiry", "--json"]).code(1);
    let report = run.json();
    let items = report["items"].as_array().unwrap();
    let days: Vec<i64> = items.iter().map(|i| i["days_left"].as_i64().unwrap()).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first: {days:?}");
    assert_eq!(items[0]["profile"], "soon");
    assert_eq!(items[0]["kind"], "server_certificate");
    assert!((9..=10).contains(&days[0]), "{days:?}");
    assert_eq!(report["expiring"], 1, "{report}");
    let kinds = |profile: &str| -> Vec<String> {
        items.iter().filter(|i| i["profile"] == profile).map(|i| i["kind"].as_str().unwrap().to_owned()).collect()
    };
    assert!(kinds("later").contains(&"server_certificate".to_owned()), "{report}");
    assert!(kinds("later").contains(&"ca_file".to_owned()), "{report}");
    assert!(kinds("later").contains(&"client_certificate".to_owned()), "{report}");
    assert_eq!(report["skipped"][0][0], "plain", "plain HTTP has nothing to watch");

    // A shorter threshold: nothing expires within 5 days, so cron is quiet.
    home.run(&["profiles", "expiry", "--days", "5"]).ok();
    let text = home.run(&["profiles", "expiry", "soon"]).code(1).stdout;
    assert!(text.lines().nth(1).is_some_and(|l| l.contains("soon") && l.contains('!')), "{text}");
    assert!(text.contains("1 certificate(s) expire within 30 days"), "{text}");

    // A server that cannot be reached cannot be vouched for: it is listed and the status is 1.
    home.run(&["profiles", "add", "gone", "https://127.0.0.1:1"]).ok();
    let gone = home.run(&["profiles", "expiry", "gone", "--days", "1"]).code(1);
    assert!(gone.stdout.contains("gone: server cannot be read"), "{}", gone.stdout);
}

#[test]
fn the_profile_list_shows_days_left_after_a_check() {
    use crate::gui::{QueuePicker, app, home_with, profile};
    use chroma_connect::app::StartOptions;
    use chroma_connect::profile::Verify;

    let pki = Pki::new();
    let now = OffsetDateTime::now_utc();
    let soon =
        pki.leaf_with(&LeafSpec::default().valid(now - Duration::days(1), now + Duration::days(12)).label("gui"));
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&soon, chroma_addr()));
    let home = home_with(vec![(profile("soon", &proxy.https_url(), Verify::CaFile(pki.root_pem_path())), None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions { profile: Some("soon".into()), check: true });
    gui.wait("the check", |app| app.state.prefs.last_checks.contains_key("soon"));
    let days = gui.state().prefs.last_checks["soon"].cert_days_left(std::time::SystemTime::now());
    assert!(matches!(days, Some(11 | 12)), "{days:?}");
    gui.hover_button("soon");
    assert!(gui.shows("The server's certificate expires in 1"), "the row says it");
}
