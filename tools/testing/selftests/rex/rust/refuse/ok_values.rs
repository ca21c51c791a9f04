// SPDX-License-Identifier: GPL-2.0
// Builds: the value types programs are meant to use, in every map kind.
// expect:
#![no_std]

rex::license!("GPL");
use core::sync::atomic::{AtomicU64, Ordering};

rex::plain! {
    pub struct Flow {
        pub packets: AtomicU64,
        pub bytes: AtomicU64,
    }
}

rex::pod! {
    pub struct Event {
        pub pid: u32,
        pub len: u32,
        pub ts: u64,
    }
}

rex::map!(FLOWS: rex::map::Hash<u32, Flow>, 64);
rex::map!(PER_CPU: rex::map::PerCpuArray<[AtomicU64; 4]>, 1);
rex::map!(LAST: rex::map::Array<Event>, 1);
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<[u64; 2]>>, 1);
rex::map!(RB: rex::map::RingBuf, 4096);
rex::map!(LRU: rex::map::LruHash<u32, Flow>, 64, flags = rex::map::flags::NO_COMMON_LRU);
rex::map!(EVENTS: rex::map::Queue<Event>, 64);
rex::map!(NETS: rex::map::LpmTrie<16, Event>, 64);
rex::map!(MACS: rex::map::LpmTrie<6, u64>, 64);

rex::xdp! {
    fn refuse_ok_values(ctx: &mut rex::Xdp) -> rex::XdpAction {
        let len = ctx.len() as u64;
        if let Some(f) = FLOWS.get(&1) {
            f.packets.fetch_add(1, Ordering::Relaxed);
            f.bytes.fetch_add(len, Ordering::Relaxed);
        }
        if let Some(c) = PER_CPU.get(0) {
            c[0].fetch_add(1, Ordering::Relaxed);
        }
        let ev = Event { pid: 1, len: len as u32, ts: rex::helpers::ktime_get_ns() };
        let _ = LAST.set(0, &ev);
        let _ = RB.output(&ev);
        if let Some(f) = LRU.get(&1) {
            f.packets.fetch_add(1, Ordering::Relaxed);
        }
        let _ = EVENTS.push(&ev, rex::map::WhenFull::DropOldest);
        if let Some(e) = EVENTS.pop() {
            let _ = NETS.insert(&rex::map::LpmKey::new(64, [0; 16]), &e, rex::map::Update::Any);
        }
        let _ = MACS.get(&rex::map::LpmKey::new(48, [2, 0, 0, 0, 0, 1]));
        if let Some(l) = LOCKED.get(0) {
            let mut g = l.lock();
            g[0] += 1;
            g[1] += len;
        }
        rex::XdpAction::Pass
    }
}
