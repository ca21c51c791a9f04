// SPDX-License-Identifier: GPL-2.0
// A ring buffer record holding a reference: a kernel address for user space.
// expect: &u64: rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(RB: rex::map::RingBuf, 4096);

rex::xdp! {
    fn refuse_ringbuf_ref(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let x = 1u64;
        let _ = RB.output(&&x);
        rex::XdpAction::Pass
    }
}
