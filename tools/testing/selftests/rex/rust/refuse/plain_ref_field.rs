// SPDX-License-Identifier: GPL-2.0
// A declared struct with a reference field.
// expect: &'static u64: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::plain! {
    pub struct Holder {
        pub r: &'static u64,
    }
}

rex::map!(HOLDERS: rex::map::Array<Holder>, 1);

rex::xdp! {
    fn refuse_plain_ref_field(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if HOLDERS.get(0).is_some_and(|h| *h.r == 0) {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
