//! The browser's commands and results: what Open, Refresh, paging, filters, similar and export do to the state.

use std::collections::HashMap;

use crate::chroma::{GetRequest, Include};

use super::ChromaConnectApp;
use super::backend::Message;
use super::browse::{BrowseState, CollectionRow, ExportState, FilterText, RecordsView, SimilarView};
use super::command::Command;
use super::state::NoticeLevel;

impl ChromaConnectApp {
    /// Carries out a browser command.
    pub(super) fn apply_browse(&mut self, command: Command) {
        match command {
            Command::OpenBrowser => self.open_browser(),
            Command::OpenCollection(id) => {
                let Some(browse) = &mut self.state.browse else { return };
                let Some(row) = browse.collections.rows.iter().find(|r| r.collection.id == id) else { return };
                browse.records = Some(RecordsView::new(row.collection.clone()));
                self.load_records(0);
            }
            Command::CloseCollection => {
                if let Some(browse) = &mut self.state.browse {
                    browse.records = None;
                }
            }
            Command::LoadRecords { offset } => self.load_records(offset),
            Command::SetPageSize(size) => {
                if let Some(records) = self.state.browse.as_mut().and_then(|b| b.records.as_mut()) {
                    records.page_size = size;
                }
                self.load_records(0);
            }
            Command::FindSimilar => self.find_similar(),
            Command::CloseSimilar => {
                if let Some(records) = self.state.browse.as_mut().and_then(|b| b.records.as_mut()) {
                    records.similar = None;
                    records.selected = None;
                }
            }
            Command::ExportRecords => self.export_records(),
            Command::CancelExport => {
                if let Some(records) = self.state.browse.as_mut().and_then(|b| b.records.as_mut())
                    && let Some(ExportState::Running { id, .. }) = records.export_state
                {
                    self.backend.cancel_check(id);
                    records.export_state =
                        Some(ExportState::Failed("Export cancelled: nothing was written.".to_owned()));
                }
            }
            Command::CancelBrowse => self.cancel_browse(),
            _ => {}
        }
    }

    /// Stops every browser request in flight; what was shown before stays.
    fn cancel_browse(&mut self) {
        let Some(browse) = &mut self.state.browse else { return };
        let mut ids = Vec::new();
        ids.extend(browse.opened.awaited());
        browse.opened.cancel();
        if let Some(records) = &mut browse.records {
            ids.extend(records.page.awaited());
            records.page.cancel();
            if let Some(similar) = &mut records.similar {
                ids.extend(similar.hits.awaited());
                similar.hits.cancel();
            }
        }
        for id in ids {
            self.backend.cancel_check(id);
        }
        self.state.notify(NoticeLevel::Info, "Cancelled.");
    }

    fn open_browser(&mut self) {
        let Some(name) = self.state.selected_name().map(str::to_owned) else { return };
        let Some(draft) = &self.state.draft else { return };
        let (tenant, database) = match self.state.browse.as_ref().filter(|b| b.profile == name) {
            Some(browse) => (browse.tenant.clone(), browse.database.clone()),
            None => (draft.fields.tenant.trim().to_owned(), draft.fields.database.trim().to_owned()),
        };
        let Some((profile, secret)) = self.draft_for_connection() else { return };
        let id = self.backend.next_id();
        let browse = self.state.browse.get_or_insert_with(|| BrowseState::new(&name, &tenant, &database));
        if browse.profile != name {
            *browse = BrowseState::new(&name, &tenant, &database);
        }
        browse.records = None;
        browse.opened.start(id);
        self.backend.browse_open(id, profile, secret, tenant, database);
    }

    fn load_records(&mut self, offset: u32) {
        let Some(browse) = &mut self.state.browse else { return };
        let Some(session) = browse.session() else { return };
        let Some(records) = &mut browse.records else { return };
        let (filter, ids) = match records.filter.parse() {
            Ok(parsed) => parsed,
            Err(error) => {
                records.filter_error = Some(error);
                return;
            }
        };
        records.filter_error = None;
        records.offset = offset;
        records.selected = None;
        records.similar = None;
        records.applied = records.filter.clone();
        let mut include = vec![Include::Documents, Include::Metadatas, Include::Uris];
        if records.columns.embedding {
            include.push(Include::Embeddings);
        }
        let request =
            GetRequest { ids, filter, limit: Some(records.page_size), offset: Some(offset), include: Some(include) };
        let id = self.backend.next_id();
        records.page.start(id);
        self.backend.load_records(id, session, records.collection.id.clone(), request);
    }

    fn find_similar(&mut self) {
        let Some(browse) = &mut self.state.browse else { return };
        let Some(session) = browse.session() else { return };
        let Some(records) = &mut browse.records else { return };
        let Some(source) = records.selected_record().map(|r| r.id.clone()) else { return };
        let filter =
            FilterText { ids: String::new(), ..records.applied.clone() }.parse().map(|(f, _)| f).unwrap_or_default();
        let id = self.backend.next_id();
        let mut similar =
            SimilarView { source_id: source.clone(), n: records.similar_n, hits: super::browse::Remote::Idle };
        similar.hits.start(id);
        records.similar = Some(similar);
        records.selected = None;
        self.backend.find_similar(id, session, records.collection.clone(), source, records.similar_n, filter);
    }

    fn export_records(&mut self) {
        let Some(browse) = &mut self.state.browse else { return };
        let Some(session) = browse.session() else { return };
        let Some(records) = &mut browse.records else { return };
        if matches!(records.export_state, Some(ExportState::Running { .. })) {
            return;
        }
        let filter = match records.applied.parse() {
            Ok(filter) => filter,
            Err(error) => {
                records.filter_error = Some(error);
                return;
            }
        };
        let page = records.page.value().map(|p| p.records.clone()).unwrap_or_default();
        let id = self.backend.next_id();
        let total = records.page.value().and_then(|p| p.total).filter(|_| records.export.whole);
        records.export_state = Some(ExportState::Running { id, done: 0, total });
        self.backend.export_records(id, session, records.collection.clone(), filter, records.export, page);
    }

    /// Applies a browser result; stale ones are dropped.
    pub(super) fn receive_browse(&mut self, message: Message) {
        let Some(browse) = &mut self.state.browse else { return };
        match message {
            Message::BrowseOpened { id, result } => {
                if !browse.opened.awaits(id) {
                    return;
                }
                match result {
                    Ok((opened, collections)) => {
                        browse.tenant.clone_from(&opened.scope.tenant);
                        browse.database.clone_from(&opened.scope.database);
                        browse.collections.counting = collections.len();
                        browse.collections.rows = collections.into_iter().map(CollectionRow::new).collect();
                        browse.opened.finish(Ok(opened));
                    }
                    Err(failure) => browse.opened.finish(Err(failure)),
                }
            }
            Message::CollectionCounts { session, counts } => {
                if browse.session() != Some(session) {
                    return;
                }
                let index: HashMap<&str, usize> =
                    browse.collections.rows.iter().enumerate().map(|(i, r)| (r.collection.id.as_str(), i)).collect();
                let mut updates = Vec::with_capacity(counts.len());
                for (collection, stats) in counts {
                    if let Some(&row) = index.get(collection.as_str()) {
                        updates.push((row, stats));
                    }
                }
                for (row, stats) in updates {
                    if let Some(row) = browse.collections.rows.get_mut(row) {
                        match stats {
                            Ok(stats) => {
                                row.count = Some(Ok(stats.count));
                                row.dimension = stats.dimension.or(row.dimension);
                            }
                            Err(err) => row.count = Some(Err(err)),
                        }
                        browse.collections.counting = browse.collections.counting.saturating_sub(1);
                    }
                }
            }
            Message::RecordsLoaded { id, result } => {
                let Some(records) = &mut browse.records else { return };
                if records.page.awaits(id) {
                    records.page.finish(result);
                }
            }
            Message::SimilarLoaded { id, result } => {
                let Some(similar) = browse.records.as_mut().and_then(|r| r.similar.as_mut()) else { return };
                if similar.hits.awaits(id) {
                    similar.hits.finish(result);
                }
            }
            Message::ExportProgress { id, done, total } => {
                let Some(records) = &mut browse.records else { return };
                if let Some(ExportState::Running { id: running, done: shown, total: known }) = &mut records.export_state
                    && *running == id
                {
                    *shown = done;
                    *known = total.or(*known);
                }
            }
            Message::ExportDone { id, result } => {
                self.backend.check_finished(id);
                let Some(records) = browse.records.as_mut() else { return };
                if !matches!(records.export_state, Some(ExportState::Running { id: running, .. }) if running == id) {
                    return;
                }
                let text = match &result {
                    Ok(text) => format!("{text}."),
                    Err(err) => err.clone(),
                };
                records.export_state = Some(match result {
                    Ok(_) => ExportState::Done(text.clone()),
                    Err(_) => ExportState::Failed(text.clone()),
                });
                let level = if records.export_state.as_ref().is_some_and(|s| matches!(s, ExportState::Done(_))) {
                    NoticeLevel::Info
                } else {
                    NoticeLevel::Warning
                };
                self.state.notify(level, text);
            }
            _ => {}
        }
    }
}
