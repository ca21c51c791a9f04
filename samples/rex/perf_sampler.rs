// SPDX-License-Identifier: GPL-2.0
//! perf_sampler: on each sample of a perf event, record the stack (the
//! kernel's, or the user stack if the event hit user mode) in STACKS and
//! count samples per stack id in COUNTS; samples whose stack could not be
//! recorded count in COUNTS under u32::MAX.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::map::{Hash, StackTrace, Update};
use rex::PerfEvent;

rex::license!("GPL");
rex::map!(STACKS: StackTrace<32>, 256);
rex::map!(COUNTS: Hash<u32, AtomicU64>, 256);

rex::perf_event! {
    fn rex_perf_sampler(ctx: &mut PerfEvent) -> u32 {
        let mut flags = StackTrace::<32>::REUSE_STACKID;
        if ctx.regs().user_mode() {
            flags |= StackTrace::<32>::USER_STACK;
        }
        let id = STACKS.stack_id(ctx, flags).unwrap_or(u32::MAX);
        match COUNTS.get(&id) {
            Some(n) => {
                n.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                let _ = COUNTS.insert(&id, &1u64, Update::Any);
            }
        }
        0
    }
}
