//! Prometheus metrics, kept in atomics: a request counter by route, method and status, and a latency histogram
//! by route and method.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use axum::http::Method;
use dashmap::DashMap;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OTHER"];

fn method_index(method: &Method) -> usize {
    METHODS[..5]
        .iter()
        .position(|m| *m == method.as_str())
        .unwrap_or(5)
}

#[derive(Default)]
struct MethodStats {
    /// Count by status code.
    statuses: DashMap<u16, AtomicU64>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

#[derive(Default)]
struct RouteStats {
    methods: [MethodStats; METHODS.len()],
}

#[derive(Default)]
pub struct Metrics {
    routes: DashMap<String, RouteStats>,
}

impl Metrics {
    pub fn record(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        // Look up first: the key is allocated once per route, not once per request.
        if !self.routes.contains_key(route) {
            self.routes.entry(route.to_string()).or_default();
        }
        let Some(stats) = self.routes.get(route) else {
            return;
        };
        let stats = &stats.methods[method_index(method)];
        match stats.statuses.get(&status) {
            Some(counter) => {
                counter.fetch_add(1, Relaxed);
            }
            None => {
                stats
                    .statuses
                    .entry(status)
                    .or_default()
                    .fetch_add(1, Relaxed);
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

    /// The Prometheus text exposition, with `extra` gauges (name, help, value) appended.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mscommerce_http_requests_total HTTP requests answered."
        );
        let _ = writeln!(out, "# TYPE mscommerce_http_requests_total counter");
        let mut routes: Vec<_> = self.routes.iter().collect();
        routes.sort_by(|a, b| a.key().cmp(b.key()));
        for route in &routes {
            for (method, stats) in METHODS.iter().zip(&route.methods) {
                let mut statuses: Vec<_> = stats
                    .statuses
                    .iter()
                    .map(|s| (*s.key(), s.load(Relaxed)))
                    .collect();
                statuses.sort_unstable();
                for (status, count) in statuses {
                    let _ = writeln!(
                        out,
                        "mscommerce_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                        route.key()
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
        for route in &routes {
            for (method, stats) in METHODS.iter().zip(&route.methods) {
                let count = stats.count.load(Relaxed);
                if count == 0 {
                    continue;
                }
                let labels = format!("route=\"{}\",method=\"{method}\"", route.key());
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
        for (name, help, value) in extra {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
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
        metrics.record(
            "/v1.0/policies",
            &Method::GET,
            200,
            Duration::from_micros(300),
        );
        metrics.record(
            "/v1.0/policies",
            &Method::GET,
            200,
            Duration::from_millis(3),
        );
        metrics.record(
            "/v1.0/policies",
            &Method::GET,
            401,
            Duration::from_micros(100),
        );
        let text = metrics.render(&[("mscommerce_up", "Always 1.", 1.0)]);
        assert!(text.contains("mscommerce_http_requests_total{route=\"/v1.0/policies\",method=\"GET\",status=\"200\"} 2"));
        assert!(text.contains("route=\"/v1.0/policies\",method=\"GET\",le=\"0.0005\"} 2"));
        assert!(text.contains("route=\"/v1.0/policies\",method=\"GET\",le=\"+Inf\"} 3"));
        assert!(text.contains("mscommerce_up 1"));
    }
}
