//! Config as code: an organization's setup as one YAML or JSON document (`format.md`), exported
//! from the features' own queries and applied through their own create, change and delete
//! functions in one transaction. Owns no table.

pub mod apply;
mod body;
pub mod document;
pub mod export;
pub mod lines;
pub mod parse;
pub mod plan;
pub mod secrets;
mod sections;
pub mod yaml;

pub use apply::{apply, plan};
pub use document::{Document, Entry};
pub use parse::parse;
pub use plan::Plan;
pub mod routes;
