//! Our own typed client for Chroma's REST API (v2, and v1 for 0.4/0.5 servers). Knows nothing of egui.

mod client;
mod error;
mod models;

pub use client::{ChromaClient, ClientOptions, DEFAULT_MAX_BODY_BYTES, innermost_cause};
pub use error::{ChromaError, ErrorResponse, snippet};
pub use models::{ApiVersion, Database, Identity, Tenant, parse_count, parse_heartbeat, parse_json, parse_version};
