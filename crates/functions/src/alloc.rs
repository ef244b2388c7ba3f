//! The counting allocator that bounds a function's memory (see [`crate::Limits`]).
//!
//! boa has no heap limit, so the runtime measures what a function allocates itself: this wrapper
//! keeps, per thread, the bytes allocated less the bytes freed, and the engine reads the count
//! at each pause of its instruction budget. A function runs to completion on one thread (a boa
//! context never moves), so the count's growth over an invocation is what that invocation
//! holds. The process installs it as its global allocator:
//!
//! ```text
//! #[global_allocator]
//! static GLOBAL: cfconsole_functions::CountingAlloc<mimalloc::MiMalloc> =
//!     cfconsole_functions::CountingAlloc(mimalloc::MiMalloc);
//! ```
//!
//! Without it (a library's own tests), the bound is the engine's own limits only, and
//! [`installed`] says so.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Bytes this thread allocated less the bytes it freed (a free of memory another thread
    /// allocated makes it smaller than what the thread holds; only differences are read).
    static NET: Cell<i64> = const { Cell::new(0) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts, per thread, the bytes in use, around another allocator.
pub struct CountingAlloc<A>(pub A);

#[inline]
fn count(delta: i64) {
    // `try_with`: never panics, even while the thread's locals are torn down (the cell has no
    // destructor, so it stays readable then).
    let _ = NET.try_with(|n| n.set(n.get().wrapping_add(delta)));
}

// SAFETY: every call is forwarded unchanged to the inner allocator, which upholds the
// GlobalAlloc contract; the wrapper only adds to a thread-local counter, which never allocates
// and never unwinds.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// The bytes this thread holds, as counted (meaningful only as a difference).
pub fn thread_bytes() -> i64 {
    let n = NET.try_with(Cell::get).unwrap_or(0);
    if n != 0 {
        INSTALLED.store(true, Ordering::Relaxed);
    }
    n
}

/// Whether the counting allocator is the process's allocator (it has counted something).
pub fn installed() -> bool {
    thread_bytes();
    INSTALLED.load(Ordering::Relaxed)
}
