//! The language on top of the values: functions ([`function`], [`funcs`]).

pub mod funcs;
pub mod function;
