//! Offset pagination rules (GitLab's `page` and `per_page`).

/// The default number of items per page.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// The largest `per_page` honoured; larger values are clamped to it.
pub const MAX_PER_PAGE: u32 = 100;

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

/// What the pagination headers say about a page, given the total number of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub total_pages: u64,
    pub next_page: Option<u32>,
    pub prev_page: Option<u32>,
}

impl PageInfo {
    pub fn new(request: PageRequest, total: u64) -> Self {
        let per_page = u64::from(request.per_page);
        let total_pages = total.div_ceil(per_page).max(1);
        let page = request.page;
        let next_page = (u64::from(page) < total_pages).then(|| page.saturating_add(1));
        let prev_page = (page > 1).then(|| {
            // A page beyond the end points back to the last page, as Kaminari does.
            let last = u32::try_from(total_pages).unwrap_or(u32::MAX);
            (page - 1).min(last)
        });
        Self {
            page,
            per_page: request.per_page,
            total,
            total_pages,
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
            (3, Some(2), None)
        );
        let info = PageInfo::new(PageRequest::new(Some(2), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (Some(3), Some(1)));
        let info = PageInfo::new(PageRequest::new(Some(3), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (None, Some(2)));
        let info = PageInfo::new(PageRequest::default(), 0);
        assert_eq!(
            (info.total_pages, info.next_page, info.prev_page),
            (1, None, None)
        );
        let info = PageInfo::new(PageRequest::new(Some(9), Some(2)), 5);
        assert_eq!((info.next_page, info.prev_page), (None, Some(3)));
    }

    #[test]
    fn slices_in_memory_lists() {
        let all: Vec<u32> = (1..=5).collect();
        assert_eq!(PageRequest::new(Some(2), Some(2)).slice(&all), vec![3, 4]);
        assert!(PageRequest::new(Some(4), Some(2)).slice(&all).is_empty());
    }
}
