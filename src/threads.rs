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

/// Items (roles, instances, grants) from which the work on them is shared
/// by two threads: below it a second thread costs more than it saves.
pub const HALVES_FROM: usize = 256;

/// `f` on every item of `items`, results in order: from `min` items on,
/// the second half on a thread of its own while this one does the first.
pub fn map_halves<'a, T: Sync, R: Send>(
    items: &'a [T],
    min: usize,
    f: impl Fn(&'a T) -> R + Sync,
) -> Vec<R> {
    halves(items, min, |part| part.iter().map(&f).collect())
}

/// `f` on `items` whole, or (on more than one thread, from `min` items on)
/// on each half side by side, the two results joined in order: one thread
/// is the reference the halves are held to.
pub fn halves<'a, T: Sync, R: Send>(
    items: &'a [T],
    min: usize,
    f: impl Fn(&'a [T]) -> Vec<R> + Sync,
) -> Vec<R> {
    if items.len() < min.max(2) || count() < 2 {
        return f(items);
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (mut later, mut out) = side_by_side(|| f(second), || f(first));
    out.append(&mut later);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_results_come_back_in_place() {
        let (a, b) = super::side_by_side(|| (1..=1000u64).sum::<u64>(), || "second");
        assert_eq!((a, b), (500_500, "second"));
    }

    #[test]
    fn halves_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1001).collect();
        let doubled = super::map_halves(&items, 8, |i| i * 2);
        assert_eq!(doubled, (0..1001).map(|i| i * 2).collect::<Vec<u32>>());
        assert_eq!(super::map_halves(&items[..1], 0, |i| *i), vec![0]);
        assert!(super::map_halves(&items[..0], 0, |i| *i).is_empty());
    }
}
