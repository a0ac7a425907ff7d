//! A network per probe: one namespace each, reached from this host through a veth pair
//! (10.215.N.1 here, 10.215.N.2 inside), and a target address on this host's loopback
//! (10.216.P.1/32) that a namespace reaches only while it has a route to it. Removing the route
//! makes the target unreachable from that namespace alone: its probe's checks fail, the
//! others' pass. Where namespaces cannot be made (not root, no `ip`), `Net::new` says why.

use std::net::Ipv4Addr;
use std::process::Command;

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

pub struct Namespace {
    pub name: String,
    /// This host's end of the veth: the probe reaches the server there.
    pub host: Ipv4Addr,
    veth: String,
}

pub struct Net {
    pub namespaces: Vec<Namespace>,
    /// Where the target listens, here.
    pub target: Ipv4Addr,
}

impl Net {
    /// `count` namespaces, each with a route to the target.
    pub fn new(count: u8) -> Result<Net, String> {
        // Distinct per test process: names of at most 15 characters, subnets of 10.215/16.
        let pid = std::process::id() % 10_000;
        let block = (pid % 50) as u8 * 5;
        let target = Ipv4Addr::new(10, 216, block, 1);
        // On loopback: a local address answers whatever interface a packet came in by.
        ip(&["addr", "add", &format!("{target}/32"), "dev", "lo"])?;
        let mut net = Net {
            namespaces: Vec::new(),
            target,
        };
        for n in 0..count {
            let name = format!("dutyduck-probe-{pid}-{n}");
            ip(&["netns", "add", &name])?;
            let veth = format!("ddp{pid}v{n}");
            let host = Ipv4Addr::new(10, 215, block + n, 1);
            let inside = Ipv4Addr::new(10, 215, block + n, 2);
            net.namespaces.push(Namespace {
                name: name.clone(),
                host,
                veth: veth.clone(),
            });
            ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &name,
            ])?;
            ip(&["addr", "add", &format!("{host}/30"), "dev", &veth])?;
            ip(&["link", "set", &veth, "up"])?;
            ip(&["-n", &name, "link", "set", "lo", "up"])?;
            ip(&[
                "-n",
                &name,
                "addr",
                "add",
                &format!("{inside}/30"),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &name, "link", "set", "eth0", "up"])?;
            net.reach_target(n as usize, true);
        }
        Ok(net)
    }

    /// Gives namespace `n` a route to the target, or takes it away (its connections then fail
    /// at once: "network unreachable").
    pub fn reach_target(&self, n: usize, reach: bool) {
        let ns = &self.namespaces[n];
        let target = format!("{}/32", self.target);
        let host = ns.host.to_string();
        let verb = if reach { "add" } else { "del" };
        ip(&["-n", &ns.name, "route", verb, &target, "via", &host]).unwrap();
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let _ = ip(&["netns", "del", &ns.name]);
            let _ = ip(&["link", "del", &ns.veth]);
        }
        let _ = ip(&["addr", "del", &format!("{}/32", self.target), "dev", "lo"]);
    }
}
