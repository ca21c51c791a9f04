// SPDX-License-Identifier: GPL-2.0

//! The compiler's runtime functions for Rex images.
//!
//! rustc expects a crate marked `#![compiler_builtins]` with the functions
//! code generation calls: the memory functions, which an image must carry
//! itself (the kernel resolves no other imports than helpers and maps).
//! `#![no_builtins]` keeps LLVM from turning these loops back into calls to
//! themselves.  Other runtime functions (128-bit division, floating point)
//! are not provided: an image that needs them has an unknown import, which
//! the kernel refuses at load time.

#![feature(compiler_builtins)]
#![allow(internal_features)]
#![compiler_builtins]
#![no_builtins]
#![no_std]

/// Copy `n` bytes from `src` to `dst`, which do not overlap: a word at a
/// time, then the bytes left.
///
/// # Safety
/// `dst` and `src` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n; unaligned accesses, since neither pointer
        // need be aligned.
        unsafe {
            dst.add(i)
                .cast::<u64>()
                .write_unaligned(src.add(i).cast::<u64>().read_unaligned())
        };
        i += 8;
    }
    while i < n {
        // SAFETY: i < n, both are valid for n bytes.
        unsafe { *dst.add(i) = *src.add(i) };
        i += 1;
    }
    dst
}

/// Copy `n` bytes from `src` to `dst`, which may overlap.
///
/// # Safety
/// `dst` and `src` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize) <= (src as usize) {
        // SAFETY: copying forwards never overwrites bytes still to be read.
        return unsafe { memcpy(dst, src, n) };
    }
    let mut i = n;
    while i > 0 {
        i -= 1;
        // SAFETY: i < n.
        unsafe { *dst.add(i) = *src.add(i) };
    }
    dst
}

/// Set `n` bytes at `dst` to `c`.
///
/// # Safety
/// `dst` is valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n.
        unsafe { *dst.add(i) = c as u8 };
        i += 1;
    }
    dst
}

/// Compare `n` bytes at `a` and `b`: a word at a time while they are
/// equal, then byte by byte from the first word that differs.
///
/// # Safety
/// `a` and `b` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n; unaligned reads, as in memcpy().
        let (x, y) = unsafe {
            (a.add(i).cast::<u64>().read_unaligned(), b.add(i).cast::<u64>().read_unaligned())
        };
        if x != y {
            break;
        }
        i += 8;
    }
    while i < n {
        // SAFETY: i < n.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return x as i32 - y as i32;
        }
        i += 1;
    }
    0
}

/// Are the `n` bytes at `a` and `b` different?
///
/// # Safety
/// `a` and `b` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: as for memcmp().
    unsafe { memcmp(a, b, n) }
}
