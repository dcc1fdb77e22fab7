//! What the user asked for: one variant per intent. UI functions return these; [`super::ChromaConnectApp`]
//! applies them once per frame, after drawing, and starts any background work they need.

use std::path::PathBuf;

use crate::profile::Setting;

use super::state::{Page, ThemeChoice};

/// One user intent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Command {
    /// Show this profile (asks first when the open draft has unsaved changes).
    SelectProfile(String),
    /// Start a new, unsaved profile (Ctrl+N).
    NewProfile,
    /// Start a new profile that copies this one's settings (not its secret).
    DuplicateProfile(String),
    /// Ask to delete this profile.
    AskDeleteProfile(String),
    /// Delete this profile and its saved secret (after the confirmation).
    DeleteProfile(String),
    /// Save the open draft (Ctrl+S).
    SaveDraft,
    /// Throw away the open draft's changes.
    RevertDraft,
    /// Pick a profile file with the native dialog and import it.
    ImportProfiles,
    /// Pick where to export every profile (without secrets) with the native dialog.
    ExportProfiles,
    /// Make a profile from the `CHROMA_*` environment variables.
    ImportFromEnvironment,
    /// Choose the file of a path setting (CA file, client certificate, key) with the native dialog.
    ChooseFile(Setting),
    /// Read and summarise the file a path setting names (after typing or choosing it).
    InspectFile(Setting),
    /// Ask the server for the tenant and databases the credentials can use.
    DiscoverScope,
    /// Run the connection check of the selected profile (Ctrl+Enter).
    RunCheck,
    /// Stop the running check of the selected profile.
    CancelCheck,
    /// Copy the last report of the selected profile, as redacted text, to the clipboard.
    CopyReport,
    /// Save the last report of the selected profile as JSON (the CLI's `check --json`), through the dialog.
    SaveReport,
    /// Save the support bundle of the last check (report, chain, file summaries, settings without secrets, app
    /// version, OS) as JSON, through the dialog.
    SaveBundle,
    /// Save the certificate chain of the last check as PEM, through the dialog.
    SaveChainPem,
    /// Ask to pin the certificate at this index of the last chain.
    AskPin(usize),
    /// Pin this SHA-256 fingerprint in the selected profile (after the confirmation).
    Pin(String),
    /// Remove the pinned fingerprint.
    Unpin,
    /// Copy the selected saved profile as code in this language (secrets as environment variables).
    CopySnippet(crate::snippet::Lang),
    /// Import the profiles of the open import question: all of them, or only those that need no look.
    ConfirmImport {
        /// Leave out the profiles the question named.
        skip_flagged: bool,
    },
    /// Ask to use the certificate at this index of the last chain as the profile's CA file.
    AskUseAsCa(usize),
    /// Save that certificate in the app's data folder and make it the profile's CA file (after the confirmation).
    UseAsCa(usize),
    /// Explain the text of the doctor's "Paste an error" box (after it changed).
    ExplainPaste,
    /// Show a page of the selected profile.
    ShowPage(Page),
    /// Open the editor on a setting's field (from a hint's button).
    GoToSetting(Setting),
    /// Use this theme.
    SetTheme(ThemeChoice),
    /// Close the open dialog.
    CloseDialog,
    /// Discard the draft's changes and carry on with what the unsaved-changes dialog held back.
    DiscardAndContinue,
    /// Save the draft and carry on with what the unsaved-changes dialog held back.
    SaveAndContinue,
    /// Copy this text to the clipboard.
    CopyText(String),
    /// Dismiss the notice at this index.
    DismissNotice(usize),
    /// Open the browser of the selected profile: connect, list the databases and every collection (counts follow).
    /// Also what Refresh and choosing another tenant or database do.
    OpenBrowser,
    /// Show the records of the collection with this id.
    OpenCollection(String),
    /// Back from the records to the collections.
    CloseCollection,
    /// Load the page of records at this offset, with the filters as typed (checked before anything is sent).
    LoadRecords {
        /// First record of the page.
        offset: u32,
    },
    /// Show this many records per page (from the first page).
    SetPageSize(u32),
    /// Find the records most similar to the selected one.
    FindSimilar,
    /// Back from the similar records to the page.
    CloseSimilar,
    /// Export records as chosen in the records view (through the save dialog).
    ExportRecords,
    /// Stop the running export.
    CancelExport,
    /// Stop what the browser is waiting for (connecting, a page, similar records).
    CancelBrowse,
    /// Close the window (asks when there are unsaved changes).
    Quit,
    /// Open a file in the app's data folder (internal: the path of a chosen file, for tests and drag and drop).
    SetPath(Setting, PathBuf),
}
