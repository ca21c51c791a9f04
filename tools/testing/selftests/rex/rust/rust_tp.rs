// SPDX-License-Identifier: GPL-2.0
//! Tracepoint records with named fields, from the crate rex_tp that
//! rex-build.sh --tracepoint generates from the events' formats: what the
//! test task writes (syscalls:sys_enter_write) and when it is switched out
//! (sched:sched_switch).  TARGET[0] is the test's thread id; SEEN gets the
//! fd, count and first 8 bytes of its last write, the number of times it
//! was switched out and the first 8 bytes of its name as the switch saw it.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::map::Array;
use rex::Tracepoint;
use rex_tp::{SchedSwitch, SysEnterWrite};

rex::license!("GPL");
rex::map!(TARGET: Array<u64>, 1);
rex::map!(SEEN: Array<AtomicU64>, 5);

fn target() -> Option<u64> {
    TARGET.get(0).copied().filter(|&t| t != 0)
}

fn seen(i: u32, v: u64) {
    if let Some(s) = SEEN.get(i) {
        s.store(v, Ordering::Relaxed);
    }
}

rex::tracepoint! {
    fn rex_tp_write(ctx: &mut Tracepoint<SysEnterWrite>) -> u32 {
        if target() != Some(u64::from(rex::helpers::current_pid_tgid().pid)) {
            return 0;
        }
        let rec = ctx.fields();
        seen(0, rec.fd);
        seen(1, rec.count);
        if let Ok(head) = rex::helpers::probe_read_user::<u64>(rec.buf) {
            seen(2, head);
        }
        0
    }
}

rex::tracepoint! {
    fn rex_tp_switch(ctx: &mut Tracepoint<SchedSwitch>) -> u32 {
        let rec = ctx.fields();
        if target() != Some(rec.prev_pid as u64) {
            return 0;
        }
        if let Some(s) = SEEN.get(3) {
            s.fetch_add(1, Ordering::Relaxed);
        }
        let mut head = [0u8; 8];
        head.copy_from_slice(&rec.prev_comm[..8]);
        seen(4, u64::from_ne_bytes(head));
        0
    }
}
