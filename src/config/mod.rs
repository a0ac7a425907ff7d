//! Config as code: an organization's setup as one YAML or JSON document (`format.md`), exported
//! from the features' own queries and applied through their own create, change and delete
//! functions in one transaction. Owns no table.

pub mod document;
pub mod lines;
pub mod parse;

pub use document::{Document, Entry};
pub use parse::parse;
pub mod plan;

pub use plan::Plan;
pub mod apply;

pub use apply::{apply, plan};
