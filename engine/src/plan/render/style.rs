//! ANSI colours for plan output, off with `-no-color` or `NO_COLOR`.

use crate::plan::Action;

pub struct Paint {
    color: bool,
}

impl Paint {
    pub fn new(color: bool) -> Paint {
        Paint { color }
    }

    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }

    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.wrap("90", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }

    /// A symbol or text in the colour of an action.
    pub fn action(&self, a: Action, s: &str) -> String {
        match a {
            Action::Create => self.green(s),
            Action::Update => self.yellow(s),
            Action::Delete => self.red(s),
            Action::DeleteThenCreate | Action::CreateThenDelete => self.wrap("35", s),
            Action::Read => self.wrap("36", s),
            Action::NoOp | Action::Forget => s.to_string(),
        }
    }
}
