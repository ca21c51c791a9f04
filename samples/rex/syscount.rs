// SPDX-License-Identifier: GPL-2.0
//! syscount: count the system calls of each process (by tgid) in COUNTS.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::ctx::SysEnter;
use rex::map::{Hash, Update};
use rex::Tracepoint;

rex::license!("GPL");
rex::map!(COUNTS: Hash<u32, AtomicU64>, 1024);

rex::tracepoint! {
    fn rex_syscount(_ctx: &mut Tracepoint<SysEnter>) -> u32 {
        let tgid = rex::helpers::current_pid_tgid().tgid;
        if let Some(n) = COUNTS.get(&tgid) {
            n.fetch_add(1, Ordering::Relaxed);
        } else if COUNTS.insert(&tgid, &1u64, Update::NoExist).is_err() {
            // Another CPU created it first, or the map is full.
            if let Some(n) = COUNTS.get(&tgid) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        0
    }
}
