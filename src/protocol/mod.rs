//! The MySQL client/server protocol, server side, plus the framing and
//! response walking the upstream connection shares.
//!
//! Architecture invariant: nothing in `protocol/` knows SQL or the delta. It
//! moves packets, authenticates, and finds where responses end.

pub mod binrow;
pub mod coldef;
pub mod command;
pub mod handshake;
pub mod packet;
pub mod params;
pub mod response;
pub mod stream;
