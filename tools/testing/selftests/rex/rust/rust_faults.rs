// SPDX-License-Identifier: GPL-2.0
//! The faults users hit in Rust, each while holding a ring buffer record
//! and the spin lock of LOCKED[0]: CFG[0] says which (see FaultMode in
//! rex_rust_test.c), CFG[1] is an operand the compiler cannot see.  A run
//! that gets past its fault counts in OUT[0], which must stay 0; a run
//! without fault submits its record and counts in the locked counter.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::map::{Array, RingBuf};
use rex::{SpinLock, Xdp, XdpAction};

rex::license!("GPL");
rex::map!(CFG: Array<u64>, 2);
rex::map!(OUT: Array<AtomicU64>, 1);
rex::map!(RB: RingBuf, 4096);
rex::map!(LOCKED: Array<SpinLock<u64>>, 1);

fn cfg(i: u32) -> u64 {
    CFG.get(i).copied().unwrap_or(0)
}

/// Recurse without end (n never reaches MAX); the frame keeps the
/// recursion from becoming a loop.
fn recurse(n: u64, frame: &mut [u64; 16]) -> u64 {
    if n == u64::MAX {
        return 0;
    }
    let mut mine = [n; 16];
    mine[(n % 16) as usize] = frame[0];
    recurse(n + 1, &mut mine) + mine[1]
}

fn fault(mode: u64, x: u64) -> u64 {
    let small = [1u64, 2, 3, 4];
    match mode {
        1 => {
            let nothing: Option<u64> = if x == 0 { None } else { Some(x) };
            nothing.unwrap()
        }
        2 => small[(x + 4) as usize],
        3 => (u64::MAX - 1) + x + 1,
        4 => recurse(x, &mut [x; 16]),
        5 => {
            let mut i = x;
            loop {
                i = core::hint::black_box(i.wrapping_add(1));
            }
        }
        _ => 0,
    }
}

rex::xdp! {
    fn rex_rust_faults(_ctx: &mut Xdp) -> XdpAction {
        let Some(lock) = LOCKED.get(0) else { return XdpAction::Drop };
        let Some(mut rec) = RB.reserve(0u64) else { return XdpAction::Drop };
        let mut held = lock.lock();
        *held += 1;
        *rec = fault(cfg(0), cfg(1));
        drop(held);
        rec.submit();
        if cfg(0) != 0 {
            if let Some(out) = OUT.get(0) {
                out.fetch_add(1, Ordering::Relaxed);
            }
        }
        XdpAction::Pass
    }
}
