// SPDX-License-Identifier: GPL-2.0
// A hash map keyed by a reference: the helper reads the bytes of the address.
// expect: the trait `rex::Pod` is not implemented for `&'static u64`
#![no_std]

rex::license!("GPL");
rex::map!(BY_REF: rex::map::Hash<&'static u64, u64>, 4);

static ONE: u64 = 1;

rex::xdp! {
    fn refuse_map_key_ref(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if BY_REF.get(&&ONE).is_some() {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
