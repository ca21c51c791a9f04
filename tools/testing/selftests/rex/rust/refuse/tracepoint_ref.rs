// SPDX-License-Identifier: GPL-2.0
// A tracepoint record of references: the record is bytes the kernel wrote.
// expect: &'static u64: rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
rex::tracepoint! {
    fn refuse_tracepoint_ref(ctx: &mut rex::Tracepoint<&'static u64>) -> u32 {
        **ctx.fields() as u32
    }
}
