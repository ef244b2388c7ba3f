//! The floor of the preview's stack, for `bench/compare.sh`: hyper and tokio set up as the
//! preview sets them up (HTTP/1.1 through hyper-util's auto builder, keep-alive, the
//! multi-threaded runtime, mimalloc), answering every request with a body held in memory and
//! the headers a preview hit carries, as static values, and doing nothing else: no Host check,
//! routing, cache key, lookup, log record or counters. What a preview hit costs above this is
//! the cost of the preview's own work; the rest is the I/O any server on this stack pays.
//!
//! It takes the arguments the bench scripts give `cfconsole preview` and reads only
//! `--listen ADDR`; `/…1k…` paths get 1 KiB, the others 64 KiB:
//!
//! ```text
//! cargo build --release -p cfconsole-edge --example floor
//! bash bench/compare.sh target/release/examples/floor target/release/cfconsole
//! ```

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A preview hit's headers for the bench origin's objects (see `curl -D -` on one), minus
/// Content-Length, which hyper writes from the body.
const HEADERS: &[(&str, &str)] = &[
    ("server", "nginx/1.22.1"),
    ("date", "Sun, 29 Nov 2026 21:58:14 GMT"),
    ("content-type", "application/octet-stream"),
    ("last-modified", "Sun, 29 Nov 2026 21:58:13 GMT"),
    ("accept-ranges", "bytes"),
    ("etag", "\"6b0c9ff5-400\""),
    ("expires", "Sun, 29 Nov 2026 22:58:14 GMT"),
    ("cache-control", "max-age=3600"),
    ("via", "1.1 88595f8daf1a364a.cloudfront.net (CloudFront)"),
    ("x-cache", "Hit from cloudfront"),
    ("x-amz-cf-pop", "LCL50-P1"),
    (
        "x-amz-cf-id",
        "PBT8_z47ZHzTfracUy7Iy86XRpCulPQRl3fz9EyZZ7nZZ6qIJb1CkKTw",
    ),
];

fn response(body: Bytes) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.reserve(HEADERS.len());
    for (n, v) in HEADERS {
        h.insert(HeaderName::from_static(n), HeaderValue::from_static(v));
    }
    r
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let listen = args
        .windows(2)
        .find(|w| w[0] == "--listen")
        .map_or("127.0.0.1:0", |w| w[1].as_str())
        .to_string();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(listen))
}

async fn serve(listen: String) -> std::io::Result<()> {
    let listener = TcpListener::bind(&listen).await?;
    let addr = listener.local_addr()?;
    // The two lines `cfconsole preview` prints first (bench/lib.sh waits for them).
    println!("http listening on http://{addr}");
    println!("admin listening on http://{addr}");
    let small = Bytes::from(vec![b'x'; 1024]);
    let large = Bytes::from(vec![b'x'; 64 * 1024]);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .max_buf_size(96 * 1024)
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let (small, large) = (small.clone(), large.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let body = if req.uri().path().contains("1k") {
                    small.clone()
                } else {
                    large.clone()
                };
                async move { Ok::<_, Infallible>(response(body)) }
            });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
