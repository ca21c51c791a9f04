// SPDX-License-Identifier: GPL-2.0

//! Typed BPF maps.
//!
//! Declare a map with [`crate::map!`]; the kernel creates nothing itself:
//! the loader creates each map from the description the macro puts into
//! the image and passes it at load time.  Values are handed out as shared
//! references, because other CPUs and other programs use the same value at
//! the same time: a value that the program changes in place holds atomics
//! (`core::sync::atomic`) or a [`crate::SpinLock`].  Whole values are
//! written with `set`/`insert`.
//!
//! Map creation flags (see [`flags`]) are given to [`crate::map!`] as
//! `flags = ...`; the loader creates the map with them.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::{size_of, MaybeUninit};
use core::sync::atomic::{AtomicU64, Ordering};
use core::ops::{Deref, DerefMut};

use crate::__private::{rex_map_def, MapSym};
use crate::bindings as b;
use crate::pod::{Plain, Pod};
use crate::{check, check_value, Error};

/// Update flags of [`Hash::insert`] and [`Array::set`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// Create the entry or replace it.
    Any,
    /// Only create the entry.
    NoExist,
    /// Only replace the entry.
    Exist,
}

impl Update {
    fn flags(self) -> u64 {
        (match self {
            Update::Any => b::BPF_ANY,
            Update::NoExist => b::BPF_NOEXIST,
            Update::Exist => b::BPF_EXIST,
        }) as u64
    }
}

/// Map creation flags, for `flags = ...` in [`crate::map!`]
/// (`BPF_F_*` of `<linux/bpf.h>`); combine them with `|`.  The kernel
/// refuses, when the loader creates the map, a flag the map type does not
/// take.
pub mod flags {
    use crate::bindings as b;

    /// Hash maps: allocate entries when they are inserted, not all when the
    /// map is created (always set for [`super::LpmTrie`]).
    pub const NO_PREALLOC: u32 = b::BPF_F_NO_PREALLOC as u32;
    /// LRU hash maps: one LRU list per CPU instead of a shared one.
    pub const NO_COMMON_LRU: u32 = b::BPF_F_NO_COMMON_LRU as u32;
    /// Hash maps: hash with a seed of 0, so that the order of entries
    /// repeats (for tests).
    pub const ZERO_SEED: u32 = b::BPF_F_ZERO_SEED as u32;
    /// Programs only read the map: its writing methods fail with
    /// `-EPERM`.  The kernel loads the program only with a map created
    /// with the same program access flags.
    pub const RDONLY_PROG: u32 = b::BPF_F_RDONLY_PROG as u32;
    /// Programs only write the map: lookups find nothing.
    pub const WRONLY_PROG: u32 = b::BPF_F_WRONLY_PROG as u32;
}

const fn def(
    map_type: u32,
    key: usize,
    value: usize,
    spin_lock: u32,
    max: u32,
    flags: u32,
    n: [core::ffi::c_char; 16],
) -> rex_map_def {
    rex_map_def {
        size: core::mem::size_of::<rex_map_def>() as u32,
        map_type,
        key_size: key as u32,
        value_size: value as u32,
        max_entries: max,
        map_flags: flags,
        spin_lock,
        name: n,
    }
}

fn lookup<'a, K: Pod, V: Plain>(map: MapSym, key: &K) -> Option<&'a V> {
    // SAFETY: the map's key and value sizes are those of K and V (the
    // kernel checked the image's description against the map at load);
    // the helper reads the key and returns NULL or a value valid, and
    // suitably aligned, until the program returns; whatever bytes user
    // space wrote there are a V (V is Plain: every bit pattern is one, and
    // it holds no references or pointers); the program cannot keep the
    // reference past its run (no statics can hold it: statics are
    // immutable and Sync, and references are not 'static to the caller
    // of a program's entry, which returns).
    unsafe {
        let v = b::bpf_map_lookup_elem(map.0 as *mut c_void, key as *const K as *const c_void);
        (v as *const V).as_ref()
    }
}

fn update<K: Pod, V: Pod>(map: MapSym, key: &K, value: &V, flags: u64) -> Result<(), Error> {
    // SAFETY: key and value are as large as the map's key and value.
    check(unsafe {
        b::bpf_map_update_elem(
            map.0 as *mut c_void,
            key as *const K as *const c_void,
            value as *const V as *const c_void,
            flags,
        )
    })
}

fn delete<K: Pod>(map: MapSym, key: &K) -> Result<(), Error> {
    // SAFETY: key is as large as the map's key.
    check(unsafe { b::bpf_map_delete_elem(map.0 as *mut c_void, key as *const K as *const c_void) })
}

macro_rules! map_type {
    ($(#[$doc:meta])* $ty:ident < $($p:ident),* > , $map_type:expr, $key:ty, $value:ty,
     $lock:expr) => {
        $(#[$doc])*
        pub struct $ty<$($p),*> {
            sym: MapSym,
            #[allow(dead_code)]
            max_entries: u32,
            #[allow(dead_code)]
            flags: u32,
            _t: PhantomData<fn() -> ($($p,)*)>,
        }

        impl<$($p),*> $ty<$($p),*> {
            #[doc(hidden)]
            pub const fn new(sym: MapSym, max_entries: u32, flags: u32) -> Self {
                Self { sym, max_entries, flags, _t: PhantomData }
            }

            #[doc(hidden)]
            pub const fn def(name: [core::ffi::c_char; 16], max_entries: u32, flags: u32)
                -> rex_map_def
            where
                $key: Pod,
                $value: Plain,
            {
                assert!(
                    core::mem::align_of::<$value>() <= 8,
                    "map values are aligned to 8 bytes, not more: no u128 or i128 in a value"
                );
                def($map_type, size_of::<$key>(), size_of::<$value>(), $lock, max_entries,
                    flags, name)
            }

            /// The map, as the helpers take it.
            #[allow(dead_code)]
            pub(crate) fn ptr(&self) -> *mut c_void {
                self.sym.0 as *mut c_void
            }
        }
    };
}

map_type!(
    /// `BPF_MAP_TYPE_ARRAY` of `V`, indexed by `u32`.
    Array<V>, b::bpf_map_type_BPF_MAP_TYPE_ARRAY, u32, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`: each CPU has its own `V` at every index.
    PerCpuArray<V>, b::bpf_map_type_BPF_MAP_TYPE_PERCPU_ARRAY, u32, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_HASH` from `K` to `V`.
    Hash<K, V>, b::bpf_map_type_BPF_MAP_TYPE_HASH, K, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_PERCPU_HASH` from `K` to `V`.
    PerCpuHash<K, V>, b::bpf_map_type_BPF_MAP_TYPE_PERCPU_HASH, K, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_LRU_HASH` from `K` to `V`: inserting into a full map
    /// evicts an entry not used for long instead of failing.
    LruHash<K, V>, b::bpf_map_type_BPF_MAP_TYPE_LRU_HASH, K, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_LRU_PERCPU_HASH`: a [`PerCpuHash`] that evicts as
    /// [`LruHash`] does.
    LruPerCpuHash<K, V>, b::bpf_map_type_BPF_MAP_TYPE_LRU_PERCPU_HASH, K, V, V::LOCK
);
map_type!(
    /// `BPF_MAP_TYPE_QUEUE` of `V`: first in, first out.
    Queue<V>, b::bpf_map_type_BPF_MAP_TYPE_QUEUE, (), V, 0
);
map_type!(
    /// `BPF_MAP_TYPE_STACK` of `V`: last in, first out.
    Stack<V>, b::bpf_map_type_BPF_MAP_TYPE_STACK, (), V, 0
);
map_type!(
    /// `BPF_MAP_TYPE_RINGBUF`; the entry count is the size in bytes.
    RingBuf<>, b::bpf_map_type_BPF_MAP_TYPE_RINGBUF, (), (), 0
);
map_type!(
    /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY`, one perf buffer per CPU.
    PerfEventArray<>, b::bpf_map_type_BPF_MAP_TYPE_PERF_EVENT_ARRAY, u32, u32, 0
);
/// `BPF_MAP_TYPE_STACK_TRACE` for [`StackTrace::stack_id`], `N` addresses deep.
pub struct StackTrace<const N: usize> {
    sym: MapSym,
}

impl<const N: usize> StackTrace<N> {
    /// [`StackTrace::stack_id`] flag: the user stack, not the kernel's.
    pub const USER_STACK: u64 = b::BPF_F_USER_STACK as u64;
    /// [`StackTrace::stack_id`] flag: a stack whose hash collides with a
    /// stored one replaces it (else the call fails with `-EEXIST`).
    pub const REUSE_STACKID: u64 = b::BPF_F_REUSE_STACKID as u64;

    #[doc(hidden)]
    pub const fn new(sym: MapSym, _max_entries: u32, _flags: u32) -> Self {
        Self { sym }
    }

    #[doc(hidden)]
    pub const fn def(name: [core::ffi::c_char; 16], max_entries: u32, flags: u32) -> rex_map_def {
        def(
            b::bpf_map_type_BPF_MAP_TYPE_STACK_TRACE,
            size_of::<u32>(),
            size_of::<[u64; N]>(),
            0,
            max_entries,
            flags,
            name,
        )
    }

    /// Record the current stack (the kernel's or, with
    /// [`Self::USER_STACK`], the user stack) and return its id in the map.
    /// The kernel stack of an event that hit user mode is empty: the call
    /// fails with `-EFAULT`.
    pub fn stack_id<C: crate::ctx::Context>(&self, ctx: &C, flags: u64) -> Result<u32, Error> {
        // SAFETY: ctx is the running program's context.
        check_value(unsafe { b::bpf_get_stackid(ctx.as_ptr(), self.sym.0 as *mut c_void, flags) })
            .map(|id| id as u32)
    }
}

impl<V: Plain> Array<V> {
    /// The value at `index`, or `None` past the end (and always `None` in
    /// a map created with [`flags::WRONLY_PROG`]).
    ///
    /// No helper call: as the JIT does for eBPF, the lookup is inlined into
    /// the program, from where the kernel says the map's values are.
    #[inline]
    pub fn get(&self, index: u32) -> Option<&V> {
        if index >= self.max_entries || self.flags & flags::WRONLY_PROG != 0 {
            return None;
        }
        // Values are this far apart in BPF array maps.
        let stride = (size_of::<V>() as u64 + 7) & !7;
        // SAFETY: the kernel resolved the symbol to its struct rex_map_ref
        // of this map, an array map (it checked the map's type, value size
        // and entry count against the image's description at load), so
        // `values` is where its value 0 is, 8-byte aligned, and values are
        // `stride` apart; the index is below max_entries, also under
        // speculation (nospec_mask()); the value stays valid until the
        // program returns, and any bytes are a V (see lookup()).
        unsafe {
            let values = (*self.sym.0).values;
            let at = (index as u64 & nospec_mask(index, self.max_entries)) * stride;
            Some(&*((values + at) as *const V))
        }
    }
}

/// All ones if `index < size`, else 0, without a branch the CPU could
/// predict wrongly: an index masked with it stays below `size` when a
/// bounds check before is bypassed speculatively (Spectre v1; the
/// kernel's array_index_mask_nospec()).  In assembly, so that the
/// compiler, which knows the bounds check, cannot drop it.
#[inline(always)]
fn nospec_mask(index: u32, size: u32) -> u64 {
    let mask: u64;
    // SAFETY: arithmetic on registers only.
    unsafe {
        core::arch::asm!(
            "cmp {index:e}, {size:e}",
            "sbb {mask}, {mask}",
            index = in(reg) index,
            size = in(reg) size,
            mask = out(reg) mask,
            options(pure, nomem, nostack),
        );
    }
    mask
}

impl<V: Plain> Array<V> {
    /// Replace the value at `index` with `value`, a `V` or, for atomic
    /// values, the integer to store.
    pub fn set<I: Pod>(&self, index: u32, value: &I) -> Result<(), Error> {
        const { assert!(size_of::<I>() == size_of::<V>(), "value of the wrong size") };
        update(self.sym, &index, value, Update::Any.flags())
    }
}

impl<V: Plain> PerCpuArray<V> {
    /// This CPU's value at `index`, or `None` past the end.
    pub fn get(&self, index: u32) -> Option<&V> {
        lookup(self.sym, &index)
    }
}

impl<V: Plain> PerCpuArray<V> {
    /// Replace this CPU's value at `index` (see [`Array::set`]).
    pub fn set<I: Pod>(&self, index: u32, value: &I) -> Result<(), Error> {
        const { assert!(size_of::<I>() == size_of::<V>(), "value of the wrong size") };
        update(self.sym, &index, value, Update::Any.flags())
    }
}

/// `get`, `remove` and `insert` of the hash maps; `$what` is what a key
/// has in the map, for the docs.
macro_rules! keyed {
    ($ty:ident, $what:literal) => {
        impl<K: Pod, V: Plain> $ty<K, V> {
            #[doc = concat!("The ", $what, " of `key`, if the map has it.")]
            pub fn get(&self, key: &K) -> Option<&V> {
                lookup(self.sym, key)
            }

            /// Remove `key`.
            pub fn remove(&self, key: &K) -> Result<(), Error> {
                delete(self.sym, key)
            }

            #[doc = concat!("Set the ", $what, " of `key` to `value` (a `V` or, for atomic ")]
            /// values, the integer to store), as `how` allows.
            pub fn insert<I: Pod>(&self, key: &K, value: &I, how: Update) -> Result<(), Error> {
                const { assert!(size_of::<I>() == size_of::<V>(), "value of the wrong size") };
                update(self.sym, key, value, how.flags())
            }
        }
    };
}

/// Add `n` to this CPU's counter `v`: a load and a store, without the
/// locked instruction of `fetch_add`, which a value only this CPU writes
/// does not need.  Programs share this CPU's value only by nesting (a
/// program that interrupts another on the same CPU): a nested run between
/// the load and the store loses its addition to the interrupted one's, as
/// `*v += 1` does in an eBPF program; it is never unsafe.  A program gets no
/// `&mut` to a per-CPU value for that reason: the nested run would hold a
/// second one (and user space writes values at any time).
fn local_add(v: &AtomicU64, n: u64) {
    v.store(v.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
}

impl PerCpuArray<AtomicU64> {
    /// Add `n` to this CPU's counter at `index` (see [`PerCpuHash::add`]);
    /// false past the end.
    pub fn add(&self, index: u32, n: u64) -> bool {
        self.get(index).map(|v| local_add(v, n)).is_some()
    }
}

/// `add` of the per-CPU hash maps of counters.
macro_rules! percpu_add {
    ($ty:ident) => {
        impl<K: Pod> $ty<K, AtomicU64> {
            /// Add `n` to this CPU's counter of `key`, without a locked
            /// instruction (nested runs on this CPU may lose additions, as
            /// in eBPF, see the crate's documentation); false if the map
            /// has no `key`.
            pub fn add(&self, key: &K, n: u64) -> bool {
                self.get(key).map(|v| local_add(v, n)).is_some()
            }
        }
    };
}

percpu_add!(PerCpuHash);
percpu_add!(LruPerCpuHash);

keyed!(Hash, "value");
keyed!(PerCpuHash, "this CPU's value");
keyed!(LruHash, "value");
keyed!(LruPerCpuHash, "this CPU's value");

/// The key of an [`LpmTrie`] with `N` bytes of data: a prefix length in
/// bits and the data (an address, in network byte order).  In a lookup,
/// the prefix length is how many bits of the data to match, usually all
/// (`8 * N`); an entry matches if its prefix is a prefix of that, and the
/// longest such entry is found.
///
/// Laid out as the kernel's `struct bpf_lpm_trie_key_u8`, without its
/// alignment: the prefix length is kept as bytes, so that the key has no
/// padding for any `N`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LpmKey<const N: usize> {
    prefix_len: [u8; 4],
    /// The data the prefix is taken from.
    pub data: [u8; N],
}

impl<const N: usize> LpmKey<N> {
    /// The key of the first `prefix_len` bits of `data`.
    pub const fn new(prefix_len: u32, data: [u8; N]) -> Self {
        Self {
            prefix_len: prefix_len.to_ne_bytes(),
            data,
        }
    }

    /// How many leading bits of [`Self::data`] the key stands for.
    pub const fn prefix_len(&self) -> u32 {
        u32::from_ne_bytes(self.prefix_len)
    }
}

// SAFETY: bytes only (alignment 1, so no padding), every bit pattern is a
// key, and no references.
unsafe impl<const N: usize> Plain for LpmKey<N> {}
// SAFETY: as above.
unsafe impl<const N: usize> Pod for LpmKey<N> {}

/// `BPF_MAP_TYPE_LPM_TRIE` from prefixes of `N` bytes of data
/// ([`LpmKey`]) to `V`: a lookup finds the longest stored prefix of the
/// key.  The map is always created with [`flags::NO_PREALLOC`], which the
/// kernel requires.
pub struct LpmTrie<const N: usize, V> {
    sym: MapSym,
    _t: PhantomData<fn() -> V>,
}

impl<const N: usize, V> LpmTrie<N, V> {
    #[doc(hidden)]
    pub const fn new(sym: MapSym, _max_entries: u32, _flags: u32) -> Self {
        Self {
            sym,
            _t: PhantomData,
        }
    }

    #[doc(hidden)]
    pub const fn def(name: [core::ffi::c_char; 16], max_entries: u32, flags: u32) -> rex_map_def
    where
        V: Plain,
    {
        assert!(
            N >= 1 && N <= 256,
            "an LpmTrie key has 1 to 256 bytes of data (the kernel's limit)"
        );
        assert!(
            core::mem::align_of::<V>() <= 8,
            "map values are aligned to 8 bytes, not more: no u128 or i128 in a value"
        );
        def(
            b::bpf_map_type_BPF_MAP_TYPE_LPM_TRIE,
            size_of::<LpmKey<N>>(),
            size_of::<V>(),
            V::LOCK,
            max_entries,
            flags | flags::NO_PREALLOC,
            name,
        )
    }
}

impl<const N: usize, V: Plain> LpmTrie<N, V> {
    /// The value of the longest stored prefix of `key`, if there is one.
    pub fn get(&self, key: &LpmKey<N>) -> Option<&V> {
        lookup(self.sym, key)
    }

    /// Remove the prefix `key` (exactly that prefix, not the longest
    /// match).
    pub fn remove(&self, key: &LpmKey<N>) -> Result<(), Error> {
        delete(self.sym, key)
    }

    /// Set the value of the prefix `key` (see [`Hash::insert`]); a prefix
    /// longer than `8 * N` bits fails with `-EINVAL`.
    pub fn insert<I: Pod>(&self, key: &LpmKey<N>, value: &I, how: Update) -> Result<(), Error> {
        const { assert!(size_of::<I>() == size_of::<V>(), "value of the wrong size") };
        update(self.sym, key, value, how.flags())
    }
}

/// What [`Queue`] and [`Stack`] do when they are full and get one more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    /// Fail with `-E2BIG`.
    Fail,
    /// Make room by dropping the oldest value (`BPF_EXIST`).
    DropOldest,
}

/// Take a value out of a queue or stack map, or look at it (`peek`).
fn take<V: Pod>(map: MapSym, peek: bool) -> Option<V> {
    let mut v = MaybeUninit::<V>::uninit();
    let p = v.as_mut_ptr() as *mut c_void;
    // SAFETY: the map's value size is that of V (checked at load); on
    // success the helper wrote a whole value, whatever bytes user space
    // pushed, which are a V (V is Pod).
    unsafe {
        let ret = if peek {
            b::bpf_map_peek_elem(map.0 as *mut c_void, p)
        } else {
            b::bpf_map_pop_elem(map.0 as *mut c_void, p)
        };
        (ret == 0).then(|| v.assume_init())
    }
}

/// `push`, `pop` and `peek` of the queue and stack maps; `$which` is the
/// value they take next, for the docs.
macro_rules! queue {
    ($ty:ident, $which:literal) => {
        impl<V: Pod> $ty<V> {
            /// Add `value`; when the map is full, do as `when_full` says.
            pub fn push(&self, value: &V, when_full: WhenFull) -> Result<(), Error> {
                let flags = match when_full {
                    WhenFull::Fail => 0,
                    WhenFull::DropOldest => b::BPF_EXIST as u64,
                };
                // SAFETY: value is as large as the map's value.
                check(unsafe {
                    b::bpf_map_push_elem(self.ptr(), value as *const V as *const c_void, flags)
                })
            }

            #[doc = concat!("Take out the ", $which, " value; `None` if there is none.")]
            pub fn pop(&self) -> Option<V> {
                take(self.sym, false)
            }

            #[doc = concat!("The ", $which, " value, left in the map; `None` if there is none.")]
            pub fn peek(&self) -> Option<V> {
                take(self.sym, true)
            }
        }
    };
}

queue!(Queue, "oldest");
queue!(Stack, "newest");

impl RingBuf {
    /// Copy `data` into a new record and commit it.
    pub fn output<T: Pod>(&self, data: &T) -> Result<(), Error> {
        // SAFETY: the helper copies size_of::<T>() bytes from data.
        check(unsafe {
            b::bpf_ringbuf_output(
                self.ptr(),
                data as *const T as *mut c_void,
                size_of::<T>() as u64,
                0,
            )
        })
    }

    /// Reserve a record for a `T`, initialized to `init`; `None` if the
    /// buffer is full or the program holds as many resources as the
    /// kernel's cleanup ledger records.  The record is committed with
    /// [`RingBufRecord::submit`]; dropped, or held when the program
    /// panics, it is discarded.
    pub fn reserve<T: Pod>(&self, init: T) -> Option<RingBufRecord<'_, T>> {
        // SAFETY: the helper returns NULL or room for size_of::<T>() bytes,
        // 8-byte aligned, which the program owns until it submits or
        // discards the record (the kernel discards it if it is not).
        if core::mem::align_of::<T>() > 8 {
            return None;
        }
        let p = unsafe { b::bpf_ringbuf_reserve(self.ptr(), size_of::<T>() as u64, 0) } as *mut T;
        if p.is_null() {
            return None;
        }
        // SAFETY: see above; p is valid for a T.
        unsafe { p.write(init) };
        Some(RingBufRecord {
            rec: p,
            _buf: PhantomData,
        })
    }
}

/// A reserved ring buffer record holding a `T`; discarded on drop.
pub struct RingBufRecord<'a, T: Pod> {
    rec: *mut T,
    _buf: PhantomData<&'a mut T>,
}

impl<T: Pod> RingBufRecord<'_, T> {
    /// Commit the record: consumers see it.
    pub fn submit(self) {
        let rec = self.rec;
        core::mem::forget(self);
        // SAFETY: rec is a reserved record, released exactly once here.
        unsafe { b::bpf_ringbuf_submit(rec as *mut c_void, 0) };
    }

    /// Give the record up: consumers skip it.
    pub fn discard(self) {
        drop(self);
    }
}

impl<T: Pod> Drop for RingBufRecord<'_, T> {
    fn drop(&mut self) {
        // SAFETY: rec is a reserved record, released exactly once here.
        unsafe { b::bpf_ringbuf_discard(self.rec as *mut c_void, 0) };
    }
}

impl<T: Pod> Deref for RingBufRecord<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: rec was initialized by reserve() and is the program's.
        unsafe { &*self.rec }
    }
}

impl<T: Pod> DerefMut for RingBufRecord<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for deref(); self is borrowed mutably.
        unsafe { &mut *self.rec }
    }
}

impl PerfEventArray {
    /// Send `data` to the perf buffer of this CPU (`BPF_F_CURRENT_CPU`),
    /// through the context `ctx` of the running program.
    pub fn output<C: crate::ctx::Context, T: Pod>(&self, ctx: &C, data: &T) -> Result<(), Error> {
        // SAFETY: the helper copies size_of::<T>() bytes from data; ctx
        // is the running program's context.
        check(unsafe {
            b::bpf_perf_event_output(
                ctx.as_ptr(),
                self.ptr(),
                b::BPF_F_CURRENT_CPU,
                data as *const T as *mut c_void,
                size_of::<T>() as u64,
            )
        })
    }
}
