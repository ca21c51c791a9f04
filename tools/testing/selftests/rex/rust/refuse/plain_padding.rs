// SPDX-License-Identifier: GPL-2.0
// A declared struct with padding: the padding bytes would leak the program's stack.
// expect: the struct has padding
#![no_std]

rex::license!("GPL");
rex::pod! {
    pub struct Event {
        pub kind: u8,
        pub value: u64,
    }
}

rex::map!(EVENTS: rex::map::Array<Event>, 1);

rex::xdp! {
    fn refuse_plain_padding(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = EVENTS.set(0, &Event { kind: 1, value: 2 });
        rex::XdpAction::Pass
    }
}
