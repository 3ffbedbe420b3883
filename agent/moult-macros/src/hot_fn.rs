//! `moult::hot_fn!(path)`: the registered hot function behind a Rust path.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Path, parse2};

pub fn expand(item: TokenStream) -> syn::Result<TokenStream> {
    let mut path: Path = parse2(item)?;
    let n = path.segments.len();
    let last = path.segments[n - 1].ident.clone();
    let is_method = n >= 2
        && path.segments[n - 2]
            .ident
            .to_string()
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
    if is_method {
        let ty = path.segments[n - 2].ident.clone();
        path.segments.pop();
        path.segments.pop();
        path.segments
            .push(format_ident!("__moult_hot_{}_{}", ty, last).into());
    } else {
        path.segments.pop();
        path.segments
            .push(format_ident!("__moult_hot_{}", last).into());
    }
    // `pop` leaves a trailing `::` punctuation; rebuilding via push keeps it consistent.
    Ok(quote!(#path.func()))
}
