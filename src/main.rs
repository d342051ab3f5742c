//! The `vdb` binary: flags → Config → Server; errors → exit status.

use std::process::ExitCode;

/// musl's allocator serialises threads; the static build uses mimalloc.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use vdb::config::Flags;
use vdb::server::Server;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let flags: Flags = argh::from_env();
    if flags.version {
        println!("vdb {}", vdb::VERSION);
        return ExitCode::SUCCESS;
    }
    let config = match flags.with_env(|k| std::env::var(k).ok()).into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vdb: {e}");
            return ExitCode::from(2);
        }
    };
    match Server::bind(config) {
        Ok(server) => {
            server.run();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vdb: {e}");
            ExitCode::from(1)
        }
    }
}
