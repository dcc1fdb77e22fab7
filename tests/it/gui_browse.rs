//! The desktop app's browser, driven through `egui_kittest` against the real seeded servers (1.5.9 and 0.4.24), and
//! compared with what the CLI answers for the same requests.

use chroma_connect::app::StartOptions;
use chroma_connect::app::browse::{CollectionColumn, ExportState, Remote};
use chroma_connect::app::{ChromaConnectApp, PickOutcome};
use chroma_connect::profile::Verify;
use egui_kittest::kittest::Queryable as _;

use crate::browse::cli_json;
use crate::gui::{Gui, QueuePicker, app, home_with, profile};
use crate::support::{chroma_url, seeded};

fn url() -> String {
    chroma_url().as_str().trim_end_matches('/').to_owned()
}

fn opened(app: &ChromaConnectApp) -> bool {
    app.state.browse.as_ref().is_some_and(|b| matches!(b.opened, Remote::Ready(_)) && b.collections.counting == 0)
}

fn page_ready(app: &ChromaConnectApp) -> bool {
    app.state
        .browse
        .as_ref()
        .and_then(|b| b.records.as_ref())
        .is_some_and(|r| !r.page.is_loading() && !matches!(r.page, Remote::Idle))
}

fn page_ids(gui: &Gui) -> Vec<String> {
    let records = gui.state().browse.as_ref().and_then(|b| b.records.as_ref()).expect("records view");
    records.page.value().map(|p| p.records.iter().map(|r| r.id.clone()).collect()).unwrap_or_default()
}

/// Opens the browser on profile `name` (already selected).
fn open_browser(gui: &mut Gui) {
    gui.click("Browse");
    gui.wait("the collections and their counts", opened);
}

#[test]
fn browse_filter_sort_page_where_similar_and_export_on_chroma_1x() {
    let export = tempfile::tempdir().unwrap();
    let file = export.path().join("lab_docs.jsonl");
    let home = home_with(vec![(profile("local", &url(), Verify::System), None)]);
    let mut gui = app(home, QueuePicker::answering([PickOutcome::Chosen(file.clone())]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    open_browser(&mut gui);
    for name in seeded::COLLECTIONS {
        assert!(gui.shows(name), "{name} is listed");
    }
    let rows = &gui.state().browse.as_ref().unwrap().collections.rows;
    let lab = rows.iter().find(|r| r.collection.name == seeded::LAB_DOCS).unwrap();
    assert_eq!(lab.count, Some(Ok(seeded::LAB_DOCS_COUNT as u64)), "the count arrived");

    // Sort by record count (largest first), then filter by name.
    gui.click_containing("Records");
    let view = &gui.state().browse.as_ref().unwrap().collections;
    assert_eq!(view.sort, CollectionColumn::Count);
    let first = view.visible().first().and_then(|&i| view.rows.get(i)).map(|r| r.collection.name.clone());
    assert_eq!(first.as_deref(), Some(seeded::LAB_DOCS));
    gui.set_text("Filter", "lab");
    assert!(gui.shows(seeded::LAB_DOCS));
    assert!(gui.h().query_by_label("alpha").is_none(), "filtered out");

    // Open it; page with 10 per page, forward and back.
    gui.click(seeded::LAB_DOCS);
    gui.wait("the first page", page_ready);
    assert!(gui.shows("records 1–20 of 20"), "25 per page by default");
    gui.click_containing("Per page");
    gui.click_button("10");
    gui.wait("the first page of 10", |app| page_ready(app) && page_ids_len(app) == 10);
    assert!(gui.shows("records 1–10 of 20"));
    gui.click("Next ▶");
    gui.wait("the second page", |app| page_ready(app) && first_id(app).as_deref() == Some("doc-10"));
    assert!(gui.shows("records 11–20 of 20"));
    gui.click("◀ Previous");
    gui.wait("the first page again", |app| page_ready(app) && first_id(app).as_deref() == Some("doc-00"));

    // A where filter, as the CLI sends it.
    gui.set_text("where", r#"{"color": "red"}"#);
    gui.click("Apply filters");
    gui.wait("the filtered page", |app| page_ready(app) && page_ids_len(app) == 7);
    let cli = cli_json(&["records", &url(), "-c", seeded::LAB_DOCS, "--where", r#"{"color":"red"}"#, "--json"], 0);
    let cli_ids: Vec<String> =
        cli["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(page_ids(&gui), cli_ids);
    assert!(gui.shows("records 1–7 (filtered)"));

    // Invalid JSON is refused before anything is sent; a where the server refuses shows its words.
    gui.set_text("where", "{color");
    gui.click("Apply filters");
    assert!(gui.shows("Not valid JSON"));
    assert_eq!(page_ids(&gui).len(), 7, "the page shown is kept");
    gui.set_text("where", r#"{"color": {"$bogus": 1}}"#);
    gui.click("Apply filters");
    gui.wait("the server's refusal", |app| {
        app.state.browse.as_ref().and_then(|b| b.records.as_ref()).is_some_and(|r| r.page.failure().is_some())
    });
    assert!(gui.shows("The server said"), "the server's message is shown inline");

    // Similar records: the same answer as the CLI.
    gui.click("Clear");
    gui.wait("the unfiltered page", |app| page_ready(app) && page_ids_len(app) == 10);
    gui.click("doc-02");
    assert!(gui.shows("Find similar"), "the detail panel is open");
    assert!(gui.shows("document number 2"));
    gui.click_containing("Find similar");
    gui.wait("the similar records", |app| {
        app.state
            .browse
            .as_ref()
            .and_then(|b| b.records.as_ref())
            .and_then(|r| r.similar.as_ref())
            .is_some_and(|s| matches!(s.hits, Remote::Ready(_)))
    });
    let hits: Vec<String> = gui
        .state()
        .browse
        .as_ref()
        .and_then(|b| b.records.as_ref())
        .and_then(|r| r.similar.as_ref())
        .and_then(|s| s.hits.value())
        .map(|hits| hits.iter().map(|h| h.record.id.clone()).collect())
        .unwrap();
    let cli =
        cli_json(&["records", &url(), "-c", seeded::LAB_DOCS, "--similar-to", "doc-02", "--n", "10", "--json"], 0);
    let cli_hits: Vec<String> =
        cli["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(hits, cli_hits);
    assert!(!hits.contains(&"doc-02".to_owned()), "the record itself is left out");
    gui.click("‹ Back to the page");

    // Export the whole collection as JSON Lines: the records `records --json` gives.
    gui.click("Export…");
    gui.wait("the export", |app| {
        app.state
            .browse
            .as_ref()
            .and_then(|b| b.records.as_ref())
            .is_some_and(|r| matches!(r.export_state, Some(ExportState::Done(_) | ExportState::Failed(_))))
    });
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let cli = cli_json(&["records", &url(), "-c", seeded::LAB_DOCS, "--limit", "100", "--json"], 0);
    assert_eq!(&lines, cli["records"].as_array().unwrap(), "the file holds what records --json holds");
}

fn page_ids_len(app: &ChromaConnectApp) -> usize {
    app.state
        .browse
        .as_ref()
        .and_then(|b| b.records.as_ref())
        .and_then(|r| r.page.value())
        .map_or(0, |p| p.records.len())
}

fn first_id(app: &ChromaConnectApp) -> Option<String> {
    app.state
        .browse
        .as_ref()
        .and_then(|b| b.records.as_ref())
        .and_then(|r| r.page.value())
        .and_then(|p| p.records.first())
        .map(|r| r.id.clone())
}

#[test]
fn browse_an_old_0_4_server_and_pick_its_database() {
    let v1 = std::env::var("CHROMA_V1_TEST_URL").expect("CHROMA_V1_TEST_URL (run ./scripts/test.sh)");
    let mut lab = profile("old", &v1, Verify::System);
    lab.connection.tenant = seeded::TENANT.to_owned();
    lab.connection.database = seeded::DATABASE.to_owned();
    let home = home_with(vec![(lab, None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    open_browser(&mut gui);
    assert!(gui.shows("API v1"), "the generation is shown");
    assert!(gui.shows("cannot list databases"), "0.4 has no database list: the field is typed");
    // Back to the default database, typed.
    gui.set_text("Database", "default_database");
    gui.set_text("Tenant", "default_tenant");
    gui.click_containing("Refresh");
    gui.wait("the default database", |app| {
        opened(app) && app.state.browse.as_ref().is_some_and(|b| b.collections.rows.len() == seeded::COLLECTIONS.len())
    });
    gui.click(seeded::LAB_DOCS);
    gui.wait("the first page", page_ready);
    assert!(gui.shows("records 1–20 of 20"));
}

#[test]
fn a_browsing_failure_shows_the_diagnosis_and_runs_the_check() {
    let mut missing = profile("missing-db", &url(), Verify::System);
    missing.connection.database = "no_such_database".to_owned();
    let home = home_with(vec![(missing, None)]);
    let mut gui = app(home, QueuePicker::answering([]), StartOptions::default());
    gui.wait("selection", |app| app.state.draft.is_some());
    gui.click("Browse");
    gui.wait("the failure", |app| app.state.browse.as_ref().is_some_and(|b| b.opened.failure().is_some()));
    assert!(gui.shows("chroma.database_not_found"));
    gui.click("▶ Run the connection check");
    gui.wait_check_done("missing-db");
    assert_eq!(gui.code("missing-db"), chroma_connect::diagnose::Code::ChromaDatabaseNotFound, "the same code");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_leaves_the_browser_responsive_with_cancel() {
    let silent = crate::support::servers::SilentServer::start().await;
    let mut stalled = profile("stalled", &silent.http_url(), Verify::System);
    stalled.connection.request_timeout = std::time::Duration::from_mins(1);
    stalled.connection.connect_timeout = std::time::Duration::from_mins(1);
    let home = home_with(vec![(stalled, None)]);
    let mut gui = tokio::task::block_in_place(|| app(home, QueuePicker::answering([]), StartOptions::default()));
    tokio::task::block_in_place(|| {
        gui.wait("selection", |app| app.state.draft.is_some());
        gui.click("Browse");
        gui.wait("the browser to wait for the server", |app| {
            app.state.browse.as_ref().is_some_and(|b| b.opened.is_loading())
        });
        let started = std::time::Instant::now();
        for _ in 0..20 {
            gui.h().step();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "frames keep coming");
        gui.click("Cancel");
    });
    let browse = gui.state().browse.as_ref().unwrap();
    assert!(!browse.opened.is_loading(), "cancelled at once");
    assert!(gui.shows("Not connected"));
}
