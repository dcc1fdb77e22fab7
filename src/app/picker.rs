//! The native file dialog, behind a seam so that tests can choose files without a desktop.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// A boxed future that a picker returns.
pub type PickFuture = Pin<Box<dyn Future<Output = PickOutcome> + Send>>;

/// What to ask the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickRequest {
    /// The dialog's title.
    pub title: String,
    /// Choose where to save (true) or a file to open (false).
    pub save: bool,
    /// The file name suggested when saving.
    pub file_name: Option<String>,
    /// Filters: a name and the extensions it shows.
    pub filters: Vec<(String, Vec<String>)>,
}

/// What the dialog answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickOutcome {
    /// A file was chosen.
    Chosen(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// No dialog could open; the text says why and what to do instead.
    Unavailable(String),
}

/// Opens file dialogs. The app uses [`NativePicker`]; tests give their own.
pub trait FilePicker: Send + Sync + std::fmt::Debug {
    /// Shows a dialog for `request`; resolves when the user is done.
    fn pick(&self, request: PickRequest) -> PickFuture;
}

/// The operating system's file dialog (the XDG desktop portal on Linux, with zenity as the fallback).
#[derive(Debug, Default, Clone, Copy)]
pub struct NativePicker;

/// A dialog that answers faster than this did not open: no person closes one so fast.
const TOO_FAST: Duration = Duration::from_millis(150);

impl FilePicker for NativePicker {
    fn pick(&self, request: PickRequest) -> PickFuture {
        Box::pin(async move {
            if let Some(reason) = why_no_dialog() {
                return PickOutcome::Unavailable(reason);
            }
            let mut dialog = rfd::AsyncFileDialog::new().set_title(&request.title);
            for (name, extensions) in &request.filters {
                dialog = dialog.add_filter(name, extensions);
            }
            if let Some(file_name) = &request.file_name {
                dialog = dialog.set_file_name(file_name);
            }
            let started = Instant::now();
            let chosen = if request.save { dialog.save_file().await } else { dialog.pick_file().await };
            match chosen {
                Some(handle) => PickOutcome::Chosen(handle.path().to_path_buf()),
                None if started.elapsed() < TOO_FAST => PickOutcome::Unavailable(
                    "The file dialog did not open (no desktop file-chooser answered): type or paste the path."
                        .to_owned(),
                ),
                None => PickOutcome::Cancelled,
            }
        })
    }
}

/// Why no dialog can open on this system, if that can be told in advance.
fn why_no_dialog() -> Option<String> {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return None;
    }
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    let has_zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()));
    (!has_bus && !has_zenity).then(|| {
        "No file dialog can open here (no desktop portal on a D-Bus session, and no zenity): type or paste the \
         path."
            .to_owned()
    })
}
