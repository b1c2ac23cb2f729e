//! `GET /metrics`: what the service did, in the OpenMetrics text format that Prometheus
//! scrapes (prometheus-client, the Prometheus project's own Rust client).
//!
//! - `pol_http_requests_total{route, status}`: requests answered;
//! - `pol_http_request_duration_seconds{route}`: how long they took (histogram);
//! - `pol_decisions_total{decision}`: cases decided, by decision;
//! - `pol_reloads_total{result}`: policy reloads, `ok` or `refused`.
//!
//! Routes are labelled by their path in the route table (anything else is `other`), so
//! a client cannot make the label set grow.

use std::time::Duration;

use pol_engine::DecisionKind;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    decision: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: &'static str,
}

/// Latency buckets: 50 µs to about 1.6 s, doubling.
fn latency_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    decisions: Family<DecisionLabels, Counter>,
    reloads: Family<ReloadLabels, Counter>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_buckets,
        );
        let decisions = Family::default();
        let reloads = Family::default();
        registry.register(
            "pol_http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "pol_http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        registry.register("pol_decisions", "Cases decided, by decision", decisions.clone());
        registry.register(
            "pol_reloads",
            "Policy reloads, by result (ok, or refused because the set does not compile)",
            reloads.clone(),
        );
        // Every decision and reload result is listed from the start, at zero, so a
        // dashboard's rate() sees the first one.
        for kind in KINDS {
            let _ = decisions.get_or_create(&DecisionLabels { decision: kind.as_str() });
        }
        for result in ["ok", "refused"] {
            let _ = reloads.get_or_create(&ReloadLabels { result });
        }
        Metrics { registry, requests, latency, decisions, reloads }
    }

    pub fn request(&self, route: &'static str, status: u16, took: Duration) {
        self.requests.get_or_create(&RequestLabels { route, status }).inc();
        self.latency.get_or_create(&RouteLabels { route }).observe(took.as_secs_f64());
    }

    /// Counts decisions: `counts[k]` of kind `KINDS[k]`.
    pub fn decided(&self, counts: &Tally) {
        for (kind, n) in KINDS.iter().zip(counts.0) {
            if n > 0 {
                self.decisions.get_or_create(&DecisionLabels { decision: kind.as_str() }).inc_by(n);
            }
        }
    }

    pub fn reloaded(&self, ok: bool) {
        let result = if ok { "ok" } else { "refused" };
        self.reloads.get_or_create(&ReloadLabels { result }).inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

const KINDS: [DecisionKind; 5] = [
    DecisionKind::Eligible,
    DecisionKind::Ineligible,
    DecisionKind::NotRequired,
    DecisionKind::Unavailable,
    DecisionKind::Incomplete,
];

/// Decisions counted by kind while answering one request, reported once.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally([u64; 5]);

impl Tally {
    pub fn add(&mut self, kind: DecisionKind) {
        if let Some(i) = KINDS.iter().position(|k| *k == kind) {
            if let Some(n) = self.0.get_mut(i) {
                *n += 1;
            }
        }
    }
}
