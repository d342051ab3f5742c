//! vdb: a MySQL wire-protocol proxy that gives each process a private,
//! writable view of an existing MySQL or MariaDB database without changing
//! it. See ARCHITECTURE.md for the map of the code.

pub mod admin;
pub mod clock;
pub mod config;
pub mod delta;
pub mod overlay;
pub mod patch;
pub mod protocol;
pub mod server;
pub mod session;
pub mod shutdown;
pub mod sql;
pub mod upstream;

/// The version, and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("VDB_COMMIT"), ")");
