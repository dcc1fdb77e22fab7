//! Where browsing happens: the server's API generation, the tenant and the database ([`Scope`]), and the
//! databases of a tenant.

use serde::Serialize;

use super::browse_error::BrowseError;
use super::client::{ChromaClient, WalkLimits, decode};
use super::error::ChromaError;
use super::models::{self, ApiVersion, Database, Identity};

/// The API generation, tenant and database that browsing calls address. Build one with
/// [`ChromaClient::resolve_scope`] (detects the generation, asks `/auth/identity`, checks that the tenant and
/// database exist) or directly when they are known (e.g. from a connection check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// The REST API generation to use.
    pub api: ApiVersion,
    /// The tenant.
    pub tenant: String,
    /// The database.
    pub database: String,
}

impl Scope {
    /// A scope from known parts, without any request.
    #[must_use]
    pub fn new(api: ApiVersion, tenant: impl Into<String>, database: impl Into<String>) -> Self {
        Self { api, tenant: tenant.into(), database: database.into() }
    }
}

/// The databases of a tenant, and whether the server listed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseList {
    /// The databases, in the server's order.
    pub databases: Vec<Database>,
    /// True when the server listed the tenant's databases (1.x); false when it has no list endpoint (0.4/0.5) and
    /// `databases` holds only the configured database.
    pub listed: bool,
}

/// Page size used when walking a paged list endpoint to its end.
pub const WALK_PAGE_SIZE: u32 = 1000;

/// Requests in flight when the pages of a list are fetched concurrently
/// ([`ChromaClient::all_collections_concurrent`], [`ChromaClient::all_records`]).
pub const WALK_CONCURRENCY: usize = 4;

/// A walk over a paged list: remembers what was listed, and stops a walk that would never end (a server that
/// ignores the offset sends the same full page forever) or that goes past the client's limits.
#[derive(Debug)]
pub(crate) struct Walk {
    what: &'static str,
    seen: std::collections::HashSet<String>,
    started: std::time::Instant,
    limits: WalkLimits,
}

impl Walk {
    /// A walk over the `what` (`"collections"`) with the client's limits.
    pub(crate) fn new(client: &ChromaClient, what: &'static str) -> Self {
        Self {
            what,
            seen: std::collections::HashSet::new(),
            started: std::time::Instant::now(),
            limits: client.walk_limits,
        }
    }

    /// A walk over the `what` (`"records"`) without item or time caps: only a full page that brings nothing new
    /// stops it (the caller decides how long to wait, e.g. by dropping the future).
    pub(crate) fn unbounded(what: &'static str) -> Self {
        Self {
            what,
            seen: std::collections::HashSet::new(),
            started: std::time::Instant::now(),
            limits: WalkLimits { max_items: usize::MAX, max_duration: std::time::Duration::MAX },
        }
    }

    /// The offset of the next page: the number of distinct items so far.
    pub(crate) fn offset(&self) -> usize {
        self.seen.len()
    }

    /// Takes a page asked for with `page_size`: returns the items not listed before, and whether the walk is
    /// over (a short page). A full page with nothing new, too many items or too much time end the walk with
    /// [`BrowseError::ListingCapped`].
    pub(crate) fn page<T>(
        &mut self,
        page: Vec<T>,
        page_size: u32,
        key: impl Fn(&T) -> &str,
    ) -> Result<(Vec<T>, bool), BrowseError> {
        let last = page.len() < page_size as usize;
        let full = !last && !page.is_empty();
        let fresh: Vec<T> = page.into_iter().filter(|item| self.seen.insert(key(item).to_owned())).collect();
        let stop = |reason: String| BrowseError::ListingCapped { what: self.what, items: self.seen.len(), reason };
        if full && fresh.is_empty() {
            return Err(stop(format!(
                "the server sent a full page of {} already listed (does it ignore the offset?)",
                self.what
            )));
        }
        if self.seen.len() > self.limits.max_items {
            return Err(stop(format!("there are more than {} {}", self.limits.max_items, self.what)));
        }
        if !last && self.started.elapsed() > self.limits.max_duration {
            return Err(stop(format!("it took longer than {} s", self.limits.max_duration.as_secs_f64())));
        }
        Ok((fresh, last))
    }
}

impl ChromaClient {
    /// Detects the REST API generation: `GET /api/v2/heartbeat` 200 → v2 (1.x, 0.5.x); 404 → `GET /api/v1/heartbeat`
    /// 200 → v1 (0.4.x). Any other failure is returned as is (e.g. 401 from an authenticating proxy).
    pub async fn detect_api(&self) -> Result<ApiVersion, ChromaError> {
        match self.heartbeat(ApiVersion::V2).await {
            Ok(_) => Ok(ApiVersion::V2),
            Err(err) if err.status() == Some(404) => {
                self.heartbeat(ApiVersion::V1).await?;
                Ok(ApiVersion::V1)
            }
            Err(err) => Err(err),
        }
    }

    /// Detects the API generation, takes the tenant and database from `/auth/identity` when the server names a single
    /// one and the configured value is the default (as Chroma's own clients do; Chroma Cloud relies on it), and checks
    /// that both exist (list endpoints answer an empty list for a tenant that does not exist).
    pub async fn resolve_scope(&self, tenant: &str, database: &str) -> Result<Scope, BrowseError> {
        let api = self.detect_api().await?;
        let mut scope = Scope::new(api, tenant, database);
        if api == ApiVersion::V2 {
            match self.identity().await {
                Ok(identity) => apply_identity(&mut scope, &identity),
                // A server or proxy without the endpoint: keep the configured names.
                Err(err) if matches!(err.status(), Some(404 | 405)) => {}
                Err(err) => return Err(err.into()),
            }
        }
        match self.tenant(api, &scope.tenant).await {
            Ok(_) => {}
            Err(err) if err.is_not_found() => return Err(BrowseError::TenantNotFound { tenant: scope.tenant }),
            Err(err) => return Err(err.into()),
        }
        match self.database(api, &scope.tenant, &scope.database).await {
            Ok(_) => Ok(scope),
            Err(err) if err.is_not_found() => {
                Err(BrowseError::DatabaseNotFound { tenant: scope.tenant, database: scope.database })
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The databases of a tenant: every one, page by page, from the list endpoint (1.x); on servers without it
    /// (0.4.x, 0.5.x) only the configured database, fetched to prove it exists.
    pub async fn list_databases(
        &self,
        api: ApiVersion,
        tenant: &str,
        configured: &str,
    ) -> Result<DatabaseList, BrowseError> {
        if api == ApiVersion::V2 {
            let mut databases = Vec::new();
            let mut walk = Walk::new(self, "databases");
            loop {
                let limit = WALK_PAGE_SIZE.to_string();
                let offset = walk.offset().to_string();
                let query = [("limit", limit.as_str()), ("offset", offset.as_str())];
                match self.get(api, &["tenants", tenant, "databases"], &query).await {
                    Ok(body) => {
                        let page: Vec<Database> = decode(&body, models::parse_json)?;
                        let (fresh, last) = walk.page(page, WALK_PAGE_SIZE, |d| d.name.as_str())?;
                        databases.extend(fresh);
                        if last {
                            // An unknown tenant lists as empty: say so instead.
                            if databases.is_empty() {
                                match self.tenant(api, tenant).await {
                                    Err(err) if err.is_not_found() => {
                                        return Err(BrowseError::TenantNotFound { tenant: tenant.to_owned() });
                                    }
                                    Err(err) => return Err(err.into()),
                                    Ok(_) => {}
                                }
                            }
                            return Ok(DatabaseList { databases, listed: true });
                        }
                    }
                    // 0.5.x: 405 (only POST); other servers and proxies: a bare or FastAPI 404.
                    Err(err) if route_missing(&err) => break,
                    Err(err) => return Err(err.into()),
                }
            }
        }
        match self.database(api, tenant, configured).await {
            Ok(database) => Ok(DatabaseList { databases: vec![database], listed: false }),
            Err(err) if err.is_not_found() => {
                Err(BrowseError::DatabaseNotFound { tenant: tenant.to_owned(), database: configured.to_owned() })
            }
            Err(err) => Err(err.into()),
        }
    }
}

/// Takes the tenant and database named by `/auth/identity` where the configured ones are the defaults.
fn apply_identity(scope: &mut Scope, identity: &Identity) {
    if scope.tenant == crate::profile::DEFAULT_TENANT && !identity.tenant.is_empty() && identity.tenant != "*" {
        scope.tenant.clone_from(&identity.tenant);
    }
    if scope.database == crate::profile::DEFAULT_DATABASE
        && let [only] = identity.databases.as_slice()
        && !only.is_empty()
        && only != "*"
    {
        scope.database.clone_from(only);
    }
}

/// True when the route itself does not exist on this server (405, or a 404 that is not Chroma's `NotFoundError`).
pub(crate) fn route_missing(err: &ChromaError) -> bool {
    match err.response() {
        Some(response) if response.status == 405 => true,
        Some(response) if response.status == 404 => !response.chroma_shaped,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(tenant: &str, databases: &[&str]) -> Identity {
        Identity {
            user_id: String::new(),
            tenant: tenant.to_owned(),
            databases: databases.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn identity_fills_in_defaults_only() {
        let mut scope = Scope::new(ApiVersion::V2, "default_tenant", "default_database");
        apply_identity(&mut scope, &identity("acme", &["prod"]));
        assert_eq!((scope.tenant.as_str(), scope.database.as_str()), ("acme", "prod"));

        let mut scope = Scope::new(ApiVersion::V2, "mine", "db");
        apply_identity(&mut scope, &identity("acme", &["prod"]));
        assert_eq!((scope.tenant.as_str(), scope.database.as_str()), ("mine", "db"));

        // The legacy Python server with a token: `*` means "any", so the configured names stay.
        let mut scope = Scope::new(ApiVersion::V2, "default_tenant", "default_database");
        apply_identity(&mut scope, &identity("*", &["*"]));
        assert_eq!((scope.tenant.as_str(), scope.database.as_str()), ("default_tenant", "default_database"));

        // Several databases: the configured one stays.
        let mut scope = Scope::new(ApiVersion::V2, "default_tenant", "default_database");
        apply_identity(&mut scope, &identity("", &["a", "b"]));
        assert_eq!((scope.tenant.as_str(), scope.database.as_str()), ("default_tenant", "default_database"));
    }

    #[test]
    fn missing_routes_are_told_from_missing_things() {
        let err = |status: u16, body: &str| ChromaError::Status {
            response: Box::new(super::super::ErrorResponse::parse(
                status,
                &reqwest::header::HeaderMap::new(),
                body.as_bytes(),
                "http://x/",
            )),
        };
        // 0.5.x (transcripts v1-0.5.23/68 and 67).
        assert!(route_missing(&err(405, r#"{"detail":"Method Not Allowed"}"#)));
        assert!(route_missing(&err(404, r#"{"detail":"Not Found"}"#)));
        // 1.x unknown route: empty body.
        assert!(route_missing(&err(404, "")));
        // 1.x: the route exists, the thing does not.
        assert!(!route_missing(&err(404, r#"{"error":"NotFoundError","message":"Collection [x] does not exist"}"#)));
    }
}
