//! The one way to answer with server-sent events (`/events`, `/status/{slug}/events`): events
//! come from a channel the feature's task feeds, and the response is marked `Streaming` so the
//! connection layer gives it no idle timeout and closes it at once at shutdown. A proxy is told
//! not to buffer it, and the connection closes when the stream ends (the browser reconnects
//! after the `retry` the feature sent, authenticating again).

use std::convert::Infallible;

use tokio::sync::mpsc;
use warp::Reply;
use warp::http::{HeaderValue, header};
use warp::reply::Response;
use warp::sse::Event;

use super::listener::Streaming;

/// A streaming response of the events sent on `rx`, until its sender is dropped.
/// `cache_control` says who may keep it (never a shared cache for a private page).
pub fn reply(mut rx: mpsc::Receiver<Event>, cache_control: &'static str) -> Response {
    let stream = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx).map(|e| e.map(Ok::<_, Infallible>))
    });
    let mut response = warp::sse::reply(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    // nginx buffers responses unless told not to.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response.extensions_mut().insert(Streaming);
    response
}
