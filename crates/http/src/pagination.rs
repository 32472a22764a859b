//! Offset pagination: `page` and `per_page` in, GitLab's headers out (`X-Total`,
//! `X-Total-Pages`, `X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page` and an absolute
//! `Link` with `prev`, `next`, `first` and `last`, built from the external URL). As GitLab,
//! a list of more than 10,000 items has no `X-Total`, `X-Total-Pages` or `last` link.

use actix_web::{HttpRequest, HttpResponse};
use paddock_domain::pagination::{PageInfo, PageRequest};
use serde::Serialize;

use crate::error::ApiError;
use crate::params::Params;
use crate::state::ApiState;

pub fn page_request(params: &Params) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::new(
        params.int("page")?,
        params.int("per_page")?,
    ))
}

/// The URL of another page of the same list: the request's path and query parameters with
/// `page` and `per_page` replaced, keys sorted (as Rails' `to_query`).
fn page_url(req: &HttpRequest, external_url: &str, page: u64, per_page: u32) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "page" && k != "per_page");
    pairs.push(("page".into(), page.to_string()));
    pairs.push(("per_page".into(), per_page.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{external_url}{}?{query}", req.path())
}

/// A `200 OK` list response with the pagination headers; `total` as [`PageInfo::new`]
/// takes it.
pub fn paginated<T: Serialize>(
    req: &HttpRequest,
    state: &ApiState,
    request: PageRequest,
    total: u64,
    items: Vec<T>,
) -> HttpResponse {
    let info = PageInfo::new(request, total);
    let url = |page: u64| page_url(req, &state.config.external_url, page, info.per_page);
    let mut links = Vec::with_capacity(4);
    if let Some(prev) = info.prev_page {
        links.push(format!("<{}>; rel=\"prev\"", url(u64::from(prev))));
    }
    if let Some(next) = info.next_page {
        links.push(format!("<{}>; rel=\"next\"", url(u64::from(next))));
    }
    links.push(format!("<{}>; rel=\"first\"", url(1)));
    if let Some(last) = info.total_pages {
        links.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    let optional = |page: Option<u32>| page.map(|p| p.to_string()).unwrap_or_default();
    let mut response = HttpResponse::Ok();
    if let (Some(total), Some(pages)) = (info.total, info.total_pages) {
        response
            .insert_header(("X-Total", total.to_string()))
            .insert_header(("X-Total-Pages", pages.to_string()));
    }
    response
        .insert_header(("X-Page", info.page.to_string()))
        .insert_header(("X-Per-Page", info.per_page.to_string()))
        .insert_header(("X-Next-Page", optional(info.next_page)))
        .insert_header(("X-Prev-Page", optional(info.prev_page)))
        .insert_header(("Link", links.join(", ")))
        .json(items)
}
