//! Each kind of client on rcgen chains, with the test's own roots in the stores.

use std::path::PathBuf;

use crate::tls::trust_eval::test_pki::{Ca, Leaf, now, self_signed, stores};

use super::*;

const CA_PATH: &str = "/etc/chroma/private-ca.pem";

fn settings(verify: Verify) -> ConnectionSettings {
    let mut settings = ConnectionSettings::from_url("https://localhost:8443").unwrap();
    settings.verify = verify;
    settings
}

fn ca_file() -> Verify {
    Verify::CaFile(PathBuf::from(CA_PATH))
}

fn family(trust: &[ClientTrust], family: ClientFamily) -> &ClientTrust {
    trust.iter().find(|t| t.family == family).unwrap_or_else(|| panic!("no {family:?} in {trust:#?}"))
}

fn fix(trust: &[ClientTrust], of: ClientFamily) -> String {
    family(trust, of).fix.clone().unwrap_or_else(|| panic!("no fix for {of:?}: {trust:#?}"))
}

#[test]
fn a_private_ca_only_the_profile_trusts_gives_each_client_its_own_fix() {
    let root = Ca::root("Private Root");
    let public = Ca::root("Public Root");
    let leaf = root.leaf(&Leaf::default());
    let stores = stores(&[&public.der], &[&public.der], Some(&[&root.der]));
    let trust = clients_trust(&settings(ca_file()), &[leaf], now(), &stores);

    assert_eq!(trust.iter().map(|t| t.family).collect::<Vec<_>>(), ClientFamily::ALL.to_vec());
    let profile = family(&trust, ClientFamily::ChromaConnect);
    assert!(profile.plainly_accepted(), "{profile:#?}");
    assert_eq!(profile.store, TrustSource::Profile);
    assert_eq!(profile.store_text, format!("only the CA file {CA_PATH}"));
    assert_eq!(profile.reason_text, "Trusted: the chain leads to the root \"Private Root\".");
    assert_eq!(profile.fix, None);

    for other in [ClientFamily::Curl, ClientFamily::Python, ClientFamily::Node, ClientFamily::Browser] {
        let client = family(&trust, other);
        assert!(!client.accepted, "{client:#?}");
        assert_eq!(client.reason, TrustReason::UnknownIssuer, "{client:#?}");
        assert!(client.reason_text.contains("Issued by \"Private Root\""), "{}", client.reason_text);
        assert!(client.reason_text.contains("the profile's CA file does"), "{}", client.reason_text);
        assert!(!fix(&trust, other).contains("intermediate"), "a root the CA file holds is no intermediate");
    }
    assert_eq!(family(&trust, ClientFamily::Curl).store, TrustSource::Os);
    assert_eq!(family(&trust, ClientFamily::Python).store, TrustSource::Mozilla);
    assert_eq!(family(&trust, ClientFamily::Node).store, TrustSource::Mozilla);
    // The fix names the profile's own CA file, in each client's terms.
    assert!(fix(&trust, ClientFamily::Curl).contains(&format!("curl --cacert {CA_PATH}")));
    #[cfg(target_os = "linux")]
    assert!(fix(&trust, ClientFamily::Curl).contains("update-ca-certificates"));
    let python = fix(&trust, ClientFamily::Python);
    assert!(python.contains(&format!("Settings(chroma_server_ssl_verify=\"{CA_PATH}\")")), "{python}");
    assert!(python.contains(&format!("SSL_CERT_FILE={CA_PATH}")), "{python}");
    assert!(python.contains(&format!("REQUESTS_CA_BUNDLE={CA_PATH}")), "{python}");
    assert!(fix(&trust, ClientFamily::Node).contains(&format!("NODE_EXTRA_CA_CERTS={CA_PATH}")));
    assert!(fix(&trust, ClientFamily::Browser).contains("into the OS store: "));
}

#[test]
fn without_a_ca_file_the_fix_asks_to_save_the_ca_and_mentions_an_intermediate() {
    let root = Ca::root("Private Root");
    let leaf = root.leaf(&Leaf::default());
    let stores = stores(&[], &[], None);
    let trust = clients_trust(&settings(Verify::System), &[leaf], now(), &stores);
    for client in &trust {
        assert_eq!(client.reason, TrustReason::UnknownIssuer, "{client:#?}");
    }
    let node = fix(&trust, ClientFamily::Node);
    assert!(node.starts_with("Save the certificate of \"Private Root\" as ca.pem (PEM), then:"), "{node}");
    assert!(node.contains("NODE_EXTRA_CA_CERTS=ca.pem"), "{node}");
    assert!(node.ends_with("If \"Private Root\" is an intermediate CA, the server must send it too."), "{node}");
    let profile = fix(&trust, ClientFamily::ChromaConnect);
    assert!(profile.contains("set the CA file to ca.pem (CA mode merge keeps the system store)"), "{profile}");
}

#[test]
fn a_missing_intermediate_fails_every_client_but_a_browser_fetching_it() {
    let root = Ca::root("Root R");
    let intermediate = root.intermediate("Intermediate I");
    let leaf = intermediate.leaf(&Leaf { aia: Some("http://ca.test/i.crt".to_owned()), ..Leaf::default() });
    let stores = stores(&[&root.der], &[&root.der], None);
    let trust = clients_trust(&settings(Verify::System), &[leaf], now(), &stores);

    let browser = family(&trust, ClientFamily::Browser);
    assert!(browser.accepted && !browser.plainly_accepted(), "{browser:#?}");
    assert_eq!(browser.reason, TrustReason::AiaFetch);
    assert!(browser.reason_text.contains("browsers download it from http://ca.test/i.crt"), "{}", browser.reason_text);
    for other in [ClientFamily::Curl, ClientFamily::Python, ClientFamily::Node, ClientFamily::ChromaConnect] {
        let client = family(&trust, other);
        assert!(!client.accepted, "{client:#?}");
        assert_eq!(client.reason, TrustReason::IncompleteChain);
        assert!(client.reason_text.contains("did not send the intermediate \"Intermediate I\""));
    }
    // The fix is on the server, the same for every client.
    for client in &trust {
        let fix = client.fix.as_deref().unwrap();
        assert!(fix.starts_with("On the server, serve the full chain"), "{fix}");
        assert!(!fix.contains("NODE_EXTRA_CA_CERTS") && !fix.contains("Settings("), "{fix}");
    }
}

#[test]
fn a_publicly_trusted_certificate_passes_python_and_node_but_not_an_os_store_without_its_root() {
    let public = Ca::root("Public Root");
    let intermediate = public.intermediate("Public Issuing CA");
    let leaf = intermediate.leaf(&Leaf::default());
    let stores = stores(&[], &[&public.der], None);
    let trust = clients_trust(&settings(Verify::System), &[leaf, intermediate.der.clone()], now(), &stores);

    for ok in [ClientFamily::Python, ClientFamily::Node] {
        let client = family(&trust, ok);
        assert!(client.plainly_accepted(), "{client:#?}");
        assert_eq!(client.reason_text, "Trusted: the chain leads to the root \"Public Root\".");
        assert_eq!(client.fix, None);
    }
    for refused in [ClientFamily::Curl, ClientFamily::Browser, ClientFamily::ChromaConnect] {
        let client = family(&trust, refused);
        assert!(!client.accepted, "{client:#?}");
        assert_eq!(client.reason, TrustReason::UnknownIssuer);
        assert!(client.reason_text.ends_with("; Mozilla's list does."), "{}", client.reason_text);
    }
    assert!(fix(&trust, ClientFamily::Curl).starts_with("Update the OS's CA certificates"));
}

#[test]
fn an_expired_certificate_is_fixed_on_the_server() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf { from_days: -90, to_days: -2, ..Leaf::default() });
    let stores = stores(&[&root.der], &[], Some(&[&root.der]));
    let trust = clients_trust(&settings(ca_file()), &[leaf], now(), &stores);
    for client in &trust {
        assert!(!client.accepted, "{client:#?}");
        assert_eq!(client.reason, TrustReason::Expired);
        assert!(client.reason_text.starts_with("The certificate expired on "), "{}", client.reason_text);
    }
    assert_eq!(fix(&trust, ClientFamily::ChromaConnect), "Renew the certificate on the server.");
    assert_eq!(fix(&trust, ClientFamily::Curl), "Renew the certificate on the server.");
    // Mozilla's list does not hold the root either: renewing is not enough for Python.
    let python = fix(&trust, ClientFamily::Python);
    assert!(python.starts_with("Renew the certificate on the server. "), "{python}");
    assert!(python.contains("Settings(chroma_server_ssl_verify="), "{python}");
}

#[test]
fn a_wrong_name_is_fixed_with_the_server_name_or_a_new_certificate() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf { names: vec!["chroma.other.test".to_owned()], ..Leaf::default() });
    let stores = stores(&[&root.der], &[&root.der], None);
    let trust = clients_trust(&settings(Verify::System), &[leaf], now(), &stores);
    for client in &trust {
        assert_eq!(client.reason, TrustReason::NameMismatch, "{client:#?}");
        assert_eq!(client.reason_text, "The certificate is for chroma.other.test, not localhost.");
    }
    assert_eq!(
        fix(&trust, ClientFamily::ChromaConnect),
        "Set Server name to chroma.other.test, or give the server a certificate for localhost."
    );
    assert_eq!(
        fix(&trust, ClientFamily::Node),
        "Connect with a name the certificate holds (chroma.other.test), or give the server a certificate for \
         localhost."
    );
}

#[test]
fn verification_off_pins_and_ca_mode() {
    let root = Ca::root("Private Root");
    let leaf = root.leaf(&Leaf::default());
    let stores = stores(&[], &[], Some(&[&root.der]));
    let chain = [leaf.clone()];

    let off = clients_trust(&settings(Verify::Off), &chain, now(), &stores);
    let profile = family(&off, ClientFamily::ChromaConnect);
    assert!(profile.accepted && profile.reason == TrustReason::VerificationOff, "{profile:#?}");
    assert!(profile.fix.as_deref().unwrap().starts_with("Turn Verification on"));

    let mut pinned = settings(Verify::System);
    pinned.pinned_sha256 = Some(sha256_fingerprint(&leaf).to_lowercase().replace(':', ""));
    let by_pin = clients_trust(&pinned, &chain, now(), &stores);
    let profile = family(&by_pin, ClientFamily::ChromaConnect);
    assert!(profile.accepted && profile.reason == TrustReason::Pinned, "{profile:#?}");
    assert!(profile.reason_text.contains("Without the pin: Issued by \"Private Root\""), "{}", profile.reason_text);
    assert!(profile.store_text.ends_with(", and the pinned certificate"));

    pinned.pinned_sha256 = Some(sha256_fingerprint(b"another certificate"));
    let other = clients_trust(&pinned, &chain, now(), &stores);
    let profile = family(&other, ClientFamily::ChromaConnect);
    assert!(!profile.accepted && profile.reason == TrustReason::PinMismatch, "{profile:#?}");

    // Only the CA file, while the OS store holds the CA: merge is the fix.
    let os_stores = crate::tls::trust_eval::test_pki::stores(&[&root.der], &[], Some(&[]));
    let mut only = settings(ca_file());
    only.ca_mode = CaMode::Only;
    let trust = clients_trust(&only, &chain, now(), &os_stores);
    assert_eq!(fix(&trust, ClientFamily::ChromaConnect), "Set CA mode to merge: the OS store trusts this CA.");
    only.ca_mode = CaMode::Merge;
    let trust = clients_trust(&only, &chain, now(), &os_stores);
    assert!(family(&trust, ClientFamily::ChromaConnect).plainly_accepted());
    assert_eq!(
        family(&trust, ClientFamily::ChromaConnect).store_text,
        format!("the CA file {CA_PATH} and the system store")
    );
}

#[test]
fn a_self_signed_ca_certificate_as_the_leaf() {
    let leaf = self_signed(&Leaf { ca: true, ..Leaf::default() });
    // In the OS store: OpenSSL-based clients accept it, rustls and browsers do not.
    let stores = stores(&[&leaf], &[], Some(&[&leaf]));
    let trust = clients_trust(&settings(ca_file()), &[leaf], now(), &stores);
    let curl = family(&trust, ClientFamily::Curl);
    assert!(curl.plainly_accepted(), "{curl:#?}");
    assert!(curl.reason_text.contains("OpenSSL accepts it"), "{}", curl.reason_text);
    for refused in [ClientFamily::Browser, ClientFamily::ChromaConnect] {
        let client = family(&trust, refused);
        assert_eq!(client.reason, TrustReason::CaAsLeaf, "{client:#?}");
        assert!(client.fix.as_deref().unwrap().contains("CA:FALSE"));
    }
    // Not in Mozilla's list: for Python it is an untrusted self-signed certificate.
    let python = family(&trust, ClientFamily::Python);
    assert_eq!(python.reason, TrustReason::SelfSigned, "{python:#?}");
    let python_fix = python.fix.as_deref().unwrap();
    assert!(python_fix.contains(&format!("Settings(chroma_server_ssl_verify=\"{CA_PATH}\")")), "{python_fix}");
}

#[test]
fn the_json_field_names_are_stable() {
    let root = Ca::root("Private Root");
    let leaf = root.leaf(&Leaf::default());
    let stores = stores(&[], &[], Some(&[&root.der]));
    let trust = clients_trust(&settings(ca_file()), &[leaf], now(), &stores);
    let json = serde_json::to_value(&trust).unwrap();
    let curl = &json[0];
    let mut keys: Vec<&str> = curl.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accepted", "client", "family", "fix", "reason", "reason_text", "store", "store_text"]);
    assert_eq!(curl["family"], "curl");
    assert_eq!(curl["store"], "os");
    assert_eq!(curl["accepted"], false);
    assert_eq!(curl["reason"], "unknown_issuer");
    assert_eq!(json[1]["family"], "python");
    assert_eq!(json[1]["store"], "mozilla");
    assert_eq!(json[4]["family"], "chroma_connect");
    assert_eq!(json[4]["store"], "profile");
    assert_eq!(json[4]["reason"], "ok");
    assert_eq!(json[4]["fix"], serde_json::Value::Null);
    for family in ClientFamily::ALL {
        assert_eq!(serde_json::to_value(family).unwrap(), family.as_str());
    }
    for reason in [TrustReason::Ok, TrustReason::AiaFetch, TrustReason::IncompleteChain, TrustReason::PinMismatch] {
        assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
    }
}
