//! `pol serve` as a user runs it: every shipped example decided over HTTP exactly as
//! `pol eval --format json` prints it; SIGHUP and `--watch` reload; SIGTERM stops it
//! cleanly.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A running `pol serve`, killed if a test fails before stopping it.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Receiver<String>,
}

impl Server {
    fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = common::pol_command(dir, &["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, addr: SocketAddr::from(([127, 0, 0, 1], 0)), log };
        let line = server.wait_for("listening on http://");
        let addr =
            line.split("http://").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap();
        server.addr = addr.parse().unwrap();
        server
    }

    /// The next line of the server's log containing `text` (waiting up to 20 s).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("the server never logged {text:?}"),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
        (status, body)
    }

    fn receipt(&self) -> String {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(stream, "GET /readyz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr)
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1;
        let ready: serde_json::Value = serde_json::from_str(body).unwrap();
        ready["receipt"]["policies"].as_str().unwrap().to_string()
    }

    /// SIGTERM, then the exit status (waiting up to 20 s).
    fn stop(mut self) -> i32 {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "pol serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        _ => "application/json",
    }
}

#[test]
fn every_example_is_served_byte_for_byte_as_pol_eval_prints_it() {
    let root = common::root();
    let server = Server::start(&root, &[]);
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    assert!(examples.len() >= 30);
    // Every example is tried, and every one that differs is named: one bad example does
    // not hide the others. (In process, each example is its own test: pol-serve's
    // `tests/examples.rs`; this is the binary over a real socket.)
    let mut differ = Vec::new();
    for path in &examples {
        let name = path.strip_prefix(&root).unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        for (command, route) in [("eval", "/v1/decide"), ("explain", "/v1/explain")] {
            let printed = common::pol_in(&root, &[command, "--format", "json", name], "");
            let (status, body) = server.post(route, content_type(path), &text);
            if printed.code != 0 || status != 200 || body != printed.stdout {
                differ.push(format!(
                    "{name}: `pol {command}` exit {} printed\n{}{}\n{route} answered {status}:\n{body}",
                    printed.code, printed.stdout, printed.stderr
                ));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
    assert_eq!(server.stop(), 0);
}

#[test]
fn sighup_and_watch_reload_and_sigterm_stops() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    for entry in std::fs::read_dir(common::root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, policies.join(path.file_name().unwrap())).unwrap();
    }
    let server = Server::start(dir.path(), &["--policies", "policies", "--watch"]);
    let first = server.receipt();

    // An edit is seen by the watcher.
    let file = policies.join("chnv_parole.pol");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("# an edit\n");
    std::fs::write(&file, &text).unwrap();
    server.wait_for("reloaded the policies");
    let second = server.receipt();
    assert_ne!(first, second);

    // A broken file is refused, with the reason; the set in force stays.
    std::fs::write(policies.join("broken.pol"), "policy broken {\n").unwrap();
    let refusal = server.wait_for("reload refused");
    assert!(refusal.contains(&second), "{refusal}");
    server.wait_for("broken.pol");
    assert_eq!(server.receipt(), second);
    let case =
        r#"{"as_of": "2025-06-10", "policy": "chnv_parole", "applicant": {"nationality": "HT"}}"#;
    let (status, body) = server.post("/v1/decide", "application/json", case);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&second), "{body}");

    // Fixed on disk, then SIGHUP (the watcher may get there first; either reloads it).
    std::fs::remove_file(policies.join("broken.pol")).unwrap();
    server.signal("HUP");
    server.wait_for("reloaded the policies");

    assert_eq!(server.stop(), 0);
}

/// With `--watch`, a file an import reaches outside the policy directory is watched too,
/// and still after an edit that breaks it: its fix is seen.
#[test]
fn watch_follows_imports_out_of_the_policy_directory() {
    let dir = tempfile::tempdir().unwrap();
    let facts = common::project_with_a_shared_import(dir.path());
    let server = Server::start(dir.path(), &["--watch"]);
    let first = server.receipt();

    std::fs::write(&facts, "fact young: bool \"is young\n").unwrap();
    server.wait_for("reload refused");
    std::fs::write(&facts, "fact young: bool \"is young\"\nfact old: bool \"is old\"\n").unwrap();
    server.wait_for("reloaded the policies");
    assert_ne!(server.receipt(), first);
    assert_eq!(server.stop(), 0);
}

/// The flags' defaults are the service's own (`cli.rs` depends on clap alone, so it
/// spells them out).
#[test]
fn the_limit_flags_default_to_the_service_limits() {
    let help = common::pol_in(&common::root(), &["serve", "--help"], "");
    assert_eq!(help.code, 0, "{}", help.stderr);
    let default_of = |flag: &str| -> String {
        let after = help.stdout.split(flag).nth(1).unwrap_or_else(|| panic!("{flag}"));
        let start = after.find("[default: ").unwrap() + "[default: ".len();
        let rest = &after[start..];
        rest[..rest.find(']').unwrap()].to_string()
    };
    let limits = pol_serve::Limits::default();
    assert_eq!(default_of("--max-body"), limits.max_body_bytes.to_string());
    assert_eq!(default_of("--max-batch"), limits.max_batch_cases.to_string());
    assert_eq!(default_of("--timeout-ms"), limits.request_timeout.as_millis().to_string());
    assert_eq!(default_of("--addr"), "127.0.0.1:8080");
}

/// A limit of 0 would refuse every request: it is misuse, said before anything starts.
#[test]
fn a_limit_of_zero_is_misuse() {
    for flag in ["--max-body", "--max-batch", "--timeout-ms"] {
        let run = common::pol_in(&common::root(), &["serve", flag, "0"], "");
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
}
