// SPDX-License-Identifier: GPL-2.0

//! BPF spin locks in map values.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};

use crate::bindings as b;

/// Data of type `T` behind a BPF spin lock, for map values (XDP and tc
/// programs only, as for eBPF).  The kernel records a held lock in the
/// program's cleanup ledger, so a program that panics while holding it
/// does not leave it held; a program may hold one lock at a time (taking
/// a second one panics the program).
#[repr(C)]
pub struct SpinLock<T> {
    lock: UnsafeCell<b::bpf_spin_lock>,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through the lock.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// Take the lock; it is released when the guard is dropped.
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        // SAFETY: lock points to the lock word of a map value, which the
        // helper takes (recording it in the ledger).
        unsafe { b::bpf_spin_lock(self.lock.get()) };
        SpinLockGuard { lock: self }
    }
}

/// A held [`SpinLock`]; gives access to the data, releases the lock on drop.
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the lock is held, so nobody else reaches the data.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held and the guard borrowed mutably.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard holds the lock.
        unsafe { b::bpf_spin_unlock(self.lock.lock.get()) };
    }
}
