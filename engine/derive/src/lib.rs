//! `#[derive(Model)]`: a struct whose named fields are a resource's (or a nested block's)
//! attributes and blocks. From it come the schema, the conversion from a value (a planned,
//! prior or configured object) and the conversion back (what a read returns), so an attribute
//! is named once, typed, and checked by the compiler wherever it is used.
//!
//! ```ignore
//! #[derive(Model)]
//! struct LogGroup {
//!     #[model(computed)]
//!     id: Option<String>,
//!     #[model(optional, computed, force_new)]
//!     name: Option<String>,
//!     #[model(optional, default = 0i64)]
//!     retention_in_days: i64,
//!     #[model(block = "single")]
//!     timeouts: Option<Timeouts>,
//!     #[model(flatten)]
//!     tags: Tags,
//! }
//! ```
//!
//! Field options (`#[model(...)]`):
//! - `required`, `optional`, `computed` (with `optional`: optional and computed), `force_new`,
//!   `sensitive`, `default = EXPR` (anything `Into<Value>`; also what a null reads as),
//!   `name = "..."` (the attribute's name when it is not the field's), `describe = "..."`;
//! - `block` / `block = "list" | "set" | "single"` with `min = N`, `max = N`, `force_new`,
//!   `computed`, `attribute_syntax` (also written as an argument, the plugin SDK's
//!   "attributes as blocks"): a nested block of a type that derives `Model` (`Vec<M>`, or `Option<M>` for a
//!   single block or a list of at most one);
//! - `flatten`: the fields of another `Model` at this level (`tags` and `tags_all`).
//!
//! The generated code names `::terrane_engine::model`, so the engine must be a dependency.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Data, DeriveInput, Expr, Fields, LitStr, parse_macro_input};

#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[derive(Default)]
struct Options {
    required: bool,
    optional: bool,
    computed: bool,
    force_new: bool,
    sensitive: bool,
    flatten: bool,
    default: Option<Expr>,
    name: Option<String>,
    describe: Option<String>,
    block: Option<String>,
    min: Option<Expr>,
    max: Option<Expr>,
    attribute_syntax: bool,
}

fn options(field: &syn::Field) -> syn::Result<Options> {
    let mut o = Options::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("model")) {
        attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("required") {
                o.required = true;
            } else if p.is_ident("optional") {
                o.optional = true;
            } else if p.is_ident("computed") {
                o.computed = true;
            } else if p.is_ident("force_new") {
                o.force_new = true;
            } else if p.is_ident("sensitive") {
                o.sensitive = true;
            } else if p.is_ident("flatten") {
                o.flatten = true;
            } else if p.is_ident("default") {
                o.default = Some(meta.value()?.parse()?);
            } else if p.is_ident("name") {
                o.name = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if p.is_ident("describe") {
                o.describe = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if p.is_ident("attribute_syntax") {
                o.attribute_syntax = true;
            } else if p.is_ident("min") {
                o.min = Some(meta.value()?.parse()?);
            } else if p.is_ident("max") {
                o.max = Some(meta.value()?.parse()?);
            } else if p.is_ident("block") {
                let nesting = if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<LitStr>()?.value()
                } else {
                    "list".to_string()
                };
                if !["list", "set", "single"].contains(&nesting.as_str()) {
                    return Err(meta.error("block nesting is \"list\", \"set\" or \"single\""));
                }
                o.block = Some(nesting);
            } else {
                return Err(meta.error("unknown model option"));
            }
            Ok(())
        })?;
    }
    let err = |m: &str| Err(syn::Error::new_spanned(field, m));
    if o.flatten {
        if o.required || o.optional || o.computed || o.block.is_some() || o.default.is_some() {
            return err("`flatten` takes no other option");
        }
    } else if o.block.is_some() {
        if o.required || o.optional || o.sensitive || o.default.is_some() {
            return err("a block is not required, optional, sensitive nor defaulted: use `min` and `computed`");
        }
    } else if o.required == (o.optional || o.computed) {
        return err("an attribute is `required`, or `optional` and/or `computed`");
    } else if o.min.is_some() || o.max.is_some() || o.attribute_syntax {
        return err("`min`, `max` and `attribute_syntax` are for blocks");
    }
    Ok(o)
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "Model is derived for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(input, "Model is derived for structs with named fields"));
    };
    let m = quote!(::terrane_engine::model);
    let (mut schema, mut read, mut write) = (Vec::new(), Vec::new(), Vec::new());
    for field in &fields.named {
        let o = options(field)?;
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let name = o.name.clone().unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
        if o.flatten {
            schema.push(quote!(s = #m::merge(s, <#ty as #m::Model>::schema());));
            read.push(quote!(#ident: <#ty as #m::Model>::read(v, lenient)?,));
            write.push(quote!(#m::Model::write(&self.#ident, out);));
            continue;
        }
        if let Some(nesting) = &o.block {
            let make = match nesting.as_str() {
                "single" => quote!(single),
                "set" => quote!(set),
                _ => quote!(list),
            };
            let mut b = quote!(::terrane_engine::schema::NestedBlock::#make(<#ty as #m::Blocks>::schema()));
            if let Some(n) = &o.min {
                b = quote!(#b.min(#n));
            }
            if let Some(n) = &o.max {
                b = quote!(#b.max(#n));
            }
            if o.force_new {
                b = quote!(#b.force_new());
            }
            if o.computed {
                b = quote!(#b.computed());
            }
            if o.attribute_syntax {
                b = quote!(#b.with_attribute_syntax());
            }
            let make_nesting = match nesting.as_str() {
                "single" => quote!(Single),
                "set" => quote!(Set),
                _ => quote!(List),
            };
            let nest = quote!(::terrane_engine::schema::Nesting::#make_nesting);
            schema.push(quote!(s = s.block(#name, #b);));
            read.push(
                quote!(#ident: <#ty as #m::Blocks>::from_blocks(v.get_attr(#name), lenient).map_err(|e| e.within(#name))?,),
            );
            write.push(quote!(out.insert(#name.to_string(), <#ty as #m::Blocks>::to_blocks(&self.#ident, #nest));));
            continue;
        }
        let make = match (o.required, o.optional, o.computed) {
            (true, _, _) => quote!(required),
            (_, true, true) => quote!(optional_computed),
            (_, true, false) => quote!(optional),
            _ => quote!(computed),
        };
        let mut a = quote!(::terrane_engine::schema::Attribute::#make(<#ty as #m::Field>::ty()));
        if o.force_new {
            a = quote!(#a.force_new());
        }
        if o.sensitive {
            a = quote!(#a.sensitive());
        }
        if let Some(d) = &o.default {
            a = quote!(#a.default(#d));
        }
        if let Some(d) = &o.describe {
            a = quote!(#a.describe(#d));
        }
        schema.push(quote!(s = s.attr(#name, #a);));
        let get = match &o.default {
            Some(d) => quote!(#m::attribute_or::<#ty>(v, #name, || ::terrane_engine::value::Value::from(#d))?),
            None => quote!(#m::attribute::<#ty>(v, #name, lenient)?),
        };
        read.push(quote!(#ident: #get,));
        write.push(quote!(out.insert(#name.to_string(), <#ty as #m::Field>::to_field(&self.#ident));));
    }
    let ident = &input.ident;
    let (imp, tys, wher) = input.generics.split_for_impl();
    Ok(quote! {
        impl #imp #m::Model for #ident #tys #wher {
            fn schema() -> ::terrane_engine::schema::Schema {
                let mut s = ::terrane_engine::schema::Schema::new();
                #(#schema)*
                s
            }
            fn read(v: &::terrane_engine::value::Value, lenient: bool) -> ::std::result::Result<Self, #m::ModelError> {
                ::std::result::Result::Ok(Self { #(#read)* })
            }
            fn write(&self, out: &mut ::std::collections::BTreeMap<::std::string::String, ::terrane_engine::value::Value>) {
                #(#write)*
            }
        }
    })
}
