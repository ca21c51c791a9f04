// SPDX-License-Identifier: GPL-2.0

//! Rex programs in safe Rust.
//!
//! A Rex program is a `#![no_std]` crate that uses nothing but `core` and
//! this crate, and is compiled with `unsafe_code` forbidden.  Everything a
//! program needs from the kernel is here, behind safe interfaces:
//!
//! - entry points, one macro per program type ([`xdp!`], [`tc!`],
//!   [`kprobe!`], [`tracepoint!`], [`perf_event!`]), which describe the
//!   program in the image and hand the function its typed context;
//! - maps ([`map!`] and the types in [`mod@map`]): lookups return `Option`,
//!   updates `Result`;
//! - the helpers of the Rex allowlist ([`helpers`]), and power-of-two
//!   histograms ([`hist`]);
//! - guards for what the kernel records in the program's cleanup ledger: a
//!   held [`SpinLock`] and a reserved [`map::RingBufRecord`], released when
//!   they go out of scope and by the kernel if the program panics;
//! - a panic handler that hands the message to the kernel, which logs it,
//!   releases what the program holds and returns the program type's
//!   default to the attach point.
//!
//! See Documentation/bpf/rex-rust.rst for how programs are built and what
//! the accepted subset of Rust is.

#![no_std]
#![feature(allow_internal_unsafe)]
#![allow(internal_features)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub mod ctx;
pub mod helpers;
pub mod hist;
pub mod map;
mod panic;
mod pod;
mod sync;

pub use ctx::{Kprobe, PerfEvent, PtRegs, Tc, Tracepoint, Xdp};
pub use pod::{Plain, Pod};
pub use sync::{SpinLock, SpinLockGuard};

/// The kernel's interface in C, through bindgen: `<linux/bpf.h>`,
/// `<linux/rex.h>` and the contexts and helper declarations of
/// `tools/lib/rex/rex_helpers.h`.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    missing_docs,
    clippy::all
)]
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/rex_bindings.rs"));
}

/// A helper failed: the negative errno it returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub i64);

/// A helper's return value: `Ok` with a value of 0 or more, `Err` else.
pub(crate) fn check_value(ret: core::ffi::c_long) -> Result<usize, Error> {
    if ret < 0 {
        Err(Error(ret))
    } else {
        Ok(ret as usize)
    }
}

/// A helper's return value, for helpers that return 0 on success.
pub(crate) fn check(ret: core::ffi::c_long) -> Result<(), Error> {
    check_value(ret).map(|_| ())
}

/// XDP verdicts.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XdpAction {
    /// Drop the packet and fire the `xdp_exception` tracepoint.
    Aborted = bindings::xdp_action_XDP_ABORTED,
    /// Drop the packet.
    Drop = bindings::xdp_action_XDP_DROP,
    /// Let the packet go on into the stack.
    Pass = bindings::xdp_action_XDP_PASS,
    /// Send the packet back out of the device it came in on.
    Tx = bindings::xdp_action_XDP_TX,
    /// Redirect the packet, after [`helpers::redirect`].
    Redirect = bindings::xdp_action_XDP_REDIRECT,
}

/// tc verdicts (the `TC_ACT_*` of `<linux/pkt_cls.h>`) a program returns.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcAction {
    /// Go on with the next filter or the default action.
    Unspec = bindings::TC_ACT_UNSPEC,
    /// Let the packet pass.
    Ok = bindings::TC_ACT_OK as i32,
    /// Drop the packet.
    Shot = bindings::TC_ACT_SHOT as i32,
    /// Redirect the packet, after [`helpers::redirect`].
    Redirect = bindings::TC_ACT_REDIRECT as i32,
}

/// What an entry function returns to its attach point.
pub trait ProgReturn {
    /// The value the kernel gets.
    fn into_ret(self) -> u32;
}

impl ProgReturn for XdpAction {
    fn into_ret(self) -> u32 {
        self as u32
    }
}

impl ProgReturn for TcAction {
    fn into_ret(self) -> u32 {
        self as i32 as u32
    }
}

impl ProgReturn for u32 {
    fn into_ret(self) -> u32 {
        self
    }
}

impl ProgReturn for () {
    fn into_ret(self) -> u32 {
        0
    }
}

/// Not part of the interface: what the macros of this crate expand to.
#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::{rex_map_def, rex_map_ref, rex_prog_def};
    pub use core::ffi::c_void;

    /// A NUL-padded string field of `N` bytes from `s`, or a build error.
    pub const fn name<const N: usize>(s: &str) -> [core::ffi::c_char; N] {
        let b = s.as_bytes();
        let mut out = [0; N];
        let mut i = 0;
        assert!(b.len() < N, "string too long for the image description");
        while i < b.len() {
            out[i] = b[i] as core::ffi::c_char;
            i += 1;
        }
        out
    }

    /// A map name for `.rex.maps`, or a build error that gives the limit.
    pub const fn map_name(s: &str) -> [core::ffi::c_char; 16] {
        assert!(
            s.len() < 16,
            "a map name has at most 15 bytes (REX_NAME_LEN - 1, the BPF object name limit)"
        );
        name(s)
    }

    // The limits the messages above and below state.
    const _: () = assert!(crate::bindings::REX_NAME_LEN == 16);
    const _: () = assert!(crate::bindings::REX_ENTRY_LEN == 64);

    /// The description of a program for `.rex.progs`.
    pub const fn prog_def(
        prog_type: u32,
        attach_type: u32,
        stack: u32,
        ctx_size: u32,
        entry: &str,
    ) -> rex_prog_def {
        rex_prog_def {
            size: core::mem::size_of::<rex_prog_def>() as u32,
            prog_type,
            expected_attach_type: attach_type,
            stack_size: stack,
            ctx_size,
            entry: {
                assert!(
                    entry.len() < 64,
                    "an entry function name has at most 63 bytes (REX_ENTRY_LEN - 1)"
                );
                name(entry)
            },
        }
    }

    /// The address the kernel gave the image's map symbol `sym`: a
    /// `struct rex_map_ref`, which helpers take as the map.
    #[derive(Clone, Copy)]
    pub struct MapSym(pub *const rex_map_ref);

    // SAFETY: the symbol's address is a constant the program never writes
    // through; helpers take it as the map, and the crate reads what the
    // kernel put there.
    unsafe impl Sync for MapSym {}

    /// Is `a` (NUL-terminated) the section name `b`?
    pub const fn same_section(a: &[u8], b: &str) -> bool {
        let b = b.as_bytes();
        if a.len() != b.len() + 1 {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    // The section names the macros write into #[link_section] are those of
    // <linux/rex.h>.
    const _: () = assert!(same_section(crate::bindings::REX_MAPS_SECTION, ".rex.maps"));
    const _: () = assert!(same_section(
        crate::bindings::REX_PROGS_SECTION,
        ".rex.progs"
    ));
    const _: () = assert!(same_section(
        crate::bindings::REX_LICENSE_SECTION,
        ".rex.license"
    ));
}

/// Declare the license of the image, which loaders pass to `BPF_PROG_LOAD`:
/// `rex::license!("GPL");`.  Helpers that are GPL-only need a GPL-compatible
/// license.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! license {
    ($l:literal) => {
        #[link_section = ".rex.license"]
        #[used]
        static __REX_LICENSE: [core::ffi::c_char; $l.len() + 1] = $crate::__private::name($l);
    };
}

/// Declare an entry point: the function, exported under its name, and its
/// description in `.rex.progs`.  Used through the macros of each type.
#[doc(hidden)]
#[macro_export]
#[allow_internal_unsafe]
macro_rules! __entry {
    ($ctx_ty:ty, $raw_ty:ty, $prog_type:expr, $attach:expr, $stack:expr,
     $name:ident, $ctx:ident, $ret:ty, $body:block) => {
        // The kernel calls every entry as `unsigned int (const void *ctx)`
        // and, with kCFI, checks that type's hash in front of it.
        #[no_mangle]
        extern "C" fn $name(raw: *const core::ffi::c_void) -> u32 {
            fn body($ctx: &mut $ctx_ty) -> $ret $body
            // SAFETY: the kernel calls the entry with the context of the
            // program type it was described as, valid for the whole run.
            let mut ctx = unsafe { <$ctx_ty>::from_raw(raw as *mut $raw_ty) };
            $crate::ProgReturn::into_ret(body(&mut ctx))
        }

        const _: () = {
            #[link_section = ".rex.progs"]
            #[used]
            static DEF: $crate::__private::rex_prog_def = $crate::__private::prog_def(
                $prog_type,
                $attach,
                $stack,
                <$ctx_ty as $crate::ctx::Context>::CTX_SIZE,
                stringify!($name),
            );
        };
    };
}

/// An XDP program: `rex::xdp! { fn name(ctx: &mut rex::Xdp) -> rex::XdpAction { ... } }`.
///
/// `rex::xdp! { stack = 4096, fn ... }` also declares the most stack the
/// program uses (see `struct rex_prog_def`).
#[macro_export]
macro_rules! xdp {
    ($(stack = $stack:expr,)? fn $name:ident($ctx:ident : &mut $t:ty) -> $ret:ty $body:block) => {
        $crate::__entry!($t, $crate::bindings::rex_xdp_buff,
                         $crate::bindings::bpf_prog_type_BPF_PROG_TYPE_XDP, 0,
                         0 $(+ $stack)?, $name, $ctx, $ret, $body);
    };
}

/// A tc program (`BPF_PROG_TYPE_SCHED_CLS`, direct action):
/// `rex::tc! { fn name(ctx: &mut rex::Tc) -> rex::TcAction { ... } }`.
#[macro_export]
macro_rules! tc {
    ($(stack = $stack:expr,)? fn $name:ident($ctx:ident : &mut $t:ty) -> $ret:ty $body:block) => {
        $crate::__entry!($t, $crate::bindings::sk_buff,
                         $crate::bindings::bpf_prog_type_BPF_PROG_TYPE_SCHED_CLS, 0,
                         0 $(+ $stack)?, $name, $ctx, $ret, $body);
    };
}

/// A kprobe program: `rex::kprobe! { fn name(ctx: &mut rex::Kprobe) -> u32 { ... } }`.
#[macro_export]
macro_rules! kprobe {
    ($(stack = $stack:expr,)? fn $name:ident($ctx:ident : &mut $t:ty) -> $ret:ty $body:block) => {
        $crate::__entry!($t, $crate::bindings::pt_regs,
                         $crate::bindings::bpf_prog_type_BPF_PROG_TYPE_KPROBE, 0,
                         0 $(+ $stack)?, $name, $ctx, $ret, $body);
    };
}

/// A tracepoint program whose record has the layout `T` (a [`Pod`] type,
/// such as [`ctx::SysEnter`], or [`ctx::RawRecord`] for raw access):
/// `rex::tracepoint! { fn name(ctx: &mut rex::Tracepoint<rex::ctx::SysEnter>) -> u32 { ... } }`.
#[macro_export]
macro_rules! tracepoint {
    ($(stack = $stack:expr,)? fn $name:ident($ctx:ident : &mut $t:ty) -> $ret:ty $body:block) => {
        $crate::__entry!($t, $crate::__private::c_void,
                         $crate::bindings::bpf_prog_type_BPF_PROG_TYPE_TRACEPOINT, 0,
                         0 $(+ $stack)?, $name, $ctx, $ret, $body);
    };
}

/// A perf_event program: `rex::perf_event! { fn name(ctx: &mut rex::PerfEvent) -> u32 { ... } }`.
#[macro_export]
macro_rules! perf_event {
    ($(stack = $stack:expr,)? fn $name:ident($ctx:ident : &mut $t:ty) -> $ret:ty $body:block) => {
        $crate::__entry!($t, $crate::bindings::rex_perf_event_data,
                         $crate::bindings::bpf_prog_type_BPF_PROG_TYPE_PERF_EVENT, 0,
                         0 $(+ $stack)?, $name, $ctx, $ret, $body);
    };
}

/// Declare a map of the image: `rex::map!(NAME: Kind<..>, max_entries);`,
/// for example `rex::map!(COUNTS: rex::map::Hash<u32, u64>, 1024);`, or
/// with creation flags ([`map::flags`]):
/// `rex::map!(FLOWS: rex::map::Hash<u64, u64>, 65536, flags = rex::map::flags::NO_PREALLOC);`.
///
/// The static's name is the map's name (at most 15 bytes), which loaders
/// use to find it and the kernel to bind the image's import of it to the
/// map passed in `fd_array`.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! map {
    ($vis:vis $name:ident : $kind:ty, $max:expr $(, flags = $flags:expr)? $(,)?) => {
        #[allow(non_upper_case_globals)]
        $vis static $name: $kind = {
            extern "C" {
                static $name: $crate::__private::rex_map_ref;
            }

            #[link_section = ".rex.maps"]
            #[used]
            static DEF: $crate::__private::rex_map_def =
                <$kind>::def($crate::__private::map_name(stringify!($name)), $max, 0 $(| $flags)?);

            // SAFETY: only the address of the import is taken.
            <$kind>::new(
                $crate::__private::MapSym(unsafe { core::ptr::addr_of!($name) }),
                $max,
                0 $(| $flags)?,
            )
        };
    };
}

/// Write a message to the trace pipe (`bpf_trace_printk`, BPF's format
/// subset, at most three integer arguments):
/// `rex::printk!("pid %d\n", pid);`.
#[macro_export]
macro_rules! printk {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        $crate::helpers::trace_printk(concat!($fmt, "\0").as_bytes(), &[$(($arg) as u64),*])
    };
}
