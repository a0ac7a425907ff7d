//! The client's address. Behind a reverse proxy every request comes from the proxy, so the
//! address the proxy saw is taken from `X-Forwarded-For` (or `Forwarded`), but only when the
//! socket peer is a proxy the operator declared with `--trusted-proxy`: anyone else could write
//! any address there.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;
use warp::http::HeaderMap;

/// The networks `--trusted-proxy` declared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    /// A CIDR (`10.0.0.0/8`, `::1/128`) or a single address (`192.0.2.7`).
    pub fn parse_one(text: &str) -> std::result::Result<IpNet, String> {
        let text = text.trim();
        IpNet::from_str(text)
            .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
            .map_err(|_| format!("{text:?} is not an address or a CIDR like 10.0.0.0/8"))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client: the socket peer, or, when the peer is a trusted proxy, the
    /// right-most forwarded address that is not itself a trusted proxy (the left part of the
    /// list is whatever the client wrote). `X-Forwarded-For` is read first, as most proxies
    /// write it; `Forwarded` only when it is absent.
    pub fn client_addr(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.ip().to_canonical();
        if !self.contains(peer) {
            return Some(peer);
        }
        let mut chain = header_values(headers, "x-forwarded-for")
            .flat_map(|v| v.split(','))
            .map(parse_forwarded_for)
            .collect::<Vec<_>>();
        if chain.is_empty() {
            chain = header_values(headers, "forwarded")
                .flat_map(|v| v.split(','))
                .filter_map(|element| {
                    element.split(';').find_map(|pair| {
                        let (name, value) = pair.trim().split_once('=')?;
                        name.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| parse_forwarded_for(value))
                    })
                })
                .collect();
        }
        let mut nearest = peer;
        for hop in chain.into_iter().rev() {
            match hop {
                // An "unknown" or garbled hop: nothing left of it can be believed.
                None => return Some(nearest),
                Some(ip) if self.contains(ip) => nearest = ip,
                Some(ip) => return Some(ip),
            }
        }
        Some(nearest)
    }
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok())
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_forwarded_for(raw: &str) -> Option<IpAddr> {
    let text = raw.trim().trim_matches('"');
    if let Ok(ip) = IpAddr::from_str(text) {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = SocketAddr::from_str(text) {
        return Some(addr.ip().to_canonical());
    }
    let bracketed = text.strip_prefix('[')?.split(']').next()?;
    IpAddr::from_str(bracketed).ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use warp::http::HeaderValue;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            list.iter()
                .map(|n| TrustedProxies::parse_one(n).unwrap())
                .collect(),
        )
    }

    #[test]
    fn client_address_table() {
        let trusted = proxies(&["10.0.0.0/8", "::1"]);
        // (socket peer, headers, expected client address)
        let cases: [(&str, &[(&str, &str)], &str); 12] = [
            (
                "192.0.2.9:1",
                &[("x-forwarded-for", "203.0.113.5")],
                "192.0.2.9",
            ),
            ("10.0.0.2:1", &[], "10.0.0.2"),
            (
                "10.0.0.2:1",
                &[("x-forwarded-for", "203.0.113.5")],
                "203.0.113.5",
            ),
            // The client's own claim is left of what the proxy appended.
            (
                "10.0.0.2:1",
                &[("x-forwarded-for", "198.51.100.1, 203.0.113.5")],
                "203.0.113.5",
            ),
            // Two proxies: the inner one is skipped.
            (
                "10.0.0.2:1",
                &[("x-forwarded-for", "203.0.113.5, 10.0.0.3")],
                "203.0.113.5",
            ),
            (
                "10.0.0.2:1",
                &[
                    ("x-forwarded-for", "198.51.100.1"),
                    ("x-forwarded-for", "203.0.113.5"),
                ],
                "203.0.113.5",
            ),
            (
                "10.0.0.2:1",
                &[("x-forwarded-for", "203.0.113.5:4711")],
                "203.0.113.5",
            ),
            ("10.0.0.2:1", &[("x-forwarded-for", "garbage")], "10.0.0.2"),
            (
                "10.0.0.2:1",
                &[(
                    "forwarded",
                    "for=198.51.100.1, for=\"[2001:db8::7]:4711\";proto=https",
                )],
                "2001:db8::7",
            ),
            ("10.0.0.2:1", &[("forwarded", "for=unknown")], "10.0.0.2"),
            // X-Forwarded-For wins over Forwarded.
            (
                "10.0.0.2:1",
                &[
                    ("forwarded", "for=198.51.100.1"),
                    ("x-forwarded-for", "203.0.113.5"),
                ],
                "203.0.113.5",
            ),
            (
                "[::1]:1",
                &[("x-forwarded-for", "::ffff:203.0.113.5")],
                "203.0.113.5",
            ),
        ];
        for (peer, headers, expected) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.append(*name, HeaderValue::from_str(value).unwrap());
            }
            let got = trusted.client_addr(Some(peer.parse().unwrap()), &map);
            assert_eq!(got, Some(expected.parse().unwrap()), "{peer} {headers:?}");
        }
    }

    #[test]
    fn trusted_proxies_parse_cidrs_and_addresses() {
        let trusted = proxies(&["192.0.2.7", "10.0.0.0/8"]);
        assert!(trusted.contains("192.0.2.7".parse().unwrap()));
        assert!(!trusted.contains("192.0.2.8".parse().unwrap()));
        assert!(trusted.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(TrustedProxies::parse_one("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse_one("proxy.local").is_err());
        assert!(!TrustedProxies::default().contains("127.0.0.1".parse().unwrap()));
    }
}
