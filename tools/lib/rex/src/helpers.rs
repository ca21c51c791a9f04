// SPDX-License-Identifier: GPL-2.0

//! The helpers of the Rex allowlist, behind safe interfaces.  Map, ring
//! buffer, spin lock and context helpers are methods of their types
//! ([`mod@crate::map`], [`crate::SpinLock`], [`crate::ctx`]).

use core::ffi::{c_char, c_void};

use crate::bindings as b;
use crate::pod::{self, Pod};

use crate::{check, check_value, Error};

/// Nanoseconds since boot, not counting suspend (`CLOCK_MONOTONIC`).
pub fn ktime_get_ns() -> u64 {
    // SAFETY: no arguments.
    unsafe { b::bpf_ktime_get_ns() }
}

/// Nanoseconds since boot, counting suspend (`CLOCK_BOOTTIME`).
pub fn ktime_get_boot_ns() -> u64 {
    // SAFETY: no arguments.
    unsafe { b::bpf_ktime_get_boot_ns() }
}

/// The CPU the program runs on.
pub fn smp_processor_id() -> u32 {
    // SAFETY: no arguments.
    unsafe { b::bpf_get_smp_processor_id() }
}

/// A pseudo-random number.
pub fn prandom_u32() -> u32 {
    // SAFETY: no arguments.
    unsafe { b::bpf_get_prandom_u32() }
}

/// The current task's process (tgid) and thread (pid) ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PidTgid {
    /// Process id, what user space calls the pid.
    pub tgid: u32,
    /// Thread id.
    pub pid: u32,
}

/// The current task's ids.
pub fn current_pid_tgid() -> PidTgid {
    // SAFETY: no arguments.
    let v = unsafe { b::bpf_get_current_pid_tgid() };
    PidTgid {
        tgid: (v >> 32) as u32,
        pid: v as u32,
    }
}

/// The current task's user and group ids, `(uid, gid)`.
pub fn current_uid_gid() -> (u32, u32) {
    // SAFETY: no arguments.
    let v = unsafe { b::bpf_get_current_uid_gid() };
    (v as u32, (v >> 32) as u32)
}

/// The address of the current task's `struct task_struct`, as a number:
/// only [`probe_read_kernel`] can read through it.
pub fn current_task() -> u64 {
    // SAFETY: no arguments.
    unsafe { b::bpf_get_current_task() }
}

/// The current task's name (`comm`), NUL-padded.
pub fn current_comm() -> [u8; 16] {
    let mut comm = [0u8; 16];
    // SAFETY: the helper writes at most 16 bytes.
    unsafe { b::bpf_get_current_comm(comm.as_mut_ptr() as *mut c_void, comm.len() as u32) };
    comm
}

/// Which probe_read helper [`probe`] calls.
#[derive(Clone, Copy)]
enum Read {
    Kernel,
    User,
    KernelStr,
    UserStr,
}

/// Copy from `addr` into `buf` with the helper `which`; the length the
/// helper returns.  The helpers are called by name, not through a function
/// pointer: the kernel resolves helpers as calls only (an image that takes
/// a helper's address is refused).  A buffer of 4 GiB or more is refused
/// (`-E2BIG`), since the helpers take a 32-bit size.
fn probe(which: Read, addr: u64, buf: &mut [u8]) -> Result<usize, Error> {
    let Ok(len) = u32::try_from(buf.len()) else {
        return Err(Error(-(b::E2BIG as i64)));
    };
    let (dst, src) = (buf.as_mut_ptr() as *mut c_void, addr as *const c_void);
    // SAFETY: the helpers write at most len bytes into buf, and read addr
    // without faulting (a fault is an error).
    check_value(unsafe {
        match which {
            Read::Kernel => b::bpf_probe_read_kernel(dst, len, src),
            Read::User => b::bpf_probe_read_user(dst, len, src),
            Read::KernelStr => b::bpf_probe_read_kernel_str(dst, len, src),
            Read::UserStr => b::bpf_probe_read_user_str(dst, len, src),
        }
    })
}

/// A `T` read from kernel address `addr`; an error if it faults.  `T` is
/// any [`Pod`] type, such as `[u8; 256]`; for a buffer of the caller's,
/// see [`probe_read_kernel_into`].
pub fn probe_read_kernel<T: Pod>(addr: u64) -> Result<T, Error> {
    let mut v = pod::zeroed::<T>();
    // Any bytes the helper writes make a T.
    probe(Read::Kernel, addr, pod::bytes_mut(&mut v))?;
    Ok(v)
}

/// A `T` read from user address `addr` of the current task.
pub fn probe_read_user<T: Pod>(addr: u64) -> Result<T, Error> {
    let mut v = pod::zeroed::<T>();
    probe(Read::User, addr, pod::bytes_mut(&mut v))?;
    Ok(v)
}

/// Fill `buf` (bytes, or any [`Pod`] elements) from kernel address `addr`:
/// `size_of_val(buf)` bytes, or an error if any of them faults (the
/// helper then zeroes `buf`).  A buffer of 4 GiB or more is refused
/// (`-E2BIG`).
pub fn probe_read_kernel_into<T: Pod>(addr: u64, buf: &mut [T]) -> Result<(), Error> {
    probe(Read::Kernel, addr, pod::slice_bytes_mut(buf)).map(|_| ())
}

/// Fill `buf` from user address `addr` of the current task (see
/// [`probe_read_kernel_into`]).
pub fn probe_read_user_into<T: Pod>(addr: u64, buf: &mut [T]) -> Result<(), Error> {
    probe(Read::User, addr, pod::slice_bytes_mut(buf)).map(|_| ())
}

/// Copy the NUL-terminated kernel string at `addr` into `buf`; the length
/// copied, NUL included.
pub fn probe_read_kernel_str(addr: u64, buf: &mut [u8]) -> Result<usize, Error> {
    probe(Read::KernelStr, addr, buf)
}

/// Copy the NUL-terminated user string at `addr` into `buf`; the length
/// copied, NUL included.
pub fn probe_read_user_str(addr: u64, buf: &mut [u8]) -> Result<usize, Error> {
    probe(Read::UserStr, addr, buf)
}

/// Redirect the packet to the device `ifindex` (return
/// [`crate::XdpAction::Redirect`] or [`crate::TcAction::Redirect`]).
pub fn redirect(ifindex: u32, flags: u64) -> Result<(), Error> {
    // SAFETY: plain values.
    check(unsafe { b::bpf_redirect(ifindex, flags) })
}

/// `bpf_trace_printk()`: use [`crate::printk!`], which adds the NUL and
/// takes up to three integer arguments.
#[doc(hidden)]
pub fn trace_printk(fmt: &[u8], args: &[u64]) -> Result<usize, Error> {
    let a = |i: usize| args.get(i).copied().unwrap_or(0);

    if fmt.last() != Some(&0) {
        return Err(Error(-(b::EINVAL as i64)));
    }
    // SAFETY: fmt is NUL-terminated and fmt.len() long; the kernel reads
    // as many arguments as the format has conversions, at most three.
    check_value(unsafe {
        b::bpf_trace_printk(
            fmt.as_ptr() as *const c_char,
            fmt.len() as u32,
            a(0),
            a(1),
            a(2),
        )
    })
}
