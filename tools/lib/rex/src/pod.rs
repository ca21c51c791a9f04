// SPDX-License-Identifier: GPL-2.0

//! Plain data: types any bytes are a valid value of.

/// A type every bit pattern of its size is a valid value of, without
/// references or pointers, and without padding a program could copy out:
/// what a map value may be.
/// User space writes any bytes into any map value at any time, so a
/// program may only see a value as a type for which those bytes are
/// always a value, and which leads nowhere.
///
/// `Plain` types are the integers, the atomic integers (values changed in
/// place), arrays of `Plain` types, [`crate::SpinLock`]s around `Plain`
/// data, and structs declared with [`crate::plain!`] (or [`crate::pod!`]).
///
/// # Safety
///
/// Implement it only for types whose every bit pattern is a valid value,
/// that hold no references or pointers, and that have no padding unless
/// no program can ever hold one by value (as for [`crate::SpinLock`]).  Programs cannot
/// implement it (their crates forbid `unsafe`): [`crate::plain!`] and
/// [`crate::pod!`] check these conditions for the structs they declare.
pub unsafe trait Plain: Sync + 'static {
    /// Where the value's [`crate::SpinLock`] is, if it has one: 1 + its
    /// offset, 0 without one (`rex_map_def::spin_lock`).
    #[doc(hidden)]
    const LOCK: u32 = 0;
}

/// A [`Plain`] type that is also `Copy`, so without interior mutability:
/// what a program may read out of packets, kernel memory and trace
/// records, and copy into maps and records.
///
/// # Safety
///
/// As for [`Plain`].
pub unsafe trait Pod: Plain + Copy {}

macro_rules! int_pod {
    ($($t:ty),*) => { $(
        // SAFETY: integers have neither padding nor invalid values, and
        // hold no references.
        unsafe impl Plain for $t {}
        // SAFETY: as above.
        unsafe impl Pod for $t {}
    )* };
}

int_pod!(
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

// SAFETY: an array has no padding between its elements, and its bit
// patterns are those of its elements.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {
    const LOCK: u32 = {
        assert!(T::LOCK == 0 || N <= 1, "a map value holds one SpinLock at most");
        if N == 1 {
            T::LOCK
        } else {
            0
        }
    };
}
// SAFETY: as above.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

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

/// Declare `#[repr(C)]` structs that are [`Plain`]: map values a program
/// changes in place (fields that are atomics or [`crate::SpinLock`]s).
/// The build fails unless every field is `Plain` and the struct has no
/// padding:
///
/// ```ignore
/// rex::plain! {
///     pub struct Flow {
///         pub packets: core::sync::atomic::AtomicU64,
///         pub bytes: core::sync::atomic::AtomicU64,
///     }
/// }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! plain {
    ($(
        $(#[$m:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fm:meta])* $fvis:vis $f:ident : $ft:ty),* $(,)?
        }
    )*) => { $(
        $(#[$m])*
        #[repr(C)]
        $vis struct $name { $($(#[$fm])* $fvis $f: $ft),* }

        $crate::__plain_checks!($name, $crate::Plain, $($ft),*);
        // SAFETY: every field is Plain and there is no padding, checked
        // above at build time.
        unsafe impl $crate::Plain for $name {
            const LOCK: u32 = {
                let mut lock = 0;
                $(
                    if <$ft as $crate::Plain>::LOCK != 0 {
                        assert!(lock == 0, "a map value holds one SpinLock at most");
                        lock = core::mem::offset_of!($name, $f) as u32
                            + <$ft as $crate::Plain>::LOCK;
                    }
                )*
                lock
            };
        }
    )* };
}

/// Declare `#[repr(C)]` structs that are [`Pod`] (and `Clone`, `Copy`):
/// values and records a program builds and copies, into maps, ring
/// buffers and perf buffers.  The build fails unless every field is `Pod`
/// and the struct has no padding:
///
/// ```ignore
/// rex::pod! {
///     pub struct Event {
///         pub pid: u32,
///         pub len: u32,
///         pub ts: u64,
///     }
/// }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! pod {
    ($(
        $(#[$m:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fm:meta])* $fvis:vis $f:ident : $ft:ty),* $(,)?
        }
    )*) => { $(
        $(#[$m])*
        #[repr(C)]
        #[derive(Clone, Copy)]
        $vis struct $name { $($(#[$fm])* $fvis $f: $ft),* }

        $crate::__plain_checks!($name, $crate::Pod, $($ft),*);
        // SAFETY: every field is Pod (so Plain) and there is no padding,
        // checked above at build time.
        unsafe impl $crate::Plain for $name {}
        // SAFETY: as above; the struct is Copy.
        unsafe impl $crate::Pod for $name {}
    )* };
}

/// The build-time checks of [`plain!`] and [`pod!`]: every field type has
/// the trait, and the fields' sizes add up to the struct's (no padding).
#[doc(hidden)]
#[macro_export]
macro_rules! __plain_checks {
    ($name:ident, $tr:path, $($ft:ty),*) => {
        const _: () = {
            const fn field_is<T: $tr>() {}
            $(field_is::<$ft>();)*
            assert!(
                core::mem::size_of::<$name>() == 0 $(+ core::mem::size_of::<$ft>())*,
                "the struct has padding: reorder or widen its fields"
            );
        };
    };
}

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

/// The bytes of the slice `v`, writable: any bytes written make valid `T`s.
pub(crate) fn slice_bytes_mut<T: Pod>(v: &mut [T]) -> &mut [u8] {
    // SAFETY: as for bytes_mut(), for each element; the elements are
    // contiguous and size_of_val(v) bytes long.
    unsafe { core::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, core::mem::size_of_val(v)) }
}

/// A `T` of all zero bits, which is one (any bit pattern is a valid `T`);
/// for any `T`, where `Default` is only implemented for small arrays.
pub(crate) fn zeroed<T: Pod>() -> T {
    // SAFETY: see above.
    unsafe { core::mem::zeroed() }
}
