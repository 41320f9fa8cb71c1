//! Field ids of the tree-sitter-python grammar, looked up once: `child_by_field_name` compares the
//! name against every field of the grammar on each call, which showed in profiles.

use std::num::NonZeroU16;
use std::sync::OnceLock;

struct FieldIds {
    alias: Option<NonZeroU16>,
    alternative: Option<NonZeroU16>,
    arguments: Option<NonZeroU16>,
    attribute: Option<NonZeroU16>,
    body: Option<NonZeroU16>,
    condition: Option<NonZeroU16>,
    consequence: Option<NonZeroU16>,
    definition: Option<NonZeroU16>,
    function: Option<NonZeroU16>,
    key: Option<NonZeroU16>,
    left: Option<NonZeroU16>,
    module_name: Option<NonZeroU16>,
    name: Option<NonZeroU16>,
    object: Option<NonZeroU16>,
    operator: Option<NonZeroU16>,
    parameters: Option<NonZeroU16>,
    return_type: Option<NonZeroU16>,
    right: Option<NonZeroU16>,
    subject: Option<NonZeroU16>,
    subscript: Option<NonZeroU16>,
    superclasses: Option<NonZeroU16>,
    r#type: Option<NonZeroU16>,
    type_parameters: Option<NonZeroU16>,
    value: Option<NonZeroU16>,
}

fn ids() -> &'static FieldIds {
    static IDS: OnceLock<FieldIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        FieldIds {
            alias: language.field_id_for_name("alias"),
            alternative: language.field_id_for_name("alternative"),
            arguments: language.field_id_for_name("arguments"),
            attribute: language.field_id_for_name("attribute"),
            body: language.field_id_for_name("body"),
            condition: language.field_id_for_name("condition"),
            consequence: language.field_id_for_name("consequence"),
            definition: language.field_id_for_name("definition"),
            function: language.field_id_for_name("function"),
            key: language.field_id_for_name("key"),
            left: language.field_id_for_name("left"),
            module_name: language.field_id_for_name("module_name"),
            name: language.field_id_for_name("name"),
            object: language.field_id_for_name("object"),
            operator: language.field_id_for_name("operator"),
            parameters: language.field_id_for_name("parameters"),
            return_type: language.field_id_for_name("return_type"),
            right: language.field_id_for_name("right"),
            subject: language.field_id_for_name("subject"),
            subscript: language.field_id_for_name("subscript"),
            superclasses: language.field_id_for_name("superclasses"),
            r#type: language.field_id_for_name("type"),
            type_parameters: language.field_id_for_name("type_parameters"),
            value: language.field_id_for_name("value"),
        }
    })
}

/// The id of a field for `Node::child_by_field_id` (0, which matches nothing, if unknown).
pub(crate) fn alias() -> u16 {
    ids().alias.map_or(0, NonZeroU16::get)
}

pub(crate) fn alternative() -> u16 {
    ids().alternative.map_or(0, NonZeroU16::get)
}

pub(crate) fn arguments() -> u16 {
    ids().arguments.map_or(0, NonZeroU16::get)
}

pub(crate) fn attribute() -> u16 {
    ids().attribute.map_or(0, NonZeroU16::get)
}

pub(crate) fn body() -> u16 {
    ids().body.map_or(0, NonZeroU16::get)
}

pub(crate) fn condition() -> u16 {
    ids().condition.map_or(0, NonZeroU16::get)
}

pub(crate) fn consequence() -> u16 {
    ids().consequence.map_or(0, NonZeroU16::get)
}

pub(crate) fn definition() -> u16 {
    ids().definition.map_or(0, NonZeroU16::get)
}

pub(crate) fn function() -> u16 {
    ids().function.map_or(0, NonZeroU16::get)
}

pub(crate) fn left() -> u16 {
    ids().left.map_or(0, NonZeroU16::get)
}

pub(crate) fn module_name() -> u16 {
    ids().module_name.map_or(0, NonZeroU16::get)
}

pub(crate) fn name() -> u16 {
    ids().name.map_or(0, NonZeroU16::get)
}

pub(crate) fn object() -> u16 {
    ids().object.map_or(0, NonZeroU16::get)
}

pub(crate) fn operator() -> u16 {
    ids().operator.map_or(0, NonZeroU16::get)
}

pub(crate) fn parameters() -> u16 {
    ids().parameters.map_or(0, NonZeroU16::get)
}

pub(crate) fn return_type() -> u16 {
    ids().return_type.map_or(0, NonZeroU16::get)
}

pub(crate) fn right() -> u16 {
    ids().right.map_or(0, NonZeroU16::get)
}

pub(crate) fn superclasses() -> u16 {
    ids().superclasses.map_or(0, NonZeroU16::get)
}

pub(crate) fn type_() -> u16 {
    ids().r#type.map_or(0, NonZeroU16::get)
}

pub(crate) fn type_parameters() -> u16 {
    ids().type_parameters.map_or(0, NonZeroU16::get)
}

pub(crate) fn value() -> u16 {
    ids().value.map_or(0, NonZeroU16::get)
}

/// The id of the `key` field for `Node::children_by_field_id`.
pub(crate) fn key_many() -> Option<NonZeroU16> {
    ids().key
}

/// The id of the `name` field for `Node::children_by_field_id`.
pub(crate) fn name_many() -> Option<NonZeroU16> {
    ids().name
}

/// The id of the `right` field for `Node::children_by_field_id`.
pub(crate) fn right_many() -> Option<NonZeroU16> {
    ids().right
}

/// The id of the `subject` field for `Node::children_by_field_id`.
pub(crate) fn subject_many() -> Option<NonZeroU16> {
    ids().subject
}

/// The id of the `subscript` field for `Node::children_by_field_id`.
pub(crate) fn subscript_many() -> Option<NonZeroU16> {
    ids().subscript
}

/// The id of the `value` field for `Node::children_by_field_id`.
pub(crate) fn value_many() -> Option<NonZeroU16> {
    ids().value
}
/// The children in field `id`, or none when the grammar has no such field.
pub(crate) fn children<'tree>(
    node: tree_sitter::Node<'tree>,
    id: Option<NonZeroU16>,
    cursor: &mut tree_sitter::TreeCursor<'tree>,
) -> impl Iterator<Item = tree_sitter::Node<'tree>> + 'tree {
    let found: Vec<tree_sitter::Node<'tree>> = match id {
        Some(id) => node.children_by_field_id(id, cursor).collect(),
        None => Vec::new(),
    };
    found.into_iter()
}
