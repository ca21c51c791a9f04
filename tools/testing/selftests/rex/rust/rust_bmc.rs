// SPDX-License-Identifier: GPL-2.0
//! The memcached GET cache of progs/bmc.h in safe Rust: hits answered
//! from the CACHE map with XDP_TX, misses passed up, SETs invalidating
//! the entry of their key.  Its eBPF counterpart is progs/bmc.bpf.c.
#![no_std]

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use rex::map::Array;
use rex::{Xdp, XdpAction};

/// progs/bmc.h.
const BMC_PORT: u16 = 11211;
const BMC_ENTRIES: u32 = 1024;
const BMC_KEY_MAX: usize = 32;
const BMC_REPLY_MAX: usize = 128;
const BMC_HDR: usize = 8;
const BMC_HIT: u32 = 0;
const BMC_MISS: u32 = 1;
const BMC_SET: u32 = 2;

/// Ethernet, IPv4 without options, UDP: where the request starts.
const REQ: usize = 14 + 20 + 8;

rex::license!("GPL");
rex::map!(CACHE: Array<Entry>, BMC_ENTRIES);
rex::map!(STATS: Array<AtomicU64>, 3);

rex::plain! {
    /// A cached reply: the key it answers, and the reply after the frame header.
    pub struct Entry {
        pub valid: AtomicU32,
        pub key_len: u32,
        pub reply_len: u32,
        pub pad: u32,
        pub key: [u8; BMC_KEY_MAX],
        pub reply: [u8; BMC_REPLY_MAX],
    }
}

#[inline]
fn count(what: u32) {
    if let Some(n) = STATS.get(what) {
        n.fetch_add(1, Ordering::Relaxed);
    }
}

/// The key at the start of `p`, ended by `stop`, and its hash.
#[inline]
fn key(p: &[u8], stop: u8) -> Option<(&[u8], u32)> {
    let mut hash = 2166136261u32;
    for (len, &c) in p.iter().enumerate().take(BMC_KEY_MAX + 1) {
        if c == stop {
            return (len > 0).then(|| (&p[..len], hash));
        }
        if matches!(c, b' ' | b'\r' | b'\n') {
            return None;
        }
        hash = (hash ^ u32::from(c)).wrapping_mul(16777619);
    }
    None
}

/// The entry that holds `key`, if any.
#[inline]
fn find(key: &[u8], hash: u32) -> Option<&'static Entry> {
    CACHE
        .get(hash % BMC_ENTRIES)
        .filter(|e| e.key_len as usize == key.len() && e.key.iter().zip(key).all(|(a, b)| a == b))
}

/// The IPv4 header checksum of `ip`, whose checksum field is zero.
#[inline]
fn ip_check(ip: &[u8]) -> [u8; 2] {
    let sum = ip
        .chunks_exact(2)
        .fold(0u32, |s, w| s + u32::from(u16::from_ne_bytes([w[0], w[1]])));
    let sum = (sum & 0xffff) + (sum >> 16);
    (!((sum & 0xffff) + (sum >> 16)) as u16).to_ne_bytes()
}

/// Make the request in `ctx` the reply of `e`; false if it cannot be.
fn reply(ctx: &mut Xdp, e: &Entry) -> bool {
    let n = e.reply_len as usize;
    if n > BMC_REPLY_MAX
        || ctx
            .adjust_tail((REQ + BMC_HDR + n) as i32 - ctx.len() as i32)
            .is_err()
    {
        return false;
    }
    let Some(f) = ctx.data_mut().get_mut(..REQ + BMC_HDR + n) else {
        return false;
    };
    let (eth, rest) = f.split_at_mut(14);
    let (dst, src) = eth.split_at_mut(6);
    dst.swap_with_slice(&mut src[..6]);
    let (ip, rest) = rest.split_at_mut(20);
    let (saddr, daddr) = ip[12..20].split_at_mut(4);
    saddr.swap_with_slice(daddr);
    ip[2..4].copy_from_slice(&((20 + 8 + BMC_HDR + n) as u16).to_be_bytes());
    ip[8] = 64;
    ip[10..12].fill(0);
    let check = ip_check(ip);
    ip[10..12].copy_from_slice(&check);
    let (udp, msg) = rest.split_at_mut(8);
    let (sport, dport) = udp[..4].split_at_mut(2);
    sport.swap_with_slice(dport);
    udp[4..6].copy_from_slice(&((8 + BMC_HDR + n) as u16).to_be_bytes());
    udp[6..8].fill(0);
    // The request id stays; datagram 0 of 1.
    msg[2..BMC_HDR].copy_from_slice(&[0, 0, 0, 1, 0, 0]);
    msg[BMC_HDR..].copy_from_slice(&e.reply[..n]);
    true
}

rex::xdp! {
    fn rex_rust_bmc(ctx: &mut Xdp) -> XdpAction {
        let p = ctx.data();
        let Some(cmd) = p.get(REQ + BMC_HDR..) else { return XdpAction::Pass };
        if p[12..14] != [0x08, 0x00]
            || p[14] & 0xf != 5
            || p[23] != 17
            || p[36..38] != BMC_PORT.to_be_bytes()
        {
            return XdpAction::Pass;
        }
        let args = match cmd {
            [b's', b'e', b't', b' ', args @ ..] => {
                if let Some(e) = key(args, b' ').and_then(|(k, h)| find(k, h)) {
                    e.valid.store(0, Ordering::Relaxed);
                    count(BMC_SET);
                }
                return XdpAction::Pass;
            }
            [b'g', b'e', b't', b' ', args @ ..] => args,
            _ => return XdpAction::Pass,
        };
        let hit = key(args, b'\r')
            .filter(|(k, _)| args.get(k.len() + 1) == Some(&b'\n'))
            .and_then(|(k, h)| find(k, h))
            .filter(|e| e.valid.load(Ordering::Relaxed) != 0);
        if let Some(e) = hit {
            if reply(ctx, e) {
                count(BMC_HIT);
                return XdpAction::Tx;
            }
        }
        count(BMC_MISS);
        XdpAction::Pass
    }
}
