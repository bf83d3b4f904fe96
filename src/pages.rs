//! Walking the paged listings (the operations with `page` and `page_size`) to the end.
//!
//! The service says neither how many pages there are nor how many entries in
//! all, so a walk asks for pages 1, 2, 3, ... and stops at the first page that
//! is short (fewer entries than the page size; it is the last and is yielded)
//! or empty (not yielded). Two guards keep a misbehaving answer from looping:
//! a page numbered lower than the one asked for means the service handed back
//! one already seen, and a walk gives up with [`Error::TooManyPages`] after
//! [`MAX_PAGES`] pages.

use crate::Error;
use futures_util::stream::{self, Stream};
use std::future::Future;
use std::num::NonZeroU64;

/// The page size the service uses when none is asked for.
const DEFAULT_PAGE_SIZE: u64 = 20;

/// The most pages one walk reads: a million entries at the largest page size.
pub(crate) const MAX_PAGES: u64 = 10_000;

/// One page of a paged listing. build/builders.rs implements it for the answer
/// of every operation with a `pages` fact.
pub(crate) trait Page {
    /// How many entries it holds.
    fn entries(&self) -> usize;
    /// The page number and size the service says it answered with, when it says.
    fn numbering(&self) -> Option<(i64, i64)>;
}

/// What a walk does with the page it asked for as `number`, of `size` entries.
#[derive(Debug, PartialEq)]
enum Step {
    /// Yield it and ask for the next.
    More,
    /// Yield it and stop: it is the last.
    Last,
    /// Stop without yielding it: it is empty, or one already seen.
    Stop,
}

fn step(number: u64, size: u64, page: &impl Page) -> Step {
    let entries = page.entries() as u64;
    let (echoed, size) = match page.numbering() {
        Some((echoed, echoed_size)) => (
            u64::try_from(echoed).ok(),
            u64::try_from(echoed_size)
                .ok()
                .filter(|s| *s > 0)
                .unwrap_or(size),
        ),
        None => (None, size),
    };
    if entries == 0 || (number > 1 && echoed.is_some_and(|e| e < number)) {
        Step::Stop
    } else if entries < size {
        Step::Last
    } else {
        Step::More
    }
}

/// A stream of the pages `fetch(page)` returns, from page 1 to the last;
/// `page_size` is what each request asks for (`None`: the service's default).
pub(crate) fn walk<P, F, Fut>(
    operation: &'static str,
    page_size: Option<i64>,
    max_pages: u64,
    mut fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(NonZeroU64) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let size = page_size
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    stream::try_unfold(NonZeroU64::new(1), move |next| {
        // Started here, where `fetch` is at hand; awaited in the block below.
        let fetching = next.filter(|n| n.get() <= max_pages).map(|n| (n, fetch(n)));
        async move {
            let Some(number) = next else {
                return Ok(None);
            };
            let Some((_, fetching)) = fetching else {
                return Err(Error::TooManyPages {
                    operation,
                    pages: max_pages,
                });
            };
            let page = fetching.await?;
            Ok(match step(number.get(), size, &page) {
                Step::More => Some((page, number.checked_add(1))),
                Step::Last => Some((page, None)),
                Step::Stop => None,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::cell::RefCell;

    /// A page with `entries` entries that says it is page `echo`.
    struct Fake {
        entries: usize,
        echo: Option<i64>,
    }

    impl Page for Fake {
        fn entries(&self) -> usize {
            self.entries
        }
        fn numbering(&self) -> Option<(i64, i64)> {
            self.echo.map(|page| (page, 2))
        }
    }

    /// Walks a fake listing; `answer(page)` is what the "service" returns.
    /// Gives what was yielded (entries, or the error) and the pages asked for.
    async fn run(
        max_pages: u64,
        answer: impl Fn(u64) -> Fake,
    ) -> (Vec<Result<usize, String>>, Vec<u64>) {
        let asked = RefCell::new(Vec::new());
        let yielded = walk("test", Some(2), max_pages, |page| {
            asked.borrow_mut().push(page.get());
            std::future::ready(Ok(answer(page.get())))
        })
        .map(|r| r.map(|p: Fake| p.entries).map_err(|e| e.to_string()))
        .collect()
        .await;
        (yielded, asked.into_inner())
    }

    #[tokio::test]
    async fn a_short_page_is_the_last() {
        let (yielded, asked) = run(100, |page| Fake {
            entries: if page < 3 { 2 } else { 1 },
            echo: None,
        })
        .await;
        assert_eq!(yielded, [Ok(2), Ok(2), Ok(1)]);
        assert_eq!(asked, [1, 2, 3]);
    }

    #[tokio::test]
    async fn an_empty_page_ends_the_walk_unyielded() {
        let (yielded, asked) = run(100, |page| Fake {
            entries: if page < 3 { 2 } else { 0 },
            echo: Some(page as i64),
        })
        .await;
        assert_eq!(yielded, [Ok(2), Ok(2)]);
        assert_eq!(asked, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_page_already_seen_ends_the_walk() {
        // A service that clamps to its last page (2) instead of answering empty.
        let (yielded, asked) = run(100, |page| Fake {
            entries: 2,
            echo: Some(page.min(2) as i64),
        })
        .await;
        assert_eq!(yielded, [Ok(2), Ok(2)]);
        assert_eq!(asked, [1, 2, 3]);
    }

    #[tokio::test]
    async fn an_endless_listing_is_cut_off_with_an_error() {
        let (yielded, asked) = run(3, |page| Fake {
            entries: 2,
            echo: Some(page as i64),
        })
        .await;
        assert_eq!(yielded.len(), 4);
        assert!(yielded[3]
            .as_ref()
            .is_err_and(|e| e.contains("after 3 pages")));
        assert_eq!(asked, [1, 2, 3]);
    }
}
