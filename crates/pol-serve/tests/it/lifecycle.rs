//! The service over time: reloads under load fail no request and never put a broken set in
//! force; shutdown lets the requests in flight finish.

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use pol_engine::{Engine, PolicySource};
use pol_serve::{Config, Service};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A DACA recipient in removal proceedings: eligible for advance parole (the exception).
const CASE: &str = r#"{"as_of": "2025-06-10", "policy": "advance_parole", "reason": "funeral", "evidence_submitted": true, "applicant": {"location": "inside_us", "status": "daca", "in_removal_proceedings": true, "private_bill_beneficiary": false, "j1_foreign_residence_requirement": false}}"#;

fn directory_service(dir: &std::path::Path) -> Service {
    let engine = Engine::load(PolicySource::Directory(dir.to_path_buf()))
        .unwrap_or_else(|f| panic!("{} diagnostics", f.diagnostics.len()));
    Service::new(engine, Config::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloading_under_load_fails_no_request() {
    let dir = common::temp_dir();
    common::copy_policies(dir.path());
    let s = directory_service(dir.path());
    let mut in_force = HashSet::from([s.receipt().policies]);

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (s, stop, answered, seen) = (s.clone(), stop.clone(), answered.clone(), seen.clone());
        clients.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let answer = common::post_json(&s, "/v1/decide", CASE).await;
                assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
                let decision = answer.json();
                assert_eq!(decision["decision"], "eligible");
                seen.lock()
                    .unwrap()
                    .insert(decision["receipt"]["policies"].as_str().unwrap().to_string());
                answered.fetch_add(1, Ordering::Relaxed);
                // In process nothing waits on a socket: yield, so the runtime's timers
                // (the reloads' pauses) still run.
                tokio::task::yield_now().await;
            }
        }));
    }

    let policy = dir.path().join("advance_parole.pol");
    let broken = dir.path().join("broken.pol");
    let (mut ok, mut refused) = (0, 0);
    for round in 0..10 {
        tokio::time::sleep(Duration::from_millis(30)).await;
        if round % 3 == 2 {
            // A set that does not compile is refused; the old one keeps serving.
            std::fs::write(&broken, "policy broken \"?\" { require nothing_declared }\n").unwrap();
            let before = s.receipt();
            let s2 = s.clone();
            let result = tokio::task::spawn_blocking(move || s2.reload()).await.unwrap();
            let reason = result.expect_err("a broken set is refused").reason;
            assert!(reason.contains("broken.pol"), "{reason}");
            assert_eq!(s.receipt(), before);
            std::fs::remove_file(&broken).unwrap();
            refused += 1;
        } else {
            // An edit (a comment) changes the digest.
            let mut text = std::fs::read_to_string(&policy).unwrap();
            text.push_str(&format!("# edit {round}\n"));
            std::fs::write(&policy, text).unwrap();
            let s2 = s.clone();
            let receipt = tokio::task::spawn_blocking(move || s2.reload()).await.unwrap().unwrap();
            assert!(in_force.insert(receipt.policies.clone()), "the digest changed");
            assert_eq!(s.receipt(), receipt);
            ok += 1;
        }
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("no request failed");
    }
    assert!(answered.load(Ordering::Relaxed) > 100, "the load was light: {answered:?}");
    // Every decision was taken by a set that was in force, and never by a broken one.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.is_subset(&in_force), "{seen:?} / {in_force:?}");
    assert!(seen.len() > 1, "decisions came from more than one set: {seen:?}");

    let metrics = common::call(&s, "GET", "/metrics", None, axum::body::Body::empty()).await.body;
    assert!(metrics.contains(&format!("pol_reloads_total{{result=\"ok\"}} {ok}")), "{metrics}");
    assert!(
        metrics.contains(&format!("pol_reloads_total{{result=\"refused\"}} {refused}")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let s = common::service(Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pol_serve::serve(s.clone(), listener, async move {
        let _ = stopped.await;
    }));

    // A request in flight: headers and half the body sent.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/decide HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        CASE.len()
    );
    let (first, rest) = CASE.split_at(CASE.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "the server waits for the request in flight");

    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&response).contains("\"receipt\"") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer to the request in flight");
    let (status, body) = common::parse_response(&String::from_utf8(response).unwrap());
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"decision\":\"eligible\""), "{body}");

    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops once the request is answered")
        .unwrap()
        .unwrap();
    // Shutting down marked the service as not ready.
    let ready = common::call(&s, "GET", "/readyz", None, axum::body::Body::empty()).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}
