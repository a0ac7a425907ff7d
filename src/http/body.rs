//! Reading a request body: bounded in size (1 MiB), in time (the body timeout) and, over all
//! requests at once, in memory (a shared budget of bytes received and not yet handled).

use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use warp::http::{HeaderMap, header};

use super::MAX_BODY;
use crate::error::{Error, Kind};

/// Bodies a little over the limit are read to the end (and dropped) before answering 413:
/// answering while the client is still sending makes many clients see a connection reset
/// instead of the 413. Bodies past this are cut off at once.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// Bytes of request bodies the server holds at once, over all requests: one permit a byte,
/// taken as chunks arrive and given back when the request is done.
pub struct BodyBudget(Arc<Semaphore>);

impl BodyBudget {
    pub fn new(bytes: usize) -> BodyBudget {
        BodyBudget(Arc::new(Semaphore::new(bytes.min(Semaphore::MAX_PERMITS))))
    }

    /// Takes `bytes` more for `held`, or answers 503: many clients are sending large bodies
    /// slowly, and a later request will find room once they finish or time out.
    fn take(&self, held: &mut Option<OwnedSemaphorePermit>, bytes: usize) -> Result<(), Error> {
        let more = u32::try_from(bytes)
            .ok()
            .and_then(|n| self.0.clone().try_acquire_many_owned(n).ok())
            .ok_or_else(|| Error {
                retry_after_secs: Some(1),
                ..Error::unavailable(
                    "the server is receiving too many request bodies at once; retry shortly",
                )
            })?;
        match held {
            Some(permit) => permit.merge(more),
            None => *held = Some(more),
        }
        Ok(())
    }
}

/// A body read whole, with its share of the budget (given back when dropped).
pub struct Body {
    pub bytes: Bytes,
    /// Keep it until the request is handled: the bytes stay in memory that long.
    pub budget: Option<OwnedSemaphorePermit>,
}

/// Reads the body up to `MAX_BODY`, refusing early when Content-Length says it is far too
/// much, and answering 408 when the whole of it has not arrived within `timeout`.
pub async fn read<S, B>(
    headers: &HeaderMap,
    body: S,
    timeout: Duration,
    budget: &BodyBudget,
) -> Result<Body, Error>
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    tokio::time::timeout(timeout, read_whole(headers, body, budget))
        .await
        .unwrap_or_else(|_| {
            Err(Error::new(
                Kind::RequestTimeout,
                "request_timeout",
                format!("the request body did not arrive within {timeout:?}"),
            ))
        })
}

async fn read_whole<S, B>(
    headers: &HeaderMap,
    mut body: S,
    budget: &BodyBudget,
) -> Result<Body, Error>
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let too_large = || {
        Error::new(
            Kind::PayloadTooLarge,
            "payload_too_large",
            format!("the request body is over {MAX_BODY} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let mut bytes = BytesMut::new();
    let mut held = None;
    let mut seen: u64 = 0;
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| {
            Error::bad_request("body_read_failed", format!("cannot read the body: {e}"))
        })?;
        seen += chunk.remaining() as u64;
        if seen > DRAIN_LIMIT {
            return Err(too_large());
        }
        if seen > MAX_BODY as u64 {
            chunk.advance(chunk.remaining());
            continue;
        }
        budget.take(&mut held, chunk.remaining())?;
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    if seen > MAX_BODY as u64 {
        return Err(too_large());
    }
    Ok(Body {
        bytes: bytes.freeze(),
        budget: held,
    })
}
