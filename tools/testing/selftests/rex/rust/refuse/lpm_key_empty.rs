// SPDX-License-Identifier: GPL-2.0
// An LPM trie whose keys have no data: the kernel takes 1 to 256 bytes.
// expect: an LpmTrie key has 1 to 256 bytes of data
#![no_std]

rex::license!("GPL");
rex::map!(PREFIX: rex::map::LpmTrie<0, u64>, 16);

rex::xdp! {
    fn refuse_lpm_key_empty(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = PREFIX.get(&rex::map::LpmKey::new(0, []));
        rex::XdpAction::Pass
    }
}
