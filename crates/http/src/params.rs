//! Request parameters as GitLab's Grape reads them: the query string merged with the body,
//! whatever its encoding (JSON, `x-www-form-urlencoded`, multipart), and lenient coercion of
//! booleans, integers and arrays. Errors are Grape's 400s naming the parameter.

use std::collections::BTreeMap;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::state::ApiState;

/// The merged parameters of a request. Body parameters win over query parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    map: BTreeMap<String, Value>,
}

impl Params {
    /// Parameters from `key=value` pairs (a query string or a form body), with Rack's
    /// conventions: a repeated key or `key[]` makes an array, `key[sub]` a hash.
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut params = Params::default();
        params.merge_pairs(pairs);
        params
    }

    pub(crate) fn merge_pairs<I: IntoIterator<Item = (String, String)>>(&mut self, pairs: I) {
        let mut fresh: BTreeMap<String, Value> = BTreeMap::new();
        for (key, value) in pairs {
            let value = Value::String(value);
            if let Some(base) = key.strip_suffix("[]") {
                match fresh
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(list) => list.push(value),
                    other => *other = Value::Array(vec![other.take(), value]),
                }
            } else if let Some((base, rest)) = key.split_once('[')
                && let Some(sub) = rest.strip_suffix(']')
                && !base.is_empty()
            {
                let entry = fresh
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(sub.to_owned(), value);
                }
            } else {
                match fresh.get_mut(&key) {
                    Some(Value::Array(list)) => list.push(value),
                    Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
                    None => {
                        fresh.insert(key, value);
                    }
                }
            }
        }
        self.map.extend(fresh);
    }

    fn merge_json(&mut self, object: Map<String, Value>) {
        self.map.extend(object);
    }

    /// The fields of a hash parameter (`output` of a job update), read as parameters.
    pub fn from_object(object: Map<String, Value>) -> Self {
        let mut params = Params::default();
        params.merge_json(object);
        params
    }

    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::BadRequest("malformed query string".into()))?;
        Ok(Self::from_pairs(pairs))
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// A text parameter; numbers and booleans are accepted as their text.
    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    /// A text that can be cleared: absent is `None`, `null` or an empty string is
    /// `Some(None)`.
    pub fn nullable_string(&self, name: &str) -> Result<Option<Option<String>>, ApiError> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(_) => Ok(Some(self.string(name)?.filter(|s| !s.is_empty()))),
        }
    }

    pub fn required_string(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// A boolean as Grape coerces it: `true/false`, `1/0`, `t/f`, `yes/no`, `y/n`, `on/off`,
    /// case-insensitive.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(1) => Ok(Some(true)),
                Some(0) => Ok(Some(false)),
                _ => Err(ApiError::invalid(name)),
            },
            Some(Value::String(s)) => parse_bool(s)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(name)),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    /// An integer, from a JSON number or a string of digits; an empty string is absent.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ApiError::invalid(name)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::invalid(name)),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    pub fn required_int(&self, name: &str) -> Result<i64, ApiError> {
        self.int(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// A list of strings: a JSON array, a comma-separated string, repeated keys or `key[]`.
    /// Items are trimmed; empty items are dropped.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let items: Vec<String> = match self.map.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.split(',').map(str::to_owned).collect(),
            Some(Value::Array(values)) => {
                let mut out = Vec::with_capacity(values.len());
                for v in values {
                    match v {
                        Value::String(s) => out.extend(s.split(',').map(str::to_owned)),
                        Value::Number(n) => out.push(n.to_string()),
                        _ => return Err(ApiError::invalid(name)),
                    }
                }
                out
            }
            Some(_) => return Err(ApiError::invalid(name)),
        };
        Ok(Some(
            items
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        ))
    }

    /// A hash parameter (`info` of a runner): a JSON object or `key[sub]` form fields.
    pub fn object(&self, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    /// A value from a closed set, GitLab's `does not have a valid value` otherwise.
    pub fn one_of<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match self.string(name)? {
            None => Ok(None),
            Some(text) => parse(&text)
                .map(Some)
                .ok_or_else(|| ApiError::not_valid_value(name)),
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "on" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

/// Reads a whole body, refusing more than `limit` bytes with 413. The buffer is sized once
/// from `Content-Length` (at most `limit`), so a large body is not copied again as it grows.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let expected = declared_length(req).unwrap_or(0).min(limit);
    let mut body = web::BytesMut::with_capacity(expected);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge,
            _ => ApiError::BadRequest("the request body could not be read".into()),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The first parameter (by name) holding a NUL character anywhere in its value, which no
/// database keeps in text.
fn with_nul(params: &Params) -> Option<&str> {
    fn has_nul(value: &Value) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    params
        .map
        .iter()
        .find(|(key, value)| key.contains('\0') || has_nul(value))
        .map(|(key, _)| key.as_str())
}

async fn parse(req: HttpRequest, payload: Payload, limit: usize) -> Result<Params, ApiError> {
    let params = parse_body(req, payload, limit).await?;
    if let Some(name) = with_nul(&params) {
        return Err(ApiError::invalid(&name.replace('\0', "")));
    }
    Ok(params)
}

async fn parse_body(req: HttpRequest, payload: Payload, limit: usize) -> Result<Params, ApiError> {
    let mut params = Params::from_query(req.query_string())?;
    if declared_length(&req).is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    match media_type(&req).as_str() {
        "application/json" => {
            let body = read_limited(&req, payload, limit).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(params);
            }
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(object)) => params.merge_json(object),
                Ok(_) => {
                    return Err(ApiError::BadRequest(
                        "the JSON body must be an object".into(),
                    ));
                }
                Err(_) => return Err(ApiError::BadRequest("the body is not valid JSON".into())),
            }
        }
        "application/x-www-form-urlencoded" => {
            let body = read_limited(&req, payload, limit).await?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| ApiError::BadRequest("the form body is malformed".into()))?;
            params.merge_pairs(pairs);
        }
        "multipart/form-data" => {
            let pairs = multipart_fields(&req, payload, limit).await?;
            params.merge_pairs(pairs);
        }
        // Other bodies (or none) carry no parameters.
        _ => {}
    }
    Ok(params)
}

/// The text fields of a multipart body; file parts are not parameters and are skipped.
async fn multipart_fields(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let mut pairs = Vec::new();
    let mut total = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field =
            field.map_err(|_| ApiError::BadRequest("the multipart body is malformed".into()))?;
        let Some(name) = field
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .map(str::to_owned)
        else {
            continue;
        };
        let is_file = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_some());
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|_| ApiError::BadRequest("the multipart body is malformed".into()))?;
            total += chunk.len();
            if total > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            if !is_file {
                value.extend_from_slice(&chunk);
            }
        }
        if !is_file {
            let text = String::from_utf8(value).map_err(|_| ApiError::invalid(&name))?;
            pairs.push((name, text));
        }
    }
    Ok(pairs)
}

impl FromRequest for Params {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<ApiState>>()
            .map_or(crate::state::DEFAULT_MAX_BODY, |state| {
                state.config.max_request_body
            });
        let req = req.clone();
        let payload = payload.take();
        Box::pin(parse(req, payload, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(list: &[(&str, &str)]) -> Params {
        Params::from_pairs(list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    #[test]
    fn booleans_in_every_spelling() {
        for (text, want) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("1", true),
            ("t", true),
            ("yes", true),
            ("false", false),
            ("False", false),
            ("0", false),
            ("f", false),
            ("no", false),
        ] {
            assert_eq!(
                pairs(&[("active", text)]).bool("active"),
                Ok(Some(want)),
                "{text}"
            );
        }
        assert_eq!(
            pairs(&[("active", "maybe")]).bool("active"),
            Err(ApiError::invalid("active"))
        );
        let mut p = Params::default();
        p.merge_json(
            json!({"a": true, "b": 0, "c": 2})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert_eq!(p.bool("a"), Ok(Some(true)));
        assert_eq!(p.bool("b"), Ok(Some(false)));
        assert!(p.bool("c").is_err());
        assert_eq!(p.bool("missing"), Ok(None));
    }

    #[test]
    fn integers_as_numbers_or_strings() {
        let mut p = pairs(&[("runner_id", "12"), ("blank", ""), ("bad", "1x")]);
        p.merge_json(
            json!({"n": 5, "s": " 7 ", "f": 1.5})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert_eq!(p.int("runner_id"), Ok(Some(12)));
        assert_eq!(p.int("n"), Ok(Some(5)));
        assert_eq!(p.int("s"), Ok(Some(7)));
        assert_eq!(p.int("blank"), Ok(None));
        assert_eq!(p.int("bad"), Err(ApiError::invalid("bad")));
        assert_eq!(p.int("f"), Err(ApiError::invalid("f")));
        assert_eq!(p.required_int("absent"), Err(ApiError::missing("absent")));
    }

    #[test]
    fn arrays_in_every_encoding() {
        let want = Some(vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            pairs(&[("tag_list", "a,b")]).list("tag_list"),
            Ok(want.clone())
        );
        assert_eq!(
            pairs(&[("tag_list", " a , b ,")]).list("tag_list"),
            Ok(want.clone())
        );
        assert_eq!(
            pairs(&[("tag_list", "a"), ("tag_list", "b")]).list("tag_list"),
            Ok(want.clone())
        );
        assert_eq!(
            pairs(&[("tag_list[]", "a"), ("tag_list[]", "b")]).list("tag_list"),
            Ok(want.clone())
        );
        let mut p = Params::default();
        p.merge_json(
            json!({"tag_list": ["a", "b"]})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert_eq!(p.list("tag_list"), Ok(want));
        assert_eq!(
            pairs(&[("tag_list", "")]).list("tag_list"),
            Ok(Some(vec![]))
        );
    }

    #[test]
    fn nested_hashes_from_form_fields() {
        let p = pairs(&[("info[name]", "runner"), ("info[version]", "1.0")]);
        let info = p.object("info").ok().flatten().unwrap_or_default();
        assert_eq!(info.get("name"), Some(&json!("runner")));
        assert_eq!(info.get("version"), Some(&json!("1.0")));
    }

    #[test]
    fn body_wins_over_query() {
        let mut p = Params::from_query("name=query&page=2").unwrap_or_default();
        p.merge_pairs([("name".to_owned(), "body".to_owned())]);
        assert_eq!(p.string("name"), Ok(Some("body".into())));
        assert_eq!(p.int("page"), Ok(Some(2)));
    }

    #[test]
    fn nul_characters_are_found_anywhere() {
        let mut p = pairs(&[("name", "fine")]);
        assert_eq!(with_nul(&p), None);
        p.merge_json(
            json!({"info": {"version": "1\u{0}"}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert_eq!(with_nul(&p), Some("info"));
        let p = pairs(&[("tag_list[]", "a"), ("tag_list[]", "b\0")]);
        assert_eq!(with_nul(&p), Some("tag_list"));
    }

    #[test]
    fn closed_sets() {
        let p = pairs(&[("visibility", "secret")]);
        let parsed = p.one_of("visibility", |v| paddock_domain::Visibility::parse(v).ok());
        assert_eq!(parsed, Err(ApiError::not_valid_value("visibility")));
    }
}
