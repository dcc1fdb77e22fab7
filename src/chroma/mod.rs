//! Our own typed client for Chroma's REST API (v2, and v1 for 0.4/0.5 servers). Knows nothing of egui.

mod browse_error;
mod client;
mod collections;
mod error;
mod export;
mod models;
mod paging;
mod records;
mod scope;
mod session;
#[cfg(test)]
mod transcripts;

pub use browse_error::{BrowseError, server_message};
pub use client::{ChromaClient, ClientOptions, DEFAULT_MAX_BODY_BYTES, innermost_cause};
pub use collections::{
    Collection, CollectionStats, IndexSettings, Metadata, Page, looks_like_uuid, parse_collection, parse_collections,
};
pub use error::{ChromaError, ErrorResponse, snippet};
pub use export::{ExportFormat, csv as records_csv, json_line as record_json_line};
pub use models::{ApiVersion, Database, Identity, Tenant, parse_count, parse_heartbeat, parse_json, parse_version};
pub use records::{
    EXPORT_PAGE_SIZE, Filter, GetRequest, Include, QueryHit, QueryRequest, QueryResult, Record, Records, Similar,
    SimilarRequest, parse_get, parse_query,
};
pub use scope::{DatabaseList, Scope, WALK_CONCURRENCY, WALK_PAGE_SIZE};
pub use session::BrowseSession;
