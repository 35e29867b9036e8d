//! Bounds on the shape of a request, checked before async-graphql parses or validates it.
//!
//! The parser and the validator recurse: a list value nested a few thousand levels deep
//! overflows a worker thread's stack and aborts the process, a chain of thousands of
//! fragments does the same in the fragment-cycle rule, and fragments that each spread the
//! next twice make the depth check walk 2^n selections. So the text is scanned for nesting
//! before it is parsed (a loop, no recursion), variables are measured the same way, and the
//! parsed document is measured (aliases, root fields, directives, selections after fragment
//! expansion) with recursion that the nesting bound has already made shallow.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The configured bounds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of `{ [ (` in the document, of arrays and objects in the variables,
    /// and of fragment spreads.
    pub max_nesting: usize,
    /// Aliased fields in a document.
    pub max_aliases: usize,
    /// Fields at the root of one operation (fragments at the root expanded).
    pub max_root_fields: usize,
    /// Directives in a document.
    pub max_directives: usize,
    /// Fields selected once every fragment is expanded.
    pub max_selections: usize,
}

/// A request beyond one of the bounds (which setting, what the client should know), or a
/// fragment that spreads itself, found on the way (`setting` is then empty).
#[derive(Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// The setting that bounds it (`max_nesting`, …), or "" for a fragment cycle.
    pub setting: &'static str,
    /// Said to the client.
    pub message: String,
}

fn exceeded(setting: &'static str, message: String) -> Exceeded {
    Exceeded { setting, message }
}

impl Exceeded {
    /// Whether this is a fragment cycle: a document that is not valid rather than too big.
    pub fn is_cycle(&self) -> bool {
        self.setting.is_empty()
    }
}

/// Refuses a document whose brackets nest deeper than `max`, ignoring strings and comments.
pub fn check_text(query: &str, limits: &Limits) -> Result<(), Exceeded> {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > limits.max_nesting {
                    return Err(exceeded(
                        "max_nesting",
                        format!(
                            "the query nests brackets more than {} levels deep",
                            limits.max_nesting
                        ),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Refuses variables that nest arrays and objects deeper than the bound.
pub fn check_variables(variables: &Value, limits: &Limits) -> Result<(), Exceeded> {
    let mut stack = vec![(variables, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > limits.max_nesting {
            return Err(exceeded(
                "max_nesting",
                format!(
                    "the variables nest more than {} levels deep",
                    limits.max_nesting
                ),
            ));
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Counts of one selection set, fragments expanded.
#[derive(Clone, Copy, Default)]
struct Size {
    /// Fields selected anywhere below, fragments expanded.
    fields: usize,
    /// Fields at this level, fragments at this level expanded.
    top: usize,
    /// Levels of selection sets from this one down (an empty set is one level), fragments
    /// expanded: a set met at depth `d` reaches depth `d + height - 1`.
    height: usize,
}

struct Measure<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a Limits,
    fragments: HashMap<&'a str, Size>,
    measuring: HashSet<&'a str>,
    aliases: usize,
    directives: usize,
}

impl<'a> Measure<'a> {
    fn too_deep(&self) -> Exceeded {
        exceeded(
            "max_nesting",
            format!(
                "the query nests selections and fragments more than {} levels deep",
                self.limits.max_nesting
            ),
        )
    }

    fn set(&mut self, set: &'a SelectionSet, depth: usize) -> Result<Size, Exceeded> {
        if depth > self.limits.max_nesting {
            return Err(self.too_deep());
        }
        let mut size = Size {
            height: 1,
            ..Size::default()
        };
        for selection in &set.items {
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let below = self.set(&field.node.selection_set.node, depth + 1)?;
                    Size {
                        fields: below.fields.saturating_add(1),
                        top: 1,
                        height: below.height,
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.set(&inline.node.selection_set.node, depth + 1)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str(), depth + 1)?
                }
            };
            size.fields = size.fields.saturating_add(inner.fields);
            size.top = size.top.saturating_add(inner.top);
            size.height = size.height.max(inner.height.saturating_add(1));
        }
        if size.fields > self.limits.max_selections {
            return Err(exceeded(
                "max_complexity",
                format!(
                    "the query selects more than {} fields once its fragments are expanded",
                    self.limits.max_selections
                ),
            ));
        }
        Ok(size)
    }

    /// A fragment's size, measured once. An unknown fragment is left to validation.
    fn fragment(&mut self, name: &'a str, depth: usize) -> Result<Size, Exceeded> {
        if let Some(size) = self.fragments.get(name).copied() {
            // Measured before, perhaps from shallower: it still has to fit from here.
            if depth + size.height - 1 > self.limits.max_nesting {
                return Err(self.too_deep());
            }
            return Ok(size);
        }
        let Some((key, fragment)) = self.doc.fragments.get_key_value(name) else {
            return Ok(Size::default());
        };
        if !self.measuring.insert(key.as_str()) {
            return Err(exceeded(
                "",
                format!("the fragment \"{name}\" spreads itself"),
            ));
        }
        let size = self.set(&fragment.node.selection_set.node, depth)?;
        self.measuring.remove(key.as_str());
        self.fragments.insert(key.as_str(), size);
        Ok(size)
    }

    /// Aliases and directives, each written occurrence once.
    fn count_written(&mut self, set: &'a SelectionSet) {
        for selection in &set.items {
            self.directives += selection.node.directives().len();
            match &selection.node {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.node.alias.is_some());
                    self.count_written(&field.node.selection_set.node);
                }
                Selection::InlineFragment(inline) => {
                    self.count_written(&inline.node.selection_set.node);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

/// Refuses a parsed document beyond the bounds on aliases, root fields, directives and
/// expanded size.
pub fn check_document(doc: &ExecutableDocument, limits: &Limits) -> Result<(), Exceeded> {
    let mut m = Measure {
        doc,
        limits,
        fragments: HashMap::new(),
        measuring: HashSet::new(),
        aliases: 0,
        directives: 0,
    };
    for (_, op) in doc.operations.iter() {
        m.directives += op.node.directives.len();
        m.directives += op
            .node
            .variable_definitions
            .iter()
            .map(|v| v.node.directives.len())
            .sum::<usize>();
        let size = m.set(&op.node.selection_set.node, 1)?;
        if size.top > limits.max_root_fields {
            return Err(exceeded(
                "max_root_fields",
                format!(
                    "an operation selects more than {} root fields",
                    limits.max_root_fields
                ),
            ));
        }
        m.count_written(&op.node.selection_set.node);
    }
    // Fragments no operation uses are measured too: validation walks them all.
    for (name, fragment) in doc.fragments.iter() {
        m.fragment(name.as_str(), 1)?;
        m.directives += fragment.node.directives.len();
        m.count_written(&fragment.node.selection_set.node);
    }
    if m.aliases > limits.max_aliases {
        return Err(exceeded(
            "max_aliases",
            format!("the query uses more than {} aliases", limits.max_aliases),
        ));
    }
    if m.directives > limits.max_directives {
        return Err(exceeded(
            "max_directives",
            format!(
                "the query uses more than {} directives",
                limits.max_directives
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_nesting: 8,
        max_aliases: 2,
        max_root_fields: 2,
        max_directives: 2,
        max_selections: 100,
    };

    fn doc(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let q = format!(
            "{{ a(s: \"{0}\", b: \"\"\"{0}\\\"\"\"{0}\"\"\") # {0}\n }}",
            "[".repeat(50)
        );
        assert_eq!(check_text(&q, &LIMITS), Ok(()));
        let deep = format!("{{ a(v: {}1{}) }}", "[".repeat(8), "]".repeat(8));
        assert_eq!(
            check_text(&deep, &LIMITS).unwrap_err().setting,
            "max_nesting"
        );
    }

    #[test]
    fn deep_variables_are_refused_without_recursion() {
        let mut v = Value::Null;
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(
            check_variables(&v, &LIMITS).unwrap_err().setting,
            "max_nesting"
        );
        // Dropping it is recursive in serde_json; leak it to keep the test's stack.
        std::mem::forget(v);
        assert_eq!(
            check_variables(&serde_json::json!({"a": [[1]]}), &LIMITS),
            Ok(())
        );
    }

    #[test]
    fn counts_aliases_root_fields_and_directives() {
        let ok = doc("{ a: me { x } b: me { x @skip(if: true) } }");
        assert_eq!(check_document(&ok, &LIMITS), Ok(()));
        let aliases = doc("{ a: me { x } b: me { x } c: me { x } }");
        assert_eq!(
            check_document(&aliases, &LIMITS).unwrap_err().setting,
            "max_root_fields"
        );
        let aliases = doc("{ me { a: x b: x c: x } }");
        assert_eq!(
            check_document(&aliases, &LIMITS).unwrap_err().setting,
            "max_aliases"
        );
        let roots = doc("{ ...F } fragment F on Query { a b c }");
        assert_eq!(
            check_document(&roots, &LIMITS).unwrap_err().setting,
            "max_root_fields"
        );
        let directives = doc("{ me @include(if: true) @include(if: true) @skip(if: false) }");
        assert_eq!(
            check_document(&directives, &LIMITS).unwrap_err().setting,
            "max_directives"
        );
    }

    #[test]
    fn fragment_bombs_chains_and_cycles_are_refused() {
        let mut bomb = String::from("{ me { ...F0 } }");
        for i in 0..6 {
            bomb.push_str(&format!(
                " fragment F{i} on Employee {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        bomb.push_str(" fragment F6 on Employee { name email }");
        let deep = Limits {
            max_nesting: 32,
            ..LIMITS
        };
        assert_eq!(
            check_document(&doc(&bomb), &deep).unwrap_err().setting,
            "max_complexity"
        );
        let mut chain = String::from("{ me { ...F0 } }");
        for i in 0..20 {
            chain.push_str(&format!(" fragment F{i} on Employee {{ ...F{} }}", i + 1));
        }
        chain.push_str(" fragment F20 on Employee { name }");
        assert_eq!(
            check_document(&doc(&chain), &LIMITS).unwrap_err().setting,
            "max_nesting"
        );
        // The same chain that no operation uses.
        let unused = chain.replacen("{ me { ...F0 } }", "{ me { name } }", 1);
        assert_eq!(
            check_document(&doc(&unused), &LIMITS).unwrap_err().setting,
            "max_nesting"
        );
        // Whatever order the unused fragments are met in: deepest first, each is measured
        // from depth 1 and remembered, and the chain must still be refused.
        let parsed = doc(&unused);
        let mut m = Measure {
            doc: &parsed,
            limits: &LIMITS,
            fragments: HashMap::new(),
            measuring: HashSet::new(),
            aliases: 0,
            directives: 0,
        };
        let mut names: Vec<&str> = parsed.fragments.keys().map(|k| k.as_str()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n[1..].parse::<u32>().unwrap_or(0)));
        let deepest_first: Vec<Result<Size, Exceeded>> =
            names.into_iter().map(|name| m.fragment(name, 1)).collect();
        assert!(deepest_first.iter().any(Result::is_err));
        let cycle = doc(
            "{ me { ...A } } fragment A on Employee { name ...B } fragment B on Employee { ...A }",
        );
        assert!(check_document(&cycle, &LIMITS).unwrap_err().is_cycle());
        // A fragment spread twice side by side is no cycle.
        let twice = doc("{ me { ...A ...A } } fragment A on Employee { name }");
        assert_eq!(check_document(&twice, &LIMITS), Ok(()));
    }
}
