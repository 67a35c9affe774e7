//! Work side by side on the run's threads (`TRUSTDRIFT_THREADS`, else one
//! per core), with the same result as one after the other.

/// The threads for this run (see [`crate::ingest::hcl::thread_count`]).
pub fn count() -> usize {
    crate::ingest::hcl::thread_count()
}

/// `first` on a thread of its own while `second` runs on this one; one
/// after the other when the run is held to one thread or the system will
/// not start another (then `first` runs here; it never runs twice).
pub fn side_by_side<A: Send, B>(
    first: impl Fn() -> A + Sync,
    second: impl FnOnce() -> B,
) -> (A, B) {
    if count() < 2 {
        return (first(), second());
    }
    std::thread::scope(|s| {
        match std::thread::Builder::new()
            .name("trustdrift-side".into())
            .stack_size(16 * 1024 * 1024)
            .spawn_scoped(s, &first)
        {
            Ok(handle) => {
                let b = second();
                match handle.join() {
                    Ok(a) => (a, b),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Err(_) => (first(), second()),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_results_come_back_in_place() {
        let (a, b) = super::side_by_side(|| (1..=1000u64).sum::<u64>(), || "second");
        assert_eq!((a, b), (500_500, "second"));
    }
}
