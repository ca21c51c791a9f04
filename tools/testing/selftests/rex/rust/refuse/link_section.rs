// SPDX-License-Identifier: GPL-2.0
// A static placed into the image's program descriptions.
// expect: declaration of a static with `link_section`
#![no_std]

rex::license!("GPL");
#[link_section = ".rex.progs"]
#[used]
static FAKE: [u8; 80] = [0; 80];

rex::xdp! {
    fn refuse_link_section(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
