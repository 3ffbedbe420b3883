//! Types and signatures printed the way people write them (`fn(&str) ->
//! String`, not `fn (& str) -> String` as token streams print): the text a
//! hot function's static records, which `moult-console new` shows for the
//! update's author to paste.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// One printed piece and how it joins its neighbours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An identifier, a literal or a lifetime.
    Word,
    /// An opening delimiter or a prefix (`(`, `<`, `&`, `*`, `'`, `::`, `#`):
    /// nothing after it.
    Open,
    /// A closing delimiter (`)`, `>`): nothing before it.
    Close,
    /// `,`, `;` or `:`: nothing before, a space after.
    Separator,
    /// A binary operator (`->`, `+`, `=`): a space on each side.
    Operator,
}

/// `tokens` as text, spaced the way rustfmt would write a type or a signature.
pub fn render(tokens: TokenStream) -> String {
    let mut pieces = Vec::new();
    flatten(tokens, &mut pieces);
    let mut out = String::new();
    let mut prev: Option<(Kind, &str)> = None;
    for (kind, text) in &pieces {
        if let Some((before, before_text)) = prev
            && spaced(before, before_text, *kind, text)
        {
            out.push(' ');
        }
        out.push_str(text);
        prev = Some((*kind, text));
    }
    out
}

/// Whether a space goes between two neighbouring pieces.
fn spaced(before: Kind, before_text: &str, kind: Kind, text: &str) -> bool {
    match (before, kind) {
        (Kind::Open, _) | (_, Kind::Close | Kind::Separator) => false,
        (_, Kind::Operator) | (Kind::Operator | Kind::Separator, _) => true,
        // `fn(`, `Fn(`, `Vec<`, `foo::`: an opener right after a word or a closer.
        (Kind::Word | Kind::Close, Kind::Open) => {
            !matches!(text, "(" | "<" | "[" | "::") || is_keyword(before_text)
        }
        (Kind::Close, Kind::Word) | (Kind::Word, Kind::Word) => true,
    }
}

/// Words after which `(`, `<` and `[` open something of their own (`impl
/// <`, `dyn (`): only `fn` and identifiers take them directly.
fn is_keyword(word: &str) -> bool {
    matches!(word, "mut" | "const" | "dyn" | "impl" | "unsafe" | "in")
}

/// Splits `tokens` into printed pieces, joining multi-character punctuation.
fn flatten(tokens: TokenStream, out: &mut Vec<(Kind, String)>) {
    let mut joint = String::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(i) => out.push((Kind::Word, i.to_string())),
            TokenTree::Literal(l) => out.push((Kind::Word, l.to_string())),
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    out.push((Kind::Open, open.into()));
                }
                flatten(g.stream(), out);
                if !close.is_empty() {
                    out.push((Kind::Close, close.into()));
                }
            }
            TokenTree::Punct(p) => {
                joint.push(p.as_char());
                // A lifetime's quote is joint with its name, which is an
                // ident: print it as a prefix.
                if p.spacing() == Spacing::Joint && p.as_char() != '\'' {
                    continue;
                }
                let text = std::mem::take(&mut joint);
                let kind = match text.as_str() {
                    "(" | "[" | "<" | "&" | "*" | "'" | "::" | "#" | "!" => Kind::Open,
                    ")" | "]" | ">" => Kind::Close,
                    "," | ";" | ":" => Kind::Separator,
                    // `>>` closes two generic lists.
                    ">>" => {
                        out.push((Kind::Close, ">".into()));
                        Kind::Close
                    }
                    _ => Kind::Operator,
                };
                let text = if text == ">>" { ">".into() } else { text };
                out.push((kind, text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::render;

    #[test]
    fn types_print_as_written() {
        assert_eq!(render(quote!(fn(&str) -> String)), "fn(&str) -> String");
        assert_eq!(render(quote!(fn())), "fn()");
        assert_eq!(
            render(quote!(
                for<'a> fn(&'a mut Vec<Vec<u8>>, (u8, [u32; 4])) -> Option<&'a str>
            )),
            "for<'a> fn(&'a mut Vec<Vec<u8>>, (u8, [u32; 4])) -> Option<&'a str>"
        );
        assert_eq!(
            render(quote!(
                fn(Box<dyn Fn(u8) -> u8 + Send>, *const u8) -> ::std::string::String
            )),
            "fn(Box<dyn Fn(u8) -> u8 + Send>, *const u8) -> ::std::string::String"
        );
        assert_eq!(
            render(quote!(
                fn(&'__moult Store) -> ::moult::hot::BoxFuture<'__moult, String>
            )),
            "fn(&'__moult Store) -> ::moult::hot::BoxFuture<'__moult, String>"
        );
        assert_eq!(
            render(quote!(fn(Foo<Item = u8>) -> !)),
            "fn(Foo<Item = u8>) -> !"
        );
    }

    #[test]
    fn signatures_print_as_written() {
        assert_eq!(
            render(quote!(async fn lookup(store: &Store, key: &str) -> String)),
            "async fn lookup(store: &Store, key: &str) -> String"
        );
        assert_eq!(
            render(quote!(fn display(&self, mut n: u32) -> String)),
            "fn display(&self, mut n: u32) -> String"
        );
        assert_eq!(
            render(quote!(unsafe extern "C" fn raw(p: *mut u8))),
            "unsafe extern \"C\" fn raw(p: *mut u8)"
        );
        assert_eq!(
            render(quote!(fn pair((a, b): (u8, u8)) -> u8)),
            "fn pair((a, b): (u8, u8)) -> u8"
        );
    }
}
