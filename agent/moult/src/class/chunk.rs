//! Chunks: the memory instances live in.
//!
//! A chunk is [`CHUNK`] bytes aligned to [`CHUNK`], allocated zeroed from
//! the app's allocator and never freed (classes live as long as the
//! process; a chunk's slots are reused). Its header holds the class, so an
//! instance finds its class by masking its own address (`addr & !(CHUNK-1)`)
//! and carries no class pointer; the slots after the header are the class's
//! table of instances, so a conversion enumerates a class by walking its
//! chunks, with no entry per instance anywhere else.
//!
//! A slot is free when its instance's state word ([`Inst::slot_state`]) says
//! [`FREE`]. Only the thread that owns a chunk ([`ChunkHead::owned`], see
//! `home.rs`) takes free slots, so taking one is a load and plain stores; any
//! thread frees one (the last handle's drop, or the last pin of the class:
//! `pin.rs`) with one release store.
//!
//! Pointers into a chunk keep the provenance of the whole allocation (they
//! are derived from it with `add`, and the header is reached with
//! `map_addr`), so Miri accepts the masking.

use std::alloc::{Layout, alloc_zeroed, handle_alloc_error};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};

use super::inst::Inst;
use super::record::ClassState;

/// Size and alignment of a chunk (smaller under Miri, which zeroes and
/// checks every byte).
pub(crate) const CHUNK: usize = if cfg!(miri) { 4096 } else { 64 * 1024 };

/// A slot whose instance state word is this holds no instance.
pub(crate) const FREE: u32 = 0;
/// A slot whose instance state word is this holds one (live or dying).
pub(crate) const TAKEN: u32 = 1;

/// What a chunk starts with.
#[repr(C)]
pub(crate) struct ChunkHead {
    /// The class (a `&'static ClassState<T>`, erased: the header is not
    /// generic so that a thread's home can give it back without knowing `T`).
    class: *const (),
    /// A thread takes slots from it (see `home.rs`).
    pub(crate) owned: AtomicBool,
    /// How many slots.
    slots: u32,
    /// Byte offset of slot 0.
    first: u32,
}

/// A chunk of class `T`'s instances (a pointer: copied freely).
pub(crate) struct Chunk<T: ?Sized + 'static> {
    head: NonNull<ChunkHead>,
    _t: PhantomData<*const Inst<T>>,
}

impl<T: ?Sized + 'static> Clone for Chunk<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized + 'static> Copy for Chunk<T> {}

// SAFETY: a chunk is shared by the threads using its class's instances; its
// header is immutable but for an atomic, and its slots are instances, shared
// as `InstRef`s are (values `Send + Sync`).
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for Chunk<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync + 'static> Sync for Chunk<T> {}

impl<T: ?Sized + 'static> Chunk<T> {
    /// Byte offset of slot 0: the header, rounded up to an instance's alignment.
    const FIRST: usize =
        std::mem::size_of::<ChunkHead>().next_multiple_of(std::mem::align_of::<Inst<T>>());
    /// Bytes per slot.
    const STRIDE: usize = std::mem::size_of::<Inst<T>>();

    /// A new chunk of `class`, every slot free, owned by the caller.
    pub(crate) fn new(class: &'static ClassState<T>) -> Chunk<T> {
        let layout = Layout::from_size_align(CHUNK, CHUNK).expect("chunk layout");
        // SAFETY: the layout has a non-zero size.
        let base = unsafe { alloc_zeroed(layout) };
        let Some(base) = NonNull::new(base) else {
            handle_alloc_error(layout)
        };
        let slots = ((CHUNK - Self::FIRST) / Self::STRIDE) as u32;
        let head = base.cast::<ChunkHead>();
        // SAFETY: fresh memory, aligned for the header, nobody else sees it.
        // Zeroed slots are free (state word 0, count 0).
        unsafe {
            head.write(ChunkHead {
                class: class as *const ClassState<T> as *const (),
                owned: AtomicBool::new(true),
                slots,
                first: Self::FIRST as u32,
            });
        }
        Chunk {
            head,
            _t: PhantomData,
        }
    }

    /// The chunk whose header is at `head`.
    ///
    /// # Safety
    /// `head` must come from [`Chunk::head`] of a chunk of class `T`.
    pub(crate) unsafe fn from_head(head: NonNull<ChunkHead>) -> Chunk<T> {
        Chunk {
            head,
            _t: PhantomData,
        }
    }

    /// Its header.
    pub(crate) fn head(self) -> NonNull<ChunkHead> {
        self.head
    }

    fn header(&self) -> &ChunkHead {
        // SAFETY: chunks are never freed; the header is initialised.
        unsafe { self.head.as_ref() }
    }

    /// How many slots.
    pub(crate) fn slots(self) -> u32 {
        self.header().slots
    }

    /// Slot `i` (below [`Chunk::slots`]).
    #[inline]
    pub(crate) fn slot(self, i: u32) -> NonNull<Inst<T>> {
        debug_assert!(i < self.slots());
        let offset = self.header().first as usize + i as usize * Self::STRIDE;
        // SAFETY: within the chunk's allocation (slots fit after `first`).
        unsafe { self.head.cast::<u8>().add(offset).cast() }
    }

    /// How many slots are free now.
    pub(crate) fn free_slots(self) -> u32 {
        (0..self.slots())
            .filter(|&i| {
                // SAFETY: a slot of a live chunk: its atomics are always
                // initialised (zeroed or written).
                let inst = unsafe { self.slot(i).as_ref() };
                inst.slot_state().load(Ordering::Acquire) == FREE
            })
            .count() as u32
    }

    /// Makes the caller its owner if nobody is; `true` if it did.
    pub(crate) fn try_own(self) -> bool {
        self.header()
            .owned
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// The chunk holding the instance at `inst` (a pointer derived from its
    /// chunk's allocation, as every `InstRef` is).
    #[inline]
    pub(crate) fn of(inst: NonNull<Inst<T>>) -> Chunk<T> {
        // A chunk's base is never address 0 (it is an allocation).
        let base = inst.map_addr(|a| {
            std::num::NonZeroUsize::new(a.get() & !(CHUNK - 1)).expect("a chunk's base")
        });
        Chunk {
            head: base.cast(),
            _t: PhantomData,
        }
    }

    /// The class its instances belong to.
    #[inline]
    pub(crate) fn class(self) -> &'static ClassState<T> {
        // SAFETY: `class` is the leaked `ClassState<T>` the chunk was made for.
        unsafe { &*self.header().class.cast::<ClassState<T>>() }
    }
}

/// Gives a chunk up: another thread may own it now.
pub(crate) fn disown(head: NonNull<ChunkHead>) {
    // SAFETY: chunks are never freed.
    unsafe { head.as_ref() }
        .owned
        .store(false, Ordering::Release);
}
