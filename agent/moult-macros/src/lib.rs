//! Procedural macros of moult.
use proc_macro::TokenStream;

/// Marks a function hot.
#[proc_macro_attribute]
pub fn hot(_a: TokenStream, i: TokenStream) -> TokenStream {
    i
}
/// Marks hot methods of an impl.
#[proc_macro_attribute]
pub fn hot_impl(_a: TokenStream, i: TokenStream) -> TokenStream {
    i
}
/// Makes an update library entry.
#[proc_macro_attribute]
pub fn update_library(_a: TokenStream, i: TokenStream) -> TokenStream {
    i
}
/// Refers to a hot function's static.
#[proc_macro]
pub fn hot_fn(i: TokenStream) -> TokenStream {
    i
}
