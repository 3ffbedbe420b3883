//! A hot function's source facts, captured where `#[moult::hot]` expands
//! (in the app's crate, so `env!` reads the app's package): its types as
//! written and the package defining it. The snapshot reports them
//! ([`moult_protocol::FnSource`]) so an update crate scaffolded from the
//! live app lists exact signatures.

use moult_protocol::FnSource;

/// What the macro knew at compile time. Generated code builds one per hot
/// function, in a `static` beside the function's [`HotFn`](super::HotFn).
#[doc(hidden)]
#[derive(Debug)]
pub struct HotFnSource {
    /// The slot's fn-pointer type as the macro wrote it from the source.
    pub fn_type: &'static str,
    /// The function's declaration as written (without body or attributes).
    pub declared: &'static str,
    /// `CARGO_PKG_NAME` of the crate holding the function.
    pub package: &'static str,
    /// `CARGO_MANIFEST_DIR` of that crate.
    pub manifest_dir: &'static str,
    /// `CARGO_BIN_NAME` when the function was compiled into a binary
    /// target: no update crate can depend on it, so the scaffold says to
    /// look it up by name.
    pub binary: Option<&'static str>,
}

impl HotFnSource {
    /// The wire form.
    pub(crate) fn info(&self) -> FnSource {
        FnSource {
            fn_type: self.fn_type.into(),
            declared: self.declared.into(),
            package: self.package.into(),
            manifest_dir: self.manifest_dir.into(),
            binary: self.binary.map(Into::into),
        }
    }
}
