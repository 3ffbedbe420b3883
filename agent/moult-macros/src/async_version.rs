//! `#[moult::async_version]`: an `async fn` written as a new version of an
//! async hot function, turned into a fn of the slot's type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ItemFn, parse2};

use crate::signature;

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[moult::async_version] takes no arguments",
        ));
    }
    let func: ItemFn = parse2(item)?;
    if func.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            func.sig.fn_token,
            "#[moult::async_version] is for an `async fn` (a sync new version is a plain fn)",
        ));
    }
    signature::check(&func.sig)?;
    if let Some(syn::FnArg::Receiver(r)) = func.sig.inputs.first() {
        return Err(syn::Error::new_spanned(
            r,
            "a new version of a hot method is a free fn taking the receiver as its first argument (`this: &Type`)",
        ));
    }
    let name = func.sig.ident.clone();
    let body_name = format_ident!("__moult_async_body_{}", name);
    let mut body = func.clone();
    body.sig.ident = body_name.clone();
    body.vis = syn::Visibility::Inherited;
    body.attrs.retain(|a| !a.path().is_ident("doc"));
    let shim =
        signature::async_boxing_shim(&func.sig, None, &func.vis, &name, &quote!(#body_name))?;
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc"));
    Ok(quote! {
        #[doc(hidden)]
        #body

        #(#docs)*
        #shim
    })
}
