//! Secrets in a real Secret Service (gnome-keyring on the private D-Bus session that `./scripts/test.sh`
//! starts), and the fallback file when there is no keychain at all.

use std::os::unix::fs::PermissionsExt as _;

use keyring_core::Entry;

use crate::profiles::{Home, NO_BUS, run_with_stdin};
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

/// Set by `./scripts/test.sh`, which runs the tests inside `dbus-run-session` with gnome-keyring unlocked.
const KEYCHAIN_ENV: &str = "CHROMA_CONNECT_TEST_KEYCHAIN";

/// Panics unless the tests run where a Secret Service is: a keychain test must not pass by falling back.
fn require_secret_service() {
    assert!(
        std::env::var_os(KEYCHAIN_ENV).is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "{KEYCHAIN_ENV} or DBUS_SESSION_BUS_ADDRESS is not set: run the tests with ./scripts/test.sh, which starts \
         gnome-keyring in a private D-Bus session"
    );
}

/// The item a profile's secret is saved as, read straight from the Secret Service (not through the app).
fn keychain_item(home: &Home, profile: &str) -> Option<String> {
    let store = zbus_secret_service_keyring_store::Store::new().expect("the Secret Service answers");
    let service = format!("chroma-connect@{}", home.path().display());
    let entry = Entry::new_in_store(&(store as std::sync::Arc<keyring_core::CredentialStore>), &service, profile)
        .expect("entry");
    match entry.get_password() {
        Ok(value) => Some(value),
        Err(keyring_core::Error::NoEntry) => None,
        Err(err) => panic!("reading the Secret Service: {err}"),
    }
}

/// The binary with the test's D-Bus session (and so the Secret Service).
fn with_keychain(home: &Home, args: &[&str]) -> std::process::Command {
    let mut command = home.command(args);
    match std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        Some(address) => command.env("DBUS_SESSION_BUS_ADDRESS", address),
        None => command.env_remove("DBUS_SESSION_BUS_ADDRESS"),
    };
    command
}

#[test]
fn secrets_live_in_the_secret_service() {
    require_secret_service();
    let token = "tok-KEYCHAIN-0ff1ce";
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let ca = ca.to_str().expect("utf-8");
    let home = Home::new();
    let strict = |args: &[&str]| {
        let mut command = with_keychain(&home, args);
        command.env("CHROMA_CONNECT_SECRET_STORE", "keychain");
        command
    };

    // Strict mode (no fallback possible): the token goes to the Secret Service, and the output says so.
    let added =
        run_with_stdin(strict(&["profiles", "add", "kc", &proxy.https_url(), "--ca-file", ca, "--token-stdin"]), token)
            .ok();
    assert!(added.stdout.contains("Token stored in the Secret Service keychain"), "{}", added.all());
    assert_eq!(keychain_item(&home, "kc").as_deref(), Some(token), "the item is in the Secret Service");
    assert!(!home.secrets_file().exists(), "no fallback file when the keychain works");
    let shown = run_with_stdin(strict(&["profiles", "show", "kc", "--json"]), "").ok().json();
    assert_eq!(shown["secret"]["kind"], "keychain");

    // The check reads it from there.
    let check = run_with_stdin(strict(&["check", "--profile", "kc", "--json"]), "").ok();
    assert_eq!(check.json()["diagnosis"]["code"], "ok");

    // Renaming moves it; removing deletes it.
    run_with_stdin(strict(&["profiles", "edit", "kc", "--rename", "kc2"]), "").ok();
    assert_eq!(keychain_item(&home, "kc"), None);
    assert_eq!(keychain_item(&home, "kc2").as_deref(), Some(token));
    run_with_stdin(strict(&["profiles", "remove", "kc2"]), "").ok();
    assert_eq!(keychain_item(&home, "kc2"), None);

    // The default (auto) mode picks the keychain too when there is one.
    let auto = run_with_stdin(
        with_keychain(&home, &["profiles", "add", "auto", "localhost:8000", "--token-stdin"]),
        "tok-KEYCHAIN-auto",
    )
    .ok();
    assert!(auto.stdout.contains("Secret Service keychain"), "{}", auto.all());
    assert_eq!(keychain_item(&home, "auto").as_deref(), Some("tok-KEYCHAIN-auto"));
    assert!(!home.secrets_file().exists());
    assert!(!home.read(&home.profiles_file()).contains("tok-KEYCHAIN"), "never in the profile file");

    // A secret saved while there was no keychain is still found, and moves to the keychain when saved again.
    let fallback = run_with_stdin(
        home.command(&["profiles", "add", "was-offline", "localhost:8000", "--token-stdin"]),
        "tok-KEYCHAIN-offline",
    )
    .ok();
    assert!(fallback.stdout.contains("because no keychain is available"), "{}", fallback.all());
    let shown = run_with_stdin(with_keychain(&home, &["profiles", "show", "was-offline"]), "").ok();
    assert!(shown.stdout.contains("saved when no keychain was available"), "{}", shown.stdout);
    run_with_stdin(with_keychain(&home, &["profiles", "edit", "was-offline", "--token-stdin"]), "tok-KEYCHAIN-offline")
        .ok();
    assert_eq!(keychain_item(&home, "was-offline").as_deref(), Some("tok-KEYCHAIN-offline"));
    assert!(!home.read(&home.secrets_file()).contains("tok-KEYCHAIN-offline"), "the file copy is gone");
    run_with_stdin(with_keychain(&home, &["profiles", "remove", "auto"]), "").ok();
    run_with_stdin(with_keychain(&home, &["profiles", "remove", "was-offline"]), "").ok();
}

#[test]
fn without_a_keychain_secrets_go_to_a_file_only_the_user_can_read() {
    let token = "tok-FALLBACK-5eed";
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let ca = ca.to_str().expect("utf-8");
    let home = Home::new();
    // `Home::command` points DBUS_SESSION_BUS_ADDRESS at a socket that does not exist.
    let added =
        home.run_stdin(&["profiles", "add", "fb", &proxy.https_url(), "--ca-file", ca, "--token-stdin"], token).ok();
    let secrets = home.secrets_file();
    let expected = format!(
        "Token stored in {} (readable only by you, 0600) because no keychain is available: the Secret Service cannot \
         be reached",
        secrets.display()
    );
    assert!(added.stdout.contains(&expected), "{}", added.stdout);
    assert!(
        added.stdout.contains(NO_BUS.trim_start_matches("unix:path=")),
        "the reason names the bus: {}",
        added.stdout
    );
    let mode = std::fs::metadata(&secrets).expect("secrets file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(home.read(&secrets).contains(token));
    assert!(!home.read(&home.profiles_file()).contains(token));
    let shown = home.run(&["profiles", "show", "fb"]).ok();
    assert!(shown.stdout.contains("because no keychain is available"), "{}", shown.stdout);
    let check = home.run(&["check", "--profile", "fb", "--json"]).ok();
    assert_eq!(check.json()["diagnosis"]["code"], "ok");

    // A secrets file others can read is refused, like ssh does, until it is fixed.
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = home.run(&["check", "--profile", "fb", "--json"]).code(2);
    assert!(refused.stdout.contains("readable by other users (mode 644)"), "{}", refused.stdout);
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    // When the keychain is required, there is no silent fallback.
    let strict = home
        .run_env(
            &["profiles", "edit", "fb", "--token", "tok-FALLBACK-x"],
            &[("CHROMA_CONNECT_SECRET_STORE", "keychain")],
        )
        .code(1);
    assert!(
        strict.stderr.contains("CHROMA_CONNECT_SECRET_STORE=keychain, but no keychain is available"),
        "{}",
        strict.stderr
    );
    assert!(!home.read(&secrets).contains("tok-FALLBACK-x"));
    // And the file can be chosen on purpose.
    let chosen = home.run_env(&["profiles", "show", "fb"], &[("CHROMA_CONNECT_SECRET_STORE", "file")]).ok();
    assert!(chosen.stdout.contains("CHROMA_CONNECT_SECRET_STORE=file"), "{}", chosen.stdout);
}
