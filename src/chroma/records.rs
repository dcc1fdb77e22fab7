//! Records: paged `get` with filters, similarity `query` by embedding, and "records similar to this one", on v2 and
//! v1 routes.
//!
//! Parsing is pure ([`parse_get`], [`parse_query`]) and lenient about the generations' differences: the list of
//! returned fields is `include` (1.x), `included` (0.5.x) or absent (0.4.x, then it is read off the columns sent);
//! 0.4/0.5 add a `data` column; metadata and documents may be `null` per record; distances come as float32 (1.x) or
//! float64 (0.4/0.5) numbers.

use serde::{Deserialize, Serialize};

use super::browse_error::BrowseError;
use super::client::{ChromaClient, decode};
use super::collections::{Collection, Metadata, collection_path};
use super::models;
use super::paging::walk_pages;
use super::scope::{Scope, Walk};

/// Records fetched per request by [`ChromaClient::all_records`] when not told. Chroma 1.x spends a good part of a
/// page on the request itself: 1,000 records a page export a collection about 1.6 times faster than 500; larger
/// pages risk the response size cap when the embeddings are included.
pub const EXPORT_PAGE_SIZE: u32 = 1000;

/// A field a `get` or `query` can return besides the ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Include {
    /// The documents (text).
    Documents,
    /// The metadata.
    Metadatas,
    /// The embeddings.
    Embeddings,
    /// The URIs.
    Uris,
    /// The distances to the query embedding (queries only).
    Distances,
}

impl Include {
    /// Every value, in the order the CLI shows them.
    pub const ALL: [Self; 5] = [Self::Documents, Self::Metadatas, Self::Embeddings, Self::Uris, Self::Distances];
    /// What servers return from `get` when not told: documents and metadata.
    pub const GET_DEFAULT: [Self; 2] = [Self::Documents, Self::Metadatas];
    /// What servers return from `query` when not told: documents, metadata and distances.
    pub const QUERY_DEFAULT: [Self; 3] = [Self::Documents, Self::Metadatas, Self::Distances];

    /// The wire name (`"documents"`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Documents => "documents",
            Self::Metadatas => "metadatas",
            Self::Embeddings => "embeddings",
            Self::Uris => "uris",
            Self::Distances => "distances",
        }
    }

    /// The value of a wire name; `None` for names this client does not know (e.g. 0.5's `data`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|include| include.as_str() == name)
    }
}

/// `where` (metadata) and `where_document` filters, passed to the server as given. The server judges them: an invalid
/// one comes back as [`BrowseError::Chroma`] with the server's message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// The `where` filter on metadata, e.g. `{"$and":[{"color":"red"},{"idx":{"$gte":8}}]}`.
    pub metadata: Option<serde_json::Value>,
    /// The `where_document` filter, e.g. `{"$contains":"number 1"}`.
    pub document: Option<serde_json::Value>,
}

/// A `get`: which records, how many, and which fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetRequest {
    /// Only these ids.
    pub ids: Option<Vec<String>>,
    /// Filters.
    pub filter: Filter,
    /// At most this many records (`Some(0)` answers an empty page without asking the server).
    pub limit: Option<u32>,
    /// Skip this many records.
    pub offset: Option<u32>,
    /// Fields to return; `None` leaves it to the server ([`Include::GET_DEFAULT`]). `Distances` is dropped.
    pub include: Option<Vec<Include>>,
}

/// A `query`: the records nearest to each query embedding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryRequest {
    /// The query embeddings (one result list per embedding).
    pub embeddings: Vec<Vec<f64>>,
    /// How many nearest records per embedding.
    pub n_results: u32,
    /// Filters.
    pub filter: Filter,
    /// Only among these ids (1.x).
    pub ids: Option<Vec<String>>,
    /// Fields to return; `None` leaves it to the server ([`Include::QUERY_DEFAULT`]).
    pub include: Option<Vec<Include>>,
}

/// "Records similar to this record": its embedding becomes the query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimilarRequest {
    /// The record whose embedding is the query.
    pub id: String,
    /// How many similar records.
    pub n_results: u32,
    /// Filters on the candidates.
    pub filter: Filter,
    /// Fields to return; distances are always returned. `None`: [`Include::QUERY_DEFAULT`].
    pub include: Option<Vec<Include>>,
    /// Keep the record itself among the results (it is its own nearest neighbour, at distance 0).
    pub include_self: bool,
}

/// One record; fields that were not included are `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The record's id.
    pub id: String,
    /// Its document.
    pub document: Option<String>,
    /// Its metadata.
    pub metadata: Option<Metadata>,
    /// Its embedding (numbers as the server sent them: float32 values from 1.x).
    pub embedding: Option<Vec<f64>>,
    /// Its URI.
    pub uri: Option<String>,
}

/// The answer to a `get`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Records {
    /// The records, in the server's order.
    pub records: Vec<Record>,
    /// The fields the server returned.
    pub included: Vec<Include>,
}

/// One record of a query's answer, with its distance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryHit {
    /// The record.
    #[serde(flatten)]
    pub record: Record,
    /// Its distance to the query embedding (in the collection's space), when included.
    pub distance: Option<f64>,
}

/// The answer to a `query`: one list of hits per query embedding, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    /// Hits per query embedding.
    pub results: Vec<Vec<QueryHit>>,
    /// The fields the server returned.
    pub included: Vec<Include>,
}

/// The answer to [`ChromaClient::similar_records`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    /// The record compared with (id, document, metadata, embedding).
    pub source: Record,
    /// The most similar records, nearest first.
    pub hits: Vec<QueryHit>,
    /// The fields returned for the hits.
    pub included: Vec<Include>,
}

impl GetRequest {
    /// The JSON body sent to the server.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        if let Some(ids) = &self.ids {
            body.insert("ids".into(), ids.clone().into());
        }
        insert_filter(&mut body, &self.filter);
        if let Some(limit) = self.limit {
            body.insert("limit".into(), limit.into());
        }
        if let Some(offset) = self.offset {
            body.insert("offset".into(), offset.into());
        }
        if let Some(include) = &self.include {
            let names: Vec<&str> = include.iter().filter(|i| **i != Include::Distances).map(|i| i.as_str()).collect();
            body.insert("include".into(), names.into());
        }
        serde_json::Value::Object(body)
    }
}

impl QueryRequest {
    /// The JSON body sent to the server.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("query_embeddings".into(), serde_json::json!(self.embeddings));
        body.insert("n_results".into(), self.n_results.into());
        if let Some(ids) = &self.ids {
            body.insert("ids".into(), ids.clone().into());
        }
        insert_filter(&mut body, &self.filter);
        if let Some(include) = &self.include {
            body.insert("include".into(), include.iter().map(|i| i.as_str()).collect::<Vec<_>>().into());
        }
        serde_json::Value::Object(body)
    }
}

fn insert_filter(body: &mut serde_json::Map<String, serde_json::Value>, filter: &Filter) {
    if let Some(metadata) = &filter.metadata {
        body.insert("where".into(), metadata.clone());
    }
    if let Some(document) = &filter.document {
        body.insert("where_document".into(), document.clone());
    }
}

/// Reads the answer to a `get`.
pub fn parse_get(body: &[u8]) -> Result<Records, String> {
    let raw: RawGet = models::parse_json(body)?;
    let n = raw.ids.len();
    let included = included(
        raw.include.or(raw.included),
        [
            (Include::Documents, raw.documents.is_some()),
            (Include::Metadatas, raw.metadatas.is_some()),
            (Include::Embeddings, raw.embeddings.is_some()),
            (Include::Uris, raw.uris.is_some()),
            (Include::Distances, false),
        ],
    );
    let documents = column(raw.documents, n, "documents")?;
    let metadatas = column(raw.metadatas, n, "metadatas")?;
    let embeddings = column(raw.embeddings, n, "embeddings")?;
    let uris = column(raw.uris, n, "uris")?;
    let records = raw
        .ids
        .into_iter()
        .zip(documents)
        .zip(metadatas)
        .zip(embeddings)
        .zip(uris)
        .map(|((((id, document), metadata), embedding), uri)| Record { id, document, metadata, embedding, uri })
        .collect();
    Ok(Records { records, included })
}

/// Reads the answer to a `query`.
pub fn parse_query(body: &[u8]) -> Result<QueryResult, String> {
    let raw: RawQuery = models::parse_json(body)?;
    let queries = raw.ids.len();
    let included = included(
        raw.include.or(raw.included),
        [
            (Include::Documents, raw.documents.is_some()),
            (Include::Metadatas, raw.metadatas.is_some()),
            (Include::Embeddings, raw.embeddings.is_some()),
            (Include::Uris, raw.uris.is_some()),
            (Include::Distances, raw.distances.is_some()),
        ],
    );
    let documents = column(raw.documents, queries, "documents")?;
    let metadatas = column(raw.metadatas, queries, "metadatas")?;
    let embeddings = column(raw.embeddings, queries, "embeddings")?;
    let uris = column(raw.uris, queries, "uris")?;
    let distances = column(raw.distances, queries, "distances")?;
    let mut results = Vec::with_capacity(queries);
    for (q, ids) in raw.ids.into_iter().enumerate() {
        let n = ids.len();
        let documents = column(documents.get(q).cloned().flatten(), n, "documents")?;
        let metadatas = column(metadatas.get(q).cloned().flatten(), n, "metadatas")?;
        let embeddings = column(embeddings.get(q).cloned().flatten(), n, "embeddings")?;
        let uris = column(uris.get(q).cloned().flatten(), n, "uris")?;
        let distances = column(distances.get(q).cloned().flatten(), n, "distances")?;
        let hits = ids
            .into_iter()
            .zip(documents)
            .zip(metadatas)
            .zip(embeddings)
            .zip(uris)
            .zip(distances)
            .map(|(((((id, document), metadata), embedding), uri), distance)| QueryHit {
                record: Record { id, document, metadata, embedding, uri },
                distance,
            })
            .collect();
        results.push(hits);
    }
    Ok(QueryResult { results, included })
}

impl ChromaClient {
    /// A page of records (`POST …/collections/{id}/get`), in the server's order (insertion order for an unfiltered
    /// get). An offset past the end gives an empty page.
    pub async fn get_records(
        &self,
        scope: &Scope,
        collection_id: &str,
        request: &GetRequest,
    ) -> Result<Records, BrowseError> {
        if request.limit == Some(0) {
            // 0.4.x reads `limit: 0` as "no limit": answer here, the same on every server.
            let included = request.include.clone().unwrap_or_else(|| Include::GET_DEFAULT.to_vec());
            return Ok(Records { records: Vec::new(), included });
        }
        let body =
            self.post_json(scope.api, &collection_path(scope, collection_id, "get"), &[], &request.to_json()).await?;
        Ok(decode(&body, parse_get)?)
    }

    /// Every record that `request` matches (its ids and filters; its `limit` and `offset` are not used), fetched
    /// `page_size` at a time (0 means [`EXPORT_PAGE_SIZE`]) with up to `concurrency` requests in flight (e.g.
    /// [`WALK_CONCURRENCY`](super::WALK_CONCURRENCY); 0 or 1: one page after another), in the server's order.
    /// Without ids or filters, the collection's record count says how many pages there are, and those are fetched
    /// at once, then pages one after another until a short one (records added meanwhile). With filters (which no
    /// count answers), the first page is fetched alone, then the next ones `concurrency` at a time until a short
    /// one. A full page that brings no record not fetched before (a server that ignores the offset) stops with
    /// [`BrowseError::ListingCapped`]; there is no cap on the number of records or the time: drop the future to
    /// stop (the requests still running are cancelled). `progress(done, total)` is called before the first page
    /// and after each page: records so far, and the record count when known.
    pub async fn all_records(
        &self,
        scope: &Scope,
        collection_id: &str,
        request: &GetRequest,
        page_size: u32,
        concurrency: usize,
        mut progress: impl FnMut(u64, Option<u64>),
    ) -> Result<Vec<Record>, BrowseError> {
        let page_size = if page_size == 0 { EXPORT_PAGE_SIZE } else { page_size };
        let mut walk = Walk::unbounded("records");
        let unfiltered = request.ids.is_none() && request.filter == Filter::default();
        // A count is cheap (unlike the list's, on 1.x) and gives the progress its total.
        let total = if unfiltered { self.count_records(scope, collection_id).await.ok() } else { None };
        progress(0, total);
        let fetch = |offset| {
            let (client, scope, collection_id) = (self.clone(), scope.clone(), collection_id.to_owned());
            let request = GetRequest { limit: Some(page_size), offset: Some(offset), ..request.clone() };
            async move { Ok(client.get_records(&scope, &collection_id, &request).await?.records) }
        };
        walk_pages(&mut walk, page_size, total, concurrency, fetch, record_id, |done| progress(done as u64, total))
            .await
    }

    /// The records nearest to each query embedding (`POST …/collections/{id}/query`).
    pub async fn query(
        &self,
        scope: &Scope,
        collection_id: &str,
        request: &QueryRequest,
    ) -> Result<QueryResult, BrowseError> {
        let body =
            self.post_json(scope.api, &collection_path(scope, collection_id, "query"), &[], &request.to_json()).await?;
        Ok(decode(&body, parse_query)?)
    }

    /// The records most similar to one record of the collection: fetches its embedding, queries with it, and (unless
    /// `include_self`) leaves the record itself out of the hits.
    pub async fn similar_records(
        &self,
        scope: &Scope,
        collection: &Collection,
        request: &SimilarRequest,
    ) -> Result<Similar, BrowseError> {
        let fetch = GetRequest {
            ids: Some(vec![request.id.clone()]),
            include: Some(vec![Include::Documents, Include::Metadatas, Include::Embeddings, Include::Uris]),
            ..GetRequest::default()
        };
        let found = self.get_records(scope, &collection.id, &fetch).await?;
        let Some(source) = found.records.into_iter().find(|r| r.id == request.id) else {
            return Err(BrowseError::RecordNotFound { id: request.id.clone(), collection: collection.name.clone() });
        };
        let Some(embedding) = source.embedding.clone().filter(|e| !e.is_empty()) else {
            return Err(BrowseError::NoEmbedding { id: request.id.clone(), collection: collection.name.clone() });
        };
        let mut include = request.include.clone().unwrap_or_else(|| Include::QUERY_DEFAULT.to_vec());
        if !include.contains(&Include::Distances) {
            include.push(Include::Distances);
        }
        let n_results = if request.include_self { request.n_results } else { request.n_results.saturating_add(1) };
        let query = QueryRequest {
            embeddings: vec![embedding],
            n_results,
            filter: request.filter.clone(),
            ids: None,
            include: Some(include),
        };
        let answer = self.query(scope, &collection.id, &query).await?;
        let mut hits = answer.results.into_iter().next().unwrap_or_default();
        if !request.include_self
            && let Some(position) = hits.iter().position(|hit| hit.record.id == request.id)
        {
            hits.remove(position);
        }
        hits.truncate(request.n_results as usize);
        Ok(Similar { source, hits, included: answer.included })
    }
}

/// A record's key in a walk.
fn record_id(record: &Record) -> &str {
    &record.id
}

/// The returned fields: the server's list when it sent one (unknown names ignored), else the columns present.
fn included(listed: Option<Vec<String>>, present: [(Include, bool); 5]) -> Vec<Include> {
    match listed {
        Some(names) => names.iter().filter_map(|name| Include::from_name(name)).collect(),
        None => present.into_iter().filter(|(_, here)| *here).map(|(include, _)| include).collect(),
    }
}

/// A column of `n` optional values: `None` (not included) becomes `n` Nones; a length other than `n` is an error.
fn column<T>(values: Option<Vec<Option<T>>>, n: usize, name: &str) -> Result<Vec<Option<T>>, String> {
    match values {
        None => Ok(std::iter::repeat_with(|| None).take(n).collect()),
        Some(values) if values.len() == n => Ok(values),
        Some(values) => Err(format!("`{name}` has {} entries for {n} ids", values.len())),
    }
}

/// The wire shape of a `get` answer (every generation).
#[derive(Debug, Deserialize)]
struct RawGet {
    ids: Vec<String>,
    #[serde(default)]
    documents: Option<Vec<Option<String>>>,
    #[serde(default)]
    metadatas: Option<Vec<Option<Metadata>>>,
    #[serde(default)]
    embeddings: Option<Vec<Option<Vec<f64>>>>,
    #[serde(default)]
    uris: Option<Vec<Option<String>>>,
    #[serde(default)]
    include: Option<Vec<String>>,
    #[serde(default)]
    included: Option<Vec<String>>,
}

/// Column of a `query` answer: one optional list per query embedding.
type Nested<T> = Option<Vec<Option<Vec<Option<T>>>>>;

/// The wire shape of a `query` answer (every generation).
#[derive(Debug, Deserialize)]
struct RawQuery {
    ids: Vec<Vec<String>>,
    #[serde(default)]
    documents: Nested<String>,
    #[serde(default)]
    metadatas: Nested<Metadata>,
    #[serde(default)]
    embeddings: Nested<Vec<f64>>,
    #[serde(default)]
    uris: Nested<String>,
    #[serde(default)]
    distances: Nested<f64>,
    #[serde(default)]
    include: Option<Vec<String>>,
    #[serde(default)]
    included: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // v2-1.x/31-get-where-include-embeddings.txt (metadata key order as the server sent it).
    const V2_GET: &str = r#"{"ids":["doc-08","doc-12","doc-16"],
        "embeddings":[[8.0,0.0,0.11111111,0.5],[12.0,0.0,0.07692308,0.5],[16.0,0.0,0.05882353,0.5]],
        "documents":["Document number 8 about red things","Document number 12 about red things",
                     "Document number 16 about red things"],
        "uris":null,
        "metadatas":[{"color":"red","score":4.0,"idx":8,"even":true},{"score":6.0,"idx":12,"color":"red","even":true},
                     {"score":8.0,"even":true,"idx":16,"color":"red"}],
        "include":["documents","metadatas","embeddings"]}"#;

    // v1-0.5.23/14-get.txt: `included`, `data`.
    const V05_GET: &str = r#"{"ids":["doc-04","doc-08"],"embeddings":null,
        "documents":["Document number 4 about red things","Document number 8 about red things"],
        "uris":null,"data":null,
        "metadatas":[{"color":"red","even":true,"idx":4,"score":2.0},{"color":"red","even":true,"idx":8,"score":4.0}],
        "included":["documents","metadatas"]}"#;

    // v1-0.4.24/14-get.txt: no include list at all; plus a record without metadata and document, as 0.4.24 sends.
    const V04_GET: &str = r#"{"ids":["doc-04","c-1"],"embeddings":null,
        "metadatas":[{"color":"red","even":true,"idx":4,"score":2.0},null],
        "documents":["Document number 4 about red things",null],"uris":null,"data":null}"#;

    // v2-1.x/40-query-embeddings.txt (two query embeddings, float32 distances with an exponent).
    const V2_QUERY: &str = r#"{"ids":[["doc-03","doc-02","doc-05"],["doc-10","doc-11","doc-09"]],"embeddings":null,
        "documents":[["Document number 3 about yellow things","Document number 2 about blue things",
                      "Document number 5 about green things"],
                     ["Document number 10 about blue things","Document number 11 about yellow things",
                      "Document number 9 about green things"]],
        "uris":null,
        "metadatas":[[{"score":1.5,"color":"yellow","even":false,"idx":3},{"score":1.0,"color":"blue","idx":2,"even":true},
                      {"even":false,"score":2.5,"color":"green","idx":5}],
                     [{"color":"blue","idx":10,"even":true,"score":5.0},{"even":false,"idx":11,"color":"yellow","score":5.5},
                      {"color":"green","idx":9,"score":4.5,"even":false}]],
        "distances":[[0.0,2.0069444,8.006945],[8.264447e-07,2.0000443,2.0001]],
        "include":["documents","metadatas","distances"]}"#;

    // v1-0.4.24/15-query.txt: float64 distances, no include list.
    const V04_QUERY: &str = r#"{"ids":[["doc-03","doc-02"]],"distances":[[0.0,2.0069444444444446]],
        "metadatas":[[{"color":"yellow","even":false,"idx":3,"score":1.5},{"color":"blue","even":true,"idx":2,"score":1.0}]],
        "embeddings":null,
        "documents":[["Document number 3 about yellow things","Document number 2 about blue things"]],
        "uris":null,"data":null}"#;

    #[test]
    fn a_1x_get_with_embeddings() -> Result<(), String> {
        let records = parse_get(V2_GET.as_bytes())?;
        assert_eq!(records.included, [Include::Documents, Include::Metadatas, Include::Embeddings]);
        let ids: Vec<_> = records.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["doc-08", "doc-12", "doc-16"]);
        let first = &records.records[0];
        assert_eq!(first.document.as_deref(), Some("Document number 8 about red things"));
        assert_eq!(first.embedding.as_deref(), Some(&[8.0, 0.0, 0.111_111_11, 0.5][..]));
        assert_eq!(first.uri, None);
        // Metadata keys come out sorted, whatever the server's order.
        let metadata = serde_json::to_string(&first.metadata).map_err(|e| e.to_string())?;
        assert_eq!(metadata, r#"{"color":"red","even":true,"idx":8,"score":4.0}"#);
        Ok(())
    }

    #[test]
    fn older_gets_with_included_data_and_nulls() -> Result<(), String> {
        let records = parse_get(V05_GET.as_bytes())?;
        assert_eq!(records.included, Include::GET_DEFAULT);
        assert_eq!(records.records.len(), 2);
        assert_eq!(records.records[1].metadata.as_ref().and_then(|m| m.get("idx")), Some(&serde_json::json!(8)));

        let records = parse_get(V04_GET.as_bytes())?;
        assert_eq!(records.included, [Include::Documents, Include::Metadatas], "read off the columns sent");
        let second = &records.records[1];
        assert_eq!((second.id.as_str(), second.document.as_ref(), second.metadata.as_ref()), ("c-1", None, None));
        Ok(())
    }

    #[test]
    fn queries_of_both_generations() -> Result<(), String> {
        let result = parse_query(V2_QUERY.as_bytes())?;
        assert_eq!(result.included, Include::QUERY_DEFAULT);
        assert_eq!(result.results.len(), 2);
        let second: Vec<_> = result.results[1].iter().map(|h| (h.record.id.as_str(), h.distance)).collect();
        assert_eq!(second, [("doc-10", Some(8.264_447e-7)), ("doc-11", Some(2.000_044_3)), ("doc-09", Some(2.0001))]);

        let result = parse_query(V04_QUERY.as_bytes())?;
        assert_eq!(result.included, [Include::Documents, Include::Metadatas, Include::Distances]);
        let hits = &result.results[0];
        assert_eq!(hits[1].distance, Some(2.006_944_444_444_444_6));
        assert_eq!(hits[1].record.document.as_deref(), Some("Document number 2 about blue things"));
        Ok(())
    }

    #[test]
    fn mismatched_columns_and_garbage_are_errors() -> Result<(), String> {
        assert!(parse_get(br#"{"ids":["a","b"],"documents":["only one"]}"#).is_err_and(|e| e.contains("documents")));
        assert!(parse_query(br#"{"ids":[["a"]],"distances":[[0.1,0.2]]}"#).is_err_and(|e| e.contains("distances")));
        assert!(parse_get(br#"{"documents":[]}"#).is_err());
        assert!(parse_get(b"[]").is_err());
        // Empty pages (offset past the end, 1.x and 0.4.x).
        let empty = parse_get(br#"{"ids":[],"embeddings":null,"documents":[],"uris":null,"metadatas":[],"include":["documents","metadatas"]}"#)
?;
        assert!(empty.records.is_empty());
        let empty = parse_query(br#"{"ids":[[]],"distances":[[]],"metadatas":[[]],"embeddings":null,"documents":[[]],"uris":null,"data":null}"#)
?;
        assert_eq!(empty.results, vec![Vec::new()]);
        Ok(())
    }

    #[test]
    fn request_bodies() {
        let request = GetRequest {
            ids: Some(vec!["doc-02".into()]),
            filter: Filter {
                metadata: Some(serde_json::json!({"color": "red"})),
                document: Some(serde_json::json!({"$contains": "number 1"})),
            },
            limit: Some(3),
            offset: Some(2),
            include: Some(vec![Include::Documents, Include::Distances, Include::Embeddings]),
        };
        assert_eq!(
            request.to_json(),
            serde_json::json!({"ids":["doc-02"],"where":{"color":"red"},"where_document":{"$contains":"number 1"},
                "limit":3,"offset":2,"include":["documents","embeddings"]})
        );
        assert_eq!(GetRequest::default().to_json(), serde_json::json!({}));
        let query = QueryRequest {
            embeddings: vec![vec![0.2, 0.5]],
            n_results: 3,
            include: Some(Include::QUERY_DEFAULT.to_vec()),
            ..QueryRequest::default()
        };
        assert_eq!(
            query.to_json(),
            serde_json::json!({"query_embeddings":[[0.2,0.5]],"n_results":3,"include":["documents","metadatas","distances"]})
        );
    }

    #[test]
    fn the_transcripts_parse() {
        for path in [
            "v2-1.x/30-get-limit3-offset2.txt",
            "v2-1.x/31-get-where-include-embeddings.txt",
            "v2-1.x/32-get-by-ids-default-include.txt",
            "v2-1.x/33-get-where-document.txt",
            "v2-1.x/34-get-empty-body-object.txt",
            "v1-0.5.23/14-get.txt",
            "v1-0.5.23/66-v2-get.txt",
            "v1-0.4.24/14-get.txt",
        ] {
            let body = crate::chroma::transcripts::read(path);
            let records = parse_get(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(!records.records.is_empty(), "{path}");
            assert!(records.included.contains(&Include::Documents), "{path}");
        }
        for path in [
            "v2-1.x/40-query-embeddings.txt",
            "v2-1.x/41-query-where-default-include.txt",
            "v1-0.5.23/15-query.txt",
            "v1-0.4.24/15-query.txt",
        ] {
            let body = crate::chroma::transcripts::read(path);
            let result = parse_query(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(result.results[0].iter().all(|hit| hit.distance.is_some()), "{path}");
        }
    }

    #[test]
    fn include_names() {
        for include in Include::ALL {
            assert_eq!(Include::from_name(include.as_str()), Some(include));
            assert_eq!(serde_json::to_value(include).ok(), Some(serde_json::json!(include.as_str())));
        }
        assert_eq!(Include::from_name("data"), None);
    }
}
