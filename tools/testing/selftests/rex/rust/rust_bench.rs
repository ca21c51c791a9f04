// SPDX-License-Identifier: GPL-2.0
//! The benchmark's programs in safe Rust, each with an eBPF counterpart in
//! C (progs/bench.bpf.c) that does the same: the smallest XDP program, an
//! XDP program that counts in an array map, one that sums the LOOP_N
//! entries of an array map with a lookup each, one that counts the packets
//! and bytes of each UDP flow in a hash map keyed by its 5-tuple, the two
//! compute-heavy ones of progs/bench_parse.h (a SYN's option fingerprint,
//! a payload's hash), and the smallest tracepoint program, on
//! raw_syscalls:sys_enter.  OUT[0] gets the sum of the last loop and
//! DIGEST[0] the last fingerprint or hash, which rex_bench compares with
//! the eBPF program's.
#![no_std]

use core::sync::atomic::{AtomicU64, Ordering};

use rex::ctx::{EthHdr, Ipv4Hdr, SysEnter, UdpHdr};
use rex::map::{Array, Hash, Update};
use rex::{Kprobe, Tracepoint, Xdp, XdpAction};

/// Entries the loop looks up: LOOP_N of progs/bench_common.h.
const LOOP_N: u32 = 64;

rex::license!("GPL");
rex::map!(COUNTER: Array<AtomicU64>, 1);
rex::map!(TABLE: Array<u64>, LOOP_N);
rex::map!(OUT: Array<u64>, 1);
rex::map!(FLOWS: Hash<FlowKey, Flow>, 1024);
rex::map!(DIGEST: Array<AtomicU64>, 1);

/// syn_print()'s flags and payload_hash()'s constants: progs/bench_parse.h.
const SYN_MSS: u64 = 0x01;
const SYN_WS: u64 = 0x02;
const SYN_SACK: u64 = 0x04;
const SYN_TS: u64 = 0x08;
const SYN_BAD: u64 = 0x10;
const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

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

fn set_digest(v: u64) {
    if let Some(d) = DIGEST.get(0) {
        d.store(v, Ordering::Relaxed);
    }
}

/// The length of the IPv4 header of Ethernet frame `p`, if it carries `proto`.
fn ipv4(p: &[u8], proto: u8) -> Option<usize> {
    let ip = p.get(EthHdr::LEN..EthHdr::LEN + 20)?;
    if p[12..14] != [0x08, 0x00] || ip[9] != proto {
        return None;
    }
    let ihl = (ip[0] & 0xf) as usize * 4;
    (ihl >= 20 && p.len() >= EthHdr::LEN + ihl).then_some(ihl)
}

/// The fingerprint of the options of the TCP segment in `p`.
fn syn_print(p: &[u8]) -> u64 {
    let Some(tcp) = ipv4(p, 6).and_then(|ihl| p.get(EthHdr::LEN + ihl..)) else {
        return 0;
    };
    let Some(doff) = tcp.get(12).map(|&b| (b >> 4) as usize * 4) else {
        return 0;
    };
    let Some(mut rest) = tcp.get(20..doff) else {
        return 0;
    };
    let (mut mss, mut ws, mut flags, mut order) = (0u64, 0u64, 0u64, 0u32);
    while let Some(&kind) = rest.first() {
        if kind == 0 {
            break;
        }
        order = order.wrapping_mul(33).wrapping_add(kind.into());
        if kind == 1 {
            rest = &rest[1..];
            continue;
        }
        let n = match rest.get(1) {
            Some(&n) if n >= 2 && usize::from(n) <= rest.len() => usize::from(n),
            _ => {
                flags |= SYN_BAD;
                break;
            }
        };
        let (opt, next) = rest.split_at(n);
        match (kind, opt) {
            (2, &[_, _, hi, lo]) => {
                mss = u16::from_be_bytes([hi, lo]).into();
                flags |= SYN_MSS;
            }
            (3, &[_, _, shift]) => {
                ws = shift.into();
                flags |= SYN_WS;
            }
            (4, &[_, _]) => flags |= SYN_SACK,
            (8, &[_, _, _, _, _, _, _, _, _, _]) => flags |= SYN_TS,
            _ => {}
        }
        rest = next;
    }
    mss | (ws << 16) | (flags << 24) | (u64::from(order) << 32)
}

/// FNV-1a of the payload of the UDP datagram in `p`.
fn payload_hash(p: &[u8]) -> u64 {
    match ipv4(p, 17).and_then(|ihl| p.get(EthHdr::LEN + ihl + 8..)) {
        Some(payload) => payload.iter().fold(FNV_OFFSET, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
        }),
        None => 0,
    }
}

rex::xdp! {
    fn rex_rust_syn(ctx: &mut Xdp) -> XdpAction {
        set_digest(syn_print(ctx.data()));
        XdpAction::Pass
    }
}

rex::xdp! {
    fn rex_rust_hash(ctx: &mut Xdp) -> XdpAction {
        set_digest(payload_hash(ctx.data()));
        XdpAction::Pass
    }
}

rex::tracepoint! {
    fn rex_rust_tp(_ctx: &mut Tracepoint<SysEnter>) -> u32 {
        0
    }
}

rex::kprobe! {
    fn rex_rust_kp(_ctx: &mut Kprobe) -> u32 {
        0
    }
}
