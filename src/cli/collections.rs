//! `chroma-connect collections`: every collection of a database with its record count, dimension, distance space
//! and metadata, as an aligned table or one JSON object.

use std::fmt::Write as _;

use clap::Args;
use serde::Serialize;

use crate::chroma::{Collection, CollectionStats, IndexSettings, Metadata, WALK_CONCURRENCY, WALK_PAGE_SIZE};

use super::args::ConnectionArgs;
use super::browse::{self, Failure, ServerJson, Session};
use super::table::{Align, Table};
use super::{EXIT_OK, EXIT_PROBLEM};

/// Requests in flight while counting records.
const COUNT_CONCURRENCY: usize = 8;
/// Above this many collections, counting them is announced on stderr.
const MANY_COLLECTIONS: usize = 500;

/// `collections` arguments.
#[derive(Debug, Args)]
pub struct CollectionsArgs {
    /// Connection and trust settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Skip the record counts (one request per collection; on 0.4 servers a second one finds the dimension).
    #[arg(long)]
    pub no_counts: bool,
    /// Collections fetched per request while walking the list.
    #[arg(long, value_name = "N", default_value_t = WALK_PAGE_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page_size: u32,
    /// Pages of the list in flight at once, after the first page (1: one page after another).
    #[arg(long, value_name = "N", default_value_t = WALK_CONCURRENCY,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub concurrency: usize,
    /// Refuse any response larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_response_mib: u64,
}

/// One collection in the JSON output.
#[derive(Debug, Serialize)]
struct CollectionJson<'a> {
    name: &'a str,
    id: &'a str,
    /// Number of records; `null` with `--no-counts` or when counting failed.
    count: Option<u64>,
    dimension: Option<u64>,
    index: IndexSettings,
    metadata: Option<&'a Metadata>,
    configuration: Option<&'a serde_json::Value>,
    /// Why `count` is missing, when counting failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The JSON output.
#[derive(Debug, Serialize)]
struct Output<'a> {
    ok: bool,
    server: ServerJson,
    tenant: &'a str,
    database: &'a str,
    collections_count: usize,
    collections: Vec<CollectionJson<'a>>,
}

/// Runs `collections`; returns the exit status.
pub(super) async fn run(args: CollectionsArgs) -> u8 {
    browse::until_interrupted(async {
        match list(&args).await {
            Ok(code) => code,
            Err(failure) => failure.report(args.json),
        }
    })
    .await
}

async fn list(args: &CollectionsArgs) -> Result<u8, Failure> {
    let session = browse::open(&args.connection, args.max_response_mib).await?;
    let Session { client, scope, .. } = &session;
    let mut collections = client
        .all_collections_concurrent(scope, args.page_size, args.concurrency)
        .await
        .map_err(|err| session.failure(&err))?;
    collections.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    if !args.no_counts && collections.len() > MANY_COLLECTIONS {
        // Servers answer one count at a time (about 5 ms each for 1.x): say why this takes a while.
        browse::write_err(&format!(
            "counting the records of {} collections, one request each (--no-counts skips this)…\n",
            collections.len()
        ));
    }
    let stats: Vec<Option<Result<CollectionStats, String>>> = if args.no_counts {
        collections.iter().map(|_| None).collect()
    } else {
        client
            .collections_stats(scope, &collections, COUNT_CONCURRENCY)
            .await
            .into_iter()
            .map(|result| Some(result.map_err(|err| session.failure(&err).one_line())))
            .collect()
    };
    let failed = stats.iter().filter(|s| matches!(s, Some(Err(_)))).count();

    let rows: Vec<CollectionJson<'_>> = collections.iter().zip(&stats).map(|(c, s)| row(c, s.as_ref())).collect();
    if args.json {
        let output = Output {
            ok: failed == 0,
            server: session.server_json(),
            tenant: &scope.tenant,
            database: &scope.database,
            collections_count: rows.len(),
            collections: rows,
        };
        browse::write_out(&format!("{}\n", serde_json::to_string(&output).unwrap_or_default()));
    } else {
        browse::write_text(&text(&session, &rows, args.no_counts));
    }
    if failed > 0 {
        browse::write_err(&format!("error: {failed} collection(s) could not be counted (see the table)\n"));
        return Ok(EXIT_PROBLEM);
    }
    Ok(EXIT_OK)
}

fn row<'a>(collection: &'a Collection, stats: Option<&Result<CollectionStats, String>>) -> CollectionJson<'a> {
    let (count, dimension, error) = match stats {
        Some(Ok(stats)) => (Some(stats.count), stats.dimension, None),
        Some(Err(err)) => (None, collection.dimension, Some(err.clone())),
        None => (None, collection.dimension, None),
    };
    CollectionJson {
        name: &collection.name,
        id: &collection.id,
        count,
        dimension,
        index: collection.index(),
        metadata: collection.metadata.as_ref(),
        configuration: collection.configuration.as_ref(),
        error,
    }
}

fn text(session: &Session, rows: &[CollectionJson<'_>], no_counts: bool) -> String {
    let mut table = Table::new()
        .column("NAME", Align::Left, Some(64))
        .column("ID", Align::Left, None)
        .column("RECORDS", Align::Right, None)
        .column("DIM", Align::Right, None)
        .column("SPACE", Align::Left, None)
        .column("METADATA", Align::Left, Some(80));
    for row in rows {
        let count = match (&row.count, &row.error) {
            (Some(count), _) => count.to_string(),
            (None, Some(_)) => "error".to_owned(),
            (None, None) if no_counts => "-".to_owned(),
            (None, None) => "?".to_owned(),
        };
        table.row(vec![
            row.name.to_owned(),
            row.id.to_owned(),
            count,
            row.dimension.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            row.index.space.clone().unwrap_or_else(|| "-".to_owned()),
            row.metadata.map_or_else(String::new, browse::compact),
        ]);
    }
    let noun = if rows.len() == 1 { "collection" } else { "collections" };
    let mut out = format!("{} {noun} in {}\n", rows.len(), session.describe());
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&table.render());
    }
    for row in rows {
        if let Some(err) = &row.error {
            let _ = writeln!(out, "{}: {err}", row.name);
        }
    }
    out
}
