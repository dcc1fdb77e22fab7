//! The certificates page's "Would other clients connect?" card, after a real check of the real server behind a TLS
//! proxy whose certificate comes from a private CA that only the profile trusts.

use chroma_connect::app::StartOptions;
use chroma_connect::app::state::{CheckOutcome, Page};
use chroma_connect::diagnose::{ClientFamily, Code, TrustReason};
use chroma_connect::profile::Verify;
use egui::OutputCommand;
use egui_kittest::kittest::Queryable as _;

use crate::gui::{QueuePicker, app, home_with, profile};
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificates_page_says_which_clients_would_connect_and_copies_a_fix() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let root = pki.root_pem_path();
    let home = home_with(vec![(profile("private", &proxy.https_url(), Verify::CaFile(root.clone())), None)]);
    let start = StartOptions { profile: Some("private".to_owned()), check: true };
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), start));
    tokio::task::block_in_place(|| gui.wait_check_done("private"));
    assert_eq!(gui.code("private"), Code::Ok);
    let Some(CheckOutcome::Done(report)) = gui.check_outcome("private") else { unreachable!() };
    let reasons: Vec<(ClientFamily, TrustReason)> = report.trust.iter().map(|c| (c.family, c.reason)).collect();
    assert_eq!(
        reasons,
        [
            (ClientFamily::Curl, TrustReason::UnknownIssuer),
            (ClientFamily::Python, TrustReason::UnknownIssuer),
            (ClientFamily::Node, TrustReason::UnknownIssuer),
            (ClientFamily::Browser, TrustReason::UnknownIssuer),
            (ClientFamily::ChromaConnect, TrustReason::Ok),
        ]
    );

    gui.click("Certificates");
    assert_eq!(gui.state().prefs.page, Page::Certificates);
    assert!(gui.shows("Would other clients connect?"));
    for family in ClientFamily::ALL {
        assert!(gui.shows(family.label()), "{family:?} is listed");
    }
    assert_eq!(gui.hr().query_all_by_label("✖").count(), 4, "four kinds of client refuse the chain");
    assert_eq!(gui.hr().query_all_by_label("✔").count(), 1, "the profile accepts it");
    let root = root.display().to_string();
    assert!(gui.shows(&format!("Settings(chroma_server_ssl_verify=\"{root}\")")), "Python's fix");
    assert!(gui.shows(&format!("NODE_EXTRA_CA_CERTS={root}")), "Node's fix");
    assert!(gui.shows("Trusted: the chain leads to the root"), "why the profile accepts it");

    // Copy fix, on Node's row (curl, Python, Node, browsers have a fix; the profile has none).
    assert_eq!(gui.hr().query_all_by_label("Copy fix").count(), 4);
    gui.hr().get_all_by_label("Copy fix").nth(2).expect("Node's Copy fix").scroll_to_me();
    gui.h().run_steps(30);
    gui.h().get_all_by_label("Copy fix").nth(2).expect("Node's Copy fix").click();
    let mut copied = Vec::new();
    for _ in 0..4 {
        gui.h().step();
        copied.extend(gui.hr().output().platform_output.commands.iter().filter_map(|command| match command {
            OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        }));
    }
    assert_eq!(copied, [format!("Start Node with NODE_EXTRA_CA_CERTS={root} set.")]);
    assert!(gui.shows("Copied."));
}
