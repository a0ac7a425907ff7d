//! Which push services the server POSTs to. Any member may save a subscription, and the server
//! then sends to its endpoint: without a limit, a Reporter could name any host and port of the
//! server's network and read, from the test's answers, what listens there. So an endpoint must
//! be on a browser vendor's push service (the hosts browsers hand out in
//! `PushSubscription.endpoint`), or on a host the administrator allowed with `--push-service`.
//! Checked when a subscription is saved and again before each send (a subscription saved
//! under a wider setting is refused then).

/// The browsers' push services: Chrome (FCM), Firefox (autopush, `updates.push.services.mozilla.com`),
/// Safari (`web.push.apple.com`), Edge (WNS, `wns2-….notify.windows.com`). A leading dot: any
/// host under that domain.
const KNOWN: &[&str] = &[
    "fcm.googleapis.com",
    ".push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
];

/// The known push services and the hosts `--push-service` added.
#[derive(Debug, Clone, Default)]
pub struct PushServices {
    allowed: Vec<(String, Option<u16>)>,
}

impl PushServices {
    /// `extra`: `--push-service` values, already checked by [`parse`].
    pub fn new(extra: &[String]) -> PushServices {
        let allowed = extra.iter().filter_map(|s| split(s).ok()).collect();
        PushServices { allowed }
    }

    /// Whether the server may send to `endpoint`; if not, why, and how to allow it.
    pub fn check(&self, endpoint: &url::Url) -> Result<(), String> {
        let host = endpoint.host_str().unwrap_or("").to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = endpoint.port_or_known_default();
        let allowed = self
            .allowed
            .iter()
            .any(|(h, p)| h == host && (p.is_none() || *p == port));
        let known = KNOWN.iter().any(|k| match k.strip_prefix('.') {
            Some(domain) => host.ends_with(k) && host.len() > domain.len() + 1,
            None => host == *k,
        });
        match endpoint.scheme() {
            "https" if known || allowed => Ok(()),
            // Plain http reads and changes nothing on the way only on this machine.
            "http" if allowed && is_loopback(host) => Ok(()),
            "https" | "http" if !(known || allowed) => Err(format!(
                "is not on a browser's push service ({}); another one can be allowed by \
                 starting the server with --push-service HOST[:PORT]",
                KNOWN
                    .iter()
                    .map(|k| k.replacen('.', "*.", usize::from(k.starts_with('.'))))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => Err(
                "must be an https:// URL (http only for a loopback host allowed with \
                 --push-service)"
                    .to_owned(),
            ),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `--push-service HOST[:PORT]`, as the server compares it: lower case, IPv6 without brackets.
pub fn parse(raw: &str) -> Result<String, String> {
    split(raw.trim()).map(|_| raw.trim().to_ascii_lowercase())
}

fn split(raw: &str) -> Result<(String, Option<u16>), String> {
    let bad = || format!("{raw:?}: expected HOST or HOST:PORT, e.g. push.example.com:8443");
    let parsed = url::Url::parse(&format!("https://{raw}/")).map_err(|_| bad())?;
    let host = parsed.host_str().ok_or_else(bad)?;
    if raw.contains('/') || raw.contains('@') {
        return Err(bad());
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    // No port given: any port of the host (`Url::port` would also say None for an explicit 443).
    let explicit = raw.rsplit_once(':').is_some_and(|(_, p)| !p.contains(']'));
    let port = explicit.then(|| parsed.port_or_known_default()).flatten();
    Ok((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(services: &PushServices, endpoint: &str) -> Result<(), String> {
        services.check(&url::Url::parse(endpoint).unwrap())
    }

    #[test]
    fn browsers_push_services_are_allowed_and_nothing_else() {
        let none = PushServices::new(&[]);
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "https://web.push.apple.com/QabC",
            "https://wns2-par02p.notify.windows.com/w/?token=abc",
        ] {
            assert_eq!(check(&none, ok), Ok(()), "{ok}");
        }
        for refused in [
            "https://fcm.googleapis.com.evil.example/x",
            "https://evilpush.apple.com/x",
            "https://push.apple.com/x",
            "https://intranet.example.com/x",
            "https://10.0.0.1/x",
            "http://fcm.googleapis.com/x",
            "http://127.0.0.1:8080/x",
            "ftp://fcm.googleapis.com/x",
        ] {
            let error = check(&none, refused).unwrap_err();
            assert!(error.contains("--push-service"), "{refused}: {error}");
        }
    }

    #[test]
    fn an_allowed_host_is_allowed_on_its_port_and_http_only_on_loopback() {
        let some = PushServices::new(&[
            "push.example.com".into(),
            "127.0.0.1:9000".into(),
            "[::1]:9001".into(),
            "10.0.0.5:80".into(),
        ]);
        assert_eq!(check(&some, "https://push.example.com:444/x"), Ok(()));
        assert_eq!(check(&some, "http://127.0.0.1:9000/x"), Ok(()));
        assert_eq!(check(&some, "http://[::1]:9001/x"), Ok(()));
        assert!(check(&some, "http://127.0.0.1:9002/x").is_err());
        assert!(check(&some, "http://push.example.com/x").is_err());
        assert!(check(&some, "http://10.0.0.5/x").is_err(), "not loopback");
    }

    #[test]
    fn the_option_is_a_host_and_maybe_a_port() {
        assert_eq!(
            parse("Push.Example.com:8443"),
            Ok("push.example.com:8443".into())
        );
        assert_eq!(parse("127.0.0.1"), Ok("127.0.0.1".into()));
        for bad in [
            "",
            "https://x.example.com",
            "x.example.com/path",
            "a@b",
            "x:port",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
