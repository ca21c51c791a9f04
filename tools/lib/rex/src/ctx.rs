// SPDX-License-Identifier: GPL-2.0

//! The contexts the kernel passes to each program type.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::size_of;

use crate::bindings as b;
use crate::pod::{self, Pod};
use crate::{check, Error};

/// What every context offers: the pointer the helpers that take the
/// context want.
pub trait Context {
    /// How many bytes of the context the program may read, which the image
    /// declares: the size of the record of a tracepoint program, which the
    /// kernel checks against the tracepoint it attaches to; 0 for the
    /// contexts whose size the program type fixes.
    #[doc(hidden)]
    const CTX_SIZE: u32 = 0;

    /// The context as the kernel passed it.
    #[doc(hidden)]
    fn as_ptr(&self) -> *mut c_void;
}

/// The registers of the interrupted code (`struct pt_regs`).
#[repr(transparent)]
pub struct PtRegs(b::pt_regs);

impl PtRegs {
    /// Argument `n` (0 to 5) of the probed function, in the C calling
    /// convention; `None` for other `n`.
    pub fn arg(&self, n: usize) -> Option<u64> {
        let r = &self.0;
        Some(match n {
            0 => r.rdi,
            1 => r.rsi,
            2 => r.rdx,
            3 => r.rcx,
            4 => r.r8,
            5 => r.r9,
            _ => return None,
        })
    }

    /// The return value register (in a kretprobe: the return value).
    pub fn ret(&self) -> u64 {
        self.0.rax
    }

    /// The instruction pointer.
    pub fn ip(&self) -> u64 {
        self.0.rip
    }

    /// The stack pointer.
    pub fn sp(&self) -> u64 {
        self.0.rsp
    }

    /// Was the interrupted code running in user mode?
    pub fn user_mode(&self) -> bool {
        self.0.cs & 3 != 0
    }
}

/// The context of a kprobe program.
pub struct Kprobe {
    regs: *mut b::pt_regs,
}

impl Kprobe {
    #[doc(hidden)]
    /// # Safety
    /// `raw` is the `struct pt_regs` the kernel passed to the program.
    pub unsafe fn from_raw(raw: *mut b::pt_regs) -> Self {
        Self { regs: raw }
    }

    /// The registers at the probe.
    pub fn regs(&self) -> &PtRegs {
        // SAFETY: regs is valid for the run; PtRegs is transparent.
        unsafe { &*(self.regs as *const PtRegs) }
    }

    /// Make the probed function return `rc` without running it (the
    /// function must allow error injection, and the kernel must have
    /// `CONFIG_BPF_KPROBE_OVERRIDE`).
    pub fn override_return(&mut self, rc: u64) -> Result<(), Error> {
        // SAFETY: regs is the program's context.
        check(unsafe { b::bpf_override_return(self.regs, rc) })
    }
}

impl Context for Kprobe {
    fn as_ptr(&self) -> *mut c_void {
        self.regs as *mut c_void
    }
}

/// The context of a perf_event program.
pub struct PerfEvent {
    data: *mut b::rex_perf_event_data,
}

impl PerfEvent {
    #[doc(hidden)]
    /// # Safety
    /// `raw` is the `struct bpf_perf_event_data_kern` the kernel passed.
    pub unsafe fn from_raw(raw: *mut b::rex_perf_event_data) -> Self {
        Self { data: raw }
    }

    /// The registers where the event hit.
    pub fn regs(&self) -> &PtRegs {
        // SAFETY: data and its regs are valid for the run.
        unsafe { &*((*self.data).regs as *const PtRegs) }
    }
}

impl Context for PerfEvent {
    fn as_ptr(&self) -> *mut c_void {
        self.data as *mut c_void
    }
}

// The records below are the C structs of rex_helpers.h with the first 8
// bytes (the common fields, over which the kernel stores a pointer to the
// struct pt_regs of the event) as an integer, so that they hold no
// pointer; the layout checks keep them the C structs' layout.

crate::pod! {
    /// `raw_syscalls:sys_enter`.
    pub struct SysEnter {
        common: u64,
        id: i64,
        args: [u64; 6],
    }

    /// `raw_syscalls:sys_exit`.
    pub struct SysExit {
        common: u64,
        id: i64,
        ret: i64,
    }

    /// The common fields every tracepoint record starts with (8 bytes):
    /// `Tracepoint<RawRecord>` reads nothing past them.  For a record of
    /// another event, use its own layout: `[u8; N]` for its `N` bytes
    /// (the end of its last field in the event's tracefs `format` file),
    /// read with [`Tracepoint::read`].
    pub struct RawRecord {
        common: u64,
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<SysEnter>() == size_of::<b::rex_trace_sys_enter>());
    assert!(offset_of!(SysEnter, id) == offset_of!(b::rex_trace_sys_enter, id));
    assert!(offset_of!(SysEnter, args) == offset_of!(b::rex_trace_sys_enter, args));
    assert!(size_of::<SysExit>() == size_of::<b::rex_trace_sys_exit>());
    assert!(offset_of!(SysExit, id) == offset_of!(b::rex_trace_sys_exit, id));
    assert!(offset_of!(SysExit, ret) == offset_of!(b::rex_trace_sys_exit, ret));
    assert!(size_of::<RawRecord>() == size_of::<b::rex_trace_common>());
};

impl SysEnter {
    /// The system call number.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Argument `n` (0 to 5); `None` for other `n`.
    pub fn arg(&self, n: usize) -> Option<u64> {
        self.args.get(n).copied()
    }
}

impl SysExit {
    /// The system call number.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The return value.
    pub fn ret(&self) -> i64 {
        self.ret
    }
}

/// The context of a tracepoint program whose record has the layout `T`.
pub struct Tracepoint<T: Pod> {
    rec: *mut c_void,
    _t: PhantomData<T>,
}

impl<T: Pod> Tracepoint<T> {
    #[doc(hidden)]
    /// # Safety
    /// `raw` is the trace record the kernel passed, whose layout is `T`.
    pub unsafe fn from_raw(raw: *mut c_void) -> Self {
        Self {
            rec: raw,
            _t: PhantomData,
        }
    }

    /// The record's fields.
    pub fn fields(&self) -> &T {
        // SAFETY: the program was declared for records laid out as T, and
        // the kernel passes records aligned for their fields.
        unsafe { &*(self.rec as *const T) }
    }

    /// A field of type `U` at byte `offset`, read within the record's
    /// layout `T` (`None` past its end); for records of unknown layout use
    /// `T` = `[u8; N]` with the record's size `N`.
    pub fn read<U: Pod>(&self, offset: usize) -> Option<U> {
        // SAFETY: the record holds size_of::<T>() bytes.
        let bytes = unsafe { core::slice::from_raw_parts(self.rec as *const u8, size_of::<T>()) };
        pod::read(bytes.get(offset..)?)
    }
}

impl<T: Pod> Context for Tracepoint<T> {
    const CTX_SIZE: u32 = {
        assert!(size_of::<T>() > 0 && size_of::<T>() <= u32::MAX as usize);
        size_of::<T>() as u32
    };

    fn as_ptr(&self) -> *mut c_void {
        self.rec
    }
}

/// The context of an XDP program: the packet, as bounds-checked slices.
pub struct Xdp {
    buff: *mut b::rex_xdp_buff,
}

impl Xdp {
    #[doc(hidden)]
    /// # Safety
    /// `raw` is the `struct xdp_buff` the kernel passed to the program.
    pub unsafe fn from_raw(raw: *mut b::rex_xdp_buff) -> Self {
        Self { buff: raw }
    }

    #[inline]
    fn range(&self) -> (*mut u8, usize) {
        // SAFETY: buff is valid for the run; data..data_end is the packet.
        unsafe {
            let b = &*self.buff;
            (b.data as *mut u8, b.data_end.offset_from(b.data) as usize)
        }
    }

    /// The packet's bytes.
    #[inline]
    pub fn data(&self) -> &[u8] {
        let (p, len) = self.range();
        // SAFETY: p..p+len is the packet, the program's until it returns.
        unsafe { core::slice::from_raw_parts(p, len) }
    }

    /// The packet's bytes, writable.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        let (p, len) = self.range();
        // SAFETY: as for data(); self is borrowed mutably.
        unsafe { core::slice::from_raw_parts_mut(p, len) }
    }

    /// The packet's length.
    #[inline]
    pub fn len(&self) -> usize {
        self.range().1
    }

    /// Is the packet empty?
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A header of type `T` at byte `offset`, if the packet is long enough.
    #[inline]
    pub fn header<T: Pod>(&self, offset: usize) -> Option<T> {
        pod::read(self.data().get(offset..)?)
    }

    /// Write the header `h` at byte `offset`; false if it does not fit.
    #[inline]
    pub fn set_header<T: Pod>(&mut self, offset: usize, h: &T) -> bool {
        match self.data_mut().get_mut(offset..) {
            Some(b) => pod::write(b, h),
            None => false,
        }
    }

    /// Move the packet's start by `delta` bytes (negative: grow).
    pub fn adjust_head(&mut self, delta: i32) -> Result<(), Error> {
        // SAFETY: buff is the program's context; slices of the packet
        // cannot be alive across this call (self is borrowed mutably).
        check(unsafe { b::bpf_xdp_adjust_head(self.buff as *mut c_void, delta) })
    }

    /// Move the packet's end by `delta` bytes.
    pub fn adjust_tail(&mut self, delta: i32) -> Result<(), Error> {
        // SAFETY: as for adjust_head().
        check(unsafe { b::bpf_xdp_adjust_tail(self.buff as *mut c_void, delta) })
    }
}

impl Context for Xdp {
    fn as_ptr(&self) -> *mut c_void {
        self.buff as *mut c_void
    }
}

/// The context of a tc program: a socket buffer, reached through the
/// helpers that copy bytes out of and into the packet.
pub struct Tc {
    skb: *mut b::sk_buff,
}

impl Tc {
    #[doc(hidden)]
    /// # Safety
    /// `raw` is the `struct sk_buff` the kernel passed to the program.
    pub unsafe fn from_raw(raw: *mut b::sk_buff) -> Self {
        Self { skb: raw }
    }

    /// Copy packet bytes from `offset` into `to`.
    pub fn load_bytes(&self, offset: u32, to: &mut [u8]) -> Result<(), Error> {
        // SAFETY: the helper writes at most to.len() bytes.
        check(unsafe {
            b::bpf_skb_load_bytes(
                self.skb as *const c_void,
                offset,
                to.as_mut_ptr() as *mut c_void,
                to.len() as u32,
            )
        })
    }

    /// Copy `from` into the packet at `offset`.
    pub fn store_bytes(&mut self, offset: u32, from: &[u8]) -> Result<(), Error> {
        // SAFETY: the helper reads from.len() bytes.
        check(unsafe {
            b::bpf_skb_store_bytes(
                self.skb as *mut c_void,
                offset,
                from.as_ptr() as *const c_void,
                from.len() as u32,
                0,
            )
        })
    }

    /// A header of type `T` at byte `offset` of the packet.
    pub fn header<T: Pod + Default>(&self, offset: u32) -> Result<T, Error> {
        let mut h = T::default();
        self.load_bytes(offset, pod::bytes_mut(&mut h))?;
        Ok(h)
    }

    /// Write the header `h` at byte `offset` of the packet.
    pub fn set_header<T: Pod>(&mut self, offset: u32, h: &T) -> Result<(), Error> {
        self.store_bytes(offset, pod::bytes(h))
    }
}

impl Context for Tc {
    fn as_ptr(&self) -> *mut c_void {
        self.skb as *mut c_void
    }
}

crate::pod! {
    /// An Ethernet header.
    #[derive(Default, Debug)]
    pub struct EthHdr {
        /// Destination address.
        pub dst: [u8; 6],
        /// Source address.
        pub src: [u8; 6],
        /// EtherType, big endian: see [`EthHdr::proto`].
        pub proto_be: [u8; 2],
    }
}

impl EthHdr {
    /// IPv4's EtherType.
    pub const P_IP: u16 = 0x0800;
    /// IPv6's EtherType.
    pub const P_IPV6: u16 = 0x86dd;
    /// The header's size.
    pub const LEN: usize = 14;

    /// The EtherType.
    #[inline]
    pub fn proto(&self) -> u16 {
        u16::from_be_bytes(self.proto_be)
    }
}

crate::pod! {
    /// An IPv4 header, without options.
    #[derive(Default, Debug)]
    pub struct Ipv4Hdr {
        /// Version and header length.
        pub version_ihl: u8,
        /// DSCP and ECN.
        pub tos: u8,
        /// Total length, big endian.
        pub tot_len: [u8; 2],
        /// Identification, big endian.
        pub id: [u8; 2],
        /// Flags and fragment offset, big endian.
        pub frag_off: [u8; 2],
        /// Time to live.
        pub ttl: u8,
        /// The protocol of the payload (`IPPROTO_*`).
        pub protocol: u8,
        /// Header checksum, big endian.
        pub check: [u8; 2],
        /// Source address.
        pub saddr: [u8; 4],
        /// Destination address.
        pub daddr: [u8; 4],
    }
}

impl Ipv4Hdr {
    /// ICMP's protocol number.
    pub const ICMP: u8 = 1;
    /// TCP's protocol number.
    pub const TCP: u8 = 6;
    /// UDP's protocol number.
    pub const UDP: u8 = 17;

    /// The header's length in bytes, options included.
    #[inline]
    pub fn len(&self) -> usize {
        ((self.version_ihl & 0xf) as usize) * 4
    }

    /// Is the header length field zero?
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The header checksum the header should have (of its 20 bytes, with
    /// the check field taken as zero).
    pub fn compute_check(&self) -> [u8; 2] {
        let mut h = *self;
        h.check = [0, 0];
        let mut sum = pod::bytes(&h)
            .chunks(2)
            .fold(0u32, |s, w| s + u32::from(u16::from_be_bytes([w[0], w[1]])));
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        (!(sum as u16)).to_be_bytes()
    }
}

crate::pod! {
    /// A UDP header.
    #[derive(Default, Debug)]
    pub struct UdpHdr {
        /// Source port, big endian.
        pub source: [u8; 2],
        /// Destination port, big endian.
        pub dest: [u8; 2],
        /// Length, big endian.
        pub len: [u8; 2],
        /// Checksum, big endian.
        pub check: [u8; 2],
    }
}

impl UdpHdr {
    /// The destination port.
    #[inline]
    pub fn dest_port(&self) -> u16 {
        u16::from_be_bytes(self.dest)
    }
}
