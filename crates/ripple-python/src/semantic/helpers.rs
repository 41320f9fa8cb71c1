//! Small readers of syntax the walk shares: ranges, node identities, parameter lists, and the
//! names in `__all__` and in string annotations.

use ripple_core::TextRange;
use ruff_python_ast::{self as ast, Expr, Parameters};
use ruff_text_size::Ranged;

pub(super) fn range_of(node: &impl Ranged) -> TextRange {
    let range = node.range();
    TextRange::new(range.start().to_usize(), range.end().to_usize())
}

/// A stable identity for an AST node during the walk: its address (the tree does not move).
pub(super) fn node_id<T>(node: &T) -> usize {
    std::ptr::from_ref(node) as usize
}

/// Every parameter of a `def` or `lambda`, in order.
pub(super) fn parameter_list(parameters: &Parameters) -> impl Iterator<Item = &ast::Parameter> {
    let Parameters {
        posonlyargs,
        args,
        vararg,
        kwonlyargs,
        kwarg,
        ..
    } = parameters;
    posonlyargs
        .iter()
        .chain(args)
        .map(|parameter| &parameter.parameter)
        .chain(vararg.as_deref())
        .chain(kwonlyargs.iter().map(|parameter| &parameter.parameter))
        .chain(kwarg.as_deref())
}

pub(super) fn has_elements(expr: &Expr) -> bool {
    matches!(expr, Expr::Tuple(_) | Expr::List(_))
}

/// String literals of `[...]`, `(...)` and their concatenation with `+` (walked without
/// recursion: a long `[] + [] + ...` chain nests deeply).
pub(super) fn collect_export_names(value: &Expr, names: &mut Vec<(String, TextRange)>) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                for element in elts {
                    if let Expr::StringLiteral(string) = element {
                        names.push((string.value.to_str().to_string(), range_of(string)));
                    }
                }
            }
            Expr::BinOp(ast::ExprBinOp {
                left,
                op: ast::Operator::Add,
                right,
                ..
            }) => {
                pending.push(right);
                pending.push(left);
            }
            _ => {}
        }
    }
}

/// The names a string annotation loads, with their positions, and the string literals inside it
/// (walked without recursion: the parsed annotation comes from user text and may be deep).
pub(super) fn collect_loaded_names(
    expr: &Expr,
    out: &mut Vec<(String, TextRange)>,
    strings: &mut Vec<ast::ExprStringLiteral>,
) {
    // Each entry: an expression, and whether a string in it is a type (not inside `Literal[]`
    // or the metadata of `Annotated[]`).
    let mut stack = vec![(expr, true)];
    while let Some((expr, strings_are_types)) = stack.pop() {
        match expr {
            Expr::Name(name) => out.push((name.id.to_string(), range_of(name))),
            Expr::StringLiteral(string) if strings_are_types => strings.push(string.clone()),
            Expr::Attribute(attribute) => stack.push((&attribute.value, strings_are_types)),
            Expr::Subscript(subscript) => {
                let special = match &*subscript.value {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attribute) => attribute.attr.id.as_str(),
                    _ => "",
                };
                match (special, &*subscript.slice) {
                    ("Literal", slice) => stack.push((slice, false)),
                    ("Annotated", Expr::Tuple(tuple)) => {
                        for (index, element) in tuple.elts.iter().enumerate().rev() {
                            stack.push((element, index == 0 && strings_are_types));
                        }
                    }
                    (_, slice) => stack.push((slice, strings_are_types)),
                }
                stack.push((&subscript.value, strings_are_types));
            }
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                stack.extend(elts.iter().rev().map(|e| (e, strings_are_types)));
            }
            Expr::BinOp(binary) => {
                stack.push((&binary.right, strings_are_types));
                stack.push((&binary.left, strings_are_types));
            }
            Expr::Call(call) => {
                stack.extend(
                    call.arguments
                        .keywords
                        .iter()
                        .rev()
                        .map(|k| (&k.value, false)),
                );
                stack.extend(call.arguments.args.iter().rev().map(|e| (e, false)));
                stack.push((&call.func, strings_are_types));
            }
            Expr::Starred(starred) => stack.push((&starred.value, strings_are_types)),
            Expr::UnaryOp(unary) => stack.push((&unary.operand, strings_are_types)),
            Expr::BoolOp(boolean) => {
                stack.extend(boolean.values.iter().rev().map(|e| (e, strings_are_types)));
            }
            Expr::If(conditional) => {
                stack.push((&conditional.orelse, strings_are_types));
                stack.push((&conditional.test, false));
                stack.push((&conditional.body, strings_are_types));
            }
            _ => {}
        }
    }
}
