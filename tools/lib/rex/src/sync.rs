// SPDX-License-Identifier: GPL-2.0

//! BPF spin locks in map values.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};

use crate::bindings as b;
use crate::pod::Plain;

/// Data of type `T` behind a spin lock, for map values (XDP and tc
/// programs only, as for eBPF).  The lock is the kernel's resilient spin
/// lock (eBPF's `struct bpf_res_spin_lock`), which the map's BTF describes,
/// so user space cannot touch it, and a lock that cannot be taken (a
/// deadlock, or a timeout) panics the program instead of spinning.  The
/// kernel records a held lock in the program's cleanup ledger, so a
/// program that panics while holding it does not leave it held; a program
/// may hold one lock at a time (taking a second one panics the program),
/// and a map value holds at most one.  The data is [`Plain`], as map values
/// are.
#[repr(C)]
pub struct SpinLock<T> {
    lock: UnsafeCell<b::bpf_res_spin_lock>,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through the lock, and is plain data
// that any CPU may read and write.
unsafe impl<T: Plain> Sync for SpinLock<T> {}

// SAFETY: the lock word is a 32-bit integer, the data Plain, and nothing
// else a reference leads to.  Between the lock and a T aligned to 8 there
// are 4 bytes of padding, which no program reads: a SpinLock has no
// constructor and is not Copy, so it is never a value a program copies,
// only a part of map memory it reaches by reference.
unsafe impl<T: Plain> Plain for SpinLock<T> {
    const LOCK: u32 = {
        assert!(T::LOCK == 0, "a SpinLock inside a SpinLock");
        1
    };
}

impl<T: Plain> SpinLock<T> {
    /// Take the lock; it is released when the guard is dropped.
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        // SAFETY: lock points to the lock word of a map value, which the
        // helper takes (recording it in the ledger).
        unsafe { b::bpf_res_spin_lock(self.lock.get()) };
        SpinLockGuard { lock: self }
    }
}

/// A held [`SpinLock`]; gives access to the data, releases the lock on drop.
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T: Plain> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the lock is held, so nobody else reaches the data.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: Plain> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held and the guard borrowed mutably.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard holds the lock.
        unsafe { b::bpf_res_spin_unlock(self.lock.lock.get()) };
    }
}
