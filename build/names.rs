//! The method name of an operation that openapi/operations.overlay.yaml does
//! not name yet. Plain std, so that tools/spec includes this file too
//! (`#[path]`): `spec bump` lists the names the build gives, by the same rule.
//!
//! The rule: FastAPI writes an operationId as the handler's name, then the
//! path with every character other than a letter, digit or `_` made `_`, then
//! `_` and the method (`update_origin_status_v1_origin_status_put`). An
//! operation whose id ends so is named after its handler (`update_origin_status`),
//! unless another operation of the document has that name or the handler's is
//! empty: then it keeps the whole id. Either is spelled in snake case as
//! progenitor spells method names (lower case, words joined by one `_`).
//! Any other id is the project's own and is kept as it is.

/// What FastAPI appends to a handler's name to make an operationId: the path
/// with every character other than a letter, digit or `_` made `_`, then `_`
/// and the method.
pub fn fastapi_suffix(method: &str, path: &str) -> String {
    format!("{path}_{}", method.to_lowercase())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The handler's name when `id` is FastAPI's for `method path`; None when it
/// is the project's own.
pub fn fastapi_handler<'a>(id: &'a str, method: &str, path: &str) -> Option<&'a str> {
    id.strip_suffix(fastapi_suffix(method, path).as_str())
}

/// The method name of every operation, given as (method, path, operationId)
/// in the document's order: the id itself where it is the project's, the
/// rule's name where it is FastAPI's.
pub fn method_names(operations: &[(&str, &str, &str)]) -> Vec<String> {
    let taken: Vec<String> = operations
        .iter()
        .filter(|(method, path, id)| fastapi_handler(id, method, path).is_none())
        .map(|(_, _, id)| id.to_string())
        .collect();
    let mut given: Vec<String> = Vec::new();
    for (method, path, id) in operations {
        let name = match fastapi_handler(id, method, path).map(snake_case) {
            None => id.to_string(),
            Some(handler)
                if !handler.is_empty()
                    && !taken.contains(&handler)
                    && !given.contains(&handler) =>
            {
                handler
            }
            Some(_) => snake_case(id),
        };
        given.push(name);
    }
    given
}

/// Lower case, every run of other characters than letters and digits one `_`,
/// none at either end: what progenitor's method names are made of, so the
/// name written is the name generated.
pub fn snake_case(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}
