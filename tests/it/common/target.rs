//! Real targets for monitors: a local HTTP server that a test switches between up, an error
//! status, slow, wrong content and down (connection refused), and an HTTPS server with a
//! self-signed certificate expiring when the test says.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use warp::Filter;

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// 200 "ok: healthy".
    Up,
    /// This status with body "failure".
    Status(u16),
    /// Answers 200 after this delay.
    Slow(Duration),
    /// 200 with this body.
    Body(String),
}

pub struct Target {
    pub addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Target {
    pub async fn start() -> Target {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut target = Target {
            addr,
            mode: Arc::new(Mutex::new(Mode::Up)),
            running: None,
        };
        target.serve(listener);
        target
    }

    pub fn url(&self) -> String {
        format!("http://{}/health", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Stops listening and closes open connections: the next check gets "connection refused".
    pub async fn down(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Listens again on the same port.
    pub async fn up(&mut self) {
        self.set(Mode::Up);
        if self.running.is_none() {
            let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
            self.serve(listener);
        }
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let mode = self.mode.clone();
        let routes = warp::any().and_then(move || {
            let mode = mode.lock().unwrap().clone();
            async move {
                let (status, body) = match mode {
                    Mode::Up => (200, "ok: healthy".to_owned()),
                    Mode::Status(code) => (code, "failure".to_owned()),
                    Mode::Slow(delay) => {
                        tokio::time::sleep(delay).await;
                        (200, "ok: slowly".to_owned())
                    }
                    Mode::Body(body) => (200, body),
                };
                let status = warp::http::StatusCode::from_u16(status).unwrap();
                Ok::<_, std::convert::Infallible>(warp::reply::with_status(body, status))
            }
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let server = warp::serve(routes).incoming(listener).graceful(async {
            let _ = stopped.await;
        });
        self.running = Some((stop, tokio::spawn(server.run())));
    }
}

/// An HTTPS server with a fresh self-signed certificate valid until `not_after`, serving
/// "secure ok" to at most 4 connections from a blocking thread.
pub fn https_server(not_after: SystemTime) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.not_after = not_after.into();
    let cert = params.self_signed(&key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/ok", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for _ in 0..4 {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = tcp.set_write_timeout(Some(Duration::from_secs(5)));
            let mut tls = rustls::StreamOwned::new(
                rustls::ServerConnection::new(config.clone()).unwrap(),
                tcp,
            );
            let (mut buf, mut chunk) = (Vec::new(), [0u8; 4096]);
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                match tls.read(&mut chunk) {
                    Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                    _ => break, // handshake refused by the client, or hang-up
                }
            }
            if buf.ends_with(b"\r\n\r\n") {
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nsecure ok",
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    });
    url
}
