//! The doctor's "Paste an error" box, driven through `egui_kittest` on the real app: a pasted traceback is named
//! with the check's code, the client's own fix and the button to the setting.

use chroma_connect::app::StartOptions;
use chroma_connect::app::state::Page;
use chroma_connect::diagnose::Code;
use chroma_connect::profile::Verify;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;

use crate::gui::{Gui, QueuePicker, app, home_with, profile};

/// Puts `text` in the "Paste an error" box, as a paste does.
fn paste(gui: &mut Gui, text: &str) {
    let node = gui.h().get_by_role_and_label(Role::MultilineTextInput, "Paste an error");
    node.focus();
    node.set_text_value_accesskit(text);
    gui.h().run_steps(4);
}

fn code(gui: &Gui) -> Option<Code> {
    gui.state().paste.explanation.as_ref().and_then(chroma_connect::explain::Explanation::code)
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/explain").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_pasted_traceback_is_explained_on_the_doctor_page() {
    let home = home_with(vec![(profile("lab", "https://chroma.example:8443", Verify::System), None)]);
    let start = StartOptions { profile: Some("lab".to_owned()), check: false };
    let mut gui = app(home, QueuePicker::answering([]), start);
    gui.wait("the profile to be selected", |app| app.state.draft.is_some());
    gui.click("Doctor");
    assert_eq!(gui.state().prefs.page, Page::Doctor);
    assert!(gui.shows("Paste an error"));
    assert!(gui.shows("Paste the whole error"), "the empty box says what to paste");

    paste(&mut gui, &fixture("chromadb-1.5.9-unknown-ca.txt"));
    gui.wait("the explanation", |app| app.state.paste.explanation.is_some());
    assert_eq!(code(&gui), Some(Code::TlsUnknownIssuer));
    assert!(gui.shows("tls.unknown_issuer"), "the code is on screen");
    assert!(gui.shows("Python (chromadb)"), "the client is named");
    assert!(gui.shows("chroma_server_ssl_verify"), "the fix is in chromadb's terms");
    assert!(gui.shows("Change CA file"), "the setting's button is there");
    assert!(gui.shows("Could not connect to a Chroma server"), "the wrapper is named as what hides the error");

    // Clear empties the box and the result.
    gui.click_button("Clear");
    gui.wait("the cleared box", |app| app.state.paste.text.is_empty() && app.state.paste.explanation.is_none());
    assert!(gui.shows("Paste the whole error"));

    // Text that is no known error says so.
    paste(&mut gui, "The quick brown fox jumps over the lazy dog.");
    gui.wait("the explanation", |app| app.state.paste.explanation.is_some());
    assert_eq!(code(&gui), None);
    assert!(gui.shows("Not recognised"));

    // A name mismatch points at the Server name field, and its button opens it.
    paste(&mut gui, "x509: certificate is valid for db.internal.example, not chroma.example");
    gui.wait("the explanation", |app| {
        app.state.paste.explanation.as_ref().and_then(chroma_connect::explain::Explanation::code)
            == Some(Code::TlsNameMismatch)
    });
    assert!(gui.shows("tls.name_mismatch"));
    assert!(gui.shows("db.internal.example, not for chroma.example"));
    gui.click_containing("Change Server name");
    assert_eq!(gui.state().prefs.page, Page::Connection);
    assert!(gui.h().get_by_label("Server name").is_focused(), "the button focuses the field");
}
