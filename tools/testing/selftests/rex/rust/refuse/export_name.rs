// SPDX-License-Identifier: GPL-2.0
// A function exported under a helper's name.
// expect: declaration of a function with `export_name`
#![no_std]

rex::license!("GPL");
#[export_name = "bpf_map_lookup_elem"]
pub extern "C" fn fake_lookup() -> u64 {
    0
}

rex::xdp! {
    fn refuse_export_name(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
