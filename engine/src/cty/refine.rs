//! What is known about an unknown value (cty's refinements): that it is not null, the
//! prefix of a string, the bounds of a number, the length bounds of a collection. They let
//! `x != null` or `"a-${x}" == "b"` be decided before `x` is known, as in Terraform.

use super::ty::Type;
use super::value::{Unknown, Value};
use crate::number::Number;
use std::cmp::Ordering;

/// Whether an unknown value could be null.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Nullness {
    #[default]
    Unknown,
    Null,
    NotNull,
}

#[derive(Clone, Debug)]
pub struct Refinement {
    pub null: Nullness,
    pub kind: RefinementKind,
}

#[derive(Clone, Debug)]
pub enum RefinementKind {
    /// Bool, object, tuple: only nullness.
    Nullable,
    String {
        prefix: String,
    },
    /// Bounds, each with whether it is inclusive; never an infinity.
    Number {
        min: Option<(Number, bool)>,
        max: Option<(Number, bool)>,
    },
    Collection {
        min_len: usize,
        max_len: usize,
    },
}

impl Refinement {
    fn for_type(ty: &Type) -> Option<Refinement> {
        let kind = match ty {
            Type::String => RefinementKind::String { prefix: String::new() },
            Type::Number => RefinementKind::Number { min: None, max: None },
            Type::List(_) | Type::Set(_) | Type::Map(_) => {
                RefinementKind::Collection { min_len: 0, max_len: usize::MAX }
            }
            Type::Bool | Type::Object(_) | Type::Tuple(_) => RefinementKind::Nullable,
            Type::Dynamic => return None,
        };
        Some(Refinement { null: Nullness::Unknown, kind })
    }

    /// cty's `rawEqual` of refinements: the same facts.
    pub fn raw_equal(&self, other: &Refinement) -> bool {
        if self.null != other.null {
            return false;
        }
        match (&self.kind, &other.kind) {
            (RefinementKind::Nullable, RefinementKind::Nullable) => true,
            (RefinementKind::String { prefix: a }, RefinementKind::String { prefix: b }) => a == b,
            (RefinementKind::Number { min: a1, max: a2 }, RefinementKind::Number { min: b1, max: b2 }) => {
                bound_eq(a1, b1) && bound_eq(a2, b2)
            }
            (
                RefinementKind::Collection { min_len: a1, max_len: a2 },
                RefinementKind::Collection { min_len: b1, max_len: b2 },
            ) => a1 == b1 && a2 == b2,
            _ => false,
        }
    }
}

impl PartialEq for Refinement {
    fn eq(&self, other: &Refinement) -> bool {
        self.raw_equal(other)
    }
}

fn bound_eq(a: &Option<(Number, bool)>, b: &Option<(Number, bool)>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some((x, xi)), Some((y, yi))) => xi == yi && x.raw_equal(y),
        _ => false,
    }
}

/// Builds a refined value from an unknown one (known values pass through unchanged).
pub struct RefinementBuilder {
    orig: Value,
    wip: Option<Refinement>,
}

impl Value {
    /// Starts refining the value (cty's `Refine`). Marks are kept.
    pub fn refine(self) -> RefinementBuilder {
        let wip = match self.unmarked() {
            Value::Unknown(u) => match &u.refinement {
                Some(r) => Some((**r).clone()),
                None => Refinement::for_type(&u.ty),
            },
            _ => None,
        };
        RefinementBuilder { orig: self, wip }
    }

    /// Refines an unknown value as not null.
    pub fn refine_not_null(self) -> Value {
        self.refine().not_null().new_value()
    }
}

impl RefinementBuilder {
    pub fn not_null(mut self) -> Self {
        if let Some(r) = &mut self.wip {
            r.null = Nullness::NotNull;
        }
        self
    }

    pub fn null(mut self) -> Self {
        if let Some(r) = &mut self.wip {
            r.null = Nullness::Null;
        }
        self
    }

    pub fn number_range_inclusive(self, min: &Value, max: &Value) -> Self {
        self.number_lower_bound(min, true).number_upper_bound(max, true)
    }

    /// A lower bound (ignored when unknown, infinite or looser than the current one).
    pub fn number_lower_bound(mut self, min: &Value, inclusive: bool) -> Self {
        let Some(Refinement { kind: RefinementKind::Number { min: cur, .. }, .. }) = &mut self.wip else {
            return self;
        };
        let Some(n) = min.as_number() else { return self };
        if let Some((c, cinc)) = cur {
            let tighter = match n.cmp(c) {
                Ordering::Greater => true,
                Ordering::Equal => !inclusive && *cinc,
                Ordering::Less => false,
            };
            if !tighter {
                return self;
            }
        }
        if !(n.is_infinite() && n.is_negative()) {
            *cur = Some((n.clone(), inclusive));
        }
        self
    }

    pub fn number_upper_bound(mut self, max: &Value, inclusive: bool) -> Self {
        let Some(Refinement { kind: RefinementKind::Number { max: cur, .. }, .. }) = &mut self.wip else {
            return self;
        };
        let Some(n) = max.as_number() else { return self };
        if let Some((c, cinc)) = cur {
            let tighter = match n.cmp(c) {
                Ordering::Less => true,
                Ordering::Equal => !inclusive && *cinc,
                Ordering::Greater => false,
            };
            if !tighter {
                return self;
            }
        }
        if !n.is_infinite() || n.is_negative() {
            *cur = Some((n.clone(), inclusive));
        }
        self
    }

    pub fn collection_length_lower_bound(mut self, min: usize) -> Self {
        if let Some(Refinement { kind: RefinementKind::Collection { min_len, .. }, .. }) = &mut self.wip
            && *min_len <= min
        {
            *min_len = min;
        }
        self
    }

    pub fn collection_length_upper_bound(mut self, max: usize) -> Self {
        if let Some(Refinement { kind: RefinementKind::Collection { max_len, .. }, .. }) = &mut self.wip
            && *max_len >= max
        {
            *max_len = max;
        }
        self
    }

    pub fn collection_length(self, len: usize) -> Self {
        self.collection_length_lower_bound(len).collection_length_upper_bound(len)
    }

    /// A known prefix, cut back to what cannot change when more text follows.
    pub fn string_prefix(self, prefix: &str) -> Self {
        let safe = safe_known_prefix(prefix);
        self.string_prefix_full(&safe)
    }

    pub fn string_prefix_full(mut self, prefix: &str) -> Self {
        if let Some(Refinement { kind: RefinementKind::String { prefix: cur }, .. }) = &mut self.wip {
            let prefix = super::value::normalize(prefix.to_string());
            if prefix.len() > cur.len() {
                *cur = prefix;
            }
        }
        self
    }

    /// The refined value. A refinement that pins the value down makes it known, as in cty:
    /// a number whose bounds meet, an empty or fixed-length list of unknowns.
    pub fn new_value(self) -> Value {
        let (orig, marks) = self.orig.unmark();
        let Value::Unknown(Unknown { ty, .. }) = &orig else { return orig.with_marks(marks) };
        let Some(wip) = self.wip else { return orig.with_marks(marks) };
        let ty = ty.clone();
        match wip.null {
            Nullness::Null => return Value::Null(ty).with_marks(marks),
            Nullness::NotNull => match &wip.kind {
                RefinementKind::Number { min: Some((lo, true)), max: Some((hi, true)) } if lo.raw_equal(hi) => {
                    return Value::Number(lo.clone()).with_marks(marks);
                }
                RefinementKind::Collection { min_len, max_len } if min_len == max_len => {
                    let n = *min_len;
                    match &ty {
                        Type::List(e) if n == 0 => return Value::empty_list((**e).clone()).with_marks(marks),
                        Type::Set(e) if n == 0 => return Value::empty_set((**e).clone()).with_marks(marks),
                        Type::Map(e) if n == 0 => return Value::empty_map((**e).clone()).with_marks(marks),
                        Type::List(e) => {
                            let unk = Value::unknown((**e).clone());
                            return Value::list((**e).clone(), vec![unk; n]).with_marks(marks);
                        }
                        Type::Set(e) if n == 1 => {
                            return Value::set((**e).clone(), vec![Value::unknown((**e).clone())]).with_marks(marks);
                        }
                        _ => {}
                    }
                }
                _ => {}
            },
            Nullness::Unknown => {}
        }
        Value::Unknown(Unknown { ty, refinement: Some(Box::new(wip)) }).with_marks(marks)
    }
}

/// cty's `ctystrings.SafeKnownPrefix`: drops the last grapheme cluster, which more text
/// could still extend, unless it is a single punctuation character that always ends one.
pub fn safe_known_prefix(prefix: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let prefix = super::value::normalize(prefix.to_string());
    let Some((start, last)) = prefix.grapheme_indices(true).next_back() else { return prefix };
    let mut chars = last.chars();
    let single = chars.next();
    if chars.next().is_none()
        && let Some(c) = single
        && "-_:;/\\,.(){}[]|?!~ \t@#$%^&*+\"'".contains(c)
    {
        return prefix;
    }
    prefix[..start].to_string()
}

/// What a value (known or not) can be (cty's `ValueRange`). Built from an unmarked value.
#[derive(Clone, Debug)]
pub struct ValueRange {
    pub ty: Type,
    raw: Option<Refinement>,
}

impl Value {
    pub fn range(&self) -> ValueRange {
        let v = self.unmarked();
        match v {
            Value::Unknown(u) => ValueRange {
                ty: u.ty.clone(),
                raw: Some(
                    u.refinement
                        .as_deref()
                        .cloned()
                        .unwrap_or(Refinement { null: Nullness::Unknown, kind: RefinementKind::Nullable }),
                ),
            },
            Value::Null(t) => ValueRange {
                ty: t.clone(),
                raw: Some(Refinement { null: Nullness::Null, kind: RefinementKind::Nullable }),
            },
            _ => {
                let ty = v.ty();
                let kind = match v {
                    Value::String(s) => RefinementKind::String { prefix: s.clone() },
                    Value::Number(n) => {
                        RefinementKind::Number { min: Some((n.clone(), true)), max: Some((n.clone(), true)) }
                    }
                    Value::List(_) | Value::Map(_) | Value::Set(_) => match super::ops::length(v) {
                        Value::Number(n) => {
                            let l = n.to_i64().unwrap_or(0) as usize;
                            RefinementKind::Collection { min_len: l, max_len: l }
                        }
                        _ => RefinementKind::Collection { min_len: 0, max_len: usize::MAX },
                    },
                    _ => RefinementKind::Nullable,
                };
                ValueRange { ty, raw: Some(Refinement { null: Nullness::NotNull, kind }) }
            }
        }
    }
}

impl ValueRange {
    pub fn could_be_null(&self) -> bool {
        self.raw.as_ref().is_none_or(|r| r.null != Nullness::NotNull)
    }

    pub fn definitely_not_null(&self) -> bool {
        self.raw.as_ref().is_some_and(|r| r.null == Nullness::NotNull)
    }

    fn null(&self) -> Nullness {
        self.raw.as_ref().map_or(Nullness::Unknown, |r| r.null)
    }

    /// The lower bound: (value, inclusive); `-Inf` when unbounded, unknown for dynamic.
    pub fn number_lower_bound(&self) -> (Value, bool) {
        if self.ty.is_dynamic() {
            return (Value::unknown(Type::Number), false);
        }
        match &self.raw {
            Some(Refinement { kind: RefinementKind::Number { min: Some((n, inc)), .. }, .. }) => {
                (Value::Number(n.clone()), *inc)
            }
            _ => (Value::Number(Number::infinity(true)), false),
        }
    }

    pub fn number_upper_bound(&self) -> (Value, bool) {
        if self.ty.is_dynamic() {
            return (Value::unknown(Type::Number), false);
        }
        match &self.raw {
            Some(Refinement { kind: RefinementKind::Number { max: Some((n, inc)), .. }, .. }) => {
                (Value::Number(n.clone()), *inc)
            }
            _ => (Value::Number(Number::infinity(false)), false),
        }
    }

    pub fn string_prefix(&self) -> &str {
        match &self.raw {
            Some(Refinement { kind: RefinementKind::String { prefix }, .. }) => prefix,
            _ => "",
        }
    }

    pub fn length_lower_bound(&self) -> usize {
        match &self.raw {
            Some(Refinement { kind: RefinementKind::Collection { min_len, .. }, .. }) => *min_len,
            _ => 0,
        }
    }

    pub fn length_upper_bound(&self) -> usize {
        match &self.raw {
            Some(Refinement { kind: RefinementKind::Collection { max_len, .. }, .. }) => *max_len,
            _ => usize::MAX,
        }
    }

    /// Whether `v` is in the range: known `false` when it cannot be, unknown otherwise.
    pub fn includes(&self, v: &Value) -> Value {
        use super::ops;
        let unknown = Value::unknown(Type::Bool).refine_not_null();
        match self.null() {
            Nullness::Null => return Value::Bool(v.is_null()),
            Nullness::NotNull if v.is_null() => return Value::FALSE,
            _ => {}
        }
        if v.is_null() {
            return Value::TRUE;
        }
        let vty = v.ty();
        if !vty.test_conformance(&self.ty).is_empty() {
            return Value::FALSE;
        }
        if vty.is_dynamic() {
            return unknown;
        }
        match &self.raw {
            Some(Refinement { kind: RefinementKind::String { prefix }, .. }) => {
                if let Some(s) = v.as_str()
                    && !s.starts_with(prefix.as_str())
                {
                    return Value::FALSE;
                }
            }
            Some(Refinement { kind: RefinementKind::Collection { .. }, .. }) => {
                let len = ops::length(v);
                let min = Value::int(self.length_lower_bound() as i64);
                let max = Value::from(self.length_upper_bound());
                if ops::greater_than_or_equal(&len, &min).as_bool() == Some(false)
                    || ops::less_than_or_equal(&len, &max).as_bool() == Some(false)
                {
                    return Value::FALSE;
                }
            }
            Some(Refinement { kind: RefinementKind::Number { .. }, .. }) => {
                let (lo, lo_inc) = self.number_lower_bound();
                let (hi, hi_inc) = self.number_upper_bound();
                let lo_ok = if lo_inc { ops::greater_than_or_equal(v, &lo) } else { ops::greater_than(v, &lo) };
                let hi_ok = if hi_inc { ops::less_than_or_equal(v, &hi) } else { ops::less_than(v, &hi) };
                if lo_ok.as_bool() == Some(false) || hi_ok.as_bool() == Some(false) {
                    return Value::FALSE;
                }
            }
            _ => {}
        }
        unknown
    }
}

/// cty's `numericRangeArithmetic`: the bounds of `op(a, b)` from the bounds of `a` and `b`.
pub(crate) fn numeric_range_arithmetic(
    builder: RefinementBuilder,
    op: fn(&Value, &Value) -> Value,
    a: &ValueRange,
    b: &ValueRange,
) -> RefinementBuilder {
    use super::ops;
    let (a_min, _) = a.number_lower_bound();
    let (a_max, _) = a.number_upper_bound();
    let (b_min, _) = b.number_lower_bound();
    let (b_max, _) = b.number_upper_bound();
    let vs = [op(&a_min, &b_min), op(&a_min, &b_max), op(&a_max, &b_min), op(&a_max, &b_max)];
    let most = |cmp: fn(&Value, &Value) -> Value| -> Value {
        let mut r = vs[0].clone();
        for v in &vs[1..] {
            match cmp(v, &r).as_bool() {
                Some(true) => r = v.clone(),
                Some(false) => {}
                None => return Value::unknown(Type::Number),
            }
        }
        r
    };
    let new_min = most(ops::less_than);
    let new_max = most(ops::greater_than);
    let mut builder = builder;
    if new_min.as_number().is_some_and(|n| !n.is_infinite() || !n.is_negative()) {
        builder = builder.number_lower_bound(&new_min, true);
    }
    if new_max.as_number().is_some_and(|n| !n.is_infinite() || n.is_negative()) {
        builder = builder.number_upper_bound(&new_max, true);
    }
    builder
}

/// cty's `definitelyNotNull`.
pub fn definitely_not_null(v: &Value) -> bool {
    if v.is_known() { !v.is_null() } else { v.range().definitely_not_null() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_prefixes() {
        assert_eq!(safe_known_prefix("abc"), "ab");
        assert_eq!(safe_known_prefix("abc-"), "abc-");
        assert_eq!(safe_known_prefix(""), "");
    }

    #[test]
    fn pinned_numbers_become_known() {
        let one = Value::int(1);
        let v = Value::unknown(Type::Number).refine().not_null().number_range_inclusive(&one, &one).new_value();
        assert_eq!(v.as_i64(), Some(1));
        let l = Value::unknown(Type::list(Type::String)).refine().not_null().collection_length(0).new_value();
        assert_eq!(l.length_int(), Some(0));
    }
}
