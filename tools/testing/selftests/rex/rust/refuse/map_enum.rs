// SPDX-License-Identifier: GPL-2.0
// A map of an enum: a discriminant user space writes may be none of its variants.
// expect: the trait bound `Verdict: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
#[derive(Clone, Copy)]
#[repr(u32)]
enum Verdict {
    Pass = 0,
    Drop = 1,
}

rex::map!(VERDICT: rex::map::Array<Verdict>, 1);

rex::xdp! {
    fn refuse_map_enum(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = [Verdict::Pass, Verdict::Drop];
        match VERDICT.get(0) {
            Some(Verdict::Drop) => rex::XdpAction::Drop,
            Some(Verdict::Pass) | None => rex::XdpAction::Pass,
        }
    }
}
