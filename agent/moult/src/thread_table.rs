//! Per-OS-thread activation counters of hot functions.
//!
//! Each thread owns a [`ThreadTable`]: for every hot function id, a pair of
//! monotonic counters (`entries`, `exits`) that only that thread writes, with
//! plain load+store (no read-modify-write, no shared cache line). An updater
//! reads them after a heavy fence (see `fence.rs`): `entries - exits` is the
//! live activation depth of the function on that thread, `entries` its calls.
//!
//! Async activations (`hot/future.rs`) begin on one thread and may end on
//! another: each thread counts the ones begun and the ones ended on it, and
//! only the sum over every thread, [`ThreadTables::async_in_flight`], is an
//! activation count. An exiting thread folds its pair into the registry
//! under the lock that sum is read under, so it is counted exactly once.
//!
//! The table is found by OS thread id in the runtime, so a library's copy of
//! moult (whose `thread_local!`s are its own) shares the app's table for the
//! same thread instead of hiding activations in a second one.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Counters per chunk; a chunk is allocated by its thread on first use.
const CHUNK: usize = 256;
/// Chunks per thread: up to `CHUNK * CHUNKS` hot functions.
const CHUNKS: usize = 64;
/// Largest number of hot functions a process may register.
pub(crate) const MAX_FUNCTIONS: u32 = (CHUNK * CHUNKS) as u32;

/// Entry/exit counters of one function on one thread.
#[derive(Default)]
pub(crate) struct Counter {
    /// Calls started (written only by the owning thread).
    entries: AtomicU64,
    /// Calls finished, normally or by unwinding (written only by the owning thread).
    exits: AtomicU64,
    /// Async activations begun on this thread (first polls; written only by
    /// the owning thread). Also async calls: they count as calls here.
    async_begun: AtomicU64,
    /// Async activations ended on this thread (futures dropped here),
    /// wherever they began (written only by the owning thread).
    async_ended: AtomicU64,
}

impl Counter {
    /// Owner only: a call starts. Not async-signal-safe: a signal handler
    /// making a hot call between the load and the store on the same thread
    /// loses an entry (hot calls from signal handlers are unsupported, see
    /// `#[moult::hot]`).
    #[inline(always)]
    pub(crate) fn enter(&self) {
        let n = self.entries.load(Ordering::Relaxed);
        self.entries.store(n + 1, Ordering::Relaxed);
    }

    /// Owner only: a call that found the entry gate closed takes its entry
    /// back (it did not run), so `entries` stays an exact call count.
    #[inline(always)]
    pub(crate) fn retreat(&self) {
        let n = self.entries.load(Ordering::Relaxed);
        self.entries.store(n - 1, Ordering::Release);
    }

    /// Owner only: a call ends. Release: an updater that sees the exit sees the call's effects.
    #[inline(always)]
    pub(crate) fn exit(&self) {
        let n = self.exits.load(Ordering::Relaxed);
        self.exits.store(n + 1, Ordering::Release);
    }

    /// Owner only: an async activation begins (its future's first poll).
    #[inline(always)]
    pub(crate) fn begin_async(&self) {
        let n = self.async_begun.load(Ordering::Relaxed);
        self.async_begun.store(n + 1, Ordering::Relaxed);
    }

    /// Owner only: an async call that found the gate closed takes its
    /// beginning back (as [`Counter::retreat`]).
    #[inline(always)]
    pub(crate) fn unbegin_async(&self) {
        let n = self.async_begun.load(Ordering::Relaxed);
        self.async_begun.store(n - 1, Ordering::Release);
    }

    /// Owner only: an async activation ends here (begun here or elsewhere).
    /// Release: an updater that sees the end sees the activation's effects,
    /// and its beginning, on whichever thread it was counted.
    #[inline(always)]
    pub(crate) fn end_async(&self) {
        let n = self.async_ended.load(Ordering::Relaxed);
        self.async_ended.store(n + 1, Ordering::Release);
    }

    /// Any thread: (live depth, calls). Reads `exits` first so `entries >= exits`.
    /// Calls include async calls begun on this thread; the depth is the
    /// sync calls' only (async activations have no thread of their own).
    pub(crate) fn read(&self) -> (u32, u64) {
        let exits = self.exits.load(Ordering::Acquire);
        let entries = self.entries.load(Ordering::Acquire);
        let async_calls = self.async_begun.load(Ordering::Acquire);
        (entries.saturating_sub(exits) as u32, entries + async_calls)
    }
}

type Chunk = [Counter; CHUNK];

/// One OS thread's counters.
pub(crate) struct ThreadTable {
    /// OS thread id (gettid), the key shared by every copy of moult.
    pub(crate) tid: i32,
    /// OS thread name at attach time (DSU threads carry their DSU name).
    pub(crate) name: String,
    /// Callers must fence themselves (no membarrier on this kernel).
    pub(crate) strong_fence: bool,
    /// Lazily allocated chunks of counters.
    chunks: [AtomicPtr<Chunk>; CHUNKS],
    /// How many copies of moult hold this table in a thread-local.
    holders: AtomicU32,
    /// Cleared when the thread exits; dead tables are dropped from the registry.
    alive: AtomicBool,
    /// The moult task this thread is polling now (null: none). Kept here,
    /// reached through the runtime, so the update points of every copy of
    /// moult see it (a thread-local would be one per copy). Only the owner
    /// thread reads or writes it.
    pub(crate) current_task: AtomicPtr<crate::task::TaskRecord>,
}

impl ThreadTable {
    fn new(tid: i32, name: String, strong_fence: bool) -> ThreadTable {
        ThreadTable {
            tid,
            name,
            strong_fence,
            chunks: [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS],
            holders: AtomicU32::new(0),
            alive: AtomicBool::new(true),
            current_task: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Owner only: the counter of function `id`, allocating its chunk on first use.
    #[inline(always)]
    pub(crate) fn counter(&self, id: u32) -> &Counter {
        match self.counter_if_allocated(id) {
            Some(counter) => counter,
            None => {
                let (c, i) = (id as usize / CHUNK, id as usize % CHUNK);
                // SAFETY: chunks are never freed while the table lives.
                unsafe { &(*self.alloc_chunk(c))[i] }
            }
        }
    }

    /// Owner only: the counter of function `id` if its chunk is allocated
    /// (a hot call's fastest path; [`ThreadTable::counter`] otherwise).
    #[inline(always)]
    pub(crate) fn counter_if_allocated(&self, id: u32) -> Option<&Counter> {
        let (c, i) = (id as usize / CHUNK, id as usize % CHUNK);
        let chunk = self.chunks.get(c)?.load(Ordering::Acquire);
        // SAFETY: chunks are never freed while the table lives.
        (!chunk.is_null()).then(|| unsafe { &(*chunk)[i] })
    }

    #[cold]
    fn alloc_chunk(&self, c: usize) -> *mut Chunk {
        let fresh: Box<Chunk> = Box::new(std::array::from_fn(|_| Counter::default()));
        let ptr = Box::into_raw(fresh);
        // Only the owner allocates, so a plain store publishes it.
        self.chunks[c].store(ptr, Ordering::Release);
        ptr
    }

    /// The function id whose counter `counter` is, if it is one of this
    /// table's (a scan of the chunks: for the cold paths).
    pub(crate) fn id_of(&self, counter: &Counter) -> Option<u32> {
        let at = counter as *const Counter as usize;
        self.chunks.iter().enumerate().find_map(|(c, chunk)| {
            let start = chunk.load(Ordering::Acquire) as usize;
            let offset = at.checked_sub(start)?;
            let i = offset / std::mem::size_of::<Counter>();
            (start != 0 && i < CHUNK).then_some((c * CHUNK + i) as u32)
        })
    }

    /// Any thread: (depth, calls) of function `id` here; zeros if never called.
    pub(crate) fn read(&self, id: u32) -> (u32, u64) {
        self.existing(id).map_or((0, 0), Counter::read)
    }
}

impl ThreadTable {
    /// Any thread: the counter of function `id`, if its chunk exists.
    fn existing(&self, id: u32) -> Option<&Counter> {
        let (c, i) = (id as usize / CHUNK, id as usize % CHUNK);
        let chunk = self
            .chunks
            .get(c)
            .map_or(std::ptr::null_mut(), |p| p.load(Ordering::Acquire));
        // SAFETY: published with Release by the owner, never freed while the table lives.
        (!chunk.is_null()).then(|| unsafe { &(*chunk)[i] })
    }

    /// Any thread: async activations of `id` ended on this thread.
    fn async_ended(&self, id: u32) -> u64 {
        self.existing(id)
            .map_or(0, |c| c.async_ended.load(Ordering::Acquire))
    }

    /// Any thread: async activations of `id` begun on this thread.
    fn async_begun(&self, id: u32) -> u64 {
        self.existing(id)
            .map_or(0, |c| c.async_begun.load(Ordering::Acquire))
    }

    /// Begun minus ended (wrapping) of every function this thread counted,
    /// for folding when it exits: `(id, net)` where `net != 0`.
    fn async_nets(&self) -> Vec<(u32, u64)> {
        let mut nets = Vec::new();
        for (c, chunk) in self.chunks.iter().enumerate() {
            let p = chunk.load(Ordering::Acquire);
            if p.is_null() {
                continue;
            }
            // SAFETY: published with Release by the owner, never freed while the table lives.
            for (i, counter) in unsafe { &*p }.iter().enumerate() {
                let net = counter
                    .async_begun
                    .load(Ordering::Acquire)
                    .wrapping_sub(counter.async_ended.load(Ordering::Acquire));
                if net != 0 {
                    nets.push(((c * CHUNK + i) as u32, net));
                }
            }
        }
        nets
    }
}

impl Drop for ThreadTable {
    fn drop(&mut self) {
        for chunk in &self.chunks {
            let p = chunk.load(Ordering::Acquire);
            if !p.is_null() {
                // SAFETY: allocated by `alloc_chunk` with Box::into_raw.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

/// The runtime's registry of per-thread tables.
#[derive(Default)]
pub(crate) struct ThreadTables {
    tables: Mutex<Tables>,
}

/// What [`ThreadTables`] guards: one lock, so an exiting thread's async
/// counts move from `live` to `retired_async` in one step for a reader.
#[derive(Default)]
struct Tables {
    /// Tables of live threads.
    live: Vec<Arc<ThreadTable>>,
    /// Per function id, the async activations begun minus ended (wrapping)
    /// on threads that have exited: an activation begun on an exited
    /// thread may still be running elsewhere.
    retired_async: Vec<u64>,
}

impl ThreadTables {
    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Live tables (a snapshot for scanning).
    pub(crate) fn all(&self) -> Vec<Arc<ThreadTable>> {
        self.lock().live.clone()
    }

    /// Async activations of function `id` running now, after the caller's
    /// heavy fence: every thread's ends first, then `fallback` (the
    /// function's shared counter for calls without a table), then every
    /// thread's beginnings. An end read means its beginning (before it, on
    /// whatever thread) is read too, so the sum never misses an activation;
    /// it may count one that is ending meanwhile, which the next check sees.
    pub(crate) fn async_in_flight(&self, id: u32, fallback: &AtomicU32) -> u32 {
        let tables = self.lock();
        let mut net = 0u64;
        for t in &tables.live {
            net = net.wrapping_sub(t.async_ended(id));
        }
        // The shared counter goes below zero when a tracked beginning ends
        // on a thread being torn down: read it as signed.
        net = net.wrapping_add(fallback.load(Ordering::SeqCst) as i32 as i64 as u64);
        for t in &tables.live {
            net = net.wrapping_add(t.async_begun(id));
        }
        if let Some(retired) = tables.retired_async.get(id as usize) {
            net = net.wrapping_add(*retired);
        }
        (net as i64).clamp(0, i64::from(u32::MAX)) as u32
    }

    /// Finds or creates the calling thread's table.
    fn attach_current(&self, strong_fence: bool) -> Arc<ThreadTable> {
        let tid = current_tid();
        let mut tables = self.lock();
        if let Some(t) = tables
            .live
            .iter()
            .find(|t| t.tid == tid && t.alive.load(Ordering::Acquire))
        {
            t.holders.fetch_add(1, Ordering::AcqRel);
            return t.clone();
        }
        // A library's copy of std does not know the names the app's gave
        // (a DSU thread rebooted onto a library main): ask the OS then.
        let name = std::thread::current()
            .name()
            .map(str::to_string)
            .or_else(|| os_thread_name().filter(|n| Some(n) != process_name()))
            .unwrap_or_else(|| format!("tid {tid}"));
        let table = Arc::new(ThreadTable::new(tid, name, strong_fence));
        table.holders.store(1, Ordering::Release);
        tables.live.push(table.clone());
        table
    }

    fn detach(&self, table: &Arc<ThreadTable>) {
        if table.holders.fetch_sub(1, Ordering::AcqRel) == 1 {
            table.alive.store(false, Ordering::Release);
            // Hand the exiting thread's call counts to the functions, so
            // their totals (and per-version calls) never go back.
            crate::runtime().functions.retire(|id| table.read(id).1);
            let mut tables = self.lock();
            // Under the lock `async_in_flight` reads under: the thread's
            // async counts leave `live` and join `retired_async` at once.
            for (id, net) in table.async_nets() {
                let retired = &mut tables.retired_async;
                if retired.len() <= id as usize {
                    retired.resize(id as usize + 1, 0);
                }
                retired[id as usize] = retired[id as usize].wrapping_add(net);
            }
            tables.live.retain(|t| !Arc::ptr_eq(t, table));
        }
    }
}

/// The calling thread's name as the OS knows it (at most 15 bytes on
/// Linux), if it has one: what a copy of `std` that did not create the
/// thread (an update library's) can still learn of its name.
pub(crate) fn os_thread_name() -> Option<String> {
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: the buffer is writable for its whole length, which is passed.
    let rc = unsafe { libc::pthread_getname_np(libc::pthread_self(), buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: on success the buffer holds a NUL-terminated string.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    let name = name.to_string_lossy();
    (!name.is_empty()).then(|| name.into_owned())
}

/// The process's name, which threads nobody named carry as their OS name.
fn process_name() -> Option<&'static String> {
    static NAME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        // Miri's isolation has no /proc: no name to compare with there.
        if cfg!(miri) {
            return None;
        }
        std::fs::read_to_string("/proc/self/comm")
            .ok()
            .map(|s| s.trim_end().to_string())
    })
    .as_ref()
}

/// The calling thread's OS id.
pub(crate) fn current_tid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

thread_local! {
    /// Fast-path pointer to this thread's table (const-initialised, no destructor,
    /// so reading it costs one TLS access). Null until attached, and again after
    /// the holder below is destroyed.
    static TABLE: Cell<*const ThreadTable> = const { Cell::new(std::ptr::null()) };
    /// Keeps the table alive and detaches it when the thread exits.
    static HOLDER: TableHolder = const { TableHolder(Cell::new(None)) };
}

struct TableHolder(Cell<Option<Arc<ThreadTable>>>);

impl Drop for TableHolder {
    fn drop(&mut self) {
        if let Some(table) = self.0.take() {
            let _ = TABLE.try_with(|t| t.set(std::ptr::null()));
            crate::runtime().tables.detach(&table);
        }
    }
}

/// The calling thread's table if it has one attached (one TLS load; a hot
/// call's fastest path: [`current_table`] attaches one otherwise).
#[inline(always)]
pub(crate) fn attached_table() -> Option<&'static ThreadTable> {
    let p = TABLE.try_with(Cell::get).unwrap_or(std::ptr::null());
    // SAFETY: as in `current_table`: non-null only while the holder keeps
    // the table alive.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// The calling thread's table, or `None` while the thread is being torn down
/// (its thread-locals destroyed): such late calls are counted on the
/// runtime's shared fallback counter instead.
#[inline(always)]
pub(crate) fn current_table() -> Option<&'static ThreadTable> {
    let p = TABLE.try_with(Cell::get).unwrap_or(std::ptr::null());
    if p.is_null() {
        attach_slow()
    } else {
        Some(unsafe { &*p })
    }
}

#[cold]
fn attach_slow() -> Option<&'static ThreadTable> {
    let rt = crate::runtime();
    HOLDER
        .try_with(|holder| {
            let table = rt.tables.attach_current(rt.fence.callers_need_fence());
            let ptr = Arc::as_ptr(&table);
            if let Some(old) = holder.0.replace(Some(table)) {
                rt.tables.detach(&old);
            }
            TABLE.with(|t| t.set(ptr));
            // SAFETY: the holder keeps the Arc alive until this thread's
            // thread-locals are destroyed, and it nulls TABLE first.
            unsafe { &*ptr }
        })
        .ok()
}
