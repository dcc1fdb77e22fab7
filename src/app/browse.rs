//! The browser's state: the scope (tenant, database), the collections with their counts as they arrive, and the
//! records view of one collection (a page, filters, the selected record, similar records, an export).

use std::collections::BTreeSet;

use crate::chroma::{Collection, ExportFormat, Filter, QueryHit, Record, Scope};
use crate::diagnose::Diagnosis;

use super::state::RequestId;

/// Something asked of the server: not asked yet, on its way (keeping what was shown before), there, or failed
/// (keeping what was shown before). The UI never flickers to empty while refreshing.
#[derive(Debug, Clone, Default)]
pub enum Remote<T> {
    /// Not asked.
    #[default]
    Idle,
    /// Asked; the request's number and what was shown before.
    Loading {
        /// The request.
        id: RequestId,
        /// What was shown before.
        previous: Option<T>,
    },
    /// The answer.
    Ready(T),
    /// The failure, and what was shown before.
    Failed {
        /// What went wrong.
        failure: BrowseFailure,
        /// What was shown before.
        previous: Option<T>,
    },
}

impl<T> Remote<T> {
    /// The value to show: the answer, or what was shown before while loading or after a failure.
    #[must_use]
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Ready(value) => Some(value),
            Self::Loading { previous, .. } | Self::Failed { previous, .. } => previous.as_ref(),
            Self::Idle => None,
        }
    }

    /// True while loading.
    #[must_use]
    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Loading { .. })
    }

    /// True when loading request `id`.
    #[must_use]
    pub fn awaits(&self, id: RequestId) -> bool {
        matches!(self, Self::Loading { id: awaited, .. } if *awaited == id)
    }

    /// The failure, if the last request failed.
    #[must_use]
    pub fn failure(&self) -> Option<&BrowseFailure> {
        match self {
            Self::Failed { failure, .. } => Some(failure),
            _ => None,
        }
    }

    /// The request awaited, if any.
    #[must_use]
    pub fn awaited(&self) -> Option<RequestId> {
        match self {
            Self::Loading { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Stops waiting: back to what was shown before (or nothing).
    pub fn cancel(&mut self) {
        if let Self::Loading { previous, .. } = self {
            *self = previous.take().map_or(Self::Idle, Self::Ready);
        }
    }

    /// Starts loading request `id`, keeping the value shown.
    pub fn start(&mut self, id: RequestId)
    where
        T: Clone,
    {
        let previous = self.value().cloned();
        *self = Self::Loading { id, previous };
    }

    /// Ends loading with `result`, keeping the value shown on failure.
    pub fn finish(&mut self, result: Result<T, BrowseFailure>)
    where
        T: Clone,
    {
        *self = match result {
            Ok(value) => Self::Ready(value),
            Err(failure) => Self::Failed { failure, previous: self.value().cloned() },
        };
    }
}

/// A browsing failure: the same diagnosis the doctor gives, and the server's own words when it refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseFailure {
    /// Code, summary, hint and the setting to change.
    pub diagnosis: Diagnosis,
    /// What the server said (e.g. why a `where` filter is invalid).
    pub server_message: Option<String>,
}

/// What opening the browser found.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The backend's session (client and scope) that later requests use.
    pub session: RequestId,
    /// API generation, tenant and database.
    pub scope: Scope,
    /// The server's version.
    pub version: String,
    /// The databases of the tenant (or only the configured one where the server cannot list them).
    pub databases: Vec<String>,
    /// True when the server listed the databases.
    pub databases_listed: bool,
}

/// One collection and what is known of it.
#[derive(Debug, Clone)]
pub struct CollectionRow {
    /// The collection.
    pub collection: Collection,
    /// Its record count: `None` while counting, an error text when it could not be counted.
    pub count: Option<Result<u64, String>>,
    /// Embedding dimension, once known.
    pub dimension: Option<u64>,
    /// Distance space (`l2`, `cosine`, `ip`), when the server says.
    pub space: String,
    /// The metadata on one line.
    pub metadata: String,
}

impl CollectionRow {
    /// A row for a collection whose count is not known yet.
    #[must_use]
    pub fn new(collection: Collection) -> Self {
        let space = collection.index().space.unwrap_or_default();
        let metadata = collection
            .metadata
            .as_ref()
            .filter(|m| !m.is_empty())
            .map(|m| serde_json::to_string(m).unwrap_or_default())
            .unwrap_or_default();
        let dimension = collection.dimension;
        Self { collection, count: None, dimension, space, metadata }
    }
}

/// A column of the collections table, to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollectionColumn {
    /// Name.
    #[default]
    Name,
    /// Record count.
    Count,
    /// Dimension.
    Dimension,
    /// Distance space.
    Space,
}

/// The collections table: rows, filter and sort.
#[derive(Debug, Clone, Default)]
pub struct CollectionsView {
    /// Every collection, in the server's order.
    pub rows: Vec<CollectionRow>,
    /// Filter text (name or id, as typed).
    pub filter: String,
    /// Sort column.
    pub sort: CollectionColumn,
    /// Sort direction.
    pub descending: bool,
    /// Counts still being fetched.
    pub counting: usize,
}

impl CollectionsView {
    /// The indices of the rows to show, filtered and sorted.
    #[must_use]
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        let mut shown: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty()
                    || self.rows.get(i).is_some_and(|r| {
                        r.collection.name.to_lowercase().contains(&needle) || r.collection.id.starts_with(&needle)
                    })
            })
            .collect();
        let key = |i: &usize| self.rows.get(*i);
        shown.sort_by(|a, b| {
            let (Some(a), Some(b)) = (key(a), key(b)) else { return std::cmp::Ordering::Equal };
            let order = match self.sort {
                CollectionColumn::Name => a.collection.name.cmp(&b.collection.name),
                CollectionColumn::Count => count_key(a).cmp(&count_key(b)),
                CollectionColumn::Dimension => a.dimension.cmp(&b.dimension),
                CollectionColumn::Space => a.space.cmp(&b.space),
            };
            let order = order.then_with(|| a.collection.name.cmp(&b.collection.name));
            if self.descending { order.reverse() } else { order }
        });
        shown
    }
}

fn count_key(row: &CollectionRow) -> Option<u64> {
    row.count.as_ref().and_then(|c| c.as_ref().ok()).copied()
}

/// Which columns the records table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(clippy::struct_excessive_bools, reason = "one switch per column, as the user toggles them")]
pub struct RecordColumns {
    /// The document.
    pub document: bool,
    /// Each metadata key as a column (else the metadata as JSON in one column).
    pub metadata_keys: bool,
    /// The first values of the embedding.
    pub embedding: bool,
    /// The URI.
    pub uri: bool,
}

impl Default for RecordColumns {
    fn default() -> Self {
        Self { document: true, metadata_keys: true, embedding: false, uri: false }
    }
}

/// Page sizes offered.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 100, 500];

/// The filters of the records view, as typed and as applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterText {
    /// `where`, as JSON.
    pub where_metadata: String,
    /// `where_document`, as JSON.
    pub where_document: String,
    /// Ids, separated by commas or spaces.
    pub ids: String,
}

impl FilterText {
    /// The filter to send, or which field is wrong and why (nothing is sent then).
    pub fn parse(&self) -> Result<ParsedFilter, FilterError> {
        let object = |field: FilterField, text: &str| -> Result<Option<serde_json::Value>, FilterError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(value) if value.is_object() => Ok(Some(value)),
                Ok(_) => Err((field, "Must be a JSON object, e.g. {\"color\": \"red\"}.".to_owned())),
                Err(err) => Err((field, format!("Not valid JSON: {err}."))),
            }
        };
        let metadata = object(FilterField::Where, &self.where_metadata)?;
        let document = object(FilterField::WhereDocument, &self.where_document)?;
        let ids: Vec<String> = self
            .ids
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Ok((Filter { metadata, document }, (!ids.is_empty()).then_some(ids)))
    }

    /// True when no filter is typed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.where_metadata.trim().is_empty() && self.where_document.trim().is_empty() && self.ids.trim().is_empty()
    }
}

/// A filter to send: metadata and document conditions, and the ids asked for.
pub type ParsedFilter = (Filter, Option<Vec<String>>);

/// A filter that cannot be sent: which input, and why.
pub type FilterError = (FilterField, String);

/// A filter input of the records view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// `where`.
    Where,
    /// `where_document`.
    WhereDocument,
}

/// A page of records.
#[derive(Debug, Clone)]
pub struct RecordsPage {
    /// The records, in the server's order.
    pub records: Vec<Record>,
    /// The offset it starts at.
    pub offset: u32,
    /// The number of records in the collection (known without filters).
    pub total: Option<u64>,
    /// Metadata keys of the page, sorted.
    pub keys: Vec<String>,
}

impl RecordsPage {
    /// A page of `records` at `offset`.
    #[must_use]
    pub fn new(records: Vec<Record>, offset: u32, total: Option<u64>) -> Self {
        let keys: BTreeSet<String> =
            records.iter().filter_map(|r| r.metadata.as_ref()).flat_map(|m| m.keys().cloned()).collect();
        Self { records, offset, total, keys: keys.into_iter().collect() }
    }
}

/// The records most similar to one record.
#[derive(Debug, Clone)]
pub struct SimilarView {
    /// The record compared with.
    pub source_id: String,
    /// How many to find.
    pub n: u32,
    /// The answer.
    pub hits: Remote<Vec<QueryHit>>,
}

/// An export in progress, or its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportState {
    /// Writing: records done so far, and the total when known.
    Running {
        /// The export's request.
        id: RequestId,
        /// Records written.
        done: u64,
        /// Records to write, when known.
        total: Option<u64>,
    },
    /// Finished: a sentence.
    Done(String),
    /// Failed or cancelled: a sentence.
    Failed(String),
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportChoice {
    /// The format.
    pub format: ExportFormat,
    /// The whole filtered collection (true) or the page shown.
    pub whole: bool,
    /// Include embeddings.
    pub embeddings: bool,
}

impl Default for ExportChoice {
    fn default() -> Self {
        Self { format: ExportFormat::JsonLines, whole: true, embeddings: false }
    }
}

/// The records view of one collection.
#[derive(Debug, Clone)]
pub struct RecordsView {
    /// The collection.
    pub collection: Collection,
    /// Page size.
    pub page_size: u32,
    /// Offset of the page asked for.
    pub offset: u32,
    /// Filters as typed.
    pub filter: FilterText,
    /// Filters of the page shown.
    pub applied: FilterText,
    /// A filter that is not valid JSON: which and why.
    pub filter_error: Option<(FilterField, String)>,
    /// Columns shown.
    pub columns: RecordColumns,
    /// The page.
    pub page: Remote<RecordsPage>,
    /// The selected record's index in the page (or in the similar hits while they show).
    pub selected: Option<usize>,
    /// Similar records, while shown.
    pub similar: Option<SimilarView>,
    /// How many similar records to find.
    pub similar_n: u32,
    /// Export choices.
    pub export: ExportChoice,
    /// The export running or last finished.
    pub export_state: Option<ExportState>,
}

impl RecordsView {
    /// The view of `collection`, first page, no filter.
    #[must_use]
    pub fn new(collection: Collection) -> Self {
        Self {
            collection,
            page_size: 25,
            offset: 0,
            filter: FilterText::default(),
            applied: FilterText::default(),
            filter_error: None,
            columns: RecordColumns::default(),
            page: Remote::Idle,
            selected: None,
            similar: None,
            similar_n: 10,
            export: ExportChoice::default(),
            export_state: None,
        }
    }

    /// The selected record: in the similar hits while they show, else in the page.
    #[must_use]
    pub fn selected_record(&self) -> Option<&Record> {
        let index = self.selected?;
        match &self.similar {
            Some(similar) => similar.hits.value()?.get(index).map(|hit| &hit.record),
            None => self.page.value()?.records.get(index),
        }
    }
}

/// The browser of the selected profile.
#[derive(Debug, Clone)]
pub struct BrowseState {
    /// The profile browsed.
    pub profile: String,
    /// Connection, scope and databases.
    pub opened: Remote<Opened>,
    /// Tenant as typed (applied with Open).
    pub tenant: String,
    /// Database as chosen or typed.
    pub database: String,
    /// The collections.
    pub collections: CollectionsView,
    /// The open collection's records, when one is open.
    pub records: Option<RecordsView>,
}

impl BrowseState {
    /// The browser of `profile`, for its tenant and database.
    #[must_use]
    pub fn new(profile: &str, tenant: &str, database: &str) -> Self {
        Self {
            profile: profile.to_owned(),
            opened: Remote::Idle,
            tenant: tenant.to_owned(),
            database: database.to_owned(),
            collections: CollectionsView::default(),
            records: None,
        }
    }

    /// The backend session, once opened.
    #[must_use]
    pub fn session(&self) -> Option<RequestId> {
        match &self.opened {
            Remote::Ready(opened) => Some(opened.session),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_validated_before_anything_is_sent() {
        let mut text = FilterText { where_metadata: "{\"color\": \"red\"}".to_owned(), ..FilterText::default() };
        let (filter, ids) = text.parse().unwrap();
        assert_eq!(filter.metadata, Some(serde_json::json!({"color": "red"})));
        assert_eq!(ids, None);
        text.where_document = "[1]".to_owned();
        assert_eq!(text.parse().unwrap_err().0, FilterField::WhereDocument);
        text.where_document = String::new();
        text.where_metadata = "{color".to_owned();
        assert_eq!(text.parse().unwrap_err().0, FilterField::Where);
        text.where_metadata = String::new();
        text.ids = "a, b  c".to_owned();
        assert_eq!(text.parse().unwrap().1, Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
    }

    #[test]
    fn remote_keeps_what_was_shown_while_loading_and_after_a_failure() {
        let mut remote: Remote<u32> = Remote::Idle;
        remote.start(1);
        assert!(remote.awaits(1) && remote.value().is_none());
        remote.finish(Ok(5));
        remote.start(2);
        assert_eq!(remote.value(), Some(&5));
        let failure = BrowseFailure {
            diagnosis: Diagnosis {
                code: crate::diagnose::Code::ChromaApiError,
                summary: String::new(),
                hint: String::new(),
                setting: None,
            },
            server_message: None,
        };
        remote.finish(Err(failure));
        assert_eq!(remote.value(), Some(&5));
        assert!(remote.failure().is_some());
    }
}
