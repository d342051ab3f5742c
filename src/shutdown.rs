//! Shutdown with `--state`: SIGTERM (systemd's stop) and SIGINT (Ctrl-C)
//! save the delta before the process exits. The signals are blocked in
//! every thread and taken synchronously by one waiting thread, so saving
//! runs as ordinary code, not in a signal handler.

use std::sync::Arc;

use log::{error, info};

use crate::server::Shared;

fn signal_set() -> libc::sigset_t {
    // SAFETY: sigemptyset and sigaddset only write the set they are given.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        set
    }
}

/// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
/// starts from now on. Call before starting any thread.
pub fn block_signals() {
    let set = signal_set();
    // SAFETY: a valid set; the old mask is not wanted.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Starts the thread that waits for SIGTERM or SIGINT, saves the state
/// and ends the process (exit status 0; 1 when the state could not be
/// saved).
pub fn save_on_signal(shared: Arc<Shared>) {
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let set = signal_set();
            let mut sig: libc::c_int = 0;
            // SAFETY: a valid set, and sig outlives the call.
            let rc = unsafe { libc::sigwait(&set, &mut sig) };
            if rc != 0 {
                error!("cannot wait for signals; the state is saved only by CALL vdb.save()");
                return;
            }
            let name = if sig == libc::SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            match crate::admin::state_file::save(&shared) {
                Ok(()) => {
                    info!("{name}: state saved; exiting");
                    std::process::exit(0);
                }
                Err(e) => {
                    error!("{name}: {e}; exiting");
                    std::process::exit(1);
                }
            }
        })
        .expect("spawn the signal thread");
}
