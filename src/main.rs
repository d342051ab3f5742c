//! The `vdb` binary: flags → Config → Server, or the `export` and `apply`
//! commands; errors → exit status.

use std::process::ExitCode;

/// musl's allocator serialises threads; the static build uses mimalloc.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use vdb::config::{Command, Flags};
use vdb::server::Server;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let flags: Flags = argh::from_env();
    if flags.version {
        println!("vdb {}", vdb::VERSION);
        return ExitCode::SUCCESS;
    }
    match &flags.command {
        None => {}
        Some(command) => {
            let done = match command {
                Command::Export(f) => vdb::patch::export(f),
                Command::Apply(f) => vdb::patch::apply(f),
            };
            return match done {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("vdb: {e}");
                    ExitCode::from(e.exit_status())
                }
            };
        }
    }
    let config = match flags.with_env(|k| std::env::var(k).ok()).into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vdb: {e}");
            return ExitCode::from(2);
        }
    };
    let keeps_state = config.state.is_some();
    if keeps_state {
        // Before any thread exists, so that every thread inherits the mask
        // and only the waiter below receives these signals.
        vdb::shutdown::block_signals();
    }
    match Server::bind(config) {
        Ok(server) => {
            if keeps_state {
                vdb::shutdown::save_on_signal(server.shared());
            }
            server.run();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vdb: {e}");
            ExitCode::from(1)
        }
    }
}
