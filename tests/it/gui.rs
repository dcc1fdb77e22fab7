//! The desktop app, driven through `egui_kittest` as a person would (click, type, keys), on the real app state and
//! its real background tasks, against the real Chroma server behind the TLS proxy.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chroma_connect::app::state::{CheckOutcome, Page, Prefs, StoreView};
use chroma_connect::app::{
    ChromaConnectApp, FilePicker, PickFuture, PickOutcome, PickRequest, StartOptions, VerifyChoice,
};
use chroma_connect::diagnose::{Code, Step, StepStatus};
use chroma_connect::profile::{
    AppPaths, Profile, ProfileAuth, ProfileStore, Secret, SecretSource, SecretStore, SecretStoreMode, Setting,
    TokenHeader, Verify, parse_endpoint,
};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::servers::SilentServer;

/// Answers file dialogs from a queue, and records what was asked.
#[derive(Debug, Default)]
pub(crate) struct QueuePicker {
    answers: Mutex<VecDeque<PickOutcome>>,
    asked: Mutex<Vec<PickRequest>>,
}

impl QueuePicker {
    pub(crate) fn answering(answers: impl IntoIterator<Item = PickOutcome>) -> Arc<Self> {
        Arc::new(Self { answers: Mutex::new(answers.into_iter().collect()), asked: Mutex::default() })
    }
}

impl FilePicker for QueuePicker {
    fn pick(&self, request: PickRequest) -> PickFuture {
        self.asked.lock().unwrap().push(request);
        let answer = self.answers.lock().unwrap().pop_front().unwrap_or(PickOutcome::Cancelled);
        Box::pin(async move { answer })
    }
}

pub(crate) struct Gui {
    /// `None` only while dropping. Leaked when a test fails: a harness dropped while unwinding panics again (its
    /// textures delta), which would abort the whole test binary instead of failing one test.
    pub(crate) harness: Option<Harness<'static, ChromaConnectApp>>,
    pub(crate) home: Option<tempfile::TempDir>,
    pub(crate) paths: AppPaths,
}

impl Drop for Gui {
    fn drop(&mut self) {
        if std::thread::panicking() {
            std::mem::forget(self.harness.take());
        }
    }
}

pub(crate) fn app(home: tempfile::TempDir, picker: Arc<dyn FilePicker>, start: StartOptions) -> Gui {
    let paths = AppPaths::in_dir(home.path());
    let app_paths = paths.clone();
    let harness = Harness::builder().with_size([1280.0, 800.0]).with_max_steps(10_000).build_eframe(move |cc| {
        ChromaConnectApp::new(&cc.egui_ctx, app_paths, picker, Prefs::default(), start).expect("app starts")
    });
    let mut gui = Gui { harness: Some(harness), home: Some(home), paths };
    gui.wait("the store to open", |app| !matches!(app.state.store, StoreView::Loading));
    gui
}

pub(crate) fn home_with(profiles: Vec<(Profile, Option<&str>)>) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let paths = AppPaths::in_dir(home.path());
    let secrets = SecretStore::with_mode(&paths, SecretStoreMode::Auto);
    let mut store = ProfileStore::open(&paths).unwrap();
    for (profile, secret) in profiles {
        store.add(profile, secret.map(Secret::new).as_ref(), &secrets).unwrap();
    }
    home
}

pub(crate) fn profile(name: &str, url: &str, verify: Verify) -> Profile {
    let mut profile = Profile::new(name, parse_endpoint("url", url).unwrap());
    profile.connection.verify = verify;
    profile
}

impl Gui {
    pub(crate) fn h(&mut self) -> &mut Harness<'static, ChromaConnectApp> {
        self.harness.as_mut().unwrap()
    }

    pub(crate) fn hr(&self) -> &Harness<'static, ChromaConnectApp> {
        self.harness.as_ref().unwrap()
    }

    /// Steps frames until `done` holds; fails after 30 s.
    #[track_caller]
    pub(crate) fn wait(&mut self, what: &str, done: impl Fn(&ChromaConnectApp) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self.hr().state()) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}: {:#?}", self.hr().state().state);
            std::thread::sleep(Duration::from_millis(10));
            self.h().step();
        }
        self.h().run_steps(3);
    }

    pub(crate) fn state(&self) -> &chroma_connect::app::AppState {
        &self.hr().state().state
    }

    pub(crate) fn check_outcome(&self, name: &str) -> Option<&CheckOutcome> {
        self.state().checks.get(name).map(|run| &run.outcome)
    }

    #[track_caller]
    pub(crate) fn wait_check_done(&mut self, name: &str) {
        let name = name.to_owned();
        self.wait("the check to finish", move |app| app.state.checks.get(&name).is_some_and(|run| !run.is_running()));
    }

    #[track_caller]
    pub(crate) fn code(&self, name: &str) -> Code {
        match self.check_outcome(name) {
            Some(CheckOutcome::Done(report)) => report.diagnosis.code,
            other => panic!("no report for {name}: {other:?}"),
        }
    }

    /// The rect of the node labelled `label` (exactly, or the first containing it), after asking to scroll to it.
    pub(crate) fn node_rect(&mut self, label: &str, exact: bool, scroll: bool) -> egui::Rect {
        let h = self.hr();
        let node = if exact {
            h.get_by_label(label)
        } else {
            h.get_all_by_label_contains(label).next().unwrap_or_else(|| panic!("no {label}"))
        };
        if scroll {
            node.scroll_to_me();
        }
        node.rect()
    }

    /// Scrolls the node into view and waits until it stops moving (scrolling is animated).
    pub(crate) fn bring_into_view(&mut self, label: &str, exact: bool) {
        let mut last = self.node_rect(label, exact, true);
        for _ in 0..60 {
            self.h().step();
            let rect = self.node_rect(label, exact, false);
            if rect == last {
                return;
            }
            last = rect;
        }
    }

    /// Hovers the button labelled `label` (its tooltip shows after a few frames).
    pub(crate) fn hover_button(&mut self, label: &str) {
        self.h().get_by_role_and_label(egui::accesskit::Role::Button, label).hover();
        self.h().run_steps(30);
    }

    pub(crate) fn click(&mut self, label: &str) {
        self.bring_into_view(label, true);
        self.h().get_by_label(label).hover();
        self.h().run_steps(2);
        self.h().get_by_label(label).click();
        self.h().run_steps(4);
    }

    pub(crate) fn click_containing(&mut self, label: &str) {
        self.bring_into_view(label, false);
        self.h().get_all_by_label_contains(label).next().unwrap_or_else(|| panic!("no {label}")).hover();
        self.h().run_steps(2);
        self.h().get_all_by_label_contains(label).next().unwrap_or_else(|| panic!("no {label}")).click();
        self.h().run_steps(4);
    }

    /// Clicks the button labelled `label` (where labels alone are ambiguous, e.g. a number also in a table cell).
    pub(crate) fn click_button(&mut self, label: &str) {
        let role = egui::accesskit::Role::Button;
        self.h().get_by_role_and_label(role, label).hover();
        self.h().run_steps(2);
        self.h().get_by_role_and_label(role, label).click();
        self.h().run_steps(4);
    }

    pub(crate) fn set_text(&mut self, label: &str, text: &str) {
        let node = self.h().get_by_label(label);
        node.focus();
        node.set_text_value_accesskit(text);
        self.h().run_steps(4);
    }

    pub(crate) fn key(&mut self, modifiers: Modifiers, key: Key) {
        self.h().key_press_modifiers(modifiers, key);
        self.h().run_steps(4);
    }

    pub(crate) fn shows(&self, text: &str) -> bool {
        self.hr().query_all_by_label_contains(text).next().is_some()
    }
}

#[test]
fn welcome_then_a_typed_profile_with_a_chosen_ca_file_is_saved_and_read_back() {
    let pki = Pki::new();
    let ca = pki.root_pem_path();
    let picker = QueuePicker::answering([PickOutcome::Chosen(ca.clone())]);
    let mut gui = app(tempfile::tempdir().unwrap(), picker.clone(), StartOptions::default());
    assert!(gui.shows("Welcome to Chroma Connect"), "an empty store shows the welcome panel");

    gui.click_containing("Create a profile");
    assert!(gui.state().draft.is_some());
    gui.set_text("Name", "staging");
    gui.set_text("URL", "https://localhost:8443");
    gui.click("Only this CA file");
    gui.h().get_all_by_label("Choose…").next().expect("the CA file's Choose button").click();
    gui.wait("the chosen CA file to be read", |app| {
        matches!(
            app.state.files.get(&Setting::CaFile),
            Some(chroma_connect::app::state::FileCheck::Read { summary, .. }) if summary.ok
        )
    });
    assert_eq!(picker.asked.lock().unwrap().len(), 1);
    assert!(gui.shows("1 certificate"), "the CA file is summarised beside its field");
    assert!(gui.shows("Unsaved changes"));

    gui.key(Modifiers::COMMAND, Key::S);
    gui.wait("the save", |app| app.state.saving.is_none() && !app.state.has_unsaved_changes());

    // On disk, as another program sees it.
    let store = ProfileStore::open(&gui.paths).unwrap();
    let saved = store.get("staging").expect("saved").clone();
    assert_eq!(saved.connection.verify, Verify::CaFile(ca.clone()));
    assert_eq!(saved.connection.endpoint.port, 8443);

    // A new window on the same folder reads it back and selects it.
    let home = gui.home.take().unwrap();
    drop(gui);
    let mut again = app(home, QueuePicker::answering([]), StartOptions::default());
    again.wait("the profile to be selected", |app| app.state.draft.is_some());
    let draft = again.state().draft.as_ref().unwrap();
    assert_eq!(draft.fields.name, "staging");
    assert_eq!(draft.fields.verify, VerifyChoice::OnlyCa);
    assert_eq!(PathBuf::from(&draft.fields.ca_file), ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_names_a_wrong_name_and_its_button_opens_the_server_name_field() {
    let pki = Pki::new();
    let good = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let wrong = TlsProxy::start(ProxyConfig::for_leaf(&pki.wrong_name_leaf(), chroma_addr())).await;
    let root = pki.root_pem_path();
    let home = home_with(vec![
        (profile("good", &good.https_url(), Verify::CaFile(root.clone())), None),
        (profile("wrong-name", &wrong.https_url(), Verify::CaFile(root)), None),
    ]);
    let start = StartOptions { profile: Some("wrong-name".to_owned()), check: true };
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), start));
    tokio::task::block_in_place(|| gui.wait_check_done("wrong-name"));

    assert_eq!(gui.code("wrong-name"), Code::TlsNameMismatch);
    assert_eq!(gui.state().prefs.page, Page::Doctor, "--check opens the doctor");
    assert!(gui.shows("tls.name_mismatch"), "the code is on screen");
    let Some(CheckOutcome::Done(report)) = gui.check_outcome("wrong-name") else { unreachable!() };
    assert_eq!(report.steps.iter().map(|s| s.step).collect::<Vec<_>>(), Step::ALL.to_vec());
    assert!(report.steps.iter().any(|s| s.step == Step::Tls && s.status == StepStatus::Failed));
    assert_eq!(report.diagnosis.setting, Some(Setting::ServerName));
    for step in Step::ALL {
        assert!(gui.shows(step.as_str()), "step {step:?} is listed");
    }

    gui.click_containing("Change Server name");
    assert_eq!(gui.state().prefs.page, Page::Connection);
    assert!(gui.h().get_by_label("Server name").is_focused(), "the hint's button focuses the field");

    // The good server passes, through Ctrl+Enter.
    gui.h().get_by_label("good").click();
    tokio::task::block_in_place(|| {
        gui.h().run_steps(3);
        gui.key(Modifiers::COMMAND, Key::Enter);
        gui.wait_check_done("good");
    });
    assert_eq!(gui.code("good"), Code::Ok);
    assert!(gui.shows("Connected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_check_of_a_server_that_never_answers_and_the_window_keeps_drawing() {
    let silent = SilentServer::start().await;
    let mut slow = profile("silent", &silent.https_url(), Verify::System);
    slow.connection.connect_timeout = Duration::from_mins(1);
    let home = home_with(vec![(slow, None)]);
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), StartOptions::default()));
    tokio::task::block_in_place(|| {
        gui.wait("selection", |app| app.state.draft.is_some());
        gui.click_containing("Test connection");
        gui.wait("the TLS step to hang", |app| {
            app.state.checks.get("silent").is_some_and(|run| run.current == Some(Step::Tls))
        });
        // Frames keep coming while the server is silent.
        let started = Instant::now();
        for _ in 0..20 {
            gui.h().step();
        }
        assert!(started.elapsed() < Duration::from_secs(2), "20 frames took {:?}", started.elapsed());
        gui.click_containing("Cancel");
    });
    assert!(matches!(gui.check_outcome("silent"), Some(CheckOutcome::Cancelled)));
    assert!(gui.shows("cancelled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_is_shown_and_pinning_it_from_the_page_makes_the_next_check_pass() {
    let pki = Pki::new();
    let leaf = pki.self_signed_leaf();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&leaf, chroma_addr())).await;
    let home = home_with(vec![(profile("self", &proxy.https_url(), Verify::System), None)]);
    let start = StartOptions { profile: Some("self".to_owned()), check: true };
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), start));
    tokio::task::block_in_place(|| gui.wait_check_done("self"));
    let code = gui.code("self");
    assert!(matches!(code, Code::TlsSelfSigned | Code::TlsUnknownIssuer), "{code}");

    gui.click("Certificates");
    assert_eq!(gui.state().prefs.page, Page::Certificates);
    assert!(gui.shows("Server certificate (self-signed)"));
    assert!(gui.shows("SHA-256"));
    gui.click_containing("Trust this certificate for this profile");
    assert!(gui.shows("Trust this certificate?"), "a confirmation shows the fingerprint first");
    gui.click("Pin");
    tokio::task::block_in_place(|| {
        gui.wait("the pin to be saved", |app| {
            app.state
                .draft
                .as_ref()
                .and_then(|d| d.original.as_ref())
                .is_some_and(|p| p.connection.pinned_sha256.is_some())
        });
    });
    assert!(gui.shows("pinned"));

    tokio::task::block_in_place(|| {
        gui.key(Modifiers::COMMAND, Key::Enter);
        gui.wait_check_done("self");
    });
    assert_eq!(gui.code("self"), Code::Ok);
    assert_eq!(gui.state().health("self"), chroma_connect::app::state::Health::Warning, "trusted by the pin only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn use_as_ca_file_is_the_one_click_fix_for_an_unknown_private_ca() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf_via_intermediate(true), chroma_addr())).await;
    let home = home_with(vec![(profile("private", &proxy.https_url(), Verify::System), None)]);
    let start = StartOptions { profile: Some("private".to_owned()), check: true };
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), start));
    tokio::task::block_in_place(|| gui.wait_check_done("private"));
    assert_eq!(gui.code("private"), Code::TlsUnknownIssuer);
    gui.click("Certificates");
    gui.click_containing("Use as this profile's CA file");
    assert!(
        gui.shows("Use this certificate as the CA file?"),
        "{:?} {:?} {:?}",
        gui.state().dialog,
        gui.state().notices,
        gui.state().prefs.page
    );
    gui.click("Use as CA file");
    tokio::task::block_in_place(|| {
        gui.wait("the CA file to be set", |app| {
            app.state.draft.as_ref().and_then(|d| d.original.as_ref()).is_some_and(|p| p.ca_file().is_some())
        });
    });
    let saved = gui.state().draft.as_ref().unwrap().original.clone().unwrap();
    let ca = saved.ca_file().unwrap().to_owned();
    assert!(ca.starts_with(&gui.paths.data_dir), "saved in the app's data folder: {}", ca.display());
    tokio::task::block_in_place(|| {
        gui.key(Modifiers::COMMAND, Key::Enter);
        gui.wait_check_done("private");
    });
    assert_eq!(gui.code("private"), Code::Ok);
}

#[test]
fn verification_off_shows_the_red_banner_on_every_page() {
    let home = home_with(vec![(profile("insecure", "https://127.0.0.1:9", Verify::Off), None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    for page in ["Connection", "Doctor", "Certificates"] {
        gui.click(page);
        assert!(gui.shows("Certificate verification is OFF"), "banner on {page}");
    }
    gui.click("Turn verification on");
    assert_eq!(gui.state().prefs.page, Page::Connection);
    gui.click("System trust store");
    assert!(!gui.shows("Certificate verification is OFF"), "the banner follows the edit");
}

#[test]
fn unsaved_changes_are_asked_about_before_switching_and_delete_removes_the_secret() {
    let mut with_token = profile("tokened", "http://127.0.0.1:9", Verify::System);
    with_token.connection.auth = ProfileAuth::Token { header: TokenHeader::Bearer, source: SecretSource::Stored };
    let home = home_with(vec![
        (profile("first", "http://127.0.0.1:8", Verify::System), None),
        (with_token, Some("s3cret-token")),
    ]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.set_text("Tenant", "edited");
    gui.h().get_by_label("tokened").click();
    gui.h().run_steps(4);
    assert!(gui.state().dialog.is_some(), "switching asks: {:?}", gui.state());
    assert!(gui.shows("has changes that are not saved"), "switching asks");
    gui.click("Discard");
    gui.wait("tokened selected", |app| app.state.selected_name() == Some("tokened"));

    gui.click_containing("Delete");
    assert!(gui.shows("Delete tokened?"));
    gui.click("Delete");
    gui.wait("the delete", |app| app.state.store.get("tokened").is_none());
    let secrets = SecretStore::with_mode(&gui.paths, SecretStoreMode::Auto);
    assert_eq!(secrets.get("tokened").unwrap(), None, "its secret went with it");
    assert_eq!(gui.state().selected_name(), Some("first"));
}

#[test]
fn without_a_file_dialog_the_field_says_so() {
    let reason = "No file dialog can open here: type or paste the path.".to_owned();
    let home = home_with(vec![(profile("p", "https://127.0.0.1:9", Verify::System), None)]);
    let mut gui =
        app(home, QueuePicker::answering([PickOutcome::Unavailable(reason.clone())]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.h().get_all_by_label("Choose…").next().unwrap().click();
    gui.wait("the dialog's answer", |app| app.state.dialog_unavailable.contains_key(&Setting::ClientCert));
    assert!(gui.shows("No file dialog can open here"));
}

#[test]
fn profiles_changed_by_another_program_appear_and_search_filters_the_list() {
    let home = home_with(vec![(profile("alpha", "http://127.0.0.1:8", Verify::System), None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    let mut store = ProfileStore::open(&gui.paths).unwrap();
    let secrets = SecretStore::with_mode(&gui.paths, SecretStoreMode::File);
    store.add(profile("beta-from-cli", "http://127.0.0.1:7", Verify::System), None, &secrets).unwrap();
    gui.wait("the change on disk to be picked up", |app| app.state.store.get("beta-from-cli").is_some());
    assert!(gui.shows("beta-from-cli"));

    gui.set_text("Search", "alp");
    assert!(gui.h().query_all_by_label("alpha").count() >= 1);
    assert!(gui.h().query_by_label("beta-from-cli").is_none(), "filtered out");
}

#[test]
fn without_a_display_the_app_says_so_in_one_line_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chroma-connect"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("CHROMA_CONNECT_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no display") && stderr.contains("chroma-connect check"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_check_selection_and_theme_survive_a_restart() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.wrong_name_leaf(), chroma_addr())).await;
    let home = home_with(vec![
        (profile("a", "http://127.0.0.1:9", Verify::System), None),
        (profile("broken", &proxy.https_url(), Verify::CaFile(pki.root_pem_path())), None),
    ]);
    let start = StartOptions { profile: Some("broken".to_owned()), check: true };
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), start));
    tokio::task::block_in_place(|| gui.wait_check_done("broken"));
    gui.click_containing("Theme");
    gui.click_containing("Light");
    assert_eq!(gui.state().prefs.theme, chroma_connect::app::ThemeChoice::Light);
    let mut storage = MemoryStorage::default();
    eframe::App::save(gui.h().state_mut(), &mut storage);

    let home = gui.home.take().unwrap();
    drop(gui);
    let prefs: Prefs = eframe::get_value(&storage, "chroma-connect-prefs").expect("prefs saved");
    let paths = AppPaths::in_dir(home.path());
    let harness = Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |cc| {
        ChromaConnectApp::new(&cc.egui_ctx, paths.clone(), QueuePicker::answering([]), prefs, StartOptions::default())
            .unwrap()
    });
    let mut again = Gui { harness: Some(harness), home: Some(home), paths: AppPaths::in_dir("/nonexistent") };
    tokio::task::block_in_place(|| again.wait("selection", |app| app.state.draft.is_some()));
    assert_eq!(again.state().selected_name(), Some("broken"), "the selection is remembered");
    assert_eq!(again.state().health("broken"), chroma_connect::app::state::Health::Failed, "the dot is remembered");
    assert_eq!(again.state().health("a"), chroma_connect::app::state::Health::Unknown);
    assert_eq!(again.state().prefs.theme, chroma_connect::app::ThemeChoice::Light);
    assert_eq!(again.hr().ctx.theme(), egui::Theme::Light, "the light theme is applied");
    // The doctor remembers the last code even before a new check.
    again.click("Doctor");
    assert!(again.shows("tls.name_mismatch"));
}

#[test]
fn export_then_import_through_the_file_dialogs() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("exported.toml");
    let home = home_with(vec![
        (profile("one", "http://127.0.0.1:9", Verify::System), None),
        (profile("two", "https://127.0.0.1:8", Verify::Off), None),
    ]);
    let mut gui = app(home, QueuePicker::answering([PickOutcome::Chosen(file.clone())]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.click("☰");
    gui.click("Export all…");
    gui.wait("the export", |_| file.exists());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[profiles.one]") && text.contains("[profiles.two]"), "{text}");

    let mut other = app(
        tempfile::tempdir().unwrap(),
        QueuePicker::answering([PickOutcome::Chosen(file.clone()), PickOutcome::Chosen(file.clone())]),
        StartOptions::default(),
    );
    // A profile that turns verification off is not imported without a question.
    other.click("Import profiles…");
    other.wait("the question", |app| app.state.dialog.is_some());
    assert!(other.shows("Import these profiles?"));
    assert!(other.shows("two turns certificate verification OFF"), "the risky profile is named");
    assert!(other.state().store.profiles().is_empty(), "nothing imported before the answer");
    other.click("Import only the other 1 profile");
    other.wait("the import", |app| app.state.store.profiles().len() == 1);
    assert_eq!(other.state().selected_name(), Some("one"));

    other.click("☰");
    other.click("Import…");
    other.wait("the question", |app| app.state.dialog.is_some());
    other.click("Import all 2");
    other.wait("the import", |app| app.state.store.profiles().len() == 3);
    assert!(other.state().store.get("two").is_some());
    assert!(other.shows("Verification is OFF in: two"), "the notice names it again");
}

#[test]
fn discover_lists_the_databases_the_server_has() {
    let home = home_with(vec![(profile("local", crate::support::chroma_url().as_str(), Verify::System), None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.click_containing("Discover");
    gui.wait("discovery", |app| {
        !matches!(app.state.discovery, None | Some(chroma_connect::app::state::Discovery::Running(_)))
    });
    match &gui.state().discovery {
        Some(chroma_connect::app::state::Discovery::Found { databases, .. }) => {
            assert!(databases.iter().any(|d| d == "default_database"), "{databases:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(gui.shows("default_database"));
}

#[test]
fn copy_as_code_copies_the_saved_profile_and_names_the_variable_to_set() {
    let mut staging =
        profile("staging", "https://chroma.example.com:8443", Verify::CaFile("/etc/ssl/corp-ca.pem".into()));
    staging.connection.auth = chroma_connect::profile::ProfileAuth::Token {
        header: chroma_connect::profile::TokenHeader::Bearer,
        source: chroma_connect::profile::SecretSource::Stored,
    };
    let home = home_with(vec![(staging, Some("gui-snippet-secret"))]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.click("Copy as code");
    gui.click("curl");
    assert!(gui.shows("Copied profile staging as curl."), "the notice says what was copied");
    assert!(gui.shows("Set CHROMA_TOKEN to the token of profile staging"), "and which variable to set");
    assert!(!gui.shows("gui-snippet-secret"), "the secret is never shown");
}
