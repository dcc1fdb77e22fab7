//! Collections: paged listing, lookup by name or id, record counts, and their index settings, on v2 and v1 routes.
//!
//! Parsing is pure ([`parse_collection`], [`parse_collections`]) and lenient: 1.x sends `configuration_json` and a
//! large `schema`, 0.5.x an older `configuration_json` shape, 0.4.x neither (nor `dimension`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::browse_error::BrowseError;
use super::client::{ChromaClient, decode};
use super::error::ChromaError;
use super::models::{self, ApiVersion};
use super::paging::walk_pages;
use super::records::{GetRequest, Include};
use super::scope::{Scope, WALK_PAGE_SIZE, Walk, route_missing};

/// Metadata of a collection or a record: string keys, JSON values (strings, numbers, booleans; arrays on newer
/// servers). Kept sorted by key, so output is stable whatever order the server sent.
pub type Metadata = BTreeMap<String, serde_json::Value>;

/// A collection, as the server describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    /// The collection's id (a UUID).
    pub id: String,
    /// The collection's name.
    pub name: String,
    /// Its metadata; `None` when it has none.
    pub metadata: Option<Metadata>,
    /// The embedding dimension; `None` before the first record is added, and always on 0.4.x servers (see
    /// [`ChromaClient::collection_stats`]).
    pub dimension: Option<u64>,
    /// The server's `configuration_json` as sent (index settings; shape differs between 1.x and 0.5.x; absent on
    /// 0.4.x). [`Collection::index`] reads it.
    pub configuration: Option<serde_json::Value>,
    /// The tenant, when the server says.
    pub tenant: Option<String>,
    /// The database, when the server says.
    pub database: Option<String>,
}

/// A collection's vector index settings, from whichever place the server generation keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct IndexSettings {
    /// Distance function: `l2`, `cosine` or `ip`.
    pub space: Option<String>,
    /// HNSW `ef_construction`.
    pub ef_construction: Option<u64>,
    /// HNSW `ef_search`.
    pub ef_search: Option<u64>,
    /// HNSW `max_neighbors` (`M`).
    pub max_neighbors: Option<u64>,
}

/// Counts and dimension of a collection, fetched on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CollectionStats {
    /// Number of records.
    pub count: u64,
    /// Embedding dimension: the server's, or the length of a stored embedding (0.4.x); `None` when empty.
    pub dimension: Option<u64>,
}

/// One page of a list: at most `limit` items after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    /// Maximum number of items.
    pub limit: u32,
    /// Items to skip.
    pub offset: u32,
}

impl Page {
    /// A page of `limit` items from `offset`.
    #[must_use]
    pub fn new(limit: u32, offset: u32) -> Self {
        Self { limit, offset }
    }
}

impl Collection {
    /// The index settings: 1.x `configuration_json.hnsw` (or `.spann`), 0.5.x `configuration_json.hnsw_configuration`,
    /// else the `hnsw:*` metadata keys of 0.4.x. On a server that sends no configuration at all (0.4.x) the space
    /// defaults to `l2`, as the server's does.
    #[must_use]
    pub fn index(&self) -> IndexSettings {
        let config = self.configuration.as_ref();
        let section = config.and_then(|c| {
            ["hnsw", "hnsw_configuration", "spann"].iter().find_map(|key| c.get(*key).filter(|v| v.is_object()))
        });
        let from_config = |keys: &[&str]| section.and_then(|s| keys.iter().find_map(|k| s.get(*k)));
        let from_metadata = |key: &str| self.metadata.as_ref().and_then(|m| m.get(key));
        let number = |keys: &[&str], meta: &str| {
            from_config(keys).or_else(|| from_metadata(meta)).and_then(serde_json::Value::as_u64)
        };
        let space = from_config(&["space"])
            .or_else(|| from_metadata("hnsw:space"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .or_else(|| config.is_none().then(|| "l2".to_owned()));
        IndexSettings {
            space,
            ef_construction: number(&["ef_construction"], "hnsw:construction_ef"),
            ef_search: number(&["ef_search"], "hnsw:search_ef"),
            max_neighbors: number(&["max_neighbors", "M"], "hnsw:M"),
        }
    }
}

/// Reads one collection object.
pub fn parse_collection(body: &[u8]) -> Result<Collection, String> {
    models::parse_json::<RawCollection>(body).map(Collection::from)
}

/// Reads a list of collection objects.
pub fn parse_collections(body: &[u8]) -> Result<Vec<Collection>, String> {
    models::parse_json::<Vec<RawCollection>>(body).map(|raw| raw.into_iter().map(Collection::from).collect())
}

/// True for a string shaped like a UUID (`8-4-4-4-12` hex digits), i.e. possibly a collection id.
#[must_use]
pub fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

impl ChromaClient {
    /// One page of the database's collections, in the server's order (1.x: by id).
    pub async fn list_collections(&self, scope: &Scope, page: Page) -> Result<Vec<Collection>, BrowseError> {
        // 0.4.x treats `limit=0` as "no limit" (and fails); ask nothing instead.
        if page.limit == 0 {
            return Ok(Vec::new());
        }
        let limit = page.limit.to_string();
        let offset = page.offset.to_string();
        let paging = [("limit", limit.as_str()), ("offset", offset.as_str())];
        let body = match scope.api {
            ApiVersion::V2 => {
                self.get(scope.api, &["tenants", &scope.tenant, "databases", &scope.database, "collections"], &paging)
                    .await?
            }
            ApiVersion::V1 => {
                let mut query = v1_scope(scope).to_vec();
                query.extend(paging);
                self.get(scope.api, &["collections"], &query).await?
            }
        };
        Ok(decode(&body, parse_collections)?)
    }

    /// Every collection of the database, fetched `page_size` at a time (0 means [`WALK_PAGE_SIZE`]) until a short
    /// page. A full page that brings no collection not listed before (a server that ignores the offset), more
    /// collections or more time than the client's limits stop the walk with [`BrowseError::ListingCapped`].
    /// Dropping the future stops between (or during) requests.
    pub async fn all_collections(&self, scope: &Scope, page_size: u32) -> Result<Vec<Collection>, BrowseError> {
        self.walk_collections(scope, page_size, 1).await
    }

    /// [`ChromaClient::all_collections`], with up to `concurrency` pages in flight (e.g.
    /// [`WALK_CONCURRENCY`](super::WALK_CONCURRENCY); 0 or 1 walks one page after another): the first page alone
    /// (most databases fit in one), then the next pages `concurrency` at a time until a short one, taken in order.
    /// The result is the same: every collection once, in the server's order, collections created meanwhile
    /// included, with the same stops ([`BrowseError::ListingCapped`]). At most `concurrency - 1` requests go past
    /// the end. The server's count of collections is not asked: Chroma 1.x spends as long on it as on half the
    /// listing. Dropping the future cancels the requests still running.
    pub async fn all_collections_concurrent(
        &self,
        scope: &Scope,
        page_size: u32,
        concurrency: usize,
    ) -> Result<Vec<Collection>, BrowseError> {
        self.walk_collections(scope, page_size, concurrency).await
    }

    /// The number of collections in the database.
    pub async fn collection_count(&self, scope: &Scope) -> Result<u64, BrowseError> {
        Ok(self.count_collections(scope.api, &scope.tenant, &scope.database).await?)
    }

    /// A collection by name; [`BrowseError::CollectionNotFound`] when there is none.
    pub async fn collection_by_name(&self, scope: &Scope, name: &str) -> Result<Collection, BrowseError> {
        let result = match scope.api {
            ApiVersion::V2 => {
                self.get(scope.api, &["tenants", &scope.tenant, "databases", &scope.database, "collections", name], &[])
                    .await
            }
            ApiVersion::V1 => self.get(scope.api, &["collections", name], &v1_scope(scope)).await,
        };
        match result {
            Ok(body) => Ok(decode(&body, parse_collection)?),
            Err(err) if collection_missing(&err) => Err(not_found(scope, name)),
            Err(err) => Err(err.into()),
        }
    }

    /// A collection by id; [`BrowseError::CollectionNotFound`] when there is none. Servers without a by-id route
    /// (0.4.x, 0.5.x) are answered by walking the list.
    pub async fn collection_by_id(&self, scope: &Scope, id: &str) -> Result<Collection, BrowseError> {
        if scope.api == ApiVersion::V2 {
            let segments = ["tenants", &scope.tenant, "databases", &scope.database, "collections", "by-id", id];
            match self.get(scope.api, &segments, &[]).await {
                Ok(body) => return Ok(decode(&body, parse_collection)?),
                Err(err) if route_missing(&err) => {}
                Err(err) if collection_missing(&err) => return Err(not_found(scope, id)),
                Err(err) => return Err(err.into()),
            }
        }
        let mut walk = Walk::new(self, "collections");
        loop {
            let offset = u32::try_from(walk.offset()).unwrap_or(u32::MAX);
            let page = self.list_collections(scope, Page::new(WALK_PAGE_SIZE, offset)).await?;
            let (fresh, last) = walk.page(page, WALK_PAGE_SIZE, |c| c.id.as_str())?;
            if let Some(found) = fresh.into_iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
                return Ok(found);
            }
            if last {
                return Err(not_found(scope, id));
            }
        }
    }

    /// A collection by id (when `name_or_id` looks like a UUID) or by name: what a user types into `--collection`.
    /// A UUID-shaped string that is no collection's id is still tried as a name.
    pub async fn find_collection(&self, scope: &Scope, name_or_id: &str) -> Result<Collection, BrowseError> {
        if looks_like_uuid(name_or_id) {
            match self.collection_by_id(scope, name_or_id).await {
                Err(BrowseError::CollectionNotFound { .. }) => {}
                other => return other,
            }
        }
        self.collection_by_name(scope, name_or_id).await
    }

    /// The number of records in a collection.
    pub async fn count_records(&self, scope: &Scope, collection_id: &str) -> Result<u64, BrowseError> {
        let body = self.get(scope.api, &collection_path(scope, collection_id, "count"), &[]).await?;
        Ok(decode(&body, models::parse_count)?)
    }

    /// Record count and dimension of one collection. The dimension comes from the server, or (0.4.x, which does not
    /// say) from the length of one stored embedding.
    pub async fn collection_stats(
        &self,
        scope: &Scope,
        collection: &Collection,
    ) -> Result<CollectionStats, BrowseError> {
        let count = self.count_records(scope, &collection.id).await?;
        let dimension = match collection.dimension {
            Some(dimension) => Some(dimension),
            None if count == 0 => None,
            None => {
                let request =
                    GetRequest { limit: Some(1), include: Some(vec![Include::Embeddings]), ..GetRequest::default() };
                let records = self.get_records(scope, &collection.id, &request).await?;
                records.records.first().and_then(|r| r.embedding.as_ref()).map(|e| e.len() as u64)
            }
        };
        Ok(CollectionStats { count, dimension })
    }

    /// [`ChromaClient::collection_stats`] of many collections, at most `concurrency` requests in flight (at least 1);
    /// one result per collection, in order. Dropping the future cancels the requests still running.
    pub async fn collections_stats(
        &self,
        scope: &Scope,
        collections: &[Collection],
        concurrency: usize,
    ) -> Vec<Result<CollectionStats, BrowseError>> {
        let mut results: Vec<Option<Result<CollectionStats, BrowseError>>> = Vec::new();
        results.resize_with(collections.len(), || None);
        let mut tasks = JoinSet::new();
        let mut pending = collections.iter().enumerate();
        loop {
            while tasks.len() < concurrency.max(1) {
                let Some((index, collection)) = pending.next() else { break };
                let (client, scope, collection) = (self.clone(), scope.clone(), collection.clone());
                tasks.spawn(async move { (index, client.collection_stats(&scope, &collection).await) });
            }
            let Some(joined) = tasks.join_next().await else { break };
            match joined {
                Ok((index, result)) => {
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(result);
                    }
                }
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(_) => {}
            }
        }
        results
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(
                    || Err(ChromaError::Build { detail: "the request was cancelled".to_owned() }.into()),
                )
            })
            .collect()
    }
}

impl ChromaClient {
    async fn walk_collections(
        &self,
        scope: &Scope,
        page_size: u32,
        concurrency: usize,
    ) -> Result<Vec<Collection>, BrowseError> {
        let page_size = if page_size == 0 { WALK_PAGE_SIZE } else { page_size };
        let mut walk = Walk::new(self, "collections");
        let fetch = |offset| {
            let (client, scope) = (self.clone(), scope.clone());
            async move { client.list_collections(&scope, Page::new(page_size, offset)).await }
        };
        walk_pages(&mut walk, page_size, None, concurrency, fetch, |c: &Collection| c.id.as_str(), |_| {}).await
    }
}

/// `?tenant=&database=` of the v1 routes.
fn v1_scope(scope: &Scope) -> [(&str, &str); 2] {
    [("tenant", scope.tenant.as_str()), ("database", scope.database.as_str())]
}

/// The path of a collection's sub-resource (`get`, `query`, `count`) on the scope's API.
pub(crate) fn collection_path<'a>(scope: &'a Scope, collection_id: &'a str, op: &'a str) -> Vec<&'a str> {
    match scope.api {
        ApiVersion::V2 => {
            vec!["tenants", &scope.tenant, "databases", &scope.database, "collections", collection_id, op]
        }
        ApiVersion::V1 => vec!["collections", collection_id, op],
    }
}

/// "No such collection" in every dialect: 1.x 404 `NotFoundError`, 0.5.x 400 `InvalidCollection`,
/// 0.4.x 500 `ValueError('Collection x does not exist.')`.
fn collection_missing(err: &ChromaError) -> bool {
    let Some(response) = err.response() else { return false };
    response.chroma_shaped
        && (err.is_not_found()
            || response.error_kind.as_deref() == Some("InvalidCollection")
            || (matches!(response.status, 400 | 500) && response.message.contains("does not exist")))
}

fn not_found(scope: &Scope, collection: &str) -> BrowseError {
    BrowseError::CollectionNotFound {
        collection: collection.to_owned(),
        tenant: scope.tenant.clone(),
        database: scope.database.clone(),
    }
}

/// The wire shape of a collection (every generation), before normalisation.
#[derive(Debug, Deserialize)]
struct RawCollection {
    id: String,
    name: String,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    dimension: Option<u64>,
    #[serde(default)]
    configuration_json: Option<serde_json::Value>,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    database: Option<String>,
}

impl From<RawCollection> for Collection {
    fn from(raw: RawCollection) -> Self {
        let RawCollection { id, name, metadata, dimension, configuration_json, tenant, database } = raw;
        Self {
            id,
            name,
            metadata,
            dimension,
            configuration: configuration_json.filter(|c| !c.is_null()),
            tenant,
            database,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // v2-1.x/24b-get-collection-by-id-route.txt (schema trimmed).
    const V2_COLLECTION: &str = r##"{
        "id": "c95ba389-da2f-4938-aa87-db2cfb9c9b1e", "name": "lab_docs",
        "configuration_json": {"hnsw": {"space": "l2", "ef_construction": 100, "ef_search": 100, "max_neighbors": 16,
            "resize_factor": 1.2, "sync_threshold": 1000}, "spann": null, "embedding_function": null},
        "schema": {"defaults": {}, "keys": {"#embedding": {}}},
        "metadata": {"owner": "chroma-lab", "purpose": "lab"}, "dimension": 4,
        "tenant": "default_tenant", "database": "default_database", "log_position": 0, "version": 0}"##;

    // v1-0.5.23/10-list-collections.txt.
    const V05_LIST: &str = r#"[{"id": "5fcd0c55-844d-408f-adaf-99879b100e40", "name": "beta",
        "configuration_json": {"hnsw_configuration": {"space": "l2", "ef_construction": 100, "ef_search": 10,
            "num_threads": 2, "M": 16, "resize_factor": 1.2, "batch_size": 100, "sync_threshold": 1000,
            "_type": "HNSWConfigurationInternal"}, "_type": "CollectionConfigurationInternal"},
        "metadata": null, "dimension": 3, "tenant": "default_tenant", "database": "default_database",
        "version": 0, "log_position": 0}]"#;

    // v1-0.4.24/10-list-collections.txt, plus a collection with `hnsw:*` metadata as 0.4.x keeps it.
    const V04_LIST: &str = r#"[
        {"name": "beta", "id": "253e4c58-cc76-4894-adeb-553f40751ba5", "metadata": null,
         "tenant": "default_tenant", "database": "default_database"},
        {"name": "cosine_docs", "id": "7ec2ac76-de32-4213-97c7-b50f70d15d04",
         "metadata": {"hnsw:space": "cosine", "hnsw:M": 32, "topic": "v1"},
         "tenant": "lab_tenant", "database": "lab_db"}]"#;

    #[test]
    fn a_1x_collection() -> Result<(), String> {
        let c = parse_collection(V2_COLLECTION.as_bytes())?;
        assert_eq!(
            (c.id.as_str(), c.name.as_str(), c.dimension),
            ("c95ba389-da2f-4938-aa87-db2cfb9c9b1e", "lab_docs", Some(4))
        );
        let metadata = c.metadata.as_ref().ok_or("no metadata")?;
        assert_eq!(metadata.get("owner"), Some(&serde_json::json!("chroma-lab")));
        assert_eq!(
            c.index(),
            IndexSettings {
                space: Some("l2".to_owned()),
                ef_construction: Some(100),
                ef_search: Some(100),
                max_neighbors: Some(16)
            }
        );
        assert_eq!(c.tenant.as_deref(), Some("default_tenant"));
        Ok(())
    }

    #[test]
    fn a_05_collection_list() -> Result<(), String> {
        let list = parse_collections(V05_LIST.as_bytes())?;
        let [beta] = list.as_slice() else { panic!("{list:?}") };
        assert_eq!((beta.name.as_str(), beta.metadata.as_ref(), beta.dimension), ("beta", None, Some(3)));
        assert_eq!(beta.index().space.as_deref(), Some("l2"));
        assert_eq!((beta.index().ef_search, beta.index().max_neighbors), (Some(10), Some(16)));
        Ok(())
    }

    #[test]
    fn a_04_collection_list() -> Result<(), String> {
        let list = parse_collections(V04_LIST.as_bytes())?;
        let [beta, cosine] = list.as_slice() else { panic!("{list:?}") };
        assert_eq!((beta.dimension, beta.configuration.as_ref()), (None, None));
        assert_eq!(beta.index().space.as_deref(), Some("l2"), "0.4.x's default");
        assert_eq!(cosine.index().space.as_deref(), Some("cosine"));
        assert_eq!(cosine.index().max_neighbors, Some(32));
        assert_eq!(cosine.database.as_deref(), Some("lab_db"));
        Ok(())
    }

    #[test]
    fn the_transcripts_parse() -> Result<(), String> {
        for (path, list) in [
            ("v2-1.x/20-list-collections.txt", true),
            ("v2-1.x/21-list-collections-limit2-offset1.txt", true),
            ("v2-1.x/23-get-collection-by-name.txt", false),
            ("v2-1.x/24b-get-collection-by-id-route.txt", false),
            ("v1-0.5.23/10-list-collections.txt", true),
            ("v1-0.5.23/12-get-collection-by-name.txt", false),
            ("v1-0.4.24/10-list-collections.txt", true),
            ("v1-0.4.24/12-get-collection-by-name.txt", false),
        ] {
            let text = crate::chroma::transcripts::read(path);
            let body = text.as_bytes();
            if list {
                assert!(!parse_collections(body).map_err(|e| format!("{path}: {e}"))?.is_empty(), "{path}");
            } else {
                assert!(!parse_collection(body).map_err(|e| format!("{path}: {e}"))?.id.is_empty(), "{path}");
            }
        }
        Ok(())
    }

    #[test]
    fn lenient_and_strict_where_it_matters() -> Result<(), String> {
        let c = parse_collection(br#"{"id":"x","name":"n","configuration_json":null,"extra":[1]}"#)?;
        assert_eq!((c.configuration, c.metadata, c.dimension), (None, None, None));
        assert!(parse_collection(br#"{"name":"no id"}"#).is_err());
        assert!(parse_collections(b"<html>").is_err());
        Ok(())
    }

    #[test]
    fn uuid_shapes() {
        assert!(looks_like_uuid("c95ba389-da2f-4938-aa87-db2cfb9c9b1e"));
        assert!(looks_like_uuid("C95BA389-DA2F-4938-AA87-DB2CFB9C9B1E"));
        assert!(!looks_like_uuid("lab_docs"));
        assert!(!looks_like_uuid("c95ba389-da2f-4938-aa87-db2cfb9c9b1"));
        assert!(!looks_like_uuid("c95ba389xda2f-4938-aa87-db2cfb9c9b1e"));
    }
}
