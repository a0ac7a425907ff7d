//! What a packager relies on: `dutyduck healthcheck`, `--version`, and a systemd unit and a
//! Dockerfile that only use flags and variables the binary has.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dutyduck");

fn dutyduck(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn packaging_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packaging")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread")]
async fn healthcheck_exits_0_for_a_running_server_and_1_for_a_stopped_one() {
    let mut server = common::TestServer::start().await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();

    let out = dutyduck(&["healthcheck", "--url", &server.base]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("healthy"),
        "{}",
        text(&out.stdout)
    );

    // Without --url, the address comes from the variable `serve` reads, as in the Docker
    // image: listening everywhere means asking this machine.
    let out = Command::new(BIN)
        .arg("healthcheck")
        .env("DUTYDUCK_LISTEN", format!("0.0.0.0:{port}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    server.stop().await;
    let out = dutyduck(&["healthcheck", "--url", &server.base, "--timeout", "2s"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unhealthy") && stderr.contains("cannot reach"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn healthcheck_prints_the_problems_of_a_503() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that is up but reports problems, with /healthz's body.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head).await;
        let body = r#"{"status":"degraded","problems":[{"code":"checks_overdue","message":"3 monitors are overdue"},{"code":"storage_full","message":"the disk of the data dir is full"}]}"#;
        let reply = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(reply.as_bytes()).await.unwrap();
    });
    let out = tokio::task::spawn_blocking(move || {
        dutyduck(&["healthcheck", "--url", &format!("http://{addr}")])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "503",
        "checks_overdue: 3 monitors are overdue",
        "storage_full: the disk of the data dir is full",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}: {stderr}");
    }
}

#[test]
fn version_names_the_commit() {
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    let head = text(&head.stdout).trim().to_owned();
    assert_eq!(head.len(), 40, "a git checkout");
    let out = dutyduck(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("dutyduck {} (commit {head})", env!("CARGO_PKG_VERSION"))
    );
}

/// The `[env: NAME]` variables and `--flags` that `dutyduck serve --help` documents.
fn serve_help() -> String {
    let out = dutyduck(&["serve", "--help"]);
    assert!(out.status.success());
    text(&out.stdout)
}

/// Every `--flag` and `DUTYDUCK_*` variable of `line` is one `serve --help` documents.
fn assert_known_to_serve(what: &str, words: &[&str]) {
    let help = serve_help();
    for word in words {
        let flag = word.split('=').next().unwrap();
        if flag.starts_with("--") {
            assert!(
                help.contains(&format!("{flag} ")),
                "{what}: {flag} is not a flag of `dutyduck serve`"
            );
        } else if flag.starts_with("DUTYDUCK_") {
            assert!(
                help.contains(&format!("[env: {flag}")),
                "{what}: {flag} is not read by `dutyduck serve`"
            );
        }
    }
}

/// The arguments after the program in `command`, run with `--help` appended: clap refuses an
/// unknown subcommand or flag before printing help.
fn assert_parses(what: &str, args: &[&str]) {
    let mut with_help: Vec<&str> = args.to_vec();
    with_help.push("--help");
    let out = dutyduck(&with_help);
    assert!(
        out.status.success(),
        "{what}: `dutyduck {}` is refused: {}",
        args.join(" "),
        text(&out.stderr)
    );
}

/// `Key=value` lines of a unit file.
fn unit_values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn the_systemd_unit_uses_what_the_binary_has() {
    let unit = packaging_file("dutyduck.service");
    let exec = unit_values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    let words: Vec<&str> = exec[0].split_whitespace().collect();
    assert_eq!(
        words[0], "/usr/local/bin/dutyduck",
        "where INSTALL.md puts it"
    );
    assert_parses("ExecStart", &words[1..]);
    assert_known_to_serve("ExecStart", &words[1..]);
    let variables: Vec<&str> = unit_values(&unit, "Environment");
    assert!(!variables.is_empty());
    assert_known_to_serve("Environment", &variables);
    // The data dir is the state directory systemd creates and lets the service write.
    assert!(variables.contains(&"DUTYDUCK_DATA_DIR=/var/lib/dutyduck"));
    assert_eq!(unit_values(&unit, "StateDirectory"), ["dutyduck"]);
}

#[test]
fn systemd_analyze_verifies_the_unit() {
    // verify checks that ExecStart's program exists: point it at the binary under test.
    let unit = packaging_file("dutyduck.service").replace("/usr/local/bin/dutyduck", BIN);
    let tmp = tempfile::tempdir().unwrap();
    let path: PathBuf = tmp.path().join("dutyduck.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian's systemd package; packaging/test.sh installs it)");
    // verify exits 0 on an unknown key or a bad value, only warning: both streams must be clean.
    assert!(
        out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn the_litestream_unit_runs_what_the_binary_has_on_the_data_dir_it_restores() {
    let unit = packaging_file("dutyduck-litestream.service");
    let exec = unit_values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    // Litestream's -exec runs dutyduck; its words are checked as the plain unit's are.
    let command = exec[0]
        .split_once(" -exec \"")
        .and_then(|(_, rest)| rest.strip_suffix('"'))
        .expect("litestream replicate -exec \"…\"");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[0], "/usr/local/bin/dutyduck");
    assert_parses("-exec", &words[1..]);
    let variables = unit_values(&unit, "Environment");
    assert_known_to_serve("Environment", &variables);
    // The database Litestream restores before the start is the one dutyduck then serves.
    assert!(variables.contains(&"DUTYDUCK_DATA_DIR=/var/lib/dutyduck"));
    // Its restore step, which also clears a vanished database's leftovers, works on
    // $DUTYDUCK_DATA_DIR/dutyduck.db with the configuration Litestream replicates with.
    let restore = unit_values(&unit, "ExecStartPre");
    assert_eq!(restore, ["/usr/local/bin/litestream-entrypoint.sh restore"]);
    let entrypoint = packaging_file("litestream-entrypoint.sh");
    assert!(entrypoint.contains("DB=$DUTYDUCK_DATA_DIR/dutyduck.db"));
    assert!(entrypoint.contains("CONFIG=${LITESTREAM_CONFIG:-/etc/litestream.yml}"));
    assert!(exec[0].contains(" -config /etc/litestream.yml "));
    assert_eq!(
        unit_values(&unit, "StateDirectory"),
        ["dutyduck dutyduck-replica"]
    );
}

#[test]
fn the_litestream_image_sets_variables_serve_reads() {
    let dockerfile = packaging_file("Dockerfile.litestream");
    let env = dutyduck_variables(&dockerfile);
    assert_known_to_serve("ENV", &env);
    assert!(env.contains(&"DUTYDUCK_DATA_DIR=/data"));
    let healthcheck = exec_form(&dockerfile, "HEALTHCHECK");
    assert_eq!(healthcheck[0], "dutyduck", "on the PATH of the image");
    assert_parses("HEALTHCHECK", &healthcheck[1..]);
    assert!(dockerfile.contains("USER 65532:65532"), "not root");
}

/// The `DUTYDUCK_*` settings of a Dockerfile's ENV, which spans lines joined by backslashes.
fn dutyduck_variables(dockerfile: &str) -> Vec<&str> {
    dockerfile
        .split("ENV ")
        .nth(1)
        .expect("ENV")
        .split_whitespace()
        .take_while(|w| *w == "\\" || w.contains('='))
        .filter(|w| w.starts_with("DUTYDUCK_"))
        .collect()
}

/// The JSON array of a Dockerfile instruction (`CMD ["serve"]`).
fn exec_form<'a>(dockerfile: &'a str, instruction: &str) -> Vec<&'a str> {
    let line = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix(instruction)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {instruction}"));
    let array = &line[line.find('[').expect("exec form")..];
    array
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|w| w.trim().trim_matches('"'))
        .collect()
}

#[test]
fn the_dockerfile_uses_what_the_binary_has() {
    let dockerfile = packaging_file("Dockerfile");
    let entrypoint = exec_form(&dockerfile, "ENTRYPOINT");
    assert_eq!(entrypoint, ["/dutyduck"]);
    assert!(dockerfile.contains("COPY --from=build /out/dutyduck /dutyduck"));
    let cmd = exec_form(&dockerfile, "CMD");
    assert_parses("CMD", &cmd);
    let healthcheck = exec_form(&dockerfile, "HEALTHCHECK");
    assert_eq!(healthcheck[0], "/dutyduck");
    assert_parses("HEALTHCHECK", &healthcheck[1..]);
    let env = dutyduck_variables(&dockerfile);
    assert_known_to_serve("ENV", &env);
    assert!(env.contains(&"DUTYDUCK_DATA_DIR=/data"));
    assert!(dockerfile.contains("VOLUME [\"/data\"]"));
    assert!(dockerfile.contains("USER 65532:65532"), "not root");
}

/// Built by `packaging/build-static.sh` (minutes of build, so not by `cargo test`).
/// `packaging/test.sh` builds every target statically linked, then runs this test with
/// `--ignored` on the binary all its other tests ran, named in `DUTYDUCK_STATIC_BIN`.
const STATIC_BIN: &str = "target/x86_64-unknown-linux-gnu/release/dutyduck";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a static binary: packaging/build-static.sh, or packaging/test.sh, which builds every target statically and then runs this"]
async fn the_static_binary_needs_no_library_and_resolves_names_alone() {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(std::env::var("DUTYDUCK_STATIC_BIN").unwrap_or_else(|_| STATIC_BIN.to_owned()));
    assert!(bin.exists(), "run packaging/build-static.sh first");
    let ldd = Command::new("ldd").arg(&bin).output().unwrap();
    let said = format!("{}{}", text(&ldd.stdout), text(&ldd.stderr));
    assert!(
        said.contains("statically linked") || said.contains("not a dynamic executable"),
        "ldd: {said}"
    );

    // An empty root with only the binary and /etc/hosts, as in a scratch container: it runs,
    // and finds the server by a name only /etc/hosts knows.
    let server = common::TestServer::start().await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(&bin, root.path().join("dutyduck")).unwrap();
    std::fs::create_dir(root.path().join("etc")).unwrap();
    std::fs::write(
        root.path().join("etc/hosts"),
        "127.0.0.1 dutyduck-in-hosts-only\n",
    )
    .unwrap();
    let url = format!("http://dutyduck-in-hosts-only:{port}");
    let root_path = root.path().to_owned();
    // A user namespace makes chroot possible without root.
    let out = tokio::task::spawn_blocking(move || {
        Command::new("unshare")
            .arg("--map-root-user")
            .arg("chroot")
            .arg(&root_path)
            .args(["/dutyduck", "healthcheck", "--url", &url])
            .output()
            .expect("unshare (util-linux)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_files_stored_gzipped_reach_every_client_intact() {
    use std::io::Read;
    let server = common::TestServer::start().await;
    let original =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/style.css")).unwrap();
    let url = format!("{}/dashboard/style.css", server.base);

    let gzipped = server
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["content-type"], "text/css");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&gzipped.bytes().await.unwrap()[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, original);

    let plain = server.client.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap(), original);
}
