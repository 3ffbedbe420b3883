//! Procedural macros of moult. Use them through the `moult` crate
//! (`#[moult::hot]`, `#[moult::hot_impl]`, `moult::hot_fn!`,
//! `#[moult::update_library]`): the generated code names `::moult`.

use proc_macro::TokenStream;

mod async_version;
mod hot;
mod hot_fn;
mod hot_impl;
mod signature;
mod update_library;
mod written;

/// Makes a free function hot: calls go through a slot holding its current
/// version, which updates can swap (`moult::update::SafeRedefine`).
///
/// ```ignore
/// #[moult::hot]
/// pub fn hello(name: &str) -> String { format!("hello {name}") }
/// ```
///
/// Generates, beside the function, a static `__moult_hot_<name>` (a
/// `moult::HotFn` named `module_path::name`) registered at startup; refer to
/// it from update code with `moult::hot_fn!(path::to::hello)`. Generic,
/// `async`, `const` and variadic functions are refused (a fn pointer must be
/// able to hold every version); lifetime parameters are fine.
///
/// # Not from signal handlers
///
/// Calling a hot function from a signal handler is not supported: the
/// calling thread's activation counter is bumped with a plain load and
/// store (no atomic read-modify-write, which keeps calls cheap), so a
/// handler interrupting a hot call on the same thread can lose one entry
/// or exit, and a thread's first hot call allocates its counters.
#[proc_macro_attribute]
pub fn hot(attr: TokenStream, item: TokenStream) -> TokenStream {
    hot::expand(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Makes the methods marked `#[hot]` inside an inherent `impl` block hot
/// (Pymoult's `SafeRedefineMethodUpdate`).
///
/// ```ignore
/// #[moult::hot_impl]
/// impl Serie {
///     #[hot]
///     pub fn display(&self) -> String { /* ... */ }
/// }
/// ```
///
/// Each hot method gets a static `__moult_hot_<Type>_<method>` beside the
/// impl, named `module_path::Type::method`; its fn type takes the receiver as
/// first argument (`fn(&Serie) -> String`).
#[proc_macro_attribute]
pub fn hot_impl(attr: TokenStream, item: TokenStream) -> TokenStream {
    hot_impl::expand(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Turns an `async fn` into a new version for an async hot function: a fn
/// of the slot's type, returning the future boxed (and `Send`), so it can be
/// passed to `SafeRedefine::new` or `ctx.redefine` as a sync version is.
///
/// ```ignore
/// #[moult::async_version]
/// async fn lookup_v2(store: &Store, key: &str) -> String { .. }
/// // then: SafeRedefine::new(moult::hot_fn!(app::lookup)?, lookup_v2)
/// ```
///
/// A new version of a hot async *method* is a free fn taking the receiver
/// as its first argument (`this: &Type`).
#[proc_macro_attribute]
pub fn async_version(attr: TokenStream, item: TokenStream) -> TokenStream {
    async_version::expand(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// The app's registered hot function at a Rust path, as a typed
/// `Result<moult::Func<F>, moult::Error>`: `hot_fn!(app::hello)` for a free
/// function, `hot_fn!(app::Serie::display)` for a method (a segment starting
/// with an upper-case letter before the last one is taken as the type).
///
/// From an update library this resolves to the app's function, never to the
/// library's duplicated static.
#[proc_macro]
pub fn hot_fn(item: TokenStream) -> TokenStream {
    hot_fn::expand(item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Turns a function `fn() -> Result<Vec<Box<dyn moult::Update>>, moult::UpdateError>`
/// of a `cdylib` crate into the library's moult entry, and exports the
/// library's build fingerprint. Use it once per update crate.
#[proc_macro_attribute]
pub fn update_library(attr: TokenStream, item: TokenStream) -> TokenStream {
    update_library::expand(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}
