//! The outbox worker (SPEC §6). Publishing is not implemented yet: for now the binary
//! validates its configuration and exits, so the stack can check it is deployable.

use platform::config::Env;

fn main() {
    platform::telemetry::init_json_logs();
    let env = Env::from_process();
    for name in ["DATABASE_URL", "KAFKA_BROKERS"] {
        if let Err(err) = env.required(name) {
            eprintln!("{err}");
            std::process::exit(2);
        }
    }
    tracing::warn!(
        "outbox-worker: publishing is not implemented yet; configuration is valid, exiting"
    );
}
