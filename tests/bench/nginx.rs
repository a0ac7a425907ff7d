//! nginx as the machine's ceiling in benchmarks: Debian's binary, a temporary config on a free
//! loopback port, one static file.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The installed nginx, if any (`apt-get install nginx-light`).
pub fn find() -> Option<String> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

/// nginx serving `html` as `/index.html` from a temporary root on a free port.
/// nginx's master: stopped with SIGTERM, so it stops its workers too (a SIGKILL would orphan
/// them).
pub struct Nginx(pub std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.0.wait();
    }
}

pub fn start(bin: &str, dir: &std::path::Path, html: &[u8]) -> (Nginx, String) {
    std::fs::write(dir.join("index.html"), html).expect("write index.html");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let d = dir.display();
    let config = format!(
        "daemon off;\nworker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen 127.0.0.1:{port};\n    root {d};\n    default_type text/html;\n  }}\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, config).expect("write nginx.conf");
    let child = Command::new(bin)
        .arg("-c")
        .arg(&path)
        .arg("-p")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    (Nginx(child), format!("http://127.0.0.1:{port}/index.html"))
}

/// Waits until `url` answers 2xx (nginx started), for at most 10 s.
pub async fn wait_until_serving(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !reqwest::get(url)
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            Instant::now() < deadline,
            "nginx did not answer within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
