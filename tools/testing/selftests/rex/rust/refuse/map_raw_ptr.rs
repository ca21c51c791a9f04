// SPDX-License-Identifier: GPL-2.0
// A map of raw pointers: values that lead somewhere.
// expect: *const u64: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(PTRS: rex::map::Array<*const u64>, 1);

rex::xdp! {
    fn refuse_map_raw_ptr(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if PTRS.get(0).is_some_and(|p| p.is_null()) {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
