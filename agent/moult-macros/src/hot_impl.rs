//! `#[moult::hot_impl]` on an inherent impl block, with `#[hot]` methods.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ImplItem, ItemImpl, Type, parse2};

use crate::signature;

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[moult::hot_impl] takes no arguments",
        ));
    }
    let mut imp: ItemImpl = parse2(item)?;
    if let Some((_, path, _)) = &imp.trait_ {
        return Err(syn::Error::new_spanned(
            path,
            "#[moult::hot_impl] works on inherent impls only; make the trait method call a hot inherent method",
        ));
    }
    if !imp.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &imp.generics,
            "#[moult::hot_impl] cannot be used on a generic impl",
        ));
    }
    let self_ty = (*imp.self_ty).clone();
    let type_ident = match &self_ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    }
    .ok_or_else(|| {
        syn::Error::new_spanned(&self_ty, "#[moult::hot_impl] needs a plain type name")
    })?;
    for seg in match &self_ty {
        Type::Path(p) => p.path.segments.iter(),
        _ => unreachable!("checked above"),
    } {
        if !seg.arguments.is_empty() {
            return Err(syn::Error::new_spanned(
                seg,
                "#[moult::hot_impl] cannot be used on a generic type",
            ));
        }
    }

    let mut statics = Vec::new();
    let mut new_items = Vec::new();
    for item in std::mem::take(&mut imp.items) {
        let ImplItem::Fn(mut method) = item else {
            new_items.push(item);
            continue;
        };
        let before = method.attrs.len();
        method.attrs.retain(|a| !a.path().is_ident("hot"));
        if method.attrs.len() == before || cfg!(feature = "static") {
            new_items.push(ImplItem::Fn(method));
            continue;
        }
        signature::check(&method.sig)?;
        if method.sig.asyncness.is_some() {
            let (items, stat) = async_method(method, &self_ty, &type_ident)?;
            new_items.extend(items);
            statics.push(stat);
            continue;
        }
        let name = &method.sig.ident;
        let fn_ty = signature::fn_pointer_type(&method.sig, Some(&self_ty))?;
        let static_name = format_ident!("__moult_hot_{}_{}", type_ident, name);
        let v0_name = format_ident!("__moult_v0_{}", name);
        let vis = &method.vis;
        let full_name = format!("{type_ident}::{name}");

        let mut v0 = method.clone();
        v0.sig.ident = v0_name.clone();
        v0.vis = syn::Visibility::Inherited;
        v0.attrs = vec![syn::parse_quote!(#[doc(hidden)])];
        let (wrapper_sig, args) = signature::forwarding(&method.sig);
        let attrs = &method.attrs;
        let wrapper: ImplItem = syn::parse_quote! {
            #(#attrs)*
            #[inline]
            #vis #wrapper_sig {
                #static_name.call_v0(<#self_ty>::#v0_name as _, |__moult_f| __moult_f(#(#args),*))
            }
        };
        new_items.push(ImplItem::Fn(v0));
        new_items.push(wrapper);
        statics.push(signature::hot_static(
            vis,
            &static_name,
            &fn_ty,
            &full_name,
            &quote!(<#self_ty>::#v0_name),
            &method.sig,
        ));
    }
    imp.items = new_items;
    Ok(quote! {
        #imp
        #(#statics)*
    })
}

/// A `#[hot] async fn` method: version 0, its boxing shim and the wrapper
/// as impl items, and the static beside the impl.
fn async_method(
    method: syn::ImplItemFn,
    self_ty: &Type,
    type_ident: &syn::Ident,
) -> syn::Result<(Vec<ImplItem>, TokenStream)> {
    let name = &method.sig.ident;
    let fn_ty = signature::async_fn_pointer_type(&method.sig, Some(self_ty))?;
    let static_name = format_ident!("__moult_hot_{}_{}", type_ident, name);
    let v0_name = format_ident!("__moult_v0_{}", name);
    let shim_name = format_ident!("__moult_v0box_{}", name);
    let vis = &method.vis;
    let full_name = format!("{type_ident}::{name}");

    let mut v0 = method.clone();
    v0.sig.ident = v0_name.clone();
    v0.vis = syn::Visibility::Inherited;
    v0.attrs = vec![syn::parse_quote!(#[doc(hidden)])];
    let shim = signature::async_boxing_shim(
        &method.sig,
        Some(self_ty),
        &syn::Visibility::Inherited,
        &shim_name,
        &quote!(<#self_ty>::#v0_name),
    )?;
    let shim: ImplItem = syn::parse2(quote!(#[doc(hidden)] #shim))?;
    let (wrapper_sig, args) = signature::forwarding(&method.sig);
    let body = signature::async_wrapper_body(
        &quote!(#static_name),
        &quote!(<#self_ty>::#shim_name),
        &fn_ty,
        &quote!(<#self_ty>::#v0_name),
        &args,
    );
    let attrs = &method.attrs;
    let wrapper: ImplItem = syn::parse_quote! {
        #(#attrs)*
        #vis #wrapper_sig #body
    };
    let stat = signature::hot_static(
        vis,
        &static_name,
        &fn_ty,
        &full_name,
        &quote!(<#self_ty>::#shim_name),
        &method.sig,
    );
    Ok((vec![ImplItem::Fn(v0), shim, wrapper], stat))
}
