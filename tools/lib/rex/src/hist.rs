// SPDX-License-Identifier: GPL-2.0

//! Power-of-two histograms, as bpftrace's `hist()` and the `log2l()` of
//! BCC tools count: slot 0 counts zeros, slot `k` (1 to 64) the values from
//! `2^(k-1)` to `2^k - 1`.  A histogram is a map value of
//! `[AtomicU64; SLOTS]` (or fewer slots: larger values go to the last
//! one), counted with [`add`]:
//!
//! ```ignore
//! rex::map!(LATENCY: rex::map::Hash<u32, [AtomicU64; rex::hist::SLOTS]>, 1024);
//! if let Some(h) = LATENCY.get(&tgid) {
//!     rex::hist::add(h, delta_ns);
//! }
//! ```
//!
//! Loops in Rex programs need no helper: `for`, `while` and iterators over
//! slices are plain Rust, bounded by the runtime's budget, not by a
//! verifier.

use core::sync::atomic::{AtomicU64, Ordering};

/// Slots of a histogram of every `u64`.
pub const SLOTS: usize = 65;

/// The slot of `v`: 0 for 0, else one more than the index of its highest
/// set bit.
pub const fn slot(v: u64) -> usize {
    (u64::BITS - v.leading_zeros()) as usize
}

/// The smallest value of `slot` (0 for slot 0).
pub const fn slot_start(slot: usize) -> u64 {
    if slot == 0 {
        0
    } else {
        1 << (slot - 1)
    }
}

/// Count `v` in `hist`; values past the last slot count in it.
pub fn add<const N: usize>(hist: &[AtomicU64; N], v: u64) {
    let s = slot(v);
    if let Some(c) = hist.get(if s < N { s } else { N.wrapping_sub(1) }) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}
