// SPDX-License-Identifier: GPL-2.0
//! tc_marker: on egress, set the DSCP of IPv4 packets to CFG[0] (keeping
//! ECN) and fix the header checksum; count marked packets in CFG[1].
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::ctx::{EthHdr, Ipv4Hdr};
use rex::map::Array;
use rex::{Tc, TcAction};

rex::license!("GPL");
rex::map!(CFG: Array<AtomicU64>, 2);

rex::tc! {
    fn rex_tc_marker(ctx: &mut Tc) -> TcAction {
        let Ok(eth) = ctx.header::<EthHdr>(0) else { return TcAction::Ok };
        if eth.proto() != EthHdr::P_IP {
            return TcAction::Ok;
        }
        let Ok(mut ip) = ctx.header::<Ipv4Hdr>(EthHdr::LEN as u32) else { return TcAction::Ok };
        let dscp = CFG.get(0).map_or(0, |v| v.load(Ordering::Relaxed)) as u8;
        ip.tos = (dscp << 2) | (ip.tos & 3);
        ip.check = ip.compute_check();
        if ctx.set_header(EthHdr::LEN as u32, &ip).is_ok() {
            if let Some(n) = CFG.get(1) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        TcAction::Ok
    }
}
