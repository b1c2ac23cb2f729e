//! The intake page in headless Chromium, driven through WebDriver (chromedriver): an
//! advance-parole interview answered question by question reaches the decision `pol eval`
//! gives the whole case, and explains it with its citation; an answer is changed and
//! cleared; a question is answered with the keyboard alone; what would change a decision is
//! shown from the engine's counterfactuals; the downloaded case is decided by `pol` as the page decided it.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `.ci/run` installs them). Without them the test fails under CI (`CI=true`) and is
//! skipped, loudly, elsewhere.
//!
//! The WebDriver client is a few plain HTTP calls (`WebDriver` below) rather than a crate:
//! the crates that speak WebDriver bring ninety more crates to build for one test.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pol_serve::Config;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The case the interview is answered from.
const CASE: &str = "examples/cases/asylum_applicant_in_removal_proceedings_advance_parole.toml";

#[test]
fn an_advance_parole_interview_reaches_the_decision_and_explains_it() {
    if !browser_available() {
        return;
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let service = common::service(Config::default());
    runtime.spawn(pol_serve::serve(service, listener, std::future::pending()));

    let profile = common::temp_dir();
    let driver = Driver::start(profile.path());
    let page = driver.session(profile.path());
    page.go(&format!("http://{addr}/"));
    page.wait_for("document.body.dataset.settled !== undefined", "the page to load");

    // The facts of the whole case, and the decision `pol eval` gives it.
    let path = common::root().join(CASE);
    let facts = flatten(&serde_json::from_str(&common::as_json(&path)).unwrap());
    let engine = common::builtin();
    let expected = common::eval_json(&engine, &path);
    let expected: Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(expected["decision"], "ineligible");

    // Each choice decides the case again and asks the first question.
    let settled = page.settled();
    page.set_value("#policy", "advance_parole");
    page.wait_settled_since(settled, "the policy's first question");
    let settled = page.settled();
    page.set_value("#as-of", facts["as_of"].as_str().unwrap());
    page.wait_settled_since(settled, "the first question on that date");

    // Not decided yet: what is still needed is a list, one question an item, the one asked
    // first.
    assert_eq!(page.attribute("#decision", "class"), "incomplete");
    let needed = page.script(
        "return [...document.querySelectorAll('#decision ul.needed > li')].map(li => li.textContent)",
        json!([]),
    );
    let needed: Vec<&str> =
        needed.as_array().unwrap().iter().map(|q| q.as_str().unwrap()).collect();
    assert!(needed.len() >= 2, "{needed:?}");
    assert!(needed.iter().all(|q| !q.contains("; ")), "{needed:?}");

    // Answer every question asked, from the case; the second (the first after an answer
    // moved the focus to it) with the keyboard alone.
    let mut asked = Vec::new();
    for round in 0..30 {
        let Some(question) = page.current_question() else {
            break;
        };
        assert!(!asked.contains(&question), "{question} asked twice");
        let settled = page.settled();
        match facts.get(&question) {
            Some(value) if round == 1 => page.answer_with_keyboard(value),
            Some(value) => page.answer(value),
            None => page.click("#dont-know"),
        }
        page.wait_settled_since(settled, "the answer");
        asked.push(question);
    }
    assert!(asked.len() >= 2, "asked {asked:?}");
    assert!(asked.len() < facts.len(), "every fact was asked: {asked:?}");
    // Decided as the whole case is, though not every fact was asked.
    assert_eq!(page.attribute("#decision", "class"), "ineligible");
    let decision = page.text("#decision");
    assert!(decision.starts_with("Not eligible"), "{decision}");
    let explanation = page.text("#explanation");
    assert!(explanation.contains("Removal proceedings excludes this case"), "{explanation}");
    assert!(explanation.contains("Foreigners in deportation proceedings"), "{explanation}");
    assert!(explanation.contains("advance_parole.removal_proceedings"), "{explanation}");
    // The decision is announced to screen readers.
    assert_eq!(page.attribute("#decision", "aria-live"), "polite");
    // Every answer is listed.
    let answers = page.text("#answers");
    assert!(answers.contains("in deportation/removal proceedings now? yes"), "{answers}");

    // Change an answer: the question comes back, and the decision follows.
    let settled = page.settled();
    page.click("#answers li[data-path='applicant.in_removal_proceedings'] button.change");
    assert_eq!(page.current_question().as_deref(), Some("applicant.in_removal_proceedings"));
    page.answer(&json!(false));
    page.wait_settled_since(settled, "the change");
    assert_ne!(page.attribute("#decision", "class"), "ineligible");
    let answers = page.text("#answers");
    assert!(answers.contains("in deportation/removal proceedings now? no"), "{answers}");

    // Clear it ("don't know"): it is asked again.
    let settled = page.settled();
    page.click("#answers li[data-path='applicant.in_removal_proceedings'] button.clear");
    page.wait_settled_since(settled, "the clearing");
    assert_eq!(page.attribute("#decision", "class"), "incomplete");
    assert_eq!(page.current_question().as_deref(), Some("applicant.in_removal_proceedings"));

    // Answer "no": the questions the exclusion had made moot (the trip's reason and its
    // evidence, asked after it) come; answer them from the case, so that every fact the
    // decision reads is known.
    let settled = page.settled();
    page.answer(&json!(false));
    page.wait_settled_since(settled, "the answer");
    for _ in 0..10 {
        let Some(question) = page.current_question() else {
            break;
        };
        let settled = page.settled();
        match facts.get(&question) {
            Some(value) => page.answer(value),
            None => page.click("#dont-know"),
        }
        page.wait_settled_since(settled, "the answer");
    }

    // "What would change it": the engine's counterfactuals, as the page words them.
    let settled = page.settled();
    page.click("#answers li[data-path='applicant.in_removal_proceedings'] button.change");
    page.answer(&json!(true));
    page.wait_settled_since(settled, "the answer");
    assert_eq!(page.attribute("#decision", "class"), "ineligible");
    let changes = page.text("#counterfactuals");
    // The applicant has no status and is in removal proceedings: DACA alone would make
    // the case eligible (the exclusion's exception), or TPS and no proceedings together.
    assert!(
        changes.contains(
            "Eligible if the answers were: Applicant: current basis for being in the U.S. daca ("
        ),
        "{changes}"
    );
    assert!(changes.contains("in deportation/removal proceedings now? no ("), "{changes}");

    // The case as answered can be downloaded, and `pol` decides it as the page did.
    page.click("#download");
    let downloads = profile.path().join("downloads");
    let start = Instant::now();
    let file = loop {
        let done = std::fs::read_dir(&downloads).ok().and_then(|entries| {
            entries.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|e| e == "json"))
        });
        if let Some(file) = done {
            break file;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "no download");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        file.file_name().unwrap().to_str().unwrap(),
        format!("advance_parole-{}.json", facts["as_of"].as_str().unwrap())
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let case = engine.decode(&text, pol_engine::Format::Json).unwrap();
    assert_eq!(engine.decide(&case).unwrap().decision.as_str(), "ineligible");
    let downloaded: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(downloaded["applicant"]["in_removal_proceedings"], true);
    assert_eq!(downloaded["applicant"]["status"], facts["applicant.status"]);
}

/// Whether the browser can run; without it, a CI run fails and a local run says so.
fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install -y chromium chromium-driver");
        }
        eprintln!(
            "\n*** SKIPPED the browser test: {CHROMIUM} or {CHROMEDRIVER} is missing \
             (apt-get install -y chromium chromium-driver) ***\n"
        );
    }
    present
}

/// `{"applicant": {"status": "none"}}` as `{"applicant.status": "none"}`.
fn flatten(case: &Value) -> std::collections::HashMap<String, Value> {
    fn walk(prefix: &str, v: &Value, out: &mut std::collections::HashMap<String, Value>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&path, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.clone());
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    walk("", case, &mut out);
    out
}

/// chromedriver, on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Driver {
    fn start(profile: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", profile.join("chromedriver.log").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Driver { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) };
        let start = Instant::now();
        loop {
            if let Ok((200, _)) = request(driver.addr, "GET", "/status", None) {
                return driver;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn session(&self, profile: &Path) -> Page {
        let data_dir = profile.join("chromium");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1000,2400",
                    format!("--user-data-dir={}", data_dir.display()),
                ],
                "prefs": {
                    "download.default_directory": profile.join("downloads").display().to_string(),
                    "download.prompt_for_download": false,
                }
            }
        }}});
        let value = call(self.addr, "POST", "/session", Some(capabilities));
        let id = value["sessionId"].as_str().unwrap().to_string();
        Page { addr: self.addr, session: format!("/session/{id}") }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser window, through WebDriver.
struct Page {
    addr: SocketAddr,
    session: String,
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = request(self.addr, "DELETE", &self.session, None);
    }
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Page {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(self.addr, method, &format!("{}{path}", self.session), body)
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Waits (up to 15 s) until the JavaScript expression `condition` holds.
    fn wait_for(&self, condition: &str, what: &str) {
        let start = Instant::now();
        while self.script(&format!("return Boolean({condition});"), json!([])) != json!(true) {
            if start.elapsed() > Duration::from_secs(15) {
                let body = self.text("body");
                panic!("waited too long for {what}; the page says:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (up to 15 s) until the page has settled again since [`Page::settled`] counted
    /// `settled`: what set off `what` has been answered and shown.
    fn wait_settled_since(&self, settled: u64, what: &str) {
        self.wait_for(&format!("Number(document.body.dataset.settled) > {settled}"), what);
    }

    fn settled(&self) -> u64 {
        self.script("return Number(document.body.dataset.settled || 0);", json!([]))
            .as_u64()
            .unwrap()
    }

    fn find(&self, css: &str) -> String {
        let value =
            self.call("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        value[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {value}")).to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// The rendered text of the element `css` (read in one step, so a re-render between
    /// finding and reading cannot make it stale).
    fn text(&self, css: &str) -> String {
        let v = self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            json!([css]),
        );
        v.as_str().unwrap_or_else(|| panic!("no element {css}")).to_string()
    }

    fn attribute(&self, css: &str, name: &str) -> String {
        let v = self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            json!([css, name]),
        );
        v.as_str().unwrap_or_default().to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.call("POST", &format!("/element/{e}/value"), Some(json!({"text": text})));
    }

    /// Sets a field's value as a person would leave it, with its `change` event (typing
    /// into a date field depends on the browser's locale).
    fn set_value(&self, css: &str, value: &str) {
        self.script(
            "const i = document.querySelector(arguments[0]); i.value = arguments[1]; \
             i.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        );
    }

    /// The path of the fact asked now, if any.
    fn current_question(&self) -> Option<String> {
        let v = self.script(
            "const q = document.querySelector('#current-question'); \
             return q && !document.querySelector('#question-form').hidden ? q.dataset.path : null;",
            json!([]),
        );
        v.as_str().map(String::from)
    }

    fn question_type(&self) -> String {
        self.attribute("#current-question", "data-type")
    }

    /// Answers the current question with the mouse (and typing).
    fn answer(&self, value: &Value) {
        match (self.question_type().as_str(), value) {
            ("bool", Value::Bool(b)) => {
                self.click(&format!("#current-question input[value='{b}']"))
            }
            ("enum", Value::String(w)) => {
                self.click(&format!("#current-question [value='{w}']"));
            }
            ("set", Value::Array(words)) => {
                for w in words {
                    self.click(&format!(
                        "#current-question input[value='{}']",
                        w.as_str().unwrap()
                    ));
                }
            }
            ("date", Value::String(d)) => self.set_value("#answer-input", d),
            (_, Value::Number(n)) => self.type_into("#answer-input", &n.to_string()),
            (_, Value::String(s)) => self.type_into("#answer-input", s),
            (ty, v) => panic!("cannot answer a {ty} question with {v}"),
        }
        self.click("#answer");
    }

    /// Answers the current question with keys alone, from where the page put the focus.
    fn answer_with_keyboard(&self, value: &Value) {
        let focused = self.script(
            "return document.activeElement.closest('#current-question') !== null;",
            json!([]),
        );
        assert_eq!(focused, json!(true), "the question has the focus");
        let mut keys = String::new();
        let select = self.script("return document.activeElement.tagName === 'SELECT';", json!([]))
            == json!(true);
        match (self.question_type().as_str(), value) {
            ("bool", Value::Bool(b)) => {
                // Space checks the focused choice (yes); the arrow moves to no.
                keys.push(' ');
                if !b {
                    keys.push(ARROW_DOWN);
                }
            }
            // A long list of words is a drop-down: typing a word's label chooses it.
            ("enum", Value::String(w)) if select => keys.push_str(&w.replace('_', " ")),
            ("enum", Value::String(w)) => {
                let words = self.script(
                    "return [...document.querySelectorAll('#current-question input')].map(i => i.value);",
                    json!([]),
                );
                let index = words.as_array().unwrap().iter().position(|x| x == w).unwrap();
                keys.push(' ');
                keys.extend(std::iter::repeat_n(ARROW_DOWN, index));
            }
            (_, Value::Number(n)) => keys.push_str(&n.to_string()),
            (_, Value::String(s)) => keys.push_str(s),
            (ty, v) => panic!("no keyboard answer for a {ty} question with {v}"),
        }
        // Tab leaves the control for the Answer button; Enter presses it.
        keys.push(TAB);
        keys.push(ENTER);
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
    }
}

const ENTER: char = '\u{E007}';
const TAB: char = '\u{E004}';
const ARROW_DOWN: char = '\u{E015}';

/// A WebDriver command: its `value`, or a panic with WebDriver's error.
fn call(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, text) =
        request(addr, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let answer: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: {text}"));
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer["value"].clone()
}

/// One HTTP/1.1 request to chromedriver.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> std::io::Result<(u16, String)> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("the connection closed before the head"));
        }
        response.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&response[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while response.len() < head_end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
    }
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = String::from_utf8_lossy(&response[head_end..]).to_string();
    Ok((status, body))
}
