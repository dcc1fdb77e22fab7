//! The browser's background work: open a session (client + scope), count collections as the answers arrive, load
//! pages of records, find similar records, export. Every request is cancellable and tagged with its number.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::browse::{BrowseFailure, ExportChoice, Opened, RecordsPage};
use crate::app::picker::{PickOutcome, PickRequest};
use crate::app::state::RequestId;
use crate::chroma::{
    BrowseError, BrowseSession, ChromaClient, ClientOptions, Collection, ExportFormat, Filter, GetRequest, Include,
    Record, Scope, SimilarRequest, record_json_line, records_csv,
};
use crate::diagnose::{Code, Diagnosis};
use crate::profile::{ConnectionSettings, Profile, Secret};

use super::{Backend, Message, resolve};

/// Collections counted at once.
const COUNT_CONCURRENCY: usize = 8;
/// How often counts are sent to the UI while they arrive.
const COUNT_BATCH_EVERY: Duration = Duration::from_millis(100);

/// A connected client and the scope it browses.
#[derive(Debug, Clone)]
pub(super) struct Session {
    client: ChromaClient,
    scope: Scope,
    settings: ConnectionSettings,
    /// Cancels the session's background counting when the browser is reopened.
    cancel: CancellationToken,
}

/// The sessions by the request number that opened them.
pub(super) type Sessions = Arc<Mutex<HashMap<RequestId, Session>>>;

impl Backend {
    /// Connects with `profile`'s settings, resolves the scope, lists the databases and every collection, then counts
    /// the collections' records in the background (answers arrive in batches).
    pub fn browse_open(
        &self,
        id: RequestId,
        profile: Profile,
        typed_secret: Option<Secret>,
        tenant: String,
        database: String,
    ) {
        let stores = Arc::clone(&self.stores);
        let sessions = Arc::clone(&self.sessions);
        let reply = self.sender();
        // A new browser replaces the old sessions: stop their counting.
        for (_, old) in sessions.lock().unwrap_or_else(PoisonError::into_inner).drain() {
            old.cancel.cancel();
        }
        self.spawn_cancellable(id, async move {
            let settings = match tokio::task::spawn_blocking(move || resolve(&stores, &profile, typed_secret)).await {
                Ok(Ok(settings)) => settings,
                Ok(Err(err)) => return reply.send(Message::BrowseOpened { id, result: Err(config_failure(err)) }),
                Err(err) => {
                    return reply.send(Message::BrowseOpened { id, result: Err(config_failure(err.to_string())) });
                }
            };
            let opened = open(&settings, &tenant, &database).await;
            let (opened, collections, session) = match opened {
                Ok((client, scope, version, databases, listed, collections)) => {
                    let cancel = CancellationToken::new();
                    let session = Session { client, scope: scope.clone(), settings, cancel };
                    let opened = Opened { session: id, scope, version, databases, databases_listed: listed };
                    (opened, collections, session)
                }
                Err(err) => {
                    // Opening is where a transport failure can hide a TLS cause (an alert after the handshake): the
                    // probing diagnosis repeats the check's handshake, as the CLI does.
                    let diagnosis = crate::diagnose::diagnose_browse_error_probing(&err, &settings).await;
                    let server_message = err.server_message().map(|m| crate::diagnose::sanitize_display(&m, 400));
                    let failure = BrowseFailure { diagnosis, server_message };
                    return reply.send(Message::BrowseOpened { id, result: Err(failure) });
                }
            };
            sessions.lock().unwrap_or_else(PoisonError::into_inner).insert(id, session.clone());
            reply.send(Message::BrowseOpened { id, result: Ok((opened, collections.clone())) });
            count_all(&session, id, collections, &reply).await;
        });
    }

    /// Loads a page of records of `collection` in session `session`; with no filter, also the collection's count.
    pub fn load_records(&self, id: RequestId, session: RequestId, collection: String, request: GetRequest) {
        let Some(session) = self.session(session) else {
            return self.no_session(Message::RecordsLoaded { id, result: Err(gone()) });
        };
        let reply = self.sender();
        self.spawn_cancellable(id, async move {
            let unfiltered = request.ids.is_none() && request.filter == Filter::default();
            let offset = request.offset.unwrap_or(0);
            let page = session.client.get_records(&session.scope, &collection, &request);
            let count = async {
                if unfiltered {
                    session.client.count_records(&session.scope, &collection).await.map(Some)
                } else {
                    Ok(None)
                }
            };
            let (page, count) = tokio::join!(page, count);
            let result = match (page, count) {
                (Ok(records), Ok(total)) => Ok(RecordsPage::new(records.records, offset, total)),
                (Err(err), _) | (_, Err(err)) => Err(browse_failure(&err, &session.settings)),
            };
            reply.send(Message::RecordsLoaded { id, result });
        });
    }

    /// Finds the `n` records nearest to record `source` (itself left out).
    pub fn find_similar(
        &self,
        id: RequestId,
        session: RequestId,
        collection: Collection,
        source: String,
        n: u32,
        filter: Filter,
    ) {
        let Some(session) = self.session(session) else {
            return self.no_session(Message::SimilarLoaded { id, result: Err(gone()) });
        };
        let reply = self.sender();
        self.spawn_cancellable(id, async move {
            let request = SimilarRequest {
                id: source,
                n_results: n,
                filter,
                include: Some(vec![Include::Documents, Include::Metadatas, Include::Embeddings, Include::Distances]),
                include_self: false,
            };
            let result = session
                .client
                .similar_records(&session.scope, &collection, &request)
                .await
                .map(|similar| similar.hits)
                .map_err(|err| browse_failure(&err, &session.settings));
            reply.send(Message::SimilarLoaded { id, result });
        });
    }

    /// Exports the page shown (`page`) or the whole filtered collection to a file the user chooses.
    pub fn export_records(
        &self,
        id: RequestId,
        session: RequestId,
        collection: Collection,
        filter: (Filter, Option<Vec<String>>),
        choice: ExportChoice,
        page: Vec<Record>,
    ) {
        let Some(session) = self.session(session) else {
            return self.no_session(Message::ExportDone { id, result: Err(gone().diagnosis.summary) });
        };
        let token = CancellationToken::new();
        self.checks.lock().unwrap_or_else(PoisonError::into_inner).push((id, token.clone()));
        let picker = Arc::clone(&self.picker);
        let reply = self.sender();
        let extension = choice.format.extension();
        self.rt().spawn(async move {
            let request = PickRequest {
                title: "Export records".to_owned(),
                save: true,
                file_name: Some(format!("{}.{extension}", collection.name)),
                filters: vec![(extension.to_uppercase(), vec![extension.to_owned()])],
            };
            let path = match picker.pick(request).await {
                PickOutcome::Chosen(path) => path,
                PickOutcome::Cancelled => return reply.send(Message::ExportDone { id, result: Err("Export cancelled.".to_owned()) }),
                PickOutcome::Unavailable(reason) => return reply.send(Message::ExportDone { id, result: Err(reason) }),
            };
            let records = if choice.whole {
                tokio::select! {
                    () = token.cancelled() => return reply.send(Message::ExportDone { id, result: Err("Export cancelled: nothing was written.".to_owned()) }),
                    records = fetch_all(&session, &collection, filter, choice.embeddings, id, &reply) => records,
                }
            } else {
                Ok(page)
            };
            let result = match records {
                Ok(records) => write_export(path, records, choice).await,
                Err(err) => Err(browse_failure(&err, &session.settings).diagnosis.summary),
            };
            reply.send(Message::ExportDone { id, result });
        });
    }

    /// Runs `work` until it ends or [`Backend::cancel_check`] is called with `id` (then its result is never sent).
    fn spawn_cancellable(&self, id: RequestId, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let token = CancellationToken::new();
        self.checks.lock().unwrap_or_else(PoisonError::into_inner).push((id, token.clone()));
        self.rt().spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                () = work => {}
            }
        });
    }

    fn session(&self, id: RequestId) -> Option<Session> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()
    }

    fn no_session(&self, message: Message) {
        self.sender().send(message);
    }
}

/// Connects, resolves the scope, lists databases and collections.
async fn open(
    settings: &ConnectionSettings,
    tenant: &str,
    database: &str,
) -> Result<(ChromaClient, Scope, String, Vec<String>, bool, Vec<Collection>), BrowseError> {
    let BrowseSession { client, scope, version } =
        BrowseSession::open(settings, ClientOptions::default(), tenant, database).await?;
    let version = version.unwrap_or_default();
    let list = client.list_databases(scope.api, &scope.tenant, &scope.database).await?;
    let databases = list.databases.into_iter().map(|d| d.name).collect();
    let collections = client.all_collections_concurrent(&scope, 0, crate::chroma::WALK_CONCURRENCY).await?;
    Ok((client, scope, version, databases, list.listed, collections))
}

/// Counts every collection, `COUNT_CONCURRENCY` at a time, sending the answers in batches as they arrive.
async fn count_all(session: &Session, id: RequestId, collections: Vec<Collection>, reply: &super::Reply) {
    let mut pending = collections.into_iter();
    let mut tasks = JoinSet::new();
    let mut batch = Vec::new();
    let mut last_sent = Instant::now();
    loop {
        while tasks.len() < COUNT_CONCURRENCY {
            let Some(collection) = pending.next() else { break };
            let (client, scope) = (session.client.clone(), session.scope.clone());
            tasks.spawn(async move {
                let stats = client.collection_stats(&scope, &collection).await.map_err(|err| err.to_string());
                (collection.id, stats)
            });
        }
        let next = tokio::select! {
            () = session.cancel.cancelled() => return,
            next = tasks.join_next() => next,
        };
        match next {
            Some(Ok(answer)) => batch.push(answer),
            Some(Err(_)) => {}
            None => break,
        }
        if last_sent.elapsed() >= COUNT_BATCH_EVERY {
            reply.send(Message::CollectionCounts { session: id, counts: std::mem::take(&mut batch) });
            last_sent = Instant::now();
        }
    }
    reply.send(Message::CollectionCounts { session: id, counts: batch });
}

/// Every record matching the filter (pages fetched concurrently by the core), with progress.
async fn fetch_all(
    session: &Session,
    collection: &Collection,
    (filter, ids): (Filter, Option<Vec<String>>),
    embeddings: bool,
    id: RequestId,
    reply: &super::Reply,
) -> Result<Vec<Record>, BrowseError> {
    let mut include = vec![Include::Documents, Include::Metadatas, Include::Uris];
    if embeddings {
        include.push(Include::Embeddings);
    }
    let request = GetRequest { ids, filter, limit: None, offset: None, include: Some(include) };
    let progress = |done: u64, total: Option<u64>| reply.send(Message::ExportProgress { id, done, total });
    session
        .client
        .all_records(&session.scope, &collection.id, &request, 0, crate::chroma::WALK_CONCURRENCY, progress)
        .await
}

async fn write_export(path: PathBuf, records: Vec<Record>, choice: ExportChoice) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let text = match choice.format {
            ExportFormat::Csv => records_csv(&records, choice.embeddings),
            _ => records
                .iter()
                .map(|record| {
                    let mut record = record.clone();
                    if !choice.embeddings {
                        record.embedding = None;
                    }
                    record_json_line(&record, None)
                })
                .collect(),
        };
        super::write_file(&path, text.as_bytes())?;
        Ok(format!("Exported {} record(s) to {}", records.len(), path.display()))
    })
    .await
    .unwrap_or_else(|err| Err(err.to_string()))
}

fn gone() -> BrowseFailure {
    config_failure("The browsing session is gone: press Refresh.".to_owned())
}

fn config_failure(text: String) -> BrowseFailure {
    BrowseFailure {
        diagnosis: Diagnosis { code: Code::ConfigInvalid, summary: text, hint: String::new(), setting: None },
        server_message: None,
    }
}

/// The diagnosis of a browsing failure: the same code, summary and hint as the connection check gives.
fn browse_failure(err: &BrowseError, settings: &ConnectionSettings) -> BrowseFailure {
    let diagnosis = crate::diagnose::diagnose_browse_error(err, settings);
    let server_message = err.server_message().map(|m| crate::diagnose::sanitize_display(&m, 400));
    BrowseFailure { diagnosis, server_message }
}
