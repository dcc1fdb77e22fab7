//! The desktop app: state, commands, background work. Drawing is in [`crate::ui`].
//!
//! Data flows one way: a `ui` function returns [`Command`]s → [`ChromaConnectApp::apply`] changes the state and
//! starts background tasks on [`Backend`]'s tokio runtime → each task sends a [`Message`] tagged with its request
//! number → [`ChromaConnectApp::receive`] applies it (stale ones are dropped) → the UI repaints.

mod apply;
pub mod backend;
pub mod browse;
mod browse_flow;
pub mod command;
pub mod draft;
pub mod paste;
pub mod picker;
mod receive;
pub mod state;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use crate::profile::AppPaths;

pub use backend::{Backend, Message};
pub use command::Command;
pub use draft::{AuthChoice, Draft, Field, VerifyChoice};
pub use picker::{FilePicker, NativePicker, PickFuture, PickOutcome, PickRequest};
pub use state::{AppState, Page, ThemeChoice};

/// The window's title.
pub const TITLE: &str = "Chroma Connect";
/// The application id (desktop entry, window class).
pub const APP_ID: &str = "io.github.chroma_connect.ChromaConnect";
/// The window icon: the 256 px rendition of assets/chroma-connect.svg (made by scripts/icons.sh), the icon of the
/// desktop entry and the bundles too.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256x256.png");
/// Where [`ChromaConnectApp::save`] keeps [`state::Prefs`] in eframe's storage.
const PREFS_KEY: &str = "chroma-connect-prefs";

/// How the window was asked to start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartOptions {
    /// Select this profile.
    pub profile: Option<String>,
    /// Also run its check at once.
    pub check: bool,
}

/// The desktop app.
#[derive(Debug)]
pub struct ChromaConnectApp {
    /// What the window shows.
    pub state: AppState,
    backend: Backend,
    inbox: Receiver<Message>,
    start: StartOptions,
    /// The request number of the running check of each profile.
    theme_applied: Option<ThemeChoice>,
}

impl ChromaConnectApp {
    /// The app for `paths`: opens the store in the background. `prefs` are what an earlier run saved.
    pub fn new(
        ctx: &egui::Context,
        paths: AppPaths,
        picker: Arc<dyn FilePicker>,
        prefs: state::Prefs,
        start: StartOptions,
    ) -> std::io::Result<Self> {
        crate::ui::theme::install(ctx);
        let (backend, inbox) = Backend::start(paths, ctx.clone(), picker)?;
        let state = AppState { prefs, ..AppState::default() };
        Ok(Self { state, backend, inbox, start, theme_applied: None })
    }

    /// The app's folders.
    #[must_use]
    pub fn paths(&self) -> &AppPaths {
        self.backend.paths()
    }

    /// Applies the results that arrived. Called once per frame before drawing; never blocks.
    pub fn receive_all(&mut self) {
        while let Ok(message) = self.inbox.try_recv() {
            self.receive(message);
        }
    }

    fn apply_theme(&mut self, ctx: &egui::Context) {
        if self.theme_applied == Some(self.state.prefs.theme) {
            return;
        }
        let preference = match self.state.prefs.theme {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        };
        ctx.set_theme(preference);
        self.theme_applied = Some(self.state.prefs.theme);
    }
}

impl eframe::App for ChromaConnectApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.receive_all();
        self.apply_theme(ctx);
        if ctx.input(|i| i.viewport().close_requested())
            && self.state.has_unsaved_changes()
            && !self.state.close_confirmed
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.state.dialog = Some(state::Dialog::UnsavedChanges(Box::new(Command::Quit)));
        }
        // Info notices fade; a running check or fading notice keeps time moving.
        let now = std::time::Instant::now();
        self.state.notices.retain(|n| n.level != state::NoticeLevel::Info || now.duration_since(n.at).as_secs() < 8);
        if !self.state.notices.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let commands = crate::ui::app_ui(ui, &mut self.state);
        for command in commands {
            self.apply(ui.ctx(), command);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.state.prefs);
    }
}

/// Opens the window. Returns the exit code: 0 when it closed normally, 2 when it could not open (no display).
#[must_use]
pub fn main(start: StartOptions) -> ExitCode {
    if let Some(reason) = no_display() {
        eprintln_once(&format!(
            "chroma-connect: cannot open the window: {reason}. The same checks run headless: chroma-connect check \
             URL, chroma-connect profiles list, chroma-connect --help."
        ));
        return ExitCode::from(2);
    }
    let paths = match AppPaths::from_env() {
        Ok(paths) => paths,
        Err(err) => {
            eprintln_once(&format!("chroma-connect: {err}"));
            return ExitCode::from(2);
        }
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_app_id(APP_ID)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([760.0, 520.0])
            .with_icon(window_icon()),
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        persistence_path: Some(paths.config_dir.join("window.ron")),
        ..Default::default()
    };
    let result = eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let prefs = cc.storage.and_then(|s| eframe::get_value(s, PREFS_KEY)).unwrap_or_default();
            let app = ChromaConnectApp::new(&cc.egui_ctx, paths, Arc::new(NativePicker), prefs, start)?;
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln_once(&format!(
                "chroma-connect: cannot open the window: {err}. The same checks run headless: chroma-connect check \
                 URL (see chroma-connect --help)."
            ));
            ExitCode::from(2)
        }
    }
}

/// The window icon ([`ICON_PNG`], decoded); an empty icon (the platform's default) if it could not be decoded.
#[must_use]
pub fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(ICON_PNG).unwrap_or_default()
}

/// Why no window can open here, when that is known before trying (no X11 or Wayland display on Linux).
fn no_display() -> Option<String> {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return None;
    }
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    (!set("DISPLAY") && !set("WAYLAND_DISPLAY"))
        .then(|| "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)".to_owned())
}

#[expect(clippy::print_stderr, reason = "the one line a user sees when the window cannot open")]
fn eprintln_once(text: &str) {
    eprintln!("{text}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = super::window_icon();
        assert_eq!((icon.width, icon.height), (256, 256));
    }
}
