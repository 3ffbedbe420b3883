//! Turning a function signature into the fn-pointer type of a hot function.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{FnArg, GenericParam, Ident, Pat, Signature, Type};

/// Refuses what a fn pointer cannot hold, with a message saying why. An
/// `async fn` passes: its slot holds a fn returning a boxed future
/// ([`async_fn_pointer_type`]).
pub fn check(sig: &Signature) -> syn::Result<()> {
    let refuse = |span: &dyn quote::ToTokens, what: &str| {
        Err(syn::Error::new_spanned(
            span,
            format!(
                "#[moult::hot] cannot make {what} hot: every version must fit one fn pointer type"
            ),
        ))
    };
    if let (Some(_), Some(u)) = (&sig.asyncness, &sig.unsafety) {
        return refuse(u, "an unsafe async fn");
    }
    if let (Some(_), Some(abi)) = (&sig.asyncness, &sig.abi) {
        return refuse(abi, "an async fn with an ABI");
    }
    if let Some(c) = &sig.constness {
        return refuse(c, "a const fn");
    }
    if let Some(v) = &sig.variadic {
        return refuse(v, "a variadic fn");
    }
    for p in &sig.generics.params {
        if !matches!(p, GenericParam::Lifetime(_)) {
            return refuse(p, "a generic fn (type or const parameters)");
        }
    }
    if let Some(w) = &sig.generics.where_clause {
        return refuse(w, "a fn with a where clause");
    }
    for arg in &sig.inputs {
        if let FnArg::Typed(t) = arg
            && contains_impl_trait(&t.ty)
        {
            return refuse(&t.ty, "a fn with `impl Trait` arguments");
        }
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output
        && contains_impl_trait(ty)
    {
        return refuse(ty, "a fn returning `impl Trait`");
    }
    Ok(())
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl VisitMut for Finder {
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    f.visit_type_mut(&mut ty.clone());
    f.0
}

/// Replaces every `Self` in a type with the impl's self type.
struct ReplaceSelf<'a>(&'a Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.is_ident("Self")
        {
            *ty = self.0.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// The argument types of `sig`: the receiver first, `Self` replaced by
/// `self_ty`.
fn input_types(sig: &Signature, self_ty: Option<&Type>) -> syn::Result<Vec<Type>> {
    let mut inputs = Vec::new();
    for arg in &sig.inputs {
        let mut ty = match arg {
            FnArg::Receiver(r) => {
                let self_ty = self_ty.ok_or_else(|| {
                    syn::Error::new_spanned(
                        r,
                        "a method with `self` must be in a #[moult::hot_impl] impl block",
                    )
                })?;
                let mut ty = (*r.ty).clone();
                ReplaceSelf(self_ty).visit_type_mut(&mut ty);
                ty
            }
            FnArg::Typed(t) => (*t.ty).clone(),
        };
        if let Some(self_ty) = self_ty {
            ReplaceSelf(self_ty).visit_type_mut(&mut ty);
        }
        inputs.push(ty);
    }
    Ok(inputs)
}

/// The fn-pointer type of `sig` (receiver first, `Self` replaced by `self_ty`).
pub fn fn_pointer_type(sig: &Signature, self_ty: Option<&Type>) -> syn::Result<TokenStream> {
    let inputs = input_types(sig, self_ty)?;
    let output = match &sig.output {
        syn::ReturnType::Default => quote!(),
        syn::ReturnType::Type(arrow, ty) => {
            let mut ty = (**ty).clone();
            if let Some(self_ty) = self_ty {
                ReplaceSelf(self_ty).visit_type_mut(&mut ty);
            }
            quote!(#arrow #ty)
        }
    };
    let unsafety = &sig.unsafety;
    let abi = &sig.abi;
    let lifetimes: Vec<_> = sig.generics.lifetimes().map(|l| &l.lifetime).collect();
    let for_lt = if lifetimes.is_empty() {
        quote!()
    } else {
        quote!(for<#(#lifetimes),*>)
    };
    Ok(quote!(#for_lt #unsafety #abi fn(#(#inputs),*) #output))
}

/// Argument names for the wrapper (`self` kept, patterns replaced by `__moult_argN`),
/// and the signature rewritten to use them.
pub fn forwarding(sig: &Signature) -> (Signature, Vec<TokenStream>) {
    let mut sig = sig.clone();
    let mut names = Vec::new();
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(_) => names.push(quote!(self)),
            FnArg::Typed(t) => {
                let name: Ident = format_ident!("__moult_arg{i}");
                *t.pat = Pat::Verbatim(quote!(#name));
                names.push(quote!(#name));
            }
        }
    }
    (sig, names)
}

/// The one lifetime every borrow of an async hot function's arguments is
/// given in its slot's type: a version's boxed future borrows them all.
const ASYNC_LIFETIME: &str = "'__moult";

/// Gives every lifetime of a type (elided, `'_` or named, but `'static`)
/// the one lifetime of [`ASYNC_LIFETIME`].
struct OneLifetime;

impl VisitMut for OneLifetime {
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident != "static" {
            *l = syn::Lifetime::new(ASYNC_LIFETIME, l.span());
        }
    }
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some(syn::Lifetime::new(ASYNC_LIFETIME, r.and_token.span));
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
}

/// The argument types of `sig` (receiver first, `Self` replaced), each
/// with every lifetime made the one async lifetime.
fn async_inputs(sig: &Signature, self_ty: Option<&Type>) -> syn::Result<Vec<Type>> {
    let mut inputs = input_types(sig, self_ty)?;
    for ty in &mut inputs {
        OneLifetime.visit_type_mut(ty);
    }
    Ok(inputs)
}

/// What an async fn's future yields.
fn async_output(sig: &Signature, self_ty: Option<&Type>) -> TokenStream {
    match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            if let Some(self_ty) = self_ty {
                ReplaceSelf(self_ty).visit_type_mut(&mut ty);
            }
            quote!(#ty)
        }
    }
}

/// The slot type of an async hot function: a fn taking the arguments, all
/// borrowed for one lifetime, and returning the version's boxed future.
/// Without borrowed arguments the future is `'static`.
pub fn async_fn_pointer_type(sig: &Signature, self_ty: Option<&Type>) -> syn::Result<TokenStream> {
    let inputs = async_inputs(sig, self_ty)?;
    let output = async_output(sig, self_ty);
    let (generics, lt) = async_lifetime(&inputs);
    Ok(quote!(#generics fn(#(#inputs),*) -> ::moult::hot::BoxFuture<#lt, #output>))
}

/// `for<'__moult>` and `'__moult` when some argument borrows; nothing and
/// `'static` when none does (a lifetime only in the output is not allowed).
fn async_lifetime(inputs: &[Type]) -> (TokenStream, TokenStream) {
    let borrows = inputs
        .iter()
        .any(|t| quote!(#t).to_string().contains(ASYNC_LIFETIME));
    if borrows {
        let lt = syn::Lifetime::new(ASYNC_LIFETIME, proc_macro2::Span::call_site());
        (quote!(for<#lt>), quote!(#lt))
    } else {
        (quote!(), quote!('static))
    }
}

/// A fn named `name` with the slot's type that boxes the future of `v0`
/// (a path to the original `async fn`): version 0 as the slot holds it.
/// `self_ty` is given for methods (the receiver becomes a typed argument).
pub fn async_boxing_shim(
    sig: &Signature,
    self_ty: Option<&Type>,
    vis: &syn::Visibility,
    name: &Ident,
    v0: &TokenStream,
) -> syn::Result<TokenStream> {
    let inputs = async_inputs(sig, self_ty)?;
    let output = async_output(sig, self_ty);
    let (for_lt, lt) = async_lifetime(&inputs);
    let generics = if for_lt.is_empty() {
        quote!()
    } else {
        quote!(<#lt>)
    };
    let names: Vec<Ident> = (0..inputs.len())
        .map(|i| format_ident!("__moult_arg{i}"))
        .collect();
    Ok(quote! {
        #[allow(clippy::too_many_arguments)]
        #vis fn #name #generics(#(#names: #inputs),*) -> ::moult::hot::BoxFuture<#lt, #output> {
            ::moult::hot::box_version(#v0(#(#names),*))
        }
    })
}

/// The body of an async hot function's wrapper: await the entry (the gate,
/// the activation), then await version 0 inline, or the slot's version.
pub fn async_wrapper_body(
    static_path: &TokenStream,
    shim: &TokenStream,
    fn_ty: &TokenStream,
    v0: &TokenStream,
    args: &[TokenStream],
) -> TokenStream {
    quote! {{
        let __moult_activation = #static_path.enter_async().await;
        if __moult_activation.runs(#shim as #fn_ty) {
            #v0(#(#args),*).await
        } else {
            __moult_activation.start(|__moult_f| __moult_f(#(#args),*)).await
        }
    }}
}

/// The `HotFn` static of a hot function and its registration: `name` is
/// the path tail after the module (`hello`, `Type::method`), `original`
/// the expression of version 0 as the slot holds it (the function itself,
/// or an async function's boxing shim), `sig` the declaration as written.
///
/// Beside it, a static of the function's source facts (its types as
/// written, the package it is compiled in) for the snapshot: `env!` here
/// reads the app's package, since the expansion is compiled there.
pub fn hot_static(
    vis: &syn::Visibility,
    static_name: &Ident,
    fn_ty: &TokenStream,
    name: &str,
    original: &TokenStream,
    sig: &Signature,
) -> TokenStream {
    let source_name = format_ident!("{}_source", static_name);
    let fn_type = crate::written::render(fn_ty.clone());
    let declared = crate::written::render(quote!(#sig));
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #source_name: ::moult::__private::HotFnSource = ::moult::__private::HotFnSource {
            fn_type: #fn_type,
            declared: #declared,
            package: ::core::env!("CARGO_PKG_NAME"),
            manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            binary: ::core::option_env!("CARGO_BIN_NAME"),
        };

        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        #vis static #static_name: ::moult::HotFn<#fn_ty> =
            // SAFETY: `#fn_ty` is the fn-pointer type of the function erased below.
            unsafe { ::moult::HotFn::new(
            ::core::concat!(::core::module_path!(), "::", #name),
            || ::moult::__private::erase::<#fn_ty>(#original),
        ) }.with_source(&#source_name);

        ::moult::__private::inventory::submit! {
            ::moult::__private::HotFnEntry(|| #static_name.own_core())
        }
    }
}
