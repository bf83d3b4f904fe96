//! The table of operations and their facts (`x-threatjammer` in the spec of record).

use crate::spec::*;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

pub fn operation_table(doc: &Value) -> Vec<(String, String, String, bool)> {
    operations_of(doc)
        .map(|(method, path, op)| {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            (
                id,
                method.to_uppercase(),
                path.to_string(),
                !is_multipart(op),
            )
        })
        .collect()
}


pub fn operations_tokens(
    operations: &[(String, String, String, bool)],
    face_names: &[String],
) -> TokenStream {
    let rows = operations.iter().map(|(id, method, path, generated)| {
        quote! { crate::operations::Operation { id: #id, method: #method, path: #path, generated: #generated } }
    });
    let count = operations.len();
    let face_count = face_names.len();
    let slashes = operations.iter().map(|(id, _, path, _)| {
        let count = path.matches('/').count();
        quote! { #id => ::std::option::Option::Some(#count), }
    });
    quote! {
        /// Every operation of the spec of record, in the spec's order.
        pub const OPERATIONS: [crate::operations::Operation; #count] = [#(#rows),*];
        /// The face methods build.rs generated, one per generated operation.
        pub const FACE_METHODS: [&str; #face_count] = [#(#face_names),*];
        /// How many `/` an operation's path template has, for the request hook's
        /// check that a path kept its segments (a `match`, so no table is searched
        /// per request).
        pub(crate) fn path_slashes(operation_id: &str) -> ::std::option::Option<usize> {
            match operation_id {
                #(#slashes)*
                _ => ::std::option::Option::None,
            }
        }
    }
}

