//! Integration tests: vdb in-process in front of a private MariaDB, driven
//! by real clients. Each module is one area of behaviour a user would notice.

mod admin;
mod altered;
mod auth;
mod capture;
mod cli;
mod clients;
mod databases;
mod differential;
mod facts;
mod fixtures;
mod harness;
mod metadata;
mod overlay;
mod protocol;
mod random;
mod rawclient;
mod reads;
mod sandbox;
mod session;
mod transactions;
mod writes;
