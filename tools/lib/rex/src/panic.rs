// SPDX-License-Identifier: GPL-2.0

//! The panic handler: the message goes to the kernel, which leaves the
//! program (see "Leaving a program early" in Documentation/bpf/rex.rst).

use core::fmt::Write;
use core::panic::PanicInfo;

/// Room for the message: the kernel keeps at most 127 bytes of it.
const MSG_MAX: usize = 128;

/// A bounded buffer that drops what does not fit.
struct Msg {
    buf: [u8; MSG_MAX],
    len: usize,
}

impl Write for Msg {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &c in s.as_bytes() {
            if self.len + 1 >= MSG_MAX {
                break;
            }
            self.buf[self.len] = if c == 0 { b'?' } else { c };
            self.len += 1;
        }
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let mut msg = Msg {
        buf: [0; MSG_MAX],
        len: 0,
    };

    let _ = write!(msg, "{}", info.message());
    if let Some(loc) = info.location() {
        let _ = write!(msg, " ({}:{})", loc.file(), loc.line());
    }
    msg.buf[msg.len] = 0;
    // SAFETY: the message is NUL-terminated; rex_panic() does not return.
    unsafe { crate::bindings::rex_panic(msg.buf.as_ptr() as *const core::ffi::c_char) }
}
