//! Tests of Terraform's numbers: the BigFloat core, the compact forms, and every case recorded
//! from `terraform console` in `testdata/terraform.txt`.

mod eval;
mod funcs;

use super::bigfloat::{BigFloat, Form};
use super::{Number, Repr};
use num_bigint::BigUint;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

fn bf(m: u64, e: i64, prec: u32) -> BigFloat {
    BigFloat::round_from(false, BigUint::from(m), e, false, prec)
}

/// The value of a small finite float as `(mantissa, exponent)` with an odd mantissa.
fn parts(x: &BigFloat) -> (u64, i64) {
    (u64::try_from(&x.mant).unwrap(), i64::from(x.exp) - x.mant.bits() as i64)
}

#[test]
fn rounding_ties_go_to_even() {
    assert_eq!(parts(&bf(0b1011, 0, 3)), (0b11, 2)); // 101|1 -> 110
    assert_eq!(parts(&bf(0b1001, 0, 3)), (1, 3)); // 100|1 -> 100
    assert_eq!(parts(&bf(0b1101, 0, 3)), (0b11, 2)); // 110|1 -> 110 (even)
    assert_eq!(parts(&bf(0b1111_1011, 0, 6)), (0b11_1111, 2)); // 111110|11 -> 111111
}

#[test]
fn sticky_bits_break_ties() {
    // 100|10001: above the tie, rounds up to 101
    assert_eq!(parts(&bf(0b1001_0001, 0, 3)), (0b101, 5));
    // A tie made inexact by a remainder rounds up: 2/3 at 2 bits is 0.75.
    let q = BigFloat::quo(&bf(2, 0, 2), &bf(3, 0, 2), 2).unwrap();
    assert_eq!(parts(&q), (3, -2));
    // 1/3 = 0.01|0101...: below the tie, rounds down to 0.25 at 1 bit... and up at 2 bits.
    let q = BigFloat::quo(&bf(1, 0, 1), &bf(3, 0, 1), 1).unwrap();
    assert_eq!(parts(&q), (1, -2));
    let q = BigFloat::quo(&bf(1, 0, 2), &bf(3, 0, 2), 2).unwrap();
    assert_eq!(parts(&q), (3, -3));
}

#[test]
fn carries_renormalise() {
    let x = bf(0b1111, 0, 3); // 111|1 -> 1000
    assert_eq!(parts(&x), (1, 4));
    assert_eq!(x.exp, 5);
}

#[test]
fn exponents_overflow_and_underflow_like_go() {
    let top = bf(1, i64::from(i32::MAX) - 1, 64);
    assert_eq!((top.form, top.exp), (Form::Finite, i32::MAX));
    assert_eq!(bf(1, i64::from(i32::MAX), 64).form, Form::Inf);
    assert_eq!(bf(1, i64::from(i32::MIN) - 1, 64).form, Form::Finite);
    assert_eq!(bf(1, i64::from(i32::MIN) - 2, 64).form, Form::Zero);
    // A rounding carry out of the largest exponent overflows.
    assert_eq!(bf(0b1111, i64::from(i32::MAX) - 4, 3).form, Form::Inf);
    // Products beyond the range: Inf, or zero.
    let big = bf(1, 2_000_000_000, 64);
    assert_eq!(BigFloat::mul(&big, &big, 64).unwrap().form, Form::Inf);
    let small = bf(1, -2_000_000_000, 64);
    assert_eq!(BigFloat::mul(&small, &small, 64).unwrap().form, Form::Zero);
}

#[test]
fn cancellation_is_exact() {
    let one_plus = BigFloat::add(&bf(1, 0, 512), &bf(1, -100, 512), 512).unwrap();
    let d = BigFloat::sub(&one_plus, &bf(1, 0, 512), 512).unwrap();
    assert_eq!(parts(&d), (1, -100));
    let z = BigFloat::sub(&one_plus, &one_plus, 512).unwrap();
    assert_eq!((z.form, z.neg), (Form::Zero, false));
    // Far-apart operands: the small one only sets the sticky bit.
    let s = BigFloat::add(&bf(1, 0, 53), &bf(1, -60, 53), 53).unwrap();
    assert_eq!(parts(&s), (1, 0));
}

#[test]
fn float64_conversions() {
    for v in [0.1, 1.0 / 3.0, 5e-324, f64::MAX, 2.2250738585072014e-308, -1.5] {
        assert_eq!(BigFloat::from_f64(v).to_f64(), v);
    }
    assert_eq!(Number::parse("1e400").unwrap().to_f64(), f64::INFINITY);
    assert_eq!(Number::parse("1e-400").unwrap().to_f64(), 0.0);
    assert_eq!(Number::parse("0.1").unwrap().to_f64(), 0.1);
    assert_eq!(Number::parse("2.4703282292062328e-324").unwrap().to_f64(), 5e-324);
}

#[test]
fn precisions() {
    assert_eq!(Number::parse("0.1").unwrap().precision(), 512);
    assert_eq!(Number::from_i64(3).precision(), 64);
    assert_eq!(Number::from_f64(0.5).unwrap().precision(), 53);
    let p = Number::from_f64(2f64.sqrt()).unwrap();
    assert_eq!(p.mul(&p).unwrap().precision(), 106);
    assert_eq!(Number::from_i64(3).add(&p).unwrap().precision(), 64);
    assert!(Number::from_f64(f64::NAN).is_none());
}

#[test]
fn number_is_16_bytes() {
    assert_eq!(std::mem::size_of::<Number>(), 16);
}

#[test]
fn compact_forms() {
    let n = |s: &str| Number::parse(s).unwrap();
    assert!(matches!(n("0.1").0, Repr::Dec { mant: 1, exp: -1 }));
    assert!(matches!(n("2.750").0, Repr::Dec { mant: 275, exp: -2 }));
    assert!(matches!(n("1e3").0, Repr::Int { v: 1000, prec: 512, .. }));
    assert!(matches!(n("-0").0, Repr::Int { v: 0, neg_zero: true, .. }));
    assert!(matches!(n("0.5").add(&n("0.25")).unwrap().0, Repr::Dec { mant: 75, exp: -2 }));
    assert!(matches!(n("0.1").mul(&n("10")).unwrap().0, Repr::Int { v: 1, prec: 512, .. }));
    assert!(matches!(n("1").div(&n("8")).unwrap().0, Repr::Dec { mant: 125, exp: -3 }));
    assert!(matches!(n("0.1").add(&n("0.2")).unwrap().0, Repr::Big(_)));
}

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Counts the allocations of the current thread (for the test below).
struct CountingAllocator;

// SAFETY: forwards to the system allocator; the thread-local counter does not allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn small_numbers_do_not_allocate() {
    let count = allocations_in(|| {
        let n = |s: &str| Number::parse(s).unwrap();
        let (a, b, c) = (n("0.5"), n("2.75"), n("0.1"));
        let three = Number::from_i64(3);
        let r = a.add(&b).unwrap().sub(&three).unwrap().mul(&n("4")).unwrap().div(&n("8")).unwrap();
        assert_eq!(r.cmp(&n("0.125")), std::cmp::Ordering::Equal);
        assert!(r.raw_equal(&n("0.125")));
        assert!(c.raw_equal(&n("0.10")));
        assert_eq!(three.modulo(&Number::from_i64(2)).unwrap().to_i64(), Some(1));
        assert_eq!(c.floor().to_i64(), Some(0));
        assert_eq!(c.neg().abs().cmp(&c), std::cmp::Ordering::Equal);
        assert_eq!(n("1e3").mul(&three).unwrap().to_i64(), Some(3000));
        assert!(Number::from_i64(6).div(&three).unwrap().is_integer());
    });
    assert_eq!(count, 0);
}

#[test]
fn terraform_console_cases() {
    let data = include_str!("testdata/terraform.txt");
    let (mut cases, mut failures) = (0, Vec::new());
    for line in data.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (expr, want) = line.split_once(" => ").expect("EXPRESSION => RESULT");
        let got = match eval::eval(expr) {
            Ok(v) => v.render(),
            Err(e) => format!("ERROR: {e}"),
        };
        cases += 1;
        if got != want {
            failures.push(format!("{expr}\n   want: {want}\n    got: {got}"));
        }
    }
    assert!(cases >= 250, "only {cases} cases");
    assert!(failures.is_empty(), "{} of {cases} cases differ:\n{}", failures.len(), failures.join("\n"));
}

/// The same number without its compact form, so that operations take the BigFloat path.
fn boxed(n: &Number) -> Number {
    Number(Repr::Big(Box::new(n.big().into_owned())))
}

fn same(a: &Number, b: &Number) -> bool {
    let (x, y) = (a.big(), b.big());
    (x.form, x.neg, x.exp, &x.mant, x.prec) == (y.form, y.neg, y.exp, &y.mant, y.prec)
}

#[test]
fn compact_shortcuts_match_the_bigfloat_path() {
    let mut values: Vec<Number> = [
        "0", "-0", "1", "-7", "3", "0.5", "-0.25", "2.75", "0.1", "-0.3", "1.125", "1e18", "0.0625", "1e-21", "-3e-30",
    ]
    .iter()
    .map(|s| Number::parse(s).unwrap())
    .collect();
    values.extend([Number::from_i64(3), Number::from_i64(-8), Number::from_i64(i64::MAX), Number::from_i64(0)]);
    values.extend([0.5, 3.0, -2.0, 1e15].map(|f| Number::from_f64(f).unwrap()));
    type Op = fn(&Number, &Number) -> Result<Number, super::NumberError>;
    let ops: [(&str, Op); 5] =
        [("+", Number::add), ("-", Number::sub), ("*", Number::mul), ("/", Number::div), ("%", Number::modulo)];
    for a in &values {
        for b in &values {
            for (name, op) in ops {
                let fast = op(a, b);
                let slow = op(&boxed(a), &boxed(b));
                match (&fast, &slow) {
                    (Ok(f), Ok(s)) => assert!(same(f, s), "{a} {name} {b}: {f:?} vs {s:?}"),
                    _ => assert_eq!(fast.is_ok(), slow.is_ok(), "{a} {name} {b}"),
                }
            }
            assert_eq!(a.cmp(b), boxed(a).cmp(&boxed(b)), "{a} cmp {b}");
            assert_eq!(a.raw_equal(b), boxed(a).raw_equal(&boxed(b)), "{a} == {b}");
        }
        assert!(same(&a.floor(), &boxed(a).floor()), "floor({a})");
        assert!(same(&a.ceil(), &boxed(a).ceil()), "ceil({a})");
        assert!(same(&a.neg(), &boxed(a).neg()), "-{a}");
        assert_eq!(a.to_string(), boxed(a).to_string());
        assert_eq!(a.to_f64().to_bits(), boxed(a).to_f64().to_bits());
    }
}

#[test]
fn far_apart_operands_add_without_huge_shifts() {
    let top = bf(3, i64::from(i32::MAX) - 10, 512);
    let bottom = bf(1, i64::from(i32::MIN), 512);
    assert!(same_bf(&BigFloat::add(&top, &bottom, 512).unwrap(), &top));
    assert!(same_bf(&BigFloat::sub(&top, &bottom, 512).unwrap(), &top));
    // Just above and below a power of two: the sticky bit decides nothing, x is kept.
    let p = bf(1, 100, 8);
    let tiny = bf(1, -100, 8);
    assert!(same_bf(&BigFloat::sub(&p, &tiny, 8).unwrap(), &p));
    assert!(same_bf(&BigFloat::add(&tiny, &p, 8).unwrap(), &p));
}

fn same_bf(x: &BigFloat, y: &BigFloat) -> bool {
    (x.form, x.neg, x.exp, &x.mant, x.prec) == (y.form, y.neg, y.exp, &y.mant, y.prec)
}
