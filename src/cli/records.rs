//! `chroma-connect records`: a page of a collection's records (with `where`/`where_document` filters, chosen ids and
//! fields), or the records most similar to one record, as an aligned table or one JSON object.

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::chroma::{
    BrowseError, Collection, CollectionStats, Filter, GetRequest, Include, IndexSettings, Metadata, QueryHit, Record,
    SimilarRequest,
};

use crate::diagnose::Code;

use super::EXIT_OK;
use super::args::ConnectionArgs;
use super::browse::{self, Failure, ServerJson, Session};
use super::export::ExportArgs;
use super::table::{Align, Table};

/// `records` arguments.
#[derive(Debug, Args)]
pub struct RecordsArgs {
    /// Connection and trust settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The collection: its name or its id.
    #[arg(long, short = 'c', value_name = "NAME|ID")]
    pub collection: String,
    /// At most this many records.
    #[arg(long, value_name = "N", default_value_t = 10, conflicts_with_all = ["similar_to", "all"])]
    pub limit: u32,
    /// Skip this many records (the order is the server's: insertion order without filters).
    #[arg(long, value_name = "N", default_value_t = 0, conflicts_with_all = ["similar_to", "all"])]
    pub offset: u32,
    /// Only records whose metadata match this Chroma filter, e.g. '{"color":"red"}' or
    /// '{"$and":[{"color":"red"},{"idx":{"$gte":8}}]}'. The server judges it.
    #[arg(long = "where", value_name = "JSON")]
    pub where_metadata: Option<String>,
    /// Only records whose document matches this Chroma filter, e.g. '{"$contains":"invoice"}'.
    #[arg(long, value_name = "JSON")]
    pub where_document: Option<String>,
    /// Only the records with these ids (comma-separated).
    #[arg(long, value_name = "ID,...", value_delimiter = ',', conflicts_with = "similar_to")]
    pub ids: Option<Vec<String>>,
    /// Fields to fetch (comma-separated) [default: documents,metadatas].
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_enum)]
    pub include: Option<Vec<IncludeArg>>,
    /// Show the records most similar to the record with this id, nearest first: its embedding is the query, and the
    /// record itself is left out. --where and --where-document narrow the candidates.
    #[arg(long, value_name = "ID")]
    pub similar_to: Option<String>,
    /// With --similar-to: how many similar records.
    #[arg(long = "n", value_name = "N", default_value_t = 10, requires = "similar_to",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub n: u32,
    /// Print one JSON object instead of a table.
    #[arg(long, conflicts_with = "all")]
    pub json: bool,
    /// `--all` and the export's flags.
    #[command(flatten)]
    pub export: ExportArgs,
    /// Refuse any response larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_response_mib: u64,
}

/// `--include` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IncludeArg {
    /// Documents.
    #[value(alias = "document")]
    Documents,
    /// Metadata.
    #[value(alias = "metadata")]
    Metadatas,
    /// Embeddings.
    #[value(alias = "embedding")]
    Embeddings,
    /// URIs.
    #[value(alias = "uri")]
    Uris,
    /// Distances (with --similar-to; always shown there).
    #[value(alias = "distance")]
    Distances,
}

impl From<IncludeArg> for Include {
    fn from(arg: IncludeArg) -> Self {
        match arg {
            IncludeArg::Documents => Self::Documents,
            IncludeArg::Metadatas => Self::Metadatas,
            IncludeArg::Embeddings => Self::Embeddings,
            IncludeArg::Uris => Self::Uris,
            IncludeArg::Distances => Self::Distances,
        }
    }
}

/// The collection in the JSON output.
#[derive(Debug, Serialize)]
struct CollectionJson<'a> {
    name: &'a str,
    id: &'a str,
    count: u64,
    dimension: Option<u64>,
    index: IndexSettings,
    metadata: Option<&'a Metadata>,
}

/// What was asked, in the JSON output (every key always present).
#[derive(Debug, Serialize)]
struct RequestJson<'a> {
    limit: Option<u32>,
    offset: Option<u32>,
    ids: Option<&'a [String]>,
    #[serde(rename = "where")]
    where_metadata: Option<&'a serde_json::Value>,
    where_document: Option<&'a serde_json::Value>,
    include: Vec<Include>,
    similar_to: Option<&'a str>,
    n: Option<u32>,
}

/// One record in the JSON output (every key always present; `null` when not included).
#[derive(Debug, Serialize)]
struct RecordJson<'a> {
    #[serde(flatten)]
    record: &'a Record,
    distance: Option<f64>,
}

/// The JSON output.
#[derive(Debug, Serialize)]
struct Output<'a> {
    ok: bool,
    server: ServerJson,
    tenant: &'a str,
    database: &'a str,
    collection: CollectionJson<'a>,
    request: RequestJson<'a>,
    included: &'a [Include],
    /// With --similar-to: the record compared with.
    source: Option<&'a Record>,
    records: Vec<RecordJson<'a>>,
}

/// Runs `records`; returns the exit status.
pub(super) async fn run(args: RecordsArgs) -> u8 {
    browse::until_interrupted(async {
        match show(&args).await {
            Ok(code) => code,
            Err(failure) => failure.report(args.json),
        }
    })
    .await
}

async fn show(args: &RecordsArgs) -> Result<u8, Failure> {
    // Everything that can be wrong with the command line is found before any request.
    let filter = Filter {
        metadata: browse::json_object_arg("--where", args.where_metadata.as_deref())?,
        document: browse::json_object_arg("--where-document", args.where_document.as_deref())?,
    };
    let include: Option<Vec<Include>> = args.include.as_ref().map(|list| {
        let mut out: Vec<Include> = Vec::new();
        for include in list.iter().map(|arg| Include::from(*arg)) {
            if !out.contains(&include) {
                out.push(include);
            }
        }
        out
    });
    if args.similar_to.is_none() && include.as_ref().is_some_and(|list| list.contains(&Include::Distances)) {
        return Err(Failure::usage(Code::UsageInvalidArgument, "--include distances needs --similar-to"));
    }

    if args.export.all {
        return super::export::run(args, filter, include).await;
    }

    let session = browse::open(&args.connection, args.max_response_mib).await?;
    let Session { client, scope, .. } = &session;
    let filtered = filter.metadata.is_some() || filter.document.is_some();
    let fail = |err| filter_failure(&session, &err, filtered);
    let collection = client.find_collection(scope, &args.collection).await.map_err(fail)?;
    let stats = client.collection_stats(scope, &collection).await.map_err(fail)?;
    let count = stats.count;

    let page = if let Some(id) = &args.similar_to {
        let request = SimilarRequest {
            id: id.clone(),
            n_results: args.n,
            filter: filter.clone(),
            include: include.clone(),
            include_self: false,
        };
        let similar = client.similar_records(scope, &collection, &request).await.map_err(fail)?;
        Page { source: Some(similar.source), hits: similar.hits, included: similar.included }
    } else {
        let request = GetRequest {
            ids: args.ids.clone(),
            filter: filter.clone(),
            limit: Some(args.limit),
            offset: Some(args.offset),
            include: include.clone(),
        };
        let records = client.get_records(scope, &collection.id, &request).await.map_err(fail)?;
        let hits = records.records.into_iter().map(|record| QueryHit { record, distance: None }).collect();
        Page { source: None, hits, included: records.included }
    };

    if args.json {
        let similar = args.similar_to.is_some();
        let output = Output {
            ok: true,
            server: session.server_json(),
            tenant: &scope.tenant,
            database: &scope.database,
            collection: CollectionJson {
                name: &collection.name,
                id: &collection.id,
                count,
                dimension: stats.dimension,
                index: collection.index(),
                metadata: collection.metadata.as_ref(),
            },
            request: RequestJson {
                limit: (!similar).then_some(args.limit),
                offset: (!similar).then_some(args.offset),
                ids: args.ids.as_deref(),
                where_metadata: filter.metadata.as_ref(),
                where_document: filter.document.as_ref(),
                include: include.unwrap_or_else(|| {
                    if similar { Include::QUERY_DEFAULT.to_vec() } else { Include::GET_DEFAULT.to_vec() }
                }),
                similar_to: args.similar_to.as_deref(),
                n: similar.then_some(args.n),
            },
            included: &page.included,
            source: page.source.as_ref(),
            records: page.hits.iter().map(|hit| RecordJson { record: &hit.record, distance: hit.distance }).collect(),
        };
        browse::write_out(&format!("{}\n", serde_json::to_string(&output).unwrap_or_default()));
    } else {
        browse::write_text(&text(&session, &collection, stats, args, &filter, &page));
    }
    Ok(EXIT_OK)
}

/// A browsing error of `records`: with filters, a refusal by the server points at them.
pub(super) fn filter_failure(session: &Session, err: &BrowseError, filtered: bool) -> Failure {
    let mut failure = session.failure(err);
    if filtered && failure.code == Code::ChromaApiError && failure.status.is_some_and(|s| s <= 500) {
        failure.hint = Some(
            "The server refused the request: check the filters given with --where and --where-document \
             (Chroma's syntax: {\"field\": value}, {\"field\": {\"$gte\": 3}}, {\"$and\": [...]}, \
             {\"$contains\": \"text\"})."
                .to_owned(),
        );
    }
    failure
}

/// The records to show, whichever way they were found.
#[derive(Debug)]
struct Page {
    source: Option<Record>,
    hits: Vec<QueryHit>,
    included: Vec<Include>,
}

fn text(
    session: &Session,
    collection: &Collection,
    stats: CollectionStats,
    args: &RecordsArgs,
    filter: &Filter,
    page: &Page,
) -> String {
    let count = stats.count;
    let index = collection.index();
    let dimension = stats.dimension.map_or_else(String::new, |d| format!(", dimension {d}"));
    let space = index.space.as_deref().map_or_else(String::new, |s| format!(", space {s}"));
    let records = if count == 1 { "record" } else { "records" };
    let mut out = format!(
        "Collection {} ({}) in {}: {count} {records}{dimension}{space}\n",
        collection.name,
        collection.id,
        session.describe()
    );
    let filtered = filter.metadata.is_some() || filter.document.is_some() || args.ids.is_some();
    let shown = page.hits.len();
    if let Some(source) = &page.source {
        let about =
            source.document.as_deref().map_or_else(String::new, |d| format!(" ({})", super::table::fit(d, Some(60))));
        let how = index.space.as_deref().map_or_else(|| "distance".to_owned(), |s| format!("{s} distance"));
        let _ = write!(out, "{shown} most similar to {}{about} by {how}, nearest first", source.id);
        out.push_str(if filtered { ", among the records matching the filters:\n" } else { ":\n" });
    } else if shown == 0 {
        let what = if filtered { " matching the filters" } else { "" };
        let place = if args.offset > 0 { format!(" at offset {}", args.offset) } else { String::new() };
        let _ = writeln!(out, "No records{what}{place}.");
    } else {
        let first = u64::from(args.offset) + 1;
        let last = u64::from(args.offset) + shown as u64;
        let what = if filtered { " matching the filters" } else { "" };
        let _ = writeln!(out, "Records {first}–{last}{what} (offset {}, limit {}):", args.offset, args.limit);
    }
    if shown > 0 {
        out.push('\n');
        out.push_str(&table(page).render());
    }
    if page.source.is_none() && shown > 0 && shown == args.limit as usize {
        let next = u64::from(args.offset) + u64::from(args.limit);
        if filtered || next < count {
            let _ = write!(out, "\nMore may follow: --offset {next}\n");
        }
    }
    out
}

fn table(page: &Page) -> Table {
    let similar = page.source.is_some();
    let shows = |include: Include| page.included.contains(&include);
    let mut table = Table::new();
    if similar {
        table = table.column("RANK", Align::Right, None);
    }
    table = table.column("ID", Align::Left, Some(40));
    if similar {
        table = table.column("DISTANCE", Align::Left, None);
    }
    let optional = [
        (Include::Documents, "DOCUMENT", Some(60)),
        (Include::Metadatas, "METADATA", Some(80)),
        (Include::Embeddings, "EMBEDDING", Some(48)),
        (Include::Uris, "URI", Some(60)),
    ];
    for (include, header, width) in optional {
        if shows(include) {
            table = table.column(header, Align::Left, width);
        }
    }
    for (rank, hit) in page.hits.iter().enumerate() {
        let record = &hit.record;
        let mut cells = Vec::new();
        if similar {
            cells.push((rank + 1).to_string());
        }
        cells.push(record.id.clone());
        if similar {
            cells.push(hit.distance.map_or_else(|| "-".to_owned(), |d| d.to_string()));
        }
        for (include, _, _) in optional {
            if !shows(include) {
                continue;
            }
            cells.push(match include {
                Include::Documents => record.document.clone().unwrap_or_default(),
                Include::Metadatas => record.metadata.as_ref().map_or_else(String::new, browse::compact),
                Include::Embeddings => record.embedding.as_ref().map_or_else(String::new, |e| embedding_text(e)),
                _ => record.uri.clone().unwrap_or_default(),
            });
        }
        table.row(cells);
    }
    table
}

/// `[0.2, 0.6666667, 0, 0.9]` (as many numbers as fit in the column; the table cuts the rest).
fn embedding_text(embedding: &[f64]) -> String {
    let numbers: Vec<String> = embedding.iter().take(16).map(ToString::to_string).collect();
    let more = if embedding.len() > 16 { ", …" } else { "" };
    format!("[{}{more}]", numbers.join(", "))
}
