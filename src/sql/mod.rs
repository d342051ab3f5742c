//! SQL analysis: pure functions over statement text, no I/O.
//!
//! Architecture invariant: `sql/` does no I/O and knows nothing of packets
//! or sockets; it takes bytes and the session's lexing mode and returns
//! decisions and spliced text.

pub mod bind;
pub mod classify;
pub mod columns;
pub mod ddl;
pub mod items;
pub mod lexer;
pub mod literal;
pub mod restrict;
pub mod rewrite;
pub mod row_count;
pub mod tables;
pub mod temporary;
pub mod typed_use;
pub mod write;
