// SPDX-License-Identifier: GPL-2.0

//! Plain old data: types any bytes are a valid value of.

/// A type for which every bit pattern of its size is a valid value, with
/// no padding whose bytes could leak, and that holds no references: what a
/// program may read from packets, kernel memory or a trace record, and
/// copy into maps and records.
///
/// # Safety
///
/// Implement it only for `#[repr(C)]` types made of `Pod` fields without
/// padding.  Programs cannot implement it (their crates forbid `unsafe`);
/// the crate implements it for the integer types, arrays of them, and the
/// header and record types it defines.
pub unsafe trait Pod: Copy + Sync + 'static {}

macro_rules! pod {
    ($($t:ty),*) => { $(
        // SAFETY: integers have neither padding nor invalid values.
        unsafe impl Pod for $t {}
    )* };
}

pod!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    ()
);

// SAFETY: an array of Pod has no padding between its elements.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// A type every bit pattern of its size is a valid value of: [`Pod`]
/// types and the atomic integers.  Maps whose values are `Plain` can be
/// written with any `Pod` value of the same size (an atomic counter with
/// the integer it starts at).
///
/// # Safety
///
/// As for [`Pod`], without the `Copy` requirement.
pub unsafe trait Plain: Sync + 'static {}

// SAFETY: Pod types are Plain by definition.
unsafe impl<T: Pod> Plain for T {}

macro_rules! plain_atomic {
    ($($t:ty),*) => { $(
        // SAFETY: an atomic integer has the size and bit validity of its integer.
        unsafe impl Plain for $t {}
    )* };
}

use core::sync::atomic::{
    AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicU16, AtomicU32, AtomicU64, AtomicU8,
};
plain_atomic!(AtomicU8, AtomicU16, AtomicU32, AtomicU64, AtomicI8, AtomicI16, AtomicI32, AtomicI64);

/// Read a `T` from the start of `bytes`, if they are long enough.
pub(crate) fn read<T: Pod>(bytes: &[u8]) -> Option<T> {
    if bytes.len() < core::mem::size_of::<T>() {
        return None;
    }
    // SAFETY: bytes holds size_of::<T>() bytes, any of which make a T;
    // read_unaligned() needs no alignment.
    Some(unsafe { (bytes.as_ptr() as *const T).read_unaligned() })
}

/// Write `v` to the start of `bytes`, if they are long enough.
pub(crate) fn write<T: Pod>(bytes: &mut [u8], v: &T) -> bool {
    if bytes.len() < core::mem::size_of::<T>() {
        return false;
    }
    // SAFETY: bytes has room for size_of::<T>() bytes; T has no padding.
    unsafe { (bytes.as_mut_ptr() as *mut T).write_unaligned(*v) };
    true
}

/// The bytes of `v`.
pub(crate) fn bytes<T: Pod>(v: &T) -> &[u8] {
    // SAFETY: T has no padding, so all size_of::<T>() bytes are initialized.
    unsafe { core::slice::from_raw_parts(v as *const T as *const u8, core::mem::size_of::<T>()) }
}

/// The bytes of `v`, writable: any bytes written make a valid `T`.
pub(crate) fn bytes_mut<T: Pod>(v: &mut T) -> &mut [u8] {
    // SAFETY: as for bytes(); any bit pattern is a valid T.
    unsafe { core::slice::from_raw_parts_mut(v as *mut T as *mut u8, core::mem::size_of::<T>()) }
}
