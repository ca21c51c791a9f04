// SPDX-License-Identifier: GPL-2.0
//! The benchmark's spin lock program in safe Rust: take the lock of an
//! array map's value, count, release it (when the guard goes).  An image
//! of its own, since spin locks are for XDP and tc programs and an image's
//! imports must suit all its programs; its eBPF counterpart is in
//! progs/bench.bpf.c.
#![no_std]

use rex::map::Array;
use rex::{SpinLock, Xdp, XdpAction};

rex::license!("GPL");
rex::map!(LOCKED: Array<SpinLock<u64>>, 1);

rex::xdp! {
    fn rex_rust_lock(_ctx: &mut Xdp) -> XdpAction {
        if let Some(l) = LOCKED.get(0) {
            *l.lock() += 1;
        }
        XdpAction::Pass
    }
}
