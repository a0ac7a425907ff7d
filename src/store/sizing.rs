//! How big the store is: its reader connections and each connection's page cache. Memory at
//! rest against throughput; `serve --readers` and `--db-cache` set it.

/// Page cache of each connection by default, in KiB.
pub const DEFAULT_CACHE_KIB: u32 = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizing {
    /// Read-only connections for the inline reads. Reads run on the async worker threads, so
    /// more readers than worker threads never run at once; fewer make reads wait for one.
    pub readers: usize,
    /// The page cache each connection (the writer and every reader) may grow to, in KiB.
    pub cache_kib: u32,
}

impl Sizing {
    /// One reader per worker thread, each with the default cache.
    pub fn for_workers(workers: usize) -> Sizing {
        Sizing {
            readers: workers.max(1),
            cache_kib: DEFAULT_CACHE_KIB,
        }
    }
}

/// Readers by default, whatever the cores: two let a long read not hold up the others; past
/// eight, each more holds a schema and a cache for reads that rarely run at once.
const DEFAULT_READERS: std::ops::RangeInclusive<usize> = 2..=8;

impl Default for Sizing {
    /// For a server whose worker threads are its cores, within `DEFAULT_READERS`.
    fn default() -> Sizing {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Sizing::for_workers(cores.clamp(*DEFAULT_READERS.start(), *DEFAULT_READERS.end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_reader_count_stays_within_its_bounds() {
        let readers = Sizing::default().readers;
        assert!(DEFAULT_READERS.contains(&readers), "{readers} readers");
    }
}
