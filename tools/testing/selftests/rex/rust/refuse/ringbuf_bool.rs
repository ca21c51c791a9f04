// SPDX-License-Identifier: GPL-2.0
// A ring buffer record of bool: records are copied bytes, read back by user space.
// expect: the trait bound `bool: rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(RB: rex::map::RingBuf, 4096);

rex::xdp! {
    fn refuse_ringbuf_bool(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = RB.output(&true);
        rex::XdpAction::Pass
    }
}
