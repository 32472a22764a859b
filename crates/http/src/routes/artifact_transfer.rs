//! Streaming artifact files in and out, for v4's `/jobs/:id/artifacts` and v1's
//! `/builds/:id/artifacts`.
//!
//! Uploads are streamed: the multipart field `file` goes to the artifact store piece by piece
//! as it arrives (never whole in memory), and the options may come in the query string or as
//! form fields before or after the file. Downloads are streamed from the store the same way.

use std::io::Read;

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use paddock_domain::job::artifact::ExpireIn;
use paddock_ports::inbound::{ArtifactFile, ArtifactReceiver, ReceivedFile};

use crate::error::ApiError;
use crate::params::Params;
use crate::state::ApiState;

/// How much of an upload is gathered before it is handed to the store (what an upload holds
/// in memory).
const WRITE_BATCH: usize = 64 * 1024;
/// How much a download reads from the store at a time.
const READ_BATCH: usize = 64 * 1024;
/// The largest text fields of an upload, all together.
const MAX_FIELDS: usize = 64 * 1024;

fn malformed<E>(_: E) -> ApiError {
    ApiError::BadRequest("the multipart body is malformed".into())
}

/// Hands what was gathered to the store, on the blocking pool.
async fn flush(
    receiver: Box<dyn ArtifactReceiver>,
    pending: &mut Vec<u8>,
) -> Result<Box<dyn ArtifactReceiver>, ApiError> {
    let chunk = std::mem::take(pending);
    let (receiver, written) = web::block(move || {
        let mut receiver = receiver;
        let written = receiver.write(&chunk);
        (receiver, written)
    })
    .await
    .map_err(|e| ApiError::internal("the blocking pool failed", &e.to_string()))?;
    written?;
    Ok(receiver)
}

/// Streams the `file` field into a new artifact file.
async fn receive_file(
    state: &ApiState,
    field: &mut actix_multipart::Field,
) -> Result<ReceivedFile, ApiError> {
    let filename = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .map(str::to_owned);
    let mut receiver = state.call(|uc| uc.receive_artifact()).await?;
    let mut pending: Vec<u8> = Vec::with_capacity(WRITE_BATCH);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        pending.extend_from_slice(&chunk);
        if pending.len() >= WRITE_BATCH {
            receiver = flush(receiver, &mut pending).await?;
        }
    }
    if !pending.is_empty() {
        receiver = flush(receiver, &mut pending).await?;
    }
    Ok(receiver.finish(filename))
}

/// Reads a multipart upload: the `file` field streamed to the store, the text fields kept.
async fn read_form(
    state: &ApiState,
    mut multipart: actix_multipart::Multipart,
) -> Result<(Vec<(String, String)>, Option<ReceivedFile>), ApiError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut fields_size = 0usize;
    let mut file = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let Some(name) = field
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .map(str::to_owned)
        else {
            continue;
        };
        if name == "file" && file.is_none() {
            file = Some(receive_file(state, &mut field).await?);
            continue;
        }
        // Other fields are options; other files (`metadata`, a second `file`) are read and
        // dropped.
        let is_text = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_none());
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            if !is_text {
                continue;
            }
            fields_size += chunk.len();
            if fields_size > MAX_FIELDS {
                return Err(ApiError::PayloadTooLarge);
            }
            value.extend_from_slice(&chunk);
        }
        if is_text {
            let text = String::from_utf8(value).map_err(|_| ApiError::invalid(&name))?;
            fields.push((name, text));
        }
    }
    Ok((fields, file))
}

/// `expire_in`: absent or blank is none; otherwise one of GitLab's forms.
pub(crate) fn expire_in(params: &Params) -> Result<Option<ExpireIn>, ApiError> {
    match params.string("expire_in")? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => ExpireIn::parse(&text)
            .map(Some)
            .ok_or_else(|| ApiError::invalid("expire_in")),
    }
}

/// Reads a multipart upload: the `file` streamed to the store, the text fields merged into
/// `params` (the query's).
pub(crate) async fn read_upload(
    req: &HttpRequest,
    state: &ApiState,
    mut params: Params,
    payload: web::Payload,
) -> Result<(Params, Option<ReceivedFile>), ApiError> {
    let multipart = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let (fields, file) = read_form(state, multipart).await?;
    params.merge_pairs(fields);
    Ok((params, file))
}

/// A 200 that streams the file from the store, as an attachment.
pub(crate) fn file_response(file: ArtifactFile) -> HttpResponse {
    let artifact = file.artifact;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(artifact.filename.clone()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: artifact.filename.clone().into_bytes(),
            }),
        ],
    };
    let chunks = futures_util::stream::unfold(Some(file.content), |reader| async move {
        let mut reader = reader?;
        let read = web::block(move || {
            let mut buffer = vec![0u8; READ_BATCH];
            let read = reader.read(&mut buffer).map(|n| {
                buffer.truncate(n);
                buffer
            });
            (reader, read)
        })
        .await;
        match read {
            Ok((_, Ok(buffer))) if buffer.is_empty() => None,
            Ok((reader, Ok(buffer))) => Some((Ok(web::Bytes::from(buffer)), Some(reader))),
            Ok((_, Err(error))) => {
                tracing::error!(%error, "reading an artifact failed");
                Some((
                    Err(actix_web::error::ErrorInternalServerError("read")),
                    None,
                ))
            }
            Err(error) => Some((Err(actix_web::error::ErrorInternalServerError(error)), None)),
        }
    });
    HttpResponse::Ok()
        .content_type(artifact.format.content_type())
        .insert_header(disposition)
        .no_chunking(artifact.size)
        .streaming(chunks)
}
