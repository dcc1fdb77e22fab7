//! Everything the window shows, owned by the app and drawn by `ui`. Changed only by commands and by result
//! messages from background tasks.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::diagnose::{CheckReport, Step, StepReport, StepStatus};
use crate::profile::{BrokenProfile, Profile, Setting};
use crate::tls::FileSummary;

use super::command::Command;
use super::draft::Draft;

/// A request's number: results carry it, and a result whose number is not the one awaited is dropped.
pub type RequestId = u64;

/// The pages of a selected profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Page {
    /// The connection editor.
    #[default]
    Connection,
    /// The connection doctor: the step-by-step check.
    Doctor,
    /// The certificate chain of the last check.
    Certificates,
    /// The collections and records of the server.
    Browse,
}

impl Page {
    /// Every page, in tab order.
    pub const ALL: [Self; 4] = [Self::Connection, Self::Doctor, Self::Certificates, Self::Browse];

    /// The tab's title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Connection => "Connection",
            Self::Doctor => "Doctor",
            Self::Certificates => "Certificates",
            Self::Browse => "Browse",
        }
    }
}

/// Light, dark, or as the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// How the last check of a profile ended: the colour of its dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Health {
    /// Never checked.
    #[default]
    Unknown,
    /// Passed.
    Ok,
    /// Passed with warnings (e.g. verification off).
    Warning,
    /// Failed.
    Failed,
}

/// What is remembered of a profile's last check across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LastCheck {
    /// The dot.
    pub health: Health,
    /// The diagnosis code.
    pub code: String,
    /// The diagnosis summary.
    pub summary: String,
    /// When it ran (RFC 3339, UTC).
    pub checked_at: String,
    /// The soonest `notAfter` (Unix seconds) of the certificates the server presented, for the days-left badge of
    /// the profile list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_not_after_unix: Option<i64>,
}

impl LastCheck {
    /// Whole days until the soonest certificate of the last check expires (negative once expired).
    #[must_use]
    pub fn cert_days_left(&self, now: std::time::SystemTime) -> Option<i64> {
        let now = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        let now = i64::try_from(now).ok()?;
        Some((self.cert_not_after_unix? - now).div_euclid(86_400))
    }
}

/// What the app keeps across restarts, besides what eframe keeps (window size and position, panel widths).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The theme.
    pub theme: ThemeChoice,
    /// The selected profile.
    pub selected: Option<String>,
    /// The page shown.
    pub page: Page,
    /// The last check of each profile, by name.
    pub last_checks: BTreeMap<String, LastCheck>,
}

/// The profiles as last read from the store.
#[derive(Debug, Clone, Default)]
pub enum StoreView {
    /// Being opened (off the UI thread).
    #[default]
    Loading,
    /// Read.
    Ready {
        /// The profiles, in the file's order.
        profiles: Vec<Profile>,
        /// Entries of the file that could not be read.
        broken: Vec<BrokenProfile>,
        /// The profile file.
        path: PathBuf,
    },
    /// Could not be opened (a newer file version, an I/O error): nothing can be saved.
    Failed(String),
}

impl StoreView {
    /// The profiles, empty while loading or failed.
    #[must_use]
    pub fn profiles(&self) -> &[Profile] {
        match self {
            Self::Ready { profiles, .. } => profiles,
            _ => &[],
        }
    }

    /// The profile named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles().iter().find(|p| p.name == name)
    }
}

/// A check of one profile: running, or its result.
#[derive(Debug, Clone)]
pub struct CheckRun {
    /// Its request number.
    pub id: RequestId,
    /// The step running now.
    pub current: Option<Step>,
    /// The steps finished so far.
    pub steps: Vec<StepReport>,
    /// When it started.
    pub started: Instant,
    /// How it ended.
    pub outcome: CheckOutcome,
    /// The settings it checked (the editor's, saved or not), without the secret: for the support bundle.
    pub checked: Option<crate::profile::Profile>,
}

/// How a check ended.
#[derive(Debug, Clone)]
pub enum CheckOutcome {
    /// Still running.
    Running,
    /// Finished with a report.
    Done(Box<CheckReport>),
    /// Cancelled by the user.
    Cancelled,
    /// Could not start (the secret could not be read, ...).
    Failed(String),
}

impl CheckRun {
    /// True while it runs.
    #[must_use]
    pub fn is_running(&self) -> bool {
        matches!(self.outcome, CheckOutcome::Running)
    }

    /// The report, once finished.
    #[must_use]
    pub fn report(&self) -> Option<&CheckReport> {
        match &self.outcome {
            CheckOutcome::Done(report) => Some(report),
            _ => None,
        }
    }
}

/// The health a report gives a profile.
#[must_use]
pub fn health_of(report: &CheckReport) -> Health {
    if !report.ok {
        Health::Failed
    } else if !report.warnings.is_empty() || report.steps.iter().any(|s| s.status == StepStatus::Warning) {
        Health::Warning
    } else {
        Health::Ok
    }
}

/// What a chosen or typed file holds.
#[derive(Debug, Clone)]
pub enum FileCheck {
    /// Being read.
    Reading(RequestId),
    /// Read: the path it was for and what it holds.
    Read {
        /// The path summarised.
        path: String,
        /// What it holds.
        summary: FileSummary,
    },
}

/// Where a profile's secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretInfo {
    /// Being looked up.
    Looking,
    /// A sentence saying where it is (or that none is saved).
    Found(String),
    /// It could not be read.
    Error(String),
}

/// A modal question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Delete this profile?
    ConfirmDelete(String),
    /// The draft has unsaved changes: save, discard or stay? Holds what to do after.
    UnsavedChanges(Box<Command>),
    /// Pin this certificate?
    ConfirmPin {
        /// Its subject.
        subject: String,
        /// Its SHA-256 fingerprint.
        sha256: String,
    },
    /// Import profiles of which some need a look (verification off, a secret from an environment variable)?
    ConfirmImport {
        /// The file.
        path: std::path::PathBuf,
        /// Every profile it holds.
        profiles: Vec<crate::profile::Profile>,
        /// What needs a look, one sentence each, with the profile's name.
        risks: Vec<(String, String)>,
    },
    /// Use this certificate as the CA file?
    ConfirmUseAsCa {
        /// Its index in the last chain.
        index: usize,
        /// Its subject.
        subject: String,
        /// Its SHA-256 fingerprint.
        sha256: String,
    },
}

/// How serious a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    /// Something done.
    Info,
    /// Something to know.
    Warning,
    /// Something failed.
    Error,
}

/// A message at the bottom of the window until dismissed (info ones fade after a while).
#[derive(Debug, Clone)]
pub struct Notice {
    /// How serious.
    pub level: NoticeLevel,
    /// The text.
    pub text: String,
    /// When it appeared.
    pub at: Instant,
}

/// Tenant and databases found by Discover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// Asking the server.
    Running(RequestId),
    /// What the server said.
    Found {
        /// Tenant names the credentials can use.
        tenants: Vec<String>,
        /// Databases of the tenant.
        databases: Vec<String>,
        /// Words for the user.
        note: String,
    },
    /// The server could not be asked.
    Failed(String),
}

/// The whole state of the window.
#[derive(Debug, Default)]
pub struct AppState {
    /// Kept across restarts.
    pub prefs: Prefs,
    /// The profiles.
    pub store: StoreView,
    /// Where new secrets are saved, in words (keychain, or the fallback file and why).
    pub secret_target: Option<String>,
    /// The open draft: the selected profile, or a new one.
    pub draft: Option<Draft>,
    /// Search text of the profile list.
    pub search: String,
    /// Checks by profile name: running, or the last result of this session.
    pub checks: HashMap<String, CheckRun>,
    /// What the files of the editor's path fields hold.
    pub files: HashMap<Setting, FileCheck>,
    /// Why the native file dialog could not open, by field.
    pub dialog_unavailable: HashMap<Setting, String>,
    /// Where the selected profile's secret is.
    pub secret_info: Option<SecretInfo>,
    /// Tenant and database discovery of the draft.
    pub discovery: Option<Discovery>,
    /// The open modal question.
    pub dialog: Option<Dialog>,
    /// Messages at the bottom.
    pub notices: Vec<Notice>,
    /// A field to scroll to and focus on the next frame.
    pub focus: Option<Setting>,
    /// A save is in flight (its request number).
    pub saving: Option<RequestId>,
    /// Ask the search box for focus on the next frame.
    pub focus_search: bool,
    /// The window may close (the user answered the unsaved-changes question).
    pub close_confirmed: bool,
    /// What to do once the save in flight succeeds (from the unsaved-changes question).
    pub after_save: Option<Box<Command>>,
    /// The browser of the selected profile, once opened.
    pub browse: Option<super::browse::BrowseState>,
    /// The doctor's "Paste an error" box.
    pub paste: super::paste::PasteState,
}

impl AppState {
    /// The profile the draft edits, as saved.
    #[must_use]
    pub fn selected_profile(&self) -> Option<&Profile> {
        let name = self.draft.as_ref()?.saved_name()?;
        self.store.get(name)
    }

    /// The name the pages show: the saved name, or the new profile's name.
    #[must_use]
    pub fn selected_name(&self) -> Option<&str> {
        let draft = self.draft.as_ref()?;
        Some(draft.saved_name().unwrap_or(&draft.fields.name))
    }

    /// The check of the selected (saved) profile.
    #[must_use]
    pub fn selected_check(&self) -> Option<&CheckRun> {
        self.checks.get(self.draft.as_ref()?.saved_name()?)
    }

    /// The dot of a profile: this session's check, else the remembered one.
    #[must_use]
    pub fn health(&self, name: &str) -> Health {
        match self.checks.get(name).map(|run| &run.outcome) {
            Some(CheckOutcome::Done(report)) => health_of(report),
            Some(CheckOutcome::Failed(_)) => Health::Failed,
            _ => self.prefs.last_checks.get(name).map(|c| c.health).unwrap_or_default(),
        }
    }

    /// True when the open draft has unsaved changes.
    #[must_use]
    pub fn has_unsaved_changes(&self) -> bool {
        self.draft.as_ref().is_some_and(Draft::is_dirty)
    }

    /// Adds a notice.
    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<String>) {
        let text = text.into();
        self.notices.retain(|n| n.text != text);
        self.notices.push(Notice { level, text, at: Instant::now() });
        if self.notices.len() > 4 {
            self.notices.remove(0);
        }
    }
}
