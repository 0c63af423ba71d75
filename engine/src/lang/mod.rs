//! The language on top of the values: functions ([`function`], [`funcs`]), expression
//! evaluation ([`eval`]) and the console's rendering of values ([`console`]).

pub mod console;
pub mod eval;
pub mod funcs;
pub mod function;
pub mod typeexpr;
