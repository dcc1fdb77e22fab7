//! Background work: a tokio runtime off the UI thread that runs store, keychain, file and network calls and
//! sends each result back as a [`Message`] tagged with its request number, then wakes the UI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::diagnose::{CheckEvent, CheckReport, run_check};
use crate::profile::{
    AppPaths, BrokenProfile, ConflictPolicy, ConnectionSettings, Profile, ProfileStore, Secret, SecretStore, Setting,
    StoreError, UpdateOptions, export_profiles, parse_import, settings_with_secret,
};
use crate::tls::{FileRole, FileSummary, summarize_file};

use super::browse::{BrowseFailure, Opened, RecordsPage};
use super::picker::{FilePicker, PickOutcome, PickRequest};
use super::state::RequestId;
use crate::chroma::{Collection, CollectionStats, QueryHit};

mod browse;

/// Largest profile file the app imports.
const MAX_IMPORT_BYTES: u64 = 1024 * 1024;
/// How often the profile file is looked at for changes made by another instance or the CLI.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(2);

/// The profiles as read from the store.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The profiles.
    pub profiles: Vec<Profile>,
    /// Entries that could not be read.
    pub broken: Vec<BrokenProfile>,
    /// The profile file.
    pub path: PathBuf,
    /// Things to tell the user (a corrupt file kept aside).
    pub notices: Vec<String>,
}

/// A result from a background task.
#[derive(Debug)]
#[non_exhaustive]
pub enum Message {
    /// The store was opened (or failed to open); also where new secrets would go.
    Opened {
        /// The profiles, or why the store cannot be used.
        snapshot: Result<Snapshot, String>,
        /// Where new secrets go, in words.
        secret_target: String,
    },
    /// The profile file changed on disk (another instance or the CLI).
    Reloaded(Snapshot),
    /// A save finished.
    Saved {
        /// Its request.
        id: RequestId,
        /// The saved profile, or the error.
        result: Result<Profile, StoreError>,
        /// Where the secret went, in words, when one was saved.
        secret: Option<String>,
        /// The profiles after it.
        snapshot: Option<Snapshot>,
    },
    /// A profile was changed by an action (pin, CA file).
    Changed {
        /// The profile after, or the error.
        result: Result<Profile, String>,
        /// What was done, for the notice.
        what: String,
        /// The profiles after it.
        snapshot: Option<Snapshot>,
    },
    /// A profile was deleted.
    Deleted {
        /// Its name.
        name: String,
        /// What happened, or the error.
        result: Result<String, String>,
        /// The profiles after it.
        snapshot: Option<Snapshot>,
    },
    /// An import file was read: its profiles, not imported yet.
    ImportRead {
        /// The file.
        path: PathBuf,
        /// Its profiles.
        profiles: Vec<Profile>,
    },
    /// An import finished.
    Imported {
        /// A sentence, or the error.
        result: Result<String, String>,
        /// The profiles after it.
        snapshot: Option<Snapshot>,
    },
    /// A step of a check started or ended.
    CheckEvent {
        /// The profile.
        profile: String,
        /// The check's request.
        id: RequestId,
        /// What happened.
        event: CheckEvent,
    },
    /// A check ended.
    CheckDone {
        /// The profile.
        profile: String,
        /// The check's request.
        id: RequestId,
        /// The report, or why it could not run (`None` when cancelled).
        result: Result<Box<CheckReport>, Option<String>>,
    },
    /// A file dialog for a path setting answered.
    FileChosen {
        /// The setting.
        setting: Setting,
        /// What the dialog said.
        outcome: PickOutcome,
    },
    /// A file was summarised.
    FileRead {
        /// The setting.
        setting: Setting,
        /// Its request.
        id: RequestId,
        /// The path read.
        path: String,
        /// What it holds.
        summary: FileSummary,
    },
    /// Where the selected profile's secret is.
    SecretInfo {
        /// The profile.
        profile: String,
        /// A sentence, or the error.
        result: Result<String, String>,
    },
    /// Discover answered.
    Discovered {
        /// Its request.
        id: RequestId,
        /// Tenants, databases and a note; or the error.
        result: Result<(Vec<String>, Vec<String>, String), String>,
    },
    /// The browser opened: its session and the collections; or why not.
    BrowseOpened {
        /// Its request (also the session's number).
        id: RequestId,
        /// What was found.
        result: Result<(Opened, Vec<Collection>), BrowseFailure>,
    },
    /// Record counts of collections, as they arrive (by collection id).
    CollectionCounts {
        /// The session.
        session: RequestId,
        /// Counts and dimensions, or why a collection could not be counted.
        counts: Vec<(String, Result<CollectionStats, String>)>,
    },
    /// A page of records.
    RecordsLoaded {
        /// Its request.
        id: RequestId,
        /// The page, or the failure.
        result: Result<RecordsPage, BrowseFailure>,
    },
    /// Similar records.
    SimilarLoaded {
        /// Its request.
        id: RequestId,
        /// The hits, nearest first, or the failure.
        result: Result<Vec<QueryHit>, BrowseFailure>,
    },
    /// An export wrote this many records so far.
    ExportProgress {
        /// Its request.
        id: RequestId,
        /// Records fetched.
        done: u64,
        /// Records to fetch, when known.
        total: Option<u64>,
    },
    /// An export ended.
    ExportDone {
        /// Its request.
        id: RequestId,
        /// A sentence, or why it failed.
        result: Result<String, String>,
    },
    /// A file was written (report, chain, export), or not.
    Wrote {
        /// A sentence, or the error.
        result: Result<String, String>,
    },
}

/// The store and the keychain, once opened (both block, so they are opened and used off the UI thread).
#[derive(Debug)]
struct Stores {
    profiles: ProfileStore,
    secrets: SecretStore,
}

/// Runs the app's background work.
#[derive(Debug)]
pub struct Backend {
    /// Owned to shut it down without waiting; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    tx: Sender<Message>,
    repaint: egui::Context,
    paths: AppPaths,
    stores: Arc<Mutex<Option<Stores>>>,
    picker: Arc<dyn FilePicker>,
    next_id: AtomicU64,
    /// Cancel handles of running checks and exports.
    checks: Mutex<Vec<(RequestId, CancellationToken)>>,
    sessions: browse::Sessions,
}

impl Backend {
    /// Starts the runtime and opens the store and the keychain in the background. Results arrive on the receiver.
    pub fn start(
        paths: AppPaths,
        repaint: egui::Context,
        picker: Arc<dyn FilePicker>,
    ) -> std::io::Result<(Self, Receiver<Message>)> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("chroma-connect-worker")
            .enable_all()
            .build()?;
        let (tx, rx) = std::sync::mpsc::channel();
        let backend = Self {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            tx,
            repaint,
            paths,
            stores: Arc::new(Mutex::new(None)),
            picker,
            next_id: AtomicU64::new(1),
            checks: Mutex::new(Vec::new()),
            sessions: browse::Sessions::default(),
        };
        backend.open();
        backend.watch();
        Ok((backend, rx))
    }

    fn rt(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    /// A new request number.
    pub fn next_id(&self) -> RequestId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The context the backend wakes when a result arrives.
    #[must_use]
    pub fn repaint_context(&self) -> egui::Context {
        self.repaint.clone()
    }

    /// The app's folders.
    #[must_use]
    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    fn sender(&self) -> Reply {
        Reply { tx: self.tx.clone(), repaint: self.repaint.clone() }
    }

    /// Runs `work` on the blocking pool with the opened stores, then sends what it returns.
    fn with_stores(&self, work: impl FnOnce(&mut Stores) -> Message + Send + 'static, not_open: Message) {
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        self.rt().spawn_blocking(move || {
            let mut guard = stores.lock().unwrap_or_else(PoisonError::into_inner);
            let message = match guard.as_mut() {
                Some(stores) => work(stores),
                None => not_open,
            };
            drop(guard);
            reply.send(message);
        });
    }

    fn open(&self) {
        let stores = Arc::clone(&self.stores);
        let paths = self.paths.clone();
        let reply = self.sender();
        self.rt().spawn_blocking(move || {
            let secrets = SecretStore::open(&paths).unwrap_or_else(|err| {
                tracing::warn!("no keychain: {err}");
                SecretStore::with_mode(&paths, crate::profile::SecretStoreMode::File)
            });
            let secret_target = match secrets.target() {
                Ok(location) => capitalize(
                    &location.describe("secrets are", "NAME").replace(" account NAME", " one entry per profile"),
                ),
                Err(err) => format!("secrets cannot be saved: {err}"),
            };
            let snapshot = match ProfileStore::open(&paths) {
                Ok(mut profiles) => {
                    let snapshot = snapshot_of(&mut profiles);
                    *stores.lock().unwrap_or_else(PoisonError::into_inner) = Some(Stores { profiles, secrets });
                    Ok(snapshot)
                }
                Err(err) => Err(err.to_string()),
            };
            reply.send(Message::Opened { snapshot, secret_target });
        });
    }

    /// Looks at the profile file every [`WATCH_INTERVAL`] and sends it again when another program changed it.
    fn watch(&self) {
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        self.rt().spawn(async move {
            let mut interval = tokio::time::interval(WATCH_INTERVAL);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let stores = Arc::clone(&stores);
                let changed = tokio::task::spawn_blocking(move || {
                    // A store busy with a save is not waited for: the next tick looks again.
                    let mut guard = stores.try_lock().ok()?;
                    let stores = guard.as_mut()?;
                    if !stores.profiles.changed_on_disk() {
                        return None;
                    }
                    match stores.profiles.reload() {
                        Ok(_) => Some(snapshot_of(&mut stores.profiles)),
                        Err(err) => {
                            tracing::warn!("cannot reload the profiles: {err}");
                            None
                        }
                    }
                })
                .await;
                if let Ok(Some(snapshot)) = changed {
                    reply.send(Message::Reloaded(snapshot));
                }
            }
        });
    }

    /// Saves a profile: adds it (`saved_name` `None`) or replaces the saved one, refusing when another program
    /// changed it since `expected` was read.
    pub fn save(
        &self,
        id: RequestId,
        saved_name: Option<String>,
        expected: Option<Profile>,
        profile: Profile,
        secret: Option<Secret>,
    ) {
        let not_open = Message::Saved { id, result: Err(not_open_error()), secret: None, snapshot: None };
        self.with_stores(
            move |stores| {
                let noun = profile.connection.auth.secret_noun().unwrap_or("secret");
                let name = profile.name.clone();
                let result = match &saved_name {
                    None => stores.profiles.add(profile, secret.as_ref(), &stores.secrets).map(|loc| (loc, None)),
                    Some(saved) => {
                        let options = UpdateOptions { expected: expected.as_ref(), new_secret: secret.as_ref() };
                        let new = profile.clone();
                        stores
                            .profiles
                            .update(saved, &stores.secrets, options, move |p| {
                                *p = new;
                                Ok(())
                            })
                            .map(|updated| (updated.secret, Some(updated.warnings)))
                    }
                };
                let snapshot = Some(snapshot_of(&mut stores.profiles));
                match result {
                    Ok((location, _)) => {
                        let saved = stores.profiles.get(&name).cloned();
                        let secret = location.map(|l| l.describe(noun, &name));
                        let result = saved.ok_or_else(|| StoreError::NotFound { name, known: Vec::new() });
                        Message::Saved { id, result, secret, snapshot }
                    }
                    Err(err) => Message::Saved { id, result: Err(err), secret: None, snapshot },
                }
            },
            not_open,
        );
    }

    /// Changes one saved profile with `change` (pin, unpin, CA file).
    pub fn change(&self, name: String, what: String, change: impl FnOnce(&mut Profile) + Send + 'static) {
        let not_open =
            Message::Changed { result: Err(not_open_error().to_string()), what: what.clone(), snapshot: None };
        self.with_stores(
            move |stores| {
                let result = stores
                    .profiles
                    .update(&name, &stores.secrets, UpdateOptions::default(), |p| {
                        change(p);
                        Ok(())
                    })
                    .map(|updated| updated.after)
                    .map_err(|err| err.to_string());
                Message::Changed { result, what, snapshot: Some(snapshot_of(&mut stores.profiles)) }
            },
            not_open,
        );
    }

    /// Saves a certificate (PEM) in the app's data folder and makes it the CA file of profile `name`.
    pub fn use_as_ca(&self, name: String, pem: String, sha256: &str) {
        let short: String = sha256.chars().filter(char::is_ascii_hexdigit).take(12).collect();
        let file_stem: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(40).collect();
        let path = self.paths.data_dir.join("trusted").join(format!("{file_stem}-{short}.pem"));
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        self.rt().spawn_blocking(move || {
            let what = format!("The certificate was saved as {} and is now the CA file of {name}", path.display());
            if let Err(err) = write_file(&path, pem.as_bytes()) {
                reply.send(Message::Changed { result: Err(err), what, snapshot: None });
                return;
            }
            let mut guard = stores.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(stores) = guard.as_mut() else {
                reply.send(Message::Changed { result: Err(not_open_error().to_string()), what, snapshot: None });
                return;
            };
            let result = stores
                .profiles
                .update(&name, &stores.secrets, UpdateOptions::default(), |p| {
                    if !matches!(p.connection.verify, crate::profile::Verify::CaFile(_)) {
                        p.connection.ca_mode = crate::tls::CaMode::Only;
                    }
                    p.connection.verify = crate::profile::Verify::CaFile(path.clone());
                    Ok(())
                })
                .map(|updated| updated.after)
                .map_err(|err| err.to_string());
            let snapshot = Some(snapshot_of(&mut stores.profiles));
            drop(guard);
            reply.send(Message::Changed { result, what, snapshot });
        });
    }

    /// Deletes a profile and its saved secret.
    pub fn delete(&self, name: String) {
        let not_open =
            Message::Deleted { name: name.clone(), result: Err(not_open_error().to_string()), snapshot: None };
        self.with_stores(
            move |stores| {
                let result = stores.profiles.remove(&name, &stores.secrets);
                let snapshot = Some(snapshot_of(&mut stores.profiles));
                let result = match result {
                    Ok(removed) => Ok(match removed.secret_deleted {
                        Ok(true) => format!("Deleted {name} and its saved secret."),
                        Ok(false) => format!("Deleted {name}."),
                        Err(err) => format!("Deleted {name}; its secret could not be deleted: {err}"),
                    }),
                    Err(err) => Err(err.to_string()),
                };
                Message::Deleted { name, result, snapshot }
            },
            not_open,
        );
    }

    /// Where a profile's secret is (or that none is saved).
    pub fn secret_info(&self, profile: Profile) {
        let not_open = Message::SecretInfo { profile: profile.name.clone(), result: Err(not_open_error().to_string()) };
        self.with_stores(
            move |stores| {
                let noun = profile.connection.auth.secret_noun().unwrap_or("secret");
                let result = match stores.secrets.resolve(&profile) {
                    Ok(Some(found)) => Ok(capitalize(&found.location.describe(noun, &profile.name))),
                    Ok(None) => Ok(format!("No {noun} is saved for this profile yet: type it and save.")),
                    Err(err) => Err(capitalize(&err.to_string())),
                };
                Message::SecretInfo { profile: profile.name, result }
            },
            not_open,
        );
    }

    /// Reads the file of a path setting and summarises it.
    pub fn inspect_file(&self, id: RequestId, setting: Setting, path: String) {
        let role = match setting {
            Setting::ClientCert => FileRole::ClientCertificate,
            Setting::ClientKey => FileRole::PrivateKey,
            _ => FileRole::CaCertificates,
        };
        let reply = self.sender();
        self.rt().spawn_blocking(move || {
            let summary = summarize_file(Path::new(&path), role);
            reply.send(Message::FileRead { setting, id, path, summary });
        });
    }

    /// Opens the file dialog for a path setting.
    pub fn choose_file(&self, setting: Setting) {
        let (title, filters) = match setting {
            Setting::ClientCert => ("Choose the client certificate", pem_filters()),
            Setting::ClientKey => ("Choose the client certificate's private key", pem_filters()),
            _ => ("Choose the CA certificate file", pem_filters()),
        };
        let request = PickRequest { title: title.to_owned(), save: false, file_name: None, filters };
        let picker = Arc::clone(&self.picker);
        let reply = self.sender();
        self.rt().spawn(async move {
            let outcome = picker.pick(request).await;
            reply.send(Message::FileChosen { setting, outcome });
        });
    }

    /// Asks where to save, then writes `contents` there.
    pub fn save_as(&self, title: &str, file_name: String, extension: &str, contents: String, what: String) {
        let request = PickRequest {
            title: title.to_owned(),
            save: true,
            file_name: Some(file_name),
            filters: vec![(extension.to_uppercase(), vec![extension.to_owned()])],
        };
        self.save_to(request, move |path| {
            write_file(path, contents.as_bytes()).map(|()| format!("{what} saved to {}", path.display()))
        });
    }

    /// Asks where to save with `request`, then runs `write` on a blocking thread with the chosen path; its text
    /// (or error) comes back as [`Message::Wrote`]. Nothing happens when the dialog is cancelled.
    fn save_to(&self, request: PickRequest, write: impl FnOnce(&Path) -> Result<String, String> + Send + 'static) {
        let picker = Arc::clone(&self.picker);
        let reply = self.sender();
        self.rt().spawn(async move {
            let result = match picker.pick(request).await {
                PickOutcome::Chosen(path) => {
                    let written = tokio::task::spawn_blocking(move || write(&path)).await;
                    written.unwrap_or_else(|err| Err(err.to_string()))
                }
                PickOutcome::Cancelled => return,
                PickOutcome::Unavailable(reason) => Err(reason),
            };
            reply.send(Message::Wrote { result });
        });
    }

    /// Saves the support bundle of `report` (a check of `checked`) to a file the user chooses. The bundle reads the
    /// profile's files and the OS release: on a blocking thread.
    pub fn save_bundle(&self, file_name: String, report: crate::diagnose::CheckReport, checked: Profile) {
        let request = PickRequest {
            title: "Save support bundle".to_owned(),
            save: true,
            file_name: Some(file_name),
            filters: vec![("JSON".to_owned(), vec!["json".to_owned()])],
        };
        self.save_to(request, move |path| {
            let bundle = crate::diagnose::SupportBundle::new(&report, &checked.connection, Some(&checked.name));
            write_file(path, format!("{}\n", bundle.to_json()).as_bytes()).map(|()| {
                format!("Support bundle saved to {} (no token, password or URL credentials in it).", path.display())
            })
        });
    }

    /// Exports every profile (without secrets) to a file the user chooses.
    pub fn export(&self, profiles: &[Profile]) {
        let refs: Vec<&Profile> = profiles.iter().collect();
        match export_profiles(&refs) {
            Ok(text) => self.save_as(
                "Export profiles",
                "chroma-connect-profiles.toml".to_owned(),
                "toml",
                text,
                format!("{} profiles (without secrets)", profiles.len()),
            ),
            Err(err) => self.sender().send(Message::Wrote { result: Err(format!("Cannot export: {err}")) }),
        }
    }

    /// Reads a profile file the user chooses: [`Message::ImportRead`] with its profiles, to be imported by
    /// [`Backend::import_profiles`] (after a question when some need a look).
    pub fn import(&self) {
        let request = PickRequest {
            title: "Import profiles".to_owned(),
            save: false,
            file_name: None,
            filters: vec![("Profiles".to_owned(), vec!["toml".to_owned()])],
        };
        let picker = Arc::clone(&self.picker);
        let reply = self.sender();
        self.rt().spawn(async move {
            let path = match picker.pick(request).await {
                PickOutcome::Chosen(path) => path,
                PickOutcome::Cancelled => return,
                PickOutcome::Unavailable(reason) => {
                    reply.send(Message::Imported { result: Err(reason), snapshot: None });
                    return;
                }
            };
            let _ = tokio::task::spawn_blocking(move || {
                let message = match read_import(&path) {
                    Ok(profiles) => Message::ImportRead { path, profiles },
                    Err(text) => Message::Imported { result: Err(text), snapshot: None },
                };
                reply.send(message);
            })
            .await;
        });
    }

    /// Imports `profiles` read from `path`; existing names get a free name.
    pub fn import_profiles(&self, path: PathBuf, profiles: Vec<Profile>) {
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        self.rt().spawn_blocking(move || reply.send(import_read(&path, profiles, &stores)));
    }

    /// Runs the check of `settings` (or resolves the saved secret of `profile` first), streaming its steps.
    pub fn run_check(&self, id: RequestId, profile: Profile, typed_secret: Option<Secret>) {
        let token = CancellationToken::new();
        self.checks.lock().unwrap_or_else(PoisonError::into_inner).push((id, token.clone()));
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        let name = profile.name.clone();
        self.rt().spawn(async move {
            let settings = tokio::task::spawn_blocking(move || resolve(&stores, &profile, typed_secret)).await;
            let settings = match settings {
                Ok(Ok(settings)) => settings,
                Ok(Err(err)) => {
                    reply.send(Message::CheckDone { profile: name, id, result: Err(Some(err)) });
                    return;
                }
                Err(err) => {
                    reply.send(Message::CheckDone { profile: name, id, result: Err(Some(err.to_string())) });
                    return;
                }
            };
            let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
            let forward = {
                let reply = reply.clone();
                let name = name.clone();
                tokio::spawn(async move {
                    while let Some(event) = events_rx.recv().await {
                        reply.send(Message::CheckEvent { profile: name.clone(), id, event });
                    }
                })
            };
            let result = run_check(&settings, Some(events_tx), token).await;
            let _ = forward.await;
            let result = result.map(Box::new).map_err(|_| None);
            reply.send(Message::CheckDone { profile: name, id, result });
        });
    }

    /// Stops the check `id` at once.
    pub fn cancel_check(&self, id: RequestId) {
        let mut checks = self.checks.lock().unwrap_or_else(PoisonError::into_inner);
        for (_, token) in checks.iter().filter(|(check, _)| *check == id) {
            token.cancel();
        }
        checks.retain(|(check, _)| *check != id);
    }

    /// Forgets a finished check's cancel handle.
    pub fn check_finished(&self, id: RequestId) {
        self.checks.lock().unwrap_or_else(PoisonError::into_inner).retain(|(check, _)| *check != id);
    }

    /// Asks the server which tenant and databases the profile's credentials can use.
    pub fn discover(&self, id: RequestId, profile: Profile, typed_secret: Option<Secret>) {
        let stores = Arc::clone(&self.stores);
        let reply = self.sender();
        self.rt().spawn(async move {
            let result = async {
                let settings = tokio::task::spawn_blocking(move || resolve(&stores, &profile, typed_secret))
                    .await
                    .map_err(|err| err.to_string())??;
                discover(&settings).await
            }
            .await;
            reply.send(Message::Discovered { id, result });
        });
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        // Do not wait for a keychain or network call that may take seconds: the window is closing.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Sends messages to the UI and wakes it.
#[derive(Debug, Clone)]
struct Reply {
    tx: Sender<Message>,
    repaint: egui::Context,
}

impl Reply {
    fn send(&self, message: Message) {
        // The window may have closed: then nobody listens, and that is fine.
        let _ = self.tx.send(message);
        self.repaint.request_repaint();
    }
}

fn not_open_error() -> StoreError {
    StoreError::Io { action: "use", detail: "the profile store is not open".to_owned(), path: PathBuf::new() }
}

fn snapshot_of(store: &mut ProfileStore) -> Snapshot {
    Snapshot {
        profiles: store.profiles().to_vec(),
        broken: store.broken().to_vec(),
        path: store.path(),
        notices: store.take_notices().iter().map(ToString::to_string).collect(),
    }
}

/// The settings of `profile` with its secret: the one typed in the editor, else the saved one.
fn resolve(
    stores: &Mutex<Option<Stores>>,
    profile: &Profile,
    typed_secret: Option<Secret>,
) -> Result<ConnectionSettings, String> {
    if let Some(secret) = typed_secret {
        return Ok(profile.to_settings(secret));
    }
    let guard = stores.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(stores) = guard.as_ref() else { return Err(not_open_error().to_string()) };
    settings_with_secret(profile, &stores.secrets).map_err(|err| capitalize(&err.to_string()))
}

async fn discover(settings: &ConnectionSettings) -> Result<(Vec<String>, Vec<String>, String), String> {
    use crate::chroma::{ApiVersion, ChromaClient, ClientOptions};
    let client = ChromaClient::connect(settings, ClientOptions::default()).await.map_err(|err| format!("{err:#}"))?;
    let api = client.detect_api().await.map_err(|err| format!("{err:#}"))?;
    let mut tenants = vec![settings.tenant.clone()];
    let mut note;
    if api == ApiVersion::V2 {
        match client.identity().await {
            Ok(identity) if !identity.tenant.is_empty() && identity.tenant != "*" => {
                tenants = vec![identity.tenant.clone()];
                note = format!("The credentials belong to tenant {}.", identity.tenant);
            }
            Ok(_) => note = "The server does not tie the credentials to one tenant.".to_owned(),
            Err(err) => note = format!("The server did not say which tenant the credentials use ({err})."),
        }
    } else {
        note = "This is a 0.4/0.5 server (API v1): it cannot list tenants or databases.".to_owned();
    }
    let tenant = tenants.first().cloned().unwrap_or_default();
    let databases = match client.list_databases(api, &tenant, &settings.database).await {
        Ok(list) => {
            if !list.listed {
                note.push_str(" The server has no database list: type the database.");
            }
            list.databases.into_iter().map(|d| d.name).collect()
        }
        Err(err) => {
            let _ = write!(note, " The databases could not be listed: {err}");
            Vec::new()
        }
    };
    Ok((tenants, databases, note.trim().to_owned()))
}

/// The profiles of an import file, or why it cannot be read.
fn read_import(path: &Path) -> Result<Vec<Profile>, String> {
    let text = read_small_file(path)?;
    parse_import(&text).map_err(|err| format!("Cannot import {}: {err}", path.display()))
}

fn import_read(path: &Path, profiles: Vec<Profile>, stores: &Mutex<Option<Stores>>) -> Message {
    let fail = |text: String| Message::Imported { result: Err(text), snapshot: None };
    let mut guard = stores.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(stores) = guard.as_mut() else { return fail(not_open_error().to_string()) };
    let flagged: Vec<String> = profiles
        .iter()
        .filter(|p| matches!(p.connection.verify, crate::profile::Verify::Off))
        .map(|p| p.name.clone())
        .collect();
    let from_env: Vec<String> = profiles
        .iter()
        .filter_map(|p| match p.connection.auth.source() {
            Some(crate::profile::SecretSource::Env(var)) => Some(format!("{} (${var})", p.name)),
            _ => None,
        })
        .collect();
    let pairs = profiles.into_iter().map(|p| (p, None)).collect();
    let result = stores.profiles.import(pairs, ConflictPolicy::Rename, &stores.secrets);
    let snapshot = Some(snapshot_of(&mut stores.profiles));
    let result = result
        .map(|imported| {
            let mut text = format!("Imported {} profile(s) from {}.", imported.len(), path.display());
            let renamed: Vec<String> = imported
                .iter()
                .filter(|i| i.saved_as != i.name)
                .map(|i| format!("{} as {}", i.name, i.saved_as))
                .collect();
            if !renamed.is_empty() {
                let _ = write!(text, " Names already taken, saved as: {}.", renamed.join(", "));
            }
            let need: Vec<&str> = imported.iter().filter(|i| i.needs_secret).map(|i| i.saved_as.as_str()).collect();
            if !need.is_empty() {
                let _ = write!(text, " Type the secret of: {}.", need.join(", "));
            }
            if !flagged.is_empty() {
                let _ = write!(text, " Verification is OFF in: {}.", flagged.join(", "));
            }
            if !from_env.is_empty() {
                let _ = write!(text, " Secrets read from environment variables: {}.", from_env.join(", "));
            }
            text
        })
        .map_err(|err| capitalize(&err.to_string()));
    Message::Imported { result, snapshot }
}

/// Reads a small regular file (no FIFO, no device, at most [`MAX_IMPORT_BYTES`]).
fn read_small_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|err| format!("Cannot read {}: {err}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file.", path.display()));
    }
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(format!("{} is larger than 1 MiB: not a profile file.", path.display()));
    }
    std::fs::read_to_string(path).map_err(|err| format!("Cannot read {}: {err}", path.display()))
}

/// Writes a file whole: a temporary file beside it, then a rename.
fn write_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    let fail = |err: std::io::Error| format!("Cannot write {}: {err}", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let tmp = path.with_extension("tmp-chroma-connect");
    std::fs::write(&tmp, contents).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

fn pem_filters() -> Vec<(String, Vec<String>)> {
    vec![
        ("Certificates and keys".to_owned(), ["pem", "crt", "cer", "der", "key"].map(str::to_owned).to_vec()),
        ("All files".to_owned(), vec!["*".to_owned()]),
    ]
}

/// `text` with its first letter in upper case.
#[must_use]
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
