//! Calls that cross from one copy of `std` to another.
//!
//! The app and every update library link their own copy of `std`, and a
//! panic can only be caught by the copy that raised it: a panic unwinding
//! from a library's code into an app's `catch_unwind` (or into the catch a
//! std thread has at its start) is a *foreign* exception there, and the
//! process aborts (docs/ARCHITECTURE.md, "panics across std copies").
//!
//! So wherever code of one copy calls code of another through a pointer
//! moult handed over (a hot function's version, an undo closure, a hold),
//! the callee's copy catches the panic ([`StdCopy::catch`]) and the caller's
//! copy raises it again ([`call_in`]) with the original payload: the
//! caller's `catch_unwind`, thread join or task sees an ordinary panic with
//! the original message. The callee's panic hook already printed the message
//! and its location; `resume_unwind` does not print it a second time.

use std::any::Any;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A panic's payload, as `catch_unwind` hands it out.
pub type Payload = Box<dyn Any + Send + 'static>;

/// A copy's catch: runs `run(data)` under that copy's `catch_unwind`.
type Catch = unsafe fn(run: unsafe fn(*mut u8), data: *mut u8) -> Option<Payload>;

/// One copy of `std` (and of moult): the app's, or an update library's.
///
/// Each copy has exactly one, [`THIS_COPY`]; comparing addresses tells
/// whether code belongs to the calling copy.
pub struct StdCopy {
    /// Runs `run(data)` under *this* copy's `catch_unwind`; a panic comes
    /// back as its payload. Plain pointers rather than a `dyn FnMut`: one
    /// indirect call less on every call of another copy's hot function.
    catch: Catch,
}

/// This copy's identity (a static per image: its address tells copies apart).
pub static THIS_COPY: StdCopy = StdCopy { catch: catch_here };

/// A stand-in for another copy of `std`, for benches and tests that run in
/// one process: a version it owns is called the way a library's version is
/// (through [`call_in`] and a copy's catch, the same code a library runs).
#[doc(hidden)]
pub static STAND_IN_COPY: StdCopy = StdCopy { catch: catch_here };

/// # Safety
/// `run` must be safe to call with `data`.
unsafe fn catch_here(run: unsafe fn(*mut u8), data: *mut u8) -> Option<Payload> {
    // SAFETY: the caller's contract.
    catch_unwind(AssertUnwindSafe(|| unsafe { run(data) })).err()
}

impl StdCopy {
    /// `true` for the copy this code was compiled into.
    #[inline(always)]
    pub fn is_this(&'static self) -> bool {
        std::ptr::eq(self, &THIS_COPY)
    }
}

/// Runs `f` (which calls into `owner`'s code) so that a panic raised there is
/// caught by `owner`'s `std` and raised again in this copy's.
#[inline(never)]
pub(crate) fn call_in<R>(owner: &'static StdCopy, f: impl FnOnce() -> R) -> R {
    match catch_in(owner, f) {
        Ok(r) => r,
        Err(payload) => resume_unwind(payload),
    }
}

/// Runs `f` under `owner`'s `catch_unwind`; a panic comes back as its payload.
#[inline(always)]
pub(crate) fn catch_in<R, F: FnOnce() -> R>(owner: &'static StdCopy, f: F) -> Result<R, Payload> {
    /// `f` going in, its result coming out.
    union Slot<F, R> {
        f: ManuallyDrop<F>,
        r: ManuallyDrop<R>,
    }
    /// # Safety
    /// `data` points to a `Slot` holding `f`; on return it holds the result.
    unsafe fn run<F: FnOnce() -> R, R>(data: *mut u8) {
        // SAFETY: the contract above; `f` is taken exactly once.
        unsafe {
            let slot = &mut *data.cast::<Slot<F, R>>();
            let f = ManuallyDrop::take(&mut slot.f);
            slot.r = ManuallyDrop::new(f());
        }
    }
    let mut slot = Slot::<F, R> {
        f: ManuallyDrop::new(f),
    };
    // SAFETY: `run::<F, R>` matches the slot; if `f` panics it was moved out
    // (and dropped by the unwind) before, so neither field is live after.
    match unsafe { (owner.catch)(run::<F, R>, (&raw mut slot).cast()) } {
        // SAFETY: `run` returned, so it wrote the result.
        None => Ok(ManuallyDrop::into_inner(unsafe { slot.r })),
        Some(payload) => Err(payload),
    }
}

/// The address range of this copy's image (executable or shared object):
/// a fn pointer inside it is this copy's code. Empty until
/// [`Copies::register_this`] measured it (the runtime does it when it starts,
/// a library's entry before any of its code runs); while empty every call
/// takes the slower path, which is right for every version.
static THIS_IMAGE: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// This copy's image, `(start, end)`; `(0, 0)` until measured. Hot
/// functions' statics cache it beside their resolved core (`hot/call.rs`).
pub(crate) fn this_image() -> (usize, usize) {
    (
        THIS_IMAGE[0].load(Ordering::Relaxed),
        THIS_IMAGE[1].load(Ordering::Relaxed),
    )
}

/// `true` if the code at `f` belongs to this copy's image (so a panic there
/// is this copy's to catch).
#[cfg(test)]
fn is_own_code(f: *const ()) -> bool {
    let (start, end) = this_image();
    (f as usize).wrapping_sub(start) < end.wrapping_sub(start)
}

/// The copies of `std` in this process, by the base address of their image,
/// so a function pointer handed over can be traced to the copy that
/// compiled it (see [`Copies::owner_of`]).
#[derive(Default)]
pub(crate) struct Copies {
    known: Mutex<Vec<(usize, &'static StdCopy)>>,
}

impl Copies {
    /// Records the calling copy (idempotent), and measures its image for
    /// [`is_own_code`].
    pub(crate) fn register_this(&self) {
        if let Some((start, end)) = image_extent(&THIS_COPY as *const StdCopy as *const ()) {
            THIS_IMAGE[0].store(start, Ordering::Relaxed);
            THIS_IMAGE[1].store(end, Ordering::Relaxed);
        }
        let base = image_base(&THIS_COPY as *const StdCopy as *const ());
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if !known.iter().any(|&(_, c)| std::ptr::eq(c, &THIS_COPY)) {
            known.push((base, &THIS_COPY));
        }
    }

    /// The copy whose image holds the code at `f`: the calling copy when the
    /// address is its own or unknown.
    pub(crate) fn owner_of(&self, f: *const ()) -> &'static StdCopy {
        let base = image_base(f);
        if base != 0 {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(&(_, copy)) = known.iter().find(|&&(b, _)| b == base) {
                return copy;
            }
        }
        &THIS_COPY
    }
}

/// Base address of the loaded image (executable or shared object) holding
/// `addr`, or 0 when the dynamic loader does not know it.
fn image_base(addr: *const ()) -> usize {
    #[cfg(miri)]
    {
        let _ = addr;
        0
    }
    #[cfg(not(miri))]
    {
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        // SAFETY: dladdr only reads the address and fills `info`.
        let found = unsafe { libc::dladdr(addr.cast(), &mut info) };
        if found == 0 {
            0
        } else {
            info.dli_fbase as usize
        }
    }
}

/// The lowest and highest address of the loadable segments of the image
/// holding `addr`, or `None` when the dynamic loader does not know it.
fn image_extent(addr: *const ()) -> Option<(usize, usize)> {
    #[cfg(miri)]
    {
        let _ = addr;
        None
    }
    #[cfg(not(miri))]
    {
        struct Search {
            addr: usize,
            found: Option<(usize, usize)>,
        }
        unsafe extern "C" fn visit(
            info: *mut libc::dl_phdr_info,
            _size: libc::size_t,
            data: *mut libc::c_void,
        ) -> libc::c_int {
            // SAFETY: `data` is the `Search` passed below; `info` and its
            // program headers are valid for the duration of the callback.
            let (search, info) = unsafe { (&mut *data.cast::<Search>(), &*info) };
            let headers = if info.dlpi_phdr.is_null() {
                &[][..]
            } else {
                // SAFETY: as above, `dlpi_phnum` headers at `dlpi_phdr`.
                unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) }
            };
            let base = info.dlpi_addr as usize;
            let (mut lo, mut hi) = (usize::MAX, 0);
            for h in headers.iter().filter(|h| h.p_type == libc::PT_LOAD) {
                lo = lo.min(base + h.p_vaddr as usize);
                hi = hi.max(base + (h.p_vaddr + h.p_memsz) as usize);
            }
            if (lo..hi).contains(&search.addr) {
                search.found = Some((lo, hi));
                return 1;
            }
            0
        }
        let mut search = Search {
            addr: addr as usize,
            found: None,
        };
        // SAFETY: the callback only reads what the loader hands it.
        unsafe { libc::dl_iterate_phdr(Some(visit), (&raw mut search).cast()) };
        search.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_caught_in_a_copy_comes_back_with_its_payload() {
        let n = std::hint::black_box(7);
        let caught = catch_in(&THIS_COPY, || -> u32 { panic!("boom {n}") });
        let payload = caught.expect_err("it panicked");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("boom 7")
        );
        assert_eq!(catch_in(&THIS_COPY, || 5).ok(), Some(5));
    }

    #[test]
    fn call_in_raises_the_same_payload_again() {
        let r = std::panic::catch_unwind(|| call_in(&THIS_COPY, || std::panic::panic_any(42u8)));
        assert_eq!(r.expect_err("re-raised").downcast_ref::<u8>(), Some(&42));
    }

    #[test]
    fn own_code_belongs_to_this_copy() {
        let copies = Copies::default();
        copies.register_this();
        let f: Catch = catch_here;
        assert!(copies.owner_of(f as *const ()).is_this());
        #[cfg(not(miri))]
        {
            assert!(is_own_code(f as *const ()), "a function of this image");
            assert!(
                !is_own_code(libc::getpid as *const ()),
                "libc's code is not"
            );
        }
    }
}
