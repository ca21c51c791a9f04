// SPDX-License-Identifier: GPL-2.0
// A queue of atomics: values are pushed and popped by copy, so they are Pod.
// expect: the method `pop` exists for struct
#![no_std]

use core::sync::atomic::AtomicU64;

rex::license!("GPL");
rex::map!(FIFO: rex::map::Queue<AtomicU64>, 16);

rex::xdp! {
    fn refuse_queue_atomic(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = FIFO.pop();
        rex::XdpAction::Pass
    }
}
