//! Chains made with rcgen, judged against stores holding the test's own roots.

use super::test_pki::{Ca, Leaf, now, self_signed, stores};
use super::*;

const AIA_URL: &str = "http://ca.test/intermediate.crt";

fn chain(certs: &[&CertificateDer<'static>]) -> Vec<CertificateDer<'static>> {
    certs.iter().map(|c| (*c).clone()).collect()
}

#[test]
fn a_private_ca_is_trusted_only_by_the_ca_file_that_holds_it() {
    let root = Ca::root("Private Root");
    let public = Ca::root("Public Root");
    let leaf = root.leaf(&Leaf::default());
    let stores = stores(&[&public.der], &[&public.der], Some(&[&root.der]));
    let sent = chain(&[&leaf]);

    let by_file = stores.verify(&sent, "localhost", now(), &[StoreId::CaFile]);
    assert_eq!(by_file, Verdict { problems: vec![], root: Some("Private Root".to_owned()) });
    let merged = stores.verify(&sent, "localhost", now(), &[StoreId::CaFile, StoreId::Os]);
    assert!(merged.accepted(), "{merged:?}");

    for store in [StoreId::Os, StoreId::Mozilla] {
        let verdict = stores.verify(&sent, "localhost", now(), &[store]);
        assert_eq!(
            verdict.problems,
            vec![TrustProblem::UnknownIssuer {
                issuer: "Private Root".to_owned(),
                issuer_sent: false,
                held_by: vec![StoreId::CaFile]
            }],
            "{store:?}"
        );
        assert_eq!(verdict.root, None);
    }
}

#[test]
fn a_missing_intermediate_is_an_incomplete_chain_and_sending_it_completes_the_chain() {
    let root = Ca::root("Root R");
    let intermediate = root.intermediate("Intermediate I");
    let leaf = intermediate.leaf(&Leaf { aia: Some(AIA_URL.to_owned()), ..Leaf::default() });
    let stores = stores(&[&root.der], &[&root.der], None);

    let verdict = stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]);
    assert_eq!(
        verdict.problems,
        vec![TrustProblem::IncompleteChain { issuer: "Intermediate I".to_owned(), ca_issuers_url: AIA_URL.to_owned() }]
    );
    assert!(TrustProblem::IncompleteChain { issuer: String::new(), ca_issuers_url: String::new() }.is_server_side());

    let full = stores.verify(&chain(&[&leaf, &intermediate.der]), "localhost", now(), &[StoreId::Mozilla]);
    assert_eq!(full, Verdict { problems: vec![], root: Some("Root R".to_owned()) });
}

#[test]
fn without_an_aia_url_a_missing_issuer_is_an_unknown_issuer_that_may_be_an_intermediate() {
    let root = Ca::root("Root R");
    let intermediate = root.intermediate("Intermediate I");
    let leaf = intermediate.leaf(&Leaf::default());
    let stores = stores(&[&root.der], &[], None);
    let verdict = stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]);
    assert_eq!(
        verdict.problems,
        vec![TrustProblem::UnknownIssuer { issuer: "Intermediate I".to_owned(), issuer_sent: false, held_by: vec![] }]
    );
}

#[test]
fn a_publicly_trusted_chain_passes_mozilla_and_fails_an_os_store_without_that_root() {
    let public = Ca::root("Public Root");
    let intermediate = public.intermediate("Public Issuing CA");
    let leaf = intermediate.leaf(&Leaf { names: vec!["chroma.example.com".to_owned()], ..Leaf::default() });
    let other = Ca::root("Other Root");
    let stores = stores(&[&other.der], &[&public.der], None);
    let sent = chain(&[&leaf, &intermediate.der]);

    let mozilla = stores.verify(&sent, "chroma.example.com", now(), &[StoreId::Mozilla]);
    assert_eq!(mozilla, Verdict { problems: vec![], root: Some("Public Root".to_owned()) });
    let os = stores.verify(&sent, "chroma.example.com", now(), &[StoreId::Os]);
    assert_eq!(
        os.problems,
        vec![TrustProblem::UnknownIssuer {
            issuer: "Public Root".to_owned(),
            issuer_sent: false,
            held_by: vec![StoreId::Mozilla]
        }],
        "the walk goes through the intermediate that was sent to its issuer, which only Mozilla's list holds"
    );
}

#[test]
fn the_unknown_issuer_names_the_root_the_mozilla_list_holds() {
    let public = Ca::root("Public Root");
    let leaf = public.leaf(&Leaf::default());
    let stores = stores(&[], &[&public.der], None);
    let os = stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]);
    assert_eq!(
        os.problems,
        vec![TrustProblem::UnknownIssuer {
            issuer: "Public Root".to_owned(),
            issuer_sent: false,
            held_by: vec![StoreId::Mozilla]
        }]
    );
}

#[test]
fn a_root_sent_at_the_end_of_the_chain_that_no_store_holds() {
    let root = Ca::root("Sent Root");
    let intermediate = root.intermediate("Sent Intermediate");
    let leaf = intermediate.leaf(&Leaf::default());
    let stores = stores(&[], &[], Some(&[&root.der]));
    let sent = chain(&[&leaf, &intermediate.der, &root.der]);
    let os = stores.verify(&sent, "localhost", now(), &[StoreId::Os]);
    assert_eq!(
        os.problems,
        vec![TrustProblem::UnknownIssuer {
            issuer: "Sent Root".to_owned(),
            issuer_sent: true,
            held_by: vec![StoreId::CaFile]
        }]
    );
    assert!(stores.verify(&sent, "localhost", now(), &[StoreId::CaFile]).accepted());
}

#[test]
fn an_expired_leaf_is_reported_and_its_trust_is_still_judged() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf { from_days: -60, to_days: -1, ..Leaf::default() });
    let stores = stores(&[], &[], Some(&[&root.der]));
    let sent = chain(&[&leaf]);

    let trusted = stores.verify(&sent, "localhost", now(), &[StoreId::CaFile]);
    assert!(matches!(trusted.problems.as_slice(), [TrustProblem::Expired { leaf: true, .. }]), "{trusted:?}");
    assert_eq!(trusted.root, Some("Root R".to_owned()), "once renewed, the CA file would trust it");
    let TrustProblem::Expired { subject, not_after, .. } = &trusted.problems[0] else { unreachable!() };
    assert_eq!(subject, "localhost");
    assert!(not_after.ends_with('Z'), "{not_after}");

    let untrusted = stores.verify(&sent, "localhost", now(), &[StoreId::Os]);
    assert!(
        matches!(
            untrusted.problems.as_slice(),
            [TrustProblem::Expired { .. }, TrustProblem::UnknownIssuer { held_by, .. }] if held_by == &[StoreId::CaFile]
        ),
        "{untrusted:?}"
    );
}

#[test]
fn an_expired_intermediate_is_named() {
    let root = Ca::root("Root R");
    let intermediate = root.intermediate_valid("Old Intermediate", -400, -2);
    let leaf = intermediate.leaf(&Leaf::default());
    let stores = stores(&[&root.der], &[], None);
    let verdict = stores.verify(&chain(&[&leaf, &intermediate.der]), "localhost", now(), &[StoreId::Os]);
    assert!(
        matches!(
            verdict.problems.as_slice(),
            [TrustProblem::Expired { subject, leaf: false, .. }] if subject == "Old Intermediate"
        ),
        "{verdict:?}"
    );
}

#[test]
fn a_leaf_not_valid_yet() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf { from_days: 10, to_days: 40, ..Leaf::default() });
    let stores = stores(&[&root.der], &[], None);
    let verdict = stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]);
    assert!(matches!(verdict.problems.as_slice(), [TrustProblem::NotYetValid { leaf: true, .. }]), "{verdict:?}");
}

#[test]
fn a_wrong_name_is_a_name_mismatch_listing_the_names_held() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf { names: vec!["chroma.other.test".to_owned()], ..Leaf::default() });
    let stores = stores(&[&root.der], &[], None);
    let verdict = stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]);
    assert_eq!(
        verdict.problems,
        vec![TrustProblem::NameMismatch {
            name: "localhost".to_owned(),
            presented: vec!["chroma.other.test".to_owned()]
        }]
    );
    assert_eq!(verdict.root, Some("Root R".to_owned()), "the chain itself is trusted");
    // An IP address is matched against IP address names.
    let by_ip = stores.verify(&chain(&[&root.leaf(&Leaf::default())]), "127.0.0.1", now(), &[StoreId::Os]);
    assert!(by_ip.accepted(), "{by_ip:?}");
    let other_ip = stores.verify(&chain(&[&root.leaf(&Leaf::default())]), "10.0.0.1", now(), &[StoreId::Os]);
    assert!(matches!(other_ip.problems.as_slice(), [TrustProblem::NameMismatch { .. }]), "{other_ip:?}");
}

#[test]
fn a_self_signed_leaf_is_trusted_only_where_it_is_held() {
    let leaf = self_signed(&Leaf::default());
    let stores = stores(&[], &[], Some(&[&leaf]));
    let sent = chain(&[&leaf]);
    assert!(stores.verify(&sent, "localhost", now(), &[StoreId::CaFile]).accepted());
    assert_eq!(
        stores.verify(&sent, "localhost", now(), &[StoreId::Os]).problems,
        vec![TrustProblem::SelfSigned { subject: "localhost".to_owned(), held_by: vec![StoreId::CaFile] }]
    );
}

#[test]
fn a_ca_certificate_as_the_leaf() {
    let leaf = self_signed(&Leaf { ca: true, ..Leaf::default() });
    let stores = stores(&[], &[], Some(&[&leaf]));
    let sent = chain(&[&leaf]);
    assert_eq!(
        stores.verify(&sent, "localhost", now(), &[StoreId::CaFile]).problems,
        vec![TrustProblem::CaAsLeaf { self_signed: true, trusted_as_is: true, held_by: vec![] }]
    );
    assert_eq!(
        stores.verify(&sent, "localhost", now(), &[StoreId::Os]).problems,
        vec![TrustProblem::CaAsLeaf { self_signed: true, trusted_as_is: false, held_by: vec![StoreId::CaFile] }]
    );
}

#[test]
fn an_empty_store_says_so_and_garbage_is_invalid() {
    let root = Ca::root("Root R");
    let leaf = root.leaf(&Leaf::default());
    let mut stores = stores(&[], &[&root.der], None);
    stores.os = RootStore::default().with_problem("no CA bundle");
    assert_eq!(
        stores.verify(&chain(&[&leaf]), "localhost", now(), &[StoreId::Os]).problems,
        vec![TrustProblem::NoRoots { detail: "no CA bundle".to_owned() }]
    );
    assert!(matches!(
        stores.verify(&[], "localhost", now(), &[StoreId::Mozilla]).problems.as_slice(),
        [TrustProblem::Invalid { .. }]
    ));
    let garbage = CertificateDer::from(vec![0x30, 0x03, 0x01, 0x01, 0xff]);
    assert!(matches!(
        stores.verify(&[garbage], "localhost", now(), &[StoreId::Mozilla]).problems.as_slice(),
        [TrustProblem::Invalid { .. }]
    ));
    assert!(matches!(
        stores.verify(&chain(&[&leaf]), "not a name!", now(), &[StoreId::Mozilla]).problems.as_slice(),
        [TrustProblem::Invalid { .. }]
    ));
}

#[test]
fn the_real_stores_load() {
    let mozilla = RootStore::mozilla();
    assert!(mozilla.len() > 100, "Mozilla's list has {} roots", mozilla.len());
    let started = std::time::Instant::now();
    let os = RootStore::os();
    let first = started.elapsed();
    let started = std::time::Instant::now();
    let again = RootStore::os();
    assert!(started.elapsed() < first.max(std::time::Duration::from_millis(5)), "read once per process");
    assert_eq!(os.len(), again.len());
    assert!(!os.is_empty() || os.problem().is_some(), "an empty OS store says why");

    let loaded = TrustStores::load(Some(Path::new("/nonexistent/ca.pem")));
    assert!(matches!(loaded, Err(TlsConfigError::CaFileMissing { .. })), "{loaded:?}");
    let none = TrustStores::load(None).unwrap();
    assert!(none.ca_file.is_none());
    assert!(none.store(StoreId::CaFile).is_none());
}
