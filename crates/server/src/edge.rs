//! What every request goes through before its route: the path made canonical (GitLab accepts
//! `/api/v4/runners/` and `//api/v4//runners`), and the access log line after it.

use actix_web::dev::ServiceRequest;
use actix_web::http::Uri;
use actix_web::http::uri::PathAndQuery;

/// The path with every run of slashes made one and the trailing slash dropped; `None` when it
/// is canonical already (almost every request: checked without allocating).
fn canonical(path: &str) -> Option<String> {
    let doubled = path.as_bytes().windows(2).any(|pair| pair == b"//");
    let trailing = path.len() > 1 && path.ends_with('/');
    if !doubled && !trailing {
        return None;
    }
    let mut canonical = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        canonical.push('/');
        canonical.push_str(segment);
    }
    if canonical.is_empty() {
        canonical.push('/');
    }
    Some(canonical)
}

/// Rewrites the request's path to its canonical form, keeping the query.
pub fn normalize_path(req: &mut ServiceRequest) {
    let Some(path) = canonical(req.path()) else {
        return;
    };
    let head = req.head_mut();
    let path_and_query = match head.uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = head.uri.clone().into_parts();
    let Ok(path_and_query) = PathAndQuery::try_from(path_and_query) else {
        return;
    };
    parts.path_and_query = Some(path_and_query);
    let Ok(uri) = Uri::from_parts(parts) else {
        return;
    };
    head.uri = uri.clone();
    req.match_info_mut().get_mut().update(&uri);
}

/// Whether a request is a runner's idle poll — `POST /jobs/request` answered 204, or v1's
/// `/builds/register` answered 204 or 404 (how it tells older runners, and paused ones, that
/// there is no build): logged at `debug`, as a fleet of runners polling every few seconds
/// would otherwise fill the log with lines that say nothing happened.
pub fn is_idle_poll(path: &str, status: u16) -> bool {
    (status == 204 && path.ends_with("/jobs/request"))
        || ((status == 204 || status == 404) && path.ends_with("/builds/register"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_canonical_only_when_needed() {
        assert_eq!(canonical("/api/v4/runners"), None);
        assert_eq!(canonical("/"), None);
        assert_eq!(
            canonical("/api/v4/runners/").as_deref(),
            Some("/api/v4/runners")
        );
        assert_eq!(
            canonical("//api//v4///runners//").as_deref(),
            Some("/api/v4/runners")
        );
        assert_eq!(canonical("//").as_deref(), Some("/"));
    }

    #[test]
    fn idle_polls_are_told_apart() {
        assert!(is_idle_poll("/api/v4/jobs/request", 204));
        assert!(is_idle_poll("/ci/api/v1/builds/register", 204));
        assert!(is_idle_poll("/ci/api/v1/builds/register", 404));
        assert!(!is_idle_poll("/ci/api/v1/builds/register", 403));
        assert!(!is_idle_poll("/api/v4/jobs/request", 404));
        assert!(!is_idle_poll("/api/v4/jobs/request", 201));
        assert!(!is_idle_poll("/api/v4/jobs/request", 409));
        assert!(!is_idle_poll("/api/v4/runners", 204));
    }
}
