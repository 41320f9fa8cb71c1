//! Moving a syntax tree's ranges after an edit: every node after the edited statement moves by
//! the edit's length, and every node around it grows by it. ruff's transformer walks the nodes;
//! this adds what it does not visit (names) and sets each node's own range.

use ruff_python_ast::visitor::transformer::{
    Transformer, walk_alias, walk_arguments, walk_comprehension, walk_decorator,
    walk_elif_else_clause, walk_except_handler, walk_expr, walk_f_string,
    walk_interpolated_string_element, walk_keyword, walk_match_case, walk_parameter,
    walk_parameters, walk_pattern, walk_pattern_arguments, walk_pattern_keyword, walk_stmt,
    walk_t_string, walk_type_param, walk_type_params, walk_with_item,
};
use ruff_python_ast::{
    Alias, Arguments, BytesLiteral, Comprehension, Decorator, ElifElseClause, ExceptHandler, Expr,
    FString, Identifier, InterpolatedStringElement, Keyword, MatchCase, ModModule, Parameter,
    Parameters, Pattern, PatternArguments, PatternKeyword, Stmt, StringLiteral, TString, TypeParam,
    TypeParams, WithItem,
};
use ruff_text_size::{TextRange, TextSize};

/// Moves the ranges of `module` for an edit that replaced text ending at `at` (in the old text)
/// and changed its length by `delta`.
pub fn shift_module(module: &mut ModModule, at: TextSize, delta: i64) {
    let shift = Shift { at, delta };
    // The module spans the whole text: it grows, even when the edit is at its very start.
    module.range = TextRange::new(module.range.start(), offset(module.range.end(), delta));
    for statement in &mut module.body {
        shift.visit_stmt(statement);
    }
}

/// A range that lies wholly after the edit, moved by `delta`.
pub fn moved(range: TextRange, delta: i64) -> TextRange {
    TextRange::new(offset(range.start(), delta), offset(range.end(), delta))
}

fn offset(position: TextSize, delta: i64) -> TextSize {
    TextSize::new((i64::from(position.to_u32()) + delta).max(0) as u32)
}

struct Shift {
    at: TextSize,
    delta: i64,
}

impl Shift {
    /// After the edit: moves. Around it: grows (or shrinks). Before it: stays.
    fn range(&self, range: &mut TextRange) {
        if range.start() >= self.at {
            *range = moved(*range, self.delta);
        } else if range.end() >= self.at {
            // (Nodes inside the replaced statement pass here too and are discarded after; the
            // clamp only keeps their ranges well-formed meanwhile.)
            let end = offset(range.end(), self.delta).max(range.start());
            *range = TextRange::new(range.start(), end);
        }
    }

    fn position(&self, position: &mut TextSize) {
        if *position >= self.at {
            *position = offset(*position, self.delta);
        }
    }

    fn identifier(&self, identifier: &mut Identifier) {
        self.range(&mut identifier.range);
    }
}

/// `node.range` for each listed variant of an enum whose variants all carry one.
macro_rules! shift_variants {
    ($shift:expr, $value:expr, $enum:ident { $($variant:ident),* $(,)? } $(, $rest:pat)?) => {
        match $value {
            $($enum::$variant(node) => $shift.range(&mut node.range),)*
            $($rest => {})?
        }
    };
}

impl Transformer for Shift {
    fn visit_stmt(&self, stmt: &mut Stmt) {
        match stmt {
            Stmt::FunctionDef(node) => self.identifier(&mut node.name),
            Stmt::ClassDef(node) => self.identifier(&mut node.name),
            Stmt::ImportFrom(node) => {
                if let Some(module) = &mut node.module {
                    self.identifier(module);
                }
            }
            Stmt::Global(node) => node.names.iter_mut().for_each(|name| self.identifier(name)),
            Stmt::Nonlocal(node) => node.names.iter_mut().for_each(|name| self.identifier(name)),
            _ => {}
        }
        shift_variants!(
            self,
            stmt,
            Stmt {
                FunctionDef,
                ClassDef,
                Return,
                Delete,
                TypeAlias,
                Assign,
                AugAssign,
                AnnAssign,
                For,
                While,
                If,
                With,
                Match,
                Raise,
                Try,
                Assert,
                Import,
                ImportFrom,
                Global,
                Nonlocal,
                Expr,
                Pass,
                Break,
                Continue,
                IpyEscapeCommand,
            }
        );
        walk_stmt(self, stmt);
    }

    fn visit_expr(&self, expr: &mut Expr) {
        match expr {
            // A call's range is its start and its arguments' end.
            Expr::Call(node) => self.position(&mut node.range_start),
            Expr::Attribute(node) => {
                self.identifier(&mut node.attr);
                self.range(&mut node.range);
            }
            _ => shift_variants!(
                self,
                &mut *expr,
                Expr {
                    BoolOp,
                    Named,
                    BinOp,
                    UnaryOp,
                    Lambda,
                    If,
                    Dict,
                    Set,
                    ListComp,
                    SetComp,
                    DictComp,
                    Generator,
                    Await,
                    Yield,
                    YieldFrom,
                    Compare,
                    FString,
                    TString,
                    StringLiteral,
                    BytesLiteral,
                    NumberLiteral,
                    BooleanLiteral,
                    NoneLiteral,
                    EllipsisLiteral,
                    Subscript,
                    Starred,
                    Name,
                    List,
                    Tuple,
                    Slice,
                    IpyEscapeCommand,
                },
                Expr::Call(_) | Expr::Attribute(_)
            ),
        }
        walk_expr(self, expr);
    }

    fn visit_decorator(&self, decorator: &mut Decorator) {
        self.range(&mut decorator.range);
        walk_decorator(self, decorator);
    }

    fn visit_comprehension(&self, comprehension: &mut Comprehension) {
        self.range(&mut comprehension.range);
        walk_comprehension(self, comprehension);
    }

    fn visit_except_handler(&self, except_handler: &mut ExceptHandler) {
        let ExceptHandler::ExceptHandler(handler) = except_handler;
        self.range(&mut handler.range);
        if let Some(name) = &mut handler.name {
            self.identifier(name);
        }
        walk_except_handler(self, except_handler);
    }

    fn visit_arguments(&self, arguments: &mut Arguments) {
        self.range(&mut arguments.range);
        walk_arguments(self, arguments);
    }

    fn visit_parameters(&self, parameters: &mut Parameters) {
        self.range(&mut parameters.range);
        for parameter in parameters
            .posonlyargs
            .iter_mut()
            .chain(&mut parameters.args)
            .chain(&mut parameters.kwonlyargs)
        {
            self.range(&mut parameter.range);
        }
        walk_parameters(self, parameters);
    }

    fn visit_parameter(&self, parameter: &mut Parameter) {
        self.range(&mut parameter.range);
        self.identifier(&mut parameter.name);
        walk_parameter(self, parameter);
    }

    fn visit_keyword(&self, keyword: &mut Keyword) {
        self.range(&mut keyword.range);
        if let Some(arg) = &mut keyword.arg {
            self.identifier(arg);
        }
        walk_keyword(self, keyword);
    }

    fn visit_alias(&self, alias: &mut Alias) {
        self.range(&mut alias.range);
        self.identifier(&mut alias.name);
        if let Some(asname) = &mut alias.asname {
            self.identifier(asname);
        }
        walk_alias(self, alias);
    }

    fn visit_with_item(&self, with_item: &mut WithItem) {
        self.range(&mut with_item.range);
        walk_with_item(self, with_item);
    }

    fn visit_type_params(&self, type_params: &mut TypeParams) {
        self.range(&mut type_params.range);
        walk_type_params(self, type_params);
    }

    fn visit_type_param(&self, type_param: &mut TypeParam) {
        match type_param {
            TypeParam::TypeVar(node) => {
                self.range(&mut node.range);
                self.identifier(&mut node.name);
            }
            TypeParam::TypeVarTuple(node) => {
                self.range(&mut node.range);
                self.identifier(&mut node.name);
            }
            TypeParam::ParamSpec(node) => {
                self.range(&mut node.range);
                self.identifier(&mut node.name);
            }
        }
        walk_type_param(self, type_param);
    }

    fn visit_match_case(&self, match_case: &mut MatchCase) {
        self.range(&mut match_case.range);
        walk_match_case(self, match_case);
    }

    fn visit_pattern(&self, pattern: &mut Pattern) {
        match pattern {
            Pattern::MatchMapping(node) => {
                if let Some(rest) = &mut node.rest {
                    self.identifier(rest);
                }
            }
            Pattern::MatchStar(node) => {
                if let Some(name) = &mut node.name {
                    self.identifier(name);
                }
            }
            Pattern::MatchAs(node) => {
                if let Some(name) = &mut node.name {
                    self.identifier(name);
                }
            }
            _ => {}
        }
        shift_variants!(
            self,
            pattern,
            Pattern {
                MatchValue,
                MatchSingleton,
                MatchSequence,
                MatchMapping,
                MatchClass,
                MatchStar,
                MatchAs,
                MatchOr,
            }
        );
        walk_pattern(self, pattern);
    }

    fn visit_pattern_arguments(&self, pattern_arguments: &mut PatternArguments) {
        self.range(&mut pattern_arguments.range);
        walk_pattern_arguments(self, pattern_arguments);
    }

    fn visit_pattern_keyword(&self, pattern_keyword: &mut PatternKeyword) {
        self.range(&mut pattern_keyword.range);
        self.identifier(&mut pattern_keyword.attr);
        walk_pattern_keyword(self, pattern_keyword);
    }

    fn visit_elif_else_clause(&self, elif_else_clause: &mut ElifElseClause) {
        self.range(&mut elif_else_clause.range);
        walk_elif_else_clause(self, elif_else_clause);
    }

    fn visit_f_string(&self, f_string: &mut FString) {
        self.range(&mut f_string.range);
        walk_f_string(self, f_string);
    }

    fn visit_t_string(&self, t_string: &mut TString) {
        self.range(&mut t_string.range);
        walk_t_string(self, t_string);
    }

    fn visit_interpolated_string_element(&self, element: &mut InterpolatedStringElement) {
        match element {
            InterpolatedStringElement::Literal(node) => self.range(&mut node.range),
            InterpolatedStringElement::Interpolation(node) => {
                self.range(&mut node.range);
                if let Some(format_spec) = &mut node.format_spec {
                    self.range(&mut format_spec.range);
                }
            }
        }
        walk_interpolated_string_element(self, element);
    }

    fn visit_string_literal(&self, string_literal: &mut StringLiteral) {
        self.range(&mut string_literal.range);
    }

    fn visit_bytes_literal(&self, bytes_literal: &mut BytesLiteral) {
        self.range(&mut bytes_literal.range);
    }
}
