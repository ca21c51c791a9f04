// SPDX-License-Identifier: GPL-2.0
// A function declared extern and called: an import of the program's choosing.
// expect: usage of an `unsafe` block
#![no_std]

rex::license!("GPL");
extern "C" {
    fn bpf_send_signal(sig: u32) -> i64;
}

rex::kprobe! {
    fn refuse_extern_call(_ctx: &mut rex::Kprobe) -> u32 {
        unsafe { bpf_send_signal(9) as u32 }
    }
}
