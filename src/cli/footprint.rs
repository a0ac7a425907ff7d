//! `serve` flags for the server's size: threads, database connections and their caches. Fewer
//! and smaller use less memory; more serve more requests and checks at once.

use crate::store::Sizing;

/// Worker threads by default: the cores, up to this many.
const MAX_DEFAULT_WORKERS: usize = 4;

#[derive(clap::Args)]
pub struct FootprintArgs {
    /// Threads answering requests and running checks [default: the cores, at most 4]; blocking
    /// work (DNS lookups, password hashing, backups) runs on threads of its own. Each
    /// costs a stack and its own allocator arena (a few hundred KiB at rest); one is enough
    /// for a few thousand monitors, more answer more requests at once on more cores.
    #[arg(long, env = "DUTYDUCK_WORKER_THREADS", value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    worker_threads: Option<u16>,
    /// Read-only database connections [default: one per worker thread]. Reads run on the worker
    /// threads, so more than --worker-threads never run at once; fewer make reads wait for one.
    /// Each holds the schema and a page cache of up to --db-cache.
    #[arg(long, env = "DUTYDUCK_READERS", value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    readers: Option<u16>,
    /// Page cache of each database connection (the writer and every reader), e.g. 512KiB,
    /// 1MiB, 8MiB. Each grows to it as pages are read; past it pages are read again from the
    /// file (from the kernel's cache, not the disk). Raise it for tens of thousands of monitors.
    #[arg(long, env = "DUTYDUCK_DB_CACHE", value_name = "SIZE", default_value = "1MiB",
          value_parser = parse_cache)]
    db_cache: u32,
}

impl FootprintArgs {
    pub fn worker_threads(&self) -> usize {
        self.worker_threads.map_or_else(
            || {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                cores.min(MAX_DEFAULT_WORKERS)
            },
            usize::from,
        )
    }

    pub fn store(&self) -> Sizing {
        Sizing {
            readers: self.readers.map_or(self.worker_threads(), usize::from),
            cache_kib: self.db_cache,
        }
    }

    pub fn runtime(&self) -> std::io::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(self.worker_threads())
            // tokio's own bound on blocking threads (hundreds), not one of ours: DNS lookups of
            // checks wait there for their resolver, so a few dead resolvers must not make every
            // other check wait past its timeout. They start on demand and end when idle.
            .enable_all()
            .build()
    }
}

/// A size in KiB from `512KiB`, `2MiB` or `1GiB` (K, M, G and KB, MB, GB read alike), between
/// 64 KiB and 1 GiB.
fn parse_cache(raw: &str) -> Result<u32, String> {
    let expected = "expected a size from 64KiB to 1GiB, e.g. 512KiB, 1MiB or 8MiB";
    let text = raw.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_kib: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 1024,
        "g" | "gb" | "gib" => 1024 * 1024,
        _ => {
            return Err(format!(
                "{raw:?} is not a size with a unit (KiB, MiB, GiB); {expected}"
            ));
        }
    };
    let kib = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_kib))
        .ok_or_else(|| format!("{raw:?} is not a size; {expected}"))?;
    if !(64..=1024 * 1024).contains(&kib) {
        return Err(format!("{raw:?} is out of range; {expected}"));
    }
    Ok(kib as u32)
}

#[cfg(test)]
mod tests {
    use super::parse_cache;

    #[test]
    fn cache_sizes_are_read_in_kib_within_their_range() {
        let rows = [
            ("512KiB", Ok(512)),
            ("1MiB", Ok(1024)),
            ("8 MB", Ok(8192)),
            ("1G", Ok(1024 * 1024)),
            ("64k", Ok(64)),
            ("63KiB", Err("out of range")),
            ("2GiB", Err("out of range")),
            ("1024", Err("with a unit")),
            ("MiB", Err("is not a size")),
            ("1.5MiB", Err("is not a size")),
            ("99999999999999999999KiB", Err("is not a size")),
        ];
        for (raw, expected) in rows {
            match (parse_cache(raw), expected) {
                (Ok(kib), Ok(want)) => assert_eq!(kib, want, "{raw}"),
                (Err(message), Err(part)) => assert!(message.contains(part), "{raw}: {message}"),
                (got, _) => panic!("{raw}: {got:?}"),
            }
        }
    }
}
