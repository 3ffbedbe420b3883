//! `#[moult::update_library]`: the exported entry and fingerprint of an update crate.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, parse2};

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[moult::update_library] takes no arguments",
        ));
    }
    let func: ItemFn = parse2(item)?;
    if !func.sig.inputs.is_empty() || !func.sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &func.sig,
            "#[moult::update_library] expects `fn() -> Result<Vec<Box<dyn moult::Update>>, moult::UpdateError>`",
        ));
    }
    let name = &func.sig.ident;
    Ok(quote! {
        #func

        /// Build fingerprint, read by the app's loader from the file before `dlopen`.
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        #[unsafe(link_section = ".moult_update")]
        #[used]
        pub static MOULT_UPDATE_FINGERPRINT: [u8; ::moult::__private::FINGERPRINT_LEN] =
            ::moult::__private::LIBRARY_FINGERPRINT_BYTES;

        /// The library allocates through the app's global allocator (the
        /// fingerprint above says so: `alloc=host`).
        #[global_allocator]
        static MOULT_HOST_ALLOC: ::moult::__private::HostAlloc = ::moult::__private::HostAlloc;

        /// Entry called by the app's loader (see `moult::library::entry`).
        ///
        /// # Safety
        /// Only the moult loader may call it, with its runtime and an output slot.
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn moult_update_entry(
            host: *const ::moult::Runtime,
            out: *mut ::moult::__private::EntryOut,
        ) -> ::moult::__private::EntryStatus {
            let user: fn() -> ::core::result::Result<
                ::std::vec::Vec<::std::boxed::Box<dyn ::moult::Update>>,
                ::moult::UpdateError,
            > = #name;
            // SAFETY: forwarded contract of this function.
            unsafe { ::moult::__private::run_entry(host, out, user) }
        }
    })
}
