//! Offset pagination rules (GitLab's `page` and `per_page`).

/// The default number of items per page.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// The largest `per_page` honoured; larger values are clamped to it.
pub const MAX_PER_PAGE: u32 = 100;
/// The most items a list counts for its headers: when more match, GitLab leaves out
/// `X-Total`, `X-Total-Pages` and the `last` link (Kaminari's `MAX_COUNT_LIMIT`, counted with
/// `LIMIT 10001`).
pub const MAX_COUNT: u64 = 10_000;

/// A validated page request: `page` ≥ 1, 1 ≤ `per_page` ≤ 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// GitLab's lenient reading: a page below 1 is page 1; a `per_page` below 1 is the default;
    /// above the maximum it is the maximum.
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        let page = match page {
            Some(p) if p >= 1 => u32::try_from(p).unwrap_or(u32::MAX),
            _ => 1,
        };
        let per_page = match per_page {
            Some(p) if p > i64::from(MAX_PER_PAGE) => MAX_PER_PAGE,
            Some(p) if p >= 1 => u32::try_from(p).unwrap_or(DEFAULT_PER_PAGE),
            _ => DEFAULT_PER_PAGE,
        };
        Self { page, per_page }
    }

    pub fn page(self) -> u32 {
        self.page
    }

    pub fn per_page(self) -> u32 {
        self.per_page
    }

    /// Rows to skip.
    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    /// Rows to take.
    pub fn limit(self) -> u64 {
        u64::from(self.per_page)
    }

    /// How many matching items a list needs to count at most for this page: past
    /// [`MAX_COUNT`] only whether an item follows the page (or the page is empty) matters.
    /// A count stopped there is what [`PageInfo::new`] takes.
    pub fn count_limit(self) -> u64 {
        (MAX_COUNT + 1).max(self.offset() + self.limit() + 1)
    }

    /// Applies the request to an in-memory list (used by fakes and small fixed lists).
    pub fn slice<T: Clone>(self, all: &[T]) -> Vec<T> {
        let start = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        all.iter()
            .skip(start)
            .take(self.per_page as usize)
            .cloned()
            .collect()
    }
}

/// What the pagination headers say about a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    pub page: u32,
    pub per_page: u32,
    /// `None` when more than [`MAX_COUNT`] items match: no `X-Total`.
    pub total: Option<u64>,
    /// `None` with `total`: no `X-Total-Pages` and no `last` link.
    pub total_pages: Option<u64>,
    pub next_page: Option<u32>,
    pub prev_page: Option<u32>,
}

impl PageInfo {
    /// The headers of a page, given the number of matching items counted up to at least
    /// [`PageRequest::count_limit`] (an exact count also does).
    pub fn new(request: PageRequest, counted: u64) -> Self {
        let page = request.page;
        if counted > MAX_COUNT {
            // Kaminari's `without_count`: the next page exists when an item follows this one,
            // and an empty page has neither a next nor a previous page.
            let offset = request.offset();
            let more = counted > offset + request.limit();
            let empty = counted <= offset;
            return Self {
                page,
                per_page: request.per_page,
                total: None,
                total_pages: None,
                next_page: more.then(|| page.saturating_add(1)),
                prev_page: (page > 1 && !empty).then(|| page - 1),
            };
        }
        let total = counted;
        let per_page = u64::from(request.per_page);
        let total_pages = total.div_ceil(per_page).max(1);
        let next_page = (u64::from(page) < total_pages).then(|| page.saturating_add(1));
        let prev_page = (page > 1).then(|| {
            // A page beyond the end points back to the last page, as Kaminari does.
            let last = u32::try_from(total_pages).unwrap_or(u32::MAX);
            (page - 1).min(last)
        });
        Self {
            page,
            per_page: request.per_page,
            total: Some(total),
            total_pages: Some(total_pages),
            next_page,
            prev_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_page_request() {
        let table = [
            (None, None, 1, 20),
            (Some(0), Some(0), 1, 20),
            (Some(-3), Some(-1), 1, 20),
            (Some(3), Some(5), 3, 5),
            (Some(2), Some(100), 2, 100),
            (Some(2), Some(101), 2, 100),
            (Some(1), Some(100_000), 1, 100),
        ];
        for (page, per_page, want_page, want_per_page) in table {
            let r = PageRequest::new(page, per_page);
            assert_eq!(
                (r.page(), r.per_page()),
                (want_page, want_per_page),
                "{page:?} {per_page:?}"
            );
        }
        assert_eq!(PageRequest::new(Some(3), Some(10)).offset(), 20);
    }

    #[test]
    fn page_info_for_first_middle_last_and_empty() {
        let info = PageInfo::new(PageRequest::new(Some(1), Some(2)), 5);
        assert_eq!(
            (info.total_pages, info.next_page, info.prev_page),
            (Some(3), Some(2), None)
        );
        let info = PageInfo::new(PageRequest::new(Some(2), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (Some(3), Some(1)));
        let info = PageInfo::new(PageRequest::new(Some(3), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (None, Some(2)));
        let info = PageInfo::new(PageRequest::default(), 0);
        assert_eq!(
            (info.total_pages, info.next_page, info.prev_page),
            (Some(1), None, None)
        );
        let info = PageInfo::new(PageRequest::new(Some(9), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (None, Some(3)));
    }

    #[test]
    fn counts_stop_past_ten_thousand() {
        assert_eq!(PageRequest::default().count_limit(), 10_001);
        assert_eq!(PageRequest::new(Some(200), Some(100)).count_limit(), 20_001);
        let exactly = PageInfo::new(PageRequest::default(), 10_000);
        assert_eq!(
            (exactly.total, exactly.total_pages, exactly.next_page),
            (Some(10_000), Some(500), Some(2))
        );
        let first = PageInfo::new(PageRequest::default(), 10_001);
        assert_eq!(
            (
                first.total,
                first.total_pages,
                first.next_page,
                first.prev_page
            ),
            (None, None, Some(2), None)
        );
        // 10,001 items of 100 a page: page 101 holds the last one.
        let last = PageInfo::new(PageRequest::new(Some(101), Some(100)), 10_001);
        assert_eq!((last.next_page, last.prev_page), (None, Some(100)));
        let beyond = PageInfo::new(PageRequest::new(Some(102), Some(100)), 10_001);
        assert_eq!((beyond.next_page, beyond.prev_page), (None, None));
        // A count stopped at the limit of a deep page still tells whether one follows.
        let deep = PageRequest::new(Some(150), Some(100));
        let info = PageInfo::new(deep, deep.count_limit());
        assert_eq!((info.next_page, info.prev_page), (Some(151), Some(149)));
    }

    #[test]
    fn slices_in_memory_lists() {
        let all: Vec<u32> = (1..=5).collect();
        assert_eq!(PageRequest::new(Some(2), Some(2)).slice(&all), vec![3, 4]);
        assert!(PageRequest::new(Some(4), Some(2)).slice(&all).is_empty());
    }
}
