//! The HTTP server's accept loop: connections served by hyper, over plain TCP (HTTP/1.1) or TLS (HTTP/2 or
//! HTTP/1.1, as ALPN chose), each watched for a slow TLS handshake or head and for idleness, at most
//! `max_connections` of them (the oldest idle one closed to make room for a new one), and every answer, hyper's
//! own included, in the error envelope.
//!
//! Why not hyper's `header_read_timeout`: its timer also runs while a kept-alive connection waits for its next
//! request (hyper-1.12.0 `src/proto/h1/conn.rs`, `State::idle` sets `notify_read` so that `poll_read_head` starts
//! the timer again), so it cannot tell a slow head from an idle connection, and nothing outside hyper can see which
//! connections are idle. The watch here keeps both apart: the head timer starts at the first byte of a head, the
//! idle timer when the last answer was written.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::graceful::GracefulConnection;
use mscommerce_api::{ApiError, Metrics, Observed, Services};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio_rustls::TlsAcceptor;
use tower_service::Service as _;

/// The longest request target we answer; longer ones get 414 in the envelope.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The largest request head (request line and header fields) we answer; larger ones get 431 in the envelope.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// hyper's read buffer, above our head limit so that heads up to it reach our own check and its answer; a head
/// that does not fit is refused by hyper itself (431), whose answer `Watched` puts in the envelope. Also the most
/// a connection buffers of a head that never ends.
const HYPER_BUFFER_BYTES: usize = 64 * 1024;
/// Requests one HTTP/2 connection may have in flight at once (hyper's default is 200); each is a request the
/// service works on, so one connection should not take much more than its share.
const MAX_STREAMS_PER_CONNECTION: u32 = 100;

/// The connection limits, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub max_connections: usize,
}

/// Milliseconds on a process-wide clock, from 1 (0 means "not set").
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// What the watch knows of one connection. Written by its reads and writes and by the request it serves, with
/// relaxed atomics: no lock, nothing allocated per request.
struct Connection {
    /// Order of acceptance: the oldest idle connection is shed first.
    id: u64,
    /// Requests being handled: at most one on an HTTP/1 connection, several streams at once on HTTP/2.
    in_flight: AtomicU32,
    /// HTTP/2: bytes between requests are frames of the connection (window updates, settings, pings), not the
    /// start of a head, so the head timer never runs; an idle connection is closed by the idle timer alone.
    multiplexed: AtomicBool,
    /// When the first byte of a request head arrived, while no request was being handled; 0 when none is coming.
    head_started: AtomicU64,
    /// When the connection was accepted, its last request ended, or it last wrote with no request in hand.
    quiet_since: AtomicU64,
    /// Told to close, to make room for a new connection.
    shed: Notify,
}

enum Overdue {
    Head,
    Idle,
}

impl Connection {
    /// How long until the connection may be overdue, or why it is overdue now.
    fn check(&self, now: u64, limits: &Limits) -> Result<Duration, Overdue> {
        let (since, limit, overdue) = if self.busy() {
            // A request's own time is the request timeout's business; look again later.
            return Ok(limits.header_read_timeout.min(limits.keep_alive_timeout));
        } else {
            match self.head_started.load(Relaxed) {
                0 => (
                    self.quiet_since.load(Relaxed),
                    limits.keep_alive_timeout,
                    Overdue::Idle,
                ),
                started => (started, limits.header_read_timeout, Overdue::Head),
            }
        };
        let deadline = since + limit.as_millis() as u64;
        if now >= deadline {
            return Err(overdue);
        }
        let wait = Duration::from_millis(deadline - now);
        Ok(match overdue {
            // A head may start at any moment without waking the watch (waking it would cost every request a
            // notification): looking again at least every header timeout closes a slow head within twice it.
            Overdue::Idle => wait.min(limits.header_read_timeout),
            Overdue::Head => wait,
        })
    }

    fn busy(&self) -> bool {
        self.in_flight.load(Relaxed) > 0
    }

    fn request_began(&self) {
        self.in_flight.fetch_add(1, Relaxed);
        self.head_started.store(0, Relaxed);
    }

    fn request_ended(&self) {
        self.quiet_since.store(now_ms(), Relaxed);
        self.in_flight.fetch_sub(1, Relaxed);
    }

    fn read_some(&self) {
        if !self.busy() && self.head_started.load(Relaxed) == 0 && !self.multiplexed.load(Relaxed) {
            self.head_started.store(now_ms(), Relaxed);
        }
    }

    fn wrote_some(&self) {
        // An answer still being written (after its handler returned) is not idleness. On HTTP/2 a write between
        // requests is hyper answering the client's pings and settings, which must not keep an idle connection.
        if !self.busy() && !self.multiplexed.load(Relaxed) {
            self.quiet_since.store(now_ms(), Relaxed);
        }
    }
}

/// The open connections, in order of acceptance. Locked when a connection opens or closes, never per request.
struct Registry {
    open: Mutex<BTreeMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    limits: Limits,
    services: Arc<Services>,
}

impl Registry {
    fn metrics(&self) -> &Metrics {
        &self.services.metrics
    }

    /// Registers a new connection; at the cap, sheds the oldest idle one first. None: at the cap with every
    /// connection busy, the new one is refused.
    fn admit(&self) -> Option<Arc<Connection>> {
        let now = now_ms();
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Relaxed),
            in_flight: AtomicU32::new(0),
            multiplexed: AtomicBool::new(false),
            head_started: AtomicU64::new(0),
            quiet_since: AtomicU64::new(now),
            shed: Notify::new(),
        });
        let counters = &self.metrics().connections;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= self.limits.max_connections {
            let oldest_idle = open.values().find(|c| !c.busy()).map(|c| c.id);
            match oldest_idle.and_then(|id| open.remove(&id)) {
                Some(shed) => {
                    // A permit is kept if its task is not waiting at this moment.
                    shed.shed.notify_one();
                    counters.shed.fetch_add(1, Relaxed);
                }
                None => {
                    counters.refused.fetch_add(1, Relaxed);
                    return None;
                }
            }
        }
        open.insert(connection.id, Arc::clone(&connection));
        counters.open.store(open.len() as u64, Relaxed);
        Some(connection)
    }

    fn remove(&self, id: u64) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.remove(&id);
        self.metrics()
            .connections
            .open
            .store(open.len() as u64, Relaxed);
    }
}

/// Serves `app` on `listener`, over TLS when an acceptor is given, until `shutdown` resolves; then stops
/// accepting, lets every connection finish the requests it is handling (idle ones close at once), and returns when
/// all have closed.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Observed,
    limits: Limits,
    services: Arc<Services>,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry {
        open: Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(0),
        limits,
        services,
    });
    let (stop, stopping) = watch::channel(false);
    // Every connection task holds a sender; the receiver ends when the last one has closed.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors (or a connection reset before it was accepted): waiting a little lets
                // connections close instead of spinning on the error.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(connection) = registry.admit() else {
            drop(stream);
            continue;
        };
        let accepted = Accepted {
            remote,
            connection,
            registry: Arc::clone(&registry),
            stopping: stopping.clone(),
            _alive: alive.clone(),
        };
        tokio::spawn(accepted.run(stream, tls.clone(), app.clone()));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    let _ = all_closed.recv().await;
}

/// A connection the registry admitted, and what serving it needs.
struct Accepted {
    remote: SocketAddr,
    connection: Arc<Connection>,
    registry: Arc<Registry>,
    stopping: watch::Receiver<bool>,
    /// Held until the connection closes (see `serve`).
    _alive: mpsc::Sender<()>,
}

impl Accepted {
    async fn run(mut self, stream: TcpStream, tls: Option<TlsAcceptor>, app: Observed) {
        let service = PerConnection {
            app,
            remote: self.remote,
            connection: Arc::clone(&self.connection),
        };
        match tls {
            None => {
                let served = http1().serve_connection(TokioIo::new(self.watched(stream)), service);
                self.watch(served).await;
            }
            Some(acceptor) => {
                // The handshake has the head's time limit: a client that opens a connection and says nothing,
                // or says it slowly, holds a slot no longer over TLS than without.
                let limit = self.registry.limits.header_read_timeout;
                // A connection shed to make room (or the service stopping) ends its handshake at once: it is no
                // longer counted, so it must not hold its socket until the time limit.
                let handshake = tokio::select! {
                    result = tokio::time::timeout(limit, acceptor.accept(stream)) => Some(result),
                    () = self.connection.shed.notified() => None,
                    _ = self.stopping.changed() => None,
                };
                let Some(handshake) = handshake else {
                    self.registry.remove(self.connection.id);
                    return;
                };
                match handshake {
                    Ok(Ok(stream)) => {
                        let h2 = stream.get_ref().1.alpn_protocol() == Some(crate::tls::H2);
                        let io = TokioIo::new(self.watched(stream));
                        if h2 {
                            self.connection.multiplexed.store(true, Relaxed);
                            self.watch(http2().serve_connection(io, service)).await;
                        } else {
                            self.watch(http1().serve_connection(io, service)).await;
                        }
                    }
                    Ok(Err(error)) => {
                        self.counters().tls_handshake_failures.fetch_add(1, Relaxed);
                        tracing::debug!(remote = %self.remote, %error, "TLS handshake failed");
                    }
                    Err(_) => {
                        self.counters().header_timeouts.fetch_add(1, Relaxed);
                        tracing::debug!(remote = %self.remote, "closing a connection: its TLS handshake took too long");
                    }
                }
            }
        }
        self.registry.remove(self.connection.id);
    }

    fn counters(&self) -> &mscommerce_api::ConnectionCounters {
        &self.registry.metrics().connections
    }

    fn watched<S>(&self, inner: S) -> Watched<S> {
        Watched {
            inner,
            connection: Arc::clone(&self.connection),
            replacement: None,
        }
    }

    /// Drives the connection until it ends, closing it when its head is overdue or it has been idle too long,
    /// when it is shed, and gracefully when the service stops.
    async fn watch<C: GracefulConnection>(&mut self, served: C)
    where
        C::Error: std::fmt::Display,
    {
        let mut served = pin!(served);
        let limits = self.registry.limits;
        let remote = self.remote;
        let mut draining = false;
        loop {
            if !draining && *self.stopping.borrow() {
                draining = true;
                served.as_mut().graceful_shutdown();
            }
            let wait = match self.connection.check(now_ms(), &limits) {
                Ok(wait) => wait,
                Err(Overdue::Head) => {
                    self.counters().header_timeouts.fetch_add(1, Relaxed);
                    tracing::debug!(%remote, "closing a connection: its request head took too long");
                    break;
                }
                Err(Overdue::Idle) => {
                    self.counters().idle_timeouts.fetch_add(1, Relaxed);
                    tracing::debug!(%remote, "closing an idle connection");
                    break;
                }
            };
            tokio::select! {
                result = served.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%remote, %error, "connection ended with an error");
                    }
                    break;
                }
                () = self.connection.shed.notified() => {
                    tracing::debug!(%remote, "closing an idle connection to make room for a new one");
                    break;
                }
                () = tokio::time::sleep(wait) => {}
                _ = self.stopping.changed(), if !draining => {}
            }
        }
    }
}

fn http1() -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper's own head timer is off (see the module's comment); without a timer hyper would warn on every
    // connection that its default one cannot run (hyper-1.12.0 `src/common/time.rs`, `Time::check`).
    builder
        .header_read_timeout(None)
        .max_buf_size(HYPER_BUFFER_BYTES);
    builder
}

fn http2() -> hyper::server::conn::http2::Builder<TokioExecutor> {
    let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    // The same bound on a head as over HTTP/1 (`oversized` answers heads under it but over our limit).
    builder
        .max_header_list_size(HYPER_BUFFER_BYTES as u32)
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION);
    builder
}

/// The router for one connection: inserts the client's address and enforces our URI and head limits.
struct PerConnection {
    app: Observed,
    remote: SocketAddr,
    connection: Arc<Connection>,
}

impl hyper::service::Service<Request<Incoming>> for PerConnection {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Handling;

    fn call(&self, request: Request<Incoming>) -> Handling {
        self.connection.request_began();
        let connection = Arc::clone(&self.connection);
        if let Some(refusal) = oversized(&request) {
            return Handling {
                answer: Answer::Ready(Some(refusal.into_response())),
                connection,
            };
        }
        let mut request = request.map(Body::new);
        // For whoever needs the client's address (the sign-in throttle), as axum's own `ConnectInfo`.
        request.extensions_mut().insert(ConnectInfo(self.remote));
        Handling {
            answer: Answer::App(self.app.clone().call(request)),
            connection,
        }
    }
}

/// Our limits on the request target and the head, answered in the envelope. hyper's are set above them.
fn oversized(request: &Request<Incoming>) -> Option<ApiError> {
    let uri = request.uri();
    let target = uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(ApiError::refused(
            StatusCode::URI_TOO_LONG,
            "UriTooLong",
            format!("The request target is {target} bytes; at most {MAX_URI_BYTES} are allowed."),
        ));
    }
    // As on the wire: "name: value\r\n" per field, plus the request line.
    let head = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + request.method().as_str().len()
        + target
        + 12;
    if head > MAX_HEAD_BYTES {
        return Some(ApiError::refused(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HeadersTooLarge",
            format!(
                "The request line and header fields are about {head} bytes; at most {MAX_HEAD_BYTES} are allowed."
            ),
        ));
    }
    None
}

enum Answer {
    App(<Observed as tower_service::Service<axum::extract::Request>>::Future),
    Ready(Option<Response<Body>>),
}

/// A request being handled: marks the connection idle again when its answer is ready (or the request dropped).
struct Handling {
    answer: Answer,
    connection: Arc<Connection>,
}

impl Future for Handling {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match &mut self.answer {
            Answer::App(future) => ready!(future.as_mut().poll(cx)),
            Answer::Ready(response) => Ok(response.take().expect("polled after completion")),
        };
        Poll::Ready(response)
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.connection.request_ended();
    }
}

/// The connection's socket, telling the watch when bytes move, and putting hyper's own error answers in the
/// envelope.
///
/// hyper answers a head it cannot parse itself, before any service sees it (hyper-1.12.0
/// `src/proto/h1/conn.rs` `on_parse_error`, with the status from `src/proto/h1/role.rs` `Server::on_error`: 400
/// for a bad method, header, URI or version, 431 for a head larger than its buffer, 414 for a URI over 65,534
/// bytes), as a bare head: a status line, `content-length: 0` and a date, then it closes. No answer of ours at
/// those statuses is empty (each carries the envelope), so a write that begins with such a head is hyper's, and
/// is replaced by the same status with the envelope.
struct Watched<S> {
    inner: S,
    connection: Arc<Connection>,
    /// hyper's error answer replaced by ours: the bytes and how many are written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    fn drain_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.replacement {
            if *written == bytes.len() {
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Before a write: true when it is swallowed (a replacement is being written instead).
    fn replaces(&mut self, first: &[u8]) -> bool {
        if self.replacement.is_none() {
            self.replacement = hyper_error_answer(first).map(|answer| (answer, 0));
        }
        self.replacement.is_some()
    }
}

/// Our envelope answer for hyper's bare error head, or None when `written` is not one.
fn hyper_error_answer(written: &[u8]) -> Option<Vec<u8>> {
    let status = written.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    // Every answer is written through here: the status alone rules out nearly all, before any scan of the head.
    if !matches!(status, b"400" | b"414" | b"431") {
        return None;
    }
    let head_end = written.windows(4).position(|w| w == b"\r\n\r\n")?;
    let bare = written[..head_end]
        .split(|&b| b == b'\n')
        .any(|line| line.eq_ignore_ascii_case(b"content-length: 0\r"));
    if !bare {
        return None;
    }
    let (status, code, reason) = match status {
        b"400" => (
            StatusCode::BAD_REQUEST,
            "MalformedRequest",
            "The request is not valid HTTP/1.1: its request line or a header field could not be read.".to_string(),
        ),
        b"414" => (
            StatusCode::URI_TOO_LONG,
            "UriTooLong",
            format!("The request target is too long; at most {MAX_URI_BYTES} bytes are allowed."),
        ),
        b"431" => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HeadersTooLarge",
            format!("The request line and header fields are over {HYPER_BUFFER_BYTES} bytes; at most {MAX_HEAD_BYTES} are allowed."),
        ),
        _ => return None,
    };
    let body = serde_json::json!({ "errorCode": code, "reason": reason }).to_string();
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.connection.read_some();
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replaces(buf) {
            ready!(self.drain_replacement(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        let n = ready!(Pin::new(&mut self.inner).poll_write(cx, buf))?;
        if n > 0 {
            self.connection.wrote_some();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| b);
        if self.replaces(first) {
            ready!(self.drain_replacement(cx))?;
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        let n = ready!(Pin::new(&mut self.inner).poll_write_vectored(cx, bufs))?;
        if n > 0 {
            self.connection.wrote_some();
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_error_heads_are_replaced() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 20:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(hyper_error_answer(bare).unwrap()).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
        assert!(
            answer.contains("\"errorCode\":\"MalformedRequest\""),
            "{answer}"
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{}";
        assert!(hyper_error_answer(ours).is_none());
        let fine = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(hyper_error_answer(fine).is_none());
    }
}
