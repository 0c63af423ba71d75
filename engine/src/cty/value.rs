//! Values, as cty has them. Every value has a type: known values carry it in their shape
//! (an empty list knows its element type), null and unknown values carry it explicitly.
//! Collections are shared on clone, so copying a large object is cheap.

use super::marks::Marks;
use super::refine::Refinement;
use super::ty::Type;
use crate::number::Number;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The elements of a list or set, with the element type (needed when there are none).
#[derive(Clone, Debug)]
pub struct SeqData {
    pub ety: Type,
    pub items: Vec<Value>,
}

/// The elements of a map, by key (sorted), with the element type.
#[derive(Clone, Debug)]
pub struct MapData {
    pub ety: Type,
    pub items: BTreeMap<String, Value>,
}

/// An unknown value: its type, and what is already known about it (cty's refinements).
#[derive(Clone, Debug)]
pub struct Unknown {
    pub ty: Type,
    pub refinement: Option<Box<Refinement>>,
}

/// A value.
///
/// Invariants: list and set elements all have the list's element type (or are null or
/// unknown of it); set elements are sorted by cty's set order, unique, and unmarked (marks
/// on elements are hoisted to the set); a `Marked` never wraps another `Marked`; strings and
/// object attribute names are NFC-normalised.
#[derive(Clone, Debug)]
pub enum Value {
    Null(Type),
    Unknown(Unknown),
    Bool(bool),
    Number(Number),
    String(String),
    List(Arc<SeqData>),
    Set(Arc<SeqData>),
    Map(Arc<MapData>),
    Tuple(Arc<Vec<Value>>),
    Object(Arc<BTreeMap<String, Value>>),
    Marked(Box<Value>, Marks),
}

impl Default for Value {
    fn default() -> Self {
        Value::NULL
    }
}

impl Value {
    /// A null of the dynamic type (the literal `null`).
    pub const NULL: Value = Value::Null(Type::Dynamic);
    /// An unknown of the dynamic type (cty's `DynamicVal`).
    pub const DYNAMIC: Value = Value::Unknown(Unknown { ty: Type::Dynamic, refinement: None });
    pub const TRUE: Value = Value::Bool(true);
    pub const FALSE: Value = Value::Bool(false);

    pub fn null(ty: Type) -> Value {
        Value::Null(ty)
    }

    pub fn unknown(ty: Type) -> Value {
        Value::Unknown(Unknown { ty, refinement: None })
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    pub fn number(n: Number) -> Value {
        Value::Number(n)
    }

    /// A number from an integer, as cty's `NumberIntVal` (64-bit precision).
    pub fn int(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }

    /// A string, NFC-normalised as cty's `StringVal`.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(normalize(s.into()))
    }

    /// A list of `ety`. The elements must have that type (they are not converted).
    pub fn list(ety: Type, items: Vec<Value>) -> Value {
        Value::List(Arc::new(SeqData { ety, items }))
    }

    /// A list of the given elements, typed after the first (cty's `ListVal`); `None` for no
    /// elements, whose type cannot be inferred.
    pub fn list_of(items: Vec<Value>) -> Option<Value> {
        let ety = items.first()?.ty();
        Some(Value::list(ety, items))
    }

    pub fn empty_list(ety: Type) -> Value {
        Value::list(ety, Vec::new())
    }

    /// A set of `ety`: elements are deduplicated and ordered as cty orders them, and marks on
    /// elements move to the set.
    pub fn set(ety: Type, items: Vec<Value>) -> Value {
        super::set::make_set(ety, items)
    }

    pub fn set_of(items: Vec<Value>) -> Option<Value> {
        let ety = items.first()?.unmark_deep_ref_type();
        Some(Value::set(ety, items))
    }

    pub fn empty_set(ety: Type) -> Value {
        Value::set(ety, Vec::new())
    }

    pub fn map(ety: Type, items: BTreeMap<String, Value>) -> Value {
        Value::Map(Arc::new(MapData { ety, items }))
    }

    pub fn map_of(items: BTreeMap<String, Value>) -> Option<Value> {
        let ety = items.values().next()?.ty();
        Some(Value::map(ety, items))
    }

    pub fn empty_map(ety: Type) -> Value {
        Value::map(ety, BTreeMap::new())
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(items))
    }

    pub fn empty_tuple() -> Value {
        Value::tuple(Vec::new())
    }

    /// An object with the given attributes (names NFC-normalised).
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(Arc::new(attrs.into_iter().map(|(k, v)| (normalize(k.into()), v)).collect()))
    }

    pub fn object_from_map(attrs: BTreeMap<String, Value>) -> Value {
        Value::Object(Arc::new(attrs))
    }

    pub fn empty_object() -> Value {
        Value::Object(Arc::new(BTreeMap::new()))
    }

    /// The value's type.
    pub fn ty(&self) -> Type {
        match self {
            Value::Null(t) => t.clone(),
            Value::Unknown(u) => u.ty.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(s) => Type::list(s.ety.clone()),
            Value::Set(s) => Type::set(s.ety.clone()),
            Value::Map(m) => Type::map(m.ety.clone()),
            Value::Tuple(items) => Type::tuple(items.iter().map(Value::ty).collect()),
            Value::Object(attrs) => Type::object(attrs.iter().map(|(k, v)| (k.clone(), v.ty())).collect()),
            Value::Marked(inner, _) => inner.ty(),
        }
    }

    fn unmark_deep_ref_type(&self) -> Type {
        self.ty()
    }

    /// Whether the type is exactly `ty` (without building the value's type).
    pub fn has_type(&self, ty: &Type) -> bool {
        match (self.unmarked(), ty) {
            (Value::Null(t), ty) => t == ty,
            (Value::Unknown(u), ty) => &u.ty == ty,
            (Value::Bool(_), Type::Bool) | (Value::Number(_), Type::Number) | (Value::String(_), Type::String) => true,
            (Value::List(s), Type::List(e)) | (Value::Set(s), Type::Set(e)) => &s.ety == e.as_ref(),
            (Value::Map(m), Type::Map(e)) => &m.ety == e.as_ref(),
            (Value::Tuple(items), Type::Tuple(ts)) => {
                items.len() == ts.len() && items.iter().zip(ts.iter()).all(|(v, t)| v.has_type(t))
            }
            (Value::Object(attrs), Type::Object(o)) => {
                o.optional.is_empty()
                    && attrs.len() == o.attrs.len()
                    && attrs.iter().zip(o.attrs.iter()).all(|((k, v), (tk, t))| k == tk && v.has_type(t))
            }
            _ => false,
        }
    }

    /// True unless the value is null (a marked null is null; an unknown is not).
    pub fn is_null(&self) -> bool {
        matches!(self.unmarked(), Value::Null(_))
    }

    /// True unless the value itself is unknown (its elements may be).
    pub fn is_known(&self) -> bool {
        !matches!(self.unmarked(), Value::Unknown(_))
    }

    /// The value is unknown (at the top level).
    pub fn is_unknown(&self) -> bool {
        !self.is_known()
    }

    /// Known at every depth.
    pub fn is_wholly_known(&self) -> bool {
        match self.unmarked() {
            Value::Unknown(_) => false,
            Value::List(s) | Value::Set(s) => s.items.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.items.values().all(Value::is_wholly_known),
            Value::Tuple(items) => items.iter().all(Value::is_wholly_known),
            Value::Object(attrs) => attrs.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// cty's `HasWhollyKnownType`: no unknown of the dynamic type, and no unknown of a
    /// collection or structural type with a dynamic part, anywhere in the value (nulls of
    /// any type count as known).
    pub fn has_wholly_known_type(&self) -> bool {
        match self.unmarked() {
            Value::Null(_) => true,
            Value::Unknown(u) => !u.ty.has_dynamic_types(),
            Value::List(s) | Value::Set(s) => s.items.iter().all(Value::has_wholly_known_type),
            Value::Map(m) => m.items.values().all(Value::has_wholly_known_type),
            Value::Tuple(items) => items.iter().all(Value::has_wholly_known_type),
            Value::Object(attrs) => attrs.values().all(Value::has_wholly_known_type),
            _ => true,
        }
    }

    /// The value without its top-level marks.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Marked(inner, _) => inner,
            v => v,
        }
    }

    /// The top-level marks.
    pub fn marks(&self) -> Marks {
        match self {
            Value::Marked(_, m) => *m,
            _ => Marks::NONE,
        }
    }

    pub fn is_marked(&self) -> bool {
        matches!(self, Value::Marked(..))
    }

    /// Splits off the top-level marks.
    pub fn unmark(self) -> (Value, Marks) {
        match self {
            Value::Marked(inner, m) => (*inner, m),
            v => (v, Marks::NONE),
        }
    }

    /// Adds marks at the top level.
    pub fn with_marks(self, marks: Marks) -> Value {
        if marks.is_empty() {
            return self;
        }
        match self {
            Value::Marked(inner, m) => Value::Marked(inner, m | marks),
            v => Value::Marked(Box::new(v), marks),
        }
    }

    /// True when the value or anything inside it is marked.
    pub fn contains_marked(&self) -> bool {
        match self {
            Value::Marked(..) => true,
            Value::List(s) | Value::Set(s) => s.items.iter().any(Value::contains_marked),
            Value::Map(m) => m.items.values().any(Value::contains_marked),
            Value::Tuple(items) => items.iter().any(Value::contains_marked),
            Value::Object(attrs) => attrs.values().any(Value::contains_marked),
            _ => false,
        }
    }

    /// The union of the marks at every depth, and the value without any.
    pub fn unmark_deep(self) -> (Value, Marks) {
        if !self.contains_marked() {
            return (self, Marks::NONE);
        }
        let mut marks = Marks::NONE;
        let v = self.strip_marks(&mut marks);
        (v, marks)
    }

    fn strip_marks(self, marks: &mut Marks) -> Value {
        if !self.contains_marked() {
            return self;
        }
        match self {
            Value::Marked(inner, m) => {
                *marks |= m;
                inner.strip_marks(marks)
            }
            Value::List(s) => {
                let s = Arc::unwrap_or_clone(s);
                Value::list(s.ety, s.items.into_iter().map(|v| v.strip_marks(marks)).collect())
            }
            // Set elements are never marked.
            v @ Value::Set(_) => v,
            Value::Map(m) => {
                let m = Arc::unwrap_or_clone(m);
                Value::map(m.ety, m.items.into_iter().map(|(k, v)| (k, v.strip_marks(marks))).collect())
            }
            Value::Tuple(items) => {
                Value::tuple(Arc::unwrap_or_clone(items).into_iter().map(|v| v.strip_marks(marks)).collect())
            }
            Value::Object(attrs) => Value::Object(Arc::new(
                Arc::unwrap_or_clone(attrs).into_iter().map(|(k, v)| (k, v.strip_marks(marks))).collect(),
            )),
            v => v,
        }
    }

    /// Refinements of an unknown value (`None` for known values and unrefined unknowns).
    pub fn refinement(&self) -> Option<&Refinement> {
        match self.unmarked() {
            Value::Unknown(u) => u.refinement.as_deref(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.unmarked() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as a float (rounded), for providers and rendering.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::to_f64)
    }

    /// The number as an exact integer.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::to_i64)
    }

    /// The attributes of an object, or the elements of a map.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Object(attrs) => Some(attrs),
            Value::Map(m) => Some(&m.items),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(s) | Value::Set(s) => Some(&s.items),
            Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// An attribute of an object (or element of a map); `None` when absent.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// The number of elements of a known collection or structural value.
    pub fn length_int(&self) -> Option<usize> {
        match self.unmarked() {
            Value::List(s) | Value::Set(s) => Some(s.items.len()),
            Value::Map(m) => Some(m.items.len()),
            Value::Tuple(items) => Some(items.len()),
            Value::Object(attrs) => Some(attrs.len()),
            _ => None,
        }
    }

    /// The elements with their keys, in cty's iteration order: list and tuple elements with
    /// their index, map elements and object attributes with their name (sorted), set
    /// elements with themselves. Marks on the container are not applied.
    pub fn elements(&self) -> Vec<(Value, Value)> {
        match self.unmarked() {
            Value::List(s) => s.items.iter().enumerate().map(|(i, v)| (Value::int(i as i64), v.clone())).collect(),
            Value::Tuple(items) => items.iter().enumerate().map(|(i, v)| (Value::int(i as i64), v.clone())).collect(),
            Value::Set(s) => s.items.iter().map(|v| (v.clone(), v.clone())).collect(),
            Value::Map(m) => m.items.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
            Value::Object(attrs) => attrs.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the elements can be iterated: a known, non-null collection or structure.
    pub fn can_iterate_elements(&self) -> bool {
        matches!(self.unmarked(), Value::List(_) | Value::Set(_) | Value::Map(_) | Value::Tuple(_) | Value::Object(_))
    }

    /// A short description of the kind of value for diagnostics ("string", "object").
    pub fn type_name(&self) -> String {
        self.ty().friendly_name()
    }
}

/// NFC normalisation, as cty applies to every string entering its world.
pub fn normalize(s: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s;
    }
    s.nfc().collect()
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::string(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::string(s.clone())
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::int(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::int(n as i64)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::int(n as i64)
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(Number::from_u64(n))
    }
}
impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Number(Number::from_u64(n as u64))
    }
}
impl From<f64> for Value {
    /// A number from a float (cty's `NumberFloatVal`); NaN becomes null.
    fn from(n: f64) -> Self {
        Number::from_f64(n).map_or(Value::null(Type::Number), Value::Number)
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}
