//! Whole inputs read into memory: a plan file, or plan JSON on standard input.
//!
//! A plan is parsed from one contiguous buffer, so its bytes are read whole.
//! A file's size is known up front and its buffer is allocated once. Standard
//! input's size is not: reading it into a `Vec` that doubles held the old and
//! the new buffer at once on every doubling, 2.4 times a 100 MB plan at the
//! peak. On Linux it is read into an anonymous mapping instead, which grows by
//! `mremap`: the kernel moves page tables, never bytes, so the peak is the
//! input's own size.

use std::io::Read;
use std::ops::Deref;

/// A large buffer's 2 MiB-aligned part is advised for huge pages from here.
const HUGE: usize = 2 << 20;

/// A whole file's bytes, as `std::fs::read` gives them. A large file's
/// buffer is first advised to be backed by transparent huge pages where the
/// kernel grants them on request: faulting in a 100 MB plan 4 KiB at a time
/// costs more than copying it from the page cache.
pub fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(
            usize::try_from(size)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        )
        .map_err(std::io::Error::other)?;
    let spare = bytes.spare_capacity_mut();
    advise_huge_pages(spare.as_mut_ptr() as usize, spare.len());
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Everything `input` gives until its end.
pub fn read_stream(input: &mut dyn Read) -> std::io::Result<Stream> {
    Stream::read(input)
}

/// Advises the kernel to back the 2 MiB-aligned part of `len` bytes from
/// `start` with huge pages, when there are at least 8 MiB of them.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: usize, len: usize) {
    if len < 4 * HUGE {
        return;
    }
    let (Some(first), Some(end)) = (start.checked_next_multiple_of(HUGE), start.checked_add(len))
    else {
        return;
    };
    let last = end / HUGE * HUGE;
    if last > first {
        // SAFETY: callers pass memory they own; MADV_HUGEPAGE only changes
        // how the kernel backs those pages, never their contents, and a
        // refusal (an error return) changes nothing.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: usize, _: usize) {}

/// Bytes read from a stream, in memory that grew without being copied.
#[cfg(target_os = "linux")]
pub struct Stream {
    /// Start of a private anonymous mapping of `capacity` bytes.
    start: std::ptr::NonNull<u8>,
    /// How many bytes from `start` were read.
    len: usize,
    capacity: usize,
}

#[cfg(target_os = "linux")]
impl Stream {
    /// The first mapping; pages are only backed once written.
    const FIRST: usize = 1 << 20;

    fn read(input: &mut dyn Read) -> std::io::Result<Stream> {
        // SAFETY: a fresh private anonymous mapping; the kernel picks the
        // address and the result is checked before use.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::FIRST,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        let start = Self::mapped(start)?;
        let mut stream = Stream {
            start,
            len: 0,
            capacity: Self::FIRST,
        };
        loop {
            if stream.len == stream.capacity {
                stream.grow()?;
            }
            // SAFETY: [len, capacity) lies inside the mapping, which is
            // readable, writable and initialised (anonymous pages read as
            // zeros), and nothing else refers to it while `read` runs.
            let spare = unsafe {
                std::slice::from_raw_parts_mut(
                    stream.start.as_ptr().add(stream.len),
                    stream.capacity - stream.len,
                )
            };
            match input.read(spare) {
                Ok(0) => return Ok(stream),
                // A reader that claims more than it was given is not
                // believed past the buffer's end.
                Ok(n) => stream.len += n.min(spare.len()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn mapped(start: *mut libc::c_void) -> std::io::Result<std::ptr::NonNull<u8>> {
        if start == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        std::ptr::NonNull::new(start.cast::<u8>())
            .ok_or_else(|| std::io::Error::other("the kernel mapped standard input's buffer at 0"))
    }

    /// Doubles the mapping, moving it if it cannot grow where it is.
    fn grow(&mut self) -> std::io::Result<()> {
        let capacity = self.capacity.checked_mul(2).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::OutOfMemory,
                "standard input is larger than memory can address",
            )
        })?;
        // SAFETY: `start` and `capacity` describe this stream's own mapping;
        // on success the old range is no longer mapped and the new one holds
        // its pages, on failure the old mapping is left as it was.
        let moved = unsafe {
            libc::mremap(
                self.start.as_ptr().cast(),
                self.capacity,
                capacity,
                libc::MREMAP_MAYMOVE,
            )
        };
        self.start = Self::mapped(moved)?;
        self.capacity = capacity;
        if capacity >= 4 * HUGE {
            // The whole mapping, not its 2 MiB-aligned part: advising part of
            // it would split it in two, and `mremap` moves only one piece.
            // SAFETY: the range is this stream's own mapping; the advice
            // changes how pages are backed, never what they hold.
            unsafe {
                libc::madvise(self.start.as_ptr().cast(), capacity, libc::MADV_HUGEPAGE);
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
impl Deref for Stream {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of the mapping were written by reads.
        unsafe { std::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }
}

#[cfg(target_os = "linux")]
impl Drop for Stream {
    fn drop(&mut self) {
        // SAFETY: the mapping is this stream's own and nothing borrows it
        // past the stream's life.
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.capacity);
        }
    }
}

// SAFETY: the mapping is owned by the stream alone, like a `Vec`'s buffer.
#[cfg(target_os = "linux")]
unsafe impl Send for Stream {}
// SAFETY: shared access only reads through `Deref`.
#[cfg(target_os = "linux")]
unsafe impl Sync for Stream {}

/// Bytes read from a stream.
#[cfg(not(target_os = "linux"))]
pub struct Stream(Vec<u8>);

#[cfg(not(target_os = "linux"))]
impl Stream {
    fn read(input: &mut dyn Read) -> std::io::Result<Stream> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        Ok(Stream(bytes))
    }
}

#[cfg(not(target_os = "linux"))]
impl Deref for Stream {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives its bytes a few at a time, as a pipe does.
    struct Trickle<'a> {
        rest: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            self.interrupted = false;
            let n = self.step.min(buf.len()).min(self.rest.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_stream_is_read_whole_across_growth_in_odd_pieces() {
        // Past 8 MiB the mapping is advised for huge pages, which must not
        // stop it growing again.
        for size in [
            0,
            1,
            Stream::FIRST - 1,
            Stream::FIRST,
            Stream::FIRST + 1,
            9 * Stream::FIRST + 7,
            40 * Stream::FIRST + 7,
        ] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let mut input = Trickle {
                rest: &bytes,
                step: 65_521,
                interrupted: false,
            };
            let stream = read_stream(&mut input).expect("read");
            assert_eq!(stream.len(), size);
            assert!(*stream == *bytes, "size {size}");
        }
    }

    #[test]
    fn a_stream_error_is_returned() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("pipe closed"))
            }
        }
        let Err(e) = read_stream(&mut Broken) else {
            panic!("a broken stream was read");
        };
        assert_eq!(e.to_string(), "pipe closed");
    }
}
