// SPDX-License-Identifier: GPL-2.0
// A symbol of its own, which could shadow an import.
// expect: declaration of a `no_mangle` function
#![no_std]

rex::license!("GPL");
#[no_mangle]
pub extern "C" fn bpf_map_lookup_elem() -> u64 {
    0
}

rex::kprobe! {
    fn refuse_symbol(_ctx: &mut rex::Kprobe) -> u32 {
        0
    }
}
