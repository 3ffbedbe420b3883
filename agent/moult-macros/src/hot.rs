//! `#[moult::hot]` on a free function.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ItemFn, parse2};

use crate::signature;

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[moult::hot] takes no arguments",
        ));
    }
    let func: ItemFn = parse2(item)?;
    if cfg!(feature = "static") {
        return Ok(quote!(#func));
    }
    signature::check(&func.sig)?;
    if let Some(syn::FnArg::Receiver(r)) = func.sig.inputs.first() {
        return Err(syn::Error::new_spanned(
            r,
            "#[moult::hot] on a method: put #[moult::hot_impl] on the impl block and #[hot] on the method",
        ));
    }
    if func.sig.asyncness.is_some() {
        return expand_async(func);
    }
    let name = &func.sig.ident;
    let fn_ty = signature::fn_pointer_type(&func.sig, None)?;
    let static_name = format_ident!("__moult_hot_{}", name);
    let v0_name = format_ident!("__moult_v0_{}", name);
    let vis = &func.vis;
    let attrs = &func.attrs;
    let block = &func.block;

    let mut v0_sig = func.sig.clone();
    v0_sig.ident = v0_name.clone();
    let (wrapper_sig, args) = signature::forwarding(&func.sig);
    let name_str = name.to_string();

    let stat = signature::hot_static(
        vis,
        &static_name,
        &fn_ty,
        &name_str,
        &quote!(#v0_name),
        &func.sig,
    );
    Ok(quote! {
        #stat

        /// The compiled-in version (version 0) of the hot function.
        #[doc(hidden)]
        #[allow(clippy::too_many_arguments)]
        #v0_sig #block

        #(#attrs)*
        #[inline]
        #vis #wrapper_sig {
            #static_name.call_v0(#v0_name as _, |__moult_f| __moult_f(#(#args),*))
        }
    })
}

/// `#[moult::hot]` on an `async fn`: the slot holds a fn returning the
/// version's boxed future; the wrapper stays an `async fn` of the same
/// signature and awaits version 0 without boxing it.
fn expand_async(func: ItemFn) -> syn::Result<TokenStream> {
    let name = &func.sig.ident;
    let fn_ty = signature::async_fn_pointer_type(&func.sig, None)?;
    let static_name = format_ident!("__moult_hot_{}", name);
    let v0_name = format_ident!("__moult_v0_{}", name);
    let shim_name = format_ident!("__moult_v0box_{}", name);
    let vis = &func.vis;
    let attrs = &func.attrs;
    let block = &func.block;
    let mut v0_sig = func.sig.clone();
    v0_sig.ident = v0_name.clone();
    let (wrapper_sig, args) = signature::forwarding(&func.sig);
    let name_str = name.to_string();
    let shim = signature::async_boxing_shim(
        &func.sig,
        None,
        &syn::Visibility::Inherited,
        &shim_name,
        &quote!(#v0_name),
    )?;
    let body = signature::async_wrapper_body(
        &quote!(#static_name),
        &quote!(#shim_name),
        &fn_ty,
        &quote!(#v0_name),
        &args,
    );
    let stat = signature::hot_static(
        vis,
        &static_name,
        &fn_ty,
        &name_str,
        &quote!(#shim_name),
        &func.sig,
    );
    Ok(quote! {
        #stat

        /// The compiled-in version (version 0) of the hot function.
        #[doc(hidden)]
        #[allow(clippy::too_many_arguments)]
        #v0_sig #block

        #[doc(hidden)]
        #shim

        #(#attrs)*
        #vis #wrapper_sig #body
    })
}
