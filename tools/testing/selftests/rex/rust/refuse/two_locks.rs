// SPDX-License-Identifier: GPL-2.0
// Two spin locks in one map value: the kernel knows one lock per value.
// expect: a map value holds one SpinLock at most
#![no_std]

rex::license!("GPL");
rex::map!(LOCKS: rex::map::Array<[rex::SpinLock<u32>; 2]>, 1);

rex::xdp! {
    fn refuse_two_locks(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(l) = LOCKS.get(0) {
            *l[0].lock() += 1;
        }
        rex::XdpAction::Pass
    }
}
