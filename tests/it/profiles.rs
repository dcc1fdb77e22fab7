//! Profiles as a user keeps them: `chroma-connect profiles ...` and `--profile NAME`, on a real file store in a
//! temporary `CHROMA_CONNECT_HOME`, with the real binary. The keychain is in `profiles_keychain.rs`, the kill -9
//! loop in `profiles_crash.rs`.
//!
//! Unless a test says otherwise the binary runs with `DBUS_SESSION_BUS_ADDRESS` pointing nowhere: no keychain,
//! so secrets go to the fallback file (which is what a headless CI machine gets).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chroma_connect::profile::{
    AppPaths, Endpoint, Profile, ProfileAuth, ProfileStore, Scheme, SecretSource, SecretStore, SecretStoreMode,
    StoreError, TokenHeader, UpdateOptions, Verify, export_profiles, parse_import,
};
use chroma_connect::tls::CaMode;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

/// A D-Bus address where nothing listens: the binary finds no keychain.
pub const NO_BUS: &str = "unix:path=/nonexistent/chroma-connect-tests/bus";

/// A temporary app home and the binary run against it.
pub struct Home {
    dir: tempfile::TempDir,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: &Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit 0 and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, Some(0), "expected success:\n{}{}", self.stdout, self.stderr);
        self
    }

    /// Asserts the exit code and returns self.
    #[track_caller]
    pub fn code(self, code: i32) -> Self {
        assert_eq!(self.code, Some(code), "expected exit {code}:\n{}{}", self.stdout, self.stderr);
        self
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", self.stdout, self.stderr))
    }
}

impl Home {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn paths(&self) -> AppPaths {
        AppPaths::in_dir(self.path())
    }

    pub fn profiles_file(&self) -> PathBuf {
        self.path().join("profiles.toml")
    }

    pub fn secrets_file(&self) -> PathBuf {
        self.path().join("secrets.toml")
    }

    /// The binary with this home (also its current folder), no keychain, no logging, none of Chroma's variables.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(crate::cli_binary());
        command
            .args(args)
            .current_dir(self.path())
            .env("CHROMA_CONNECT_HOME", self.path())
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .env_remove("CHROMA_CONNECT_SECRET_STORE")
            .env_remove("CHROMA_CONNECT_LOG");
        for var in ["CHROMA_HOST", "CHROMA_PORT", "CHROMA_SSL", "CHROMA_API_KEY", "CHROMA_TENANT", "CHROMA_DATABASE"] {
            command.env_remove(var);
        }
        command.stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(&self.command(args).output().expect("run chroma-connect"))
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        Run::from(&command.output().expect("run chroma-connect"))
    }

    /// Runs with `input` on standard input (a token for `--token-stdin`).
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        run_with_stdin(self.command(args), input)
    }

    pub fn store(&self) -> ProfileStore {
        ProfileStore::open(&self.paths()).expect("open store")
    }

    #[expect(clippy::unused_self, reason = "reads as `home.read(path)` beside the other helpers")]
    pub fn read(&self, path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

pub fn run_with_stdin(mut command: Command, input: &str) -> Run {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn chroma-connect");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    Run::from(&child.wait_with_output().expect("wait"))
}

/// The SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` writes it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// A check report without timings (which differ between two runs).
fn without_timings(mut report: Value) -> Value {
    if let Some(steps) = report["steps"].as_array_mut() {
        for step in steps {
            step["ms"] = Value::Null;
        }
    }
    report
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn every_field_round_trips_through_the_store_and_an_export() {
    let home = Home::new();
    let mut profile = Profile::new(
        "Customer A (on-prem) — prod",
        Endpoint {
            scheme: Scheme::Https,
            host: "chroma.customer-a.example".into(),
            port: 8443,
            base_path: "/chroma".into(),
        },
    );
    profile.connection.verify = Verify::CaFile("/etc/corp/certs/corp-ca.pem".into());
    profile.connection.ca_mode = CaMode::Merge;
    profile.connection.client_cert = Some("/etc/corp/certs/client.pem".into());
    profile.connection.client_key = Some("/abs/client-key.pem".into());
    profile.connection.server_name = Some("chroma.internal".into());
    profile.connection.auth =
        ProfileAuth::Basic { user: "svc-reader".into(), source: SecretSource::Env("CUSTOMER_A_PW".into()) };
    profile.connection.tenant = "tenant-a".into();
    profile.connection.database = "db-a".into();
    profile.connection.connect_timeout = std::time::Duration::from_millis(2500);
    profile.connection.request_timeout = std::time::Duration::from_secs(45);
    profile.connection.pinned_sha256 = Some(fingerprint(b"a certificate"));
    profile.notes = "Behind the corporate CA.\nCall Bob before restarting \"prod\".".into();
    profile.read_only = true;
    let mut token_profile = Profile::new(
        "cloud",
        Endpoint { scheme: Scheme::Https, host: "api.trychroma.com".into(), port: 443, base_path: String::new() },
    );
    token_profile.connection.auth =
        ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored };
    token_profile.connection.verify = Verify::Off;

    let secrets = SecretStore::with_mode(&home.paths(), SecretStoreMode::File);
    let mut store = home.store();
    store.add(profile.clone(), None, &secrets).expect("add");
    store.add(token_profile.clone(), None, &secrets).expect("add");
    let reopened = home.store();
    assert_eq!(reopened.get(&profile.name), Some(&profile), "{}", home.read(&home.profiles_file()));
    assert_eq!(reopened.get("cloud"), Some(&token_profile));

    let exported = export_profiles(&[&profile, &token_profile]).expect("export");
    assert!(exported.contains("\"/etc/corp/certs/corp-ca.pem\""), "paths are exported as saved:\n{exported}");
    // Sorted by name, ignoring case.
    assert_eq!(parse_import(&exported).expect("import"), vec![token_profile, profile.clone()]);

    // The CLI shows the same fields.
    let shown = home.run(&["profiles", "show", &profile.name, "--json"]).ok().json();
    for (key, want) in [
        ("url", "https://chroma.customer-a.example:8443/chroma"),
        ("verify", "/etc/corp/certs/corp-ca.pem"),
        ("ca_mode", "merge"),
        ("client_cert", "/etc/corp/certs/client.pem"),
        ("client_key", "/abs/client-key.pem"),
        ("server_name", "chroma.internal"),
        ("auth", "basic"),
        ("basic_user", "svc-reader"),
        ("password_env", "CUSTOMER_A_PW"),
        ("tenant", "tenant-a"),
        ("database", "db-a"),
    ] {
        assert_eq!(shown[key], want, "{key} in {shown}");
    }
    assert_eq!(shown["timeout_secs"], 45.0);
    assert_eq!(shown["connect_timeout_secs"], 2.5);
    assert_eq!(shown["read_only"], true);
    assert_eq!(shown["secret"]["kind"], "error", "CUSTOMER_A_PW is not set: {shown}");
}

#[test]
fn the_cli_sets_every_field() {
    let home = Home::new();
    let pin = fingerprint(b"x");
    home.run_stdin(
        &[
            "profiles",
            "add",
            "full",
            "https://h.example:9443/base",
            "--ca-file",
            "ca.pem",
            "--ca-mode",
            "merge",
            "--server-name",
            "chroma.internal",
            "--pin",
            &pin.replace(':', "").to_lowercase(),
            "--client-cert",
            "c.pem",
            "--client-key",
            "k.pem",
            "--token-stdin",
            "--auth-header",
            "x-chroma-token",
            "--tenant",
            "t",
            "--database",
            "d",
            "--timeout",
            "12.5",
            "--connect-timeout",
            "3",
            "--notes",
            "n",
            "--read-only",
        ],
        "tok-cli-fields-0001\n",
    )
    .ok();
    let shown = home.run(&["profiles", "show", "full", "--json"]).ok().json();
    // Relative paths are saved absolute, from the folder the command ran in.
    let at_home = |file: &str| home.path().join(file).to_str().expect("utf-8").to_owned();
    let want = serde_json::json!({
        "name": "full", "url": "https://h.example:9443/base", "verify": at_home("ca.pem"), "ca_mode": "merge",
        "client_cert": at_home("c.pem"), "client_key": at_home("k.pem"), "server_name": "chroma.internal",
        "auth": "token",
        "auth_header": "x-chroma-token", "tenant": "t", "database": "d", "timeout_secs": 12.5,
        "connect_timeout_secs": 3.0, "pinned_sha256": pin, "notes": "n", "read_only": true,
    });
    for (key, value) in want.as_object().expect("object") {
        assert_eq!(&shown[key], value, "{key} in {shown}");
    }
    assert_eq!(shown["secret"]["kind"], "file");

    // Edit changes only what is given, and can clear things again.
    home.run(&[
        "profiles",
        "edit",
        "full",
        "--verify-system",
        "--no-server-name",
        "--unpin",
        "--no-client-cert",
        "--no-auth",
        "--no-read-only",
        "--database",
        "d2",
    ])
    .ok();
    let shown = home.run(&["profiles", "show", "full", "--json"]).ok().json();
    assert_eq!(shown["verify"], true);
    assert_eq!(shown["auth"], "none");
    assert_eq!(shown["database"], "d2");
    assert_eq!(shown["tenant"], "t");
    assert_eq!(shown["read_only"], false);
    for key in ["server_name", "pinned_sha256", "client_cert", "ca_mode"] {
        assert!(shown[key].is_null(), "{key} in {shown}");
    }
    assert!(!home.read(&home.secrets_file()).contains("tok-cli-fields-0001"), "--no-auth deletes the saved token");
}

#[test]
fn pasted_urls_fill_scheme_host_and_port() {
    let home = Home::new();
    let url_of = |name: &str| home.run(&["profiles", "show", name, "--json"]).ok().json()["url"].clone();
    for (name, pasted, want) in [
        ("a", "https://h.example:8443", "https://h.example:8443"),
        ("b", "https://h.example", "https://h.example:443"),
        ("c", "http://h.example", "http://h.example:80"),
        ("d", "localhost:8000", "http://localhost:8000"),
        ("e", " https://[::1]:8443/chroma/ ", "https://[::1]:8443/chroma"),
    ] {
        home.run(&["profiles", "add", name, pasted]).ok();
        assert_eq!(url_of(name), want, "{pasted}");
    }
    let refused = home.run(&["profiles", "add", "f", "localhost"]).code(2);
    assert!(refused.stderr.contains("has no scheme and no port"), "{}", refused.stderr);

    // A URL pasted into --host is split, not glued into host:port:port.
    home.run(&["profiles", "edit", "d", "--host", "https://other.example:9443"]).ok();
    assert_eq!(url_of("d"), "https://other.example:9443");
    home.run(&["profiles", "edit", "d", "--host", "third.example"]).ok();
    assert_eq!(url_of("d"), "https://third.example:9443", "a bare host keeps scheme and port");
    home.run(&["profiles", "edit", "d", "--port", "8443"]).ok();
    assert_eq!(url_of("d"), "https://third.example:8443");
    let contradiction = home.run(&["profiles", "edit", "d", "--host", "https://x.example:1", "--port", "2"]).code(2);
    assert!(contradiction.stderr.contains("port is 2, but the host's URL says port 1"), "{}", contradiction.stderr);

    // The same in a hand-written file: host holding a URL, with a port that agrees.
    std::fs::write(
        home.profiles_file(),
        "schema_version = 1\n[profiles.hand]\nhost = \"https://hand.example:8443\"\nport = 8443\n\
         [profiles.plain]\nhost = \"plain.example\"\nport = 8000\n[profiles.tls]\nhost = \"tls.example\"\nssl = true\n",
    )
    .expect("write");
    assert_eq!(url_of("hand"), "https://hand.example:8443");
    assert_eq!(url_of("plain"), "http://plain.example:8000");
    assert_eq!(url_of("tls"), "https://tls.example:443");
}

#[test]
fn a_corrupt_file_is_kept_aside_and_the_app_still_starts() {
    let home = Home::new();
    let garbage = b"schema_version = 1\n[profiles.prod\nurl = \"tok-CORRUPT-77aa\"\n\xff\n";
    std::fs::write(home.profiles_file(), garbage).expect("write");
    let listed = home.run(&["profiles", "list"]).ok();
    assert!(listed.stdout.contains("No profiles yet"), "{}", listed.all());
    assert!(listed.stderr.contains("could not be read"), "{}", listed.stderr);
    assert!(!listed.all().contains("tok-CORRUPT-77aa"), "the file's text is not echoed: {}", listed.all());
    let kept: Vec<PathBuf> = std::fs::read_dir(home.path())
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("profiles.toml.corrupt-")))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).expect("kept"), garbage, "kept byte for byte");
    assert!(listed.stderr.contains(s(&kept[0])), "the user is told where: {}", listed.stderr);

    home.run(&["profiles", "add", "fresh", "localhost:8000"]).ok();
    assert_eq!(home.store().profiles().len(), 1);

    // One unreadable entry is not the whole file: it is listed, kept as written, and survives other changes.
    let text = home.read(&home.profiles_file()) + "\n[profiles.typo]\nurl = \"https://h:1\"\ntenent = \"x\"\n";
    std::fs::write(home.profiles_file(), text).expect("write");
    let listed = home.run(&["profiles", "list"]).ok();
    assert!(listed.stdout.contains("typo  cannot be read"), "{}", listed.stdout);
    assert!(listed.stdout.contains("tenent"), "the field is named: {}", listed.stdout);
    home.run(&["profiles", "edit", "fresh", "--notes", "still here"]).ok();
    assert!(home.read(&home.profiles_file()).contains("tenent = \"x\""), "{}", home.read(&home.profiles_file()));
    home.run(&["profiles", "show", "typo"]).code(2);
    home.run(&["profiles", "remove", "typo"]).ok();
    assert!(!home.read(&home.profiles_file()).contains("tenent"));
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_never_overwritten() {
    let home = Home::new();
    let future = "schema_version = 2\n\n[profiles.a]\nurl = \"http://127.0.0.1:1\"\nshiny_new_setting = true\n";
    std::fs::write(home.profiles_file(), future).expect("write");
    for args in [
        &["profiles", "list"][..],
        &["profiles", "add", "b", "http://127.0.0.1:2"],
        &["profiles", "edit", "a", "--notes", "x"],
        &["profiles", "remove", "a"],
        &["profiles", "import", "--from-env"],
    ] {
        let run = home.run_env(args, &[("CHROMA_HOST", "http://127.0.0.1:3")]).code(2);
        assert!(run.stderr.contains("newer Chroma Connect (schema_version 2"), "{args:?}: {}", run.stderr);
    }
    let check = home.run(&["check", "--profile", "a", "--json"]).code(2);
    assert_eq!(check.json()["diagnosis"]["code"], "config.invalid");
    assert!(check.json()["diagnosis"]["summary"].as_str().unwrap_or("").contains("newer Chroma Connect"));
    assert_eq!(home.read(&home.profiles_file()), future, "the file is untouched");
    assert_eq!(
        std::fs::read_dir(home.path())
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name() != "profiles.toml" && e.file_name() != "profiles.lock")
            .count(),
        0,
        "no file kept aside or created"
    );
}

#[test]
fn a_second_instance_changes_are_never_lost() {
    let home = Home::new();
    let secrets = SecretStore::with_mode(&home.paths(), SecretStoreMode::File);
    let mut mine = home.store();
    assert!(!mine.changed_on_disk());

    // Another instance (the binary) adds a profile while this one is open.
    home.run(&["profiles", "add", "theirs", "http://127.0.0.1:8000"]).ok();
    assert!(mine.changed_on_disk(), "the change is detected");
    assert!(mine.get("theirs").is_none());
    // A change made here is applied to the file as it is now: both survive.
    let ours = Profile::new(
        "ours",
        Endpoint { scheme: Scheme::Http, host: "127.0.0.1".into(), port: 8001, base_path: String::new() },
    );
    mine.add(ours, None, &secrets).expect("add");
    let names: Vec<String> = home.store().profiles().iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, ["ours", "theirs"]);
    assert!(!mine.changed_on_disk());

    // Editing a profile that the other instance changed since it was shown is refused, not overwritten.
    let shown = mine.get("theirs").expect("theirs").clone();
    home.run(&["profiles", "edit", "theirs", "--notes", "their note"]).ok();
    let err = mine
        .update("theirs", &secrets, UpdateOptions { expected: Some(&shown), new_secret: None }, |p| {
            p.notes = "my note".into();
            Ok(())
        })
        .expect_err("conflict");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(home.store().get("theirs").expect("theirs").notes, "their note");
    assert_eq!(mine.get("theirs").expect("theirs").notes, "their note", "a refused change shows what is there now");
    assert!(!mine.changed_on_disk());
    // A plain reload picks up changes too.
    home.run(&["profiles", "edit", "theirs", "--notes", "their second note"]).ok();
    assert!(mine.changed_on_disk());
    assert!(mine.reload().expect("reload"), "reload reports the change");
    assert_eq!(mine.get("theirs").expect("theirs").notes, "their second note");

    // Many instances at once: the lock serialises them and none is lost.
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut command =
                home.command(&["profiles", "add", &format!("parallel-{i}"), &format!("http://127.0.0.1:{}", 9000 + i)]);
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
            command.spawn().expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let store = home.store();
    assert_eq!(store.profiles().len(), 10, "{:?}", store.profiles().iter().map(|p| &p.name).collect::<Vec<_>>());
}

#[test]
fn export_and_import_round_trip_without_secrets_and_never_overwrite_silently() {
    let token = "tok-EXPORT-9c8b7a";
    let from = Home::new();
    from.run_stdin(
        &["profiles", "add", "staging", "https://staging.example:8443", "--ca-file", "certs/ca.pem", "--token-stdin"],
        token,
    )
    .ok();
    from.run(&["profiles", "add", "local", "localhost:8000", "--notes", "dev box"]).ok();
    from.run(&["profiles", "add", "other", "localhost:8001"]).ok();
    let file = from.path().join("export.toml");
    let exported = from.run(&["profiles", "export", s(&file), "staging", "local"]).ok();
    assert!(exported.stdout.contains("Exported 2 profiles (staging, local) without secrets"), "{}", exported.stdout);
    let text = from.read(&file);
    assert!(!text.contains(token), "{text}");
    let ca = from.path().join("certs/ca.pem");
    assert!(text.contains(&format!("verify = \"{}\"", ca.display())), "paths saved absolute: {text}");
    assert!(!text.contains("[profiles.other]"));
    from.run(&["profiles", "export", s(&file)]).code(2);
    from.run(&["profiles", "export", s(&file), "--force", "nope"]).code(2);

    let to = Home::new();
    let imported = to.run(&["profiles", "import", s(&file)]).ok();
    assert!(
        imported.stdout.contains("staging needs its token: chroma-connect profiles edit staging --token-stdin"),
        "{}",
        imported.stdout
    );
    for name in ["staging", "local"] {
        let mut a = from.run(&["profiles", "show", name, "--json"]).ok().json();
        let mut b = to.run(&["profiles", "show", name, "--json"]).ok().json();
        a["secret"] = Value::Null;
        b["secret"] = Value::Null;
        assert_eq!(a, b);
    }

    // Importing again: refused as a whole, nothing changes.
    to.run(&["profiles", "edit", "local", "--notes", "changed here"]).ok();
    let before = to.read(&to.profiles_file());
    let refused = to.run(&["profiles", "import", s(&file)]).code(2);
    assert!(refused.stderr.contains("already exist: local, staging"), "{}", refused.stderr);
    assert_eq!(to.read(&to.profiles_file()), before);
    // Rename: both kept.
    let renamed = to.run(&["profiles", "import", s(&file), "--on-conflict", "rename"]).ok();
    assert!(renamed.stdout.contains("local as local (2)"), "{}", renamed.stdout);
    assert_eq!(to.store().get("local").expect("local").notes, "changed here");
    assert_eq!(to.store().get("local (2)").expect("local (2)").notes, "dev box");
    // Replace: the saved token of the same server is kept; the import's settings win.
    to.run_stdin(&["profiles", "edit", "staging", "--token-stdin"], token).ok();
    let replaced = to.run(&["profiles", "import", s(&file), "--on-conflict", "replace"]).ok();
    assert!(replaced.stdout.contains("local (replaced the existing profile)"), "{}", replaced.stdout);
    assert_eq!(to.store().get("local").expect("local").notes, "dev box");
    assert_eq!(to.run(&["profiles", "show", "staging", "--json"]).ok().json()["secret"]["kind"], "file");
    // ...but a token is never carried over to a different server.
    let moved = from.read(&file).replace("https://staging.example:8443", "https://evil.example:8443");
    std::fs::write(&file, moved).expect("write");
    to.run(&["profiles", "import", s(&file), "--on-conflict", "replace"]).ok();
    assert_eq!(to.run(&["profiles", "show", "staging", "--json"]).ok().json()["secret"]["kind"], "missing");
    assert!(!to.read(&to.secrets_file()).contains(token));

    // A file that is not an export is refused with the reason.
    std::fs::write(&file, "[profiles.x]\nurl = 5\n").expect("write");
    let bad = to.run(&["profiles", "import", s(&file)]).code(2);
    assert!(bad.stderr.contains("x: invalid type"), "{}", bad.stderr);
}

#[test]
fn import_from_chroma_environment_variables() {
    let home = Home::new();
    let url = crate::support::chroma_url().as_str().trim_end_matches('/').to_owned();
    let env = [
        ("CHROMA_HOST", url.as_str()),
        ("CHROMA_API_KEY", "ck-ENVKEY-31337"),
        ("CHROMA_TENANT", "default_tenant"),
        ("CHROMA_DATABASE", "default_database"),
    ];
    let run = home.run_env(&["profiles", "import", "--from-env", "--name", "from-env"], &env).ok();
    assert!(run.stdout.contains("from CHROMA_HOST, CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE"), "{}", run.stdout);
    assert!(!run.all().contains("ck-ENVKEY-31337"));
    let shown = home.run(&["profiles", "show", "from-env", "--json"]).ok().json();
    assert_eq!(shown["url"], url.as_str());
    assert_eq!(shown["auth_header"], "x-chroma-token");
    assert_eq!(shown["secret"]["kind"], "file");
    let check = home.run(&["check", "--profile", "from-env", "--json"]).ok().json();
    assert_eq!(check["diagnosis"]["code"], "ok");
    // The name exists now: refused unless a policy is chosen.
    home.run_env(&["profiles", "import", "--from-env", "--name", "from-env"], &env).code(2);
    home.run_env(&["profiles", "import", "--from-env", "--name", "from-env", "--on-conflict", "rename"], &env).ok();
    assert!(home.store().get("from-env (2)").is_some());
    home.run(&["profiles", "import", "--from-env"]).code(2);
}

#[test]
fn check_with_a_profile_gives_the_same_result_as_the_same_flags() {
    let pki = Pki::new();
    let token = "tok-SAMEASFLAGS-4242";
    let leaf = pki.leaf();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&leaf, chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let url = proxy.https_url();
    let home = Home::new();
    let pin = fingerprint(&leaf.der);
    home.run_stdin(
        &[
            "profiles",
            "add",
            "tls",
            &url,
            "--ca-file",
            s(&ca),
            "--ca-mode",
            "merge",
            "--token-stdin",
            "--auth-header",
            "x-chroma-token",
            "--tenant",
            "default_tenant",
            "--database",
            "default_database",
            "--timeout",
            "7",
            "--pin",
            &pin,
        ],
        token,
    )
    .ok();
    let flags = [
        "check",
        &url,
        "--ca-file",
        s(&ca),
        "--ca-mode",
        "merge",
        "--token-env",
        "CC_SAME_TOKEN",
        "--auth-header",
        "x-chroma-token",
        "--tenant",
        "default_tenant",
        "--database",
        "default_database",
        "--timeout",
        "7",
        "--pin",
        &pin,
        "--json",
    ];
    let by_flags = home.run_env(&flags, &[("CC_SAME_TOKEN", token)]).ok();
    let by_profile = home.run(&["check", "--profile", "tls", "--json"]).ok();
    assert_eq!(without_timings(by_profile.json()), without_timings(by_flags.json()));
    assert_eq!(by_profile.json()["diagnosis"]["code"], "ok");
    assert!(by_profile.stdout.contains("matches the pinned fingerprint"), "{}", by_profile.stdout);

    // A failure is the same too, and flags override the profile.
    let by_flags = home.run_env(&flags, &[("CC_SAME_TOKEN", "tok-wrong")]).code(1);
    let by_profile = home
        .run_env(
            &["check", "--profile", "tls", "--token-env", "CC_SAME_TOKEN", "--json"],
            &[("CC_SAME_TOKEN", "tok-wrong")],
        )
        .code(1);
    assert_eq!(by_profile.json()["diagnosis"]["code"], "http.forbidden");
    assert_eq!(without_timings(by_profile.json()), without_timings(by_flags.json()));
    assert!(!by_profile.all().contains(token));

    // An unknown profile is a configuration error that names the profiles there are.
    let missing = home.run(&["check", "--profile", "nope", "--json"]).code(2);
    let summary = missing.json()["diagnosis"]["summary"].as_str().unwrap_or_default().to_owned();
    assert!(summary.contains("`nope` does not exist (profiles: tls)"), "{summary}");
}

#[test]
fn a_pinned_certificate_that_changes_fails_with_its_own_code() {
    let pki = Pki::new();
    let first = pki.leaf();
    let second = pki.leaf();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&first, chroma_addr()));
    let ca = pki.root_pem_path();
    let home = Home::new();
    let added = home.run(&["profiles", "add", "pinned", &proxy.https_url(), "--ca-file", s(&ca), "--pin-current"]).ok();
    let first_pin = fingerprint(&first.der);
    assert!(added.stderr.contains(&first_pin), "{}", added.all());
    assert_eq!(
        home.store().get("pinned").expect("pinned").connection.pinned_sha256.as_deref(),
        Some(first_pin.as_str())
    );
    home.run(&["check", "--profile", "pinned"]).ok();

    // The server now presents another certificate — valid, same CA — and the pin says so.
    let renewed = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&second, chroma_addr()));
    home.run(&["profiles", "edit", "pinned", "--url", &renewed.https_url()]).ok();
    let check = home.run(&["check", "--profile", "pinned", "--json"]).code(1);
    let report = check.json();
    let second_pin = fingerprint(&second.der);
    assert_eq!(report["diagnosis"]["code"], "tls.pin_mismatch", "{report}");
    let summary = report["diagnosis"]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains(&format!("pinned {first_pin}, server now presents {second_pin}")), "{summary}");
    assert_eq!(report["diagnosis"]["setting"], "pinned_sha256", "{report}");
    assert!(report["diagnosis"]["hint"].as_str().unwrap_or_default().contains(&second_pin), "{report}");
    // The text names the command that re-pins this profile.
    let text = home.run(&["check", "--profile", "pinned"]).code(1).stdout;
    assert!(
        text.contains(
            "setting: Pinned certificate (--pin; to pin the server's current certificate: chroma-connect \
                       profiles edit pinned --pin-current)"
        ),
        "{text}"
    );
    let tls =
        report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == "tls").cloned().unwrap_or_default();
    assert_eq!(tls["status"], "failed");
    assert_eq!(report["certificates"][0]["sha256"], second_pin.as_str(), "the new chain is shown");

    // Re-pinning (the change was expected) makes it pass; --unpin removes the pin.
    home.run(&["profiles", "edit", "pinned", "--pin-current"]).ok();
    home.run(&["check", "--profile", "pinned"]).ok();
    home.run(&["profiles", "edit", "pinned", "--unpin"]).ok();
    assert_eq!(home.store().get("pinned").expect("pinned").connection.pinned_sha256, None);
    // A pin given by hand in any common form.
    home.run(&[
        "profiles",
        "edit",
        "pinned",
        "--pin",
        &format!("sha256:{}", first_pin.replace(':', "").to_lowercase()),
    ])
    .ok();
    assert_eq!(
        home.run(&["check", "--profile", "pinned", "--json"]).code(1).json()["diagnosis"]["code"],
        "tls.pin_mismatch"
    );
    home.run(&["profiles", "edit", "pinned", "--pin", "not-a-fingerprint"]).code(2);
}

#[test]
fn the_secret_never_appears_in_the_profile_file_exports_logs_or_debug_output() {
    let token = "tok-NEVERSHOWN-a1b2c3d4e5";
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let home = Home::new();
    let mut printed = String::new();
    let mut run = |args: &[&str], input: Option<&str>| {
        let mut command = home.command(args);
        command.env("CHROMA_CONNECT_LOG", "trace");
        let run = match input {
            Some(input) => run_with_stdin(command, input),
            None => Run::from(&command.output().expect("run")),
        };
        printed.push_str(&run.all());
        run
    };
    run(&["profiles", "add", "secret", &proxy.https_url(), "--ca-file", s(&ca), "--token-stdin"], Some(token)).ok();
    run(&["profiles", "list"], None).ok();
    run(&["profiles", "list", "--json"], None).ok();
    run(&["profiles", "show", "secret"], None).ok();
    run(&["profiles", "show", "secret", "--json"], None).ok();
    run(&["check", "--profile", "secret"], None).ok();
    run(&["check", "--profile", "secret", "--json"], None).ok();
    let export = home.path().join("out.toml");
    run(&["profiles", "export", s(&export)], None).ok();
    run(&["profiles", "export", "-"], None).ok();
    run(&["profiles", "edit", "secret", "--rename", "renamed", "--notes", "n"], None).ok();
    run(&["profiles", "edit", "renamed", "--token-stdin"], Some("tok-NEVERSHOWN-second")).ok();

    // The control: the token is really saved (so searching for it can fail).
    assert!(home.read(&home.secrets_file()).contains("tok-NEVERSHOWN-second"));
    for (what, text) in [
        ("output and logs", printed),
        ("profiles.toml", home.read(&home.profiles_file())),
        ("export", home.read(&export)),
    ] {
        assert!(!text.contains("tok-NEVERSHOWN"), "a token leaked into the {what}:\n{text}");
    }
    let store = home.store();
    let secrets = SecretStore::with_mode(&home.paths(), SecretStoreMode::File);
    let resolved = secrets.resolve(store.get("renamed").expect("renamed")).expect("resolve").expect("saved");
    assert_eq!(resolved.secret.expose(), "tok-NEVERSHOWN-second");
    let profile = store.get("renamed").expect("renamed");
    let debug =
        format!("{store:?} {secrets:?} {resolved:?} {profile:?} {:?}", profile.to_settings(resolved.secret.clone()));
    assert!(!debug.contains("tok-NEVERSHOWN"), "{debug}");
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let home = Home::new();
    home.run(&["profiles", "add", "a", "localhost:8000"]).ok();
    let taken = home.run(&["profiles", "add", "A", "localhost:8001"]).code(2);
    assert!(taken.stderr.contains("a profile named a already exists"), "{}", taken.stderr);
    let missing = home.run(&["profiles", "show", "zzz"]).code(2);
    assert!(missing.stderr.contains("there is no profile named zzz (profiles: a)"), "{}", missing.stderr);
    let bad = home.run(&["profiles", "add", "b", "localhost:8000", "--ca-mode", "merge"]).code(2);
    assert!(bad.stderr.contains("ca_mode applies only with a CA file"), "{}", bad.stderr);
    let empty = home.run_stdin(&["profiles", "add", "c", "localhost:8000", "--token-stdin"], "").code(2);
    assert!(empty.stderr.contains("token is empty"), "{}", empty.stderr);
    let no_token =
        home.run_stdin(&["profiles", "add", "d", "localhost:8000", "--auth-header", "x-chroma-token"], "").code(2);
    assert!(no_token.stderr.contains("auth_header needs a token"), "{}", no_token.stderr);
    let env_warning = home.run(&["profiles", "add", "e", "localhost:8000", "--token-env", "CC_SURELY_UNSET_VAR"]).ok();
    assert!(env_warning.stderr.contains("$CC_SURELY_UNSET_VAR is not set"), "{}", env_warning.stderr);
    let check = home.run(&["check", "--profile", "e", "--json"]).code(2);
    assert!(
        check.json()["diagnosis"]["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("CC_SURELY_UNSET_VAR, which is not set"),
        "{}",
        check.stdout
    );
    let unsaved = home
        .run_stdin(&["profiles", "import", "-"], "[profiles.f]\nurl = \"http://127.0.0.1:1\"\nauth = \"token\"\n")
        .ok();
    assert!(unsaved.stdout.contains("f needs its token"), "{}", unsaved.stdout);
    let check = home.run(&["check", "--profile", "f", "--json"]).code(2);
    assert!(
        check.json()["diagnosis"]["summary"].as_str().unwrap_or_default().contains("profiles edit f --token-stdin"),
        "{}",
        check.stdout
    );
}

#[test]
fn collections_and_records_accept_a_profile() {
    let pki = Pki::new();
    let token = "tok-BROWSE-PROFILE-77";
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let url = proxy.https_url();
    let home = Home::new();
    home.run_stdin(&["profiles", "add", "browse", &url, "--ca-file", s(&ca), "--token-stdin"], token).ok();
    let env = [("CC_BROWSE_TOKEN", token)];
    let by_flags = home
        .run_env(&["collections", &url, "--ca-file", s(&ca), "--token-env", "CC_BROWSE_TOKEN", "--json"], &env)
        .ok();
    let by_profile = home.run(&["collections", "--profile", "browse", "--json"]).ok();
    assert_eq!(by_profile.json(), by_flags.json());
    let records = ["records", "--collection", "lab_docs", "--limit", "3", "--json"];
    let by_flags = home
        .run_env(&[&records[..], &[url.as_str(), "--ca-file", s(&ca), "--token-env", "CC_BROWSE_TOKEN"]].concat(), &env)
        .ok();
    let by_profile = home.run(&[&records[..], &["--profile", "browse"]].concat()).ok();
    assert_eq!(by_profile.json(), by_flags.json());
    assert!(!format!("{}{}", by_profile.all(), by_flags.all()).contains(token));
}

// ------------------------------------------------------------------------------------------------ security (issue 9)

#[test]
fn relative_paths_are_saved_absolute_and_refused_in_imports() {
    let home = Home::new();
    std::fs::create_dir_all(home.path().join("certs")).expect("mkdir");
    home.run(&["profiles", "add", "rel", "https://h.example:8443", "--ca-file", "certs/ca.pem"]).ok();
    let saved = home.store().get("rel").expect("rel").clone();
    assert_eq!(saved.connection.verify, Verify::CaFile(home.path().join("certs/ca.pem")));
    home.run(&["profiles", "edit", "rel", "--client-cert", "./c.pem", "--client-key", "k.pem"]).ok();
    let saved = home.store().get("rel").expect("rel").clone();
    assert!(saved.connection.client_cert.as_deref().is_some_and(Path::is_absolute), "{saved:?}");
    assert_eq!(saved.connection.client_key, Some(home.path().join("k.pem")));

    // A file with a relative path is refused as a whole, naming the profile and the field.
    let file = home.path().join("import.toml");
    std::fs::write(
        &file,
        "[profiles.good]\nurl = \"https://a.example:1\"\nverify = \"/etc/ssl/ca.pem\"\n\n\
         [profiles.sneaky]\nurl = \"https://b.example:1\"\nverify = \"ca.pem\"\n",
    )
    .expect("write");
    let refused = home.run(&["profiles", "import", s(&file)]).code(2);
    assert!(refused.stderr.contains("sneaky: ca_file is a relative path (ca.pem)"), "{}", refused.stderr);
    assert!(home.store().get("good").is_none(), "nothing was imported");
    // The library refuses it too (the desktop app imports through it).
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(parse_import(&text).is_err());
    let mut relative =
        Profile::new("r", Endpoint { scheme: Scheme::Https, host: "h".into(), port: 1, base_path: String::new() });
    relative.connection.client_cert = Some("c.pem".into());
    relative.connection.client_key = Some("/k.pem".into());
    let secrets = SecretStore::with_mode(&home.paths(), SecretStoreMode::File);
    assert!(home.store().add(relative, None, &secrets).is_err());
}

#[test]
fn imports_that_turn_verification_off_or_read_a_variable_are_flagged() {
    let home = Home::new();
    let file = home.path().join("import.toml");
    std::fs::write(
        &file,
        "[profiles.unverified]\nurl = \"https://a.example:1\"\nverify = false\n\n\
         [profiles.from-env]\nurl = \"https://b.example:1\"\nauth = \"token\"\ntoken_env = \"SOME_TOKEN\"\n\n\
         [profiles.plain]\nurl = \"https://c.example:1\"\n",
    )
    .expect("write");
    let imported = home.run(&["profiles", "import", s(&file)]).ok();
    assert!(
        imported.stderr.contains(
            "warning: imported profile unverified turns certificate verification OFF: anyone on the path can \
             impersonate https://a.example:1 (change it with: chroma-connect profiles edit unverified --verify-system"
        ),
        "{}",
        imported.stderr
    );
    assert!(
        imported.stderr.contains("warning: imported profile from-env sends the token read from $SOME_TOKEN"),
        "{}",
        imported.stderr
    );
    assert!(!imported.stderr.contains("profile plain"), "{}", imported.stderr);
}

#[test]
fn pin_current_works_for_a_profile_with_a_token() {
    let token = "tok-PINCURRENT-77";
    let pki = Pki::new();
    let leaf = pki.leaf();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&leaf, chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let home = Home::new();
    let url = proxy.https_url();
    let added = home
        .run_stdin(&["profiles", "add", "tok", &url, "--ca-file", s(&ca), "--token-stdin", "--pin-current"], token)
        .ok();
    assert!(added.stderr.contains(&fingerprint(&leaf.der)), "{}", added.all());
    assert_eq!(home.store().get("tok").expect("tok").connection.pinned_sha256, Some(fingerprint(&leaf.der)));
    home.run(&["profiles", "edit", "tok", "--unpin"]).ok();
    home.run(&["profiles", "edit", "tok", "--pin-current"]).ok();
    assert_eq!(home.store().get("tok").expect("tok").connection.pinned_sha256, Some(fingerprint(&leaf.der)));
    // The variable a profile reads its token from need not be set to pin.
    home.run(&[
        "profiles",
        "add",
        "env",
        &url,
        "--ca-file",
        s(&ca),
        "--token-env",
        "CC_PIN_UNSET_VAR",
        "--pin-current",
    ])
    .ok();
    assert!(!added.all().contains(token));
    home.run(&["check", "--profile", "tok"]).ok();
}

#[test]
fn a_profiles_secret_does_not_follow_another_url() {
    let token = "tok-STAYSHOME-5150";
    let pki = Pki::new();
    let own = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let other = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(token));
    let ca = pki.root_pem_path();
    let home = Home::new();
    home.run_stdin(&["profiles", "add", "home", &own.https_url(), "--ca-file", s(&ca), "--token-stdin"], token).ok();
    home.run(&["collections", "--profile", "home"]).ok();
    // The same server by another path prefix keeps the secret.
    home.run(&["check", "--profile", "home", &format!("{}/", own.https_url())]).ok();

    let other_url = other.https_url();
    for command in [&["check"][..], &["collections"], &["records", "-c", "lab_docs"]] {
        let args = [command, &["--profile", "home", &other_url, "--json"]].concat();
        let run = home.run(&args).code(1);
        assert!(run.all().contains("http.unauthorized"), "{command:?}: {}", run.all());
        assert!(run.stderr.contains("the token of profile home is not sent"), "{command:?}: {}", run.stderr);
    }
    let sent = other.request_log();
    assert!(
        sent.iter().all(|r| !r.headers.contains_key("authorization") && !r.headers.contains_key("x-chroma-token")),
        "the profile's token went to another server"
    );
    // Given again, credentials go where they are told.
    let run = home.run_env(
        &["collections", "--profile", "home", &other.https_url(), "--token-env", "CC_AGAIN"],
        &[("CC_AGAIN", token)],
    );
    run.ok();
    // http:// on the same host and port is another server too: nothing in clear text.
    let plain = format!("http://localhost:{}", own.port());
    let run = home.run(&["check", "--profile", "home", &plain, "--json"]).code(1);
    assert!(!run.all().contains(token));
}

/// One set of settings flags for every command (issue 9, item 2): `--timeout` lowers a longer connect timeout the
/// same way in `profiles add`, `profiles edit` and `check`, and `check` takes `--connect-timeout` and
/// `--token-stdin` like a profile does.
#[test]
fn the_settings_flags_mean_the_same_in_every_command() {
    let home = Home::new();
    let timeouts = |name: &str| {
        let shown = home.run(&["profiles", "show", name, "--json"]).ok().json();
        (shown["timeout_secs"].as_f64(), shown["connect_timeout_secs"].as_f64())
    };
    home.run(&["profiles", "add", "a", "http://127.0.0.1:1", "--timeout", "4"]).ok();
    assert_eq!(timeouts("a"), (Some(4.0), Some(4.0)));
    home.run(&["profiles", "add", "b", "http://127.0.0.1:1"]).ok();
    // Before: an edit left the 10 s connect timeout above the 2 s request timeout (only `add` lowered it).
    home.run(&["profiles", "edit", "b", "--timeout", "2"]).ok();
    assert_eq!(timeouts("b"), (Some(2.0), Some(2.0)));
    home.run(&["profiles", "edit", "b", "--timeout", "60"]).ok();
    assert_eq!(timeouts("b"), (Some(60.0), Some(2.0)), "a longer request timeout never raises the connect one");
    home.run(&["profiles", "edit", "b", "--connect-timeout", "1.5", "--timeout", "0.5"]).ok();
    assert_eq!(timeouts("b"), (Some(0.5), Some(1.5)));

    // The same flags on `check`, with the same errors naming the setting.
    for args in [
        vec!["check", "http://127.0.0.1:1", "--connect-timeout", "0"],
        vec!["profiles", "add", "c", "http://127.0.0.1:1", "--connect-timeout", "0"],
    ] {
        let run = home.run(&args).code(2);
        assert!(run.all().contains("connect_timeout must be a number of seconds"), "{args:?}: {}", run.all());
    }
    for args in [
        vec!["check", "https://127.0.0.1:1", "--client-cert", "/c.pem"],
        vec!["profiles", "add", "d", "https://127.0.0.1:1", "--client-cert", "/c.pem"],
    ] {
        let run = home.run(&args).code(2);
        assert!(run.all().contains("client_key is missing"), "{args:?}: {}", run.all());
    }
    let stdin = home.run_stdin(&["check", "http://127.0.0.1:1", "--token-stdin", "--json", "--timeout", "2"], "");
    assert_eq!(stdin.code, Some(2), "{}", stdin.all());
    assert!(stdin.all().contains("token is empty"), "{}", stdin.all());
}
