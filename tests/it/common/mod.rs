//! Test harness: the real server on 127.0.0.1:0 over a temp data dir, driven with real HTTP,
//! and the real `dutyduck` binary for the admin CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Utc};
use dutyduck::clock::Clock;
use dutyduck::server::{self, Running};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "tarte tatin du dimanche";

pub struct TestServer {
    pub base: String,
    pub clock: Clock,
    pub data_dir: PathBuf,
    /// What the server was started with; a restart uses it again.
    pub config: server::Config,
    running: Option<Running>,
    pub client: reqwest::Client,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with_clock(Clock::system()).await
    }

    /// A server whose time only moves when the test says (`clock.advance`).
    pub async fn start_with_clock(clock: Clock) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let mut server = TestServer::start_in(tmp.path().join("data"), clock).await;
        server._tmp = Some(tmp);
        server
    }

    /// A server with settings of its own (SMTP relay, public URL…), on a manual clock.
    pub async fn start_configured(
        clock: Clock,
        configure: impl FnOnce(&mut server::Config),
    ) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let mut config = server::Config::new("127.0.0.1:0", tmp.path().join("data"));
        configure(&mut config);
        let mut server = TestServer::start_with(config, clock).await;
        server._tmp = Some(tmp);
        server
    }

    pub async fn start_in(data_dir: PathBuf, clock: Clock) -> TestServer {
        TestServer::start_with(server::Config::new("127.0.0.1:0", data_dir), clock).await
    }

    async fn start_with(config: server::Config, clock: Clock) -> TestServer {
        let data_dir = config.data_dir.clone();
        let running = server::start(&config, clock.clone())
            .await
            .expect("server starts");
        TestServer {
            base: format!("http://{}", running.addr),
            data_dir,
            config,
            clock,
            running: Some(running),
            client: client(),
            _tmp: None,
        }
    }

    /// Stops the server, keeping the data dir (and the temp dir alive) for a restart.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        let tmp = self._tmp.take();
        let mut fresh = TestServer::start_with(self.config.clone(), self.clock.clone()).await;
        fresh._tmp = tmp;
        *self = fresh;
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        cli(&self.data_dir, args, None)
    }

    /// Creates a user with the CLI; returns nothing, panics on failure.
    pub fn create_user(&self, email: &str, org: &str, role: Option<&str>) {
        let out = create_user(&self.data_dir, email, Some(org), role);
        assert!(
            out.status.success(),
            "user create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Creates a token with the CLI; returns (id, secret key).
    pub fn create_token(&self, email: &str, extra: &[&str]) -> Token {
        let mut args = vec![
            "token", "create", "--user", email, "--label", "test", "--json",
        ];
        if !extra.iter().any(|a| a.starts_with("--expires")) {
            args.extend(["--expires-in", "30d"]);
        }
        args.extend(extra);
        let out = self.cli(&args);
        assert!(
            out.status.success(),
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        Token {
            id: v["id"].as_str().unwrap().into(),
            secret: v["secretKey"].as_str().unwrap().into(),
        }
    }

    /// A user plus a token, the common start of a test.
    pub fn user_with_token(&self, email: &str, org: &str) -> Token {
        self.create_user(email, org, None);
        self.create_token(email, &[])
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// Logs `email` in with the common password; returns the cookie to send back
    /// ("dd_session=…").
    pub async fn session_cookie(&self, email: &str) -> String {
        let resp = self
            .request(Method::POST, "/auth/login")
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "login of {email}");
        let set_cookie = resp.headers()["set-cookie"].to_str().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    }

    /// The value of the `/metrics` line `name` (without labels); panics when absent.
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self
            .request(Method::GET, "/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
    }

    /// The API as the holder of `token`: `server.as_(&token).post("/tasks", json!(..))`.
    pub fn as_<'a>(&'a self, token: &'a Token) -> Api<'a> {
        Api {
            server: self,
            credential: Credential::Token(token),
        }
    }

    /// The API as the dashboard calls it, with a session cookie ("dd_session=…", as
    /// `session_cookie` returns it). Writes by cookie need an Origin: build those with `request`.
    pub fn session<'a>(&'a self, cookie: &'a str) -> Api<'a> {
        Api {
            server: self,
            credential: Credential::Cookie(cookie),
        }
    }

    /// The API without credentials.
    pub fn anonymous(&self) -> Api<'_> {
        Api {
            server: self,
            credential: Credential::None,
        }
    }
}

/// Requests to the JSON API as one caller. Each returns the status and the JSON body (Null
/// when the body is empty or not JSON), so a test asserts on both.
#[derive(Clone, Copy)]
pub struct Api<'a> {
    server: &'a TestServer,
    credential: Credential<'a>,
}

#[derive(Clone, Copy)]
enum Credential<'a> {
    None,
    Token(&'a Token),
    Cookie(&'a str),
}

impl Api<'_> {
    pub async fn get(self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    /// A POST with no body at all, as the actions (`/acknowledge`, `/toggle`…) are sent.
    pub async fn post_empty(self, path: &str) -> (StatusCode, Value) {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }

    /// Any method, with `body` sent as JSON when given.
    pub async fn send(
        self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A request with this caller's credentials, for what the shorthands do not send (raw
    /// bodies, other content types, headers to inspect).
    pub fn request(self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.server.request(method, path);
        match self.credential {
            Credential::None => req,
            Credential::Token(t) => req
                .header("X-Api-Token-Id", &t.id)
                .header("X-Api-Token-Secret-Key", &t.secret),
            Credential::Cookie(cookie) => req.header("cookie", cookie),
        }
    }

    /// GET that must answer 200; returns the body.
    pub async fn get_ok(self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// The `items` of a list that must answer 200.
    pub async fn items(self, path: &str) -> Vec<Value> {
        self.get_ok(path).await["items"].as_array().unwrap().clone()
    }

    /// POST to a collection that must answer 201 Created; returns what was created.
    pub async fn create(self, path: &str, body: Value) -> Value {
        let (status, created) = self.post(path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {created}");
        created
    }

    /// The incidents of one source (a monitor or task id), newest first, in any of `statuses`
    /// (the list's default statuses when empty).
    pub async fn incidents(self, source_id: &str, statuses: &[&str]) -> Vec<Value> {
        let mut path = format!("/incidents?sourceId={source_id}");
        for status in statuses {
            path.push_str(&format!("&status={status}"));
        }
        self.items(&path).await
    }
}

#[derive(Clone, Debug)]
pub struct Token {
    pub id: String,
    pub secret: String,
}

/// An HTTP client for tests. reqwest is built without a default crypto provider (the server
/// installs ring at start-up), so install it here too.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `dutyduck user create` (Ada Lovelace, password `PASSWORD`), in `org` if given.
pub fn create_user(data_dir: &Path, email: &str, org: Option<&str>, role: Option<&str>) -> Output {
    let mut args = vec![
        "user",
        "create",
        "--email",
        email,
        "--first-name",
        "Ada",
        "--last-name",
        "Lovelace",
        "--password-stdin",
    ];
    if let Some(org) = org {
        args.extend(["--org", org]);
    }
    if let Some(role) = role {
        args.extend(["--role", role]);
    }
    cli(data_dir, &args, Some(PASSWORD))
}

/// Runs the real binary on `data_dir`, optionally feeding `stdin`.
pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DUTYDUCK_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        writeln!(pipe, "{input}").unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Polls `probe` until it returns Some, for at most 10 s: for work the server does in the
/// background (a check in flight), not for the passing of scheduled time, which tests drive
/// with the manual clock.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// An instant written as RFC 3339, for the manual clock and for comparing timestamps.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
pub mod receivers;
pub mod target;
