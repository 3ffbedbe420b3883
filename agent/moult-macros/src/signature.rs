//! Turning a function signature into the fn-pointer type of a hot function.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{FnArg, GenericParam, Ident, Pat, Signature, Type};

/// Refuses what a fn pointer cannot hold, with a message saying why.
pub fn check(sig: &Signature) -> syn::Result<()> {
    let refuse = |span: &dyn quote::ToTokens, what: &str| {
        Err(syn::Error::new_spanned(
            span,
            format!(
                "#[moult::hot] cannot make {what} hot: every version must fit one fn pointer type"
            ),
        ))
    };
    if let Some(a) = &sig.asyncness {
        return refuse(a, "an async fn");
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

/// The fn-pointer type of `sig` (receiver first, `Self` replaced by `self_ty`).
pub fn fn_pointer_type(sig: &Signature, self_ty: Option<&Type>) -> syn::Result<TokenStream> {
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
