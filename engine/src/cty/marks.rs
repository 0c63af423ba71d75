//! Marks carried on values: sensitive (never shown) and ephemeral (never stored). A mark
//! on a value spreads to everything computed from it.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// A set of marks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Marks(u8);

impl Marks {
    pub const NONE: Marks = Marks(0);
    pub const SENSITIVE: Marks = Marks(1);
    pub const EPHEMERAL: Marks = Marks(2);

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, other: Marks) -> bool {
        self.0 & other.0 == other.0 && !other.is_empty()
    }

    pub fn is_sensitive(self) -> bool {
        self.contains(Marks::SENSITIVE)
    }

    pub fn without(self, other: Marks) -> Marks {
        Marks(self.0 & !other.0)
    }
}

impl BitOr for Marks {
    type Output = Marks;
    fn bitor(self, rhs: Marks) -> Marks {
        Marks(self.0 | rhs.0)
    }
}

impl BitOrAssign for Marks {
    fn bitor_assign(&mut self, rhs: Marks) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Marks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Vec::new();
        if self.contains(Marks::SENSITIVE) {
            names.push("sensitive");
        }
        if self.contains(Marks::EPHEMERAL) {
            names.push("ephemeral");
        }
        write!(f, "Marks({})", names.join(","))
    }
}
