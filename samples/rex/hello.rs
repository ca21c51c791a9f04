// SPDX-License-Identifier: GPL-2.0
//! hello: say hello in the trace buffer on every system call of the
//! process whose tgid user space put in TARGET[0].
#![no_std]

use rex::ctx::SysEnter;
use rex::map::Array;
use rex::Tracepoint;

rex::license!("GPL");
rex::map!(TARGET: Array<u64>, 1);

rex::tracepoint! {
    fn rex_hello(ctx: &mut Tracepoint<SysEnter>) -> u32 {
        let me = u64::from(rex::helpers::current_pid_tgid().tgid);
        if TARGET.get(0).copied() == Some(me) {
            let _ = rex::printk!("hello from Rust: system call %ld\n", ctx.fields().id());
        }
        0
    }
}
