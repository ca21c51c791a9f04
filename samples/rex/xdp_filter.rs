// SPDX-License-Identifier: GPL-2.0
//! xdp_filter: count IPv4 packets per protocol in PROTO (index: the IP
//! protocol number, 256: not IPv4) and drop UDP packets to the port in
//! CFG[0]; count the drops in CFG[1].
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::ctx::{EthHdr, Ipv4Hdr, UdpHdr};
use rex::map::Array;
use rex::{Xdp, XdpAction};

rex::license!("GPL");
rex::map!(PROTO: Array<AtomicU64>, 257);
rex::map!(CFG: Array<AtomicU64>, 2);

fn count(map: &Array<AtomicU64>, i: u32) {
    if let Some(n) = map.get(i) {
        n.fetch_add(1, Ordering::Relaxed);
    }
}

rex::xdp! {
    fn rex_xdp_filter(ctx: &mut Xdp) -> XdpAction {
        let Some(eth) = ctx.header::<EthHdr>(0) else { return XdpAction::Pass };
        let ip = match ctx.header::<Ipv4Hdr>(EthHdr::LEN) {
            Some(ip) if eth.proto() == EthHdr::P_IP => ip,
            _ => {
                count(&PROTO, 256);
                return XdpAction::Pass;
            }
        };
        count(&PROTO, u32::from(ip.protocol));
        if ip.protocol != Ipv4Hdr::UDP || ip.len() < 20 {
            return XdpAction::Pass;
        }
        let blocked = CFG.get(0).map_or(0, |p| p.load(Ordering::Relaxed));
        match ctx.header::<UdpHdr>(EthHdr::LEN + ip.len()) {
            Some(udp) if u64::from(udp.dest_port()) == blocked => {
                count(&CFG, 1);
                XdpAction::Drop
            }
            _ => XdpAction::Pass,
        }
    }
}
