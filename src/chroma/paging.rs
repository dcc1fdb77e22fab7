//! Walking a paged list to its end, several pages in flight at once.
//!
//! Pages are fetched by offset, at most `concurrency` requests in flight, and taken in order through a [`Walk`]: the
//! server's order is kept, a full page that brings nothing new ends the walk, and the walk's caps apply. When the
//! number of items is known (a cheap count), exactly the pages it covers are fetched at once; otherwise the first
//! page is fetched alone (most lists fit in one), then the next ones `concurrency` at a time until a short page,
//! which costs at most `concurrency - 1` requests past the end. After the counted pages, pages come one after
//! another until a short page: items created meanwhile are still listed, and a count that the pages contradict
//! (items deleted meanwhile: a short page comes early) only ends the walk sooner.

use std::collections::BTreeMap;
use std::future::Future;

use tokio::task::JoinSet;

use super::browse_error::BrowseError;
use super::error::ChromaError;
use super::scope::Walk;

/// Fetches pages of `page_size` items with `fetch(offset)` until a short page, through `walk`, at most
/// `concurrency` requests in flight (spawned into a [`JoinSet`], aborted when the returned future is dropped or the
/// walk ends early; 0 or 1: one page after another). `counted` is the number of items the server says there are,
/// when it said. `on_page` is told the number of items gathered after each page, in order.
pub(crate) async fn walk_pages<T, F, Fut, K, P>(
    walk: &mut Walk,
    page_size: u32,
    counted: Option<u64>,
    concurrency: usize,
    fetch: F,
    key: K,
    on_page: P,
) -> Result<Vec<T>, BrowseError>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, BrowseError>> + Send + 'static,
    K: Fn(&T) -> &str,
    P: FnMut(usize),
{
    let page_size = page_size.max(1);
    let mut taker = Taker { walk, page_size, key, on_page, all: Vec::new() };
    if concurrency > 1 {
        let done = match counted {
            // The pages the count covers, at once.
            Some(count) => {
                let pages = count.div_ceil(u64::from(page_size));
                pages > 1 && concurrent_pages(&mut taker, &fetch, concurrency, 0, Some(pages)).await?
            }
            // The first page alone, then `concurrency` at a time until a short one.
            None => taker.take(fetch(0).await?)? || concurrent_pages(&mut taker, &fetch, concurrency, 1, None).await?,
        };
        if done {
            return Ok(taker.all);
        }
    }
    // One page after another, from the number of distinct items gathered: after the counted pages, or all along.
    loop {
        let offset = u32::try_from(taker.walk.offset()).unwrap_or(u32::MAX);
        if taker.take(fetch(offset).await?)? {
            return Ok(taker.all);
        }
    }
}

/// Takes pages in order through the walk and gathers what they bring.
struct Taker<'w, T, K, P> {
    walk: &'w mut Walk,
    page_size: u32,
    key: K,
    on_page: P,
    all: Vec<T>,
}

impl<T, K: Fn(&T) -> &str, P: FnMut(usize)> Taker<'_, T, K, P> {
    /// Takes the next page; true when it was the last (a short page).
    fn take(&mut self, page: Vec<T>) -> Result<bool, BrowseError> {
        let (fresh, last) = self.walk.page(page, self.page_size, &self.key)?;
        self.all.extend(fresh);
        (self.on_page)(self.all.len());
        Ok(last)
    }
}

/// Pages `first..end` (`end`: unknown), fetched concurrently and taken in order. Returns true when the walk is over
/// (a short page came), false when every page up to `end` was full (more may follow).
async fn concurrent_pages<T, F, Fut, K, P>(
    taker: &mut Taker<'_, T, K, P>,
    fetch: &F,
    concurrency: usize,
    first: u64,
    end: Option<u64>,
) -> Result<bool, BrowseError>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, BrowseError>> + Send + 'static,
    K: Fn(&T) -> &str,
    P: FnMut(usize),
{
    let page_size = u64::from(taker.page_size);
    // Offsets are u32 on the wire: pages beyond that are left to the walk one page after another (and its caps).
    let end = end.unwrap_or(u64::MAX).min(u64::from(u32::MAX) / page_size + 1);
    // Pages are taken in order: a slow page holds back at most this many finished ones.
    let window = (concurrency as u64).saturating_mul(2);
    let mut tasks = JoinSet::new();
    let mut finished: BTreeMap<u64, Result<Vec<T>, BrowseError>> = BTreeMap::new();
    // The first short page seen (out of order): no page after it is asked for.
    let mut short: Option<u64> = None;
    let (mut next_to_fetch, mut next_to_take) = (first, first);
    while next_to_take < end {
        while tasks.len() < concurrency
            && next_to_fetch < end
            && next_to_fetch < next_to_take + window
            && short.is_none_or(|short| next_to_fetch <= short)
        {
            let offset = u32::try_from(next_to_fetch * page_size).unwrap_or(u32::MAX);
            let page = fetch(offset);
            let index = next_to_fetch;
            tasks.spawn(async move { (index, page.await) });
            next_to_fetch += 1;
        }
        if let Some(page) = finished.remove(&next_to_take) {
            next_to_take += 1;
            if taker.take(page?)? {
                // The end: the pages still in flight are past it (or a count said more than there are).
                return Ok(true);
            }
            continue;
        }
        match tasks.join_next().await {
            Some(Ok((index, page))) => {
                if page.as_ref().is_ok_and(|page| (page.len() as u64) < page_size) {
                    short = Some(short.map_or(index, |short| short.min(index)));
                }
                finished.insert(index, page);
            }
            Some(Err(err)) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Some(Err(_)) | None => {
                return Err(ChromaError::Build { detail: "a page request was cancelled".to_owned() }.into());
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::chroma::{ApiVersion, ChromaClient, ClientOptions, GetRequest, Scope};
    use crate::profile::ConnectionSettings;

    /// `items` items `0..items` served by offset, later pages finishing sooner; offsets more than three pages past
    /// the end fail. Returns the walk's items and the number of pages asked for.
    async fn walk(items: u32, page_size: u32, counted: Option<u64>, concurrency: usize) -> (Vec<String>, usize) {
        let asked = Arc::new(AtomicUsize::new(0));
        let fetch = |offset: u32| {
            let asked = Arc::clone(&asked);
            async move {
                asked.fetch_add(1, Ordering::Relaxed);
                // Later pages come back sooner.
                tokio::time::sleep(Duration::from_millis(u64::from(20 - (offset / page_size) % 20))).await;
                if offset > items + 3 * page_size {
                    return Err(ChromaError::Build { detail: format!("offset {offset}") }.into());
                }
                Ok((offset..items.min(offset + page_size)).map(|i| i.to_string()).collect::<Vec<_>>())
            }
        };
        let settings = ConnectionSettings::from_url("http://127.0.0.1:9").unwrap();
        let client = ChromaClient::new(&settings, ClientOptions::default()).unwrap();
        let mut walk = Walk::new(&client, "items");
        let mut progress = Vec::new();
        let all = walk_pages(&mut walk, page_size, counted, concurrency, fetch, String::as_str, |n| progress.push(n))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
        assert_eq!(progress.last(), Some(&all.len()));
        (all, asked.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn pages_are_taken_in_order_whatever_the_count() {
        let expected: Vec<String> = (0..47).map(|i| i.to_string()).collect();
        // Counted right: 10 pages, the last one short: 10 requests.
        assert_eq!(walk(47, 5, Some(47), 4).await, (expected.clone(), 10));
        // Items created since the count: the counted pages, then one after another.
        assert_eq!(walk(47, 5, Some(20), 4).await, (expected.clone(), 10));
        // Items deleted since the count: the short page ends the walk; pages beyond it (some failing) are
        // dropped, at most a window of them asked for.
        let (all, asked) = walk(47, 5, Some(200), 3).await;
        assert_eq!(all, expected);
        assert!((10..=16).contains(&asked), "{asked} pages asked for");
        // No count: the first page alone, then 4 at a time; at most 3 past the end.
        let (all, asked) = walk(47, 5, None, 4).await;
        assert_eq!(all, expected);
        assert!((10..=13).contains(&asked), "{asked} pages asked for");
        assert_eq!(walk(3, 5, None, 4).await, (vec!["0".into(), "1".into(), "2".into()], 1), "one short page");
        // One page after another.
        assert_eq!(walk(47, 5, Some(47), 1).await, (expected.clone(), 10));
        // A count that is a multiple of the page size: one more (empty) page ends the walk.
        assert_eq!(walk(45, 5, Some(45), 4).await.1, 10);
        assert_eq!(walk(0, 5, Some(0), 4).await, (Vec::new(), 1));
    }

    #[test]
    fn the_walks_can_run_on_any_thread() {
        fn send<T: Send>(_: &T) {}
        let settings = ConnectionSettings::from_url("http://127.0.0.1:9").unwrap();
        let client = ChromaClient::new(&settings, ClientOptions::default()).unwrap();
        let scope = Scope::new(ApiVersion::V2, "t", "d");
        let request = GetRequest::default();
        let mut last = 0;
        send(&client.all_records(&scope, "c", &request, 0, 4, |done, _| last = done));
        send(&client.all_collections_concurrent(&scope, 0, 4));
        assert_eq!(last, 0);
    }
}
