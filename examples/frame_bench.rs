//! Headless frame-time benchmark of the desktop app: 1,000 profiles in the list, a finished check with a
//! certificate chain, 10,000 collections in the browser and a page of 1,000 records, each page drawn and
//! tessellated as eframe would, without a GPU.
//!
//! `cargo run --release --example frame_bench` prints the CPU time per frame (mean, p50, p95, max) per page, and the
//! process's resident memory with all that data loaded.

// Reason: a benchmark prints its figures; the casts are of frame counts and times far below 2^52.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chroma_connect::app::browse::{BrowseState, CollectionRow, Opened, RecordsPage, RecordsView, Remote};
use chroma_connect::app::state::{CheckOutcome, CheckRun, Page, Prefs};
use chroma_connect::app::{ChromaConnectApp, NativePicker, StartOptions};
use chroma_connect::chroma::{ApiVersion, Collection, Record, Scope};
use chroma_connect::diagnose::{
    CheckReport, Code, Diagnosis, ServerInfo, Step, StepReport, StepStatus, Target, TlsSession,
};
use chroma_connect::profile::{
    AppPaths, ConflictPolicy, Profile, ProfileStore, SecretStore, SecretStoreMode, Setting, parse_endpoint,
};
use eframe::App as _;

const PROFILES: usize = 1000;
const COLLECTIONS: usize = 10_000;
const RECORDS: usize = 1000;
const WARM_UP_FRAMES: usize = 30;
const FRAMES: usize = 600;
const SELECTED: &str = "server-0500";
/// Vertices tessellated in the last frame: proof that the page was really drawn.
static VERTICES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let home = tempfile::tempdir()?;
    let paths = AppPaths::in_dir(home.path());
    let secrets = SecretStore::with_mode(&paths, SecretStoreMode::File);
    let mut store = ProfileStore::open(&paths)?;
    let profiles = (0..PROFILES)
        .map(|i| {
            let url = format!("https://chroma-{i:04}.example.internal:{}", 8000 + i % 100);
            Ok((Profile::new(format!("server-{i:04}"), parse_endpoint("url", &url)?), None))
        })
        .collect::<Result<Vec<_>, chroma_connect::profile::SettingsError>>()?;
    store.import(profiles, ConflictPolicy::Refuse, &secrets)?;

    let ctx = egui::Context::default();
    let start = StartOptions { profile: Some(SELECTED.to_owned()), check: false };
    let mut app = ChromaConnectApp::new(&ctx, paths, Arc::new(NativePicker), Prefs::default(), start)?;
    let mut frame = eframe::Frame::_new_kittest();
    let mut clock = 0.0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.state.draft.is_none() {
        if Instant::now() > deadline {
            return Err("the profiles did not load within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
        run_frame(&ctx, &mut app, &mut frame, &mut clock);
    }
    let report = finished_report()?;
    let run = CheckRun {
        id: 0,
        current: None,
        steps: report.steps.clone(),
        started: Instant::now(),
        outcome: CheckOutcome::Done(Box::new(report)),
        checked: None,
    };
    app.state.checks.insert(SELECTED.to_owned(), run);

    println!("{PROFILES} profiles, 1280x800 points, {FRAMES} frames per page (after {WARM_UP_FRAMES} warm-up)");
    println!("{:<14}{:>10}{:>10}{:>10}{:>10}{:>10}", "page", "mean ms", "p50 ms", "p95 ms", "max ms", "vertices");
    app.state.browse = Some(browser());
    let mut pages: Vec<(String, Page, bool)> =
        Page::ALL.iter().map(|page| (page.title().to_owned(), *page, false)).collect();
    pages.push(("Records".to_owned(), Page::Browse, true));
    for (title, page, records) in pages {
        app.state.prefs.page = page;
        if let Some(browse) = &mut app.state.browse {
            browse.records = records.then(|| records_view(&browse.collections.rows));
        }
        for _ in 0..WARM_UP_FRAMES {
            run_frame(&ctx, &mut app, &mut frame, &mut clock);
        }
        let mut times: Vec<Duration> = (0..FRAMES).map(|_| run_frame(&ctx, &mut app, &mut frame, &mut clock)).collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
        let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
        let vertices = VERTICES.load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "{title:<14}{mean:>10.3}{:>10.3}{:>10.3}{:>10.3}{vertices:>10}",
            ms(at(0.5)),
            ms(at(0.95)),
            ms(at(1.0))
        );
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.trim_start_matches("VmRSS:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("resident memory with all of it loaded: {rss}");
    Ok(())
}

/// A browser holding `COLLECTIONS` collections, all counted.
fn browser() -> BrowseState {
    let mut browse = BrowseState::new(SELECTED, "default_tenant", "default_database");
    let scope = Scope::new(ApiVersion::V2, "default_tenant", "default_database");
    browse.opened = Remote::Ready(Opened {
        session: 1,
        scope,
        version: "1.0.0".to_owned(),
        databases: vec!["default_database".to_owned()],
        databases_listed: true,
    });
    browse.collections.rows = (0..COLLECTIONS)
        .map(|i| {
            let mut metadata = chroma_connect::chroma::Metadata::new();
            metadata.insert("owner".to_owned(), serde_json::json!(format!("team-{}", i % 17)));
            let collection = Collection {
                id: format!("{i:08x}-0000-4000-8000-000000000000"),
                name: format!("collection_{i:05}"),
                metadata: Some(metadata),
                dimension: Some(384),
                configuration: Some(serde_json::json!({"hnsw": {"space": "cosine"}})),
                tenant: None,
                database: None,
            };
            let mut row = CollectionRow::new(collection);
            row.count = Some(Ok((i as u64 * 7919) % 100_000));
            row
        })
        .collect();
    browse
}

/// The records view of the first collection with a page of `RECORDS` records.
fn records_view(rows: &[CollectionRow]) -> RecordsView {
    let collection = rows.first().map_or_else(empty_collection, |r| r.collection.clone());
    let mut view = RecordsView::new(collection);
    view.page_size = u32::try_from(RECORDS).unwrap_or(u32::MAX);
    let records = (0..RECORDS)
        .map(|i| {
            let mut metadata = chroma_connect::chroma::Metadata::new();
            metadata.insert("color".to_owned(), serde_json::json!(["red", "green", "blue"][i % 3]));
            metadata.insert("idx".to_owned(), serde_json::json!(i));
            Record {
                id: format!("doc-{i:05}"),
                document: Some(format!("document number {i}: a few words of text to show in the table")),
                metadata: Some(metadata),
                embedding: None,
                uri: None,
            }
        })
        .collect();
    view.page = Remote::Ready(RecordsPage::new(records, 0, Some(100_000)));
    view.selected = Some(3);
    view
}

fn empty_collection() -> Collection {
    Collection {
        id: String::new(),
        name: String::new(),
        metadata: None,
        dimension: None,
        configuration: None,
        tenant: None,
        database: None,
    }
}

/// One frame as eframe runs it: input (a pointer moving over the window), logic, ui, tessellation. Returns the
/// time it took on this thread.
fn run_frame(ctx: &egui::Context, app: &mut ChromaConnectApp, frame: &mut eframe::Frame, clock: &mut f64) -> Duration {
    *clock += 1.0 / 60.0;
    let x = 300.0 + ((*clock * 97.0) % 600.0) as f32;
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0))),
        time: Some(*clock),
        events: vec![egui::Event::PointerMoved(egui::pos2(x, 300.0))],
        ..Default::default()
    };
    let started = Instant::now();
    let mut output = ctx.run_ui(input, |ui| {
        app.logic(ui.ctx(), frame);
        app.ui(ui, frame);
    });
    let shapes = std::mem::take(&mut output.shapes);
    let primitives = ctx.tessellate(shapes, output.pixels_per_point);
    let elapsed = started.elapsed();
    VERTICES.store(
        primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum(),
        std::sync::atomic::Ordering::Relaxed,
    );
    std::hint::black_box(primitives);
    output.textures_delta.clear();
    elapsed
}

/// A finished check with a two-certificate chain, as a TLS server with a private CA gives it.
fn finished_report() -> Result<CheckReport, Box<dyn std::error::Error>> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Bench Root CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate()?;
    let mut leaf_params = rcgen::CertificateParams::new(vec!["chroma-0500.example.internal".to_owned()])?;
    leaf_params.distinguished_name.push(rcgen::DnType::CommonName, "chroma-0500.example.internal");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer)?;
    let certificates = vec![chroma_connect::tls::cert_info(leaf.der())?, chroma_connect::tls::cert_info(ca.der())?];
    let step = |step, detail: &str| StepReport { step, status: StepStatus::Ok, ms: 1.5, detail: detail.to_owned() };
    Ok(CheckReport {
        ok: false,
        target: Target {
            url: "https://chroma-0500.example.internal:8000".to_owned(),
            address: Some("10.0.5.0:8000".to_owned()),
            server_name: "chroma-0500.example.internal".to_owned(),
            verify: "system trust store".to_owned(),
            auth: "none".to_owned(),
            tenant: "default_tenant".to_owned(),
            database: "default_database".to_owned(),
        },
        diagnosis: Diagnosis {
            code: Code::TlsUnknownIssuer,
            summary: "The server's certificate was issued by Bench Root CA, which is not trusted.".to_owned(),
            hint: "If Bench Root CA is your organisation's CA, set the profile's CA file to its certificate."
                .to_owned(),
            setting: Some(Setting::CaFile),
        },
        steps: vec![
            step(Step::Dns, "chroma-0500.example.internal -> 10.0.5.0"),
            step(Step::Tcp, "connected to 10.0.5.0:8000"),
            StepReport {
                step: Step::Tls,
                status: StepStatus::Failed,
                ms: 3.2,
                detail: "certificate issued by an unknown CA".to_owned(),
            },
            StepReport { step: Step::Http, status: StepStatus::Skipped, ms: 0.0, detail: "not run".to_owned() },
        ],
        server: Some(ServerInfo { api: "v2".to_owned(), version: "1.0.0".to_owned() }),
        tls: Some(TlsSession {
            protocol: "TLSv1.3".to_owned(),
            cipher_suite: "TLS13_AES_256_GCM_SHA384".to_owned(),
            alpn: Some("http/1.1".to_owned()),
        }),
        certificates,
        trust: Vec::new(),
        collections_count: None,
        warnings: Vec::new(),
    })
}
