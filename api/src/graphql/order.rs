//! Puts a response's fields back in the order the query asked for them.
//!
//! async-graphql 7.2 resolves an object's fields concurrently and inserts each result as it
//! completes (`do_resolve_container` drains a `FuturesUnordered`), so a field that waits on
//! a loader (`progress`) lands after one that does not, and a `MergedObject` root lists its
//! parts' fields part by part. The GraphQL spec orders a response by the selection set
//! (CollectFields). This walks the document beside the data and reorders each object.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// Fragment spreads followed before giving up (validation refuses cycles; this only
/// bounds the walk).
const MAX_SPREADS: usize = 64;

/// Reorders `data`, the result of `operation_name` (or the only operation) in `doc`.
pub fn reorder(data: &mut Value, doc: &ExecutableDocument, operation_name: Option<&str>) {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    if let Some(op) = op {
        reorder_value(data, &[&op.node.selection_set.node], doc);
    }
}

/// The fields the selection sets select, in order, with each field's own selection set.
fn collect<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    spreads: usize,
    out: &mut Vec<(&'a str, &'a SelectionSet)>,
) {
    for set in sets {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => out.push((
                    field.node.response_key().node.as_str(),
                    &field.node.selection_set.node,
                )),
                Selection::InlineFragment(inline) => {
                    collect(&[&inline.node.selection_set.node], doc, spreads, out)
                }
                Selection::FragmentSpread(spread) if spreads < MAX_SPREADS => {
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        collect(&[&fragment.node.selection_set.node], doc, spreads + 1, out);
                    }
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

fn reorder_value(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder_value(item, sets, doc);
            }
        }
        Value::Object(map) => {
            let mut fields = Vec::new();
            collect(sets, doc, 0, &mut fields);
            let mut ordered: IndexMap<Name, Value> = IndexMap::with_capacity(map.len());
            for (key, _) in &fields {
                if ordered.contains_key(*key) {
                    continue;
                }
                let Some((name, mut inner)) = map.shift_remove_entry(*key) else {
                    continue;
                };
                let below: Vec<&SelectionSet> = fields
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, set)| *set)
                    .collect();
                reorder_value(&mut inner, &below, doc);
                ordered.insert(name, inner);
            }
            // Anything the walk did not name keeps its place after the rest.
            ordered.extend(std::mem::take(map));
            *map = ordered;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_follow_the_selection_order_through_fragments_aliases_and_lists() {
        let doc = async_graphql::parser::parse_query(
            "{ b: me { ...F z } a { x } } fragment F on E { y ... on E { w } x }",
        )
        .unwrap();
        let mut data = Value::from_json(serde_json::json!({
            "a": [{ "x": 1 }],
            "b": { "x": 1, "w": 2, "z": 3, "y": 4 },
        }))
        .unwrap();
        reorder(&mut data, &doc, None);
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"b":{"y":4,"w":2,"x":1,"z":3},"a":[{"x":1}]}"#
        );
    }
}
