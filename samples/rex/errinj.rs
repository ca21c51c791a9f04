// SPDX-License-Identifier: GPL-2.0
//! errinj: make the probed system call fail with -CFG[1] in the process
//! whose tgid is CFG[0], without running it; count injections in CFG[2].
//! Attach it as a kprobe to a system call's entry (__x64_sys_getppid, ...).
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::map::Array;
use rex::Kprobe;

rex::license!("GPL");
rex::map!(CFG: Array<AtomicU64>, 3);

fn cfg(i: u32) -> u64 {
    CFG.get(i).map_or(0, |v| v.load(Ordering::Relaxed))
}

rex::kprobe! {
    fn rex_errinj(ctx: &mut Kprobe) -> u32 {
        let tgid = u64::from(rex::helpers::current_pid_tgid().tgid);
        if tgid == cfg(0) && ctx.override_return(0u64.wrapping_sub(cfg(1))).is_ok() {
            if let Some(n) = CFG.get(2) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        0
    }
}
