// SPDX-License-Identifier: GPL-2.0
//! The map kinds of the crate beyond arrays and hashes, and map creation
//! flags: an LRU hash, an LRU per-CPU hash, an LPM trie, a queue, a stack,
//! a hash created with flags, arrays that are read-only or write-only for
//! programs and an array of values that are not a multiple of 8 bytes;
//! and, beside them, reads of user memory into buffers of any size and a
//! power-of-two histogram.
//! CFG[0] says what a run does (see enum maps_op in rex_rust_test.c),
//! CFG[1..3] are its operands; OUT[0] is what it found, OUT[1] the error
//! of what it changed (a negative errno, or 0).
#![no_std]

use rex::map::{
    flags, Array, Hash, LpmKey, LpmTrie, LruHash, LruPerCpuHash, PerCpuArray, Queue, Stack,
    Update, WhenFull,
};
use core::sync::atomic::AtomicU64;

use rex::{helpers, hist, Error, Xdp, XdpAction};

rex::license!("GPL");
rex::map!(CFG: Array<u64>, 4);
rex::map!(OUT: Array<u64>, 2);
rex::map!(LRU: LruHash<u32, u64>, 4);
rex::map!(PCPU: LruPerCpuHash<u32, u64>, 8, flags = flags::NO_COMMON_LRU);
rex::map!(PREFIX: LpmTrie<4, u64>, 16);
rex::map!(FIFO: Queue<u64>, 4);
rex::map!(LIFO: Stack<u64>, 4);
rex::map!(FLAGGED: Hash<u32, u64>, 16, flags = flags::NO_PREALLOC | flags::ZERO_SEED);
rex::map!(RDONLY: Array<u64>, 1, flags = flags::RDONLY_PROG);
rex::map!(PCPU_ARR: PerCpuArray<u64>, 1);
rex::map!(HIST: Array<[AtomicU64; hist::SLOTS]>, 1);
rex::map!(PCPU_CNT: PerCpuArray<AtomicU64>, 1);
rex::map!(VALS: Array<[u32; 3]>, 5);
rex::map!(WRONLY: Array<u64>, 1, flags = flags::WRONLY_PROG);

fn cfg(i: u32) -> u64 {
    CFG.get(i).copied().unwrap_or(0)
}

fn when_full() -> WhenFull {
    if cfg(2) == 0 {
        WhenFull::Fail
    } else {
        WhenFull::DropOldest
    }
}

fn ipv4(addr: u64) -> [u8; 4] {
    (addr as u32).to_be_bytes()
}

/// `hi` and `lo` in one word.
fn pack(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32) | u64::from(lo)
}

/// OUT[0] and OUT[1] for a run that found `found` and changed a map with
/// the result `res`.
fn out(found: Option<u64>, res: Result<(), Error>) {
    let _ = OUT.set(0, &found.unwrap_or(u64::MAX));
    let _ = OUT.set(1, &res.err().map_or(0, |e| e.0 as u64));
}

rex::xdp! {
    fn rex_rust_maps(_ctx: &mut Xdp) -> XdpAction {
        let arg = cfg(1);
        match cfg(0) {
            1 => out(None, LRU.insert(&(arg as u32), &arg, Update::Any)),
            2 => out(LRU.get(&(arg as u32)).copied(), Ok(())),
            3 => out(PREFIX.get(&LpmKey::new(32, ipv4(arg))).copied(), Ok(())),
            4 => {
                let key = LpmKey::new(cfg(2) as u32, ipv4(arg));
                out(None, PREFIX.insert(&key, &cfg(3), Update::Any))
            }
            5 => out(None, FIFO.push(&arg, when_full())),
            6 => out(FIFO.pop(), Ok(())),
            7 => out(FIFO.peek(), Ok(())),
            8 => out(None, LIFO.push(&arg, when_full())),
            9 => out(LIFO.pop(), Ok(())),
            10 => out(LIFO.peek(), Ok(())),
            11 => out(None, FLAGGED.insert(&(arg as u32), &arg, Update::NoExist)),
            12 => out(RDONLY.get(0).copied(), RDONLY.set(0, &arg)),
            13 => {
                let res = PCPU.insert(&(arg as u32), &cfg(2), Update::Any);
                out(Some(helpers::smp_processor_id() as u64), res)
            }
            14 => {
                let _ = OUT.set(1, &(helpers::smp_processor_id() as u64));
                let _ = OUT.set(0, &PCPU_ARR.get(0).copied().unwrap_or(u64::MAX));
            }
            15 => {
                // 100 bytes at CFG[1] into a buffer, and the first 64 as
                // a value (no Default for [u8; 64]): the sum of the 100,
                // and whether the two reads agree.
                let mut buf = [0u8; 100];
                let res = helpers::probe_read_user_into(arg, &mut buf);
                let sum: u64 = buf.iter().map(|&b| u64::from(b)).sum();
                let same = match helpers::probe_read_user::<[u8; 64]>(arg) {
                    Ok(v) => v[..] == buf[..64],
                    Err(_) => false,
                };
                let _ = OUT.set(0, &sum);
                let _ = OUT.set(1, &res.err().map_or(same as u64 ^ 1, |e| e.0 as u64));
            }
            16 => {
                if let Some(h) = HIST.get(0) {
                    hist::add(h, arg);
                }
                out(Some(hist::slot(arg) as u64), Ok(()))
            }
            17 => out(Some(PCPU_CNT.add(0, arg) as u64), Ok(())),
            18 => out(VALS.get(arg as u32).map(|v| pack(v[0], v[2])), Ok(())),
            19 => out(WRONLY.get(arg as u32).copied(), Ok(())),
            _ => return XdpAction::Drop,
        }
        XdpAction::Pass
    }
}
