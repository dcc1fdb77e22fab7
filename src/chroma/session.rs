//! Opening a browse: one client, the API generation, the tenant and database checked, the server's version.

use crate::profile::ConnectionSettings;

use super::{BrowseError, ChromaClient, ClientOptions, Scope};

/// A connected client and where it browses: what `collections`, `records` and the app's browser start from.
#[derive(Debug, Clone)]
pub struct BrowseSession {
    /// The client (one connection pool; a pinned fingerprint is enforced on every connection).
    pub client: ChromaClient,
    /// API generation, tenant and database.
    pub scope: Scope,
    /// The server's version (`"1.0.0"` for the 1.x Rust server), when it says. For display only: a server that
    /// hides it is still browsable.
    pub version: Option<String>,
}

impl BrowseSession {
    /// Connects with `settings`, detects the API generation and checks the tenant and database of
    /// `tenant`/`database` (the settings' own unless the caller browses elsewhere). Errors are mapped to a
    /// diagnosis by [`crate::diagnose::diagnose_browse_error`].
    pub async fn open(
        settings: &ConnectionSettings,
        options: ClientOptions,
        tenant: &str,
        database: &str,
    ) -> Result<Self, BrowseError> {
        let client = ChromaClient::connect(settings, options).await?;
        let scope = client.resolve_scope(tenant, database).await?;
        let version =
            client.version(scope.api).await.ok().map(|version| crate::diagnose::sanitize_display(&version, 64));
        Ok(Self { client, scope, version })
    }
}
