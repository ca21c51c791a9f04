// SPDX-License-Identifier: GPL-2.0
//! The benchmark's programs in safe Rust, each with an eBPF counterpart in
//! C (progs/bench.bpf.c) that does the same: the smallest XDP program, an
//! XDP program that counts in an array map, one that sums the LOOP_N
//! entries of an array map with a lookup each, one that counts the packets
//! and bytes of each UDP flow in a hash map keyed by its 5-tuple, and the
//! smallest tracepoint program, on raw_syscalls:sys_enter.  OUT[0] gets the sum of
//! the last loop, which rex_bench compares with the eBPF program's.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::ctx::{EthHdr, Ipv4Hdr, SysEnter, UdpHdr};
use rex::map::{Array, Hash, Update};
use rex::{Tracepoint, Xdp, XdpAction};

/// Entries the loop looks up: LOOP_N of progs/bench_common.h.
const LOOP_N: u32 = 64;

rex::license!("GPL");
rex::map!(COUNTER: Array<AtomicU64>, 1);
rex::map!(TABLE: Array<u64>, LOOP_N);
rex::map!(OUT: Array<u64>, 1);
rex::map!(FLOWS: Hash<FlowKey, Flow>, 1024);

rex::pod! {
    /// A UDP flow: its 5-tuple, as in the packet.
    pub struct FlowKey {
        pub saddr: [u8; 4],
        pub daddr: [u8; 4],
        pub sport: [u8; 2],
        pub dport: [u8; 2],
        pub proto: u8,
        pub pad: [u8; 3],
    }
}

rex::plain! {
    /// What was seen of a flow.
    pub struct Flow {
        pub packets: AtomicU64,
        pub bytes: AtomicU64,
    }
}

rex::xdp! {
    fn rex_rust_pass(_ctx: &mut Xdp) -> XdpAction {
        XdpAction::Pass
    }
}

rex::xdp! {
    fn rex_rust_lookup(_ctx: &mut Xdp) -> XdpAction {
        if let Some(n) = COUNTER.get(0) {
            n.fetch_add(1, Ordering::Relaxed);
        }
        XdpAction::Pass
    }
}

rex::xdp! {
    fn rex_rust_loop(_ctx: &mut Xdp) -> XdpAction {
        let sum = (0..LOOP_N).filter_map(|i| TABLE.get(i)).fold(0u64, |s, v| s.wrapping_add(*v));
        let _ = OUT.set(0, &sum);
        XdpAction::Pass
    }
}

rex::xdp! {
    fn rex_rust_flow(ctx: &mut Xdp) -> XdpAction {
        let Some(eth) = ctx.header::<EthHdr>(0) else { return XdpAction::Pass };
        if eth.proto() != EthHdr::P_IP {
            return XdpAction::Pass;
        }
        let ip = match ctx.header::<Ipv4Hdr>(EthHdr::LEN) {
            Some(ip) if ip.protocol == Ipv4Hdr::UDP && ip.len() >= 20 => ip,
            _ => return XdpAction::Pass,
        };
        let Some(udp) = ctx.header::<UdpHdr>(EthHdr::LEN + ip.len()) else {
            return XdpAction::Pass;
        };
        let key = FlowKey {
            saddr: ip.saddr,
            daddr: ip.daddr,
            sport: udp.source,
            dport: udp.dest,
            proto: ip.protocol,
            pad: [0; 3],
        };
        let len = ctx.len() as u64;
        if let Some(f) = FLOWS.get(&key) {
            f.packets.fetch_add(1, Ordering::Relaxed);
            f.bytes.fetch_add(len, Ordering::Relaxed);
        } else {
            let _ = FLOWS.insert(&key, &[1u64, len], Update::NoExist);
        }
        XdpAction::Pass
    }
}

rex::tracepoint! {
    fn rex_rust_tp(_ctx: &mut Tracepoint<SysEnter>) -> u32 {
        0
    }
}
