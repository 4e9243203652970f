//! Prometheus metrics, kept in atomics: a request counter by route, method and status, and a latency histogram
//! by route and method.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::Method;
use mscommerce_cache::CacheStats;

/// A figure of every cache: its name, Prometheus type, help, and how it is read from a cache's stats.
type CacheFigure = (
    &'static str,
    &'static str,
    &'static str,
    fn(&CacheStats) -> u64,
);

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OTHER"];

fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::POST => 1,
        Method::PUT => 2,
        Method::DELETE => 3,
        Method::PATCH => 4,
        _ => 5,
    }
}

/// The statuses this service answers, each counted in an atomic of its own; any other status (none is expected)
/// goes to a map under a lock.
const STATUSES: [u16; 20] = [
    200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429, 500,
    503,
];

#[derive(Default)]
struct MethodStats {
    /// Count by status: `STATUSES[i]` in `statuses[i]`.
    statuses: [AtomicU64; STATUSES.len()],
    other_statuses: Mutex<BTreeMap<u16, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// The counters of one route. Requests are counted without a lock or a lookup: the layer that observes them holds
/// each route's counters, found by the route's index (see `RouteLabels` in `middleware.rs`).
#[derive(Default)]
pub struct RouteStats {
    methods: [MethodStats; METHODS.len()],
}

impl RouteStats {
    pub fn record(&self, method: &Method, status: u16, elapsed: Duration) {
        let stats = &self.methods[method_index(method)];
        match STATUSES.iter().position(|&s| s == status) {
            Some(i) => {
                stats.statuses[i].fetch_add(1, Relaxed);
            }
            None => {
                *stats
                    .other_statuses
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(status)
                    .or_default() += 1;
            }
        }
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            stats.buckets[i].fetch_add(1, Relaxed);
        }
        stats.count.fetch_add(1, Relaxed);
        stats
            .sum_micros
            .fetch_add(elapsed.as_micros() as u64, Relaxed);
    }
}

impl MethodStats {
    /// (status, count) of every status answered, in order.
    fn status_counts(&self) -> Vec<(u16, u64)> {
        let mut counts: Vec<(u16, u64)> = STATUSES
            .iter()
            .zip(&self.statuses)
            .map(|(&status, count)| (status, count.load(Relaxed)))
            .filter(|&(_, count)| count > 0)
            .collect();
        counts.extend(
            self.other_statuses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .map(|(&status, &count)| (status, count)),
        );
        counts.sort_unstable();
        counts
    }
}

/// The server's connections: open now, and those it closed on its own, by reason (counted by its accept loop).
#[derive(Default)]
pub struct ConnectionCounters {
    pub open: AtomicU64,
    /// Idle connections closed to make room for a new one at `max_connections`.
    pub shed: AtomicU64,
    /// New connections closed at once: `max_connections` reached and none idle.
    pub refused: AtomicU64,
    /// Closed because a request's head did not arrive within `header_read_timeout_seconds`.
    pub header_timeouts: AtomicU64,
    /// Closed after `keep_alive_timeout_seconds` without a request.
    pub idle_timeouts: AtomicU64,
    /// TLS handshakes that failed (a client that does not trust the certificate, or that speaks plain HTTP).
    pub tls_handshake_failures: AtomicU64,
}

/// Every route's counters, by route label (the route's template, or `(no route)`).
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, Arc<RouteStats>>>,
    pub connections: ConnectionCounters,
}

impl Metrics {
    /// The counters of `route`, created on first use. Called when the router is built, not per request.
    pub fn route(&self, route: &str) -> Arc<RouteStats> {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(routes.entry(route.to_string()).or_default())
    }

    /// The Prometheus text exposition, with `extra` gauges (name, help, value) appended.
    /// The text of `/metrics`: the HTTP figures, `extra` (name, help, value; a name ending in `_total` is a
    /// counter), and each cache's figures labelled with its name.
    pub fn render(&self, extra: &[(&str, &str, f64)], caches: &[(&str, CacheStats)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mscommerce_http_requests_total HTTP requests answered."
        );
        let _ = writeln!(out, "# TYPE mscommerce_http_requests_total counter");
        let routes: Vec<(String, Arc<RouteStats>)> = self
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(route, stats)| (route.clone(), Arc::clone(stats)))
            .collect();
        for (route, stats) in &routes {
            for (method, stats) in METHODS.iter().zip(&stats.methods) {
                for (status, count) in stats.status_counts() {
                    let _ = writeln!(
                        out,
                        "mscommerce_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP mscommerce_http_request_duration_seconds Time to answer HTTP requests."
        );
        let _ = writeln!(
            out,
            "# TYPE mscommerce_http_request_duration_seconds histogram"
        );
        for (route, stats) in &routes {
            for (method, stats) in METHODS.iter().zip(&stats.methods) {
                let count = stats.count.load(Relaxed);
                if count == 0 {
                    continue;
                }
                let labels = format!("route=\"{route}\",method=\"{method}\"");
                let mut cumulative = 0;
                for (bound, bucket) in BUCKETS.iter().zip(&stats.buckets) {
                    cumulative += bucket.load(Relaxed);
                    let _ = writeln!(
                        out,
                        "mscommerce_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(out, "mscommerce_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
                let sum = stats.sum_micros.load(Relaxed) as f64 / 1e6;
                let _ = writeln!(
                    out,
                    "mscommerce_http_request_duration_seconds_sum{{{labels}}} {sum}"
                );
                let _ = writeln!(
                    out,
                    "mscommerce_http_request_duration_seconds_count{{{labels}}} {count}"
                );
            }
        }
        let connections = &self.connections;
        let connection_figures = [
            ("mscommerce_http_connections_open", "HTTP connections open.", &connections.open),
            ("mscommerce_http_connections_shed_total", "Idle HTTP connections closed to make room at max_connections.", &connections.shed),
            ("mscommerce_http_connections_refused_total", "New HTTP connections closed at once: max_connections reached, none idle.", &connections.refused),
            ("mscommerce_http_connections_header_timeouts_total", "HTTP connections closed: a request's head took longer than header_read_timeout_seconds.", &connections.header_timeouts),
            ("mscommerce_http_connections_idle_timeouts_total", "HTTP connections closed after keep_alive_timeout_seconds without a request.", &connections.idle_timeouts),
            ("mscommerce_http_connections_tls_handshake_failures_total", "HTTPS connections closed because their TLS handshake failed.", &connections.tls_handshake_failures),
        ];
        let connection_figures = connection_figures
            .iter()
            .map(|&(name, help, count)| (name, help, count.load(Relaxed) as f64));
        for (name, help, value) in extra.iter().copied().chain(connection_figures) {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
        let cache_figures: [CacheFigure; 5] = [
            ("mscommerce_cache_entries", "gauge", "Entries a cache holds.", |s| s.entries as u64),
            ("mscommerce_cache_capacity", "gauge", "Entries a cache holds at most (its configured bound).", |s| s.capacity as u64),
            ("mscommerce_cache_hits_total", "counter", "Reads a cache answered from an entry it held.", |s| s.hits),
            ("mscommerce_cache_misses_total", "counter", "Reads a cache could not answer: each one read the database (or verified a token) once, however many requests waited for it.", |s| s.misses),
            ("mscommerce_cache_evictions_total", "counter", "Entries a cache dropped, least recently used first, to stay within its bound.", |s| s.evictions),
        ];
        for (name, kind, help, figure) in cache_figures {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (cache, stats) in caches {
                let _ = writeln!(out, "{name}{{cache=\"{cache}\"}} {}", figure(stats));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics
            .route("/v1.0/policies")
            .record(&Method::GET, 200, Duration::from_micros(300));
        metrics
            .route("/v1.0/policies")
            .record(&Method::GET, 200, Duration::from_millis(3));
        metrics
            .route("/v1.0/policies")
            .record(&Method::GET, 401, Duration::from_micros(100));
        metrics
            .route("/v1.0/policies")
            .record(&Method::GET, 418, Duration::from_micros(100));
        let policies = CacheStats {
            entries: 3,
            capacity: 64,
            hits: 10,
            misses: 3,
            evictions: 0,
        };
        let text = metrics.render(
            &[("mscommerce_up", "Always 1.", 1.0)],
            &[("policies", policies)],
        );
        assert!(text.contains("mscommerce_http_requests_total{route=\"/v1.0/policies\",method=\"GET\",status=\"200\"} 2"));
        assert!(text.contains("route=\"/v1.0/policies\",method=\"GET\",le=\"0.0005\"} 3"));
        assert!(text.contains("route=\"/v1.0/policies\",method=\"GET\",le=\"+Inf\"} 4"));
        assert!(text.contains("mscommerce_http_requests_total{route=\"/v1.0/policies\",method=\"GET\",status=\"418\"} 1"));
        assert!(text.contains("mscommerce_up 1"));
        assert!(text.contains("mscommerce_cache_hits_total{cache=\"policies\"} 10"));
        assert!(text.contains("mscommerce_cache_capacity{cache=\"policies\"} 64"));
        assert!(text.contains("# TYPE mscommerce_cache_evictions_total counter"));
    }
}
